/* doorstep: what the record store's files share (store*.c only). */
#ifndef DS_STORE_INT_H
#define DS_STORE_INT_H

/*
 * The store is one module in several files (SQLite's btree.h/btreeInt.h
 * pattern):
 *   store.c         open and close, connection settings, statement and
 *                   transaction helpers, error mapping, AD and sealing,
 *                   ids, meta, checks;
 *   store_schema.c  the migration list (append a migration there);
 *   store_save.c    save, finalize, cursor, history, audit;
 *   store_list.c    answers, the household list, blind indexes;
 *   store_outbox.c  the outbox for the packer: pending, counts, sent,
 *                   acknowledged, rollback;
 *   store_entry.c   visit-list entries and the office bundles applied;
 *   store_rekey.c   the whole store moved to a new data key.
 * Nothing here is for code outside the store: src/store.h is the API.
 */

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "cry.h"
#include "store.h"

#define STORE_KIND_HOUSEHOLD	1	/* blind.kind: 户编号 or listing no. */
#define STORE_KIND_IDNUMBER	2	/* blind.kind: ID-card number */
#define STORE_KIND_IDTAIL	3	/* blind.kind: its last characters */
#define STORE_AD_MAX		512	/* bytes of one canonical AD */
#define STORE_SUMMARY_NULL	0xffffu	/* summary string length: absent */
#define STORE_BLIND_BYTES	CRY_HASH256_BYTES	/* keyed BLAKE2b-256 */
#define STORE_LIST_CAP		(1u << 22)	/* records in one list */
#define STORE_HISTORY_CAP	(1u << 20)	/* revisions, audit events */
/* Summary plaintext: three strings, each a u16 length then bytes; then
 * (newer summaries) three more and a flags byte and a u16 count. */
#define STORE_SUMMARY_STRINGS	6
#define STORE_SUMMARY_BYTES	(STORE_SUMMARY_STRINGS * \
	(2 + STORE_SUMMARY_MAX) + 3)

/* Prepared statements kept for the connection's life (SQL in store.c). */
enum store_stmt {
	Q_BEGIN,
	Q_BEGIN_READ,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_REC_GET,
	Q_REC_INS,
	Q_REC_UPD,
	Q_REV_INS,
	Q_OUT_INS,
	Q_BLIND_DEL,
	Q_BLIND_INS,
	Q_BLIND_GET,
	Q_BLIND_DEL1,
	Q_AUDIT_INS,
	Q_ANS_GET,
	Q_REV_SEQ,
	Q_DELTA_TOP,
	Q_DELTA_INS,
	Q_DELTA_CLEAR,
	Q_COUNT
};

/* Subkeys of the data key, in secure memory. */
struct store_keys {
	unsigned char	ans[CRY_KEY_BYTES];	/* "rec_enc_" 1: answers */
	unsigned char	sum[CRY_KEY_BYTES];	/* "rec_enc_" 2: summaries */
	unsigned char	chk[CRY_KEY_BYTES];	/* "rec_enc_" 3: key check */
	unsigned char	cur[CRY_KEY_BYTES];	/* "rec_enc_" 4: cursors */
	unsigned char	ent[CRY_KEY_BYTES];	/* "rec_enc_" 5: list entries */
	unsigned char	att[CRY_KEY_BYTES];	/* "rec_enc_" 6: attachments */
	unsigned char	dlt[CRY_KEY_BYTES];	/* "rec_enc_" 7: draft deltas */
	unsigned char	bhh[CRY_KEY_BYTES];	/* "blindidx" 1: household */
	unsigned char	bid[CRY_KEY_BYTES];	/* "blindidx" 2: ID numbers */
};

/* One connection.  db is NULL after an I/O error closed it. */
struct store {
	sqlite3			*db;
	sqlite3_stmt		*q[Q_COUNT];
	struct store_keys	*k;
	unsigned char		 key_id[CRY_KEYID_BYTES];
	unsigned char		 device_id[STORE_ID_BYTES];
	char			*path;
	int			 version;	/* schema, after migrations */
	int			 check_owed;	/* quick_check deferred */
};

/* ------------------------------------------------------------------ */
/* Connection (store.c, store_schema.c)                                */

/* Open s->path, configure, migrate and prepare; on failure s->db is NULL. */
enum ds_status	 store_db_open(struct store *, struct ds_err *);
/* Finalize the statements and close; s->db is then NULL. */
void		 store_db_close(struct store *);
/* Reopen a connection an I/O error closed; DS_OK if it is open. */
enum ds_status	 store_ready(struct store *, struct ds_err *);
/* Run the migrations from PRAGMA user_version up (store_schema.c). */
enum ds_status	 store_migrate(struct store *, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Statements and errors (store.c)                                     */

/*
 * Map an SQLite failure to a status with a message saying what we were
 * doing.  Disk full (SQLITE_FULL, or an I/O error whose errno is ENOSPC,
 * EFBIG, EDQUOT) is DS_ENOSPC.  hint is the errno seen right after the
 * failing call (0: none), used when SQLite recorded none.
 */
enum ds_status	 store_sql_err_errno(struct store *, int rc, int hint,
		    const char *what, struct ds_err *);
enum ds_status	 store_sql_err(struct store *, int rc, const char *what,
		    struct ds_err *);

/* Statement i, reset and with its bindings cleared, ready to bind. */
sqlite3_stmt	*store_stmt(struct store *, enum store_stmt i);
/* Step statement i once (DONE or ROW is success), then reset it. */
enum ds_status	 store_step(struct store *, enum store_stmt i,
		    const char *what, struct ds_err *);
/* sqlite3_exec of trusted SQL (no values: bind those). */
enum ds_status	 store_exec(struct store *, const char *sql,
		    const char *what, struct ds_err *);
/* Integer result of a one-row query; -1 on error. */
int64_t		 store_query_int(struct store *, const char *sql);

/* ------------------------------------------------------------------ */
/* Transactions (store.c)                                              */

/* BEGIN IMMEDIATE: the write lock now, not at the first write. */
enum ds_status	 store_tx_begin(struct store *, const char *what,
		    struct ds_err *);
/*
 * End a write transaction: COMMIT if st is DS_OK, else (or if COMMIT
 * fails) roll back, and after an I/O error or a full disk close and
 * reopen the connection so a failed fsync is never retried on the same
 * descriptor.  Returns the final status.
 */
enum ds_status	 store_tx_end(struct store *, enum ds_status st,
		    const char *what, struct ds_err *);
/* The failure half of store_tx_end, for writes outside BEGIN. */
void		 store_fail_write(struct store *, enum ds_status st);
/* ROLLBACK if a transaction is open (also ends a read). */
void		 store_tx_rollback(struct store *);

/* ------------------------------------------------------------------ */
/* Associated data and sealing (store.c)                               */

/* Canonical AD: each field as u32 little-endian length then bytes. */
struct store_ad {
	unsigned char	b[STORE_AD_MAX];
	size_t		n;
	int		over;		/* a field did not fit: do not use */
};

void		 store_ad_put(struct store_ad *, const void *, size_t);
void		 store_ad_u64(struct store_ad *, uint64_t);
/* The ADs of docs/storage.md, from trusted row metadata. */
void		 store_ad_answers(struct store_ad *, const unsigned char *rid,
		    int64_t rev_no, const char *form_id,
		    const char *form_version, const unsigned char *dev,
		    const unsigned char *key_id);
void		 store_ad_summary(struct store_ad *, const unsigned char *rid,
		    int64_t rev_no, const unsigned char *key_id);
void		 store_ad_cursor(struct store_ad *, const unsigned char *rid,
		    int64_t rev_no, const unsigned char *key_id);

/*
 * Seal len bytes of pt into ct (len + CRY_AEAD_OVERHEAD bytes) under key
 * with ad.  DS_ELIMIT, and ct untouched, if the AD overflowed.
 */
enum ds_status	 store_seal(unsigned char *ct, const void *pt, size_t len,
		    const struct store_ad *, const unsigned char *key);
/*
 * Open ctlen bytes of ct into pt (ctlen - CRY_AEAD_OVERHEAD bytes) under
 * key with ad.  DS_ECRYPTO if the AD overflowed or the blob does not open
 * (altered, or moved from another row); the caller words the message.
 */
enum ds_status	 store_unseal(void *pt, const unsigned char *ct,
		    size_t ctlen, const struct store_ad *,
		    const unsigned char *key);

/* ------------------------------------------------------------------ */
/* Blind indexes (store_list.c)                                        */

/*
 * Keyed BLAKE2b-256 of the normalized value under the subkey of kind
 * (STORE_KIND_*); -1 if the value is too long to normalize.
 */
int		 store_blind(const struct store *, int kind, const char *v,
		    unsigned char out[STORE_BLIND_BYTES]);
/* The same under the given subkeys (store_rekey: the old ones). */
int		 store_blind_with(const struct store_keys *, int kind,
		    const char *v, unsigned char out[STORE_BLIND_BYTES]);
/*
 * Add the blind index of a household key (STORE_KIND_HOUSEHOLD) or an ID
 * number (STORE_KIND_IDNUMBER, with its tails) of record rid, under the
 * store's keys.  Inside a write transaction.  (store_save.c)
 */
enum ds_status	 store_blind_index(struct store *, int kind, const char *v,
		    const unsigned char *rid, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Keys (store.c)                                                      */

/* Every subkey of a data key. */
void		 store_keys_derive(struct store_keys *,
		    const unsigned char dek[CRY_KEY_BYTES]);
/* Write the key check under the store's current keys (replacing one). */
enum ds_status	 store_key_check_write(struct store *, struct ds_err *);

/* ------------------------------------------------------------------ */
/* Visit-list entries (store_entry.c)                                  */

/*
 * store_rekey's part: every entry's body opened under old (key id okid)
 * and sealed under the store's keys, its household index made again from
 * the household key in it.  Inside store_rekey's transaction.
 */
enum ds_status	 store_entry_rekey(struct store *, const struct store_keys *old,
		    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *);

/*
 * store_rekey's part for attachments (store_attach.c): every file opened
 * under old (key id okid) and sealed under the store's keys.
 */
enum ds_status	 store_attach_rekey(struct store *, const struct store_keys *old,
		    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *);

/* ------------------------------------------------------------------ */
/* Draft deltas (store_delta.c)                                        */

/* The record's last delta number (0: none).  Inside a transaction. */
enum ds_status	 store_delta_top(struct store *, const unsigned char *rid,
		    int64_t *top, struct ds_err *);
/* store_rekey's part: every delta opened under old, sealed again. */
enum ds_status	 store_delta_rekey(struct store *, const struct store_keys *old,
		    const unsigned char okid[CRY_KEYID_BYTES], struct ds_err *);

#endif
