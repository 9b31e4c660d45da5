/* doorstep: CSV and XLSX export of current heads (libxlsxwriter). */
/*
 * Reads every head once (odb_head_each), builds a column set, then writes
 * rows.  The table lives in memory: a township is ~15,000 households, a
 * few tens of MB of JSON at most.  XLSX goes through libxlsxwriter to a
 * temp file in the target directory (its scratch files too), then fsync,
 * rename, directory fsync.
 */
#include "export.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "buf.h"
#include "json.h"
#include "mem.h"
#include "util.h"

#define EXPORT_MAX	(256u << 20)

static const char *const meta_cols[] = { "record_id", "household_key",
    "form_id", "form_version", "revision", "worker", "saved_at" };
#define NMETA	(sizeof(meta_cols) / sizeof(meta_cols[0]))

struct hh {
	char		 meta[NMETA][256];
	json_t		*doc;
};

struct ex {
	struct hh	*v;
	size_t		 n, cap;
	json_t		*hcols;		/* name -> true */
	json_t		*mcols;
	const char	*repeat;
	struct ds_err	*err;
	enum ds_status	 st;
};

static int
is_scalarish(json_t *v)
{
	size_t i;
	json_t *x;

	if (!json_is_array(v))
		return !json_is_object(v);
	json_array_foreach(v, i, x)
		if (json_is_object(x) || json_is_array(x))
			return 0;
	return 1;
}

static void
add_cols(json_t *cols, json_t *obj)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v)
		if (strcmp(k, "_meta") != 0 && is_scalarish(v))
			json_object_set_new(cols, k, json_true());
}

static int
collect(void *arg, const struct odb_head *h)
{
	struct ex *e = arg;
	struct hh *x, *nv;
	json_t *doc = NULL, *rep, *m;
	size_t i;
	char id[33];

	if (ds_json_parse(h->answers, h->answers_len, 16u << 20, "answers",
	    &doc, e->err) != DS_OK || !json_is_object(doc)) {
		json_decref(doc);
		e->st = DS_ECORRUPT;
		return 1;
	}
	if (e->n == e->cap) {
		size_t cap = e->cap ? 2 * e->cap : 256;

		if ((nv = ds_realloc(e->v, cap * sizeof(*nv))) == NULL) {
			json_decref(doc);
			e->st = ds_err_set(e->err, DS_ENOMEM, NULL);
			return 1;
		}
		e->v = nv;
		e->cap = cap;
	}
	x = &e->v[e->n++];
	x->doc = doc;
	ds_hex_encode(h->record_uuid, 16, id);
	snprintf(x->meta[0], 256, "%s", id);
	snprintf(x->meta[1], 256, "%s", h->household_key);
	snprintf(x->meta[2], 256, "%s", h->form_id ? h->form_id : "");
	snprintf(x->meta[3], 256, "%s", h->form_ver ? h->form_ver : "");
	snprintf(x->meta[4], 256, "%u", h->rev_no);
	snprintf(x->meta[5], 256, "%s", h->worker_id ? h->worker_id : "");
	ds_time_iso(h->saved_at, x->meta[6]);
	add_cols(e->hcols, doc);
	rep = json_object_get(doc, e->repeat);
	json_array_foreach(rep, i, m)
		if (json_is_object(m))
			add_cols(e->mcols, m);
	return 0;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted names of a column set; caller frees the array only. */
static const char **
sorted(json_t *cols, size_t *n)
{
	const char **v, *k;
	json_t *x;
	size_t i = 0;

	*n = json_object_size(cols);
	if ((v = ds_calloc(*n + 1, sizeof(*v))) == NULL)
		return NULL;
	json_object_foreach(cols, k, x)
		v[i++] = k;
	qsort(v, *n, sizeof(*v), cmpstr);
	return v;
}

/* Text of one cell value (strings as is, arrays space-joined). */
static void
cell_text(json_t *v, struct ds_buf *b)
{
	size_t i;
	json_t *x;
	char *c = NULL;
	size_t n;

	ds_buf_clear(b);
	if (v == NULL || json_is_null(v))
		return;
	if (json_is_string(v)) {
		ds_buf_add(b, json_string_value(v), json_string_length(v));
		return;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			struct ds_buf t;

			ds_buf_init(&t, 1 << 20);
			cell_text(x, &t);
			if (i > 0)
				ds_buf_addc(b, ' ');
			if (t.p != NULL)
				ds_buf_add(b, t.p, t.len);
			ds_buf_reset(&t);
		}
		return;
	}
	if (json_is_true(v) || json_is_false(v)) {
		ds_buf_adds(b, json_is_true(v) ? "true" : "false");
		return;
	}
	if (ds_json_canonical(v, &c, &n, NULL) == DS_OK)
		ds_buf_add(b, c, n);
	ds_free(c);
}

/* ---- CSV ---------------------------------------------------------------- */

static void
csv_cell(struct ds_buf *o, const char *s, size_t n, int first)
{
	size_t i;
	int q = 0;

	if (!first)
		ds_buf_addc(o, ',');
	for (i = 0; i < n; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r')
			q = 1;
	if (q)
		ds_buf_addc(o, '"');
	/* A cell starting a formula is data, not a formula (CSV injection). */
	if (n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '@' ||
	    (s[0] == '-' && (n == 1 || s[1] < '0' || s[1] > '9'))))
		ds_buf_addc(o, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			ds_buf_addc(o, '"');
		ds_buf_addc(o, s[i]);
	}
	if (q)
		ds_buf_addc(o, '"');
}

/* ---- the two tables through one row writer -------------------------------- */

struct sink {
	struct ds_buf	*csv;
	lxw_worksheet	*ws;
	lxw_row_t	 row;
	lxw_col_t	 col;
};

static void
put(struct sink *s, const char *txt, size_t n, json_t *num)
{
	if (s->csv != NULL)
		csv_cell(s->csv, txt, n, s->col == 0);
	else if (num != NULL && json_is_number(num))
		worksheet_write_number(s->ws, s->row, s->col,
		    json_number_value(num), NULL);
	else if (n > 0)
		worksheet_write_string(s->ws, s->row, s->col, txt, NULL);
	s->col++;
}

static void
end_row(struct sink *s)
{
	if (s->csv != NULL)
		ds_buf_adds(s->csv, "\r\n");
	s->row++;
	s->col = 0;
}

static void
header(struct sink *s, const char **h, size_t nh, const char **m, size_t nm,
    const char *repeat)
{
	size_t i;
	char name[600];

	for (i = 0; i < NMETA; i++)
		put(s, meta_cols[i], strlen(meta_cols[i]), NULL);
	for (i = 0; i < nh; i++)
		put(s, h[i], strlen(h[i]), NULL);
	if (m != NULL) {
		snprintf(name, sizeof(name), "%s_no", repeat);
		put(s, name, strlen(name), NULL);
		for (i = 0; i < nm; i++) {
			snprintf(name, sizeof(name), "%s/%s", repeat, m[i]);
			put(s, name, strlen(name), NULL);
		}
	}
	end_row(s);
}

static void
hh_cells(struct sink *s, struct hh *x, const char **h, size_t nh,
    struct ds_buf *t)
{
	size_t i;
	json_t *v;

	for (i = 0; i < NMETA; i++)
		put(s, x->meta[i], strlen(x->meta[i]), NULL);
	for (i = 0; i < nh; i++) {
		v = json_object_get(x->doc, h[i]);
		cell_text(v, t);
		put(s, t->p != NULL ? t->p : "", t->len, v);
	}
}

static void
write_tables(struct ex *e, struct sink *hs, struct sink *ms,
    const char **h, size_t nh, const char **m, size_t nm,
    struct export_stats *stats)
{
	struct ds_buf t;
	size_t i, k, j;
	json_t *rep, *mem, *v;
	char no[24];

	ds_buf_init(&t, 16u << 20);
	header(hs, h, nh, NULL, 0, e->repeat);
	header(ms, h, nh, m, nm, e->repeat);
	for (i = 0; i < e->n; i++) {
		hh_cells(hs, &e->v[i], h, nh, &t);
		end_row(hs);
		stats->households++;
		rep = json_object_get(e->v[i].doc, e->repeat);
		json_array_foreach(rep, k, mem) {
			if (!json_is_object(mem))
				continue;
			hh_cells(ms, &e->v[i], h, nh, &t);
			snprintf(no, sizeof(no), "%zu", k + 1);
			put(ms, no, strlen(no), NULL);
			for (j = 0; j < nm; j++) {
				v = json_object_get(mem, m[j]);
				cell_text(v, &t);
				put(ms, t.p != NULL ? t.p : "", t.len, v);
			}
			end_row(ms);
			stats->members++;
		}
	}
	ds_buf_wipe(&t);
}

static enum ds_status
write_xlsx(struct ex *e, const char *path, const char **h, size_t nh,
    const char **m, size_t nm, struct export_stats *stats,
    struct ds_err *err)
{
	lxw_workbook_options wo;
	lxw_workbook *wb;
	struct sink hs, ms;
	lxw_error le;
	char tmp[4200], dir[4200], *slash;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	memset(&wo, 0, sizeof(wo));
	wo.tmpdir = dir;	/* scratch files next to the output, not /tmp */
	unlink(tmp);
	if ((wb = workbook_new_opt(tmp, &wo)) == NULL)
		return ds_err_set(err, DS_EIO, "cannot create %s", tmp);
	memset(&ms, 0, sizeof(ms));
	memset(&hs, 0, sizeof(hs));
	ms.ws = workbook_add_worksheet(wb, "成员 members");
	hs.ws = workbook_add_worksheet(wb, "户 households");
	if (ms.ws == NULL || hs.ws == NULL) {
		workbook_close(wb);
		unlink(tmp);
		return ds_err_set(err, DS_EIO, "cannot add worksheets");
	}
	worksheet_freeze_panes(ms.ws, 1, 0);
	worksheet_freeze_panes(hs.ws, 1, 0);
	write_tables(e, &hs, &ms, h, nh, m, nm, stats);
	if ((le = workbook_close(wb)) != LXW_NO_ERROR) {
		unlink(tmp);
		return ds_err_set(err, DS_EIO, "cannot write %s: %s", path,
		    lxw_strerror(le));
	}
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) == -1 || fsync(fd) != 0) {
		if (fd != -1)
			close(fd);
		unlink(tmp);
		return ds_err_set(err, DS_EIO, "cannot fsync %s", tmp);
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return ds_err_set(err, DS_EIO, "cannot rename %s", tmp);
	}
	return ds_dir_sync(path, err);
}

static enum ds_status
write_csv(struct ex *e, const char *path, const char **h, size_t nh,
    const char **m, size_t nm, struct export_stats *stats,
    struct ds_err *err)
{
	struct ds_buf hb, mb;
	struct sink hs, ms;
	size_t pl = strlen(path);
	enum ds_status st;

	if (pl > 4 && strcmp(path + pl - 4, ".csv") == 0)
		pl -= 4;
	snprintf(stats->households_path, sizeof(stats->households_path),
	    "%.*s-households.csv", (int)pl, path);
	ds_buf_init(&hb, EXPORT_MAX);
	ds_buf_init(&mb, EXPORT_MAX);
	ds_buf_add(&hb, "\xef\xbb\xbf", 3);
	ds_buf_add(&mb, "\xef\xbb\xbf", 3);
	memset(&hs, 0, sizeof(hs));
	memset(&ms, 0, sizeof(ms));
	hs.csv = &hb;
	ms.csv = &mb;
	write_tables(e, &hs, &ms, h, nh, m, nm, stats);
	st = ds_file_write_atomic(path, mb.p, mb.len, 0600, err);
	if (st == DS_OK)
		st = ds_file_write_atomic(stats->households_path, hb.p, hb.len,
		    0600, err);
	ds_buf_wipe(&hb);
	ds_buf_wipe(&mb);
	return st;
}

enum ds_status
export_heads(struct odb *db, enum export_format fmt, const char *path,
    const char *repeat, struct export_stats *stats, struct ds_err *err)
{
	struct ex e;
	const char **h = NULL, **m = NULL;
	size_t nh = 0, nm = 0, i;
	enum ds_status st;

	memset(stats, 0, sizeof(*stats));
	memset(&e, 0, sizeof(e));
	e.repeat = repeat != NULL ? repeat : "member";
	e.err = err;
	e.st = DS_OK;
	e.hcols = json_object();
	e.mcols = json_object();
	if (e.hcols == NULL || e.mcols == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	if ((st = odb_head_each(db, collect, &e, err)) != DS_OK)
		goto out;
	if ((st = e.st) != DS_OK)
		goto out;
	json_object_del(e.hcols, e.repeat);
	if ((h = sorted(e.hcols, &nh)) == NULL ||
	    (m = sorted(e.mcols, &nm)) == NULL) {
		st = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	st = fmt == EXPORT_XLSX ? write_xlsx(&e, path, h, nh, m, nm, stats,
	    err) : write_csv(&e, path, h, nh, m, nm, stats, err);
out:
	ds_free(h);
	ds_free(m);
	for (i = 0; i < e.n; i++)
		json_decref(e.v[i].doc);
	ds_free(e.v);
	json_decref(e.hcols);
	json_decref(e.mcols);
	return st;
}
