/* doorstep: XLSForm loader: settings, the choices sheet and CSV lists. */
/*
 * Settings come first (default_language decides what unsuffixed columns
 * mean).  Choice lists come from the choices sheet and from CSV files
 * fetched through opts->fetch (select_*_from_file, csv-external, and the
 * lookups of xls_check.c), each CSV loaded once per (file, value, label).
 */
#include "xls.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "mem.h"
#include "utf8.h"
#include "xls_int.h"

/* Settings */

static const struct {
	const char *alias, *key;
} settings_aliases[] = {
	{ "set form title", "form_title" },
	{ "set form id", "form_id" },
	{ NULL, NULL }
};

void
xls_load_settings(struct ld *ld)
{
	const struct xls_sheet *sh = ld->settings;
	const struct xls_row *h, *r;
	struct form *f = ld->f;
	char lname[128];
	const char *key, *v;
	size_t i, k;

	if (sh == NULL || sh->nrows == 0)
		return;
	h = &sh->rows[0];
	ld->settings_line = h->line;
	if (sh->nrows < 2)
		return;
	r = &sh->rows[1];
	ld->settings_line = r->line;
	if (sh->nrows > 2)
		WARN(ld, sh->rows[2].line, NULL, "settings sheet has more "
		    "than one row; only the first is used");
	if ((f->settings = ds_calloc(h->ncells + 1, sizeof(*f->settings))) ==
	    NULL) {
		ld->oom = 1;
		return;
	}
	for (i = 0; i < h->ncells; i++) {
		if (h->cells[i] == NULL || (v = xls_cell(r, i)) == NULL)
			continue;
		if (!xls_lower(h->cells[i], strlen(h->cells[i]), lname,
		    sizeof(lname))) {
			WARN(ld, h->line, NULL, "settings column name too "
			    "long; ignored");
			continue;
		}
		key = lname;
		for (k = 0; settings_aliases[k].alias != NULL; k++)
			if (strcmp(settings_aliases[k].alias, lname) == 0)
				key = settings_aliases[k].key;
		for (k = 0; k < f->nsettings; k++)
			if (strcmp(f->settings[k].key, key) == 0)
				break;
		if (k < f->nsettings) {
			ERR(ld, h->line, h->cells[i], "duplicate settings "
			    "column");
			continue;
		}
		f->settings[f->nsettings].key = xls_strdup(ld, key);
		f->settings[f->nsettings].value = xls_strdup(ld, v);
		f->nsettings++;	/* form_free frees a half-set pair */
		if (ld->oom)
			return;
	}
	ld->deflang = form_setting(f, "default_language");
	v = form_setting(f, "allow_choice_duplicates");
	ld->allow_dup = v != NULL && (strcmp(v, "yes") == 0 ||
	    strcmp(v, "Yes") == 0 || strcmp(v, "YES") == 0 ||
	    strcmp(v, "true") == 0 || strcmp(v, "True") == 0 ||
	    strcmp(v, "TRUE") == 0 || strcmp(v, "true()") == 0);
}

/* Choices sheet */

static int
list_add(struct ld *ld, const char *name, const char *file, int line)
{
	struct form *f = ld->f;
	struct form_list *l;

	if (f->nlists >= XLS_MAX_LISTS) {
		ERR(ld, line, NULL, "too many choice lists (limit %d)",
		    XLS_MAX_LISTS);
		ld->limit = 1;
		return -1;
	}
	if (xls_grow(ld, &f->lists, &ld->alists, f->nlists,
	    sizeof(*f->lists), XLS_MAX_LISTS) == -1)
		return -1;
	l = &f->lists[f->nlists];
	memset(l, 0, sizeof(*l));
	l->line = line;
	if ((l->name = xls_strdup(ld, name)) == NULL ||
	    (file != NULL && (l->file = xls_strdup(ld, file)) == NULL)) {
		ds_free(l->name);
		return -1;
	}
	return (int)f->nlists++;
}

/* Append an empty choice to list li; NULL on error. */
static struct form_choice *
choice_add(struct ld *ld, int li, size_t *acap, int line)
{
	struct form_list *l = &ld->f->lists[li];
	struct form_choice *c;

	if (ld->nchoices >= XLS_MAX_CHOICES) {
		if (ld->nchoices == XLS_MAX_CHOICES) {
			ERR(ld, line, NULL, "too many choices (limit %d)",
			    XLS_MAX_CHOICES);
			ld->nchoices++;
		}
		ld->limit = 1;
		return NULL;
	}
	if (xls_grow(ld, &l->choices, acap, l->nchoices,
	    sizeof(*l->choices), XLS_MAX_CHOICES) == -1)
		return NULL;
	c = &l->choices[l->nchoices++];
	memset(c, 0, sizeof(*c));
	c->line = line;
	ld->nchoices++;
	return c;
}

/* Check duplicate choice names of every choices-sheet list. */
static void
check_choice_dups(struct ld *ld, size_t from, size_t to)
{
	struct strmap m;
	size_t i, j, first;
	struct form_list *l;

	for (i = from; i < to && !ld->oom; i++) {
		l = &ld->f->lists[i];
		memset(&m, 0, sizeof(m));
		for (j = 0; j < l->nchoices; j++) {
			if (xls_strmap_get(&m, l->choices[j].name, &first)) {
				if (!ld->allow_dup)
					ERR(ld, l->choices[j].line, "name",
					    "duplicate choice '%s' in list "
					    "'%s' (first at line %d)",
					    l->choices[j].name, l->name,
					    l->choices[first].line);
				continue;
			}
			if (xls_strmap_put(&m, l->choices[j].name, j) == -1) {
				ld->oom = 1;
				break;
			}
		}
		xls_strmap_free(&m);
	}
}

/* The choices sheet, or external_choices (select_one_external), into
 * lists named in `map`. */
static void
choice_sheet(struct ld *ld, const struct xls_sheet *sh, struct strmap *map)
{
	const struct xls_row *r;
	struct col *cols;
	struct form_choice *c;
	size_t i, j, *acaps = NULL, nacaps = 0, li, first = ld->f->nlists;
	long cl, cn;
	const char *ln, *nm;
	int bad = 0;

	if (sh == NULL || sh->nrows == 0)
		return;
	if ((cols = xls_map_header(ld, sh, xls_choices_aliases, 1, 0, 1)) ==
	    NULL)
		return;
	cl = xls_col_find(cols, sh->rows[0].ncells, C_LIST_NAME);
	cn = xls_col_find(cols, sh->rows[0].ncells, C_NAME);
	if (cl < 0) {
		ERR(ld, sh->rows[0].line, "list_name", "%s sheet has no "
		    "'list_name' column", sh->name);
		bad = 1;
	}
	if (cn < 0) {
		ERR(ld, sh->rows[0].line, "name", "%s sheet has no "
		    "'name' column", sh->name);
		bad = 1;
	}
	for (i = 1; i < sh->nrows && !bad && !ld->oom && !ld->limit; i++) {
		r = &sh->rows[i];
		ln = xls_cell(r, (size_t)cl);
		nm = xls_cell(r, (size_t)cn);
		if (ln == NULL) {
			ERR(ld, r->line, "list_name", "choice '%s' has no "
			    "list name: fill in the list_name column, or "
			    "delete the row", nm ? nm : "");
			continue;
		}
		if (nm == NULL) {
			ERR(ld, r->line, "name", "choice in list '%s' has no "
			    "name", ln);
			continue;
		}
		if (!xls_strmap_get(map, ln, &li)) {
			int n = list_add(ld, ln, NULL, r->line);

			if (n < 0)
				break;
			li = (size_t)n;
			if (xls_strmap_put(map, ld->f->lists[li].name,
			    li) == -1) {
				ld->oom = 1;
				break;
			}
		}
		if (li >= nacaps) {
			size_t *na = ds_realloc(acaps,
			    (li + 1) * 2 * sizeof(*na));

			if (na == NULL) {
				ld->oom = 1;
				break;
			}
			memset(na + nacaps, 0, ((li + 1) * 2 - nacaps) *
			    sizeof(*na));
			acaps = na;
			nacaps = (li + 1) * 2;
		}
		if ((c = choice_add(ld, (int)li, &acaps[li], r->line)) ==
		    NULL)
			break;
		c->name = xls_strdup(ld, nm);
		for (j = 0; j < r->ncells && j < sh->rows[0].ncells &&
		    !ld->oom; j++) {
			if (r->cells[j] == NULL)
				continue;
			if (cols[j].id == C_LABEL)
				xls_text_set(ld, &c->label, cols[j].lang,
				    r->cells[j]);
			else if (cols[j].id == C_EXTRA)
				xls_kv_add(ld, &c->extra, &c->nextra,
				    cols[j].header, r->cells[j]);
		}
		if (c->label.v == NULL)
			WARN(ld, r->line, "label", "choice '%s' in list '%s' "
			    "has no label", nm, ln);
	}
	ds_free(acaps);
	ds_free(cols);
	check_choice_dups(ld, first, ld->f->nlists);
}

void
xls_load_choices(struct ld *ld)
{
	choice_sheet(ld, ld->choices, &ld->listmap);
	if (!ld->oom && !ld->limit)
		choice_sheet(ld, ld->external, &ld->extmap);
}

/* CSV lists */

/*
 * Turn CSV text into list li.  value/label name the columns (NULL: "name"
 * and "label"); `lookup` is set for lists used only by pulldata/instance,
 * which need no name or label column (then the first column is the name).
 */
static void
csv_to_list(struct ld *ld, const char *file, const char *data, size_t len,
    const char *value, const char *label, int lookup, int li, int qline)
{
	struct csv *csv = NULL;
	struct ds_err err;
	const struct csv_row *h, *r;
	struct form_choice *c;
	size_t i, j, acap = 0;
	long vc = -1, lc = -1;
	long *lcols = NULL;	/* column -> language for label::x, or -1 */
	const char *vname = value ? value : "name";
	const char *lname = label ? label : "label";

	ds_err_clear(&err);
	if (csv_parse(data, len, NULL, &csv, &err) != DS_OK) {
		xls_diag(ld, file, err.line, NULL, 1, "%s", err.msg);
		if (err.code == DS_ENOMEM)
			ld->oom = 1;
		return;
	}
	if (csv->nrows == 0) {
		ERR(ld, qline, "type", "%s is empty", file);
		goto out;
	}
	h = &csv->rows[0];
	if ((lcols = ds_calloc(h->ncells + 1, sizeof(*lcols))) == NULL) {
		ld->oom = 1;
		goto out;
	}
	for (i = 0; i < h->ncells; i++) {
		lcols[i] = -1;
		if (!utf8_valid(h->cells[i], strlen(h->cells[i]), 0)) {
			xls_diag(ld, file, h->line, NULL, 1, "invalid UTF-8");
			goto out;
		}
		if (vc < 0 && strcmp(h->cells[i], vname) == 0)
			vc = (long)i;
		else if (lc < 0 && strcmp(h->cells[i], lname) == 0)
			lc = (long)i;
		else if (label == NULL && strncmp(h->cells[i], "label::", 7) ==
		    0) {
			const char *l = h->cells[i] + 7;

			lcols[i] = xls_lang_index(ld, l, strlen(l), 0, 0);
			if (lcols[i] < 0)
				xls_diag(ld, file, h->line, h->cells[i], 0,
				    "language '%s' is not used by the form; "
				    "column ignored", l);
			else
				lcols[i] += 1000000;	/* marks a label */
		}
	}
	if (!lookup && vc < 0) {
		ERR(ld, qline, "type", "%s has no column '%s'", file, vname);
		goto out;
	}
	if (!lookup && lc < 0 && label != NULL) {
		ERR(ld, qline, "type", "%s has no column '%s'", file, lname);
		goto out;
	}
	if (lookup && vc < 0) {
		if (h->ncells == 0)
			goto out;
		vc = 0;
	}
	for (i = 1; i < csv->nrows && !ld->oom && !ld->limit; i++) {
		r = &csv->rows[i];
		for (j = 0; j < r->ncells; j++)
			if (!utf8_valid(r->cells[j], strlen(r->cells[j]),
			    0)) {
				xls_diag(ld, file, r->line, NULL, 1,
				    "invalid UTF-8");
				goto out;
			}
		if ((size_t)vc >= r->ncells || r->cells[vc][0] == '\0') {
			/* A row without a value cannot be chosen or found. */
			continue;
		}
		if ((c = choice_add(ld, li, &acap, r->line)) == NULL)
			break;
		c->name = xls_strdup(ld, r->cells[vc]);
		for (j = 0; j < r->ncells && j < h->ncells && !ld->oom; j++) {
			if (r->cells[j][0] == '\0' || (long)j == vc)
				continue;
			if ((long)j == lc)
				xls_text_set(ld, &c->label, ld->f->default_lang,
				    r->cells[j]);
			else if (lcols[j] >= 1000000)
				xls_text_set(ld, &c->label,
				    (int)(lcols[j] - 1000000), r->cells[j]);
			else
				xls_kv_add(ld, &c->extra, &c->nextra,
				    h->cells[j], r->cells[j]);
		}
	}
out:
	ds_free(lcols);
	csv_free(csv);
}

/* A plain file name: no directory parts, not hidden. */
static int
file_name_ok(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL &&
	    strchr(s, '\\') == NULL;
}

/*
 * The list for (file, value, label): load it on first use.  Returns the
 * list index or -1 (error reported, or missing and `optional`).
 */
int
xls_csv_list(struct ld *ld, const char *file, const char *value,
    const char *label, int lookup, int optional, int qline)
{
	struct csvlist *cl;
	struct ds_err err;
	char *data = NULL, name[600];
	size_t i, len = 0;
	enum ds_status rc;
	int li;

	for (i = 0; i < ld->ncsvs; i++) {
		cl = &ld->csvs[i];
		if (strcmp(cl->file, file) == 0 &&
		    (value == NULL ? cl->value == NULL : cl->value != NULL &&
		    strcmp(cl->value, value) == 0) &&
		    (label == NULL ? cl->label == NULL : cl->label != NULL &&
		    strcmp(cl->label, label) == 0))
			return cl->list;
	}
	if (!file_name_ok(file)) {
		ERR(ld, qline, "type", "'%s' is not a plain file name", file);
		return -1;
	}
	if (ld->opts->fetch == NULL) {
		if (!optional)
			ERR(ld, qline, "type", "cannot read %s: no directory "
			    "to read it from", file);
		return -1;
	}
	ds_err_clear(&err);
	rc = ld->opts->fetch(ld->opts->fetch_arg, file, &data, &len, &err);
	if (rc == DS_ENOENT && optional)
		return -1;
	if (rc == DS_OK) {
		/* A list file is part of the form: it goes into the
		 * derived version. */
		xls_hash(ld, file, strlen(file) + 1);
		xls_hash(ld, data, len);
	}
	if ((cl = ds_realloc(ld->csvs, (ld->ncsvs + 1) * sizeof(*cl))) ==
	    NULL) {
		ds_free(data);
		ld->oom = 1;
		return -1;
	}
	ld->csvs = cl;
	cl = &ld->csvs[ld->ncsvs];
	memset(cl, 0, sizeof(*cl));
	cl->list = -1;
	if ((cl->file = xls_strdup(ld, file)) == NULL ||
	    (value != NULL && (cl->value = xls_strdup(ld, value)) == NULL) ||
	    (label != NULL && (cl->label = xls_strdup(ld, label)) == NULL)) {
		ds_free(cl->file);
		ds_free(cl->value);
		ds_free(data);
		return -1;
	}
	ld->ncsvs++;
	if (rc != DS_OK) {
		if (rc == DS_ENOENT)
			ERR(ld, qline, "type", "%s not found next to the form",
			    file);
		else
			ERR(ld, qline, "type", "cannot read %s: %s", file,
			    err.msg);
		if (rc == DS_ENOMEM)
			ld->oom = 1;
		ds_free(data);
		return -1;
	}
	if (len > XLS_MAX_CSV || ld->fetched + len > XLS_MAX_FETCH) {
		ERR(ld, qline, "type", "%s is too large (%zu bytes; limit %u "
		    "per file, %u in all)", file, len, XLS_MAX_CSV,
		    XLS_MAX_FETCH);
		ld->limit = 1;
		ds_free(data);
		return -1;
	}
	ld->fetched += len;
	if (value == NULL && label == NULL)
		snprintf(name, sizeof(name), "%s", file);
	else
		snprintf(name, sizeof(name), "%s?value=%s&label=%s", file,
		    value ? value : "name", label ? label : "label");
	if ((li = list_add(ld, name, file, 1)) < 0) {
		ds_free(data);
		return -1;
	}
	csv_to_list(ld, file, data, len, value, label, lookup, li, qline);
	ds_free(data);
	cl->list = li;
	return li;
}

