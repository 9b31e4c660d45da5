/* doorstep: tests for the crypto layer (cry.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"

#include "cry.h"
#include "mem.h"
#include "util.h"

static const char *tmpdir;

static void
test_sign_hash_verifies_and_rejects_changes(void)
{
	struct cry_signkey *k = NULL, *k2 = NULL;
	unsigned char h[CRY_HASH_BYTES], sig[CRY_SIG_BYTES];
	struct ds_err err;

	ST_EQ(cry_signkey_new(&k, &err), DS_OK, &err);
	cry_random(h, sizeof(h));
	cry_sign_hash(k, h, sig);
	ST_EQ(cry_verify_hash(k->pk, h, sig, &err), DS_OK, &err);
	h[5] ^= 1;
	ST_EQ(cry_verify_hash(k->pk, h, sig, &err), DS_ECRYPTO, &err);
	h[5] ^= 1;
	sig[0] ^= 0x80;
	ST_EQ(cry_verify_hash(k->pk, h, sig, &err), DS_ECRYPTO, &err);
	/* A key rebuilt from its secret half signs the same way. */
	ST_EQ(cry_signkey_from_sk(k->sk, &k2, &err), DS_OK, &err);
	OK(memcmp(k2->pk, k->pk, sizeof(k->pk)) == 0);
	cry_signkey_free(k);
	cry_signkey_free(k2);
}

static void
test_office_create_and_read_back(void)
{
	char dir[512], path[600], p2[600];
	struct cry_office_pub pub, pub2;
	struct cry_office_sec *sec = NULL;
	struct cry_office_rec *rec = NULL;
	struct ds_err err;
	struct stat sb;
	unsigned char id[CRY_KEYID_BYTES], h[CRY_HASH_BYTES], sig[64];
	unsigned char msg[32], box[32 + CRY_SEAL_OVERHEAD], back[32];

	snprintf(dir, sizeof(dir), "%s/office", tmpdir);
	mkdir(dir, 0700);
	ST_EQ(cry_office_create(dir, &pub, &err), DS_OK, &err);
	snprintf(path, sizeof(path), "%s/%s", dir, CRY_OFFICE_PUB_FILE);
	ST_EQ(cry_office_pub_read(path, &pub2, &err), DS_OK, &err);
	OK(memcmp(&pub, &pub2, sizeof(pub)) == 0);
	OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0644);
	snprintf(path, sizeof(path), "%s/%s", dir, CRY_OFFICE_SEC_FILE);
	OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	ST_EQ(cry_office_sec_read(path, &sec, &err), DS_OK, &err);
	snprintf(p2, sizeof(p2), "%s/%s", dir, CRY_OFFICE_REC_FILE);
	OK(stat(p2, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	ST_EQ(cry_office_rec_read(p2, &rec, &err), DS_OK, &err);
	if (sec == NULL || rec == NULL)
		return;
	OK(memcmp(sec->office_id, pub.office_id, 16) == 0);
	OK(memcmp(sec->box_pk, pub.box_pk, 32) == 0);
	OK(memcmp(sec->sign.pk, pub.sign_pk, 32) == 0);
	OK(memcmp(rec->recovery_pk, pub.recovery_pk, 32) == 0);
	/* The keys work together: sign with secret, verify with public. */
	cry_random(h, sizeof(h));
	cry_sign_hash(&sec->sign, h, sig);
	ST_EQ(cry_verify_hash(pub.sign_pk, h, sig, &err), DS_OK, &err);
	cry_random(msg, sizeof(msg));
	ST_EQ(cry_seal(box, msg, sizeof(msg), pub.recovery_pk, &err), DS_OK,
	    &err);
	ST_EQ(cry_seal_open(back, box, sizeof(box), rec->recovery_pk,
	    rec->recovery_sk, &err), DS_OK, &err);
	OK(memcmp(back, msg, sizeof(msg)) == 0);
	/* Not to the box key. */
	ST_EQ(cry_seal_open(back, box, sizeof(box), sec->box_pk, sec->box_sk,
	    &err), DS_ECRYPTO, &err);
	cry_key_id(pub.box_pk, 32, id);
	OK(memcmp(id, "\0\0\0\0\0\0\0\0", 8) != 0);
	/* A second create refuses to overwrite. */
	ST_EQ(cry_office_create(dir, NULL, &err), DS_EEXIST, &err);
	OK(strstr(err.msg, "already exists") != NULL);
	cry_office_sec_free(sec);
	cry_office_rec_free(rec);
}

/* Write text to a file and try to parse it as a public key file. */
static enum ds_status
pub_from(const char *text, struct ds_err *err)
{
	char path[600];
	struct cry_office_pub pub;

	snprintf(path, sizeof(path), "%s/bad.key", tmpdir);
	unlink(path);
	if (ds_file_write_atomic(path, text, strlen(text), 0600, err) != DS_OK)
		return DS_EIO;
	return cry_office_pub_read(path, &pub, err);
}

static void
test_office_pub_parser_is_strict(void)
{
	char good[CRY_OFFICE_PUB_TEXT_MAX], bad[1024];
	struct cry_office_pub pub;
	struct ds_err err;
	char *p;

	cry_random(&pub, sizeof(pub));
	cry_office_pub_text(&pub, good);
	ST_EQ(pub_from(good, &err), DS_OK, &err);
	/* wrong header */
	snprintf(bad, sizeof(bad), "x%s", good);
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "not a 'doorstep office public key v1' file"));
	/* duplicate key */
	snprintf(bad, sizeof(bad), "%s%s", good, strchr(good, '\n') + 1);
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "given twice") != NULL);
	/* missing trailing newline */
	snprintf(bad, sizeof(bad), "%s", good);
	bad[strlen(bad) - 1] = '\0';
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	/* short hex */
	snprintf(bad, sizeof(bad), "%s", good);
	p = strstr(bad, "\nbox ") + 5;
	memmove(p, p + 1, strlen(p));
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "'box' must be 64 hex digits") != NULL);
	/* non-hex */
	snprintf(bad, sizeof(bad), "%s", good);
	p = strstr(bad, "\nsign ") + 6;
	*p = 'g';
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	/* missing field */
	snprintf(bad, sizeof(bad), "%s", good);
	*strstr(bad, "recovery ") = '\0';
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "'recovery' missing") != NULL);
	/* unknown key */
	snprintf(bad, sizeof(bad), "%sextra 00\n", good);
	ST_EQ(pub_from(bad, &err), DS_EPARSE, &err);
	ST_EQ(pub_from("", &err), DS_EPARSE, &err);
}

static void
test_aead_binds_ad_and_key(void)
{
	unsigned char key[32], key2[32], ct[5 + CRY_AEAD_OVERHEAD], pt[5];
	unsigned char ct2[sizeof(ct)];

	cry_random(key, sizeof(key));
	cry_random(key2, sizeof(key2));
	cry_aead_seal(ct, (const unsigned char *)"hello", 5,
	    (const unsigned char *)"ad", 2, key);
	INT_EQ(cry_aead_open(pt, ct, sizeof(ct), (const unsigned char *)"ad",
	    2, key), DS_OK);
	OK(memcmp(pt, "hello", 5) == 0);
	INT_EQ(cry_aead_open(pt, ct, sizeof(ct), (const unsigned char *)"ae",
	    2, key), DS_ECRYPTO);
	INT_EQ(cry_aead_open(pt, ct, sizeof(ct), (const unsigned char *)"ad",
	    2, key2), DS_ECRYPTO);
	ct[30] ^= 1;
	INT_EQ(cry_aead_open(pt, ct, sizeof(ct), (const unsigned char *)"ad",
	    2, key), DS_ECRYPTO);
	INT_EQ(cry_aead_open(pt, ct, 10, NULL, 0, key), DS_ECRYPTO);
	/* Fresh nonce every time: same input, different ciphertext. */
	cry_aead_seal(ct, (const unsigned char *)"hello", 5, NULL, 0, key);
	cry_aead_seal(ct2, (const unsigned char *)"hello", 5, NULL, 0, key);
	OK(memcmp(ct, ct2, sizeof(ct)) != 0);
}

/* The synthetic-nonce seal: deterministic, yet no nonce shared across
 * different (key, ad, plaintext). */
static void
test_aead_det_repeats_only_identical_input(void)
{
	unsigned char key[32], key2[32], a[3 + CRY_AEAD_OVERHEAD];
	unsigned char b[sizeof(a)], pt[3];

	cry_random(key, sizeof(key));
	cry_random(key2, sizeof(key2));
	cry_aead_seal_det(a, (const unsigned char *)"abc", 3,
	    (const unsigned char *)"ad", 2, key);
	cry_aead_seal_det(b, (const unsigned char *)"abc", 3,
	    (const unsigned char *)"ad", 2, key);
	OK(memcmp(a, b, sizeof(a)) == 0);
	INT_EQ(cry_aead_open(pt, a, sizeof(a), (const unsigned char *)"ad", 2,
	    key), DS_OK);
	OK(memcmp(pt, "abc", 3) == 0);
	INT_EQ(cry_aead_open(pt, a, sizeof(a), (const unsigned char *)"ae", 2,
	    key), DS_ECRYPTO);
	cry_aead_seal_det(b, (const unsigned char *)"abd", 3,
	    (const unsigned char *)"ad", 2, key);
	OK(memcmp(a, b, CRY_AEAD_NONCE_BYTES) != 0);
	cry_aead_seal_det(b, (const unsigned char *)"abc", 3,
	    (const unsigned char *)"ae", 2, key);
	OK(memcmp(a, b, CRY_AEAD_NONCE_BYTES) != 0);
	cry_aead_seal_det(b, (const unsigned char *)"abc", 3,
	    (const unsigned char *)"ad", 2, key2);
	OK(memcmp(a, b, CRY_AEAD_NONCE_BYTES) != 0);
	/* The AD length is hashed: ("ad", "abc") is not ("a", "dabc"). */
	cry_aead_seal_det(a, (const unsigned char *)"c", 1,
	    (const unsigned char *)"ab", 2, key);
	cry_aead_seal_det(b, (const unsigned char *)"bc", 2,
	    (const unsigned char *)"a", 1, key);
	OK(memcmp(a, b, CRY_AEAD_NONCE_BYTES) != 0);
}

static void
test_pwhash_min_cost_and_bounds(void)
{
	struct cry_kdf_params p;
	unsigned char k1[32], k2[32];
	struct ds_err err;

	ST_EQ(cry_kdf_calibrate(CRY_COST_MIN, 0, &p, &err), DS_OK, &err);
	ST_EQ(cry_pwhash(k1, "pw", 2, &p, &err), DS_OK, &err);
	ST_EQ(cry_pwhash(k2, "pw", 2, &p, &err), DS_OK, &err);
	OK(memcmp(k1, k2, 32) == 0);
	ST_EQ(cry_pwhash(k2, "pX", 2, &p, &err), DS_OK, &err);
	OK(memcmp(k1, k2, 32) != 0);
	p.mem = (uint64_t)1 << 40;
	ST_EQ(cry_pwhash(k2, "pw", 2, &p, &err), DS_EINVAL, &err);
	OK(!cry_kdf_params_ok(0, 8192));
}

/*
 * The bounds a keyring's KDF parameters must keep, at each edge: Argon2id's
 * own limits (ops 1..2^32-1, mem from 8 KiB) and the 4 GiB cap that stops
 * an edited keyring from asking for more memory than a laptop has.
 */
static void
test_kdf_param_edges(void)
{
	const uint64_t gib = (uint64_t)1 << 30, ops_max = 0xffffffffu;

	OK(cry_kdf_params_ok(1, 8192));
	OK(!cry_kdf_params_ok(1, 8191));
	OK(cry_kdf_params_ok(ops_max, 8192));
	OK(!cry_kdf_params_ok(ops_max + 1, 8192));
	OK(cry_kdf_params_ok(2, 4 * gib));
	OK(!cry_kdf_params_ok(2, 4 * gib + 1));
	OK(cry_kdf_params_ok(2, 3 * gib + 1));
	OK(cry_kdf_params_ok(2, 2 * gib + 1));
	OK(!cry_kdf_params_ok(2, 5 * gib));
	OK(!cry_kdf_params_ok(2, 8 * gib));
	OK(!cry_kdf_params_ok(2, UINT64_MAX));
	OK(cry_kdf_below_floor(&(struct cry_kdf_params){ .ops = 2,
	    .mem = CRY_KDF_MEM_FLOOR - 1 }));
	OK(!cry_kdf_below_floor(&(struct cry_kdf_params){ .ops = 2,
	    .mem = CRY_KDF_MEM_FLOOR }));
}

/*
 * Parameters in range that the machine cannot give memory for (a keyring
 * calibrated on a bigger laptop): DS_ENOMEM saying how much, never a key.
 * In a child under a 512 MiB address space limit (not under ASan, whose
 * shadow memory needs far more).
 */
static void
test_pwhash_out_of_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("# not under AddressSanitizer\n");
#else
	struct cry_kdf_params p;
	unsigned char key[32];
	struct ds_err err;
	struct rlimit rl;
	int status = -1;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		rl.rlim_cur = rl.rlim_max = (rlim_t)512 << 20;
		memset(&p, 0, sizeof(p));
		p.ops = 1;
		p.mem = (uint64_t)1 << 30;
		memset(key, 0, sizeof(key));
		ds_err_clear(&err);
		ts_exit(setrlimit(RLIMIT_AS, &rl) != 0 ? 2 :
		    cry_pwhash(key, "pw", 2, &p, &err) != DS_ENOMEM ? 3 :
		    strstr(err.msg, "1024 MiB") == NULL ? 4 : 0);
	}
	OK(pid > 0 && waitpid(pid, &status, 0) == pid);
	OK(WIFEXITED(status));
	INT_EQ(WEXITSTATUS(status), 0);
#endif
}

/* Lines of /proc/self/maps: each mapping of this process. */
static long
map_count(void)
{
	char line[512];
	long n = 0;
	FILE *f;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		n++;
	fclose(f);
	return n;
}

/*
 * Secure memory is given back: sodium_malloc maps pages of its own (the
 * block between guard pages), which ASan does not see, so a free that
 * does not unmap shows as mappings that stay.  cry_secure_live counts
 * the calls.  (Issue 18: the dropped sodium_free survived.)
 */
static void
test_secure_memory_given_back(void)
{
	unsigned char *p[200];
	long before, live = cry_secure_live();
	size_t i;

	before = map_count();
	for (i = 0; i < 200; i++) {
		p[i] = cry_secure_alloc(CRY_KEY_BYTES);
		OK(p[i] != NULL);
	}
	INT_EQ(cry_secure_live() - live, 200);
	OK(map_count() > before + 100);
	for (i = 0; i < 200; i++)
		cry_secure_free(p[i]);
	cry_secure_free(NULL);
	INT_EQ(cry_secure_live(), live);
	OK(map_count() < before + 20);
	ds_fault_arm(DS_FAULT_SECURE, 2, 0);
	p[0] = cry_secure_alloc(1);
	p[1] = cry_secure_alloc(1);
	p[2] = cry_secure_alloc(1);
	ds_fault_disarm(DS_FAULT_SECURE);
	OK(p[0] != NULL && p[1] == NULL && p[2] != NULL);
	INT_EQ(cry_secure_live() - live, 2);
	cry_secure_free(p[0]);
	cry_secure_free(p[2]);
	INT_EQ(cry_secure_live(), live);
}

#if !defined(__SANITIZE_ADDRESS__)
/* This process's address space now, in bytes (0 if unknown). */
static uint64_t
vm_size(void)
{
	char line[256];
	unsigned long long kb = 0;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmSize: %llu kB", &kb) == 1)
			break;
	fclose(f);
	return (uint64_t)kb << 10;
}

/*
 * cry_kdf_calibrate(CRY_COST_DEFAULT, target) in a child whose address
 * space may grow by `room` bytes more (0: no limit): its status and
 * parameters come back through a pipe, and the secure allocations it
 * left behind are counted in the child (the trial key's is given back).
 */
static enum ds_status
calibrate_in(uint64_t room, unsigned target, struct cry_kdf_params *out)
{
	struct {
		enum ds_status		st;
		struct cry_kdf_params	p;
		long			live;
	} r;
	struct ds_err err;
	struct rlimit rl;
	int fd[2], status;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	r.st = DS_EIO;
	if (pipe(fd) != 0)
		return DS_EIO;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fd[0]);
		rl.rlim_cur = rl.rlim_max = (rlim_t)(vm_size() + room);
		r.live = cry_secure_live();
		if (room == 0 || setrlimit(RLIMIT_AS, &rl) == 0)
			r.st = cry_kdf_calibrate(CRY_COST_DEFAULT, target,
			    &r.p, &err);
		r.live = cry_secure_live() - r.live;
		ts_exit(write(fd[1], &r, sizeof(r)) == (ssize_t)sizeof(r) ?
		    0 : 1);
	}
	close(fd[1]);
	if (pid < 0 || read(fd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.st = DS_EIO;
	close(fd[0]);
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	INT_EQ(r.live, 0);
	*out = r.p;
	return r.st;
}
#endif

/*
 * Every calibration draws a fresh salt, at either cost; the default cost
 * without secure memory for its trial key is DS_ENOMEM.
 */
static void
test_calibrate_salt_and_fault(void)
{
	static const unsigned char zero[CRY_SALT_BYTES];
	struct cry_kdf_params p[3];
	struct ds_err err;
	int i;

	ST_EQ(cry_kdf_calibrate(CRY_COST_MIN, 0, &p[0], &err), DS_OK, &err);
	ST_EQ(cry_kdf_calibrate(CRY_COST_MIN, 0, &p[1], &err), DS_OK, &err);
	ds_fault_arm(DS_FAULT_SECURE, 1, 0);
	ST_EQ(cry_kdf_calibrate(CRY_COST_DEFAULT, 1, &p[2], &err), DS_ENOMEM,
	    &err);
	ds_fault_disarm(DS_FAULT_SECURE);
	ST_EQ(cry_kdf_calibrate(CRY_COST_MIN, 0, &p[2], &err), DS_OK, &err);
	for (i = 0; i < 3; i++)
		OK(memcmp(p[i].salt, zero, CRY_SALT_BYTES) != 0 &&
		    memcmp(p[i].salt, p[(i + 1) % 3].salt, CRY_SALT_BYTES) !=
		    0);
}

/*
 * The default cost: 256 MiB, or 128 or 64 MiB where the machine refuses
 * more, never less (then DS_ENOMEM); the passes scaled toward the target
 * time, at least 1 and at most 64.  Memory is refused by an address space
 * limit in a child (not under ASan).
 */
static void
test_calibrate_default(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("# not under AddressSanitizer\n");
#else
	const uint64_t mib = (uint64_t)1 << 20;
	struct cry_kdf_params p;

	/* A target of 1 ms: far below one pass of 256 MiB. */
	ST_EQ(calibrate_in(0, 1, &p), DS_OK, NULL);
	OK(p.mem == 256 * mib);
	INT_EQ((long)p.ops, 1);
	OK(!cry_kdf_below_floor(&p));
	/* A target of days: the cap. */
	ST_EQ(calibrate_in(0, 4000000000u, &p), DS_OK, NULL);
	INT_EQ((long)p.ops, 64);
	OK(p.mem == 256 * mib);
	/* Room for 128 MiB, not 256; then for 64, not 128; then not 64. */
	ST_EQ(calibrate_in(200 * mib, 1, &p), DS_OK, NULL);
	OK(p.mem == 128 * mib);
	ST_EQ(calibrate_in(100 * mib, 1, &p), DS_OK, NULL);
	OK(p.mem == 64 * mib);
	INT_EQ((long)p.ops, 1);
	ST_EQ(calibrate_in(40 * mib, 1, &p), DS_ENOMEM, NULL);
#endif
}

#if !defined(__SANITIZE_ADDRESS__)
static uint64_t fake_ns, fake_step_ns;

/* A clock that moves fake_step_ns between two readings. */
static uint64_t
fake_clock(void)
{
	fake_ns += fake_step_ns;
	return fake_ns;
}

/* Calibrate (64 MiB, in a child) with one trial taking `ns` by the clock. */
static uint64_t
ops_at_ns(uint64_t ns, unsigned target)
{
	const uint64_t mib = (uint64_t)1 << 20;
	struct cry_kdf_params p;

	fake_ns = (uint64_t)1 << 40;
	fake_step_ns = ns;
	cry_kdf_clock(fake_clock);
	memset(&p, 0, sizeof(p));
	ST_EQ(calibrate_in(100 * mib, target, &p), DS_OK, NULL);
	cry_kdf_clock(NULL);
	OK(p.mem == 64 * mib);
	return p.ops;
}

static uint64_t
ops_at(uint64_t ms, unsigned target)
{
	return ops_at_ns(ms * 1000000, target);
}
#endif

/*
 * The default cost's passes, with the trial timed by a clock the test
 * sets (the derivation is the real Argon2id): 3 passes taking `ms` (whole
 * milliseconds, rounded down) give 3 x target / ms passes, the target 1000
 * ms unless given, at least 1 and at most 64.  Two trial times tell the
 * target from 999 and 1001 ms: 60 ms divides 3000 (50 passes, 49 at 999),
 * 91 ms divides 3003 (33 at 1001).
 */
static void
test_calibrate_clock(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("# not under AddressSanitizer\n");
#else
	INT_EQ((long)ops_at(60, 0), 50);
	INT_EQ((long)ops_at(91, 0), 32);
	INT_EQ((long)ops_at(60, 500), 25);
	INT_EQ((long)ops_at(60, 1001), 50);
	INT_EQ((long)ops_at(91, 1001), 33);
	INT_EQ((long)ops_at(1000, 0), 3);
	/* Too fast to measure counts as 1 ms; too slow, one pass. */
	INT_EQ((long)ops_at(0, 0), 64);
	INT_EQ((long)ops_at(0, 20), 60);
	INT_EQ((long)ops_at(1, 20), 60);
	INT_EQ((long)ops_at(46, 0), 64);
	INT_EQ((long)ops_at(47, 0), 63);
	/* Whole milliseconds, rounded down. */
	INT_EQ((long)ops_at_ns(46999999, 0), 64);
	INT_EQ((long)ops_at(3000, 0), 1);
	INT_EQ((long)ops_at(3001, 0), 1);
	INT_EQ((long)ops_at(100000, 0), 1);
#endif
}

/*
 * The fingerprint against values computed apart (Python's hashlib: BLAKE2b
 * keyed with the domain, the first 10 bytes big-endian, mod 10^24), and
 * the match: spaces and dashes anywhere, nothing else, every digit.
 */
static void
test_fingerprint_golden_and_match(void)
{
	static const struct {
		int		 fill;	/* -1: bytes 0..31 */
		const char	*want;
	} g[] = {
		{ -1, "5271 1102 7879 2302 7847 3714" },
		{ 0xff, "1659 3637 6423 0094 7816 7031" },
		{ 0, "9991 1723 5135 2269 6924 8308" },
	};
	unsigned char pk[CRY_SIGN_PK_BYTES];
	char f[CRY_FPR_TEXT], t[64];
	size_t i, j;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		for (j = 0; j < sizeof(pk); j++)
			pk[j] = (unsigned char)(g[i].fill < 0 ? (int)j :
			    g[i].fill);
		memset(f, 'x', sizeof(f));
		cry_fingerprint(pk, f);
		STR_EQ(f, g[i].want);
		OK(cry_fingerprint_match(pk, g[i].want));
	}
	/* pk is the zero key now */
	OK(cry_fingerprint_match(pk, "999117235135226969248308"));
	OK(cry_fingerprint_match(pk, "9991-1723-5135-2269-6924-8308"));
	OK(cry_fingerprint_match(pk, " 9991 1723  5135-2269 6924 8308- "));
	OK(!cry_fingerprint_match(pk, "0991 1723 5135 2269 6924 8308"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 8309"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 830"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 83080"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 8308 9991"));
	OK(!cry_fingerprint_match(pk, "99911723513522696924830 8"
	    "99911723513522696924830"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 830/"));
	OK(!cry_fingerprint_match(pk, "9991 1723 5135 2269 6924 830:"));
	OK(!cry_fingerprint_match(pk, "9991_1723 5135 2269 6924 8308"));
	OK(!cry_fingerprint_match(pk, "5271 1102 7879 2302 7847 3714"));
	OK(!cry_fingerprint_match(pk, ""));
	/* digit by digit: each one counts */
	for (i = 0; i < 24; i++) {
		snprintf(t, sizeof(t), "%s", "999117235135226969248308");
		t[i] = t[i] == '0' ? '1' : '0';
		if (cry_fingerprint_match(pk, t))
			HARNESS_FAIL("digit %zu ignored", i);
	}
}

/* cry_wipe zeroes exactly what it is given; fresh secure memory is zero. */
static void
test_wipe_and_fresh_secure_memory(void)
{
	unsigned char b[40], *p;
	size_t i;

	memset(b, 0xa5, sizeof(b));
	cry_wipe(b + 4, 32);
	for (i = 0; i < sizeof(b); i++)
		if (b[i] != (i < 4 || i >= 36 ? 0xa5 : 0))
			HARNESS_FAIL("byte %zu is %#x after the wipe", i, b[i]);
	if ((p = cry_secure_alloc(100)) == NULL) {
		OK(0);
		return;
	}
	for (i = 0; i < 100; i++)
		if (p[i] != 0)
			HARNESS_FAIL("fresh secure byte %zu is %#x", i, p[i]);
	cry_secure_free(p);
}

/* Open descriptors of this process. */
static int
nfds(void)
{
	char p[64];
	int fd, n = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
		n += access(p, F_OK) == 0;
	}
	return n;
}

static void
put_file(const char *path, const void *p, size_t n)
{
	struct ds_err err;

	unlink(path);
	ST_EQ(ds_file_write_atomic(path, p, n, 0600, &err), DS_OK, &err);
}

/*
 * The key file reader: a missing file is DS_ENOENT, a symlink is not
 * followed, a directory or a file over 4096 bytes is not a key file, a
 * file that reads short is an I/O error; each key file kind reads its own
 * fields only, and a secret key whose public half does not match is
 * refused naming the file.  (Issue 18: mutants of kf_read and the
 * readers.)
 */
static void
test_key_file_reader(void)
{
	char dir[512], pub[600], sec[600], rec[600], p[600], text[5000];
	char good[CRY_OFFICE_PUB_TEXT_MAX];
	struct cry_office_pub op;
	struct cry_office_sec *os = NULL;
	struct cry_office_rec *orc = NULL;
	struct ds_err err;
	long live;
	int fds;
	size_t n;
	FILE *f;
	char *h;

	live = cry_secure_live();
	fds = nfds();
	snprintf(dir, sizeof(dir), "%s/kfr", tmpdir);
	mkdir(dir, 0700);
	ST_EQ(cry_office_create(dir, &op, &err), DS_OK, &err);
	snprintf(pub, sizeof(pub), "%s/%s", dir, CRY_OFFICE_PUB_FILE);
	snprintf(sec, sizeof(sec), "%s/%s", dir, CRY_OFFICE_SEC_FILE);
	snprintf(rec, sizeof(rec), "%s/%s", dir, CRY_OFFICE_REC_FILE);
	snprintf(p, sizeof(p), "%s/none.key", dir);
	ST_EQ(cry_office_pub_read(p, &op, &err), DS_ENOENT, &err);
	ST_EQ(cry_office_sec_read(p, &os, &err), DS_ENOENT, &err);
	ST_EQ(cry_office_rec_read(p, &orc, &err), DS_ENOENT, &err);
	OK(os == NULL && orc == NULL);
	/* a symlink to a good file */
	snprintf(p, sizeof(p), "%s/link.key", dir);
	OK(symlink(pub, p) == 0);
	ST_EQ(cry_office_pub_read(p, &op, &err), DS_EIO, &err);
	OK(strstr(err.msg, "cannot open key file") != NULL);
	ST_EQ(cry_office_pub_read(dir, &op, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "not a key file") != NULL);
	/* a stale errno is not a failed read */
	errno = EINTR;
	ST_EQ(cry_office_pub_read(pub, &op, &err), DS_OK, &err);
	/* 4096 bytes are read and parsed, 4097 are not read */
	snprintf(p, sizeof(p), "%s/big.key", dir);
	memset(text, '#', sizeof(text));
	put_file(p, text, 4096);
	ST_EQ(cry_office_pub_read(p, &op, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "not a key file") == NULL);
	put_file(p, text, 4097);
	ST_EQ(cry_office_pub_read(p, &op, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "not a key file") != NULL);
	ST_EQ(cry_office_pub_parse(text, 4097, "mem", &op, &err), DS_EPARSE,
	    &err);
	OK(strstr(err.msg, "too large") != NULL);
	ST_EQ(cry_office_pub_parse(text, 4096, "mem", &op, &err), DS_EPARSE,
	    &err);
	OK(strstr(err.msg, "too large") == NULL);
	/* a file that says 4096 bytes and reads fewer (sysfs) */
	if (access("/sys/kernel/profiling", R_OK) == 0) {
		errno = EINTR;
		ST_EQ(cry_office_pub_read("/sys/kernel/profiling", &op, &err),
		    DS_EIO, &err);
		OK(strstr(err.msg, "cannot read") != NULL);
		OK(strstr(err.msg, strerror(EIO)) != NULL);
	}
	/* one that fails to read (loopback has no speed: EINVAL) */
	if (access("/sys/class/net/lo/speed", R_OK) == 0) {
		ST_EQ(cry_office_pub_read("/sys/class/net/lo/speed", &op,
		    &err), DS_EIO, &err);
		OK(strstr(err.msg, strerror(EINVAL)) != NULL);
	}
	/* a file of one byte is read whole */
	put_file(p, "\n", 1);
	ST_EQ(cry_office_pub_read(p, &op, &err), DS_EPARSE, &err);
	/* the header whole, and every line ending in a newline */
	cry_office_pub_text(&op, good);
	ST_EQ(cry_office_pub_parse(good, strlen(good), "mem", &op, &err),
	    DS_OK, &err);
	h = strchr(good, '\n');
	snprintf(text, sizeof(text), "%.*sx%s", (int)(h - good), good, h);
	ST_EQ(cry_office_pub_parse(text, strlen(text), "mem", &op, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, "not a 'doorstep office public key v1' file"));
	ST_EQ(cry_office_pub_parse(good, (size_t)(h - good), "mem", &op,
	    &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "does not end in a newline") != NULL);
	ST_EQ(cry_office_pub_parse(good, strlen(good) - 1, "mem", &op, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, ":5: line does not end in a newline") != NULL);
	/* the header alone misses a field; nothing at all is empty */
	ST_EQ(cry_office_pub_parse(good, (size_t)(h - good) + 1, "mem", &op,
	    &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "'office-id' missing") != NULL);
	ST_EQ(cry_office_pub_parse(good, 0, "mem", &op, &err), DS_EPARSE,
	    &err);
	OK(strstr(err.msg, "empty key file") != NULL);
	/* a line without a space; a key as long as a field's, not it */
	snprintf(text, sizeof(text), "%snospace\n", good);
	ST_EQ(cry_office_pub_parse(text, strlen(text), "mem", &op, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, ":6: expected 'key value'") != NULL);
	snprintf(text, sizeof(text), "%s", good);
	if ((h = strstr(text, "\nsign ")) != NULL)
		h[4] = 'm';
	ST_EQ(cry_office_pub_parse(text, strlen(text), "mem", &op, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, "unknown key 'sigm'") != NULL);
	/* an unknown key is quoted up to 40 bytes */
	snprintf(text, sizeof(text), "%s%.41s 00\n", good,
	    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	ST_EQ(cry_office_pub_parse(text, strlen(text), "mem", &op, &err),
	    DS_EPARSE, &err);
	OK(strstr(err.msg, "'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk'") != NULL);
	/* each kind its own fields: the others' files are refused, by
	 * their header (of the same length for the secret key) */
	ST_EQ(cry_office_pub_read(sec, &op, &err), DS_EPARSE, &err);
	OK(strstr(err.msg, "not a 'doorstep office public key v1' file"));
	ST_EQ(cry_office_sec_read(rec, &os, &err), DS_EPARSE, &err);
	ST_EQ(cry_office_rec_read(pub, &orc, &err), DS_EPARSE, &err);
	ST_EQ(cry_office_rec_read(sec, &orc, &err), DS_EPARSE, &err);
	OK(os == NULL && orc == NULL);
	/* a signing secret whose stored public half is another key's */
	if ((f = fopen(sec, "r")) == NULL) {
		OK(0);
		return;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if ((h = strstr(text, "\nsign-secret ")) == NULL) {
		OK(0);
		return;
	}
	h += strlen("\nsign-secret ") + 64 + 10;	/* in the public half */
	*h = *h == '0' ? '1' : '0';
	put_file(sec, text, n);
	ST_EQ(cry_office_sec_read(sec, &os, &err), DS_ECORRUPT, &err);
	OK(strncmp(err.msg, sec, strlen(sec)) == 0);
	OK(os == NULL);
	INT_EQ(cry_secure_live(), live);	/* every refusal gave back */
	INT_EQ(nfds(), fds);			/* and closed its file */
}

/* Key ids against values computed apart (Python's hashlib BLAKE2b: of
 * the key; for a data key, its KDF subkey 1 in context "keyid___"). */
static void
test_key_ids_golden(void)
{
	static const unsigned char kid[CRY_KEYID_BYTES] = { 0xcb, 0x2f, 0x51,
	    0x60, 0xfc, 0x1f, 0x7e, 0x05 };
	static const unsigned char did[CRY_KEYID_BYTES] = { 0xe2, 0x97, 0xe8,
	    0xe3, 0x5f, 0x47, 0x0d, 0x50 };
	unsigned char k[32], id[CRY_KEYID_BYTES + 1], h[32];
	size_t i;

	for (i = 0; i < sizeof(k); i++)
		k[i] = (unsigned char)i;
	memset(id, 0xee, sizeof(id));
	cry_key_id(k, sizeof(k), id);
	OK(memcmp(id, kid, sizeof(kid)) == 0);
	INT_EQ(id[CRY_KEYID_BYTES], 0xee);
	cry_hash(h, sizeof(h), NULL, 0, k, sizeof(k));
	OK(memcmp(h, kid, sizeof(kid)) == 0 && h[31] == 0xd6);
	memset(id, 0xee, sizeof(id));
	cry_dek_key_id(k, id);
	OK(memcmp(id, did, sizeof(did)) == 0);
	INT_EQ(id[CRY_KEYID_BYTES], 0xee);
}

/*
 * Each function that takes secure memory, with its k-th secure allocation
 * failing in turn: DS_ENOMEM, no key given out (NULL where it sets one),
 * no file left behind or open, every allocation given back; past the last
 * one, a success that gives back all but what it hands out.
 */
static void
test_secure_alloc_failures(void)
{
	char dir[512], path[600];
	unsigned char sk[CRY_SIGN_SK_BYTES], bsk[CRY_BOX_SK_BYTES];
	struct cry_signkey *sg, *sg2;
	struct cry_boxkey *bx;
	struct cry_office_pub op;
	struct cry_office_sec *os;
	struct cry_office_rec *orc;
	struct ds_err err;
	enum ds_status st;
	long live = cry_secure_live(), k;
	int fn, fired, ok = 0, fds = nfds();

	snprintf(dir, sizeof(dir), "%s/secfail", tmpdir);
	mkdir(dir, 0700);
	sg = NULL;
	ST_EQ(cry_signkey_new(&sg, &err), DS_OK, &err);
	if (sg == NULL)
		return;
	memcpy(sk, sg->sk, sizeof(sk));
	cry_signkey_free(sg);
	cry_random(bsk, sizeof(bsk));
	for (fn = 0; fn < 7; fn++) {
		for (k = 1; k < 20; k++) {
			sg = sg2 = (void *)&err;	/* not NULL */
			bx = (void *)&err;
			os = (void *)&err;
			orc = (void *)&err;
			ds_fault_arm(DS_FAULT_SECURE, k, 0);
			switch (fn) {
			case 0:
				st = cry_signkey_new(&sg, &err);
				break;
			case 1:
				st = cry_signkey_from_sk(sk, &sg, &err);
				break;
			case 2:
				st = cry_boxkey_new(&bx, &err);
				break;
			case 3:
				st = cry_boxkey_from_sk(bsk, &bx, &err);
				break;
			case 4:
				st = cry_office_create(dir, &op, &err);
				break;
			case 5:
				snprintf(path, sizeof(path), "%s/%s", dir,
				    CRY_OFFICE_SEC_FILE);
				st = cry_office_sec_read(path, &os, &err);
				break;
			default:
				snprintf(path, sizeof(path), "%s/%s", dir,
				    CRY_OFFICE_REC_FILE);
				st = cry_office_rec_read(path, &orc, &err);
				break;
			}
			fired = ds_fault_fired(DS_FAULT_SECURE) > 0;
			ds_fault_disarm(DS_FAULT_SECURE);
			if (fired) {
				if (st != DS_ENOMEM)
					HARNESS_FAIL("fn %d at %ld: %s", fn,
					    k, ds_status_str(st));
				if ((fn == 2 || fn == 3) && bx != NULL)
					HARNESS_FAIL("fn %d at %ld: a key", fn,
					    k);
				if (fn == 4) {
					snprintf(path, sizeof(path), "%s/%s",
					    dir, CRY_OFFICE_SEC_FILE);
					OK(!ds_path_exists(path));
					snprintf(path, sizeof(path), "%s/%s",
					    dir, CRY_OFFICE_PUB_FILE);
					OK(!ds_path_exists(path));
				}
				INT_EQ(cry_secure_live(), live);
				INT_EQ(nfds(), fds);	/* the key file closed */
				continue;
			}
			ST_EQ(st, DS_OK, &err);
			switch (fn) {
			case 0:
			case 1:
				INT_EQ(cry_secure_live(), live + 1);
				cry_signkey_free(sg);
				break;
			case 2:
			case 3:
				INT_EQ(cry_secure_live(), live + 1);
				cry_boxkey_free(bx);
				break;
			case 4:
				INT_EQ(cry_secure_live(), live);
				break;
			case 5:
				INT_EQ(cry_secure_live(), live + 1);
				cry_office_sec_free(os);
				break;
			default:
				INT_EQ(cry_secure_live(), live + 1);
				cry_office_rec_free(orc);
				break;
			}
			INT_EQ(cry_secure_live(), live);
			ok++;
			break;
		}
	}
	INT_EQ(ok, 7);
}

/*
 * Whether the stack just below the caller still holds needle: a function
 * that returned left it there unwiped.  It reads memory no one wrote in
 * this frame on purpose (volatile: the compiler keeps the reads); a build
 * that fills new frames (MODE=asan's pattern) or moves them (ASan's fake
 * stacks) finds nothing, so the check can only miss, never invent.
 */
static __attribute__((noinline)) int
stack_holds(const unsigned char *needle, size_t n)
{
	unsigned char buf[16384];
	volatile unsigned char *volatile p = buf;
	size_t i, j;

	for (i = 0; i + n <= sizeof(buf); i++) {
		for (j = 0; j < n && p[i + j] == needle[j]; j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}


/* Secrets a function copied to its stack are wiped before it returns. */
static void
test_secrets_leave_no_stack_copy(void)
{
	unsigned char *sk;
	struct cry_signkey *k = NULL;
	struct ds_err err;
	enum ds_status st;
	int held;

	if ((sk = cry_secure_alloc(CRY_SIGN_SK_BYTES)) == NULL ||
	    cry_signkey_new(&k, &err) != DS_OK) {
		OK(0);
		return;
	}
	memcpy(sk, k->sk, CRY_SIGN_SK_BYTES);
	cry_signkey_free(k);
	k = NULL;
	st = cry_signkey_from_sk(sk, &k, &err);
	held = stack_holds(sk, 32);	/* the seed half */
	ST_EQ(st, DS_OK, &err);
	OK(!held);
	cry_signkey_free(k);
	cry_secure_free(sk);
}

static int core_raised;	/* main() raised the core limit before cry_init */

/* Secrets must not land in a core file: cry_init set both limits to 0. */
static void
test_init_turns_core_dumps_off(void)
{
	struct rlimit got;

	OK(getrlimit(RLIMIT_CORE, &got) == 0);
	INT_EQ((long)got.rlim_cur, 0);
	if (core_raised)
		INT_EQ((long)got.rlim_max, 0);
}

/* The oldest libsodium taken is 1.0.18 (library version 10.3). */
static void
test_sodium_version_edges(void)
{
	OK(cry_sodium_version_ok(10, 3));
	OK(cry_sodium_version_ok(10, 4));
	OK(!cry_sodium_version_ok(10, 2));
	OK(!cry_sodium_version_ok(9, 9));
	OK(!cry_sodium_version_ok(9, 3));
	OK(cry_sodium_version_ok(11, 0));
	OK(cry_sodium_version_ok(26, 1));
}

int
main(void)
{
	struct rlimit core = { 4096, RLIM_INFINITY }, got;
	struct ds_err err;
	int raised;

	/* cry_init turns core dumps off, hard limit too, whatever it was. */
	raised = getrlimit(RLIMIT_CORE, &got) == 0 &&
	    (core.rlim_max = got.rlim_max) >= core.rlim_cur &&
	    setrlimit(RLIMIT_CORE, &core) == 0;
	if (cry_init(&err) != DS_OK) {
		printf("not ok cry_init: %s\n", err.msg);
		return 1;
	}
	core_raised = raised;
	RUN(test_init_turns_core_dumps_off);
	RUN(test_sodium_version_edges);
	RUN(test_fingerprint_golden_and_match);
	RUN(test_wipe_and_fresh_secure_memory);
	RUN(test_key_ids_golden);
	tmpdir = ts_tmpdir("cry");
	RUN(test_key_file_reader);
	RUN(test_secure_alloc_failures);
	RUN(test_secrets_leave_no_stack_copy);
	RUN(test_sign_hash_verifies_and_rejects_changes);
	RUN(test_office_create_and_read_back);
	RUN(test_office_pub_parser_is_strict);
	RUN(test_aead_binds_ad_and_key);
	RUN(test_aead_det_repeats_only_identical_input);
	RUN(test_pwhash_min_cost_and_bounds);
	RUN(test_secure_memory_given_back);
	RUN(test_kdf_param_edges);
	RUN(test_pwhash_out_of_memory);
	RUN(test_calibrate_salt_and_fault);
	RUN(test_calibrate_default);
	RUN(test_calibrate_clock);
	return harness_done();
}
