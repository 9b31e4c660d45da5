/* doorstep: the office bundle and device note formats, golden vectors. */
/*
 * tests/sync/golden.dso is an office bundle made by the test office
 * (tests/sync/office/) for the test device (tests/sync/device/), and
 * tests/sync/golden.dsn that device's note saying it applied it.  The
 * bundle must parse, be for that device, verify with the office key,
 * decrypt with the device box key to exactly the payload the serializer
 * makes of the expected items (byte for byte), and the note must come out
 * byte for byte when built again from its fields (Ed25519 is
 * deterministic).  DS_WRITE_GOLDEN=1 writes new device keys, both files
 * and the fuzz seeds (then review and commit them: a format change is a
 * version bump).  Then: every single-byte change is refused, wrong keys
 * are refused, and the payload and entry rules are strict.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "buf.h"
#include "cry_bundle.h"
#include "dnote.h"
#include "json.h"
#include "mem.h"
#include "obundle.h"
#include "util.h"

#define NOW		1763880000
#define DEV_KEY_FILE	"tests/sync/device/device.key"
#define DEV_KEY_HEAD	"doorstep test device v1\n"

static char top[512];

static void
path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", top, rel);
}

/* The test device: id, signing key, box key. */
struct tdev {
	unsigned char		 id[CRY_ID_BYTES];
	struct cry_signkey	*sign;
	struct cry_boxkey	*box;
};

static void
tdev_free(struct tdev *d)
{
	cry_signkey_free(d->sign);
	cry_boxkey_free(d->box);
	memset(d, 0, sizeof(*d));
}

static int
tdev_read(struct tdev *d)
{
	unsigned char ssk[CRY_SIGN_SK_BYTES], bsk[CRY_BOX_SK_BYTES];
	char p[700], *t = NULL, id[33], s1[129], s2[65];
	size_t n;
	int rc = -1;

	memset(d, 0, sizeof(*d));
	path(p, sizeof(p), DEV_KEY_FILE);
	if (ds_file_read(p, 4096, &t, &n, NULL) != DS_OK)
		return -1;
	if (strncmp(t, DEV_KEY_HEAD, strlen(DEV_KEY_HEAD)) == 0 &&
	    sscanf(t + strlen(DEV_KEY_HEAD), "device-id %32s\nsign-secret "
	    "%128s\nbox-secret %64s\n", id, s1, s2) == 3 &&
	    ds_hex_decode(id, d->id, sizeof(d->id)) == 0 &&
	    ds_hex_decode(s1, ssk, sizeof(ssk)) == 0 &&
	    ds_hex_decode(s2, bsk, sizeof(bsk)) == 0 &&
	    cry_signkey_from_sk(ssk, &d->sign, NULL) == DS_OK &&
	    cry_boxkey_from_sk(bsk, &d->box, NULL) == DS_OK)
		rc = 0;
	cry_wipe(ssk, sizeof(ssk));
	cry_wipe(bsk, sizeof(bsk));
	cry_wipe(t, n);
	ds_free(t);
	return rc;
}

static void
tdev_write(void)
{
	struct tdev d;
	char p[700], id[33], s1[129], s2[65], text[512];

	memset(&d, 0, sizeof(d));
	memset(d.id, 0x5e, sizeof(d.id));
	d.id[0] = 0x01;
	if (cry_signkey_new(&d.sign, NULL) != DS_OK ||
	    cry_boxkey_new(&d.box, NULL) != DS_OK)
		abort();
	ds_hex_encode(d.id, sizeof(d.id), id);
	ds_hex_encode(d.sign->sk, CRY_SIGN_SK_BYTES, s1);
	ds_hex_encode(d.box->sk, CRY_BOX_SK_BYTES, s2);
	snprintf(text, sizeof(text), "%sdevice-id %s\nsign-secret %s\n"
	    "box-secret %s\n", DEV_KEY_HEAD, id, s1, s2);
	path(p, sizeof(p), "tests/sync/device");
	ds_mkdir_p(p, 0755, NULL);
	path(p, sizeof(p), DEV_KEY_FILE);
	if (ds_file_write_atomic(p, text, strlen(text), 0644, NULL) != DS_OK)
		abort();
	tdev_free(&d);
}

static struct bundle_bytes
bb(const char *s)
{
	struct bundle_bytes b;

	b.p = (const unsigned char *)s;
	b.n = strlen(s);
	return b;
}

static const char form_md[] =
    "| survey | type | name | label | carry |\n"
    "| | text | hh_id | Household |  |\n"
    "| | select_one_from_file villages.csv | village | Village | yes |\n"
    "| settings | form_id | version | household_key |\n"
    "| | tiny | 2026120701 | hh_id |\n";
static const char villages_csv[] = "name,label\nv1,一村\nv2,二村\n";

#define E1 "0101010101010101010101010101aa01"
#define E2 "0101010101010101010101010101aa02"
#define E3 "0101010101010101010101010101aa03"

static const char entry1[] =
    "{\"clue\":{\"amount\":12000,\"channel\":\"dept_warning\",\"date\":"
    "\"2026-11-28\",\"reason\":\"住院自付费用高\",\"source\":\"医保局\"},"
    "\"consent\":{\"date\":\"2026-03-02\",\"method\":\"signed\","
    "\"record_code\":\"260302-a1b2\"},\"due\":\"2026-12-20\",\"entry\":\""
    E1 "\",\"form_id\":\"tiny\",\"form_ver\":\"2026120701\","
    "\"head_name\":\"张三\",\"hh_key\":\"340102001001\",\"prev\":{\"hh_id\":"
    "\"340102001001\",\"village\":\"v1\"},\"prev_rev\":"
    "\"0202020202020202020202020202bb01\",\"reason\":\"clue\","
    "\"township\":\"340102\",\"vgroup\":\"3401020010\",\"village\":"
    "\"340102001\",\"village_name\":\"一村\",\"worker\":\"王五\"}";
static const char entry2[] =
    "{\"clue\":null,\"consent\":null,\"due\":\"2027-01-31\",\"entry\":\""
    E2 "\",\"form_id\":\"tiny\",\"form_ver\":\"2026120701\","
    "\"head_name\":\"\",\"hh_key\":\"340102001002\",\"prev\":null,"
    "\"prev_rev\":null,\"reason\":\"routine\",\"township\":\"340102\","
    "\"vgroup\":\"\",\"village\":\"340102001\",\"village_name\":\"\","
    "\"worker\":\"\"}";

/* The golden items: a form with one list, two entries, a withdrawal. */
static size_t
golden_items(struct obundle_item *v)
{
	memset(v, 0, 5 * sizeof(*v));
	v[0].kind = OBI_FILE;
	v[0].form_id = bb("tiny");
	v[0].form_ver = bb("2026120701");
	v[0].name = bb("tiny.md");
	v[0].role = OB_ROLE_FORM;
	v[0].data = bb(form_md);
	v[1] = v[0];
	v[1].name = bb("villages.csv");
	v[1].role = OB_ROLE_LIST;
	v[1].data = bb(villages_csv);
	v[2].kind = OBI_ENTRY;
	ds_hex_decode(E1, v[2].entry_id, 16);
	v[2].data = bb(entry1);
	v[3].kind = OBI_ENTRY;
	ds_hex_decode(E2, v[3].entry_id, 16);
	v[3].data = bb(entry2);
	v[4].kind = OBI_WITHDRAW;
	ds_hex_decode(E3, v[4].entry_id, 16);
	v[4].data = bb("household moved away");
	return 5;
}

static void
golden_meta(struct obundle_meta *m, const struct tdev *d)
{
	memset(m, 0, sizeof(*m));
	memcpy(m->device_id, d->id, 16);
	memcpy(m->box_pk, d->box->pk, 32);
	m->seq = 1;
	m->created_at = NOW;
	m->chunk_size = 256;
}

static void
golden_note(struct dnote *n, const struct tdev *d,
    const struct cry_office_pub *pub, const unsigned char hash[32])
{
	memset(n, 0, sizeof(*n));
	memcpy(n->device_id, d->id, 16);
	memcpy(n->office_id, pub->office_id, 16);
	memcpy(n->sign_pk, d->sign->pk, 32);
	memcpy(n->box_pk, d->box->pk, 32);
	n->applied_seq = 1;
	memcpy(n->applied_hash, hash, 32);
	n->created_at = NOW;
}

static int
office_read(struct cry_office_pub *pub, struct cry_office_sec **sec)
{
	char p[700];

	path(p, sizeof(p), "tests/sync/office/office-public.key");
	if (cry_office_pub_read(p, pub, NULL) != DS_OK)
		return -1;
	path(p, sizeof(p), "tests/sync/office/office-secret.key");
	return cry_office_sec_read(p, sec, NULL) == DS_OK ? 0 : -1;
}

static void
write_golden(void)
{
	struct cry_office_pub pub;
	struct cry_office_sec *sec = NULL;
	struct obundle_item it[5];
	struct obundle_meta m;
	struct ds_buf pl;
	struct dnote n;
	struct tdev d;
	unsigned char id[16], h[32], note[DNOTE_LEN], *b = NULL;
	size_t len, ni;

	tdev_write();
	if (tdev_read(&d) != 0 || office_read(&pub, &sec) != 0)
		abort();
	ni = golden_items(it);
	golden_meta(&m, &d);
	if (obundle_build(&m, it, ni, sec, id, &b, &len, NULL) != DS_OK)
		abort();
	sf_write(top, "tests/sync/golden.dso", b, len);
	sf_write(top, "tests/fuzz/corpus/fuzz_obundle/golden.dso", b, len);
	obundle_hash(b, len, h);
	golden_note(&n, &d, &pub, h);
	if (dnote_build(&n, d.sign, note, NULL) != DS_OK)
		abort();
	sf_write(top, "tests/sync/golden.dsn", note, sizeof(note));
	/* Seeds: 'n' note, 'p' payload (the fuzzer's first byte picks). */
	{
		unsigned char s[1 + DNOTE_LEN];

		s[0] = 'n';
		memcpy(s + 1, note, DNOTE_LEN);
		sf_write(top, "tests/fuzz/corpus/fuzz_obundle/golden-note", s,
		    sizeof(s));
	}
	ds_buf_init(&pl, 1u << 20);
	if (ds_buf_addc(&pl, 'p') != DS_OK ||
	    obundle_payload_make(it, ni, &pl, NULL) != DS_OK)
		abort();
	sf_write(top, "tests/fuzz/corpus/fuzz_obundle/golden-payload",
	    (unsigned char *)pl.p, pl.len);
	ds_buf_reset(&pl);
	ds_free(b);
	tdev_free(&d);
	cry_office_sec_free(sec);
	printf("# golden office bundle and note written under %s/tests/sync\n",
	    top);
}

/* Shared state: the committed files and keys. */
static struct cry_office_pub G_pub;
static struct cry_office_sec *G_sec;
static struct tdev G_dev;
static unsigned char *G_dso;
static size_t G_dso_len;

static int
load_golden(void)
{
	char p[700], *b = NULL;

	if (office_read(&G_pub, &G_sec) != 0 || tdev_read(&G_dev) != 0)
		return -1;
	path(p, sizeof(p), "tests/sync/golden.dso");
	if (ds_file_read(p, OBUNDLE_FILE_MAX, &b, &G_dso_len, NULL) != DS_OK)
		return -1;
	G_dso = (unsigned char *)b;
	return 0;
}

/* The whole laptop reading order, up to the payload; the reason. */
static int
read_all(const unsigned char *b, size_t len, const struct cry_boxkey *box,
    struct obundle_payload **out)
{
	struct obundle_header h;
	int why = -1;

	*out = NULL;
	if (obundle_parse_header(b, len, &h, &why, NULL) != DS_OK ||
	    obundle_check_for(&h, G_dev.id, &G_pub, box->pk, &why, NULL) !=
	    DS_OK ||
	    obundle_verify(b, len, &h, G_pub.sign_pk, &why, NULL) != DS_OK ||
	    obundle_open(b, len, &h, box, out, &why, NULL) != DS_OK)
		return why;
	return OB_OK;
}

static void
test_golden_dso(void)
{
	struct obundle_item it[5];
	struct obundle_header h;
	struct obundle_payload *pl = NULL;
	struct ds_err err;
	struct ds_buf want;
	unsigned char kid[8];
	size_t ni;
	int why;

	ST_EQ(obundle_parse_header(G_dso, G_dso_len, &h, &why, &err), DS_OK,
	    &err);
	INT_EQ(h.seq, 1);
	INT_EQ(h.chunk_size, 256);
	INT_EQ(h.created_at, NOW);
	OK(h.chunk_count >= 2);	/* the chunking is exercised */
	OK(memcmp(h.device_id, G_dev.id, 16) == 0);
	OK(memcmp(h.office_id, G_pub.office_id, 16) == 0);
	cry_key_id(G_pub.sign_pk, 32, kid);
	OK(memcmp(h.office_kid, kid, 8) == 0);
	cry_key_id(G_dev.box->pk, 32, kid);
	OK(memcmp(h.box_kid, kid, 8) == 0);
	INT_EQ(read_all(G_dso, G_dso_len, G_dev.box, &pl), OB_OK);
	if (pl == NULL)
		return;
	INT_EQ(pl->n, 5);
	INT_EQ(pl->n_files, 2);
	INT_EQ(pl->n_entries, 2);
	INT_EQ(pl->n_withdrawals, 1);
	/* The decrypted payload is exactly what the items serialize to. */
	ni = golden_items(it);
	ds_buf_init(&want, 1u << 20);
	ST_EQ(obundle_payload_make(it, ni, &want, &err), DS_OK, &err);
	INT_EQ(pl->plain_len, want.len);
	OK(pl->plain_len == want.len && memcmp(pl->plain, want.p,
	    want.len) == 0);
	INT_EQ(h.plain_len, want.len);
	ds_buf_reset(&want);
	obundle_payload_free(pl);
}

static void
test_golden_dsn(void)
{
	struct dnote n, got;
	struct ds_err err;
	unsigned char h[32], note[DNOTE_LEN];
	char p[700], *b = NULL;
	size_t len = 0;

	path(p, sizeof(p), "tests/sync/golden.dsn");
	ST_EQ(ds_file_read(p, 4096, &b, &len, &err), DS_OK, &err);
	if (b == NULL)
		return;
	INT_EQ(len, DNOTE_LEN);
	obundle_hash(G_dso, G_dso_len, h);
	golden_note(&n, &G_dev, &G_pub, h);
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	OK(len == DNOTE_LEN && memcmp(note, b, DNOTE_LEN) == 0);
	ST_EQ(dnote_parse((unsigned char *)b, len, &got, &err), DS_OK, &err);
	INT_EQ(got.applied_seq, 1);
	OK(memcmp(got.applied_hash, h, 32) == 0);
	OK(memcmp(got.box_pk, G_dev.box->pk, 32) == 0);
	OK(memcmp(got.device_id, G_dev.id, 16) == 0);
	ds_free(b);
}

/* Every byte changed three ways: never read as valid. */
static void
test_every_byte_change_refused(void)
{
	static const unsigned char flips[] = { 0x01, 0x80, 0xff };
	struct obundle_payload *pl;
	unsigned char *b;
	size_t i, k, bad = 0;
	int why;

	if ((b = ds_malloc(G_dso_len)) == NULL)
		return;
	for (i = 0; i < G_dso_len; i++)
		for (k = 0; k < sizeof(flips); k++) {
			memcpy(b, G_dso, G_dso_len);
			b[i] ^= flips[k];
			why = read_all(b, G_dso_len, G_dev.box, &pl);
			if (why == OB_OK || why <= 0 || why >= OB_COUNT) {
				if (bad++ == 0)
					HARNESS_FAIL("byte %zu ^ %#x: %s", i,
					    flips[k], obundle_reason_name(why));
				obundle_payload_free(pl);
			}
		}
	/* Truncated and extended files too. */
	for (i = 0; i < G_dso_len; i += 7)
		OK(read_all(G_dso, i, G_dev.box, &pl) != OB_OK);
	memcpy(b, G_dso, G_dso_len);
	INT_EQ(read_all(G_dso, G_dso_len - 1, G_dev.box, &pl), OB_LENGTH);
	ds_free(b);
	INT_EQ(bad, 0);
}

/* Header offsets (docs/bundle-format.md, "Office bundle file"). */
#define HOFF_OFFICE	28
#define HOFF_KID	44
#define HOFF_SEQ	76
#define HOFF_PLAIN	128
#define HOFF_COMP	136
#define OB_LEN_MIN	(OBUNDLE_HEADER_LEN + 1 + CRYB_SS_ABYTES + \
			    BUNDLE_TRAILER_BYTES)

static void
le_put(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The reason obundle_parse_header gives the golden bundle with one field
 * of n bytes at off set to v (the signature is not looked at yet). */
static int
header_with(size_t off, uint64_t v, int n)
{
	struct obundle_header h;
	unsigned char *b;
	int why = -1;

	if ((b = ds_malloc(G_dso_len)) == NULL)
		return -1;
	memcpy(b, G_dso, G_dso_len);
	le_put(b + off, v, n);
	(void)obundle_parse_header(b, G_dso_len, &h, &why, NULL);
	ds_free(b);
	return why;
}

/*
 * The header's caps at their edges: the file's size, the sequence, the
 * plaintext and compressed lengths each one inside and one outside; the
 * magic's last byte.
 */
static void
test_header_edges(void)
{
	struct obundle_header h;
	unsigned char *z;
	int why;

	if ((z = ds_calloc(1, OB_LEN_MIN)) == NULL)
		return;
	why = -1;
	(void)obundle_parse_header(z, OB_LEN_MIN - 1, &h, &why, NULL);
	INT_EQ(why, OB_SIZE);
	why = -1;
	(void)obundle_parse_header(z, OB_LEN_MIN, &h, &why, NULL);
	INT_EQ(why, OB_MAGIC);
	ds_free(z);
	/* Only the header is read: the golden bytes stand for bigger files. */
	why = -1;
	(void)obundle_parse_header(G_dso, OBUNDLE_FILE_MAX + 1, &h, &why, NULL);
	INT_EQ(why, OB_SIZE);
	why = -1;
	(void)obundle_parse_header(G_dso, OBUNDLE_FILE_MAX, &h, &why, NULL);
	INT_EQ(why, OB_LENGTH);
	INT_EQ(header_with(5, 'C', 1), OB_MAGIC);	/* "DSOBNC" */
	INT_EQ(header_with(HOFF_SEQ, 0, 8), OB_HEADER);
	INT_EQ(header_with(HOFF_SEQ, INT64_MAX, 8), OB_OK);
	INT_EQ(header_with(HOFF_SEQ, (uint64_t)INT64_MAX + 1, 8), OB_HEADER);
	INT_EQ(header_with(HOFF_PLAIN, 7, 8), OB_HEADER);
	INT_EQ(header_with(HOFF_PLAIN, 8, 8), OB_OK);
	INT_EQ(header_with(HOFF_PLAIN, OBUNDLE_PLAIN_MAX, 8), OB_OK);
	INT_EQ(header_with(HOFF_PLAIN, (uint64_t)OBUNDLE_PLAIN_MAX + 1, 8),
	    OB_HEADER);
	INT_EQ(header_with(HOFF_COMP, 0, 8), OB_HEADER);
	INT_EQ(header_with(HOFF_COMP, 1, 8), OB_LENGTH);
	INT_EQ(header_with(HOFF_COMP, OBUNDLE_FILE_MAX, 8), OB_LENGTH);
	INT_EQ(header_with(HOFF_COMP, (uint64_t)OBUNDLE_FILE_MAX + 1, 8),
	    OB_HEADER);
}

/*
 * Each step of the reading order says OB_OK when it passes (and takes a
 * NULL reason); the office id and the signing key's id are each checked
 * on their own; a refused open leaves no payload; running out of memory
 * while verifying or opening is OB_STORE, never a verdict on the bundle.
 */
static void
test_reasons(void)
{
	struct obundle_header h, x;
	struct obundle_payload *pl = NULL, *sentinel;
	struct cry_boxkey *box2 = NULL;
	struct ds_err err;
	long k;
	int why;

	why = -1;
	ST_EQ(obundle_parse_header(G_dso, G_dso_len, &h, &why, &err), DS_OK,
	    &err);
	INT_EQ(why, OB_OK);
	ST_EQ(obundle_parse_header(G_dso, G_dso_len, &h, NULL, &err), DS_OK,
	    &err);
	why = -1;
	ST_EQ(obundle_check_for(&h, G_dev.id, &G_pub, G_dev.box->pk, &why,
	    &err), DS_OK, &err);
	INT_EQ(why, OB_OK);
	ST_EQ(obundle_check_for(&h, G_dev.id, &G_pub, G_dev.box->pk, NULL,
	    &err), DS_OK, &err);
	x = h;
	x.office_id[15] ^= 1;
	why = -1;
	OK(obundle_check_for(&x, G_dev.id, &G_pub, G_dev.box->pk, &why,
	    NULL) != DS_OK);
	INT_EQ(why, OB_OFFICE);
	x = h;
	x.office_kid[0] ^= 1;
	why = -1;
	OK(obundle_check_for(&x, G_dev.id, &G_pub, G_dev.box->pk, &why,
	    NULL) != DS_OK);
	INT_EQ(why, OB_OFFICE);
	why = -1;
	ST_EQ(obundle_verify(G_dso, G_dso_len, &h, G_pub.sign_pk, &why, &err),
	    DS_OK, &err);
	INT_EQ(why, OB_OK);
	ST_EQ(obundle_verify(G_dso, G_dso_len, &h, G_pub.sign_pk, NULL, &err),
	    DS_OK, &err);
	why = -1;
	ST_EQ(obundle_open(G_dso, G_dso_len, &h, G_dev.box, &pl, &why, &err),
	    DS_OK, &err);
	INT_EQ(why, OB_OK);
	obundle_payload_free(pl);
	pl = NULL;
	ST_EQ(obundle_open(G_dso, G_dso_len, &h, G_dev.box, &pl, NULL, &err),
	    DS_OK, &err);
	obundle_payload_free(pl);
	/* Refused: *out is NULL whatever it held. */
	ST_EQ(cry_boxkey_new(&box2, NULL), DS_OK, NULL);
	sentinel = (struct obundle_payload *)&x;
	pl = sentinel;
	why = -1;
	OK(obundle_open(G_dso, G_dso_len, &h, box2, &pl, &why, NULL) != DS_OK);
	INT_EQ(why, OB_SEAL);
	OK(pl == NULL);
	cry_boxkey_free(box2);
	/* Every allocation of verify and open fails in turn. */
	for (k = 1; k < 10000; k++) {
		enum ds_status st;
		long fired;

		why = -1;
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		st = obundle_verify(G_dso, G_dso_len, &h, G_pub.sign_pk, &why,
		    NULL);
		fired = ds_fault_fired(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
		if (fired == 0)
			break;
		if (st != DS_ENOMEM || why != OB_STORE) {
			HARNESS_FAIL("verify, allocation %ld: %s, why %d", k,
			    ds_status_str(st), why);
			break;
		}
	}
	OK(k > 1);
	for (k = 1; k < 10000; k++) {
		enum ds_status st;
		long fired;

		why = -1;
		pl = NULL;
		ds_fault_arm(DS_FAULT_ALLOC, k, 0);
		st = obundle_open(G_dso, G_dso_len, &h, G_dev.box, &pl, &why,
		    NULL);
		fired = ds_fault_fired(DS_FAULT_ALLOC);
		ds_fault_disarm(DS_FAULT_ALLOC);
		obundle_payload_free(pl);
		if (fired == 0)
			break;
		if (st != DS_ENOMEM || why != OB_STORE) {
			HARNESS_FAIL("open, allocation %ld: %s, why %d", k,
			    ds_status_str(st), why);
			break;
		}
	}
	OK(k > 1);
}

/* Replace the trailer with the office's signature of the rest. */
static void
resign(unsigned char *b, size_t len, const struct cry_signkey *k)
{
	unsigned char h[CRY_HASH_BYTES];

	cry_hash(h, sizeof(h), NULL, 0, b, len - CRY_SIG_BYTES);
	cryb_sign(k, OBUNDLE_SIGN_DOMAIN, h, b + len - CRY_SIG_BYTES);
}

static void
test_wrong_keys(void)
{
	struct obundle_item it[5];
	struct obundle_meta m;
	struct obundle_payload *pl = NULL;
	struct cry_office_sec *other;
	struct cry_boxkey *box2 = NULL;
	unsigned char id[16], kid[8], *b = NULL;
	size_t len, ni;

	ni = golden_items(it);
	golden_meta(&m, &G_dev);
	/* Signed with another key under this office's id and key id. */
	other = cry_secure_alloc(sizeof(*other));
	if (other == NULL)
		return;
	*other = *G_sec;
	{
		struct cry_signkey *k2 = NULL;

		if (cry_signkey_new(&k2, NULL) != DS_OK)
			return;
		memcpy(other->sign.sk, k2->sk, sizeof(k2->sk));
		cry_signkey_free(k2);
	}
	ST_EQ(obundle_build(&m, it, ni, other, id, &b, &len, NULL), DS_OK,
	    NULL);
	INT_EQ(read_all(b, len, G_dev.box, &pl), OB_SIGNATURE);
	ds_free(b);
	cry_secure_free(other);
	/* Sealed to another box key, named as ours, signed by the office. */
	ST_EQ(cry_boxkey_new(&box2, NULL), DS_OK, NULL);
	memcpy(m.box_pk, box2->pk, 32);
	ST_EQ(obundle_build(&m, it, ni, G_sec, id, &b, &len, NULL), DS_OK,
	    NULL);
	INT_EQ(read_all(b, len, G_dev.box, &pl), OB_BOXKEY);
	cry_key_id(G_dev.box->pk, 32, kid);
	memcpy(b + 68, kid, 8);
	resign(b, len, &G_sec->sign);
	INT_EQ(read_all(b, len, G_dev.box, &pl), OB_SEAL);
	ds_free(b);
	cry_boxkey_free(box2);
	/* For another laptop. */
	golden_meta(&m, &G_dev);
	m.device_id[5] ^= 1;
	ST_EQ(obundle_build(&m, it, ni, G_sec, id, &b, &len, NULL), DS_OK,
	    NULL);
	INT_EQ(read_all(b, len, G_dev.box, &pl), OB_DEVICE);
	ds_free(b);
	/* Without TAG_FINAL, signed properly. */
	golden_meta(&m, &G_dev);
	m.test_no_final = 1;
	ST_EQ(obundle_build(&m, it, ni, G_sec, id, &b, &len, NULL), DS_OK,
	    NULL);
	INT_EQ(read_all(b, len, G_dev.box, &pl), OB_TRUNCATED);
	ds_free(b);
}

static void
test_note_wrong_key(void)
{
	struct dnote n, got;
	struct cry_signkey *k2 = NULL;
	unsigned char h[32], note[DNOTE_LEN];
	struct ds_err err;

	obundle_hash(G_dso, G_dso_len, h);
	golden_note(&n, &G_dev, &G_pub, h);
	ST_EQ(cry_signkey_new(&k2, NULL), DS_OK, NULL);
	/* Built with a key that is not the note's: refused at build. */
	ST_EQ(dnote_build(&n, k2, note, &err), DS_EINVAL, &err);
	/* Our key in the note, another key's signature: refused. */
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	{
		unsigned char hh[CRY_HASH_BYTES];

		cry_hash(hh, sizeof(hh), NULL, 0, note, DNOTE_SIGNED_LEN);
		cryb_sign(k2, DNOTE_SIGN_DOMAIN, hh, note + DNOTE_SIGNED_LEN);
	}
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_ECRYPTO, &err);
	/* Every byte change is refused. */
	{
		size_t i, bad = 0;

		ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
		for (i = 0; i < DNOTE_LEN; i++) {
			note[i] ^= 0x20;
			if (dnote_parse(note, sizeof(note), &got, NULL) ==
			    DS_OK)
				bad++;
			note[i] ^= 0x20;
		}
		INT_EQ(bad, 0);
		ST_EQ(dnote_parse(note, sizeof(note) - 1, &got, &err),
		    DS_EPARSE, &err);
	}
	/* Sequence and hash must agree. */
	n.applied_seq = 0;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_EINVAL, &err);
	memset(n.applied_hash, 0, 32);
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_OK, &err);
	INT_EQ(got.applied_seq, 0);
	cry_signkey_free(k2);
}

/* Sign a note's bytes again with its device key, as a device could. */
static void
note_resign(unsigned char note[DNOTE_LEN], const struct cry_signkey *k)
{
	unsigned char hh[CRY_HASH_BYTES];

	cry_hash(hh, sizeof(hh), NULL, 0, note, DNOTE_SIGNED_LEN);
	cryb_sign(k, DNOTE_SIGN_DOMAIN, hh, note + DNOTE_SIGNED_LEN);
}

#define NOTE_OFF_SEQ	104	/* applied_seq, then applied_hash */

/*
 * Every field comes back as built, its high bytes too; the applied
 * sequence and hash agree at their edges (the hash's first and last
 * byte, the largest sequence), in the builder and, signed by the
 * device, in the parser.
 */
static void
test_note_fields(void)
{
	struct dnote n, got;
	unsigned char h[32], note[DNOTE_LEN];
	struct ds_err err;

	obundle_hash(G_dso, G_dso_len, h);
	golden_note(&n, &G_dev, &G_pub, h);
	n.applied_seq = INT64_MAX;
	n.created_at = (int64_t)0x8102030405060708ull;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_OK, &err);
	OK(memcmp(got.device_id, n.device_id, 16) == 0 &&
	    memcmp(got.office_id, n.office_id, 16) == 0 &&
	    memcmp(got.sign_pk, n.sign_pk, 32) == 0 &&
	    memcmp(got.box_pk, n.box_pk, 32) == 0 &&
	    memcmp(got.applied_hash, n.applied_hash, 32) == 0);
	OK(got.applied_seq == (uint64_t)INT64_MAX);
	OK(got.created_at == n.created_at);
	/* One past the largest sequence: refused, built or signed. */
	n.applied_seq = (uint64_t)INT64_MAX + 1;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_EINVAL, &err);
	n.applied_seq = INT64_MAX;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	note[NOTE_OFF_SEQ + 7] = 0x80;
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_EPARSE, &err);
	/* No sequence, and a hash with only its first or last byte set. */
	n.applied_seq = 0;
	memset(n.applied_hash, 0, 32);
	n.applied_hash[0] = 1;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_EINVAL, &err);
	n.applied_hash[0] = 0;
	n.applied_hash[31] = 1;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_EINVAL, &err);
	n.applied_seq = 1;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	memset(note + NOTE_OFF_SEQ, 0, 8);
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_EPARSE, &err);
	n.applied_hash[31] = 0;
	n.applied_hash[0] = 1;
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	memset(note + NOTE_OFF_SEQ, 0, 8);
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_EPARSE, &err);
	/* Another magic (its last byte) or version, signed by the device. */
	ST_EQ(dnote_build(&n, G_dev.sign, note, &err), DS_OK, &err);
	note[5] ^= 1;
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_EPARSE, &err);
	note[5] ^= 1;
	note[6] = DNOTE_VERSION + 1;
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_EPARSE, &err);
	note[6] = DNOTE_VERSION;
	note_resign(note, G_dev.sign);
	ST_EQ(dnote_parse(note, sizeof(note), &got, &err), DS_OK, &err);
}

/* Build a payload of items and parse it; the status. */
static enum ds_status
parse_items(const struct obundle_item *v, size_t n, const char **msg)
{
	static struct ds_err err;
	struct obundle_payload *pl = NULL;
	struct ds_buf b;
	unsigned char *copy;
	enum ds_status st;

	ds_buf_init(&b, 1u << 22);
	if ((st = obundle_payload_make(v, n, &b, &err)) != DS_OK ||
	    (copy = ds_malloc(b.len + 1)) == NULL) {
		*msg = err.msg;
		ds_buf_reset(&b);
		return st != DS_OK ? st : DS_ENOMEM;
	}
	memcpy(copy, b.p, b.len);
	st = obundle_payload_parse(copy, b.len, &pl, &err);
	*msg = err.msg;
	obundle_payload_free(pl);
	ds_buf_reset(&b);
	return st;
}

static void
test_payload_rules(void)
{
	struct obundle_item v[6], w[6];
	const char *msg = "";
	char json[2048];

	golden_items(v);
	ST_EQ(parse_items(v, 5, &msg), DS_OK, NULL);
	/* Two form files for one version; none; split runs; a bad name. */
	memcpy(w, v, sizeof(w));
	w[1].role = OB_ROLE_FORM;
	w[1].name = bb("villages.md");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	memcpy(w, v, sizeof(w));
	w[0].role = OB_ROLE_LIST;
	w[0].name = bb("a.csv");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	memcpy(w, v, sizeof(w));
	w[4] = v[1];
	w[1] = v[4];
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	OK(strstr(msg, "together") != NULL);
	memcpy(w, v, sizeof(w));
	w[1].name = bb("../villages.csv");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	w[1].name = bb(".villages.csv");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	w[1].name = bb("villages.txt");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	/* An entry twice, or sent and withdrawn in one bundle. */
	memcpy(w, v, sizeof(w));
	memcpy(w[4].entry_id, w[2].entry_id, 16);
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	OK(strstr(msg, "twice") != NULL);
	/* Entry id in the JSON differs from the item's. */
	memcpy(w, v, sizeof(w));
	w[2].entry_id[15] ^= 1;
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	/* Entry JSON: an unknown key, a missing key, a bad date, reason. */
	memcpy(w, v, sizeof(w));
	snprintf(json, sizeof(json), "%.*s,\"extra\":1}",
	    (int)strlen(entry2) - 1, entry2);
	w[3].data = bb(json);
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	OK(strstr(msg, "keys") != NULL);
	w[3].data = bb("{\"entry\":\"" E2 "\"}");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	{
		const char *p = strstr(entry2, "2027-01-31");
		size_t off = (size_t)(p - entry2);

		snprintf(json, sizeof(json), "%s", entry2);
		memcpy(json + off, "2027-02-29", 10);
		w[3].data = bb(json);
		INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
		memcpy(json + off, "2028-02-29", 10);
		ST_EQ(parse_items(w, 5, &msg), DS_OK, NULL);
		p = strstr(json, "routine");
		memcpy(json + (p - json), "rOutine", 7);
		INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	}
	/* A withdrawal reason with a control character; an empty file. */
	memcpy(w, v, sizeof(w));
	w[4].data = bb("moved\naway");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	memcpy(w, v, sizeof(w));
	w[1].data = bb("");
	INT_EQ(parse_items(w, 5, &msg), DS_EPARSE);
	/* An unknown kind cannot even be serialized. */
	memcpy(w, v, sizeof(w));
	w[4].kind = 9;
	INT_EQ(parse_items(w, 5, &msg), DS_EINVAL);
}

static void
test_payload_bytes(void)
{
	struct obundle_payload *pl = NULL;
	struct obundle_item v[5];
	struct ds_buf b;
	unsigned char *c;
	size_t i, ok = 0;

	golden_items(v);
	ds_buf_init(&b, 1u << 20);
	if (obundle_payload_make(v, 5, &b, NULL) != DS_OK)
		return;
	/* Trailing bytes, a bad count, every truncation: refused. */
	for (i = 0; i <= b.len + 1; i++) {
		if ((c = ds_malloc(b.len + 2)) == NULL)
			break;
		memcpy(c, b.p, b.len);
		c[b.len] = 0;
		if (obundle_payload_parse(c, i, &pl, NULL) == DS_OK) {
			ok++;
			obundle_payload_free(pl);
		}
	}
	INT_EQ(ok, 1);
	b.p[4] = 6;
	if ((c = ds_malloc(b.len)) != NULL) {
		memcpy(c, b.p, b.len);
		OK(obundle_payload_parse(c, b.len, &pl, NULL) == DS_EPARSE);
	}
	ds_buf_reset(&b);
}

static void
test_build_refuses_bad_items(void)
{
	struct obundle_item v[5];
	struct obundle_meta m;
	struct ds_err err;
	unsigned char id[16], *b = NULL;
	size_t len;

	golden_items(v);
	golden_meta(&m, &G_dev);
	v[3].data = bb("{}");
	ST_EQ(obundle_build(&m, v, 5, G_sec, id, &b, &len, &err), DS_EINVAL,
	    &err);
	OK(b == NULL);
	golden_items(v);
	m.seq = 2;	/* seq 2 needs the previous bundle's hash */
	ST_EQ(obundle_build(&m, v, 5, G_sec, id, &b, &len, &err), DS_EINVAL,
	    &err);
	m.prev_hash[0] = 1;
	ST_EQ(obundle_build(&m, v, 5, G_sec, id, &b, &len, &err), DS_OK, &err);
	ds_free(b);
}

int
main(void)
{
	const char *t = getenv("DS_TOP"), *w = getenv("DS_WRITE_GOLDEN");

	ds_json_init();
	snprintf(top, sizeof(top), "%s", t != NULL ? t : ".");
	if (w != NULL && strcmp(w, "1") == 0)
		write_golden();
	if (load_golden() != 0) {
		printf("not ok load_golden: cannot read the golden files or "
		    "keys under %s/tests/sync\n", top);
		return 1;
	}
	RUN(test_golden_dso);
	RUN(test_golden_dsn);
	RUN(test_every_byte_change_refused);
	RUN(test_wrong_keys);
	RUN(test_header_edges);
	RUN(test_reasons);
	RUN(test_note_wrong_key);
	RUN(test_note_fields);
	RUN(test_payload_rules);
	RUN(test_payload_bytes);
	RUN(test_build_refuses_bad_items);
	tdev_free(&G_dev);
	cry_office_sec_free(G_sec);
	ds_free(G_dso);
	return harness_done();
}
