/* doorstep: sync test fixtures (office, devices, revisions, bundles). */
#include "syncfix.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dbx.h"
#include "imp.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

static void
die(const char *what, const struct ds_err *err)
{
	fprintf(stderr, "syncfix: %s: %s\n", what, err ? err->msg : "");
	abort();
}

/*
 * With DOORSTEP_TEST_PG_HOST (a socket directory), DOORSTEP_TEST_PG_DB
 * and DOORSTEP_TEST_PG_OWNER set (tests/pg/t_pg.sh), the office is a new
 * township of that county database instead of office.db: its role is
 * made by the owner and o->db is the township's URL.
 */
static void
pg_township(struct sf_office *o)
{
	const char *h = getenv("DOORSTEP_TEST_PG_HOST");
	const char *d = getenv("DOORSTEP_TEST_PG_DB");
	const char *u = getenv("DOORSTEP_TEST_PG_OWNER");
	struct ds_err err;
	struct dbx *db;
	char url[600], role[2 * 8 + 3], sql[512];

	if (h == NULL || d == NULL || u == NULL)
		return;
	snprintf(url, sizeof(url), "postgresql:///%s?host=%s&user=%s", d, h,
	    u);
	memcpy(role, "t_", 2);
	ds_hex_encode(o->pub.office_id, 8, role + 2);
	snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN IN ROLE ds_office;"
	    "INSERT INTO ds_role VALUES ('%s', 'c1', '%s')", role, role,
	    role + 2);
	ds_err_clear(&err);
	if (dbx_open(url, &db, &err) != DS_OK || dbx_exec(db, sql, &err) !=
	    DS_OK)
		die("township role", &err);
	dbx_close(db);
	snprintf(o->db, sizeof(o->db), "postgresql:///%s?host=%s&user=%s", d,
	    h, role);
}

void
sf_office_make(struct sf_office *o, const char *dir)
{
	struct ds_err err;
	char p[700];

	memset(o, 0, sizeof(*o));
	snprintf(o->dir, sizeof(o->dir), "%s", dir);
	snprintf(o->db, sizeof(o->db), "%s/office.db", dir);
	ds_err_clear(&err);
	if (ds_mkdir_p(dir, 0700, &err) != DS_OK ||
	    cry_office_create(dir, &o->pub, &err) != DS_OK)
		die("office", &err);
	snprintf(p, sizeof(p), "%s/%s", dir, CRY_OFFICE_SEC_FILE);
	if (cry_office_sec_read(p, &o->sec, &err) != DS_OK)
		die("office secret", &err);
	pg_township(o);
	if (odb_create(o->db, o->pub.office_id, &err) != DS_OK)
		die("office db", &err);
}

void
sf_office_free(struct sf_office *o)
{
	cry_office_sec_free(o->sec);
	o->sec = NULL;
}

void
sf_device_make(struct sf_device *d, int n)
{
	struct ds_err err;

	memset(d, 0, sizeof(*d));
	memset(d->device_id, 0xd0 + n, 16);
	memset(d->db_uuid, 0xe0 + n, 16);
	d->next_seq = 1;
	if (cry_signkey_new(&d->key, &err) != DS_OK)
		die("device key", &err);
}

void
sf_device_free(struct sf_device *d)
{
	cry_signkey_free(d->key);
	d->key = NULL;
}

static struct bundle_bytes
bb(const char *s)
{
	struct bundle_bytes b;

	b.p = (const unsigned char *)s;
	b.n = strlen(s);
	return b;
}

void
sf_rev(struct sf_rev *s, struct sf_device *d, int rec, uint32_t rev_no,
    const unsigned char *parent, const char *answers)
{
	memset(s, 0, sizeof(*s));
	memset(s->r.record_uuid, 0, 16);
	s->r.record_uuid[0] = 0x5e;
	s->r.record_uuid[15] = (unsigned char)rec;
	s->r.record_uuid[14] = (unsigned char)(rec >> 8);
	cry_random(s->r.rev_id, 16);
	if (parent != NULL)
		memcpy(s->r.parent_rev_id, parent, 16);
	s->r.rev_no = rev_no;
	s->r.device_seq = d->next_seq++;
	s->r.t_start = 1763870000;
	s->r.t_end = 1763870600;
	s->r.saved_at = 1763870600;
	snprintf(s->hh, sizeof(s->hh), "HH-%04d", rec);
	snprintf(s->answers, sizeof(s->answers), "%s", answers);
	s->r.form_id = bb("household");
	s->r.form_ver = bb("2026.1");
	s->r.household_key = bb(s->hh);
	s->r.worker_id = bb("worker-1");
	s->r.answers = bb(s->answers);
	s->r.audit = bb("[{\"ev\":\"saved\"}]");
	s->r.consent = bb("");
}

unsigned char *
sf_bundle(struct sf_device *d, const struct sf_office *o, struct sf_rev *revs,
    size_t n, uint32_t chunk, int no_final, size_t *lenp)
{
	struct bundle_meta m;
	struct bundle_rev *rv;
	struct ds_err err;
	unsigned char id[16], *out = NULL;
	size_t i;

	memset(&m, 0, sizeof(m));
	memcpy(m.device_id, d->device_id, 16);
	memcpy(m.db_uuid, d->db_uuid, 16);
	memcpy(m.prev_hash, d->prev_hash, 32);
	m.seq_lo = revs[0].r.device_seq;
	m.seq_hi = revs[n - 1].r.device_seq;
	m.created_at = 1763870700;
	m.schema_ver = 1;
	m.app_ver = "0.1.0";
	m.nforms = 1;
	m.form_ids[0] = "household";
	m.form_vers[0] = "2026.1";
	m.chunk_size = chunk;
	m.test_no_final = no_final;
	if ((rv = calloc(n, sizeof(*rv))) == NULL)
		abort();
	for (i = 0; i < n; i++)
		rv[i] = revs[i].r;
	ds_err_clear(&err);
	if (bundle_build(&m, rv, n, d->key, &o->pub, id, &out, lenp, &err) !=
	    DS_OK)
		die("bundle", &err);
	free(rv);
	bundle_hash(out, *lenp, d->prev_hash);
	return out;
}

static const char *const sf_villages[5][2] = {
	{ "341802101", "341802101201" }, { "341802101", "341802101202" },
	{ "341802102", "341802102201" }, { "341802102", "341802102202" },
	{ "410581101", "410581101201" },
};
static const char *const sf_cats[3] = { "unstable", "marginal", "sudden" };

size_t
sf_household(char *b, size_t n, int k, char key[17])
{
	const char *const *v = sf_villages[k % 5];
	size_t len;
	int i;

	snprintf(key, 17, "3418021012%06d", k % 1000000);
	len = (size_t)snprintf(b, n, "{\"_meta\":{\"form\":\"household\","
	    "\"path\":\"_end\",\"reasons\":{%s},\"state\":\"%s\","
	    "\"version\":\"2026112301\"},\"category\":\"%s\",\"channel\":"
	    "\"cadre_screening\",\"consent\":\"yes\",\"county\":\"%s\","
	    "\"dev_status\":\"%s\",\"el_done\":\"no\",\"el_month\":"
	    "\"2024%02d\",\"el_way\":\"assisted\",\"has_job\":\"%s\","
	    "\"has_health\":\"no\",\"hh_id\":\"%s\","
	    "\"ident_month\":\"2024%02d\",\"member\":[",
	    k % 17 == 0 ? "\"member[1]/m_work_wage\":\"已核实\"" : "",
	    k % 23 == 0 ? "draft" : "finalized",
	    k % 10 == 0 ? sf_cats[(k / 10) % 3] : "none",
	    k % 5 == 4 ? "410581" : "341802", k % 3 ? "yes" : "no",
	    1 + k % 12, k % 10 == 0 ? "yes" : "no", key, 1 + (k / 7) % 12);
	for (i = 0; i < 5; i++)
		len += (size_t)snprintf(b + len, n - len, "%s{\"m_birth\":"
		    "\"1980-03-1%d\",\"m_edu\":\"junior\",\"m_health\":["
		    "\"healthy\"],\"m_id_number\":\"34180219800%d%06d\","
		    "\"m_id_type\":\"resident_id\",\"m_in_school\":"
		    "\"not_in_school\",\"m_labour\":\"normal\",\"m_med_resident\":"
		    "\"yes\",\"m_name\":\"成员%d-%d\",\"m_relation\":\"%s\","
		    "\"m_sex\":\"male\",\"m_work_county\":\"昆山市\","
		    "\"m_work_months\":\"6\",\"m_work_wage\":\"3000\"}",
		    i ? "," : "", i, i, k % 1000000, k, i, i ? "son" : "head");
	len += (size_t)snprintf(b + len, n - len, "],\"n_can_work\":\"2\","
	    "\"province\":\"%s\",\"risk_main_final\":\"illness\","
	    "\"township\":\"%s\",\"village\":\"%s\",\"visit_date\":"
	    "\"2024-%02d-10\",\"visit_mode\":\"in_person\",\"visit_type\":"
	    "\"verification\",\"ms_job\":[\"labour_export\"],"
	    "\"inc_wage_migrant\":\"18000\",\"inc_bus_crop\":\"6000\","
	    "\"per_capita\":\"4575.00\",\"signal\":\"red\"}",
	    k % 5 == 4 ? "41" : "34", v[0], v[1], 1 + k % 12);
	if (len >= n)
		abort();
	return len;
}

const char *
sf_write(const char *dir, const char *name, const unsigned char *p, size_t n)
{
	static char path[1024];
	struct ds_err err;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (ds_file_write_atomic(path, p, n, 0600, &err) != DS_OK)
		die("write", &err);
	return path;
}

void
sf_db_digest(const char *path, const char *skip, unsigned char out[32])
{
	sqlite3 *db;
	sqlite3_stmt *t, *r;
	struct ds_buf b;
	char sql[256];
	int i, n;

	ds_buf_init(&b, (size_t)1 << 30);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		die("digest open", NULL);
	if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE"
	    " type = 'table' ORDER BY name", -1, &t, NULL) != SQLITE_OK)
		die("digest", NULL);
	while (sqlite3_step(t) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(t, 0);

		if (skip != NULL && strstr(skip, name) != NULL)
			continue;
		ds_buf_printf(&b, "T%s\n", name);
		snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\" ORDER BY 1, 2",
		    name);
		if (sqlite3_prepare_v2(db, sql, -1, &r, NULL) != SQLITE_OK)
			die(sqlite3_errmsg(db), NULL);
		n = sqlite3_column_count(r);
		while (sqlite3_step(r) == SQLITE_ROW) {
			for (i = 0; i < n; i++) {
				ds_buf_printf(&b, "%d:%d:", sqlite3_column_type(r,
				    i), sqlite3_column_bytes(r, i));
				ds_buf_add(&b, sqlite3_column_blob(r, i),
				    (size_t)sqlite3_column_bytes(r, i));
			}
			ds_buf_addc(&b, '\n');
		}
		sqlite3_finalize(r);
	}
	sqlite3_finalize(t);
	sqlite3_close(db);
	cry_hash(out, 32, NULL, 0, b.p != NULL ? b.p : "", b.len);
	ds_buf_reset(&b);
}

/* sf_db_count on PostgreSQL, as the township's role (its rows only). */
static long
pg_count(const char *url, const char *table)
{
	struct ds_err err;
	struct dbx *db;
	struct dbx_stmt *r;
	char sql[512];
	const char *sp = strchr(table, ' ');
	long n = -1;

	if (dbx_open(url, &db, &err) != DS_OK)
		return -1;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%.*s\"%s",
	    sp != NULL ? (int)(sp - table) : (int)strlen(table), table,
	    sp != NULL ? sp : "");
	if (dbx_prepare(db, sql, &r) == DBX_OK) {
		if (dbx_step(r) == DBX_ROW)
			n = (long)dbx_column_int64(r, 0);
		dbx_finalize(r);
	}
	dbx_close(db);
	return n;
}

long
sf_db_count(const char *path, const char *table)
{
	sqlite3 *db;
	sqlite3_stmt *r;
	char sql[512];
	const char *sp = strchr(table, ' ');
	long n = -1;

	if (dbx_is_url(path))
		return pg_count(path, table);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		return -1;
	/* "name WHERE ..." counts the rows that match. */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%.*s\"%s",
	    sp != NULL ? (int)(sp - table) : (int)strlen(table), table,
	    sp != NULL ? sp : "");
	if (sqlite3_prepare_v2(db, sql, -1, &r, NULL) == SQLITE_OK &&
	    sqlite3_step(r) == SQLITE_ROW)
		n = sqlite3_column_int64(r, 0) >= 0 ? (long)sqlite3_column_int64(
		    r, 0) : -1;
	sqlite3_finalize(r);
	sqlite3_close(db);
	return n;
}

enum ds_status
sf_enroll(struct odb *db, const unsigned char device_id[16],
    const unsigned char sign_pk[32], struct ds_err *err)
{
	struct odb_device od;

	memset(&od, 0, sizeof(od));
	memcpy(od.device_id, device_id, 16);
	memcpy(od.sign_pk, sign_pk, 32);
	od.state = ODB_DEV_ENROLLED;
	return odb_device_put(db, &od, err);
}

enum ds_status
sf_import(struct odb *db, struct sf_device *dev, const struct sf_office *o,
    struct sf_rev *revs, size_t n, struct ds_err *err)
{
	struct imp_result res;
	unsigned char *x;
	enum ds_status st;
	size_t len;

	x = sf_bundle(dev, o, revs, n, 0, 0, &len);
	memset(&res, 0, sizeof(res));
	st = imp_bundle(db, o->sec, x, len, &res, err);
	imp_result_free(&res);
	ds_free(x);
	return st;
}
