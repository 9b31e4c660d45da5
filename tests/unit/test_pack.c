/* doorstep: laptop store -> bundle -> office import -> receipt -> ack. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "pack.h"
#include "receipt.h"
#include "status.h"
#include "store.h"
#include "util.h"

static const char *tmp;
static struct sf_office office;
static struct odb *db;
static struct store *st;
static struct cry_signkey *dkey;
static unsigned char devid[16];
static unsigned char stdek[32];
static unsigned char recs[5][16];

static void
save(int i, const char *answers)
{
	struct store_save s;
	struct store_rev out;
	struct ds_err err;

	memset(&s, 0, sizeof(s));
	s.record_id = recs[i];
	s.form_id = "household";
	s.form_version = "2026112301";
	s.household_key = NULL;
	s.answers = answers;
	s.answers_len = strlen(answers);
	s.finalize = 1;
	ST_EQ(store_save(st, &s, &out, &err), DS_OK, &err);
}

static int
pending_count(void)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result r;
	struct ds_err err;
	unsigned char *b = NULL;
	size_t n;
	enum ds_status s;

	s = pack_build(st, devid, dkey, &office.pub, &o, &b, &n, &r, &err);
	ds_free(b);
	return s == DS_ENOENT ? 0 : s == DS_OK ? (int)r.n_records : -1;
}

struct heads {
	int	n;
	char	keys[256];
};

static int
head_cb(void *arg, const struct odb_head *h)
{
	struct heads *x = arg;
	size_t l = strlen(x->keys);

	x->n++;
	snprintf(x->keys + l, sizeof(x->keys) - l, "%s;", h->household_key);
	return 0;
}

static void
test_export_import_ack_then_only_changes(void)
{
	static struct receipt rc;
	struct pack_opts o = { "worker-7", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct imp_result ir;
	struct heads h;
	struct ds_err err;
	char ans[256], rp[PATH_MAX], outdir[600];
	int i;

	for (i = 0; i < 5; i++) {
		store_id_new(recs[i]);
		snprintf(ans, sizeof(ans), "{\"hh_id\":\"HH%06d\",\"income\":%d,"
		    "\"consent\":{\"signed\":true}}", 100 + i, 1000 * i);
		save(i, ans);
	}
	ST_EQ(sf_enroll(db, devid, dkey->pk, &err), DS_OK, &err);

	snprintf(outdir, sizeof(outdir), "%s/usb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, outdir, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_records, 5);
	INT_EQ(pr.seq_lo, 1);
	INT_EQ(pr.seq_hi, 5);
	OK(ds_path_exists(pr.path));
	OK(strstr(pr.path, "/doorstep/outbox/") != NULL);
	/* Nothing acknowledged yet: the same rows are still pending. */
	INT_EQ(pending_count(), 5);

	ST_EQ(imp_file(db, office.sec, pr.path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	INT_EQ(ir.status, RS_IMPORTED);
	INT_EQ(ir.n_new, 5);
	imp_result_free(&ir);
	memset(&h, 0, sizeof(h));
	ST_EQ(odb_head_each(db, head_cb, &h, &err), DS_OK, &err);
	INT_EQ(h.n, 5);
	STR_EQ(h.keys, "HH000100;HH000101;HH000102;HH000103;HH000104;");
	{
		char *buf = NULL;
		size_t n = 0;

		ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_OK, &err);
		/* Applying twice is harmless. */
		ST_EQ(pack_apply_receipt(st, devid, &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_OK, &err);
		ds_free(buf);
	}
	INT_EQ(rc.contiguous, 5);
	INT_EQ(pending_count(), 0);

	/* Edit one household: only that revision travels. */
	save(2, "{\"hh_id\":\"HH000102\",\"income\":9999}");
	INT_EQ(pending_count(), 1);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, outdir, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_records, 1);
	INT_EQ(pr.seq_lo, 6);
	INT_EQ(pr.seq_hi, 6);
	ST_EQ(imp_file(db, office.sec, pr.path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	INT_EQ(ir.n_new, 1);
	INT_EQ(sf_db_count(office.db, "revision"), 6);
	INT_EQ(sf_db_count(office.db, "head"), 5);
	imp_result_free(&ir);
	/* The receipt is lost: the next export resends, import converges. */
	INT_EQ(pending_count(), 1);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, outdir, &pr, &err),
	    DS_OK, &err);
	ST_EQ(imp_file(db, office.sec, pr.path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	INT_EQ(ir.status, RS_DUPLICATE);
	INT_EQ(sf_db_count(office.db, "revision"), 6);
	{
		char *buf = NULL;
		size_t n = 0;

		ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_OK, &err);
		/* A receipt for another device is refused. */
		ST_EQ(pack_apply_receipt(st, recs[0], &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_EREJECT, &err);
		ds_free(buf);
	}
	imp_result_free(&ir);
	INT_EQ(pending_count(), 0);
}

/* Bundles cut by size chain by hash, carry the store's db id, and import
 * to the same office state as one bundle would. */
static void
test_split_bundles_chain(void)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct bundle_header hd;
	struct imp_result ir;
	struct ds_err err;
	unsigned char prev[32], uuid[16], *buf;
	char ans[128], path[700], rp[PATH_MAX];
	size_t n, total = 0;
	int i, why, k = 0;

	for (i = 0; i < 5; i++) {
		snprintf(ans, sizeof(ans), "{\"hh_id\":\"HH%06d\",\"income\":"
		    "%d}", 100 + i, 20000 + i);
		save(i, ans);
	}
	ST_EQ(store_db_uuid(st, uuid, &err), DS_OK, &err);
	ST_EQ(store_last_bundle_hash(st, prev, &err), DS_OK, &err);
	o.max_bytes = 80;		/* two revisions a bundle */
	do {
		snprintf(path, sizeof(path), "%s/split-%d.dsb", tmp, k++);
		ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr,
		    &err), DS_OK, &err);
		INT_EQ(pr.n_bundles, 1);
		OK(pr.n_records <= 2);
		total += pr.n_records;
		buf = NULL;
		ST_EQ(ds_file_read(path, BUNDLE_FILE_MAX, (char **)&buf, &n,
		    &err), DS_OK, &err);
		ST_EQ(bundle_parse_header(buf, n, &hd, &why, &err), DS_OK,
		    &err);
		OK(memcmp(hd.db_uuid, uuid, 16) == 0);
		OK(memcmp(hd.prev_hash, prev, 32) == 0);
		OK(memcmp(pr.hash, prev, 32) != 0);
		memcpy(prev, pr.hash, 32);
		ds_free(buf);
		ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err),
		    DS_OK, &err);
		INT_EQ(ir.status, RS_IMPORTED);
		imp_result_free(&ir);
		o.after_seq = pr.seq_hi;
	} while (pr.more && k < 10);
	INT_EQ(k, 3);
	INT_EQ(total, 5);
	INT_EQ(sf_db_count(office.db, "revision"), 11);
	/* A folder takes all of them at once. */
	for (i = 0; i < 3; i++)
		save(i, "{\"hh_id\":\"x\"}");
	o.after_seq = 0;
	snprintf(path, sizeof(path), "%s/usb2", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_bundles, 3);	/* 5 older unacknowledged + 3 new */
	INT_EQ(pr.n_records, 8);
	INT_EQ(pr.more, 0);
}

/* Build one bundle of what is pending (no file, not marked sent). */
static unsigned char *
build(size_t *n, struct pack_result *pr)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct ds_err err;
	unsigned char *b = NULL;

	ST_EQ(pack_build(st, devid, dkey, &office.pub, &o, &b, n, pr, &err),
	    DS_OK, &err);
	return b;
}

static void
import_buf(const unsigned char *b, size_t n, struct imp_result *ir)
{
	struct ds_err err;

	ST_EQ(imp_bundle(db, office.sec, b, n, ir, &err), DS_OK, &err);
}

static int
count_held(void *arg, const struct odb_held *h)
{
	(void)h;
	(*(int *)arg)++;
	return 0;
}

static int
held_now(void)
{
	struct ds_err err;
	int n = 0;

	ST_EQ(odb_held_each(db, NULL, count_held, &n, &err), DS_OK, &err);
	return n;
}

/* Each revision carries its own audit events only: three saves send
 * three "saved" events, not 1 + 2 + 3. */
static void
test_audit_per_revision(void)
{
	struct pack_result pr;
	struct bundle_header hd;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b;
	char want[64], txt[2048];
	size_t n, i, k;
	int64_t last;
	int why;

	ST_EQ(store_outbox_last_seq(st, &last, &err), DS_OK, &err);
	ST_EQ(store_outbox_mark_sent(st, 1, last, recs[4], NULL, &err), DS_OK,
	    &err);
	ST_EQ(store_outbox_ack(st, 1, last, &err), DS_OK, &err);
	store_id_new(recs[3]);
	save(3, "{\"hh_id\":\"AU\",\"v\":1}");
	save(3, "{\"hh_id\":\"AU\",\"v\":2}");
	save(3, "{\"hh_id\":\"AU\",\"v\":3}");
	b = build(&n, &pr);
	INT_EQ(pr.n_records, 3);
	ST_EQ(bundle_parse_header(b, n, &hd, &why, &err), DS_OK, &err);
	ST_EQ(bundle_open(b, n, &hd, office.sec, &pl, &why, &err), DS_OK,
	    &err);
	for (i = 0; pl != NULL && i < pl->nrevs; i++) {
		const struct bundle_rev *r = &pl->revs[i];
		const char *p = (const char *)r->audit.p;

		snprintf(want, sizeof(want), "\"event\":\"saved\",\"rev\":%u}",
		    r->rev_no);
		/* finalize=1 saves log "saved" and "finalized": both of
		 * this revision, nothing of the others. */
		for (k = 0; k + 6 < r->audit.n; k++)
			if (memcmp(p + k, "\"rev\":", 6) == 0)
				OK((unsigned)atoi(p + k + 6) == r->rev_no);
		snprintf(txt, sizeof(txt), "%.*s", (int)r->audit.n, p);
		OK(strstr(txt, want) != NULL);
	}
	bundle_payload_free(pl);
	ds_free(b);
}

/* More form versions than a header can name: the rest goes in the next
 * bundle instead of failing the export. */
static void
test_many_form_versions_split(void)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct store_save sv;
	struct store_rev out;
	struct ds_err err;
	char ver[32], path[700];
	unsigned char id[16];
	int64_t last;
	int i;

	ST_EQ(store_outbox_last_seq(st, &last, &err), DS_OK, &err);
	ST_EQ(store_outbox_mark_sent(st, 1, last, recs[4], NULL, &err), DS_OK,
	    &err);
	ST_EQ(store_outbox_ack(st, 1, last, &err), DS_OK, &err);
	for (i = 0; i < BUNDLE_FORMS_MAX + 2; i++) {
		store_id_new(id);
		snprintf(ver, sizeof(ver), "v%02d", i);
		memset(&sv, 0, sizeof(sv));
		sv.record_id = id;
		sv.form_id = "household";
		sv.form_version = ver;
		sv.answers = "{\"hh_id\":\"FV\"}";
		sv.answers_len = strlen(sv.answers);
		ST_EQ(store_save(st, &sv, &out, &err), DS_OK, &err);
	}
	snprintf(path, sizeof(path), "%s/forms-usb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_bundles, 2);
	INT_EQ(pr.n_records, BUNDLE_FORMS_MAX + 2);
	INT_EQ(pr.more, 0);
}

static int
first_held(void *arg, const struct odb_held *h)
{
	ds_hex_encode(h->rev_id, 16, arg);
	return 1;
}

static int
copy_file(const char *from, const char *to)
{
	struct ds_err err;
	char *b = NULL;
	size_t n = 0;
	int r;

	if (ds_file_read(from, 1u << 30, &b, &n, &err) != DS_OK)
		return -1;
	r = ds_file_write_atomic(to, b, n, 0600, &err) == DS_OK ? 0 : -1;
	ds_free(b);
	return r;
}

/* The office gets revision 2 before revision 1 (acknowledged by an office
 * that then lost it): 2 waits, never a head, and joins when 1 arrives. */
static void
test_child_waits_for_parent(void)
{
	struct pack_result pa, pb;
	struct imp_result ir;
	struct ds_err err;
	struct odb_held hd;
	unsigned char *a, *b;
	char hex[33];
	size_t na, nb;
	int64_t last;

	/* Start from an empty outbox (earlier tests left rows pending). */
	ST_EQ(store_outbox_last_seq(st, &last, &err), DS_OK, &err);
	ST_EQ(store_outbox_mark_sent(st, 1, last, recs[4], NULL, &err), DS_OK,
	    &err);
	ST_EQ(store_outbox_ack(st, 1, last, &err), DS_OK, &err);
	store_id_new(recs[0]);
	save(0, "{\"hh_id\":\"W1\",\"income\":1}");
	a = build(&na, &pa);
	ST_EQ(store_outbox_mark_sent(st, pa.seq_lo, pa.seq_hi, pa.bundle_id,
	    pa.hash, &err), DS_OK, &err);
	ST_EQ(store_outbox_ack(st, pa.seq_lo, pa.seq_hi, &err), DS_OK, &err);
	save(0, "{\"hh_id\":\"W1\",\"income\":2}");
	b = build(&nb, &pb);
	INT_EQ(pb.n_records, 1);
	import_buf(b, nb, &ir);
	INT_EQ(ir.status, RS_IMPORTED);
	INT_EQ(ir.n_new, 1);
	INT_EQ(ir.n_held, 1);
	imp_result_free(&ir);
	INT_EQ(held_now(), 1);
	OK(sf_db_count(office.db, "head WHERE household_key = 'W1'") == 0);
	import_buf(a, na, &ir);
	INT_EQ(ir.n_new, 1);
	INT_EQ(ir.n_held, 0);
	INT_EQ(ir.n_released, 1);
	imp_result_free(&ir);
	INT_EQ(held_now(), 0);
	INT_EQ(sf_db_count(office.db, "head WHERE household_key = 'W1' AND "
	    "rev_no = 2"), 1);
	INT_EQ(sf_db_count(office.db, "fork"), 0);
	ds_free(a);
	ds_free(b);

	/* Revision 1 never comes: a supervisor releases 2 by hand. */
	store_id_new(recs[1]);
	save(1, "{\"hh_id\":\"W2\",\"income\":1}");
	a = build(&na, &pa);
	ST_EQ(store_outbox_mark_sent(st, pa.seq_lo, pa.seq_hi, pa.bundle_id,
	    pa.hash, &err), DS_OK, &err);
	ST_EQ(store_outbox_ack(st, pa.seq_lo, pa.seq_hi, &err), DS_OK, &err);
	save(1, "{\"hh_id\":\"W2\",\"income\":2}");
	b = build(&nb, &pb);
	import_buf(b, nb, &ir);
	INT_EQ(ir.n_held, 1);
	imp_result_free(&ir);
	INT_EQ(held_now(), 1);
	ST_EQ(imp_release(db, "zz", &hd, &ir, &err), DS_EINVAL, &err);
	/* Facts for the command to word (ocmd_release), not words. */
	OK(strstr(err.msg, "4 hex digits") != NULL &&
	    strstr(err.msg, "请") == NULL);
	ST_EQ(imp_release(db, "00000000000000000000000000000000", &hd, &ir,
	    &err), DS_ENOENT, &err);
	OK(strstr(err.msg, "no waiting revision") != NULL &&
	    strstr(err.msg, "未") == NULL);
	ST_EQ(odb_held_each(db, NULL, first_held, hex, &err), DS_OK, &err);
	ST_EQ(imp_release(db, hex, &hd, &ir, &err), DS_OK, &err);
	INT_EQ(ir.n_released, 1);
	INT_EQ(held_now(), 0);
	INT_EQ(sf_db_count(office.db, "head WHERE household_key = 'W2' AND "
	    "rev_no = 2"), 1);
	ds_free(a);
	ds_free(b);
}

/*
 * The laptop is restored from a backup taken before its last sync: it
 * reuses sequence numbers the office already holds.  The office keeps
 * both revisions and raises an alert; the laptop notices the office's
 * higher numbers, moves past them, and does not let old ranges retire
 * saves the office never got.
 */
static void
test_restored_backup(void)
{
	struct pack_opts o = { "w1", NULL, 0, NULL, 0, 0 };
	struct pack_result pr;
	struct imp_result ir;
	struct store_outbox_counts c;
	struct ds_err err;
	unsigned char dek[32];
	char path[700], bak[700], rp[PATH_MAX];
	int64_t before;

	ST_EQ(store_outbox_last_seq(st, &before, &err), DS_OK, &err);
	/* Drain and acknowledge everything first. */
	snprintf(path, sizeof(path), "%s/rb0.dsb", tmp);
	if (pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err) ==
	    DS_OK) {
		ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err),
		    DS_OK, &err);
		ST_EQ(store_outbox_ack(st, 1, pr.seq_hi, &err), DS_OK, &err);
		imp_result_free(&ir);
	}
	memcpy(dek, stdek, 32);
	store_close(st);
	snprintf(path, sizeof(path), "%s/records.db", tmp);
	snprintf(bak, sizeof(bak), "%s/records.bak", tmp);
	INT_EQ(copy_file(path, bak), 0);
	ST_EQ(store_open(path, dek, devid, &st, &err), DS_OK, &err);
	/* After the backup: two saves reach the office. */
	save(2, "{\"hh_id\":\"R1\",\"income\":1}");
	save(3, "{\"hh_id\":\"R2\",\"income\":1}");
	snprintf(path, sizeof(path), "%s/rb1.dsb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	imp_result_free(&ir);
	/* Disk dies; the backup comes back; the worker saves two others. */
	store_close(st);
	snprintf(path, sizeof(path), "%s/records.db", tmp);
	unlink(path);
	INT_EQ(copy_file(bak, path), 0);
	ST_EQ(store_open(path, dek, devid, &st, &err), DS_OK, &err);
	save(4, "{\"hh_id\":\"R3\",\"income\":1}");	/* before + 1 */
	save(3, "{\"hh_id\":\"R2\",\"income\":5}");	/* before + 2 */
	/* The office's ack state covers both numbers (for other revisions):
	 * rows never sent must not be retired by it. */
	{
		static struct receipt rc;
		unsigned char *ab = NULL;
		size_t an = 0;

		ST_EQ(imp_ack_state(db, office.sec, devid, &ab, &an, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub, ab, an, &rc,
		    &err), DS_OK, &err);
		ds_free(ab);
		ST_EQ(store_outbox_count(st, &c, &err), DS_OK, &err);
		INT_EQ(c.revisions, 2);
	}
	/* Only the first goes in this bundle (a size cap). */
	o.max_bytes = 10;
	snprintf(path, sizeof(path), "%s/rb2.dsb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_records, 1);
	INT_EQ(pr.more, 1);
	ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	INT_EQ(ir.n_new, 1);
	imp_result_free(&ir);
	INT_EQ(sf_db_count(office.db, "alert WHERE kind = 'rollback'"), 1);
	/* The receipt says before+1..before+2 are held; the second row never
	 * went: it must stay pending. */
	{
		static struct receipt rc;
		char *buf = NULL;
		size_t n = 0;
		int64_t last;

		ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_OK, &err);
		ds_free(buf);
		ST_EQ(store_outbox_count(st, &c, &err), DS_OK, &err);
		INT_EQ(c.revisions, 1);
		INT_EQ(c.seq_lo, before + 2);
		/* New saves number past everything the office has seen. */
		save(4, "{\"hh_id\":\"R3\",\"income\":9}");
		ST_EQ(store_outbox_last_seq(st, &last, &err), DS_OK, &err);
		INT_EQ(last, before + 3);
	}
	/* The rest goes and converges. */
	o.max_bytes = 0;
	snprintf(path, sizeof(path), "%s/rb3.dsb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	INT_EQ(pr.n_records, 2);
	ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	INT_EQ(ir.n_new, 2);
	imp_result_free(&ir);
	{
		static struct receipt rc;
		char *buf = NULL;
		size_t n = 0;

		ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub,
		    (unsigned char *)buf, n, &rc, &err), DS_OK, &err);
		ds_free(buf);
	}
	ST_EQ(store_outbox_count(st, &c, &err), DS_OK, &err);
	INT_EQ(c.revisions, 0);
	/* Later, the ack state (which still says BR_ROLLBACK: the device
	 * has an alert) retires a new save whose receipt was lost; it does
	 * not raise the floor over it again. */
	save(4, "{\"hh_id\":\"R3\",\"income\":10}");
	snprintf(path, sizeof(path), "%s/rb4.dsb", tmp);
	ST_EQ(pack_export(st, devid, dkey, &office.pub, &o, path, &pr, &err),
	    DS_OK, &err);
	ST_EQ(imp_file(db, office.sec, path, NULL, &ir, rp, &err), DS_OK,
	    &err);
	imp_result_free(&ir);
	{
		static struct receipt rc;
		unsigned char *ab = NULL;
		size_t an = 0;

		ST_EQ(imp_ack_state(db, office.sec, devid, &ab, &an, &err),
		    DS_OK, &err);
		ST_EQ(pack_apply_receipt(st, devid, &office.pub, ab, an, &rc,
		    &err), DS_OK, &err);
		INT_EQ(rc.reason, BR_ROLLBACK);
		ds_free(ab);
	}
	ST_EQ(store_outbox_count(st, &c, &err), DS_OK, &err);
	INT_EQ(c.revisions, 0);
}

int
main(void)
{
	struct ds_err err;
	unsigned char dek[32];
	char d[600];

	ds_json_init();
	tmp = ts_tmpdir("pack");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	cry_random(dek, sizeof(dek));
	memcpy(stdek, dek, sizeof(dek));
	cry_random(devid, sizeof(devid));
	snprintf(d, sizeof(d), "%s/records.db", tmp);
	if (store_open(d, dek, devid, &st, &err) != DS_OK ||
	    cry_signkey_new(&dkey, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	RUN(test_export_import_ack_then_only_changes);
	RUN(test_split_bundles_chain);
	RUN(test_child_waits_for_parent);
	RUN(test_restored_backup);
	RUN(test_audit_per_revision);
	RUN(test_many_form_versions_split);
	store_close(st);
	cry_signkey_free(dkey);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
