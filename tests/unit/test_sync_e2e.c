/* doorstep: end to end through both programs: USB, then HTTP. */
/*
 * office init and laptop init run as the real programs; records are saved
 * through store.h directly (the form engine's `doorstep fill` is another
 * part); then sync export, office import (held: unknown device), enroll,
 * sync ack, an edit that sends only the changed revision, and a push over
 * HTTP on loopback to `doorstep-office serve`.
 */
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "mem.h"
#include "store.h"
#include "util.h"
#include "ws.h"

static char prog[600], oprog[600], ws[600], off[600], pass[600], usb[600];
static char out[700];
static const char *tmp;
static unsigned char rec[3][16];

/* Run a shell command line; output to `out`; returns the exit status. */
static int
sh(const char *fmt, ...)
{
	char cmd[4096], full[4800];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "%s > %s 2>&1", cmd, out);
	rc = system(full);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int
out_has(const char *s)
{
	char *b = NULL;
	size_t n;
	int r;

	if (ds_file_read(out, 1 << 20, &b, &n, NULL) != DS_OK)
		return 0;
	r = strstr(b, s) != NULL;
	if (!r)
		printf("# output lacks \"%s\":\n%s\n", s, b);
	ds_free(b);
	return r;
}

/* The laptop's fingerprint, as `sync status` shows it (in English). */
static void
fingerprint(char fpr[CRY_FPR_TEXT])
{
	char *b = NULL, *p;
	size_t n;

	fpr[0] = '\0';
	if (sh("%s sync status --workspace %s --passphrase-file %s", prog, ws,
	    pass) != 0 || ds_file_read(out, 1 << 20, &b, &n, NULL) != DS_OK)
		return;
	if ((p = strstr(b, "fingerprint: ")) != NULL)
		snprintf(fpr, CRY_FPR_TEXT, "%s", p + 13);
	ds_free(b);
}

static void
save(int i, const char *answers)
{
	struct ws *w = NULL;
	struct store_save s;
	struct ds_err err;

	ST_EQ(ws_open(ws, "correct horse battery", 21, &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	memset(&s, 0, sizeof(s));
	s.record_id = rec[i];
	s.form_id = "household";
	s.form_version = "2026112301";
	s.answers = answers;
	s.answers_len = strlen(answers);
	s.finalize = 1;
	ST_EQ(store_save(ws_store(w), &s, NULL, &err), DS_OK, &err);
	ws_close(w);
}

/* The single bundle file under dir (most recent by name is enough). */
static int
find_file(const char *dir, const char *suffix, char *path, size_t n)
{
	char cmd[1024];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "find %s -name '*%s' -newer %s/stamp | "
	    "head -n 1", dir, suffix, tmp);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(path, (int)n, f) == NULL)
		path[0] = '\0';
	pclose(f);
	path[strcspn(path, "\n")] = '\0';
	return path[0] ? 0 : -1;
}

static void
stamp(void)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/stamp", tmp);
	unlink(p);
	sleep(1);	/* find -newer has one-second resolution here */
	ds_file_write_atomic(p, "x", 1, 0600, NULL);
}

static void
test_usb_round_trip_then_only_changes(void)
{
	char b[1024], r[1100], fpr[CRY_FPR_TEXT];
	int i;

	INT_EQ(sh("%s init --dir %s", oprog, off), 0);
	INT_EQ(sh("%s init --workspace %s --office-key %s/office-public.key "
	    "--worker 网格员 --kdf-cost min --passphrase-file %s", prog, ws, off,
	    pass), 0);
	for (i = 0; i < 3; i++) {
		char a[128];

		store_id_new(rec[i]);
		snprintf(a, sizeof(a), "{\"hh_id\":\"HH%05d\",\"income\":%d}",
		    i + 1, 5000 + i);
		save(i, a);
	}
	INT_EQ(sh("%s sync status --workspace %s --passphrase-file %s", prog,
	    ws, pass), 0);
	OK(out_has("pending: 3 record(s)"));
	stamp();
	INT_EQ(sh("%s sync export --out %s --workspace %s --passphrase-file %s",
	    prog, usb, ws, pass), 0);
	OK(out_has("3 revision(s)"));
	OK(find_file(usb, ".dsb", b, sizeof(b)) == 0);
	/* Unknown device: held, exit 0, nothing imported yet. */
	INT_EQ(sh("%s import --dir %s %s", oprog, off, usb), 0);
	OK(out_has("held"));
	INT_EQ(sh("%s devices --dir %s", oprog, off), 0);
	OK(out_has("pending"));
	fingerprint(fpr);
	OK(strlen(fpr) == CRY_FPR_TEXT - 1);
	/* Not without the fingerprint, nor with another one. */
	INT_EQ(sh("%s enroll --dir %s --label grid-1 %s", oprog, off, b), 64);
	INT_EQ(sh("%s enroll --dir %s --fingerprint '1111 2222 3333 4444 5555 "
	    "6666' %s", oprog, off, b), 1);
	OK(out_has("Nothing was changed"));
	INT_EQ(sh("%s enroll --dir %s --label grid-1 --fingerprint '%s' %s",
	    oprog, off, fpr, b), 0);
	OK(out_has("enrolled"));
	OK(out_has("held bundle, sequence 1-3: imported (3 new)"));
	INT_EQ(sh("%s import --dir %s %s", oprog, off, b), 0);
	OK(out_has("already imported (3 new"));
	snprintf(r, sizeof(r), "%.*s.rcpt", (int)strlen(b) - 4, b);
	INT_EQ(sh("%s sync ack %s --workspace %s --passphrase-file %s", prog,
	    r, ws, pass), 0);
	OK(out_has("acknowledged through 3"));
	INT_EQ(sh("%s sync status --workspace %s --passphrase-file %s", prog,
	    ws, pass), 0);
	OK(out_has("pending: nothing"));
	OK(out_has("acknowledged 3"));
	/* A forged receipt is refused. */
	INT_EQ(sh("cp %s %s/bad.rcpt && printf 'x' | dd of=%s/bad.rcpt bs=1 "
	    "seek=120 conv=notrunc 2>/dev/null", r, tmp, tmp), 0);
	INT_EQ(sh("%s sync ack %s/bad.rcpt --workspace %s --passphrase-file "
	    "%s", prog, tmp, ws, pass), 1);
	OK(out_has("nothing was changed"));

	/* Edit one household twice: only those two revisions travel, and
	 * the office gets the whole chain, not just the newest. */
	save(1, "{\"hh_id\":\"HH00002\",\"income\":7777}");
	save(1, "{\"hh_id\":\"HH00002\",\"income\":7778}");
	INT_EQ(sh("%s sync status --workspace %s --passphrase-file %s", prog,
	    ws, pass), 0);
	OK(out_has("pending: 1 record(s) (2 revision(s))"));
	stamp();
	INT_EQ(sh("%s sync export --out %s --workspace %s --passphrase-file %s",
	    prog, usb, ws, pass), 0);
	OK(out_has("2 revision(s),"));
	INT_EQ(sh("%s import --dir %s %s", oprog, off, usb), 0);
	OK(out_has("imported (2 new, 0 duplicate"));
	OK(out_has("already imported (3 new"));	/* the first again */
	{
		char db[700];

		snprintf(db, sizeof(db), "%s/office.db", off);
		INT_EQ(sf_db_count(db, "revision"), 5);
		INT_EQ(sf_db_count(db, "head"), 3);
		INT_EQ(sf_db_count(db, "fork"), 0);
	}
}

static void
test_http_push_on_loopback(void)
{
	char line[256], pf[700];
	FILE *f;
	pid_t pid, parent = getpid();
	int port = 0, i;

	snprintf(pf, sizeof(pf), "%s/serve.out", tmp);
	if ((pid = fork()) == 0) {
		/* serve dies with the test, whatever ends it. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 ||
		    getppid() != parent || freopen(pf, "w", stdout) == NULL)
			ts_exit(99);
		execl(oprog, oprog, "serve", "--dir", off, "--listen",
		    "127.0.0.1:0", (char *)NULL);
		ts_exit(98);
	}
	for (i = 0; i < 100 && port == 0; i++) {
		usleep(50000);
		if ((f = fopen(pf, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), f) != NULL)
			sscanf(line, "listening on 127.0.0.1:%d", &port);
		fclose(f);
	}
	OK(port > 0);
	save(2, "{\"hh_id\":\"HH00003\",\"income\":8888}");
	INT_EQ(sh("DOORSTEP_SYNC_BACKOFF_MS=50 %s sync push "
	    "http://127.0.0.1:%d --workspace %s --passphrase-file %s", prog,
	    port, ws, pass), 0);
	OK(out_has("imported, 1 new"));
	/* Nothing left: a second push has nothing to send. */
	INT_EQ(sh("%s sync push http://127.0.0.1:%d --workspace %s "
	    "--passphrase-file %s", prog, port, ws, pass), 0);
	OK(out_has("Nothing to send"));
	INT_EQ(sh("%s sync ack http://127.0.0.1:%d --workspace %s "
	    "--passphrase-file %s", prog, port, ws, pass), 0);
	OK(out_has("what the office holds of this laptop's saves"));
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	{
		char db[700];

		snprintf(db, sizeof(db), "%s/office.db", off);
		INT_EQ(sf_db_count(db, "revision"), 6);
	}
	INT_EQ(sh("%s devices --dir %s", oprog, off), 0);
	OK(out_has("enrolled"));
	OK(out_has("acknowledged: 1-6"));
	INT_EQ(sh("%s export --dir %s --format csv --out %s/heads.csv", oprog,
	    off, tmp), 0);
	OK(out_has("exported 3 households"));
	INT_EQ(sh("grep -c HH0000 %s/heads.csv", tmp), 0);
	OK(out_has("3"));
	INT_EQ(sh("%s export --dir %s --format xlsx --out %s/heads.xlsx", oprog,
	    off, tmp), 0);
	INT_EQ(sh("%s export --dir %s --format pdf --out %s/x", oprog, off,
	    tmp), 64);
}

int
main(void)
{
	const char *top = getenv("DS_TOP"), *mode = getenv("MODE");

	tmp = ts_tmpdir("e2e");
	snprintf(prog, sizeof(prog), "%s/build/%s/doorstep", top ? top : ".",
	    mode ? mode : "rel");
	snprintf(oprog, sizeof(oprog), "%s/build/%s/doorstep-office",
	    top ? top : ".", mode ? mode : "rel");
	snprintf(ws, sizeof(ws), "%s/ws", tmp);
	snprintf(off, sizeof(off), "%s/office", tmp);
	snprintf(usb, sizeof(usb), "%s/usb", tmp);
	snprintf(pass, sizeof(pass), "%s/pass", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	unsetenv("DOORSTEP_WORKSPACE");
	unsetenv("DOORSTEP_OFFICE_DIR");
	unsetenv("DOORSTEP_PASSPHRASE");
	/* The messages checked below are the English ones. */
	setenv("DOORSTEP_LANG", "en", 1);
	ds_file_write_atomic(pass, "correct horse battery\n", 22, 0600, NULL);
	RUN(test_usb_round_trip_then_only_changes);
	RUN(test_http_push_on_loopback);
	return harness_done();
}
