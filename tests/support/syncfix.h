/* doorstep: test fixtures for sync: an office, devices, revisions. */
#ifndef DS_SYNCFIX_H
#define DS_SYNCFIX_H

#include <stddef.h>
#include <stdint.h>

#include "bundle.h"
#include "cry.h"

/* An office made with cry_office_create + odb_create in `dir`. */
struct sf_office {
	char			 dir[512];
	char			 db[600];
	struct cry_office_pub	 pub;
	struct cry_office_sec	*sec;
};

/* A laptop as far as sync cares: ids, signing key, sequence counter. */
struct sf_device {
	unsigned char		 device_id[16];
	unsigned char		 db_uuid[16];
	struct cry_signkey	*key;
	uint64_t		 next_seq;
	unsigned char		 prev_hash[32];
};

/* A revision with owned storage for its strings. */
struct sf_rev {
	struct bundle_rev	 r;
	char			 hh[64], answers[4096];
};

/* Abort-on-failure helpers (fixtures, not the code under test). */
void	sf_office_make(struct sf_office *, const char *dir);
void	sf_office_free(struct sf_office *);
void	sf_device_make(struct sf_device *, int n);
void	sf_device_free(struct sf_device *);
/*
 * Fill a revision of record `rec` (a small integer making the uuid) with
 * rev_no, parent (NULL for none), the next device sequence and answers
 * JSON text.  rev_id is random unless `revtag` is non-zero (then fixed).
 */
void	sf_rev(struct sf_rev *, struct sf_device *, int rec, uint32_t rev_no,
	    const unsigned char *parent, const char *answers_json);
/* Build a bundle of revs (in sequence order) for office; abort on error. */
unsigned char *sf_bundle(struct sf_device *, const struct sf_office *,
	    struct sf_rev *revs, size_t n, uint32_t chunk, int no_final,
	    size_t *lenp);
struct odb;
/*
 * Import one bundle of dev holding revs into db as the office does, for a
 * test's set-up (what became of it is not looked at): imp_bundle's status,
 * the result and the bundle freed.
 */
enum ds_status	sf_import(struct odb *, struct sf_device *,
	    const struct sf_office *, struct sf_rev *revs, size_t n,
	    struct ds_err *);
/* Record a device as enrolled in an office database (the office's own
 * approval, without a held bundle). */
enum ds_status	sf_enroll(struct odb *, const unsigned char device_id[16],
	    const unsigned char sign_pk[32], struct ds_err *);

/*
 * A household of the shipped form's shape (about 2.3 KB of canonical JSON,
 * five members with ID numbers of their own, a finalized visit with
 * consent), varied by k; one in ten proposes a category (a case).  Its
 * household key is the "hh_id" answer, also written to key (17 bytes).
 * Returns the length written into b.
 */
size_t	sf_household(char *b, size_t n, int k, char key[17]);

/* Write bytes to dir/name; returns the static path. */
const char *sf_write(const char *dir, const char *name,
	    const unsigned char *p, size_t n);



/*
 * Digest of every row of every table of an SQLite file (tables by name,
 * rows in primary-key order), for "zero rows changed" and "equals a clean
 * run" checks.  Optionally skips tables named in `skip` (comma list).
 */
void	sf_db_digest(const char *path, const char *skip, unsigned char out[32]);
/* Number of rows in a table, or of "table WHERE cond". */
long	sf_db_count(const char *path, const char *table);
#endif
