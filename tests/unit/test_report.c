/* doorstep: tests for the office reports (from the case, ledger, files). */
/*
 * Two real offices through the real importer.  The fixture office: a
 * fixed set of household revisions (tests/office/report/revs.json) in two
 * signed bundles; its quality ledger must equal the committed CSV byte for
 * byte, twice in a row, and keep a closed problem listed.  The case
 * office: a register, a department list, laptop visits and the office's
 * steps recorded at set dates (DOORSTEP_FAKE_NOW); its monthly, period
 * and coverage reports must give the counts worked out by hand below:
 * approvals, not what the worker proposed at the door; drafts never; a
 * frozen month as submitted, a late approval as next month's
 * correction.  Words are the msgids (no translation given).  The XLSX is
 * opened with libzip and its sheet XML checked.  DS_REPORT_BLESS=1
 * rewrites the expected files instead (then check them by hand against
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

#include "case.h"
#include "case_db.h"
#include "case_file.h"
#include "eng.h"
#include "form.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "odb_case.h"
#include "oset.h"
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

/* The total row's cell in column c. */
static const char *
total_at(const struct report_table *t, size_t c)
{
	return report_table_cell(t, report_table_nrows(t) - 1, c);
}

static int
run(const char *cmd)
{
	int rc = system(cmd);

	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
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

struct crash_report {
	const struct report_table	*t;
	const char			*path;
};

static void
crash_report(void *arg)
{
	const struct crash_report *c = arg;

	(void)report_write(c->t, c->path, NULL);
}

static void
test_csv_quoting_and_bad_suffix(void)
{
	static const struct report_col c2[2] = {
		{ "名称", NULL, 0, 10 }, { "数", NULL, 1, 5 } };
	struct report_table *t = NULL;
	struct crash_report cr;
	struct ds_err err;
	char *csv = NULL, path[600], tmpf[620];
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
	ST_EQ(report_write(t, path, &err), DS_ENOENT, &err);
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
	/*
	 * An XLSX writer killed -9 before its rename leaves no file; one
	 * without O_TMPFILE leaves PATH.tmp, gone at the next write.
	 */
	snprintf(path, sizeof(path), "%s/crash.xlsx", tmp);
	snprintf(tmpf, sizeof(tmpf), "%s.tmp", path);
	cr.t = t;
	cr.path = path;
	INT_EQ(ts_crash_at("written", 0, crash_report, &cr), 0);
	OK(!ds_path_exists(path) && !ds_path_exists(tmpf));
	INT_EQ(ts_crash_at("written", 1, crash_report, &cr), 0);
	OK(!ds_path_exists(path) && ds_path_exists(tmpf));
	ST_EQ(report_write(t, path, &err), DS_OK, &err);
	OK(ds_path_exists(path) && !ds_path_exists(tmpf));
	report_table_free(t);
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
			HARNESS_FAIL("fill: %s: %s", iv[i].path,
			    eng_msg_dev(iv[i].note.code));
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

/* The ledger of the fixture office, as CSV. */
/* The ledger's ids are keyed by the office: blank them to compare. */
static void
strip_ids(char *csv, size_t *len)
{
	char *p = csv, *e;

	while ((p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if ((e = strchr(p, ',')) == NULL || e - p != 12)
			continue;
		memmove(p, e, strlen(e) + 1);
		*len -= 12;
	}
}

/* The command's wording of an engine note, as a test can tell it. */
static const char *
word_note(const struct eng_note *n, char *buf, size_t len)
{
	snprintf(buf, len, "[worded %d%s%s]", (int)n->code,
	    n->text != NULL ? " " : "", n->text != NULL ? n->text : "");
	return buf;
}

static char *
quality_csv_tr(struct odb *d, const struct eng_form *cf, report_note_tr tr,
    size_t *len)
{
	struct report_quality_opts o;
	struct report_table *t = NULL;
	struct ds_err err;
	char *csv = NULL;

	memset(&o, 0, sizeof(o));
	o.forms_dir = "forms";
	o.form = cf;
	o.note_tr = tr;
	ST_EQ(odb_begin(d, &err), DS_OK, &err);
	ST_EQ(report_quality(d, &o, &t, &err), DS_OK, &err);
	ST_EQ(odb_commit(d, &err), DS_OK, &err);
	if (t == NULL)
		return NULL;
	ST_EQ(report_csv(t, &csv, len, &err), DS_OK, &err);
	report_table_free(t);
	return csv;
}

static char *
quality_csv(struct odb *d, const struct eng_form *cf, size_t *len)
{
	return quality_csv_tr(d, cf, NULL, len);
}

static void
test_quality_ledger_matches_expected_csv(void)
{
	char *a, *b;
	size_t la, lb;

	a = quality_csv(db, NULL, &la);
	/* A second run finds the same problems under the same ids. */
	b = quality_csv(db, NULL, &lb);
	OK(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	if (a != NULL) {
		strip_ids(a, &la);
		same_as_file(a, la, FIX "quality.csv");
	}
	ds_free(a);
	ds_free(b);
}

static void
test_quality_close_stays_listed(void)
{
	struct odb_problem p;
	struct ds_err err;
	char *csv, id[13];
	size_t len;
	const char *line;

	csv = quality_csv(db, NULL, &len);
	if (csv == NULL)
		return;
	/* The draft's problem: its id is the first cell of its line. */
	line = strstr(csv, "Not finished (draft)");
	OK(line != NULL);
	while (line != NULL && line > csv && line[-1] != '\n')
		line--;
	if (line == NULL) {
		ds_free(csv);
		return;
	}
	snprintf(id, sizeof(id), "%.12s", line);
	ds_free(csv);
	setenv("DOORSTEP_FAKE_NOW", "1763966400", 1);	/* a day later */
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(odb_problem_close(db, id, "王审核", "已电话核实，网格员补录中",
	    ds_now(), &p, &err), DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	/* Closing twice is refused. */
	ST_EQ(odb_problem_close(db, id, "王审核", "again", ds_now(), &p, &err),
	    DS_ESTATE, &err);
	csv = quality_csv(db, NULL, &len);
	OK(csv != NULL && strstr(csv, ",closed,") != NULL);
	OK(csv != NULL && strstr(csv, ",2025-11-24,王审核,"
	    "已电话核实，网格员补录中\r\n") != NULL);
	/* The confirmed warning is still open. */
	OK(csv != NULL && strstr(csv, ",open,") != NULL);
	ds_free(csv);
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
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
	csv = quality_csv(db2, cf, &len);
	if (csv != NULL) {
		strip_ids(csv, &len);
		same_as_file(csv, len, FIX "quality-recheck.csv");
		/* B: the phone's constraint, with the form's message. */
		OK(strstr(csv, "3418021012010001,张建国,"
		    "5e000000000000000000000000000029,2024-09-10,Error,phone,"
		    "手机号码应为11位数字，以1开头。请重新输入。,") != NULL);
		/* C: the category warning, open (no reason). */
		OK(strstr(csv, ",Warning without a reason,category,"
		    "确认的类别与系统根据收入和风险给出的建议不同。") != NULL);
		/* D: not restorable, said so; A: nothing. */
		OK(strstr(csv, "3418021012010003") != NULL &&
		    strstr(csv, ",Cannot re-check,") != NULL);
		OK(strstr(csv, "3418021012010000") == NULL);
		/* E: a draft that passes every check. */
		OK(strstr(csv, "its answers pass the checks") != NULL);
		ds_free(csv);
	}
	/* The engine's notes are worded by the caller, in its language. */
	csv = quality_csv_tr(db2, cf, word_note, &len);
	OK(csv != NULL && strstr(csv, ",Error,phone,[worded ") != NULL &&
	    strstr(csv, " / ") == NULL);
	ds_free(csv);
	/* Without the form, a day later: the engine's problems are not
	 * found any more. */
	setenv("DOORSTEP_FAKE_NOW", "1763966400", 1);
	csv = quality_csv(db2, NULL, &len);
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	OK(csv != NULL && strstr(csv, ",not found any more,") != NULL);
	ds_free(csv);
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
	struct odb *db3 = NULL;
	char *csv = NULL;
	size_t len, i;

	db3 = side_office("office3", 3, &o3, &d);
	for (i = 0; i < 6; i++)
		sf_rev(&r[i], &d, 60 + (int)i, 1, NULL, "{}");
	import_revs(db3, &o3, &d, r, docs, 6);
	csv = quality_csv(db3, NULL, &len);
	if (csv != NULL) {
		/* A and B name each other; the number is masked. */
		OK(strstr(csv, ",Phone also elsewhere,phone,139****5678 "
		    "is also the phone of: HB,") != NULL);
		OK(strstr(csv, "139****5678 is also the phone of: HA,") !=
		    NULL);
		OK(strstr(csv, ",ID number also elsewhere,member[1]/"
		    "m_id_number,甲 340102********1234 is also registered in: "
		    "HB,") != NULL);
		OK(strstr(csv, "member[2]/m_id_number,丁 340102********1234 "
		    "is also registered in: HA,") != NULL);
		/* One ID on two members of C, a lower-case x folded. */
		OK(strstr(csv, "己 340102********999X is also registered in: "
		    "member 2,") != NULL);
		OK(strstr(csv, "庚 340102********999X is also registered in: "
		    "member 1,") != NULL);
		/* Not flagged: B's own other numbers, placeholders, the
		 * refused D, and the full numbers anywhere. */
		OK(strstr(csv, "340102********5678") == NULL);
		OK(strstr(csv, "999999") == NULL);
		OK(strstr(csv, ",HD,,5e00000000000000000000000000003f,,"
		    "Phone also") == NULL);
		OK(strstr(csv, "13912345678") == NULL &&
		    strstr(csv, "340102198001011234") == NULL);
	} else
		OK(0);
	ds_free(csv);
	odb_close(db3);
	sf_device_free(&d);
	sf_office_free(&o3);
}

/* ---- the case office: visits, steps, reports ---------------------------- */

static struct sf_office co;
static struct sf_device cdev;
static struct odb *cdb;
static struct oset *cset;

/* The clock at noon (UTC) of a date: what recorded_at becomes. */
static void
at(const char *date)
{
	char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)(case_date_days(date) *
	    86400 + 43200));
	setenv("DOORSTEP_FAKE_NOW", v, 1);
}

static void
cvisit(int rec, const char *key, const char *village, const char *date,
    const char *type, const char *cat, const char *extra, const char *state)
{
	struct sf_rev r;
	char a[2048];

	snprintf(a, sizeof(a), "{\"hh_id\":\"%s\",\"visit_date\":\"%s\","
	    "\"visit_type\":\"%s\",\"consent\":\"%s\",\"channel\":"
	    "\"self_report\",\"township\":\"%.9s\",\"village\":\"%s\","
	    "\"category\":\"%s\"%s,\"_meta\":{\"state\":\"%s\"}}", key, date,
	    type, strcmp(key, "H6") == 0 ? "no" : "yes", village, village, cat,
	    extra, state);
	at(date);
	sf_rev(&r, &cdev, rec, 1, NULL, a);
	import_revs(cdb, &co, &cdev, &r, NULL, 1);
}

static void cstep_at(const char *, int, int, const char *, const char *,
    int, int, const char *);

static void
cstep(const char *key, int step, int outcome, const char *date,
    const char *end, int cat, int kind)
{
	cstep_at(key, step, outcome, date, end, cat, kind, NULL);
}

/* A step dated `date`, recorded at `now` (Unix seconds; NULL: the date). */
static void
cstep_at(const char *key, int step, int outcome, const char *date,
    const char *end, int cat, int kind, const char *now)
{
	struct case_step_in in;
	struct case_why why;
	struct ds_err err;

	memset(&in, 0, sizeof(in));
	in.key = key;
	in.step = step;
	in.outcome = outcome;
	in.date = date;
	in.date_end = end;
	in.category = cat;
	in.kind = kind;
	in.by = "乡镇经办人";
	in.source = "cli";
	if (now != NULL)
		setenv("DOORSTEP_FAKE_NOW", now, 1);
	else
		at(date);
	ST_EQ(odb_begin(cdb, &err), DS_OK, &err);
	ST_EQ(case_step_add(cdb, &in, &why, NULL, &err), DS_OK, &err);
	if (why.code != CASE_W_OK)
		HARNESS_FAIL("%s %s %s: refused, code %d", key,
		    case_step_str(step), date, why.code);
	ST_EQ(odb_commit(cdb, &err), DS_OK, &err);
}

/* assess, notice (7 days), review, approve. */
static void
cident(const char *key, const char *d1, const char *d2, const char *d3,
    const char *d4, int track_arg, int cat)
{
	char end[CASE_DATE_LEN];

	case_days_date(case_date_days(d2) + 6, end);
	cstep(key, CASE_S_ASSESS, CASE_O_PASS, d1, NULL, 0, 0);
	cstep(key, CASE_S_NOTICE, CASE_O_PASS, d2, end, 0, 0);
	cstep(key, CASE_S_REVIEW, CASE_O_PASS, d3, NULL, 0, 0);
	if (d4 != NULL)
		cstep(key, CASE_S_APPROVE, CASE_O_PASS, d4, NULL,
		    track_arg == CASE_T_IDENT ? cat : 0,
		    track_arg == CASE_T_ELIM ? cat : 0);
}

static const char case_settings[] = "{\"settings\": \"" OSET_MAGIC "\","
	    " \"province\": \"65\", \"identification\": {\"steps\": [\"assess\","
	    " \"notice\", \"review\", \"approve\"], \"notice_min_days\": 7},"
	    " \"elimination\": {\"steps\": [\"assess\", \"notice\", \"review\","
	    " \"approve\"], \"notice_min_days\": 7}, \"signal\": {\"bands\": ["
	    "{\"year\": 2024, \"red_below\": 4000, \"orange_below\": 4500,"
	    " \"yellow_below\": 5000}], \"red_on_guarantee_problem\": true}}";

static int
case_office(void)
{
	static const char reg[] = "hh_key,village,group,head_name,id_number,"
	    "members\n"
	    "H1,341802101201,34180210120101,户主一,341802198001010019,4\n"
	    "H2,341802101201,34180210120101,户主二,341802198001010027,3\n"
	    "H3,341802101202,34180210120201,户主三,341802198001010035,2\n"
	    "H4,341802101202,34180210120201,户主四,,5\n"
	    "H5,341802101202,34180210120202,户主五,,1\n"
	    "H6,341802101202,34180210120202,户主六,,1\n"
	    "H7,341802101202,34180210120202,户主七,,1\n";
	static const char clues[] = "id_number,name,reason,amount,date\n"
	    "341802198001010027,户主二,住院,20000,2024-08-25\n";
	struct case_reg_result rr;
	struct case_clue_result cr;
	struct case_row_why rw;
	struct case_table *t = NULL;
	struct case_file_why fw;
	struct ds_err err;
	int64_t first;

	cdb = side_office("office5", 5, &co, &cdev);
	if (cdb == NULL || oset_parse(case_settings, sizeof(case_settings) - 1,
	    "s",
	    &cset, &err) != DS_OK)
		return -1;
	odb_case_settings(cdb, cset);
	at("2024-08-20");
	if (case_file_parse(reg, sizeof(reg) - 1, 0, case_register_fields,
	    CASE_REGISTER_NFIELDS, &t, &fw, &err) != DS_OK ||
	    odb_begin(cdb, &err) != DS_OK ||
	    case_register_import(cdb, t, &rr, &rw, &err) != DS_OK ||
	    odb_commit(cdb, &err) != DS_OK)
		return -1;
	case_table_free(t);
	at("2024-08-26");
	if (case_file_parse(clues, sizeof(clues) - 1, 0, case_clue_fields,
	    CASE_CLUE_NFIELDS, &t, &fw, &err) != DS_OK ||
	    odb_begin(cdb, &err) != DS_OK ||
	    case_clue_import(cdb, t, "yibao", &cr, &first, &rw, &err) !=
	    DS_OK || odb_commit(cdb, &err) != DS_OK)
		return -1;
	case_table_free(t);
	/* H3: identified in August, eliminated in September. */
	cvisit(1, "H3", "341802101202", "2024-08-10", "verification",
	    "sudden", ",\"pc_line\":\"4200\"", "finalized");
	cident("H3", "2024-08-12", "2024-08-13", "2024-08-21", "2024-08-28",
	    CASE_T_IDENT, CASE_CAT_SUDDEN);
	cvisit(2, "H3", "341802101202", "2024-09-15", "elimination",
	    "sudden", ",\"el_done\":\"yes\",\"pc_line\":\"9000\"",
	    "finalized");
	cident("H3", "2024-09-16", "2024-09-17", "2024-09-25", "2024-09-28",
	    CASE_T_ELIM, CASE_K_ASSISTED);
	/* H1: found at the door (self-report), identified in September. */
	cvisit(3, "H1", "341802101201", "2024-09-02", "verification",
	    "marginal", ",\"has_health\":\"yes\",\"pc_line\":\"4600\"",
	    "finalized");
	cident("H1", "2024-09-05", "2024-09-06", "2024-09-13", "2024-09-20",
	    CASE_T_IDENT, CASE_CAT_MARGINAL);
	/* H2: a department warning, visited in September, approved in
	 * October. */
	cvisit(4, "H2", "341802101201", "2024-09-03", "verification",
	    "unstable", "", "finalized");
	cident("H2", "2024-09-20", "2024-09-21", "2024-09-30", "2024-10-08",
	    CASE_T_IDENT, CASE_CAT_UNSTABLE);
	/* H4: proposed at the door, never approved: not identified. */
	cvisit(5, "H4", "341802101202", "2024-09-04", "verification",
	    "marginal", "", "finalized");
	/* H5: a draft proposing a category: nothing. */
	cvisit(6, "H5", "341802101202", "2024-09-05", "verification",
	    "marginal", "", "draft");
	/* H6 refused, H7 not reached. */
	cvisit(7, "H6", "341802101202", "2024-09-06", "screening", "none",
	    "", "finalized");
	cvisit(8, "H7", "341802101202", "2024-09-07", "screening", "none",
	    "", "finalized\",\"outcome\":\"not_reached");
	return 0;
}

/* DS_REPORT_DUMP=1: print a table (to work out expected counts). */
static void
dump(const struct report_table *t)
{
	struct ds_err err;
	char *csv = NULL;
	size_t len;

	if (getenv("DS_REPORT_DUMP") == NULL || t == NULL ||
	    report_csv(t, &csv, &len, &err) != DS_OK)
		return;
	printf("# %s\n", csv);
	ds_free(csv);
}

static struct report_table *
case_table(int from, int to, const char *cutoff, struct report_case_info *ri)
{
	struct report_case_opts o;
	struct report_table *t = NULL;
	struct ds_err err;

	memset(&o, 0, sizeof(o));
	o.from_ym = from;
	o.to_ym = to;
	o.cutoff = cutoff != NULL ? case_date_days(cutoff) * 86400 + 86399 :
	    0;
	o.forms_dir = "forms";
	ST_EQ(report_case(cdb, &o, &t, ri, &err), DS_OK, &err);
	dump(t);
	return t;
}

static void
test_monthly_counts_approvals_not_proposals(void)
{
	struct report_case_info ri;
	struct report_table *t;

	t = case_table(202409, 202409, "2024-10-10", &ri);
	if (t == NULL)
		return;
	OK(ri.bands == 1 && ri.frozen == 0);
	/* At the start of September: H3 (sudden, 2 persons). */
	STR_EQ(total_at(t, 4), "1");		/* households */
	STR_EQ(total_at(t, 5), "2");		/* persons */
	STR_EQ(total_at(t, 8), "1");		/* sudden */
	/* Identified (approved) in September: H1 only; H2 was approved in
	 * October, H4 only proposed at the door, H5 a draft. */
	STR_EQ(total_at(t, 9), "1");
	STR_EQ(total_at(t, 10), "4");
	STR_EQ(total_at(t, 12), "1");		/* marginal */
	STR_EQ(total_at(t, 14), "1");		/* by self-report */
	STR_EQ(total_at(t, 16), "0");		/* by department warning */
	/* Eliminated in September: H3, through assistance. */
	STR_EQ(total_at(t, 17), "1");
	STR_EQ(total_at(t, 18), "2");
	STR_EQ(total_at(t, 19), "1");
	/* At the end: H1; H2 and H4 in identification. */
	STR_EQ(total_at(t, 23), "1");
	STR_EQ(total_at(t, 28), "2");
	/* H1's light: 4,600 yuan is yellow (orange from 4,000 to 4,500). */
	STR_EQ(total_at(t, 32), "1");
	/* H1's health measure from the visit's grid. */
	STR_EQ(total_at(t, 42), "1");
	/* Finalized visits in September: H3 H1 H2 H4 H6 H7, not H5's draft;
	 * one refused, one not reached. */
	STR_EQ(total_at(t, 49), "6");
	STR_EQ(total_at(t, 51), "3");		/* verification: H1 H2 H4 */
	STR_EQ(total_at(t, 54), "1");		/* elimination: H3 */
	STR_EQ(total_at(t, 55), "1");		/* refused */
	STR_EQ(total_at(t, 56), "1");		/* not reached */
	report_table_free(t);
	/* October: H2, found by the department warning. */
	t = case_table(202410, 202410, "2024-11-10", &ri);
	if (t == NULL)
		return;
	STR_EQ(total_at(t, 4), "1");		/* H1 at the start */
	STR_EQ(total_at(t, 9), "1");
	STR_EQ(total_at(t, 11), "1");		/* unstable */
	STR_EQ(total_at(t, 16), "1");		/* department warning */
	STR_EQ(total_at(t, 23), "2");		/* H1, H2 at the end */
	STR_EQ(total_at(t, 49), "0");
	report_table_free(t);
}

static void
test_period_sums_the_months(void)
{
	struct report_case_info ri;
	struct report_table *t;

	t = case_table(202408, 202410, "2024-11-10", &ri);
	if (t == NULL)
		return;
	STR_EQ(total_at(t, 4), "0");		/* nobody at 1 August */
	STR_EQ(total_at(t, 9), "3");		/* H3, H1, H2 */
	STR_EQ(total_at(t, 17), "1");		/* H3 */
	STR_EQ(total_at(t, 23), "2");		/* H1, H2 */
	report_table_free(t);
}

static void
test_cutoff_and_freeze(void)
{
	struct report_case_info ri;
	struct report_table *t;
	struct ds_err err;
	char *csv = NULL, *again = NULL;
	size_t len, len2;

	/* H4's steps run in September... */
	cident("H4", "2024-09-10", "2024-09-11", "2024-09-19", NULL,
	    CASE_T_IDENT, 0);
	/* ... the township submits September on 9 October 10:00. */
	setenv("DOORSTEP_FAKE_NOW", "1728468000", 1);
	t = case_table(202409, 202409, "2024-10-10", &ri);
	if (t == NULL)
		return;
	STR_EQ(total_at(t, 9), "1");
	ST_EQ(report_csv(t, &csv, &len, &err), DS_OK, &err);
	report_table_free(t);
	ST_EQ(odb_begin(cdb, &err), DS_OK, &err);
	ST_EQ(odb_freeze_put(cdb, "2024-09", ds_now(), "2024-10-10", csv, len,
	    &err), DS_OK, &err);
	ST_EQ(odb_commit(cdb, &err), DS_OK, &err);
	/* ... and the county's approval of H4, dated 29 September, is
	 * recorded at noon. */
	cstep_at("H4", CASE_S_APPROVE, CASE_O_PASS, "2024-09-29", NULL,
	    CASE_CAT_MARGINAL, 0, "1728475200");
	/* September stays as submitted, byte for byte. */
	t = case_table(202409, 202409, "2024-10-10", &ri);
	if (t != NULL) {
		OK(ri.frozen == 1 && ri.frozen_at == 1728468000);
		ST_EQ(report_csv(t, &again, &len2, &err), DS_OK, &err);
		OK(again != NULL && len2 == len && memcmp(again, csv, len) == 0);
		ds_free(again);
	}
	report_table_free(t);
	ds_free(csv);
	/* October shows it: a late identification, in the stock at the
	 * start of October. */
	t = case_table(202410, 202410, "2024-11-10", &ri);
	if (t == NULL)
		return;
	STR_EQ(total_at(t, 57), "1");		/* late identifications */
	STR_EQ(total_at(t, 4), "2");		/* H1, H4 at the start */
	report_table_free(t);
	/* An event recorded after the cutoff is left out: with a cutoff of
	 * 5 October, H2's approval (8 October) is not in October yet. */
	t = case_table(202410, 202410, "2024-10-05", &ri);
	if (t != NULL)
		STR_EQ(total_at(t, 9), "0");
	report_table_free(t);
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
}

static void
test_coverage_of_a_round(void)
{
	struct report_cover_opts o;
	struct odb_round r;
	struct report_table *t = NULL;
	struct ds_err err;
	size_t last;

	memset(&r, 0, sizeof(r));
	snprintf(r.name, sizeof(r.name), "2024-autumn");
	snprintf(r.started, sizeof(r.started), "2024-09-01");
	snprintf(r.due, sizeof(r.due), "2024-09-30");
	ST_EQ(odb_round_put(cdb, &r, &err), DS_OK, &err);
	ST_EQ(odb_round_put(cdb, &r, &err), DS_EEXIST, &err);
	memset(&o, 0, sizeof(o));
	o.round = "2024-autumn";
	o.forms_dir = "forms";
	o.today = "2024-10-01";
	ST_EQ(report_coverage(cdb, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	last = report_table_nrows(t) - 1;
	INT_EQ(report_table_row_kind(t, last), REPORT_ROW_TOTAL);
	STR_EQ(report_table_cell(t, last, 5), "7");	/* register */
	STR_EQ(report_table_cell(t, last, 6), "4");	/* H1 H2 H3 H4 */
	STR_EQ(report_table_cell(t, last, 7), "1");	/* H6 refused */
	STR_EQ(report_table_cell(t, last, 8), "1");	/* H7 */
	STR_EQ(report_table_cell(t, last, 9), "1");	/* H5: a draft */
	STR_EQ(report_table_cell(t, last, 10), "57.1");
	/* First row: village 201, group 01, H1 H2 both visited. */
	STR_EQ(report_table_cell(t, 0, 4), "34180210120101");
	STR_EQ(report_table_cell(t, 0, 5), "2");
	STR_EQ(report_table_cell(t, 0, 10), "100.0");
	report_table_free(t);
	o.round = "none";
	ST_EQ(report_coverage(cdb, &o, &t, &err), DS_ENOENT, &err);
}

static void
test_timeliness(void)
{
	struct report_time_opts o;
	struct report_table *t = NULL;
	struct ds_err err;

	memset(&o, 0, sizeof(o));
	o.from_ym = 202409;
	o.to_ym = 202409;
	ST_EQ(report_timeliness(cdb, &o, &t, &err), DS_OK, &err);
	if (t == NULL)
		return;
	/* worker-1's visits in two villages; H5's draft is not there. */
	INT_EQ(report_table_nrows(t), 2);
	STR_EQ(report_table_cell(t, 0, 4), "worker-1");
	STR_EQ(report_table_cell(t, 0, 5), "2");	/* H1, H2 */
	STR_EQ(report_table_cell(t, 1, 5), "4");	/* H3 H4 H6 H7 */
	/* Saved 2025-11-23, visited 2024-09-02/03: 446.5 days. */
	STR_EQ(report_table_cell(t, 0, 6), "446.5");
	report_table_free(t);
}

/* Timeliness of months from .. to: its table (NULL on failure). */
static struct report_table *
time_table(int from, int to)
{
	struct report_time_opts o;
	struct report_table *t = NULL;
	struct ds_err err;

	memset(&o, 0, sizeof(o));
	o.from_ym = from;
	o.to_ym = to;
	o.area = "341802101202";
	ST_EQ(report_timeliness(cdb, &o, &t, &err), DS_OK, &err);
	return t;
}

/*
 * One record, several revisions across months: a draft in October, then
 * finalized in November (visited the 4th, finalized the 6th), corrected
 * and finalized again in December.  It counts once, in November, with
 * November's days; October and December do not show it.
 */
static void
test_timeliness_revisions(void)
{
	static const char *const when[3][2] = {
		{ "2024-10-30", "draft" },
		{ "2024-11-04", "finalized" },
		{ "2024-12-02", "finalized" },
	};
	struct report_table *t;
	struct sf_rev r[3];
	char a[1024], fin[32];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "{\"hh_id\":\"H7\",\"visit_date\":"
		    "\"%s\",\"visit_type\":\"routine\",\"consent\":\"yes\","
		    "\"township\":\"341802101\",\"village\":\"341802101202\","
		    "\"category\":\"none\",\"_meta\":{\"state\":\"%s\"}}",
		    when[i][0], when[i][1]);
		case_days_date(case_date_days(when[i][0]) + 2, fin);
		sf_rev(&r[i], &cdev, 21, (uint32_t)i + 1, i > 0 ?
		    r[i - 1].r.rev_id : NULL, a);
		/* Finalized (saved) two days after the visit, at noon. */
		r[i].r.saved_at = case_date_days(fin) * 86400 + 43200;
		import_revs(cdb, &co, &cdev, &r[i], NULL, 1);
	}
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	if ((t = time_table(202410, 202410)) != NULL)
		INT_EQ(report_table_nrows(t), 0);
	report_table_free(t);
	if ((t = time_table(202411, 202411)) != NULL &&
	    report_table_nrows(t) == 1) {
		STR_EQ(report_table_cell(t, 0, 5), "1");
		STR_EQ(report_table_cell(t, 0, 6), "2.0");
		STR_EQ(report_table_cell(t, 0, 7), "2.0");
	} else
		HARNESS_FAIL("november: no one row");
	report_table_free(t);
	if ((t = time_table(202412, 202412)) != NULL)
		INT_EQ(report_table_nrows(t), 0);
	report_table_free(t);
	if ((t = time_table(202411, 202412)) != NULL &&
	    report_table_nrows(t) == 1)
		STR_EQ(report_table_cell(t, 0, 5), "1");
	else
		HARNESS_FAIL("november to december: no one row");
	report_table_free(t);
}

static void
test_quality_new_rules(void)
{
	struct case_measure_in mi;
	struct case_row_why rw;
	struct ds_err err;
	unsigned char mid[CASE_ID_BYTES];
	char *csv;
	size_t len;

	/* H1 is monitored with an illness and no health measure... */
	cvisit(9, "H1", "341802101201", "2024-10-02", "review", "marginal",
	    ",\"risk_illness\":\"yes\",\"risk_school\":\"yes\","
	    "\"has_health\":\"no\",\"no_labour_hh\":\"yes\",\"n_dibao\":\"0\"",
	    "finalized");
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	csv = quality_csv(cdb, NULL, &len);
	if (getenv("DS_REPORT_DUMP") != NULL)
		printf("# %s\n", csv);
	OK(csv != NULL && strstr(csv, ",H1,,,2024-10-02,Risk without a "
	    "matching measure,risk_illness,Illness: no active measure of "
	    "health or social assistance,") != NULL);
	OK(csv != NULL && strstr(csv, "risk_school,Schooling costs: no "
	    "active measure of education or social assistance,") != NULL);
	OK(csv != NULL && strstr(csv, ",No labour and no dibao or tekun,"
	    "no_labour_hh,") != NULL);
	/* H2 is monitored too, but its record gives no risk. */
	OK(csv != NULL && strstr(csv, ",H2,") == NULL);
	ds_free(csv);
	/* The office adds a health measure: the illness problem is gone
	 * from the next run, and stays in the ledger until closed. */
	memset(&mi, 0, sizeof(mi));
	mi.key = "H1";
	mi.type = "health";
	mi.start = "2024-10-05";
	ST_EQ(odb_begin(cdb, &err), DS_OK, &err);
	ST_EQ(case_measure_add(cdb, &mi, mid, &rw, &err), DS_OK, &err);
	ST_EQ(odb_commit(cdb, &err), DS_OK, &err);
	setenv("DOORSTEP_FAKE_NOW", "1763966400", 1);
	csv = quality_csv(cdb, NULL, &len);
	OK(csv != NULL && strstr(csv, ",not found any more,") != NULL &&
	    strstr(csv, "risk_illness,Illness") != NULL);
	OK(csv != NULL && strstr(csv, ",open,") != NULL &&
	    strstr(csv, "risk_school,Schooling") != NULL);
	ds_free(csv);
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
}

static void
test_xlsx_numbers_titles_frozen_panes(void)
{
	struct report_case_info ri;
	struct report_table *t;
	struct ds_err err;
	char path[600], ref[16], v[64], idx[16];
	char *sheet = NULL, *sst = NULL;
	zip_t *z;
	size_t c, xrow;
	int ze, i;

	t = case_table(202409, 202409, "2024-10-10", &ri);
	if (t == NULL)
		return;
	report_table_set_title(t, "防止返贫动态监测月报表 2024年09月");
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
		OK(strstr(sheet, "<pane xSplit=\"4\" ySplit=\"3\" "
		    "topLeftCell=\"E4\" activePane=\"bottomRight\" "
		    "state=\"frozen\"/>") != NULL);
		OK(shared_index(sst, "Monitored at the start") >= 0);
		OK(shared_index(sst, "防止返贫动态监测月报表 2024年09月") >= 0);
		/* The totals row: every count a number equal to the table. */
		xrow = 3 + report_table_nrows(t);
		col_ref(1, xrow, ref, sizeof(ref));
		i = shared_index(sst, "Total");
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
		snprintf(ref, sizeof(ref), "<row r=\"%zu\"", xrow + 1);
		OK(strstr(sheet, ref) == NULL);
	}
	free(sheet);
	free(sst);
	zip_close(z);
	report_table_free(t);
}

static void
test_out_of_memory_is_clean(void)
{
	struct report_case_opts o;
	struct report_case_info ri;
	struct report_table *t;
	struct ds_err err;
	enum ds_status st;
	long n, step = getenv("DS_TORTURE") != NULL ? 1 : 7;
	int fails = 0;

	memset(&o, 0, sizeof(o));
	o.from_ym = o.to_ym = 202409;
	o.forms_dir = "forms";
	for (n = 1; n < 100000; n += step) {
		t = NULL;
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		st = report_case(cdb, &o, &t, &ri, &err);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (st == DS_OK) {
			OK(t != NULL);
			report_table_free(t);
			break;
		}
		OK(t == NULL);
		if (st != DS_ENOMEM && st != DS_ELIMIT && st != DS_EIO)
			HARNESS_FAIL("fault %ld: %s", n, err.msg);
		fails++;
	}
	OK(fails > 0);
}

static void
test_cli_reports(void)
{
	const char *bin = getenv("DOORSTEP_OFFICE");
	struct report_case_info ri;
	struct report_table *t;
	struct ds_err err;
	char cmd[2048], path[700], *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;

	if (bin == NULL)
		bin = "build/rel/doorstep-office";
	/* The command attaches DIR/settings.json: give it the test's. */
	snprintf(path, sizeof(path), "%s/settings.json", co.dir);
	ST_EQ(ds_file_write_atomic(path, case_settings,
	    sizeof(case_settings) - 1, 0644, &err), DS_OK, &err);
	snprintf(path, sizeof(path), "%s/cli.csv", tmp);
	snprintf(cmd, sizeof(cmd), "%s report monthly --lang en --dir %s "
	    "--month 2024-10 --cutoff 2024-11-10 --forms forms --out %s "
	    ">%s/out 2>&1", bin, co.dir, path, tmp);
	INT_EQ(run(cmd), 0);
	t = case_table(202410, 202410, "2024-11-10", &ri);
	if (t != NULL)
		ST_EQ(report_csv(t, &a, &la, &err), DS_OK, &err);
	report_table_free(t);
	ST_EQ(ds_file_read(path, 1 << 24, &b, &lb, &err), DS_OK, &err);
	OK(a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0);
	ds_free(a);
	ds_free(b);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-9 --out %s/x.csv >%s/out 2>&1", bin, co.dir, tmp, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s --month "
	    "2024-09 >%s/out 2>&1", bin, co.dir, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report weekly --dir %s >%s/out 2>&1",
	    bin, co.dir, tmp);
	INT_EQ(run(cmd), 64);
	snprintf(cmd, sizeof(cmd), "%s report monthly --dir %s/nowhere "
	    "--month 2024-09 --out %s/y.csv >%s/out 2>&1", bin, tmp, tmp, tmp);
	INT_EQ(run(cmd), 1);
	snprintf(cmd, sizeof(cmd), "%s report quality --dir %s --form "
	    "%s/none.md >%s/out 2>&1", bin, co.dir, tmp, tmp);
	INT_EQ(run(cmd), 1);
	/* September is frozen: --freeze again is refused. */
	snprintf(cmd, sizeof(cmd), "%s report monthly --lang en --dir %s "
	    "--month 2024-09 --freeze --out %s/f.csv >%s/out 2>&1", bin, co.dir,
	    tmp, tmp);
	INT_EQ(run(cmd), 1);
	snprintf(path, sizeof(path), "%s/out", tmp);
	ST_EQ(ds_file_read(path, 1 << 20, &a, &la, &err), DS_OK, &err);
	OK(a != NULL && strstr(a, "2024-09 was frozen on 2024-10-09") !=
	    NULL);
	ds_free(a);
	snprintf(cmd, sizeof(cmd), "DOORSTEP_LANG=zh %s report quality --dir %s --forms "
	    "forms >%s/q.txt 2>&1", bin, office.dir, tmp);
	INT_EQ(run(cmd), 0);
	snprintf(path, sizeof(path), "%s/q.txt", tmp);
	ST_EQ(ds_file_read(path, 1 << 20, &a, &la, &err), DS_OK, &err);
	OK(a != NULL && strstr(a, "问题台账") != NULL);
	OK(a != NULL && strstr(a, "3418021012010008") != NULL);
	ds_free(a);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	setenv("TZ", "UTC", 1);
	tzset();
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
	RUN(test_quality_ledger_matches_expected_csv);
	RUN(test_quality_close_stays_listed);
	RUN(test_quality_recheck_with_form);
	RUN(test_quality_duplicates_across_households);
	RUN(test_long_names_cut_whole);
	RUN(test_csv_quoting_and_bad_suffix);
	if (case_office() != 0) {
		printf("not ok case office\n");
		return 1;
	}
	RUN(test_monthly_counts_approvals_not_proposals);
	RUN(test_period_sums_the_months);
	RUN(test_cutoff_and_freeze);
	RUN(test_coverage_of_a_round);
	RUN(test_timeliness);
	RUN(test_quality_new_rules);
	RUN(test_xlsx_numbers_titles_frozen_panes);
	RUN(test_out_of_memory_is_clean);
	RUN(test_cli_reports);
	RUN(test_timeliness_revisions);	/* last: it adds a record */
	odb_close(cdb);
	oset_free(cset);
	sf_device_free(&cdev);
	sf_office_free(&co);
	odb_close(db);
	sf_office_free(&office);
	while (nrevs > 0)
		ds_free(revs[--nrevs].answers);
	return harness_done();
}
