/* doorstep: the tokenizer of ODK XPath expressions. */
/*
 * Purpose: split expression source into tokens, tracking byte and character
 * offsets so messages can point at the offending character.
 * Invariants: never reads past src + len; every token is within the
 * source; operator names (and, or, div, mod) and '*' follow XPath 1.0
 * §3.7: they are operators only after a token that can end an operand.
 * Not done here: anything about meaning (function names, arity), which is
 * the parser's job.  Attributes, axes, '$var' and '//' are recognised only
 * so the parser can reject them with a helpful message.
 */
#include "expr_int.h"
#include "utf8.h"

#include <string.h>

void
lex_init(struct lexer *lx, const char *src, size_t len)
{
	lx->src = src;
	lx->len = len;
	lx->pos = 0;
	lx->cpos = 0;
	lx->prev = T_EOF;
	lx->have_prev = 0;
}

static void
advance(struct lexer *lx, size_t n)
{
	lx->cpos += utf8_count(lx->src + lx->pos, n);
	lx->pos += n;
}

static int
name_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static int
name_char(unsigned char c)
{
	return name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '.';
}

/* Length of an NCName at p (0 if none). */
static size_t
ncname(const char *p, size_t left)
{
	size_t n = 0;

	if (left == 0 || !name_start((unsigned char)p[0]))
		return 0;
	while (n < left && name_char((unsigned char)p[n]))
		n++;
	return n;
}

/* Can the previous token end an operand (XPath 1.0 §3.7)? */
static int
after_operand(const struct lexer *lx)
{
	if (!lx->have_prev)
		return 0;
	switch (lx->prev) {
	case T_AT: case T_AXIS: case T_LP: case T_LB: case T_COMMA:
	case T_PIPE: case T_SLASH: case T_SLASH2: case T_PLUS: case T_MINUS:
	case T_EQ: case T_NE: case T_LT: case T_LE: case T_GT: case T_GE:
	case T_STAR: case T_AND: case T_OR: case T_DIV: case T_MOD:
		return 0;
	default:
		return 1;
	}
}

static enum ds_status
lex_err(struct lexer *lx, struct ds_err *err, const char *what)
{
	return ds_err_set(err, DS_EPARSE, "%s at character %zu", what,
	    lx->cpos);
}

enum ds_status
lex_next(struct lexer *lx, struct tok *t, struct ds_err *err)
{
	const char *p;
	size_t left, n;
	unsigned char c;

	while (lx->pos < lx->len && (lx->src[lx->pos] == ' ' ||
	    lx->src[lx->pos] == '\t' || lx->src[lx->pos] == '\n' ||
	    lx->src[lx->pos] == '\r'))
		advance(lx, 1);
	t->pos = lx->pos;
	t->cpos = lx->cpos;
	t->s = lx->src + lx->pos;
	t->len = 0;
	if (lx->pos >= lx->len) {
		t->type = T_EOF;
		return DS_OK;
	}
	p = lx->src + lx->pos;
	left = lx->len - lx->pos;
	c = (unsigned char)p[0];
	n = 1;
	switch (c) {
	case '(': t->type = T_LP; break;
	case ')': t->type = T_RP; break;
	case '[': t->type = T_LB; break;
	case ']': t->type = T_RB; break;
	case ',': t->type = T_COMMA; break;
	case '|': t->type = T_PIPE; break;
	case '+': t->type = T_PLUS; break;
	case '-': t->type = T_MINUS; break;
	case '=': t->type = T_EQ; break;
	case '@': t->type = T_AT; break;
	case '/':
		t->type = T_SLASH;
		if (left > 1 && p[1] == '/') {
			t->type = T_SLASH2;
			n = 2;
		}
		break;
	case '!':
		if (left < 2 || p[1] != '=')
			return lex_err(lx, err, "unexpected '!' (use != or "
			    "not())");
		t->type = T_NE;
		n = 2;
		break;
	case '<':
	case '>':
		t->type = c == '<' ? T_LT : T_GT;
		if (left > 1 && p[1] == '=') {
			t->type = c == '<' ? T_LE : T_GE;
			n = 2;
		}
		break;
	case '*':
		t->type = after_operand(lx) ? T_STAR : T_NAME;
		break;
	case ':':
		if (left < 2 || p[1] != ':')
			return lex_err(lx, err, "unexpected ':'");
		t->type = T_AXIS;
		n = 2;
		break;
	case '\'':
	case '"':
		for (n = 1; n < left && (unsigned char)p[n] != c; n++)
			;
		if (n >= left)
			return lex_err(lx, err, "unterminated string");
		t->type = T_STR;
		t->s = p + 1;
		t->len = n - 1;
		n++;
		break;
	case '$':
		if (left > 1 && p[1] == '{') {
			size_t k = ncname(p + 2, left - 2);

			if (k == 0 || 2 + k >= left || p[2 + k] != '}')
				return lex_err(lx, err, "bad ${name} "
				    "reference");
			t->type = T_REF;
			t->s = p + 2;
			t->len = k;
			n = k + 3;
			break;
		}
		t->type = T_VAR;
		break;
	case '.':
		if (left > 1 && p[1] >= '0' && p[1] <= '9')
			goto number;
		t->type = T_DOT;
		if (left > 1 && p[1] == '.') {
			t->type = T_DOTDOT;
			n = 2;
		}
		break;
	default:
		if (c >= '0' && c <= '9')
			goto number;
		if (!name_start(c))
			return lex_err(lx, err, "unexpected character");
		n = ncname(p, left);
		/* QName prefix:local (jr:choice-name) */
		if (n < left - 1 && p[n] == ':' && p[n + 1] != ':') {
			size_t k = ncname(p + n + 1, left - n - 1);

			if (k > 0)
				n += 1 + k;
		}
		t->type = T_NAME;
		t->len = n;
		if (after_operand(lx)) {
			if (n == 3 && memcmp(p, "and", 3) == 0)
				t->type = T_AND;
			else if (n == 2 && memcmp(p, "or", 2) == 0)
				t->type = T_OR;
			else if (n == 3 && memcmp(p, "div", 3) == 0)
				t->type = T_DIV;
			else if (n == 3 && memcmp(p, "mod", 3) == 0)
				t->type = T_MOD;
		}
		break;
	}
	goto done;
number:
	n = 0;
	while (n < left && p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < left && p[n] == '.') {
		n++;
		while (n < left && p[n] >= '0' && p[n] <= '9')
			n++;
	}
	t->type = T_NUM;
	t->len = n;
done:
	if (t->type != T_STR && t->type != T_REF)
		t->len = n;
	advance(lx, n);
	lx->prev = t->type;
	lx->have_prev = 1;
	return DS_OK;
}
