/* doorstep: golden bundle and receipt vectors must keep verifying. */
/*
 * tests/sync/ holds a test-only office key pair, a bundle made by a
 * test-only device, and the receipt the office gave for it.  The bundle
 * must parse, verify, decrypt to the same revisions, and importing it into
 * a fresh office database (clock fixed) must yield the committed receipt
 * byte for byte.  DS_WRITE_GOLDEN=1 regenerates the files and the fuzz
 * seeds (then review and commit them: a format change is a version bump).
 */
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
#include "odb_attach.h"
#include "receipt.h"
#include "util.h"

#define NOW	"1763880000"

static char top[512];

static void
path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", top, rel);
}

static void
write_golden(void)
{
	struct sf_office o;
	struct sf_device d;
	struct sf_rev r[3];
	struct odb *db;
	struct imp_result res;
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b;
	char dir[600], p[700];
	size_t n;
	int why;

	path(dir, sizeof(dir), "tests/sync/office");
	ts_rmrf(dir);
	sf_office_make(&o, dir);
	path(p, sizeof(p), "tests/sync/office/office.db");
	unlink(p);
	ds_mkdir_p(dir, 0755, &err);
	sf_device_make(&d, 1);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"hh_id\":\"HH000001\",\"income\":"
	    "12000,\"members\":[{\"name\":\"张三\",\"age\":41}]}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{\"hh_id\":\"HH000002\",\"income\":"
	    "8000,\"members\":[{\"name\":\"李四\",\"age\":67}]}");
	sf_rev(&r[2], &d, 1, 2, r[0].r.rev_id, "{\"hh_id\":\"HH000001\","
	    "\"income\":13500,\"members\":[{\"name\":\"张三\",\"age\":41}]}");
	b = sf_bundle(&d, &o, r, 3, 256, 0, &n);
	sf_write(top, "tests/sync/golden.dsb", b, n);
	sf_write(top, "tests/fuzz/corpus/fuzz_bundle_container/golden.dsb", b,
	    n);
	/* The plaintext payload, as a payload fuzz seed. */
	if (bundle_parse_header(b, n, &h, &why, &err) == DS_OK &&
	    bundle_open(b, n, &h, o.sec, &pl, &why, &err) == DS_OK) {
		sf_write(top, "tests/fuzz/corpus/fuzz_bundle_payload/golden",
		    pl->plain, pl->plain_len);
		bundle_payload_free(pl);
	}
	/* The receipt of a fresh office for it. */
	snprintf(p, sizeof(p), "%s/golden-office.db", ts_tmpdir("golden-w"));
	if (odb_create(p, o.pub.office_id, &err) != DS_OK ||
	    odb_open(p, o.sec, &db, &err) != DS_OK)
		abort();
	sf_enroll(db, d.device_id, d.key->pk, &err);
	if (imp_bundle(db, o.sec, b, n, &res, &err) != DS_OK)
		abort();
	sf_write(top, "tests/sync/golden.rcpt", res.receipt, res.receipt_len);
	sf_write(top, "tests/fuzz/corpus/fuzz_receipt/golden.rcpt",
	    res.receipt, res.receipt_len);
	imp_result_free(&res);
	odb_close(db);
	ds_free(b);
	sf_device_free(&d);
	sf_office_free(&o);
	printf("# golden files written under %s/tests/sync\n", top);
}

/* The files of the version 2 vector: a JPEG start, a PNG start. */
static const unsigned char v2_photo[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 16,
    'J', 'F', 'I', 'F', 0, 1, 2, 3, 0xff, 0xd9 };
static const unsigned char v2_png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
    0x1a, '\n', 0, 0, 0, 0 };
#define V2_PHOTO	"1763870600123.jpg"
#define V2_PNG		"1763870600456.png"

static int
office_keys(struct sf_office *o)
{
	struct ds_err err;
	char p[700];

	memset(o, 0, sizeof(*o));
	path(p, sizeof(p), "tests/sync/office/office-public.key");
	if (cry_office_pub_read(p, &o->pub, &err) != DS_OK)
		return -1;
	path(p, sizeof(p), "tests/sync/office/office-secret.key");
	return cry_office_sec_read(p, &o->sec, &err) == DS_OK ? 0 : -1;
}

/*
 * Version 2 (docs/bundle-format.md): one revision with two files, one
 * without, made for the committed office keys, so version 1's vector
 * stays as it is.  DS_WRITE_GOLDEN=v2 writes it and its fuzz seeds.
 */
static void
write_golden_v2(void)
{
	struct sf_office o;
	struct sf_device d;
	struct sf_rev r[2];
	struct bundle_att att[2];
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct ds_err err;
	unsigned char *b;
	size_t n;
	int why;

	if (office_keys(&o) != 0)
		abort();
	sf_device_make(&d, 2);
	sf_rev(&r[0], &d, 1, 1, NULL, "{\"hh_id\":\"HH000001\",\"consent_photo\":"
	    "\"" V2_PHOTO "\",\"members\":[{\"name\":\"张三\",\"card\":\""
	    V2_PNG "\"}]}");
	sf_rev(&r[1], &d, 2, 1, NULL, "{\"hh_id\":\"HH000002\"}");
	att[0].name.p = (const unsigned char *)V2_PHOTO;
	att[0].name.n = strlen(V2_PHOTO);
	att[0].data.p = v2_photo;
	att[0].data.n = sizeof(v2_photo);
	att[1].name.p = (const unsigned char *)V2_PNG;
	att[1].name.n = strlen(V2_PNG);
	att[1].data.p = v2_png;
	att[1].data.n = sizeof(v2_png);
	r[0].r.att = att;
	r[0].r.natt = 2;
	b = sf_bundle(&d, &o, r, 2, 256, 0, &n);
	sf_write(top, "tests/sync/golden-v2.dsb", b, n);
	sf_write(top, "tests/fuzz/corpus/fuzz_bundle_container/golden-v2.dsb",
	    b, n);
	if (bundle_parse_header(b, n, &h, &why, &err) == DS_OK &&
	    bundle_open(b, n, &h, o.sec, &pl, &why, &err) == DS_OK) {
		sf_write(top, "tests/fuzz/corpus/fuzz_bundle_payload/golden-v2",
		    pl->plain, pl->plain_len);
		bundle_payload_free(pl);
	}
	ds_free(b);
	sf_device_free(&d);
	sf_office_free(&o);
	printf("# golden-v2.dsb written under %s/tests/sync\n", top);
}

/*
 * The version 2 vector keeps verifying: its files come out byte for byte,
 * an office stores them sealed and gives them back; a bundle whose file
 * bytes were changed is refused before anything is parsed.
 */
static void
test_golden_v2_carries_files(void)
{
	struct sf_office o;
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct imp_result res;
	struct odb *db = NULL;
	struct ds_err err;
	char p[700], *b = NULL, fpr[CRY_FPR_TEXT];
	unsigned char *f = NULL;
	size_t n = 0, fn = 0, i;
	int why;

	OK(office_keys(&o) == 0);
	path(p, sizeof(p), "tests/sync/golden-v2.dsb");
	ST_EQ(ds_file_read(p, BUNDLE_FILE_MAX, &b, &n, &err), DS_OK, &err);
	if (o.sec == NULL || b == NULL)
		goto done;
	ST_EQ(bundle_parse_header((unsigned char *)b, n, &h, &why, &err),
	    DS_OK, &err);
	INT_EQ(h.version, BUNDLE_VERSION_ATTACH);
	ST_EQ(bundle_verify((unsigned char *)b, n, &h, &why, &err), DS_OK,
	    &err);
	ST_EQ(bundle_open((unsigned char *)b, n, &h, o.sec, &pl, &why, &err),
	    DS_OK, &err);
	if (pl != NULL && pl->nrevs == 2 && pl->revs[0].natt == 2) {
		OK(pl->revs[0].att[0].data.n == sizeof(v2_photo) &&
		    memcmp(pl->revs[0].att[0].data.p, v2_photo,
		    sizeof(v2_photo)) == 0);
		OK(pl->revs[0].att[1].name.n == strlen(V2_PNG) &&
		    memcmp(pl->revs[0].att[1].name.p, V2_PNG,
		    strlen(V2_PNG)) == 0);
		INT_EQ(pl->revs[1].natt, 0);
	} else
		HARNESS_FAIL("version 2 payload: %zu revisions",
		    pl != NULL ? pl->nrevs : 0);
	bundle_payload_free(pl);
	/* Import, then the file back from office.db. */
	snprintf(p, sizeof(p), "%s/office.db", ts_tmpdir("golden-v2"));
	ST_EQ(odb_create(p, o.pub.office_id, &err), DS_OK, &err);
	ST_EQ(odb_open(p, o.sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		goto done;
	cry_fingerprint(h.device_pk, fpr);
	ST_EQ(imp_enroll(db, o.sec, NULL, (unsigned char *)b, n, fpr, "v2",
	    NULL, NULL, &(struct odb_device){ 0 }, NULL, &err), DS_OK, &err);
	ST_EQ(imp_bundle(db, o.sec, (unsigned char *)b, n, &res, &err), DS_OK,
	    &err);
	imp_result_free(&res);
	{
		unsigned char rid[16] = { 0x5e };

		rid[15] = 1;
		ST_EQ(odb_attach_get(db, rid, V2_PHOTO, &f, &fn, &err), DS_OK,
		    &err);
		OK(fn == sizeof(v2_photo) && f != NULL &&
		    memcmp(f, v2_photo, fn) == 0);
		ds_free(f);
		rid[15] = 2;
		ST_EQ(odb_attach_get(db, rid, V2_PHOTO, &f, &fn, &err),
		    DS_ENOENT, &err);
	}
	/* Every byte of the payload is signed: change one, refused. */
	for (i = h.header_len + 40; i < n - 64; i += 97) {
		b[i] ^= 0x20;
		OK(bundle_verify((unsigned char *)b, n, &h, &why, NULL) !=
		    DS_OK && why == BR_SIGNATURE);
		b[i] ^= 0x20;
	}
done:
	odb_close(db);
	sf_office_free(&o);
	ds_free(b);
}

static void
test_golden_bundle_verifies_and_decrypts(void)
{
	static struct receipt rc, rc2;
	struct cry_office_pub pub;
	struct cry_office_sec *sec = NULL;
	struct bundle_header h;
	struct bundle_payload *pl = NULL;
	struct imp_result res;
	struct odb *db = NULL;
	struct ds_err err;
	char p[700], *b = NULL, *r = NULL;
	size_t n = 0, rn = 0;
	int why;

	path(p, sizeof(p), "tests/sync/office/office-public.key");
	ST_EQ(cry_office_pub_read(p, &pub, &err), DS_OK, &err);
	path(p, sizeof(p), "tests/sync/office/office-secret.key");
	ST_EQ(cry_office_sec_read(p, &sec, &err), DS_OK, &err);
	path(p, sizeof(p), "tests/sync/golden.dsb");
	ST_EQ(ds_file_read(p, BUNDLE_FILE_MAX, &b, &n, &err), DS_OK, &err);
	path(p, sizeof(p), "tests/sync/golden.rcpt");
	ST_EQ(ds_file_read(p, RECEIPT_FILE_MAX, &r, &rn, &err), DS_OK, &err);
	if (sec == NULL || b == NULL || r == NULL)
		goto done;
	ST_EQ(bundle_parse_header((unsigned char *)b, n, &h, &why, &err),
	    DS_OK, &err);
	INT_EQ(h.record_count, 3);
	INT_EQ(h.chunk_size, 256);
	OK(h.chunk_count >= 1);
	ST_EQ(bundle_verify((unsigned char *)b, n, &h, &why, &err), DS_OK,
	    &err);
	ST_EQ(bundle_open((unsigned char *)b, n, &h, sec, &pl, &why, &err),
	    DS_OK, &err);
	if (pl != NULL) {
		INT_EQ(pl->nrevs, 3);
		INT_EQ(pl->revs[2].rev_no, 2);
		OK(memcmp(pl->revs[2].parent_rev_id, pl->revs[0].rev_id, 16) ==
		    0);
		OK(pl->revs[1].answers.n > 20 && memcmp(pl->revs[1].answers.p,
		    "{\"hh_id\":\"HH000002\"", 19) == 0);
	}
	bundle_payload_free(pl);
	/* The committed receipt verifies with the office key. */
	ST_EQ(receipt_open((unsigned char *)r, rn, &pub, &rc, &err), DS_OK,
	    &err);
	INT_EQ(rc.status, RS_IMPORTED);
	INT_EQ(rc.n_new, 3);
	INT_EQ(rc.contiguous, 3);
	OK(memcmp(rc.bundle_id, h.bundle_id, 16) == 0);
	/* A fresh office import reproduces it byte for byte. */
	snprintf(p, sizeof(p), "%s/office.db", ts_tmpdir("golden"));
	ST_EQ(odb_create(p, pub.office_id, &err), DS_OK, &err);
	ST_EQ(odb_open(p, sec, &db, &err), DS_OK, &err);
	if (db == NULL)
		goto done;
	{
		char fpr[CRY_FPR_TEXT];

		cry_fingerprint(h.device_pk, fpr);
		ST_EQ(imp_enroll(db, sec, NULL, (unsigned char *)b, n, fpr,
		    "golden", NULL, NULL, &(struct odb_device){ 0 }, NULL,
		    &err), DS_OK, &err);
	}
	ST_EQ(imp_bundle(db, sec, (unsigned char *)b, n, &res, &err), DS_OK,
	    &err);
	INT_EQ(res.receipt_len, rn);
	OK(res.receipt_len == rn && memcmp(res.receipt, r, rn) == 0);
	ST_EQ(receipt_open(res.receipt, res.receipt_len, &pub, &rc2, &err),
	    DS_OK, &err);
	imp_result_free(&res);
done:
	odb_close(db);
	cry_office_sec_free(sec);
	ds_free(b);
	ds_free(r);
}

int
main(void)
{
	const char *t = getenv("DS_TOP"), *w = getenv("DS_WRITE_GOLDEN");

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", NOW, 1);
	snprintf(top, sizeof(top), "%s", t != NULL ? t : ".");
	if (w != NULL && strcmp(w, "1") == 0)
		write_golden();
	if (w != NULL && strcmp(w, "v2") == 0)
		write_golden_v2();
	RUN(test_golden_bundle_verifies_and_decrypts);
	RUN(test_golden_v2_carries_files);
	return harness_done();
}
