/* doorstep: the sync screen: what waits to go, export, send with progress. */
/*
 * Shows what `doorstep sync status` shows (records the office has not
 * confirmed, their sequence range, the last save sequence, records by
 * status, and a gap when the office confirmed later saves but not these),
 * writes the pending records as one signed bundle into a folder the
 * worker types (a USB stick), or sends them to the office over HTTP.
 *
 * Sending runs inside the key handler (curses is single-threaded, there
 * are no threads): the transport's progress callback and pack_push's
 * back-off callback redraw this screen, throttled to ~10 frames a second,
 * and read Esc through tui_poll().  Esc cancels: curl aborts, nothing is
 * acknowledged (only a verified receipt does that), so the same records
 * go next time.  Nothing is deleted here.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch.h"
#include "i18n.h"
#include "pack.h"
#include "store.h"
#include "tui_app.h"
#include "util.h"
#include "ws.h"

#define SYNC_FRAME_MS	100	/* at most ~10 redraws a second */
#define SYNC_TRIES	3
#define SYNC_BACKOFF_MS	500

static struct {
	struct store_outbox_counts c;
	size_t		 pending;	/* records among c.revisions */
	int64_t		 last;		/* last save sequence */
	size_t		 by_status[4];	/* enum store_status */
	int		 typing;	/* 'e' folder, 'p' address, 0 */
	struct tui_edit	 dir;
	struct tui_edit	 url;
	char		 msg[DS_ERR_MSG_MAX * 2];
	enum tui_color	 msgc;
	/* a send in progress */
	int		 busy;		/* 's' sending, 'w' waiting, 0 */
	int		 cancel;
	size_t		 sent, total;
	unsigned	 try_no, tries, wait_s;
	int64_t		 drawn_ms;
} S;

static void	sync_init(const void *);
static void	sync_draw(void);
static void	sync_key(enum tui_req, wint_t);
static int	sync_texting(void);

const struct tui_screen tui_scr_sync = {
	"sync", sync_init, sync_draw, sync_key, sync_texting, NULL, NULL, 0
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The same numbers as `doorstep sync status` (src/cmd_sync.c). */
static void
refresh_status(void)
{
	struct store *st = ws_store(tui_app()->ws);
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	int i;

	memset(&S.c, 0, sizeof(S.c));
	S.pending = 0;
	S.last = 0;
	memset(S.by_status, 0, sizeof(S.by_status));
	ds_err_clear(&err);
	if (store_outbox_count(st, &S.c, &err) != DS_OK ||
	    store_outbox_last_seq(st, &S.last, &err) != DS_OK)
		goto out;
	S.pending = (size_t)S.c.records;
	for (i = STORE_DRAFT; i <= STORE_ACKED; i++) {
		store_query_init(&q);
		q.status = i;
		if (store_list(st, &q, &l, &err) != DS_OK)
			goto out;
		S.by_status[i] = l.n;
		store_list_free(&l);
	}
	return;
out:
	snprintf(S.msg, sizeof(S.msg), "%s", err.msg);
	S.msgc = TUI_C_ERROR;
}

static void
sync_init(const void *arg)
{
	(void)arg;
	memset(&S, 0, sizeof(S));
	tui_edit_init(&S.dir, TUI_EDIT_TEXT, NULL);
	tui_edit_init(&S.url, TUI_EDIT_TEXT, getenv("DOORSTEP_OFFICE_URL"));
	refresh_status();
}

static int
sync_texting(void)
{
	return S.typing;
}

static void	fetch_msg(enum ds_status, const struct fetch_sum *,
		    const struct ds_err *);

/*
 * E: one action on the stick, as `doorstep sync export`: first what the
 * office left there for this laptop (its visit lists and forms), then
 * the bundle of what waits to go.
 */
static void
export_now(void)
{
	static struct fetch_sum got;
	struct tui_app *a = tui_app();
	struct pack_opts po;
	struct pack_result pr;
	struct ds_err err, ferr;
	char dir[TUI_EDIT_MAX * 4 + 1];
	enum ds_status fst, st;

	if (tui_edit_get(&S.dir, dir, sizeof(dir)) != 0 || dir[0] == '\0')
		return;
	memset(&po, 0, sizeof(po));
	memset(&got, 0, sizeof(got));
	po.worker = a->worker;
	ds_err_clear(&err);
	ds_err_clear(&ferr);
	fst = ds_path_exists(dir) ? fetch_dir(a->ws, dir, &got, &ferr) :
	    DS_OK;
	refresh_status();	/* the records the bundles will carry */
	st = pack_export(ws_store(a->ws), ws_device_id(a->ws),
	    ws_signer(a->ws), ws_office(a->ws), &po, dir, &pr, &err);
	if (st == DS_ENOENT) {
		snprintf(S.msg, sizeof(S.msg), "%s", _("Nothing to "
		    "send: every record already went to the office."));
		S.msgc = TUI_C_OK;
	} else if (st != DS_OK) {
		snprintf(S.msg, sizeof(S.msg), _("Export failed: %s. "
		    "No record was changed; check the folder and try "
		    "again."), err.msg);
		S.msgc = TUI_C_ERROR;
	} else {
		snprintf(S.msg, sizeof(S.msg), _("Wrote %zu records to %s. "
		    "Take the file to the township office; records stay here "
		    "until the office's receipt comes back."), S.pending,
		    pr.path);
		S.msgc = TUI_C_OK;
	}
	fetch_msg(fst, &got, &ferr);
	if (st == DS_OK || st == DS_ENOENT)
		S.typing = 0;
	refresh_status();
}

/* Any Esc typed since the last look cancels; other keys are dropped. */
static int
esc_pressed(int wait_ms)
{
	enum tui_req r;

	for (;;) {
		r = tui_poll(wait_ms);
		if (r == TUI_REQ_CANCEL)
			S.cancel = 1;
		if (r == TUI_REQ_NONE)
			break;
		wait_ms = 0;
	}
	return S.cancel;
}

/* xport progress: redraw (throttled), and cancel on Esc. */
static int
on_progress(void *arg, size_t sent, size_t total)
{
	int64_t now = mono_ms();

	(void)arg;
	S.busy = 's';
	S.sent = sent;
	S.total = total;
	if (now - S.drawn_ms >= SYNC_FRAME_MS || (total > 0 &&
	    sent == total)) {
		tui_draw();
		S.drawn_ms = now;
	}
	return esc_pressed(0);
}

/* pack_push back-off: count down on the screen, cancel on Esc. */
static int
on_wait(void *arg, unsigned ms, unsigned next, unsigned tries)
{
	int64_t end = mono_ms() + ms, left;

	(void)arg;
	S.busy = 'w';
	S.try_no = next;
	S.tries = tries;
	while ((left = end - mono_ms()) > 0) {
		S.wait_s = (unsigned)((left + 999) / 1000);
		tui_draw();
		if (esc_pressed(left < 200 ? (int)left : 200))
			return 1;
	}
	S.busy = 's';
	S.sent = 0;
	tui_draw();
	return 0;
}

/* The receipt in the worker's words. */
static void
receipt_msg(size_t n, const struct receipt *rc)
{
	switch (rc->status) {
	case RS_HELD:
		snprintf(S.msg, sizeof(S.msg), _("Sent %zu records. The office "
		    "received them but has not approved this laptop yet: ask "
		    "the office to enroll it, then send again. The answers "
		    "are safe here."), n);
		S.msgc = TUI_C_WARN;
		break;
	default:
		snprintf(S.msg, sizeof(S.msg), _("Sent %zu records; the office "
		    "confirmed them. Receipt: %u new saves, %u already there; "
		    "confirmed through save %llu."), n, rc->n_new, rc->n_dup,
		    (unsigned long long)rc->contiguous);
		S.msgc = TUI_C_OK;
		break;
	}
}

/* What came from the office after the send, added to the message. */
static void
fetch_msg(enum ds_status st, const struct fetch_sum *g,
    const struct ds_err *err)
{
	size_t n = strlen(S.msg);
	char more[256];

	if (st != DS_OK)
		snprintf(more, sizeof(more), _("The visit lists could not be "
		    "fetched (%s); sync again later."), err->msg);
	else if (g->refused > 0)
		snprintf(more, sizeof(more), _("%zu list file(s) from the office "
		    "were refused; nothing in them was applied."), g->refused);
	else if (g->applied > 0)
		snprintf(more, sizeof(more), _("New from the office: %zu visits "
		    "to make, %zu withdrawn, %zu form(s)."), g->n_entries,
		    g->n_withdrawals, g->n_forms);
	else
		return;
	snprintf(S.msg + n, sizeof(S.msg) - n, "%s%s", n > 0 ? " " : "",
	    more);
	if (st != DS_OK || g->refused > 0)
		S.msgc = TUI_C_WARN;
}

static void
push_now(void)
{
	static struct fetch_sync fs;
	struct tui_app *a = tui_app();
	struct pack_opts po;
	struct push_opts pu;
	struct ds_err err;
	char url[TUI_EDIT_MAX * 4 + 1];
	const char *e;
	enum ds_status st, fst;
	size_t nrec;
	int64_t n;

	if (tui_edit_get(&S.url, url, sizeof(url)) != 0 || url[0] == '\0')
		return;
	memset(&po, 0, sizeof(po));
	memset(&pu, 0, sizeof(pu));
	po.worker = a->worker;
	pu.tries = SYNC_TRIES;
	pu.backoff_ms = SYNC_BACKOFF_MS;
	if ((e = getenv("DOORSTEP_SYNC_BACKOFF_MS")) != NULL &&
	    ds_parse_i64(e, 1, 60000, &n) == 0)
		pu.backoff_ms = (unsigned)n;
	if ((e = getenv("DOORSTEP_CA_FILE")) != NULL && *e != '\0')
		pu.x.ca_file = e;
	pu.x.progress = on_progress;
	pu.wait = on_wait;
	S.typing = 0;
	S.msg[0] = '\0';
	S.busy = 's';
	S.cancel = 0;
	S.sent = S.total = 0;
	S.try_no = 1;
	S.tries = pu.tries;
	S.drawn_ms = 0;
	refresh_status();	/* the records the bundles will carry */
	nrec = S.pending;
	tui_draw();
	ds_err_clear(&err);
	/* The same function as `doorstep sync`: send, then the lists. */
	fst = fetch_sync(a->ws, url, &po, &pu, &fs, &err);
	st = fs.push;
	if (st != DS_OK && st != DS_ENOENT)
		err = fs.push_err;
	S.busy = 0;
	if (st == DS_ENOENT)
		snprintf(S.msg, sizeof(S.msg), "%s", _("Nothing to send: every "
		    "record already went to the office."));
	else if (st == DS_ECANCEL)
		snprintf(S.msg, sizeof(S.msg), "%s", _("Upload cancelled. The "
		    "answers are safe on this laptop; the same records go "
		    "next time you send."));
	else if (st != DS_OK)
		snprintf(S.msg, sizeof(S.msg), _("Sending failed: %s. Nothing "
		    "was lost; try again later or export to a USB stick."),
		    err.msg);
	else
		receipt_msg(nrec, &fs.rc);
	if (st != DS_OK)
		S.msgc = st == DS_ECANCEL ? TUI_C_WARN : TUI_C_ERROR;
	if (st != DS_ECANCEL && st != DS_ECRYPTO)
		fetch_msg(fst, &fs.got, &err);
	refresh_status();
}

/* "120 KB" or "3.4 MB". */
static void
size_str(size_t n, char *out, size_t len)
{
	if (n < 10u * 1024 * 1024)
		snprintf(out, len, "%zu KB", (n + 512) / 1024);
	else
		snprintf(out, len, "%zu.%zu MB", n / (1024 * 1024),
		    n % (1024 * 1024) * 10 / (1024 * 1024));
}

/* The bar, the percentage and the byte count of a send in progress. */
static int
draw_progress(int y)
{
	char line[256], a[32], b[32];
	int w = COLS - 4 - 7, fill, pct, x;

	if (S.busy == 'w') {
		snprintf(line, sizeof(line), _("No answer from the office. "
		    "Retrying in %u s (try %u of %u)."), S.wait_s, S.try_no,
		    S.tries);
		tui_wrap(y, 2, COLS - 4, 2, 0, TUI_C_WARN, line);
		return y + 2;
	}
	snprintf(line, sizeof(line), _("Sending to the office (try %u of "
	    "%u)"), S.try_no, S.tries);
	tui_put(y++, 2, COLS - 4, TUI_C_TITLE, line);
	pct = S.total > 0 ? (int)((unsigned long long)S.sent * 100 /
	    S.total) : 0;
	fill = S.total > 0 ? (int)((unsigned long long)S.sent * (unsigned)w /
	    S.total) : 0;
	for (x = 0; x < w; x++)
		tui_put(y, 2 + x, 1, x < fill ? TUI_C_OK : TUI_C_HINT,
		    x < fill ? "#" : ".");
	snprintf(line, sizeof(line), "%4d%%", pct);
	tui_put(y++, 2 + w + 1, 6, TUI_C_NORMAL, line);
	size_str(S.sent, a, sizeof(a));
	size_str(S.total, b, sizeof(b));
	snprintf(line, sizeof(line), _("Sending ... %s / %s"), a, b);
	tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, line);
	/* The office imports before it answers: say what the wait is. */
	if (S.total > 0 && S.sent >= S.total)
		tui_put(y++, 2, COLS - 4, TUI_C_HINT, _("All sent; waiting "
		    "for the office's receipt..."));
	return y;
}

static void
sync_draw(void)
{
	char line[256], fpr[CRY_FPR_TEXT];
	int y = 2;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	tui_put(0, 1, COLS - 2, TUI_C_HEADER, _("Sync with the township "
	    "office"));
	snprintf(line, sizeof(line), _("Records the office has not "
	    "confirmed yet: %zu"), S.pending);
	tui_put(y++, 2, COLS - 4, TUI_C_TITLE, line);
	if (S.c.revisions > 0) {
		snprintf(line, sizeof(line), _("  %lld saves (%lld-%lld of %lld): "
		    "%lld in a bundle already, %lld not yet"),
		    (long long)S.c.revisions, (long long)S.c.seq_lo,
		    (long long)S.c.seq_hi, (long long)S.last,
		    (long long)(S.c.revisions - S.c.unsent),
		    (long long)S.c.unsent);
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, line);
	}
	snprintf(line, sizeof(line), _("Draft %zu   Finalized %zu   Sent %zu "
	    "  Confirmed %zu"), S.by_status[STORE_DRAFT],
	    S.by_status[STORE_FINALIZED], S.by_status[STORE_SENT],
	    S.by_status[STORE_ACKED]);
	tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, line);
	/* A receipt covered later saves but not these (as sync status). */
	if (S.c.revisions > 0 && S.c.seq_lo < S.c.acked_hi) {
		snprintf(line, sizeof(line), "%s", _("Gap: the office "
		    "confirmed later saves but not these; they go with the "
		    "next send."));
		tui_put(y++, 2, COLS - 4, TUI_C_WARN, line);
	}
	/* What the office compares to enroll this laptop (docs/sync.md). */
	ws_fingerprint(tui_app()->ws, fpr);
	snprintf(line, sizeof(line), _("This laptop's fingerprint: %s"), fpr);
	tui_put(y++, 2, COLS - 4, TUI_C_HINT, line);
	y++;
	if (S.busy)
		y = draw_progress(y);
	else if (S.typing == 'e') {
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Folder to write "
		    "the file into (for example the USB stick), then Enter:"));
		tui_edit_draw(&S.dir, y++, 4, COLS - 8, 1, 0);
	} else if (S.typing == 'p') {
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Address of the "
		    "township office, then Enter:"));
		tui_edit_draw(&S.url, y++, 4, COLS - 8, 1, 0);
	} else {
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("E  Export to a "
		    "folder (USB stick)"));
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("P  Send to the "
		    "office over the network"));
	}
	y++;
	if (S.msg[0] != '\0' && !S.busy)
		tui_wrap(y, 2, COLS - 4, 5, 0, S.msgc, S.msg);
	tui_bar_keys(S.busy ? _("Esc Cancel the upload") :
	    S.typing == 'e' ? _("Enter Export  Esc Cancel") :
	    S.typing == 'p' ? _("Enter Send  Esc Cancel") :
	    _("E Export  P Send  Esc Back  F10 Back"));
}

static void
sync_key(enum tui_req req, wint_t ch)
{
	if (S.typing) {
		if (req == TUI_REQ_ENTER && S.typing == 'e')
			export_now();
		else if (req == TUI_REQ_ENTER)
			push_now();
		else if (req == TUI_REQ_CANCEL)
			S.typing = 0;
		else
			(void)tui_edit_key(S.typing == 'e' ? &S.dir : &S.url, req,
			    ch);
		return;
	}
	switch (req) {
	case TUI_REQ_CHAR:
		if (ch == L'e' || ch == L'E' || ch == L'p' || ch == L'P') {
			S.typing = ch == L'e' || ch == L'E' ? 'e' : 'p';
			S.msg[0] = '\0';
		}
		return;
	case TUI_REQ_CANCEL:
	case TUI_REQ_QUIT:
	case TUI_REQ_SYNC:
		tui_pop(NULL);
		return;
	default:
		return;
	}
}
