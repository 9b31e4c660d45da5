/* doorstep: tests for the base layer (status, mem, buf, util, json). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "support/support.h"

#include "arr.h"
#include "buf.h"
#include "json.h"
#include "mem.h"
#include "status.h"
#include "util.h"

static const char *tmpdir;

static void
test_err_set_formats_and_prefixes(void)
{
	struct ds_err err;

	ds_err_clear(&err);
	INT_EQ(ds_err_set(&err, DS_EIO, "cannot open %s", "x.db"), DS_EIO);
	STR_EQ(err.msg, "cannot open x.db");
	ds_err_prefix(&err, "store");
	STR_EQ(err.msg, "store: cannot open x.db");
	ds_err_set(&err, DS_ENOMEM, NULL);
	STR_EQ(err.msg, "out of memory");
	STR_EQ(ds_status_name(DS_ECYCLE), "DS_ECYCLE");
	INT_EQ(ds_err_set(NULL, DS_EPARSE, "x"), DS_EPARSE);
}

static void
test_buf_caps_and_keeps_content_on_failure(void)
{
	struct ds_buf b;
	char *s;
	size_t n;

	ds_buf_init(&b, 8);
	INT_EQ(ds_buf_adds(&b, "abcd"), DS_OK);
	INT_EQ(ds_buf_printf(&b, "%d", 123), DS_OK);
	STR_EQ(b.p, "abcd123");
	INT_EQ(ds_buf_adds(&b, "xy"), DS_ELIMIT);
	STR_EQ(b.p, "abcd123");
	INT_EQ(ds_buf_addc(&b, 'z'), DS_OK);
	INT_EQ(b.len, 8);
	s = ds_buf_take(&b, &n);
	STR_EQ(s, "abcd123z");
	INT_EQ(n, 8);
	OK(b.p == NULL && b.len == 0);
	ds_free(s);
}

static void
test_alloc_fault_countdown(void)
{
	struct ds_buf b;
	void *p;

	ds_fault_arm(DS_FAULT_ALLOC, 2, 0);
	p = ds_malloc(10);
	OK(p != NULL);
	ds_free(p);
	OK(ds_malloc(10) == NULL);	/* second check fails */
	p = ds_malloc(10);		/* not persistent: works again */
	OK(p != NULL);
	ds_free(p);
	INT_EQ(ds_fault_fired(DS_FAULT_ALLOC), 1);
	ds_fault_arm(DS_FAULT_ALLOC, 1, 1);
	ds_buf_init(&b, 100);
	INT_EQ(ds_buf_adds(&b, "x"), DS_ENOMEM);
	OK(b.p == NULL);
	OK(ds_strdup("y") == NULL);
	ds_fault_disarm(DS_FAULT_ALLOC);
	INT_EQ(ds_buf_adds(&b, "x"), DS_OK);
	ds_buf_reset(&b);
}

static void
test_arr_grows_to_its_cap(void)
{
	int *v = NULL, *before;
	size_t cap = 0, i;

	INT_EQ(ds_arr_grow(&v, &cap, 0, sizeof(*v), 20), DS_OK);
	OK(v == NULL && cap == 0);
	INT_EQ(ds_arr_grow(&v, &cap, 1, sizeof(*v), 20), DS_OK);
	INT_EQ(cap, DS_ARR_MIN);
	for (i = 0; i < cap; i++)
		v[i] = (int)i;
	before = v;
	INT_EQ(ds_arr_grow(&v, &cap, 5, sizeof(*v), 20), DS_OK);
	OK(v == before && cap == DS_ARR_MIN);	/* room already */
	/* Doubling would pass the cap: stop at it. */
	INT_EQ(ds_arr_grow(&v, &cap, 17, sizeof(*v), 20), DS_OK);
	INT_EQ(cap, 20);
	for (i = 0; i < 16; i++)
		INT_EQ(v[i], (int)i);
	before = v;
	INT_EQ(ds_arr_grow(&v, &cap, 21, sizeof(*v), 20), DS_ELIMIT);
	OK(v == before && cap == 20);
	/* need * size would overflow */
	INT_EQ(ds_arr_grow(&v, &cap, (size_t)-1 / 2, sizeof(*v),
	    (size_t)-1), DS_ELIMIT);
	OK(v == before && cap == 20);
	ds_free(v);
}

/* curl dynbuf: a failed growth frees nothing and changes nothing. */
static void
test_arr_failed_growth_keeps_the_array(void)
{
	long k;
	int *v, *before;
	size_t cap, n, i;
	enum ds_status st;

	/* 200 elements take 5 allocations (16, 32, 64, 128, 256): fail
	 * each in turn. */
	for (k = 1; k <= 5; k++) {
		v = NULL;
		cap = n = 0;
		ds_fault_arm(DS_FAULT_ALLOC, k, 1);
		while ((st = ds_arr_grow(&v, &cap, n + 1, sizeof(*v),
		    1000)) == DS_OK && n < 200) {
			v[n] = (int)n;
			n++;
		}
		ds_fault_disarm(DS_FAULT_ALLOC);
		INT_EQ(st, DS_ENOMEM);
		INT_EQ(n, k == 1 ? 0 : DS_ARR_MIN << (k - 2));
		INT_EQ(cap, n);
		for (i = 0; i < n; i++)
			INT_EQ(v[i], (int)i);
		/* The caller still owns v and can go on once memory is back. */
		before = v;
		INT_EQ(ds_arr_grow(&v, &cap, n + 1, sizeof(*v), 1000), DS_OK);
		OK(n < cap);
		if (before != NULL && v != before)
			for (i = 0; i < n; i++)
				INT_EQ(v[i], (int)i);
		ds_free(v);
	}
}

/* Entries in DIR other than "f": temp files left behind. */
static int
strays(const char *dir)
{
	DIR *d;
	struct dirent *de;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "f") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_atomic_write_replaces_and_cleans_up(void)
{
	char dir[256], path[300], tmp[300], *data;
	struct ds_err err;
	struct stat sb;
	size_t len;

	snprintf(dir, sizeof(dir), "%s/atomic", tmpdir);
	OK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	ST_EQ(ds_file_write_atomic(path, "one", 3, 0600, &err), DS_OK, &err);
	ST_EQ(ds_file_write_atomic(path, "two!", 4, 0600, &err), DS_OK, &err);
	ST_EQ(ds_file_read(path, 100, &data, &len, &err), DS_OK, &err);
	STR_EQ(data, "two!");
	ds_free(data);
	OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* Fail each step in turn: old content stays, no temp file left. */
	for (int step = 1; step <= 3; step++) {
		ds_fault_arm(DS_FAULT_IO, step, 0);
		OK(ds_file_write_atomic(path, "three", 5, 0600, &err) != DS_OK);
		ds_fault_disarm(DS_FAULT_IO);
		OK(strstr(err.msg, "failed") != NULL);
		INT_EQ(strays(dir), 0);
		ST_EQ(ds_file_read(path, 100, &data, &len, &err), DS_OK, &err);
		STR_EQ(data, "two!");
		ds_free(data);
	}
	INT_EQ(ds_file_read(path, 2, &data, &len, &err), DS_ELIMIT);
	snprintf(tmp, sizeof(tmp), "%s/missing", tmpdir);
	INT_EQ(ds_file_read(tmp, 2, &data, &len, &err), DS_ENOENT);
}

/*
 * Two processes replacing one file (serve and a command writing one
 * receipt): every read sees one writer's whole content, and both succeed.
 */
static void
race(const char *name, int rounds, int named0, int named1)
{
	enum { SIZE = 64 * 1024 };
	char dir[256], path[300], *data;
	struct ds_err err;
	size_t len, i;
	pid_t kid[2];
	int k, st, torn = 0, failed = 0;

	snprintf(dir, sizeof(dir), "%s/%s", tmpdir, name);
	OK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	for (k = 0; k < 2; k++) {
		if ((kid[k] = fork()) == 0) {
			char *buf = malloc(SIZE);
			int r, bad = 0;

			if (buf == NULL)
				ts_exit(2);
			ds_file_test.named = k == 0 ? named0 : named1;
			memset(buf, 'a' + k, SIZE);
			for (r = 0; r < rounds; r++)
				if (ds_file_write_atomic(path, buf, SIZE, 0600,
				    &err) != DS_OK)
					bad = 1;
			free(buf);
			ts_exit(bad);
		}
		OK(kid[k] > 0);
	}
	for (int left = 2; left > 0;) {
		/* Read while they write: never a torn or short file. */
		if (ds_file_read(path, SIZE, &data, &len, &err) == DS_OK) {
			if (len != SIZE || data[len - 1] != data[0])
				torn = 1;
			ds_free(data);
		}
		for (k = 0; k < 2; k++) {
			if (kid[k] <= 0 || waitpid(kid[k], &st, WNOHANG) == 0)
				continue;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
				failed++;
			kid[k] = 0;
			left--;
		}
	}
	INT_EQ(failed, 0);
	INT_EQ(torn, 0);
	ST_EQ(ds_file_read(path, SIZE, &data, &len, &err), DS_OK, &err);
	INT_EQ(len, SIZE);
	for (i = 1; i < len; i++)
		if (data[i] != data[0])
			torn = 1;
	INT_EQ(torn, 0);
	ds_free(data);
	INT_EQ(strays(dir), 0);
}

/*
 * Both writers with no name while they write (O_TMPFILE), then one of
 * them in PATH.tmp as where the file system refuses O_TMPFILE, then both.
 */
static void
test_atomic_write_two_writers(void)
{
	race("race", 150, 0, 0);
	race("race-mixed", 50, 1, 0);
	race("race-named", 50, 1, 1);
}

/*
 * A file system without locks (flock says ENOLCK: NFS without its lock
 * daemon, some USB sticks): writes still replace the file, whole, in both
 * ways, past a dead writer's PATH.tmp, as a stream and by name, two
 * writers at once; a failing step still leaves nothing.
 */
static void
test_atomic_write_without_locks(void)
{
	char dir[256], path[300], stale[310], *data;
	struct ds_tmp t;
	struct ds_err err;
	struct stat sb;
	size_t len;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/nolock", tmpdir);
	OK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	ds_fault_arm(DS_FAULT_LOCK, 1, 1);
	ST_EQ(ds_file_write_atomic(path, "one", 3, 0600, &err), DS_OK, &err);
	ds_file_test.named = 1;
	ST_EQ(ds_file_write_atomic(path, "two", 3, 0600, &err), DS_OK, &err);
	ds_file_test.named = 0;
	INT_EQ(strays(dir), 0);
	OK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* A dead writer's PATH.tmp: it cannot be told from a live one's. */
	snprintf(stale, sizeof(stale), "%s.tmp", path);
	OK((f = fopen(stale, "w")) != NULL && fclose(f) == 0);
	ST_EQ(ds_file_write_atomic(path, "three", 5, 0600, &err), DS_OK, &err);
	INT_EQ(strays(dir), 1);
	OK(unlink(stale) == 0);
	/* By name, as a library writes it. */
	ST_EQ(ds_tmp_open(&t, path, 0600, &err), DS_OK, &err);
	if ((f = fopen(ds_tmp_name(&t), "w")) != NULL) {
		OK(fputs("four", f) >= 0);
		OK(fclose(f) == 0);
	}
	ST_EQ(ds_tmp_commit(&t, &err), DS_OK, &err);
	ST_EQ(ds_file_read(path, 100, &data, &len, &err), DS_OK, &err);
	STR_EQ(data, "four");
	ds_free(data);
	for (int step = 1; step <= 3; step++) {
		ds_fault_arm(DS_FAULT_IO, step, 0);
		OK(ds_file_write_atomic(path, "five", 4, 0600, &err) != DS_OK);
		ds_fault_disarm(DS_FAULT_IO);
		INT_EQ(strays(dir), 0);
	}
	ST_EQ(ds_file_read(path, 100, &data, &len, &err), DS_OK, &err);
	STR_EQ(data, "four");
	ds_free(data);
	OK(ds_fault_fired(DS_FAULT_LOCK) > 0);
	race("race-nolock", 50, 1, 0);
	ds_fault_disarm(DS_FAULT_LOCK);
}

struct crash_write {
	const char	*path;
};

static void
crash_write(void *arg)
{
	static const char secret[] = "王秀英 110101195003071234";
	const struct crash_write *w = arg;

	(void)ds_file_write_atomic(w->path, secret, sizeof(secret) - 1, 0600,
	    NULL);
}

/*
 * kill -9 between the write and the rename: the old file stays whole, and
 * no copy of the new data stays on disk -- none at all when the writer
 * died before the link, and the next write removes a PATH.tmp left by one
 * that died after it (or, without O_TMPFILE, while writing).
 */
static void
test_atomic_write_crash_leaves_nothing(void)
{
	static const struct {
		const char	*at;
		int		 named, left;
	} c[] = {
		{ "written", 0, 0 },
		{ "linked", 0, 1 },
		{ "written", 1, 1 },
	};
	char dir[256], path[300], *data;
	struct crash_write w = { path };
	struct ds_err err;
	size_t len, i;

	snprintf(dir, sizeof(dir), "%s/crash", tmpdir);
	OK(mkdir(dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/f", dir);
	ST_EQ(ds_file_write_atomic(path, "old", 3, 0600, &err), DS_OK, &err);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		INT_EQ(ts_crash_at(c[i].at, c[i].named, crash_write, &w), 0);
		INT_EQ(strays(dir), c[i].left);
		INT_EQ(ts_grep_tree(dir, "110101", 6), (size_t)c[i].left);
		ST_EQ(ds_file_read(path, 100, &data, &len, &err), DS_OK, &err);
		STR_EQ(data, i == 0 ? "old" : "new");
		ds_free(data);
		ds_file_test.named = c[i].named;
		ST_EQ(ds_file_write_atomic(path, "new", 3, 0600, &err), DS_OK,
		    &err);
		ds_file_test.named = 0;
		INT_EQ(strays(dir), 0);
	}
}

static void
test_parse_numbers_strictly(void)
{
	int64_t v = 7;
	double d = 0;

	OK(ds_parse_i64("42", 0, 100, &v) == 0 && v == 42);
	OK(ds_parse_i64("-5", -10, 10, &v) == 0 && v == -5);
	OK(ds_parse_i64(" 5", 0, 10, &v) == -1);
	OK(ds_parse_i64("5x", 0, 10, &v) == -1);
	OK(ds_parse_i64("11", 0, 10, &v) == -1);
	OK(ds_parse_i64("", 0, 10, &v) == -1);
	INT_EQ(v, -5);
	OK(ds_parse_double("1.5", &d) == 0 && d == 1.5);
	OK(ds_parse_double("inf", &d) == -1);
}

static void
test_hex_round_trip(void)
{
	unsigned char in[3] = { 0x00, 0xab, 0xff }, out[3];
	char hex[7];

	ds_hex_encode(in, 3, hex);
	STR_EQ(hex, "00abff");
	OK(ds_hex_decode("00ABff", out, 3) == 0 && memcmp(in, out, 3) == 0);
	OK(ds_hex_decode("00abf", out, 3) == -1);
	OK(ds_hex_decode("00abfg", out, 3) == -1);
}

static void
test_json_canonical_sorts_keys(void)
{
	const char *text = "{ \"b\": [1, 2.5, \"\\u4e2d\"], \"a\": {\"y\":true,\"x\":null} }";
	struct ds_err err;
	json_t *j;
	char *out;
	size_t n;

	ST_EQ(ds_json_parse(text, strlen(text), 1000, "t", &j, &err), DS_OK,
	    &err);
	ST_EQ(ds_json_canonical(j, &out, &n, &err), DS_OK, &err);
	STR_EQ(out, "{\"a\":{\"x\":null,\"y\":true},\"b\":[1,2.5,\"中\"]}");
	ds_free(out);
	json_decref(j);
	INT_EQ(ds_json_parse("{\"a\":1,\"a\":2}", 13, 100, "dup.json", &j,
	    &err), DS_EPARSE);
	OK(strstr(err.msg, "dup.json:1:") != NULL);
	INT_EQ(ds_json_parse(text, strlen(text), 5, "t", &j, &err), DS_ELIMIT);
}

static void
test_le_framing_round_trip_and_bounds(void)
{
	struct ds_buf b;
	struct ds_rd r;
	unsigned char m[3];

	ds_buf_init(&b, 64);
	INT_EQ(ds_buf_add_le(&b, 0x0102, 2), DS_OK);
	INT_EQ(ds_buf_add_le(&b, 0x1122334455667788ULL, 8), DS_OK);
	OK((unsigned char)b.p[0] == 0x02 && (unsigned char)b.p[1] == 0x01);
	r.p = (const unsigned char *)b.p;
	r.n = b.len;
	r.off = 0;
	r.bad = 0;
	INT_EQ(ds_rd_le(&r, 2), 0x0102);
	OK(ds_rd_le(&r, 8) == 0x1122334455667788ULL);
	OK(!r.bad);
	INT_EQ(ds_rd_le(&r, 1), 0);	/* past the end */
	OK(r.bad);
	memset(m, 7, sizeof(m));
	ds_rd_mem(&r, m, sizeof(m));
	OK(m[0] == 0 && m[2] == 0 && r.off == 10);
	ds_buf_reset(&b);
}

static void
test_fake_clock(void)
{
	setenv("DOORSTEP_FAKE_NOW", "1700000000", 1);
	INT_EQ(ds_now(), 1700000000);
	INT_EQ(ds_now_ms(), 1700000000000LL);
	unsetenv("DOORSTEP_FAKE_NOW");
	OK(ds_now() > 1700000000);
}

int
main(void)
{
	ds_json_init();
	tmpdir = ts_tmpdir("base");
	RUN(test_err_set_formats_and_prefixes);
	RUN(test_buf_caps_and_keeps_content_on_failure);
	RUN(test_alloc_fault_countdown);
	RUN(test_arr_grows_to_its_cap);
	RUN(test_arr_failed_growth_keeps_the_array);
	RUN(test_atomic_write_replaces_and_cleans_up);
	RUN(test_atomic_write_two_writers);
	RUN(test_atomic_write_without_locks);
	RUN(test_atomic_write_crash_leaves_nothing);
	RUN(test_parse_numbers_strictly);
	RUN(test_hex_round_trip);
	RUN(test_json_canonical_sorts_keys);
	RUN(test_le_framing_round_trip_and_bounds);
	RUN(test_fake_clock);
	return harness_done();
}
