/* doorstep: the sync screen: what waits to go, export to a USB folder. */
/*
 * Shows how many records the office has not confirmed (outbox rows no
 * verified receipt covers, sent or not) and writes them as one signed bundle into a folder the
 * worker types (a USB stick), through the sync layer's packer
 * (pack_export).  Nothing is deleted here: records leave the laptop only
 * after the office's receipt is verified.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "pack.h"
#include "store.h"
#include "tui_app.h"
#include "ws.h"

static struct {
	size_t		 pending;
	int64_t		 lo, hi;
	int		 typing;	/* 'e' folder, 'p' address, 0 */
	struct tui_edit	 dir;
	struct tui_edit	 url;
	char		 msg[DS_ERR_MSG_MAX];
	enum tui_color	 msgc;
} S;

static void	sync_draw(void);
static void	sync_key(enum tui_req, wint_t);
static int	sync_texting(void);

static const struct tui_screen sync_screen = {
	"sync", sync_draw, sync_key, sync_texting
};

static void
refresh_status(void)
{
	struct store_outbox_counts c;
	struct ds_err err;

	S.pending = 0;
	if (store_outbox_count(ws_store(tui_app()->ws), &c, &err) == DS_OK) {
		S.pending = (size_t)c.records;
		S.lo = c.seq_lo;
		S.hi = c.seq_hi;
	} else {
		snprintf(S.msg, sizeof(S.msg), "%s", err.msg);
		S.msgc = TUI_C_ERROR;
	}
}

void
tui_sync_init(void)
{
	memset(&S, 0, sizeof(S));
	tui_edit_init(&S.dir, TUI_EDIT_TEXT, NULL);
	tui_edit_init(&S.url, TUI_EDIT_TEXT, getenv("DOORSTEP_OFFICE_URL"));
	refresh_status();
	tui_screen_set(&sync_screen);
}

static int
sync_texting(void)
{
	return S.typing;
}

static void
export_now(void)
{
	struct tui_app *a = tui_app();
	struct pack_opts po;
	struct pack_result pr;
	struct ds_err err;
	char dir[TUI_EDIT_MAX * 4 + 1];

	if (tui_edit_get(&S.dir, dir, sizeof(dir)) != 0 || dir[0] == '\0')
		return;
	memset(&po, 0, sizeof(po));
	po.worker = a->worker;
	ds_err_clear(&err);
	refresh_status();	/* the records the bundles will carry */
	if (pack_export(ws_store(a->ws), ws_device_id(a->ws), ws_signer(a->ws),
	    ws_office(a->ws), &po, dir, &pr, &err) != DS_OK) {
		if (err.code == DS_ENOENT)
			snprintf(S.msg, sizeof(S.msg), "%s", _("Nothing to "
			    "send: every record already went to the office."));
		else
			snprintf(S.msg, sizeof(S.msg), _("Export failed: %s. "
			    "No record was changed; check the folder and try "
			    "again."), err.msg);
		S.msgc = TUI_C_ERROR;
		return;
	}
	snprintf(S.msg, sizeof(S.msg), _("Wrote %zu records to %s. Take the "
	    "file to the township office; records stay here until the "
	    "office's receipt comes back."), S.pending, pr.path);
	S.msgc = TUI_C_OK;
	S.typing = 0;
	refresh_status();
}

static void
push_now(void)
{
	static struct receipt rc;
	struct tui_app *a = tui_app();
	struct pack_opts po;
	struct push_opts pu;
	struct pack_result pr;
	struct ds_err err;
	char url[TUI_EDIT_MAX * 4 + 1];
	enum ds_status st;

	if (tui_edit_get(&S.url, url, sizeof(url)) != 0 || url[0] == '\0')
		return;
	snprintf(S.msg, sizeof(S.msg), "%s", _("Sending... (this can take "
	    "a minute on a slow line)"));
	S.msgc = TUI_C_HINT;
	tui_draw();
	memset(&po, 0, sizeof(po));
	memset(&pu, 0, sizeof(pu));
	po.worker = a->worker;
	pu.tries = 3;
	pu.backoff_ms = 500;
	ds_err_clear(&err);
	st = pack_push(ws_store(a->ws), ws_device_id(a->ws), ws_signer(a->ws),
	    ws_office(a->ws), &po, url, &pu, &pr, &rc, &err);
	S.typing = 0;
	if (st == DS_ENOENT)
		snprintf(S.msg, sizeof(S.msg), "%s", _("Nothing to send: every "
		    "record already went to the office."));
	else if (st != DS_OK)
		snprintf(S.msg, sizeof(S.msg), _("Sending failed: %s. Nothing "
		    "was lost; try again later or export to a USB stick."),
		    err.msg);
	else
		snprintf(S.msg, sizeof(S.msg), _("Sent %zu records; the office "
		    "confirmed them."), pr.n_records);
	S.msgc = st == DS_OK ? TUI_C_OK : TUI_C_ERROR;
	refresh_status();
}

static void
sync_draw(void)
{
	char line[256];
	int y = 3;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	tui_put(0, 1, COLS - 2, TUI_C_HEADER, _("Sync with the township "
	    "office"));
	snprintf(line, sizeof(line), _("Records the office has not "
	    "confirmed yet: %zu"), S.pending);
	tui_put(y++, 2, COLS - 4, TUI_C_TITLE, line);
	y++;
	if (S.typing == 'e') {
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
	if (S.msg[0] != '\0')
		tui_wrap(y, 2, COLS - 4, 5, 0, S.msgc, S.msg);
	tui_form_footer(S.typing == 'e' ? _("Enter Export  Esc Cancel") :
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
		tui_list_init();
		return;
	default:
		return;
	}
}
