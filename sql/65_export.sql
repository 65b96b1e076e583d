-- autoxfer.export: only what may go, counted and logged in the caller's
-- transaction; thresholds across the batch; bad input; the exporter's
-- other paths to the ledger closed.
SET search_path = public, autoxfer;
-- terse: the NOTICEs of exports carry a random decision id in their DETAIL
\set VERBOSITY terse
\set SHOW_CONTEXT never
\getenv abs_srcdir PG_ABS_SRCDIR
\set helper :abs_srcdir '/sql/include/try_detail.sql'
\i :helper

SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('analytics', 'Fleet quality analytics at the group''s R&D centre');
SELECT register_recipient('acme-de', 'DE'), register_recipient('beta-us', 'US');
CREATE ROLE ax_etl IN ROLE autoxfer_exporter;
CREATE ROLE ax_other;

-- a fleet: general rows, personal rows (owner), sensitive rows (owner with a
-- location), important rows (a face, not anonymised), and rows with a phone
-- number but no owner (personal, but no individual to count)
CREATE TABLE trips (id int PRIMARY KEY, owner_id text, phone text, lat float8, lon float8, face boolean);
SELECT declare_column('trips', 'phone', 'personal'), declare_column('trips', 'lat', 'latitude'),
	   declare_column('trips', 'lon', 'longitude'), declare_column('trips', 'face', 'faces_visible');
SELECT protect('trips', 'connected_operation', 'owner_id');
INSERT INTO trips
SELECT g,
	   CASE WHEN g % 10 IN (0, 9) THEN NULL ELSE 'U' || (g % 40) END,
	   CASE WHEN g % 10 = 9 THEN '+86 138 0000 ' || g END,
	   CASE WHEN g % 7 = 0 THEN 31.2 END, CASE WHEN g % 7 = 0 THEN 121.5 END,
	   g % 13 = 0
FROM generate_series(1, 200) g;
SELECT category(xfer_label) AS category, count(*) AS rows, count(DISTINCT owner_id) AS owners
FROM trips GROUP BY 1 ORDER BY 1;
GRANT SELECT ON trips TO ax_etl;
CREATE TABLE secret_regions (region int);
CREATE SEQUENCE counter;
GRANT USAGE ON SEQUENCE counter TO ax_etl;
CREATE TABLE untouched (id int);

-- the exporter's first export: general data and personal data under the
-- small-volume exemption go; sensitive and important data do not; the
-- phone-only rows cannot be counted and are withheld
SET ROLE ax_etl;
SELECT count(*) AS exported, count(*) FILTER (WHERE category(xfer_label) = 'general') AS general,
	   count(*) FILTER (WHERE category(xfer_label) = 'personal') AS personal,
	   count(DISTINCT owner_id) AS owners
FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics');
RESET ROLE;
-- by hand: rows with an owner, no location, no face: personal; their
-- distinct owners are this year's new individuals
SELECT count(DISTINCT owner_id) AS expected_new
FROM trips WHERE owner_id IS NOT NULL AND lat IS NULL AND NOT face;
SELECT kind, role_name, recipient, purpose, tbl, filter, rows_returned, rows_withheld, withheld,
	   new_personal, new_sensitive, total_personal, total_sensitive, measures, exemptions, rules,
	   cardinality(subjects_personal) AS batch_personal, logged_at = booked_at AS booked_now
FROM transfer_log ORDER BY id;
SELECT tally, individuals FROM ledger_status ORDER BY tally;
SELECT recipient, tally, individuals FROM ledger_recipient_status ORDER BY 1, 2;
-- the ledger holds exactly the logged set, and it is the set of owners
SELECT ledger_subjects('personal') = (SELECT subject_union(subjects_personal) FROM transfer_log) AS ledger_is_log,
	   ledger_subjects('personal') = (SELECT subjects(owner_id) FROM trips
									  WHERE owner_id IS NOT NULL AND lat IS NULL AND NOT face) AS ledger_is_owners;

-- again, with a filter: nothing new; to another recipient: the individuals
-- are new for it, not for the year
SET ROLE ax_etl;
SELECT count(*) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', $$id <= 50 AND owner_id IS NOT NULL$$);
SELECT count(*) FROM autoxfer.export(NULL::trips, 'beta-us', 'analytics', $$id <= 50$$);
RESET ROLE;
SELECT id, recipient, filter, rows_returned, new_personal, total_personal FROM transfer_log ORDER BY id;
SELECT recipient, tally, individuals FROM ledger_recipient_status WHERE tally = 'personal' ORDER BY 1;

-- COPY out, the usual way to extract
SET ROLE ax_etl;
COPY (SELECT id, owner_id, category(xfer_label) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id <= 5') ORDER BY id) TO STDOUT;
RESET ROLE;

-- a rollback undoes ledger and log
SELECT count(*) AS log_rows FROM transfer_log \gset
BEGIN;
SET LOCAL ROLE ax_etl;
SELECT count(*) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics');
ROLLBACK;
SELECT count(*) = :log_rows AS log_unchanged, ledger_count('personal') AS personal FROM transfer_log;

-- a sensitive row counts on both tallies: under a standard contract the
-- sensitive rows go, their owners counted twice over
SELECT record_filing('standard_contract', 'acme-de', '{analytics}', 'SC-2026-7', current_date - 1) AS sc \gset
SET ROLE ax_etl;
SELECT count(*) AS exported, count(*) FILTER (WHERE category(xfer_label) = 'sensitive_personal') AS sensitive
FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'lat IS NOT NULL');
RESET ROLE;
SELECT rows_returned, new_personal, new_sensitive, total_sensitive, measures, filings = ARRAY[:sc]::bigint[] AS under_the_contract, rules
FROM transfer_log ORDER BY id DESC LIMIT 1;
SELECT ledger_count('sensitive_personal') = (SELECT count(DISTINCT owner_id) FROM trips WHERE lat IS NOT NULL AND owner_id IS NOT NULL AND NOT face) AS sensitive_counted,
	   contains_all(ledger_subjects('personal'), ledger_subjects('sensitive_personal')) AS sensitive_on_personal_too;

-- stale labels are withheld until relabelled
SELECT declare_column('trips', 'phone', 'sensitive_personal');
SET ROLE ax_etl;
SELECT count(*) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id <= 20');
RESET ROLE;
SELECT withheld FROM transfer_log ORDER BY id DESC LIMIT 1;
SELECT undeclare_column('trips', 'phone'), declare_column('trips', 'phone', 'personal');
SET client_min_messages = warning;
SELECT reclassify('trips') > 0 AS relabelled;
RESET client_min_messages;

-- thresholds across the batch: 99,990 individuals this year already; a
-- batch of new owners that would take the personal tally to 100,000 or more
-- needs a filing the recipient beta-us does not have
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects('B' || g), 'elsewhere') FROM generate_series(1, 99990 - ledger_count('personal')::int) g;
RESET ROLE;
SELECT ledger_count('personal') AS before;
CREATE TABLE buyers (id int PRIMARY KEY, owner_id text);
SELECT protect('buyers', 'connected_operation', 'owner_id');
INSERT INTO buyers SELECT g, 'N' || g FROM generate_series(1, 20) g;
GRANT SELECT ON buyers TO ax_etl;
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO ax_etl;
SET ROLE ax_etl;
\pset format unaligned
SELECT pg_temp.try($$SELECT count(*) FROM autoxfer.export(NULL::buyers, 'beta-us', 'analytics')$$) AS refused;
\pset format aligned
-- 9 new individuals still fit (99,999 is under the threshold); the others wait
SELECT count(*) AS exported, min(id), max(id) FROM autoxfer.export(NULL::buyers, 'beta-us', 'analytics', on_excess => 'trim');
RESET ROLE;
SELECT rows_returned, rows_withheld, withheld, new_personal, total_personal FROM transfer_log ORDER BY id DESC LIMIT 1;
-- the rows whose individuals are counted already still go; new ones do not
SET ROLE ax_etl;
SELECT count(*) FROM autoxfer.export(NULL::buyers, 'beta-us', 'analytics', 'id <= 9');
SELECT count(*) AS exported FROM autoxfer.export(NULL::buyers, 'beta-us', 'analytics', on_excess => 'trim');
RESET ROLE;
-- a contract for beta-us: the rest go, judged at the new tier
SELECT record_filing('standard_contract', 'beta-us', '{analytics}', 'SC-2026-8', current_date - 1) AS sc2 \gset
SET ROLE ax_etl;
SELECT count(*) FROM autoxfer.export(NULL::buyers, 'beta-us', 'analytics');
RESET ROLE;
SELECT rows_returned, new_personal, total_personal, measures, filings = ARRAY[:sc2]::bigint[] AS under_the_contract, rules
FROM transfer_log ORDER BY id DESC LIMIT 1;
SELECT ledger_count('personal') AS after, ledger_subjects('personal') = (SELECT subject_union(subjects_personal) FROM transfer_log) AS ledger_is_log;

-- bad input: clear errors, nothing written to the ledger or the log
SELECT count(*) AS log_rows, ledger_count('personal') AS personal FROM transfer_log \gset
GRANT EXECUTE ON FUNCTION pg_temp.try(text) TO ax_etl;
SET ROLE ax_etl;
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT * FROM autoxfer.export(NULL::untouched, 'acme-de', 'analytics')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id <')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'true; DROP TABLE trips')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'true) OR (true')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id FROM pg_authid')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id IN (SELECT region FROM secret_regions)')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'random() < 0.5')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id > (SELECT count(*) FROM pg_catalog.pg_class WHERE pg_catalog.nextval(''public.counter'') > 0)')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'no_such_column = 1')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', repeat('x', 100001))$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'nobody', 'analytics')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'spying')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, NULL, 'analytics')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', NULL)$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', on_excess => 'trimm')$$),
	($$SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', on_excess => NULL)$$),
	($$SELECT * FROM autoxfer.export(NULL::int, 'acme-de', 'analytics')$$)) v(s);
RESET ROLE;
SELECT count(*) = :log_rows AS nothing_logged, ledger_count('personal') = :personal AS nothing_counted FROM transfer_log;
-- a syntax error points into the filter
\set VERBOSITY default
SET ROLE ax_etl;
SELECT * FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics', 'id > 3 AND AND owner_id IS NULL');
RESET ROLE;
\set VERBOSITY terse

-- a filter is the caller's: the caller's privileges and row-level security
SET ROLE ax_other;
SELECT count(*) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics');
RESET ROLE;
GRANT autoxfer_exporter TO ax_other;
SET ROLE ax_other;
SELECT count(*) FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics');
RESET ROLE;
REVOKE autoxfer_exporter FROM ax_other;

-- the exporter reaches the ledger and the log only through export
SET ROLE ax_etl;
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT autoxfer.ledger_add('personal', autoxfer.subject_of('x'), 'acme-de')$$),
	($$SELECT autoxfer.ledger_correct('personal', autoxfer.subject_of('x'), 'acme-de', '2025-01-01', 'x')$$),
	($$SELECT autoxfer._ledger_book(2026, 'personal', autoxfer.subject_of('x'), 'acme-de')$$),
	($$SELECT autoxfer._ledger_lock(2026)$$),
	($$SELECT * FROM autoxfer._ledger_count_new(2026, 'personal', autoxfer.subject_of('x'), 'acme-de')$$),
	($$UPDATE autoxfer.ledger SET individuals = 0$$),
	($$INSERT INTO autoxfer.transfer_log (kind, year, role_name, session_role, subjects_personal, subjects_sensitive) VALUES ('export', 2026, 'x', 'x', autoxfer.empty_subject_set(), autoxfer.empty_subject_set())$$),
	($$DELETE FROM autoxfer.transfer_log$$),
	($$SELECT autoxfer.purge_transfer_log('2001-01-01')$$)) v(s);
RESET ROLE;

-- a hostile search_path changes nothing of what is counted: the subject is
-- the table's compiled expression (here lower(email)), never the caller's
-- functions; the filter is the caller's own (its = selects every row)
CREATE TABLE profiles (id int PRIMARY KEY, email text);
SELECT protect('profiles', 'connected_operation', 'lower(email)');
INSERT INTO profiles SELECT g, 'Driver' || (g % 7) || '@Example.com' FROM generate_series(1, 30) g;
GRANT SELECT ON profiles TO ax_etl;
CREATE SCHEMA evil AUTHORIZATION ax_etl;
SET ROLE ax_etl;
CREATE FUNCTION evil.texteq(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, PROCEDURE = evil.texteq);
CREATE FUNCTION evil.lower(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT 'everyone'$$;
SET search_path = evil, pg_catalog, public, autoxfer;
SELECT count(*) AS exported FROM autoxfer.export(NULL::profiles, 'beta-us', 'analytics', $$email = 'nobody'$$);
RESET search_path;
RESET ROLE;
SET search_path = public, autoxfer;
SELECT rows_returned, new_personal, cardinality(subjects_personal) AS batch_individuals,
	   subjects_personal = (SELECT subjects(lower(email)) FROM profiles) AS the_real_individuals,
	   total_personal = ledger_count('personal') AS totals_agree
FROM transfer_log ORDER BY id DESC LIMIT 1;
DROP SCHEMA evil CASCADE;

-- leave a fresh extension and no roles to the next test
\set VERBOSITY terse
DROP EXTENSION autoxfer CASCADE;
CREATE EXTENSION autoxfer;
DROP TABLE trips, buyers, profiles, secret_regions, untouched;
DROP SEQUENCE counter;
DROP OWNED BY ax_etl, ax_other;
DROP ROLE ax_etl, ax_other;
