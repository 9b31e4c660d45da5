/* doorstep: internals shared by sync/export*.c only. */
#ifndef DS_EXPORT_INT_H
#define DS_EXPORT_INT_H

/*
 * The heads in memory (one struct xhh per record, its answers parsed), the
 * two column sets (households, members) and one cell's typed value.
 * export.c builds them and writes CSV and XLSX; export_stat.c writes Stata
 * and SPSS files from the same tables.
 */
#include <stddef.h>

#include "buf.h"
#include "export.h"
#include "json.h"

struct form_node;
struct form_list;

enum xc_type {
	XC_META,	/* a record column: record id, key, ... */
	XC_MEMBER_NO,	/* the member's number in its household */
	XC_TEXT,
	XC_NUM,		/* integer, decimal */
	XC_CALC,	/* a calculation: a number when it reads as one */
	XC_DATE,
	XC_ONE,		/* select one */
	XC_MULTI	/* select multiple */
};

struct xcol {
	const char		*name;	/* answer name; borrowed */
	const char		*label;	/* chosen language, else name */
	enum xc_type		 type;
	int			 meta;	/* XC_META: index, else -1 */
	const struct form_list	*list;	/* XC_ONE, XC_MULTI; may be NULL */
};

struct xtable {
	struct xcol	*c;
	size_t		 n, cap;
};

struct xhh {
	char		 meta[EXPORT_NMETA][256];
	json_t		*doc;
};

struct xex {
	const struct export_opts *o;
	const char		*repeat;
	int			 lang;		/* index into the form's langs */
	struct xhh		*v;
	size_t			 n, cap;
	struct xtable		 hh, mem;	/* the two tables' columns */
};

enum xv_kind {
	XV_EMPTY,
	XV_TEXT,	/* s[0..n) */
	XV_NUM,
	XV_DATE		/* y-m-d */
};

struct xv {
	enum xv_kind	 kind;
	const char	*s;
	size_t		 n;
	double		 num;
	int		 y, m, d;
};

/*
 * The value of column c in record i, in member k (-1 for the household
 * table).  Text goes through b, valid until the next call with b.
 */
void		 xex_value(const struct xex *, const struct xcol *, size_t i,
		    long k, struct ds_buf *b, struct xv *out);

/* The stored string of column c in record i / member k, or NULL (not a
 * string, or absent): a choice's code as saved. */
const char	*xex_raw(const struct xex *, const struct xcol *, size_t i,
		    long k);

/* Members of record i (0 when it has none). */
size_t		 xex_nmembers(const struct xex *, size_t i);

/* The label of choice `code` in c's list in the chosen language; NULL
 * when the list does not have it. */
const char	*xex_choice(const struct xex *, const struct xcol *,
		    const char *code);
/* Index of `code` in c's list, or -1. */
long		 xex_choice_index(const struct xcol *, const char *code);

/* PATH's stem (".csv" and the like dropped) + suffix into out. */
void		 xex_sibling(const char *path, const char *suffix, char *out,
		    size_t n);

/*
 * The files of media answers (export_media.c): each answer naming a file
 * its record has in office.db is written as that file in STEM-media/
 * (0700; files 0600), the cell keeping the name.  A name another record
 * already wrote gets the record id in front, in the cell too.
 */
enum ds_status	 xex_media(struct odb *, struct xex *, struct export_stats *,
		    struct ds_err *);

/*
 * Stata (sav 0) or SPSS (sav 1) file of one table (members 0: households,
 * 1: members) at path, through ReadStat (export_stat.c).
 */
enum ds_status	 xex_stat_write(const struct xex *, int members,
		    const char *path, int sav, struct ds_err *);

#endif
