/* doorstep: growable byte buffers with a hard cap. */
#ifndef DS_BUF_H
#define DS_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

/*
 * A ds_buf grows on demand up to `max` bytes (curl dynbuf's "toobig").  The
 * content is always NUL-terminated (the NUL is not counted in len), so text
 * can be used as a C string.  A failed append frees nothing and leaves the
 * buffer as it was.  Embedded: ds_buf_init() ... ds_buf_reset().
 */
struct ds_buf {
	char	*p;	/* NULL until the first append */
	size_t	 len;	/* bytes used, excluding the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* hard cap on len */
};

void		 ds_buf_init(struct ds_buf *, size_t max);
/* Free the memory and return to the empty state; max is kept. */
void		 ds_buf_reset(struct ds_buf *);
/* Like reset, but first overwrite the bytes with zeros (decrypted data). */
void		 ds_buf_wipe(struct ds_buf *);
/* DS_ENOMEM or DS_ELIMIT on failure, buffer unchanged. */
enum ds_status	 ds_buf_add(struct ds_buf *, const void *, size_t);
enum ds_status	 ds_buf_adds(struct ds_buf *, const char *);
enum ds_status	 ds_buf_addc(struct ds_buf *, char);
enum ds_status	 ds_buf_printf(struct ds_buf *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Make room for n more bytes without changing len. */
enum ds_status	 ds_buf_reserve(struct ds_buf *, size_t n);
/* Drop content, keep memory. */
void		 ds_buf_clear(struct ds_buf *);
/*
 * Hand the memory to the caller (free with ds_free) and leave the buffer
 * empty.  Never NULL: an empty buffer yields an allocated "".  Returns NULL
 * only when that allocation fails.
 */
char		*ds_buf_take(struct ds_buf *, size_t *lenp);

/*
 * Binary framing shared by the bundle and receipt formats: integers are
 * little-endian, n = 1..8 bytes.  ds_buf_add_le appends one (DS_ENOMEM or
 * DS_ELIMIT, buffer unchanged).
 */
enum ds_status	 ds_buf_add_le(struct ds_buf *, uint64_t v, int n);

/*
 * A bounded reader over untrusted bytes.  Reading past the end sets `bad`,
 * returns zeros and never touches memory outside [p, p+n); callers check
 * `bad` once after a run of reads.
 */
struct ds_rd {
	const unsigned char	*p;
	size_t			 n;	/* bytes available */
	size_t			 off;	/* next byte to read */
	int			 bad;	/* a read went past the end */
};

uint64_t	 ds_rd_le(struct ds_rd *, int n);
/* Copy n bytes to out (zeros and `bad` set if they are not there). */
void		 ds_rd_mem(struct ds_rd *, void *out, size_t n);

#endif
