/* doorstep: office.db's schema and migrations on PostgreSQL. */
/*
 * One county database holds every township's office data.  The tables are
 * those of SQLite schema version 6 (odb.c; version 2 here adds version
 * 6's attachments), each with two more leading
 * columns, county_code and township_code, filled by default from the
 * connected role (ds_role maps a role to its county and township) and
 * leading every primary and unique key.  Row-level security limits a
 * township role to its own rows, for reads and writes alike, whatever SQL
 * it sends; a county role (township '*') reads every township of its
 * county and writes none (a read policy and a write policy: version 3).
 * county_code is the distribution column a Citus cluster would shard on (docs/operations.md); no key or reference
 * crosses counties.
 *
 * Migrations are versioned in ds_schema and run by the database owner
 * (`doorstep-office dbsetup`), under an advisory lock, in one transaction.
 * A migration, once released, is never edited: a database it already ran
 * on would not see the edit (version 5 redoes what version 4 was changed
 * to do after its release).  t_pg migrates a populated version 3.
 */
#include "odb_int.h"

#include <stdio.h>
#include <string.h>

#define PG_T	"county_code, township_code"

/* Before the tables: the role map, the tenant functions, SQLite's hex(). */
static const char pg_pre[] =
	"CREATE TABLE ds_role("
	"  rolname name PRIMARY KEY,"
	"  county_code text NOT NULL CHECK(county_code <> '*'),"
	"  township_code text NOT NULL);"
	"GRANT SELECT ON ds_role TO PUBLIC;"
	/* Qualified, with their own search path: a temporary table named
	 * ds_role (pg_temp comes first) must not answer for the role. */
	"CREATE FUNCTION ds_county() RETURNS text LANGUAGE sql STABLE"
	"  SET search_path = pg_catalog, pg_temp AS 'SELECT county_code"
	"  FROM public.ds_role WHERE rolname = current_user';"
	"CREATE FUNCTION ds_township() RETURNS text LANGUAGE sql STABLE"
	"  SET search_path = pg_catalog, pg_temp AS 'SELECT township_code"
	"  FROM public.ds_role WHERE rolname = current_user';"
	"CREATE DOMAIN blob AS bytea;"
	"CREATE FUNCTION hex(bytea) RETURNS text LANGUAGE sql IMMUTABLE"
	"  STRICT AS 'SELECT upper(encode($1, ''hex''))';"
	"DO $$ BEGIN"
	"  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ds_office')"
	"  THEN CREATE ROLE ds_office NOLOGIN; END IF; END $$;";

/* After the tables: case events are append-only, as in SQLite. */
static const char pg_post[] =
	"CREATE FUNCTION ds_append_only() RETURNS trigger LANGUAGE plpgsql AS"
	"  'BEGIN RAISE EXCEPTION ''case events are append-only''"
	"  USING ERRCODE = ''23000''; END';"
	"CREATE TRIGGER case_event_no_change BEFORE UPDATE OR DELETE ON"
	"  case_event FOR EACH ROW EXECUTE FUNCTION ds_append_only();"
	"GRANT EXECUTE ON FUNCTION ds_county(), ds_township(), hex(bytea)"
	"  TO PUBLIC;"
	"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public"
	"  TO ds_office;"
	"REVOKE INSERT, UPDATE, DELETE ON ds_role FROM ds_office;"
	"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ds_office;";

/*
 * The policy of every table.  The role's codes are read once a query
 * (the subselects are init plans), not once a row.
 */
static const char pg_policy_fmt[] =
	"ALTER TABLE %s ENABLE ROW LEVEL SECURITY;"
	"ALTER TABLE %s FORCE ROW LEVEL SECURITY;"
	"CREATE POLICY township ON %s"
	"  USING (county_code = (SELECT ds_county()) AND"
	"  ((SELECT ds_township()) = '*' OR"
	"  township_code = (SELECT ds_township())))"
	"  WITH CHECK (county_code = (SELECT ds_county()) AND"
	"  township_code = (SELECT ds_township()));";

/* Generated from SQLite schema version 5 (the tables of odb.c). */
static const char *const pg_tables[] = {
	"CREATE TABLE meta(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), k text, v bytea NOT NULL, PRIMARY"
	" KEY(" PG_T ", k))",
	"CREATE TABLE device(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), device_id bytea CHECK(length(device_id) = 16),"
	" sign_pk bytea NOT NULL CHECK(length(sign_pk) = 32), state"
	" text NOT NULL CHECK(state IN ('pending', 'enrolled',"
	" 'revoked')), label text NOT NULL DEFAULT '', first_seen"
	" bigint NOT NULL, changed_at bigint NOT NULL, box_pk bytea"
	" CHECK(box_pk IS NULL OR length(box_pk) = 32), box_pk_at"
	" bigint, note_seq bigint NOT NULL DEFAULT 0, note_at bigint,"
	" PRIMARY KEY(" PG_T ", device_id))",
	"CREATE TABLE ledger(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), bundle_id bytea CHECK(length(bundle_id) = 16),"
	" bundle_hash bytea NOT NULL CHECK(length(bundle_hash) = 32),"
	" device_id bytea NOT NULL, seq_lo bigint NOT NULL, seq_hi"
	" bigint NOT NULL CHECK(seq_hi >= seq_lo), record_count bigint"
	" NOT NULL, status bigint NOT NULL, imported_at bigint NOT"
	" NULL, receipt bytea NOT NULL, db_uuid bytea CHECK(db_uuid IS"
	" NULL OR length(db_uuid) = 16), prev_hash bytea"
	" CHECK(prev_hash IS NULL OR length(prev_hash) = 32), PRIMARY"
	" KEY(" PG_T ", bundle_id))",
	"CREATE TABLE pending(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), bundle_id bytea CHECK(length(bundle_id) = 16),"
	" bundle_hash bytea NOT NULL CHECK(length(bundle_hash) = 32),"
	" device_id bytea NOT NULL, received_at bigint NOT NULL, bundle"
	" bytea NOT NULL, PRIMARY KEY(county_code, township_code,"
	" bundle_id))",
	"CREATE TABLE head(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), record_uuid bytea, rev_id bytea NOT NULL,"
	" rev_no bigint NOT NULL, household_key text NOT NULL, form_id"
	" text NOT NULL, deleted bigint NOT NULL, PRIMARY"
	" KEY(" PG_T ", record_uuid))",
	"CREATE TABLE fork(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), rev_a bytea NOT NULL, rev_b bytea NOT NULL"
	" CHECK(rev_a < rev_b), record_uuid bytea NOT NULL,"
	" parent_rev_id bytea, kind text NOT NULL CHECK(kind IN"
	" ('parallel', 'conflict')), questions text NOT NULL,"
	" detected_at bigint NOT NULL, resolved_at bigint, resolution"
	" text, PRIMARY KEY(" PG_T ", rev_a, rev_b))",
	"CREATE TABLE ackrange(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), device_id bytea NOT NULL, lo bigint NOT NULL"
	" CHECK(lo >= 1), hi bigint NOT NULL CHECK(hi >= lo), PRIMARY"
	" KEY(" PG_T ", device_id, lo))",
	"CREATE TABLE hh(county_code text NOT NULL DEFAULT ds_county(),"
	" township_code text NOT NULL DEFAULT ds_township(), hh_key"
	" text, township text NOT NULL DEFAULT '', village text NOT"
	" NULL DEFAULT '', vgroup text NOT NULL DEFAULT '', head_name"
	" bytea, head_id bytea, members bigint NOT NULL DEFAULT 0"
	" CHECK(members >= 0), in_register bigint NOT NULL DEFAULT 0"
	" CHECK(in_register IN (0, 1)), grid_worker text NOT NULL"
	" DEFAULT '', state text NOT NULL DEFAULT 'registered'"
	" CHECK(state IN ( 'registered', 'clue_open', 'ident',"
	" 'monitored', 'elim', 'eliminated')), track_step text NOT NULL"
	" DEFAULT '', category text NOT NULL DEFAULT '', ident_date"
	" text NOT NULL DEFAULT '', elim_date text NOT NULL DEFAULT '',"
	" elim_kind text NOT NULL DEFAULT '', track_since text NOT NULL"
	" DEFAULT '', light text NOT NULL DEFAULT '', light_month text"
	" NOT NULL DEFAULT '', created_at bigint NOT NULL, updated_at"
	" bigint NOT NULL, PRIMARY KEY(county_code, township_code,"
	" hh_key))",
	"CREATE TABLE person(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), idx bytea NOT NULL CHECK(length(idx) = 32),"
	" hh_key text NOT NULL, src text NOT NULL CHECK(src IN"
	" ('register', 'visit')), role text NOT NULL CHECK(role IN"
	" ('head', 'member')), PRIMARY KEY(county_code, township_code,"
	" idx, hh_key, src))",
	"CREATE TABLE clue(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), clue_id bytea CHECK(length(clue_id) = 16),"
	" channel text NOT NULL CHECK(channel IN ( 'self_report',"
	" 'cadre_screening', 'dept_warning')), source text NOT NULL"
	" DEFAULT '', hh_key text, ambiguous bigint NOT NULL DEFAULT 0,"
	" id_idx bytea CHECK(id_idx IS NULL OR length(id_idx) = 32),"
	" id_no bytea, name bytea, reason bytea, amount bytea, date"
	" text NOT NULL, received_at bigint NOT NULL, state text NOT"
	" NULL DEFAULT 'open' CHECK(state IN ('open', 'closed')),"
	" closed_rev bytea, closed_at bigint, batch bytea, PRIMARY"
	" KEY(" PG_T ", clue_id))",
	"CREATE TABLE visit(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), rev_id bytea NOT NULL CHECK(length(rev_id) ="
	" 16), record_uuid bytea NOT NULL CHECK(length(record_uuid) ="
	" 16), hh_key text NOT NULL, device_id bytea NOT NULL,"
	" worker_id text NOT NULL, visit_date text NOT NULL DEFAULT '',"
	" visit_type text NOT NULL DEFAULT '', reason text NOT NULL"
	" DEFAULT '', entry_id bytea, corrects bytea, consent text NOT"
	" NULL DEFAULT '' CHECK(consent IN ('', 'yes', 'no',"
	" 'on_file')), outcome text NOT NULL DEFAULT 'done'"
	" CHECK(outcome IN ('done', 'refused', 'not_reached')),"
	" finalized bigint NOT NULL CHECK(finalized IN (0, 1)),"
	" finalized_at bigint, proposes text NOT NULL DEFAULT '', light"
	" text NOT NULL DEFAULT '', light_set bytea, imported_at bigint"
	" NOT NULL DEFAULT 0, UNIQUE(county_code, township_code,"
	" rev_id), PRIMARY KEY(" PG_T ", hh_key,"
	" visit_date, rev_id))",
	"CREATE TABLE case_event(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), event_id bytea NOT NULL CHECK(length(event_id)"
	" = 16), hh_key text NOT NULL, seq bigint NOT NULL CHECK(seq >="
	" 1), track text NOT NULL CHECK(track IN ('ident', 'elim',"
	" 'case')), step text NOT NULL, outcome text NOT NULL DEFAULT"
	" '', date text NOT NULL, date_end text NOT NULL DEFAULT '',"
	" objections bigint NOT NULL DEFAULT 0, category text NOT NULL"
	" DEFAULT '', elim_kind text NOT NULL DEFAULT '', channel text"
	" NOT NULL DEFAULT '', detail text NOT NULL DEFAULT '', ref"
	" bytea, by_name bytea, note bytea, corrects bytea"
	" CHECK(corrects IS NULL OR length(corrects) = 16), source text"
	" NOT NULL DEFAULT 'cli', recorded_at bigint NOT NULL,"
	" UNIQUE(" PG_T ", event_id), PRIMARY"
	" KEY(" PG_T ", hh_key, seq))",
	"CREATE TABLE measure(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), measure_id bytea CHECK(length(measure_id) ="
	" 16), hh_key text NOT NULL, type text NOT NULL CHECK(type IN"
	" ('industry', 'job', 'finance', 'health', 'education',"
	" 'assist', 'allowance', 'housing', 'water', 'social')), dept"
	" text NOT NULL DEFAULT '', start_date text NOT NULL DEFAULT"
	" '', amount bytea, unit text NOT NULL DEFAULT '', status text"
	" NOT NULL CHECK(status IN ('planned', 'in_progress', 'done',"
	" 'stopped')), note bytea, source text NOT NULL CHECK(source IN"
	" ('office', 'visit')), source_rev bytea, created_at bigint NOT"
	" NULL, updated_at bigint NOT NULL, PRIMARY KEY(county_code,"
	" township_code, measure_id))",
	"CREATE TABLE income_check(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), hh_key text NOT NULL, month text NOT NULL,"
	" light text NOT NULL DEFAULT '', amount bytea, batch bytea,"
	" PRIMARY KEY(" PG_T ", hh_key, month))",
	"CREATE TABLE problem(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), problem_id bytea CHECK(length(problem_id) ="
	" 16), kind text NOT NULL, hh_key text NOT NULL DEFAULT '',"
	" record_uuid bytea, path text NOT NULL DEFAULT '', first_seen"
	" bigint NOT NULL, last_seen bigint NOT NULL, closed_at bigint,"
	" closed_by bytea, detail bytea, note bytea, PRIMARY"
	" KEY(" PG_T ", problem_id))",
	"CREATE TABLE \"freeze\"(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), month text, frozen_at bigint NOT NULL, cutoff"
	" text NOT NULL, csv_hash bytea NOT NULL CHECK(length(csv_hash)"
	" = 32), csv bytea NOT NULL, PRIMARY KEY(county_code,"
	" township_code, month))",
	"CREATE TABLE round(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), name text, started text NOT NULL, due text NOT"
	" NULL DEFAULT '', scope text NOT NULL DEFAULT '', created_at"
	" bigint NOT NULL, PRIMARY KEY(county_code, township_code,"
	" name))",
	"CREATE TABLE entry(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), entry_id bytea CHECK(length(entry_id) = 16),"
	" hh_key text NOT NULL, device_id bytea NOT NULL"
	" CHECK(length(device_id) = 16), worker text NOT NULL DEFAULT"
	" '', reason text NOT NULL CHECK(reason IN ('clue', 'routine',"
	" 'followup', 'elim_check', 'lookback', 'annual', 'correction',"
	" 'screening')), due text NOT NULL, clue_id bytea, round text,"
	" form_id text NOT NULL, form_ver text NOT NULL, body bytea NOT"
	" NULL, state text NOT NULL CHECK(state IN ('queued', 'sent',"
	" 'applied', 'done', 'withdrawn')), created_at bigint NOT NULL,"
	" ob_seq bigint, applied_at bigint, done_rev bytea, done_at"
	" bigint, withdrawn_at bigint, PRIMARY KEY(county_code,"
	" township_code, entry_id))",
	"CREATE TABLE obundle(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), device_id bytea NOT NULL"
	" CHECK(length(device_id) = 16), seq bigint NOT NULL CHECK(seq"
	" >= 1), bundle_id bytea NOT NULL CHECK(length(bundle_id) ="
	" 16), hash bytea NOT NULL CHECK(length(hash) = 32), created_at"
	" bigint NOT NULL, n_entries bigint NOT NULL, n_withdrawals"
	" bigint NOT NULL, n_files bigint NOT NULL, bytes bytea NOT"
	" NULL, applied_at bigint, UNIQUE(county_code, township_code,"
	" bundle_id), PRIMARY KEY(county_code, township_code,"
	" device_id, seq))",
	"CREATE TABLE ob_item(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), device_id bytea NOT NULL"
	" CHECK(length(device_id) = 16), kind text NOT NULL CHECK(kind"
	" IN ('entry', 'withdraw', 'form')), ref bytea NOT NULL,"
	" queued_at bigint NOT NULL, seq bigint, PRIMARY"
	" KEY(" PG_T ", device_id, kind, ref))",
	"CREATE TABLE form_pub(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), form_id text NOT NULL, version text NOT NULL,"
	" title text NOT NULL DEFAULT '', published_at bigint NOT NULL,"
	" PRIMARY KEY(" PG_T ", form_id, version))",
	"CREATE TABLE form_file(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), form_id text NOT NULL, version text NOT NULL,"
	" name text NOT NULL, role text NOT NULL CHECK(role IN ('form',"
	" 'list')), bytes bytea NOT NULL, PRIMARY KEY(county_code,"
	" township_code, form_id, version, name), FOREIGN"
	" KEY(" PG_T ", form_id, version) REFERENCES"
	" form_pub(" PG_T ", form_id, version))",
	"CREATE TABLE alert(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), id bigint GENERATED BY DEFAULT AS IDENTITY,"
	" device_id bytea NOT NULL CHECK(length(device_id) = 16), kind"
	" text NOT NULL CHECK(kind IN ('rollback', 'new_db', 'box_key',"
	" 'competing_key', 'quota')), bundle_id bytea NOT NULL, detail"
	" text NOT NULL, at bigint NOT NULL, PRIMARY KEY(county_code,"
	" township_code, id), UNIQUE(county_code, township_code,"
	" bundle_id, kind))",
	"CREATE TABLE revision(county_code text NOT NULL DEFAULT"
	" ds_county(), township_code text NOT NULL DEFAULT"
	" ds_township(), id bigint GENERATED BY DEFAULT AS IDENTITY,"
	" rev_id bytea NOT NULL CHECK(length(rev_id) = 16), record_uuid"
	" bytea NOT NULL CHECK(length(record_uuid) = 16), parent_rev_id"
	" bytea CHECK(parent_rev_id IS NULL OR length(parent_rev_id) ="
	" 16), rev_no bigint NOT NULL CHECK(rev_no >= 1), household_key"
	" text NOT NULL, form_id text NOT NULL, form_ver text NOT NULL,"
	" device_id bytea NOT NULL, device_seq bigint NOT NULL,"
	" worker_id text NOT NULL, t_start bigint NOT NULL, t_end"
	" bigint NOT NULL, saved_at bigint NOT NULL, deleted bigint NOT"
	" NULL CHECK(deleted IN (0, 1)), answers bytea NOT NULL, audit"
	" bytea NOT NULL, consent bytea NOT NULL, bundle_id bytea NOT"
	" NULL, held bigint NOT NULL DEFAULT 0 CHECK(held IN (0, 1)),"
	" held_at bigint, PRIMARY KEY(" PG_T ", id),"
	" UNIQUE(" PG_T ", rev_id))",
	"CREATE INDEX hh_village ON hh(county_code, township_code,"
	" township, village, vgroup)",
	"CREATE INDEX hh_state ON hh(" PG_T ", state)",
	"CREATE INDEX person_hh ON person(county_code, township_code,"
	" hh_key)",
	"CREATE INDEX clue_hh ON clue(county_code, township_code,"
	" hh_key, state)",
	"CREATE INDEX clue_idx ON clue(county_code, township_code,"
	" id_idx) WHERE hh_key IS NULL",
	"CREATE INDEX visit_date ON visit(county_code, township_code,"
	" visit_date)",
	"CREATE INDEX visit_record ON visit(county_code, township_code,"
	" record_uuid)",
	"CREATE INDEX visit_entry ON visit(county_code, township_code,"
	" entry_id) WHERE entry_id IS NOT NULL",
	"CREATE INDEX case_event_date ON case_event(county_code,"
	" township_code, track, step, date)",
	"CREATE INDEX measure_hh ON measure(county_code, township_code,"
	" hh_key, type)",
	"CREATE INDEX problem_hh ON problem(county_code, township_code,"
	" hh_key)",
	"CREATE INDEX entry_hh ON entry(county_code, township_code,"
	" hh_key, state)",
	"CREATE INDEX entry_device ON entry(county_code, township_code,"
	" device_id, state)",
	"CREATE INDEX revision_record ON revision(county_code,"
	" township_code, record_uuid, parent_rev_id)",
	"CREATE INDEX revision_household ON revision(county_code,"
	" township_code, household_key)",
	"CREATE INDEX revision_held ON revision(county_code,"
	" township_code, parent_rev_id) WHERE held = 1",
	"CREATE INDEX revision_devseq ON revision(county_code,"
	" township_code, device_id, device_seq)",
	NULL
};
static const char *const pg_table_names[] = {
	"meta", "device", "ledger", "pending", "head", "fork", "ackrange",
	"hh", "person", "clue", "visit", "case_event", "measure",
	"income_check", "problem", "\"freeze\"", "round", "entry", "obundle",
	"ob_item", "form_pub", "form_file", "alert", "revision", NULL
};

/*
 * Version 3: the county reads only.  A FOR ALL policy reading '*' let the
 * county role write every township's rows; reads and writes now have a
 * policy each.  Township roles wrote ds_schema (granted with the tables)
 * and every role read ds_role.
 */
static const char pg_policy3_fmt[] =
	"DROP POLICY township ON %s;"
	"CREATE POLICY county_read ON %s FOR SELECT"
	"  USING (county_code = (SELECT ds_county()) AND"
	"  ((SELECT ds_township()) = '*' OR"
	"  township_code = (SELECT ds_township())));"
	"CREATE POLICY township_write ON %s"
	"  USING (county_code = (SELECT ds_county()) AND"
	"  (SELECT ds_township()) <> '*' AND"
	"  township_code = (SELECT ds_township()))"
	"  WITH CHECK (county_code = (SELECT ds_county()) AND"
	"  (SELECT ds_township()) <> '*' AND"
	"  township_code = (SELECT ds_township()));";

static const char pg_grants3[] =
	"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ds_schema FROM ds_office;"
	"REVOKE SELECT ON ds_role FROM PUBLIC;"
	"GRANT SELECT ON ds_role TO ds_office;";

/*
 * Version 4: speed at a county's size (docs/performance.md).  The tenant
 * functions were SQL functions with their own search path, parsed and
 * planned at every call (several calls a statement: defaults, policies);
 * in PL/pgSQL their plan is kept for the session.  Every name and
 * operator is qualified, so no search path (pg_temp first, or a schema the
 * role writes) can answer for them.  The read policy's "township is mine
 * OR I am the county" could not use an index on the township column: a
 * look-up by household key scanned every row of the county.  It now reads
 * township_code = ANY(ds_reads()): the role's own township, or for the
 * county role every township ds_role lists in its county, or the one its
 * session setting ds.scope names (a setting only narrows: the county code
 * still holds).  The write policy (FOR ALL) is split into INSERT, UPDATE
 * and DELETE, so a read has that one policy and no OR of two: every part
 * of it is an index condition.
 */
#define PG_TENANT_FN(name, col) \
	"CREATE OR REPLACE FUNCTION " name "() RETURNS text LANGUAGE plpgsql" \
	"  STABLE AS 'BEGIN RETURN (SELECT " col " FROM public.ds_role" \
	"  WHERE rolname OPERATOR(pg_catalog.=) current_user); END';"

static const char pg_fn4[] =
	PG_TENANT_FN("ds_county", "county_code")
	PG_TENANT_FN("ds_township", "township_code")
	"CREATE FUNCTION ds_reads() RETURNS text[] LANGUAGE plpgsql STABLE AS"
	"  'DECLARE c text; t text; BEGIN"
	"  SELECT county_code, township_code INTO c, t FROM public.ds_role"
	"  WHERE rolname OPERATOR(pg_catalog.=) current_user;"
	"  IF t OPERATOR(pg_catalog.<>) ''*'' THEN RETURN ARRAY[t]; END IF;"
	"  t := pg_catalog.current_setting(''ds.scope'', true);"
	"  IF t OPERATOR(pg_catalog.<>) '''' THEN RETURN ARRAY[t]; END IF;"
	"  RETURN ARRAY(SELECT DISTINCT township_code FROM public.ds_role"
	"  WHERE county_code OPERATOR(pg_catalog.=) c AND"
	"  township_code OPERATOR(pg_catalog.<>) ''*''); END';"
	"GRANT EXECUTE ON FUNCTION ds_reads() TO PUBLIC;";

/* The write policy's condition (version 3's). */
#define PG_MINE4 \
	"(county_code = (SELECT ds_county()) AND" \
	"  (SELECT ds_township()) <> '*' AND" \
	"  township_code = (SELECT ds_township()))"

static const char pg_policy4_fmt[] =
	"DROP POLICY county_read ON %s;"
	"CREATE POLICY county_read ON %s FOR SELECT"
	"  USING (county_code = (SELECT ds_county()) AND"
	"  township_code = ANY ((SELECT ds_reads())::text[]));"
	"DROP POLICY township_write ON %s;"
	"CREATE POLICY township_insert ON %s FOR INSERT"
	"  WITH CHECK " PG_MINE4 ";"
	"CREATE POLICY township_update ON %s FOR UPDATE"
	"  USING " PG_MINE4 " WITH CHECK " PG_MINE4 ";"
	"CREATE POLICY township_delete ON %s FOR DELETE"
	"  USING " PG_MINE4 ";";

/*
 * Version 5: version 4's tenant functions named their tables and
 * operators in full but not their types: ds_reads declared `text`
 * variables, which the caller's search path resolves when PL/pgSQL
 * compiles the function in its session.  pg_temp comes first in it for
 * types, so any role could create a domain pg_temp.text over "char" and
 * make ds_reads return the first digit of its township: the read policy
 * then saw none of its rows (t_pg).  Every name in the bodies is now
 * schema-qualified, types included, and so is hex()'s, whose SQL body is
 * parsed where it is inlined.  Not a pinned search path (SET on the
 * function): the defaults call ds_county() and ds_township() for every
 * row inserted, and a SET costs each call a configuration change.  They
 * are created by their public name, not wherever the owner's search path
 * would put them: the policies call the public ones.
 */
#define PG_TENANT_FN5(name, col) \
	"CREATE OR REPLACE FUNCTION public." name "()" \
	"  RETURNS pg_catalog.text" \
	"  LANGUAGE plpgsql STABLE AS 'BEGIN RETURN (SELECT " col \
	"  FROM public.ds_role WHERE rolname OPERATOR(pg_catalog.=)" \
	"  current_user); END';"

static const char pg_fn5[] =
	PG_TENANT_FN5("ds_county", "county_code")
	PG_TENANT_FN5("ds_township", "township_code")
	"CREATE OR REPLACE FUNCTION public.ds_reads()"
	"  RETURNS pg_catalog.text[]"
	"  LANGUAGE plpgsql STABLE AS"
	"  'DECLARE c pg_catalog.text; t pg_catalog.text; BEGIN"
	"  SELECT county_code, township_code INTO c, t FROM public.ds_role"
	"  WHERE rolname OPERATOR(pg_catalog.=) current_user;"
	"  IF t OPERATOR(pg_catalog.<>) ''*''::pg_catalog.text"
	"  THEN RETURN ARRAY[t]; END IF;"
	"  t := pg_catalog.current_setting(''ds.scope''::pg_catalog.text,"
	"  true);"
	"  IF t OPERATOR(pg_catalog.<>) ''''::pg_catalog.text"
	"  THEN RETURN ARRAY[t]; END IF;"
	"  RETURN ARRAY(SELECT DISTINCT township_code FROM public.ds_role"
	"  WHERE county_code OPERATOR(pg_catalog.=) c AND"
	"  township_code OPERATOR(pg_catalog.<>) ''*''::pg_catalog.text);"
	"  END';"
	"CREATE OR REPLACE FUNCTION public.hex(bytea)"
	"  RETURNS pg_catalog.text"
	"  LANGUAGE sql IMMUTABLE STRICT AS 'SELECT pg_catalog.upper("
	"  pg_catalog.encode($1, ''hex''::pg_catalog.text))';";

/*
 * Version 6: what an importer needs beyond the tables.  A township role
 * stages a bundle's rows in a temporary table (odb_pg_imp.c): ds_office
 * may create them, whatever PUBLIC may.  And the planner needs the
 * tables' statistics from the first bundles on: without them every
 * look-up took the township for a few rows and probed the wrong index
 * (reading every row of the township), until autovacuum came by.  Only
 * the owner may ANALYZE; ds_analyze() does it, as the owner, for each
 * table that has doubled in pages since its last statistics (or reached
 * PG_ANALYZE_PAGES with none): a few times in a table's life, each
 * bounded by ANALYZE's sample.  SKIP_LOCKED: a table another session
 * analyzes is left to it.  Its search path is pinned (it runs as the
 * owner) and it takes no argument.
 */
#define PG_ANALYZE_PAGES	"16"
static const char pg_v6_sql[] =
	"DO $$ BEGIN EXECUTE pg_catalog.format("
	"  'GRANT TEMPORARY ON DATABASE %I TO ds_office',"
	"  pg_catalog.current_database());"
	"  IF NOT pg_catalog.has_database_privilege('ds_office',"
	"  pg_catalog.current_database(), 'TEMPORARY') THEN"
	"  RAISE EXCEPTION 'ds_office may not create temporary tables"
	"  (dbsetup must run as the database''s owner)'; END IF; END $$;"
	"CREATE FUNCTION public.ds_analyze() RETURNS pg_catalog.int4"
	"  LANGUAGE plpgsql SECURITY DEFINER"
	"  SET search_path = pg_catalog, pg_temp AS $$"
	"  DECLARE t pg_catalog.regclass; n pg_catalog.int4 := 0; BEGIN"
	"  FOR t IN SELECT c.oid FROM pg_catalog.pg_class c"
	"  JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace"
	"  WHERE s.nspname = 'public' AND c.relkind = 'r' AND"
	"  c.relrowsecurity AND c.relowner = current_user::pg_catalog.regrole"
	"  AND pg_catalog.pg_relation_size(c.oid) >="
	"  pg_catalog.current_setting('block_size')::pg_catalog.int8 *"
	"  GREATEST(2 * c.relpages, " PG_ANALYZE_PAGES ")"
	"  ORDER BY c.oid LOOP"
	"  EXECUTE pg_catalog.format('ANALYZE (SKIP_LOCKED) %s', t);"
	"  n := n + 1; END LOOP; RETURN n; END $$;"
	"REVOKE ALL ON FUNCTION public.ds_analyze() FROM PUBLIC;"
	"GRANT EXECUTE ON FUNCTION public.ds_analyze() TO ds_office;";

#define PG_VERSION	6
/* The advisory lock key of migrations: "DSOF" as in odb.h. */
#define PG_LOCK_SETUP	"1146310470"

static enum ds_status
exec_each(struct dbx *db, const char *const *sql, struct ds_err *err)
{
	enum ds_status s;

	for (; *sql != NULL; sql++)
		if ((s = dbx_exec(db, *sql, err)) != DS_OK)
			return s;
	return DS_OK;
}

/* Version 1: the tables of SQLite version 5, keyed and guarded by tenant. */
static enum ds_status
pg_v1(struct dbx *db, struct ds_err *err)
{
	char q[1024];
	enum ds_status s;
	int i;

	if ((s = dbx_exec(db, pg_pre, err)) != DS_OK ||
	    (s = exec_each(db, pg_tables, err)) != DS_OK)
		return s;
	for (i = 0; pg_table_names[i] != NULL; i++) {
		if ((size_t)snprintf(q, sizeof(q), pg_policy_fmt,
		    pg_table_names[i], pg_table_names[i], pg_table_names[i]) >=
		    sizeof(q))
			return ds_err_set(err, DS_ELIMIT, "policy too long");
		if ((s = dbx_exec(db, q, err)) != DS_OK)
			return s;
	}
	return dbx_exec(db, pg_post, err);
}

/* Version 2: attachments, as SQLite version 6 (odb_attach.c). */
static enum ds_status
pg_v2(struct dbx *db, struct ds_err *err)
{
	char q[1024];
	enum ds_status s;

	if ((s = dbx_exec(db, "CREATE TABLE attachment(county_code text NOT"
	    " NULL DEFAULT ds_county(), township_code text NOT NULL DEFAULT"
	    " ds_township(), record_uuid bytea NOT NULL CHECK("
	    "length(record_uuid) = 16), name text NOT NULL, rev_id bytea NOT"
	    " NULL CHECK(length(rev_id) = 16), size bigint NOT NULL, data"
	    " bytea NOT NULL, PRIMARY KEY(" PG_T ", record_uuid, name));"
	    "GRANT SELECT, INSERT, UPDATE, DELETE ON attachment TO ds_office",
	    err)) != DS_OK)
		return s;
	if ((size_t)snprintf(q, sizeof(q), pg_policy_fmt, "attachment",
	    "attachment", "attachment") >= sizeof(q))
		return ds_err_set(err, DS_ELIMIT, "policy too long");
	return dbx_exec(db, q, err);
}

static enum ds_status
pg_policy3(struct dbx *db, const char *t, struct ds_err *err)
{
	char q[1024];

	if ((size_t)snprintf(q, sizeof(q), pg_policy3_fmt, t, t, t) >=
	    sizeof(q))
		return ds_err_set(err, DS_ELIMIT, "policy too long");
	return dbx_exec(db, q, err);
}

/* Version 3: a read policy and a write policy; grants narrowed. */
static enum ds_status
pg_v3(struct dbx *db, struct ds_err *err)
{
	enum ds_status s;
	int i;

	for (i = 0; pg_table_names[i] != NULL; i++)
		if ((s = pg_policy3(db, pg_table_names[i], err)) != DS_OK)
			return s;
	if ((s = pg_policy3(db, "attachment", err)) != DS_OK)
		return s;
	return dbx_exec(db, pg_grants3, err);
}

static enum ds_status
pg_read4(struct dbx *db, const char *t, struct ds_err *err)
{
	char q[2048];

	if ((size_t)snprintf(q, sizeof(q), pg_policy4_fmt, t, t, t, t, t,
	    t) >= sizeof(q))
		return ds_err_set(err, DS_ELIMIT, "policy too long");
	return dbx_exec(db, q, err);
}

/* Version 4: cached tenant functions, an indexable read policy. */
static enum ds_status
pg_v4(struct dbx *db, struct ds_err *err)
{
	enum ds_status s;
	int i;

	if ((s = dbx_exec(db, pg_fn4, err)) != DS_OK)
		return s;
	for (i = 0; pg_table_names[i] != NULL; i++)
		if ((s = pg_read4(db, pg_table_names[i], err)) != DS_OK)
			return s;
	return pg_read4(db, "attachment", err);
}

/* Version 5: every name in the functions' bodies qualified. */
static enum ds_status
pg_v5(struct dbx *db, struct ds_err *err)
{
	return dbx_exec(db, pg_fn5, err);
}

/* Version 6: temporary tables for ds_office, statistics on the way. */
static enum ds_status
pg_v6(struct dbx *db, struct ds_err *err)
{
	return dbx_exec(db, pg_v6_sql, err);
}

static enum ds_status (*const pg_migrations[PG_VERSION])(struct dbx *,
    struct ds_err *) = {
	pg_v1,
	pg_v2,
	pg_v3,
	pg_v4,
	pg_v5,
	pg_v6,
};

/* The schema version, or 0 when the database has none yet. */
static enum ds_status
pg_version(struct dbx *db, int64_t *v, struct ds_err *err)
{
	struct dbx_stmt *st;
	int rc;

	*v = 0;
	if (dbx_prepare(db, "SELECT version FROM ds_schema", &st) != DBX_OK)
		return odb_sqlerr(db, DBX_ERROR, err, "schema version");
	if ((rc = dbx_step(st)) == DBX_ROW)
		*v = dbx_column_int64(st, 0);
	dbx_finalize(st);
	if (rc != DBX_ROW && rc != DBX_DONE)
		return odb_sqlerr(db, rc, err, "schema version");
	return DS_OK;
}

enum ds_status
odb_pg_setup(const char *url, int upto, int *from, int *to,
    struct ds_err *err)
{
	struct dbx *db;
	enum ds_status s;
	char q[96];
	int64_t v;

	*from = *to = 0;
	if (upto <= 0 || upto > PG_VERSION)
		upto = PG_VERSION;
	if ((s = dbx_open(url, &db, err)) != DS_OK)
		return s;
	if (dbx_engine(db) != DBX_PG) {
		dbx_close(db);
		return ds_err_set(err, DS_EINVAL, "not a postgresql:// URL");
	}
	/* One setup at a time; a second one finds the work done. */
	if ((s = dbx_begin(db, err)) != DS_OK ||
	    (s = dbx_exec(db, "SELECT pg_advisory_xact_lock(" PG_LOCK_SETUP
	    ");"
	    "CREATE TABLE IF NOT EXISTS ds_schema(one int PRIMARY KEY"
	    "  DEFAULT 1 CHECK(one = 1), version int NOT NULL);"
	    "GRANT SELECT ON ds_schema TO PUBLIC;"
	    "INSERT INTO ds_schema(version) VALUES (0) ON CONFLICT DO NOTHING",
	    err)) != DS_OK || (s = pg_version(db, &v, err)) != DS_OK)
		goto fail;
	*from = *to = (int)v;
	if (v > PG_VERSION) {
		s = ds_err_set(err, DS_ESTATE, "database schema version %lld, "
		    "this program knows %d", (long long)v, PG_VERSION);
		goto fail;
	}
	for (; v < upto; v++)
		if ((s = pg_migrations[v](db, err)) != DS_OK) {
			ds_err_prefix(err, "migration to version %lld",
			    (long long)v + 1);
			goto fail;
		}
	snprintf(q, sizeof(q), "UPDATE ds_schema SET version = %lld",
	    (long long)v);
	if ((s = dbx_exec(db, q, err)) != DS_OK ||
	    (s = dbx_commit(db, err)) != DS_OK)
		goto out;
	*to = (int)v;
	goto out;
fail:
	dbx_rollback(db);
out:
	dbx_close(db);
	return s;
}

/* Copy column i of st (text, or "" for NULL) into out. */
static void
pg_text(struct dbx_stmt *st, int i, char *out, size_t n)
{
	const unsigned char *t = dbx_column_text(st, i);

	snprintf(out, n, "%s", t != NULL ? (const char *)t : "");
}

enum ds_status
odb_pg_check(struct dbx *db, struct odb_pg_info *info, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s;
	int64_t v;
	int rc;

	memset(info, 0, sizeof(*info));
	info->known = PG_VERSION;
	if (pg_version(db, &v, err) != DS_OK) {
		/* No ds_schema, or unreadable: err keeps the server's words. */
		info->who = ODB_PG_NO_SCHEMA;
		ds_err_prefix(err, "the county database is not set up");
		if (err != NULL)
			err->code = DS_ESTATE;
		return DS_ESTATE;
	}
	info->version = (int)v;
	if (v != PG_VERSION) {
		info->who = ODB_PG_OLD_SCHEMA;
		return ds_err_set(err, DS_ESTATE, "the county database has "
		    "schema version %lld, this program knows %d",
		    (long long)v, PG_VERSION);
	}
	if (dbx_prepare(db, "SELECT ds_county(), ds_township(), current_user",
	    &st) != DBX_OK)
		return odb_sqlerr(db, DBX_ERROR, err, "role");
	if ((rc = dbx_step(st)) != DBX_ROW) {
		s = odb_sqlerr(db, rc, err, "role");
		dbx_finalize(st);
		return s;
	}
	pg_text(st, 0, info->county, sizeof(info->county));
	pg_text(st, 1, info->township, sizeof(info->township));
	pg_text(st, 2, info->role, sizeof(info->role));
	if (dbx_column_type(st, 1) == DBX_NULL)
		info->who = ODB_PG_NO_ROLE;
	else if (strcmp(info->township, "*") == 0)
		info->who = ODB_PG_COUNTY;
	else
		info->who = ODB_PG_TOWNSHIP;
	dbx_finalize(st);
	if (info->who != ODB_PG_TOWNSHIP)
		return ds_err_set(err, DS_ESTATE, "role %s is not a township's "
		    "role in this county database (ds_role)", info->role);
	return DS_OK;
}

enum ds_status
odb_pg_probe(const char *url, struct odb_pg_info *info, struct ds_err *err)
{
	struct dbx *db;
	enum ds_status s;

	memset(info, 0, sizeof(*info));
	if ((s = dbx_open(url, &db, err)) != DS_OK)
		return s;
	if (dbx_engine(db) != DBX_PG) {
		dbx_close(db);
		return ds_err_set(err, DS_EINVAL, "not a postgresql:// URL");
	}
	s = odb_pg_check(db, info, err);
	dbx_close(db);
	/* A role or schema that is not a township's is a fact, not a fault. */
	return s == DS_ESTATE && info->who != 0 ? DS_OK : s;
}

enum ds_status
odb_pg_scope(struct dbx *db, const char *township, struct ds_err *err)
{
	struct dbx_stmt *st;
	enum ds_status s = DS_OK;
	int rc;

	if (township == NULL)
		township = "";
	if (*township != '\0') {
		if ((rc = dbx_prepare(db, "SELECT 1 FROM ds_role WHERE"
		    " county_code = ds_county() AND township_code = ?1",
		    &st)) != DBX_OK)
			return odb_sqlerr(db, rc, err, "township");
		dbx_bind_text(st, 1, township, -1);
		rc = dbx_step(st);
		dbx_finalize(st);
		if (rc == DBX_DONE)
			return ds_err_set(err, DS_ENOENT, "no township %s in "
			    "this county", township);
		if (rc != DBX_ROW)
			return odb_sqlerr(db, rc, err, "township");
	}
	if ((rc = dbx_prepare(db, "SELECT set_config('ds.scope', ?1, false)",
	    &st)) != DBX_OK)
		return odb_sqlerr(db, rc, err, "scope");
	dbx_bind_text(st, 1, township, -1);
	if ((rc = dbx_step(st)) != DBX_ROW)
		s = odb_sqlerr(db, rc, err, "scope");
	dbx_finalize(st);
	return s;
}

enum ds_status
odb_pg_lock(struct dbx *db, struct ds_err *err)
{
	/* One writer per township, as BEGIN IMMEDIATE is one per file. */
	return dbx_exec(db, "SELECT pg_advisory_xact_lock(hashtextextended("
	    "ds_county() || '/' || ds_township(), 0))", err);
}
