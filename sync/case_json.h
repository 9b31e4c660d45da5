/* doorstep: the few answers the case needs, read without a JSON tree. */
#ifndef DS_CASE_JSON_H
#define DS_CASE_JSON_H

/*
 * The import hook reads about thirty values of each new revision's
 * answers (docs/case.md "Import").  Building a jansson tree of the whole
 * record for that cost more than the rest of the import together, so
 * this scanner walks the text once and copies out only those values: the
 * top-level answers below, each member's ID number, and the _meta fields.
 * It allocates nothing and needs no valid JSON to stay safe (every read
 * is bounded; depth is capped at CASE_JSON_DEPTH), though the importer
 * has checked the text already.  A string value is unescaped (\uXXXX
 * into UTF-8) and cut to its field's size; a number or literal is copied
 * as written; anything else leaves the field empty.  The struct holds
 * names and ID numbers: wipe it (case_ans_wipe) when done.
 */
#include <stddef.h>

#include "case.h"

#define CASE_JSON_DEPTH		64
#define CASE_ANS_MEMBERS	64	/* ID numbers read per record */
#define CASE_ANS_VAL		32	/* a code, a number, a date */
#define CASE_ANS_NGRID		10	/* has_industry .. has_social */

struct case_ans {
	char	 hh_id[CASE_KEY_MAX];
	char	 visit_date[CASE_ANS_VAL], visit_type[CASE_ANS_VAL];
	char	 consent[CASE_ANS_VAL], el_done[CASE_ANS_VAL];
	char	 category[CASE_ANS_VAL], channel[CASE_ANS_VAL];
	char	 township[CASE_ANS_VAL], village[CASE_ANS_VAL];
	char	 vgroup[CASE_ANS_VAL];
	char	 head_name[128];
	char	 n_members[CASE_ANS_VAL];
	char	 pc_line[CASE_ANS_VAL], per_capita[CASE_ANS_VAL];
	char	 guar_problem[CASE_ANS_VAL];
	char	 has[CASE_ANS_NGRID][CASE_ANS_VAL];	/* case_ans_grid order */
	/* _meta */
	char	 state[CASE_ANS_VAL], reason[CASE_ANS_VAL];
	char	 entry[40], corrects[40];
	char	 consent_ref[64], outcome[CASE_ANS_VAL];
	char	 hh_key[CASE_KEY_MAX];
	/* member[] */
	size_t	 nmembers;		/* items of member (all of them) */
	size_t	 nids;			/* ids[] filled, members in order */
	char	 ids[CASE_ANS_MEMBERS][32];	/* "" for a member without */
};

/* The measure grid's answers, in has[] order. */
extern const char *const case_ans_grid[CASE_ANS_NGRID];

/* Fill *a from answers text; 0, or -1 when it is not a JSON object. */
int	 case_ans_scan(const char *text, size_t len, struct case_ans *a);
/* Wipe the names and numbers. */
void	 case_ans_wipe(struct case_ans *);

#endif
