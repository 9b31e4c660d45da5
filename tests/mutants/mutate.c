/* doorstep: a small deterministic mutator for C source (make mutants). */
/*
 *   mutate list FILE [-f FUNC[,FUNC...]] [-l FIRST-LAST] [-o OPS]
 *   mutate show FILE N [same options]
 *
 * `list` prints one line per mutant, in source order:
 *   N <tab> LINE <tab> OP <tab> ID <tab> FUNC <tab> BEFORE <tab> AFTER
 * BEFORE and AFTER are the changed source lines with runs of white space
 * folded to one space.  ID is a hash of FUNC, OP, BEFORE, AFTER and the
 * rank among mutants sharing those, so it survives edits elsewhere in the
 * file and a function moving to another file (the reviewed list of
 * equivalent mutants is keyed by it).  `show` prints the whole file with
 * mutant N applied.
 *
 * Only function bodies are mutated (KNF: the body's `{` in column 0 after
 * the parameter list); comments, strings, character constants and
 * preprocessor lines never are.  Operators (OPS is a subset of the
 * letters, default all):
 *   c  flip a comparison: == and != swap; < <= > >= move their boundary
 *   n  negate an if or while condition
 *   a  swap && and ||
 *   k  shift an integer constant by one (N+1, and N-1 when N > 0);
 *      array sizes in declarations are left alone
 *   d  drop an expression statement, break, continue or goto
 *   i  ignore a call's status: an operand of an if condition's top-level
 *      || chain that calls something becomes ((operand) && 0)
 * The lexer is a C lexer, not a parser: a mutant that does not compile
 * is reported by the driver as "did not build" and not counted.
 * Written in C because the CI machines have no scripting language beyond
 * POSIX sh and awk (tests/mutants/run.sh drives this).
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUT_FILE_MAX	(4u << 20)
#define MUT_TEXT_MAX	4096

enum tk {
	T_IDENT,
	T_NUM,
	T_STR,
	T_CHR,
	T_PUNCT
};

struct tok {
	enum tk		 type;
	size_t		 off, len;
	int		 line;
	int		 col0;		/* first character of its line */
};

struct mut {
	size_t		 off, len;	/* replaced span */
	char		 rep[64];	/* replacement text */
	/* A second edit (negate and ignore wrap a span). */
	size_t		 off2, len2;
	char		 rep2[64];
	int		 two;
	char		 op;
	int		 line;
	const char	*func;		/* into the function name table */
};

static char	*src;
static size_t	 srclen;
static struct tok *toks;
static size_t	 ntoks, captoks;
static struct mut *muts;
static size_t	 nmuts, capmuts;
static const char *want_funcs;	/* comma list or NULL */
static int	 want_lo, want_hi;	/* line range, 0: all */
static const char *want_ops = "cnakdi";

static void
die(const char *msg)
{
	fprintf(stderr, "mutate: %s\n", msg);
	exit(2);
}

static void *
grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 256;
	if ((p = realloc(p, *cap * size)) == NULL)
		die("out of memory");
	return p;
}

static void
read_file(const char *path)
{
	FILE *f;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "mutate: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if ((src = malloc(MUT_FILE_MAX + 1)) == NULL)
		die("out of memory");
	n = fread(src, 1, MUT_FILE_MAX + 1, f);
	fclose(f);
	if (n > MUT_FILE_MAX)
		die("file too large");
	src[n] = '\0';
	srclen = n;
}

/* ---- lexer ---------------------------------------------------------- */

static const char *const puncts[] = {
	"...", "<<=", ">>=", "->", "++", "--", "<<", ">>", "<=", ">=", "==",
	"!=", "&&", "||", "*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=",
	"##", NULL
};

static void
add_tok(enum tk type, size_t off, size_t len, int line, int col0)
{
	toks = grow(toks, &captoks, ntoks, sizeof(*toks));
	toks[ntoks].type = type;
	toks[ntoks].off = off;
	toks[ntoks].len = len;
	toks[ntoks].line = line;
	toks[ntoks].col0 = col0;
	ntoks++;
}

static void
lex(void)
{
	size_t i = 0, s, k, p;
	int line = 1, bol = 1;	/* at the beginning of a line */
	char q;

	while (i < srclen) {
		char c = src[i];

		if (c == '\n') {
			line++;
			bol = 1;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
		    c == '\v') {
			i++;
			continue;
		}
		if (c == '/' && src[i + 1] == '/') {
			while (i < srclen && src[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && src[i + 1] == '*') {
			for (i += 2; i < srclen && !(src[i] == '*' &&
			    src[i + 1] == '/'); i++)
				if (src[i] == '\n')
					line++;
			i += 2;
			continue;
		}
		if (c == '#' && bol) {
			/* A directive, with its continuation lines. */
			while (i < srclen && src[i] != '\n') {
				if (src[i] == '\\' && src[i + 1] == '\n') {
					line++;
					i++;
				} else if (src[i] == '/' && src[i + 1] == '*') {
					for (i += 2; i < srclen &&
					    !(src[i] == '*' && src[i + 1] ==
					    '/'); i++)
						if (src[i] == '\n')
							line++;
					i++;
				}
				i++;
			}
			continue;
		}
		s = i;
		k = s;
		while (k > 0 && src[k - 1] != '\n')
			k--;
		bol = 0;
		if (c == '"' || c == '\'') {
			q = c;
			for (i++; i < srclen && src[i] != q && src[i] != '\n';
			    i++)
				if (src[i] == '\\')
					i++;
			i++;
			add_tok(q == '"' ? T_STR : T_CHR, s, i - s, line, s == k);
			continue;
		}
		if (isdigit((unsigned char)c) || (c == '.' &&
		    isdigit((unsigned char)src[i + 1]))) {
			while (i < srclen && (isalnum((unsigned char)src[i]) ||
			    src[i] == '_' || src[i] == '.' ||
			    ((src[i] == '+' || src[i] == '-') &&
			    strchr("eEpP", src[i - 1]) != NULL &&
			    !(src[s] == '0' && (src[s + 1] == 'x' ||
			    src[s + 1] == 'X') && (src[i - 1] == 'e' ||
			    src[i - 1] == 'E')))))
				i++;
			add_tok(T_NUM, s, i - s, line, s == k);
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			while (i < srclen && (isalnum((unsigned char)src[i]) ||
			    src[i] == '_'))
				i++;
			add_tok(T_IDENT, s, i - s, line, s == k);
			continue;
		}
		for (p = 0; puncts[p] != NULL; p++)
			if (strncmp(src + i, puncts[p], strlen(puncts[p])) ==
			    0)
				break;
		i += puncts[p] != NULL ? strlen(puncts[p]) : 1;
		add_tok(T_PUNCT, s, i - s, line, s == k);
	}
}

static int
is(size_t t, const char *s)
{
	return t < ntoks && toks[t].len == strlen(s) &&
	    strncmp(src + toks[t].off, s, toks[t].len) == 0;
}

static int
is_ident(size_t t)
{
	return t < ntoks && toks[t].type == T_IDENT;
}

static const char *const keywords[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do",
	"double", "else", "enum", "extern", "float", "for", "goto", "if",
	"inline", "int", "long", "register", "restrict", "return", "short",
	"signed", "sizeof", "static", "struct", "switch", "typedef", "union",
	"unsigned", "void", "volatile", "while", "_Bool", "_Alignof",
	"_Static_assert", NULL
};

static int
in_list(size_t t, const char *const *list)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (is(t, list[i]))
			return 1;
	return 0;
}

/* The token matching the bracket at t, or ntoks. */
static size_t
match(size_t t)
{
	const char *open = is(t, "(") ? "(" : is(t, "[") ? "[" : "{";
	const char *close = is(t, "(") ? ")" : is(t, "[") ? "]" : "}";
	int depth = 0;

	for (; t < ntoks; t++) {
		if (is(t, open))
			depth++;
		else if (is(t, close) && --depth == 0)
			return t;
	}
	return ntoks;
}

/* ---- mutants -------------------------------------------------------- */

static int
op_wanted(char op)
{
	return strchr(want_ops, op) != NULL;
}

static int
line_wanted(int line)
{
	return want_lo == 0 || (line >= want_lo && line <= want_hi);
}

static struct mut *
new_mut(char op, size_t t, const char *func)
{
	struct mut *m;

	muts = grow(muts, &capmuts, nmuts, sizeof(*muts));
	m = &muts[nmuts++];
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->line = toks[t].line;
	m->func = func;
	return m;
}

/* Replace token t's text. */
static void
mut_tok(char op, size_t t, const char *rep, const char *func)
{
	struct mut *m;

	if (!op_wanted(op) || !line_wanted(toks[t].line))
		return;
	m = new_mut(op, t, func);
	m->off = toks[t].off;
	m->len = toks[t].len;
	snprintf(m->rep, sizeof(m->rep), "%s", rep);
}

/* Wrap tokens a..b (inclusive) in pre ... post. */
static void
mut_wrap(char op, size_t a, size_t b, const char *pre, const char *post,
    const char *func)
{
	struct mut *m;

	if (!op_wanted(op) || !line_wanted(toks[a].line))
		return;
	m = new_mut(op, a, func);
	m->off = toks[a].off;
	m->len = 0;
	snprintf(m->rep, sizeof(m->rep), "%s", pre);
	m->two = 1;
	m->off2 = toks[b].off + toks[b].len;
	m->len2 = 0;
	snprintf(m->rep2, sizeof(m->rep2), "%s", post);
}

static void
const_muts(size_t t, const char *func)
{
	char txt[64], num[64], *end;
	const char *suffix;
	unsigned long long v;
	size_t n = toks[t].len;
	int base = 10;

	if (n >= sizeof(txt))
		return;
	memcpy(txt, src + toks[t].off, n);
	txt[n] = '\0';
	if (txt[0] == '0' && (txt[1] == 'x' || txt[1] == 'X'))
		base = 16;
	else if (txt[0] == '0' && isdigit((unsigned char)txt[1]))
		base = 8;
	errno = 0;
	v = strtoull(txt, &end, base);
	if (errno != 0 || end == txt)
		return;
	for (suffix = end; *suffix; suffix++)
		if (strchr("uUlL", *suffix) == NULL)
			return;	/* a floating constant */
	suffix = end;
	if (base == 16)
		snprintf(num, sizeof(num), "0x%llx%s", v + 1, suffix);
	else if (base == 8)
		snprintf(num, sizeof(num), "0%llo%s", v + 1, suffix);
	else
		snprintf(num, sizeof(num), "%llu%s", v + 1, suffix);
	mut_tok('k', t, num, func);
	if (v == 0)
		return;
	if (base == 16)
		snprintf(num, sizeof(num), "0x%llx%s", v - 1, suffix);
	else if (base == 8 && v - 1 != 0)
		snprintf(num, sizeof(num), "0%llo%s", v - 1, suffix);
	else
		snprintf(num, sizeof(num), "%llu%s", v - 1, suffix);
	mut_tok('k', t, num, func);
}

/* An array size in a declarator: `T name[N]`, `*name[N]`, `, name[N]`. */
static int
decl_size(size_t t, size_t body)
{
	size_t i;
	int depth = 0;

	if (t < body + 3 || !is(t - 1, "[") || !is(t + 1, "]") ||
	    !is_ident(t - 2))
		return 0;
	if (!is_ident(t - 3) && !is(t - 3, "*") && !is(t - 3, ","))
		return 0;
	if (is(t - 3, "return") || is(t - 3, "sizeof") || is(t - 3, "case"))
		return 0;
	/* Not inside a call's arguments. */
	for (i = body; i < t; i++) {
		if (is(i, "("))
			depth++;
		else if (is(i, ")"))
			depth--;
		else if (is(i, ";"))
			depth = 0;
	}
	return depth == 0;
}

/* 1 if tokens a..b (inclusive) hold a call. */
static int
has_call(size_t a, size_t b)
{
	size_t t;

	for (t = a; t < b; t++)
		if (is_ident(t) && is(t + 1, "(") && !in_list(t, keywords))
			return 1;
	return 0;
}

/* Operands of the top-level || chain of the condition in (lp, rp). */
static void
ignore_muts(size_t lp, size_t rp, const char *func)
{
	size_t t, a = lp + 1;
	int depth = 0;

	for (t = lp + 1; t <= rp; t++) {
		if (t < rp && (is(t, "(") || is(t, "[")))
			depth++;
		else if (t < rp && (is(t, ")") || is(t, "]")))
			depth--;
		else if (t == rp || (depth == 0 && is(t, "||"))) {
			if (t > a && has_call(a, t - 1))
				mut_wrap('i', a, t - 1, "((", ") && 0)", func);
			a = t + 1;
		}
	}
}

/*
 * Statement starting at t (a statement start): if it is a simple
 * droppable one, the token of its `;`, else 0.
 */
static size_t
droppable(size_t t, size_t end)
{
	size_t u;
	int depth = 0;

	if (is(t, "break") || is(t, "continue") || is(t, "goto"))
		;
	else if (is_ident(t)) {
		if (in_list(t, keywords) || is_ident(t + 1) || is(t + 1, "*") ||
		    is(t + 1, ":"))
			return 0;
	} else if (!is(t, "*") && !is(t, "(") && !is(t, "++") &&
	    !is(t, "--"))
		return 0;
	for (u = t; u < end; u++) {
		if (is(u, "(") || is(u, "["))
			depth++;
		else if (is(u, ")") || is(u, "]"))
			depth--;
		else if (is(u, "{") || is(u, "}"))
			return 0;
		else if (depth == 0 && is(u, ";"))
			return u;
	}
	return 0;
}

/* Mutants of one function body, tokens body..end (the braces). */
static void
body_muts(size_t body, size_t end, const char *func)
{
	size_t t, u, hdr = 0;	/* the `)` closing an if/for/while header */
	int start = 1, depth = 0, ternary = 0;

	for (t = body + 1; t < end; t++) {
		if (start && depth == 0 && (u = droppable(t, end)) != 0 &&
		    op_wanted('d') && line_wanted(toks[t].line)) {
			struct mut *m = new_mut('d', t, func);

			m->off = toks[t].off;
			m->len = toks[u].off + 1 - toks[t].off;
			snprintf(m->rep, sizeof(m->rep), ";");
		}
		start = 0;
		if ((is(t, "if") || is(t, "while")) && is(t + 1, "(") &&
		    (u = match(t + 1)) < end) {
			mut_wrap('n', t + 2, u - 1, "!(", ")", func);
			if (is(t, "if"))
				ignore_muts(t + 1, u, func);
			hdr = u;
		} else if ((is(t, "for") || is(t, "switch")) && is(t + 1, "(") &&
		    (u = match(t + 1)) < end)
			hdr = u;
		if (is(t, "(") || is(t, "["))
			depth++;
		else if (is(t, ")") || is(t, "]"))
			depth--;
		if (t == hdr)
			start = 1;
		else if (depth == 0 && is(t, "?"))
			ternary++;
		else if (depth == 0 && is(t, ":") && ternary > 0)
			ternary--;
		else if (depth == 0 && (is(t, ";") || is(t, "{") ||
		    is(t, "}") || is(t, "else") || is(t, "do") || is(t, ":"))) {
			start = 1;
			ternary = 0;
		}
		if (toks[t].type == T_PUNCT) {
			if (is(t, "=="))
				mut_tok('c', t, "!=", func);
			else if (is(t, "!="))
				mut_tok('c', t, "==", func);
			else if (is(t, "<"))
				mut_tok('c', t, "<=", func);
			else if (is(t, "<="))
				mut_tok('c', t, "<", func);
			else if (is(t, ">"))
				mut_tok('c', t, ">=", func);
			else if (is(t, ">="))
				mut_tok('c', t, ">", func);
			else if (is(t, "&&"))
				mut_tok('a', t, "||", func);
			else if (is(t, "||"))
				mut_tok('a', t, "&&", func);
		} else if (toks[t].type == T_NUM && !decl_size(t, body))
			const_muts(t, func);
	}
}

static int
func_wanted(const char *name)
{
	const char *p = want_funcs;
	size_t n = strlen(name);

	if (p == NULL)
		return 1;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t l = e != NULL ? (size_t)(e - p) : strlen(p);

		if (l == n && strncmp(p, name, n) == 0)
			return 1;
		p += l;
		if (*p == ',')
			p++;
	}
	return 0;
}

static void
find_functions(void)
{
	size_t t, u, lp, had;
	int depth = 0;
	char *name;

	for (t = 0; t < ntoks; t++) {
		if (is(t, "{") && depth == 0 && toks[t].col0 && t > 0 &&
		    is(t - 1, ")")) {
			/* The `(` of the parameter list and the name. */
			int d = 0;

			for (lp = t - 1; lp > 0; lp--) {
				if (is(lp, ")"))
					d++;
				else if (is(lp, "(") && --d == 0)
					break;
			}
			u = match(t);
			if (lp > 0 && is_ident(lp - 1) && u < ntoks) {
				name = strndup(src + toks[lp - 1].off,
				    toks[lp - 1].len);
				if (name == NULL)
					die("out of memory");
				had = nmuts;
				if (func_wanted(name))
					body_muts(t, u, name);
				/* Kept only when a mutant names it. */
				if (nmuts == had)
					free(name);
				t = u;
				continue;
			}
		}
		if (is(t, "{"))
			depth++;
		else if (is(t, "}"))
			depth--;
	}
}

/* ---- output --------------------------------------------------------- */

/* Append s[0..n) to out (capacity cap) with white space folded. */
static void
fold(char *out, size_t cap, size_t *o, int *sp, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && *o + 2 < cap; i++) {
		if (isspace((unsigned char)s[i])) {
			*sp = 1;
			continue;
		}
		if (*sp && *o > 0)
			out[(*o)++] = ' ';
		*sp = 0;
		out[(*o)++] = s[i];
	}
	out[*o] = '\0';
}

/* The whole lines m touches, with m applied or not, white space folded. */
static void
lines_text(const struct mut *m, int apply, char *out, size_t cap)
{
	size_t a = m->off, b = m->two ? m->off2 + m->len2 : m->off + m->len;
	size_t o = 0;
	int sp = 0;

	while (a > 0 && src[a - 1] != '\n')
		a--;
	while (b < srclen && src[b] != '\n')
		b++;
	out[0] = '\0';
	if (!apply) {
		fold(out, cap, &o, &sp, src + a, b - a);
		return;
	}
	fold(out, cap, &o, &sp, src + a, m->off - a);
	fold(out, cap, &o, &sp, m->rep, strlen(m->rep));
	if (!m->two) {
		fold(out, cap, &o, &sp, src + m->off + m->len,
		    b - m->off - m->len);
		return;
	}
	fold(out, cap, &o, &sp, src + m->off + m->len,
	    m->off2 - m->off - m->len);
	fold(out, cap, &o, &sp, m->rep2, strlen(m->rep2));
	fold(out, cap, &o, &sp, src + m->off2 + m->len2,
	    b - m->off2 - m->len2);
}

static uint32_t
fnv(uint32_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static int
mut_cmp(const void *pa, const void *pb)
{
	const struct mut *a = pa, *b = pb;

	if (a->off != b->off)
		return a->off < b->off ? -1 : 1;
	if (a->op != b->op)
		return a->op < b->op ? -1 : 1;
	return strcmp(a->rep, b->rep);
}

static void
list(void)
{
	static char before[MUT_TEXT_MAX], after[MUT_TEXT_MAX];
	uint32_t *ids;
	size_t i, j;

	if ((ids = calloc(nmuts + 1, sizeof(*ids))) == NULL)
		die("out of memory");
	for (i = 0; i < nmuts; i++) {
		const struct mut *m = &muts[i];
		uint32_t h = 2166136261u, id;
		unsigned rank = 0;

		lines_text(m, 0, before, sizeof(before));
		lines_text(m, 1, after, sizeof(after));
		h = fnv(h, m->func, strlen(m->func) + 1);
		h = fnv(h, &m->op, 1);
		h = fnv(h, before, strlen(before) + 1);
		h = fnv(h, after, strlen(after) + 1);
		for (j = 0; j < i; j++)
			if (ids[j] == h)
				rank++;
		ids[i] = h;
		id = fnv(h, (const char *)&rank, sizeof(rank));
		printf("%zu\t%d\t%c\t%08x\t%s\t%s\t%s\n", i + 1, m->line, m->op,
		    (unsigned)id, m->func, before, after);
	}
	free(ids);
}

static void
show(size_t n)
{
	const struct mut *m;

	if (n < 1 || n > nmuts)
		die("no such mutant");
	m = &muts[n - 1];
	fwrite(src, 1, m->off, stdout);
	fputs(m->rep, stdout);
	if (!m->two) {
		fwrite(src + m->off + m->len, 1, srclen - m->off - m->len,
		    stdout);
		return;
	}
	fwrite(src + m->off + m->len, 1, m->off2 - m->off - m->len, stdout);
	fputs(m->rep2, stdout);
	fwrite(src + m->off2 + m->len2, 1, srclen - m->off2 - m->len2, stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: mutate list FILE [-f FUNC,...] [-l A-B] "
	    "[-o OPS]\n       mutate show FILE N [-f FUNC,...] [-l A-B] "
	    "[-o OPS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *cmd, *file;
	long n = 0;
	int i;

	if (argc < 3)
		usage();
	cmd = argv[1];
	file = argv[2];
	i = 3;
	if (strcmp(cmd, "show") == 0) {
		if (argc < 4)
			usage();
		n = strtol(argv[3], NULL, 10);
		i = 4;
	} else if (strcmp(cmd, "list") != 0)
		usage();
	for (; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "-f") == 0 && argv[i + 1][0] != '\0')
			want_funcs = argv[++i];
		else if (strcmp(argv[i], "-f") == 0)
			i++;
		else if (strcmp(argv[i], "-l") == 0) {
			if (sscanf(argv[++i], "%d-%d", &want_lo, &want_hi) != 2)
				usage();
		} else if (strcmp(argv[i], "-o") == 0)
			want_ops = argv[++i];
		else
			usage();
	}
	read_file(file);
	lex();
	find_functions();
	qsort(muts, nmuts, sizeof(*muts), mut_cmp);
	if (strcmp(cmd, "list") == 0)
		list();
	else
		show((size_t)n);
	return 0;
}
