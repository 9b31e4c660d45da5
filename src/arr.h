/* doorstep: growable arrays with a hard cap (layer 1: base). */
#ifndef DS_ARR_H
#define DS_ARR_H

/*
 * The caller keeps a typed array, a count and a capacity, as C code
 * usually does; ds_arr_grow makes room before the caller writes element
 * n.  It follows curl's dynbuf discipline: every array has a hard cap
 * (max elements, the "toobig" of DYNBUF.md), and a failed growth frees
 * nothing the caller owns and leaves the array, its pointer and its
 * capacity exactly as they were.
 *
 *	struct item *v = NULL;
 *	size_t n = 0, cap = 0;
 *
 *	if ((st = ds_arr_grow(&v, &cap, n + 1, sizeof(*v), ITEMS_MAX)) !=
 *	    DS_OK)
 *		goto out;	(v still holds the n elements; free them)
 *	v[n++] = item;
 */

#include <stddef.h>

#include "status.h"

#define DS_ARR_MIN	16	/* elements in the first allocation */

/*
 * Make *arrp (a T **, passed as void *) hold at least `need` elements of
 * `size` bytes, growing *capp by doubling, from DS_ARR_MIN, up to `max`
 * elements.  DS_OK at once if *capp >= need.  DS_ELIMIT if need > max,
 * DS_ENOMEM if the allocation fails: *arrp and *capp are then unchanged.
 * New elements are not initialized.
 */
enum ds_status	 ds_arr_grow(void *arrp, size_t *capp, size_t need,
		    size_t size, size_t max);

#endif
