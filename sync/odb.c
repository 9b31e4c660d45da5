/* doorstep: office.db connection, schema and migrations. */
/*
 * The office database is created whole in one transaction and opened with
 * the settings of crypto-sync.md §6.  The schema below is version 1; a
 * later version adds a step to `migrations` and never edits an old one.
 * Invariants the schema enforces itself: ids have their exact lengths,
 * device states and fork kinds are closed sets, one ledger row per bundle,
 * one revision row per rev_id.
 */
#include "odb_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mem.h"
#include "store.h"
#include "util.h"

static const char schema_v1[] =
	"CREATE TABLE meta("
	"  k TEXT PRIMARY KEY,"
	"  v NOT NULL"
	") WITHOUT ROWID;"
	/* Devices: pending until a supervisor enrolls them. */
	"CREATE TABLE device("
	"  device_id BLOB PRIMARY KEY CHECK(length(device_id) = 16),"
	"  sign_pk BLOB NOT NULL CHECK(length(sign_pk) = 32),"
	"  state TEXT NOT NULL"
	"    CHECK(state IN ('pending', 'enrolled', 'revoked')),"
	"  label TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  changed_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	/* One row per imported bundle; receipt is the signed receipt file. */
	"CREATE TABLE ledger("
	"  bundle_id BLOB PRIMARY KEY CHECK(length(bundle_id) = 16),"
	"  bundle_hash BLOB NOT NULL CHECK(length(bundle_hash) = 32),"
	"  device_id BLOB NOT NULL,"
	"  seq_lo INTEGER NOT NULL,"
	"  seq_hi INTEGER NOT NULL CHECK(seq_hi >= seq_lo),"
	"  record_count INTEGER NOT NULL,"
	"  status INTEGER NOT NULL,"
	"  imported_at INTEGER NOT NULL,"
	"  receipt BLOB NOT NULL"
	") WITHOUT ROWID;"
	/* Bundles held until their device is enrolled (ciphertext only). */
	"CREATE TABLE pending("
	"  bundle_id BLOB PRIMARY KEY CHECK(length(bundle_id) = 16),"
	"  bundle_hash BLOB NOT NULL CHECK(length(bundle_hash) = 32),"
	"  device_id BLOB NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  bundle BLOB NOT NULL"
	") WITHOUT ROWID;"
	/* Every revision ever imported, stored once by rev_id. */
	"CREATE TABLE revision("
	"  rev_id BLOB PRIMARY KEY CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  parent_rev_id BLOB CHECK(parent_rev_id IS NULL"
	"    OR length(parent_rev_id) = 16),"
	"  rev_no INTEGER NOT NULL CHECK(rev_no >= 1),"
	"  household_key TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  form_ver TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  device_seq INTEGER NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  t_start INTEGER NOT NULL,"
	"  t_end INTEGER NOT NULL,"
	"  saved_at INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL CHECK(deleted IN (0, 1)),"
	"  answers TEXT NOT NULL,"
	"  audit TEXT NOT NULL,"
	"  consent TEXT NOT NULL,"
	"  bundle_id BLOB NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX revision_record ON revision(record_uuid, parent_rev_id);"
	"CREATE INDEX revision_household ON revision(household_key);"
	/* Current head per record: higher rev_no, then larger rev_id. */
	"CREATE TABLE head("
	"  record_uuid BLOB PRIMARY KEY,"
	"  rev_id BLOB NOT NULL,"
	"  rev_no INTEGER NOT NULL,"
	"  household_key TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  deleted INTEGER NOT NULL"
	") WITHOUT ROWID;"
	/* Forks: two revisions of a record with one parent (rev_a < rev_b). */
	"CREATE TABLE fork("
	"  rev_a BLOB NOT NULL,"
	"  rev_b BLOB NOT NULL CHECK(rev_a < rev_b),"
	"  record_uuid BLOB NOT NULL,"
	"  parent_rev_id BLOB,"
	"  kind TEXT NOT NULL CHECK(kind IN ('parallel', 'conflict')),"
	"  questions TEXT NOT NULL,"
	"  detected_at INTEGER NOT NULL,"
	"  resolved_at INTEGER,"
	"  resolution TEXT,"
	"  PRIMARY KEY(rev_a, rev_b)"
	") WITHOUT ROWID;"
	/* Acknowledged device sequence numbers as disjoint, merged ranges. */
	"CREATE TABLE ackrange("
	"  device_id BLOB NOT NULL,"
	"  lo INTEGER NOT NULL CHECK(lo >= 1),"
	"  hi INTEGER NOT NULL CHECK(hi >= lo),"
	"  PRIMARY KEY(device_id, lo)"
	") WITHOUT ROWID;";

/*
 * Version 2: a revision whose parent is not here yet is held (not a head,
 * not in forks) until the parent arrives; the ledger keeps each bundle's
 * database id and predecessor hash; alerts record device rollbacks.
 */
static const char schema_v2[] =
	"ALTER TABLE revision ADD COLUMN held INTEGER NOT NULL DEFAULT 0"
	"  CHECK(held IN (0, 1));"
	"ALTER TABLE revision ADD COLUMN held_at INTEGER;"
	"CREATE INDEX revision_held ON revision(parent_rev_id) WHERE held = 1;"
	"CREATE INDEX revision_devseq ON revision(device_id, device_seq);"
	"ALTER TABLE ledger ADD COLUMN db_uuid BLOB"
	"  CHECK(db_uuid IS NULL OR length(db_uuid) = 16);"
	"ALTER TABLE ledger ADD COLUMN prev_hash BLOB"
	"  CHECK(prev_hash IS NULL OR length(prev_hash) = 32);"
	"CREATE TABLE alert("
	"  id INTEGER PRIMARY KEY,"
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  kind TEXT NOT NULL CHECK(kind IN ('rollback', 'new_db')),"
	"  bundle_id BLOB NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  UNIQUE(bundle_id, kind)"
	");";

/*
 * Version 3: revision.answers, audit and consent hold sealed BLOBs (same
 * columns; SQLite keeps a BLOB as BLOB in a TEXT column).  Rows an older
 * program stored in clear are marked here and sealed by the first open
 * with the office secret key (seal_legacy); a v2 program refuses v3, so
 * nothing reads a sealed value as text.
 */
static const char schema_v3[] =
	"INSERT OR REPLACE INTO meta(k, v) SELECT 'seal_pending', 1"
	"  WHERE EXISTS (SELECT 1 FROM revision);";

/*
 * Version 4: the household case and the visit lists (docs/case.md).
 * Clear columns hold codes, ids, dates, states and counts; names, ID
 * numbers, notes and amounts of a person are sealed (odb_seal_row, AD
 * "dsodb1:" table.column ":" row key); ID numbers are found through blind
 * indexes (odb_blind).  case_event is append-only: triggers refuse UPDATE
 * and DELETE.  The alert table is rebuilt to admit the new alert kinds.
 */
static const char schema_v4_a[] =
	/* The case: one row per household key. */
	"CREATE TABLE hh("
	"  hh_key TEXT PRIMARY KEY,"
	"  township TEXT NOT NULL DEFAULT '',"
	"  village TEXT NOT NULL DEFAULT '',"
	"  vgroup TEXT NOT NULL DEFAULT '',"
	"  head_name BLOB,"			/* sealed */
	"  head_id BLOB,"			/* sealed */
	"  members INTEGER NOT NULL DEFAULT 0 CHECK(members >= 0),"
	"  in_register INTEGER NOT NULL DEFAULT 0 CHECK(in_register IN (0, 1)),"
	"  grid_worker TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT 'registered' CHECK(state IN ("
	"    'registered', 'clue_open', 'ident', 'monitored', 'elim',"
	"    'eliminated')),"
	"  track_step TEXT NOT NULL DEFAULT '',"
	"  category TEXT NOT NULL DEFAULT '',"
	"  ident_date TEXT NOT NULL DEFAULT '',"
	"  elim_date TEXT NOT NULL DEFAULT '',"
	"  elim_kind TEXT NOT NULL DEFAULT '',"
	"  track_since TEXT NOT NULL DEFAULT '',"	/* the run's start */
	"  light TEXT NOT NULL DEFAULT '',"
	"  light_month TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX hh_village ON hh(township, village, vgroup);"
	"CREATE INDEX hh_state ON hh(state);"
	/* Blind index of an ID number -> household. */
	"CREATE TABLE person("
	"  idx BLOB NOT NULL CHECK(length(idx) = 32),"
	"  hh_key TEXT NOT NULL,"
	"  src TEXT NOT NULL CHECK(src IN ('register', 'visit')),"
	"  role TEXT NOT NULL CHECK(role IN ('head', 'member')),"
	"  PRIMARY KEY(idx, hh_key, src)"
	") WITHOUT ROWID;"
	"CREATE INDEX person_hh ON person(hh_key);"
	/* Clues: a reason to verify a household at the door. */
	"CREATE TABLE clue("
	"  clue_id BLOB PRIMARY KEY CHECK(length(clue_id) = 16),"
	"  channel TEXT NOT NULL CHECK(channel IN ("
	"    'self_report', 'cadre_screening', 'dept_warning')),"
	"  source TEXT NOT NULL DEFAULT '',"
	"  hh_key TEXT,"				/* NULL: unmatched */
	"  ambiguous INTEGER NOT NULL DEFAULT 0,"	/* matches > 1 */
	"  id_idx BLOB CHECK(id_idx IS NULL OR length(id_idx) = 32),"
	"  id_no BLOB,"				/* sealed */
	"  name BLOB,"				/* sealed */
	"  reason BLOB,"			/* sealed */
	"  amount BLOB,"			/* sealed */
	"  date TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open'"
	"    CHECK(state IN ('open', 'closed')),"
	"  closed_rev BLOB,"
	"  closed_at INTEGER,"
	"  batch BLOB"
	") WITHOUT ROWID;"
	"CREATE INDEX clue_hh ON clue(hh_key, state);"
	"CREATE INDEX clue_idx ON clue(id_idx) WHERE hh_key IS NULL;"
	/* What the importer read from each revision (clear facts only). */
	/* Clustered by household and date: the reports scan it so. */
	"CREATE TABLE visit("
	"  rev_id BLOB NOT NULL UNIQUE CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  visit_date TEXT NOT NULL DEFAULT '',"
	"  visit_type TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  entry_id BLOB,"
	"  corrects BLOB,"
	"  consent TEXT NOT NULL DEFAULT ''"
	"    CHECK(consent IN ('', 'yes', 'no', 'on_file')),"
	"  outcome TEXT NOT NULL DEFAULT 'done'"
	"    CHECK(outcome IN ('done', 'refused', 'not_reached')),"
	"  finalized INTEGER NOT NULL CHECK(finalized IN (0, 1)),"
	"  finalized_at INTEGER,"
	"  proposes TEXT NOT NULL DEFAULT '',"
	"  light TEXT NOT NULL DEFAULT '',"
	"  light_set BLOB,"
	"  imported_at INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(hh_key, visit_date, rev_id)"
	") WITHOUT ROWID;"
	"CREATE INDEX visit_date ON visit(visit_date);"
	"CREATE INDEX visit_record ON visit(record_uuid);"
	"CREATE INDEX visit_entry ON visit(entry_id)"
	"  WHERE entry_id IS NOT NULL;"
	/* Steps and decisions: append-only. */
	/* Clustered by case and order: replay reads it so. */
	"CREATE TABLE case_event("
	"  event_id BLOB NOT NULL UNIQUE CHECK(length(event_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK(seq >= 1),"	/* order in the case */
	"  track TEXT NOT NULL CHECK(track IN ('ident', 'elim', 'case')),"
	"  step TEXT NOT NULL,"
	"  outcome TEXT NOT NULL DEFAULT '',"
	"  date TEXT NOT NULL,"
	"  date_end TEXT NOT NULL DEFAULT '',"
	"  objections INTEGER NOT NULL DEFAULT 0,"
	"  category TEXT NOT NULL DEFAULT '',"
	"  elim_kind TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL DEFAULT '',"	/* a run's first clue */
	"  detail TEXT NOT NULL DEFAULT '',"	/* measure: TYPE:STATUS */
	"  ref BLOB,"				/* visit or measure */
	"  by_name BLOB,"			/* sealed */
	"  note BLOB,"				/* sealed */
	"  corrects BLOB CHECK(corrects IS NULL OR length(corrects) = 16),"
	"  source TEXT NOT NULL DEFAULT 'cli',"
	"  recorded_at INTEGER NOT NULL,"
	"  PRIMARY KEY(hh_key, seq)"
	") WITHOUT ROWID;"
	"CREATE INDEX case_event_date ON case_event(track, step, date);"
	"CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event"
	"  BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;"
	"CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event"
	"  BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;";
static const char schema_v4_b[] =
	/* Assistance measures (one household plan). */
	"CREATE TABLE measure("
	"  measure_id BLOB PRIMARY KEY CHECK(length(measure_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK(type IN ('industry', 'job', 'finance',"
	"    'health', 'education', 'assist', 'allowance', 'housing',"
	"    'water', 'social')),"
	"  dept TEXT NOT NULL DEFAULT '',"
	"  start_date TEXT NOT NULL DEFAULT '',"
	"  amount BLOB,"			/* sealed */
	"  unit TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK(status IN ('planned', 'in_progress',"
	"    'done', 'stopped')),"
	"  note BLOB,"				/* sealed */
	"  source TEXT NOT NULL CHECK(source IN ('office', 'visit')),"
	"  source_rev BLOB,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"CREATE INDEX measure_hh ON measure(hh_key, type);"
	/* Monthly income checks, where a county runs them. */
	"CREATE TABLE income_check("
	"  hh_key TEXT NOT NULL,"
	"  month TEXT NOT NULL,"
	"  light TEXT NOT NULL DEFAULT '',"
	"  amount BLOB,"			/* sealed */
	"  batch BLOB,"
	"  PRIMARY KEY(hh_key, month)"
	") WITHOUT ROWID;"
	/* The quality ledger: stable problem ids, closed one by one. */
	"CREATE TABLE problem("
	"  problem_id BLOB PRIMARY KEY CHECK(length(problem_id) = 16),"
	"  kind TEXT NOT NULL,"
	"  hh_key TEXT NOT NULL DEFAULT '',"
	"  record_uuid BLOB,"
	"  path TEXT NOT NULL DEFAULT '',"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  closed_at INTEGER,"
	"  closed_by BLOB,"			/* sealed */
	"  detail BLOB,"			/* sealed */
	"  note BLOB"				/* sealed */
	") WITHOUT ROWID;"
	"CREATE INDEX problem_hh ON problem(hh_key);"
	/* Submitted monthly reports. */
	"CREATE TABLE freeze("
	"  month TEXT PRIMARY KEY,"
	"  frozen_at INTEGER NOT NULL,"
	"  cutoff TEXT NOT NULL,"
	"  csv_hash BLOB NOT NULL CHECK(length(csv_hash) = 32),"
	"  csv BLOB NOT NULL"			/* sealed */
	");"
	/* Screening rounds. */
	"CREATE TABLE round("
	"  name TEXT PRIMARY KEY,"
	"  started TEXT NOT NULL,"
	"  due TEXT NOT NULL DEFAULT '',"
	"  scope TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL"
	") WITHOUT ROWID;";
static const char schema_v4_c[] =
	/* Visit-list entries, one device each. */
	"CREATE TABLE entry("
	"  entry_id BLOB PRIMARY KEY CHECK(length(entry_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  worker TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL CHECK(reason IN ('clue', 'routine',"
	"    'followup', 'elim_check', 'lookback', 'annual', 'correction',"
	"    'screening')),"
	"  due TEXT NOT NULL,"
	"  clue_id BLOB,"
	"  round TEXT,"
	"  form_id TEXT NOT NULL,"
	"  form_ver TEXT NOT NULL,"
	"  body BLOB NOT NULL,"			/* sealed entry JSON */
	"  state TEXT NOT NULL CHECK(state IN ('queued', 'sent', 'applied',"
	"    'done', 'withdrawn')),"
	"  created_at INTEGER NOT NULL,"
	"  ob_seq INTEGER,"
	"  applied_at INTEGER,"
	"  done_rev BLOB,"
	"  done_at INTEGER,"
	"  withdrawn_at INTEGER"
	") WITHOUT ROWID;"
	"CREATE INDEX entry_hh ON entry(hh_key, state);"
	"CREATE INDEX entry_device ON entry(device_id, state);"
	/* Office bundles, kept for re-delivery (ciphertext). */
	"CREATE TABLE obundle("
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  seq INTEGER NOT NULL CHECK(seq >= 1),"
	"  bundle_id BLOB NOT NULL UNIQUE CHECK(length(bundle_id) = 16),"
	"  hash BLOB NOT NULL CHECK(length(hash) = 32),"
	"  created_at INTEGER NOT NULL,"
	"  n_entries INTEGER NOT NULL,"
	"  n_withdrawals INTEGER NOT NULL,"
	"  n_files INTEGER NOT NULL,"
	"  bytes BLOB NOT NULL,"
	"  applied_at INTEGER,"
	"  PRIMARY KEY(device_id, seq)"
	");"
	/* What waits for a device's next office bundle. */
	"CREATE TABLE ob_item("
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  kind TEXT NOT NULL CHECK(kind IN ('entry', 'withdraw', 'form')),"
	"  ref BLOB NOT NULL,"	/* entry id, or form_id NUL form_ver */
	"  queued_at INTEGER NOT NULL,"
	"  seq INTEGER,"	/* the office bundle that carried it */
	"  PRIMARY KEY(device_id, kind, ref)"
	") WITHOUT ROWID;"
	/* Forms the office published or imported, with their files. */
	"CREATE TABLE form_pub("
	"  form_id TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  published_at INTEGER NOT NULL,"
	"  PRIMARY KEY(form_id, version)"
	") WITHOUT ROWID;"
	"CREATE TABLE form_file("
	"  form_id TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  name TEXT NOT NULL,"
	"  role TEXT NOT NULL CHECK(role IN ('form', 'list')),"
	"  bytes BLOB NOT NULL,"
	"  PRIMARY KEY(form_id, version, name),"
	"  FOREIGN KEY(form_id, version) REFERENCES form_pub"
	");"
	/* Devices learn a box key and an applied office bundle sequence. */
	"ALTER TABLE device ADD COLUMN box_pk BLOB"
	"  CHECK(box_pk IS NULL OR length(box_pk) = 32);"
	"ALTER TABLE device ADD COLUMN box_pk_at INTEGER;"
	"ALTER TABLE device ADD COLUMN note_seq INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE device ADD COLUMN note_at INTEGER;"
	/* Alerts: more kinds (a CHECK cannot be altered in place). */
	"CREATE TABLE alert_v4("
	"  id INTEGER PRIMARY KEY,"
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  kind TEXT NOT NULL CHECK(kind IN ('rollback', 'new_db', 'box_key',"
	"    'competing_key', 'quota')),"
	"  bundle_id BLOB NOT NULL,"
	"  detail TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  UNIQUE(bundle_id, kind)"
	");"
	"INSERT INTO alert_v4 SELECT * FROM alert;"
	"DROP TABLE alert;"
	"ALTER TABLE alert_v4 RENAME TO alert;";

/*
 * Version 5: the revision table gets a rowid.  It was keyed by its random
 * rev_id and stored each ~3 KB sealed row inside that key's B-tree
 * (WITHOUT ROWID), so every import wrote into pages spread over the whole
 * table.  Rows are now appended in import order; rev_id is a small unique
 * index beside the others.  The columns, their checks and the indexes are
 * those of versions 1 and 2; rows keep their bytes (sealed values are
 * bound to rev_id, not to the row's place).
 */
static const char schema_v5[] =
	"CREATE TABLE revision_v5("
	"  id INTEGER PRIMARY KEY,"
	"  rev_id BLOB NOT NULL UNIQUE CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  parent_rev_id BLOB CHECK(parent_rev_id IS NULL"
	"    OR length(parent_rev_id) = 16),"
	"  rev_no INTEGER NOT NULL CHECK(rev_no >= 1),"
	"  household_key TEXT NOT NULL,"
	"  form_id TEXT NOT NULL,"
	"  form_ver TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  device_seq INTEGER NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  t_start INTEGER NOT NULL,"
	"  t_end INTEGER NOT NULL,"
	"  saved_at INTEGER NOT NULL,"
	"  deleted INTEGER NOT NULL CHECK(deleted IN (0, 1)),"
	"  answers TEXT NOT NULL,"
	"  audit TEXT NOT NULL,"
	"  consent TEXT NOT NULL,"
	"  bundle_id BLOB NOT NULL,"
	"  held INTEGER NOT NULL DEFAULT 0 CHECK(held IN (0, 1)),"
	"  held_at INTEGER"
	");"
	"INSERT INTO revision_v5(rev_id, record_uuid, parent_rev_id, rev_no,"
	"  household_key, form_id, form_ver, device_id, device_seq, worker_id,"
	"  t_start, t_end, saved_at, deleted, answers, audit, consent,"
	"  bundle_id, held, held_at)"
	"  SELECT rev_id, record_uuid, parent_rev_id, rev_no, household_key,"
	"  form_id, form_ver, device_id, device_seq, worker_id, t_start, t_end,"
	"  saved_at, deleted, answers, audit, consent, bundle_id, held, held_at"
	"  FROM revision ORDER BY saved_at, rev_id;"
	"DROP TABLE revision;"
	"ALTER TABLE revision_v5 RENAME TO revision;"
	"CREATE INDEX revision_record ON revision(record_uuid, parent_rev_id);"
	"CREATE INDEX revision_household ON revision(household_key);"
	"CREATE INDEX revision_held ON revision(parent_rev_id) WHERE held = 1;"
	"CREATE INDEX revision_devseq ON revision(device_id, device_seq);";

/* Version 6: the files of media questions, sealed (odb_attach.c). */
static const char schema_v6[] =
	"CREATE TABLE attachment ("
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  name TEXT NOT NULL,"
	"  rev_id BLOB NOT NULL CHECK(length(rev_id) = 16),"
	"  size INTEGER NOT NULL,"
	"  data BLOB NOT NULL,"			/* sealed */
	"  PRIMARY KEY(record_uuid, name)"
	");";

/*
 * Version 7: the blind indexes of ID numbers are clustered by household.
 * person was keyed by the index itself, a keyed hash spread over the
 * whole key space, so each import dirtied a page for nearly every member
 * (plus person_hh, by household).  Keyed (hh_key, src, idx), a bundle's
 * members land on the pages of its households, and the one lookup by
 * index (a department's clue file) reads the table once per file
 * (case_clue_import).  Same columns, same rows, same uniqueness.
 * visit loses its two indexes by random id: UNIQUE(rev_id) (a revision's
 * facts, household and date included, never change, so its key already
 * makes a second insert a no-op) and visit_record (the one query by
 * record numbers each record's visits in a single sorted pass).
 */
static const char schema_v7[] =
	"CREATE TABLE person_v7("
	"  idx BLOB NOT NULL CHECK(length(idx) = 32),"
	"  hh_key TEXT NOT NULL,"
	"  src TEXT NOT NULL CHECK(src IN ('register', 'visit')),"
	"  role TEXT NOT NULL CHECK(role IN ('head', 'member')),"
	"  PRIMARY KEY(hh_key, src, idx)"
	") WITHOUT ROWID;"
	"INSERT INTO person_v7(idx, hh_key, src, role)"
	"  SELECT idx, hh_key, src, role FROM person;"
	"DROP TABLE person;"
	"ALTER TABLE person_v7 RENAME TO person;"
	"CREATE TABLE visit_v7("
	"  rev_id BLOB NOT NULL CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  visit_date TEXT NOT NULL DEFAULT '',"
	"  visit_type TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  entry_id BLOB,"
	"  corrects BLOB,"
	"  consent TEXT NOT NULL DEFAULT ''"
	"    CHECK(consent IN ('', 'yes', 'no', 'on_file')),"
	"  outcome TEXT NOT NULL DEFAULT 'done'"
	"    CHECK(outcome IN ('done', 'refused', 'not_reached')),"
	"  finalized INTEGER NOT NULL CHECK(finalized IN (0, 1)),"
	"  finalized_at INTEGER,"
	"  proposes TEXT NOT NULL DEFAULT '',"
	"  light TEXT NOT NULL DEFAULT '',"
	"  light_set BLOB,"
	"  imported_at INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(hh_key, visit_date, rev_id)"
	") WITHOUT ROWID;"
	"INSERT INTO visit_v7 SELECT rev_id, record_uuid, hh_key, device_id,"
	"  worker_id, visit_date, visit_type, reason, entry_id, corrects,"
	"  consent, outcome, finalized, finalized_at, proposes, light,"
	"  light_set, imported_at FROM visit;"
	"DROP TABLE visit;"
	"ALTER TABLE visit_v7 RENAME TO visit;"
	"CREATE INDEX visit_date ON visit(visit_date);"
	"CREATE INDEX visit_entry ON visit(entry_id)"
	"  WHERE entry_id IS NOT NULL;";

/*
 * Version 8: a CHECK of the form x IN (three or more values) made SQLite
 * build a temporary table of the values at every insert or update of
 * the column, about 5% of an import (issue 16); x = 'a' OR x = 'b' ...
 * is the same rule, checked by comparisons.  The tables the import and
 * the case commands write are rebuilt with the same columns, keys,
 * indexes, triggers and rows, their checks so written: hh, visit,
 * case_event, clue, measure and entry.
 */
static const char schema_v8_a[] =
	"CREATE TABLE hh_v8("
	"  hh_key TEXT PRIMARY KEY,"
	"  township TEXT NOT NULL DEFAULT '',"
	"  village TEXT NOT NULL DEFAULT '',"
	"  vgroup TEXT NOT NULL DEFAULT '',"
	"  head_name BLOB,"			/* sealed */
	"  head_id BLOB,"			/* sealed */
	"  members INTEGER NOT NULL DEFAULT 0 CHECK(members >= 0),"
	"  in_register INTEGER NOT NULL DEFAULT 0 CHECK(in_register IN (0, 1)),"
	"  grid_worker TEXT NOT NULL DEFAULT '',"
	"  state TEXT NOT NULL DEFAULT 'registered' CHECK(state = 'registered'"
	"    OR state = 'clue_open' OR state = 'ident' OR state = 'monitored'"
	"    OR state = 'elim' OR state = 'eliminated'),"
	"  track_step TEXT NOT NULL DEFAULT '',"
	"  category TEXT NOT NULL DEFAULT '',"
	"  ident_date TEXT NOT NULL DEFAULT '',"
	"  elim_date TEXT NOT NULL DEFAULT '',"
	"  elim_kind TEXT NOT NULL DEFAULT '',"
	"  track_since TEXT NOT NULL DEFAULT '',"	/* the run's start */
	"  light TEXT NOT NULL DEFAULT '',"
	"  light_month TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO hh_v8 SELECT * FROM hh;"
	"DROP TABLE hh;"
	"ALTER TABLE hh_v8 RENAME TO hh;"
	"CREATE INDEX hh_village ON hh(township, village, vgroup);"
	"CREATE INDEX hh_state ON hh(state);"
	"CREATE TABLE visit_v8("
	"  rev_id BLOB NOT NULL CHECK(length(rev_id) = 16),"
	"  record_uuid BLOB NOT NULL CHECK(length(record_uuid) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  device_id BLOB NOT NULL,"
	"  worker_id TEXT NOT NULL,"
	"  visit_date TEXT NOT NULL DEFAULT '',"
	"  visit_type TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL DEFAULT '',"
	"  entry_id BLOB,"
	"  corrects BLOB,"
	"  consent TEXT NOT NULL DEFAULT '' CHECK(consent = '' OR"
	"    consent = 'yes' OR consent = 'no' OR consent = 'on_file'),"
	"  outcome TEXT NOT NULL DEFAULT 'done' CHECK(outcome = 'done' OR"
	"    outcome = 'refused' OR outcome = 'not_reached'),"
	"  finalized INTEGER NOT NULL CHECK(finalized IN (0, 1)),"
	"  finalized_at INTEGER,"
	"  proposes TEXT NOT NULL DEFAULT '',"
	"  light TEXT NOT NULL DEFAULT '',"
	"  light_set BLOB,"
	"  imported_at INTEGER NOT NULL DEFAULT 0,"
	"  PRIMARY KEY(hh_key, visit_date, rev_id)"
	") WITHOUT ROWID;"
	"INSERT INTO visit_v8 SELECT * FROM visit;"
	"DROP TABLE visit;"
	"ALTER TABLE visit_v8 RENAME TO visit;"
	"CREATE INDEX visit_date ON visit(visit_date);"
	"CREATE INDEX visit_entry ON visit(entry_id)"
	"  WHERE entry_id IS NOT NULL;";
static const char schema_v8_b[] =
	"CREATE TABLE case_event_v8("
	"  event_id BLOB NOT NULL UNIQUE CHECK(length(event_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  seq INTEGER NOT NULL CHECK(seq >= 1),"	/* order in the case */
	"  track TEXT NOT NULL CHECK(track = 'ident' OR track = 'elim' OR"
	"    track = 'case'),"
	"  step TEXT NOT NULL,"
	"  outcome TEXT NOT NULL DEFAULT '',"
	"  date TEXT NOT NULL,"
	"  date_end TEXT NOT NULL DEFAULT '',"
	"  objections INTEGER NOT NULL DEFAULT 0,"
	"  category TEXT NOT NULL DEFAULT '',"
	"  elim_kind TEXT NOT NULL DEFAULT '',"
	"  channel TEXT NOT NULL DEFAULT '',"	/* a run's first clue */
	"  detail TEXT NOT NULL DEFAULT '',"	/* measure: TYPE:STATUS */
	"  ref BLOB,"				/* visit or measure */
	"  by_name BLOB,"			/* sealed */
	"  note BLOB,"				/* sealed */
	"  corrects BLOB CHECK(corrects IS NULL OR length(corrects) = 16),"
	"  source TEXT NOT NULL DEFAULT 'cli',"
	"  recorded_at INTEGER NOT NULL,"
	"  PRIMARY KEY(hh_key, seq)"
	") WITHOUT ROWID;"
	/* Dropping the table drops its triggers: nothing is deleted. */
	"INSERT INTO case_event_v8 SELECT * FROM case_event;"
	"DROP TABLE case_event;"
	"ALTER TABLE case_event_v8 RENAME TO case_event;"
	"CREATE INDEX case_event_date ON case_event(track, step, date);"
	"CREATE TRIGGER case_event_no_update BEFORE UPDATE ON case_event"
	"  BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;"
	"CREATE TRIGGER case_event_no_delete BEFORE DELETE ON case_event"
	"  BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;"
	"CREATE TABLE clue_v8("
	"  clue_id BLOB PRIMARY KEY CHECK(length(clue_id) = 16),"
	"  channel TEXT NOT NULL CHECK(channel = 'self_report' OR"
	"    channel = 'cadre_screening' OR channel = 'dept_warning'),"
	"  source TEXT NOT NULL DEFAULT '',"
	"  hh_key TEXT,"				/* NULL: unmatched */
	"  ambiguous INTEGER NOT NULL DEFAULT 0,"	/* matches > 1 */
	"  id_idx BLOB CHECK(id_idx IS NULL OR length(id_idx) = 32),"
	"  id_no BLOB,"				/* sealed */
	"  name BLOB,"				/* sealed */
	"  reason BLOB,"			/* sealed */
	"  amount BLOB,"			/* sealed */
	"  date TEXT NOT NULL,"
	"  received_at INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'open'"
	"    CHECK(state IN ('open', 'closed')),"
	"  closed_rev BLOB,"
	"  closed_at INTEGER,"
	"  batch BLOB"
	") WITHOUT ROWID;"
	"INSERT INTO clue_v8 SELECT * FROM clue;"
	"DROP TABLE clue;"
	"ALTER TABLE clue_v8 RENAME TO clue;"
	"CREATE INDEX clue_hh ON clue(hh_key, state);"
	"CREATE INDEX clue_idx ON clue(id_idx) WHERE hh_key IS NULL;";
static const char schema_v8_c[] =
	"CREATE TABLE measure_v8("
	"  measure_id BLOB PRIMARY KEY CHECK(length(measure_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  type TEXT NOT NULL CHECK(type = 'industry' OR type = 'job' OR"
	"    type = 'finance' OR type = 'health' OR type = 'education' OR"
	"    type = 'assist' OR type = 'allowance' OR type = 'housing' OR"
	"    type = 'water' OR type = 'social'),"
	"  dept TEXT NOT NULL DEFAULT '',"
	"  start_date TEXT NOT NULL DEFAULT '',"
	"  amount BLOB,"			/* sealed */
	"  unit TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL CHECK(status = 'planned' OR"
	"    status = 'in_progress' OR status = 'done' OR status = 'stopped'),"
	"  note BLOB,"				/* sealed */
	"  source TEXT NOT NULL CHECK(source IN ('office', 'visit')),"
	"  source_rev BLOB,"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL"
	") WITHOUT ROWID;"
	"INSERT INTO measure_v8 SELECT * FROM measure;"
	"DROP TABLE measure;"
	"ALTER TABLE measure_v8 RENAME TO measure;"
	"CREATE INDEX measure_hh ON measure(hh_key, type);"
	"CREATE TABLE entry_v8("
	"  entry_id BLOB PRIMARY KEY CHECK(length(entry_id) = 16),"
	"  hh_key TEXT NOT NULL,"
	"  device_id BLOB NOT NULL CHECK(length(device_id) = 16),"
	"  worker TEXT NOT NULL DEFAULT '',"
	"  reason TEXT NOT NULL CHECK(reason = 'clue' OR reason = 'routine' OR"
	"    reason = 'followup' OR reason = 'elim_check' OR"
	"    reason = 'lookback' OR reason = 'annual' OR"
	"    reason = 'correction' OR reason = 'screening'),"
	"  due TEXT NOT NULL,"
	"  clue_id BLOB,"
	"  round TEXT,"
	"  form_id TEXT NOT NULL,"
	"  form_ver TEXT NOT NULL,"
	"  body BLOB NOT NULL,"			/* sealed entry JSON */
	"  state TEXT NOT NULL CHECK(state = 'queued' OR state = 'sent' OR"
	"    state = 'applied' OR state = 'done' OR state = 'withdrawn'),"
	"  created_at INTEGER NOT NULL,"
	"  ob_seq INTEGER,"
	"  applied_at INTEGER,"
	"  done_rev BLOB,"
	"  done_at INTEGER,"
	"  withdrawn_at INTEGER"
	") WITHOUT ROWID;"
	"INSERT INTO entry_v8 SELECT * FROM entry;"
	"DROP TABLE entry;"
	"ALTER TABLE entry_v8 RENAME TO entry;"
	"CREATE INDEX entry_hh ON entry(hh_key, state);"
	"CREATE INDEX entry_device ON entry(device_id, state);";

/*
 * Version 9: a record's settled revisions are listed in its head row
 * (revs, a JSON array of revision rowids in the order they settled), and
 * the index revision_record (record_uuid, parent_rev_id) is dropped.
 * Keyed by an id each laptop draws at random, that index took a page of
 * its own for nearly every revision an import stored once it outgrew a
 * bundle (issue 16); the head row, which the import writes anyway, now
 * answers "the record's other revisions" (fork checks, odb_rev_each).
 */
static const char schema_v9[] =
	"ALTER TABLE head ADD COLUMN revs TEXT NOT NULL DEFAULT '[]';"
	/* From the index alone (revision_held lists the held rows): the
	 * ~3 KB revision rows are not read. */
	"UPDATE head SET revs = (SELECT json_group_array(id) FROM"
	"  (SELECT r.id FROM revision r WHERE"
	"  r.record_uuid = head.record_uuid AND r.id NOT IN"
	"  (SELECT h.id FROM revision h WHERE h.held = 1) ORDER BY r.id));"
	"DROP INDEX revision_record;";

/*
 * migrations[i] takes a database from version i to i + 1: its parts run
 * in order in one transaction (a part stays under C's 4,095-byte string
 * limit).
 */
#define ODB_MIGRATION_PARTS	3
static const char *const migrations[][ODB_MIGRATION_PARTS] = {
	{ schema_v1, NULL, NULL },
	{ schema_v2, NULL, NULL },
	{ schema_v3, NULL, NULL },
	{ schema_v4_a, schema_v4_b, schema_v4_c },
	{ schema_v5, NULL, NULL },
	{ schema_v6, NULL, NULL },
	{ schema_v7, NULL, NULL },
	{ schema_v8_a, schema_v8_b, schema_v8_c },
	{ schema_v9, NULL, NULL },
};

/* Run every part of migration v (from version v to v + 1). */
static enum ds_status
migration_run(struct dbx *db, int64_t v, struct ds_err *err)
{
	enum ds_status s;
	int p;

	for (p = 0; p < ODB_MIGRATION_PARTS && migrations[v][p] != NULL; p++)
		if ((s = odb_exec(db, migrations[v][p], err)) != DS_OK)
			return s;
	return DS_OK;
}

/* The key check: a fixed text sealed under the data key (meta). */
static const char key_check_text[] = "doorstep office.db data key v1";

enum ds_status
odb_sqlerr(struct dbx *db, int rc, struct ds_err *err, const char *what)
{
	if (rc != DBX_ERROR)
		return ds_err_set(err, DS_EIO, "office db: %s: unexpected "
		    "result %d", what, rc);
	return ds_err_set(err, dbx_status(db), "office db: %s: %s", what,
	    dbx_errmsg(db));
}

enum ds_status
odb_exec(struct dbx *db, const char *sql, struct ds_err *err)
{
	enum ds_status s;

	if ((s = dbx_exec(db, sql, err)) != DS_OK)
		ds_err_prefix(err, "office db: exec");
	return s;
}

static enum ds_status
get_int(struct dbx *db, const char *sql, int64_t *out, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	if ((rc = dbx_prepare(db, sql, &st)) != DBX_OK)
		return odb_sqlerr(db, rc, err, "prepare");
	rc = dbx_step(st);
	if (rc != DBX_ROW) {
		dbx_finalize(st);
		return odb_sqlerr(db, rc, err, sql);
	}
	*out = dbx_column_int64(st, 0);
	dbx_finalize(st);
	return DS_OK;
}

/* Connection settings of crypto-sync.md §6, set on every open. */
static enum ds_status
configure(struct dbx *db, struct ds_err *err)
{
	return odb_exec(db,
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA secure_delete=ON;"
	    "PRAGMA temp_store=MEMORY;"
	    /* An import touches the revision, head and case indexes at
	     * random: 64 MiB keeps a county's in memory (issue 16). */
	    "PRAGMA cache_size=-65536;"
	    "PRAGMA journal_size_limit=4194304;"
	    "PRAGMA foreign_keys=ON;", err);
}

static void
unlink_db(const char *path)
{
	char p[4096];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-journal", path);
	unlink(p);
}

/*
 * The version odb_create makes and odb_open migrates to: this program's,
 * or an older one a test asks for (odb_test_schema) to build a database
 * as that version's program did; the migrations up to it are never
 * edited.
 */
static int schema_target = ODB_SCHEMA_VERSION;

/* The first version whose head rows list their revisions (schema_v9). */
#define ODB_V_HEAD_REVS	9

void
odb_test_schema(int version)
{
	schema_target = version >= 1 && version <= ODB_SCHEMA_VERSION ?
	    version : ODB_SCHEMA_VERSION;
}

/* Apply every migration from `from` up to schema_target, in one txn. */
static enum ds_status
migrate(struct dbx *db, int64_t from, struct ds_err *err)
{
	char sql[96];
	enum ds_status st;
	int64_t v;

	if ((st = dbx_begin(db, err)) != DS_OK)
		return st;
	/* Re-read inside the write lock: another process may have won. */
	if ((st = get_int(db, "PRAGMA user_version", &v, err)) != DS_OK)
		goto fail;
	if (v != from) {
		dbx_rollback(db);
		return DS_OK;
	}
	for (; v < schema_target; v++)
		if ((st = migration_run(db, v, err)) != DS_OK) {
			ds_err_prefix(err, "migration to version %lld",
			    (long long)v + 1);
			goto fail;
		}
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", schema_target);
	if ((st = odb_exec(db, sql, err)) != DS_OK)
		goto fail;
	return odb_exec(db, "COMMIT", err);
fail:
	dbx_rollback(db);
	return st;
}

/* The office id of a township in the county database, once. */
static enum ds_status
create_pg(const char *url, const unsigned char office_id[16],
    struct ds_err *err)
{
	struct odb_pg_info info;
	struct dbx *db;
	struct dbx_stmt *st = NULL;
	enum ds_status s;
	int64_t n;
	int rc;

	if ((s = dbx_open(url, &db, err)) != DS_OK)
		return s;
	if ((s = odb_pg_check(db, &info, err)) != DS_OK ||
	    (s = dbx_begin(db, err)) != DS_OK)
		goto out;
	if ((s = odb_pg_lock(db, err)) != DS_OK)
		goto fail;
	rc = dbx_prepare(db, "INSERT INTO meta(k, v) VALUES"
	    " ('office_id', ?1), ('created_at', ?2) ON CONFLICT DO NOTHING",
	    &st);
	if (rc == DBX_OK) {
		dbx_bind_blob(st, 1, office_id, 16);
		dbx_bind_int64(st, 2, ds_now());
		rc = dbx_step(st);
	}
	if (rc != DBX_DONE) {
		s = odb_sqlerr(db, rc, err, "meta");
		goto fail;
	}
	/* A refused write is its own failure, not "already there". */
	if ((n = dbx_changes(db)) < 0) {
		s = odb_sqlerr(db, DBX_ERROR, err, "meta");
		goto fail;
	}
	if (n != 2) {
		s = ds_err_set(err, DS_EEXIST, "this township already has an "
		    "office in the county database");
		goto fail;
	}
	s = dbx_commit(db, err);
	goto out;
fail:
	dbx_rollback(db);
out:
	dbx_finalize(st);
	dbx_close(db);
	return s;
}

enum ds_status
odb_create(const char *path, const unsigned char office_id[16],
    struct ds_err *err)
{
	struct dbx *db = NULL;
	struct dbx_stmt *st = NULL;
	enum ds_status s;
	char sql[96];
	int fd, rc, e, v;

	if (dbx_is_url(path))
		return create_pg(path, office_id, err);
	/* Reserve the name exclusively: never initialise over a database. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		e = errno;
		return ds_err_set(err, e == EEXIST ? DS_EEXIST : DS_EIO,
		    "cannot create %s: %s", path, strerror(e));
	}
	close(fd);
	if ((s = dbx_open(path, &db, err)) != DS_OK) {
		ds_err_prefix(err, "office db");
		goto fail;
	}
	if ((s = configure(db, err)) != DS_OK)
		goto fail;
	if ((s = dbx_begin(db, err)) != DS_OK)
		goto fail;
	for (v = 0; v < schema_target; v++)
		if ((s = migration_run(db, v, err)) != DS_OK)
			goto fail;
	snprintf(sql, sizeof(sql), "PRAGMA application_id=%d;"
	    "PRAGMA user_version=%d", ODB_APPLICATION_ID, schema_target);
	if ((s = odb_exec(db, sql, err)) != DS_OK)
		goto fail;
	rc = dbx_prepare(db, "INSERT INTO meta(k, v) VALUES"
	    " ('office_id', ?1), ('created_at', ?2)", &st);
	if (rc == DBX_OK) {
		dbx_bind_blob(st, 1, office_id, 16);
		dbx_bind_int64(st, 2, ds_now());
		rc = dbx_step(st);
	}
	if (rc != DBX_DONE) {
		s = odb_sqlerr(db, rc, err, "meta");
		goto fail;
	}
	dbx_finalize(st);
	st = NULL;
	if ((s = dbx_commit(db, err)) != DS_OK)
		goto fail;
	dbx_close(db);
	db = NULL;
	if ((s = ds_dir_sync(path, err)) != DS_OK)
		goto fail;
	return DS_OK;
fail:
	dbx_finalize(st);
	dbx_close(db);
	unlink_db(path);
	return s;
}

/* ---- the data key -------------------------------------------------------- */

static const char *const col_names[] = { "answers", "audit", "consent" };

/*
 * AD = "dsodb1:" tag ":" row key: binds a sealed value to its row and
 * column.  For revisions the tag is the column name and the key the 16-byte
 * rev_id; other tables use "table.column" and their primary key bytes.
 */
static size_t
seal_ad(unsigned char *ad, size_t cap, const char *tag, const void *key,
    size_t keylen)
{
	size_t n = (size_t)snprintf((char *)ad, cap, "dsodb1:%s:", tag);

	if (n + keylen > cap)
		abort();	/* callers pass ODB_ROWKEY_MAX-bounded keys */
	memcpy(ad + n, key, keylen);
	return n + keylen;
}

void
odb_seal_row(const struct odb *o, const char *tag, const void *key,
    size_t keylen, const void *pt, size_t n, unsigned char *out)
{
	unsigned char ad[ODB_AD_MAX];
	size_t adlen = seal_ad(ad, sizeof(ad), tag, key, keylen);

	/* Deterministic: a rerun after a crash stores the same bytes. */
	cry_aead_seal_det(out, pt, n, ad, adlen, o->dkey);
}

void
odb_seal(const struct odb *o, const unsigned char rev_id[16],
    enum odb_col col, const void *pt, size_t n, unsigned char *out)
{
	odb_seal_row(o, col_names[col], rev_id, 16, pt, n, out);
}

enum ds_status
odb_unseal_row(const struct odb *o, struct dbx_stmt *st, int i,
    const char *tag, const void *key, size_t keylen, struct odb_plain *pl,
    struct ds_err *err)
{
	unsigned char ad[ODB_AD_MAX];
	const unsigned char *ct;
	size_t adlen, n, need;
	char *np;

	if (o->dkey == NULL)
		return ds_err_set(err, DS_ESTATE, "office db: opened without "
		    "the office secret key: %s cannot be read", tag);
	n = (size_t)dbx_column_bytes(st, i);
	if (dbx_column_type(st, i) != DBX_BLOB ||
	    n < CRY_AEAD_OVERHEAD)
		return ds_err_set(err, DS_ECRYPTO, "office db: %s is not "
		    "sealed", tag);
	ct = dbx_column_blob(st, i);
	need = n - CRY_AEAD_OVERHEAD + 1;
	if (need > pl->cap) {
		if ((np = ds_malloc(need)) == NULL)
			return ds_err_set(err, DS_ENOMEM, NULL);
		odb_plain_free(pl);
		pl->p = np;
		pl->cap = need;
	}
	adlen = seal_ad(ad, sizeof(ad), tag, key, keylen);
	if (cry_aead_open((unsigned char *)pl->p, ct, n, ad, adlen,
	    o->dkey) != DS_OK) {
		pl->len = 0;
		return ds_err_set(err, DS_ECRYPTO, "office db: %s does not "
		    "open with this office's key (altered or moved from "
		    "another row)", tag);
	}
	pl->len = n - CRY_AEAD_OVERHEAD;
	pl->p[pl->len] = '\0';
	return DS_OK;
}

enum ds_status
odb_unseal(const struct odb *o, struct dbx_stmt *st, int i,
    const unsigned char rev_id[16], enum odb_col col, struct odb_plain *pl,
    struct ds_err *err)
{
	enum ds_status s;
	char hex[33];

	s = odb_unseal_row(o, st, i, col_names[col], rev_id, 16, pl, err);
	if (s == DS_ECRYPTO || s == DS_ESTATE) {
		ds_hex_encode(rev_id, 16, hex);
		ds_err_prefix(err, "revision %s", hex);
	}
	return s;
}

int
odb_blind(const struct odb *o, const char *value, unsigned char out[32])
{
	char norm[ODB_BLIND_VALUE_MAX];
	int rc;

	if (o->bkey == NULL)
		return -1;
	if ((rc = store_blind_normalize(value, norm, sizeof(norm))) == 0 &&
	    norm[0] != '\0')
		cry_hash(out, 32, o->bkey, CRY_KEY_BYTES, norm, strlen(norm));
	else
		rc = -1;
	cry_wipe(norm, sizeof(norm));
	return rc;
}

int
odb_row_id(const struct odb *o, const char *kind, const void *content,
    size_t n, unsigned char out[16])
{
	unsigned char buf[ODB_AD_MAX + 32];
	size_t k = strlen(kind);
	unsigned char h[32];

	if (o->bkey == NULL || k + 1 > ODB_AD_MAX)
		return -1;
	/* kind NUL BLAKE2b-256(content), keyed: one id per kind and row. */
	memcpy(buf, kind, k);
	buf[k] = '\0';
	cry_hash(h, 32, NULL, 0, content, n);
	memcpy(buf + k + 1, h, 32);
	cry_hash(out, 16, o->bkey, CRY_KEY_BYTES, buf, k + 1 + 32);
	return 0;
}

void
odb_plain_wipe(struct odb_plain *pl)
{
	if (pl->p != NULL)
		cry_wipe(pl->p, pl->len + 1 <= pl->cap ? pl->len + 1 : pl->cap);
	pl->len = 0;
}

void
odb_plain_free(struct odb_plain *pl)
{
	if (pl->p != NULL) {
		cry_wipe(pl->p, pl->cap);
		ds_free(pl->p);
	}
	pl->p = NULL;
	pl->len = pl->cap = 0;
}

int
odb_has_key(const struct odb *o)
{
	return o != NULL && o->dkey != NULL;
}

/* Value of meta key k as a blob (copied into out, *n bytes), *found. */
static enum ds_status
meta_get(struct dbx *db, const char *k, unsigned char *out, size_t max,
    size_t *n, int *found, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*found = 0;
	*n = 0;
	if ((rc = dbx_prepare(db, "SELECT v FROM meta WHERE k = ?1", &st)) !=
	    DBX_OK)
		return odb_sqlerr(db, rc, err, "meta");
	dbx_bind_text(st, 1, k, -1);
	rc = dbx_step(st);
	if (rc == DBX_ROW) {
		*found = 1;
		*n = (size_t)dbx_column_bytes(st, 0);
		if (*n > max)
			*n = max;
		if (*n > 0)
			memcpy(out, dbx_column_blob(st, 0), *n);
	}
	dbx_finalize(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(db, rc, err, "meta");
	return DS_OK;
}

/* The key check's AD: "dsodb1:check:" office_id. */
static enum ds_status
key_check(struct odb *o, const unsigned char *v, size_t n, const char *path,
    struct ds_err *err)
{
	unsigned char ad[48], pt[sizeof(key_check_text)];
	size_t adlen = seal_ad(ad, sizeof(ad), "check", o->office_id, 16);

	if (n != ODB_SEALED_LEN(sizeof(key_check_text) - 1) ||
	    cry_aead_open(pt, v, n, ad, adlen, o->dkey) != DS_OK ||
	    memcmp(pt, key_check_text, sizeof(key_check_text) - 1) != 0)
		return ds_err_set(err, DS_ECRYPTO, "office-secret.key does "
		    "not open %s: it is not this office's key", path);
	return DS_OK;
}

/* Seal every revision an older program stored in clear; ids first. */
static enum ds_status
seal_legacy(struct odb *o, int64_t *count, struct ds_err *err)
{
	static const char q_ids[] = "SELECT rev_id FROM revision WHERE"
	    " typeof(answers) != 'blob' OR typeof(audit) != 'blob' OR"
	    " typeof(consent) != 'blob' ORDER BY rev_id";
	static const char q_get[] = "SELECT answers, audit, consent FROM"
	    " revision WHERE rev_id = ?1";
	static const char q_put[] = "UPDATE revision SET answers = ?2,"
	    " audit = ?3, consent = ?4 WHERE rev_id = ?1";
	struct dbx_stmt *ids = NULL, *get = NULL, *put = NULL;
	unsigned char (*id)[16] = NULL, (*nid)[16], *buf = NULL;
	size_t n = 0, cap = 0, i, len[3], off, total;
	enum ds_status s = DS_OK;
	const void *pt;
	int c, rc;

	*count = 0;
	if ((rc = dbx_prepare(o->db, q_ids, &ids)) != DBX_OK ||
	    (rc = dbx_prepare(o->db, q_get, &get)) != DBX_OK ||
	    (rc = dbx_prepare(o->db, q_put, &put)) != DBX_OK) {
		s = odb_sqlerr(o->db, rc, err, "seal");
		goto done;
	}
	while ((rc = dbx_step(ids)) == DBX_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((nid = ds_realloc(id, cap * 16)) == NULL) {
				s = ds_err_set(err, DS_ENOMEM, NULL);
				goto done;
			}
			id = nid;
		}
		if (dbx_column_bytes(ids, 0) != 16) {
			s = ds_err_set(err, DS_ECORRUPT,
			    "office db: bad rev_id");
			goto done;
		}
		memcpy(id[n++], dbx_column_blob(ids, 0), 16);
	}
	if (rc != DBX_DONE) {
		s = odb_sqlerr(o->db, rc, err, "seal");
		goto done;
	}
	for (i = 0; i < n; i++) {
		dbx_reset(get);
		dbx_bind_blob(get, 1, id[i], 16);
		if ((rc = dbx_step(get)) != DBX_ROW) {
			s = odb_sqlerr(o->db, rc, err, "seal");
			goto done;
		}
		total = 0;
		for (c = 0; c < 3; c++) {
			/* A blob here is already sealed: keep it. */
			len[c] = (size_t)dbx_column_bytes(get, c);
			if (dbx_column_type(get, c) != DBX_BLOB)
				total += ODB_SEALED_LEN(len[c]);
		}
		ds_free(buf);
		if ((buf = ds_malloc(total + 1)) == NULL) {
			s = ds_err_set(err, DS_ENOMEM, NULL);
			goto done;
		}
		dbx_reset(put);
		dbx_bind_blob(put, 1, id[i], 16);
		for (off = 0, c = 0; c < 3; c++) {
			if (dbx_column_type(get, c) == DBX_BLOB) {
				dbx_bind_blob(put, c + 2,
				    dbx_column_blob(get, c),
				    dbx_column_bytes(get, c));
				continue;
			}
			pt = dbx_column_text(get, c);
			odb_seal(o, id[i], (enum odb_col)c, pt != NULL ? pt :
			    "", len[c], buf + off);
			dbx_bind_blob(put, c + 2, buf + off,
			    (int)ODB_SEALED_LEN(len[c]));
			off += ODB_SEALED_LEN(len[c]);
		}
		if ((rc = dbx_step(put)) != DBX_DONE) {
			s = odb_sqlerr(o->db, rc, err, "seal");
			goto done;
		}
	}
	*count = (int64_t)n;
done:
	ds_free(buf);
	ds_free(id);
	dbx_finalize(ids);
	dbx_finalize(get);
	dbx_finalize(put);
	return s;
}

/*
 * Derive the data key, check it against the stored key check, and on the
 * first keyed open write the check and seal legacy clear rows (one
 * transaction), then truncate the WAL.
 */
static enum ds_status
key_setup(struct odb *o, const struct cry_office_sec *sec, const char *path,
    struct ds_err *err)
{
	static const char q_put[] = "INSERT INTO meta(k, v)"
	    " VALUES ('data_key_check', ?1) ON CONFLICT DO NOTHING";
	unsigned char v[128], ad[48];
	char a[33], b[33];
	struct dbx_stmt *st;
	enum ds_status s;
	size_t n, adlen;
	int64_t sealed = 0;
	int have, pending, rc;

	if (memcmp(sec->office_id, o->office_id, 16) != 0) {
		ds_hex_encode(sec->office_id, 16, a);
		ds_hex_encode(o->office_id, 16, b);
		return ds_err_set(err, DS_ECRYPTO, "office-secret.key is for "
		    "office %s, but %s belongs to office %s", a, path, b);
	}
	if ((o->dkey = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "no secure memory for the "
		    "office data key");
	cry_kdf(o->dkey, CRY_KEY_BYTES, 1, "officedb", sec->box_sk);
	if ((o->bkey = cry_secure_alloc(CRY_KEY_BYTES)) == NULL)
		return ds_err_set(err, DS_ENOMEM, "no secure memory for the "
		    "office blind-index key");
	cry_kdf(o->bkey, CRY_KEY_BYTES, 2, "officebi", sec->box_sk);
	if ((s = meta_get(o->db, "data_key_check", v, sizeof(v), &n, &have,
	    err)) != DS_OK)
		return s;
	if (have && (s = key_check(o, v, n, path, err)) != DS_OK)
		return s;
	if ((s = meta_get(o->db, "seal_pending", v, sizeof(v), &n, &pending,
	    err)) != DS_OK)
		return s;
	if (have && !pending)
		return DS_OK;
	if ((s = dbx_begin(o->db, err)) != DS_OK)
		return s;
	if (odb_is_pg(o) && (s = odb_pg_lock(o->db, err)) != DS_OK)
		goto fail;
	/* Re-read under the write lock: another process may have done it. */
	if ((s = meta_get(o->db, "data_key_check", v, sizeof(v), &n, &have,
	    err)) != DS_OK)
		goto fail;
	if (have && (s = key_check(o, v, n, path, err)) != DS_OK)
		goto fail;
	if (!have) {
		adlen = seal_ad(ad, sizeof(ad), "check", o->office_id, 16);
		cry_aead_seal_det(v, (const unsigned char *)key_check_text,
		    sizeof(key_check_text) - 1, ad, adlen, o->dkey);
		if ((rc = dbx_prepare(o->db, q_put, &st)) !=
		    DBX_OK) {
			s = odb_sqlerr(o->db, rc, err, "key check");
			goto fail;
		}
		dbx_bind_blob(st, 1, v,
		    (int)ODB_SEALED_LEN(sizeof(key_check_text) - 1));
		rc = dbx_step(st);
		dbx_finalize(st);
		if (rc != DBX_DONE) {
			s = odb_sqlerr(o->db, rc, err, "key check");
			goto fail;
		}
	}
	if ((s = meta_get(o->db, "seal_pending", v, sizeof(v), &n, &pending,
	    err)) != DS_OK)
		goto fail;
	if (pending && ((s = seal_legacy(o, &sealed, err)) != DS_OK ||
	    (s = odb_exec(o->db, "DELETE FROM meta WHERE k = 'seal_pending'",
	    err)) != DS_OK))
		goto fail;
	if ((s = dbx_commit(o->db, err)) != DS_OK)
		goto fail;
	/*
	 * The clear pages are overwritten (secure_delete) in the WAL; copy
	 * them home and empty the WAL.  A reader elsewhere may hold it back;
	 * the next checkpoint finishes the job.
	 */
	if (pending)
		(void)dbx_exec(o->db, "PRAGMA wal_checkpoint(TRUNCATE)",
		    NULL);
	return DS_OK;
fail:
	dbx_rollback(o->db);
	return s;
}

enum ds_status
odb_open(const char *path, const struct cry_office_sec *sec,
    struct odb **out, struct ds_err *err)
{
	struct odb_pg_info info;
	struct odb *o;
	struct dbx_stmt *st = NULL;
	enum ds_status s;
	int64_t appid, ver;
	int rc;

	*out = NULL;
	if (!dbx_is_url(path) && !ds_path_exists(path))
		return ds_err_set(err, DS_ENOENT, "office db %s does not exist",
		    path);
	if ((o = ds_calloc(1, sizeof(*o))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	if ((s = dbx_open(path, &o->db, err)) != DS_OK) {
		ds_err_prefix(err, "office db");
		goto fail;
	}
	if (odb_is_pg(o)) {
		if ((s = odb_pg_check(o->db, &info, err)) != DS_OK)
			goto fail;
		goto office;
	}
	if ((s = get_int(o->db, "PRAGMA application_id", &appid, err)) !=
	    DS_OK)
		goto fail;
	if (appid != ODB_APPLICATION_ID) {
		s = ds_err_set(err, DS_ECORRUPT,
		    "%s is not an office database", path);
		goto fail;
	}
	if ((s = configure(o->db, err)) != DS_OK)
		goto fail;
	if ((s = get_int(o->db, "PRAGMA user_version", &ver, err)) != DS_OK)
		goto fail;
	if (ver > schema_target || ver < 1) {
		s = ds_err_set(err, ver < 1 ? DS_ECORRUPT : DS_ESTATE,
		    "office db %s has schema version %lld, this program "
		    "knows %d", path, (long long)ver, schema_target);
		goto fail;
	}
	if (ver < schema_target &&
	    (s = migrate(o->db, ver, err)) != DS_OK)
		goto fail;
	o->revs = schema_target >= ODB_V_HEAD_REVS;
office:
	rc = dbx_prepare(o->db, "SELECT v FROM meta WHERE"
	    " k = 'office_id'", &st);
	if (rc != DBX_OK) {
		s = odb_sqlerr(o->db, rc, err, "meta");
		goto fail;
	}
	if ((rc = dbx_step(st)) != DBX_ROW && rc != DBX_DONE) {
		s = odb_sqlerr(o->db, rc, err, "meta");
		goto fail;
	}
	if (rc != DBX_ROW || dbx_column_bytes(st, 0) != 16) {
		s = odb_is_pg(o) ? ds_err_set(err, DS_ENOENT, "this township "
		    "has no office in the county database yet (init --db)") :
		    ds_err_set(err, DS_ECORRUPT, "office db %s has no office "
		    "id", path);
		goto fail;
	}
	memcpy(o->office_id, dbx_column_blob(st, 0), 16);
	dbx_finalize(st);
	st = NULL;
	if (sec != NULL && (s = key_setup(o, sec, path, err)) != DS_OK)
		goto fail;
	*out = o;
	return DS_OK;
fail:
	dbx_finalize(st);
	odb_close(o);
	return s;
}

enum ds_status
odb_open_county(const char *url, const char *township, struct odb **out,
    struct ds_err *err)
{
	struct odb_pg_info info;
	struct odb *o;
	enum ds_status s;

	*out = NULL;
	if (!dbx_is_url(url))
		return ds_err_set(err, DS_EINVAL, "not a postgresql:// URL");
	if ((o = ds_calloc(1, sizeof(*o))) == NULL)
		return ds_err_set(err, DS_ENOMEM, NULL);
	o->county = 1;
	o->county_all = township == NULL || *township == '\0';
	if ((s = dbx_open(url, &o->db, err)) != DS_OK) {
		ds_err_prefix(err, "office db");
		goto fail;
	}
	s = odb_pg_check(o->db, &info, err);
	if (s == DS_ESTATE && info.who == ODB_PG_COUNTY)
		s = DS_OK;
	else if (s == DS_OK)
		s = ds_err_set(err, DS_ESTATE, "role %s is a township's, not "
		    "the county's", info.role);
	if (s != DS_OK || (s = odb_pg_scope(o->db, township, err)) != DS_OK)
		goto fail;
	*out = o;
	return DS_OK;
fail:
	odb_close(o);
	return s;
}

int
odb_is_county(const struct odb *o)
{
	return o->county;
}

void
odb_close(struct odb *o)
{
	if (o == NULL)
		return;
	if (o->in_txn)
		dbx_rollback(o->db);
	odb_stmts_free(o);
	dbx_close(o->db);
	cry_secure_free(o->dkey);
	cry_secure_free(o->bkey);
	ds_free(o->sbuf);
	ds_free(o);
}

int
odb_is_pg(const struct odb *o)
{
	return dbx_engine(o->db) == DBX_PG;
}

const char *
odb_sql(const struct odb *o, const char *lite, const char *pg)
{
	return odb_is_pg(o) ? pg : lite;
}

void
odb_office_id(const struct odb *o, unsigned char out[16])
{
	memcpy(out, o->office_id, 16);
}

struct dbx_stmt *
odb_stmt(struct odb *o, const char *sql, struct ds_err *err)
{
	struct dbx_stmt *st;
	int i, rc;

	for (i = 0; i < o->nstmt; i++)
		if (o->stmt_sql[i] == sql) {
			dbx_reset(o->stmt[i]);
			dbx_clear(o->stmt[i]);
			return o->stmt[i];
		}
	if (o->nstmt == ODB_STMT_MAX) {
		ds_err_set(err, DS_ELIMIT, "office db: statement cache full");
		return NULL;
	}
	if ((rc = dbx_prepare(o->db, sql, &st)) != DBX_OK) {
		odb_sqlerr(o->db, rc, err, "prepare");
		return NULL;
	}
	o->stmt_sql[o->nstmt] = sql;
	o->stmt[o->nstmt++] = st;
	return st;
}

void
odb_stmts_free(struct odb *o)
{
	int i;

	for (i = 0; i < o->nstmt; i++)
		dbx_finalize(o->stmt[i]);
	o->nstmt = 0;
}
