/* doorstep: the office side of visit lists, on a real office.db. */
/*
 * An office with an enrolled device, the household form published, one
 * finalized visit imported from a real bundle, and households and a clue
 * seeded through the schema (the rows helper "case" fills from its
 * commands).  Entries are made, wait for the device's box key, go out in
 * office bundles that the device's box key opens, carry the marked
 * answers only, and follow the device's notes.  Refused notes change no
 * row.  The receiver serves notes and bundles.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "assign.h"
#include "cry_bundle.h"
#include "dnote.h"
#include "form.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"
#include "odb_assign.h"
#include "odb_int.h"
#include "rcv.h"
#include "util.h"
#include "xls.h"

#define HH1	"340102001001"	/* visited before, open clue */
#define HH2	"340102001002"	/* monitored */
#define HH3	"340102002003"	/* eliminated, another village */

static char top[512];
static struct sf_office O;
static struct sf_device D;
static struct cry_boxkey *BOX;
static struct odb *DB;

static const char prev_answers[] =
    "{\"_meta\":{\"consent\":{\"method\":\"signed\"},\"form\":\"household\","
    "\"state\":\"finalized\",\"version\":\"2026120701\"},"
    "\"consent\":\"yes\",\"hh_id\":\"" HH1 "\",\"hh_type\":\"ordinary\","
    "\"inc_wage\":\"36000\",\"member\":[{\"m_name\":\"张三\","
    "\"m_relation\":\"head\",\"m_sex\":\"male\",\"m_work_wage\":\"3000\"},"
    "{\"m_name\":\"李梅\",\"m_relation\":\"spouse\",\"m_sex\":\"female\"}],"
    "\"province\":\"34\",\"record_code\":\"260302-a1b2\",\"risk_1\":\"ill\","
    "\"village\":\"340102001\",\"visit_date\":\"2026-03-02\"}";

static void
die_sql(const char *what)
{
	fprintf(stderr, "seed %s: %s\n", what, dbx_errmsg(DB->db));
	abort();
}

/* An hh row with a sealed head name (the import hook may have made it). */
static void
seed_hh(const char *key, const char *village, const char *state,
    const char *head)
{
	unsigned char ct[256];
	struct dbx_stmt *st;

	odb_seal_row(DB, "hh.head_name", key, strlen(key), head, strlen(head),
	    ct);
	if (dbx_prepare(DB->db, "INSERT INTO hh(hh_key, township,"
	    " village, vgroup, head_name, in_register, grid_worker, state,"
	    " created_at, updated_at) VALUES (?1, '340102', ?2, ?2 || '01',"
	    " ?3, 1, 'gw1', ?4, 1, 1) ON CONFLICT(hh_key) DO UPDATE SET"
	    " township = excluded.township, village = excluded.village,"
	    " vgroup = excluded.vgroup, head_name = excluded.head_name,"
	    " in_register = 1, grid_worker = 'gw1', state = excluded.state", &st) != DBX_OK)
		die_sql("hh");
	dbx_bind_text(st, 1, key, -1);
	dbx_bind_text(st, 2, village, -1);
	dbx_bind_blob(st, 3, ct, (int)(strlen(head) + CRY_AEAD_OVERHEAD));
	dbx_bind_text(st, 4, state, -1);
	if (dbx_step(st) != DBX_DONE)
		die_sql("hh");
	dbx_finalize(st);
}

static void
seed_clue(void)
{
	static const char reason[] = "住院自付费用高";
	unsigned char id[16], ct[128];
	struct dbx_stmt *st;

	memset(id, 0xc1, 16);
	odb_seal_row(DB, "clue.reason", id, 16, reason, strlen(reason), ct);
	if (dbx_prepare(DB->db, "INSERT INTO clue(clue_id, channel,"
	    " source, hh_key, date, received_at, reason) VALUES (?1,"
	    " 'dept_warning', '医保局', '" HH1 "', '2026-11-28', 1, ?2)", &st) != DBX_OK)
		die_sql("clue");
	dbx_bind_blob(st, 1, id, 16);
	dbx_bind_blob(st, 2, ct, (int)(strlen(reason) +
	    CRY_AEAD_OVERHEAD));
	if (dbx_step(st) != DBX_DONE)
		die_sql("clue");
	dbx_finalize(st);
}

/* Read forms/household.md and its lists as `publish` does. */
static int
publish_household(struct assign_pub *res)
{
	struct assign_file files[64];
	struct form_diags d;
	struct form *f = NULL;
	char p[700], *bufs[64];
	size_t n = 0, i, len;
	enum ds_status st;

	snprintf(p, sizeof(p), "%s/forms/household.md", top);
	form_diags_init(&d);
	if (form_load_file(p, &f, &d) != DS_OK)
		abort();
	form_diags_reset(&d);
	if (ds_file_read(p, 1u << 24, &bufs[0], &len, NULL) != DS_OK)
		abort();
	files[n].name = "household.md";
	files[n].role = OB_ROLE_FORM;
	files[n].bytes = (unsigned char *)bufs[0];
	files[n++].len = len;
	for (i = 0; i < f->nlists && n < 64; i++) {
		size_t k;

		if (f->lists[i].file == NULL)
			continue;
		for (k = 1; k < n && strcmp(files[k].name, f->lists[i].file);
		    k++)
			;
		if (k < n)
			continue;
		snprintf(p, sizeof(p), "%s/forms/%s", top, f->lists[i].file);
		if (ds_file_read(p, 1u << 24, &bufs[n], &len, NULL) != DS_OK)
			abort();
		files[n].name = f->lists[i].file;
		files[n].role = OB_ROLE_LIST;
		files[n].bytes = (unsigned char *)bufs[n];
		files[n].len = len;
		n++;
	}
	if (odb_begin(DB, NULL) != DS_OK)
		abort();
	st = assign_publish(DB, O.sec, "household", f->version, "", files, n,
	    res, NULL);
	if (st == DS_OK)
		st = odb_commit(DB, NULL);
	else
		odb_rollback(DB);
	for (i = 0; i < n; i++)
		ds_free(bufs[i]);
	form_free(f);
	return st == DS_OK ? (int)n : -1;
}

static void
setup(void)
{
	struct sf_rev r;
	struct imp_result res;
	unsigned char *b;
	size_t n;

	sf_office_make(&O, ts_tmpdir("assign"));
	if (odb_open(O.db, O.sec, &DB, NULL) != DS_OK)
		abort();
	sf_device_make(&D, 1);
	if (cry_boxkey_new(&BOX, NULL) != DS_OK ||
	    sf_enroll(DB, D.device_id, D.key->pk, NULL) != DS_OK)
		abort();
	/* A finalized visit of HH1, imported from a real bundle. */
	sf_rev(&r, &D, 1, 1, NULL, prev_answers);
	snprintf(r.hh, sizeof(r.hh), "%s", HH1);
	r.r.household_key.p = (const unsigned char *)r.hh;
	r.r.household_key.n = strlen(r.hh);
	b = sf_bundle(&D, &O, &r, 1, 0, 0, &n);
	if (imp_bundle(DB, O.sec, b, n, &res, NULL) != DS_OK ||
	    res.status != 1)
		abort();
	imp_result_free(&res);
	ds_free(b);
	seed_hh(HH1, "340102001", "clue_open", "张三");
	seed_hh(HH2, "340102001", "monitored", "王二");
	seed_hh(HH3, "340102002", "eliminated", "赵六");
	seed_clue();
}

static struct assign_sel
sel_of(int by)
{
	struct assign_sel s;

	memset(&s, 0, sizeof(s));
	s.by = by;
	s.today = "2026-12-07";
	s.since = "2026-12-01";
	s.form_id = "household";
	s.worker = "王五";
	return s;
}

static enum ds_status
make(const struct assign_sel *s, struct assign_result *res)
{
	enum ds_status st;

	if ((st = odb_begin(DB, NULL)) != DS_OK)
		return st;
	if ((st = assign_make(DB, O.sec, D.device_id, s, res, NULL)) ==
	    DS_OK)
		return odb_commit(DB, NULL);
	odb_rollback(DB);
	return st;
}

static void
note_of(unsigned char out[DNOTE_LEN], uint64_t seq,
    const unsigned char hash[32])
{
	struct dnote n;

	memset(&n, 0, sizeof(n));
	memcpy(n.device_id, D.device_id, 16);
	memcpy(n.office_id, O.pub.office_id, 16);
	memcpy(n.sign_pk, D.key->pk, 32);
	memcpy(n.box_pk, BOX->pk, 32);
	n.applied_seq = seq;
	if (hash != NULL)
		memcpy(n.applied_hash, hash, 32);
	n.created_at = 1;
	if (dnote_build(&n, D.key, out, NULL) != DS_OK)
		abort();
}

static enum ds_status
send_note(const unsigned char *buf, size_t len, struct assign_note_res *r)
{
	enum ds_status st;

	if ((st = odb_begin(DB, NULL)) != DS_OK)
		return st;
	if ((st = assign_note(DB, O.sec, buf, len, r, NULL)) == DS_OK)
		return odb_commit(DB, NULL);
	odb_rollback(DB);
	return st;
}

/* Open office bundle seq of the device with its box key. */
static struct obundle_payload *
open_bundle(uint64_t seq, unsigned char hash[32])
{
	struct obundle_header h;
	struct obundle_payload *pl = NULL;
	unsigned char *b = NULL;
	size_t n;
	int why;

	if (odb_obundle_get(DB, D.device_id, seq, &b, &n, hash, NULL) != DS_OK)
		return NULL;
	if (obundle_parse_header(b, n, &h, &why, NULL) == DS_OK &&
	    obundle_check_for(&h, D.device_id, &O.pub, BOX->pk, &why, NULL) ==
	    DS_OK && obundle_verify(b, n, &h, O.pub.sign_pk, &why, NULL) ==
	    DS_OK)
		(void)obundle_open(b, n, &h, BOX, &pl, &why, NULL);
	ds_free(b);
	return pl;
}

static json_t *
entry_json(const struct obundle_payload *pl, const char *hh)
{
	json_t *j;
	size_t i;

	for (i = 0; i < pl->n; i++) {
		if (pl->items[i].kind != OBI_ENTRY)
			continue;
		if (ds_json_parse((const char *)pl->items[i].data.p,
		    pl->items[i].data.n, 1u << 20, "e", &j, NULL) != DS_OK)
			continue;
		if (strcmp(json_string_value(json_object_get(j, "hh_key")),
		    hh) == 0)
			return j;
		json_decref(j);
	}
	return NULL;
}

static struct assign_pub PUB;
static int NFILES;
static unsigned char H1[32];

static void
test_publish_and_assign_wait_for_box_key(void)
{
	struct assign_sel s;
	struct assign_result r;

	NFILES = publish_household(&PUB);
	OK(NFILES > 5);	/* the form and its CSV lists */
	INT_EQ(PUB.devices, 1);
	INT_EQ(PUB.waiting, 1);
	INT_EQ(PUB.bundles, 0);
	/* Same files again: fine, nothing new. */
	{
		struct assign_pub again;

		OK(publish_household(&again) == NFILES);
		INT_EQ(again.same, 1);
		INT_EQ(again.devices, 0);
	}
	s = sel_of(ASSIGN_CLUES);
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 1);
	INT_EQ(r.waiting, 1);
	INT_EQ(r.bundles, 0);
	STR_EQ(r.form_ver, "2026120706");
	/* Twice: the open entry is left alone. */
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 0);
	INT_EQ(r.already, 1);
	s = sel_of(ASSIGN_FOLLOWUP);
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 1);
	s = sel_of(ASSIGN_LOOKBACK);
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 1);
	/* By hand: one known, one unknown key. */
	{
		static const char *const keys[] = { HH2, "999999999999" };

		s = sel_of(ASSIGN_KEYS);
		s.keys = keys;
		s.nkeys = 2;
		s.reason = "annual";
		ST_EQ(make(&s, &r), DS_OK, NULL);
		INT_EQ(r.made, 1);
		INT_EQ(r.unknown, 1);
		STR_EQ(r.first_unknown, "999999999999");
	}
	/* By place: village 340102002 has one household. */
	s = sel_of(ASSIGN_PLACE);
	s.village = "340102002";
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 1);
	INT_EQ(sf_db_count(O.db, "entry WHERE state = 'queued'"), 5);
	INT_EQ(sf_db_count(O.db, "obundle"), 0);
	/* A form never published. */
	s = sel_of(ASSIGN_CLUES);
	s.form_id = "nosuch";
	ST_EQ(make(&s, &r), DS_ENOENT, NULL);
}

static void
test_first_note_seals_bundle(void)
{
	struct assign_note_res nr;
	struct obundle_payload *pl;
	unsigned char note[DNOTE_LEN];
	json_t *e, *prev, *m0;

	note_of(note, 0, NULL);
	ST_EQ(send_note(note, sizeof(note), &nr), DS_OK, NULL);
	INT_EQ(nr.first_box, 1);
	INT_EQ(nr.bundles, 1);
	INT_EQ(nr.waiting, 1);
	INT_EQ(sf_db_count(O.db, "entry WHERE state = 'sent'"), 5);
	pl = open_bundle(1, H1);
	OK(pl != NULL);
	if (pl == NULL)
		return;
	INT_EQ(pl->n_files, NFILES);
	INT_EQ(pl->n_entries, 5);
	OK(pl->items[0].kind == OBI_FILE && pl->items[0].role ==
	    OB_ROLE_FORM);
	/* HH1: its clue, consent on file, carried answers only. */
	e = entry_json(pl, HH1);
	OK(e != NULL);
	if (e != NULL) {
		STR_EQ(json_string_value(json_object_get(e, "reason")), "clue");
		STR_EQ(json_string_value(json_object_get(e, "due")),
		    "2026-12-14");
		STR_EQ(json_string_value(json_object_get(e, "head_name")),
		    "张三");
		STR_EQ(json_string_value(json_object_get(json_object_get(e,
		    "clue"), "reason")), "住院自付费用高");
		STR_EQ(json_string_value(json_object_get(json_object_get(e,
		    "consent"), "record_code")), "260302-a1b2");
		STR_EQ(json_string_value(json_object_get(json_object_get(e,
		    "consent"), "method")), "signed");
		prev = json_object_get(e, "prev");
		STR_EQ(json_string_value(json_object_get(prev, "hh_id")), HH1);
		STR_EQ(json_string_value(json_object_get(prev, "village")),
		    "340102001");
		OK(json_object_get(prev, "inc_wage") == NULL);
		OK(json_object_get(prev, "risk_1") == NULL);
		OK(json_object_get(prev, "consent") == NULL);
		m0 = json_array_get(json_object_get(prev, "member"), 0);
		STR_EQ(json_string_value(json_object_get(m0, "m_name")),
		    "张三");
		OK(json_object_get(m0, "m_work_wage") == NULL);
		INT_EQ(json_array_size(json_object_get(prev, "member")), 2);
		json_decref(e);
	}
	/* HH2 was never visited: no previous answers, no consent. */
	e = entry_json(pl, HH2);
	OK(e != NULL && json_is_null(json_object_get(e, "prev")) &&
	    json_is_null(json_object_get(e, "consent")));
	if (e != NULL)
		json_decref(e);
	obundle_payload_free(pl);
}

static void
test_notes(void)
{
	struct assign_note_res nr;
	unsigned char note[DNOTE_LEN], bad[32], before[32], after[32];
	struct dnote n;
	struct cry_signkey *k2 = NULL;

	/* Applied bundle 1: its entries are applied. */
	note_of(note, 1, H1);
	ST_EQ(send_note(note, sizeof(note), &nr), DS_OK, NULL);
	INT_EQ(sf_db_count(O.db, "entry WHERE state = 'applied'"), 5);
	INT_EQ(sf_db_count(O.db, "obundle WHERE applied_at IS NOT NULL"), 1);
	/* Refusals change no row. */
	odb_close(DB);
	sf_db_digest(O.db, NULL, before);
	if (odb_open(O.db, O.sec, &DB, NULL) != DS_OK)
		abort();
	memset(bad, 0x77, 32);
	note_of(note, 1, bad);		/* a hash the office never made */
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_BUNDLE);
	note_of(note, 2, bad);		/* a bundle never made */
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_BUNDLE);
	/* A correct note signed by another key (it carries that key). */
	ST_EQ(cry_signkey_new(&k2, NULL), DS_OK, NULL);
	memset(&n, 0, sizeof(n));
	memcpy(n.device_id, D.device_id, 16);
	memcpy(n.office_id, O.pub.office_id, 16);
	memcpy(n.sign_pk, k2->pk, 32);
	memcpy(n.box_pk, BOX->pk, 32);
	ST_EQ(dnote_build(&n, k2, note, NULL), DS_OK, NULL);
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_KEY);
	/* The device's own key in the note, signed by another key. */
	memcpy(n.sign_pk, D.key->pk, 32);
	ST_EQ(dnote_build(&n, D.key, note, NULL), DS_OK, NULL);
	{
		unsigned char hh[CRY_HASH_BYTES];

		cry_hash(hh, sizeof(hh), NULL, 0, note, DNOTE_SIGNED_LEN);
		cryb_sign(k2, DNOTE_SIGN_DOMAIN, hh, note + DNOTE_SIGNED_LEN);
	}
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_PARSE);
	/* Another office; an unknown device; a flipped byte. */
	memcpy(n.sign_pk, D.key->pk, 32);
	n.office_id[0] ^= 1;
	ST_EQ(dnote_build(&n, D.key, note, NULL), DS_OK, NULL);
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_OFFICE);
	n.office_id[0] ^= 1;
	n.device_id[0] ^= 1;
	ST_EQ(dnote_build(&n, D.key, note, NULL), DS_OK, NULL);
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_DEVICE);
	note_of(note, 1, H1);
	note[100] ^= 1;
	ST_EQ(send_note(note, sizeof(note), &nr), DS_EREJECT, NULL);
	INT_EQ(nr.why, AN_PARSE);
	cry_signkey_free(k2);
	odb_close(DB);
	sf_db_digest(O.db, NULL, after);
	OK(memcmp(before, after, 32) == 0);
	if (odb_open(O.db, O.sec, &DB, NULL) != DS_OK)
		abort();
}

static void
test_withdraw(void)
{
	struct odb_entry e;
	struct obundle_payload *pl;
	struct assign_sel s;
	struct assign_result r;
	unsigned char h2[32];
	char hex[33];
	size_t bundles;
	int sent;

	/* An applied entry: a withdrawal goes in bundle 2. */
	ST_EQ(odb_begin(DB, NULL), DS_OK, NULL);
	{
		struct ds_err err;
		struct dbx_stmt *st;

		if (dbx_prepare(DB->db, "SELECT hex(entry_id) FROM entry"
		    " WHERE hh_key = '" HH3 "' AND reason = 'lookback'", &st) != DBX_OK || dbx_step(st) != DBX_ROW)
			abort();
		snprintf(hex, sizeof(hex), "%s", dbx_column_text(st, 0));
		dbx_finalize(st);
		ST_EQ(assign_withdraw(DB, O.sec, hex, &e, &sent, &bundles,
		    &err), DS_OK, &err);
	}
	ST_EQ(odb_commit(DB, NULL), DS_OK, NULL);
	INT_EQ(sent, 1);
	INT_EQ(bundles, 1);
	pl = open_bundle(2, h2);
	OK(pl != NULL && pl->n == 1 && pl->items[0].kind == OBI_WITHDRAW &&
	    memcmp(pl->items[0].entry_id, e.entry_id, 16) == 0);
	obundle_payload_free(pl);
	/* Again: already withdrawn. */
	ST_EQ(odb_begin(DB, NULL), DS_OK, NULL);
	ST_EQ(assign_withdraw(DB, O.sec, hex, &e, &sent, &bundles, NULL),
	    DS_ESTATE, NULL);
	odb_rollback(DB);
	/* A new entry for it now: the old one is closed. */
	s = sel_of(ASSIGN_LOOKBACK);
	ST_EQ(make(&s, &r), DS_OK, NULL);
	INT_EQ(r.made, 1);
	INT_EQ(r.bundles, 1);
}

static void
test_receiver_and_inbox(void)
{
	struct rcv_ctx c;
	struct rcv_reply rp;
	unsigned char *b = NULL, note[DNOTE_LEN];
	char url[128], hex[33], p[700];
	size_t n, files = 0;

	memset(&c, 0, sizeof(c));
	c.db = DB;
	c.sec = O.sec;
	c.max_body = 1u << 20;
	ds_hex_encode(D.device_id, 16, hex);
	snprintf(url, sizeof(url), "/v1/devices/%s/lists/1", hex);
	rcv_handle(&c, "GET", url, NULL, 0, &rp);
	INT_EQ(rp.status, 200);
	OK(odb_obundle_get(DB, D.device_id, 1, &b, &n, NULL, NULL) == DS_OK &&
	    rp.len == n && memcmp(rp.body, b, n) == 0);
	ds_free(rp.body);
	ds_free(b);
	snprintf(url, sizeof(url), "/v1/devices/%s/lists/99", hex);
	rcv_handle(&c, "GET", url, NULL, 0, &rp);
	INT_EQ(rp.status, 404);
	ds_free(rp.body);
	snprintf(url, sizeof(url), "/v1/devices/%032d/lists/1", 7);
	rcv_handle(&c, "GET", url, NULL, 0, &rp);
	INT_EQ(rp.status, 404);
	ds_free(rp.body);
	/* A note over HTTP: bundles 2 and 3 are still to apply. */
	note_of(note, 1, H1);
	snprintf(url, sizeof(url), "/v1/devices/%s/note", hex);
	rcv_handle(&c, "POST", url, note, sizeof(note), &rp);
	INT_EQ(rp.status, 200);
	OK(rp.body != NULL && strncmp((char *)rp.body, "ok 2", 4) == 0);
	ds_free(rp.body);
	note[3] ^= 1;
	rcv_handle(&c, "POST", url, note, sizeof(note), &rp);
	INT_EQ(rp.status, 400);
	ds_free(rp.body);
	rcv_handle(&c, "GET", url, NULL, 0, &rp);
	INT_EQ(rp.status, 405);
	ds_free(rp.body);
	/* The stick gets bundles 2 and 3. */
	snprintf(p, sizeof(p), "%s", ts_tmpdir("stick"));
	ST_EQ(assign_inbox(DB, D.device_id, p, &files, NULL), DS_OK, NULL);
	INT_EQ(files, 2);
	ST_EQ(assign_inbox(DB, D.device_id, p, &files, NULL), DS_OK, NULL);
	INT_EQ(files, 0);	/* already there */
}

int
main(void)
{
	const char *t = getenv("DS_TOP");

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1796601600", 1);	/* 2026-12-07 */
	snprintf(top, sizeof(top), "%s", t != NULL ? t : ".");
	setup();
	RUN(test_publish_and_assign_wait_for_box_key);
	RUN(test_first_note_seals_bundle);
	RUN(test_notes);
	RUN(test_withdraw);
	RUN(test_receiver_and_inbox);
	odb_close(DB);
	cry_boxkey_free(BOX);
	sf_device_free(&D);
	sf_office_free(&O);
	return harness_done();
}
