-- Roles abroad (rule X2) on long scans.  Past a few thousand tests in a
-- transaction the policy answers from a probe table of the recipient's
-- counted individuals instead of the ledger's indexed sets, and a scan that
-- goes forward page by page reads each page's subjects ahead (x2_ahead.c).
-- Neither may change an answer: the counts below are derived by hand from
-- the rules and the generator, and must come out the same serial and in
-- parallel, with and without the probe table, for subjects kept by the
-- read-ahead and for subjects too long to keep, for a text and a varchar
-- subject, a plain and a partitioned table.  A database of its own.
CREATE DATABASE ax_x2_scan;
\c ax_x2_scan
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
RESET client_min_messages;
SET search_path = public, autoxfer;

SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('analytics', 'Fleet quality analytics');
CREATE ROLE ax_scan_abroad LOGIN;
CREATE ROLE ax_scan_other LOGIN;

-- scan_rows: 20,000 rows on some 300 pages (a filler column), k = g % 10000:
--   k % 10 = 0: no owner, no personal column: general (2,000 rows);
--   otherwise personal, owner 'S' || k, except k % 7 = 0: an owner of 53
--   characters (longer than the read-ahead keeps);
--   bio (sensitive personal data) on the personal rows with g % 3 = 0.
-- note holds the next k's short form 'S' || (k + 1), for the forged calls.
CREATE TABLE scan_rows (g int, owner_id text, bio text, note text, filler text);
SELECT declare_column('scan_rows', 'bio', 'sensitive_personal');
SELECT protect('scan_rows', 'connected_operation', 'owner_id');
INSERT INTO scan_rows
SELECT g,
	   CASE WHEN g % 10000 % 10 = 0 THEN NULL
			WHEN g % 10000 % 7 = 0 THEN repeat('L', 50) || (g % 10000)
			ELSE 'S' || (g % 10000) END,
	   CASE WHEN g % 10000 % 10 <> 0 AND g % 3 = 0 THEN 'b' END,
	   'S' || (g % 10000 + 1),
	   repeat('x', 80)
FROM generate_series(1, 20000) g;
-- scan_vc: the first 10,000 of the same rows, partitioned, the owner a varchar
CREATE TABLE scan_vc (g int, owner_id varchar(60), bio text) PARTITION BY RANGE (g);
CREATE TABLE scan_vc_1 PARTITION OF scan_vc FOR VALUES FROM (1) TO (5001);
CREATE TABLE scan_vc_2 PARTITION OF scan_vc FOR VALUES FROM (5001) TO (10001);
SELECT declare_column('scan_vc', 'bio', 'sensitive_personal');
SELECT protect('scan_vc', 'connected_operation', 'owner_id');
INSERT INTO scan_vc SELECT g, owner_id, bio FROM scan_rows WHERE g <= 10000;
-- and a third partition whose columns are in another order, after a
-- dropped one (its owner is not its third column): rows 10,001 to 15,000
CREATE TABLE scan_vc_3 (junk int, bio text, xfer_label autoxfer.label NOT NULL DEFAULT 'core/blocked scenario=other',
						g int, owner_id varchar(60));
ALTER TABLE scan_vc_3 DROP COLUMN junk;
ALTER TABLE scan_vc ATTACH PARTITION scan_vc_3 FOR VALUES FROM (10001) TO (15001);
INSERT INTO scan_vc SELECT g, owner_id, bio FROM scan_rows WHERE g > 10000 AND g <= 15000;
SELECT count(DISTINCT (ctid::text::point)[0]) > 100 AS over_100_pages FROM scan_rows;
VACUUM ANALYZE scan_rows, scan_vc;
GRANT SELECT ON scan_rows, scan_vc, scan_vc_1, scan_vc_3 TO ax_scan_abroad, ax_scan_other;
-- as a DBA may, for the verdict functions: the role abroad can call the
-- policy's function itself
GRANT USAGE ON SCHEMA autoxfer TO ax_scan_abroad;

SET client_min_messages = error;
SELECT register_recipient('scan-de', 'DE', 'ax_scan_abroad', 'analytics');
SELECT register_recipient('scan-us', 'US', 'ax_scan_other', 'analytics');
RESET client_min_messages;
SELECT record_filing('standard_contract', 'scan-de', '{analytics}', 'SC-SCAN-1', current_date - 1) > 0 AS filed;
-- booked for scan-de, as exports would have: the owners of k < 8000 on the
-- personal tally (7,200 individuals), of k < 4000 on the sensitive one
-- (3,600); nothing for scan-us
GRANT SELECT ON scan_rows TO autoxfer_admin;
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects(owner_id), 'scan-de') FROM scan_rows WHERE g % 10000 < 8000;
SELECT ledger_add('sensitive_personal', subjects(owner_id), 'scan-de') FROM scan_rows WHERE g % 10000 < 4000;
RESET ROLE;
REVOKE SELECT ON scan_rows FROM autoxfer_admin;

-- What scan-de's role may see: the 2,000 general rows; the personal rows
-- without bio whose owner is counted (k < 8000: 9,600 rows); the rows with
-- bio whose owner is counted on both tallies (k < 4000: 2,400 rows).  14,000
-- rows; 1,713 of them have a long owner.  In scan_vc, the first 10,000: 7,000,
-- and 4,700 of rows 10,001 to 15,000: 11,700; in its partition scan_vc_1
-- (g <= 5000) 500 general, 3,000 personal and the 1,200 rows with bio of
-- g < 4000: 4,700; in scan_vc_3 (k = g - 10000 from 1 to 5,000), the same
-- counts: 4,700.
-- Serial: 18,000 personal rows test their owner, and past a sixteenth of the
-- counted individuals (and 4,096 tests) the probe table is built, once per
-- tally (DEBUG1 says so).
\c - ax_scan_abroad
SET search_path = public, autoxfer;
SET max_parallel_workers_per_gather = 0;
SET client_min_messages = debug1;
SELECT count(*) AS seen FROM scan_rows;
RESET client_min_messages;
SELECT count(*) FILTER (WHERE owner_id IS NULL) AS general,
	   count(*) FILTER (WHERE owner_id IS NOT NULL AND bio IS NULL) AS personal,
	   count(*) FILTER (WHERE bio IS NOT NULL) AS sensitive,
	   count(*) FILTER (WHERE length(owner_id) > 40) AS long_owner,
	   count(*) FILTER (WHERE g % 10000 >= 8000 AND owner_id IS NOT NULL) AS uncounted,
	   count(*) FILTER (WHERE bio IS NOT NULL AND g % 10000 >= 4000) AS sensitive_uncounted
FROM scan_rows;
SELECT count(*) AS seen_vc FROM scan_vc;
SELECT count(*) AS seen_vc_1 FROM scan_vc_1;
SELECT count(*) AS seen_vc_3 FROM scan_vc_3;

-- in parallel (every worker builds its own tables): the same
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT count(*) AS seen_parallel FROM scan_rows;
SELECT count(*) AS seen_vc_parallel FROM scan_vc;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;

-- a hash memory limit too small for the probe table (64kB: 10,801 slots of
-- 8 bytes do not fit): the indexed sets answer, the same
SET work_mem = '64kB';
SET hash_mem_multiplier = 1;
SET client_min_messages = debug1;
SELECT count(*) AS seen_small_memory FROM scan_rows;
RESET client_min_messages;
RESET work_mem;
RESET hash_mem_multiplier;

-- Forged calls of the policy's function by the role abroad itself, over
-- the rows it sees: the answer is always that of the subject given, never
-- that of the row's own (kept by the read-ahead for its line pointer).
-- 'S9999' is counted for nobody: only the 2,000 general rows pass.
SELECT count(*) AS forged_uncounted FROM scan_rows
WHERE autoxfer._x2_visible(tableoid, ctid, xfer_label, 'S9999');
-- another column of the same row (note, the next k's short owner): the
-- read-ahead keeps that column for this call, and a personal row passes
-- when 'S' || (k + 1) is counted: k + 1 < 8000 (< 4000 for a row with bio),
-- not a multiple of 10 (nobody) nor of 7 (the long form was booked).
-- The 2,000 general rows and 9,142 personal ones.
SELECT count(*) AS forged_neighbour FROM scan_rows
WHERE autoxfer._x2_visible(tableoid, ctid, xfer_label, note);
-- the row's own owner as an expression, and another table's ctid: no
-- read-ahead, the same answers as the policy's
SELECT count(*) AS own_as_expression FROM scan_rows
WHERE autoxfer._x2_visible(tableoid, ctid, xfer_label, owner_id || '');
SELECT count(*) AS other_ctid FROM scan_rows r JOIN scan_vc v USING (g) WHERE v.g <= 10000 AND
	  autoxfer._x2_visible(r.tableoid, v.ctid, r.xfer_label, r.owner_id);
-- no row_id, an empty and a huge subject (counted for nobody), NULLs:
-- the rows the policy shows, the general rows only, nothing
SELECT count(*) AS null_row_id FROM scan_rows
WHERE autoxfer._x2_visible(tableoid, NULL, xfer_label, owner_id);
SELECT count(*) FILTER (WHERE autoxfer._x2_visible(tableoid, ctid, xfer_label, '')) AS empty_subject,
	   count(*) FILTER (WHERE autoxfer._x2_visible(tableoid, ctid, xfer_label, repeat('S', 1000000))) AS huge_subject,
	   count(*) FILTER (WHERE autoxfer._x2_visible(NULL, ctid, xfer_label, owner_id)) AS null_rel,
	   count(*) FILTER (WHERE autoxfer._x2_visible(tableoid, ctid, NULL, owner_id)) AS null_label
FROM scan_rows;
-- a row_id past every page (a constant: nothing is read ahead) with row 1
-- (S1, counted, no bio): visible
SELECT autoxfer._x2_visible('scan_rows'::regclass, '(4294967295,65535)'::tid, xfer_label, owner_id) AS far_row_id
FROM scan_rows WHERE g = 1;

-- A session that changes from one role abroad to another within a
-- transaction decides for the one it is now.  scan-us has nothing counted,
-- so its role sees the 2,000 general rows only, even after scan-de's role
-- read the table in the same transaction (the policy used to keep the
-- first role's verdict state and ledger sets for the whole transaction:
-- scan-us's role saw scan-de's 14,000 rows).
\c - postgres
SET search_path = public, autoxfer;
BEGIN;
SET LOCAL ROLE ax_scan_abroad;
SELECT count(*) AS abroad_first FROM scan_rows;
SET LOCAL ROLE ax_scan_other;
SELECT count(*) AS other_second FROM scan_rows;
SET LOCAL ROLE ax_scan_abroad;
SELECT count(*) AS abroad_third FROM scan_rows;
COMMIT;
-- and the superuser itself acts for nobody: every row
SELECT count(*) AS superuser_sees FROM scan_rows;

-- The policy's cache of a transaction (the probe tables among it) lasts one
-- transaction: there while it runs, gone once it ends.
BEGIN;
SET LOCAL ROLE ax_scan_abroad;
SELECT count(*) AS seen_in_transaction FROM scan_rows;
RESET ROLE;
SELECT name, count(*) FROM pg_backend_memory_contexts
WHERE name LIKE 'autoxfer role%' GROUP BY name ORDER BY name;
COMMIT;
SELECT count(*) AS caches_after_commit FROM pg_backend_memory_contexts WHERE name LIKE 'autoxfer role%';
-- but the ledger sets the backend loaded are kept between its transactions
SELECT count(*) AS kept_sets FROM pg_backend_memory_contexts WHERE name = 'autoxfer kept ledger sets';

-- They serve while the ledger's rows for the recipient are the same row
-- versions; a booking makes new ones, and the next statement loads those.
-- Booked now: the owners of k from 8000 to 8999 (900 individuals) on the
-- personal tally only, so their 1,200 rows without bio show, not the 600
-- with bio: 14,000 + 1,200 = 15,200.
SET client_min_messages = debug1;
SET ROLE ax_scan_abroad;
SELECT count(*) AS before_booking FROM scan_rows;
RESET ROLE;
RESET client_min_messages;
GRANT SELECT ON scan_rows TO autoxfer_admin;
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects(owner_id), 'scan-de') FROM scan_rows WHERE g % 10000 BETWEEN 8000 AND 8999;
RESET ROLE;
REVOKE SELECT ON scan_rows FROM autoxfer_admin;
SET client_min_messages = debug1;
SET ROLE ax_scan_abroad;
SELECT count(*) AS after_booking FROM scan_rows;
SELECT count(*) AS again FROM scan_rows;
RESET ROLE;
RESET client_min_messages;

-- Planned for a role that acts for nobody abroad, the policy's test is
-- simplified away (it would be true for every row): that role's scans cost
-- what they cost before any role abroad.  The role abroad's plans keep it.
CREATE ROLE ax_scan_dom;
CREATE ROLE ax_scan_late;
GRANT SELECT ON scan_rows TO ax_scan_dom, ax_scan_late;
SET ROLE ax_scan_dom;
EXPLAIN (COSTS OFF) SELECT * FROM scan_rows WHERE g = 1;
RESET ROLE;
SET ROLE ax_scan_abroad;
EXPLAIN (COSTS OFF) SELECT * FROM scan_rows WHERE g = 1;
RESET ROLE;

-- Such a plan holds for that identity only.  A plan cached for a role that
-- then becomes a member of the role abroad (so acts for scan-de), or is
-- registered for a recipient itself, is made again: the role sees what the
-- recipient may receive (15,200 rows for scan-de; the 2,000 general rows
-- for scan-late, nobody counted), not the 20,000 it read before.
SET ROLE ax_scan_dom;
PREPARE dom_count AS SELECT count(*) FROM scan_rows;
CREATE FUNCTION pg_temp.dom_fn() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
	RETURN (SELECT count(*) FROM scan_rows);
END $$;
EXECUTE dom_count;
SELECT pg_temp.dom_fn() AS dom_fn;
RESET ROLE;
GRANT ax_scan_abroad TO ax_scan_dom;
SET ROLE ax_scan_dom;
EXECUTE dom_count;
SELECT pg_temp.dom_fn() AS dom_fn;
RESET ROLE;
REVOKE ax_scan_abroad FROM ax_scan_dom;
SET ROLE ax_scan_dom;
EXECUTE dom_count;
RESET ROLE;
SET ROLE ax_scan_late;
PREPARE late_count AS SELECT count(*) FROM scan_rows;
EXECUTE late_count;
RESET ROLE;
SET client_min_messages = error;
SELECT register_recipient('scan-late', 'JP', 'ax_scan_late', 'analytics');
RESET client_min_messages;
SET ROLE ax_scan_late;
EXECUTE late_count;
RESET ROLE;
-- a session whose session user was changed simplifies nothing; a change of
-- session user changes the current user too, and PostgreSQL plans again
SET SESSION AUTHORIZATION ax_scan_dom;
PREPARE sess_count AS SELECT count(*) FROM scan_rows;
EXECUTE sess_count;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION ax_scan_abroad;
EXECUTE sess_count;
RESET SESSION AUTHORIZATION;
DEALLOCATE ALL;

-- The scan of roles abroad (x2_scan.c).  A role abroad's plans read a
-- protected heap table with a custom scan that decides the policy a page at
-- a time and keeps every other condition as its filter; autoxfer.x2_scan (a
-- superuser's setting) turns it off, and then the policy's function decides
-- row by row.  Both must give the same rows: the counts are made both ways.
\c - postgres
SET search_path = public, autoxfer;
SET ROLE ax_scan_abroad;
EXPLAIN (COSTS OFF) SELECT count(*) FROM scan_rows WHERE g > 5;
EXPLAIN (COSTS OFF) SELECT count(*) FROM scan_vc;
RESET ROLE;
SET autoxfer.x2_scan = off;
SET ROLE ax_scan_abroad;
EXPLAIN (COSTS OFF) SELECT count(*) FROM scan_rows WHERE g > 5;
RESET ROLE;
RESET autoxfer.x2_scan;
-- a role abroad cannot turn it off (nor would it see more if it could)
SET ROLE ax_scan_abroad;
SET autoxfer.x2_scan = off;
RESET ROLE;
-- q's count read by the role abroad with the scan and with the function
CREATE FUNCTION pg_temp.both_ways(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	with_scan bigint;
	row_by_row bigint;
BEGIN
	PERFORM set_config('autoxfer.x2_scan', 'on', true);
	SET LOCAL ROLE ax_scan_abroad;
	EXECUTE q INTO with_scan;
	RESET ROLE;
	PERFORM set_config('autoxfer.x2_scan', 'off', true);
	SET LOCAL ROLE ax_scan_abroad;
	EXECUTE q INTO row_by_row;
	RESET ROLE;
	PERFORM set_config('autoxfer.x2_scan', 'on', true);
	RETURN with_scan || CASE WHEN with_scan = row_by_row THEN ' both ways'
		ELSE ', but ' || row_by_row || ' row by row' END;
END $$;
-- What scan-de's role sees now (the booking above): in scan_rows 15,200 rows;
-- in scan_vc the 11,700 of before and the 600 rows without bio of
-- g = 8000 to 8999: 12,300; in scan_vc_3 still 4,700.  The filter g > 5 keeps
-- all but rows 1 to 5 (all visible): 15,195.  Three passes of a nested loop
-- over the table: 45,600.
BEGIN;
SELECT q, pg_temp.both_ways(q) FROM (VALUES
	($$SELECT count(*) FROM scan_rows$$),
	($$SELECT count(*) FROM scan_rows WHERE g > 5$$),
	($$SELECT count(*) FROM scan_vc$$),
	($$SELECT count(*) FROM scan_vc_3$$),
	($$SELECT count(DISTINCT ctid) FROM scan_rows WHERE tableoid = 'scan_rows'::regclass$$),
	($$SELECT count(*) FROM scan_rows WHERE bio IS NOT NULL$$),
	($$SELECT count(*) FROM scan_rows WHERE length(owner_id) > 40$$)) v(q);
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off;
SET LOCAL enable_material = off;
SELECT pg_temp.both_ways($$SELECT count(*) FROM (VALUES (1), (2), (3)) v(x) CROSS JOIN scan_rows$$) AS nested_loop;
COMMIT;
BEGIN;
SET LOCAL parallel_setup_cost = 0;
SET LOCAL parallel_tuple_cost = 0;
SET LOCAL min_parallel_table_scan_size = 0;
SET LOCAL max_parallel_workers_per_gather = 2;
SET LOCAL ROLE ax_scan_abroad;
EXPLAIN (COSTS OFF) SELECT count(*) FROM scan_rows;
RESET ROLE;
SELECT q, pg_temp.both_ways(q) AS parallel FROM (VALUES
	($$SELECT count(*) FROM scan_rows$$),
	($$SELECT count(*) FROM scan_vc$$)) v(q);
COMMIT;
-- compiled by JIT (the scan's filter and projection are made for its heap
-- slot): the same rows, and the same sum of the owners' lengths
BEGIN;
SET LOCAL jit = on;
SET LOCAL jit_above_cost = 0;
SET LOCAL jit_inline_above_cost = 0;
SET LOCAL jit_optimize_above_cost = 0;
SELECT q, pg_temp.both_ways(q) AS jit FROM (VALUES
	($$SELECT count(*) FROM scan_rows WHERE g > 5$$),
	($$SELECT sum(length(owner_id) + g) FROM scan_rows WHERE bio IS NULL$$)) v(q);
COMMIT;
-- a scrollable cursor goes back over what it read (the scan only goes
-- forward; the planner keeps its rows): rows 1 to 12 are all visible
SET ROLE ax_scan_abroad;
BEGIN;
DECLARE back SCROLL CURSOR FOR SELECT g FROM scan_rows WHERE g <= 12;
FETCH ALL FROM back;
FETCH BACKWARD 2 FROM back;
COMMIT;
RESET ROLE;

-- Rows written before the label column existed: protect() with
-- autoxfer.defer_labelling leaves them without one (the column's default,
-- core/blocked, is the value they are read with): hidden both ways; labelled
-- by reclassify_batches (no owner: general), all 30 show.
CREATE TABLE scan_old (g int, owner_id text);
INSERT INTO scan_old SELECT g, NULL FROM generate_series(1, 30) g;
SET autoxfer.defer_labelling = on;
SELECT protect('scan_old', 'connected_operation', 'owner_id');
RESET autoxfer.defer_labelling;
GRANT SELECT ON scan_old TO ax_scan_abroad;
SELECT pg_temp.both_ways($$SELECT count(*) FROM scan_old$$) AS before_labelling;
CALL reclassify_batches('scan_old');
SELECT pg_temp.both_ways($$SELECT count(*) FROM scan_old$$) AS after_labelling;
-- Subjects stored compressed or out of line (TOAST) are detoasted by the
-- scan.  scan_big: 40 personal rows, owners of 3,000 repeated characters
-- (compressed, in line) for g <= 20 and of 8,960 hex digits (out of line)
-- above; the owners of even g booked for scan-de: 20 rows show.
CREATE TABLE scan_big (g int, owner_id text);
SELECT protect('scan_big', 'connected_operation', 'owner_id');
INSERT INTO scan_big
SELECT g, CASE WHEN g <= 20 THEN repeat('Q', 3000) || g
			   ELSE (SELECT string_agg(md5(g::text || '/' || i::text), '') FROM generate_series(1, 280) i) END
FROM generate_series(1, 40) g;
SELECT count(*) FILTER (WHERE pg_column_size(owner_id) < octet_length(owner_id) / 10) AS compressed,
	   (SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE oid = 'scan_big'::regclass) AS out_of_line
FROM scan_big;
GRANT SELECT ON scan_big TO autoxfer_admin, ax_scan_abroad;
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects(owner_id), 'scan-de') FROM scan_big WHERE g % 2 = 0;
RESET ROLE;
REVOKE SELECT ON scan_big FROM autoxfer_admin;
SELECT pg_temp.both_ways($$SELECT count(*) FROM scan_big$$) AS toasted_subjects,
	   pg_temp.both_ways($$SELECT count(*) FROM scan_big WHERE g % 2 = 0$$) AS of_them_even;
-- a table about no individual (no subject: the policy's subject is NULL)
-- is read by the scan too: its general rows show, both ways
CREATE TABLE scan_nobody (g int);
SELECT protect('scan_nobody', 'software_upgrade');
INSERT INTO scan_nobody SELECT generate_series(1, 25);
GRANT SELECT ON scan_nobody TO ax_scan_abroad;
SET ROLE ax_scan_abroad;
EXPLAIN (COSTS OFF) SELECT * FROM scan_nobody;
RESET ROLE;
SELECT pg_temp.both_ways($$SELECT count(*) FROM scan_nobody$$) AS no_subject;

\c autoxfer_regression
DROP DATABASE ax_x2_scan;
DROP ROLE ax_scan_abroad, ax_scan_other, ax_scan_dom, ax_scan_late;
