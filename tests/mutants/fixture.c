/* Fixture for tests/mutants/t_mutate.sh: every operator, and the places
 * the mutator must leave alone ("a < b" in a string, comments, macros). */
#include <string.h>

#define LIMIT	(3 < 4)

static const int table[2] = { 1, 2 };

int	fx_check(const char *, int);
int	fx_loop(int);

int
fx_check(const char *s, int n)
{
	char buf[16];
	int r = 0;

	if (s == NULL || n > 8)
		return -1;	/* a comment: n >= 8 && 1 */
	if (strlen(s) != 0 && memcmp(s, "a < b", 5) == 0)
		r = n ? 1 : 2;
	buf[0] = 'x';
	goto out;
out:
	return r + table[0] + (int)sizeof(buf);
}

int
fx_loop(int n)
{
	int i, t = 0;

	for (i = 0; i < n; i++) {
		if (i >= 0x10)
			break;
		t += i;
	}
	while (t <= LIMIT)
		t++;
	return t;
}
