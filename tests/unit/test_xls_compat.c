/* doorstep: one form per XLSForm rule of issue 15, as markdown and xlsx. */
/*
 * tests/forms/compat/NAME.md each hold a form and, in '#' comment lines
 * (which the markdown reader skips), what must happen to it, in the shape
 * of pyxform's own test cases (assertPyxformXform(md=..., errored=...,
 * error__contains=[...], warnings__contains=[...])):
 *
 *   # assert: errored=true|false
 *   # assert: error__contains=TEXT     (also warnings__contains=TEXT)
 *   # assert: node=NAME                 (nonode=NAME: no such node)
 *   # assert: version=PREFIX
 *   # fill: {answers}                    fill must save them
 *   # refuse: {answers} => TEXT          fill must refuse, saying TEXT
 *
 * This program writes each form again as an .xlsx (libxlsxwriter, every
 * cell a string), loads and compiles both, checks that they give the same
 * model and the asserts that concern the model.  tests/forms/t_compat.sh runs `doorstep
 * form check` and `doorstep fill` on both files for the rest; it gets the
 * workbooks from `test_xls_compat --write DIR FILE.md...`.
 */
#include "harness.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "eng.h"
#include "form.h"
#include "i18n_diag.h"
#include "mdtable.h"
#include "mem.h"
#include "util.h"
#include "val_geo.h"
#include "xls.h"

#define COMPAT_DIR	"tests/forms/compat"

/* Write book b as an xlsx at path; 0 or -1. */
static int
book_to_xlsx(const struct xls_book *b, const char *path)
{
	lxw_workbook *wb;
	lxw_worksheet *ws;
	const struct xls_row *r;
	size_t i, j, k;

	if ((wb = workbook_new(path)) == NULL)
		return -1;
	for (i = 0; i < b->nsheets; i++) {
		if ((ws = workbook_add_worksheet(wb, b->sheets[i].name)) ==
		    NULL) {
			(void)workbook_close(wb);
			return -1;
		}
		for (j = 0; j < b->sheets[i].nrows; j++) {
			r = &b->sheets[i].rows[j];
			for (k = 0; k < r->ncells; k++)
				if (r->cells[k] != NULL)
					(void)worksheet_write_string(ws,
					    (lxw_row_t)j, (lxw_col_t)k,
					    r->cells[k], NULL);
		}
	}
	return workbook_close(wb) == LXW_NO_ERROR ? 0 : -1;
}

/* Read path and write its xlsx twin into dir; 0 or -1. */
static int
write_twin(const char *path, const char *dir, char *out, size_t outsz)
{
	struct form_diags d;
	struct xls_book *b = NULL;
	struct ds_err err;
	char *text = NULL;
	const char *base, *dot;
	size_t len;
	int rc = -1;

	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	snprintf(out, outsz, "%s/%.*s.xlsx", dir,
	    (int)(dot ? (size_t)(dot - base) : strlen(base)), base);
	form_diags_init(&d);
	if (ds_file_read(path, XLS_MAX_FILE, &text, &len, &err) == DS_OK &&
	    mdtable_parse(text, len, path, &b, &d) == DS_OK)
		rc = book_to_xlsx(b, out);
	xls_book_free(b);
	ds_free(text);
	form_diags_reset(&d);
	return rc;
}

/* The value of "# assert: KEY=VALUE" lines, one at a time from *pos. */
static const char *
next_assert(const char *text, const char **pos, const char *key, char *v,
    size_t vsz)
{
	const char *p = *pos, *e;
	char pat[64];
	size_t n;

	snprintf(pat, sizeof(pat), "# assert: %s=", key);
	if ((p = strstr(p, pat)) == NULL)
		return NULL;
	p += strlen(pat);
	e = strchr(p, '\n');
	n = e ? (size_t)(e - p) : strlen(p);
	if (n >= vsz)
		n = vsz - 1;
	memcpy(v, p, n);
	v[n] = '\0';
	*pos = p;
	(void)text;
	return v;
}

static int
has_diag(const struct form_diags *d, int is_error, const char *want)
{
	char line[1024];
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (d->v[i].is_error != is_error)
			continue;
		i18n_form_diag(&d->v[i], line, sizeof(line));
		if (strstr(line, want) != NULL)
			return 1;
	}
	return 0;
}

/* Load one rule's form both ways and check it. */
static void
check_rule(const char *path, const char *tmp)
{
	struct form_diags dm, dx;
	struct form *fm = NULL, *fx = NULL;
	enum ds_status sm, sx;
	struct ds_err err;
	char xp[4096], v[512], *text = NULL;
	const char *pos;
	size_t len, i;

	if (ds_file_read(path, XLS_MAX_FILE, &text, &len, &err) != DS_OK) {
		HARNESS_FAIL("%s: %s", path, err.msg);
		return;
	}
	if (write_twin(path, tmp, xp, sizeof(xp)) != 0) {
		HARNESS_FAIL("%s: cannot write its xlsx", path);
		ds_free(text);
		return;
	}
	form_diags_init(&dm);
	form_diags_init(&dx);
	/* As `form check` does: load, then compile for the engine. */
	sm = form_load_file(path, &fm, &dm);
	sx = form_load_file(xp, &fx, &dx);
	if (sm == DS_OK) {
		struct eng_form *cf = NULL;

		sm = eng_compile(fm, &cf, &dm);
		eng_form_free(cf);
	}
	if (sx == DS_OK) {
		struct eng_form *cf = NULL;

		sx = eng_compile(fx, &cf, &dx);
		eng_form_free(cf);
	}
	if (sm != sx || dm.nerrors != dx.nerrors || dm.n != dx.n)
		HARNESS_FAIL("%s: markdown and xlsx differ: %s/%s, %zu/%zu "
		    "errors, %zu/%zu diagnostics", path, ds_status_str(sm),
		    ds_status_str(sx), dm.nerrors, dx.nerrors, dm.n, dx.n);
	pos = text;
	if (next_assert(text, &pos, "errored", v, sizeof(v)) == NULL)
		HARNESS_FAIL("%s: no '# assert: errored=' line", path);
	else if ((strcmp(v, "true") == 0) != (sm != DS_OK)) {
		char line[1024];

		HARNESS_FAIL("%s: errored=%s but the load gave %s", path, v,
		    ds_status_str(sm));
		for (i = 0; i < dm.n; i++) {
			i18n_form_diag(&dm.v[i], line, sizeof(line));
			printf("#   %s\n", line);
		}
	}
	pos = text;
	while (next_assert(text, &pos, "error__contains", v, sizeof(v)))
		if (!has_diag(&dm, 1, v) || !has_diag(&dx, 1, v))
			HARNESS_FAIL("%s: no error '%s'", path, v);
	pos = text;
	while (next_assert(text, &pos, "warnings__contains", v, sizeof(v)))
		if (!has_diag(&dm, 0, v) || !has_diag(&dx, 0, v))
			HARNESS_FAIL("%s: no warning '%s'", path, v);
	if (fm != NULL && fx != NULL) {
		if (fm->nnodes != fx->nnodes)
			HARNESS_FAIL("%s: %zu nodes from markdown, %zu from "
			    "xlsx", path, fm->nnodes, fx->nnodes);
		for (i = 1; i < fm->nnodes && i < fx->nnodes; i++)
			if (strcmp(fm->nodes[i]->name, fx->nodes[i]->name) !=
			    0 || fm->nodes[i]->type != fx->nodes[i]->type)
				HARNESS_FAIL("%s: node %zu: %s/%s", path, i,
				    fm->nodes[i]->name, fx->nodes[i]->name);
		/* Same cells, same derived version, whatever the file. */
		if (fm->version == NULL || fx->version == NULL)
			HARNESS_FAIL("%s: a loaded form without a version",
			    path);
		else if (strcmp(fm->version, fx->version) != 0)
			HARNESS_FAIL("%s: version %s from markdown, %s from "
			    "xlsx", path, fm->version, fx->version);
		pos = text;
		while (next_assert(text, &pos, "node", v, sizeof(v)))
			if (form_find(fm, v) == NULL)
				HARNESS_FAIL("%s: no node '%s'", path, v);
		pos = text;
		while (next_assert(text, &pos, "nonode", v, sizeof(v)))
			if (form_find(fm, v) != NULL)
				HARNESS_FAIL("%s: node '%s' is there", path,
				    v);
		pos = text;
		while (next_assert(text, &pos, "version", v, sizeof(v)))
			if (fm->version == NULL ||
			    strncmp(fm->version, v, strlen(v)) != 0)
				HARNESS_FAIL("%s: version '%s', want '%s...'",
				    path, fm->version, v);
	}
	form_free(fm);
	form_free(fx);
	form_diags_reset(&dm);
	form_diags_reset(&dx);
	(void)unlink(xp);
	ds_free(text);
}

static void
test_every_rule(void)
{
	char tmpl[] = "/tmp/ds-compat.XXXXXX", path[4096];
	struct dirent *de;
	DIR *dp;
	size_t n = 0, l;

	if (mkdtemp(tmpl) == NULL || (dp = opendir(COMPAT_DIR)) == NULL) {
		HARNESS_FAIL("cannot open %s or a temporary directory",
		    COMPAT_DIR);
		return;
	}
	while ((de = readdir(dp)) != NULL) {
		l = strlen(de->d_name);
		if (l < 4 || strcmp(de->d_name + l - 3, ".md") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", COMPAT_DIR, de->d_name);
		check_rule(path, tmpl);
		n++;
	}
	closedir(dp);
	(void)rmdir(tmpl);
	OK(n >= 20);
}

/* The sentences made below the i18n layer are all msgids it lists. */
static int
listed(const char *s)
{
	size_t i;

	for (i = 0; i18n_lower_msgids[i] != NULL; i++)
		if (strcmp(i18n_lower_msgids[i], s) == 0)
			return 1;
	return 0;
}

static void
test_lower_words_are_msgids(void)
{
	static const char *const refused[] = { "background-audio",
	    "background-geopoint",
	    "xml-external", "rank L", NULL };
	struct form_diags d;
	struct form *f;
	struct xls_opts o = { "t.md", NULL, NULL };
	char md[256];
	int w;
	size_t i;

	for (w = VAL_GEOPOINT; w <= VAL_GEOSHAPE; w++)
		if (!listed(val_geo_hint((enum val_geo_kind)w)))
			HARNESS_FAIL("val_geo_hint(%d) is not listed", w);
	for (i = 0; refused[i] != NULL; i++) {
		snprintf(md, sizeof(md), "| survey | type | name | label |\n"
		    "| | %s | a | A |\n", refused[i]);
		form_diags_init(&d);
		f = NULL;
		OK(form_load_md(md, strlen(md), &o, &f, &d) == DS_EPARSE);
		if (d.n != 1 || d.v[0].code != FD_TYPE_REFUSED ||
		    d.v[0].fact[1] == NULL || !listed(d.v[0].fact[1]))
			HARNESS_FAIL("%s: refusal without a listed "
			    "alternative", refused[i]);
		form_free(f);
		form_diags_reset(&d);
	}
}

/* Excel 97-2003: read through FreeXL, cells as pyxform's xlrd gives them. */
static void
test_legacy_xls(void)
{
	struct form_diags d;
	struct form *f = NULL;
	const struct form_node *n;
	char bad[] = "/tmp/ds-bad.XXXXXX";
	int fd;

	form_diags_init(&d);
	ST_EQ(form_load_file("tests/forms/legacy/legacy.xls", &f, &d), DS_OK,
	    NULL);
	if (f != NULL) {
		STR_EQ(f->id, "legacy");
		OK(f->version_derived);
		OK((n = form_find(f, "age")) != NULL && n->constraint &&
		    strcmp(n->constraint, ". >= 5") == 0);
		OK((n = form_find(f, "visit")) != NULL && n->type == FT_DATE &&
		    n->default_value != NULL &&
		    strcmp(n->default_value, "2026-01-01") == 0);
		OK((n = form_find(f, "x")) != NULL && n->default_value &&
		    strcmp(n->default_value, "1.5") == 0);
		OK(f->nlists == 1 && f->lists[0].nchoices == 2 &&
		    strcmp(f->lists[0].choices[0].name, "1") == 0 &&
		    strcmp(f->lists[0].choices[1].name, "0") == 0);
	}
	form_free(f);
	form_diags_reset(&d);

	/* The same bytes from memory (a published form in office.db). */
	{
		struct xls_opts o = { NULL, NULL, NULL };
		struct ds_err err;
		char *data = NULL;
		size_t len = 0;

		f = NULL;
		ST_EQ(ds_file_read("tests/forms/legacy/legacy.xls",
		    XLS_MAX_FILE, &data, &len, &err), DS_OK, &err);
		ST_EQ(form_load_mem("legacy.xls", data, len, &o, &f, &d),
		    DS_OK, NULL);
		OK(f != NULL && strcmp(f->id, "legacy") == 0 &&
		    form_find(f, "visit") != NULL);
		form_free(f);
		ds_free(data);
		form_diags_reset(&d);
	}

	/* Not a workbook FreeXL can read, and no LibreOffice on PATH: the
	 * error says how to save it as .xlsx. */
	if ((fd = mkstemp(bad)) < 0 || write(fd, "\320\317\021\340\241\261"
	    "\032\341 not really", 19) != 19) {
		HARNESS_FAIL("cannot write %s", bad);
		return;
	}
	close(fd);
	setenv("PATH", "/nonexistent", 1);
	f = NULL;
	ST_EQ(form_load_file(bad, &f, &d), DS_EPARSE, NULL);
	OK(d.n == 1 && d.v[0].code == FD_XLS_CONVERT &&
	    strstr(d.v[0].msg, "Save As > Excel Workbook (.xlsx)") != NULL);
	(void)unlink(bad);
	form_diags_reset(&d);
}

int
main(int argc, char **argv)
{
	char out[4096];
	int i, rc = 0;

	if (argc > 2 && strcmp(argv[1], "--write") == 0) {
		for (i = 3; i < argc; i++)
			if (write_twin(argv[i], argv[2], out, sizeof(out)) !=
			    0) {
				fprintf(stderr, "cannot write %s\n", out);
				rc = 1;
			}
		return rc;
	}
	RUN(test_every_rule);
	RUN(test_lower_words_are_msgids);
	RUN(test_legacy_xls);
	return harness_done();
}
