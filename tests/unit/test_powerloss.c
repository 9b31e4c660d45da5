/* doorstep: power cuts under the record store lose nothing that was saved. */
/*
 * A driver runs the real store (store_open, store_save,
 * store_outbox_mark_sent / _ack, close and reopen) through a seeded plan
 * over the lossy VFS (support/lossyvfs.h), which cuts the power after a
 * chosen number of mutating file operations: writes no xSync covered are
 * dropped, torn at 512-byte sectors or kept in part, names no directory
 * fsync covered vanish or come back.  The driver logs each step before and
 * after it and stops at the first failure once the power is off.  Then the
 * "reboot": the files are rewritten as the disk would hold them, a copy is
 * opened with the ordinary unix VFS, integrity_check runs, and
 * compares every table that matters with its model: every save that
 * returned DS_OK is there with exactly its answers and its outbox row, the
 * one operation in flight happened wholly or not at all, revision numbers
 * run 1..n per record and outbox sequences 1..m with no gap.  The next
 * epoch continues on the cut files themselves, so recovery also runs under
 * the lossy VFS and is itself cut.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "harness.h"
#include "support/lossyvfs.h"
#include "support/support.h"

#include "support/syncfix.h"

#include "cry.h"
#include "imp.h"
#include "mem.h"
#include "json.h"
#include "odb.h"
#include "store.h"

#define MAXOPS		64
#define MAXREC		6
#define MAXMSG		(4 * MAXOPS + 8)
#define PADMAX		200000

enum { OP_SAVE, OP_MARK, OP_ACK, OP_REOPEN, OP_OPEN = -1 };
enum { M_BEGIN, M_DONE, M_FAIL, M_END };

static unsigned char dek[32], dev[16];

struct op {
	int	kind, rec, fin, pad;
};

struct plan {
	uint64_t	seed;
	int		nrec, nops;
	struct op	ops[MAXOPS];
};

/* One line of the driver's log. */
struct msg {
	int		kind, op;
	int64_t		lo, hi;		/* mark / ack range */
	int64_t		rev_no, seq;	/* a save's result */
	unsigned char	rev_id[16];
	long		ops;		/* mutating operations so far */
};

static struct {
	struct lossy_stats	stats;
	long			nmsg;
	struct msg		m[MAXMSG];
	char			err[256];
} log_, *sh = &log_;

/* The model: what must be on disk. */
struct mrev {
	int		op;		/* plan index: gives the answers */
	unsigned char	rev_id[16];
	int		has_id;		/* 0: in flight, id not reported */
};
struct mrec {
	int		n, status;
	struct mrev	revs[MAXOPS];
};
struct mrow {
	int64_t		seq;
	int		rec, rev_no;
	int		bundle;		/* plan index of the mark, -1 none */
	int		acked;
};
struct model {
	struct mrec	rec[MAXREC];
	struct mrow	rows[MAXOPS];
	int		nrows;
};

/* What the runs exercised, so the test shows it tested something. */
static struct {
	long	runs, cut_mid, flight_lost, flight_kept, dropped, kept,
		vanished, reappeared, dirsyncs, forgot;
} tally;

static uint64_t
xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
rec_id(const struct plan *p, int r, unsigned char id[16])
{
	uint64_t s = p->seed ^ (0x51ed27ull * (uint64_t)(r + 1));
	int i;

	for (i = 0; i < 16; i++)
		id[i] = (unsigned char)(xs(&s) >> 24);
	id[6] = (unsigned char)((id[6] & 0x0f) | 0x40);
	id[8] = (unsigned char)((id[8] & 0x3f) | 0x80);
}

static void
bundle_id(int op, unsigned char id[16])
{
	memset(id, 0xb0, 16);
	id[0] = (unsigned char)op;
}

/* The answers of plan step k: canonical JSON, sometimes past a page. */
static size_t
answers(const struct plan *p, int k, char *buf, size_t n)
{
	int len, i;

	len = snprintf(buf, n, "{\"op\":%d,\"pad\":\"", k);
	for (i = 0; i < p->ops[k].pad && (size_t)len + 4 < n; i++)
		buf[len++] = (char)('a' + (k * 7 + i) % 26);
	len += snprintf(buf + len, n - (size_t)len, "\",\"rec\":%d}",
	    p->ops[k].rec);
	return (size_t)len;
}

static void
logm(int kind, int op, int64_t lo, int64_t hi, const struct store_rev *r)
{
	struct msg *m;

	if (sh->nmsg == MAXMSG)
		abort();
	m = &sh->m[sh->nmsg];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->op = op;
	m->lo = lo;
	m->hi = hi;
	m->ops = lossy_ops();
	if (r != NULL) {
		m->rev_no = r->rev_no;
		m->seq = r->seq;
		memcpy(m->rev_id, r->rev_id, 16);
	}
	sh->nmsg++;
}

/* A failed step: the cut (1), or a real failure (-1). */
static int
step_fail(int op, const struct ds_err *err)
{
	if (lossy_dead())
		return 1;
	snprintf(sh->err, sizeof(sh->err), "step %d: %s", op, err->msg);
	logm(M_FAIL, op, 0, 0, NULL);
	return -1;
}

/*
 * Run the plan from `start` until the power goes: 0 ran to the end (the
 * power goes after it), 1 cut, -1 a failure with the power on.
 */
static int
drive(const struct plan *p, const char *path, int start)
{
	static char json[PADMAX + 64];
	struct store_summary sm = { "户主", "石门村", "label", 0, 0,
	    NULL, NULL, NULL, 0, 0 };
	unsigned char rid[16], bid[16], hash[32];
	struct store_save v;
	struct store_rev r;
	struct store *s = NULL;
	struct ds_err err;
	int64_t last;
	int k, rc = 0;

	logm(M_BEGIN, OP_OPEN, 0, 0, NULL);
	if (store_open(path, dek, dev, &s, &err) != DS_OK)
		return step_fail(OP_OPEN, &err);
	logm(M_DONE, OP_OPEN, 0, 0, NULL);
	for (k = start; k < p->nops && rc == 0; k++) {
		const struct op *o = &p->ops[k];

		switch (o->kind) {
		case OP_SAVE:
			rec_id(p, o->rec, rid);
			memset(&v, 0, sizeof(v));
			v.record_id = rid;
			v.form_id = "household";
			v.form_version = "2026110101";
			v.answers = json;
			v.answers_len = answers(p, k, json, sizeof(json));
			v.summary = &sm;
			v.finalize = o->fin;
			logm(M_BEGIN, k, 0, 0, NULL);
			if (store_save(s, &v, &r, &err) != DS_OK)
				rc = step_fail(k, &err);
			else
				logm(M_DONE, k, 0, 0, &r);
			break;
		case OP_MARK:
		case OP_ACK:
			if (store_outbox_last_seq(s, &last, &err) != DS_OK) {
				rc = step_fail(k, &err);
				break;
			}
			logm(M_BEGIN, k, 1, last, NULL);
			bundle_id(k, bid);
			memset(hash, k, sizeof(hash));
			if (last > 0 && (o->kind == OP_MARK ?
			    store_outbox_mark_sent(s, 1, last, bid, hash, &err) :
			    store_outbox_ack(s, 1, last, &err)) != DS_OK)
				rc = step_fail(k, &err);
			else
				logm(M_DONE, k, 1, last, NULL);
			break;
		default:
			logm(M_BEGIN, k, 0, 0, NULL);
			store_close(s);
			s = NULL;
			if (store_open(path, dek, dev, &s, &err) != DS_OK)
				rc = step_fail(k, &err);
			else
				logm(M_DONE, k, 0, 0, NULL);
		}
	}
	store_close(s);
	if (rc == 0)
		logm(M_END, 0, 0, 0, NULL);
	return rc;
}

/* Apply step k to the model; r is the driver's report (NULL in flight). */
static int
model_apply(struct model *m, const struct plan *p, const struct msg *b,
    const struct msg *r, char *why, size_t wn)
{
	const struct op *o = &p->ops[b->op];
	struct mrec *c;
	struct mrow *w;
	int i;

	if (b->op == OP_OPEN || o->kind == OP_REOPEN)
		return 0;
	if (o->kind == OP_SAVE) {
		c = &m->rec[o->rec];
		w = &m->rows[m->nrows];
		w->seq = m->nrows + 1;
		w->rec = o->rec;
		w->rev_no = c->n + 1;
		w->bundle = -1;
		w->acked = 0;
		c->revs[c->n].op = b->op;
		c->revs[c->n].has_id = r != NULL;
		if (r != NULL) {
			memcpy(c->revs[c->n].rev_id, r->rev_id, 16);
			if (r->rev_no != w->rev_no || r->seq != w->seq) {
				snprintf(why, wn, "save %d returned revision "
				    "%lld seq %lld, want %d and %lld", b->op,
				    (long long)r->rev_no, (long long)r->seq,
				    w->rev_no, (long long)w->seq);
				return -1;
			}
		}
		c->n++;
		c->status = o->fin ? 1 : 0;
		m->nrows++;
		return 0;
	}
	for (i = 0; i < m->nrows; i++) {
		w = &m->rows[i];
		if (w->seq < b->lo || w->seq > b->hi)
			continue;
		if (o->kind == OP_MARK && !w->acked)
			w->bundle = b->op;
		if (o->kind == OP_ACK && w->bundle >= 0)
			w->acked = 1;
	}
	/* record status: store_outbox_mark_sent / _ack */
	for (i = 0; i < m->nrows; i++) {
		w = &m->rows[i];
		if (w->seq < b->lo || w->seq > b->hi ||
		    w->rev_no != m->rec[w->rec].n)
			continue;
		c = &m->rec[w->rec];
		if (o->kind == OP_MARK && c->status == 1)
			c->status = 2;
		if (o->kind == OP_ACK && w->acked &&
		    (c->status == 1 || c->status == 2))
			c->status = 3;
	}
	return 0;
}

static int
rec_of(const struct plan *p, const void *id, int n)
{
	unsigned char want[16];
	int r;

	if (n != 16)
		return -1;
	for (r = 0; r < p->nrec; r++) {
		rec_id(p, r, want);
		if (memcmp(want, id, 16) == 0)
			return r;
	}
	return -1;
}

/*
 * Does the database (raw connection db, store s) hold exactly the model?
 * Fills the rev ids the model does not know.  0, or -1 with why.
 */
static int
compare(struct model *m, const struct plan *p, sqlite3 *db, struct store *s,
    char *why, size_t wn)
{
	static char want[PADMAX + 64];
	sqlite3_stmt *q;
	unsigned char rid[16], bid[16];
	struct ds_err err;
	struct mrev *v;
	char *json;
	size_t len, wl;
	int r, i, n, bad = 0, nrec = 0;

#define NOPE(...) do { snprintf(why, wn, __VA_ARGS__); bad = 1; } while (0)
	/* record rows: current revision and status */
	if (sqlite3_prepare_v2(db, "SELECT id, rev_no, status FROM record",
	    -1, &q, NULL) != SQLITE_OK)
		return snprintf(why, wn, "%s", sqlite3_errmsg(db)), -1;
	while (!bad && sqlite3_step(q) == SQLITE_ROW) {
		r = rec_of(p, sqlite3_column_blob(q, 0),
		    sqlite3_column_bytes(q, 0));
		nrec++;
		if (r < 0 || m->rec[r].n == 0)
			NOPE("record row %d not in the model", r);
		else if (sqlite3_column_int(q, 1) != m->rec[r].n ||
		    sqlite3_column_int(q, 2) != m->rec[r].status)
			NOPE("record %d at revision %d status %d, want %d "
			    "status %d", r, sqlite3_column_int(q, 1),
			    sqlite3_column_int(q, 2), m->rec[r].n,
			    m->rec[r].status);
	}
	sqlite3_finalize(q);
	for (r = n = 0; r < p->nrec; r++)
		n += m->rec[r].n > 0;
	if (!bad && nrec != n)
		NOPE("%d record rows, want %d", nrec, n);

	/* revisions: 1..n per record, ids as reported */
	if (!bad && sqlite3_prepare_v2(db, "SELECT record_id, rev_no, rev_id "
	    "FROM revision", -1, &q, NULL) == SQLITE_OK) {
		n = 0;
		while (!bad && sqlite3_step(q) == SQLITE_ROW) {
			r = rec_of(p, sqlite3_column_blob(q, 0),
			    sqlite3_column_bytes(q, 0));
			i = sqlite3_column_int(q, 1);
			n++;
			if (r < 0 || i < 1 || i > m->rec[r].n) {
				NOPE("revision %d of record %d not in the "
				    "model", i, r);
				break;
			}
			v = &m->rec[r].revs[i - 1];
			if (sqlite3_column_bytes(q, 2) != 16)
				NOPE("revision %d of record %d: bad id", i, r);
			else if (!v->has_id) {
				memcpy(v->rev_id, sqlite3_column_blob(q, 2),
				    16);
				v->has_id = 1;
			} else if (memcmp(v->rev_id, sqlite3_column_blob(q,
			    2), 16) != 0)
				NOPE("revision %d of record %d has another "
				    "id", i, r);
		}
		sqlite3_finalize(q);
		if (!bad && n != m->nrows)
			NOPE("%d revisions, want %d", n, m->nrows);
	}

	/* outbox: seq 1..m in save order, each with its revision */
	if (!bad && sqlite3_prepare_v2(db, "SELECT o.seq, v.record_id, "
	    "v.rev_no, o.bundle_id, o.acked FROM outbox o LEFT JOIN revision "
	    "v ON v.rev_id = o.rev_id ORDER BY o.seq", -1, &q, NULL) ==
	    SQLITE_OK) {
		for (i = 0; !bad && sqlite3_step(q) == SQLITE_ROW; i++) {
			const struct mrow *w = &m->rows[i];

			if (i >= m->nrows) {
				NOPE("outbox row seq %lld not in the model",
				    (long long)sqlite3_column_int64(q, 0));
				break;
			}
			r = rec_of(p, sqlite3_column_blob(q, 1),
			    sqlite3_column_bytes(q, 1));
			if (w->bundle >= 0)
				bundle_id(w->bundle, bid);
			if (sqlite3_column_int64(q, 0) != w->seq ||
			    r != w->rec || sqlite3_column_int(q, 2) !=
			    w->rev_no)
				NOPE("outbox row %d is seq %lld record %d "
				    "revision %d, want seq %lld record %d "
				    "revision %d", i,
				    (long long)sqlite3_column_int64(q, 0), r,
				    sqlite3_column_int(q, 2),
				    (long long)w->seq, w->rec, w->rev_no);
			else if (w->bundle < 0 ? sqlite3_column_type(q, 3) !=
			    SQLITE_NULL : sqlite3_column_bytes(q, 3) != 16 ||
			    memcmp(sqlite3_column_blob(q, 3), bid, 16) != 0)
				NOPE("outbox seq %lld: wrong bundle",
				    (long long)w->seq);
			else if (sqlite3_column_int(q, 4) != w->acked)
				NOPE("outbox seq %lld: acked %d, want %d",
				    (long long)w->seq, sqlite3_column_int(q,
				    4), w->acked);
		}
		sqlite3_finalize(q);
		if (!bad && i != m->nrows)
			NOPE("%d outbox rows, want %d", i, m->nrows);
	}

	/* answers: each revision decrypts to exactly what was saved */
	for (r = 0; r < p->nrec && !bad; r++) {
		rec_id(p, r, rid);
		for (i = 0; i < m->rec[r].n && !bad; i++) {
			json = NULL;
			wl = answers(p, m->rec[r].revs[i].op, want,
			    sizeof(want));
			if (store_answers_get(s, rid, i + 1, &json, &len,
			    &err) != DS_OK)
				NOPE("record %d revision %d: %s", r, i + 1,
				    err.msg);
			else if (len != wl || memcmp(json, want, wl) != 0)
				NOPE("record %d revision %d: other answers",
				    r, i + 1);
			store_text_free(json, len);
		}
	}
#undef NOPE
	return bad ? -1 : 0;
}

static void
copy_dir(const char *from, const char *to)
{
	char a[1024], b[1024], buf[65536];
	struct dirent *de;
	ssize_t n;
	DIR *d;
	int fi, fo;

	if ((d = opendir(to)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.') {
				snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
				unlink(b);
			}
		closedir(d);
	}
	if ((d = opendir(from)) == NULL)
		abort();
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
		snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
		if ((fi = open(a, O_RDONLY)) == -1 ||
		    (fo = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
			abort();
		while ((n = read(fi, buf, sizeof(buf))) > 0)
			if (write(fo, buf, (size_t)n) != n)
				abort();
		close(fi);
		close(fo);
	}
	closedir(d);
}

static void
empty_dir(const char *dir)
{
	char b[1024];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.') {
			snprintf(b, sizeof(b), "%s/%s", dir, de->d_name);
			unlink(b);
		}
	closedir(d);
}

/*
 * One epoch: run the plan from *next until the cut, reboot, then check
 * a copy of the disk against the model and adopt the in-flight step if it
 * happened.  0, or -1 after reporting a failure.  *done is set when the
 * driver ran the plan to its end.  forget: when the power went right
 * after a save returned, count that save as in flight (the machine died
 * before the caller saw DS_OK): it must then be there.
 */
static int
epoch(const struct plan *p, struct model *m, const char *dir,
    const char *chk, int *next, long cut, enum lossy_mode mode,
    uint64_t seed, int forget, int *done)
{
	char path[1100], why[512], why2[512];
	const struct msg *b = NULL, *mm;
	struct model m2;
	struct store *s = NULL;
	struct ds_err err;
	sqlite3 *db = NULL;
	int status, rc = -1, after;
	long i;

	memset(sh, 0, sizeof(*sh));
	snprintf(path, sizeof(path), "%s/records.db", dir);
	if (lossy_begin(dir, cut, mode, seed, &sh->stats) != 0) {
		HARNESS_FAIL("lossy_begin %s", dir);
		return -1;
	}
	status = drive(p, path, *next);
	lossy_reboot();
	if (status < 0) {
		HARNESS_FAIL("seed %llu cut %ld mode %d, power on: %s",
		    (unsigned long long)p->seed, cut, (int)mode, sh->err);
		return -1;
	}
	tally.runs++;
	tally.cut_mid += status == 1;
	/* The power went before any write after a save returned. */
	i = sh->nmsg;
	if (forget && status == 1 && i > 0 && sh->m[i - 1].kind == M_BEGIN &&
	    sh->m[i - 1].ops == sh->stats.ops)
		i--;
	if (forget && status == 1 && i > 0 && sh->m[i - 1].kind == M_DONE &&
	    sh->m[i - 1].op >= 0 && p->ops[sh->m[i - 1].op].kind == OP_SAVE &&
	    sh->m[i - 1].ops == sh->stats.ops) {
		sh->nmsg = i - 1;
		tally.forgot++;
	}
	tally.dropped += sh->stats.dropped;
	tally.kept += sh->stats.kept;
	tally.vanished += sh->stats.vanished;
	tally.reappeared += sh->stats.reappeared;
	tally.dirsyncs += sh->stats.dirsyncs;
	*done = 0;

	/* What the driver saw succeed goes into the model. */
	for (i = 0; i < sh->nmsg; i++) {
		mm = &sh->m[i];
		if (mm->kind == M_BEGIN)
			b = mm;
		else if (mm->kind == M_DONE) {
			if (model_apply(m, p, b, mm, why, sizeof(why)) != 0) {
				HARNESS_FAIL("seed %llu cut %ld: %s",
				    (unsigned long long)p->seed, cut, why);
				return -1;
			}
			if (mm->op != OP_OPEN)
				*next = mm->op + 1;
			b = NULL;
		} else if (mm->kind == M_END)
			*done = 1;
	}

	/* Reboot on a copy: the next epoch recovers the cut files. */
	copy_dir(dir, chk);
	snprintf(path, sizeof(path), "%s/records.db", chk);
	if (store_open(path, dek, dev, &s, &err) != DS_OK) {
		HARNESS_FAIL("seed %llu cut %ld mode %d: reopen: %s",
		    (unsigned long long)p->seed, cut, (int)mode, err.msg);
		return -1;
	}
	if (store_check(s, &err) != DS_OK) {
		HARNESS_FAIL("seed %llu cut %ld mode %d: %s",
		    (unsigned long long)p->seed, cut, (int)mode, err.msg);
		goto out;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	m2 = *m;
	if (compare(&m2, p, db, s, why, sizeof(why)) == 0) {
		*m = m2;
		after = 0;
	} else if (b != NULL && b->op != OP_OPEN) {
		m2 = *m;
		model_apply(&m2, p, b, NULL, why2, sizeof(why2));
		if (compare(&m2, p, db, s, why2, sizeof(why2)) != 0) {
			HARNESS_FAIL("seed %llu cut %ld mode %d, step %d in "
			    "flight: not before it (%s) nor after it (%s)",
			    (unsigned long long)p->seed, cut, (int)mode,
			    b->op, why, why2);
			goto out;
		}
		*m = m2;
		after = 1;
	} else {
		HARNESS_FAIL("seed %llu cut %ld mode %d: %s",
		    (unsigned long long)p->seed, cut, (int)mode, why);
		goto out;
	}
	if (b != NULL && b->op != OP_OPEN) {
		if (p->ops[b->op].kind == OP_SAVE) {
			tally.flight_lost += !after;
			tally.flight_kept += after;
		}
		*next = b->op + 1;
	}
	rc = 0;
out:
	sqlite3_close(db);
	store_close(s);
	return rc;
}

static void
plan_make(struct plan *p, uint64_t seed, int nrec, int nops)
{
	uint64_t s = seed;
	int k, x;

	memset(p, 0, sizeof(*p));
	p->seed = seed;
	p->nrec = nrec;
	p->nops = nops;
	for (k = 0; k < nops; k++) {
		struct op *o = &p->ops[k];

		x = (int)(xs(&s) % 100);
		o->kind = x < 70 || k == 0 ? OP_SAVE : x < 80 ? OP_MARK :
		    x < 90 ? OP_ACK : OP_REOPEN;
		o->rec = (int)(xs(&s) % (uint64_t)nrec);
		o->fin = xs(&s) % 3 == 0;
		x = (int)(xs(&s) % 10);
		o->pad = x < 6 ? (int)(xs(&s) % 200) : x < 9 ?
		    (int)(xs(&s) % 3000) : 4000 + (int)(xs(&s) % 5000);
	}
}

/* A fixed small plan: every cut point, each with two loss patterns. */
static void
test_every_cut_point_of_a_short_plan(void)
{
	static const struct op ops[] = {
		{ OP_SAVE, 0, 0, 100 }, { OP_SAVE, 1, 0, 3000 },
		{ OP_SAVE, 0, 1, 50 }, { OP_MARK, 0, 0, 0 },
		{ OP_SAVE, 1, 1, 6000 }, { OP_REOPEN, 0, 0, 0 },
		{ OP_SAVE, 0, 0, 10 }, { OP_ACK, 0, 0, 0 },
		{ OP_SAVE, 1, 0, 200 }
	};
	const char *dir = ts_tmpdir("pl_short"), *chk = ts_tmpdir("pl_chk");
	struct model m;
	struct plan p;
	long total, c;
	int next, done, mode;
	uint64_t s = 0x2545f4914f6cdd1dull;

	memset(&p, 0, sizeof(p));
	p.seed = 7;
	p.nrec = 2;
	p.nops = (int)(sizeof(ops) / sizeof(ops[0]));
	memcpy(p.ops, ops, sizeof(ops));

	/* No cut: learn the number of mutating operations. */
	memset(&m, 0, sizeof(m));
	next = 0;
	if (epoch(&p, &m, dir, chk, &next, -1, LOSSY_DROP, 1, 0, &done) != 0)
		return;
	OK(done);
	INT_EQ(m.nrows, 6);
	total = sh->stats.ops;
	OK(total > 50);
	for (c = 0; c <= total; c++) {
		for (mode = 0; mode < 2; mode++) {
			empty_dir(dir);
			memset(&m, 0, sizeof(m));
			next = 0;
			if (epoch(&p, &m, dir, chk, &next, c, mode == 0 ?
			    LOSSY_DROP : (enum lossy_mode)(1 + xs(&s) % 2),
			    xs(&s), mode, &done) != 0)
				return;
		}
	}
	printf("# short plan: %ld cut points\n", total + 1);
}

/*
 * Big answers (150 KB) fill the WAL past the autocheckpoint (1000 pages):
 * the checkpoint, the WAL restart with new salts over old frames and its
 * truncation to journal_size_limit, cut at points spread over the run.
 */
static void
test_cuts_across_checkpoint_and_wal_restart(void)
{
	const char *dir = ts_tmpdir("pl_wal"), *chk = ts_tmpdir("pl_wchk");
	struct model m;
	struct plan p;
	uint64_t s = 0xda942042e4dd58b5ull;
	long total, c;
	int k, next, done;

	memset(&p, 0, sizeof(p));
	p.seed = 11;
	p.nrec = 3;
	p.nops = 36;
	for (k = 0; k < p.nops; k++) {
		p.ops[k].kind = k == 20 ? OP_MARK : OP_SAVE;
		p.ops[k].rec = k % 3;
		p.ops[k].pad = 150000 + k;
	}
	memset(&m, 0, sizeof(m));
	next = 0;
	if (epoch(&p, &m, dir, chk, &next, -1, LOSSY_DROP, 1, 0, &done) != 0)
		return;
	OK(done);
	OK(sh->stats.truncates > 0);	/* the WAL was reset and cut back */
	total = sh->stats.ops;
	for (k = 0; k < 60; k++) {
		c = total * k / 60 + (long)(xs(&s) % (uint64_t)(total / 60 + 1));
		empty_dir(dir);
		memset(&m, 0, sizeof(m));
		next = 0;
		if (epoch(&p, &m, dir, chk, &next, c,
		    (enum lossy_mode)(xs(&s) % 3), xs(&s), 1, &done) != 0)
			return;
	}
}

/* Longer random plans, several cuts each, recovery cut too. */
static void
test_random_plans_with_repeated_cuts(void)
{
	const char *dir = ts_tmpdir("pl_long"), *chk = ts_tmpdir("pl_lchk");
	struct model m;
	struct plan p;
	uint64_t s = 0x9e3779b97f4a7c15ull;
	int scen, next, done, epochs;

	for (scen = 0; scen < 24; scen++) {
		plan_make(&p, 1000 + (uint64_t)scen, 2 + scen % 4, 40);
		empty_dir(dir);
		memset(&m, 0, sizeof(m));
		next = 0;
		done = 0;
		for (epochs = 0; !done && epochs < 60; epochs++)
			if (epoch(&p, &m, dir, chk, &next,
			    (long)(xs(&s) % 400), (enum lossy_mode)(xs(&s) % 3),
			    xs(&s), epochs % 2, &done) != 0)
				return;
		OK(done);
	}
}

/* ------------------------------------------------------------------ */
/* The office database: each import is all or nothing.                 */

#define NB	7

static struct sf_office office;
static unsigned char *bund[NB];
static size_t blen[NB];

/* New records, an edit, a fork from another laptop, a duplicate, an
 * unknown device (held), a damaged bundle (rejected): as test_imp_crash. */
static void
office_bundles(const char *dir)
{
	struct sf_device a, b, c;
	struct sf_rev r[12];
	struct odb_device od;
	struct odb *db;
	struct ds_err err;
	char ans[128];
	int i;

	sf_office_make(&office, dir);
	sf_device_make(&a, 1);
	sf_device_make(&b, 2);
	sf_device_make(&c, 3);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		abort();
	memset(&od, 0, sizeof(od));
	od.state = ODB_DEV_ENROLLED;
	memcpy(od.device_id, a.device_id, 16);
	memcpy(od.sign_pk, a.key->pk, 32);
	odb_device_put(db, &od, &err);
	memcpy(od.device_id, b.device_id, 16);
	memcpy(od.sign_pk, b.key->pk, 32);
	odb_device_put(db, &od, &err);
	odb_close(db);
	for (i = 0; i < 10; i++) {
		snprintf(ans, sizeof(ans), "{\"income\":%d,\"name\":\"户%d\"}",
		    i * 10, i);
		sf_rev(&r[i], &a, i, 1, NULL, ans);
	}
	bund[0] = sf_bundle(&a, &office, r, 5, 0, 0, &blen[0]);
	bund[1] = sf_bundle(&a, &office, r + 5, 5, 0, 0, &blen[1]);
	sf_rev(&r[10], &a, 3, 2, r[3].r.rev_id,
	    "{\"income\":31,\"name\":\"户3\"}");
	bund[2] = sf_bundle(&a, &office, r + 10, 1, 0, 0, &blen[2]);
	sf_rev(&r[11], &b, 3, 2, r[3].r.rev_id,
	    "{\"income\":32,\"name\":\"户3\"}");
	bund[3] = sf_bundle(&b, &office, r + 11, 1, 0, 0, &blen[3]);
	bund[4] = sf_bundle(&a, &office, r, 5, 0, 0, &blen[4]);
	sf_rev(&r[0], &c, 99, 1, NULL, "{\"x\":1}");
	bund[5] = sf_bundle(&c, &office, r, 1, 0, 0, &blen[5]);
	bund[6] = sf_bundle(&a, &office, r + 5, 5, 0, 0, &blen[6]);
	bund[6][blen[6] / 2] ^= 1;
	sf_device_free(&a);
	sf_device_free(&b);
	sf_device_free(&c);
}

/*
 * Import bundles from..to-1 into path; *nok counts verdicts reached.
 * 0 all done, 1 the power went, -1 a failure with the power on.
 */
static int
office_import(const char *path, int from, int to, int *nok, char *why,
    size_t wn)
{
	struct imp_result r;
	struct ds_err err;
	struct odb *db;
	int i, rc = 0;

	*nok = 0;
	if (odb_open(path, office.sec, &db, &err) != DS_OK) {
		snprintf(why, wn, "open: %s", err.msg);
		return lossy_dead() ? 1 : -1;
	}
	for (i = from; i < to && rc == 0; i++) {
		memset(&r, 0, sizeof(r));
		if (imp_bundle(db, office.sec, bund[i], blen[i], &r, &err) ==
		    DS_OK)
			(*nok)++;
		else {
			snprintf(why, wn, "bundle %d: %s", i, err.msg);
			rc = lossy_dead() ? 1 : -1;
		}
		imp_result_free(&r);
	}
	odb_close(db);
	return rc;
}

static int
office_integrity(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *q;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		return 0;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) ==
	    SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		ok = strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
	sqlite3_finalize(q);
	sqlite3_close(db);
	return ok;
}

static void
copy_one(const char *from, const char *dir, const char *name)
{
	char a[1024], b[1024], buf[65536];
	ssize_t n;
	int fi, fo;

	snprintf(a, sizeof(a), "%s", from);
	snprintf(b, sizeof(b), "%s/%s", dir, name);
	if ((fi = open(a, O_RDONLY)) == -1 ||
	    (fo = open(b, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		abort();
	while ((n = read(fi, buf, sizeof(buf))) > 0)
		if (write(fo, buf, (size_t)n) != n)
			abort();
	close(fi);
	close(fo);
}

/*
 * After a cut anywhere in a run of imports, office.db is exactly the
 * database of a clean run that imported the first k bundles, k the
 * imports that returned before the cut, or k + 1 (the one in flight):
 * ledger, revisions, heads, ranges and receipts all or nothing.  Importing
 * everything again then gives the clean final database.
 */
static void
test_office_import_is_all_or_nothing(void)
{
	const char *base = ts_tmpdir("pl_office");
	char odir[700], work[700], wdb[800], why[512];
	unsigned char ref[NB + 1][32], got[32];
	enum lossy_mode mode;
	long total, c, runs = 0, mid = 0;
	uint64_t s = 0x853c49e6748fea9bull;
	int i, k, rc, match, pass;

	snprintf(odir, sizeof(odir), "%s/office", base);
	snprintf(work, sizeof(work), "%s/work", base);
	snprintf(wdb, sizeof(wdb), "%s/office.db", work);
	office_bundles(odir);
	if (mkdir(work, 0700) != 0)
		abort();

	/* The clean prefixes, with the ordinary VFS. */
	copy_one(office.db, work, "office.db");
	sf_db_digest(wdb, NULL, ref[0]);
	for (i = 0; i < NB; i++) {
		INT_EQ(office_import(wdb, i, i + 1, &k, why, sizeof(why)), 0);
		sf_db_digest(wdb, NULL, ref[i + 1]);
	}
	for (i = 0; i < NB; i++)
		OK(memcmp(ref[i], ref[i + 1], 32) != 0 || i >= 4);

	/* No cut: the number of mutating operations. */
	empty_dir(work);
	copy_one(office.db, work, "office.db");
	lossy_begin(work, -1, LOSSY_DROP, 1, &sh->stats);
	rc = office_import(wdb, 0, NB, &k, why, sizeof(why));
	lossy_reboot();
	INT_EQ(rc, 0);
	INT_EQ(k, NB);
	total = sh->stats.ops;
	sf_db_digest(wdb, NULL, got);
	OK(memcmp(got, ref[NB], 32) == 0);

	for (c = 0; c <= total; c++)
	for (pass = 0; pass < 2; pass++) {
		mode = pass == 0 ? LOSSY_DROP :
		    (enum lossy_mode)(1 + xs(&s) % 2);
		empty_dir(work);
		copy_one(office.db, work, "office.db");
		lossy_begin(work, c, mode, xs(&s), &sh->stats);
		rc = office_import(wdb, 0, NB, &k, why, sizeof(why));
		lossy_reboot();
		runs++;
		mid += rc == 1;
		tally.dropped += sh->stats.dropped;
		tally.kept += sh->stats.kept;
		if (rc < 0) {
			HARNESS_FAIL("office cut %ld, power on: %s", c, why);
			return;
		}
		if (!office_integrity(wdb)) {
			HARNESS_FAIL("office cut %ld: integrity_check", c);
			return;
		}
		sf_db_digest(wdb, NULL, got);
		match = memcmp(got, ref[k], 32) == 0 || (rc == 1 && k < NB &&
		    memcmp(got, ref[k + 1], 32) == 0);
		if (!match) {
			HARNESS_FAIL("office cut %ld mode %d: %d imports "
			    "returned, the database is no clean prefix", c,
			    (int)mode, k);
			return;
		}
		if (runs % 3 == 0) {
			INT_EQ(office_import(wdb, 0, NB, &k, why, sizeof(why)),
			    0);
			sf_db_digest(wdb, NULL, got);
			OK(memcmp(got, ref[NB], 32) == 0);
		}
	}
	printf("# office: %ld mutating operations, %ld cuts, %ld mid-import\n",
	    total, runs, mid);
	OK(total > 40);
	OK(mid > total);
	for (i = 0; i < NB; i++)
		ds_free(bund[i]);
	sf_office_free(&office);
}

/* The runs did lose data, tear writes, lose and keep in-flight saves. */
static void
test_the_model_was_exercised(void)
{
	printf("# runs %ld, cut mid-plan %ld, in-flight save lost %ld kept "
	    "%ld (%ld returned just before the cut), unsynced writes dropped %ld kept in part %ld, names "
	    "vanished %ld reappeared %ld, directory syncs %ld\n", tally.runs,
	    tally.cut_mid, tally.flight_lost, tally.flight_kept, tally.forgot,
	    tally.dropped, tally.kept, tally.vanished, tally.reappeared,
	    tally.dirsyncs);
	OK(tally.runs > 300);
	OK(tally.flight_lost > 0);
	OK(tally.flight_kept > 0);
	OK(tally.forgot > 0);
	OK(tally.dropped > 0);
	OK(tally.kept > 0);
	OK(tally.vanished > 0);
	OK(tally.dirsyncs > 0);
}

int
main(void)
{
	struct ds_err err;

	if (cry_init(&err) != DS_OK) {
		printf("not ok cry_init: %s\n", err.msg);
		return 1;
	}
	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	cry_random(dek, sizeof(dek));
	cry_random(dev, sizeof(dev));
	/*
	 * The power cut is simulated, so the disk under it does not matter:
	 * on tmpfs the few real fsyncs (lossyvfs.h) cost nothing.
	 */
	if (getenv("DS_PL_DISK") == NULL && access("/dev/shm", W_OK) == 0)
		setenv("TMPDIR", "/dev/shm", 1);
	if (lossy_install() != 0) {
		printf("not ok lossy_install\n");
		return 1;
	}
	RUN(test_every_cut_point_of_a_short_plan);
	RUN(test_random_plans_with_repeated_cuts);
	RUN(test_cuts_across_checkpoint_and_wal_restart);
	RUN(test_office_import_is_all_or_nothing);
	RUN(test_the_model_was_exercised);
	return harness_done();
}
