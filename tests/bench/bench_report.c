/* doorstep: benchmark of the office reports (make bench; never in tests). */
/*
 * A township's screening round (domain.md §9: about 15,000 households)
 * as current heads in office.db, each a ~3 KB household of the default
 * form, inserted through odb_rev_insert/odb_head_update in one
 * transaction.  Then, each the median of R runs: the baseline (read every
 * head and parse its JSON, the least any report must do), the quality
 * ledger (which also records its problems), its CSV and the XLSX file.
 * (The monthly report counts the case, not the records: its benchmark
 * is bench_case.)  Last, the ledger of one village (a fifth of the
 * households) re-checked
 * against forms/household.md by the interview engine, once: the synthetic
 * records miss most required answers, so each yields about a hundred
 * rows, and restoring every record is the slow part.
 * Options: N_HH (default 15000), RUNS (default 5), BENCH_DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "support/support.h"
#include "support/syncfix.h"

#include "bench_common.h"
#include "bundle.h"
#include "eng.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "report.h"
#include "util.h"
#include "xls.h"

static const char *const villages[5][2] = {
	{ "341802101", "341802101201" }, { "341802101", "341802101202" },
	{ "341802102", "341802102201" }, { "341802102", "341802102202" },
	{ "410581101", "410581101201" },
};
static const char *const cats[4] = { "unstable", "marginal", "sudden",
	"none" };

/* One household of about 3 KB, varied by k. */
static size_t
household(char *b, size_t n, int k)
{
	const char *const *v = villages[k % 5];
	size_t len;
	int i;

	len = (size_t)snprintf(b, n, "{\"_meta\":{\"form\":\"household\","
	    "\"path\":\"_end\",\"reasons\":{%s},\"state\":\"%s\","
	    "\"version\":\"2026112301\"},\"category\":\"%s\",\"channel\":"
	    "\"cadre_screening\",\"consent\":\"yes\",\"county\":\"%s\","
	    "\"dev_status\":\"%s\",\"el_done\":\"%s\",\"el_month\":"
	    "\"2024%02d\",\"el_way\":\"assisted\",\"has_job\":\"yes\","
	    "\"has_health\":\"no\",\"hh_id\":\"34180210120%05d\","
	    "\"ident_month\":\"2024%02d\",\"member\":[",
	    k % 17 == 0 ? "\"member[1]/m_work_wage\":\"已核实\"" : "",
	    k % 23 == 0 ? "draft" : "finalized", cats[k % 4],
	    k % 5 == 4 ? "410581" : "341802", k % 3 ? "yes" : "no",
	    k % 7 == 0 ? "yes" : "no", 1 + k % 12, k, 1 + (k / 7) % 12);
	for (i = 0; i < 5; i++)
		len += (size_t)snprintf(b + len, n - len, "%s{\"m_birth\":"
		    "\"1980-03-1%d\",\"m_edu\":\"junior\",\"m_health\":["
		    "\"healthy\"],\"m_id_number\":\"34180219800%d%06d\","
		    "\"m_id_type\":\"resident_id\",\"m_in_school\":"
		    "\"not_in_school\",\"m_labour\":\"normal\",\"m_med_resident\":"
		    "\"yes\",\"m_name\":\"成员%d-%d\",\"m_relation\":\"%s\","
		    "\"m_sex\":\"male\",\"m_work_county\":\"昆山市\","
		    "\"m_work_months\":\"6\",\"m_work_wage\":\"3000\"}",
		    i ? "," : "", i, i, k, k, i, i ? "son" : "head");
	len += (size_t)snprintf(b + len, n - len, "],\"n_can_work\":\"2\","
	    "\"province\":\"%s\",\"risk_main_final\":\"illness\","
	    "\"township\":\"%s\",\"village\":\"%s\",\"visit_date\":"
	    "\"2024-%02d-10\",\"visit_mode\":\"in_person\",\"visit_type\":"
	    "\"verification\",\"ms_job\":[\"labour_export\"],"
	    "\"inc_wage_migrant\":\"18000\",\"inc_bus_crop\":\"6000\","
	    "\"per_capita\":\"4575.00\",\"signal\":\"red\"}",
	    k % 5 == 4 ? "41" : "34", v[0], v[1], 1 + k % 12);
	return len;
}

static int
fill(struct odb *db, int nhh, size_t *bytes)
{
	struct bundle_rev r;
	struct ds_err err;
	static char buf[8192];
	char hh[32];
	int k, ins, alone;

	if (odb_begin(db, &err) != DS_OK)
		return -1;
	*bytes = 0;
	for (k = 0; k < nhh; k++) {
		memset(&r, 0, sizeof(r));
		r.record_uuid[0] = 0x5e;
		memcpy(r.record_uuid + 4, &k, sizeof(k));
		memcpy(r.rev_id, r.record_uuid, 16);
		r.rev_id[1] = 1;
		r.rev_no = 1;
		r.device_seq = (uint64_t)k + 1;
		r.saved_at = 1763870600;
		snprintf(hh, sizeof(hh), "34180210120%05d", k);
		r.household_key.p = (const unsigned char *)hh;
		r.household_key.n = strlen(hh);
		r.form_id.p = (const unsigned char *)"household";
		r.form_id.n = 9;
		r.form_ver.p = (const unsigned char *)"2026112301";
		r.form_ver.n = 10;
		r.worker_id.p = (const unsigned char *)"w";
		r.worker_id.n = 1;
		r.answers.n = household(buf, sizeof(buf), k);
		r.answers.p = (const unsigned char *)buf;
		r.audit.p = (const unsigned char *)"[]";
		r.audit.n = 2;
		*bytes += r.answers.n;
		if (odb_rev_insert(db, &r, r.record_uuid, r.record_uuid, 0, &ins,
		    &err) != DS_OK || odb_head_update(db, r.rev_id, &alone,
		    &err) != DS_OK) {
			fprintf(stderr, "fill: %s\n", err.msg);
			odb_rollback(db);
			return -1;
		}
	}
	return odb_commit(db, &err) == DS_OK ? 0 : -1;
}

static int
parse_one(void *arg, const struct odb_head *h)
{
	json_t *o;

	if (ds_json_parse(h->answers, h->answers_len, 1 << 22, "a", &o,
	    NULL) == DS_OK) {
		(*(size_t *)arg)++;
		json_decref(o);
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
med_ms(uint64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_u64);
	return (double)v[n / 2] / 1e6;
}

int
main(void)
{
	const char *e, *base = getenv("BENCH_DIR");
	struct report_quality_opts qo;
	struct report_table *t;
	struct odb *db;
	struct ds_err err;
	struct rusage ru;
	struct sf_office office;
	char dir[600], path[700], *csv;
	uint64_t tb[32], tc[32], tx[32], tq[32], t0;
	size_t bytes, parsed, csvlen = 0, rows = 0, qrows = 0;
	int nhh = 15000, runs = 5, i;

	bench_machine("start", NULL);
	if ((e = getenv("N_HH")) != NULL)
		nhh = atoi(e);
	if ((e = getenv("RUNS")) != NULL)
		runs = atoi(e);
	if (runs < 1 || runs > 32 || nhh < 1)
		return 64;
	if (base != NULL)
		setenv("TMPDIR", base, 1);
	ds_json_init();
	snprintf(dir, sizeof(dir), "%s", ts_tmpdir("bench-report"));
	snprintf(path, sizeof(path), "%s/office", dir);
	sf_office_make(&office, path);
	snprintf(path, sizeof(path), "%s", office.db);
	if (odb_open(path, office.sec, &db, &err) != DS_OK) {
		fprintf(stderr, "bench_report: %s\n", err.msg);
		return 1;
	}
	t0 = ds_mono_ns();
	if (fill(db, nhh, &bytes) != 0)
		return 1;
	printf("fill: %d households, %.0f bytes of JSON each, %.1f s\n", nhh,
	    (double)bytes / nhh, (double)(ds_mono_ns() - t0) / 1e9);
	memset(&qo, 0, sizeof(qo));
	qo.forms_dir = "forms";
	for (i = 0; i < runs; i++) {
		parsed = 0;
		t0 = ds_mono_ns();
		if (odb_head_each(db, parse_one, &parsed, &err) != DS_OK ||
		    parsed != (size_t)nhh)
			return 1;
		tb[i] = ds_mono_ns() - t0;
		t0 = ds_mono_ns();
		if (odb_begin(db, &err) != DS_OK ||
		    report_quality(db, &qo, &t, &err) != DS_OK ||
		    odb_commit(db, &err) != DS_OK) {
			fprintf(stderr, "bench_report: %s\n", err.msg);
			return 1;
		}
		tq[i] = ds_mono_ns() - t0;
		qrows = rows = report_table_nrows(t);
		t0 = ds_mono_ns();
		if (report_csv(t, &csv, &csvlen, &err) != DS_OK)
			return 1;
		tc[i] = ds_mono_ns() - t0;
		ds_free(csv);
		snprintf(path, sizeof(path), "%s/q.xlsx", dir);
		t0 = ds_mono_ns();
		if (report_write(t, path, &err) != DS_OK)
			return 1;
		tx[i] = ds_mono_ns() - t0;
		report_table_free(t);
	}
	printf("baseline: read + parse every head: %.1f ms (median of %d)\n",
	    med_ms(tb, runs), runs);
	printf("quality ledger (%zu rows): %.1f ms, ratio %.2fx baseline\n",
	    qrows, med_ms(tq, runs), med_ms(tq, runs) / med_ms(tb, runs));
	printf("ledger CSV (%zu bytes): %.3f ms\n", csvlen, med_ms(tc, runs));
	printf("ledger XLSX file (written, synced, renamed): %.1f ms (%zu "
	    "rows)\n", med_ms(tx, runs), rows);
	{
		struct form_diags fd;
		struct form *f = NULL;
		struct eng_form *cf = NULL;

		form_diags_init(&fd);
		if (form_load_file("forms/household.md", &f, &fd) != DS_OK ||
		    eng_compile(f, &cf, &fd) != DS_OK)
			return 1;
		form_diags_reset(&fd);
		qo.form = cf;
		qo.area = villages[0][1];
		t0 = ds_mono_ns();
		if (odb_begin(db, &err) != DS_OK ||
		    report_quality(db, &qo, &t, &err) != DS_OK ||
		    odb_commit(db, &err) != DS_OK)
			return 1;
		printf("one village's problem ledger re-checked by the engine "
		    "(%d records, %zu rows): %.1f ms, %.2f ms per record\n",
		    (nhh + 4) / 5, report_table_nrows(t),
		    (double)(ds_mono_ns() - t0) / 1e6,
		    (double)(ds_mono_ns() - t0) / 1e6 / ((nhh + 4) / 5));
		report_table_free(t);
		eng_form_free(cf);
		form_free(f);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS: %.1f MiB\n", (double)ru.ru_maxrss / 1024);
	odb_close(db);
	bench_machine("end", dir);
	return 0;
}
