/* doorstep: fuzz the engine with whole forms (compile, walk, round trip). */
/*
 * Input: pyxform markdown.  A form that loads is compiled (references,
 * graph, cycles must never crash or hang); one that compiles is opened,
 * every repeat gets an item, the cursor walks forward to the end and back,
 * the review list is built, and the state must survive serialize ->
 * restore -> serialize byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eng.h"
#include "eng_int.h"
#include "form.h"
#include "json.h"
#include "mem.h"
#include "xls.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * The canonical document; eng_to_text must write the same bytes, and
 * without the cursor the same as the tree without "path" and
 * "unconfirmed" (what sess compares on a move).
 */
static char *
canon(struct eng *e, size_t *len)
{
	json_t *j = NULL, *m;
	char *s = NULL, *t = NULL, *u = NULL, *v = NULL;
	size_t tl = 0, ul = 0, vl = 0;

	if (eng_to_json(e, &j, NULL) != DS_OK)
		return NULL;
	if (ds_json_canonical(j, &s, len, NULL) != DS_OK)
		s = NULL;
	if (s != NULL) {
		if (eng_to_text(e, 0, &t, &tl, NULL) != DS_OK || tl != *len ||
		    memcmp(s, t, tl) != 0)
			abort();
		ds_free(t);
		m = json_object_get(j, "_meta");
		(void)json_object_del(m, "path");
		(void)json_object_del(m, "unconfirmed");
		if (ds_json_canonical(j, &u, &ul, NULL) != DS_OK ||
		    eng_to_text(e, ENG_TEXT_NO_CURSOR, &t, &tl, NULL) !=
		    DS_OK || tl != ul || memcmp(u, t, tl) != 0)
			abort();
		ds_free(t);
		/* both at once */
		if (eng_to_texts(e, &t, &tl, &v, &vl, NULL) != DS_OK ||
		    tl != *len || memcmp(t, s, tl) != 0 || vl != ul ||
		    memcmp(v, u, vl) != 0)
			abort();
		ds_free(t);
		ds_free(v);
		ds_free(u);
	}
	json_decref(j);
	return s;
}

/* The prompt's progress comes from the counts the tree keeps, brought
 * up to date by what changed: it must equal a count made afresh (a new
 * epoch makes every kept count stale). */
static void
prompt_checked(struct eng *e)
{
	const struct eng_prompt *p = eng_prompt(e);
	size_t a = p->answered, t = p->total, a2, t2;

	e->kepoch++;
	eng_progress(e, &a2, &t2);
	if (a != a2 || t != t2)
		abort();
}

static void
exercise(const struct eng_form *cf)
{
	struct eng *e = NULL, *r = NULL;
	struct eng_issue *v = NULL;
	size_t nv = 0, la = 0, lb = 0, nerr = 0, cn = 0, cerr = 0;
	struct inst_node *n;
	char path[ENG_PATH_MAX], *a, *b;
	json_t *j = NULL;
	int i;

	if (eng_open(cf, NULL, &e, NULL) != DS_OK)
		return;
	/* one item in every top-level roster that takes one */
	for (n = eng_root(e); n != NULL; n = inst_next(n, 0))
		if (n->kind == INST_SET && n->nitems == 0 &&
		    eng_path_fmt(n, path, sizeof(path)) == DS_OK)
			(void)eng_repeat_add(e, path, NULL);
	(void)eng_jump(e, "", NULL);
	for (i = 0; i < 4096 && eng_prev(e, NULL) == DS_OK; i++)
		prompt_checked(e);
	for (i = 0; i < 4096 && eng_next(e, NULL) == DS_OK; i++)
		prompt_checked(e);
	if (eng_issues(e, &v, &nv, &nerr) == DS_OK) {
		/* the counts sess keeps are the list's */
		eng_issue_counts(e, &cn, &cerr);
		if (cn != nv || cerr != nerr)
			abort();
		eng_issues_free(v, nv);
	}
	if ((a = canon(e, &la)) != NULL) {
		if (ds_json_parse(a, la, 1u << 24, "fuzz", &j, NULL) == DS_OK &&
		    eng_restore(cf, NULL, j, &r, NULL) == DS_OK) {
			b = canon(r, &lb);
			if (b != NULL && (la != lb || memcmp(a, b, la) != 0))
				abort();
			ds_free(b);
			eng_free(r);
		}
		if (j != NULL)
			json_decref(j);
		ds_free(a);
	}
	eng_free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form_diags d;
	struct xls_opts o;
	struct form *f = NULL;
	struct eng_form *cf = NULL;
	static int init;

	if (!init) {
		ds_json_init();
		init = 1;
	}
	if (size > 131072)
		return 0;
	memset(&o, 0, sizeof(o));
	o.source = "fuzz.md";
	form_diags_init(&d);
	if (form_load_md((const char *)data, size, &o, &f, &d) == DS_OK &&
	    eng_compile(f, &cf, &d) == DS_OK) {
		exercise(cf);
		eng_form_free(cf);
	}
	form_free(f);
	form_diags_reset(&d);
	return 0;
}
