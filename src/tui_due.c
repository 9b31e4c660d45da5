/* doorstep: the 待访 view: the office's visit list, by due date. */
/*
 * docs/case.md "On the laptop".  The open entries of the office's lists
 * (store_entry_list: neither withdrawn nor done), as `doorstep records
 * --due` lists them: by due date, overdue first and marked, with the
 * reason, the household, and under the list the clue's text and the
 * consent on file of the entry the cursor is on.  Enter starts the visit
 * (sync/fetch_visit.c through tui_iv_visit); an entry whose visit was
 * started and not finished resumes that draft.  Entries are decrypted
 * here only, and wiped when the screen goes.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch.h"
#include "i18n.h"
#include "json.h"
#include "mem.h"
#include "store.h"
#include "tui_app.h"
#include "tui_iv.h"
#include "util.h"
#include "ws.h"

#define DATE_LEN	10	/* YYYY-MM-DD */

struct due {
	struct store_entry	*e;	/* borrowed from D.v */
	json_t			*doc;	/* the entry, parsed */
	const char		*due, *reason, *hh, *head, *village, *clue;
	int			 overdue;
};

static struct {
	struct store_entry	*v;
	size_t			 nv;
	struct due		*d;
	size_t			 n, cur, top;
	char			 today[DATE_LEN + 1];
	char			 msg[DS_ERR_MSG_MAX];
} D;

static void	due_init(const void *);
static void	due_draw(void);
static void	due_key(enum tui_req, wint_t);
static void	due_resume(const struct tui_res *);
static void	due_leave(void);

const struct tui_screen tui_scr_due = {
	"due", due_init, due_draw, due_key, NULL, due_resume, due_leave, 0
};

static const char *
jstr(const json_t *o, const char *k)
{
	const json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "";
}

static int
due_cmp(const void *a, const void *b)
{
	const struct due *x = a, *y = b;
	int c = strcmp(x->due, y->due);

	return c != 0 ? c : memcmp(x->e->entry_id, y->e->entry_id,
	    STORE_ID_BYTES);
}

static void
unload(void)
{
	size_t i;

	for (i = 0; i < D.n; i++)
		json_decref(D.d[i].doc);
	ds_free(D.d);
	D.d = NULL;
	D.n = 0;
	store_entries_free(D.v, D.nv);
	D.v = NULL;
	D.nv = 0;
}

static void
load(void)
{
	struct ds_err err;
	char iso[32];
	size_t i;

	unload();
	D.msg[0] = '\0';
	ds_time_iso(ds_now(), iso);
	snprintf(D.today, sizeof(D.today), "%.*s", DATE_LEN, iso);
	ds_err_clear(&err);
	if (store_entry_list(ws_store(tui_app()->ws), 1, &D.v, &D.nv, &err) !=
	    DS_OK) {
		snprintf(D.msg, sizeof(D.msg), "%s", err.msg);
		return;
	}
	if (D.nv > 0 && (D.d = ds_calloc(D.nv, sizeof(*D.d))) == NULL)
		tui_die("out of memory");
	for (i = 0; i < D.nv; i++) {
		struct due *d = &D.d[D.n];

		if (ds_json_parse(D.v[i].json, D.v[i].len, STORE_ENTRY_MAX,
		    "entry", &d->doc, NULL) != DS_OK)
			continue;
		d->e = &D.v[i];
		d->due = jstr(d->doc, "due");
		d->reason = jstr(d->doc, "reason");
		d->hh = jstr(d->doc, "hh_key");
		d->head = jstr(d->doc, "head_name");
		d->village = jstr(d->doc, "village_name");
		d->clue = jstr(json_object_get(d->doc, "clue"), "reason");
		d->overdue = *d->due != '\0' && strcmp(d->due, D.today) < 0;
		D.n++;
	}
	qsort(D.d, D.n, sizeof(*D.d), due_cmp);
	if (D.cur >= D.n)
		D.cur = D.n > 0 ? D.n - 1 : 0;
}

static void
due_init(const void *arg)
{
	(void)arg;
	D.cur = D.top = 0;
	load();
}

/* Back from a visit: its entry may be done. */
static void
due_resume(const struct tui_res *res)
{
	(void)res;
	load();
}

static void
due_leave(void)
{
	unload();
}

/* The consent the office has on file for this household, or "". */
static void
consent_line(const json_t *doc, char *out, size_t n)
{
	const json_t *c = json_object_get(doc, "consent");
	const char *code = jstr(c, "record_code");

	if (*code == '\0')
		snprintf(out, n, "%s", _("No consent on file: the consent "
		    "letter is read and signed at this visit."));
	else
		snprintf(out, n, _("Consent on file (letter %s of %s, %s): not "
		    "asked again."), code, *jstr(c, "date") != '\0' ?
		    jstr(c, "date") : "?", strcmp(jstr(c, "method"),
		    "proxy") == 0 ? _("signed by a proxy") : _("signed"));
}

static void
due_draw(void)
{
	static const struct {
		const char	*title;
		int		 width;
	} cols[] = {
		{ N_("Due"), 11 }, { N_("State"), 9 }, { N_("Reason"), 15 },
		{ N_("Household no."), 17 }, { N_("Head"), 9 },
		{ N_("Village"), 0 }
	};
	const size_t ncols = sizeof(cols) / sizeof(cols[0]);
	char line[512], cell[6][256];
	const struct due *d;
	size_t i, j, rows;
	int y, x, w;
	enum tui_color c;

	snprintf(line, sizeof(line), _("Visits due: %zu"), D.n);
	tui_bar_title(tui_app()->worker, line);
	tui_put(1, 1, COLS - 2, TUI_C_HINT, _("The office's visit list, by "
	    "due date; overdue visits come first."));
	y = 3;
	tui_fill(y, 0, COLS, TUI_C_HEADER);
	for (j = 0, x = 1; j < ncols; j++) {
		w = cols[j].width > 0 ? cols[j].width : COLS - x - 1;
		tui_put(y, x, w - 1, TUI_C_HEADER, _(cols[j].title));
		x += w;
	}
	y++;
	rows = (size_t)(LINES - 8 - y);
	if (D.cur < D.top)
		D.top = D.cur;
	if (D.cur >= D.top + rows)
		D.top = D.cur - rows + 1;
	for (i = D.top; i < D.n && i < D.top + rows; i++, y++) {
		d = &D.d[i];
		c = i == D.cur ? TUI_C_CURSOR : TUI_C_NORMAL;
		if (c == TUI_C_CURSOR)
			tui_fill(y, 0, COLS, c);
		snprintf(cell[0], sizeof(cell[0]), "%s", d->due);
		snprintf(cell[1], sizeof(cell[1]), "%s", d->overdue ?
		    _("overdue") : d->e->has_record ? _("started") : "");
		snprintf(cell[2], sizeof(cell[2]), "%s",
		    i18n_visit_reason(d->reason));
		snprintf(cell[3], sizeof(cell[3]), "%s", d->hh);
		snprintf(cell[4], sizeof(cell[4]), "%s", *d->head != '\0' ?
		    d->head : "-");
		snprintf(cell[5], sizeof(cell[5]), "%s", d->village);
		for (j = 0, x = 1; j < ncols; j++) {
			w = cols[j].width > 0 ? cols[j].width : COLS - x - 1;
			tui_put(y, x, w - 1, j == 1 && d->overdue &&
			    c == TUI_C_NORMAL ? TUI_C_ERROR : c, cell[j]);
			x += w;
		}
	}
	if (D.n == 0)
		tui_wrap(y + 1, 2, COLS - 4, 3, 0, TUI_C_HINT, _("No visits "
		    "are due. The office's lists come with sync (F9): over "
		    "the network, or from its USB stick."));
	/* The entry under the cursor: its clue and the consent on file. */
	y = LINES - 7;
	if (D.n > 0) {
		d = &D.d[D.cur];
		if (*d->clue != '\0') {
			snprintf(line, sizeof(line), _("Clue: %s"), d->clue);
			y += tui_wrap(y, 2, COLS - 4, 2, 0, TUI_C_WARN, line);
		}
		consent_line(d->doc, line, sizeof(line));
		y += tui_wrap(y, 2, COLS - 4, 2, 0, TUI_C_HINT, line);
		if (d->e->has_record)
			tui_put(y++, 2, COLS - 4, TUI_C_HINT, _("Its visit was "
			    "started: Enter goes on with it."));
	}
	if (D.msg[0] != '\0')
		tui_wrap(LINES - 3, 1, COLS - 2, 1, 0, TUI_C_ERROR, D.msg);
	tui_bar_keys(_("Enter Visit  Tab Households  F9 Sync  Esc Back"));
}

/* Enter: the visit of the entry under the cursor. */
static void
start(void)
{
	struct fetch_visit v;
	struct ds_err err;
	const struct due *d;
	char tw[512];
	enum ds_status rc;

	if (D.n == 0)
		return;
	d = &D.d[D.cur];
	ds_err_clear(&err);
	if (d->e->has_record && d->e->record_status == STORE_DRAFT)
		rc = tui_iv_resume(d->e->record_id, &err);
	else {
		memset(&v, 0, sizeof(v));
		v.kind = FV_ENTRY;
		v.entry = d->e;
		rc = tui_iv_visit(&v, &err);
	}
	if (rc != DS_OK) {
		snprintf(D.msg, sizeof(D.msg), "%s", err.msg);
		return;
	}
	unload();	/* loaded again on the way back */
	tui_push(TUI_SCR_FORM, NULL);
	if (*tui_iv_consent_on_file(tw, sizeof(tw)) != '\0')
		tui_status(TUI_C_OK, "%s", tw);
}

static void
due_key(enum tui_req req, wint_t ch)
{
	D.msg[0] = '\0';
	switch (req) {
	case TUI_REQ_UP:
		if (D.cur > 0)
			D.cur--;
		return;
	case TUI_REQ_DOWN:
		if (D.cur + 1 < D.n)
			D.cur++;
		return;
	case TUI_REQ_HOME:
		D.cur = 0;
		return;
	case TUI_REQ_END:
		D.cur = D.n > 0 ? D.n - 1 : 0;
		return;
	case TUI_REQ_ENTER:
		start();
		return;
	case TUI_REQ_SYNC:
		unload();
		tui_push(TUI_SCR_SYNC, NULL);
		return;
	case TUI_REQ_TAB:
	case TUI_REQ_BTAB:
	case TUI_REQ_CANCEL:
	case TUI_REQ_QUIT:
		tui_pop(NULL);
		return;
	default:
		(void)ch;
		return;
	}
}
