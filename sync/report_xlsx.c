/* doorstep: report tables as XLSX through libxlsxwriter. */
/*
 * One sheet: the title on the first row, group titles (merged over their
 * columns) on the second when the table has groups, the column titles
 * next, then the rows.  The header rows and the area columns are frozen
 * so they stay in view; subtotal rows are bold, the total row bold with a
 * top border; counts are written as numbers so Excel can sum them.
 * libxlsxwriter builds its XML parts in temporary files: we point it at
 * the output's own directory, the only place the caller chose to put the
 * data.  This file and export* are the only includers of <xlsxwriter.h>.
 */
#include "report_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "util.h"

#define XLSX_COLS_MAX	16000
#define XLSX_ROWS_MAX	1048576

struct fmts {
	lxw_format	*title, *group, *head, *text, *num, *dec;
	lxw_format	*sub_text, *sub_num, *tot_text, *tot_num;
	lxw_format	*sub_dec, *tot_dec;
};

static void
fmts_make(lxw_workbook *wb, struct fmts *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	f->group = workbook_add_format(wb);
	format_set_bold(f->group);
	format_set_align(f->group, LXW_ALIGN_CENTER);
	format_set_border(f->group, LXW_BORDER_THIN);
	f->head = workbook_add_format(wb);
	format_set_bold(f->head);
	format_set_text_wrap(f->head);
	format_set_align(f->head, LXW_ALIGN_CENTER);
	format_set_align(f->head, LXW_ALIGN_VERTICAL_CENTER);
	format_set_border(f->head, LXW_BORDER_THIN);
	format_set_bg_color(f->head, 0xDDEBF7);
	f->text = workbook_add_format(wb);
	format_set_border(f->text, LXW_BORDER_THIN);
	f->num = workbook_add_format(wb);
	format_set_border(f->num, LXW_BORDER_THIN);
	format_set_num_format(f->num, "0");
	f->dec = workbook_add_format(wb);
	format_set_border(f->dec, LXW_BORDER_THIN);
	format_set_num_format(f->dec, "0.0");
	f->sub_dec = workbook_add_format(wb);
	format_set_border(f->sub_dec, LXW_BORDER_THIN);
	format_set_bold(f->sub_dec);
	format_set_num_format(f->sub_dec, "0.0");
	f->tot_dec = workbook_add_format(wb);
	format_set_border(f->tot_dec, LXW_BORDER_THIN);
	format_set_top(f->tot_dec, LXW_BORDER_DOUBLE);
	format_set_bold(f->tot_dec);
	format_set_num_format(f->tot_dec, "0.0");
	f->sub_text = workbook_add_format(wb);
	format_set_border(f->sub_text, LXW_BORDER_THIN);
	format_set_bold(f->sub_text);
	f->sub_num = workbook_add_format(wb);
	format_set_border(f->sub_num, LXW_BORDER_THIN);
	format_set_bold(f->sub_num);
	format_set_num_format(f->sub_num, "0");
	f->tot_text = workbook_add_format(wb);
	format_set_border(f->tot_text, LXW_BORDER_THIN);
	format_set_top(f->tot_text, LXW_BORDER_DOUBLE);
	format_set_bold(f->tot_text);
	f->tot_num = workbook_add_format(wb);
	format_set_border(f->tot_num, LXW_BORDER_THIN);
	format_set_top(f->tot_num, LXW_BORDER_DOUBLE);
	format_set_bold(f->tot_num);
	format_set_num_format(f->tot_num, "0");
}

/* Group titles over runs of columns with the same group. */
static lxw_error
groups(lxw_worksheet *ws, const struct report_table *t, lxw_row_t row,
    const struct fmts *f)
{
	size_t c, e;
	lxw_error x = LXW_NO_ERROR;

	for (c = 0; c < t->ncols && x == LXW_NO_ERROR; c = e) {
		for (e = c + 1; e < t->ncols && t->cols[c].group != NULL &&
		    t->cols[e].group != NULL &&
		    strcmp(t->cols[c].group, t->cols[e].group) == 0; e++)
			;
		if (t->cols[c].group == NULL)
			x = worksheet_write_blank(ws, row, (lxw_col_t)c,
			    f->group);
		else if (e - c == 1)
			x = worksheet_write_string(ws, row, (lxw_col_t)c,
			    report_word(t, t->cols[c].group), f->group);
		else
			x = worksheet_merge_range(ws, row, (lxw_col_t)c, row,
			    (lxw_col_t)(e - 1), report_word(t,
			    t->cols[c].group), f->group);
	}
	return x;
}

static lxw_error
cell(lxw_worksheet *ws, const struct report_table *t, size_t r, size_t c,
    lxw_row_t row, const struct fmts *f)
{
	const char *s = report_table_cell(t, r, c);
	int kind = t->kinds[r];
	lxw_format *ft, *fn;
	char *end;
	double d;

	ft = kind == REPORT_ROW_TOTAL ? f->tot_text :
	    kind == REPORT_ROW_SUBTOTAL ? f->sub_text : f->text;
	if (t->cols[c].numeric == REPORT_NUM_DEC)
		fn = kind == REPORT_ROW_TOTAL ? f->tot_dec :
		    kind == REPORT_ROW_SUBTOTAL ? f->sub_dec : f->dec;
	else
		fn = kind == REPORT_ROW_TOTAL ? f->tot_num :
		    kind == REPORT_ROW_SUBTOTAL ? f->sub_num : f->num;
	if (t->cols[c].numeric && *s != '\0') {
		d = strtod(s, &end);
		if (*end == '\0')
			return worksheet_write_number(ws, row, (lxw_col_t)c, d,
			    fn);
	}
	if (*s == '\0')
		return worksheet_write_blank(ws, row, (lxw_col_t)c, ft);
	return worksheet_write_string(ws, row, (lxw_col_t)c, s, ft);
}

enum ds_status
report_xlsx_write(const struct report_table *t, const char *tmp_path,
    const char *path, struct ds_err *err)
{
	lxw_workbook_options opt;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct fmts f;
	lxw_error x = LXW_NO_ERROR;
	lxw_row_t row, head;
	char dir[4096], *slash;
	int has_groups = 0;
	size_t r, c;

	if (t->ncols == 0 || t->ncols > XLSX_COLS_MAX ||
	    t->nrows + 3 > XLSX_ROWS_MAX)
		return ds_err_set(err, DS_ELIMIT, "report xlsx: table too big");
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		slash[slash == dir ? 1 : 0] = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	memset(&opt, 0, sizeof(opt));
	opt.tmpdir = dir;
	if ((wb = workbook_new_opt(tmp_path, &opt)) == NULL)
		return ds_err_set(err, DS_EIO, "report xlsx: cannot create %s",
		    path);
	fmts_make(wb, &f);
	if ((ws = workbook_add_worksheet(wb, report_word(t, N_("Report")))) ==
	    NULL) {
		x = LXW_ERROR_MEMORY_MALLOC_FAILED;
		goto out;
	}
	for (c = 0; c < t->ncols; c++)
		has_groups |= t->cols[c].group != NULL;
	x = worksheet_write_string(ws, 0, 0, t->title, f.title);
	head = has_groups ? 2 : 1;
	if (x == LXW_NO_ERROR && has_groups)
		x = groups(ws, t, 1, &f);
	for (c = 0; c < t->ncols && x == LXW_NO_ERROR; c++) {
		x = worksheet_write_string(ws, head, (lxw_col_t)c,
		    report_word(t, t->cols[c].title), f.head);
		if (x == LXW_NO_ERROR)
			x = worksheet_set_column(ws, (lxw_col_t)c,
			    (lxw_col_t)c, t->cols[c].width, NULL);
	}
	if (x == LXW_NO_ERROR)
		x = worksheet_set_row(ws, head, 48, NULL);
	for (r = 0; r < t->nrows && x == LXW_NO_ERROR; r++) {
		row = (lxw_row_t)(head + 1 + r);
		for (c = 0; c < t->ncols && x == LXW_NO_ERROR; c++)
			x = cell(ws, t, r, c, row, &f);
	}
	if (x == LXW_NO_ERROR)
		worksheet_freeze_panes(ws, (lxw_row_t)(head + 1),
		    (lxw_col_t)t->freeze_cols);
out:
	if (x != LXW_NO_ERROR) {
		(void)workbook_close(wb);
		return ds_err_set(err, DS_EIO, "report xlsx: %s",
		    lxw_strerror(x));
	}
	if ((x = workbook_close(wb)) != LXW_NO_ERROR)
		return ds_err_set(err, x == LXW_ERROR_MEMORY_MALLOC_FAILED ?
		    DS_ENOMEM : DS_EIO, "report xlsx: cannot write %s: %s",
		    tmp_path, lxw_strerror(x));
	return DS_OK;
}
