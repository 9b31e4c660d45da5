/* doorstep: workspace helpers for the field commands. */
/*
 * Main-layer code: it prints and picks exit statuses.  The passphrase is
 * read into secure memory and never echoed; the terminal's settings are
 * restored on every path.
 */
#include "cmd_ws.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "i18n.h"
#include "mem.h"
#include "store.h"
#include "util.h"

int
cmdw_dir(const struct cli *cli, char *out, size_t n)
{
	struct ds_err err;

	if (cli->workspace != NULL && *cli->workspace != '\0') {
		if ((size_t)snprintf(out, n, "%s", cli->workspace) >= n) {
			fprintf(stderr, "%s: workspace path too long\n",
			    cli->progname);
			return CMD_EXIT_USAGE;
		}
		return 0;
	}
	if (ws_default_dir(out, n, &err) != DS_OK) {
		fprintf(stderr, "%s: %s\n", cli->progname, err.msg);
		return CMD_EXIT_USAGE;
	}
	return 0;
}

void
cmdw_free(char *pass, size_t len)
{
	(void)len;
	cry_secure_free(pass);
}

/* Read one line (up to WS_PASS_MAX bytes) from fd into buf. */
static int
read_line(int fd, char *buf, size_t *len)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0 || c == '\n')
			break;
		if (n >= WS_PASS_MAX)
			return -1;
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return r < 0 ? -1 : 0;
}

static int
tty_ask(const char *prompt, char *buf, size_t *len)
{
	struct termios old, quiet;
	int fd, rc;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0) {
		close(fd);
		return -1;
	}
	(void)tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, buf, len);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = -1;
	close(fd);
	return rc;
}

int
cmdw_pass(const struct cli *cli, const char *file, const char *env,
    const char *prompt, int confirm, char **pass, size_t *lenp)
{
	char *buf, *again;
	size_t len = 0, len2 = 0;
	int fd, rc, r;

	if ((buf = cry_secure_alloc(2 * (WS_PASS_MAX + 1))) == NULL) {
		fprintf(stderr, "%s: cannot allocate secure memory\n",
		    cli->progname);
		return CMD_EXIT_FAIL;
	}
	again = buf + WS_PASS_MAX + 1;
	if (file != NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
			fprintf(stderr, "%s: cannot open passphrase file %s: "
			    "%s\n", cli->progname, file, strerror(errno));
			cry_secure_free(buf);
			return CMD_EXIT_FAIL;
		}
		rc = read_line(fd, buf, &len);
		close(fd);
		if (rc != 0) {
			fprintf(stderr, "%s: cannot read passphrase file %s\n",
			    cli->progname, file);
			cry_secure_free(buf);
			return CMD_EXIT_FAIL;
		}
	} else if (env != NULL && (r = ds_env_take(env, buf, WS_PASS_MAX + 1,
	    &len)) != 0) {
		/* Taken out of the environment: /proc/PID/environ and any
		 * child no longer see it. */
		if (r < 0) {
			fprintf(stderr, "%s: %s is too long\n", cli->progname,
			    env);
			cry_secure_free(buf);
			return CMD_EXIT_FAIL;
		}
	} else {
		if (tty_ask(prompt, buf, &len) != 0) {
			fprintf(stderr, "%s: no terminal to ask for the "
			    "passphrase; use --passphrase-file FILE or "
			    "DOORSTEP_PASSPHRASE\n", cli->progname);
			cry_secure_free(buf);
			return CMD_EXIT_FAIL;
		}
		if (confirm) {
			if (tty_ask(_("Again: "), again, &len2) != 0 ||
			    len2 != len || memcmp(buf, again, len) != 0) {
				fprintf(stderr, _("The two passphrases differ; "
				    "nothing was changed.\n"));
				cry_secure_free(buf);
				return CMD_EXIT_FAIL;
			}
			cry_wipe(again, WS_PASS_MAX + 1);
		}
	}
	*pass = buf;
	*lenp = len;
	return 0;
}

int
cmdw_cost(const struct cli *cli, const char *arg, enum cry_cost *out)
{
	const char *v = arg != NULL ? arg : getenv("DOORSTEP_KDF_COST");

	if (v == NULL || *v == '\0' || strcmp(v, "default") == 0) {
		*out = CRY_COST_DEFAULT;
		return 0;
	}
	if (strcmp(v, "min") == 0 && !cry_kdf_test_cost()) {
		/* Only test builds honour it (docs/keys.md). */
		if (arg != NULL) {
			fprintf(stderr, _("%s: --kdf-cost min is for test "
			    "builds only; this build always uses the full "
			    "cost.\n"), cli->progname);
			return CMD_EXIT_USAGE;
		}
		fprintf(stderr, _("%s: DOORSTEP_KDF_COST=min is for test "
		    "builds only and is ignored: the full cost is used.\n"),
		    cli->progname);
		*out = CRY_COST_DEFAULT;
		return 0;
	}
	if (strcmp(v, "min") == 0) {
		*out = CRY_COST_MIN;
		return 0;
	}
	fprintf(stderr, "%s: unknown KDF cost '%s' (default or min)\n",
	    cli->progname, v);
	return CMD_EXIT_USAGE;
}

void
cmdw_newpass(const struct ds_err *err)
{
	if (ws_err_newpass(err))
		fprintf(stderr, "%s\n", _("The new passphrase is already in "
		    "force: open the workspace with the new passphrase, not "
		    "the old one; that finishes the change."));
}

int
cmdw_fail(const struct cli *cli, const char *what, const struct ds_err *err)
{
	char say[1024];

	if (ws_err_office(err)) {
		fprintf(stderr, _("The office key file %s is not the one this "
		    "laptop was set up with: it may have been replaced. The "
		    "workspace was not opened and nothing was changed.\n"),
		    err->file);
		fprintf(stderr, "%s\n", cmd_join(say, sizeof(say),
		    cmd_phrase(CMD_SAFE_LAPTOP), _("Do not sync this laptop; "
		    "bring it to the township office to put back the office's "
		    "own office-public.key."), NULL));
		return CMD_EXIT_FAIL;
	}
	switch (err->code) {
	case DS_EPASS:
		fprintf(stderr, "%s\n", cmd_join(say, sizeof(say),
		    _("Wrong passphrase: the workspace was not opened."),
		    cmd_phrase(CMD_SAFE_LAPTOP), _("Type the passphrase "
		    "again."), NULL));
		return CMD_EXIT_PASS;
	case DS_ECORRUPT:
		fprintf(stderr, "%s: %s: %s\n", cli->progname, what, err->msg);
		fprintf(stderr, "%s\n", cmd_join(say, sizeof(say),
		    _("A workspace file is damaged or was changed; nothing "
		    "was modified."), _("Do not delete anything; contact the "
		    "township office."), NULL));
		return CMD_EXIT_FAIL;
	case DS_ENOSPC:
		fprintf(stderr, "%s: %s: %s\n", cli->progname, what, err->msg);
		fprintf(stderr, "%s\n", cmd_join(say, sizeof(say),
		    cmd_phrase(CMD_DISK_FULL), cmd_phrase(CMD_SAFE_LAPTOP),
		    _("Free some space on this laptop, then try again."),
		    NULL));
		return CMD_EXIT_FAIL;
	default:
		fprintf(stderr, "%s: %s: %s\n", cli->progname, what, err->msg);
		return CMD_EXIT_FAIL;
	}
}

int
cmdw_open(const struct cli *cli, struct ws **out)
{
	return cmdw_open_flags(cli, 0, out);
}

int
cmdw_open_flags(const struct cli *cli, int flags, struct ws **out)
{
	char dir[1024], *pass = NULL;
	struct ds_err err;
	size_t len = 0;
	int rc;

	if ((rc = cmdw_dir(cli, dir, sizeof(dir))) != 0)
		return rc;
	ds_err_clear(&err);
	if (!ds_path_exists(dir)) {
		fprintf(stderr, "%s: no workspace at %s; run doorstep init\n",
		    cli->progname, dir);
		return CMD_EXIT_FAIL;
	}
	if ((rc = cmdw_pass(cli, cli->passphrase_file, "DOORSTEP_PASSPHRASE",
	    _("Passphrase: "), 0, &pass, &len)) != 0)
		return rc;
	if (ws_open_flags(dir, pass, len, flags, out, &err) != DS_OK) {
		cmdw_free(pass, len);
		if (err.code == DS_ESTATE && ws_keyring_weak(dir)) {
			fprintf(stderr, _("%s: the workspace %s was not opened: "
			    "its passphrase protection is the test-only one (a "
			    "stolen copy could be guessed in hours), and this "
			    "build refuses it. The records are safe. Run `%s "
			    "passwd` to protect it at full cost, then try "
			    "again.\n"), cli->progname, dir, cli->progname);
			return CMD_EXIT_FAIL;
		}
		return cmdw_fail(cli, "cannot open workspace", &err);
	}
	cmdw_free(pass, len);
	return 0;
}

int
cmdw_record(const struct cli *cli, struct ws *w, const char *arg,
    unsigned char id[16])
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	char t[STORE_UUID_TEXT];
	size_t i, n = 0, alen = strlen(arg);

	if (store_id_parse(arg, id) == 0)
		return 0;
	if (alen < 8 || alen >= STORE_UUID_TEXT ||
	    strspn(arg, "0123456789abcdef-") != alen) {
		fprintf(stderr, "%s: '%s' is not a record id\n", cli->progname,
		    arg);
		return CMD_EXIT_USAGE;
	}
	store_query_init(&q);
	if (store_list(ws_store(w), &q, &l, &err) != DS_OK)
		return cmdw_fail(cli, "cannot list records", &err);
	for (i = 0; i < l.n; i++) {
		store_id_text(l.items[i].id, t);
		if (strncmp(t, arg, alen) == 0) {
			memcpy(id, l.items[i].id, 16);
			n++;
		}
	}
	store_list_free(&l);
	if (n == 1)
		return 0;
	fprintf(stderr, "%s: %s record matches '%s'\n", cli->progname,
	    n == 0 ? "no" : "more than one", arg);
	return CMD_EXIT_FAIL;
}

int
cmdw_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*val = argv[*i] + n + 1;
		return 1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}
