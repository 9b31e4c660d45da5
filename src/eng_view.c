/* doorstep: the prompt view model (struct eng_prompt) for the TUI. */
/*
 * eng_prompt() describes the screen at the cursor: kind, path, section
 * path, the questions with label and hint in the display language (${x}
 * references filled in), filtered and translated choices, current value,
 * error and warning text, and progress.  Strings are the form's (borrowed)
 * or built into the engine's arena; everything stays valid until the next
 * call on the engine.
 */
#include "eng_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

static int
has_word(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p;

	for (p = list; p != NULL && (p = strstr(p, w)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' ||
		    p[n] == '\0'))
			return 1;
	return 0;
}

static void
fill_field(struct eng *e, struct eng_field *f, struct inst_node *n)
{
	const struct form_list *l;
	const struct expr *rx = e->cf->b[n->def->index].x[EX_REQUIRED];
	struct eng_choice *cv;
	const size_t *idx;
	enum eng_msg ec, wc;
	size_t i, k, nidx;
	int v = 0;

	memset(f, 0, sizeof(*f));
	(void)eng_path_fmt(n, f->path, sizeof(f->path));
	f->node = n->def;
	f->type = n->def->type;
	f->name = n->def->name;
	f->label = eng_fill_refs(e, n, form_text_get(e->f, &n->def->label,
	    e->lang));
	f->hint = eng_fill_refs(e, n, form_text_get(e->f, &n->def->hint,
	    e->lang));
	f->value = n->value;
	f->reason = n->reason;
	f->readonly = eng_readonly(e, n);
	f->appearance = n->def->appearance;
	if (rx != NULL && !f->readonly && eng_eval_bool(e, rx, n, &v) ==
	    DS_OK)
		f->required = v;
	f->confirmed = n->value != NULL && (n->flags & INST_F_ANSWERED);
	if (!f->readonly || n->rule_err != NULL) {
		(void)eng_check_node(e, n, &ec, &wc);
		if (f->readonly)
			wc = ENG_MSG_NONE;
		if (ec != ENG_MSG_NONE)
			eng_note_check(e, n, ec, &f->error);
		if (wc != ENG_MSG_NONE)
			eng_note_check(e, n, wc, &f->warning);
	}
	if ((l = eng_list_of(e, n->def)) == NULL ||
	    (n->def->type != FT_SELECT_ONE &&
	    n->def->type != FT_SELECT_MULTIPLE))
		return;
	if ((idx = eng_choices(e, n, l, &nidx)) == NULL)
		return;
	cv = ds_calloc(nidx + 1, sizeof(*cv));
	if (cv == NULL || eng_arena_keep(e, (char *)cv) == NULL)
		return;
	for (k = 0; k < nidx; k++) {
		i = idx[k];
		cv[k].name = l->choices[i].name;
		cv[k].label = form_text_get(e->f, &l->choices[i].label,
		    e->lang);
		if (cv[k].label == NULL)
			cv[k].label = cv[k].name;
		cv[k].selected = n->value != NULL &&
		    has_word(n->value, cv[k].name);
	}
	if (n->def->or_other) {
		cv[k].name = "other";
		cv[k].label = "Other";
		cv[k].selected = n->value != NULL && has_word(n->value,
		    "other");
		k++;
	}
	f->choices = cv;
	f->nchoices = k;
}

static int
under(const struct form_node *d, const struct form_node *anc)
{
	for (; d != NULL; d = d->parent)
		if (d == anc)
			return 1;
	return 0;
}

/* A repeat set's label without what its items' answers would fill in
 * ("Member ${m_name}" -> "Member"). */
static const char *
set_label(struct eng *e, const struct inst_node *set)
{
	const char *s = form_text_get(e->f, &set->def->label, e->lang);
	const struct form_node *d;
	struct ds_buf b;
	char name[INST_NAME_MAX];
	const char *p, *q;
	size_t len;

	if (s == NULL || strstr(s, "${") == NULL)
		return s;
	ds_buf_init(&b, 1 << 16);
	for (p = s; *p != '\0'; p = q) {
		if ((q = strstr(p, "${")) == NULL) {
			ds_buf_adds(&b, p);
			break;
		}
		ds_buf_add(&b, p, (size_t)(q - p));
		p = q + 2;
		if ((q = strchr(p, '}')) == NULL ||
		    (len = (size_t)(q - p)) >= sizeof(name))
			break;
		memcpy(name, p, len);
		name[len] = '\0';
		q++;
		/* outside the set: fill it as usual */
		if ((d = form_find(e->f, name)) != NULL &&
		    !under(d, set->def)) {
			const struct inst_node *v = eng_ref1(e, set, d);

			if (v != NULL && v->value != NULL)
				ds_buf_adds(&b, v->value);
		}
	}
	while (b.len > 0 && (b.p[b.len - 1] == ' ' ||
	    b.p[b.len - 1] == ':'))
		b.p[--b.len] = '\0';
	if (b.p == NULL)
		return "";
	return eng_arena_keep(e, ds_buf_take(&b, NULL));
}

/*
 * Leaf n counts in the progress, its own flags and rules only: what is
 * above it (irrelevant or read-only) hides it from there, so a count kept
 * below never depends on a flag above it.
 */
static int
counts(const struct eng *e, const struct inst_node *n)
{
	return eng_answerable(n->def->type) && !(n->flags &
	    (INST_F_IRRELEVANT | INST_F_READONLY)) &&
	    (e->cf->b[n->def->index].x[EX_CALC] == NULL ||
	    e->cf->b[n->def->index].trigger != NULL) && !eng_blocked(e, n);
}

int
eng_unconfirmed(const struct inst_node *n)
{
	return n->value != NULL && !(n->flags & INST_F_ANSWERED) &&
	    eng_answerable(n->def->type);
}

/*
 * The counts of n from its children's.  Progress counts relevant,
 * answerable questions that are not read-only or behind the consent gate
 * (an irrelevant or read-only node hides its whole subtree); a default the
 * worker has not passed is not yet an answer.  _meta's counts take every
 * leaf.  Depth is the form's (kept small by the loader).
 */
static void
kept_node(struct eng *e, struct inst_node *n)
{
	struct inst_node *k;
	unsigned ans = 0, tot = 0, nr = 0, nu = 0;
	size_t i, nk;
	int hide = (n->flags & (INST_F_IRRELEVANT | INST_F_READONLY)) != 0;

	nk = n->kind == INST_SET ? n->nitems : n->kids != NULL ?
	    n->def->nkids : 0;
	for (i = 0; i < nk; i++) {
		k = n->kind == INST_SET ? n->items[i] : n->kids[i];
		if (k->kind == INST_LEAF) {
			nr += k->reason != NULL;
			nu += eng_unconfirmed(k);
			if (hide || !counts(e, k))
				continue;
			tot++;
			ans += k->value != NULL &&
			    (k->flags & INST_F_ANSWERED);
			continue;
		}
		if (k->kstamp != e->kepoch)
			kept_node(e, k);
		nr += k->kreason;
		nu += k->kunconf;
		if (!hide) {
			ans += k->kans;
			tot += k->ktot;
		}
	}
	n->kans = ans;
	n->ktot = tot;
	n->kreason = nr;
	n->kunconf = nu;
	n->kstamp = e->kepoch;
}

void
eng_kept(struct eng *e)
{
	int cons = eng_consent_state(e);

	/* The gate's answer moves every count behind it. */
	if (e->kepoch == 0 || cons != e->kcons) {
		e->kepoch = e->kepoch + 1 == 0 ? 1 : e->kepoch + 1;
		e->kcons = cons;
	}
	if (e->root != NULL && e->root->kstamp != e->kepoch)
		kept_node(e, e->root);
}

/* Answered and total questions, from the counts the tree keeps. */
static void
progress(struct eng *e, size_t *answered, size_t *total)
{
	*answered = *total = 0;
	if (e->root == NULL)
		return;
	eng_kept(e);
	*answered = e->root->kans;
	*total = e->root->ktot;
}

void
eng_progress(struct eng *e, size_t *answered, size_t *total)
{
	progress(e, answered, total);
}

static void
section(struct eng *e, const struct inst_node *cur, char *buf, size_t cap)
{
	const struct inst_node *chain[64], *p;
	const char *lab;
	size_t nc = 0, len = 0, i;
	int w;

	buf[0] = '\0';
	/* A field-list screen is a group: its own title comes last. */
	for (p = cur->kind == INST_GROUP ? cur : cur->parent; p != NULL &&
	    nc < 64; p = p->parent)
		if (p->kind == INST_GROUP || p->kind == INST_ITEM)
			chain[nc++] = p;
	for (i = nc; i > 0; i--) {
		p = chain[i - 1];
		/* A roster item's label may name its own answers
		 * ("Member ${m_name}"): fill them from that item. */
		lab = eng_fill_refs(e, p, form_text_get(e->f, &p->def->label,
		    e->lang));
		if (lab == NULL)
			lab = p->def->name;
		if (p->kind == INST_ITEM)
			w = snprintf(buf + len, cap - len, "%s%s %zu",
			    len ? " > " : "", lab, p->pos + 1);
		else
			w = snprintf(buf + len, cap - len, "%s%s",
			    len ? " > " : "", lab);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

const struct eng_prompt *
eng_prompt(struct eng *e)
{
	struct eng_prompt *p = &e->prompt;
	struct inst_node *cur = e->cur, *n;
	struct eng_field *fv;
	size_t nf = 0, cap;
	double d;

	eng_arena_clear(e);
	fv = p->fields;
	memset(p, 0, sizeof(*p));
	p->fields = fv;
	p->count = -1;
	p->finalized = e->finalized;
	progress(e, &p->answered, &p->total);
	if (cur == NULL) {
		p->kind = EP_END;
		return p;
	}
	(void)eng_path_fmt(cur, p->path, sizeof(p->path));
	section(e, cur, p->section, sizeof(p->section));
	switch (cur->kind) {
	case INST_SET:
		p->kind = EP_REPEAT;
		/* The roster as a whole: references into its items have no
		 * single value and read as empty (not the first item's). */
		p->repeat_label = set_label(e, cur);
		p->nitems = cur->nitems;
		if (e->cf->b[cur->def->index].x[EX_COUNT] != NULL) {
			if (eng_eval_num(e, e->cf->b[cur->def->index].
			    x[EX_COUNT], cur, &d) == DS_OK && !isnan(d) &&
			    d >= 0)
				p->count = (long)d;
			else
				p->count = 0;
		} else
			p->can_add = !e->finalized && !eng_blocked(e, cur);
		return p;
	case INST_GROUP:
		p->kind = EP_FIELDLIST;
		cap = 0;
		for (n = inst_next(cur, 0); n != NULL && n != inst_next(cur, 1);
		    n = inst_next(n, 0))
			cap++;
		break;
	default:
		p->kind = EP_QUESTION;
		cap = 1;
		break;
	}
	fv = ds_realloc(p->fields, (cap ? cap : 1) * sizeof(*fv));
	if (fv == NULL)
		return p;	/* shown without fields; next call retries */
	p->fields = fv;
	if (cur->kind == INST_LEAF)
		fill_field(e, &fv[nf++], cur);
	else
		for (n = inst_next(cur, 0); n != NULL &&
		    n != inst_next(cur, 1); n = inst_next(n,
		    !eng_relevant(n) || n->kind == INST_SET))
			if (eng_shown_leaf(n) && eng_relevant(n) && nf < cap)
				fill_field(e, &fv[nf++], n);
	p->nfields = nf;
	return p;
}

const char *
eng_repeat_label(struct eng *e, const char *path)
{
	struct inst_node *n = eng_path_find(e, path);

	if (n != NULL && n->kind == INST_ITEM)
		n = n->parent;
	return n != NULL && n->kind == INST_SET ? set_label(e, n) : NULL;
}

int
eng_repeat_counted(struct eng *e, const char *path)
{
	struct inst_node *n = eng_path_find(e, path);

	if (n != NULL && n->kind == INST_ITEM)
		n = n->parent;
	return n != NULL && n->kind == INST_SET &&
	    e->cf->b[n->def->index].x[EX_COUNT] != NULL;
}

const char *
eng_node_label(struct eng *e, const struct inst_node *n)
{
	if (n->kind == INST_SET)
		return set_label(e, n);
	return eng_fill_refs(e, n, form_text_get(e->f, &n->def->label,
	    e->lang));
}

const char *
eng_path_label(struct eng *e, const char *path)
{
	struct inst_node *n = eng_path_find(e, path);

	return n != NULL ? eng_node_label(e, n) : NULL;
}
