/* doorstep: the household list: every record, filter, search, sort. */
/*
 * The screen a worker sees all day.  Lines come from the store's sealed
 * summaries (store_list), so 10,000 records list without opening a
 * single answer.  Search is by name, any member's too (the store decrypts
 * summaries in memory) and, when the text looks like one, by household
 * number, ID-card number, or the last 4 or 6 characters of an ID-card
 * number, all through blind indexes (no plaintext index); the results are
 * merged.  Sorting is done here, on the loaded lines.  A refused
 * household shows as refused, with its record code; an empty draft (an
 * accidental N) can be discarded after a question, its history kept.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "form.h"
#include "i18n.h"
#include "mem.h"
#include "store.h"
#include "tui_app.h"
#include "tui_iv.h"
#include "util.h"
#include "ws.h"
#include "xls.h"

enum { SORT_TIME, SORT_VILLAGE };

static struct {
	struct store_list	 l;
	size_t			*order;		/* sorted indices into l */
	size_t			 cur, top;
	int			 status;	/* filter, -1 all */
	int			 sort;
	int			 searching;	/* typing in the search box */
	struct tui_edit		 search;
	int			 correcting;	/* typing why it is corrected */
	struct tui_edit		 why;
	unsigned char		 fix[STORE_ID_BYTES];	/* the record */
	size_t			 ndue;		/* open entries (待访) */
	char			 msg[DS_ERR_MSG_MAX];
	unsigned char		 discard[STORE_ID_BYTES];	/* asked about */
} L;

static void	list_init(const void *);
static void	list_draw(void);
static void	list_key(enum tui_req, wint_t);
static int	list_texting(void);
static void	list_resume(const struct tui_res *);
static void	list_leave(void);
static void	reload(void);
static const char *form_title(const char *);

const struct tui_screen tui_scr_list = {
	"list", list_init, list_draw, list_key, list_texting, list_resume,
	list_leave, 0
};

enum { ASK_DISCARD = 1 };

static const char *
status_text(enum store_status s)
{
	switch (s) {
	case STORE_DRAFT:
		return _("draft");
	case STORE_FINALIZED:
		return _("finalized");
	case STORE_SENT:
		return _("sent");
	case STORE_ACKED:
		return _("acknowledged");
	}
	return "?";
}

static int
cmp_village(const void *a, const void *b)
{
	const struct store_item *x = &L.l.items[*(const size_t *)a];
	const struct store_item *y = &L.l.items[*(const size_t *)b];
	int c;

	c = strcoll(x->village != NULL ? x->village : "",
	    y->village != NULL ? y->village : "");
	if (c != 0)
		return c;
	return x->saved_at > y->saved_at ? -1 : x->saved_at < y->saved_at;
}

static int
cmp_time(const void *a, const void *b)
{
	const struct store_item *x = &L.l.items[*(const size_t *)a];
	const struct store_item *y = &L.l.items[*(const size_t *)b];

	return x->saved_at > y->saved_at ? -1 : x->saved_at < y->saved_at;
}

/* Move the items of `from` not already in L.l into L.l. */
static enum ds_status
merge(struct store_list *from)
{
	struct store_item *v;
	size_t i, j;
	int dup;

	for (i = 0; i < from->n; i++) {
		dup = 0;
		for (j = 0; j < L.l.n && !dup; j++)
			dup = memcmp(L.l.items[j].id, from->items[i].id,
			    STORE_ID_BYTES) == 0;
		if (dup)
			continue;
		v = ds_realloc(L.l.items, (L.l.n + 1) * sizeof(*v));
		if (v == NULL)
			return DS_ENOMEM;
		L.l.items = v;
		L.l.items[L.l.n++] = from->items[i];
		/* Ownership of the strings moved. */
		memset(&from->items[i], 0, sizeof(from->items[i]));
	}
	return DS_OK;
}

/*
 * Text that may be a household number or an ID-card number (or its last
 * characters): one word with a digit in it ("HH0003", "3401...X",
 * "001X").  Those also go through the blind indexes; a name search runs
 * in any case.
 */
static int
looks_like_number(const char *s)
{
	int digit = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ')
			return 0;
		if (*s >= '0' && *s <= '9')
			digit = 1;
	}
	return digit;
}

/* The open entries of the office's lists, for the 待访 tab: counted
 * when the list opens or comes back, not on each search key. */
static void
count_due(void)
{
	struct store_entry *v = NULL;
	struct ds_err err;
	size_t n = 0;

	L.ndue = 0;
	ds_err_clear(&err);
	if (tui_app()->ws != NULL && store_entry_list(ws_store(tui_app()->ws),
	    1, &v, &n, &err) == DS_OK)
		L.ndue = n;
	store_entries_free(v, n);
}

/* (Re)load the lines for the current filter and search. */
static void
reload(void)
{
	struct store *st = tui_app()->ws != NULL ?
	    ws_store(tui_app()->ws) : NULL;
	struct store_query q;
	struct store_list more;
	struct ds_err err;
	char text[TUI_EDIT_MAX * 4 + 1];
	size_t i, n0;

	store_list_free(&L.l);
	ds_free(L.order);
	L.order = NULL;
	L.msg[0] = '\0';
	if (st == NULL)
		return;
	if (tui_edit_get(&L.search, text, sizeof(text)) != 0)
		text[0] = '\0';
	store_query_init(&q);
	q.status = L.status;
	q.name = text[0] != '\0' ? text : NULL;
	if (store_list(st, &q, &L.l, &err) != DS_OK) {
		snprintf(L.msg, sizeof(L.msg), "%s", err.msg);
		return;
	}
	n0 = L.l.n;
	if (looks_like_number(text)) {
		memset(&more, 0, sizeof(more));
		q.name = NULL;
		q.household_key = text;
		if (store_list(st, &q, &more, &err) == DS_OK)
			(void)merge(&more);
		store_list_free(&more);
		q.household_key = NULL;
		q.id_number = text;
		if (store_list(st, &q, &more, &err) == DS_OK)
			(void)merge(&more);
		store_list_free(&more);
		q.id_number = NULL;
		if (strlen(text) == STORE_TAIL_SHORT ||
		    strlen(text) == STORE_TAIL_LONG) {
			q.id_tail = text;
			if (store_list(st, &q, &more, &err) == DS_OK)
				(void)merge(&more);
			store_list_free(&more);
		}
	}
	L.order = ds_calloc(L.l.n + 1, sizeof(size_t));
	if (L.order == NULL)
		tui_die("out of memory");
	for (i = 0; i < L.l.n; i++)
		L.order[i] = i;
	/* The store lists newest first: sort only for another order, or
	 * when searches added lines. */
	if (L.sort == SORT_VILLAGE || L.l.n != n0)
		qsort(L.order, L.l.n, sizeof(size_t), L.sort == SORT_VILLAGE ?
		    cmp_village : cmp_time);
	if (L.cur >= L.l.n)
		L.cur = L.l.n > 0 ? L.l.n - 1 : 0;
}

static void
list_init(const void *arg)
{
	(void)arg;
	L.status = -1;
	L.sort = SORT_TIME;
	L.cur = L.top = 0;
	tui_edit_init(&L.search, TUI_EDIT_TEXT, NULL);
	L.searching = 0;
	count_due();
	reload();
}

/* Back from an interview, the new-form choice or sync: the lines may
 * have changed; filter, search and sort stay as the worker left them. */
static void
list_resume(const struct tui_res *res)
{
	struct ds_err err;
	enum ds_status rc;

	L.searching = 0;
	if (res->from == TUI_SCR_ASK) {
		if (res->tag == ASK_DISCARD && res->kind == TUI_RES_YES) {
			ds_err_clear(&err);
			rc = store_discard(ws_store(tui_app()->ws), L.discard,
			    &err);
			reload();
			if (rc != DS_OK)
				snprintf(L.msg, sizeof(L.msg), "%s", err.msg);
			else
				tui_status(TUI_C_OK, "%s", _("Discarded. The "
				    "audit trail keeps its history."));
		}
		return;
	}
	count_due();
	reload();
}

static void
list_leave(void)
{
	store_list_free(&L.l);
	ds_free(L.order);
	L.order = NULL;
}

static int
list_texting(void)
{
	return L.searching || L.correcting;
}

/*
 * The columns, one row each: title (an msgid), width (0: the rest of the
 * line) and how a line fills its cell.  A second view beside the
 * households (a tab) brings its own loader and table.
 */
struct col {
	const char	*title;
	int		 width;
	int		 wide;		/* needs this many columns, or 0 */
	void		(*cell)(const struct store_item *, char *, size_t,
			    enum tui_color *);
};

static int
blank(const char *s)
{
	return s == NULL || s[strspn(s, " ")] == '\0';
}

/* The head; a refused household says so (its code is in the next
 * column); an empty draft says that. */
static void
cell_head(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	if (it->refused) {
		snprintf(out, n, "%s", _("Refused"));
		if (*c == TUI_C_NORMAL)
			*c = TUI_C_WARN;
		return;
	}
	snprintf(out, n, "%s", !blank(it->head_name) ? it->head_name :
	    !blank(it->label) ? it->label + strspn(it->label, " ") :
	    it->answered == 0 ? _("(empty)") : "-");
}

/* The household number; for a refusal (asked before the address) the
 * record code written on its paper letter. */
static void
cell_key(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	snprintf(out, n, "%s", !blank(it->household_key) ?
	    it->household_key : it->refused && it->code != NULL ? it->code :
	    "");
}

static void
cell_village(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	snprintf(out, n, "%s", it->village != NULL ? it->village : "");
}

static void
cell_form(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	snprintf(out, n, "%s", form_title(it->form_id));
}

static void
cell_status(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	if (!it->refused)
		snprintf(out, n, "%s", status_text(it->status));
	else if (it->status == STORE_DRAFT)
		snprintf(out, n, "%s", _("refused, draft"));
	else if (it->status == STORE_FINALIZED)
		snprintf(out, n, "%s", _("refused, final"));
	else
		snprintf(out, n, "%s", _("refused, sent"));
}

static void
cell_saved(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	time_t t = (time_t)it->saved_at;
	struct tm tm;

	(void)c;
	if (n == 0 || localtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%m-%d %H:%M", &tm) == 0)
		out[0] = '\0';
}

static void
cell_issues(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	snprintf(out, n, "%d/%d", it->n_errors, it->n_warnings);
	if (it->n_errors > 0 && *c == TUI_C_NORMAL)
		*c = TUI_C_ERROR;
}

/* wide: shown only from that many terminal columns on. */
static const struct col cols[] = {
	{ N_("Household head"), 14, 0, cell_head },
	{ N_("Household no."), 17, 0, cell_key },
	{ N_("Village"), 16, 0, cell_village },
	{ N_("Form"), 22, 100, cell_form },
	{ N_("Status"), 15, 0, cell_status },
	{ N_("Saved"), 12, 0, cell_saved },
	{ N_("Err/Warn"), 0, 0, cell_issues },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/* Column i's width at this terminal width (0: not shown). */
static int
col_width(size_t i, int x)
{
	if (cols[i].wide > 0 && COLS < cols[i].wide)
		return 0;
	return cols[i].width > 0 ? cols[i].width : COLS - x - 1;
}

/* The form's title for the Form column: each form read once. */
static const char *
form_title(const char *id)
{
	static struct {
		char		 id[STORE_FORM_ID_MAX];
		struct form	*f;
	} cache[16];
	static size_t n;
	char path[TUI_PATH_MAX + 160];
	struct form_diags d;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cache[i].id, id) == 0)
			return cache[i].f != NULL ?
			    tui_iv_form_title(cache[i].f) : id;
	if (n == sizeof(cache) / sizeof(cache[0]))
		return id;
	snprintf(cache[n].id, sizeof(cache[n].id), "%s", id);
	snprintf(path, sizeof(path), "%s/forms/%s.md", tui_app()->ws_path, id);
	if (!ds_path_exists(path))
		snprintf(path, sizeof(path), "%s/forms/%s.xlsx",
		    tui_app()->ws_path, id);
	form_diags_init(&d);
	if (form_load_file(path, &cache[n].f, &d) != DS_OK)
		cache[n].f = NULL;
	form_diags_reset(&d);
	return form_title(cache[n++].id);
}

static void
list_draw(void)
{
	char line[256];
	const struct store_item *it;
	size_t i, j, rows;
	int y = 0, x, k, w;
	enum tui_color c, cc;

	tui_fill(y, 0, COLS, TUI_C_HEADER);
	snprintf(line, sizeof(line), _("Households: %zu"), L.l.n);
	k = tui_width(line);
	tui_put(y, COLS - k - 1, k, TUI_C_HEADER, line);
	tui_put(y, 1, COLS - k - 3, TUI_C_HEADER, tui_app()->worker);
	y = 1;
	/* A filter that hides records says so loudly. */
	if (L.status >= 0) {
		snprintf(line, sizeof(line), _(" Only %s (S: all) "),
		    status_text((enum store_status)L.status));
		x = tui_put(y, 1, COLS - 2, TUI_C_CURSOR, line);
	} else {
		x = tui_put(y, 1, COLS - 2, TUI_C_HINT, _("Show: "));
		x += tui_put(y, 1 + x, 20, TUI_C_TITLE, _("all"));
	}
	x += tui_put(y, 1 + x, 20, TUI_C_HINT, _("   Sort: "));
	x += tui_put(y, 1 + x, 20, TUI_C_TITLE, L.sort == SORT_TIME ?
	    _("last saved") : _("village"));
	x += tui_put(y, 1 + x, 20, TUI_C_HINT, _("   Search: "));
	tui_edit_draw(&L.search, y, 1 + x, COLS - x - 3, L.searching, 0);
	/* The other view, a Tab away. */
	snprintf(line, sizeof(line), _("Tab  Visits due: %zu"), L.ndue);
	tui_put(2, 1, COLS - 2, L.ndue > 0 ? TUI_C_WARN : TUI_C_HINT, line);
	y = 3;
	tui_fill(y, 0, COLS, TUI_C_HEADER);
	for (j = 0, x = 1; j < NCOLS; j++) {
		if ((w = col_width(j, x)) == 0)
			continue;
		tui_put(y, x, w - 1, TUI_C_HEADER, _(cols[j].title));
		x += w;
	}
	y++;
	rows = (size_t)(LINES - 3 - y);
	if (L.cur < L.top)
		L.top = L.cur;
	if (L.cur >= L.top + rows)
		L.top = L.cur - rows + 1;
	for (i = L.top; i < L.l.n && i < L.top + rows; i++, y++) {
		it = &L.l.items[L.order[i]];
		c = i == L.cur ? TUI_C_CURSOR : TUI_C_NORMAL;
		if (c == TUI_C_CURSOR)
			tui_fill(y, 0, COLS, c);
		for (j = 0, x = 1; j < NCOLS; j++) {
			if ((w = col_width(j, x)) == 0)
				continue;
			cc = c;
			cols[j].cell(it, line, sizeof(line), &cc);
			tui_put(y, x, w - 1, cc, line);
			x += w;
		}
	}
	if (L.l.n == 0)
		tui_put(y + 1, 2, COLS - 4, TUI_C_HINT, L.status >= 0 ?
		    _("Nothing here with this filter. S shows all.") :
		    L.search.len > 0 ? _("Nothing matches the search.") :
		    _("No households yet. Press N to start one."));
	if (L.correcting) {
		tui_fill(LINES - 4, 0, COLS, TUI_C_NORMAL);
		tui_put(LINES - 4, 1, COLS - 2, TUI_C_TITLE, _("Why is this "
		    "household corrected? Type the reason:"));
		tui_edit_draw(&L.why, LINES - 3, 2, COLS - 4, 1, 0);
	} else if (L.msg[0] != '\0')
		tui_wrap(LINES - 3, 1, COLS - 2, 1, 0, TUI_C_ERROR, L.msg);
	it = L.l.n > 0 ? &L.l.items[L.order[L.cur]] : NULL;
	tui_bar_keys(L.searching ?
	    _("Type a name, household number or ID number  Enter Done  "
	    "Esc Clear") : L.correcting ?
	    _("Enter Start the correction  Esc Cancel") :
	    it != NULL && it->status != STORE_DRAFT ?
	    _("Enter Open  N New  / Search  C Correct  R Visit again  "
	    "F9 Sync  F10 Quit") :
	    _("Enter Open  N New  / Search  S Status  O Sort  D Discard  "
	    "F9 Sync  F10 Quit"));
}

static void
open_current(void)
{
	const struct store_item *it;
	struct ds_err err;

	if (L.l.n == 0)
		return;
	it = &L.l.items[L.order[L.cur]];
	if (tui_iv_resume(it->id, &err) != DS_OK) {
		snprintf(L.msg, sizeof(L.msg), "%s", err.msg);
		return;
	}
	list_leave();	/* the lines are reloaded on the way back */
	tui_push(TUI_SCR_FORM, NULL);
}

/* A correction or 再访 of a record: a new visit from it. */
static void
visit_from(int kind, const unsigned char *id, const char *note)
{
	struct fetch_visit v;
	struct ds_err err;
	char tw[512];

	memset(&v, 0, sizeof(v));
	v.kind = kind;
	v.record_id = id;
	v.note = note;
	ds_err_clear(&err);
	if (tui_iv_visit(&v, &err) != DS_OK) {
		snprintf(L.msg, sizeof(L.msg), "%s", err.msg);
		return;
	}
	list_leave();	/* the lines are reloaded on the way back */
	tui_push(TUI_SCR_FORM, NULL);
	if (*tui_iv_consent_on_file(tw, sizeof(tw)) != '\0')
		tui_status(TUI_C_OK, "%s", tw);
}

/* C: a finalized record stays as it is; its correction is a new visit
 * filled from it, with the reason typed first. */
static void
ask_correct(void)
{
	const struct store_item *it;

	if (L.l.n == 0)
		return;
	it = &L.l.items[L.order[L.cur]];
	if (it->status == STORE_DRAFT) {
		snprintf(L.msg, sizeof(L.msg), "%s", _("A draft is changed by "
		    "opening it (Enter); only a finalized record is corrected "
		    "by a new visit."));
		return;
	}
	memcpy(L.fix, it->id, STORE_ID_BYTES);
	tui_edit_init(&L.why, TUI_EDIT_TEXT, NULL);
	L.correcting = 1;
}

static void
correct_key(enum tui_req req, wint_t ch)
{
	char why[TUI_EDIT_MAX * 4 + 1];

	if (req == TUI_REQ_CANCEL) {
		L.correcting = 0;
		return;
	}
	if (req != TUI_REQ_ENTER) {
		(void)tui_edit_key(&L.why, req, ch);
		return;
	}
	if (tui_edit_get(&L.why, why, sizeof(why)) != 0 ||
	    why[strspn(why, " ")] == '\0')
		return;		/* a correction says why */
	L.correcting = 0;
	visit_from(FV_CORRECT, L.fix, why);
}

/* R: 再访, a household seen before, visited again without a list entry. */
static void
revisit(void)
{
	unsigned char id[STORE_ID_BYTES];

	if (L.l.n == 0)
		return;
	memcpy(id, L.l.items[L.order[L.cur]].id, STORE_ID_BYTES);
	visit_from(FV_REVISIT, id, NULL);
}

/* D: only a draft with nothing the worker answered can go. */
static void
ask_discard(void)
{
	const struct store_item *it;
	char q[512];

	if (L.l.n == 0)
		return;
	it = &L.l.items[L.order[L.cur]];
	if (it->status != STORE_DRAFT || it->refused || it->answered != 0) {
		snprintf(L.msg, sizeof(L.msg), "%s", _("Only an empty draft "
		    "can be discarded: this household has answers. Nothing "
		    "was changed."));
		return;
	}
	memcpy(L.discard, it->id, STORE_ID_BYTES);
	snprintf(q, sizeof(q), "%s", _("Discard this empty draft? It leaves "
	    "the list; its history stays in the audit trail."));
	tui_ask(q, ASK_DISCARD, 1);
}

static void
list_key(enum tui_req req, wint_t ch)
{
	size_t page = (size_t)(LINES - 7);

	L.msg[0] = '\0';
	if (L.correcting) {
		correct_key(req, ch);
		return;
	}
	if (L.searching) {
		if (req == TUI_REQ_ENTER) {
			L.searching = 0;
			return;
		}
		if (req == TUI_REQ_CANCEL) {
			tui_edit_init(&L.search, TUI_EDIT_TEXT, NULL);
			L.searching = 0;
		} else if (tui_edit_key(&L.search, req, ch) !=
		    TUI_EDIT_CHANGED)
			return;
		L.cur = L.top = 0;
		reload();
		return;
	}
	switch (req) {
	case TUI_REQ_UP:
		if (L.cur > 0)
			L.cur--;
		return;
	case TUI_REQ_DOWN:
		if (L.cur + 1 < L.l.n)
			L.cur++;
		return;
	case TUI_REQ_PREV:
		L.cur = L.cur > page ? L.cur - page : 0;
		return;
	case TUI_REQ_NEXT:
		L.cur = L.cur + page < L.l.n ? L.cur + page :
		    (L.l.n > 0 ? L.l.n - 1 : 0);
		return;
	case TUI_REQ_HOME:
		L.cur = 0;
		return;
	case TUI_REQ_END:
		L.cur = L.l.n > 0 ? L.l.n - 1 : 0;
		return;
	case TUI_REQ_ENTER:
		open_current();
		return;
	case TUI_REQ_SYNC:
		list_leave();
		tui_push(TUI_SCR_SYNC, NULL);
		return;
	case TUI_REQ_TAB:
	case TUI_REQ_BTAB:
		list_leave();
		tui_push(TUI_SCR_DUE, NULL);
		return;
	case TUI_REQ_QUIT:
		tui_pop(NULL);
		return;
	case TUI_REQ_CANCEL:
		if (L.search.len > 0) {
			tui_edit_init(&L.search, TUI_EDIT_TEXT, NULL);
			reload();
		}
		return;
	case TUI_REQ_CHAR:
		break;
	default:
		return;
	}
	switch (ch) {
	case L'/':
		L.searching = 1;
		return;
	case L's':
	case L'S':
		L.status = L.status >= STORE_ACKED ? -1 : L.status + 1;
		L.cur = L.top = 0;
		reload();
		return;
	case L'o':
	case L'O':
		L.sort = L.sort == SORT_TIME ? SORT_VILLAGE : SORT_TIME;
		reload();
		return;
	case L'n':
	case L'N':
		list_leave();
		tui_push(TUI_SCR_NEWFORM, NULL);
		return;
	case L'd':
	case L'D':
		ask_discard();
		return;
	case L'c':
	case L'C':
		ask_correct();
		return;
	case L'r':
	case L'R':
		revisit();
		return;
	default:
		return;
	}
}
