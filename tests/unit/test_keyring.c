/* doorstep: the keyring parser refuses every edit, and says where. */
/*
 * ws_keyring_check is what ws_open runs before Argon2: a strict parse,
 * then the text must be exactly what the encoder would write (so the
 * checksum covers it).  Each edit below keeps the checksum right, as a
 * careful editor would, and must still be refused: a field the parser
 * rejects names its line; a text that parses but is not canonical is a
 * checksum mismatch.  (Issue 18: the mutation run of src/ws.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"

#include "cry.h"
#include "mem.h"
#include "util.h"
#include "ws.h"

#define KR_TEXT_MAX	8192

static char orig[KR_TEXT_MAX];

/* The line number (1-based) of field `name`. */
static int
line_of(const char *t, const char *name)
{
	size_t l = strlen(name);
	int line = 1;

	for (;;) {
		if (strncmp(t, name, l) == 0 && t[l] == ' ')
			return line;
		if ((t = strchr(t, '\n')) == NULL)
			return 0;
		t++;
		line++;
	}
}

/* Recompute the check line of t in place (BLAKE2b-256 of what is above). */
static void
fix_check(char *t)
{
	unsigned char sum[32];
	char hex[65], *c = strstr(t, "\ncheck ");

	if (c == NULL)
		return;
	c++;
	cry_hash(sum, sizeof(sum), NULL, 0, t, (size_t)(c - t));
	ds_hex_encode(sum, sizeof(sum), hex);
	snprintf(c, KR_TEXT_MAX - (size_t)(c - t), "check %s\n", hex);
}

/*
 * Replace the whole line of field `name` by `line` (NULL: delete it;
 * "+..." inserts the text as a new line before it), then fix the check.
 */
static void
edit(char *out, const char *name, const char *line)
{
	char *p, *e;
	size_t l = strlen(name);

	snprintf(out, KR_TEXT_MAX, "%s", orig);
	for (p = out; p != NULL; p = (p = strchr(p, '\n')) ? p + 1 : NULL)
		if (strncmp(p, name, l) == 0 && p[l] == ' ')
			break;
	if (p == NULL)
		abort();
	e = strchr(p, '\n') + 1;
	if (line == NULL)
		memmove(p, e, strlen(e) + 1);
	else if (line[0] == '+') {
		size_t n = strlen(line + 1);

		memmove(p + n + 1, p, strlen(p) + 1);
		memcpy(p, line + 1, n);
		p[n] = '\n';
	} else {
		size_t n = strlen(line);

		memmove(p + n + 1, e, strlen(e) + 1);
		memcpy(p, line, n);
		p[n] = '\n';
	}
	fix_check(out);
}

static void
refused(const char *what, const char *t, size_t len, const char *msg)
{
	struct ds_err err;
	enum ds_status st;

	ds_err_clear(&err);
	st = ws_keyring_check(t, len, "kr", &err);
	if (st != DS_ECORRUPT)
		HARNESS_FAIL("%s: %s, want DS_ECORRUPT", what,
		    ds_status_name(st));
	else if (strstr(err.msg, msg) == NULL)
		HARNESS_FAIL("%s: \"%s\" lacks \"%s\"", what, err.msg, msg);
}

static void
refused_at(const char *what, const char *t, int line)
{
	char msg[32];

	snprintf(msg, sizeof(msg), "(line %d)", line);
	refused(what, t, strlen(t), msg);
}

/* The value of field name, into v. */
static void
value_of(const char *name, char *v, size_t n)
{
	const char *p = orig;
	size_t l = strlen(name);

	while (p != NULL && !(strncmp(p, name, l) == 0 && p[l] == ' '))
		p = (p = strchr(p, '\n')) ? p + 1 : NULL;
	if (p == NULL)
		abort();
	snprintf(v, n, "%.*s", (int)strcspn(p + l + 1, "\n"), p + l + 1);
}

static void
test_every_edit_refused(void)
{
	static const char *const hexes[] = { "workspace-id", "device-id",
	    "office-id", "key-id", "kdf-salt", "pass-wrap",
	    "recovery-key-id", "recovery-wrap", "device-sign-public",
	    "device-sign-secret", "office-key", NULL };
	static char t[KR_TEXT_MAX], line[2 * KR_TEXT_MAX / 4], v[1024];
	struct ds_err err;
	int i, ln;

	ST_EQ(ws_keyring_check(orig, strlen(orig), "kr", &err), DS_OK, &err);
	/* The header. */
	snprintf(t, sizeof(t), "%s", orig);
	t[18] = '3';	/* "doorstep keyring v3" */
	fix_check(t);
	refused_at("header", t, 1);
	/* The office key is in v2 keyrings and only there. */
	t[18] = '1';
	fix_check(t);
	refused("office-key in a v1 keyring", t, strlen(t), "(line ");
	edit(t, "office-key", NULL);
	refused("v2 without office-key", t, strlen(t), "(line ");
	/* Each hex field: a digit short, a digit long, a byte long, not
	 * hex. */
	for (i = 0; hexes[i] != NULL; i++) {
		ln = line_of(orig, hexes[i]);
		value_of(hexes[i], v, sizeof(v));
		snprintf(line, sizeof(line), "%s %.*s", hexes[i],
		    (int)strlen(v) - 1, v);
		edit(t, hexes[i], line);
		refused_at(hexes[i], t, ln);
		snprintf(line, sizeof(line), "%s %s0", hexes[i], v);
		edit(t, hexes[i], line);
		refused_at(hexes[i], t, ln);
		snprintf(line, sizeof(line), "%s %s00", hexes[i], v);
		edit(t, hexes[i], line);
		refused_at(hexes[i], t, ln);
		snprintf(line, sizeof(line), "%s %.*sg", hexes[i],
		    (int)strlen(v) - 1, v);
		edit(t, hexes[i], line);
		refused_at(hexes[i], t, ln);
	}
	/* The worker (variable length): odd, empty, past the cap. */
	ln = line_of(orig, "worker");
	value_of("worker", v, sizeof(v));
	snprintf(line, sizeof(line), "worker %.*s", (int)strlen(v) - 1, v);
	edit(t, "worker", line);
	refused_at("worker odd", t, ln);
	edit(t, "worker", "worker ");
	refused_at("worker empty", t, ln);
	snprintf(line, sizeof(line), "worker ");
	for (i = 0; i < 2 * (WS_WORKER_MAX + CRY_AEAD_OVERHEAD + 1); i++)
		strcat(line, "a");
	edit(t, "worker", line);
	refused_at("worker too long", t, ln);
	/* KDF: name, numbers, bounds. */
	ln = line_of(orig, "kdf-alg");
	edit(t, "kdf-alg", "kdf-alg argon2i13");
	refused_at("kdf-alg", t, ln);
	edit(t, "kdf-alg", "kdf-alg argon2id1");
	refused_at("kdf-alg short", t, ln);
	ln = line_of(orig, "kdf-ops");
	edit(t, "kdf-ops", "kdf-ops 0");
	refused_at("kdf-ops 0", t, ln);
	edit(t, "kdf-ops", "kdf-ops x3");
	refused_at("kdf-ops x3", t, ln);
	edit(t, "kdf-ops", "kdf-ops ");
	refused_at("kdf-ops empty", t, ln);
	edit(t, "kdf-ops", "kdf-ops 000000000000000000000003");
	refused_at("kdf-ops 24 digits", t, ln);
	/* In range for the parser, out of Argon2id's: refused at the end. */
	edit(t, "kdf-mem", "kdf-mem 1");
	refused("kdf-mem 1", t, strlen(t), "(line ");
	/* Fields: unknown, repeated, missing, without a value. */
	ln = line_of(orig, "office-id");
	edit(t, "office-id", "+bogus-field 00");
	refused_at("unknown field", t, ln);
	value_of("device-id", v, sizeof(v));
	snprintf(line, sizeof(line), "+device-id %s", v);
	edit(t, "office-id", line);
	refused_at("repeated field", t, ln);
	edit(t, "office-id", "office-id");
	refused_at("no value", t, ln);
	edit(t, "worker", NULL);
	refused("missing field", t, strlen(t), "(line ");
	/* Two fields swapped: each parses, the order is not the encoder's. */
	{
		char a[1024], b[1024];

		value_of("device-id", a, sizeof(a));
		value_of("office-id", b, sizeof(b));
		snprintf(t, sizeof(t), "%s", orig);
		{
			char *p = strstr(t, "device-id "), *q;

			q = strstr(t, "office-id ");
			memcpy(p, "office-id ", 10);
			memcpy(p + 10, b, strlen(b));
			memcpy(q, "device-id ", 10);
			memcpy(q + 10, a, strlen(a));
		}
		fix_check(t);
		refused("fields swapped", t, strlen(t), "checksum");
	}
	/* Upper-case hex: parses, not canonical. */
	snprintf(t, sizeof(t), "%s", orig);
	{
		char *p = strstr(t, "key-id ") + 7;

		for (; *p != '\n'; p++)
			if (*p >= 'a' && *p <= 'f')
				*p = (char)(*p - 'a' + 'A');
	}
	fix_check(t);
	refused("upper-case hex", t, strlen(t), "checksum");
	/* The check line: wrong, missing, with text after it. */
	snprintf(t, sizeof(t), "%s", orig);
	t[strlen(t) - 2] = t[strlen(t) - 2] == '0' ? '1' : '0';
	refused("wrong checksum", t, strlen(t), "checksum");
	snprintf(t, sizeof(t), "%s", orig);
	*(strstr(t, "\ncheck ") + 1) = '\0';
	refused("no check line", t, strlen(t), "checksum");
	snprintf(t, sizeof(t), "%sworker 00\n", orig);
	refused("a line after the check", t, strlen(t), "(line ");
	/* No newline at the end. */
	snprintf(t, sizeof(t), "%s", orig);
	t[strlen(t) - 1] = '\0';
	refused("no final newline", t, strlen(t), "(line ");
	/* Too large to be one. */
	{
		char *big = ds_malloc(KR_TEXT_MAX + 2);

		if (big != NULL) {
			memset(big, 'a', KR_TEXT_MAX + 1);
			refused("too large", big, KR_TEXT_MAX + 1, "too large");
			ds_free(big);
		}
	}
}

/*
 * Out of memory while checking a keyring is DS_ENOMEM, never "damaged":
 * every allocation in turn fails, over keyrings whose worker field runs
 * from 1 to WS_WORKER_MAX + overhead bytes, so each line in turn is the
 * one that makes the text buffer grow.
 */
static void
test_alloc_failures_never_damage(void)
{
	static char t[KR_TEXT_MAX], line[2 * KR_TEXT_MAX / 4];
	struct ds_err err;
	enum ds_status st;
	size_t len, i;
	long k, bad = 0, fired = 0;

	for (len = 1; len <= WS_WORKER_MAX + CRY_AEAD_OVERHEAD; len++) {
		snprintf(line, sizeof(line), "worker ");
		for (i = 0; i < len; i++)
			strcat(line, "ab");
		edit(t, "worker", line);
		ST_EQ(ws_keyring_check(t, strlen(t), "kr", &err), DS_OK,
		    &err);
		for (k = 1;; k++) {
			ds_fault_arm(DS_FAULT_ALLOC, k, 0);
			st = ws_keyring_check(t, strlen(t), "kr", &err);
			if (ds_fault_fired(DS_FAULT_ALLOC) == 0) {
				ds_fault_disarm(DS_FAULT_ALLOC);
				break;
			}
			ds_fault_disarm(DS_FAULT_ALLOC);
			fired++;
			if (st != DS_ENOMEM && st != DS_OK) {
				if (bad++ == 0)
					HARNESS_FAIL("worker of %zu bytes, failure "
					    "%ld: %s (%s)", len, k,
					    ds_status_name(st), err.msg);
			}
		}
	}
	INT_EQ(bad, 0);
	OK(fired > 0);
}

int
main(void)
{
	const char *d = ts_tmpdir("keyring");
	char office[600], ws[600], key[700], path[700], *t = NULL;
	struct ds_err err;
	size_t n;
	const char *pass = "correct horse battery";

	snprintf(office, sizeof(office), "%s/o", d);
	snprintf(ws, sizeof(ws), "%s/ws", d);
	snprintf(key, sizeof(key), "%s/%s", office, CRY_OFFICE_PUB_FILE);
	snprintf(path, sizeof(path), "%s/%s", ws, WS_KEYRING_FILE);
	if (ds_mkdir_p(office, 0700, &err) != DS_OK ||
	    cry_office_create(office, NULL, &err) != DS_OK ||
	    ws_create(ws, key, "网格员", pass, strlen(pass), CRY_COST_MIN,
	    &err) != DS_OK ||
	    ds_file_read(path, KR_TEXT_MAX - 1, &t, &n, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	memcpy(orig, t, n);
	orig[n] = '\0';
	ds_free(t);
	RUN(test_every_edit_refused);
	RUN(test_alloc_failures_never_damage);
	return harness_done();
}
