/* doorstep: tests for the .xlsx reader: same model as markdown. */
/*
 * Forms are written once as tables, rendered to pyxform markdown and to a
 * workbook (libxlsxwriter), loaded both ways and compared field by field.
 * A hand-built workbook (libzip) covers what libxlsxwriter never writes:
 * inline strings, rich-text and phonetic runs, gaps in cell references,
 * other namespace prefixes, the 1904 date system, odd number formats.
 */
#include "harness.h"
#include "support/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "buf.h"
#include "form.h"
#include "mdtable.h"
#include "mem.h"
#include "util.h"
#include "xls.h"
#include "xlsx.h"

static const char *tmp;
static struct form_diags diags;

/* A table: rows of cells, NULL-terminated; a row's first cell is the sheet
 * name on the header row and "" on data rows; "#n" marks a number cell,
 * "#b" a boolean cell, "#d" a date cell (value follows; a date cell's
 * value is the text it must load as: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS or
 * HH:MM:SS, written as a date serial with a matching number format). */
#define ROWEND	NULL
struct trow {
	const char	*c[12];
};

static const struct trow household[] = {
	{ { "survey", "type", "name", "label::中文 (zh)",
	    "label::English (en)", "relevant", "required", "constraint",
	    "choice_filter", "parameters", "appearance", ROWEND } },
	{ { "", "select_one yes_no", "consent", "同意吗？", "Agree?", "",
	    "#bTRUE", "", "", "", "minimal", ROWEND } },
	{ { "", "begin group", "addr", "地址", "Address",
	    "${consent} = 'yes'", "", "", "", "", "field-list", ROWEND } },
	{ { "", "select_one_from_file villages.csv", "village", "村",
	    "Village", "", "yes", "", "township = 't1'", "", "", ROWEND } },
	{ { "", "integer", "hhno", "户号", "Household no.", "", "yes",
	    ". > 0", "", "", "", ROWEND } },
	{ { "", "end group", "", "", "", "", "", "", "", "", "", ROWEND } },
	{ { "", "begin repeat", "member", "成员", "Member", "", "", "", "",
	    "", "", ROWEND } },
	{ { "", "begin group", "who", "身份", "Who", "", "", "", "", "", "",
	    ROWEND } },
	{ { "", "begin group", "idg", "证件", "ID", "", "", "", "", "", "",
	    ROWEND } },
	{ { "", "text", "idno", "身份证号", "ID number", "", "", "", "", "",
	    "", ROWEND } },
	{ { "", "end group", "", "", "", "", "", "", "", "", "", ROWEND } },
	{ { "", "end group", "", "", "", "", "", "", "", "", "", ROWEND } },
	{ { "", "select_multiple health", "hl", "健康", "Health", "", "",
	    "", "", "randomize=true", "", ROWEND } },
	{ { "", "end repeat", "", "", "", "", "", "", "", "", "", ROWEND } },
	{ { "choices", "list_name", "name", "label::中文 (zh)",
	    "label::English (en)", "group", ROWEND } },
	{ { "", "yes_no", "yes", "是", "Yes", "", ROWEND } },
	{ { "", "yes_no", "no", "否", "No", "", ROWEND } },
	{ { "", "health", "ok", "健康", "Healthy", "a", ROWEND } },
	{ { "", "health", "sick", "患病", "Ill", "b", ROWEND } },
	{ { "settings", "form_id", "version", "default_language",
	    "household_key", "consent", "instance_name", ROWEND } },
	{ { "", "hh", "#n2026082201", "中文 (zh)", "hhno", "consent",
	    "concat('户', ${hhno})", ROWEND } },
	{ { NULL } }
};

static const char villages_csv[] = "name,label,township\n"
    "v1,一村,t1\nv2,二村,t2\n";

/* Render the table as markdown (header on the sheet-name line). */
static char *
to_md(const struct trow *t)
{
	static char buf[16384];
	char *p = buf;
	size_t i, j;

	for (i = 0; t[i].c[0] != NULL; i++) {
		p += sprintf(p, "| %s ", t[i].c[0]);
		for (j = 1; t[i].c[j] != NULL; j++) {
			const char *v = t[i].c[j];

			if (v[0] == '#' && (v[1] == 'n' || v[1] == 'b' ||
			    v[1] == 'd'))
				v += 2;
			p += sprintf(p, "| %s ", v);
		}
		p += sprintf(p, "|\n");
	}
	return buf;
}

/* A "#d" value as a datetime and the format Excel would give it. */
static lxw_format *
date_cell(lxw_workbook *wb, const char *v, lxw_datetime *dt)
{
	lxw_format *f = workbook_add_format(wb);

	memset(dt, 0, sizeof(*dt));
	if (strlen(v) == 8) {
		/* a time alone: day 0 */
		OK(sscanf(v, "%d:%d:%lf", &dt->hour, &dt->min, &dt->sec) ==
		    3);
		format_set_num_format(f, "hh:mm:ss");
	} else if (strlen(v) == 10) {
		OK(sscanf(v, "%d-%d-%d", &dt->year, &dt->month, &dt->day) ==
		    3);
		format_set_num_format(f, "yyyy\\-mm\\-dd");
	} else {
		OK(sscanf(v, "%d-%d-%dT%d:%d:%lf", &dt->year, &dt->month,
		    &dt->day, &dt->hour, &dt->min, &dt->sec) == 6);
		format_set_num_format(f, "yyyy-mm-dd hh:mm:ss");
	}
	return f;
}

/* Write the table as a workbook with libxlsxwriter. */
static void
to_xlsx(const struct trow *t, const char *path)
{
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *ws = NULL;
	lxw_datetime dt;
	lxw_format *fmt;
	size_t i, j, r = 0;

	for (i = 0; t[i].c[0] != NULL; i++) {
		if (t[i].c[0][0] != '\0') {
			ws = workbook_add_worksheet(wb, t[i].c[0]);
			r = 0;
		}
		for (j = 1; t[i].c[j] != NULL; j++) {
			const char *v = t[i].c[j];

			if (v[0] == '\0')
				continue;
			if (v[0] == '#' && v[1] == 'n')
				worksheet_write_number(ws, (lxw_row_t)r,
				    (lxw_col_t)(j - 1), atof(v + 2), NULL);
			else if (v[0] == '#' && v[1] == 'b')
				worksheet_write_boolean(ws, (lxw_row_t)r,
				    (lxw_col_t)(j - 1),
				    strcmp(v + 2, "TRUE") == 0, NULL);
			else if (v[0] == '#' && v[1] == 'd') {
				fmt = date_cell(wb, v + 2, &dt);
				worksheet_write_datetime(ws, (lxw_row_t)r,
				    (lxw_col_t)(j - 1), &dt, fmt);
			} else
				worksheet_write_string(ws, (lxw_row_t)r,
				    (lxw_col_t)(j - 1), v, NULL);
		}
		r++;
	}
	OK(workbook_close(wb) == LXW_NO_ERROR);
}

/* Compare two forms, ignoring line numbers and the source name. */
static int
text_eq(const struct form *a, const struct form_text *x,
    const struct form *b, const struct form_text *y)
{
	size_t i;

	if (a->nlangs != b->nlangs)
		return 0;
	for (i = 0; i < a->nlangs; i++) {
		const char *p = x->v ? x->v[i] : NULL;
		const char *q = y->v ? y->v[i] : NULL;

		if (p == NULL ? q != NULL : q == NULL || strcmp(p, q) != 0)
			return 0;
	}
	return 1;
}

static int
str_eq(const char *p, const char *q)
{
	return p == NULL ? q == NULL : q != NULL && strcmp(p, q) == 0;
}

static int
kvs_eq(const struct form_kv *a, size_t na, const struct form_kv *b,
    size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (!str_eq(a[i].key, b[i].key) ||
		    !str_eq(a[i].value, b[i].value))
			return 0;
	return 1;
}

/* Say what differs, for form_equal's caller. */
static int
mismatch(char *why, size_t whyn, const char *what)
{
	snprintf(why, whyn, "%s", what);
	return 0;
}

static int
form_equal(const struct form *a, const struct form *b, char *why,
    size_t whyn)
{
	const struct form_node *x, *y;
	size_t i, j;

	if (!(str_eq(a->id, b->id) && str_eq(a->version, b->version) &&
	    str_eq(a->title, b->title) &&
	    str_eq(a->instance_name, b->instance_name) &&
	    str_eq(a->household_key, b->household_key) &&
	    str_eq(a->consent, b->consent)))
		return mismatch(why, whyn, "settings fields");
	if (!(a->nlangs == b->nlangs && a->default_lang == b->default_lang))
		return mismatch(why, whyn, "languages");
	for (i = 0; i < a->nlangs; i++)
		if (!(strcmp(a->langs[i], b->langs[i]) == 0))
			return mismatch(why, whyn, "language name");
	if (!(kvs_eq(a->settings, a->nsettings, b->settings, b->nsettings)))
		return mismatch(why, whyn, "settings");
	if (!(a->nnodes == b->nnodes))
		return mismatch(why, whyn, "node count");
	for (i = 0; i < a->nnodes; i++) {
		x = a->nodes[i];
		y = b->nodes[i];
		snprintf(why, whyn, "node %zu", i);
		if (x->type != y->type || !str_eq(x->name, y->name) ||
		    x->depth != y->depth || x->nkids != y->nkids ||
		    (x->parent == NULL) != (y->parent == NULL) ||
		    (x->parent && x->parent->index != y->parent->index) ||
		    !text_eq(a, &x->label, b, &y->label) ||
		    !text_eq(a, &x->hint, b, &y->hint) ||
		    !text_eq(a, &x->required_msg, b, &y->required_msg) ||
		    !text_eq(a, &x->constraint_msg, b, &y->constraint_msg) ||
		    !text_eq(a, &x->warning_msg, b, &y->warning_msg) ||
		    !str_eq(x->required, y->required) ||
		    !str_eq(x->constraint, y->constraint) ||
		    !str_eq(x->warning, y->warning) ||
		    !str_eq(x->relevant, y->relevant) ||
		    !str_eq(x->calculation, y->calculation) ||
		    !str_eq(x->default_value, y->default_value) ||
		    !str_eq(x->choice_filter, y->choice_filter) ||
		    !str_eq(x->repeat_count, y->repeat_count) ||
		    !str_eq(x->read_only, y->read_only) ||
		    !str_eq(x->trigger, y->trigger) ||
		    !str_eq(x->appearance, y->appearance) ||
		    !kvs_eq(x->params, x->nparams, y->params, y->nparams) ||
		    x->list != y->list || x->or_other != y->or_other ||
		    x->from_file != y->from_file)
			return 0;
	}
	if (!(a->nlists == b->nlists))
		return mismatch(why, whyn, "list count");
	for (i = 0; i < a->nlists; i++) {
		const struct form_list *l = &a->lists[i], *m = &b->lists[i];

		if (!(str_eq(l->name, m->name) && str_eq(l->file, m->file) &&
		    l->nchoices == m->nchoices))
			return mismatch(why, whyn, "list");
		for (j = 0; j < l->nchoices; j++)
			if (!(str_eq(l->choices[j].name, m->choices[j].name) &&
			    text_eq(a, &l->choices[j].label, b,
			    &m->choices[j].label) &&
			    kvs_eq(l->choices[j].extra, l->choices[j].nextra,
			    m->choices[j].extra, m->choices[j].nextra)))
				return mismatch(why, whyn, "choice");
	}
	return 1;
}

static void
print_diags(void)
{
	char buf[512];
	size_t i;

	for (i = 0; i < diags.n; i++) {
		form_diag_format(&diags.v[i], buf, sizeof(buf));
		printf("# %s\n", buf);
	}
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	OK(ds_file_write_atomic(path, data, len, 0600, NULL) == DS_OK);
}

static void
test_md_and_xlsx_give_the_same_model(void)
{
	char mdp[512], xp[512], why[64] = "";
	const char *md = to_md(household);
	struct form *a = NULL, *b = NULL;

	snprintf(mdp, sizeof(mdp), "%s/hh.md", tmp);
	snprintf(xp, sizeof(xp), "%s/hh.xlsx", tmp);
	write_file("hh.md", md, strlen(md));
	write_file("villages.csv", villages_csv, strlen(villages_csv));
	to_xlsx(household, xp);
	form_diags_reset(&diags);
	ST_EQ(form_load_file(mdp, &a, &diags), DS_OK, NULL);
	ST_EQ(form_load_file(xp, &b, &diags), DS_OK, NULL);
	print_diags();
	INT_EQ(diags.n, 0);
	if (a == NULL || b == NULL)
		goto out;
	if (!form_equal(a, b, why, sizeof(why)))
		HARNESS_FAIL("models differ: %s", why);
	/* Spot checks, so that equal-but-empty cannot pass. */
	INT_EQ(b->nnodes, 10);
	STR_EQ(b->version, "2026082201");
	STR_EQ(form_find(b, "consent")->required, "true()");
	STR_EQ(form_text_get(b, &form_find(b, "idno")->label, 1),
	    "ID number");
	INT_EQ(form_find(b, "idno")->depth, 4);
	INT_EQ(b->lists[form_find(b, "village")->list].nchoices, 2);
	/* xlsx lines are row numbers. */
	INT_EQ(form_find(b, "hhno")->line, 5);
	INT_EQ(b->lists[0].choices[1].line, 3);
	INT_EQ(form_find(a, "hhno")->line, 5);
out:
	form_free(a);
	form_free(b);
	form_diags_reset(&diags);
}

/* Build a zip from (name, content) pairs; returns a ds_malloc'd copy. */
static char *
make_zip(const char *const *parts, size_t *len)
{
	char path[512];
	zip_t *z;
	zip_source_t *s;
	char *data = NULL;
	size_t i;
	int err;
	static int seq;

	snprintf(path, sizeof(path), "%s/hand%d.xlsx", tmp, seq++);
	z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
	OK(z != NULL);
	for (i = 0; parts[i] != NULL; i += 2) {
		s = zip_source_buffer(z, parts[i + 1], strlen(parts[i + 1]),
		    0);
		OK(zip_file_add(z, parts[i], s, ZIP_FL_ENC_UTF_8) >= 0);
	}
	OK(zip_close(z) == 0);
	OK(ds_file_read(path, 1u << 20, &data, len, NULL) == DS_OK);
	return data;
}

static const char wb_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<x:workbook xmlns:x=\"http://schemas.openxmlformats.org/"
    "spreadsheetml/2006/main\" xmlns:rel=\"http://schemas.openxmlformats."
    "org/officeDocument/2006/relationships\"><x:sheets>"
    "<x:sheet name=\"Survey\" sheetId=\"1\" rel:id=\"rA\"/>"
    "<x:sheet name=\"choices\" sheetId=\"2\" rel:id=\"rB\"/>"
    "</x:sheets></x:workbook>";
static const char rels_xml[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/"
    "2006/relationships\">"
    "<Relationship Id=\"rA\" Type=\"t\" Target=\"worksheets/a.xml\"/>"
    "<Relationship Id=\"rB\" Type=\"t\" Target=\"/xl/worksheets/b.xml\"/>"
    "</Relationships>";
static const char ss_xml[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
    "main\"><si><t>type</t></si><si><t xml:space=\"preserve\"> name "
    "</t></si><si><r><t>la</t></r><r><rPr/><t>bel</t></r>"
    "<rPh><t>ignored</t></rPh></si><si><t/></si></sst>";
static const char a_xml[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\">"
    "<v>1</v></c><c r=\"D1\" t=\"s\"><v>2</v></c></row>"
    "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>text</t></is></c>"
    "<c r=\"B4\" t=\"inlineStr\"><is><r><t>q</t></r><r><t>1</t></r>"
    "</is></c><c r=\"C4\" t=\"s\"><v>3</v></c>"
    "<c r=\"D4\" t=\"inlineStr\"><is><t>  第一\xc2\xa0&amp; \xe3\x80\x80</t>"
    "</is></c></row>"
    "<row><c t=\"str\"><f>\"sel\"</f><v>select_one l</v></c><c "
    "t=\"str\"><v>q2</v></c><c/><c t=\"inlineStr\"><is><t>Q2</t></is></c></row>"
    "</sheetData></worksheet>";
static const char b_xml[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>list_name</t></is>"
    "</c><c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c>"
    "<c r=\"C1\" t=\"inlineStr\"><is><t>label</t></is></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>l</t></is></c>"
    "<c r=\"B2\"><v>1</v></c><c r=\"C2\" t=\"b\"><v>1</v></c></row>"
    "</sheetData></worksheet>";

static void
test_hand_built_workbook(void)
{
	const char *parts[] = {
	    "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/sharedStrings.xml", ss_xml,
	    "xl/worksheets/a.xml", a_xml,
	    "xl/worksheets/b.xml", b_xml,
	    NULL };
	struct xls_opts o = { "hand.xlsx", NULL, NULL };
	struct form *f = NULL;
	const struct form_node *n;
	size_t len;
	char *data = make_zip(parts, &len);

	form_diags_reset(&diags);
	ST_EQ(form_load_xlsx(data, len, &o, &f, &diags), DS_OK, NULL);
	print_diags();
	if (f != NULL) {
		n = form_find(f, "q1");
		OK(n != NULL && n->type == FT_TEXT && n->line == 4);
		STR_EQ(n ? form_text_get(f, &n->label, 0) : NULL,
		    "第一 &");
		n = form_find(f, "q2");
		OK(n != NULL && n->type == FT_SELECT_ONE && n->line == 5);
		STR_EQ(n ? form_text_get(f, &n->label, 0) : NULL, "Q2");
		STR_EQ(f->lists[0].choices[0].name, "1");
		STR_EQ(form_text_get(f, &f->lists[0].choices[0].label, 0),
		    "TRUE");
		STR_EQ(f->id, "hand");
	}
	form_free(f);
	ds_free(data);
	form_diags_reset(&diags);
}

/* pyxform replaces U+00A0 in every text value below the header
 * (xlsx_value_to_str); openpyxl gives shared strings as text too. */
static const char nb_ss_xml[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
    "main\"><si><t>type</t></si><si><t>name</t></si><si><t>label</t></si>"
    "<si><t>text</t></si><si><t>q1</t></si>"
    "<si><t>\xe7\xac\xac\xe4\xb8\x80\xc2\xa0\xe4\xba\x8c</t></si></sst>";
static const char nb_a_xml[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><sheetData>"
    "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\">"
    "<v>1</v></c><c r=\"C1\" t=\"s\"><v>2</v></c></row>"
    "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>3</v></c><c r=\"B2\" t=\"s\">"
    "<v>4</v></c><c r=\"C2\" t=\"s\"><v>5</v></c></row>"
    "</sheetData></worksheet>";

static void
test_shared_string_nbsp(void)
{
	const char *parts[] = {
	    "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/sharedStrings.xml", nb_ss_xml,
	    "xl/worksheets/a.xml", nb_a_xml,
	    "xl/worksheets/b.xml", b_xml,
	    NULL };
	struct xls_opts o = { "nbsp.xlsx", NULL, NULL };
	struct form *f = NULL;
	const struct form_node *n;
	size_t len;
	char *data = make_zip(parts, &len);

	form_diags_reset(&diags);
	ST_EQ(form_load_xlsx(data, len, &o, &f, &diags), DS_OK, NULL);
	print_diags();
	if (f != NULL) {
		n = form_find(f, "q1");
		OK(n != NULL);
		STR_EQ(n ? form_text_get(f, &n->label, 0) : NULL,
		    "\xe7\xac\xac\xe4\xb8\x80 \xe4\xba\x8c");
	}
	form_free(f);
	ds_free(data);
	form_diags_reset(&diags);
}

static void
bad_workbook(const char *const *parts, const char *want)
{
	struct xls_opts o = { "bad.xlsx", NULL, NULL };
	struct form *f = NULL;
	size_t len;
	char *data = make_zip(parts, &len), buf[512] = "";

	form_diags_reset(&diags);
	OK(form_load_xlsx(data, len, &o, &f, &diags) != DS_OK);
	OK(f == NULL);
	if (diags.n > 0)
		form_diag_format(&diags.v[0], buf, sizeof(buf));
	STR_EQ(buf, want);
	ds_free(data);
	form_diags_reset(&diags);
}

static void
test_bad_workbooks(void)
{
	struct xls_opts o = { "bad.xlsx", NULL, NULL };
	struct form *f = NULL;
	char buf[512] = "";
	const char *nowb[] = { "xl/other.xml", "<a/>", NULL };
	const char *doctype[] = { "xl/workbook.xml",
	    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><workbook/>",
	    "xl/_rels/workbook.xml.rels", rels_xml, NULL };
	const char *badxml[] = { "xl/workbook.xml", "<workbook><sheets>",
	    NULL };
	const char *norel[] = { "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", "<Relationships/>", NULL };
	const char *badss[] = { "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/worksheets/a.xml", a_xml, "xl/worksheets/b.xml", b_xml,
	    NULL };
	const char *badref[] = { "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/worksheets/a.xml", "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"1A\"><v>1</v></c></row></sheetData></worksheet>",
	    "xl/worksheets/b.xml", b_xml, NULL };
	const char *widecol[] = { "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/worksheets/a.xml", "<worksheet><sheetData><row r=\"3\">"
	    "<c r=\"IW3\"><v>1</v></c></row></sheetData></worksheet>",
	    "xl/worksheets/b.xml", b_xml, NULL };

	form_diags_reset(&diags);
	ST_EQ(form_load_xlsx("not a zip at all", 16, &o, &f, &diags),
	    DS_EPARSE, NULL);
	if (diags.n > 0)
		form_diag_format(&diags.v[0], buf, sizeof(buf));
	OK(strncmp(buf, "bad.xlsx: error: not an .xlsx workbook: ", 40) ==
	    0);
	bad_workbook(nowb, "bad.xlsx: error: not an XLSForm workbook: "
	    "xl/workbook.xml is missing");
	bad_workbook(doctype, "bad.xlsx: error: workbook part has a "
	    "DOCTYPE, which is not allowed");
	bad_workbook(badxml, "bad.xlsx: error: workbook.xml: XML error at "
	    "line 1: no element found");
	bad_workbook(norel, "bad.xlsx: error: sheet 'Survey' has no part in "
	    "workbook.xml.rels");
	bad_workbook(badss, "bad.xlsx:1: error: sheet 'Survey': shared "
	    "string index '0' out of range");
	bad_workbook(badref, "bad.xlsx:1: error: sheet 'Survey': bad cell "
	    "reference '1A'");
	bad_workbook(widecol, "bad.xlsx:3: error: sheet 'Survey': too many "
	    "columns (limit 256)");
}

/*
 * Dates typed into cells (Excel stores a serial number and a date format)
 * load as the text a markdown form holds: a date default, a dateTime and
 * a time default, a date as a choice label; booleans and numbers too.
 */
static const struct trow dated[] = {
	{ { "survey", "type", "name", "label", "default", "constraint",
	    "required", ROWEND } },
	{ { "", "date", "visit", "Visit", "#d2026-01-01",
	    ". >= date('2026-01-01')", "#bTRUE", ROWEND } },
	{ { "", "dateTime", "seen", "Seen", "#d2026-01-01T08:30:00", "",
	    "#bFALSE", ROWEND } },
	{ { "", "time", "at", "At", "#d08:30:00", "", "", ROWEND } },
	{ { "", "integer", "n", "#n42", "#n3", ". < 1.5", "", ROWEND } },
	{ { "", "decimal", "w", "W", "#n1.5", "", "", ROWEND } },
	{ { "", "select_one yn", "yn", "Yes?", "", "", "", ROWEND } },
	{ { "choices", "list_name", "name", "label", ROWEND } },
	{ { "", "yn", "yes", "#d2024-02-29", ROWEND } },
	{ { "", "yn", "no", "#d1900-03-01", ROWEND } },
	{ { "settings", "form_id", "version", ROWEND } },
	{ { "", "dated", "#n2026082201", ROWEND } },
	{ { NULL } }
};

static void
test_date_cells_load_as_dates(void)
{
	char mdp[512], xp[512], why[64] = "";
	const char *md = to_md(dated);
	struct form *a = NULL, *b = NULL;
	const struct form_node *n;

	snprintf(mdp, sizeof(mdp), "%s/dated.md", tmp);
	snprintf(xp, sizeof(xp), "%s/dated.xlsx", tmp);
	write_file("dated.md", md, strlen(md));
	to_xlsx(dated, xp);
	form_diags_reset(&diags);
	ST_EQ(form_load_file(mdp, &a, &diags), DS_OK, NULL);
	ST_EQ(form_load_file(xp, &b, &diags), DS_OK, NULL);
	print_diags();
	INT_EQ(diags.n, 0);
	if (a == NULL || b == NULL)
		goto out;
	if (!form_equal(a, b, why, sizeof(why)))
		HARNESS_FAIL("models differ: %s", why);
	n = form_find(b, "visit");
	STR_EQ(n ? n->default_value : NULL, "2026-01-01");
	STR_EQ(n ? n->required : NULL, "true()");
	n = form_find(b, "seen");
	STR_EQ(n ? n->default_value : NULL, "2026-01-01T08:30:00");
	n = form_find(b, "at");
	STR_EQ(n ? n->default_value : NULL, "08:30:00");
	n = form_find(b, "n");
	STR_EQ(n ? n->default_value : NULL, "3");
	STR_EQ(n ? form_text_get(b, &n->label, 0) : NULL, "42");
	STR_EQ(b->lists[0].nchoices == 2 ? form_text_get(b,
	    &b->lists[0].choices[0].label, 0) : NULL, "2024-02-29");
	STR_EQ(b->lists[0].nchoices == 2 ? form_text_get(b,
	    &b->lists[0].choices[1].label, 0) : NULL, "1900-03-01");
out:
	form_free(a);
	form_free(b);
	form_diags_reset(&diags);
}

/* Number formats the way other writers and Excel's locales store them. */
static const char st_wb_xml[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/"
    "officeDocument/2006/relationships\"><workbookPr date1904=\"true\"/>"
    "<sheets><sheet name=\"Survey\" sheetId=\"1\" r:id=\"rA\"/></sheets>"
    "</workbook>";
static const char st_rels_xml[] =
    "<Relationships><Relationship Id=\"rA\" Target=\"worksheets/a.xml\"/>"
    "</Relationships>";
static const char st_styles_xml[] =
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><numFmts count=\"5\">"
    "<numFmt numFmtId=\"164\" formatCode=\"yyyy&quot;年&quot;m&quot;月"
    "&quot;d&quot;日&quot;\"/>"
    "<numFmt numFmtId=\"165\" formatCode=\"0.00&quot; kg&quot;\"/>"
    "<numFmt numFmtId=\"166\" formatCode=\"[h]:mm\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"yyyy-mm-dd\"/>"
    "<numFmt numFmtId=\"167\" formatCode=\"[Red]0.00\"/>"
    "<numFmt numFmtId=\"20\" formatCode=\"0.0\"/>"
    "</numFmts>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
    "<cellXfs count=\"10\"><xf/><xf numFmtId=\"164\" applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"165\"/><xf numFmtId=\"166\"/><xf numFmtId=\"14\"/>"
    "<xf numFmtId=\"22\"/><xf numFmtId=\"167\"/><xf numFmtId=\"31\"/>"
    "<xf numFmtId=\"168\"/><xf numFmtId=\"20\"/></cellXfs>"
    "<dxfs count=\"1\"><dxf><numFmt numFmtId=\"168\" formatCode=\"yyyy\"/>"
    "</dxf></dxfs></styleSheet>";
static const char st_ss_xml[] =
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/"
    "main\"><si><t>a_x005F_x000D_b_x000D_</t></si><si><t>44561</t></si>"
    "</sst>";
static const char st_a_xml[] =
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/"
    "2006/main\"><sheetData><row r=\"1\">"
    "<c r=\"A1\" s=\"1\"><v>44561</v></c>"		/* custom date */
    "<c r=\"B1\" s=\"2\"><v>44561</v></c>"		/* "0.00 kg" */
    "<c r=\"C1\" s=\"3\"><v>1.0833333333333333</v></c>" /* [h]:mm */
    "<c r=\"D1\" s=\"4\"><v>44561.5</v></c>"		/* built-in 14 */
    "<c r=\"E1\" s=\"5\"><v>44561</v></c>"		/* built-in 22 */
    "<c r=\"F1\" s=\"6\"><v>44561</v></c>"		/* last 167 wins */
    "<c r=\"G1\" s=\"7\"><v>44561</v></c>"		/* zh-cn 31 */
    "<c r=\"H1\" s=\"8\"><v>44561</v></c>"		/* a dxf's id */
    "<c r=\"I1\" s=\"99\"><v>44561</v></c>"		/* no such xf */
    "<c r=\"J1\"><v>1.0</v></c>"
    "<c r=\"K1\" t=\"b\"><v>0</v></c>"
    "<c r=\"L1\" t=\"d\"><v>2026-01-01T08:30:00Z</v></c>"
    "<c r=\"M1\" t=\"s\"><v>0</v></c>"
    "<c r=\"N1\" t=\"inlineStr\"><is><r><t>x</t></r><r><t>_x005F_y</t>"
    "</r></is></c>"
    "<c r=\"O1\" s=\"1\" t=\"s\"><v>1</v></c>"	/* text stays text */
    "<c r=\"P1\" s=\"1\"><v>0.5</v></c>"		/* below 1: time */
    "<c r=\"Q1\" s=\"9\"><v>0.5</v></c>"		/* 20 redefined */
    "<c r=\"R1\"><v>0.30000000000000004</v></c>"
    "<c r=\"S1\" t=\"b\"><v>1</v></c>"
    "<c r=\"T1\" t=\"str\"><v>1.0</v></c>"		/* formula text */
    "</row></sheetData></worksheet>";

static void
test_number_formats_and_cell_types(void)
{
	const char *parts[] = {
	    "xl/workbook.xml", st_wb_xml,
	    "xl/_rels/workbook.xml.rels", st_rels_xml,
	    "xl/styles.xml", st_styles_xml,
	    "xl/sharedStrings.xml", st_ss_xml,
	    "xl/worksheets/a.xml", st_a_xml,
	    NULL };
	static const char *const want[] = {
	    "2026-01-01", "44561", "1 day, 2:00:00", "2026-01-01T12:00:00",
	    "2026-01-01T00:00:00", "44561", "2026-01-01", "44561", "44561",
	    "1", "FALSE", "2026-01-01T08:30:00", "a_x000D_b_x000D_",
	    "x_x005F_y", "44561", "12:00:00", "0.5", "0.30000000000000004",
	    "TRUE", "1.0" };
	struct xls_book *book = NULL;
	const struct xls_row *row;
	size_t len, i;
	char *data = make_zip(parts, &len);

	form_diags_reset(&diags);
	ST_EQ(xlsx_parse(data, len, "st.xlsx", &book, &diags), DS_OK, NULL);
	print_diags();
	if (book == NULL || book->nsheets != 1 ||
	    book->sheets[0].nrows != 1) {
		HARNESS_FAIL("no book or not one row");
		goto out;
	}
	row = &book->sheets[0].rows[0];
	INT_EQ(row->ncells, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < row->ncells && i < sizeof(want) / sizeof(want[0]);
	    i++)
		if (row->cells[i] == NULL || strcmp(row->cells[i], want[i]))
			HARNESS_FAIL("cell %c1: '%s', want '%s'", (int)('A' + i),
			    row->cells[i] ? row->cells[i] : "(null)", want[i]);
out:
	xls_book_free(book);
	ds_free(data);
	form_diags_reset(&diags);
}

/* A workbook of one sheet a.xml; styles.xml only if st is not NULL. */
static void
bad_sheet(const char *wb, const char *st, const char *sheet,
    const char *want)
{
	const char *parts[] = {
	    "xl/workbook.xml", wb,
	    "xl/_rels/workbook.xml.rels", st_rels_xml,
	    "xl/worksheets/a.xml", sheet,
	    st ? "xl/styles.xml" : NULL, st,
	    NULL };

	bad_workbook(parts, want);
}

/* head, then n times pre + number + post (pre alone if post is NULL),
 * then tail. */
static char *
repeat(const char *head, const char *pre, const char *post, size_t n,
    const char *tail)
{
	struct ds_buf b;
	size_t i;

	ds_buf_init(&b, 16u << 20);
	OK(ds_buf_adds(&b, head) == DS_OK);
	for (i = 0; i < n; i++)
		if (post == NULL)
			OK(ds_buf_adds(&b, pre) == DS_OK);
		else
			OK(ds_buf_printf(&b, "%s%zu%s", pre, i, post) ==
			    DS_OK);
	OK(ds_buf_adds(&b, tail) == DS_OK);
	return ds_buf_take(&b, NULL);
}

static void
test_bad_dates_and_styles(void)
{
	static const char one_xf[] = "<styleSheet><cellXfs><xf/>"
	    "<xf numFmtId=\"14\"/></cellXfs></styleSheet>";
	static const char wb1900[] =
	    "<workbook xmlns:r=\"urn:r\"><sheets><sheet name=\"Survey\" "
	    "r:id=\"rA\"/></sheets></workbook>";
	char *many_xf, *many_fmt, *long_fmt;

	bad_sheet(wb1900, one_xf, "<worksheet><sheetData><row r=\"2\">"
	    "<c r=\"C2\" s=\"1\"><v>-1</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:2: error: sheet 'Survey' cell C2: date '-1' is a "
	    "negative date, which Excel cannot show");
	bad_sheet(wb1900, one_xf, "<worksheet><sheetData><row r=\"7\">"
	    "<c r=\"AB7\" s=\"1\"><v>60</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:7: error: sheet 'Survey' cell AB7: date '60' is "
	    "1900-02-29, a day that never was (Excel's 1900 leap-year error)");
	bad_sheet(wb1900, one_xf, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"A1\" s=\"1\"><v>3e6</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:1: error: sheet 'Survey' cell A1: date '3e6' is a date "
	    "after 9999-12-31");
	bad_sheet(wb1900, NULL, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"B1\"><v>abc</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:1: error: sheet 'Survey' cell B1: number 'abc' is not "
	    "a number");
	bad_sheet(wb1900, one_xf, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"B1\" s=\"1\"><v>abc</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:1: error: sheet 'Survey' cell B1: number 'abc' is not "
	    "a number");
	bad_sheet(wb1900, NULL, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"A1\" t=\"b\"><v>yes</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:1: error: sheet 'Survey' cell A1: boolean 'yes' is not "
	    "a number");
	bad_sheet(wb1900, NULL, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"A1\" t=\"d\"><v>2026-02-30</v></c></row></sheetData>"
	    "</worksheet>", "bad.xlsx:1: error: sheet 'Survey' cell A1: date "
	    "'2026-02-30' is not an ISO 8601 date or time");
	bad_sheet(wb1900, one_xf, "<worksheet><sheetData><row r=\"1\">"
	    "<c r=\"A1\" s=\"-1\"><v>1</v></c></row></sheetData></worksheet>",
	    "bad.xlsx:1: error: sheet 'Survey': bad style index '-1'");
	bad_sheet("<workbook xmlns:r=\"urn:r\"><workbookPr date1904=\"yes\"/>"
	    "<sheets><sheet name=\"Survey\" r:id=\"rA\"/></sheets></workbook>",
	    NULL, "<worksheet/>", "bad.xlsx: error: workbook.xml: bad "
	    "date1904 value 'yes'");
	bad_sheet(wb1900, "<styleSheet><numFmts><numFmt numFmtId=\"x\" "
	    "formatCode=\"y\"/></numFmts></styleSheet>", "<worksheet/>",
	    "bad.xlsx: error: styles.xml: number format without a numFmtId "
	    "and formatCode");
	bad_sheet(wb1900, "<styleSheet><numFmts><numFmt numFmtId=\"170\"/>"
	    "</numFmts></styleSheet>", "<worksheet/>",
	    "bad.xlsx: error: styles.xml: number format without a numFmtId "
	    "and formatCode");
	bad_sheet(wb1900, "<styleSheet><cellXfs><xf numFmtId=\"-3\"/>"
	    "</cellXfs></styleSheet>", "<worksheet/>",
	    "bad.xlsx: error: styles.xml: cell format 0 has a bad numFmtId "
	    "'-3'");
	bad_sheet(wb1900, "<styleSheet><cellXfs><xf>", "<worksheet/>",
	    "bad.xlsx: error: styles.xml: XML error at line 1: no element "
	    "found");
	many_xf = repeat("<styleSheet><cellXfs>", "<xf numFmtId=\"",
	    "\"/>", 65537, "</cellXfs></styleSheet>");
	bad_sheet(wb1900, many_xf, "<worksheet/>", "bad.xlsx: error: "
	    "styles.xml: too many cell formats (limit 65536)");
	many_fmt = repeat("<styleSheet><numFmts>", "<numFmt numFmtId=\"",
	    "\" formatCode=\"0.00\"/>", 1025, "</numFmts></styleSheet>");
	bad_sheet(wb1900, many_fmt, "<worksheet/>", "bad.xlsx: error: "
	    "styles.xml: too many number formats (limit 1024)");
	long_fmt = repeat("<styleSheet><numFmts><numFmt numFmtId=\"170\" "
	    "formatCode=\"", "0", NULL, 1025, "\"/></numFmts></styleSheet>");
	bad_sheet(wb1900, long_fmt, "<worksheet/>", "bad.xlsx: error: "
	    "styles.xml: number format 170 is too long (limit 1024 bytes)");
	ds_free(many_xf);
	ds_free(many_fmt);
	ds_free(long_fmt);
}

/* pyxform stops after 60 empty rows, and a header after 20 empty
 * columns: doorstep ignores the same cells, with a warning. */
static void
test_many_empty_rows_or_columns_end_a_sheet(void)
{
	static const char sheet[] =
	    "<worksheet><sheetData>"
	    "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>type</t></is>"
	    "</c><c r=\"B1\" t=\"inlineStr\"><is><t>name</t></is></c>"
	    "<c r=\"X1\" t=\"inlineStr\"><is><t>label</t></is></c></row>"
	    "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>text</t>"
	    "</is></c><c r=\"B2\" t=\"inlineStr\"><is><t>a</t></is></c>"
	    "<c r=\"X2\" t=\"inlineStr\"><is><t>A</t></is></c></row>"
	    "<row r=\"63\"><c r=\"A63\" t=\"inlineStr\"><is><t>text</t>"
	    "</is></c><c r=\"B63\" t=\"inlineStr\"><is><t>b</t></is></c>"
	    "</row>"
	    "<row r=\"125\"><c r=\"A125\" t=\"inlineStr\"><is><t>text</t>"
	    "</is></c><c r=\"B125\" t=\"inlineStr\"><is><t>c</t></is></c>"
	    "</row></sheetData></worksheet>";
	static const char wb1[] =
	    "<workbook xmlns:r=\"urn:r\"><sheets><sheet name=\"survey\" "
	    "r:id=\"r1\"/></sheets></workbook>";
	static const char rel1[] = "<Relationships><Relationship Id=\"r1\" "
	    "Target=\"s.xml\"/></Relationships>";
	const char *parts[] = { "xl/workbook.xml", wb1,
	    "xl/_rels/workbook.xml.rels", rel1, "xl/s.xml", sheet, NULL };
	struct xls_opts o = { "gap.xlsx", NULL, NULL };
	struct form *f = NULL;
	size_t len;
	char *data = make_zip(parts, &len), buf[2][512];

	form_diags_reset(&diags);
	ST_EQ(form_load_xlsx(data, len, &o, &f, &diags), DS_OK, NULL);
	INT_EQ(diags.n, 4);
	if (diags.n == 4) {
		form_diag_format(&diags.v[0], buf[0], sizeof(buf[0]));
		form_diag_format(&diags.v[1], buf[1], sizeof(buf[1]));
		STR_EQ(buf[0], "gap.xlsx:1: warning: sheet 'survey': columns "
		    "after more than 20 empty columns are ignored, as pyxform "
		    "ignores them");
		STR_EQ(buf[1], "gap.xlsx:125: warning: sheet 'survey': rows "
		    "after more than 60 empty rows are ignored, as pyxform "
		    "ignores them");
	}
	/* Row 63 follows 60 empty rows: kept; row 125 follows 61: not. */
	OK(f != NULL && form_find(f, "b") != NULL);
	OK(f != NULL && form_find(f, "c") == NULL);
	OK(f != NULL && form_find(f, "a")->label.v == NULL);
	form_free(f);
	ds_free(data);
	form_diags_reset(&diags);
}

static void
test_xlsx_loader_errors_use_row_numbers(void)
{
	static const struct trow bad[] = {
		{ { "survey", "type", "name", "label", ROWEND } },
		{ { "", "text", "a", "A", ROWEND } },
		{ { "", "txet", "b", "B", ROWEND } },
		{ { NULL } }
	};
	char xp[512], buf[512] = "";
	struct form *f = NULL;

	snprintf(xp, sizeof(xp), "%s/bad.xlsx", tmp);
	to_xlsx(bad, xp);
	form_diags_reset(&diags);
	ST_EQ(form_load_file(xp, &f, &diags), DS_EPARSE, NULL);
	if (diags.n > 0)
		form_diag_format(&diags.v[0], buf, sizeof(buf));
	snprintf(xp, sizeof(xp), "%s/bad.xlsx:3: error: [type] unknown "
	    "question type 'txet'", tmp);
	STR_EQ(buf, xp);
	form_diags_reset(&diags);
}

/* Sibling files from the directory in arg. */
static enum ds_status
dir_fetch(void *arg, const char *name, char **data, size_t *len,
    struct ds_err *err)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", (const char *)arg, name);
	return ds_file_read(path, XLS_MAX_CSV, data, len, err);
}

/*
 * The project's real form: read forms/household.md into sheets, write the
 * sheets as a workbook, load both: the models must be equal.
 */
static void
test_household_form_as_workbook(void)
{
	const char *top = getenv("DS_TOP");
	char dir[512], mdp[600], xp[512], why[64] = "";
	char *md = NULL;
	size_t len = 0, i, r, c;
	struct xls_book *book = NULL;
	struct xls_opts o;
	struct form *a = NULL, *b = NULL;
	lxw_workbook *wb;
	lxw_worksheet *ws;

	snprintf(dir, sizeof(dir), "%s/forms", top ? top : ".");
	snprintf(mdp, sizeof(mdp), "%s/household.md", dir);
	if (ds_file_read(mdp, XLS_MAX_FILE, &md, &len, NULL) != DS_OK) {
		HARNESS_FAIL("cannot read %s", mdp);
		return;
	}
	form_diags_reset(&diags);
	ST_EQ(mdtable_parse(md, len, "household.md", &book, &diags), DS_OK,
	    NULL);
	if (book == NULL)
		goto out;
	snprintf(xp, sizeof(xp), "%s/household.xlsx", tmp);
	wb = workbook_new(xp);
	for (i = 0; i < book->nsheets; i++) {
		const struct xls_sheet *sh = &book->sheets[i];

		ws = workbook_add_worksheet(wb, sh->name);
		for (r = 0; r < sh->nrows; r++)
			for (c = 0; c < sh->rows[r].ncells; c++)
				if (sh->rows[r].cells[c] != NULL)
					worksheet_write_string(ws,
					    (lxw_row_t)r, (lxw_col_t)c,
					    sh->rows[r].cells[c], NULL);
	}
	OK(workbook_close(wb) == LXW_NO_ERROR);
	o.fetch = dir_fetch;
	o.fetch_arg = dir;
	o.source = "household.md";
	ST_EQ(form_load_md(md, len, &o, &a, &diags), DS_OK, NULL);
	ds_free(md);
	md = NULL;
	OK(ds_file_read(xp, XLS_MAX_FILE, &md, &len, NULL) == DS_OK);
	o.source = "household.xlsx";
	ST_EQ(form_load_xlsx(md, len, &o, &b, &diags), DS_OK, NULL);
	print_diags();
	INT_EQ(diags.n, 0);
	if (a != NULL && b != NULL) {
		if (!form_equal(a, b, why, sizeof(why)))
			HARNESS_FAIL("models differ: %s", why);
		OK(a->nnodes > 100 && a->nlists > 10);
		OK(a->household_key != NULL && a->consent != NULL);
	}
out:
	xls_book_free(book);
	ds_free(md);
	form_free(a);
	form_free(b);
	form_diags_reset(&diags);
}

static void
test_xlsx_alloc_failures_are_clean(void)
{
	const char *parts[] = {
	    "xl/workbook.xml", wb_xml,
	    "xl/_rels/workbook.xml.rels", rels_xml,
	    "xl/sharedStrings.xml", ss_xml,
	    "xl/worksheets/a.xml", a_xml,
	    "xl/worksheets/b.xml", b_xml,
	    "xl/styles.xml", st_styles_xml,
	    NULL };
	const char *stparts[] = {
	    "xl/workbook.xml", st_wb_xml,
	    "xl/_rels/workbook.xml.rels", st_rels_xml,
	    "xl/styles.xml", st_styles_xml,
	    "xl/sharedStrings.xml", st_ss_xml,
	    "xl/worksheets/a.xml", st_a_xml,
	    NULL };
	struct xls_opts o = { "hand.xlsx", NULL, NULL };
	struct xls_book *book;
	struct form *f;
	size_t len;
	char *data = make_zip(parts, &len);
	enum ds_status rc;
	long n;

	for (n = 1; n < 3000; n++) {
		f = NULL;
		form_diags_reset(&diags);
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		rc = form_load_xlsx(data, len, &o, &f, &diags);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (rc == DS_OK) {
			form_free(f);
			break;
		}
		if (rc != DS_ENOMEM)
			HARNESS_FAIL("fault %ld: %s", n, ds_status_name(rc));
		OK(f == NULL);
	}
	OK(n > 20 && n < 3000);
	ds_free(data);
	data = make_zip(stparts, &len);
	for (n = 1; n < 3000; n++) {
		book = NULL;
		form_diags_reset(&diags);
		ds_fault_arm(DS_FAULT_ALLOC, n, 0);
		rc = xlsx_parse(data, len, "st.xlsx", &book, &diags);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (rc == DS_OK) {
			xls_book_free(book);
			break;
		}
		if (rc != DS_ENOMEM)
			HARNESS_FAIL("fault %ld: %s", n, ds_status_name(rc));
		OK(book == NULL);
	}
	OK(n > 20 && n < 3000);
	ds_free(data);
	form_diags_reset(&diags);
}

int
main(void)
{
	tmp = ts_tmpdir("xlsx");
	form_diags_init(&diags);
	RUN(test_md_and_xlsx_give_the_same_model);
	RUN(test_hand_built_workbook);
	RUN(test_shared_string_nbsp);
	RUN(test_bad_workbooks);
	RUN(test_date_cells_load_as_dates);
	RUN(test_number_formats_and_cell_types);
	RUN(test_bad_dates_and_styles);
	RUN(test_many_empty_rows_or_columns_end_a_sheet);
	RUN(test_xlsx_loader_errors_use_row_numbers);
	RUN(test_household_form_as_workbook);
	RUN(test_xlsx_alloc_failures_are_clean);
	return harness_done();
}
