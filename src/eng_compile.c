/* doorstep: compile a loaded form for the interview engine. */
/*
 * eng_compile parses every expression column once, resolves each ${name}
 * and path against the form, and builds the dependency graph the engine
 * recomputes along: an edge R -> D when an eager expression of D
 * (relevant, calculation, read_only, repeat_count) reads R.  Each edge
 * carries the deepest repeat holding both ends, which tells the engine
 * which instances of D a change of one instance of R can reach.  Nodes get
 * a topological rank (Kahn); what is left over lies on or behind a cycle,
 * and each cycle is reported once with its rows.  Lazy columns (required,
 * constraint, warning, choice_filter, default) are parsed and checked but
 * make no edges: they are evaluated when asked.
 *
 * Every problem becomes a diagnostic; compile goes on after errors so the
 * author sees them all.
 */
#include "eng_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

static const char *const xk_column[EX_NKIND] = {
	"relevant", "calculation", "read_only", "repeat_count", "required",
	"constraint", "warning", "choice_filter", "default"
};

struct cc {
	struct eng_form		*cf;
	const struct form	*f;
	struct form_diags	*d;
	size_t			 cur;	/* node being compiled */
	enum eng_xk		 xk;
	int			 oom;
	size_t			 ncycles;
};

static void
diag(struct cc *c, int line, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
diag(struct cc *c, int line, const char *col, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (form_diag_add(c->d, c->f->source ? c->f->source : c->f->id,
	    line, col, 1, "%s", msg) != DS_OK)
		c->oom = 1;
}

/* 1 if a is rep or inside it. */
static int
within(const struct form_node *a, const struct form_node *rep)
{
	for (; a != NULL; a = a->parent)
		if (a == rep)
			return 1;
	return 0;
}

/* Deepest repeat that is an ancestor-or-self of both a and b. */
static const struct form_node *
lca_repeat(const struct form_node *a, const struct form_node *b)
{
	const struct form_node *r;

	for (r = a; r != NULL; r = r->parent)
		if (r->type == FT_REPEAT && within(b, r))
			return r;
	return NULL;
}

static enum ds_status
edges_add(struct eng_edges *e, size_t to, const struct form_node *lca)
{
	struct eng_edge *v;
	size_t i, cap;

	for (i = 0; i < e->n; i++)
		if (e->v[i].to == to && e->v[i].lca == lca)
			return DS_OK;
	if (e->n == e->cap) {
		cap = e->cap ? e->cap * 2 : 4;
		if ((v = ds_realloc(e->v, cap * sizeof(*v))) == NULL)
			return DS_ENOMEM;
		e->v = v;
		e->cap = cap;
	}
	e->v[e->n].to = to;
	e->v[e->n].lca = lca;
	e->n++;
	return DS_OK;
}

/* Record that node c->cur reads def r through column c->xk. */
static void
depend(struct cc *c, const struct form_node *r)
{
	const struct form_node *d = c->f->nodes[c->cur];
	struct eng_bind *b = &c->cf->b[c->cur];

	if (c->xk > EX_COUNT)
		return;		/* lazy columns make no edges */
	if (c->xk == EX_CALC && b->trigger != NULL)
		return;		/* recomputed on its trigger only */
	if (edges_add(&c->cf->b[r->index].out, c->cur,
	    lca_repeat(r, d)) != DS_OK)
		c->oom = 1;
}

/* Resolve the last named step of a path to a form node, or NULL. */
static const struct form_node *
path_target(struct cc *c, const char *p, size_t len, int *skip)
{
	const struct form_node *n = c->f->nodes[c->cur];
	char seg[INST_NAME_MAX];
	size_t i, k;
	int first = 1;

	*skip = 0;
	if (len >= 9 && memcmp(p, "instance(", 9) == 0) {
		*skip = 1;	/* secondary instance: no dependency */
		return NULL;
	}
	if (len > 0 && p[0] == '/') {
		n = c->f->root;
		p++, len--;
		first = 2;	/* next named step is the root element */
	} else if (len >= 9 && memcmp(p, "current()", 9) == 0) {
		p += 9, len -= 9;
		if (len > 0 && *p == '/')
			p++, len--;
		first = 0;
	}
	while (len > 0) {
		for (k = 0; k < len && p[k] != '/'; k++)
			;
		if (k == 0 || k >= sizeof(seg))
			return NULL;
		memcpy(seg, p, k);
		seg[k] = '\0';
		p += k, len -= k;
		if (len > 0)
			p++, len--;
		if (strcmp(seg, ".") == 0)
			;
		else if (strcmp(seg, "..") == 0) {
			if (n->parent == NULL)
				return NULL;
			n = n->parent;
		} else if (first == 2)
			;	/* /data: any root element name */
		else {
			const struct form_node *k2 = NULL;

			for (i = 0; i < n->nkids; i++)
				if (n->kids[i]->name != NULL &&
				    strcmp(form_node_xml_name(n->kids[i]),
				    seg) == 0)
					k2 = n->kids[i];
			if (k2 == NULL)
				return NULL;
			n = k2;
		}
		if (first == 2 && strcmp(seg, ".") != 0)
			first = 0;
		(void)first;
	}
	return n;
}

static enum ds_status
ref_cb(void *arg, const struct expr_ref *r)
{
	struct cc *c = arg;
	const struct form_node *me = c->f->nodes[c->cur];
	const struct form_node *t;
	char name[INST_NAME_MAX];
	int skip;

	switch (r->kind) {
	case EXPR_REF_NAME:
		if (r->len >= sizeof(name)) {
			diag(c, me->line, xk_column[c->xk],
			    "reference too long");
			return DS_OK;
		}
		memcpy(name, r->text, r->len);
		name[r->len] = '\0';
		if ((t = form_find(c->f, name)) == NULL) {
			diag(c, me->line, xk_column[c->xk],
			    "unknown question ${%s}", name);
			return DS_OK;
		}
		depend(c, t);
		break;
	case EXPR_REF_PATH:
		/* Paths inside predicates and in choice filters are relative
		 * to secondary-instance items: not our nodes. */
		if ((r->flags & EXPR_REFF_PREDICATE) &&
		    !(r->flags & (EXPR_REFF_ABSOLUTE | EXPR_REFF_CURRENT)))
			return DS_OK;
		if (c->xk == EX_FILTER &&
		    !(r->flags & (EXPR_REFF_ABSOLUTE | EXPR_REFF_CURRENT)))
			return DS_OK;
		t = path_target(c, r->text, r->len, &skip);
		if (skip)
			return DS_OK;
		if (t == NULL && !(r->flags & (EXPR_REFF_ABSOLUTE |
		    EXPR_REFF_CURRENT))) {
			/* Collect reads a relative path to nothing as an
			 * empty node-set, and pyxform accepts the form. */
			if (form_diag_add(c->d, c->f->source ? c->f->source :
			    c->f->id, me->line, xk_column[c->xk], 0,
			    "path %.*s names no question here; it is always "
			    "empty", (int)r->len, r->text) != DS_OK)
				c->oom = 1;
			return DS_OK;
		}
		if (t == NULL) {
			diag(c, me->line, xk_column[c->xk],
			    "unknown path %.*s", (int)r->len, r->text);
			return DS_OK;
		}
		if (t == me && c->xk > EX_COUNT)
			return DS_OK;	/* '.' in a constraint: the answer */
		if (t->type == FT_ROOT)
			return DS_OK;
		depend(c, t);
		break;
	case EXPR_REF_INSTANCE:
		if (form_list_find(c->f, r->text) < 0 &&
		    r->len < sizeof(name)) {
			memcpy(name, r->text, r->len);
			name[r->len] = '\0';
			if (form_list_find(c->f, name) < 0)
				diag(c, me->line, xk_column[c->xk],
				    "unknown instance '%s' (no choice list "
				    "of that name)", name);
		}
		break;
	}
	return DS_OK;
}

/* A default is dynamic when it looks like an expression (pyxform). */
static int
default_is_dynamic(const char *s)
{
	return strstr(s, "${") != NULL || strchr(s, '(') != NULL ||
	    s[0] == '/' || strchr(s, '*') != NULL;
}

/*
 * xlsform-xpath.md §13.4: a calculate holds "true"/"false" as text and
 * boolean("false") is true, so a bare ${flag} relevant is a trap.
 */
static void
lint_bare_flag(struct cc *c, const char *src)
{
	const struct form_node *me = c->f->nodes[c->cur], *t;
	char name[INST_NAME_MAX];
	size_t n;

	while (*src == ' ')
		src++;
	n = strlen(src);
	while (n > 0 && src[n - 1] == ' ')
		n--;
	if (n < 4 || src[0] != '$' || src[1] != '{' || src[n - 1] != '}' ||
	    n - 3 >= sizeof(name) || memchr(src + 2, '}', n - 3) != NULL)
		return;
	memcpy(name, src + 2, n - 3);
	name[n - 3] = '\0';
	if ((t = form_find(c->f, name)) == NULL || t->type != FT_CALCULATE)
		return;
	if (form_diag_add(c->d, c->f->source ? c->f->source : c->f->id,
	    me->line, "relevant", 0, "relevant is the bare calculate ${%s}, "
	    "which is true whenever it is not empty (even \"false\"); "
	    "compare it, e.g. ${%s} = 'true'", name, name) != DS_OK)
		c->oom = 1;
}

static void
compile_col(struct cc *c, enum eng_xk xk, const char *src)
{
	struct eng_bind *b = &c->cf->b[c->cur];
	const struct form_node *me = c->f->nodes[c->cur];
	struct ds_err err;
	struct expr *x = NULL;
	enum ds_status st;

	if (src == NULL)
		return;
	c->xk = xk;
	ds_err_clear(&err);
	if ((st = expr_parse(src, strlen(src), &x, &err)) != DS_OK) {
		if (st == DS_ENOMEM)
			c->oom = 1;
		else
			diag(c, me->line, xk_column[xk], "%s", err.msg);
		return;
	}
	b->x[xk] = x;
	if (xk <= EX_COUNT && (expr_flags(x) & EXPR_F_VOLATILE) &&
	    (c->cf->nvolatiles == 0 ||
	    c->cf->volatiles[c->cf->nvolatiles - 1] != c->cur)) {
		size_t *v = ds_realloc(c->cf->volatiles,
		    (c->cf->nvolatiles + 1) * sizeof(*v));

		if (v == NULL)
			c->oom = 1;
		else {
			v[c->cf->nvolatiles++] = c->cur;
			c->cf->volatiles = v;
		}
	}
	if (xk == EX_RELEVANT)
		lint_bare_flag(c, src);
	if (xk <= EX_COUNT && (expr_flags(x) & EXPR_F_POSITION))
		b->uses_pos = 1;
	(void)expr_refs(x, ref_cb, c);
}

/* Compile ${name} references inside a label text (checked, no edges). */
static void
check_text_refs(struct cc *c, const struct form_text *t, const char *col)
{
	const struct form_node *me = c->f->nodes[c->cur];
	const char *p, *q;
	char name[INST_NAME_MAX];
	size_t i, n;

	if (t->v == NULL)
		return;
	for (i = 0; i < c->f->nlangs; i++) {
		for (p = t->v[i]; p != NULL && (p = strstr(p, "${")) != NULL;
		    p = q) {
			p += 2;
			if ((q = strchr(p, '}')) == NULL)
				break;
			n = (size_t)(q - p);
			if (n == 0 || n >= sizeof(name))
				continue;
			memcpy(name, p, n);
			name[n] = '\0';
			if (form_find(c->f, name) == NULL)
				diag(c, me->line, col,
				    "unknown question ${%s}", name);
		}
	}
}

/*
 * `column = ${q}` (or `${q} = column`): the engine compares the column's
 * text with q's answer instead of evaluating per item, when q's answer is
 * a string (xlsform-xpath.md §16, javarosa#438).
 */
static void
simple_filter(struct cc *c, struct eng_bind *b, const char *src)
{
	const char *p = src, *col, *ref;
	size_t ncol = 0, nref = 0;
	char name[INST_NAME_MAX];
	int pass;

	for (pass = 0; pass < 2; pass++) {
		p = src;
		col = ref = NULL;
		while (*p == ' ')
			p++;
		if (pass == 0) {
			col = p;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			    *p == '.')
				p++;
			ncol = (size_t)(p - col);
		} else {
			if (p[0] != '$' || p[1] != '{')
				return;
			ref = p + 2;
			if ((p = strchr(ref, '}')) == NULL)
				return;
			nref = (size_t)(p - ref);
			p++;
		}
		while (*p == ' ')
			p++;
		if (*p++ != '=' || *p == '=')
			continue;
		while (*p == ' ')
			p++;
		if (pass == 0) {
			if (p[0] != '$' || p[1] != '{')
				continue;
			ref = p + 2;
			if ((p = strchr(ref, '}')) == NULL)
				continue;
			nref = (size_t)(p - ref);
			p++;
		} else {
			col = p;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			    *p == '.')
				p++;
			ncol = (size_t)(p - col);
		}
		while (*p == ' ')
			p++;
		if (*p != '\0' || ncol == 0 || nref == 0 ||
		    nref >= sizeof(name) || (col[0] >= '0' && col[0] <= '9') ||
		    col[0] == '-' || col[0] == '.')
			continue;
		memcpy(name, ref, nref);
		name[nref] = '\0';
		if ((b->filt_ref = form_find(c->f, name)) == NULL)
			return;
		if ((b->filt_col = ds_strndup(col, ncol)) == NULL)
			c->oom = 1;
		return;
	}
}

static void
compile_node(struct cc *c, size_t i)
{
	const struct form_node *n = c->f->nodes[i];
	struct eng_bind *b = &c->cf->b[i];
	const struct form_node *p;
	char name[INST_NAME_MAX];
	size_t len;

	c->cur = i;
	b->node = n;
	b->kidpos = inst_kidpos(n);
	for (p = n->parent; p != NULL; p = p->parent)
		if (p->type == FT_REPEAT) {
			b->rep = p;
			break;
		}
	if (n->trigger != NULL) {
		len = strlen(n->trigger);
		if (len > 3 && n->trigger[0] == '$' && n->trigger[1] == '{' &&
		    n->trigger[len - 1] == '}' && len - 3 < sizeof(name)) {
			memcpy(name, n->trigger + 2, len - 3);
			name[len - 3] = '\0';
			b->trigger = form_find(c->f, name);
		}
		if (b->trigger == NULL)
			diag(c, n->line, "trigger", "unknown trigger %s "
			    "(write ${name})", n->trigger);
		else if (edges_add(&c->cf->b[b->trigger->index].out, i,
		    lca_repeat(b->trigger, n)) != DS_OK)
			c->oom = 1;
	}
	compile_col(c, EX_RELEVANT, n->relevant);
	compile_col(c, EX_CALC, n->calculation);
	compile_col(c, EX_READONLY, n->read_only);
	compile_col(c, EX_COUNT, n->repeat_count);
	compile_col(c, EX_REQUIRED, n->required);
	compile_col(c, EX_CONSTRAINT, n->constraint);
	compile_col(c, EX_WARNING, n->warning);
	compile_col(c, EX_FILTER, n->choice_filter);
	if (b->x[EX_FILTER] != NULL)
		simple_filter(c, b, n->choice_filter);
	if (n->default_value != NULL) {
		if (default_is_dynamic(n->default_value))
			compile_col(c, EX_DEFAULT, n->default_value);
		else
			b->is_static_default = 1;
	}
	b->eager = b->x[EX_RELEVANT] || b->x[EX_CALC] || b->x[EX_READONLY] ||
	    b->x[EX_COUNT];
	if ((n->type == FT_SELECT_ONE || n->type == FT_SELECT_MULTIPLE) &&
	    (n->list < 0 || (size_t)n->list >= c->f->nlists))
		diag(c, n->line, "type", "select question %s has no choice "
		    "list", n->name ? n->name : "");
	if (n->repeat_count != NULL && n->type != FT_REPEAT)
		diag(c, n->line, "repeat_count", "repeat_count on a %s "
		    "(only repeats take it)", form_type_name(n->type));
	check_text_refs(c, &n->label, "label");
	check_text_refs(c, &n->hint, "hint");
}

/*
 * Structural dependants of repeat m: edges from anything inside m to
 * nodes outside it (count(), sum() over the roster), and the position()
 * users inside it.
 */
static void
build_structural(struct cc *c, const struct form_node *m)
{
	struct eng_bind *bm = &c->cf->b[m->index];
	size_t i, j;
	const struct form_node *r;

	for (i = m->index; i < c->f->nnodes; i++) {
		r = c->f->nodes[i];
		if (!within(r, m))
			break;	/* document order: the subtree is contiguous */
		for (j = 0; j < c->cf->b[i].out.n; j++) {
			const struct eng_edge *e = &c->cf->b[i].out.v[j];

			if (!within(c->f->nodes[e->to], m) &&
			    edges_add(&bm->sout, e->to, e->lca) != DS_OK)
				c->oom = 1;
		}
		if (c->cf->b[i].uses_pos && i != m->index) {
			size_t *v = ds_realloc(bm->posusers,
			    (bm->nposusers + 1) * sizeof(*v));

			if (v == NULL) {
				c->oom = 1;
				return;
			}
			v[bm->nposusers++] = i;
			bm->posusers = v;
		}
	}
}

/* Kahn's algorithm over value and structural edges; then the cycles. */
static void
order(struct cc *c)
{
	const struct form *f = c->f;
	struct eng_bind *b = c->cf->b;
	size_t *indeg, *fifo, head = 0, tail = 0, i, j, k, rank = 0;
	unsigned char *state;

	indeg = ds_calloc(f->nnodes, sizeof(*indeg));
	fifo = ds_calloc(f->nnodes, sizeof(*fifo));
	state = ds_calloc(f->nnodes, 1);
	if (indeg == NULL || fifo == NULL || state == NULL) {
		c->oom = 1;
		goto out;
	}
#define FOR_EDGES(i, e, BODY) do {					\
	for (k = 0; k < b[i].out.n; k++) { e = &b[i].out.v[k]; BODY; }	\
	if (b[i].x[EX_COUNT] != NULL)					\
		for (k = 0; k < b[i].sout.n; k++) {			\
			e = &b[i].sout.v[k]; BODY;			\
		}							\
} while (0)
	for (i = 0; i < f->nnodes; i++) {
		const struct eng_edge *e;

		FOR_EDGES(i, e, indeg[e->to]++);
	}
	for (i = 0; i < f->nnodes; i++)
		if (indeg[i] == 0)
			fifo[tail++] = i;
	while (head < tail) {
		const struct eng_edge *e;

		i = fifo[head++];
		b[i].rank = (unsigned)rank++;
		state[i] = 1;
		FOR_EDGES(i, e, if (--indeg[e->to] == 0) fifo[tail++] = e->to);
	}
	if (tail == f->nnodes)
		goto out;
	/* Each left-over node is on a cycle or downstream of one.  Walk
	 * from it along edges into left-over nodes until a node repeats. */
	for (i = 0; i < f->nnodes; i++) {
		size_t walk[64], nw = 0, at, start;
		char msg[512];
		size_t len = 0;
		int found = 0;

		if (state[i] != 0)
			continue;
		at = i;
		for (;;) {
			const struct eng_edge *e, *nx = NULL;

			for (j = 0; j < nw; j++)
				if (walk[j] == at)
					break;
			if (j < nw) {
				start = j;
				found = 1;
				break;
			}
			if (state[at] == 2 || nw == 64)
				break;	/* reaches a reported cycle */
			walk[nw++] = at;
			FOR_EDGES(at, e, if (nx == NULL && state[e->to] != 1)
			    nx = e);
			if (nx == NULL)
				break;
			at = nx->to;
		}
		for (j = 0; j < nw; j++)
			state[walk[j]] = 2;
		if (!found)
			continue;
		msg[0] = '\0';
		for (j = start; j < nw; j++) {
			const struct form_node *n = f->nodes[walk[j]];
			int w = snprintf(msg + len, sizeof(msg) - len,
			    "%s (line %d) -> ", n->name ? n->name : "?",
			    n->line);

			if (w < 0 || (size_t)w >= sizeof(msg) - len)
				break;
			len += (size_t)w;
		}
		diag(c, f->nodes[walk[start]]->line,
		    b[walk[start]].x[EX_CALC] ? "calculation" : "relevant",
		    "dependency cycle: %s%s", msg,
		    f->nodes[walk[start]]->name ?
		    f->nodes[walk[start]]->name : "?");
		c->ncycles++;
	}
#undef FOR_EDGES
out:
	ds_free(indeg);
	ds_free(fifo);
	ds_free(state);
}

static void
check_settings(struct cc *c)
{
	const struct form *f = c->f;
	const struct form_node *g, *n;
	size_t i;

	if (f->consent != NULL) {
		g = form_find(f, f->consent);
		if (g == NULL || g->type != FT_SELECT_ONE)
			diag(c, 0, "consent", "consent setting names %s, "
			    "which is not a select_one question", f->consent);
		else if (c->cf->b[g->index].rep != NULL)
			diag(c, g->line, "consent", "the consent question %s "
			    "is inside a repeat", f->consent);
		else {
			c->cf->consent = g;
			n = g->parent->type == FT_ROOT ? g : g->parent;
			c->cf->gate_end = n->index;
			for (i = n->index + 1; i < f->nnodes &&
			    within(f->nodes[i], n); i++)
				c->cf->gate_end = i;
		}
	}
	if (f->household_key != NULL) {
		g = form_find(f, f->household_key);
		if (g == NULL || g->type == FT_GROUP || g->type == FT_REPEAT)
			diag(c, 0, "household_key", "household_key setting "
			    "names %s, which is not a question",
			    f->household_key);
		else
			c->cf->hhkey = g;
	}
	if (f->instance_name != NULL) {
		struct ds_err err;

		c->cur = 0;
		c->xk = EX_CALC;
		ds_err_clear(&err);
		if (expr_parse(f->instance_name, strlen(f->instance_name),
		    &c->cf->instance_name, &err) != DS_OK)
			diag(c, 0, "instance_name", "%s", err.msg);
		else {
			c->xk = EX_REQUIRED;	/* no edges */
			(void)expr_refs(c->cf->instance_name, ref_cb, c);
		}
	}
}

enum ds_status
eng_compile(const struct form *f, struct eng_form **out,
    struct form_diags *diags)
{
	struct form_diags local;
	struct eng_form *cf;
	struct cc c;
	size_t i, before, cycles;
	enum ds_status st;

	if (diags == NULL) {
		form_diags_init(&local);
		diags = &local;
	}
	if ((cf = ds_calloc(1, sizeof(*cf))) == NULL)
		return DS_ENOMEM;
	cf->f = f;
	if ((cf->b = ds_calloc(f->nnodes ? f->nnodes : 1,
	    sizeof(*cf->b))) == NULL) {
		ds_free(cf);
		return DS_ENOMEM;
	}
	memset(&c, 0, sizeof(c));
	c.cf = cf;
	c.f = f;
	c.d = diags;
	before = diags->nerrors;
	for (i = 0; i < f->nnodes; i++)
		compile_node(&c, i);
	check_settings(&c);
	for (i = 0; i < f->nnodes; i++)
		if (f->nodes[i]->type == FT_REPEAT)
			build_structural(&c, f->nodes[i]);
	order(&c);
	cycles = c.ncycles;
	st = DS_OK;
	if (c.oom)
		st = DS_ENOMEM;
	else if (diags->nerrors > before)
		st = diags->nerrors - before == cycles ? DS_ECYCLE : DS_EPARSE;
	if (diags == &local)
		form_diags_reset(&local);
	if (st != DS_OK) {
		eng_form_free(cf);
		return st;
	}
	*out = cf;
	return DS_OK;
}

void
eng_form_free(struct eng_form *cf)
{
	size_t i, k;

	if (cf == NULL)
		return;
	for (i = 0; i < cf->f->nnodes; i++) {
		for (k = 0; k < EX_NKIND; k++)
			expr_free(cf->b[i].x[k]);
		ds_free(cf->b[i].out.v);
		ds_free(cf->b[i].sout.v);
		ds_free(cf->b[i].posusers);
		ds_free(cf->b[i].filt_col);
	}
	ds_free(cf->b);
	ds_free(cf->volatiles);
	expr_free(cf->instance_name);
	ds_free(cf);
}

const struct form *
eng_form_model(const struct eng_form *cf)
{
	return cf->f;
}
