/* doorstep: status codes and error details shared by every layer. */
#ifndef DS_STATUS_H
#define DS_STATUS_H

#include <stddef.h>

/*
 * Every library call returns an enum ds_status.  The X-macro keeps the
 * code, its name and its default developer message in one place (tig).
 */
#define DS_STATUS_TABLE(X)						\
	X(DS_OK, "ok")							\
	X(DS_ENOMEM, "out of memory")					\
	X(DS_EINVAL, "invalid argument")				\
	X(DS_EPARSE, "parse error")					\
	X(DS_ELIMIT, "limit exceeded")					\
	X(DS_EIO, "input/output error")					\
	X(DS_ENOSPC, "no space left on device")				\
	X(DS_ENOENT, "not found")					\
	X(DS_EEXIST, "already exists")					\
	X(DS_ECRYPTO, "cryptographic check failed")			\
	X(DS_EPASS, "wrong passphrase")					\
	X(DS_ECORRUPT, "data is corrupt")				\
	X(DS_ECYCLE, "dependency cycle")				\
	X(DS_ETYPE, "type error")					\
	X(DS_ECONSTRAINT, "constraint failed")				\
	X(DS_ESTATE, "not allowed in this state")			\
	X(DS_ECONFLICT, "conflict")					\
	X(DS_EREJECT, "rejected")					\
	X(DS_EBUSY, "busy")						\
	X(DS_ENET, "network error")					\
	X(DS_ECANCEL, "cancelled")

/* Marks an intended switch fall-through for both gcc and clang. */
#define DS_FALLTHROUGH	__attribute__((fallthrough))

enum ds_status {
#define DS_X(code, msg) code,
	DS_STATUS_TABLE(DS_X)
#undef DS_X
	DS_STATUS_COUNT
};

/* Default developer message for a status ("out of memory"). Never NULL. */
const char	*ds_status_str(enum ds_status);
/* Symbolic name ("DS_ENOMEM"). Never NULL. */
const char	*ds_status_name(enum ds_status);

/*
 * Error details filled in by a failing call: the code, a message in the
 * developer style (lowercase, no full stop, error first), and where known a
 * location: a file name, a 1-based line and the name of a column or field.
 * A struct ds_err is plain data owned by the caller; it holds no heap memory.
 * Secrets never go into it.
 */
#define DS_ERR_MSG_MAX	512

struct ds_err {
	enum ds_status	 code;
	char		 msg[DS_ERR_MSG_MAX];
	char		 file[128];	/* may be empty */
	int		 line;		/* 0 when unknown */
	char		 col[64];	/* column or field name, may be empty */
};

/* Reset to DS_OK with empty message and location. NULL is allowed. */
void		 ds_err_clear(struct ds_err *);

/*
 * Record an error and return its code, so callers can write
 * `return ds_err_set(err, DS_EIO, "cannot open %s: %s", path, strerror(e));`.
 * `err` may be NULL, in which case only the code is returned. A NULL or
 * empty fmt uses the default message. The message is truncated to fit.
 */
enum ds_status	 ds_err_set(struct ds_err *, enum ds_status, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));

/* Prefix the current message with context: "ctx: old message". */
void		 ds_err_prefix(struct ds_err *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* Set the location fields; file and col may be NULL. */
void		 ds_err_at(struct ds_err *, const char *file, int line,
		    const char *col);

#endif
