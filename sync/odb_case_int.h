/* doorstep: helpers shared by odb_case.c and odb_case_track.c (layer 8). */
/*
 * Only those two files include this.  Each binds, reads or steps one
 * cached statement of the case tables; sealed columns go through
 * oc_bind_sealed / oc_col_open (the AD binds a value to its table, column
 * and row).  Nothing here prints or exits.
 */
#ifndef DS_ODB_CASE_INT_H
#define DS_ODB_CASE_INT_H

#include "odb_int.h"

#define ODB_EVENTS_MAX	100000	/* events of one case */
#define NOSTMT(err)	((err) != NULL ? (err)->code : DS_EIO)

enum ds_status	oc_step_done(struct odb *, struct dbx_stmt *, const char *what,
		    struct ds_err *);
void		oc_bind_blob(struct dbx_stmt *, int i, const unsigned char *,
		    int n);
void		oc_bind_text(struct dbx_stmt *, int i, const char *);
enum ds_status	oc_bind_sealed(struct odb *, struct dbx_stmt *, int i,
		    const char *tag, const void *key, size_t keylen,
		    const char *text, struct ds_err *);
enum ds_status	oc_col_open(struct odb *, struct dbx_stmt *, int i,
		    const char *tag, const void *key, size_t keylen,
		    struct odb_plain *, const char **out, struct ds_err *);
void		oc_col_text(struct dbx_stmt *, int i, char *out, size_t n);
int		oc_col_blob(struct dbx_stmt *, int i, unsigned char *out,
		    int n);
enum ds_status	oc_each_row(struct odb *, struct dbx_stmt *, const char *what,
		    enum ds_status (*fn)(void *, struct dbx_stmt *, int *stop),
		    void *arg, struct ds_err *);
enum ds_status	oc_hex_prefix(const char *in, char out[33], struct ds_err *);

#endif
