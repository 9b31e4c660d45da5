/* doorstep: attachments of media questions: kinds, names, store, bundle. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "bundle.h"
#include "cry.h"
#include "form_media.h"
#include "mem.h"
#include "store.h"
#include "util.h"

static unsigned char dek[32], dev[16];

static const unsigned char jpg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16, 'J',
    'F', 'I', 'F', 0 };
static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
    0x1a, '\n', 0 };
static const unsigned char mp3[] = { 'I', 'D', '3', 3, 0, 0, 0 };
static const unsigned char mp4[] = { 0, 0, 0, 0x18, 'f', 't', 'y', 'p',
    'i', 's', 'o', 'm', 0 };
static const unsigned char m4a[] = { 0, 0, 0, 0x18, 'f', 't', 'y', 'p',
    'M', '4', 'A', ' ', 0 };
static const unsigned char heic[] = { 0, 0, 0, 0x18, 'f', 't', 'y', 'p',
    'h', 'e', 'i', 'c', 0 };
static const unsigned char txt[] = "a plain text file\n";

#define FIT(t, src, p, want, wext) do {					\
	char e_[FORM_MEDIA_EXT_MAX + 1];				\
	INT_EQ(form_media_fit(t, src, p, sizeof(p), e_), want);	\
	if ((want) == FORM_MEDIA_OK && strcmp(e_, wext) != 0)		\
		HARNESS_FAIL("%s: extension %s, want %s", #p, e_, wext); \
} while (0)

/* Each type takes its kinds by their first bytes, never by name. */
static void
test_kinds_by_first_bytes(void)
{
	char e[FORM_MEDIA_EXT_MAX + 1];

	FIT(FT_IMAGE, "x.jpg", jpg, FORM_MEDIA_OK, "jpg");
	FIT(FT_IMAGE, "photo.dat", png, FORM_MEDIA_OK, "png");
	FIT(FT_IMAGE, NULL, heic, FORM_MEDIA_OK, "heic");
	FIT(FT_IMAGE, "x.jpg", txt, FORM_MEDIA_KIND, "");
	FIT(FT_IMAGE, "x.jpg", mp3, FORM_MEDIA_KIND, "");
	FIT(FT_AUDIO, "x.mp3", mp3, FORM_MEDIA_OK, "mp3");
	FIT(FT_AUDIO, "x", m4a, FORM_MEDIA_OK, "m4a");
	FIT(FT_AUDIO, "x.mp3", jpg, FORM_MEDIA_KIND, "");
	FIT(FT_VIDEO, "x", mp4, FORM_MEDIA_OK, "mp4");
	FIT(FT_VIDEO, "x.mp4", m4a, FORM_MEDIA_KIND, "");
	FIT(FT_FILE, "/a/b/Notes.TXT", txt, FORM_MEDIA_OK, "txt");
	FIT(FT_FILE, "/a.b/notes", txt, FORM_MEDIA_OK, "bin");
	FIT(FT_FILE, "x.t$t", txt, FORM_MEDIA_OK, "bin");
	FIT(FT_FILE, "x.jpg", png, FORM_MEDIA_OK, "png");
	FIT(FT_TEXT, "x.jpg", jpg, FORM_MEDIA_KIND, "");
	INT_EQ(form_media_fit(FT_IMAGE, "x.jpg", jpg, 0, e), FORM_MEDIA_EMPTY);
}

static void
test_names(void)
{
	char big[FORM_MEDIA_NAME_MAX + 2], out[FORM_MEDIA_NAME_MAX + 1];

	OK(form_media_name_ok("1796647475500.jpg", 17));
	OK(form_media_name_ok("a-b_c.d", 7));
	OK(!form_media_name_ok("", 0));
	OK(!form_media_name_ok(".hidden", 7));
	OK(!form_media_name_ok("../etc/passwd", 13));
	OK(!form_media_name_ok("a b.jpg", 7));
	OK(!form_media_name_ok("照片.jpg", strlen("照片.jpg")));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	OK(!form_media_name_ok(big, strlen(big)));
	OK(form_media_name_ok(big, FORM_MEDIA_NAME_MAX));
	OK(form_media_name(1796647475500LL, "jpg", out, sizeof(out)) == 0);
	STR_EQ(out, "1796647475500.jpg");
	OK(form_media_name(1, "jpg", out, 4) == -1);
}

static struct store *
open_ok(const char *path)
{
	struct store *s = NULL;
	struct ds_err err;

	ST_EQ(store_open(path, dek, dev, &s, &err), DS_OK, &err);
	return s;
}

struct seen {
	int	 n;
	char	 names[4][32];
};

static enum ds_status
seen_cb(void *arg, const char *name, const unsigned char *p, size_t n,
    struct ds_err *err)
{
	struct seen *s = arg;

	(void)p;
	(void)n;
	(void)err;
	if (s->n < 4)
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", name);
	s->n++;
	return DS_OK;
}

static int
file_has(const char *path, const char *needle)
{
	char *b = NULL;
	size_t n = 0, k = strlen(needle), i;
	int hit = 0;

	if (ds_file_read(path, 64u << 20, &b, &n, NULL) != DS_OK)
		return 0;
	for (i = 0; i + k <= n && !hit; i++)
		hit = memcmp(b + i, needle, k) == 0;
	ds_free(b);
	return hit;
}

/*
 * The store keeps a file sealed, gives it back byte for byte, refuses a
 * name twice and more than a save may carry; a blob moved to another
 * record or name does not open; a new data key moves the files too.
 */
static void
test_store_keeps_files_sealed(void)
{
	static const char marker[] = "ATTACHMARKER-0123456789";
	unsigned char rid[16], rid2[16], *p = NULL, *big, newk[32];
	char path[512], wal[530];
	struct store *s;
	struct seen sn;
	struct ds_err err;
	sqlite3 *db;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/records.db", ts_tmpdir("media"));
	if ((s = open_ok(path)) == NULL)
		return;
	cry_random(rid, sizeof(rid));
	cry_random(rid2, sizeof(rid2));
	ST_EQ(store_attach_put(s, rid, "1.jpg", marker, sizeof(marker), &err),
	    DS_OK, &err);
	ST_EQ(store_attach_put(s, rid, "2.png", png, sizeof(png), &err),
	    DS_OK, &err);
	ST_EQ(store_attach_put(s, rid, "1.jpg", png, sizeof(png), &err),
	    DS_EEXIST, &err);
	ST_EQ(store_attach_put(s, rid, "../x", png, sizeof(png), &err),
	    DS_EINVAL, &err);
	ST_EQ(store_attach_put(s, rid, "e.jpg", png, 0, &err), DS_ELIMIT,
	    &err);
	ST_EQ(store_attach_get(s, rid, "1.jpg", &p, &n, &err), DS_OK, &err);
	OK(n == sizeof(marker) && p != NULL && memcmp(p, marker, n) == 0);
	ds_free(p);
	ST_EQ(store_attach_get(s, rid2, "1.jpg", &p, &n, &err), DS_ENOENT,
	    &err);
	/* Both wait for revision 1 of the record (none saved yet). */
	memset(&sn, 0, sizeof(sn));
	ST_EQ(store_attach_each(s, rid, 1, seen_cb, &sn, &err), DS_OK, &err);
	INT_EQ(sn.n, 2);
	STR_EQ(sn.names[0], "1.jpg");
	memset(&sn, 0, sizeof(sn));
	ST_EQ(store_attach_each(s, rid, 2, seen_cb, &sn, &err), DS_OK, &err);
	INT_EQ(sn.n, 0);
	/* At most STORE_ATTACH_REV_MAX waits for one save. */
	if ((big = ds_calloc(1, STORE_ATTACH_MAX)) != NULL) {
		ST_EQ(store_attach_put(s, rid2, "a.bin", big, STORE_ATTACH_MAX,
		    &err), DS_OK, &err);
		ST_EQ(store_attach_put(s, rid2, "b.bin", big, STORE_ATTACH_MAX,
		    &err), DS_ELIMIT, &err);
		ST_EQ(store_attach_put(s, rid2, "c.bin", big, STORE_ATTACH_MAX +
		    1, &err), DS_ELIMIT, &err);
		ds_free(big);
	}
	store_close(s);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	OK(!file_has(path, marker) && !file_has(wal, marker));

	/* A blob moved to another name or record does not open. */
	OK(sqlite3_open(path, &db) == SQLITE_OK);
	OK(sqlite3_exec(db, "UPDATE attachment SET data = (SELECT data FROM "
	    "attachment WHERE name = '1.jpg') WHERE name = '2.png'", NULL,
	    NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	if ((s = open_ok(path)) == NULL)
		return;
	ST_EQ(store_attach_get(s, rid, "2.png", &p, &n, &err), DS_ECRYPTO,
	    &err);
	OK(strstr(err.msg, "2.png does not decrypt") != NULL);
	ST_EQ(store_attach_get(s, rid, "1.jpg", &p, &n, &err), DS_OK, &err);
	ds_free(p);

	/* A new data key: a damaged file stops it, changing nothing. */
	cry_random(newk, sizeof(newk));
	ST_EQ(store_rekey(s, newk, NULL, &err), DS_ECRYPTO, &err);
	store_close(s);
	OK(sqlite3_open(path, &db) == SQLITE_OK);
	OK(sqlite3_exec(db, "DELETE FROM attachment WHERE name = '2.png'",
	    NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(db);
	if ((s = open_ok(path)) == NULL)
		return;
	ST_EQ(store_rekey(s, newk, NULL, &err), DS_OK, &err);
	store_close(s);
	s = NULL;
	ST_EQ(store_open(path, newk, dev, &s, &err), DS_OK, &err);
	if (s == NULL)
		return;
	ST_EQ(store_attach_get(s, rid, "1.jpg", &p, &n, &err), DS_OK, &err);
	OK(n == sizeof(marker) && p != NULL && memcmp(p, marker, n) == 0);
	ds_free(p);
	store_close(s);
}

/*
 * Version 2 only when a file travels; a parse refuses a name twice, a
 * bad name and an empty file.
 */
static void
test_bundle_v2_strict(void)
{
	struct sf_office o;
	struct sf_device d;
	struct sf_rev r[1];
	struct bundle_att att[2];
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b;
	size_t n;
	int why;

	sf_office_make(&o, ts_tmpdir("media-office"));
	sf_device_make(&d, 1);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"a\":\"1.jpg\"}");
	b = sf_bundle(&d, &o, r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	INT_EQ(h.version, BUNDLE_VERSION);
	ds_free(b);

	att[0].name.p = (const unsigned char *)"1.jpg";
	att[0].name.n = 5;
	att[0].data.p = jpg;
	att[0].data.n = sizeof(jpg);
	att[1] = att[0];
	sf_rev(&r[0], &d, 1, 2, NULL, "{\"a\":\"1.jpg\"}");
	r[0].r.att = att;
	r[0].r.natt = 1;
	b = sf_bundle(&d, &o, r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	INT_EQ(h.version, BUNDLE_VERSION_ATTACH);
	ST_EQ(bundle_open(b, n, &h, o.sec, &pl, &why, &err), DS_OK, &err);
	OK(pl != NULL && pl->revs[0].natt == 1 &&
	    pl->revs[0].att[0].data.n == sizeof(jpg));
	bundle_payload_free(pl);
	pl = NULL;
	ds_free(b);

	/* The same name twice: built (the builder trusts its store), then
	 * refused whole by the reader. */
	sf_rev(&r[0], &d, 1, 3, NULL, "{}");
	r[0].r.att = att;
	r[0].r.natt = 2;
	b = sf_bundle(&d, &o, r, 1, 0, 0, &n);
	ST_EQ(bundle_parse_header(b, n, &h, &why, &err), DS_OK, &err);
	ST_EQ(bundle_open(b, n, &h, o.sec, &pl, &why, &err), DS_EPARSE, &err);
	INT_EQ(why, BR_PAYLOAD);
	OK(strstr(err.msg, "attached twice") != NULL);
	ds_free(b);
	sf_device_free(&d);
	sf_office_free(&o);
}

int
main(void)
{
	struct ds_err err;

	if (cry_init(&err) != DS_OK) {
		printf("not ok cry_init: %s\n", err.msg);
		return 1;
	}
	cry_random(dek, sizeof(dek));
	cry_random(dev, sizeof(dev));
	RUN(test_kinds_by_first_bytes);
	RUN(test_names);
	RUN(test_store_keeps_files_sealed);
	RUN(test_bundle_v2_strict);
	return harness_done();
}
