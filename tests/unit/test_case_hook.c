/* doorstep: a real import drives the case (register, clues, the hook). */
/*
 * A real office.db, real bundles through imp_bundle: the register and a
 * department list are imported as the commands do, then laptop visits
 * arrive.  Checked against docs/case.md "Import": the visit row, members'
 * ID numbers matching an unmatched clue, clues closed by a consented
 * finalized visit only, the list entry named by _meta.entry done (a
 * refused visit from a list keyed by _meta.hh_key: entry done, clue
 * open), identification started with the channel of the first clue,
 * measures from the grid, and nothing twice when a bundle or a file comes
 * again.  Last, no name or ID number of the register or the clue list is
 * anywhere in the office directory, WAL included.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "case.h"
#include "case_db.h"
#include "case_file.h"
#include "dbx_int.h"	/* the SQLite handle under office.db */
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "odb_assign.h"
#include "odb_case.h"
#include "odb_int.h"	/* the connection */
#include "receipt.h"
#include "util.h"

#define HEAD	"登记户主甲"
#define HEAD_ID	"341802197903150315"
#define WIFE_ID	"341802198106200222"
#define OTHER	"预警人员乙"
#define OTHER_ID "341802196005053332"
#define K1	"3418021012010007"
#define K2	"3418021012020001"
#define K3	"3418021012030004"
#define NEW_ID	"341802198501010015"

static struct sf_office office;
static struct odb *db;
static struct sf_device dev;

static void
exec_sql(const char *q)
{
	sqlite3 *s;

	if (sqlite3_open(office.db, &s) != SQLITE_OK ||
	    sqlite3_exec(s, q, NULL, NULL, NULL) != SQLITE_OK)
		HARNESS_FAIL("sql: %s: %s", q, sqlite3_errmsg(s));
	sqlite3_close(s);
}

static long
q1(const char *q)
{
	return sf_db_count(office.db, q);
}

static struct case_table *
table(const char *csv, const struct case_field *f, size_t nf)
{
	struct case_table *t = NULL;
	struct case_file_why why;
	struct ds_err err;

	ST_EQ(case_file_parse(csv, strlen(csv), 0, f, nf, &t, &why, &err),
	    DS_OK, &err);
	return t;
}

static void
import_revs(struct sf_rev *r, size_t n, int want_new)
{
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t len;

	b = sf_bundle(&dev, &office, r, n, 0, 0, &len);
	ST_EQ(imp_bundle(db, office.sec, b, len, &res, &err), DS_OK, &err);
	INT_EQ(res.n_new, want_new);
	imp_result_free(&res);
	ds_free(b);
}

static void
test_register_and_department_list(void)
{
	static const char reg[] = "户编号,村代码,村民小组代码,户主姓名,户主身份证号,"
	    "家庭人口数\n" K1 ",341802101201,34180210120101," HEAD "," HEAD_ID
	    ",6\n" K2 ",341802101202,,某户主,,2\n";
	static const char clues[] = "身份证号,姓名,预警原因,金额,预警日期\n"
	    HEAD_ID "," HEAD ",大病住院,35000,2024-09-01\n"
	    WIFE_ID ",," "医疗费用,12000,2024-09-02\n"
	    OTHER_ID "," OTHER ",不明,1,2024-09-03\n";
	struct case_reg_result rr;
	struct case_clue_result cr;
	struct case_row_why why;
	struct case_table *t;
	struct ds_err err;
	struct odb_hh h;
	int64_t first;

	t = table(reg, case_register_fields, CASE_REGISTER_NFIELDS);
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_register_import(db, t, &rr, &why, &err), DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	INT_EQ(rr.added, 2);
	/* Again: nothing changes. */
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_register_import(db, t, &rr, &why, &err), DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	INT_EQ(rr.same, 2);
	INT_EQ(rr.added, 0);
	case_table_free(t);
	ST_EQ(odb_hh_get(db, K1, &h, &err), DS_OK, &err);
	STR_EQ(h.township, "341802101");	/* from the village code */
	INT_EQ(h.members, 6);
	STR_EQ(h.state, "registered");

	t = table(clues, case_clue_fields, CASE_CLUE_NFIELDS);
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_clue_import(db, t, "医保局", &cr, &first, &why, &err),
	    DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	INT_EQ(cr.added, 3);
	INT_EQ(cr.matched, 1);
	INT_EQ(cr.unmatched, 2);
	/* The same file again is refused before anything is written. */
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_clue_import(db, t, "医保局", &cr, &first, &why, &err),
	    DS_EEXIST, &err);
	odb_rollback(db);
	case_table_free(t);
	ST_EQ(odb_hh_get(db, K1, &h, &err), DS_OK, &err);
	STR_EQ(h.state, "clue_open");
	INT_EQ(q1("clue WHERE hh_key IS NULL"), 2);
}

/* The answers of one visit. */
static void
visit(char *out, size_t n, const char *key_field, const char *date,
    const char *consent, const char *state, const char *meta_extra,
    const char *category)
{
	snprintf(out, n, "{%s\"visit_date\":\"%s\",\"visit_type\":"
	    "\"verification\",\"consent\":\"%s\",\"channel\":\"cadre_screening\","
	    "\"township\":\"341802101\",\"village\":\"341802101201\","
	    "\"head_name\":\"" HEAD "\",\"n_members\":\"2\","
	    "\"member\":[{\"m_name\":\"" HEAD "\",\"m_id_number\":\"" HEAD_ID
	    "\"},{\"m_name\":\"妻\",\"m_id_number\":\"" WIFE_ID "\"}],"
	    "\"category\":\"%s\",\"has_health\":\"yes\",\"has_job\":\"no\","
	    "\"el_done\":\"no\",\"_meta\":{\"state\":\"%s\"%s}}", key_field,
	    date, consent, category, state, meta_extra);
}

static void
test_visits_close_clues_and_start_identification(void)
{
	struct sf_rev r[3];
	struct odb_hh h;
	struct case_status st;
	struct ds_err err;
	char a[2048];

	/* A draft first: a visit row, no clue closed. */
	visit(a, sizeof(a), "\"hh_id\":\"" K1 "\",", "2024-09-10", "yes",
	    "draft", "", "marginal");
	sf_rev(&r[0], &dev, 1, 1, NULL, a);
	import_revs(r, 1, 1);
	INT_EQ(q1("visit"), 1);
	INT_EQ(q1("clue WHERE state = 'open'"), 3);
	/* The wife's ID number came with the roster: her clue is matched. */
	INT_EQ(q1("clue WHERE hh_key IS NULL"), 1);
	/* Finalized: both clues of the household close, identification
	 * starts with the department warning as its channel. */
	visit(a, sizeof(a), "\"hh_id\":\"" K1 "\",", "2024-09-10", "yes",
	    "finalized", "", "marginal");
	sf_rev(&r[1], &dev, 1, 2, r[0].r.rev_id, a);
	import_revs(&r[1], 1, 1);
	INT_EQ(q1("clue WHERE hh_key = '" K1 "' AND state = 'open'"), 0);
	INT_EQ(q1("case_event WHERE step = 'start' AND track = 'ident' AND"
	    " channel = 'dept_warning'"), 1);
	INT_EQ(q1("measure WHERE type = 'health' AND source = 'visit'"), 1);
	ST_EQ(odb_hh_get(db, K1, &h, &err), DS_OK, &err);
	STR_EQ(h.state, "ident");
	STR_EQ(h.track_step, "assess");
	STR_EQ(h.track_since, "2024-09-10");
	ST_EQ(case_status_get(db, K1, 0, &st, &err), DS_OK, &err);
	INT_EQ(st.channel, CASE_CH_DEPT);
	/* The same bundle again: the importer stores nothing new, so the
	 * case gains nothing either. */
	import_revs(&r[1], 1, 0);
	INT_EQ(q1("case_event"), 2);
	INT_EQ(q1("measure"), 1);
}

static void
test_list_visit_refused_keeps_the_clue(void)
{
	struct sf_rev r;
	unsigned char entry[16], clue[16];
	char a[2048], meta[256], q[512], eh[33], ch[33];

	/* An entry of the visit-list tables, as `assign` would make it. */
	memset(entry, 0x77, sizeof(entry));
	memset(clue, 0, sizeof(clue));
	ds_hex_encode(entry, 16, eh);
	snprintf(q, sizeof(q), "UPDATE clue SET hh_key = '" K2 "' WHERE"
	    " hh_key IS NULL");
	exec_sql(q);
	snprintf(q, sizeof(q), "SELECT 1 FROM clue WHERE hh_key = '" K2 "'");
	INT_EQ(q1("clue WHERE hh_key = '" K2 "' AND state = 'open'"), 1);
	{
		sqlite3 *s;
		sqlite3_stmt *st;

		OK(sqlite3_open(office.db, &s) == SQLITE_OK);
		OK(sqlite3_prepare_v2(s, "SELECT clue_id FROM clue WHERE"
		    " hh_key = '" K2 "'", -1, &st, NULL) == SQLITE_OK);
		OK(sqlite3_step(st) == SQLITE_ROW);
		memcpy(clue, sqlite3_column_blob(st, 0), 16);
		sqlite3_finalize(st);
		sqlite3_close(s);
	}
	ds_hex_encode(clue, 16, ch);
	snprintf(q, sizeof(q), "INSERT INTO entry(entry_id, hh_key, device_id,"
	    " reason, due, clue_id, form_id, form_ver, body, state, created_at)"
	    " VALUES (x'%s', '" K2 "', zeroblob(16), 'clue', '2024-10-01',"
	    " x'%s', 'household', '1', x'00', 'sent', 1)", eh, ch);
	exec_sql(q);
	/* Refused at the door: no hh_id answer, the key from _meta. */
	snprintf(meta, sizeof(meta), ",\"hh_key\":\"" K2 "\",\"entry\":\"%s\"",
	    eh);
	visit(a, sizeof(a), "", "2024-09-20", "no", "finalized", meta, "none");
	sf_rev(&r, &dev, 2, 1, NULL, a);
	import_revs(&r, 1, 1);
	INT_EQ(q1("entry WHERE state = 'done' AND done_rev IS NOT NULL"), 1);
	INT_EQ(q1("clue WHERE hh_key = '" K2 "' AND state = 'open'"), 1);
	INT_EQ(q1("visit WHERE hh_key = '" K2 "' AND outcome = 'refused'"),
	    1);
	/* No person index from a refused visit. */
	INT_EQ(q1("person WHERE hh_key = '" K2 "'"), 0);
}

/*
 * A later department list is matched in one read of person (schema 7
 * clusters it by household): the head, indexed by the register and by a
 * visit of one household, matches it, twice for two rows; the wife, in
 * K1 by a visit and head of K3 by the register, is ambiguous; a new ID
 * number matches none.
 */
static void
test_clue_file_matched_in_one_read(void)
{
	static const char reg[] = "户编号,村代码,村民小组代码,户主姓名,户主身份证号,"
	    "家庭人口数\n" K3 ",341802101203,,另一户主," WIFE_ID ",3\n";
	static const char clues[] = "身份证号,姓名,预警原因,金额,预警日期\n"
	    HEAD_ID "," HEAD ",失业,0,2024-10-01\n"
	    HEAD_ID "," HEAD ",大病住院,800,2024-10-02\n"
	    WIFE_ID ",,医疗费用,100,2024-10-03\n"
	    NEW_ID ",,不明,1,2024-10-04\n";
	struct case_reg_result rr;
	struct case_clue_result cr;
	struct case_row_why why;
	struct case_table *t;
	struct ds_err err;
	int64_t first;

	INT_EQ(q1("person WHERE hh_key = '" K1 "' AND src = 'visit'"), 2);
	INT_EQ(q1("person WHERE hh_key = '" K1 "' AND src = 'register'"), 1);
	t = table(reg, case_register_fields, CASE_REGISTER_NFIELDS);
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_register_import(db, t, &rr, &why, &err), DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	INT_EQ(rr.added, 1);
	case_table_free(t);
	t = table(clues, case_clue_fields, CASE_CLUE_NFIELDS);
	ST_EQ(odb_begin(db, &err), DS_OK, &err);
	ST_EQ(case_clue_import(db, t, "民政局", &cr, &first, &why, &err),
	    DS_OK, &err);
	ST_EQ(odb_commit(db, &err), DS_OK, &err);
	case_table_free(t);
	INT_EQ(cr.added, 4);
	INT_EQ(cr.matched, 2);
	INT_EQ(cr.ambiguous, 1);
	INT_EQ(cr.unmatched, 1);
	INT_EQ(q1("clue WHERE source = '民政局' AND hh_key = '" K1 "'"), 2);
	INT_EQ(q1("clue WHERE source = '民政局' AND hh_key IS NULL AND"
	    " ambiguous = 1"), 1);
	INT_EQ(q1("clue WHERE source = '民政局' AND hh_key IS NULL AND"
	    " ambiguous = 0"), 1);
}

#define H1	"3418021012040001"	/* in the register */
#define H2	"3418021012040002"
#define H3	"3418021012040003"
#define H4	"3418021012040004"
#define V4	"341802101204"		/* village codes */
#define V5	"341802101205"
#define V6	"341802101206"
#define V9	"341802101209"

/* A visit of household key with the facts the household row takes. */
static void
visit_of(struct sf_rev *r, int rec, const char *key, const char *date,
    const char *state, const char *consent, const char *village,
    const char *members, const char *head, const char *id, const char *id2,
    const char *category)
{
	char a[2048];

	snprintf(a, sizeof(a), "{\"hh_id\":\"%s\",\"visit_date\":\"%s\","
	    "\"consent\":\"%s\",\"township\":\"341802101\","
	    "\"village\":\"%s\",\"head_name\":\"%s\",\"n_members\":\"%s\","
	    "\"member\":[{\"m_name\":\"%s\",\"m_id_number\":\"%s\"},"
	    "{\"m_name\":\"子\",\"m_id_number\":\"%s\"}],"
	    "\"category\":\"%s\",\"has_health\":\"yes\",\"has_job\":\"no\","
	    "\"per_capita\":\"%s\",\"el_done\":\"no\",\"_meta\":{\"state\":"
	    "\"%s\"}}", key, date, consent, village, head, members, head, id,
	    id2, category, rec % 2 ? "4000" : "12000", state);
	sf_rev(r, &dev, rec, 1, NULL, a);
}

static void
import_into(struct odb *o, const struct sf_office *of, struct sf_rev *r,
    size_t n)
{
	struct imp_result res;
	struct ds_err err;
	unsigned char *b;
	size_t len;

	b = sf_bundle(&dev, of, r, n, 0, 0, &len);
	ST_EQ(imp_bundle(o, of->sec, b, len, &res, &err), DS_OK, &err);
	INT_EQ(res.n_new, n);
	imp_result_free(&res);
	ds_free(b);
}

/*
 * The case register is the same whether a laptop's revisions come one
 * bundle each or all in one (case_batch_end writes each household's row
 * once, from every revision of the bundle): two copies of one office,
 * the same revisions, every case table compared.  In the one bundle: a
 * household visited again with an earlier date (the later visit's facts
 * stay), one whose second visit is the latest, a registered household
 * (its register's area and head stay, its members follow the visit), a
 * draft, a refused visit, ID numbers clues wait for, and a member's
 * number that is the head's in the household's other visit.
 */
static void
test_bundle_at_a_time_same_as_one_by_one(void)
{
	static const char reg[] = "户编号,村代码,村民小组代码,户主姓名,"
	    "户主身份证号,家庭人口数\n" H1 "," V4 ",,登记户主丙,,4\n";
	static const char clues[] = "身份证号,姓名,预警原因,金额,预警日期\n"
	    "341802199506060067,,失业,0,2024-08-01\n"
	    "341802199001010013,,失业,0,2024-08-01\n"
	    "341802199405050054,,失业,0,2024-08-01\n"
	    "341802199102020026,,失业,0,2024-08-01\n"
	    "341802199304040041,,失业,0,2024-08-01\n"
	    "341802199203030039,,失业,0,2024-08-01\n";
	struct sf_office one, each;
	struct case_reg_result rr;
	struct case_clue_result cr;
	struct case_row_why why;
	struct case_table *t;
	struct sf_rev r[8];
	struct odb *a, *b;
	struct ds_err err;
	unsigned char da[32], db_[32];
	char cmd[1500];
	int64_t first;
	size_t i;

	setenv("DOORSTEP_FAKE_NOW", "1733000000", 1);
	snprintf(cmd, sizeof(cmd), "%s/batch-one", office.dir);
	sf_office_make(&one, cmd);
	ST_EQ(odb_open(one.db, one.sec, &a, &err), DS_OK, &err);
	ST_EQ(sf_enroll(a, dev.device_id, dev.key->pk, &err), DS_OK, &err);
	t = table(reg, case_register_fields, CASE_REGISTER_NFIELDS);
	ST_EQ(odb_begin(a, &err), DS_OK, &err);
	ST_EQ(case_register_import(a, t, &rr, &why, &err), DS_OK, &err);
	case_table_free(t);
	t = table(clues, case_clue_fields, CASE_CLUE_NFIELDS);
	ST_EQ(case_clue_import(a, t, "人社局", &cr, &first, &why, &err),
	    DS_OK, &err);
	ST_EQ(odb_commit(a, &err), DS_OK, &err);
	case_table_free(t);
	INT_EQ(cr.unmatched, 6);
	odb_close(a);
	/* The same office, keys and all, twice. */
	each = one;
	snprintf(each.dir, sizeof(each.dir), "%s/batch-each", office.dir);
	snprintf(each.db, sizeof(each.db), "%s/office.db", each.dir);
	snprintf(cmd, sizeof(cmd), "cp -a '%s' '%s'", one.dir, each.dir);
	OK(system(cmd) == 0);
	ST_EQ(odb_open(one.db, one.sec, &a, &err), DS_OK, &err);
	ST_EQ(odb_open(each.db, one.sec, &b, &err), DS_OK, &err);

	visit_of(&r[0], 40, H2, "2024-09-20", "finalized", "yes", V4, "3",
	    "户主丁", "341802198002020024", "341802199506060067", "none");
	visit_of(&r[1], 41, H2, "2024-09-10", "finalized", "yes", V5, "5",
	    "户主戊", "34180219800303003X", "341802198002020024", "marginal");
	visit_of(&r[2], 42, H3, "2024-09-05", "finalized", "yes", V4, "2",
	    "户主己", "341802199001010013", "341802199304040041", "sudden");
	visit_of(&r[3], 43, H3, "2024-09-25", "finalized", "yes", V6, "6",
	    "户主庚", "341802198505050057", "", "none");
	visit_of(&r[4], 44, H1, "2024-09-12", "finalized", "yes", V9, "7",
	    "户主辛", "34180219860606006X", "341802199102020026", "marginal");
	visit_of(&r[5], 45, H4, "2024-09-12", "draft", "yes", V4, "2",
	    "户主壬", "341802198707070072", "", "none");
	visit_of(&r[6], 46, H4, "2024-09-01", "finalized", "no", V4, "9",
	    "户主癸", "341802198808080085", "341802199203030039", "none");
	visit_of(&r[7], 47, H1, "2024-09-30", "draft", "yes", V4, "8",
	    "户主子", "341802198909090098", "", "none");
	import_into(a, &one, r, 8);
	for (i = 0; i < 8; i++)
		import_into(b, &each, &r[i], 1);
	odb_close(a);
	odb_close(b);
	/* The ledger, receipts, acknowledged ranges and each revision's
	 * bundle id count bundles; every other table is the same. */
	sf_db_digest(one.db, "ledger,ackrange,revision", da);
	sf_db_digest(each.db, "ledger,ackrange,revision", db_);
	OK(memcmp(da, db_, sizeof(da)) == 0);
	INT_EQ(sf_db_count(one.db, "hh WHERE hh_key = '" H2 "' AND"
	    " members = 3 AND village = '" V4 "'"), 1);
	INT_EQ(sf_db_count(one.db, "hh WHERE hh_key = '" H3 "' AND"
	    " members = 6 AND village = '" V6 "' AND state = 'ident'"), 1);
	INT_EQ(sf_db_count(one.db, "hh WHERE hh_key = '" H1 "' AND"
	    " members = 7 AND village = '" V4 "' AND in_register = 1"), 1);
	/* Four of the six waiting clues matched (not the refused visit's
	 * number), and household H2's first number stays its head. */
	INT_EQ(sf_db_count(one.db, "clue WHERE hh_key = '" H3 "'"
	    " AND source = '人社局'"), 2);
	INT_EQ(sf_db_count(one.db, "clue WHERE hh_key IS NOT NULL AND"
	    " source = '人社局'"), 4);
	INT_EQ(sf_db_count(one.db, "person WHERE hh_key = '" H2 "'"
	    " AND role = 'head'"), 2);
	sf_office_free(&one);
	unsetenv("DOORSTEP_FAKE_NOW");
}

static int
count_step(void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/* SQLite's loop steps (progress callbacks) of importing r into o. */
static long
steps_of(struct odb *o, const struct sf_office *of, struct sf_rev *r)
{
	long n = 0;

	sqlite3_progress_handler(o->db->h, 1, count_step, &n);
	import_into(o, of, r, 1);
	sqlite3_progress_handler(o->db->h, 0, NULL, NULL);
	return n;
}

/*
 * A bundle of one record (what `serve` gets) costs the same whether three
 * or 3,000 clues wait for an ID number: when they outnumber the numbers
 * the bundle can carry, each number is asked of clue's index instead of
 * every waiting clue read (review of issue 16).  The number that one of
 * them waits for is still matched.
 */
static void
test_waiting_clues_follow_the_bundle(void)
{
	static const char one[] = "341802199707070075";
	struct sf_office of;
	struct sf_rev r[3];
	struct ds_err err;
	struct odb *o;
	unsigned char idx[32];
	char q[512], hex[65];
	long base, many;
	sqlite3 *s;

	snprintf(q, sizeof(q), "%s/many-clues", office.dir);
	sf_office_make(&of, q);
	ST_EQ(odb_open(of.db, of.sec, &o, &err), DS_OK, &err);
	ST_EQ(sf_enroll(o, dev.device_id, dev.key->pk, &err), DS_OK, &err);
	visit_of(&r[0], 60, H1, "2024-09-01", "finalized", "yes", V4, "2",
	    "户主甲", "341802198001010011", "341802198101010012", "none");
	visit_of(&r[1], 61, H2, "2024-09-01", "finalized", "yes", V4, "2",
	    "户主乙", "341802198201010013", "341802198301010014", "none");
	visit_of(&r[2], 62, H3, "2024-09-01", "finalized", "yes", V4, "2",
	    "户主丙", "341802198401010015", one, "none");
	import_into(o, &of, &r[0], 1);	/* statements prepared */
	OK(odb_blind(o, one, idx) == 0);
	ds_hex_encode(idx, 32, hex);
	OK(sqlite3_open(of.db, &s) == SQLITE_OK);
	snprintf(q, sizeof(q), "INSERT INTO clue(clue_id, channel, id_idx,"
	    " date, received_at) VALUES (randomblob(16), 'dept_warning',"
	    " x'%s', '2024-08-01', 1), (randomblob(16), 'dept_warning',"
	    " randomblob(32), '2024-08-01', 1)", hex);
	OK(sqlite3_exec(s, q, NULL, NULL, NULL) == SQLITE_OK);
	base = steps_of(o, &of, &r[1]);
	OK(sqlite3_exec(s, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL"
	    " SELECT i + 1 FROM n WHERE i < 3000) INSERT INTO clue(clue_id,"
	    " channel, id_idx, date, received_at) SELECT randomblob(16),"
	    " 'dept_warning', randomblob(32), '2024-08-01', 1 FROM n", NULL,
	    NULL, NULL) == SQLITE_OK);
	sqlite3_close(s);
	many = steps_of(o, &of, &r[2]);
	printf("# steps: %ld, with 3,000 more clues %ld\n", base, many);
	/* Reading the 3,002 waiting clues would take a step each. */
	OK(many < base + 500);
	odb_close(o);
	INT_EQ(sf_db_count(of.db, "clue WHERE hh_key = '" H3 "'"), 1);
	INT_EQ(sf_db_count(of.db, "clue WHERE hh_key IS NULL"), 3001);
	sf_office_free(&of);
}

/* The first column of q's first row at path, as text, into out. */
static void
q_text(const char *path, const char *q, char *out, size_t n)
{
	sqlite3 *s;
	sqlite3_stmt *st;

	out[0] = '\0';
	OK(sqlite3_open(path, &s) == SQLITE_OK);
	OK(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_text(st, 0) != NULL)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(s);
}

/* 1 if q fails on the office.db at path (a CHECK or trigger refuses). */
static int
refused(const char *path, const char *q)
{
	sqlite3 *s;
	int rc;

	OK(sqlite3_open(path, &s) == SQLITE_OK);
	rc = sqlite3_exec(s, q, NULL, NULL, NULL);
	sqlite3_close(s);
	return rc == SQLITE_CONSTRAINT;
}

/*
 * Migration 8 (CHECK (x IN (a, b, c...)) written as comparisons): an
 * office.db of version 7, made and filled by the real code of that
 * version (odb_test_schema: migrations 1 to 7, then the register, a
 * department list, a visit-list entry and a bundle of visits imported),
 * is migrated on open: every row of every table the same, the same
 * indexes and triggers, the same values refused, no IN list of three or
 * more left in the rebuilt tables, and imports go on.
 */
static void
test_migration_8_from_a_filled_version_7(void)
{
	static const char reg[] = "户编号,村代码,村民小组代码,户主姓名,"
	    "户主身份证号,家庭人口数\n" H1 "," V4 ",,登记户主丙,,4\n";
	static const char clues[] = "身份证号,姓名,预警原因,金额,预警日期\n"
	    "341802199506060067,,失业,0,2024-08-01\n"
	    "341802199001010013,,失业,0,2024-08-01\n"
	    "341802199405050054,,失业,0,2024-08-01\n";
	static const char names[] = "SELECT group_concat(type || ':' || name,"
	    " ' ') FROM (SELECT type, name FROM sqlite_schema WHERE type IN"
	    " ('index', 'trigger', 'table') ORDER BY name)";
	static const char in3[] = "sqlite_schema WHERE type = 'table' AND"
	    " name IN ('hh', 'visit', 'case_event', 'clue', 'measure', 'entry')"
	    " AND sql LIKE '%IN (%'', ''%'', ''%'";
	struct sf_office of;
	struct case_reg_result rr;
	struct case_clue_result cr;
	struct case_row_why why;
	struct case_table *t;
	struct odb_entry e;
	struct sf_rev r[6];
	struct ds_err err;
	struct odb *o;
	unsigned char before[32], after[32];
	char q[1024], eh[33], s7[4096], s8[4096], meta[128], a[2048];
	int64_t first;

	setenv("DOORSTEP_FAKE_NOW", "1733000000", 1);
	odb_test_schema(7);
	snprintf(q, sizeof(q), "%s/v7", office.dir);
	sf_office_make(&of, q);
	ST_EQ(odb_open(of.db, of.sec, &o, &err), DS_OK, &err);
	INT_EQ(sf_db_count(of.db, "pragma_user_version WHERE"
	    " user_version = 7"), 1);
	ST_EQ(sf_enroll(o, dev.device_id, dev.key->pk, &err), DS_OK, &err);
	t = table(reg, case_register_fields, CASE_REGISTER_NFIELDS);
	ST_EQ(odb_begin(o, &err), DS_OK, &err);
	ST_EQ(case_register_import(o, t, &rr, &why, &err), DS_OK, &err);
	case_table_free(t);
	t = table(clues, case_clue_fields, CASE_CLUE_NFIELDS);
	ST_EQ(case_clue_import(o, t, "人社局", &cr, &first, &why, &err),
	    DS_OK, &err);
	case_table_free(t);
	memset(&e, 0, sizeof(e));
	memset(e.entry_id, 0x5a, sizeof(e.entry_id));
	snprintf(e.hh_key, sizeof(e.hh_key), "%s", H4);
	memcpy(e.device_id, dev.device_id, sizeof(e.device_id));
	snprintf(e.reason, sizeof(e.reason), "routine");
	snprintf(e.due, sizeof(e.due), "2024-10-01");
	snprintf(e.form_id, sizeof(e.form_id), "household");
	snprintf(e.form_ver, sizeof(e.form_ver), "1");
	e.state = ODB_ENTRY_SENT;
	e.created_at = 1;
	ST_EQ(odb_entry_put(o, &e, "{}", 2, &err), DS_OK, &err);
	ST_EQ(odb_commit(o, &err), DS_OK, &err);
	visit_of(&r[0], 70, H2, "2024-09-20", "finalized", "yes", V4, "3",
	    "户主丁", "341802198002020024", "341802199506060067", "none");
	visit_of(&r[1], 71, H3, "2024-09-05", "finalized", "yes", V4, "2",
	    "户主己", "341802199001010013", "341802199304040041", "sudden");
	visit_of(&r[2], 72, H1, "2024-09-12", "finalized", "yes", V9, "7",
	    "户主辛", "34180219860606006X", "", "marginal");
	ds_hex_encode(e.entry_id, 16, eh);
	snprintf(meta, sizeof(meta), ",\"entry\":\"%s\"", eh);
	visit(a, sizeof(a), "\"hh_id\":\"" H4 "\",", "2024-09-21", "no",
	    "finalized", meta, "none");
	sf_rev(&r[3], &dev, 73, 1, NULL, a);
	import_into(o, &of, r, 4);
	odb_close(o);
	/* Every table migration 8 rebuilds has rows. */
	OK(sf_db_count(of.db, "hh WHERE in_register = 1") > 0);
	OK(sf_db_count(of.db, "visit WHERE outcome = 'refused'") > 0);
	OK(sf_db_count(of.db, "case_event WHERE track = 'ident'") > 0);
	OK(sf_db_count(of.db, "measure WHERE source = 'visit'") > 0);
	OK(sf_db_count(of.db, "clue WHERE state = 'closed'") > 0);
	OK(sf_db_count(of.db, "clue WHERE hh_key IS NULL") > 0);
	INT_EQ(sf_db_count(of.db, "entry WHERE state = 'done'"), 1);
	INT_EQ(sf_db_count(of.db, in3), 6);
	sf_db_digest(of.db, NULL, before);
	q_text(of.db, names, s7, sizeof(s7));
	/* Version 8's program opens it: migration 8. */
	odb_test_schema(8);
	ST_EQ(odb_open(of.db, of.sec, &o, &err), DS_OK, &err);
	odb_close(o);
	INT_EQ(sf_db_count(of.db, "pragma_user_version WHERE"
	    " user_version = 8"), 1);
	sf_db_digest(of.db, NULL, after);
	OK(memcmp(before, after, sizeof(before)) == 0);
	q_text(of.db, names, s8, sizeof(s8));
	STR_EQ(s8, s7);
	INT_EQ(sf_db_count(of.db, in3), 0);
	/* The same rules. */
	OK(refused(of.db, "UPDATE hh SET state = 'gone'"));
	OK(refused(of.db, "UPDATE visit SET outcome = 'maybe'"));
	OK(refused(of.db, "UPDATE visit SET consent = 'perhaps'"));
	OK(refused(of.db, "UPDATE clue SET channel = 'rumour'"));
	OK(refused(of.db, "UPDATE measure SET type = 'lottery'"));
	OK(refused(of.db, "UPDATE measure SET status = 'forgotten'"));
	OK(refused(of.db, "UPDATE entry SET reason = 'whim'"));
	OK(refused(of.db, "UPDATE entry SET state = 'lost'"));
	OK(refused(of.db, "INSERT INTO case_event(event_id, hh_key, seq,"
	    " track, step, date, recorded_at) VALUES (randomblob(16), 'k',"
	    " 1, 'other', 'start', '2024-01-01', 1)"));
	OK(!refused(of.db, "UPDATE hh SET state = 'monitored' WHERE 0"));
	first = sf_db_count(of.db, "case_event");
	OK(refused(of.db, "DELETE FROM case_event"));
	INT_EQ(sf_db_count(of.db, "case_event"), first);
	/* And the import goes on (this program's, after migration 9). */
	odb_test_schema(0);
	ST_EQ(odb_open(of.db, of.sec, &o, &err), DS_OK, &err);
	visit_of(&r[4], 74, H3, "2024-09-25", "finalized", "yes", V6, "6",
	    "户主庚", "341802198505050057", "341802199405050054", "none");
	import_into(o, &of, &r[4], 1);
	odb_close(o);
	INT_EQ(sf_db_count(of.db, "hh WHERE hh_key = '" H3 "' AND"
	    " members = 6 AND village = '" V6 "'"), 1);
	INT_EQ(sf_db_count(of.db, "clue WHERE hh_key = '" H3 "' AND"
	    " source = '人社局'"), 2);
	sf_office_free(&of);
	unsetenv("DOORSTEP_FAKE_NOW");
}

/* Rows of household LL1, ids 16 bytes of which the first is n. */
static void
put_row(const char *q, int n, const char *a, const char *b,
    const char *c, int64_t at, const char *d, int rev)
{
	unsigned char id[16], r[16];
	sqlite3 *s;
	sqlite3_stmt *st;

	memset(id, 0, sizeof(id));
	memset(r, 0, sizeof(r));
	id[0] = (unsigned char)n;
	r[0] = (unsigned char)rev;
	OK(sqlite3_open(office.db, &s) == SQLITE_OK);
	OK(sqlite3_prepare_v2(s, q, -1, &st, NULL) == SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, 16, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	sqlite3_bind_text(st, 6, d, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 7, r, 16, SQLITE_STATIC);
	OK(sqlite3_step(st) == SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(s);
}

/*
 * The household's light is its latest consented, done, finalized visit's:
 * the latest date, then the one finalized last, then the larger rev_id;
 * the channel of identification is the earliest clue's the visit closed,
 * by date, then clue_id.  Both are chosen in C from rows in key order (an
 * ORDER BY sorted them in a temporary table at every household).
 */
static void
test_last_light_and_first_clue(void)
{
	static const char qv[] = "INSERT INTO visit(rev_id, record_uuid,"
	    " hh_key, device_id, worker_id, visit_date, consent, outcome,"
	    " finalized, finalized_at, light) VALUES (?1, ?7, 'LL1',"
	    " zeroblob(16), 'w', ?2, ?3, ?4, 1, ?5, ?6)";
	static const char qc[] = "INSERT INTO clue(clue_id, channel, hh_key,"
	    " date, received_at, state, closed_rev) VALUES (?1, ?2, 'LL1', ?3,"
	    " ?5, 'closed', ?7)";
	unsigned char rev[16];
	char light[ODB_CODE_MAX], date[CASE_DATE_LEN], ch[ODB_CODE_MAX];
	struct ds_err err;
	int found;

	put_row(qv, 1, "2024-09-10", "yes", "done", 50, "red", 0);
	put_row(qv, 2, "2024-09-10", "on_file", "done", 40, "yellow", 0);
	put_row(qv, 3, "2024-09-10", "yes", "done", 50, "green", 0);
	put_row(qv, 255, "2024-09-01", "yes", "done", 99, "blue", 0);
	put_row(qv, 254, "2024-09-30", "no", "refused", 99, "none", 0);
	ST_EQ(odb_visit_last_light(db, "LL1", &found, light, date, &err),
	    DS_OK, &err);
	INT_EQ(found, 1);
	STR_EQ(date, "2024-09-10");
	STR_EQ(light, "green");
	ST_EQ(odb_visit_last_light(db, "LL2", &found, light, date, &err),
	    DS_OK, &err);
	INT_EQ(found, 0);
	STR_EQ(light, "");
	put_row(qc, 9, "self_report", "2024-09-03", "", 1, "", 0xaa);
	put_row(qc, 7, "dept_warning", "2024-09-03", "", 1, "", 0xaa);
	put_row(qc, 5, "cadre_screening", "2024-09-05", "", 1, "", 0xaa);
	put_row(qc, 1, "self_report", "2024-09-01", "", 1, "", 0xbb);
	memset(rev, 0, sizeof(rev));
	rev[0] = 0xaa;
	ST_EQ(odb_clue_first(db, "LL1", rev, ch, &err), DS_OK, &err);
	STR_EQ(ch, "dept_warning");
	rev[0] = 0xcc;
	ST_EQ(odb_clue_first(db, "LL1", rev, ch, &err), DS_OK, &err);
	STR_EQ(ch, "");
}

static void
test_no_names_or_ids_on_disk(void)
{
	odb_close(db);
	db = NULL;
	INT_EQ(ts_grep_tree(office.dir, HEAD, strlen(HEAD)), 0);
	INT_EQ(ts_grep_tree(office.dir, HEAD_ID, strlen(HEAD_ID)), 0);
	INT_EQ(ts_grep_tree(office.dir, WIFE_ID, strlen(WIFE_ID)), 0);
	INT_EQ(ts_grep_tree(office.dir, OTHER, strlen(OTHER)), 0);
	INT_EQ(ts_grep_tree(office.dir, OTHER_ID, strlen(OTHER_ID)), 0);
	INT_EQ(ts_grep_tree(office.dir, NEW_ID, strlen(NEW_ID)), 0);
	/* Positive control: the scan finds what is there. */
	INT_EQ(ts_grep_tree(office.dir, K1, strlen(K1)) > 0, 1);
}

int
main(void)
{
	struct ds_err err;
	const char *dir;

	ds_json_init();
	OK(cry_init(&err) == DS_OK);
	dir = ts_tmpdir("case_hook");
	sf_office_make(&office, dir);
	sf_device_make(&dev, 3);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK ||
	    sf_enroll(db, dev.device_id, dev.key->pk, &err) != DS_OK) {
		printf("not ok setup: %s\n", err.msg);
		return 1;
	}
	RUN(test_register_and_department_list);
	RUN(test_visits_close_clues_and_start_identification);
	RUN(test_list_visit_refused_keeps_the_clue);
	RUN(test_clue_file_matched_in_one_read);
	RUN(test_bundle_at_a_time_same_as_one_by_one);
	RUN(test_waiting_clues_follow_the_bundle);
	RUN(test_migration_8_from_a_filled_version_7);
	RUN(test_last_light_and_first_clue);
	RUN(test_no_names_or_ids_on_disk);
	odb_close(db);
	sf_device_free(&dev);
	sf_office_free(&office);
	return harness_done();
}
