/* doorstep: app-wide state and the choice of the first screen. */
/*
 * Holds what outlives one screen: the workspace path, and once unlocked
 * the workspace and the open interview.  Closing is idempotent, so the die
 * hook can call it at any time.
 */
#include "tui_app.h"
#include "tui_int.h"

#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "store.h"
#include "tui_iv.h"
#include "util.h"
#include "ws.h"

#define SETTINGS_FILE	"tui-settings"
#define SETTINGS_MAX	4096

static struct tui_app A;

/* The settings file's path into out; -1 if it does not fit. */
static int
settings_path(char *out, size_t n)
{
	int r = snprintf(out, n, "%s/%s", A.ws_path, SETTINGS_FILE);

	return r < 0 || (size_t)r >= n ? -1 : 0;
}

static void
settings_read(void)
{
	char path[TUI_PATH_MAX + 32], *text = NULL, *p;
	const char *e = getenv("DOORSTEP_AUTO_ADVANCE");
	size_t len = 0;

	A.auto_advance = 1;
	if (settings_path(path, sizeof(path)) == 0 &&
	    ds_path_exists(path) && ds_file_read(path, SETTINGS_MAX, &text,
	    &len, NULL) == DS_OK) {
		if ((p = strstr(text, "auto_advance ")) != NULL)
			A.auto_advance = p[13] != '0';
		ds_free(text);
	}
	if (e != NULL && *e != '\0')
		A.auto_advance = strcmp(e, "0") != 0;
}

int
tui_app_set_auto_advance(int on)
{
	char path[TUI_PATH_MAX + 32], line[32];
	int n;

	A.auto_advance = on != 0;
	n = snprintf(line, sizeof(line), "auto_advance %d\n", A.auto_advance);
	if (n < 0 || (size_t)n >= sizeof(line) ||
	    settings_path(path, sizeof(path)) != 0 ||
	    ds_file_write_atomic(path, line, (size_t)n, 0600, NULL) != DS_OK)
		return -1;
	return 0;
}

struct tui_app *
tui_app(void)
{
	return &A;
}

/* The default workspace: DOORSTEP_WORKSPACE was already applied by cmd.c. */
static int
default_ws(char *out, size_t n)
{
	const char *x = getenv("XDG_DATA_HOME"), *h = getenv("HOME");
	int r;

	if (x != NULL && *x == '/')
		r = snprintf(out, n, "%s/doorstep", x);
	else if (h != NULL && *h != '\0')
		r = snprintf(out, n, "%s/.local/share/doorstep", h);
	else
		return -1;
	return r < 0 || (size_t)r >= n ? -1 : 0;
}

enum ds_status
tui_app_open(const struct tui_opts *o, struct ds_err *err)
{
	int r;

	memset(&A, 0, sizeof(A));
	A.opts = o;
	if (o->workspace != NULL) {
		r = snprintf(A.ws_path, sizeof(A.ws_path), "%s", o->workspace);
		if (r < 0 || (size_t)r >= sizeof(A.ws_path))
			return ds_err_set(err, DS_ELIMIT, "workspace path too "
			    "long");
	} else if (default_ws(A.ws_path, sizeof(A.ws_path)) != 0)
		return ds_err_set(err, DS_EINVAL, "no workspace: set HOME or "
		    "use --workspace DIR");
	A.ws_exists = ds_path_exists(A.ws_path);
	settings_read();
	tui_push(TUI_SCR_UNLOCK, NULL);
	return DS_OK;
}

int
tui_app_close(void)
{
	tui_iv_close();
	ws_close(A.ws);
	A.ws = NULL;
	return A.exit_status;
}

int
tui_app_idle(void)
{
	static char msg[DS_ERR_MSG_MAX];
	struct ds_err err;
	struct store *st;

	if (tui_gps_idle())
		return 1;
	if (A.ws == NULL || !store_check_owed(st = ws_store(A.ws)))
		return 0;
	if (store_quick_check(st, &err) == DS_OK) {
		/* answers a killed session kept as deltas: their revisions,
		 * and the list again with them */
		if (tui_iv_compact() > 0)
			tui_reset(TUI_SCR_LIST, NULL);
		return 1;
	}
	snprintf(msg, sizeof(msg), "%s", err.msg);
	tui_iv_close();
	ws_close(A.ws);
	A.ws = NULL;
	tui_reset(TUI_SCR_UNLOCK, msg);
	return 1;
}

void
tui_app_lang_toggle(void)
{
	tui_iv_lang_toggle();
}
