/* doorstep: the household list: every record, filter, search, sort. */
/*
 * The screen a worker sees all day.  Lines come from the store's sealed
 * summaries (store_list), so 10,000 records list without opening a
 * single answer.  Search is by name (the store decrypts summaries in
 * memory) and, when the text looks like one, by household number and
 * ID-card number through the blind indexes; the results are merged.
 * Sorting is done here, on the loaded lines.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "i18n.h"
#include "mem.h"
#include "store.h"
#include "tui_app.h"
#include "tui_iv.h"
#include "ws.h"

enum { SORT_TIME, SORT_VILLAGE };

static struct {
	struct store_list	 l;
	size_t			*order;		/* sorted indices into l */
	size_t			 cur, top;
	int			 status;	/* filter, -1 all */
	int			 sort;
	int			 searching;	/* typing in the search box */
	struct tui_edit		 search;
	char			 msg[DS_ERR_MSG_MAX];
} L;

static void	list_init(const void *);
static void	list_draw(void);
static void	list_key(enum tui_req, wint_t);
static int	list_texting(void);
static void	list_resume(const struct tui_res *);
static void	list_leave(void);
static void	reload(void);

const struct tui_screen tui_scr_list = {
	"list", list_init, list_draw, list_key, list_texting, list_resume,
	list_leave, 0
};

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
 * Text that may be a household number or an ID-card number: one word with
 * a digit in it ("HH0003", "3401...X").  Those also go through the blind
 * indexes; a name search runs in any case.
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
	size_t i;

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
	}
	L.order = ds_calloc(L.l.n + 1, sizeof(size_t));
	if (L.order == NULL)
		tui_die("out of memory");
	for (i = 0; i < L.l.n; i++)
		L.order[i] = i;
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
	reload();
}

/* Back from an interview, the new-form choice or sync: the lines may
 * have changed; filter, search and sort stay as the worker left them. */
static void
list_resume(const struct tui_res *res)
{
	(void)res;
	L.searching = 0;
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
	return L.searching;
}

/*
 * The columns, one row each: title (an msgid), width (0: the rest of the
 * line) and how a line fills its cell.  A second view beside the
 * households (a tab) brings its own loader and table.
 */
struct col {
	const char	*title;
	int		 width;
	void		(*cell)(const struct store_item *, char *, size_t,
			    enum tui_color *);
};

static void
cell_head(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	snprintf(out, n, "%s", it->head_name != NULL ? it->head_name :
	    (it->label != NULL ? it->label : "-"));
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
	snprintf(out, n, "%s", it->form_id);
}

static void
cell_status(const struct store_item *it, char *out, size_t n,
    enum tui_color *c)
{
	(void)c;
	snprintf(out, n, "%s", status_text(it->status));
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

static const struct col cols[] = {
	{ N_("Household head"), 16, cell_head },
	{ N_("Village"), 14, cell_village },
	{ N_("Form"), 14, cell_form },
	{ N_("Status"), 10, cell_status },
	{ N_("Saved"), 12, cell_saved },
	{ N_("Err/Warn"), 0, cell_issues },
};
#define NCOLS	(sizeof(cols) / sizeof(cols[0]))

/* Column i's width at this terminal width. */
static int
col_width(size_t i, int x)
{
	return cols[i].width > 0 ? cols[i].width : COLS - x - 1;
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
	x = tui_put(y, 1, COLS - 2, TUI_C_HINT, _("Show: "));
	x += tui_put(y, 1 + x, 20, TUI_C_TITLE, L.status < 0 ? _("all") :
	    status_text((enum store_status)L.status));
	x += tui_put(y, 1 + x, 20, TUI_C_HINT, _("   Sort: "));
	x += tui_put(y, 1 + x, 20, TUI_C_TITLE, L.sort == SORT_TIME ?
	    _("last saved") : _("village"));
	x += tui_put(y, 1 + x, 20, TUI_C_HINT, _("   Search: "));
	tui_edit_draw(&L.search, y, 1 + x, COLS - x - 3, L.searching, 0);
	y = 3;
	tui_fill(y, 0, COLS, TUI_C_HEADER);
	for (j = 0, x = 1; j < NCOLS; j++) {
		w = col_width(j, x);
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
			w = col_width(j, x);
			cc = c;
			cols[j].cell(it, line, sizeof(line), &cc);
			tui_put(y, x, w - 1, cc, line);
			x += w;
		}
	}
	if (L.l.n == 0)
		tui_put(y + 1, 2, COLS - 4, TUI_C_HINT, L.search.len > 0 ?
		    _("Nothing matches the search.") :
		    _("No households yet. Press N to start one."));
	if (L.msg[0] != '\0')
		tui_wrap(LINES - 3, 1, COLS - 2, 1, 0, TUI_C_ERROR, L.msg);
	tui_bar_keys(L.searching ?
	    _("Type a name, household number or ID number  Enter Done  "
	    "Esc Clear") :
	    _("Enter Open  N New  / Search  S Status  O Sort  F9 Sync  "
	    "F1 Help  F10 Quit"));
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

static void
list_key(enum tui_req req, wint_t ch)
{
	size_t page = (size_t)(LINES - 7);

	L.msg[0] = '\0';
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
	default:
		return;
	}
}
