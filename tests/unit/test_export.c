/* doorstep: export of heads: exact CSV, XLSX written, deterministic. */
#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "export.h"
#include "imp.h"
#include "json.h"
#include "mem.h"
#include "odb.h"
#include "util.h"

static const char *tmp;
static struct sf_office office;
static struct odb *db;

static char *
slurp(const char *p, size_t *n)
{
	char *b = NULL;

	if (ds_file_read(p, 1 << 24, &b, n, NULL) != DS_OK)
		return NULL;
	return b;
}

static void
test_csv_exact_and_xlsx(void)
{
	struct sf_device d;
	struct sf_rev r[3];
	struct imp_result res;
	struct export_stats s;
	struct export_opts o;
	struct stat sb;
	struct ds_err err;
	mode_t old;
	unsigned char *b;
	char p[700], *c, *c2;
	size_t n, n2;

	setenv("TZ", "UTC", 1);
	sf_device_make(&d, 1);
	ST_EQ(sf_enroll(db, d.device_id, d.key->pk, &err), DS_OK, &err);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"hh_id\":\"H1\",\"village\":\"东村\","
	    "\"crops\":[\"rice\",\"tea\"],\"member\":[{\"mname\":\"王芳\","
	    "\"age\":\"34\"},{\"mname\":\"李明\",\"age\":\"8\"}],"
	    "\"_meta\":{\"path\":\"x\"}}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{\"hh_id\":\"H2\",\"note\":\"=1+1, "
	    "\\\"quoted\\\"\",\"member\":[{\"mname\":\"赵六\"}]}");
	sf_rev(&r[2], &d, 1, 2, r[0].r.rev_id, "{\"hh_id\":\"H1\","
	    "\"village\":\"东村\",\"member\":[{\"mname\":\"王芳\","
	    "\"age\":\"35\"}]}");
	b = sf_bundle(&d, &office, r, 3, 0, 0, &n);
	ST_EQ(imp_bundle(db, office.sec, b, n, &res, &err), DS_OK, &err);
	imp_result_free(&res);
	ds_free(b);
	snprintf(p, sizeof(p), "%s/out.csv", tmp);
	memset(&o, 0, sizeof(o));
	o.fmt = EXPORT_CSV;
	o.path = p;
	ST_EQ(export_heads(db, &o, &s, &err), DS_OK, &err);
	INT_EQ(s.households, 2);
	INT_EQ(s.members, 2);
	c = slurp(p, &n);
	OK(c != NULL);
	if (c == NULL)
		return;
	/* No form: one header row of names, values as stored. */
	STR_EQ(c, "\xef\xbb\xbf"
	    "record_id,household_key,form_id,form_version,revision,worker,"
	    "saved_at,hh_id,note,village\r\n"
	    "5e000000000000000000000000000001,HH-0001,household,2026.1,2,"
	    "worker-1,2025-11-23T04:03:20+00:00,H1,,东村\r\n"
	    "5e000000000000000000000000000002,HH-0002,household,2026.1,1,"
	    "worker-1,2025-11-23T04:03:20+00:00,H2,\"'=1+1, \"\"quoted\"\"\","
	    "\r\n");
	c2 = slurp(s.members_path, &n2);
	/* Members link to their household by record id and household key. */
	OK(c2 != NULL && strcmp(c2, "\xef\xbb\xbf"
	    "record_id,household_key,member_no,age,mname\r\n"
	    "5e000000000000000000000000000001,HH-0001,1,35,王芳\r\n"
	    "5e000000000000000000000000000002,HH-0002,1,,赵六\r\n") == 0);
	ds_free(c2);
	c2 = slurp(s.codebook_path, &n2);
	OK(c2 != NULL && strstr(c2, "members,mname,mname,text,,\r\n") !=
	    NULL);
	ds_free(c2);
	/* Deterministic: a second export is byte-equal. */
	ST_EQ(export_heads(db, &o, &s, &err), DS_OK, &err);
	c2 = slurp(p, &n2);
	OK(c2 != NULL && n2 == n && memcmp(c, c2, n) == 0);
	ds_free(c);
	ds_free(c2);
	/* 0600 whatever the umask. */
	old = umask(0);
	snprintf(p, sizeof(p), "%s/out.xlsx", tmp);
	o.fmt = EXPORT_XLSX;
	ST_EQ(export_heads(db, &o, &s, &err), DS_OK, &err);
	umask(old);
	OK(stat(p, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	c = slurp(p, &n);
	OK(c != NULL && n > 1000 && memcmp(c, "PK\3\4", 4) == 0);
	ds_free(c);
	snprintf(p, sizeof(p), "%s/out.xlsx.tmp", tmp);
	OK(!ds_path_exists(p));
	sf_device_free(&d);
}

struct crash_export {
	const char		*path;
	enum export_format	 fmt;
};

static void
crash_export(void *arg)
{
	const struct crash_export *c = arg;
	struct export_opts o;
	struct export_stats s;
	struct odb *own;

	/* A connection of its own: SQLite's must not cross a fork. */
	if (odb_open(office.db, office.sec, &own, NULL) != DS_OK)
		return;
	memset(&o, 0, sizeof(o));
	o.fmt = c->fmt;
	o.path = c->path;
	(void)export_heads(own, &o, &s, NULL);
}

/*
 * kill -9 an XLSX and a Stata export once the file is written but before
 * the rename: no file of it stays (none has a name yet); where O_TMPFILE
 * is refused, the PATH.tmp left goes at the next export to that path.
 */
static void
test_crash_leaves_no_file(void)
{
	static const enum export_format fmt[] = { EXPORT_XLSX, EXPORT_DTA };
	struct crash_export c;
	struct export_stats s;
	struct export_opts o;
	struct ds_err err;
	char p[700], t[720];
	size_t i;

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		snprintf(p, sizeof(p), "%s/crash%zu.%s", tmp, i,
		    fmt[i] == EXPORT_XLSX ? "xlsx" : "dta");
		snprintf(t, sizeof(t), "%s.tmp", p);
		c.path = p;
		c.fmt = fmt[i];
		INT_EQ(ts_crash_at("written", 0, crash_export, &c), 0);
		OK(!ds_path_exists(p) && !ds_path_exists(t));
		INT_EQ(ts_crash_at("written", 1, crash_export, &c), 0);
		OK(!ds_path_exists(p) && ds_path_exists(t));
		memset(&o, 0, sizeof(o));
		o.fmt = fmt[i];
		o.path = p;
		ST_EQ(export_heads(db, &o, &s, &err), DS_OK, &err);
		OK(ds_path_exists(p) && !ds_path_exists(t));
	}
}

int
main(void)
{
	struct ds_err err;
	char d[600];

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	tmp = ts_tmpdir("export");
	snprintf(d, sizeof(d), "%s/office", tmp);
	sf_office_make(&office, d);
	if (odb_open(office.db, office.sec, &db, &err) != DS_OK)
		return 1;
	RUN(test_csv_exact_and_xlsx);
	RUN(test_crash_leaves_no_file);
	odb_close(db);
	sf_office_free(&office);
	return harness_done();
}
