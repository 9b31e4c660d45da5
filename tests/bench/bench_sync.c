/* doorstep: sync benchmark: bundle build, size on the wire, office import. */
/*
 * 1,000 synthetic households of about 3 KB of canonical JSON each (four
 * members).  Measures: bundle build (serialize, deflate, encrypt, sign)
 * in records per second; bytes per household on the wire, against (a)
 * gzip of the same JSON sent one record at a time and (b) the ODK
 * encrypted submission for the same data (XML, AES-CFB with PKCS#5
 * padding, no compression, plus its submission manifest); and office
 * import (verify, decrypt, inflate, parse, one transaction) in households
 * per second.  Goals (issue 5): at most 1/5 of ODK's bytes; >= 5,000
 * households/s imported on one core.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "support/support.h"
#include "support/syncfix.h"

#include "bench_common.h"
#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

#define NHH	1000

static const char *const given[] = { "芳", "明", "伟", "秀英", "建国", "丽",
    "强", "桂兰" };
static const char *const family[] = { "王", "李", "张", "刘", "陈", "杨" };

static void
household(int i, char *out, size_t n, char *xml, size_t xn)
{
	json_t *o = json_object(), *ms = json_array(), *m;
	char v[64], *c = NULL;
	size_t cl, xl = 0;
	int k, f;
	const char *key;
	json_t *x;

	snprintf(v, sizeof(v), "3401%06d", i);
	json_object_set_new(o, "hh_id", json_string(v));
	for (f = 0; f < 90; f++) {
		char name[32];

		snprintf(name, sizeof(name), "q%02d_%s", f, f % 3 == 0 ?
		    "income" : f % 3 == 1 ? "status" : "note");
		if (f % 3 == 0)
			snprintf(v, sizeof(v), "%d", (i * 37 + f * 101) % 20000);
		else if (f % 3 == 1)
			snprintf(v, sizeof(v), "%s", f % 2 ? "yes" : "no");
		else
			snprintf(v, sizeof(v), "第%d组 %s", f, given[(i + f) % 8]);
		json_object_set_new(o, name, json_string(v));
	}
	for (k = 0; k < 4; k++) {
		m = json_object();
		snprintf(v, sizeof(v), "%s%s", family[i % 6],
		    given[(i + k) % 8]);
		json_object_set_new(m, "m_name", json_string(v));
		snprintf(v, sizeof(v), "34010219%02d%02d%02d%04d", 50 + k * 9,
		    1 + k, 10 + (i % 18), (i * 7 + k) % 10000);
		json_object_set_new(m, "m_idcard", json_string(v));
		for (f = 0; f < 14; f++) {
			char name[32];

			snprintf(name, sizeof(name), "m%02d", f);
			snprintf(v, sizeof(v), "%d", (i + k * 13 + f * 7) % 97);
			json_object_set_new(m, name, json_string(v));
		}
		json_array_append_new(ms, m);
	}
	json_object_set_new(o, "member", ms);
	ds_json_canonical(o, &c, &cl, NULL);
	snprintf(out, n, "%s", c);
	ds_free(c);
	/* The same data as an ODK XForms instance. */
	xl += (size_t)snprintf(xml + xl, xn - xl, "<?xml version='1.0' ?>"
	    "<data id=\"household\" version=\"2026112301\" "
	    "xmlns:orx=\"http://openrosa.org/xforms\">");
	json_object_foreach(o, key, x) {
		size_t j;
		json_t *mm, *y;
		const char *mk;

		if (json_is_string(x))
			xl += (size_t)snprintf(xml + xl, xn - xl, "<%s>%s</%s>",
			    key, json_string_value(x), key);
		else
			json_array_foreach(x, j, mm) {
				xl += (size_t)snprintf(xml + xl, xn - xl,
				    "<member>");
				json_object_foreach(mm, mk, y)
					xl += (size_t)snprintf(xml + xl,
					    xn - xl, "<%s>%s</%s>", mk,
					    json_string_value(y), mk);
				xl += (size_t)snprintf(xml + xl, xn - xl,
				    "</member>");
			}
	}
	snprintf(xml + xl, xn - xl, "<meta><instanceID>uuid:00000000-0000-"
	    "4000-8000-%012d</instanceID></meta></data>", i);
	json_decref(o);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The delta sends every unacknowledged revision, not only the newest:
 * NCH households saved 3 times each (two one-answer edits) against the
 * same households as one revision each.
 */
#define NCH	200

static void
chain_figures(struct sf_office *office, struct sf_device *d,
    struct bundle_meta *m, char (*ans)[4096])
{
	static char ed[NCH][2][4200];
	struct sf_rev *r;
	struct bundle_rev *rv;
	struct ds_err err;
	unsigned char id[16], *b1 = NULL, *b3 = NULL;
	size_t n1 = 0, n3 = 0, i, k, l;

	r = calloc(NCH * 3, sizeof(*r));
	rv = calloc(NCH * 3, sizeof(*rv));
	if (r == NULL || rv == NULL)
		return;
	for (i = 0; i < NCH; i++) {
		for (k = 0; k < 3; k++) {
			const char *a = ans[i];

			if (k > 0) {
				l = strlen(ans[i]);
				snprintf(ed[i][k - 1], sizeof(ed[0][0]),
				    "%.*s,\"zz_edit\":%zu}", (int)(l - 1),
				    ans[i], k);
				a = ed[i][k - 1];
			}
			sf_rev(&r[i * 3 + k], d, (int)(i + 5000), (uint32_t)k + 1,
			    k ? r[i * 3 + k - 1].r.rev_id : NULL, a);
			r[i * 3 + k].r.answers.p = (const unsigned char *)a;
			r[i * 3 + k].r.answers.n = strlen(a);
			r[i * 3 + k].r.household_key.p =
			    (const unsigned char *)r[i * 3 + k].hh;
			rv[i * 3 + k] = r[i * 3 + k].r;
		}
	}
	m->seq_lo = r[0].r.device_seq;
	m->seq_hi = r[NCH * 3 - 1].r.device_seq;
	if (bundle_build(m, rv, NCH * 3, d->key, &office->pub, id, &b3, &n3,
	    &err) != DS_OK)
		goto out;
	for (i = 0; i < NCH; i++)
		rv[i] = r[i * 3 + 2].r;		/* the newest only */
	if (bundle_build(m, rv, NCH, d->key, &office->pub, id, &b1, &n1,
	    &err) != DS_OK)
		goto out;
	printf("3 saves per household      %.0f B/household on the wire, "
	    "%.2fx newest-only (%.0f B)\n", (double)n3 / NCH,
	    (double)n3 / (double)n1, (double)n1 / NCH);
out:
	if (b1 == NULL)
		fprintf(stderr, "chain: %s\n", err.msg);
	ds_free(b1);
	ds_free(b3);
	free(r);
	free(rv);
}

int
main(void)
{
	static char ans[NHH][4096], xml[8192];
	struct sf_office office;
	struct sf_device d;
	struct sf_rev *r;
	struct bundle_meta m;
	struct bundle_rev *rv;
	struct imp_result res;
	struct odb *db;
	struct ds_err err;
	unsigned char id[16], *b = NULL, gz[8192];
	uint64_t t0, t_build, t_imp, t_imps[5];
	size_t n, i, json_total = 0, gz_total = 0, odk_total = 0;
	uLongf gl;
	char dir[600];
	int reps;

	bench_machine("start", NULL);
	ds_json_init();
	snprintf(dir, sizeof(dir), "%s/office", ts_tmpdir("bench-sync"));
	sf_office_make(&office, dir);
	sf_device_make(&d, 1);
	r = calloc(NHH, sizeof(*r));
	rv = calloc(NHH, sizeof(*rv));
	for (i = 0; i < NHH; i++) {
		household((int)i, ans[i], sizeof(ans[i]), xml, sizeof(xml));
		sf_rev(&r[i], &d, (int)i, 1, NULL, ans[i]);
		r[i].r.answers.p = (const unsigned char *)ans[i];
		r[i].r.answers.n = strlen(ans[i]);
		r[i].r.household_key.p = (const unsigned char *)r[i].hh;
		rv[i] = r[i].r;
		json_total += strlen(ans[i]);
		gl = sizeof(gz);
		compress2(gz, &gl, (const Bytef *)ans[i], strlen(ans[i]), 9);
		gz_total += gl + 18 - 6;	/* gzip framing, not zlib's */
		/* AES-CFB + PKCS#5 pads to 16; manifest ~ 900 B (RSA-wrapped
		 * key and signature in base64, file names, instanceID). */
		odk_total += (strlen(xml) / 16 + 1) * 16 + 900;
	}
	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, d.device_id, 16);
	m.seq_lo = 1;
	m.seq_hi = NHH;
	m.schema_ver = 1;
	m.app_ver = "bench";
	m.nforms = 1;
	m.form_ids[0] = "household";
	m.form_vers[0] = "2026.1";
	t0 = ds_mono_ns();
	for (reps = 0; reps < 5; reps++) {
		ds_free(b);
		if (bundle_build(&m, rv, NHH, d.key, &office.pub, id, &b, &n,
		    &err) != DS_OK) {
			fprintf(stderr, "build: %s\n", err.msg);
			return 1;
		}
	}
	t_build = (ds_mono_ns() - t0) / 5;
	{
		struct bundle_header h;
		struct bundle_payload *pl = NULL;
		int why;
		uint64_t t1 = ds_mono_ns(), t2, t3;

		bundle_parse_header(b, n, &h, &why, NULL);
		bundle_verify(b, n, &h, &why, NULL);
		t2 = ds_mono_ns();
		bundle_open(b, n, &h, office.sec, &pl, &why, NULL);
		t3 = ds_mono_ns();
		printf("  verify %.1f ms, decrypt+inflate+strict parse %.1f ms\n",
		    (t2 - t1) / 1e6, (t3 - t2) / 1e6);
		bundle_payload_free(pl);
	}
	/* Import into a fresh office.db five times; median and best. */
	for (reps = 0; reps < 5; reps++) {
		char p[700];

		snprintf(p, sizeof(p), "%s/bench%d.db", dir, reps);
		if (odb_create(p, office.pub.office_id, &err) != DS_OK ||
		    odb_open(p, office.sec, &db, &err) != DS_OK)
			return 1;
		sf_enroll(db, d.device_id, d.key->pk, &err);
		t0 = ds_mono_ns();
		if (imp_bundle(db, office.sec, b, n, &res, &err) != DS_OK ||
		    res.n_new != NHH) {
			fprintf(stderr, "import: %s\n", err.msg);
			return 1;
		}
		t_imps[reps] = ds_mono_ns() - t0;
		imp_result_free(&res);
		odb_close(db);
	}
	qsort(t_imps, 5, sizeof(t_imps[0]), cmp_u64);
	t_imp = t_imps[2];
	printf("households                 %d\n", NHH);
	printf("JSON per household         %zu B\n", json_total / NHH);
	printf("bundle build               %.1f ms (%.0f records/s)\n",
	    t_build / 1e6, NHH / (t_build / 1e9));
	printf("bundle bytes per household %.0f B (total %zu)\n",
	    (double)n / NHH, n);
	printf("gzip per record            %.0f B/household (%.2fx bundle)\n",
	    (double)gz_total / NHH, (double)gz_total / n);
	printf("ODK encrypted submission   %.0f B/household (%.2fx bundle; "
	    "bundle = 1/%.1f of ODK)\n", (double)odk_total / NHH,
	    (double)odk_total / n, (double)odk_total / n);
	printf("office import, median of 5 %.1f ms (%.0f households/s; best "
	    "%.0f/s)\n", t_imp / 1e6, NHH / (t_imp / 1e9),
	    NHH / (t_imps[0] / 1e9));
	chain_figures(&office, &d, &m, ans);
	ds_free(b);
	free(r);
	free(rv);
	sf_device_free(&d);
	sf_office_free(&office);
	bench_machine("end", dir);
	return 0;
}
