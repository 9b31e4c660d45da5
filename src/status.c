/* doorstep: status codes and error details. */
/*
 * Messages are formatted into fixed buffers on the caller's struct ds_err, so
 * reporting an error never allocates and works when memory is exhausted.
 */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_msg[] = {
#define DS_X(code, msg) msg,
	DS_STATUS_TABLE(DS_X)
#undef DS_X
};

static const char *const status_name[] = {
#define DS_X(code, msg) #code,
	DS_STATUS_TABLE(DS_X)
#undef DS_X
};

const char *
ds_status_str(enum ds_status st)
{
	if ((unsigned)st >= DS_STATUS_COUNT)
		return "unknown status";
	return status_msg[st];
}

const char *
ds_status_name(enum ds_status st)
{
	if ((unsigned)st >= DS_STATUS_COUNT)
		return "DS_UNKNOWN";
	return status_name[st];
}

void
ds_err_clear(struct ds_err *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->code = DS_OK;
}

enum ds_status
ds_err_set(struct ds_err *err, enum ds_status st, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return st;
	err->code = st;
	if (fmt == NULL || *fmt == '\0') {
		snprintf(err->msg, sizeof(err->msg), "%s", ds_status_str(st));
		return st;
	}
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return st;
}

void
ds_err_prefix(struct ds_err *err, const char *fmt, ...)
{
	char pre[DS_ERR_MSG_MAX], old[DS_ERR_MSG_MAX];
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(pre, sizeof(pre), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", pre, old);
}

void
ds_err_at(struct ds_err *err, const char *file, int line, const char *col)
{
	if (err == NULL)
		return;
	snprintf(err->file, sizeof(err->file), "%s", file ? file : "");
	err->line = line;
	snprintf(err->col, sizeof(err->col), "%s", col ? col : "");
}
