/* doorstep: a township's office.db sent up to its county database. */
/*
 * odb_forward copies every table of the township's office data, row by
 * row, from office.db (SQLite) into its rows of the county database, by
 * each table's own key, and never deletes a row there.  The records
 * (ledger rows with their signed receipts, revisions, case events, frozen
 * months, alerts, published forms) are appended by their ids: a row the
 * county has is never rewritten (a revision only released from held).
 * The state (heads, households, clues, devices, ...) is upserted: INSERT
 * ... ON CONFLICT (tenant, key) DO UPDATE only where a column differs, so
 * a second run sends nothing; a run killed half way left whole batches
 * (one transaction each, under the township's write lock) and the next
 * run sends the rest.
 *
 * The records go first.  If the county then has more bundles or
 * revisions than office.db (office.db restored from an older copy, or
 * bundles imported into the county directly), office.db is behind: the
 * state goes as new keys only, never over the county's rows, which may
 * be newer, and the caller hears how many records office.db lacks
 * (struct odb_fwd_gap).
 * Once office.db has them again (the kept sticks imported again), the
 * counts match and the state is upserted as before.  Sealed values
 * travel as they are: the township joined the county database with the
 * same office keys (init --db), checked here by the office id.
 */
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "odb_int.h"

/* Widest table (revision) has 22 columns; the SQL fits in these. */
#define FWD_COLS	48
#define FWD_NAME	32
#define FWD_SQL		8192

/* How a table's rows the county has already are treated. */
enum fwd_kind {
	FWD_STATE,	/* upserted where they differ; behind: new keys only */
	FWD_RECORD,	/* never rewritten */
	FWD_REVISION,	/* never rewritten but released from held */
	FWD_EVENT	/* a record whose seq may be taken: the next one */
};

/*
 * The records first (they tell whether office.db is behind),
 * then the rest in an order that meets the one foreign key (form_file to
 * form_pub).  key: the conflict target when it is not the primary key
 * (an identity column is the county's own: not sent; so is the list of
 * office.db's revision rowids a head keeps, schema 9).
 */
static const struct fwd_table {
	const char	*name;
	const char	*key;		/* NULL: SQLite's primary key */
	const char	*skip;		/* a column not sent */
	enum fwd_kind	 kind;
} fwd_tables[] = {
	{ "ledger", NULL, NULL, FWD_RECORD },
	{ "revision", "rev_id", "id", FWD_REVISION },
	{ "case_event", "event_id", NULL, FWD_EVENT },
	{ "device", NULL, NULL, FWD_STATE },
	{ "pending", NULL, NULL, FWD_RECORD },
	{ "head", NULL, "revs", FWD_STATE },	/* office.db's rowids */
	{ "fork", NULL, NULL, FWD_STATE },
	{ "ackrange", NULL, NULL, FWD_STATE },
	{ "hh", NULL, NULL, FWD_STATE },
	{ "person", NULL, NULL, FWD_STATE },
	{ "clue", NULL, NULL, FWD_STATE },
	{ "visit", NULL, NULL, FWD_STATE },
	{ "measure", NULL, NULL, FWD_STATE },
	{ "income_check", NULL, NULL, FWD_STATE },
	{ "problem", NULL, NULL, FWD_STATE },
	{ "freeze", NULL, NULL, FWD_RECORD },
	{ "round", NULL, NULL, FWD_STATE },
	{ "entry", NULL, NULL, FWD_STATE },
	{ "obundle", NULL, NULL, FWD_STATE },
	{ "ob_item", NULL, NULL, FWD_STATE },
	{ "form_pub", NULL, NULL, FWD_RECORD },
	{ "form_file", NULL, NULL, FWD_RECORD },
	{ "alert", "bundle_id, kind", "id", FWD_RECORD },
	{ "attachment", NULL, NULL, FWD_STATE },
};
/* The first FWD_GAP tables: ledger, revision, case_event; the first
 * FWD_BEHIND of them tell whether office.db is behind. */
#define FWD_GAP		3
#define FWD_BEHIND	2

struct fwd_cols {
	int	 n, nkey;
	char	 name[FWD_COLS][FWD_NAME];
	int	 key[FWD_COLS];		/* 1 if part of the conflict target */
	int	 bytea[FWD_COLS];	/* bytea on PostgreSQL */
};

/* Append to a capped buffer; -1 when it would not fit. */
static int
cat(char *b, size_t cap, const char *s)
{
	size_t n = strlen(b), m = strlen(s);

	if (n + m + 1 > cap)
		return -1;
	memcpy(b + n, s, m + 1);
	return 0;
}

/* 1 if nm is one of list's names (separated by ", "). */
static int
in_list(const char *list, const char *nm)
{
	size_t n = strlen(nm);

	for (const char *p = list; *p != '\0'; ) {
		if (strncmp(p, nm, n) == 0 && (p[n] == '\0' || p[n] == ','))
			return 1;
		if ((p = strchr(p, ',')) == NULL)
			break;
		p += strspn(p, ", ");
	}
	return 0;
}

/* The table's columns as office.db has them, its key, PostgreSQL's types. */
static enum ds_status
fwd_columns(struct odb *from, struct odb *to, const struct fwd_table *t,
    struct fwd_cols *c, struct ds_err *err)
{
	struct dbx_stmt *st;
	const char *nm;
	enum ds_status s = DS_OK;
	int rc, i;

	memset(c, 0, sizeof(*c));
	if ((rc = dbx_prepare(from->db, "SELECT name, pk FROM"
	    " pragma_table_info(?1) ORDER BY cid", &st)) != DBX_OK)
		return odb_sqlerr(from->db, rc, err, "forward: columns");
	dbx_bind_text(st, 1, t->name, -1);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		nm = (const char *)dbx_column_text(st, 0);
		if (nm == NULL || strlen(nm) >= FWD_NAME || c->n == FWD_COLS) {
			s = ds_err_set(err, DS_ELIMIT, "forward: %s: a column "
			    "name too long or too many columns", t->name);
			break;
		}
		if (t->skip != NULL && strcmp(nm, t->skip) == 0)
			continue;
		snprintf(c->name[c->n], FWD_NAME, "%s", nm);
		c->key[c->n] = t->key != NULL ? in_list(t->key, nm) :
		    dbx_column_int(st, 1) > 0;
		c->nkey += c->key[c->n];
		c->n++;
	}
	if (s == DS_OK && rc != DBX_DONE)
		s = odb_sqlerr(from->db, rc, err, "forward: columns");
	dbx_finalize(st);
	if (s != DS_OK)
		return s;
	if (c->n == 0 || c->nkey == 0)
		return ds_err_set(err, DS_ECORRUPT, "forward: office.db has no "
		    "table %s with a key", t->name);
	if ((rc = dbx_prepare(to->db, "SELECT column_name::text FROM"
	    " information_schema.columns WHERE table_schema = 'public' AND"
	    " table_name = ?1 AND data_type = 'bytea'", &st)) != DBX_OK)
		return odb_sqlerr(to->db, rc, err, "forward: columns");
	dbx_bind_text(st, 1, t->name, -1);
	while ((rc = dbx_step(st)) == DBX_ROW) {
		nm = (const char *)dbx_column_text(st, 0);
		for (i = 0; nm != NULL && i < c->n; i++)
			if (strcmp(c->name[i], nm) == 0)
				c->bytea[i] = 1;
	}
	if (rc != DBX_DONE)
		s = odb_sqlerr(to->db, rc, err, "forward: columns");
	dbx_finalize(st);
	return s;
}

/*
 * A case event's seq orders the household's events.  An event the county
 * does not have may find its seq taken there by another (office.db
 * restored from an older copy numbered its new events again): it takes
 * the household's next.  -1 when it does not fit.
 */
static int
fwd_seq(char *ins, const struct fwd_cols *c, int i)
{
	char b[320];
	int h;

	for (h = 0; h < c->n && strcmp(c->name[h], "hh_key") != 0; h++)
		;
	if (h == c->n)
		return -1;
	snprintf(b, sizeof(b), "%s(SELECT CASE WHEN EXISTS (SELECT 1 FROM"
	    " case_event WHERE hh_key = ?%d AND seq = ?%d) THEN (SELECT"
	    " max(seq) + 1 FROM case_event WHERE hh_key = ?%d) ELSE ?%d"
	    " END)", i > 0 ? ", " : "", h + 1, i + 1, h + 1, i + 1);
	return cat(ins, FWD_SQL, b);
}

/*
 * The SELECT on office.db and the insert on the county database: an
 * upsert of state where a column differs, else nothing over a row there
 * (but a held revision released).
 */
static enum ds_status
fwd_sql(const struct fwd_table *t, const struct fwd_cols *c, int behind,
    char *sel, char *ins, struct ds_err *err)
{
	char b[4 * FWD_NAME + 32];	/* "t"."c" = EXCLUDED."c", ", " */
	int i, bad = 0, first;

	sel[0] = ins[0] = '\0';
	bad |= cat(sel, FWD_SQL, "SELECT ");
	for (i = 0; i < c->n; i++) {
		snprintf(b, sizeof(b), "%s\"%s\"", i > 0 ? ", " : "",
		    c->name[i]);
		bad |= cat(sel, FWD_SQL, b);
	}
	snprintf(b, sizeof(b), " FROM \"%s\" ORDER BY ", t->name);
	bad |= cat(sel, FWD_SQL, b);
	/* Identity rows keep their order: the county numbers them anew;
	 * so do a household's events when their seq is renumbered. */
	if (t->skip != NULL)
		bad |= cat(sel, FWD_SQL, t->skip);
	else if (t->kind == FWD_EVENT)
		bad |= cat(sel, FWD_SQL, "hh_key, seq");
	else
		for (i = 0, first = 1; i < c->n; i++)
			if (c->key[i]) {
				snprintf(b, sizeof(b), "%s\"%s\"", first ? "" :
				    ", ", c->name[i]);
				bad |= cat(sel, FWD_SQL, b);
				first = 0;
			}
	snprintf(b, sizeof(b), "INSERT INTO \"%s\"(", t->name);
	bad |= cat(ins, FWD_SQL, b);
	for (i = 0; i < c->n; i++) {
		snprintf(b, sizeof(b), "%s\"%s\"", i > 0 ? ", " : "",
		    c->name[i]);
		bad |= cat(ins, FWD_SQL, b);
	}
	bad |= cat(ins, FWD_SQL, ") VALUES (");
	for (i = 0; i < c->n; i++) {
		if (t->kind == FWD_EVENT && strcmp(c->name[i], "seq") == 0)
			bad |= fwd_seq(ins, c, i);
		else {
			snprintf(b, sizeof(b), "%s?%d", i > 0 ? ", " : "",
			    i + 1);
			bad |= cat(ins, FWD_SQL, b);
		}
	}
	bad |= cat(ins, FWD_SQL, ") ON CONFLICT (" ODB_PG_KEY);
	for (i = 0, first = 1; i < c->n; i++)
		if (c->key[i]) {
			snprintf(b, sizeof(b), "%s\"%s\"", first ? "" : ", ",
			    c->name[i]);
			bad |= cat(ins, FWD_SQL, b);
			first = 0;
		}
	if (t->kind == FWD_REVISION) {
		bad |= cat(ins, FWD_SQL, ") DO UPDATE SET held = 0, held_at ="
		    " EXCLUDED.held_at WHERE revision.held = 1 AND"
		    " EXCLUDED.held = 0");
		goto out;
	}
	if (t->kind == FWD_RECORD || t->kind == FWD_EVENT || behind ||
	    c->nkey == c->n) {
		bad |= cat(ins, FWD_SQL, ") DO NOTHING");
		goto out;
	}
	bad |= cat(ins, FWD_SQL, ") DO UPDATE SET ");
	for (i = 0, first = 1; i < c->n; i++)
		if (!c->key[i]) {
			snprintf(b, sizeof(b), "%s\"%s\" = EXCLUDED.\"%s\"",
			    first ? "" : ", ", c->name[i], c->name[i]);
			bad |= cat(ins, FWD_SQL, b);
			first = 0;
		}
	/* Only a row that differs is written (and counted). */
	bad |= cat(ins, FWD_SQL, " WHERE (");
	for (i = 0, first = 1; i < c->n; i++)
		if (!c->key[i]) {
			snprintf(b, sizeof(b), "%s\"%s\".\"%s\"", first ? "" :
			    ", ", t->name, c->name[i]);
			bad |= cat(ins, FWD_SQL, b);
			first = 0;
		}
	bad |= cat(ins, FWD_SQL, ", NULL) IS DISTINCT FROM (");
	for (i = 0, first = 1; i < c->n; i++)
		if (!c->key[i]) {
			snprintf(b, sizeof(b), "%sEXCLUDED.\"%s\"", first ? "" :
			    ", ", c->name[i]);
			bad |= cat(ins, FWD_SQL, b);
			first = 0;
		}
	bad |= cat(ins, FWD_SQL, ", NULL)");
out:
	return bad ? ds_err_set(err, DS_ELIMIT, "forward: %s: statement too "
	    "long", t->name) : DS_OK;
}

/* Bind office.db's row (st) to the upsert (ins). */
static int
fwd_bind(struct dbx_stmt *ins, struct dbx_stmt *st, const struct fwd_cols *c)
{
	const void *p;
	int i, rc = DBX_OK, n;

	for (i = 0; i < c->n && rc == DBX_OK; i++) {
		switch (dbx_column_type(st, i)) {
		case DBX_NULL:
			rc = dbx_bind_null(ins, i + 1);
			break;
		case DBX_INTEGER:
			rc = dbx_bind_int64(ins, i + 1,
			    dbx_column_int64(st, i));
			break;
		case DBX_FLOAT:
			rc = dbx_bind_double(ins, i + 1,
			    dbx_column_double(st, i));
			break;
		default:
			if (c->bytea[i]) {
				p = dbx_column_blob(st, i);
				n = dbx_column_bytes(st, i);
				rc = dbx_bind_blob(ins, i + 1, p, n);
			} else
				rc = dbx_bind_text(ins, i + 1,
				    (const char *)dbx_column_text(st, i),
				    dbx_column_bytes(st, i));
			break;
		}
	}
	return rc;
}

/* Rows of table (where: a condition, or NULL). */
static enum ds_status
fwd_count_where(struct odb *o, const char *table, const char *where,
    int64_t *n, struct ds_err *err)
{
	struct dbx_stmt *st;
	char q[160];
	int rc;

	if ((size_t)snprintf(q, sizeof(q), "SELECT count(*) FROM \"%s\"%s%s",
	    table, where != NULL ? " WHERE " : "", where != NULL ? where : "") >=
	    sizeof(q))
		return ds_err_set(err, DS_ELIMIT, "forward: count");
	if ((rc = dbx_prepare(o->db, q, &st)) != DBX_OK)
		return odb_sqlerr(o->db, rc, err, "forward: count");
	if ((rc = dbx_step(st)) == DBX_ROW)
		*n = dbx_column_int64(st, 0);
	dbx_finalize(st);
	return rc == DBX_ROW ? DS_OK : odb_sqlerr(o->db, rc, err,
	    "forward: count");
}

static enum ds_status
fwd_count(struct odb *o, const char *table, int64_t *n, struct ds_err *err)
{
	return fwd_count_where(o, table, NULL, n, err);
}

static enum ds_status
fwd_begin(struct odb *to, struct ds_err *err)
{
	enum ds_status s;

	if ((s = dbx_begin(to->db, err)) != DS_OK)
		return s;
	if ((s = odb_pg_lock(to->db, err)) != DS_OK)
		dbx_rollback(to->db);
	return s;
}

/* Send every row of office.db's table; batch rows a transaction (0: the
 * table in one). */
static enum ds_status
fwd_send(struct odb *from, struct odb *to, const struct fwd_table *t,
    const struct fwd_cols *c, const char *sel, const char *ins, int batch,
    int64_t *rows, int64_t *sent, struct ds_err *err)
{
	struct dbx_stmt *rd = NULL, *wr = NULL;
	enum ds_status s;
	int64_t n;
	int rc, open = 0, inbatch = 0;

	*rows = *sent = 0;
	if ((rc = dbx_prepare(from->db, sel, &rd)) != DBX_OK ||
	    (rc = dbx_prepare(to->db, ins, &wr)) != DBX_OK) {
		s = odb_sqlerr(rd == NULL ? from->db : to->db, rc, err,
		    "forward: prepare");
		goto out;
	}
	if ((s = fwd_begin(to, err)) != DS_OK)
		goto out;
	open = 1;
	while ((rc = dbx_step(rd)) == DBX_ROW) {
		dbx_reset(wr);
		if (fwd_bind(wr, rd, c) != DBX_OK ||
		    (rc = dbx_step(wr)) != DBX_DONE) {
			s = odb_sqlerr(to->db, DBX_ERROR, err, t->name);
			goto out;
		}
		(*rows)++;
		if ((n = dbx_changes(to->db)) < 0) {
			s = odb_sqlerr(to->db, DBX_ERROR, err, t->name);
			goto out;
		}
		*sent += n;
		if (batch > 0 && ++inbatch == batch) {
			open = 0;
			if ((s = dbx_commit(to->db, err)) != DS_OK ||
			    (s = fwd_begin(to, err)) != DS_OK)
				goto out;
			open = 1;
			inbatch = 0;
		}
	}
	if (rc != DBX_DONE) {
		s = odb_sqlerr(from->db, rc, err, t->name);
		goto out;
	}
	open = 0;
	s = dbx_commit(to->db, err);
out:
	if (open)
		dbx_rollback(to->db);
	dbx_finalize(rd);
	dbx_finalize(wr);
	return s;
}

enum ds_status
odb_forward(struct odb *from, struct odb *to, int batch,
    int (*cb)(void *, const char *table, int64_t rows, int64_t sent),
    void *arg, struct odb_fwd_gap *gap, struct ds_err *err)
{
	struct fwd_cols c;
	enum ds_status s;
	char *sel = NULL, *ins = NULL;
	int64_t rows, sent, nl, np, *lack[FWD_GAP];
	size_t i;

	memset(gap, 0, sizeof(*gap));
	lack[0] = &gap->bundles;
	lack[1] = &gap->revisions;
	lack[2] = &gap->events;

	if (odb_is_pg(from) || !odb_is_pg(to) || to->county)
		return ds_err_set(err, DS_EINVAL, "forward: from office.db to "
		    "a township of a county database");
	if (memcmp(from->office_id, to->office_id, sizeof(to->office_id)) !=
	    0)
		return ds_err_set(err, DS_ECRYPTO, "forward: the county "
		    "database holds another office for this township");
	/* Answers an older program stored in clear never leave. */
	if ((s = fwd_count_where(from, "meta", "k = 'seal_pending'", &nl,
	    err)) != DS_OK)
		return s;
	if (nl > 0)
		return ds_err_set(err, DS_ESTATE, "forward: office.db holds "
		    "answers not yet sealed (open it with its key first)");
	if ((sel = ds_malloc(FWD_SQL)) == NULL ||
	    (ins = ds_malloc(FWD_SQL)) == NULL) {
		s = ds_err_set(err, DS_ENOMEM, NULL);
		goto out;
	}
	for (i = 0; i < sizeof(fwd_tables) / sizeof(fwd_tables[0]); i++) {
		const struct fwd_table *t = &fwd_tables[i];

		if ((s = fwd_columns(from, to, t, &c, err)) != DS_OK ||
		    (s = fwd_sql(t, &c, gap->behind, sel, ins, err)) !=
		    DS_OK ||
		    (s = fwd_send(from, to, t, &c, sel, ins, batch, &rows,
		    &sent, err)) != DS_OK)
			goto out;
		/*
		 * Every record of office.db is in the county now and none
		 * was deleted there: more there is more than office.db has.
		 */
		if (i < FWD_GAP) {
			if ((s = fwd_count(from, t->name, &nl, err)) != DS_OK ||
			    (s = fwd_count(to, t->name, &np, err)) != DS_OK)
				goto out;
			*lack[i] = np > nl ? np - nl : 0;
			/* Bundles and revisions, what a stick brings back.
			 * Events follow from the order of imports (and the
			 * office's own steps): they may differ for good. */
			gap->behind |= i < FWD_BEHIND && np > nl;
		}
		if (cb != NULL && cb(arg, t->name, rows, sent) != 0)
			break;
	}
	s = DS_OK;
out:
	ds_free(sel);
	ds_free(ins);
	return s;
}
