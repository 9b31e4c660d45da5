/* doorstep: the forms installed in a workspace. */
/*
 * WORKSPACE/forms/<form_id>/<version>/ holds one form file (.md, .xlsx or
 * .xls) and its CSV lists, as `doorstep init` installs the shipped form and an
 * office bundle brings a published one.  A new record uses the newest
 * version of its form; a record reopens with its own.  A form put
 * directly in WORKSPACE/forms/ (ID.md, ID.xlsx or ID.xls, the layout
 * before versions) is still found, as the only version of that form.
 */
#include "ws.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "form.h"
#include "mem.h"
#include "util.h"
#include "xls.h"

#define FORMS_DIR	"forms"
#define WS_PATH_MAX	4352	/* a path inside the workspace */
#define WS_FORM_NAME_MAX	128	/* a plain file name (name_ok) */

static int	form_file_in(const char *, const char *, char *, size_t);

/* Printable ASCII without space or '/', not "." or "..". */
static int
token_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > WS_FORM_TOKEN_MAX || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '/')
			return 0;
	return 1;
}

/* A plain file name: [A-Za-z0-9._-], not starting with '.'. */
static int
name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n < 1 || n > WS_FORM_NAME_MAX || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
ends(const char *s, const char *sfx)
{
	size_t n = strlen(s), k = strlen(sfx);

	return n > k && strcmp(s + n - k, sfx) == 0;
}

/* The kinds of form file, in the order they are looked for. */
static const char *const form_exts[] = { ".md", ".xlsx", ".xls" };
#define NFORM_EXTS	(sizeof(form_exts) / sizeof(form_exts[0]))

/* The length of a form file's extension, or 0 for another file. */
static size_t
form_ext(const char *name)
{
	size_t i;

	for (i = 0; i < NFORM_EXTS; i++)
		if (ends(name, form_exts[i]))
			return strlen(form_exts[i]);
	return 0;
}

/* dir/ID.md, dir/ID.xlsx or dir/ID.xls, the first there; 0 if found. */
static int
form_named(const char *dir, const char *form_id, char *out, size_t n)
{
	char p[4352];
	size_t i;

	for (i = 0; i < NFORM_EXTS; i++) {
		snprintf(p, sizeof(p), "%s/%s%s", dir, form_id, form_exts[i]);
		if (ds_path_exists(p))
			return snprintf(out, n, "%s", p) < (int)n ? 0 : -1;
	}
	return -1;
}

int
ws_form_version_cmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i;
	int digits = 1;

	for (i = 0; i < na && digits; i++)
		digits = a[i] >= '0' && a[i] <= '9';
	for (i = 0; i < nb && digits; i++)
		digits = b[i] >= '0' && b[i] <= '9';
	while (digits && na > 1 && *a == '0')
		a++, na--;
	while (digits && nb > 1 && *b == '0')
		b++, nb--;
	if (digits && na != nb)
		return na < nb ? -1 : 1;
	return strcmp(a, b);
}

enum ds_status
ws_form_install(const char *wsdir, const char *form_id, const char *version,
    const struct ws_form_file *f, size_t n, struct ds_err *err)
{
	char dir[4096], path[4352];
	enum ds_status st;
	size_t i;

	if (!token_ok(form_id) || !token_ok(version))
		return ds_err_set(err, DS_EINVAL, "bad form id or version");
	for (i = 0; i < n; i++)
		if (!name_ok(f[i].name))
			return ds_err_set(err, DS_EINVAL, "bad form file name");
	if (snprintf(dir, sizeof(dir), "%s/%s/%s/%s", wsdir, FORMS_DIR,
	    form_id, version) >= (int)sizeof(dir))
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if ((st = ds_mkdir_p(dir, 0700, err)) != DS_OK)
		return st;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, f[i].name);
		if ((st = ds_file_write_atomic(path, f[i].bytes, f[i].len,
		    0600, err)) != DS_OK)
			return st;
	}
	return DS_OK;
}

/* The last part of a path. */
static const char *
base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/*
 * A version never changes: the form already installed under f's id and
 * version must have f's content (the same cells and lists, as markdown
 * or workbook alike), or nothing is installed: a saved record would
 * otherwise reopen on another form.
 */
static enum ds_status
same_or_new(const char *wsdir, const struct form *f, struct ds_err *err)
{
	char dir[WS_PATH_MAX], path[WS_PATH_MAX];
	struct form_diags d;
	struct form *have = NULL;
	int same;

	if (snprintf(dir, sizeof(dir), "%s/%s/%s/%s", wsdir, FORMS_DIR,
	    f->id, f->version) >= (int)sizeof(dir))
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if (form_file_in(dir, f->id, path, sizeof(path)) != 0)
		return DS_OK;
	form_diags_init(&d);
	/* An installed copy that no longer loads is replaced. */
	same = form_load_file(path, &have, &d) != DS_OK || have == NULL ||
	    have->content_hash == f->content_hash;
	form_diags_reset(&d);
	form_free(have);
	if (!same)
		return ds_err_set(err, DS_EEXIST, "form %s version %s is "
		    "installed with other content", f->id, f->version);
	return DS_OK;
}

enum ds_status
ws_form_install_file(const char *wsdir, const char *path,
    const struct form *f, struct ds_err *err)
{
	struct ws_form_file files[WS_FORM_FILES_MAX];
	char *bufs[WS_FORM_FILES_MAX], dir[WS_PATH_MAX], p[WS_PATH_MAX];
	char fname[WS_FORM_NAME_MAX + 1];
	const char *b = base_of(path);
	enum ds_status st = DS_OK;
	size_t n = 0, i, k, len, ext;

	if (f->version == NULL || f->id == NULL)
		return ds_err_set(err, DS_EINVAL, "form has no id or version");
	if ((ext = form_ext(b)) == 0)
		return ds_err_set(err, DS_EINVAL, "%s: not a form file", path);
	if (name_ok(b))
		snprintf(fname, sizeof(fname), "%s", b);
	else
		snprintf(fname, sizeof(fname), "form%s", b + strlen(b) - ext);
	if (snprintf(dir, sizeof(dir), "%.*s", (int)(b - path), path) >=
	    (int)sizeof(dir))
		return ds_err_set(err, DS_ELIMIT, "form path too long");
	if (dir[0] == '\0')
		snprintf(dir, sizeof(dir), "./");
	if ((st = ds_file_read(path, WS_FORM_FILE_MAX, &bufs[0], &len, err)) !=
	    DS_OK)
		return st;
	files[0].name = fname;
	files[0].bytes = (unsigned char *)bufs[0];
	files[n++].len = len;
	for (i = 0; st == DS_OK && i < f->nlists; i++) {
		if (f->lists[i].file == NULL)
			continue;
		for (k = 1; k < n && strcmp(files[k].name, f->lists[i].file) !=
		    0; k++)
			;
		if (k < n)
			continue;
		if (n == WS_FORM_FILES_MAX) {
			st = ds_err_set(err, DS_ELIMIT, "more than %d files",
			    WS_FORM_FILES_MAX);
			break;
		}
		if (snprintf(p, sizeof(p), "%s%s", dir, f->lists[i].file) >=
		    (int)sizeof(p)) {
			st = ds_err_set(err, DS_ELIMIT, "list path too long");
			break;
		}
		if ((st = ds_file_read(p, WS_FORM_FILE_MAX, &bufs[n], &len,
		    err)) != DS_OK)
			break;
		files[n].name = f->lists[i].file;
		files[n].bytes = (unsigned char *)bufs[n];
		files[n++].len = len;
	}
	if (st == DS_OK)
		st = same_or_new(wsdir, f, err);
	if (st == DS_OK)
		st = ws_form_install(wsdir, f->id, f->version, files, n, err);
	for (i = 0; i < n; i++)
		ds_free(bufs[i]);
	return st;
}

/* The form file in a version folder: ID.md, .xlsx, .xls, else the first. */
static int
form_file_in(const char *dir, const char *form_id, char *out, size_t n)
{
	char best[256] = "";
	struct dirent *e;
	DIR *d;

	if (form_named(dir, form_id, out, n) == 0)
		return 0;
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && form_ext(e->d_name) > 0 &&
		    strlen(e->d_name) < sizeof(best) && (best[0] == '\0' ||
		    strcmp(e->d_name, best) < 0))
			snprintf(best, sizeof(best), "%s", e->d_name);
	closedir(d);
	if (best[0] == '\0')
		return -1;
	return snprintf(out, n, "%s/%s", dir, best) < (int)n ? 0 : -1;
}

enum ds_status
ws_form_path(const char *wsdir, const char *form_id, const char *version,
    char *out, size_t n, char *ver, size_t vn, struct ds_err *err)
{
	char dir[4096], vdir[4352], newest[WS_FORM_TOKEN_MAX + 1] = "";
	struct dirent *e;
	DIR *d;

	if (!token_ok(form_id) || (version != NULL && !token_ok(version)))
		return ds_err_set(err, DS_EINVAL, "bad form id or version");
	if (snprintf(dir, sizeof(dir), "%s/%s/%s", wsdir, FORMS_DIR,
	    form_id) >= (int)sizeof(dir))
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if (version != NULL)
		snprintf(newest, sizeof(newest), "%s", version);
	else if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			snprintf(vdir, sizeof(vdir), "%s/%s", dir, e->d_name);
			if (!token_ok(e->d_name) || form_file_in(vdir, form_id,
			    out, n) != 0)
				continue;
			if (newest[0] == '\0' ||
			    ws_form_version_cmp(e->d_name, newest) > 0)
				snprintf(newest, sizeof(newest), "%s",
				    e->d_name);
		}
		closedir(d);
	}
	if (newest[0] != '\0') {
		snprintf(vdir, sizeof(vdir), "%s/%s", dir, newest);
		if (form_file_in(vdir, form_id, out, n) == 0) {
			if (ver != NULL)
				snprintf(ver, vn, "%s", newest);
			return DS_OK;
		}
	}
	/* The layout before versions: forms/ID.md, .xlsx or .xls (its
	 * version is whatever its settings say; the caller may check). */
	snprintf(vdir, sizeof(vdir), "%s/%s", wsdir, FORMS_DIR);
	if (form_named(vdir, form_id, out, n) == 0) {
		if (ver != NULL && vn > 0)
			ver[0] = '\0';
		return DS_OK;
	}
	out[0] = '\0';
	if (version != NULL)
		return ds_err_set(err, DS_ENOENT, "form %s version %s is not "
		    "installed in this workspace", form_id, version);
	return ds_err_set(err, DS_ENOENT, "form %s is not installed in this "
	    "workspace", form_id);
}

enum ds_status
ws_form_ids(const char *wsdir, char (*ids)[WS_FORM_TOKEN_MAX + 1],
    size_t max, size_t *np, struct ds_err *err)
{
	char dir[4096], p[4352], id[WS_FORM_TOKEN_MAX + 1];
	struct dirent *e;
	struct stat sb;
	size_t i, k, x;
	DIR *d;

	*np = 0;
	if (snprintf(dir, sizeof(dir), "%s/%s", wsdir, FORMS_DIR) >=
	    (int)sizeof(dir))
		return ds_err_set(err, DS_ELIMIT, "workspace path too long");
	if ((d = opendir(dir)) == NULL)
		return DS_OK;
	while ((e = readdir(d)) != NULL && *np < max) {
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (e->d_name[0] == '.' || stat(p, &sb) != 0)
			continue;
		k = strlen(e->d_name);
		if (S_ISDIR(sb.st_mode) && token_ok(e->d_name))
			snprintf(id, sizeof(id), "%s", e->d_name);
		else if (S_ISREG(sb.st_mode) && (x = form_ext(e->d_name)) > 0 &&
		    k - x <= WS_FORM_TOKEN_MAX)
			snprintf(id, sizeof(id), "%.*s", (int)(k - x),
			    e->d_name);
		else
			continue;
		for (i = 0; i < *np && strcmp(ids[i], id) != 0; i++)
			;
		if (i == *np)
			snprintf(ids[(*np)++], WS_FORM_TOKEN_MAX + 1, "%s", id);
	}
	closedir(d);
	return DS_OK;
}
