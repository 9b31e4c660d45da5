/* doorstep: the laptop's sync steps change all or nothing of the store. */
/*
 * Applying a receipt (acknowledge, or roll back after a restored backup)
 * and exporting a bundle, with an allocation failing, or one SQL statement
 * of the store failing (support/sqlfail.h), at each point in turn: an
 * error leaves records.db as it was; a success leaves it as a run without
 * a fault does.  A receipt that rolls the outbox back is one store
 * transaction with its acknowledgements (store_outbox_receipt), so a
 * failure between them leaves nothing applied and `sync ack` saying
 * "nothing changed" is true.  (Issue 18: the mutation runs of sync/pack*.c
 * and src/store_outbox.c.)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/sqlfail.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "receipt.h"
#include "store.h"
#include "store_int.h"	/* the connection, for statement failures */
#include "util.h"

static const char *tmp;
static struct sf_office office;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey;
static unsigned char devid[16], dek[32];
static char path[600];

static void
reopen(void)
{
	struct ds_err err;

	store_close(st);
	st = NULL;
	if (store_open(path, dek, devid, &st, &err) != DS_OK)
		abort();
}

/* Save records.db (closed) as `name`, or put it back. */
static void
db_copy(const char *name, int save)
{
	char p[700], cmd[1600];

	snprintf(p, sizeof(p), "%s/%s", tmp, name);
	store_close(st);
	st = NULL;
	if (save)
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", path, p);
	else
		snprintf(cmd, sizeof(cmd), "rm -f '%s-wal' '%s-shm' && "
		    "cp '%s' '%s'", path, path, p, path);
	if (system(cmd) != 0)
		abort();
	reopen();
}

static void
save(const char *answers)
{
	struct store_save s;
	struct ds_err err;
	unsigned char id[16];

	store_id_new(id);
	memset(&s, 0, sizeof(s));
	s.record_id = id;
	s.form_id = "household";
	s.form_version = "2026112301";
	s.answers = answers;
	s.answers_len = strlen(answers);
	s.finalize = 1;
	ST_EQ(store_save(st, &s, NULL, &err), DS_OK, &err);
}

enum fault { F_ALLOC, F_STMT };

static void
arm(enum fault f, long k)
{
	if (f == F_ALLOC)
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
	else
		sqlfail_arm(st->db, k);
}

/* Disarm; 1 if the fault was reached. */
static int
disarm(enum fault f)
{
	long fired;

	if (f == F_ALLOC) {
		fired = ds_fault_fired(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
	} else {
		fired = sqlfail_fired();
		sqlfail_disarm(st->db);
	}
	return fired > 0;
}

/* Apply the receipt under each fault point in turn. */
static long
apply_torture(const char *what, const unsigned char *r, size_t n,
    enum fault f)
{
	static struct receipt rc;
	unsigned char before[32], after[32], clean[32];
	struct ds_err err;
	enum ds_status s;
	long k;
	int hit;

	db_copy("apply.db", 1);
	sf_db_digest(path, NULL, before);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, r, n, &rc, &err),
	    DS_OK, &err);
	sf_db_digest(path, NULL, clean);
	OK(memcmp(before, clean, 32) != 0);
	for (k = 1; k < 10000; k++) {
		db_copy("apply.db", 0);
		arm(f, k);
		s = pack_apply_receipt(st, devid, &office.pub, r, n, &rc, &err);
		hit = disarm(f);
		sf_db_digest(path, NULL, after);
		if (memcmp(after, s == DS_OK ? clean : before, 32) != 0) {
			HARNESS_FAIL("%s: %s %ld (%s): records.db is neither "
			    "as before nor as applied", what, f == F_ALLOC ?
			    "allocation" : "statement", k, ds_status_name(s));
			break;
		}
		if (!hit)
			break;
	}
	db_copy("apply.db", 0);
	return k - 1;
}

/* An ack-state receipt of this office for devid: ranges lo-hi. */
static unsigned char *
ack_state(uint64_t lo, uint64_t hi, int reason, size_t *len)
{
	static struct receipt r;
	struct ds_err err;
	unsigned char *out = NULL;

	memset(&r, 0, sizeof(r));
	cry_random(r.receipt_id, 16);
	memcpy(r.office_id, office.pub.office_id, 16);
	cry_key_id(office.pub.sign_pk, 32, r.office_kid);
	memcpy(r.device_id, devid, 16);
	r.status = RS_ACKSTATE;
	r.reason = (uint16_t)reason;
	r.nranges = 1;
	r.ranges[0].lo = lo;
	r.ranges[0].hi = hi;
	r.contiguous = lo == 1 ? hi : 0;
	if (receipt_encode(&r, &office.sec->sign, &out, len, &err) != DS_OK)
		abort();
	return out;
}

static void
test_apply_receipt_all_or_nothing(void)
{
	static struct receipt rc;
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct imp_result ir;
	struct ds_err err;
	char dir[700], rp[PATH_MAX], *buf = NULL;
	unsigned char *r;
	size_t n = 0;
	long pts = 0;

	save("{\"hh_id\":\"P1\",\"v\":1}");
	save("{\"hh_id\":\"P2\",\"v\":2}");
	save("{\"hh_id\":\"P3\",\"v\":3}");
	snprintf(dir, sizeof(dir), "%s/usb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, dir, &pr, &err),
	    DS_OK, &err);
	ST_EQ(imp_file(db, office.sec, pr.path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	imp_result_free(&ir);
	ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err), DS_OK,
	    &err);
	/* The bundle's own receipt. */
	pts += apply_torture("receipt", (unsigned char *)buf, n, F_ALLOC);
	pts += apply_torture("receipt", (unsigned char *)buf, n, F_STMT);
	ds_free(buf);
	/* An ack state past the last number issued: a restored backup. */
	r = ack_state(1, 9, BR_OK, &n);
	pts += apply_torture("rollback", r, n, F_ALLOC);
	pts += apply_torture("rollback", r, n, F_STMT);
	ds_free(r);
	r = ack_state(2, 3, BR_ROLLBACK, &n);
	pts += apply_torture("rollback reason", r, n, F_STMT);
	ds_free(r);
	/* Once a floor is set (9), an ack state over 1-11 retires only the
	 * rows past it (10, 11), not 1-3, sent but under the floor: failing
	 * to read the floor is an error, never a floor of 0. */
	r = ack_state(1, 9, BR_OK, &n);
	ST_EQ(pack_apply_receipt(st, devid, &office.pub, r, n, &rc, &err),
	    DS_OK, &err);
	ds_free(r);
	save("{\"hh_id\":\"P4\",\"v\":4}");
	save("{\"hh_id\":\"P5\",\"v\":5}");
	o.after_seq = 9;
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, dir, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.seq_lo, 10);
	INT_EQ(pr.seq_hi, 11);
	r = ack_state(1, 11, BR_OK, &n);
	pts += apply_torture("under the floor", r, n, F_STMT);
	ds_free(r);
	OK(pts > 10);
	printf("# %ld failure points\n", pts);
}

/* Export under each fault point: an error changes nothing; a success
 * marks the rows sent, as without a fault. */
static void
test_export_all_or_nothing(void)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct store_outbox_counts c;
	unsigned char before[32], after[32];
	struct ds_err err;
	enum ds_status s;
	enum fault f;
	char dir[700];
	long k, pts = 0;
	int hit;

	save("{\"hh_id\":\"E1\",\"v\":1}");
	save("{\"hh_id\":\"E2\",\"v\":2}");
	snprintf(dir, sizeof(dir), "%s/usb2", tmp);
	for (f = F_ALLOC; f <= F_STMT; f++) {
		db_copy("export.db", 1);
		sf_db_digest(path, NULL, before);
		for (k = 1; k < 10000; k++) {
			db_copy("export.db", 0);
			arm(f, k);
			s = pack_export(st, devid, dkey, &office.pub, &o, dir,
			    &pr, &err);
			hit = disarm(f);
			sf_db_digest(path, NULL, after);
			if (s != DS_OK && memcmp(after, before, 32) != 0) {
				HARNESS_FAIL("%s %ld (%s): records.db changed",
				    f == F_ALLOC ? "allocation" : "statement",
				    k, ds_status_name(s));
				break;
			}
			if (s == DS_OK) {
				ST_EQ(store_outbox_count(st, &c, &err), DS_OK,
				    &err);
				INT_EQ(c.unsent, 0);
			}
			if (!hit)
				break;
			pts++;
		}
		INT_EQ(s, DS_OK);
	}
	OK(pts > 10);
	printf("# %ld failure points\n", pts);
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	tmp = ts_tmpdir("pack_faults");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	cry_random(dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(path, sizeof(path), "%s/records.db", tmp);
	if (store_open(path, dek, devid, &st, &err) != DS_OK ||
	    cry_signkey_new(&dkey, &err) != DS_OK ||
	    sf_enroll(db, devid, dkey->pk, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	RUN(test_apply_receipt_all_or_nothing);
	RUN(test_export_all_or_nothing);
	store_close(st);
	cry_signkey_free(dkey);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
