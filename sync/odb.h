/* doorstep: the office database (office.db, or PostgreSQL) — sync layer. */
#ifndef DS_ODB_H
#define DS_ODB_H

/*
 * office.db holds what the township office knows: the devices (pending,
 * enrolled, revoked), the bundle ledger with each stored receipt, every
 * imported revision, the current head of each record, fork flags and the
 * per-device acknowledged sequence ranges.  odb*.c speak SQL through
 * dbx.h (SQLite, or a county's PostgreSQL database: odb_pg.c);
 * everything else goes through this header.
 *
 * One struct odb is one connection (WAL, synchronous=FULL, secure_delete,
 * temp_store=MEMORY, foreign keys, busy timeout).  It is not thread safe;
 * the HTTP receiver serialises imports on one connection.
 *
 * Schema versions are kept in PRAGMA user_version; odb_open refuses a file
 * whose application_id is not office.db's or whose version is newer than
 * this program knows (ODB_SCHEMA_VERSION), and migrates older ones.
 *
 * Data at rest (docs/sync.md "Office data at rest"): every revision's
 * answers, audit and consent are sealed with the office data key
 * (XChaCha20-Poly1305, AD = row id and column).  The key is derived from
 * the office box secret key when odb_open is given office-secret.key; a
 * connection opened without it manages devices, ledger and forks but
 * cannot store or read answers (DS_ESTATE).  Household key and worker id
 * stay in clear.
 */
#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define ODB_SCHEMA_VERSION	9
#define ODB_APPLICATION_ID	0x44534f46	/* "DSOF" */

struct odb;

/*
 * Create a new office.db at `path` for the office `office_id` with the
 * current schema.  Refuses (DS_EEXIST) if `path` already exists, so an
 * office is never initialised twice over its data.  The file is complete
 * and durable when this returns DS_OK; on failure nothing is left behind.
 */
enum ds_status	 odb_create(const char *path,
		    const unsigned char office_id[16], struct ds_err *);

/*
 * For tests only: odb_create makes, and odb_open migrates to, schema
 * `version` (1 to ODB_SCHEMA_VERSION; anything else: this program's), as
 * the program of that version did, so a test can fill a database of an
 * older version through the real code and migrate it.
 */
void		 odb_test_schema(int version);

struct cry_office_sec;

/*
 * `path` may also be a postgresql:// URL: the county database that holds
 * many townships' office data (docs/sync.md "The office store on
 * PostgreSQL").  The connected role must be a township's (its rows carry
 * that township's codes; the database shows it no other township's);
 * odb_create then records the office id for that township (DS_EEXIST if
 * it has one).  The office keys stay in the office directory.
 */
/* 1 if odb_open took a PostgreSQL URL. */
int		 odb_is_pg(const struct odb *);

/* What a role is in a county database (facts for the edge to word). */
enum odb_pg_who {
	ODB_PG_TOWNSHIP = 1,	/* a township's: reads and writes its rows */
	ODB_PG_COUNTY,		/* the county's: reads every township */
	ODB_PG_NO_ROLE,		/* not in ds_role */
	ODB_PG_NO_SCHEMA,	/* dbsetup has not run */
	ODB_PG_OLD_SCHEMA	/* another schema version than this program's */
};

struct odb_pg_info {
	int	 who;			/* enum odb_pg_who */
	int	 version, known;	/* the database's, this program's */
	char	 role[64];
	char	 county[32], township[32];	/* '*': the county's */
};

/*
 * Connect to url and say what its connected role is there: DS_OK with
 * info->who set (whatever it is), or the failure to connect or read.
 * odb_open's DS_ESTATE on a URL is worded from this.
 */
enum ds_status	 odb_pg_probe(const char *url, struct odb_pg_info *,
		    struct ds_err *);
/*
 * Open the county database as the county's role (township '*'), to read:
 * every township of the county, or only `township` (NULL or "": all),
 * narrowed by the database (ds.scope, docs/sync.md).  No office id and no
 * keys: the reports read clear columns only.  DS_ENOENT when `township`
 * is not one of the county's; DS_ESTATE (odb_pg_probe says why) when the
 * role is not the county's.  Writes fail (row-level security).
 */
enum ds_status	 odb_open_county(const char *url, const char *township,
		    struct odb **out, struct ds_err *);
/* 1 if opened by odb_open_county. */
int		 odb_is_county(const struct odb *);
/* The township's records the county has and office.db lacks. */
struct odb_fwd_gap {
	int	 behind;	/* office.db lacks bundles or revisions */
	int64_t	 bundles, revisions, events;
};
/*
 * Send a township's office.db (from, SQLite) up to its rows of the county
 * database (to, the township's role, joined with the same office id):
 * every table by its own key, a row only when it is new or differs, batch
 * rows a transaction (0: a table a transaction).  Killed and run again, it
 * sends the rest; run after a complete run, it sends nothing.  No row is
 * deleted there, and records (ledger, revisions, case events, ...) are
 * never rewritten.  When the county has bundles or revisions office.db
 * lacks (*gap:
 * office.db restored from an older copy, or bundles imported into the
 * county directly), rows the county has are left as they are there and
 * only new ones are sent.  cb (may be NULL) hears of each table: its rows
 * and how many were written; non-zero stops.  DS_ECRYPTO when the county
 * holds another office for the township.
 */
enum ds_status	 odb_forward(struct odb *from, struct odb *to, int batch,
		    int (*cb)(void *, const char *table, int64_t rows,
		    int64_t sent), void *arg, struct odb_fwd_gap *gap,
		    struct ds_err *);
/*
 * As the database owner: create or migrate the county schema to version
 * upto (0: this program's), under an advisory lock (a second setup finds
 * the work done).  *from and *to are the versions before and after.  An
 * upto below this program's version builds the schema an older program
 * made (t_pg migrates a populated one).
 */
enum ds_status	 odb_pg_setup(const char *url, int upto, int *from,
		    int *to, struct ds_err *);

/*
 * Open an existing office.db read-write.  DS_ENOENT when it does not
 * exist, DS_ECORRUPT when it is not an office database or fails
 * quick_check, DS_ESTATE when its schema is newer than this program's.
 *
 * sec (may be NULL) is office-secret.key: odb derives the office data key
 * from its box secret (cry_kdf "officedb", 1) into its own secure memory,
 * wiped by odb_close; sec stays the caller's and is not kept.  A key of
 * another office (other office id, or a key that fails the stored key
 * check) is DS_ECRYPTO.  The first keyed open writes the key check and
 * seals revisions stored in clear by an older program, in one
 * transaction, then truncates the WAL.
 * The caller owns *out and closes it with odb_close.
 */
enum ds_status	 odb_open(const char *path, const struct cry_office_sec *sec,
		    struct odb **out, struct ds_err *);
/* Close, wipe the data key, free; NULL is allowed. */
void		 odb_close(struct odb *);
/* 1 if the connection holds the office data key. */
int		 odb_has_key(const struct odb *);

/*
 * Blind index of an ID number (or another equality-only value): keyed
 * BLAKE2b-256 of store_blind_normalize(value) under the office blind-index
 * key (cry_kdf of the box secret, "officebi", 2).  -1 without the key, or
 * when the value is empty or too long once normalized.
 */
int		 odb_blind(const struct odb *, const char *value,
		    unsigned char out[32]);
/*
 * A deterministic 16-byte row id for a row made from a file (a clue, a
 * bulk step, a register row): keyed hash of `kind` and the row's
 * normalized content, so importing a file twice finds the same ids.
 * -1 without the key.
 */
int		 odb_row_id(const struct odb *, const char *kind,
		    const void *content, size_t n, unsigned char out[16]);

/* The office id recorded at creation. */
void		 odb_office_id(const struct odb *, unsigned char out[16]);

/*
 * Transactions.  odb_begin takes the write lock (BEGIN IMMEDIATE); a
 * failed odb_commit leaves the transaction rolled back.  The import of one
 * bundle is one transaction (crypto-sync.md §7.4 step 10).
 */
enum ds_status	 odb_begin(struct odb *, struct ds_err *);
enum ds_status	 odb_commit(struct odb *, struct ds_err *);
void		 odb_rollback(struct odb *);

/* ---- devices --------------------------------------------------------- */

enum odb_dev_state {
	ODB_DEV_PENDING = 1,	/* seen in a bundle, not yet approved */
	ODB_DEV_ENROLLED = 2,
	ODB_DEV_REVOKED = 3
};

struct odb_device {
	unsigned char	device_id[16];
	unsigned char	sign_pk[32];
	int		state;		/* enum odb_dev_state */
	char		label[128];
	int64_t		first_seen, changed_at;
};

/* "pending", "enrolled", "revoked". */
const char	*odb_dev_state_str(int);
/* DS_ENOENT when the device is unknown. */
enum ds_status	 odb_device_get(struct odb *, const unsigned char id[16],
		    struct odb_device *out, struct ds_err *);
/* Insert, or update state, key and label of an existing device. */
enum ds_status	 odb_device_put(struct odb *, const struct odb_device *,
		    struct ds_err *);
/* Call cb for each device in id order; a non-zero cb return stops. */
enum ds_status	 odb_device_each(struct odb *,
		    int (*cb)(void *, const struct odb_device *), void *arg,
		    struct ds_err *);
/* Find by a unique hex prefix of the device id (>= 4 digits). */
enum ds_status	 odb_device_find(struct odb *, const char *hexprefix,
		    struct odb_device *out, struct ds_err *);

/* ---- ledger and held bundles ----------------------------------------- */

struct odb_ledger {
	unsigned char	 bundle_id[16];
	unsigned char	 bundle_hash[32];
	unsigned char	 device_id[16];
	uint64_t	 seq_lo, seq_hi;
	uint32_t	 record_count;
	int		 status;	/* enum receipt_status */
	int64_t		 imported_at;
	unsigned char	*receipt;	/* signed receipt bytes */
	size_t		 receipt_len;
	unsigned char	 db_uuid[16];	/* the laptop database's id */
	unsigned char	 prev_hash[32];	/* its previous bundle; zero: first */
};

/*
 * Look a bundle up by id.  DS_ENOENT if absent.  On DS_OK out->receipt is
 * the caller's (ds_free).
 */
enum ds_status	 odb_ledger_get(struct odb *, const unsigned char id[16],
		    struct odb_ledger *out, struct ds_err *);
enum ds_status	 odb_ledger_put(struct odb *, const struct odb_ledger *,
		    struct ds_err *);

/* Keep a bundle from an unapproved device (ciphertext, as received). */
enum ds_status	 odb_pending_put(struct odb *, const unsigned char id[16],
		    const unsigned char hash[32],
		    const unsigned char device_id[16],
		    const unsigned char *bundle, size_t len, struct ds_err *);
/*
 * Call cb with each held bundle of a device, oldest first; the bytes are
 * valid during the call only.
 */
enum ds_status	 odb_pending_each(struct odb *,
		    const unsigned char device_id[16],
		    int (*cb)(void *, const unsigned char *id,
		    const unsigned char *bundle, size_t len), void *arg,
		    struct ds_err *);
enum ds_status	 odb_pending_del(struct odb *, const unsigned char id[16],
		    struct ds_err *);
/* Number of bundles held for a device. */
enum ds_status	 odb_pending_count(struct odb *,
		    const unsigned char device_id[16], int64_t *n,
		    struct ds_err *);
/*
 * What held bundles take: of one device (device_id), or of every device
 * (NULL): *bundles, *bytes, and *devices the number of devices holding
 * any (any pointer but device_id may be NULL).
 */
enum ds_status	 odb_pending_usage(struct odb *,
		    const unsigned char *device_id, int64_t *bundles,
		    int64_t *bytes, int64_t *devices, struct ds_err *);

/* ---- revisions, heads, forks ------------------------------------------ */

struct bundle_rev;

/*
 * Store one revision unless its rev_id is already there (*inserted 0),
 * its answers, audit and consent sealed (needs the data key: DS_ESTATE).
 * Revisions are immutable: a second copy is ignored, never compared.
 * held: its parent is not here yet, so it is kept out of heads and forks
 * (odb_rev_release lets it in).
 */
enum ds_status	 odb_rev_insert(struct odb *, const struct bundle_rev *,
		    const unsigned char device_id[16],
		    const unsigned char bundle_id[16], int held, int *inserted,
		    struct ds_err *);
/* What odb_revs_put did with a bundle's revision. */
#define ODB_REV_NEW	1	/* stored now (else it was here) */
#define ODB_REV_HELD	2	/* stored held: its parent not settled */
/*
 * PostgreSQL (odb_pg_imp.c): a bundle's n revisions at once, inside the
 * import's transaction: staged by one COPY, the new ones stored by one
 * statement and the heads of the settled ones set by another, as
 * odb_rev_insert, odb_rev_settled and odb_head_put one by one would.
 * Only when no row needs the row-by-row path: no two revisions share a
 * record or an id, no parent is in the bundle, no device sequence number
 * is used twice, and no new settled revision forks.  Then *done 1 and
 * out[i] holds revision i's ODB_REV_* bits; else *done 0 and nothing is
 * stored (always on SQLite).
 */
enum ds_status	 odb_revs_put(struct odb *, const struct bundle_rev *,
		    size_t n, const unsigned char device_id[16],
		    const unsigned char bundle_id[16], uint8_t *out, int *done,
		    struct ds_err *);
/* *settled = 1 if rev_id is stored and not held. */
enum ds_status	 odb_rev_settled(struct odb *, const unsigned char rev_id[16],
		    int *settled, struct ds_err *);

/* A revision waiting for its parent. */
struct odb_held {
	unsigned char	rev_id[16];
	unsigned char	record_uuid[16];
	unsigned char	parent_rev_id[16];
	unsigned char	device_id[16];
	char		household_key[256];
	uint32_t	rev_no;
	uint64_t	device_seq;
	int64_t		held_at;
};
/*
 * Held revisions whose parent is now stored and settled, by rev_no then
 * rev_id; at most max into out, *n of them.
 */
enum ds_status	 odb_rev_releasable(struct odb *, struct odb_held *out,
		    size_t max, size_t *n, struct ds_err *);
/* Take a revision out of the held state. */
enum ds_status	 odb_rev_release(struct odb *, const unsigned char rev_id[16],
		    struct ds_err *);
/* Every held revision, oldest first; or the ones whose id starts with
 * hexprefix (when not NULL). */
enum ds_status	 odb_held_each(struct odb *, const char *hexprefix,
		    int (*cb)(void *, const struct odb_held *), void *arg,
		    struct ds_err *);
/*
 * Another revision of this device stored under the same device sequence
 * number (a laptop restored from a backup reuses numbers): its id into
 * other, *found 1.
 */
enum ds_status	 odb_rev_seq_taken(struct odb *,
		    const unsigned char device_id[16], uint64_t seq,
		    const unsigned char rev_id[16], unsigned char other[16],
		    int *found, struct ds_err *);

/* ---- alerts --------------------------------------------------------------- */

enum odb_alert_kind {
	ODB_ALERT_ROLLBACK = 1,	/* sequence numbers reused: restored backup */
	ODB_ALERT_NEW_DB,	/* a new laptop database under a known device */
	ODB_ALERT_BOX_KEY,	/* a device note brought another box key */
	ODB_ALERT_COMPETING_KEY,/* a bundle for a pending device, signed by
				   another key than its first one */
	ODB_ALERT_QUOTA		/* bundles of devices not enrolled refused:
				   the held-bundle caps were reached */
};

struct odb_alert {
	unsigned char	device_id[16];
	int		kind;		/* enum odb_alert_kind */
	unsigned char	bundle_id[16];
	char		detail[512];
	int64_t		at;
};
/* Record an alert once per (bundle, kind). */
enum ds_status	 odb_alert_put(struct odb *, const struct odb_alert *,
		    struct ds_err *);
/* A device's alerts (all devices when device_id is NULL), oldest first. */
enum ds_status	 odb_alert_each(struct odb *, const unsigned char *device_id,
		    int (*cb)(void *, const struct odb_alert *), void *arg,
		    struct ds_err *);
/* "rollback", "new_db", "box_key", "competing_key", "quota". */
const char	*odb_alert_kind_str(int);
/*
 * *seen 1 if a bundle of this device from database db_uuid was imported;
 * *any 1 if any bundle of the device carrying a database id was.
 */
enum ds_status	 odb_ledger_db_seen(struct odb *,
		    const unsigned char device_id[16],
		    const unsigned char db_uuid[16], int *seen, int *any,
		    struct ds_err *);
/*
 * The answers JSON of a revision, decrypted; *out (NUL-terminated) is the
 * caller's, to release with odb_answers_free (wipes).  DS_ENOENT if the
 * revision is not stored, DS_ECRYPTO (naming it) if its row does not
 * open, DS_ESTATE without the data key.
 */
enum ds_status	 odb_rev_answers(struct odb *, const unsigned char rev_id[16],
		    char **out, struct ds_err *);
/* Wipe and free answers text from odb_rev_answers; NULL is fine. */
void		 odb_answers_free(char *);
/*
 * The other settled revisions of `record_uuid` with the same parent (NULL:
 * none), excluding `rev_id`; the max smallest ids into out, in order,
 * and the count of all in *n.
 */
enum ds_status	 odb_rev_siblings(struct odb *,
		    const unsigned char record_uuid[16],
		    const unsigned char *parent, const unsigned char rev_id[16],
		    unsigned char (*out)[16], size_t max, size_t *n,
		    struct ds_err *);
/*
 * Revision rev_id was just settled (stored not held, or released): make it
 * its record's head if it is above the head among the record's settled
 * revisions (higher rev_no, then larger rev_id).  Every settled revision
 * passes here, so the head stays the highest of them.  *alone: 1 when the
 * record had no head, so the revision cannot fork (odb_head_put, SQLite);
 * 0 when it may.
 */
enum ds_status	 odb_head_update(struct odb *, const unsigned char rev_id[16],
		    int *alone, struct ds_err *);
/* The same for a revision the caller has just stored (not held): its
 * values bound, not read back from revision. */
enum ds_status	 odb_head_put(struct odb *, const struct bundle_rev *,
		    int *alone, struct ds_err *);

struct odb_fork {
	unsigned char	rev_a[16], rev_b[16];	/* rev_a < rev_b */
	unsigned char	record_uuid[16];
	char		household_key[256];
	int		conflict;	/* 1 conflict, 0 parallel update */
	char		questions[1024];
	int64_t		detected_at, resolved_at;	/* 0: open */
	char		resolution[256];
};

/* Record a fork once (ignored if the pair is known); a, b in any order. */
enum ds_status	 odb_fork_put(struct odb *, const unsigned char a[16],
		    const unsigned char b[16],
		    const unsigned char record_uuid[16],
		    const unsigned char *parent, int conflict,
		    const char *questions, struct ds_err *);
/* Each fork (open ones only if open_only), by detection time. */
enum ds_status	 odb_fork_each(struct odb *, int open_only,
		    int (*cb)(void *, const struct odb_fork *), void *arg,
		    struct ds_err *);
/*
 * Resolve the open fork(s) that involve the revision whose id starts with
 * hexprefix, noting `resolution` ("keep <rev>" or free text).
 * DS_ENOENT if none.
 */
enum ds_status	 odb_fork_resolve(struct odb *, const char *hexprefix,
		    const char *resolution, int *count, struct ds_err *);

/* ---- acknowledged sequence ranges -------------------------------------- */

struct odb_range {
	uint64_t	lo, hi;
};

/* Merge [lo, hi] into the device's acknowledged ranges. */
enum ds_status	 odb_ack_add(struct odb *, const unsigned char device_id[16],
		    uint64_t lo, uint64_t hi, struct ds_err *);
/*
 * The device's ranges in order (at most max; *n the total, which may be
 * larger) and the contiguous high-water mark (0 if 1 is not held).
 */
enum ds_status	 odb_ack_get(struct odb *, const unsigned char device_id[16],
		    struct odb_range *out, size_t max, size_t *n,
		    uint64_t *contiguous, struct ds_err *);

/* ---- heads, for export and reports -------------------------------------- */

struct odb_head {
	unsigned char	 record_uuid[16];
	unsigned char	 rev_id[16];
	uint32_t	 rev_no;
	const char	*household_key;
	const char	*form_id;
	const char	*form_ver;
	const char	*worker_id;
	int64_t		 saved_at;
	int		 deleted;
	const char	*answers;	/* JSON object text */
	size_t		 answers_len;
};

/*
 * Call cb for every current head that is not deleted, ordered by household
 * key then record id (deterministic).  Strings are valid during the call;
 * answers is decrypted into memory odb wipes after each call.  Needs the
 * data key; a head whose row does not open stops with DS_ECRYPTO.
 */
enum ds_status	 odb_head_each(struct odb *,
		    int (*cb)(void *, const struct odb_head *), void *arg,
		    struct ds_err *);
/*
 * Every settled revision of those records, each record's in a run, in
 * the heads' order, newest first (rev_no, then rev_id, descending: the
 * first of a run is the head).  For reports "as of" a past month.
 */
enum ds_status	 odb_rev_each(struct odb *,
		    int (*cb)(void *, const struct odb_head *), void *arg,
		    struct ds_err *);

#endif
