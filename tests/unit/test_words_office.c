/* doorstep: office commands word waiting revisions in one language. */
/*
 * The words policy (docs/architecture.md) for what the office says about
 * revisions that wait for an earlier one: `import` (waiting, joined now),
 * `conflicts`, `devices` (the gaps) and `release`, each run once in
 * English and once in Chinese (DOORSTEP_LANG) against a real off.db
 * fed real bundles out of order, and each run in that language only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"
#include "support/support.h"
#include "support/syncfix.h"

#include "json.h"
#include "mem.h"
#include "odb.h"
#include "receipt.h"
#include "util.h"

static const char *tmp;
static struct sf_office off;
static struct sf_device dev;
static char out[600];
static char *text;

static const char *
office_bin(void)
{
	const char *bin = getenv("DOORSTEP_OFFICE");

	return bin != NULL ? bin : "build/rel/doorstep-office";
}

/* Run `doorstep-office ARGS --dir OFFICE` in lang; its output in text. */
static int
office(const char *lang, const char *args)
{
	struct ds_err err;
	char cmd[2048];
	size_t n;
	int rc;

	ds_free(text);
	text = NULL;
	snprintf(cmd, sizeof(cmd), "DOORSTEP_LANG=%s %s %s --dir %s >%s "
	    "2>&1", lang, office_bin(), args, off.dir, out);
	rc = system(cmd);
	if (ds_file_read(out, 1 << 20, &text, &n, &err) != DS_OK)
		text = NULL;
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int
says(const char *s)
{
	return text != NULL && strstr(text, s) != NULL;
}

/* Any Chinese character (U+4E00-U+9FFF: lead byte E4-E9) in the output. */
static int
has_chinese(void)
{
	const unsigned char *p;

	for (p = (const unsigned char *)text; p != NULL && *p; p++)
		if (*p >= 0xe4 && *p <= 0xe9)
			return 1;
	return 0;
}

/* A revision 2 whose revision 1 stays behind: bundle file of r2 only. */
static char *
chain(int rec, struct sf_rev *r, char hex[33])
{
	unsigned char *b;
	char name[32], *path;
	size_t n;

	sf_rev(&r[0], &dev, rec, 1, NULL, "{\"q\":1}");
	sf_rev(&r[1], &dev, rec, 2, r[0].r.rev_id, "{\"q\":2}");
	ds_hex_encode(r[1].r.rev_id, 16, hex);
	b = sf_bundle(&dev, &off, &r[1], 1, 0, 0, &n);
	snprintf(name, sizeof(name), "r%d-2.dsb", rec);
	path = ds_strdup(sf_write(tmp, name, b, n));
	ds_free(b);
	return path;
}

static char *
first(int rec, struct sf_rev *r)
{
	unsigned char *b;
	char name[32], *path;
	size_t n;

	b = sf_bundle(&dev, &off, &r[0], 1, 0, 0, &n);
	snprintf(name, sizeof(name), "r%d-1.dsb", rec);
	path = ds_strdup(sf_write(tmp, name, b, n));
	ds_free(b);
	return path;
}

static void
test_waiting_then_joined(void)
{
	static struct sf_rev en[2], zh[2];
	char hex[33], args[1024], *f;
	char *p;

	/* Sequences 1-2 (English), 3-4 (Chinese); the seconds first. */
	p = chain(1, en, hex);
	snprintf(args, sizeof(args), "import %s", p);
	INT_EQ(office("en", args), 0);
	OK(says("1 revision(s) wait for an earlier revision not here yet"));
	OK(!says("个版本在等待"));
	{
		/* The receipt's text is the verdict's code, not words. */
		static struct receipt rc;
		struct ds_err err;
		char rp[700], *buf = NULL;
		size_t n = 0;

		snprintf(rp, sizeof(rp), "%.*s.rcpt", (int)strlen(p) - 4, p);
		ST_EQ(ds_file_read(rp, RECEIPT_FILE_MAX, &buf, &n, &err),
		    DS_OK, &err);
		ST_EQ(receipt_parse((unsigned char *)buf, n, &rc, &err), DS_OK,
		    &err);
		STR_EQ(rc.msg, "imported");
		ds_free(buf);
	}
	ds_free(p);
	p = chain(2, zh, hex);
	snprintf(args, sizeof(args), "import %s", p);
	INT_EQ(office("zh", args), 0);
	OK(says("1 个版本在等待尚未收到的上一版本"));
	OK(!says("wait for an earlier revision"));
	ds_free(p);

	INT_EQ(office("en", "conflicts"), 0);
	OK(says("has not arrived; it joins when it does, or: release"));
	OK(!has_chinese());
	INT_EQ(office("zh", "conflicts"), 0);
	OK(says("尚未收到（等待上一版本）"));
	OK(!says("has not arrived"));

	INT_EQ(office("en", "devices"), 0);
	OK(says("gaps (data may be missing): 1-1 3-3"));
	OK(!has_chinese());
	INT_EQ(office("zh", "devices"), 0);
	OK(says("缺口（可能缺少数据）： 1-1 3-3"));
	OK(!says("data may be missing"));

	/* The firsts arrive: the waiting ones join. */
	f = first(1, en);
	snprintf(args, sizeof(args), "import %s", f);
	INT_EQ(office("en", args), 0);
	OK(says("1 waiting revision(s) joined now."));
	OK(!says("现已并入"));
	ds_free(f);
	f = first(2, zh);
	snprintf(args, sizeof(args), "import %s", f);
	INT_EQ(office("zh", args), 0);
	OK(says("1 个等待中的版本现已并入。"));
	OK(!says("joined now"));
	ds_free(f);
}

static void
test_release(void)
{
	static struct sf_rev en[2], zh[2];
	char hex[33], args[1024], want[128];
	char *p;

	p = chain(3, en, hex);
	snprintf(args, sizeof(args), "import %s", p);
	INT_EQ(office("en", args), 0);
	ds_free(p);
	snprintf(args, sizeof(args), "release %.12s", hex);
	INT_EQ(office("en", args), 0);
	snprintf(want, sizeof(want), "Released %.12s of household HH-0003: "
	    "1 revision(s) joined, 0 fork(s) flagged.", hex);
	OK(says(want));
	OK(!has_chinese());

	p = chain(4, zh, hex);
	snprintf(args, sizeof(args), "import %s", p);
	INT_EQ(office("zh", args), 0);
	ds_free(p);
	snprintf(args, sizeof(args), "release %.12s", hex);
	INT_EQ(office("zh", args), 0);
	snprintf(want, sizeof(want), "已放行户 HH-0004 的版本 %.12s：并入 1 "
	    "个版本，标记 0 处分叉。", hex);
	OK(says(want));
	OK(!says("Released"));
}

int
main(void)
{
	struct ds_err err;
	struct odb *db = NULL;
	char d[600];

	ds_json_init();
	setenv("DOORSTEP_FAKE_NOW", "1763880000", 1);
	unsetenv("DOORSTEP_OFFICE_DIR");
	tmp = ts_tmpdir("words");
	snprintf(d, sizeof(d), "%s/office", tmp);
	snprintf(out, sizeof(out), "%s/out", tmp);
	sf_office_make(&off, d);
	sf_device_make(&dev, 7);
	ds_err_clear(&err);
	if (odb_open(off.db, off.sec, &db, &err) != DS_OK ||
	    sf_enroll(db, dev.device_id, dev.key->pk, &err) != DS_OK) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return 1;
	}
	odb_close(db);
	RUN(test_waiting_then_joined);
	RUN(test_release);
	ds_free(text);
	sf_device_free(&dev);
	sf_office_free(&off);
	return harness_done();
}
