/* doorstep: growable arrays with a hard cap. */
/*
 * One growth policy for every array the libraries build (doubling from
 * DS_ARR_MIN, capped), instead of a realloc loop per module.  The array
 * pointer is read and written through memcpy so that a T ** can be
 * passed without a cast (POSIX gives every object pointer one
 * representation).
 */
#include "arr.h"

#include <stdint.h>
#include <string.h>

#include "mem.h"

enum ds_status
ds_arr_grow(void *arrp, size_t *capp, size_t need, size_t size, size_t max)
{
	void *p, *np;
	size_t nc;

	if (need <= *capp)
		return DS_OK;
	if (need > max || size == 0 || need > SIZE_MAX / size)
		return DS_ELIMIT;
	nc = *capp ? *capp : DS_ARR_MIN;
	while (nc < need)
		nc = nc > SIZE_MAX / 2 ? need : nc * 2;
	if (nc > max)
		nc = max;
	if (nc > SIZE_MAX / size)
		nc = need;
	memcpy(&p, arrp, sizeof(p));
	if ((np = ds_realloc(p, nc * size)) == NULL)
		return DS_ENOMEM;
	memcpy(arrp, &np, sizeof(np));
	*capp = nc;
	return DS_OK;
}
