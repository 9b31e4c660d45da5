/* doorstep: the laptop side of visit lists, on a real workspace. */
/*
 * A real workspace (keyring, SQLite store) and office bundles made by a
 * real office key: applied exactly once, in order, for this laptop only;
 * every refusal (replay, an older or a skipped sequence, a broken chain,
 * another laptop, another key, another office's bundle, a seal or stream
 * key not this laptop's, every single-byte change) leaves every
 * file of the workspace byte-identical.  A stick's inbox is applied and a
 * note left; a keyring from before the box key gets one at unlock; a
 * visit starts from an entry with its keys, carried answers and consent
 * on file, and the session notes which carried answers changed.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "cry_bundle.h"
#include "dnote.h"
#include "eng.h"
#include "fetch.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"
#include "sess.h"
#include "store.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

#define PASS	"correct horse battery"
#define HH1	"340102001001"

static struct sf_office O;
static char WS[600];
static struct ws *W;
static unsigned char *B[4];	/* office bundles 1..3 for this laptop */
static size_t BL[4];

static const char form_md[] =
    "| survey | type | name | label | required | carry |\n"
    "| | select_one yes_no | consent | Consent? | yes |  |\n"
    "| | begin group | hh | Household |  | yes |\n"
    "| | text | hh_id | Household number |  |  |\n"
    "| | text | village | Village |  |  |\n"
    "| | end group |  |  |  |  |\n"
    "| | begin repeat | member | Member |  |  |\n"
    "| | text | m_name | Name |  | yes |\n"
    "| | integer | m_wage | Wage |  |  |\n"
    "| | end repeat |  |  |  |  |\n"
    "| | integer | income | Income this month | yes |  |\n"
    "| choices | list_name | name | label |\n"
    "| | yes_no | yes | Yes |\n"
    "| | yes_no | no | No |\n"
    "| settings | form_id | version | household_key | consent |\n"
    "| | tiny | 2026120701 | hh_id | consent |\n";
static const char villages_csv[] = "name,label\nv1,One\n";

static const char entry_fmt[] =
    "{\"clue\":null,\"consent\":%s,\"due\":\"2026-12-20\",\"entry\":\"%s\","
    "\"form_id\":\"tiny\",\"form_ver\":\"2026120701\",\"head_name\":\"张三\","
    "\"hh_key\":\"%s\",\"prev\":%s,\"prev_rev\":null,\"reason\":\"followup\","
    "\"township\":\"340102\",\"vgroup\":\"\",\"village\":\"340102001\","
    "\"village_name\":\"\",\"worker\":\"王五\"}";

static struct bundle_bytes
bb(const char *s, size_t n)
{
	struct bundle_bytes b;

	b.p = (const unsigned char *)s;
	b.n = n;
	return b;
}

/* An entry item: id from n, JSON with prev and consent. */
static void
entry_item(struct obundle_item *it, char *json, size_t cap, int n,
    const char *hh, const char *consent, const char *prev)
{
	char hex[33];

	memset(it, 0, sizeof(*it));
	it->kind = OBI_ENTRY;
	memset(it->entry_id, 0xe0, 16);
	it->entry_id[15] = (unsigned char)n;
	ds_hex_encode(it->entry_id, 16, hex);
	snprintf(json, cap, entry_fmt, consent, hex, hh, prev);
	it->data = bb(json, strlen(json));
}

/* Office bundle seq for the device (another device: other != 0). */
static unsigned char *
make_bundle(uint64_t seq, const unsigned char prev[32],
    const struct obundle_item *v, size_t n, int other, size_t *len,
    const struct cry_office_sec *sec)
{
	struct obundle_meta m;
	unsigned char id[16], *b = NULL;
	struct ds_err err;

	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, ws_device_id(W), 16);
	if (other)
		m.device_id[0] ^= 0x80;
	memcpy(m.box_pk, ws_box(W)->pk, 32);
	m.seq = seq;
	if (prev != NULL)
		memcpy(m.prev_hash, prev, 32);
	m.created_at = 1;
	m.chunk_size = 256;
	if (obundle_build(&m, v, n, sec, id, &b, len, &err) != DS_OK) {
		fprintf(stderr, "make_bundle: %s\n", err.msg);
		abort();
	}
	return b;
}

/* Digest of every file of the workspace (the -shm index left out). */
static void
ws_digest(unsigned char out[32])
{
	struct cryb_hash *h;
	struct dirent *e;
	char p[1024], *buf, *names[64];
	size_t n = 0, i, k, len;
	DIR *d;

	if (cryb_hash_new(&h, 32, NULL) != DS_OK || (d = opendir(WS)) == NULL)
		abort();
	while ((e = readdir(d)) != NULL && n < 64)
		if (e->d_name[0] != '.' && strstr(e->d_name, "-shm") == NULL)
			names[n++] = strdup(e->d_name);
	closedir(d);
	for (i = 0; i < n; i++)	/* by name, so the order is fixed */
		for (k = i + 1; k < n; k++)
			if (strcmp(names[k], names[i]) < 0) {
				char *t = names[i];

				names[i] = names[k];
				names[k] = t;
			}
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/%s", WS, names[i]);
		cryb_hash_update(h, names[i], strlen(names[i]) + 1);
		if (ds_file_read(p, 64u << 20, &buf, &len, NULL) == DS_OK) {
			cryb_hash_update(h, buf, len);
			ds_free(buf);
		}
		free(names[i]);
	}
	cryb_hash_final(h, out);
	cryb_hash_free(h);
}

static char json1[1024], json2[1024], json3[1024];

static void
setup(void)
{
	struct obundle_item v[4];
	char key[700], pf[128];
	unsigned char h1[32], h2[32];

	sf_office_make(&O, ts_tmpdir("fetch-office"));
	snprintf(WS, sizeof(WS), "%s/ws", ts_tmpdir("fetch-ws"));
	snprintf(key, sizeof(key), "%s/%s", O.dir, CRY_OFFICE_PUB_FILE);
	if (ws_create(WS, key, "王五", PASS, strlen(PASS), CRY_COST_MIN,
	    NULL) != DS_OK || ws_open(WS, PASS, strlen(PASS), &W, NULL) !=
	    DS_OK)
		abort();
	/* 1: the form and its list, an entry with consent on file. */
	memset(v, 0, sizeof(v));
	v[0].kind = OBI_FILE;
	v[0].form_id = bb("tiny", 4);
	v[0].form_ver = bb("2026120701", 10);
	v[0].name = bb("tiny.md", 7);
	v[0].role = OB_ROLE_FORM;
	v[0].data = bb(form_md, strlen(form_md));
	v[1] = v[0];
	v[1].name = bb("villages.csv", 12);
	v[1].role = OB_ROLE_LIST;
	v[1].data = bb(villages_csv, strlen(villages_csv));
	snprintf(pf, sizeof(pf), "%s", "{\"record_code\":\"260302-a1b2\","
	    "\"date\":\"2026-03-02\",\"method\":\"signed\"}");
	entry_item(&v[2], json1, sizeof(json1), 1, HH1, pf,
	    "{\"hh_id\":\"" HH1 "\",\"village\":\"v1\",\"member\":"
	    "[{\"m_name\":\"张三\"},{\"m_name\":\"李梅\"}]}");
	B[1] = make_bundle(1, NULL, v, 3, 0, &BL[1], O.sec);
	obundle_hash(B[1], BL[1], h1);
	/* 2: withdraws entry 1, brings entry 2 (no consent on file). */
	entry_item(&v[0], json2, sizeof(json2), 2, "340102001002", "null",
	    "null");
	memset(&v[1], 0, sizeof(v[1]));
	v[1].kind = OBI_WITHDRAW;
	memset(v[1].entry_id, 0xe0, 16);
	v[1].entry_id[15] = 1;
	v[1].data = bb("moved away", 10);
	B[2] = make_bundle(2, h1, v, 2, 0, &BL[2], O.sec);
	obundle_hash(B[2], BL[2], h2);
	/* 3: entry 3. */
	entry_item(&v[0], json3, sizeof(json3), 3, "340102001003", "null",
	    "null");
	B[3] = make_bundle(3, h2, v, 1, 0, &BL[3], O.sec);
}

static enum ds_status
apply(const unsigned char *b, size_t n, struct fetch_res *r)
{
	struct ds_err err;

	return fetch_apply(W, b, n, r, &err);
}

static void
test_box_key_in_keyring(void)
{
	char p[700], *t = NULL, *c;
	size_t n;
	struct ws *w2 = NULL;
	unsigned char pk[32];

	OK(ws_box(W) != NULL);
	snprintf(p, sizeof(p), "%s/keyring", WS);
	if (ds_file_read(p, 8192, &t, &n, NULL) != DS_OK)
		return;
	OK(strstr(t, "\ndevice-box-public ") != NULL);
	OK(strstr(t, "\ndevice-box-secret ") != NULL);
	/* An edited box line is refused like any keyring edit. */
	if ((c = strstr(t, "\ndevice-box-public ")) != NULL) {
		c[20] = c[20] == 'a' ? 'b' : 'a';
		OK(ws_keyring_check(t, n, "k", NULL) == DS_ECORRUPT);
	}
	ds_free(t);
	/* The same key at the next unlock. */
	memcpy(pk, ws_box(W)->pk, 32);
	ST_EQ(ws_open(WS, PASS, strlen(PASS), &w2, NULL), DS_OK, NULL);
	OK(w2 != NULL && ws_box(w2) != NULL && memcmp(ws_box(w2)->pk, pk,
	    32) == 0);
	ws_close(w2);
}

/* A keyring written before the box key: it gets one at first unlock. */
static void
test_old_keyring_gets_box_key(void)
{
	char dir[700], key[700], p[800], *t = NULL, *out, *a, *b;
	unsigned char sum[32];
	char hex[65];
	size_t n, k;
	struct ws *w2 = NULL;

	snprintf(dir, sizeof(dir), "%s/old", ts_tmpdir("fetch-old"));
	snprintf(key, sizeof(key), "%s/%s", O.dir, CRY_OFFICE_PUB_FILE);
	ST_EQ(ws_create(dir, key, "x", PASS, strlen(PASS), CRY_COST_MIN,
	    NULL), DS_OK, NULL);
	snprintf(p, sizeof(p), "%s/keyring", dir);
	if (ds_file_read(p, 8192, &t, &n, NULL) != DS_OK)
		return;
	/* Drop the two box lines and the check, then sign it again. */
	if ((out = ds_malloc(n + 1)) == NULL)
		return;
	for (k = 0, a = t; *a != '\0'; a = b) {
		b = strchr(a, '\n');
		b = b != NULL ? b + 1 : a + strlen(a);
		if (strncmp(a, "device-box-", 11) == 0 ||
		    strncmp(a, "check ", 6) == 0)
			continue;
		memcpy(out + k, a, (size_t)(b - a));
		k += (size_t)(b - a);
	}
	cry_hash(sum, 32, NULL, 0, out, k);
	ds_hex_encode(sum, 32, hex);
	k += (size_t)snprintf(out + k, n + 1 - k, "check %s\n", hex);
	ST_EQ(ws_keyring_check(out, k, "old", NULL), DS_OK, NULL);
	ST_EQ(ds_file_write_atomic(p, out, k, 0600, NULL), DS_OK, NULL);
	ds_free(out);
	ds_free(t);
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w2, NULL), DS_OK, NULL);
	OK(w2 != NULL && ws_box(w2) != NULL);
	ws_close(w2);
	t = NULL;
	if (ds_file_read(p, 8192, &t, &n, NULL) == DS_OK)
		OK(strstr(t, "\ndevice-box-secret ") != NULL);
	ds_free(t);
}

static void
test_apply_once_in_order(void)
{
	struct fetch_res r;
	struct store_entry *v = NULL;
	char p[800];
	size_t n = 0;

	ST_EQ(apply(B[1], BL[1], &r), DS_OK, NULL);
	INT_EQ(r.why, OB_OK);
	INT_EQ(r.n_entries, 1);
	INT_EQ(r.n_files, 2);
	INT_EQ(r.n_forms, 1);
	STR_EQ(r.forms[0], "tiny 2026120701");
	snprintf(p, sizeof(p), "%s/forms/tiny/2026120701/tiny.md", WS);
	OK(ds_path_exists(p));
	snprintf(p, sizeof(p), "%s/forms/tiny/2026120701/villages.csv", WS);
	OK(ds_path_exists(p));
	ST_EQ(store_entry_list(ws_store(W), 1, &v, &n, NULL), DS_OK, NULL);
	INT_EQ(n, 1);
	OK(n == 1 && v[0].len == strlen(json1) && memcmp(v[0].json, json1,
	    v[0].len) == 0);
	store_entries_free(v, n);
}

static void
test_refusals_change_nothing(void)
{
	struct fetch_res r;
	struct obundle_item it;
	struct cry_office_sec *other = NULL;
	char json[1024];
	unsigned char before[32], after[32], zero[32], *b, *x;
	size_t n, i, bad = 0;

	ws_digest(before);
	/* Replay of bundle 1. */
	INT_EQ(apply(B[1], BL[1], &r), DS_EREJECT);
	INT_EQ(r.why, OB_APPLIED);
	/* Bundle 3 before 2: a gap. */
	INT_EQ(apply(B[3], BL[3], &r), DS_EREJECT);
	INT_EQ(r.why, OB_GAP);
	/* Seq 2 that does not follow 1 (another predecessor). */
	entry_item(&it, json, sizeof(json), 9, "340102001009", "null", "null");
	memset(zero, 0x11, sizeof(zero));
	b = make_bundle(2, zero, &it, 1, 0, &n, O.sec);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_CHAIN);
	ds_free(b);
	/* For another laptop (following bundle 1). */
	obundle_hash(B[1], BL[1], zero);
	b = make_bundle(2, zero, &it, 1, 1, &n, O.sec);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_DEVICE);
	ds_free(b);
	/* Signed by another key under this office's id and key id. */
	if ((other = cry_secure_alloc(sizeof(*other))) != NULL) {
		struct cry_signkey *k2 = NULL;

		*other = *O.sec;
		if (cry_signkey_new(&k2, NULL) == DS_OK)
			memcpy(other->sign.sk, k2->sk, sizeof(k2->sk));
		cry_signkey_free(k2);
		obundle_hash(B[1], BL[1], zero);
		b = make_bundle(2, zero, &it, 1, 0, &n, other);
		INT_EQ(apply(b, n, &r), DS_EREJECT);
		INT_EQ(r.why, OB_SIGNATURE);
		ds_free(b);
		cry_secure_free(other);
	}
	/* Every single-byte change of bundle 2, and every truncation. */
	if ((x = ds_malloc(BL[2])) != NULL) {
		for (i = 0; i < BL[2]; i++) {
			memcpy(x, B[2], BL[2]);
			x[i] ^= 0x01;
			if (apply(x, BL[2], &r) != DS_EREJECT && bad++ == 0)
				HARNESS_FAIL("byte %zu changed: applied", i);
		}
		for (i = 0; i < BL[2]; i += 13)
			if (apply(B[2], i, &r) != DS_EREJECT && bad++ == 0)
				HARNESS_FAIL("cut at %zu: applied", i);
		ds_free(x);
	}
	INT_EQ(bad, 0);
	ws_digest(after);
	OK(memcmp(before, after, 32) == 0);
}

/* Header offsets (docs/bundle-format.md, "Office bundle file"). */
#define OFF_OFFICE	28	/* office id, then the signing key's id */
#define OFF_BOXKID	68
#define OFF_SEALED	144	/* sealed key, then the stream header */
#define SEAL_LEN	(80 + 24)

/* Sign b again with k, as the office would: the trailer over the rest. */
static void
resign(unsigned char *b, size_t len, const struct cry_signkey *k)
{
	unsigned char h[CRY_HASH_BYTES];

	cry_hash(h, sizeof(h), NULL, 0, b, len - CRY_SIG_BYTES);
	cryb_sign(k, OBUNDLE_SIGN_DOMAIN, h, b + len - CRY_SIG_BYTES);
}

/* Bundle 2 as the office would make it, sealed to box_pk. */
static unsigned char *
make_next(const struct obundle_item *it, const unsigned char box_pk[32],
    const struct cry_office_sec *sec, size_t *len)
{
	struct obundle_meta m;
	unsigned char id[16], *b = NULL;

	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, ws_device_id(W), 16);
	memcpy(m.box_pk, box_pk, 32);
	m.seq = 2;
	obundle_hash(B[1], BL[1], m.prev_hash);
	m.created_at = 1;
	m.chunk_size = 256;
	if (obundle_build(&m, it, 1, sec, id, &b, len, NULL) != DS_OK)
		abort();
	return b;
}

/*
 * Correctly formed office bundles made with the wrong key, each the next
 * in sequence for this laptop: another office's, relabelled as ours;
 * sealed to another laptop's box key, as is and relabelled; another
 * bundle's stream key under a valid seal and signature.  Each refused,
 * every file of the workspace unchanged.
 */
static void
test_wrong_office_keys(void)
{
	struct sf_office o2;
	struct fetch_res r;
	struct obundle_item it;
	struct cry_boxkey *box2 = NULL;
	char json[1024];
	unsigned char before[32], after[32], kid[CRY_KEYID_BYTES], *b, *c;
	size_t n, cn;

	entry_item(&it, json, sizeof(json), 9, "340102001009", "null", "null");
	sf_office_make(&o2, ts_tmpdir("fetch-office2"));
	ws_digest(before);
	/* Another office's bundle, then relabelled as ours. */
	b = make_next(&it, ws_box(W)->pk, o2.sec, &n);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_OFFICE);
	memcpy(b + OFF_OFFICE, O.pub.office_id, CRY_ID_BYTES);
	cry_key_id(O.pub.sign_pk, CRY_SIGN_PK_BYTES, kid);
	memcpy(b + OFF_OFFICE + CRY_ID_BYTES, kid, CRY_KEYID_BYTES);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_SIGNATURE);
	resign(b, n, &o2.sec->sign);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_SIGNATURE);
	ds_free(b);
	/* Sealed to another box key; then named as ours, signed again. */
	ST_EQ(cry_boxkey_new(&box2, NULL), DS_OK, NULL);
	b = make_next(&it, box2->pk, O.sec, &n);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_BOXKEY);
	cry_key_id(ws_box(W)->pk, 32, kid);
	memcpy(b + OFF_BOXKID, kid, CRY_KEYID_BYTES);
	resign(b, n, &O.sec->sign);
	INT_EQ(apply(b, n, &r), DS_EREJECT);
	INT_EQ(r.why, OB_SEAL);
	ds_free(b);
	cry_boxkey_free(box2);
	/* Another bundle's key and stream header, signed again. */
	b = make_next(&it, ws_box(W)->pk, O.sec, &n);
	c = make_next(&it, ws_box(W)->pk, O.sec, &cn);
	OK(n == cn);
	if (n == cn) {
		memcpy(b + OFF_SEALED, c + OFF_SEALED, SEAL_LEN);
		resign(b, n, &O.sec->sign);
		INT_EQ(apply(b, n, &r), DS_EREJECT);
		INT_EQ(r.why, OB_STREAM);
	}
	ws_digest(after);
	OK(memcmp(before, after, 32) == 0);
	ds_free(b);
	ds_free(c);
	sf_office_free(&o2);
}

static void
test_withdraw_then_older_refused(void)
{
	struct fetch_res r;
	struct store_entry *v = NULL;
	unsigned char before[32], after[32];
	size_t n = 0;

	ST_EQ(apply(B[2], BL[2], &r), DS_OK, NULL);
	INT_EQ(r.n_withdrawals, 1);
	ST_EQ(store_entry_list(ws_store(W), 1, &v, &n, NULL), DS_OK, NULL);
	INT_EQ(n, 1);	/* entry 1 withdrawn, entry 2 open */
	OK(n == 1 && v[0].entry_id[15] == 2);
	store_entries_free(v, n);
	ST_EQ(store_entry_list(ws_store(W), 0, &v, &n, NULL), DS_OK, NULL);
	INT_EQ(n, 2);
	OK(n == 2 && v[0].state == STORE_ENTRY_WITHDRAWN);
	store_entries_free(v, n);
	/* An older sequence now: refused, nothing changes. */
	ws_digest(before);
	INT_EQ(apply(B[1], BL[1], &r), DS_EREJECT);
	INT_EQ(r.why, OB_APPLIED);
	ws_digest(after);
	OK(memcmp(before, after, 32) == 0);
}

static void
test_stick_inbox_and_note(void)
{
	struct fetch_sum s;
	struct dnote nt;
	char dir[700], p[900], hex[33], *buf = NULL;
	size_t len = 0;
	uint64_t seq;
	unsigned char h[32];

	snprintf(dir, sizeof(dir), "%s", ts_tmpdir("fetch-stick"));
	ds_hex_encode(ws_device_id(W), 16, hex);
	snprintf(p, sizeof(p), "%s/doorstep/inbox/%s", dir, hex);
	ST_EQ(ds_mkdir_p(p, 0700, NULL), DS_OK, NULL);
	snprintf(p, sizeof(p), "%s/doorstep/inbox/%s/2-old.dso", dir, hex);
	sf_write("/", p + 1, B[2], BL[2]);
	snprintf(p, sizeof(p), "%s/doorstep/inbox/%s/3-new.dso", dir, hex);
	sf_write("/", p + 1, B[3], BL[3]);
	snprintf(p, sizeof(p), "%s/doorstep/inbox/%s/9-junk.dso", dir, hex);
	sf_write("/", p + 1, (const unsigned char *)"junk", 4);
	ST_EQ(fetch_dir(W, dir, &s, NULL), DS_OK, NULL);
	INT_EQ(s.applied, 1);
	INT_EQ(s.already, 1);
	INT_EQ(s.refused, 1);
	INT_EQ(s.seq, 3);
	INT_EQ(s.noted, 1);
	snprintf(p, sizeof(p), "%s/doorstep/notes/%s.dsn", dir, hex);
	ST_EQ(ds_file_read(p, 4096, &buf, &len, NULL), DS_OK, NULL);
	if (buf != NULL) {
		ST_EQ(dnote_parse((unsigned char *)buf, len, &nt, NULL), DS_OK,
		    NULL);
		INT_EQ(nt.applied_seq, 3);
		OK(memcmp(nt.box_pk, ws_box(W)->pk, 32) == 0);
		OK(memcmp(nt.sign_pk, ws_signer(W)->pk, 32) == 0);
		ST_EQ(store_obundle_last(ws_store(W), &seq, h, NULL), DS_OK,
		    NULL);
		OK(memcmp(nt.applied_hash, h, 32) == 0);
	}
	ds_free(buf);
}

/* Load the installed tiny form. */
static int
tiny(struct form **f, struct eng_form **cf)
{
	struct form_diags d;
	char p[900];
	int rc;

	ST_EQ(ws_form_path(WS, "tiny", NULL, p, sizeof(p), NULL, 0, NULL),
	    DS_OK, NULL);
	form_diags_init(&d);
	rc = form_load_file(p, f, &d) == DS_OK && eng_compile(*f, cf, &d) ==
	    DS_OK ? 0 : -1;
	form_diags_reset(&d);
	return rc;
}

/*
 * A session on the tiny form started from entry e0..0N (N = which); *niv
 * the answers that did not go in.
 */
static int
start_entry(int which, struct store_entry *e, struct form **f,
    struct eng_form **cf, struct sess **s, json_t **carried, size_t *niv)
{
	struct fetch_visit v;
	struct eng_opts o;
	struct eng_issue *iv = NULL;
	unsigned char id[16];

	if (tiny(f, cf) != 0)
		return -1;
	memset(id, 0xe0, sizeof(id));
	id[15] = (unsigned char)which;
	memset(e, 0, sizeof(*e));
	ST_EQ(store_entry_get(ws_store(W), id, e, NULL), DS_OK, NULL);
	memset(&o, 0, sizeof(o));
	o.lang = -1;
	ST_EQ(sess_new(ws_store(W), *cf, &o, s, NULL), DS_OK, NULL);
	if (*s == NULL)
		return -1;
	memset(&v, 0, sizeof(v));
	v.kind = FV_ENTRY;
	v.entry = e;
	*niv = 0;
	ST_EQ(fetch_visit_start(*s, ws_store(W), *f, &v, carried, &iv, niv,
	    NULL), DS_OK, NULL);
	eng_issues_free(iv, *niv);
	return 0;
}

static void
test_visit_from_entry(void)
{
	struct store_entry e;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct sess *s = NULL;
	json_t *carried = NULL, *ch, *doc = NULL;
	char *text = NULL;
	size_t len, niv;

	/* Entry 1 was withdrawn but is still readable: start from it. */
	if (start_entry(1, &e, &f, &cf, &s, &carried, &niv) != 0)
		return;
	INT_EQ(niv, 0);
	/* Consent on file: the gate is open without an answer. */
	INT_EQ(eng_consent(sess_eng(s)), 1);
	STR_EQ(eng_value(sess_eng(s), "hh_id"), HH1);
	STR_EQ(eng_value(sess_eng(s), "member[2]/m_name"), "李梅");
	STR_EQ(json_string_value(eng_meta_get(sess_eng(s), "consent_ref")),
	    "260302-a1b2");
	STR_EQ(json_string_value(eng_meta_get(sess_eng(s), "hh_key")), HH1);
	STR_EQ(json_string_value(eng_meta_get(sess_eng(s), "reason")),
	    "followup");
	OK(json_is_object(eng_meta_get(sess_eng(s), "carried")));
	ST_EQ(sess_set(s, "income", "900", NULL), DS_OK, NULL);
	/* noted by each revision (an answer alone is a delta) */
	ST_EQ(sess_flush(s, NULL), DS_OK, NULL);
	ch = eng_meta_get(sess_eng(s), "carried_changed");
	OK(json_is_array(ch) && json_array_size(ch) == 0);
	/* Change a carried answer: noted at the next revision. */
	ST_EQ(sess_set(s, "member[1]/m_name", "张三丰", NULL), DS_OK, NULL);
	ST_EQ(sess_flush(s, NULL), DS_OK, NULL);
	ch = eng_meta_get(sess_eng(s), "carried_changed");
	OK(json_is_array(ch) && json_array_size(ch) == 1 &&
	    strcmp(json_string_value(json_array_get(ch, 0)),
	    "member[1]/m_name") == 0);
	/* Finalized without a consent answer: the consent is on file. */
	{
		struct eng_issue *is = NULL;
		size_t ni = 0, k;

		(void)eng_issues(sess_eng(s), &is, &ni, NULL);
		for (k = 0; k < ni; k++)
			HARNESS_FAIL("issue %s: %s", is[k].path,
			    eng_msg_dev(is[k].note.code));
		eng_issues_free(is, ni);
	}
	ST_EQ(sess_finalize(s, NULL), DS_OK, NULL);
	ST_EQ(store_answers_get(ws_store(W), sess_id(s), 0, &text, &len,
	    NULL), DS_OK, NULL);
	if (text != NULL && ds_json_parse(text, len, 1u << 20, "a", &doc,
	    NULL) == DS_OK) {
		OK(json_object_get(doc, "consent") == NULL);
		STR_EQ(json_string_value(json_object_get(json_object_get(doc,
		    "_meta"), "entry")), "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e001");
		json_decref(doc);
	}
	store_text_free(text, len);
	json_decref(carried);
	sess_free(s);
	store_entry_clear(&e);
	eng_form_free(cf);
	form_free(f);
}

/* Without consent on file the gate stays shut for carried answers. */
static void
test_no_consent_on_file(void)
{
	struct store_entry e;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct sess *s = NULL;
	json_t *carried = NULL;
	size_t niv;

	/* Behind the shut gate the carried answers cannot go in yet. */
	if (start_entry(2, &e, &f, &cf, &s, &carried, &niv) != 0)
		return;
	OK(niv > 0);
	INT_EQ(eng_consent(sess_eng(s)), 0);
	OK(eng_meta_get(sess_eng(s), "consent_ref") == NULL);
	/* The household key waits behind the gate, in _meta meanwhile. */
	OK(eng_value(sess_eng(s), "hh_id") == NULL);
	STR_EQ(json_string_value(eng_meta_get(sess_eng(s), "hh_key")),
	    "340102001002");
	/* Saved and linked, the entry is started; discarded, it is to do. */
	ST_EQ(sess_save(s, NULL), DS_OK, NULL);
	ST_EQ(store_entry_link(ws_store(W), e.entry_id, sess_id(s), NULL),
	    DS_OK, NULL);
	store_entry_clear(&e);
	{
		unsigned char id[16];

		memset(id, 0xe0, sizeof(id));
		id[15] = 2;
		ST_EQ(store_entry_get(ws_store(W), id, &e, NULL), DS_OK, NULL);
		INT_EQ(e.has_record, 1);
		store_entry_clear(&e);
		ST_EQ(store_discard(ws_store(W), sess_id(s), NULL), DS_OK,
		    NULL);
		ST_EQ(store_entry_get(ws_store(W), id, &e, NULL), DS_OK, NULL);
		INT_EQ(e.has_record, 0);
	}
	json_decref(carried);
	sess_free(s);
	store_entry_clear(&e);
	eng_form_free(cf);
	form_free(f);
}

int
main(void)
{
	int i;

	ds_json_init();
	setup();
	RUN(test_box_key_in_keyring);
	RUN(test_old_keyring_gets_box_key);
	RUN(test_apply_once_in_order);
	RUN(test_refusals_change_nothing);
	RUN(test_wrong_office_keys);
	RUN(test_withdraw_then_older_refused);
	RUN(test_stick_inbox_and_note);
	RUN(test_visit_from_entry);
	RUN(test_no_consent_on_file);
	for (i = 1; i <= 3; i++)
		ds_free(B[i]);
	ws_close(W);
	sf_office_free(&O);
	return harness_done();
}
