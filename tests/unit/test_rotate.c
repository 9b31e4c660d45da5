/* doorstep: a new data key with a new passphrase (issue 13, finding 5). */
/*
 * Real keyrings, real record stores, real libsodium.  A plain passwd
 * re-wraps the same data key, so an old copy of the keyring and the old
 * passphrase still open what is saved afterwards (the positive control
 * shows it); passwd --rotate and recover move everything to a new key, and
 * the old copy then opens nothing.  The rotation is three durable steps:
 * the child process is killed after each of them, and at random moments
 * of it, and every time the workspace opens with the old passphrase or the
 * new one -- never neither -- with every record intact.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"

#include "cry.h"
#include "mem.h"
#include "store.h"
#include "util.h"
#include "ws.h"

#define NREC	40

static char office[512], recfile[600];
static const char *PASS = "rotate test passphrase";

static void
make_office(void)
{
	struct ds_err err;

	snprintf(office, sizeof(office), "%s/o", ts_tmpdir("rot_office"));
	mkdir(office, 0700);
	if (cry_office_create(office, NULL, &err) != DS_OK)
		printf("not ok make_office: %s\n", err.msg);
	snprintf(recfile, sizeof(recfile), "%s/%s", office,
	    CRY_OFFICE_REC_FILE);
}

static void
new_ws(const char *tag, char *dir, size_t n)
{
	char key[600];
	struct ds_err err;

	snprintf(dir, n, "%s/ws", ts_tmpdir(tag));
	snprintf(key, sizeof(key), "%s/%s", office, CRY_OFFICE_PUB_FILE);
	ST_EQ(ws_create(dir, key, "网格员", PASS, strlen(PASS), CRY_COST_MIN,
	    &err), DS_OK, &err);
}

static void
answers_of(int i, char *json, size_t n)
{
	snprintf(json, n, "{\"hh_id\":\"HH%04d\",\"idno\":\"1101051949"
	    "1231%04d\",\"note\":\"record %d\"}", i, i, i);
}

/* Save records first..first+n-1 (ids derived from i). */
static void
save_n(struct ws *w, int first, int n)
{
	struct store_summary sm = { "户主", "石门村", NULL, 1, 0, NULL, NULL,
	    NULL, 0, 0 };
	struct store_save v;
	struct ds_err err;
	unsigned char id[16];
	char json[160], hh[16], idno[24];
	const char *ids[1];
	int i;

	for (i = first; i < first + n; i++) {
		memset(id, 0, sizeof(id));
		id[0] = 0x77;
		id[15] = (unsigned char)i;
		id[14] = (unsigned char)(i >> 8);
		answers_of(i, json, sizeof(json));
		snprintf(hh, sizeof(hh), "HH%04d", i);
		snprintf(idno, sizeof(idno), "11010519491231%04d", i);
		ids[0] = idno;
		memset(&v, 0, sizeof(v));
		v.record_id = id;
		v.form_id = "household";
		v.form_version = "2026";
		v.household_key = hh;
		v.id_numbers = ids;
		v.n_id_numbers = 1;
		v.answers = json;
		v.answers_len = strlen(json);
		v.summary = &sm;
		ST_EQ(store_save(ws_store(w), &v, NULL, &err), DS_OK, &err);
	}
}

/* Every record 0..n-1 reads back, and is found by its ID number. */
static int
all_there(struct ws *w, int n)
{
	struct store_list l = { NULL, 0 };
	struct store_query q;
	struct ds_err err;
	unsigned char id[16];
	char want[160], *got = NULL, idno[24];
	size_t len;
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		memset(id, 0, sizeof(id));
		id[0] = 0x77;
		id[15] = (unsigned char)i;
		id[14] = (unsigned char)(i >> 8);
		answers_of(i, want, sizeof(want));
		if (store_answers_get(ws_store(w), id, 0, &got, &len, &err) !=
		    DS_OK || strcmp(got, want) != 0)
			bad++;
		if (got != NULL)
			store_text_free(got, len);
		got = NULL;
	}
	store_query_init(&q);
	snprintf(idno, sizeof(idno), "11010519491231%04d", n - 1);
	q.id_number = idno;
	if (store_list(ws_store(w), &q, &l, &err) != DS_OK || l.n != 1)
		bad++;
	store_list_free(&l);
	return bad == 0 && store_check(ws_store(w), &err) == DS_OK;
}

static void
copy_file(const char *from, const char *to)
{
	char *b = NULL;
	size_t n;
	struct ds_err err;

	ST_EQ(ds_file_read(from, 1 << 24, &b, &n, &err), DS_OK, &err);
	if (b != NULL)
		ST_EQ(ds_file_write_atomic(to, b, n, 0600, &err), DS_OK, &err);
	ds_free(b);
}

/*
 * A copy of the workspace as a thief has it: the records as they are now
 * (records.db after a close), with the keyring kept from before.
 */
static void
thief_copy(const char *dir, const char *old_keyring, char *out, size_t n)
{
	static const char *const files[] = { WS_DB_FILE, WS_OFFICE_FILE,
	    WS_WORKER_FILE };
	char a[700], b[700];
	size_t i;

	snprintf(out, n, "%s/thief", ts_tmpdir("rot_thief"));
	mkdir(out, 0700);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(a, sizeof(a), "%s/%s", dir, files[i]);
		snprintf(b, sizeof(b), "%s/%s", out, files[i]);
		copy_file(a, b);
	}
	snprintf(b, sizeof(b), "%s/%s", out, WS_KEYRING_FILE);
	copy_file(old_keyring, b);
}

/*
 * The positive control and the fix side by side: after a plain passwd
 * the old keyring copy opens a record saved later; after --rotate it
 * opens nothing.
 */
static void
rotate_vs_plain(int rotate)
{
	char dir[512], old[600], kr[600], thief[600];
	const char *np = "the new passphrase";
	struct ws *w = NULL, *t = NULL;
	struct ds_err err;
	size_t lost = 9;

	new_ws(rotate ? "rot_rotate" : "rot_plain", dir, sizeof(dir));
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	save_n(w, 0, 3);
	snprintf(kr, sizeof(kr), "%s/%s", dir, WS_KEYRING_FILE);
	snprintf(old, sizeof(old), "%s/keyring.old", ts_tmpdir("rot_old"));
	copy_file(kr, old);
	if (rotate) {
		ST_EQ(ws_passwd_rotate(w, np, strlen(np), CRY_COST_MIN, NULL,
		    &lost, &err), DS_OK, &err);
		INT_EQ(lost, 0);
	} else
		ST_EQ(ws_passwd(w, np, strlen(np), CRY_COST_MIN, &err), DS_OK,
		    &err);
	save_n(w, 3, 1);	/* saved after the change */
	ws_close(w);
	w = NULL;
	thief_copy(dir, old, thief, sizeof(thief));
	if (rotate) {
		/* The store's key check refuses the old key. */
		ST_EQ(ws_open(thief, PASS, strlen(PASS), &t, &err), DS_ECRYPTO,
		    &err);
		OK(t == NULL);
	} else {
		ST_EQ(ws_open(thief, PASS, strlen(PASS), &t, &err), DS_OK,
		    &err);
		if (t != NULL)
			OK(all_there(t, 4));	/* the finding, shown */
		ws_close(t);
	}
	/* The workspace itself: the new passphrase, everything there. */
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w, &err), DS_EPASS, &err);
	ST_EQ(ws_open(dir, np, strlen(np), &w, &err), DS_OK, &err);
	if (w != NULL)
		OK(all_there(w, 4));
	ws_close(w);
}

static void
test_plain_passwd_keeps_the_key(void)
{
	rotate_vs_plain(0);
}

static void
test_rotate_old_copy_opens_nothing_new(void)
{
	rotate_vs_plain(1);
}

/* recover: a new key too; the recovery key works again after it. */
static void
test_recover_rotates(void)
{
	char dir[512], old[600], kr[600], thief[600];
	const char *np = "recovered passphrase", *np2 = "recovered again";
	struct ws *w = NULL, *t = NULL;
	struct ds_err err;

	new_ws("rot_recover", dir, sizeof(dir));
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	save_n(w, 0, 5);
	ws_close(w);
	w = NULL;
	snprintf(kr, sizeof(kr), "%s/%s", dir, WS_KEYRING_FILE);
	snprintf(old, sizeof(old), "%s/keyring.old", ts_tmpdir("rot_old2"));
	copy_file(kr, old);
	ST_EQ(ws_recover(dir, recfile, np, strlen(np), CRY_COST_MIN, &err),
	    DS_OK, &err);
	thief_copy(dir, old, thief, sizeof(thief));
	ST_EQ(ws_open(thief, PASS, strlen(PASS), &t, &err), DS_ECRYPTO, &err);
	ws_close(t);
	ST_EQ(ws_open(dir, np, strlen(np), &w, &err), DS_OK, &err);
	if (w != NULL)
		OK(all_there(w, 5));
	ws_close(w);
	w = NULL;
	ST_EQ(ws_recover(dir, recfile, np2, strlen(np2), CRY_COST_MIN, &err),
	    DS_OK, &err);
	ST_EQ(ws_open(dir, np2, strlen(np2), &w, &err), DS_OK, &err);
	if (w != NULL)
		OK(all_there(w, 5));
	ws_close(w);
}

/* 1 if the keyring holds a rotation's lines. */
static int
keyring_mid_rotation(const char *dir)
{
	char p[600], *b = NULL;
	size_t n;
	int r;

	snprintf(p, sizeof(p), "%s/%s", dir, WS_KEYRING_FILE);
	if (ds_file_read(p, 8192, &b, &n, NULL) != DS_OK)
		return -1;
	r = strstr(b, "\nnext-wrap ") != NULL;
	ds_free(b);
	return r;
}

static void
die_at(void *arg, int step)
{
	if (step == *(int *)arg) {
		ts_cov_dump();
		raise(SIGKILL);
	}
}

/* Rotate in a child from `from` to `to`; kill it after step `at` (0: let
 * it finish; -1: after `ms` milliseconds).  1 if it was killed. */
static int
child_rotate(const char *dir, const char *from, const char *to, int at,
    unsigned ms)
{
	struct ws_rotate_opts o;
	struct timespec ts;
	pid_t pid;
	int status;

	if ((pid = fork()) == 0) {
		struct ws *w = NULL;
		struct ds_err err;

		if (ws_open(dir, from, strlen(from), &w, &err) != DS_OK)
			ts_exit(3);
		o.step = die_at;
		o.arg = &at;
		if (ws_passwd_rotate(w, to, strlen(to), CRY_COST_MIN, &o, NULL,
		    &err) != DS_OK)
			ts_exit(4);
		ws_close(w);
		ts_exit(0);
	}
	if (at < 0) {
		ts.tv_sec = ms / 1000;
		ts.tv_nsec = (long)(ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
	}
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		HARNESS_FAIL("rotation child exited %d", WEXITSTATUS(status));
	return WIFSIGNALED(status);
}

/*
 * Which passphrase opens the workspace now: 0 `a`, 1 `b`, -1 neither
 * (or both, which cannot be).  Opening settles a rotation cut short; the
 * records must all be there.
 */
static int
which_opens(const char *dir, const char *a, const char *b, int nrec)
{
	struct ws *w = NULL;
	struct ds_err err;
	enum ds_status sb, sa = DS_EPASS;
	int ra = 0, rb = 0;

	/* b first: a wrong passphrase costs the deliberate delay. */
	if ((sb = ws_open(dir, b, strlen(b), &w, &err)) == DS_OK) {
		rb = all_there(w, nrec);
		ws_close(w);
		w = NULL;
	}
	if (sb != DS_OK && (sa = ws_open(dir, a, strlen(a), &w, &err)) ==
	    DS_OK) {
		ra = all_there(w, nrec);
		ws_close(w);
	}
	if (ra == rb)
		printf("# neither: new %s, old %s (%s); records %s\n",
		    ds_status_name(sb), ds_status_name(sa), err.msg,
		    sb == DS_OK || sa == DS_OK ? "damaged" : "-");
	return ra == rb ? -1 : ra ? 0 : 1;
}

/* Killed after each durable step: the new passphrase opens, and the
 * unlock finishes (or undoes) the rotation. */
static void
test_kill_after_each_step(void)
{
	char dir[512], np[64];
	struct ws *w = NULL;
	struct ds_err err;
	int step;

	new_ws("rot_steps", dir, sizeof(dir));
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	save_n(w, 0, NREC);
	ws_close(w);
	w = NULL;
	for (step = 1; step <= 3; step++) {
		snprintf(np, sizeof(np), "passphrase at step %d", step);
		OK(child_rotate(dir, PASS, np, step, 0));
		INT_EQ(keyring_mid_rotation(dir), step < 3);
		INT_EQ(which_opens(dir, PASS, np, NREC), 1);
		INT_EQ(keyring_mid_rotation(dir), 0);
		/* Back to PASS for the next step's run. */
		ST_EQ(ws_open(dir, np, strlen(np), &w, &err), DS_OK, &err);
		if (w == NULL)
			return;
		ST_EQ(ws_passwd_rotate(w, PASS, strlen(PASS), CRY_COST_MIN,
		    NULL, NULL, &err), DS_OK, &err);
		ws_close(w);
		w = NULL;
	}
	/* The recovery key opens it too. */
	ST_EQ(ws_recover(dir, recfile, "after the kills", 15, CRY_COST_MIN,
	    &err), DS_OK, &err);
	INT_EQ(which_opens(dir, PASS, "after the kills", NREC), 1);
}

/* kill -9 at random moments of a rotation, many times. */
static void
test_kill_at_random(void)
{
	char dir[512], cur[64], next[64];
	struct ws *w = NULL;
	struct ds_err err;
	uint64_t t0, full;
	int i, r, killed = 0, mid = 0, newer = 0;
	unsigned seed;

	new_ws("rot_random", dir, sizeof(dir));
	ST_EQ(ws_open(dir, PASS, strlen(PASS), &w, &err), DS_OK, &err);
	if (w == NULL)
		return;
	save_n(w, 0, 300);
	ws_close(w);
	snprintf(cur, sizeof(cur), "%s", PASS);
	/* How long one whole rotation takes here. */
	t0 = ds_mono_ns();
	child_rotate(dir, cur, "timing run", 0, 0);
	full = (ds_mono_ns() - t0) / 1000000 + 1;
	snprintf(cur, sizeof(cur), "timing run");
	/* DS_ROTATE_SEED replays a run: the seed is printed. */
	seed = getenv("DS_ROTATE_SEED") != NULL ?
	    (unsigned)strtoul(getenv("DS_ROTATE_SEED"), NULL, 10) :
	    (unsigned)time(NULL);
	printf("# random kills: DS_ROTATE_SEED=%u\n", seed);
	srand(seed);
	for (i = 0; i < 40; i++) {
		snprintf(next, sizeof(next), "passphrase %d", i);
		killed += child_rotate(dir, cur, next, -1,
		    (unsigned)(rand() % (int)(full + full / 4)));
		mid += keyring_mid_rotation(dir) == 1;
		r = which_opens(dir, cur, next, 300);
		if (r < 0) {
			HARNESS_FAIL("kill %d: neither passphrase opens", i);
			return;
		}
		newer += r;
		if (r)
			snprintf(cur, sizeof(cur), "%s", next);
	}
	printf("# 40 rotations of 300 records (%llu ms each) killed at random:"
	    " %d killed, %d cut between steps, %d ended under the new "
	    "passphrase\n", (unsigned long long)full, killed, mid, newer);
	OK(killed > 10);
}

int
main(void)
{
	struct ds_err err;

	if (cry_init(&err) != DS_OK) {
		printf("not ok cry_init: %s\n", err.msg);
		return 1;
	}
	make_office();
	RUN(test_plain_passwd_keeps_the_key);
	RUN(test_rotate_old_copy_opens_nothing_new);
	RUN(test_recover_rotates);
	RUN(test_kill_after_each_step);
	RUN(test_kill_at_random);
	return harness_done();
}
