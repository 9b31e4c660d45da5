/* doorstep: office bundle benchmark: 1,000 households with previous answers. */
/*
 * An office bundle carrying 1,000 visit-list entries, each with the
 * carried part of a household of four members (the shape forms/household.md
 * carries: the household number, address codes, members' names, relations,
 * sex, ID documents, birth dates, ethnicity, education), and the household
 * form with its CSV lists.  Measures, per round, on a fresh real workspace:
 * the build at the office (serialize, self-check, deflate, encrypt, sign);
 * the size; the apply on the laptop (fetch_apply: verify, decrypt,
 * inflate, strict parse, form files, one store transaction of sealed
 * entries with blind indexes); and, interleaved in the same round, the
 * bare decrypt-and-insert of the same rows (unseal, decrypt, inflate, one
 * SQLite transaction inserting each entry as it came, in a WAL file with
 * synchronous=FULL).  Goal (issue 11): apply 1,000 households in under
 * 2 s.  Prints the machine's state first: the ratio is the figure to
 * compare across machines.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_common.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "fetch.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

#define NHH	1000
#define ROUNDS	5
#define PASS	"correct horse battery"

static const char *const given[] = { "芳", "明", "伟", "秀英", "建国", "丽",
    "强", "桂兰" };
static const char *const family[] = { "王", "李", "张", "刘", "陈", "杨" };

/* One entry's JSON (what assign.c makes): a new string. */
static char *
entry_json(int i, const unsigned char id[16])
{
	json_t *prev, *ms, *m, *doc;
	char hex[33], key[32], name[32], idno[32], birth[16];
	char *out = NULL;
	size_t len;
	int k;

	ds_hex_encode(id, 16, hex);
	snprintf(key, sizeof(key), "34180210%08d", i);
	prev = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "hh_id", key,
	    "province", "34", "city", "3418", "county", "341802", "township",
	    "341802101", "village", "341802101201", "vgroup",
	    "34180210120101", "hh_type", "ordinary", "phone", "13912345678");
	ms = json_array();
	for (k = 0; k < 4; k++) {
		snprintf(name, sizeof(name), "%s%s", family[(i + k) % 6],
		    given[(i * 3 + k) % 8]);
		snprintf(idno, sizeof(idno), "3418021%03d%02d%02d%04d",
		    960 + (i + k) % 40, 1 + k, 1 + (i % 28), (i * 7 + k) % 10000);
		snprintf(birth, sizeof(birth), "19%02d-%02d-%02d",
		    60 + (i + k) % 40, 1 + k, 1 + (i % 28));
		m = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "m_name", name,
		    "m_relation", k == 0 ? "head" : k == 1 ? "spouse" : "son",
		    "m_sex", k == 1 ? "female" : "male", "m_id_type",
		    "resident_id", "m_id_number", idno, "m_birth", birth,
		    "m_ethnicity", "01", "m_edu", "junior");
		json_array_append_new(ms, m);
	}
	json_object_set_new(prev, "member", ms);
	doc = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
	    "s:n,s:{s:s,s:s,s:s},s:s,s:o}", "entry", hex, "hh_key", key,
	    "township", "341802101", "village", "341802101201", "village_name",
	    "中心村", "vgroup", "34180210120101", "head_name", "王芳", "reason",
	    "followup", "due", "2026-12-31", "worker", "网格员", "form_id",
	    "household", "form_ver", "2026120701", "clue", "consent",
	    "record_code", "260302-a1b2", "date", "2026-03-02", "method",
	    "signed", "prev_rev", "0202020202020202020202020202bb01", "prev",
	    prev);
	if (doc != NULL)
		(void)ds_json_canonical(doc, &out, &len, NULL);
	json_decref(doc);
	return out;
}

/* The household form and its lists, as publish reads them. */
static size_t
form_items(const char *top, struct obundle_item *v, char **bufs)
{
	struct form_diags d;
	struct form *f = NULL;
	char p[1024];
	size_t n = 0, i, k, len;

	snprintf(p, sizeof(p), "%s/forms/household.md", top);
	form_diags_init(&d);
	if (form_load_file(p, &f, &d) != DS_OK)
		abort();
	form_diags_reset(&d);
	for (i = 0; i <= f->nlists; i++) {
		const char *name = i == 0 ? "household.md" :
		    f->lists[i - 1].file;

		if (name == NULL)
			continue;
		for (k = 0; k < n; k++)
			if (v[k].name.n == strlen(name) && memcmp(v[k].name.p,
			    name, strlen(name)) == 0)
				break;
		if (k < n)
			continue;
		snprintf(p, sizeof(p), "%s/forms/%s", top, name);
		if (ds_file_read(p, 1u << 24, &bufs[n], &len, NULL) != DS_OK)
			abort();
		memset(&v[n], 0, sizeof(v[n]));
		v[n].kind = OBI_FILE;
		v[n].form_id.p = (const unsigned char *)"household";
		v[n].form_id.n = 9;
		v[n].form_ver.p = (const unsigned char *)"2026120701";
		v[n].form_ver.n = 10;
		v[n].name.p = (const unsigned char *)strdup(name);
		v[n].name.n = strlen(name);
		v[n].role = i == 0 ? OB_ROLE_FORM : OB_ROLE_LIST;
		v[n].data.p = (const unsigned char *)bufs[n];
		v[n].data.n = len;
		n++;
	}
	form_free(f);
	return n;
}

/* The bare baseline: unseal and decrypt, inflate, insert each entry. */
static uint64_t
bare(const unsigned char *b, size_t len, const struct cry_boxkey *box,
    const char *dir)
{
	struct obundle_header h;
	struct bundle_box bx;
	unsigned char *plain = NULL;
	sqlite3 *db;
	sqlite3_stmt *st;
	char p[1024];
	uint64_t t0 = ds_mono_ns();
	size_t off;
	uint32_t count, k, ilen;
	int why;

	snprintf(p, sizeof(p), "%s/bare.db", dir);
	if (obundle_parse_header(b, len, &h, &why, NULL) != DS_OK)
		abort();
	bx.header_len = h.header_len;
	bx.chunk_size = h.chunk_size;
	bx.chunk_count = h.chunk_count;
	bx.comp_len = h.comp_len;
	bx.plain_len = h.plain_len;
	bx.sealed_key = h.sealed_key;
	bx.ss_header = h.ss_header;
	if (bundle_box_open(b, &bx, box->pk, box->sk, &plain, &why, NULL) !=
	    DS_OK)
		abort();
	if (sqlite3_open(p, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	    "CREATE TABLE e (id BLOB PRIMARY KEY, body BLOB);"
	    "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO e VALUES (?1, ?2)", -1, &st,
	    NULL) != SQLITE_OK)
		abort();
	memcpy(&count, plain + 4, 4);
	for (off = 8, k = 0; k < count; k++) {
		memcpy(&ilen, plain + off + 1, 4);
		if (plain[off] == OBI_ENTRY) {
			sqlite3_bind_blob(st, 1, plain + off + 5, 16,
			    SQLITE_STATIC);
			sqlite3_bind_blob(st, 2, plain + off + 5 + 20,
			    (int)ilen - 20, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				abort();
			sqlite3_reset(st);
		}
		off += 5 + ilen;
	}
	sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		abort();
	sqlite3_close(db);
	cry_wipe(plain, (size_t)h.plain_len);
	ds_free(plain);
	return ds_mono_ns() - t0;
}

static void
machine(void)
{
	char line[256], iso[32];
	FILE *f;

	ds_time_iso(ds_now(), iso);
	printf("# %s, %ld cpus online", iso, sysconf(_SC_NPROCESSORS_ONLN));
	if ((f = fopen("/proc/loadavg", "r")) != NULL) {
		if (fgets(line, sizeof(line), f) != NULL)
			printf(", load %.*s", (int)strcspn(line, "\n"), line);
		fclose(f);
	}
	printf("\n");
}

int
main(void)
{
	const char *top = getenv("DS_TOP") != NULL ? getenv("DS_TOP") : ".";
	static struct obundle_item v[NHH + 64];
	static char *bufs[64], *bodies[NHH];
	struct sf_office o;
	struct obundle_meta m;
	struct fetch_res r;
	struct ws *w;
	uint64_t tb[ROUNDS], ta[ROUNDS], tz[ROUNDS], cb[ROUNDS], t0, c0;
	unsigned char id[16], *b;
	char dir[700], key[700];
	size_t nf, n, len = 0, i;
	int round;

	ds_json_init();
	machine();
	sf_office_make(&o, ts_tmpdir("bench-ob-office"));
	snprintf(key, sizeof(key), "%s/%s", o.dir, CRY_OFFICE_PUB_FILE);
	nf = form_items(top, v, bufs);
	for (i = 0; i < NHH; i++) {
		n = nf + i;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].kind = OBI_ENTRY;
		cry_random(v[n].entry_id, 16);
		if ((bodies[i] = entry_json((int)i, v[n].entry_id)) == NULL)
			abort();
		v[n].data.p = (const unsigned char *)bodies[i];
		v[n].data.n = strlen(bodies[i]);
	}
	n = nf + NHH;
	for (round = 0; round < ROUNDS; round++) {
		snprintf(dir, sizeof(dir), "%s/ws", ts_tmpdir("bench-ob-ws"));
		if (ws_create(dir, key, "网格员", PASS, strlen(PASS),
		    CRY_COST_MIN, NULL) != DS_OK || ws_open(dir, PASS,
		    strlen(PASS), &w, NULL) != DS_OK)
			abort();
		memset(&m, 0, sizeof(m));
		memcpy(m.device_id, ws_device_id(w), 16);
		memcpy(m.box_pk, ws_box(w)->pk, 32);
		m.seq = 1;
		m.created_at = ds_now();
		t0 = ds_mono_ns();
		c0 = bench_cpu_ns();
		if (obundle_build(&m, v, n, o.sec, id, &b, &len, NULL) != DS_OK)
			abort();
		tb[round] = ds_mono_ns() - t0;
		cb[round] = bench_cpu_ns() - c0;
		tz[round] = bare(b, len, ws_box(w), dir);
		t0 = ds_mono_ns();
		if (fetch_apply(w, b, len, &r, NULL) != DS_OK ||
		    r.n_entries != NHH)
			abort();
		ta[round] = ds_mono_ns() - t0;
		ds_free(b);
		ws_close(w);
	}
	printf("office bundle: %d households with previous answers and the "
	    "household form (%zu files)\n", NHH, nf);
	printf("  size: %zu bytes, %.0f bytes per household (form included)\n",
	    len, (double)len / NHH);
	printf("  build: median %.1f ms (cpu %.1f ms)\n",
	    bench_quantile(tb, ROUNDS, 0.5) / 1e6,
	    bench_quantile(cb, ROUNDS, 0.5) / 1e6);
	printf("  apply (fetch_apply): median %.1f ms, max %.1f ms\n",
	    bench_quantile(ta, ROUNDS, 0.5) / 1e6,
	    bench_quantile(ta, ROUNDS, 1.0) / 1e6);
	printf("  bare decrypt-and-insert: median %.1f ms\n",
	    bench_quantile(tz, ROUNDS, 0.5) / 1e6);
	printf("  apply / bare: %.2f\n", (double)bench_quantile(ta, ROUNDS,
	    0.5) / (double)bench_quantile(tz, ROUNDS, 0.5));
	printf("  goal: apply under 2 s: %s\n", bench_quantile(ta, ROUNDS,
	    1.0) < 2000000000ull ? "met" : "NOT met");
	for (i = 0; i < NHH; i++)
		ds_free(bodies[i]);
	for (i = 0; i < nf; i++) {
		ds_free(bufs[i]);
		free((void *)(uintptr_t)v[i].name.p);
	}
	sf_office_free(&o);
	return 0;
}
