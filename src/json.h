/* doorstep: the one owner of <jansson.h>. */
#ifndef DS_JSON_H
#define DS_JSON_H

/*
 * Every module that reads or writes JSON includes this header, never
 * <jansson.h> itself, so the allocator and the canonical form are set in one
 * place.  Callers use the jansson API (json_t, json_object_get, ...) freely.
 */
#include <jansson.h>
#include <stddef.h>

#include "status.h"

/*
 * Route jansson's allocations through ds_malloc (fault injection) and wipe
 * every block on free, since decrypted answers pass through jansson.  Call
 * once at start-up, before any other json_ call; calling again is harmless.
 */
void		 ds_json_init(void);

/*
 * Canonical JSON: UTF-8, object keys sorted by byte value, no insignificant
 * whitespace, reals printed with enough digits to round-trip.  Equal
 * documents give byte-equal text.  The result is NUL-terminated and belongs
 * to the caller (free with ds_free; wipe first if it holds answers).
 */
enum ds_status	 ds_json_canonical(const json_t *, char **out, size_t *lenp,
		    struct ds_err *);

/*
 * Parse text of `len` bytes (which need not be NUL-terminated) refusing
 * more than `cap` bytes (DS_ELIMIT).  DS_EPARSE names the line and column
 * and `what` (a file name or "answers"); running out of memory is
 * DS_ENOMEM, not a parse error.  Result owned by the caller (json_decref).
 */
enum ds_status	 ds_json_parse(const char *text, size_t len, size_t cap,
		    const char *what, json_t **out, struct ds_err *);

#endif
