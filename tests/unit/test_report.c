/* doorstep: tests for the office reports (monthly, problem list, files). */
/*
 * A fixed set of household revisions (tests/office/report/revs.json) is
 * built into two signed bundles from one enrolled laptop and imported
 * through the real importer into a real office.db.  The reports made from
 * it must equal the committed CSV files byte for byte, twice in a row,
 * through the library and through `doorstep-office report`.  The XLSX is
 * opened with libzip and its sheet XML checked for the frozen pane, the
 * Chinese titles and the totals row.  DS_REPORT_BLESS=1 rewrites the
 * expected files instead (then check them by hand against the comments in
 * revs.json and docs/reports.md before committing).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zip.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "eng.h"
#include "form.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "report.h"
#include "report_int.h"
#include "status.h"
#include "util.h"
#include "xls.h"

#define FIX	"tests/office/report/"

static const char *tmp;
static struct sf_office office;
static struct odb *db;

/* ---- fixture ------------------------------------------------------------ */

#define NREV_MAX	32

struct fixrev {
	char		 id[16];
	char		*answers;	/* canonical JSON, owned */
	char		 hh[64];
	struct sf_rev	 s;
};

static struct fixrev revs[NREV_MAX];
static size_t nrevs;

static struct fixrev *
fix_find(const char *id)
{
	size_t i;

	for (i = 0; i < nrevs; i++)
		if (strcmp(revs[i].id, id) == 0)
			return &revs[i];
	return NULL;
}

/* Revisions without a parent first (bundle 1), then the rest (bundle 2). */
static int
fixture_import(void)
{
	struct sf_device d;
	struct imp_result res;
	struct ds_err err;
	json_t *all, *e, *par;
	struct sf_rev batch[NREV_MAX];
	unsigned char *b;
	char *text;
	size_t len, i, n, pass;
	struct fixrev *f, *p;

	if (ds_file_read(FIX "revs.json", 1 << 20, &text, &len, &err) !=
	    DS_OK || ds_json_parse(text, len, 1 << 20, "revs.json", &all,
	    &err) != DS_OK) {
		printf("not ok fixture: %s\n", err.msg);
		return -1;
	}
	ds_free(text);
	sf_device_make(&d, 1);
	if (sf_enroll(db, d.device_id, d.key->pk, &err) != DS_OK)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		n = 0;
		json_array_foreach(all, i, e) {
			par = json_object_get(e, "parent");
			if ((pass == 0) != json_is_null(par))
				continue;
			f = &revs[nrevs++];
			snprintf(f->id, sizeof(f->id), "%s",
			    json_string_value(json_object_get(e, "id")));
			snprintf(f->hh, sizeof(f->hh), "%s",
			    json_string_value(json_object_get(e, "hh")));
			if (f->hh[0] == '\0') {	/* refused: a stand-in key */
				f->hh[0] = '(';
				memcpy(f->hh + 1, f->id, strlen(f->id));
				memcpy(f->hh + 1 + strlen(f->id), ")", 2);
			}
			if (ds_json_canonical(json_object_get(e, "answers"),
			    &f->answers, &len, &err) != DS_OK)
				return -1;
			p = json_is_string(par) ?
			    fix_find(json_string_value(par)) : NULL;
			sf_rev(&f->s, &d, (int)json_integer_value(
			    json_object_get(e, "record")),
			    (uint32_t)json_integer_value(json_object_get(e,
			    "rev_no")), p != NULL ? p->s.r.rev_id : NULL, "{}");
			f->s.r.answers.p = (const unsigned char *)f->answers;
			f->s.r.answers.n = len;
			f->s.r.household_key.p = (const unsigned char *)f->hh;
			f->s.r.household_key.n = strlen(f->hh);
			f->s.r.deleted = json_is_true(json_object_get(e,
			    "deleted"));
			batch[n++] = f->s;
		}
		b = sf_bundle(&d, &office, batch, n, 0, 0, &len);
		if (imp_bundle(db, office.sec, b, len, &res, &err) != DS_OK ||
		    res.status != RS_IMPORTED) {
			printf("not ok fixture import: %s %s\n", err.msg,
			    res.msg);
			return -1;
		}
		imp_result_free(&res);
		ds_free(b);
	}
	json_decref(all);
	sf_device_free(&d);
	return 0;
}

/* ---- helpers ------------------------------------------------------------ */

/* Compare bytes with an expected file (or write it when blessing). */
static void
same_as_file(const char *got, size_t len, const char *file)
{
	struct ds_err err;
	char *want = NULL;
	size_t wlen = 0, i;

	if (getenv("DS_REPORT_BLESS") != NULL) {
		ST_EQ(ds_file_write_atomic(file, got, len, 0644, &err), DS_OK,
		    &err);
		return;
	}
	ST_EQ(ds_file_read(file, 1 << 24, &want, &wlen, &err), DS_OK, &err);
	if (want == NULL)
		return;
	for (i = 0; i < len && i < wlen && got[i] == want[i]; i++)
		;
	if (i != len || i != wlen)
		HARNESS_FAIL("%s differs at byte %zu (got %zu bytes, want "
		    "%zu): got \"%.60s\"", file, i, len, wlen,
		    i < len ? got + i : "");
	ds_free(want);
}

static char *
monthly_csv(const char *month, const char *area, size_t *len)
{
	struct report_monthly_opts o;
	struct report_table *t = NULL;
	struct ds_err err;
	char *csv = NULL;

	memset(&o, 0, sizeof(o));
	OK(report_month_parse(month, &o.year, &o.month) == 0);
	o.area = area;
	o.forms_dir = "forms";
	ST_EQ(report_monthly(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return NULL;
	ST_EQ(report_csv(t, &csv, len, &err), DS_OK, &err);
	report_table_free(t);
	return csv;
}

/* The total row's cell under a column title. */
static const char *
total_of(const struct report_table *t, const char *title)
{
	size_t c, last = report_table_nrows(t) - 1;

	for (c = 0; c < report_table_ncols(t); c++)
		if (strcmp(report_table_col(t, c), title) == 0)
			return report_table_cell(t, last, c);
	return "?";
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* ---- tests ------------------------------------------------------------- */

static void
test_month_parse(void)
{
	int y = 0, m = 0;

	OK(report_month_parse("2024-09", &y, &m) == 0);
	INT_EQ(y, 2024);
	INT_EQ(m, 9);
	OK(report_month_parse("2024-13", &y, &m) == -1);
	OK(report_month_parse("2024-00", &y, &m) == -1);
	OK(report_month_parse("2024-9", &y, &m) == -1);
	OK(report_month_parse("202409", &y, &m) == -1);
	OK(report_month_parse("2024-09x", &y, &m) == -1);
	OK(report_month_parse("1999-12", &y, &m) == -1);
	OK(report_month_parse("20a4-09", &y, &m) == -1);
	OK(report_month_parse(NULL, &y, &m) == -1);
}

static void
test_monthly_matches_expected_csv(void)
{
	char *csv;
	size_t len;

	csv = monthly_csv("2024-09", NULL, &len);
	if (csv != NULL)
		same_as_file(csv, len, FIX "monthly-2024-09.csv");
	ds_free(csv);
	csv = monthly_csv("2024-09", "341802101", &len);
	if (csv != NULL)
		same_as_file(csv, len, FIX "monthly-2024-09-341802101.csv");
	ds_free(csv);
	/* October: the September events are history, the stock moved. */
	csv = monthly_csv("2024-10", NULL, &len);
	if (csv != NULL)
		same_as_file(csv, len, FIX "monthly-2024-10.csv");
	ds_free(csv);
}

static void
test_monthly_counts_by_definition(void)
{
	struct report_monthly_opts o;
	struct report_table *t = NULL;
	struct ds_err err;

	memset(&o, 0, sizeof(o));
	o.year = 2024;
	o.month = 9;
	ST_EQ(report_monthly(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	/* Stock at 1 Sept: R2 (4 persons) and R3 (3).  R5 and R6 were
	 * eliminated before September and re-flagged in it; R4 eliminated in
	 * June; R1 R9 R10 identified in September. */
	STR_EQ(total_of(t, "月初监测户数"), "2");
	STR_EQ(total_of(t, "月初监测人数"), "7");
	STR_EQ(total_of(t, "脱贫不稳定户户数"), "1");
	STR_EQ(total_of(t, "突发严重困难户人数"), "3");
	/* New in September: R1, R9, R10 (R11 is deleted). */
	STR_EQ(total_of(t, "新识别户数"), "3");
	STR_EQ(total_of(t, "新识别人数"), "10");
	STR_EQ(total_of(t, "农户自主申报"), "1");
	STR_EQ(total_of(t, "基层干部排查"), "1");
	STR_EQ(total_of(t, "部门筛查预警"), "1");
	STR_EQ(total_of(t, "主要风险：因病"), "1");
	STR_EQ(total_of(t, "主要风险：因务工就业不稳"), "1");
	STR_EQ(total_of(t, "主要风险：因自然灾害"), "1");
	/* Eliminated in September: R3, with assistance. */
	STR_EQ(total_of(t, "风险消除户数"), "1");
	STR_EQ(total_of(t, "帮扶消除户数"), "1");
	STR_EQ(total_of(t, "自然消除户数"), "0");
	/* Re-flagged: R5 (earlier record) and R6 (earlier revision). */
	STR_EQ(total_of(t, "风险再标注户数"), "2");
	/* Visits in September: R1 R3 R5b R6b R7 R8 R9 R10. */
	STR_EQ(total_of(t, "访问次数"), "8");
	STR_EQ(total_of(t, "集中排查"), "2");
	STR_EQ(total_of(t, "入户核实"), "3");
	STR_EQ(total_of(t, "回头看"), "2");
	STR_EQ(total_of(t, "风险消除核实"), "1");
	STR_EQ(total_of(t, "远程访问"), "1");
	STR_EQ(total_of(t, "拒绝授权"), "1");
	/* Quality: R8 draft, R2 confirmed warning. */
	STR_EQ(total_of(t, "有数据质量问题户数"), "2");
	STR_EQ(total_of(t, "未完成（草稿）户数"), "1");
	STR_EQ(total_of(t, "有已说明警告户数"), "1");
	/* Measures of households monitored in September (R1 R2 R3 R5 R6 R9
	 * R10), by the has_* grid: job R1 R3; development gap R5 R6 R9 R10. */
	STR_EQ(total_of(t, "就业帮扶户数"), "2");
	/* Finance: R5b; R6b keeps microcredit details under has_finance=no. */
	STR_EQ(total_of(t, "金融帮扶户数"), "1");
	/* Water: R10 has only the details question (older form). */
	STR_EQ(total_of(t, "饮水安全保障户数"), "1");
	STR_EQ(total_of(t, "有劳动力未落实开发式帮扶户数"), "4");
	INT_EQ(report_table_row_kind(t, report_table_nrows(t) - 1),
	    REPORT_ROW_TOTAL);
	STR_EQ(report_table_cell(t, report_table_nrows(t) - 1, 1), "合计");
	report_table_free(t);
}

/* Without the area lists, a village is named by its records' label. */
static void
test_monthly_names_without_area_lists(void)
{
	struct report_monthly_opts o;
	struct report_table *t = NULL;
	struct ds_err err;

	memset(&o, 0, sizeof(o));
	o.year = 2024;
	o.month = 9;
	ST_EQ(report_monthly(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	STR_EQ(report_table_cell(t, 0, 2), "341802101201");
	STR_EQ(report_table_cell(t, 0, 3), "东湖村（记录里的名称）");
	STR_EQ(report_table_cell(t, 0, 1), "");
	STR_EQ(report_table_cell(t, 1, 3), "");	/* 西圩: no label kept */
	report_table_free(t);
}

static void
test_monthly_is_deterministic(void)
{
	struct odb *db2 = NULL;
	struct ds_err err;
	char *a, *b;
	size_t la, lb;

	a = monthly_csv("2024-09", NULL, &la);
	/* A second connection, as a second run of the program would be. */
	ST_EQ(odb_open(office.db, office.sec, &db2, &err), DS_OK, &err);
	odb_close(db2);
	b = monthly_csv("2024-09", NULL, &lb);
	OK(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	OK(a != NULL && la > 3 && memcmp(a, "\xef\xbb\xbf", 3) == 0);
	ds_free(a);
	ds_free(b);
}

static void
test_quality_matches_expected_csv(void)
{
	struct report_quality_opts o;
	struct report_table *t = NULL;
	struct ds_err err;
	char *csv = NULL;
	size_t len;

	memset(&o, 0, sizeof(o));
	o.forms_dir = "forms";
	ST_EQ(report_quality(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	INT_EQ(report_table_nrows(t), 2);
	ST_EQ(report_csv(t, &csv, &len, &err), DS_OK, &err);
	if (csv != NULL)
		same_as_file(csv, len, FIX "quality.csv");
	ds_free(csv);
	report_table_free(t);
	o.area = "341802102";		/* 狸桥镇: no problems there */
	ST_EQ(report_quality(db, &o, &t, &err), DS_OK, &err);
	if (t != NULL)
		INT_EQ(report_table_nrows(t), 0);
	report_table_free(t);
}

/* Text of one zip member, or NULL. */
static char *
zip_text(zip_t *z, const char *name)
{
	zip_stat_t sb;
	zip_file_t *f;
	char *p;

	if (zip_stat(z, name, 0, &sb) != 0 || sb.size > (1 << 24))
		return NULL;
	if ((p = calloc(1, sb.size + 1)) == NULL ||
	    (f = zip_fopen(z, name, 0)) == NULL) {
		free(p);
		return NULL;
	}
	if (zip_fread(f, p, sb.size) != (zip_int64_t)sb.size) {
		free(p);
		p = NULL;
	}
	zip_fclose(f);
	return p;
}

/* Index of a shared string, -1 if absent. */
static int
shared_index(const char *sst, const char *s)
{
	const char *p = sst;
	char want[512];
	int i = 0;

	snprintf(want, sizeof(want), ">%s</t>", s);
	while ((p = strstr(p, "<si>")) != NULL) {
		const char *e = strstr(p, "</si>");

		if (e == NULL)
			return -1;
		if (strstr(p, want) != NULL && strstr(p, want) < e)
			return i;
		i++;
		p = e;
	}
	return -1;
}

/* The <v> of cell REF in the sheet XML into out. */
static int
cell_value(const char *sheet, const char *ref, char *out, size_t n)
{
	char key[32];
	const char *p, *v, *e;

	snprintf(key, sizeof(key), "<c r=\"%s\"", ref);
	if ((p = strstr(sheet, key)) == NULL || (v = strstr(p, "<v>")) ==
	    NULL || (e = strstr(v, "</v>")) == NULL)
		return -1;
	snprintf(out, n, "%.*s", (int)(e - v - 3), v + 3);
	return 0;
}

static void
col_ref(size_t c, size_t row, char *out, size_t n)
{
	char l[4];

	if (c < 26)
		snprintf(l, sizeof(l), "%c", (int)('A' + c));
	else
		snprintf(l, sizeof(l), "%c%c", (int)('A' + c / 26 - 1),
		    (int)('A' + c % 26));
	snprintf(out, n, "%s%zu", l, row);
}

static void
test_xlsx_frozen_titles_totals(void)
{
	struct report_monthly_opts o;
	struct report_table *t = NULL;
	struct ds_err err;
	char path[600], ref[16], v[64], idx[16];
	char *sheet = NULL, *sst = NULL;
	zip_t *z;
	size_t c, xrow;
	int ze, i;

	memset(&o, 0, sizeof(o));
	o.year = 2024;
	o.month = 9;
	o.forms_dir = "forms";
	ST_EQ(report_monthly(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	snprintf(path, sizeof(path), "%s/m.xlsx", tmp);
	ST_EQ(report_write(t, path, &err), DS_OK, &err);
	snprintf(ref, sizeof(ref), "%s.tmp", path);
	OK(!ds_path_exists(ref));
	{
		struct stat sb;

		OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	}
	if ((z = zip_open(path, ZIP_RDONLY, &ze)) == NULL) {
		HARNESS_FAIL("zip_open %s: %d", path, ze);
		report_table_free(t);
		return;
	}
	sheet = zip_text(z, "xl/worksheets/sheet1.xml");
	sst = zip_text(z, "xl/sharedStrings.xml");
	OK(sheet != NULL && sst != NULL);
	if (sheet != NULL && sst != NULL) {
		/* Title row, group row, column titles: frozen below row 3 and
		 * right of the four area columns. */
		OK(strstr(sheet, "<pane xSplit=\"4\" ySplit=\"3\" "
		    "topLeftCell=\"E4\" activePane=\"bottomRight\" "
		    "state=\"frozen\"/>") != NULL);
		OK(shared_index(sst, "月初监测户数") >= 0);
		OK(shared_index(sst, "风险再标注户数") >= 0);
		OK(shared_index(sst, "防止返贫动态监测月报表 2024年09月") >= 0);
		OK(strstr(sheet, "<mergeCell ref=\"E2:L2\"/>") != NULL);
		/* The totals row is the last: 合计 in B, every count equal to
		 * the table's total (written as numbers). */
		xrow = 3 + report_table_nrows(t);
		col_ref(1, xrow, ref, sizeof(ref));
		i = shared_index(sst, "合计");
		snprintf(idx, sizeof(idx), "%d", i);
		OK(i >= 0 && cell_value(sheet, ref, v, sizeof(v)) == 0 &&
		    strcmp(v, idx) == 0);
		for (c = 4; c < report_table_ncols(t); c++) {
			col_ref(c, xrow, ref, sizeof(ref));
			if (cell_value(sheet, ref, v, sizeof(v)) != 0 ||
			    strcmp(v, report_table_cell(t, xrow - 4, c)) != 0)
				HARNESS_FAIL("total %s = %s, want %s", ref, v,
				    report_table_cell(t, xrow - 4, c));
		}
		/* Nothing after the totals row. */
		snprintf(ref, sizeof(ref), "<row r=\"%zu\"", xrow + 1);
		OK(strstr(sheet, ref) == NULL);
	}
	free(sheet);
	free(sst);
	zip_close(z);
	report_table_free(t);
}

static void
test_xlsx_quality_list(void)
{
	struct report_quality_opts o;
	struct report_table *t = NULL;
	struct ds_err err;
	char path[600], *sheet = NULL, *sst = NULL;
	zip_t *z;
	int ze;

	memset(&o, 0, sizeof(o));
	o.forms_dir = "forms";
	ST_EQ(report_quality(db, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	snprintf(path, sizeof(path), "%s/q.XLSX", tmp);
	ST_EQ(report_write(t, path, &err), DS_OK, &err);
	report_table_free(t);
	if ((z = zip_open(path, ZIP_RDONLY, &ze)) == NULL) {
		HARNESS_FAIL("zip_open %s: %d", path, ze);
		return;
	}
	sheet = zip_text(z, "xl/worksheets/sheet1.xml");
	sst = zip_text(z, "xl/sharedStrings.xml");
	OK(sheet != NULL && sst != NULL);
	if (sheet != NULL && sst != NULL) {
		/* No group row: title, column titles, then the problems. */
		OK(strstr(sheet, "<pane xSplit=\"4\" ySplit=\"2\" "
		    "topLeftCell=\"E3\" activePane=\"bottomRight\" "
		    "state=\"frozen\"/>") != NULL);
		OK(strstr(sheet, "<mergeCell") == NULL);
		OK(shared_index(sst, "问题数据清单") >= 0);
		OK(shared_index(sst, "问题类型") >= 0);
		OK(shared_index(sst, "已说明的警告") >= 0);
		OK(shared_index(sst, "member[2]/m_work_wage") >= 0);
		OK(strstr(sheet, "<row r=\"4\"") != NULL);
		OK(strstr(sheet, "<row r=\"5\"") == NULL);
	}
	free(sheet);
	free(sst);
	zip_close(z);
}

static void
test_csv_quoting_and_bad_suffix(void)
{
	static const struct report_col c2[2] = {
		{ "名称", NULL, 0, 10 }, { "数", NULL, 1, 5 } };
	struct report_table *t = NULL;
	struct ds_err err;
	char *csv = NULL, path[600];
	size_t len, row;

	ST_EQ(report_table_new("t", c2, 2, 1, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	ST_EQ(report_table_add(t, REPORT_ROW_DATA, &row, &err), DS_OK, &err);
	ST_EQ(report_table_set(t, row, 0, "a,\"b\"\nc", &err), DS_OK, &err);
	ST_EQ(report_table_setn(t, row, 1, -7, &err), DS_OK, &err);
	ST_EQ(report_table_add(t, REPORT_ROW_TOTAL, &row, &err), DS_OK,
	    &err);
	ST_EQ(report_csv(t, &csv, &len, &err), DS_OK, &err);
	STR_EQ(csv, "\xef\xbb\xbf名称,数\r\n\"a,\"\"b\"\"\nc\",-7\r\n,\r\n");
	INT_EQ(len, strlen("\xef\xbb\xbf名称,数\r\n\"a,\"\"b\"\"\nc\",-7\r\n"
	    ",\r\n"));
	ds_free(csv);
	snprintf(path, sizeof(path), "%s/r.txt", tmp);
	ST_EQ(report_write(t, path, &err), DS_EINVAL, &err);
	OK(!ds_path_exists(path));
	snprintf(path, sizeof(path), "%s/R.CSV", tmp);
	ST_EQ(report_write(t, path, &err), DS_OK, &err);
	OK(ds_path_exists(path));
	/* A directory that does not exist: an error, nothing left behind. */
	snprintf(path, sizeof(path), "%s/no/such/r.xlsx", tmp);
	ST_EQ(report_write(t, path, &err), DS_EIO, &err);
	snprintf(path, sizeof(path), "%s/no/such/r.csv", tmp);
	OK(report_write(t, path, &err) != DS_OK);
	OK(!ds_path_exists(path));
	/* A failed write keeps the old file whole. */
	snprintf(path, sizeof(path), "%s/R.CSV", tmp);
	ds_fault_arm(DS_FAULT_IO, 1, 1);
	OK(report_write(t, path, &err) != DS_OK);
	ds_fault_disarm(DS_FAULT_IO);
	ST_EQ(ds_file_read(path, 1 << 20, &csv, &len, &err), DS_OK, &err);
	OK(csv != NULL && strncmp(csv, "\xef\xbb\xbf名称,数\r\n", 12) == 0);
	ds_free(csv);
	snprintf(path, sizeof(path), "%s/R.CSV.tmp", tmp);
	OK(!ds_path_exists(path));
	report_table_free(t);
}

static void
test_out_of_memory_is_clean(void)
{
	struct report_monthly_opts o;
	struct report_table *t;
	struct ds_err err;
	enum ds_status st;
	long n, step = getenv("DS_TORTURE") != NULL ? 1 : 97;
	int fails = 0;

	memset(&o, 0, sizeof(o));
	o.year = 2024;
	o.month = 9;
	o.forms_dir = "forms";
	for (n = 1; n < 100000; n += step) {
		t = NULL;
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		st = report_monthly(db, &o, &t, &err);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (st == DS_OK) {
			OK(t != NULL);
			report_table_free(t);
			break;
		}
		OK(t == NULL);
		/* jansson reports its own allocation failures as parse
		 * errors, which ds_json_parse passes on. */
		if (st != DS_ENOMEM && st != DS_EPARSE)
			HARNESS_FAIL("fault %ld: %s", n, err.msg);
		fails++;
	}
	OK(fails > 0);
}

static void
test_cli_monthly_and_quality(void)
{
	const char *bin = getenv("DOORSTEP_OFFICE");
	char cmd[2048], path[600], *a = NULL, *b = NULL;
	struct ds_err err;
	size_t la = 0, lb = 0;

	if (bin == NULL)
		bin = "build/rel/doorstep-office";
	snprintf(path, sizeof(path), "%s/cli.csv", tmp);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-09 --forms forms --out %s >%s/out 2>&1", bin, office.dir,
	    path, tmp);
	INT_EQ(run(cmd), 0);
	a = monthly_csv("2024-09", NULL, &la);
	ST_EQ(ds_file_read(path, 1 << 24, &b, &lb, &err), DS_OK, &err);
	OK(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	ds_free(a);
	ds_free(b);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-9 --out %s/x.csv >%s/out 2>&1", bin, office.dir, tmp, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-09 >%s/out 2>&1", bin, office.dir, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report weekly --dir %s >%s/out 2>&1",
	    bin, office.dir, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s/nowhere "
	    "--month 2024-09 --out %s/y.csv >%s/out 2>&1", bin, tmp, tmp, tmp);
	INT_EQ(run(cmd), 1);
	snprintf(cmd, sizeof(cmd), "%s report quality --dir %s --form "
	    "%s/none.md >%s/out 2>&1", bin, office.dir, tmp, tmp);
	INT_EQ(run(cmd), 1);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-09 --form forms/household.md --out %s/z.csv >%s/out 2>&1",
	    bin, office.dir, tmp, tmp);
	INT_EQ(run(cmd), 64);
	/* Default form: forms/household.md, re-checking every record. */
	snprintf(cmd, sizeof(cmd), "%s report quality --dir %s --forms forms "
	    ">%s/q.txt 2>&1", bin, office.dir, tmp);
	INT_EQ(run(cmd), 0);
	snprintf(path, sizeof(path), "%s/q.txt", tmp);
	ST_EQ(ds_file_read(path, 1 << 20, &a, &la, &err), DS_OK, &err);
	OK(a != NULL && strstr(a, "问题数据清单") != NULL);
	OK(a != NULL && strstr(a, "何平") != NULL);
	OK(a != NULL && strstr(a, "季节性工资，已核实。") != NULL);
	OK(a != NULL && strstr(a, "  错误  ") != NULL);
	ds_free(a);
}

/*
 * A household as the field app stores it: the form's own fixture
 * (tests/forms/household/valid.json) filled through the real engine,
 * finalized, serialized.  DOORSTEP_FAKE_NOW is the fixture's date.
 */
static int
stored_household(const struct eng_form *cf, json_t **out)
{
	struct eng_issue *iv = NULL;
	struct ds_err err;
	struct eng *e = NULL;
	json_t *in = NULL;
	char *text = NULL;
	size_t len, n = 0, i;
	int rc = -1;

	if (ds_file_read("tests/forms/household/valid.json", 1 << 20, &text,
	    &len, &err) != DS_OK || ds_json_parse(text, len, 1 << 20,
	    "valid.json", &in, &err) != DS_OK || eng_open(cf, NULL, &e,
	    &err) != DS_OK) {
		HARNESS_FAIL("fixture: %s", err.msg);
		goto out;
	}
	if (eng_apply_answers(e, in, &iv, &n) != DS_OK) {
		for (i = 0; i < n; i++)
			HARNESS_FAIL("fill: %s: %s", iv[i].path, iv[i].msg);
		goto out;
	}
	ST_EQ(eng_finalize(e, &err), DS_OK, &err);
	ST_EQ(eng_to_json(e, out, &err), DS_OK, &err);
	rc = *out != NULL ? 0 : -1;
out:
	eng_issues_free(iv, n);
	eng_free(e);
	json_decref(in);
	ds_free(text);
	return rc;
}

/*
 * The problem list re-checked by the engine against forms/household.md,
 * in an office of its own, with variants of one stored household.
 */
/* A fresh office `name` under tmp with one enrolled device (number n). */
static struct odb *
side_office(const char *name, int n, struct sf_office *o, struct sf_device *d)
{
	struct odb *sdb = NULL;
	struct ds_err err;
	char dir[600];

	snprintf(dir, sizeof(dir), "%s/%s", tmp, name);
	sf_office_make(o, dir);
	ST_EQ(odb_open(o->db, o->sec, &sdb, &err), DS_OK, &err);
	sf_device_make(d, n);
	if (sdb != NULL)
		ST_EQ(sf_enroll(sdb, d->device_id, d->key->pk, &err), DS_OK,
		    &err);
	return sdb;
}

/* Give r[i] the answers docs[i] (when docs is not NULL), send r[0..n) in
 * one bundle and import it. */
static void
import_revs(struct odb *to, const struct sf_office *o, struct sf_device *d,
    struct sf_rev *r, const char *const *docs, size_t n)
{
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t len, i;

	for (i = 0; docs != NULL && i < n; i++) {
		r[i].r.answers.p = (const unsigned char *)docs[i];
		r[i].r.answers.n = strlen(docs[i]);
	}
	b = sf_bundle(d, o, r, n, 0, 0, &len);
	ST_EQ(imp_bundle(to, o->sec, b, len, &res, &err), DS_OK, &err);
	INT_EQ(res.status, RS_IMPORTED);
	imp_result_free(&res);
	ds_free(b);
}

/*
 * Five copies of one household would share its phone and its members' ID
 * numbers, which the list flags (rules 4 and 7): give copy i its own
 * phone and IDs (sequence digits changed, check digit recomputed).
 */
static void
distinct(json_t *doc, size_t i)
{
	static const int w[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5,
	    8, 4, 2 };
	json_t *m = json_object_get(doc, "member"), *it;
	char id[19], ph[16];
	size_t j;
	int k, sum;

	snprintf(ph, sizeof(ph), "139000000%02zu", i);
	json_object_set_new(doc, "phone", json_string(ph));
	json_array_foreach(m, j, it) {
		const char *s = json_string_value(json_object_get(it,
		    "m_id_number"));

		if (s == NULL || strlen(s) != 18)
			continue;
		memcpy(id, s, 19);
		id[14] = (char)('0' + i % 10);
		id[15] = (char)('0' + j % 10);
		for (k = 0, sum = 0; k < 17; k++)
			sum += (id[k] - '0') * w[k];
		id[17] = "10X98765432"[sum % 11];
		json_object_set_new(it, "m_id_number", json_string(id));
	}
}

static void
test_quality_recheck_with_form(void)
{
	static const char *const edits[][3] = {
		/* id, key, value ("" removes; "@draft" makes a draft) */
		{ "A", "", "" },			/* valid, finalized */
		{ "B", "phone", "2390563123" },		/* constraint error */
		{ "C", "category", "sudden" },		/* warning, no reason */
		{ "D", "bogus_key", "x" },		/* cannot restore */
		{ "E", "@draft", "" },			/* valid draft */
	};
	struct sf_office o2;
	struct sf_device d;
	struct sf_rev r[6];
	struct report_quality_opts qo;
	struct report_table *t = NULL;
	struct form_diags fd;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	struct odb *db2 = NULL;
	struct ds_err err;
	json_t *base = NULL, *doc, *meta;
	char *txt[5], hh[5][32], *csv = NULL;
	size_t len, i, tl[5];

	form_diags_init(&fd);
	ST_EQ(form_load_file("forms/household.md", &f, &fd), DS_OK, &err);
	if (f != NULL)
		ST_EQ(eng_compile(f, &cf, &fd), DS_OK, &err);
	form_diags_reset(&fd);
	if (cf == NULL) {
		form_free(f);
		return;
	}
	if (stored_household(cf, &base) != 0) {
		eng_form_free(cf);
		form_free(f);
		return;
	}
	db2 = side_office("office2", 2, &o2, &d);
	for (i = 0; i < 5; i++) {
		doc = json_deep_copy(base);
		distinct(doc, i);
		meta = json_object_get(doc, "_meta");
		if (strcmp(edits[i][1], "@draft") == 0)
			json_object_set_new(meta, "state",
			    json_string("draft"));
		snprintf(hh[i], sizeof(hh[i]), "341802101201000%zu", i);
		json_object_set_new(doc, "hh_id", json_string(hh[i]));
		if (edits[i][1][0] != '\0' && edits[i][1][0] != '@')
			json_object_set_new(doc, edits[i][1],
			    json_string(edits[i][2]));
		ST_EQ(ds_json_canonical(doc, &txt[i], &tl[i], &err), DS_OK,
		    &err);
		json_decref(doc);
		sf_rev(&r[i], &d, 40 + (int)i, 1, NULL, "{}");
		r[i].r.answers.p = (const unsigned char *)txt[i];
		r[i].r.answers.n = tl[i];
	}
	json_decref(base);
	import_revs(db2, &o2, &d, r, NULL, 5);
	memset(&qo, 0, sizeof(qo));
	qo.forms_dir = "forms";
	qo.form = cf;
	ST_EQ(report_quality(db2, &qo, &t, &err), DS_OK, &err);
	if (t != NULL) {
		ST_EQ(report_csv(t, &csv, &len, &err), DS_OK, &err);
		if (csv != NULL)
			same_as_file(csv, len, FIX "quality-recheck.csv");
		/* B: the phone's constraint, with the form's message. */
		OK(csv != NULL && strstr(csv, "3418021012010001,张建国,"
		    "5e000000000000000000000000000029,2024-09-10,错误,phone,"
		    "手机号码应为11位数字，以1开头。请重新输入。\r\n") != NULL);
		/* C: the category warning, open (no reason). */
		OK(csv != NULL && strstr(csv, ",未说明的警告,category,"
		    "确认的类别与系统根据收入和风险给出的建议不同。") != NULL);
		/* D: not restorable, said so; A: nothing. */
		OK(csv != NULL && strstr(csv, "3418021012010003") != NULL &&
		    strstr(csv, ",无法复核,") != NULL);
		OK(csv != NULL && strstr(csv, "3418021012010000") == NULL);
		/* E: a draft that passes every check. */
		OK(csv != NULL && strstr(csv, "答案都已通过检查") != NULL);
		ds_free(csv);
	}
	report_table_free(t);
	/* Without the form: only the stored state (E's draft). */
	qo.form = NULL;
	t = NULL;
	ST_EQ(report_quality(db2, &qo, &t, &err), DS_OK, &err);
	if (t != NULL)
		INT_EQ(report_table_nrows(t), 1);
	report_table_free(t);
	for (i = 0; i < 5; i++)
		ds_free(txt[i]);
	odb_close(db2);
	sf_device_free(&d);
	sf_office_free(&o2);
	eng_form_free(cf);
	form_free(f);
}

/* Rules 4 and 7 across households: the office sees what no laptop can. */
static void
test_quality_duplicates_across_households(void)
{
	static const char *const docs[] = {
		/* A and B share a phone; A's member 1 and B's member 2 share
		 * an ID; C gives one ID to two members; D shares A's phone
		 * but refused; all share a placeholder ID. */
		"{\"hh_id\":\"HA\",\"phone\":\"13912345678\",\"member\":["
		    "{\"m_name\":\"甲\",\"m_id_number\":\"340102198001011234\"},"
		    "{\"m_name\":\"乙\",\"m_id_number\":\"999999000000000001\"}]}",
		"{\"hh_id\":\"HB\",\"phone\":\"13912345678\",\"member\":["
		    "{\"m_name\":\"丙\",\"m_id_number\":\"340102199001015678\"},"
		    "{\"m_name\":\"丁\",\"m_id_number\":\"340102198001011234\"},"
		    "{\"m_name\":\"戊\",\"m_id_number\":\"999999000000000001\"}]}",
		"{\"hh_id\":\"HC\",\"phone\":\"13700000000\",\"member\":["
		    "{\"m_name\":\"己\",\"m_id_number\":\"34010220000101999x\"},"
		    "{\"m_name\":\"庚\",\"m_id_number\":\"34010220000101999X\"}]}",
		"{\"hh_id\":\"HD\",\"consent\":\"no\",\"phone\":\"13912345678\"}",
		/* A second record of HA (visited twice): not a duplicate
		 * of HA. */
		"{\"hh_id\":\"HA\",\"phone\":\"13912345678\",\"member\":["
		    "{\"m_name\":\"甲\",\"m_id_number\":\"340102198001011234\"}]}",
		/* A phone typed with the digits of A's ID: not an ID. */
		"{\"hh_id\":\"HE\",\"phone\":\"340102198001011234\"}",
	};
	struct sf_office o3;
	struct sf_device d;
	struct sf_rev r[6];
	struct report_quality_opts qo;
	struct report_table *t = NULL;
	struct odb *db3 = NULL;
	struct ds_err err;
	char *csv = NULL;
	size_t len, i;

	db3 = side_office("office3", 3, &o3, &d);
	for (i = 0; i < 6; i++)
		sf_rev(&r[i], &d, 60 + (int)i, 1, NULL, "{}");
	import_revs(db3, &o3, &d, r, docs, 6);
	memset(&qo, 0, sizeof(qo));
	qo.forms_dir = "forms";
	ST_EQ(report_quality(db3, &qo, &t, &err), DS_OK, &err);
	if (t != NULL && report_csv(t, &csv, &len, &err) == DS_OK &&
	    csv != NULL) {
		/* A and B name each other; the number is masked. */
		OK(strstr(csv, ",HA,,") != NULL &&
		    strstr(csv, "重复手机号,phone,手机号 139****5678 也登记在：HB。") !=
		    NULL);
		OK(strstr(csv, "手机号 139****5678 也登记在：HA。") != NULL);
		OK(strstr(csv, "重复证件号,member[1]/m_id_number,成员甲的证件号码 "
		    "340102********1234 也出现在：HB。") != NULL);
		OK(strstr(csv, "重复证件号,member[2]/m_id_number,成员丁的证件号码 "
		    "340102********1234 也出现在：HA。") != NULL);
		/* One ID on two members of C, a lower-case x folded. */
		OK(strstr(csv, "成员己的证件号码 340102********999X 也出现在："
		    "本户成员2。") != NULL);
		OK(strstr(csv, "成员庚的证件号码 340102********999X 也出现在："
		    "本户成员1。") != NULL);
		/* Not flagged: B's own other numbers, placeholders, the
		 * refused D, and the full numbers anywhere. */
		OK(strstr(csv, "340102********5678") == NULL);
		OK(strstr(csv, "999999") == NULL);
		OK(strstr(csv, "重复手机号,phone,手机号 139****5678 也登记在"
		    "：HA、HB") == NULL);	/* D's own row */
		OK(strstr(csv, "13912345678") == NULL &&
		    strstr(csv, "340102198001011234") == NULL);
	} else
		OK(0);
	ds_free(csv);
	report_table_free(t);
	odb_close(db3);
	sf_device_free(&d);
	sf_office_free(&o3);
}

/* A past month counts each household as it stood then: a later
 * revision (October) does not rewrite September. */
static void
test_monthly_as_of_the_month(void)
{
	static const char *const docs[] = {
		/* X in August: marginal, 3 persons. */
		"{\"_meta\":{\"state\":\"finalized\"},\"category\":\"marginal\","
		    "\"hh_id\":\"HX\",\"ident_month\":\"202408\",\"member\":"
		    "[{},{},{}],\"township\":\"341802101\",\"village\":"
		    "\"341802101201\",\"visit_date\":\"2024-08-15\"}",
		/* X in October: unstable now, 5 persons. */
		"{\"_meta\":{\"state\":\"finalized\"},\"category\":\"unstable\","
		    "\"hh_id\":\"HX\",\"ident_month\":\"202408\",\"member\":"
		    "[{},{},{},{},{}],\"township\":\"341802101\",\"village\":"
		    "\"341802101201\",\"visit_date\":\"2024-10-10\"}",
		/* Y, first visited in October. */
		"{\"_meta\":{\"state\":\"finalized\"},\"category\":\"sudden\","
		    "\"hh_id\":\"HY\",\"ident_month\":\"202410\",\"member\":"
		    "[{},{}],\"township\":\"341802101\",\"village\":"
		    "\"341802101201\",\"visit_date\":\"2024-10-05\"}",
	};
	struct sf_office o4;
	struct sf_device d;
	struct sf_rev r[3];
	struct report_monthly_opts mo;
	struct report_table *t = NULL;
	struct odb *db4 = NULL;
	struct ds_err err;

	db4 = side_office("office4", 4, &o4, &d);
	sf_rev(&r[0], &d, 70, 1, NULL, "{}");
	sf_rev(&r[1], &d, 70, 2, r[0].r.rev_id, "{}");
	sf_rev(&r[2], &d, 71, 1, NULL, "{}");
	import_revs(db4, &o4, &d, r, docs, 3);
	memset(&mo, 0, sizeof(mo));
	mo.year = 2024;
	mo.month = 9;
	ST_EQ(report_monthly(db4, &mo, &t, &err), DS_OK, &err);
	if (t != NULL) {
		STR_EQ(total_of(t, "月初监测户数"), "1");
		STR_EQ(total_of(t, "边缘易致贫户户数"), "1");
		STR_EQ(total_of(t, "边缘易致贫户人数"), "3");
		STR_EQ(total_of(t, "脱贫不稳定户户数"), "0");
		STR_EQ(total_of(t, "突发严重困难户户数"), "0");
		STR_EQ(total_of(t, "访问次数"), "0");
	}
	report_table_free(t);
	t = NULL;
	mo.month = 10;
	ST_EQ(report_monthly(db4, &mo, &t, &err), DS_OK, &err);
	if (t != NULL) {
		STR_EQ(total_of(t, "月初监测户数"), "1");
		STR_EQ(total_of(t, "脱贫不稳定户户数"), "1");
		STR_EQ(total_of(t, "脱贫不稳定户人数"), "5");
		STR_EQ(total_of(t, "边缘易致贫户户数"), "0");
		STR_EQ(total_of(t, "新识别户数"), "1");
		STR_EQ(total_of(t, "访问次数"), "2");
	}
	report_table_free(t);
	odb_close(db4);
	sf_device_free(&d);
	sf_office_free(&o4);
}

/* A long Chinese name is cut at a character, never inside one. */
static void
test_long_names_cut_whole(void)
{
	struct report_rec r;
	struct ds_err err;
	char doc[1024], name[400];
	size_t i;

	name[0] = '\0';
	for (i = 0; i < 50; i++)
		strcat(name, "张");		/* 150 bytes */
	snprintf(doc, sizeof(doc), "{\"head_name\":\"%s\",\"member\":[{"
	    "\"m_name\":\"%s\",\"m_id_number\":\"340102198001011234\"}]}",
	    name, name);
	memset(&r, 0, sizeof(r));
	ST_EQ(report_rec_parse(doc, strlen(doc), &r, &err), DS_OK, &err);
	INT_EQ(strlen(r.head), 126);	/* 42 characters of 127 bytes */
	OK(r.nids == 1 && strlen(r.ids[0].name) == 63);
	report_rec_reset(&r);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	tmp = ts_tmpdir("report");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK) {
		printf("not ok open: %s\n", err.msg);
		return 1;
	}
	if (fixture_import() != 0)
		return 1;
	RUN(test_month_parse);
	RUN(test_monthly_matches_expected_csv);
	RUN(test_monthly_counts_by_definition);
	RUN(test_monthly_names_without_area_lists);
	RUN(test_monthly_is_deterministic);
	RUN(test_quality_matches_expected_csv);
	RUN(test_quality_recheck_with_form);
	RUN(test_quality_duplicates_across_households);
	RUN(test_monthly_as_of_the_month);
	RUN(test_long_names_cut_whole);
	RUN(test_xlsx_frozen_titles_totals);
	RUN(test_xlsx_quality_list);
	RUN(test_csv_quoting_and_bad_suffix);
	RUN(test_out_of_memory_is_clean);
	RUN(test_cli_monthly_and_quality);
	odb_close(db);
	sf_office_free(&office);
	while (nrevs > 0)
		ds_free(revs[--nrevs].answers);
	return harness_done();
}
