/* doorstep: key scripts for fast screen tests (tig's TIG_SCRIPT). */
/*
 * A script is parsed whole before the app starts, so a typo fails at once
 * with its line number instead of half-way through a test.  Limits: the
 * file is at most TUI_SCRIPT_MAX_BYTES and TUI_SCRIPT_MAX_STEPS steps; a
 * <...> token is at most 256 bytes.  Invalid UTF-8 is an error.
 */
#include "tui_int.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "util.h"

struct named {
	const char	*name;
	int		 fkey;
	wint_t		 ch;
};

static const struct named named[] = {
	{ "Enter", 0, L'\r' }, { "Esc", 0, 033 }, { "Tab", 0, L'\t' },
	{ "BTab", KEY_BTAB, 0 }, { "Space", 0, L' ' }, { "BS", KEY_BACKSPACE, 0 },
	{ "Del", KEY_DC, 0 }, { "Up", KEY_UP, 0 }, { "Down", KEY_DOWN, 0 },
	{ "Left", KEY_LEFT, 0 }, { "Right", KEY_RIGHT, 0 },
	{ "Home", KEY_HOME, 0 }, { "End", KEY_END, 0 },
	{ "PgUp", KEY_PPAGE, 0 }, { "PgDn", KEY_NPAGE, 0 },
	{ "lt", 0, L'<' }, { "gt", 0, L'>' },
};

static enum ds_status	add(struct tui_script *, size_t *cap,
			    const struct tui_step *);
static enum ds_status	token(const char *tok, size_t n, struct tui_step *);

static enum ds_status
add(struct tui_script *s, size_t *cap, const struct tui_step *st)
{
	struct tui_step *v;
	size_t ncap;

	if (s->n >= TUI_SCRIPT_MAX_STEPS)
		return DS_ELIMIT;
	if (s->n == *cap) {
		ncap = *cap ? *cap * 2 : 64;
		v = ds_realloc(s->v, ncap * sizeof(*v));
		if (v == NULL)
			return DS_ENOMEM;
		s->v = v;
		*cap = ncap;
	}
	s->v[s->n++] = *st;
	return DS_OK;
}

/* One <...> token, without the brackets. */
static enum ds_status
token(const char *tok, size_t n, struct tui_step *st)
{
	char buf[257];
	size_t i;
	long f;
	int c, r;
	char x;

	if (n == 0 || n >= sizeof(buf))
		return DS_EPARSE;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	memset(st, 0, sizeof(*st));
	st->kind = TUI_STEP_KEY;
	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(buf, named[i].name) == 0) {
			st->key.fkey = named[i].fkey;
			st->key.ch = named[i].ch;
			return DS_OK;
		}
	if (buf[0] == 'F' && n <= 3 && buf[1] >= '1' && buf[1] <= '9') {
		f = strtol(buf + 1, NULL, 10);
		if (f < 1 || f > 12 || (n == 3 && (buf[2] < '0' ||
		    buf[2] > '9')))
			return DS_EPARSE;
		st->key.fkey = KEY_F((int)f);
		return DS_OK;
	}
	if (n == 3 && buf[0] == 'C' && buf[1] == '-' && buf[2] >= 'a' &&
	    buf[2] <= 'z') {
		st->key.ch = (wint_t)(buf[2] & 0x1f);
		return DS_OK;
	}
	if (strncmp(buf, "dump ", 5) == 0 && buf[5] != '\0') {
		st->kind = TUI_STEP_DUMP;
		st->path = ds_strdup(buf + 5);
		return st->path != NULL ? DS_OK : DS_ENOMEM;
	}
	if (strncmp(buf, "resize ", 7) == 0 &&
	    sscanf(buf + 7, "%dx%d%c", &c, &r, &x) == 2 && c > 0 &&
	    c <= 1000 && r > 0 && r <= 1000) {
		st->kind = TUI_STEP_RESIZE;
		st->cols = c;
		st->rows = r;
		return DS_OK;
	}
	return DS_EPARSE;
}

enum ds_status
tui_script_parse(struct tui_script *out, const char *text, size_t len,
    struct ds_err *err)
{
	struct tui_script s;
	struct tui_step st;
	mbstate_t mbs;
	const char *p = text, *end = text + len, *q;
	size_t cap = 0, k;
	wchar_t wc;
	int line = 1, bol = 1;
	enum ds_status rc = DS_OK;

	memset(&s, 0, sizeof(s));
	memset(&mbs, 0, sizeof(mbs));
	if (len > TUI_SCRIPT_MAX_BYTES)
		return ds_err_set(err, DS_ELIMIT, "key script too large");
	while (p < end) {
		if (bol && *p == '#') {
			while (p < end && *p != '\n')
				p++;
			continue;
		}
		bol = 0;
		if (*p == '\n') {
			line++;
			bol = 1;
			p++;
			continue;
		}
		if (*p == '<') {
			for (q = p + 1; q < end && *q != '>' && *q != '\n'; q++)
				;
			if (q >= end || *q != '>' ||
			    (rc = token(p + 1, (size_t)(q - p - 1), &st)) !=
			    DS_OK) {
				if (rc == DS_OK)
					rc = DS_EPARSE;
				ds_err_set(err, rc, "script line %d: bad key "
				    "token %.*s", line,
				    (int)(q - p + (q < end)), p);
				goto out;
			}
			p = q + 1;
		} else {
			k = mbrtowc(&wc, p, (size_t)(end - p), &mbs);
			if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
				rc = ds_err_set(err, DS_EPARSE, "script line "
				    "%d: invalid utf-8", line);
				goto out;
			}
			p += k;
			memset(&st, 0, sizeof(st));
			st.kind = TUI_STEP_KEY;
			st.key.ch = (wint_t)wc;
		}
		if ((rc = add(&s, &cap, &st)) != DS_OK) {
			ds_free(st.path);
			ds_err_set(err, rc, "script line %d: %s", line,
			    ds_status_str(rc));
			goto out;
		}
	}
	*out = s;
	return DS_OK;
out:
	tui_script_reset(&s);
	return rc;
}

enum ds_status
tui_script_load(struct tui_script *s, const char *path, struct ds_err *err)
{
	char *text;
	size_t len;
	enum ds_status rc;

	rc = ds_file_read(path, TUI_SCRIPT_MAX_BYTES, &text, &len, err);
	if (rc != DS_OK) {
		ds_err_prefix(err, "cannot read key script %s", path);
		return rc;
	}
	rc = tui_script_parse(s, text, len, err);
	ds_free(text);
	return rc;
}

void
tui_script_reset(struct tui_script *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		ds_free(s->v[i].path);
	ds_free(s->v);
	memset(s, 0, sizeof(*s));
}
