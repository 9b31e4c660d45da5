/* doorstep: the encrypted record store (layer 6, the one SQLite user). */
#ifndef DS_STORE_H
#define DS_STORE_H

/*
 * One SQLite file per workspace holds every household record.  Only
 * ciphertext, random ids, revision numbers, form ids, blind indexes, counts
 * and timestamps reach the database pages, WAL and journal: answers and the
 * list summary (head name, village, label) are sealed with
 * XChaCha20-Poly1305 under subkeys of the workspace data key (DEK), with a
 * canonical length-prefixed AD built from trusted row metadata, so a
 * ciphertext moved to another row or revision fails to open
 * (docs/storage.md).
 *
 * Saving: one call to store_save() is one transaction: new revision row,
 * record row update, next per-device outbox sequence (the revision is its
 * own "saved" audit event).  "Saved"
 * means store_save() returned DS_OK (COMMIT returned SQLITE_OK).  On any
 * failure the transaction is rolled back and the store is as before.
 *
 * A struct store is one connection; use it from one thread.  Never fork
 * with a store open.  Decrypted text handed out (answers, summaries) is in
 * ordinary heap memory owned by the caller, who wipes it: use
 * store_text_free() and store_list_free(), which do.
 */

#include <stddef.h>
#include <stdint.h>

#include "cry.h"
#include "status.h"

/* record, revision, device and bundle ids; a bundle file's hash */
#define STORE_ID_BYTES		CRY_ID_BYTES
#define STORE_HASH_BYTES	CRY_HASH256_BYTES
#define STORE_UUID_TEXT		37	/* 8-4-4-4-12 + NUL */
#define STORE_ANSWERS_MAX	(4u << 20)	/* one revision's JSON */
#define STORE_FORM_ID_MAX	128	/* bytes, form id and version */
#define STORE_SUMMARY_MAX	512	/* bytes per summary string */
#define STORE_BLIND_MAX		16	/* ID-card numbers per record */
#define STORE_CURSOR_MAX	1024	/* bytes of a saved cursor */
#define STORE_TAIL_SHORT	4	/* last characters of an ID number */
#define STORE_TAIL_LONG		6	/* indexed for the search */

struct store;

enum store_status {
	STORE_DRAFT,
	STORE_FINALIZED,
	STORE_SENT,
	STORE_ACKED
};
/* "draft", "finalized", "sent", "acknowledged". */
const char	*store_status_name(enum store_status);
/* 0 and *out set if s names a status, else -1. */
int		 store_status_parse(const char *s, enum store_status *out);

/*
 * Open (creating if missing, mode 0600) the database at path, apply the
 * connection settings (WAL, synchronous=FULL, secure_delete, temp_store
 * MEMORY, journal_size_limit, foreign_keys, busy_timeout), run the
 * versioned migrations and a quick_check.  dek is the 32-byte data key
 * (borrowed; the store derives and keeps its own subkeys in secure memory);
 * device_id is this laptop's id, bound into every new revision's AD.
 * DS_ECORRUPT if the file is not a doorstep store or fails the check.
 */
enum ds_status	 store_open(const char *path,
		    const unsigned char dek[CRY_KEY_BYTES],
		    const unsigned char device_id[STORE_ID_BYTES],
		    struct store **out, struct ds_err *);
/*
 * The same; with STORE_OPEN_CHECK_LATER the quick_check is not run here
 * but owed: the caller runs store_quick_check() once it has shown what it
 * opened the store for (the TUI: after the list is drawn, before the
 * first key is read).  Until then store_check_owed() is 1.
 */
#define STORE_OPEN_CHECK_LATER	0x1
enum ds_status	 store_open_flags(const char *path,
		    const unsigned char dek[CRY_KEY_BYTES],
		    const unsigned char device_id[STORE_ID_BYTES], int flags,
		    struct store **out, struct ds_err *);
/* PRAGMA quick_check now: DS_ECORRUPT "store PATH fails its check: ..."
 * (the store should then be closed).  Clears the owed check. */
enum ds_status	 store_quick_check(struct store *, struct ds_err *);
int		 store_check_owed(const struct store *);
/* Close and wipe the subkeys.  NULL is fine. */
void		 store_close(struct store *);

/* Schema version after migrations (PRAGMA user_version). */
int		 store_schema_version(struct store *);

/* A new random record id (UUID version 4 layout). */
void		 store_id_new(unsigned char id[STORE_ID_BYTES]);
/* Lowercase 8-4-4-4-12 text of an id. */
void		 store_id_text(const unsigned char id[STORE_ID_BYTES],
		    char out[STORE_UUID_TEXT]);
/* Parse 8-4-4-4-12 or 32 hex digits; 0 or -1. */
int		 store_id_parse(const char *s, unsigned char id[STORE_ID_BYTES]);

/*
 * The household list line.  All strings may be NULL (absent); they are
 * sealed together as the record's summary blob.
 */
struct store_summary {
	const char	*head_name;	/* household head */
	const char	*village;
	const char	*label;		/* the form's instance_name */
	int		 n_errors;	/* open errors, plain counts */
	int		 n_warnings;
	/* sealed with the rest; absent from summaries saved before them */
	const char	*household_key;	/* shown in the list */
	const char	*members;	/* every member's name, '\n' between:
					 * the name search reads them */
	const char	*code;		/* the record code on the paper letter */
	int		 refused;	/* the household refused consent */
	int		 answered;	/* answers the worker gave (0: empty) */
};

/*
 * One save.  record_id is the caller's (store_id_new for a new record); a
 * record that does not exist yet is created with revision 1.
 * household_key (户编号 or listing number) and id_numbers (ID-card numbers)
 * are stored only as keyed BLAKE2b blind indexes of their normalized form
 * (ASCII and full-width digits and letters, case and spaces folded), and
 * each ID number's last STORE_TAIL_SHORT and STORE_TAIL_LONG characters
 * as blind indexes of their own kind (the search by the last digits); each
 * save replaces the record's indexes.  answers is canonical JSON (json.h).
 * expect_rev, when not NULL, must equal the record's current revision id,
 * else DS_ECONFLICT and nothing is written (a stale editor); with it,
 * the record's draft deltas on that revision must number expect_deltas
 * (the editor has seen them all).  A save replaces the record's deltas:
 * the new revision holds what they said.
 * finalize: 0 leaves the record a draft (a save after finalizing or
 * sending makes it a draft again: the new revision is unsent), 1 marks it
 * finalized in the same transaction.
 */
struct store_save {
	const unsigned char	*record_id;		/* 16 bytes */
	const char		*form_id;
	const char		*form_version;
	const char		*household_key;		/* may be NULL */
	const char *const	*id_numbers;		/* may be NULL */
	size_t			 n_id_numbers;
	const char		*answers;
	size_t			 answers_len;
	const struct store_summary *summary;		/* may be NULL */
	const unsigned char	*expect_rev;		/* may be NULL */
	int64_t			 expect_deltas;		/* with expect_rev */
	int			 finalize;
};

/* What a save produced (or what history lists). */
struct store_rev {
	unsigned char	record_id[STORE_ID_BYTES];
	unsigned char	rev_id[STORE_ID_BYTES];		/* random per save */
	unsigned char	parent_rev_id[STORE_ID_BYTES];	/* zero if none */
	int		has_parent;
	int64_t		rev_no;		/* 1, 2, ... per record */
	int64_t		seq;		/* per-device outbox sequence */
	int64_t		saved_at;	/* ds_now() at save */
	unsigned char	device_id[STORE_ID_BYTES];
	char		form_version[STORE_FORM_ID_MAX];
	size_t		answers_bytes;	/* plaintext length */
};

/*
 * Re-encrypt the whole store under a new data key, in one transaction
 * (src/store_rekey.c): every revision's answers (and key id), every
 * summary and cursor, the key check; the blind indexes are made again
 * under the new key from the values among the current answers (*lost,
 * may be NULL, counts those no answer gave: dropped, made again by the
 * record's next save).  On success the store uses the new key; on failure
 * nothing changed and it keeps the old one.  A crash leaves the file
 * wholly under one key or the other.
 */
enum ds_status	 store_rekey(struct store *,
		    const unsigned char dek[CRY_KEY_BYTES], size_t *lost,
		    struct ds_err *);

/* Save one revision (see above); *out (may be NULL) describes it.
 * Disk full gives DS_ENOSPC with a message saying nothing was saved. */
enum ds_status	 store_save(struct store *, const struct store_save *,
		    struct store_rev *out, struct ds_err *);

/*
 * Discard a draft the worker started by mistake: it leaves every list
 * (the record row is marked discarded) but its revisions, outbox rows and
 * audit trail stay, with an audit event "discarded".  DS_ESTATE unless it
 * is a draft; DS_ENOENT for no record.
 */
enum ds_status	 store_discard(struct store *,
		    const unsigned char id[STORE_ID_BYTES], struct ds_err *);

/*
 * Reseal the current revision's summary (and its error and warning
 * counts) on the record row, without a new revision: what the list
 * shows, brought up to date when an interview is left (the session
 * counts problems then, not on every answer).  rev_no must be the
 * current revision (DS_ECONFLICT if another save came first).
 */
enum ds_status	 store_summary_set(struct store *,
		    const unsigned char id[STORE_ID_BYTES], int64_t rev_no,
		    const struct store_summary *, struct ds_err *);

/* Mark a record finalized without a new revision (audit "finalized"). */
enum ds_status	 store_finalize(struct store *,
		    const unsigned char id[STORE_ID_BYTES], struct ds_err *);

/*
 * Decrypt a record's answers at revision rev_no (0 = current).  *json is
 * NUL-terminated, owned by the caller: free with store_text_free.
 * DS_ENOENT if no such record or revision; DS_ECRYPTO naming the record
 * and revision if the ciphertext does not open (damaged or moved).
 */
enum ds_status	 store_answers_get(struct store *,
		    const unsigned char id[STORE_ID_BYTES], int64_t rev_no,
		    char **json, size_t *lenp, struct ds_err *);
/* Wipe len bytes and free (ds_free).  NULL is fine. */
void		 store_text_free(char *, size_t len);

/*
 * One line of the household list.  Its strings are decrypted into one
 * block the item owns (form_id is its start; store_list_free wipes and
 * frees it), so a line costs one allocation: an item moved to another
 * list takes its strings with it.  members is filled only when the query
 * asks (with_members): the name search reads it inside store_list.
 */
struct store_item {
	unsigned char		id[STORE_ID_BYTES];
	const char		*form_id;
	const char		*form_version;
	char			*head_name;	/* NULL if absent */
	char			*village;
	char			*label;
	char			*household_key;	/* NULL if absent */
	char			*members;	/* NULL unless with_members */
	char			*code;
	int64_t			 rev_no;
	int64_t			 created_at;
	int64_t			 saved_at;
	enum store_status	 status;
	int			 n_errors;
	int			 n_warnings;
	int			 answered;	/* -1: not known (old summary) */
	int			 refused;
	uint32_t		 blk_len;	/* bytes of the block */
};

struct store_list {
	struct store_item	*items;
	size_t			 n;
};

/*
 * Filters, all optional (zero-initialise, then set): status (-1 any),
 * form_id exact, household_key, id_number and id_tail (the
 * last STORE_TAIL_SHORT or STORE_TAIL_LONG characters of an ID number)
 * through their blind indexes (exact after normalization), name a
 * case-sensitive substring of the decrypted head name, label, village or
 * member names (decrypted in memory only).  Discarded drafts never list.
 * Newest save first.  limit 0 = no limit.
 */
struct store_query {
	int		 status;	/* enum store_status or -1 */
	const char	*form_id;
	const char	*household_key;
	const char	*id_number;
	const char	*id_tail;
	const char	*name;
	size_t		 limit;
	int		 with_members;	/* keep members' names in the items */
};
/* Initialise q to "everything". */
void		 store_query_init(struct store_query *q);

/* A summary that does not decrypt fails the call with DS_ECRYPTO naming
 * the record.  *out is replaced only on success. */
enum ds_status	 store_list(struct store *, const struct store_query *,
		    struct store_list *out, struct ds_err *);
/* Wipe and free the items; the list is then empty.  NULL is fine. */
void		 store_list_free(struct store_list *);

/* Revisions of a record, oldest first: *revs owned by caller (ds_free). */
enum ds_status	 store_history(struct store *,
		    const unsigned char id[STORE_ID_BYTES],
		    struct store_rev **revs, size_t *n, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Draft deltas: an answer saved without a revision (store_delta.c).   */

#define STORE_DELTA_MAX	(64u << 10)	/* bytes of one delta */

/*
 * Keep one change of a draft, body (1..STORE_DELTA_MAX bytes, opaque to
 * the store: the session's answer), as the record's delta number seq,
 * sealed and bound to the record, its revision rev_no and seq: one small
 * row in one transaction, durable when this returns; no revision, no
 * outbox row, nothing for the office until the record's next store_save
 * (which replaces its deltas).  DS_ECONFLICT, nothing written, unless
 * rev_no is the record's current revision and seq follows its last delta
 * (another editor moved on); DS_ENOENT for no record.
 */
enum ds_status	 store_delta_add(struct store *,
		    const unsigned char id[STORE_ID_BYTES], int64_t rev_no,
		    int64_t seq, const char *body, size_t len, struct ds_err *);

/* One delta, decrypted: body borrowed for the call (wiped after). */
typedef enum ds_status (*store_delta_fn)(void *arg, int64_t seq,
		    const char *body, size_t len, struct ds_err *);
/*
 * Each delta of record id, oldest first.  They must be on its current
 * revision rev_no (DS_ECONFLICT) and numbered 1..n (DS_ECORRUPT: one is
 * missing); DS_ECRYPTO, naming the record, if one does not open.
 */
enum ds_status	 store_delta_each(struct store *,
		    const unsigned char id[STORE_ID_BYTES], int64_t rev_no,
		    store_delta_fn fn, void *arg, struct ds_err *);

/* The records that have deltas (sessions not yet ended by a save):
 * *ids owned by the caller (ds_free). */
enum ds_status	 store_delta_records(struct store *,
		    unsigned char (**ids)[STORE_ID_BYTES], size_t *n,
		    struct ds_err *);

/* ------------------------------------------------------------------ */
/* Cursor: where the worker was, saved without a revision.             */

/*
 * Seal `text` (1..STORE_CURSOR_MAX bytes, opaque to the store: the
 * session keeps the question path there) as the record's cursor, bound to
 * record id and rev_no.  rev_no must be the record's current revision,
 * else DS_ECONFLICT and nothing is written (DS_ENOENT: no such record).
 * One UPDATE of the record row: no revision, no outbox row, no audit
 * event, so a move never travels to the office.
 */
enum ds_status	 store_cursor_set(struct store *,
		    const unsigned char id[STORE_ID_BYTES], int64_t rev_no,
		    const char *text, size_t len, struct ds_err *);
/*
 * The cursor set on the record's current revision: *text NUL-terminated,
 * owned by the caller (store_text_free).  *text is NULL (DS_OK) when
 * there is none, or when it was set on an older revision: the current
 * revision's own cursor is then the newer one.  DS_ENOENT for no record;
 * DS_ECRYPTO / DS_ECORRUPT if the blob is altered or moved.
 */
enum ds_status	 store_cursor_get(struct store *,
		    const unsigned char id[STORE_ID_BYTES], char **text,
		    size_t *lenp, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Audit trail, per record.                                            */

enum store_event {
	STORE_EV_OPENED,
	STORE_EV_SAVED,		/* written by store_save */
	STORE_EV_FINALIZED,	/* written by store_finalize / finalize=1 */
	STORE_EV_EXPORTED,	/* written by store_outbox_mark_sent */
	STORE_EV_DISCARDED	/* written by store_discard */
};
/* "opened", "saved", "finalized", "exported", "discarded". */
const char	*store_event_name(enum store_event);

struct store_audit {
	int64_t			at;
	enum store_event	event;
	int64_t			rev_no;		/* current revision then */
};

/* Record an event (the TUI: opened).  DS_ENOENT for an unknown record. */
enum ds_status	 store_audit_add(struct store *,
		    const unsigned char id[STORE_ID_BYTES], enum store_event,
		    struct ds_err *);
/* Oldest first, each revision its "saved" event; *out owned by caller
 * (ds_free). */
enum ds_status	 store_audit_list(struct store *,
		    const unsigned char id[STORE_ID_BYTES],
		    struct store_audit **out, size_t *n, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Outbox, for the sync packer (crypto-sync.md §7.1).                  */

/*
 * One revision as the packer sends it: a full snapshot, not a diff.
 * Every pointer is borrowed for the duration of the callback only;
 * answers is wiped after.
 */
struct store_snapshot {
	int64_t			 seq;		/* outbox seq of this revision */
	unsigned char		 record_id[STORE_ID_BYTES];
	unsigned char		 rev_id[STORE_ID_BYTES];
	unsigned char		 parent_rev_id[STORE_ID_BYTES];
	int			 has_parent;
	int64_t			 rev_no;
	int64_t			 saved_at;
	int			 is_current;	/* the record's newest revision */
	enum store_status	 status;	/* the record's; DRAFT if !is_current */
	const unsigned char	*device_id;	/* STORE_ID_BYTES */
	const char		*form_id;
	const char		*form_version;
	const char		*answers;	/* canonical JSON */
	size_t			 answers_len;
};

typedef enum ds_status (*store_outbox_fn)(void *arg,
		    const struct store_snapshot *, struct ds_err *);

/*
 * Walk the outbox rows no receipt has acknowledged yet, in sequence order,
 * and call fn once per row with that row's revision.  A record saved three
 * times since the last receipt gives three calls, parent before child, so
 * the office always holds the whole chain (it stores revisions by rev_id
 * once: repeats and reordering are harmless).  Rows up to after_seq are
 * skipped (0: none; the next of several bundles starts after the last).
 * Stops before the row that would pass max_revs rows or max_bytes of
 * answers (0 = no limit; the first row is always taken).  *seq_lo and
 * *seq_hi receive the range covered: every unacknowledged row in it was
 * handed to fn (both 0 when nothing is pending).  One read transaction,
 * so the walk is consistent.
 * DS_ELIMIT from fn after the first row means "no room for this one": the
 * walk stops before that row, which is left out of the range, and DS_OK is
 * returned.  Any other non-DS_OK return from fn stops the walk and is
 * returned.
 */
enum ds_status	 store_outbox_pending(struct store *, int64_t after_seq,
		    size_t max_revs, size_t max_bytes, store_outbox_fn fn,
		    void *arg, int64_t *seq_lo, int64_t *seq_hi,
		    struct ds_err *);

/* What waits for the office, counted without decrypting anything. */
struct store_outbox_counts {
	int64_t		revisions;	/* unacknowledged outbox rows */
	int64_t		records;	/* distinct records among them */
	int64_t		unsent;		/* rows in no bundle yet */
	int64_t		seq_lo, seq_hi;	/* their range; 0 when none */
	int64_t		acked;		/* acknowledged rows */
	int64_t		acked_hi;	/* highest acknowledged seq; 0: none */
};
enum ds_status	 store_outbox_count(struct store *,
		    struct store_outbox_counts *, struct ds_err *);

/*
 * Note that rows seq_lo..seq_hi went out in the bundle bundle_id whose
 * file hashes to bundle_hash (the next bundle names it as its
 * predecessor): one transaction; records whose current revision is in the
 * range and are finalized become sent; audit "exported" per record.
 */
enum ds_status	 store_outbox_mark_sent(struct store *, int64_t seq_lo,
		    int64_t seq_hi,
		    const unsigned char bundle_id[STORE_ID_BYTES],
		    const unsigned char bundle_hash[STORE_HASH_BYTES],
		    struct ds_err *);

/*
 * Apply a verified receipt for rows seq_lo..seq_hi: one transaction; the
 * rows that went out in some bundle are acknowledged (a row never sent
 * cannot be at the office: after a restored backup its number may be one
 * the office holds for another revision); records whose current revision
 * is acknowledged and that were finalized or sent become acknowledged.
 * Idempotent.
 */
enum ds_status	 store_outbox_ack(struct store *, int64_t seq_lo,
		    int64_t seq_hi, struct ds_err *);

/*
 * Acknowledge only the rows in seq_lo..seq_hi that went out in bundle
 * bundle_id (a receipt for that very bundle).  Idempotent.
 */
enum ds_status	 store_outbox_ack_bundle(struct store *, int64_t seq_lo,
		    int64_t seq_hi,
		    const unsigned char bundle_id[STORE_ID_BYTES],
		    struct ds_err *);

/*
 * The office acknowledged sequence numbers up to office_hi, beyond any this
 * store issued: the workspace was restored from a backup and numbers after
 * the backup were used twice.  One transaction moves the outbox sequence
 * past office_hi (new saves never collide again) and raises the rollback
 * floor to office_hi: rows at or below it are acknowledged only by a
 * receipt for a bundle that carried them (store_outbox_ack_bundle), never
 * by ranges alone.
 */
enum ds_status	 store_outbox_rollback(struct store *, int64_t office_hi,
		    struct ds_err *);
/*
 * All a receipt changes, in one transaction: the rollback to rollback_hi
 * first (0: none), then each acknowledgement in turn, as
 * store_outbox_rollback, store_outbox_ack and (bundle_only, the rows of
 * bundle_id) store_outbox_ack_bundle would.  An error leaves nothing
 * changed.
 */
struct store_ack {
	int64_t		 lo, hi;
	int		 bundle_only;
};
enum ds_status	 store_outbox_receipt(struct store *, int64_t rollback_hi,
		    const struct store_ack *, size_t n,
		    const unsigned char bundle_id[STORE_ID_BYTES],
		    struct ds_err *);
/* The rollback floor; 0 if the store was never rolled back. */
enum ds_status	 store_outbox_floor(struct store *, int64_t *out,
		    struct ds_err *);

/*
 * This database file's random id, made when it was created: the office
 * tells a restored backup (same id, sequence numbers reused) from a new
 * install.
 */
enum ds_status	 store_db_uuid(struct store *,
		    unsigned char out[STORE_ID_BYTES],
		    struct ds_err *);

/* Hash of the last bundle marked sent, or all zero before the first. */
enum ds_status	 store_last_bundle_hash(struct store *,
		    unsigned char out[STORE_HASH_BYTES],
		    struct ds_err *);

/* Highest outbox sequence used so far (0 if none). */
enum ds_status	 store_outbox_last_seq(struct store *, int64_t *out,
		    struct ds_err *);

/* ------------------------------------------------------------------ */
/* Visit lists from the office (store_entry.c, docs/case.md).          */

#define STORE_ENTRY_MAX	(1u << 20)	/* bytes of one entry's JSON */

/* An office bundle as applied. */
struct store_obundle {
	uint64_t	seq;
	unsigned char	bundle_id[16];
	unsigned char	hash[32];
	int64_t		applied_at;
	int64_t		n_entries, n_withdrawals, n_files;
};

/* One entry of an office bundle, as the office sent it. */
struct store_entry_in {
	const unsigned char	*entry_id;	/* STORE_ID_BYTES */
	const char		*hh_key;	/* kept only as a blind index */
	const char		*json;		/* sealed in the store */
	size_t			 len;
};

/* The last office bundle applied: seq 0 and a zero hash when none. */
enum ds_status	 store_obundle_last(struct store *, uint64_t *seq,
		    unsigned char hash[32], struct ds_err *);

/*
 * Apply an office bundle in one transaction: its entries (sealed, the
 * household key as a blind index), its withdrawals (the entries are
 * marked, never deleted) and its sequence and hash.  DS_ECONFLICT, and
 * nothing written, when b->seq is not the last + 1 or prev_hash is not
 * the last one's hash (another program applied one meanwhile).
 */
enum ds_status	 store_obundle_apply(struct store *,
		    const struct store_obundle *b,
		    const unsigned char prev_hash[32],
		    const struct store_entry_in *, size_t n,
		    const unsigned char (*withdrawn)[STORE_ID_BYTES], size_t nw,
		    struct ds_err *);

enum store_entry_state {
	STORE_ENTRY_OPEN = 0,
	STORE_ENTRY_WITHDRAWN = 1
};

/* An entry, decrypted: json (NUL-terminated) is wiped by _clear. */
struct store_entry {
	unsigned char		 entry_id[STORE_ID_BYTES];
	int			 state;		/* enum store_entry_state */
	uint64_t		 ob_seq;	/* the bundle that brought it */
	int			 has_record;	/* a visit was started, not
						 * discarded since */
	unsigned char		 record_id[STORE_ID_BYTES];
	enum store_status	 record_status;	/* of that visit */
	char			*json;
	size_t			 len;
};

/*
 * Entries in the order they came; open_only: not withdrawn and without a
 * finalized visit.  *out is the caller's (store_entries_free).
 */
enum ds_status	 store_entry_list(struct store *, int open_only,
		    struct store_entry **out, size_t *n, struct ds_err *);
/*
 * The entries of one household (by its blind index), all states, in the
 * order they came: the household list's 待访 mark.
 */
enum ds_status	 store_entry_household(struct store *, const char *hh_key,
		    struct store_entry **out, size_t *n, struct ds_err *);
/* One entry by id; DS_ENOENT if unknown. */
enum ds_status	 store_entry_get(struct store *,
		    const unsigned char id[STORE_ID_BYTES], struct store_entry *,
		    struct ds_err *);
/* One entry by a unique hex prefix (4..32 digits): DS_EINVAL if several. */
enum ds_status	 store_entry_find(struct store *, const char *hexprefix,
		    struct store_entry *, struct ds_err *);
/* Note the record a visit from this entry made. */
enum ds_status	 store_entry_link(struct store *,
		    const unsigned char id[STORE_ID_BYTES],
		    const unsigned char record_id[STORE_ID_BYTES],
		    struct ds_err *);
void		 store_entry_clear(struct store_entry *);
void		 store_entries_free(struct store_entry *, size_t n);

/* ------------------------------------------------------------------ */
/* Attachments: the files of image, audio, video and file questions     */
/* (store_attach.c, docs/storage.md).                                  */

#define STORE_ATTACH_MAX	(16u << 20)	/* one file (FORM_MEDIA_MAX) */
#define STORE_ATTACH_REV_MAX	(24u << 20)	/* the files one save adds */

/*
 * Keep a file of record rid under name (form_media_name_ok), sealed, for
 * the record's next revision: it travels in the bundle with that
 * revision.  DS_EEXIST if the record has a file of that name, DS_ELIMIT
 * over STORE_ATTACH_MAX, or over STORE_ATTACH_REV_MAX for the files
 * waiting for one save (save first), DS_EINVAL for a bad name.
 */
enum ds_status	 store_attach_put(struct store *,
		    const unsigned char rid[STORE_ID_BYTES], const char *name,
		    const void *p, size_t n, struct ds_err *);

/* One file, decrypted: *p (ds_malloc) the caller wipes and frees. */
enum ds_status	 store_attach_get(struct store *,
		    const unsigned char rid[STORE_ID_BYTES], const char *name,
		    unsigned char **p, size_t *n, struct ds_err *);

/* fn gets each file, decrypted (borrowed, wiped after the call). */
typedef enum ds_status (*store_attach_fn)(void *arg, const char *name,
		    const unsigned char *p, size_t n, struct ds_err *);
/*
 * Each file of record rid that travels with revision rev_no (0: every
 * file of the record), in name order.
 */
enum ds_status	 store_attach_each(struct store *,
		    const unsigned char rid[STORE_ID_BYTES], int64_t rev_no,
		    store_attach_fn fn, void *arg, struct ds_err *);

/* ------------------------------------------------------------------ */

/* PRAGMA integrity_check: DS_OK, or DS_ECORRUPT with the first problem. */
enum ds_status	 store_check(struct store *, struct ds_err *);

/* Cap the database at `pages` pages (PRAGMA max_page_count); tests use it
 * to simulate a full disk, 0 restores the default cap. */
enum ds_status	 store_limit_pages(struct store *, int64_t pages,
		    struct ds_err *);

/* Normalized form of a household key or ID number as indexed (for tests
 * and docs): out holds at least STORE_SUMMARY_MAX bytes.  -1 if too long. */
int		 store_blind_normalize(const char *in, char *out, size_t n);

#endif
