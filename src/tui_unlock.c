/* doorstep: the unlock screen: the workspace passphrase. */
/*
 * The first screen.  Without a workspace it says how to make one.  The
 * passphrase is typed into a field that shows only stars; the field and
 * every copy are wiped after each try.  --passphrase-file or
 * DOORSTEP_PASSPHRASE unlock without asking (scripts, tests, the demo).
 * A wrong passphrase costs the workspace's deliberate delay (ws.h) and
 * says so plainly; the worker can try again at once.  The worker's name
 * comes from the workspace's plain `worker` file (ws_worker_hint).
 */
#include "tui_int.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "cry.h"
#include "i18n.h"
#include "mem.h"
#include "tui_app.h"
#include "util.h"
#include "ws.h"

static struct {
	struct tui_edit	 pass;
	char		 msg[DS_ERR_MSG_MAX];
	int		 tries;
	char		 hint[WS_WORKER_MAX + 1]; /* worker name, clear */
	int		 hint_read;
	int		 busy;		/* deriving the key: say so */
} U;

static void	unlock_init(const void *);
static void	unlock_draw(void);
static void	unlock_key(enum tui_req, wint_t);
static int	unlock_texting(void);
static void	unlock_leave(void);

const struct tui_screen tui_scr_unlock = {
	"unlock", unlock_init, unlock_draw, unlock_key, unlock_texting, NULL,
	unlock_leave, 0
};

/*
 * Open the workspace with pass (the caller then goes to the list).  The
 * key derivation takes a second or two on purpose: the screen says it is
 * working before it starts.
 */
static enum ds_status
try_open(const char *pass, size_t len, struct ds_err *err)
{
	struct tui_app *a = tui_app();
	enum ds_status rc;

	U.busy = 1;
	tui_draw();
	/* The store's check runs once the list shows (tui_app_idle). */
	rc = ws_open_flags(a->ws_path, pass, len, WS_OPEN_CHECK_LATER, &a->ws,
	    err);
	U.busy = 0;
	if (rc != DS_OK)
		return rc;
	snprintf(a->worker, sizeof(a->worker), "%s", ws_worker(a->ws));
	return DS_OK;
}

/* The passphrase from --passphrase-file or DOORSTEP_PASSPHRASE, if any. */
static int
given_pass(struct ds_err *err)
{
	const struct tui_opts *o = tui_app()->opts;
	char *text = NULL;
	size_t len = 0;
	enum ds_status rc;
	int r;

	if (o->passphrase_file != NULL) {
		rc = ds_file_read(o->passphrase_file, WS_PASS_MAX + 2, &text,
		    &len, err);
		if (rc != DS_OK)
			return -1;
		while (len > 0 && (text[len - 1] == '\n' ||
		    text[len - 1] == '\r'))
			text[--len] = '\0';
		rc = try_open(text, len, err);
		cry_wipe(text, len);
		ds_free(text);
		return rc == DS_OK ? 1 : -1;
	}
	/* Taken out of the environment once read (ds_env_take). */
	if ((text = cry_secure_alloc(WS_PASS_MAX + 1)) == NULL)
		return 0;
	rc = DS_OK;
	r = ds_env_take("DOORSTEP_PASSPHRASE", text, WS_PASS_MAX + 1, &len);
	if (r < 0)
		rc = ds_err_set(err, DS_EINVAL, "DOORSTEP_PASSPHRASE is too "
		    "long");
	else if (r == 1 && len > 0)
		rc = try_open(text, len, err);
	cry_secure_free(text);
	if (r == 0 || (r == 1 && len == 0))
		return 0;
	return rc == DS_OK ? 1 : -1;
}

/* What a refused unlock says: the edge words the cases people act on. */
static const char *
refused_msg(const struct ds_err *err)
{
	if (err->code == DS_EPASS)
		return _("Wrong passphrase. Nothing was opened; type it "
		    "again.");
	if (ws_err_office(err))
		return _("The office key file in this workspace is not the one "
		    "this laptop was set up with: it may have been replaced. "
		    "Nothing was opened or changed; the answers are safe. Do "
		    "not sync; bring the laptop to the township office.");
	return err->msg;
}

static void
unlock_leave(void)
{
	cry_wipe(&U.pass, sizeof(U.pass));
}

static void
unlock_init(const void *arg)
{
	struct ds_err err;

	memset(&U, 0, sizeof(U));
	tui_edit_init(&U.pass, TUI_EDIT_TEXT, NULL);
	if (!tui_app()->ws_exists)
		return;
	/* Back here because the store failed its check: say why, and do
	 * not open it again by itself. */
	if (arg != NULL) {
		snprintf(U.msg, sizeof(U.msg), "%s", (const char *)arg);
		return;
	}
	ds_err_clear(&err);
	switch (given_pass(&err)) {
	case 1:
		tui_replace(TUI_SCR_LIST, NULL);
		return;
	case -1:
		snprintf(U.msg, sizeof(U.msg), "%s", refused_msg(&err));
		return;
	default:
		return;
	}
}

static int
unlock_texting(void)
{
	return tui_app()->ws_exists;
}

static void
unlock_draw(void)
{
	struct tui_app *a = tui_app();
	const char *demo;
	int y = 3;

	tui_fill(0, 0, COLS, TUI_C_HEADER);
	tui_put(0, 1, COLS - 2, TUI_C_HEADER, _("doorstep household survey"));
	if (!a->ws_exists) {
		tui_put(y++, 2, COLS - 4, TUI_C_TITLE,
		    _("No workspace on this computer yet."));
		y++;
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Workspace:"));
		tui_put(y++, 4, COLS - 6, TUI_C_NORMAL, a->ws_path);
		y++;
		y += tui_wrap(y, 2, COLS - 4, 4, 0, TUI_C_NORMAL,
		    _("Ask the township office for the office key file, then "
		    "run: doorstep init --office-key FILE --worker NAME"));
		tui_bar_keys(_("F1 Help  F10 Quit"));
		return;
	}
	if (!U.hint_read) {
		(void)ws_worker_hint(a->ws_path, U.hint, sizeof(U.hint), NULL);
		U.hint_read = 1;
	}
	if (U.hint[0] != '\0') {
		tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Worker:"));
		tui_put(y++, 4, COLS - 6, TUI_C_TITLE, U.hint);
	}
	tui_put(y++, 2, COLS - 4, TUI_C_NORMAL, _("Workspace:"));
	tui_put(y++, 4, COLS - 6, TUI_C_NORMAL, a->ws_path);
	y++;
	demo = getenv("DOORSTEP_DEMO_PASSPHRASE");
	if (demo != NULL && *demo != '\0') {
		/* `make demo`: its passphrase is public. */
		char line[256];

		snprintf(line, sizeof(line), _("Demo workspace: the passphrase "
		    "is %s"), demo);
		tui_put(y++, 2, COLS - 4, TUI_C_WARN, line);
		y++;
	}
	tui_put(y++, 2, COLS - 4, TUI_C_TITLE,
	    _("Type the passphrase, then Enter:"));
	tui_edit_draw(&U.pass, y++, 4, 40, !U.busy, 1);
	y++;
	if (U.busy) {
		tui_wrap(y, 2, COLS - 4, 2, 0, TUI_C_OK, _("Unlocking... (the "
		    "key is made slow on purpose, so a stolen laptop cannot be "
		    "guessed open)"));
		tui_bar_keys(_("Please wait"));
		return;
	}
	if (U.msg[0] != '\0')
		tui_wrap(y, 2, COLS - 4, 4, 0, TUI_C_ERROR, U.msg);
	tui_bar_keys(_("Enter Unlock  F1 Help  F10 Quit"));
}

static void
unlock_key(enum tui_req req, wint_t ch)
{
	char pass[WS_PASS_MAX + 8];
	struct ds_err err;
	enum ds_status rc;

	if (req == TUI_REQ_QUIT || (!tui_app()->ws_exists &&
	    req == TUI_REQ_CANCEL)) {
		tui_pop(NULL);
		return;
	}
	if (!tui_app()->ws_exists)
		return;
	if (req != TUI_REQ_ENTER) {
		(void)tui_edit_key(&U.pass, req, ch);
		return;
	}
	if (tui_edit_get(&U.pass, pass, sizeof(pass)) != 0 ||
	    pass[0] == '\0') {
		cry_wipe(pass, sizeof(pass));
		return;
	}
	ds_err_clear(&err);
	rc = try_open(pass, strlen(pass), &err);
	cry_wipe(pass, sizeof(pass));
	cry_wipe(&U.pass, sizeof(U.pass));
	tui_edit_init(&U.pass, TUI_EDIT_TEXT, NULL);
	if (rc != DS_OK)
		snprintf(U.msg, sizeof(U.msg), "%s", refused_msg(&err));
	else
		tui_replace(TUI_SCR_LIST, NULL);
}
