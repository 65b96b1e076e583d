-- Attacks on enforcement through DDL, the catalogue, settings and time
-- (issue 8, findings 2 and 5).  The guarantee (docs/security.md): once a
-- table is protected, every row read through it carries the label
-- classification gives at the table's current generation, or is visibly
-- stale; only autoxfer_admin (or a superuser) can unprotect or weaken
-- protection; no table owner or admin can switch the check off or hide a
-- stale label.
--
-- The attackers: ax51_owner owns tables a superuser protected and has no
-- right on schema autoxfer; ax51_admin is autoxfer_admin and owns the
-- tables it protected.  Every attempt goes through attempt(), which shows
-- the SQLSTATE, message and hint; after each group the test shows that the
-- enforcing trigger and the label column are as protect() made them, that
-- the catalogue did not move, and that every row carries the label
-- classification gives (wrong = 0), a forged label being replaced.
\set VERBOSITY default
SET client_min_messages = warning;

-- Helpers ----------------------------------------------------------------

-- Run a statement, report how it failed (or that it did not).
CREATE FUNCTION public.attempt(cmd text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	st text;
	msg text;
	detail text;
	hint text;
BEGIN
	EXECUTE cmd;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
	RETURN st || ': ' || msg || CASE WHEN detail <> '' THEN E'\nDETAIL: ' || detail ELSE '' END
		|| CASE WHEN hint <> '' THEN E'\nHINT: ' || hint ELSE '' END;
END
$$;

-- The triggers and the label column of every member of a protected tree
-- (partitions and inheritance children alike).  tgtype 23 is BEFORE ROW
-- INSERT OR UPDATE; anything else is shown.
CREATE FUNCTION public.ax51_state(root regclass)
	RETURNS TABLE (member regclass, triggers text, label_column text)
	LANGUAGE sql AS $$
	SELECT m.relid,
		(SELECT string_agg(format('%s %s %s%s%s%s%s', t.tgname, t.tgenabled, t.tgfoid::regproc,
								  CASE WHEN t.tgqual IS NOT NULL THEN ' WHEN' ELSE '' END,
								  CASE WHEN pg_catalog.array_length(t.tgattr::int2[], 1) > 0 THEN ' OF' ELSE '' END,
								  CASE WHEN t.tgnargs > 0 THEN ' args' ELSE '' END,
								  CASE t.tgtype WHEN 23 THEN '' ELSE ' type=' || t.tgtype END), ', ' ORDER BY t.tgname)
		 FROM pg_trigger t WHERE t.tgrelid = m.relid AND NOT t.tgisinternal),
		(SELECT format('%s, %s%s', format_type(a.atttypid, a.atttypmod),
					   COALESCE('default ' || pg_get_expr(d.adbin, d.adrelid), 'no default'),
					   CASE WHEN a.attnotnull THEN ', not null' ELSE '' END)
		 FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
		 WHERE a.attrelid = m.relid AND NOT a.attisdropped
		   AND a.attname = COALESCE((SELECT p.label_column FROM autoxfer.protected_table p WHERE p.rel = root), 'xfer_label'))
	FROM (SELECT root AS relid UNION SELECT relid FROM pg_partition_tree(root)
		  UNION SELECT inhrelid FROM pg_inherits WHERE inhparent = root) m
	ORDER BY m.relid::text
$$;

-- Rows of a protected table whose label is not the one classification
-- gives now (a forged label, or one left stale).
CREATE FUNCTION public.ax51_wrong(rel regclass) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s t WHERE NOT (t.xfer_label OPERATOR(autoxfer.=) autoxfer.classify(t))', rel)
	INTO n;
	RETURN n;
END
$$;

-- The catalogue rows that must not move.
CREATE VIEW public.ax51_catalog AS
	SELECT rel, scenario, subject, label_column, generation FROM autoxfer.protected_table
	WHERE rel::text LIKE 'o\_%' OR rel::text LIKE 'a\_%' ORDER BY rel::text;

-- A trigger that writes the label given as its argument.
CREATE FUNCTION public.ax51_forge() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.xfer_label := TG_ARGV[0];
	RETURN NEW;
END
$$;
CREATE FUNCTION public.ax51_noop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RETURN NEW;
END
$$;

CREATE ROLE ax51_owner;
CREATE ROLE ax51_admin IN ROLE autoxfer_admin;
GRANT CREATE ON SCHEMA public TO ax51_owner, ax51_admin;

-- The tables ---------------------------------------------------------------

-- owned by ax51_owner, protected by the superuser
SET ROLE ax51_owner;
CREATE TABLE o_cams (id int PRIMARY KEY, owner_id text, face boolean, anon boolean);
CREATE TABLE o_trips (id int, region text, owner_id text, face boolean) PARTITION BY LIST (region);
CREATE TABLE o_trips_bj PARTITION OF o_trips FOR VALUES IN ('bj');
RESET ROLE;
SELECT autoxfer.declare_column('o_cams', 'face', 'faces_visible');
SELECT autoxfer.declare_column('o_cams', 'anon', 'anonymised');
SELECT autoxfer.protect('o_cams', 'driving_automation', 'owner_id');
SELECT autoxfer.declare_column('o_trips', 'face', 'faces_visible');
SELECT autoxfer.protect('o_trips', 'connected_operation', 'owner_id');
-- owned and protected by ax51_admin
SET ROLE ax51_admin;
CREATE TABLE a_cams (id int PRIMARY KEY, owner_id text, face boolean, anon boolean);
SELECT autoxfer.declare_column('a_cams', 'face', 'faces_visible');
SELECT autoxfer.declare_column('a_cams', 'anon', 'anonymised');
SELECT autoxfer.protect('a_cams', 'driving_automation', 'owner_id');
RESET ROLE;

-- a face not anonymised is important (I5); a subject alone is personal
INSERT INTO o_cams VALUES (1, NULL, true, false), (2, 'U2', false, false), (3, NULL, false, false);
INSERT INTO o_trips VALUES (1, 'bj', NULL, true), (2, 'bj', 'U2', false);
INSERT INTO a_cams VALUES (1, NULL, true, false), (2, 'U2', false, false);
SELECT * FROM ax51_catalog;
SELECT * FROM ax51_state('o_cams');
SELECT * FROM ax51_state('o_trips');

-- 1. The enforcing trigger, attacked by the table owner ---------------------

SET ROLE ax51_owner;
SELECT attempt('ALTER TABLE o_cams DISABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('ALTER TABLE o_cams DISABLE TRIGGER USER');
SELECT attempt('ALTER TABLE o_cams DISABLE TRIGGER ALL');
SELECT attempt('ALTER TABLE o_cams ENABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('ALTER TABLE o_cams ENABLE REPLICA TRIGGER zz_autoxfer_enforce');
SELECT attempt('DROP TRIGGER zz_autoxfer_enforce ON o_cams');
SELECT attempt('ALTER TRIGGER zz_autoxfer_enforce ON o_cams RENAME TO aa_enforce');
-- the owner may not even name autoxfer.enforce (no USAGE on the schema), but
-- may put another function in its place
SELECT attempt($$CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE ON o_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
-- a BEFORE row trigger firing after it (names sort after zz_autoxfer_enforce)
SELECT attempt($$CREATE TRIGGER zzz_forge BEFORE INSERT OR UPDATE ON o_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
SELECT attempt($$CREATE TRIGGER zz_autoxfer_enforce2 BEFORE UPDATE OF face ON o_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
SELECT attempt($$CREATE TRIGGER "zz_autoxfer_enforcé" BEFORE INSERT ON o_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
-- one that fires before it is harmless: the label it writes is replaced
SELECT attempt($$CREATE TRIGGER aa_forge BEFORE INSERT OR UPDATE ON o_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
-- but it cannot be renamed to fire after
SELECT attempt('ALTER TRIGGER aa_forge ON o_cams RENAME TO zzz_forge');
-- AFTER row and BEFORE statement triggers cannot change the row: allowed
SELECT attempt('CREATE TRIGGER zzz_after AFTER INSERT OR UPDATE ON o_cams FOR EACH ROW EXECUTE FUNCTION public.ax51_noop()');
SELECT attempt('CREATE TRIGGER zzz_stmt BEFORE INSERT OR UPDATE ON o_cams FOR EACH STATEMENT EXECUTE FUNCTION public.ax51_noop()');
-- the forged labels do not stick
INSERT INTO o_cams VALUES (4, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
UPDATE o_cams SET xfer_label = 'general/exportable scenario=driving_automation gen=1', anon = anon;
SELECT attempt('DROP TRIGGER aa_forge ON o_cams');
SELECT attempt('DROP TRIGGER zzz_after ON o_cams');
SELECT attempt('DROP TRIGGER zzz_stmt ON o_cams');
RESET ROLE;
SELECT * FROM ax51_state('o_cams');
SELECT id, xfer_label FROM o_cams ORDER BY id;
SELECT ax51_wrong('o_cams') AS wrong;

-- the same on a partition and on the partitioned table
SET ROLE ax51_owner;
SELECT attempt('ALTER TABLE o_trips_bj DISABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('ALTER TABLE o_trips DISABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('ALTER TABLE o_trips_bj ENABLE REPLICA TRIGGER zz_autoxfer_enforce');
SELECT attempt('DROP TRIGGER zz_autoxfer_enforce ON o_trips_bj');
SELECT attempt('DROP TRIGGER zz_autoxfer_enforce ON o_trips');
SELECT attempt('ALTER TRIGGER zz_autoxfer_enforce ON o_trips RENAME TO aa_enforce');
SELECT attempt($$CREATE TRIGGER zzz_forge BEFORE INSERT ON o_trips_bj
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=connected_operation gen=1')$$);
SELECT attempt($$CREATE TRIGGER zzz_forge BEFORE INSERT ON o_trips
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=connected_operation gen=1')$$);
-- a partition created later gets the trigger, and the same protection
CREATE TABLE o_trips_sh PARTITION OF o_trips FOR VALUES IN ('sh');
SELECT attempt('ALTER TABLE o_trips_sh DISABLE TRIGGER zz_autoxfer_enforce');
INSERT INTO o_trips VALUES (3, 'sh', NULL, true, 'general/exportable scenario=connected_operation gen=1');
RESET ROLE;
SELECT * FROM ax51_state('o_trips');
SELECT tableoid::regclass, id, xfer_label FROM o_trips ORDER BY id;
SELECT ax51_wrong('o_trips') AS wrong;

-- 2. The enforcing trigger, attacked by autoxfer_admin ----------------------

SET ROLE ax51_admin;
SELECT attempt('ALTER TABLE a_cams DISABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('ALTER TABLE a_cams ENABLE REPLICA TRIGGER zz_autoxfer_enforce');
SELECT attempt('DROP TRIGGER zz_autoxfer_enforce ON a_cams');
-- CREATE OR REPLACE, even with the same definition (it would enable the
-- trigger for origin sessions only), with a condition, a column list, fewer
-- events, arguments, another function
SELECT attempt('CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE ON a_cams FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce()');
SELECT attempt('CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE ON a_cams FOR EACH ROW WHEN (NEW.face IS NULL) EXECUTE FUNCTION autoxfer.enforce()');
SELECT attempt('CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE OF owner_id ON a_cams FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce()');
SELECT attempt('CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT ON a_cams FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce()');
SELECT attempt('CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE ON a_cams FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce(''x'')');
SELECT attempt($$CREATE OR REPLACE TRIGGER zz_autoxfer_enforce BEFORE INSERT OR UPDATE ON a_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
SELECT attempt($$CREATE TRIGGER zzzz BEFORE UPDATE ON a_cams
	FOR EACH ROW EXECUTE FUNCTION public.ax51_forge('general/exportable scenario=driving_automation gen=1')$$);
INSERT INTO a_cams VALUES (3, NULL, true, NULL, 'general/exportable scenario=driving_automation gen=1');
RESET ROLE;
SELECT * FROM ax51_state('a_cams');
SELECT id, xfer_label FROM a_cams ORDER BY id;
SELECT ax51_wrong('a_cams') AS wrong;

-- a superuser, outside a restore, is held by the same guard
SELECT attempt('ALTER TABLE a_cams DISABLE TRIGGER ALL');
SELECT attempt('DROP TRIGGER zz_autoxfer_enforce ON a_cams');
-- a trigger made to depend on an extension would go with it
CREATE EXTENSION pg_trgm;
ALTER TRIGGER zz_autoxfer_enforce ON a_cams DEPENDS ON EXTENSION pg_trgm;
SELECT attempt('DROP EXTENSION pg_trgm');
ALTER TRIGGER zz_autoxfer_enforce ON a_cams NO DEPENDS ON EXTENSION pg_trgm;
DROP EXTENSION pg_trgm;
-- session_replication_role = replica (superuser only): the trigger is ALWAYS,
-- rows are labelled, COPY too, and the guard still holds
SET session_replication_role = replica;
INSERT INTO a_cams VALUES (4, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
COPY a_cams (id, owner_id, face, anon, xfer_label) FROM stdin;
5	\N	t	f	general/exportable scenario=driving_automation gen=1
\.
SELECT attempt('ALTER TABLE a_cams DISABLE TRIGGER zz_autoxfer_enforce');
RESET session_replication_role;
SELECT id, xfer_label FROM a_cams WHERE id >= 4 ORDER BY id;
SELECT * FROM ax51_state('a_cams');

-- 3. Inheritance, foreign partitions, rules ---------------------------------

SET ROLE ax51_owner;
SELECT attempt('CREATE TABLE o_cams_child () INHERITS (o_cams)');
CREATE TABLE o_other (id int, note text);
CREATE TABLE o_heir (LIKE o_cams);
SELECT attempt('ALTER TABLE o_heir INHERIT o_cams');
CREATE TABLE o_base (id int);
SELECT attempt('ALTER TABLE o_cams INHERIT o_base');
DROP TABLE o_heir, o_base;
-- a partition cannot be inherited from, nor inherit (PostgreSQL refuses)
SELECT attempt('CREATE TABLE o_bj_child () INHERITS (o_trips_bj)');
RESET ROLE;
SELECT * FROM ax51_state('o_cams');
SELECT count(*) AS inheritance FROM pg_inherits WHERE inhparent = 'o_cams'::regclass OR inhrelid = 'o_cams'::regclass;
-- protect() refuses a table with inheritance children (their rows are read
-- through it, and no trigger of its reaches them)
CREATE TABLE inh_parent (id int, owner_id text);
CREATE TABLE inh_child () INHERITS (inh_parent);
INSERT INTO inh_child VALUES (1, 'U1');
SELECT attempt($$SELECT autoxfer.protect('inh_parent', 'other', 'owner_id')$$);
SELECT count(*) AS registered FROM autoxfer.protected_table WHERE rel = 'inh_parent'::regclass;
DROP TABLE inh_child, inh_parent;
-- a foreign partition holds rows no trigger of this server labelled
CREATE FOREIGN DATA WRAPPER ax51_fdw;
CREATE SERVER ax51_srv FOREIGN DATA WRAPPER ax51_fdw;
SELECT attempt($$CREATE FOREIGN TABLE o_trips_ft PARTITION OF o_trips FOR VALUES IN ('ft') SERVER ax51_srv$$);
CREATE FOREIGN TABLE ft_lone (id int, region text, owner_id text, face boolean, xfer_label autoxfer.label NOT NULL) SERVER ax51_srv;
SELECT attempt($$ALTER TABLE o_trips ATTACH PARTITION ft_lone FOR VALUES IN ('ft')$$);
DROP FOREIGN TABLE ft_lone;
CREATE TABLE ft_parent (id int, region text, owner_id text) PARTITION BY LIST (region);
CREATE FOREIGN TABLE ft_parent_x PARTITION OF ft_parent FOR VALUES IN ('x') SERVER ax51_srv;
SELECT attempt($$SELECT autoxfer.protect('ft_parent', 'other', 'owner_id')$$);
SELECT count(*) AS registered FROM autoxfer.protected_table WHERE rel = 'ft_parent'::regclass;
DROP TABLE ft_parent;
DROP SERVER ax51_srv;
DROP FOREIGN DATA WRAPPER ax51_fdw;
SELECT * FROM ax51_state('o_trips');

-- rules rewrite a statement into others, which the trigger labels: a rule
-- that writes a forged label into the table gets it replaced
SET ROLE ax51_owner;
CREATE RULE forge_insert AS ON INSERT TO o_other
	DO INSTEAD INSERT INTO o_cams VALUES (NEW.id, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
CREATE RULE forge_update AS ON UPDATE TO o_cams WHERE OLD.id = 3
	DO INSTEAD INSERT INTO o_cams VALUES (102, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
INSERT INTO o_other VALUES (101, 'into o_cams');
UPDATE o_cams SET anon = anon WHERE id = 3;
DROP RULE forge_insert ON o_other;
DROP RULE forge_update ON o_cams;
-- a rule that stops UPDATEs stops relabelling: the stale rows stay visibly
-- stale, and are counted
CREATE RULE no_update AS ON UPDATE TO o_cams DO INSTEAD NOTHING;
RESET ROLE;
SELECT id, xfer_label FROM o_cams WHERE id > 100;
UPDATE autoxfer.rule SET clause = clause WHERE code = 'I5';
SELECT autoxfer.reclassify('o_cams');
SELECT tbl, generation, total, stale FROM autoxfer.stale_labels('o_cams');
DROP RULE no_update ON o_cams;
SELECT autoxfer.reclassify('o_cams'), autoxfer.reclassify('o_trips'), autoxfer.reclassify('a_cams');
SELECT ax51_wrong('o_cams') AS wrong;
-- a protected table cannot become a view (PostgreSQL refuses: it has triggers)
CREATE TABLE a_empty (id int, owner_id text);
SELECT autoxfer.protect('a_empty', 'other', 'owner_id');
SELECT attempt('CREATE RULE "_RETURN" AS ON SELECT TO a_empty DO INSTEAD SELECT 1 AS id, NULL::text AS owner_id, ''general/exportable''::autoxfer.label AS xfer_label');
SELECT relkind FROM pg_class WHERE oid = 'a_empty'::regclass;

-- 4. The label column -------------------------------------------------------

SET ROLE ax51_owner;
SELECT attempt('ALTER TABLE o_cams ALTER COLUMN xfer_label TYPE text');
SELECT attempt('ALTER TABLE o_cams ALTER COLUMN xfer_label DROP DEFAULT');
SELECT attempt($$ALTER TABLE o_cams ALTER COLUMN xfer_label SET DEFAULT 'general/exportable scenario=driving_automation gen=1'$$);
SELECT attempt('ALTER TABLE o_cams ALTER COLUMN xfer_label DROP NOT NULL');
SELECT attempt('ALTER TABLE o_trips_bj ALTER COLUMN xfer_label DROP DEFAULT');
SELECT attempt('ALTER TABLE o_cams RENAME COLUMN xfer_label TO lbl');
SELECT attempt('ALTER TABLE o_cams DROP COLUMN xfer_label');
RESET ROLE;
-- a rewrite of the label column with the same type writes every label
-- without the trigger
SET ROLE ax51_admin;
SELECT attempt($$ALTER TABLE a_cams ALTER COLUMN xfer_label TYPE autoxfer.label
	USING 'general/exportable scenario=driving_automation gen=1'::autoxfer.label$$);
SELECT attempt($$ALTER TABLE a_cams ALTER COLUMN xfer_label SET DEFAULT 'general/exportable'::autoxfer.label$$);
RESET ROLE;
SELECT * FROM ax51_state('o_cams');
SELECT * FROM ax51_state('a_cams');
SELECT ax51_wrong('a_cams') AS wrong;
-- a rewrite of a data column changes the values without the trigger: the
-- rows whose label no longer matches are relabelled
SET ROLE ax51_owner;
ALTER TABLE o_cams ALTER COLUMN face TYPE boolean USING true;
ALTER TABLE o_trips ALTER COLUMN face TYPE boolean USING (id = 2);
RESET ROLE;
SELECT id, face, xfer_label FROM o_cams ORDER BY id;
SELECT id, face, xfer_label FROM o_trips ORDER BY id;
SELECT ax51_wrong('o_cams') + ax51_wrong('o_trips') AS wrong;

-- 5. ATTACH PARTITION of a table that has rows -------------------------------

SET ROLE ax51_owner;
-- forged labels, one at the table's current generation
CREATE TABLE o_trips_gz (LIKE o_trips);
INSERT INTO o_trips_gz VALUES
	(10, 'gz', NULL, true, 'general/exportable scenario=connected_operation gen=1'),
	(11, 'gz', 'U11', false, 'general/exportable scenario=connected_operation gen=1'),
	(12, 'gz', NULL, false, 'core/blocked');
ALTER TABLE o_trips ATTACH PARTITION o_trips_gz FOR VALUES IN ('gz');
-- detached, forged, attached again
ALTER TABLE o_trips DETACH PARTITION o_trips_gz;
UPDATE o_trips_gz SET xfer_label = 'general/exportable scenario=connected_operation gen=1' WHERE id = 10;
ALTER TABLE o_trips ATTACH PARTITION o_trips_gz FOR VALUES IN ('gz');
-- a partitioned table with sub-partitions
CREATE TABLE o_trips_sz (LIKE o_trips) PARTITION BY RANGE (id);
CREATE TABLE o_trips_sz1 PARTITION OF o_trips_sz FOR VALUES FROM (0) TO (100);
CREATE TABLE o_trips_sz2 (LIKE o_trips);
ALTER TABLE o_trips_sz2 DROP COLUMN owner_id;
ALTER TABLE o_trips_sz2 ADD COLUMN owner_id text;
ALTER TABLE o_trips_sz ATTACH PARTITION o_trips_sz2 FOR VALUES FROM (100) TO (200);
INSERT INTO o_trips_sz VALUES
	(20, 'sz', NULL, true, 'general/exportable scenario=connected_operation gen=1'),
	(120, 'sz', NULL, true, 'general/exportable scenario=connected_operation gen=1');
ALTER TABLE o_trips ATTACH PARTITION o_trips_sz FOR VALUES IN ('sz');
RESET ROLE;
SELECT tableoid::regclass, id, xfer_label FROM o_trips WHERE id >= 10 ORDER BY id;
SELECT * FROM ax51_state('o_trips');
SELECT ax51_wrong('o_trips') AS wrong;
-- rows that cannot be relabelled (a rule or a row-level security policy
-- keeps the UPDATE from them) are not attached
SET ROLE ax51_owner;
CREATE TABLE o_trips_cd (LIKE o_trips);
INSERT INTO o_trips_cd VALUES (30, 'cd', NULL, true, 'general/exportable scenario=connected_operation gen=1');
CREATE RULE no_update AS ON UPDATE TO o_trips_cd DO INSTEAD NOTHING;
SELECT attempt($$ALTER TABLE o_trips ATTACH PARTITION o_trips_cd FOR VALUES IN ('cd')$$);
DROP RULE no_update ON o_trips_cd;
ALTER TABLE o_trips_cd ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY hide ON o_trips_cd USING (id <> 30);
SELECT attempt($$ALTER TABLE o_trips ATTACH PARTITION o_trips_cd FOR VALUES IN ('cd')$$);
RESET ROLE;
SELECT count(*) AS attached FROM pg_inherits WHERE inhrelid = 'o_trips_cd'::regclass;
SELECT id, xfer_label FROM o_trips_cd;

-- 6. The catalogue, written straight -----------------------------------------

SET ROLE ax51_admin;
SELECT attempt('UPDATE autoxfer.protected_table SET generation = generation + 1 WHERE rel = ''a_cams''::regclass');
SELECT attempt('UPDATE autoxfer.protected_table SET generation = 1 WHERE rel = ''a_cams''::regclass');
SELECT attempt('UPDATE autoxfer.protected_table SET subject = ''NULL::text'' WHERE rel = ''a_cams''::regclass');
SELECT attempt('UPDATE autoxfer.protected_table SET scenario = ''other'' WHERE rel = ''a_cams''::regclass');
SELECT attempt('UPDATE autoxfer.protected_table SET label_column = ''owner_id'' WHERE rel = ''a_cams''::regclass');
SELECT attempt('UPDATE autoxfer.protected_table SET rel = ''o_other''::regclass WHERE rel = ''a_cams''::regclass');
SELECT attempt('DELETE FROM autoxfer.protected_table WHERE rel = ''a_cams''::regclass');
SELECT attempt('TRUNCATE autoxfer.protected_table');
CREATE TABLE a_forged (id int, owner_id text, xfer_label autoxfer.label);
INSERT INTO a_forged VALUES (1, 'U1', 'general/exportable scenario=other gen=1');
SELECT attempt($$INSERT INTO autoxfer.protected_table (rel, scenario, subject, label_column) VALUES ('a_forged', 'other', 'owner_id', 'xfer_label')$$);
RESET ROLE;
SELECT attempt('TRUNCATE autoxfer.protected_table');
SELECT * FROM ax51_catalog;
SELECT * FROM ax51_state('a_cams');

-- the user-settable placeholder autoxfer.bumping is gone: the rule change
-- below bumps the generation, and every older label is counted stale
SELECT generation AS gen_before FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass \gset
SET ROLE ax51_admin;
SELECT attempt($$SET autoxfer.bumping = on$$);
SELECT attempt($$SELECT pg_catalog.set_config('autoxfer.bumping', 'on', false)$$);
BEGIN;
SELECT attempt($$SELECT pg_catalog.set_config('autoxfer.bumping', 'on', true)$$);
UPDATE autoxfer.rule SET enabled = false WHERE code = 'I5';
COMMIT;
INSERT INTO a_cams VALUES (6, NULL, true, false);
RESET ROLE;
SELECT generation - :gen_before AS bumped FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass;
SELECT tbl, total, stale FROM autoxfer.stale_labels('a_cams');
SELECT autoxfer.reclassify('a_cams');
SELECT id, xfer_label FROM a_cams ORDER BY id;
UPDATE autoxfer.rule SET enabled = true WHERE code = 'I5';
SELECT autoxfer.reclassify('a_cams');
SELECT ax51_wrong('a_cams') AS wrong;

-- 7. Restore mode is a superuser's -------------------------------------------

-- autoxfer_admin in its own session (SET SESSION AUTHORIZATION: the session
-- user is then not a superuser) with check_function_bodies = off: protect()
-- of an empty table that already has a label column still attaches the
-- trigger, the catalogue triggers still validate and bump, the guards hold
SET SESSION AUTHORIZATION ax51_admin;
SELECT session_user, current_user;
SET check_function_bodies = off;
CREATE TABLE a_restore (id int, owner_id text, xfer_label autoxfer.label);
SELECT autoxfer.protect('a_restore', 'other', 'owner_id');
SELECT * FROM ax51_state('a_restore');
INSERT INTO a_restore VALUES (1, 'U1', 'general/exportable scenario=other gen=1');
SELECT id, xfer_label FROM a_restore;
SELECT generation AS gen_before FROM autoxfer.protected_table WHERE rel = 'a_restore'::regclass \gset
UPDATE autoxfer.rule SET clause = clause WHERE code = 'C2';
SELECT generation - :gen_before AS bumped FROM autoxfer.protected_table WHERE rel = 'a_restore'::regclass;
SELECT attempt($$UPDATE autoxfer.rule SET predicate = 'no_such_attribute' WHERE code = 'I4'$$);
SELECT attempt('ALTER TABLE a_restore DISABLE TRIGGER zz_autoxfer_enforce');
SELECT attempt('UPDATE autoxfer.protected_table SET generation = 7 WHERE rel = ''a_restore''::regclass');
SELECT attempt('DELETE FROM autoxfer.protected_table WHERE rel = ''a_restore''::regclass');
SELECT attempt($$INSERT INTO autoxfer.protected_table (rel, scenario, subject, label_column) VALUES ('a_forged', 'other', 'owner_id', 'xfer_label')$$);
RESET check_function_bodies;
RESET SESSION AUTHORIZATION;
SELECT predicate FROM autoxfer.rule WHERE code = 'I4';
SELECT * FROM ax51_catalog;

-- a table whose label column exists and holds forged labels before it is
-- protected: its generation starts above every label it holds, so they are
-- all stale until relabelled, even left to reclassify_batches
SET ROLE ax51_admin;
CREATE TABLE a_prelabelled (id int, owner_id text, face boolean, xfer_label autoxfer.label);
INSERT INTO a_prelabelled VALUES
	(1, NULL, true, 'general/exportable scenario=driving_automation gen=1'),
	(2, NULL, false, 'general/exportable scenario=driving_automation gen=5'),
	(3, 'U3', false, NULL);
SELECT autoxfer.declare_column('a_prelabelled', 'face', 'faces_visible');
SET autoxfer.defer_labelling = on;
SELECT autoxfer.protect('a_prelabelled', 'driving_automation', 'owner_id');
RESET autoxfer.defer_labelling;
SELECT generation, total, stale, unlabelled FROM autoxfer.stale_labels('a_prelabelled');
CALL autoxfer.reclassify_batches('a_prelabelled');
SELECT id, xfer_label FROM a_prelabelled ORDER BY id;
RESET ROLE;
SELECT * FROM ax51_state('a_prelabelled');

-- 8. Unprotecting is autoxfer_admin's, and leaves no label behind -------------

SET ROLE ax51_owner;
SELECT attempt($$SELECT autoxfer.unprotect('o_cams')$$);
RESET ROLE;
-- even with USAGE on the schema
GRANT USAGE ON SCHEMA autoxfer TO ax51_owner;
SET ROLE ax51_owner;
SELECT attempt($$SELECT autoxfer.unprotect('o_cams')$$);
SELECT attempt($$SELECT autoxfer.reset_generation('o_cams')$$);
SELECT attempt($$SELECT autoxfer._unregister('o_cams')$$);
SELECT attempt($$SELECT autoxfer._bump(NULL)$$);
RESET ROLE;
REVOKE USAGE ON SCHEMA autoxfer FROM ax51_owner;
SELECT * FROM ax51_state('o_cams');
SET ROLE ax51_admin;
SELECT autoxfer.unprotect('a_restore');
RESET ROLE;
SELECT * FROM ax51_state('a_restore');
SELECT count(*) AS registered FROM autoxfer.protected_table WHERE rel = 'a_restore'::regclass;
-- protected again, it starts a fresh column at generation 1
SET ROLE ax51_admin;
SELECT autoxfer.protect('a_restore', 'other', 'owner_id');
RESET ROLE;
SELECT id, xfer_label FROM a_restore;
-- the owner's DROP TABLE is not held
SET ROLE ax51_owner;
CREATE TABLE o_gone (id int, owner_id text);
RESET ROLE;
SELECT autoxfer.protect('o_gone', 'other', 'owner_id');
SET ROLE ax51_owner;
DROP TABLE o_gone;
RESET ROLE;
SELECT count(*) AS registered FROM autoxfer.protected_table p WHERE NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = p.rel);

-- 9. A generation never comes back -------------------------------------------

-- taken close to the last generation (a superuser's restore may set any)
SET check_function_bodies = off;
UPDATE autoxfer.protected_table SET generation = 1048573 WHERE rel = 'a_cams'::regclass;
RESET check_function_bodies;
SELECT autoxfer.reclassify('a_cams');
UPDATE autoxfer.rule SET clause = clause WHERE code = 'I5';
SELECT generation FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass;
UPDATE autoxfer.rule SET clause = clause WHERE code = 'I5';
SELECT generation FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass;
-- the next change would wrap to 1: refused, naming the table, nothing changes
SELECT attempt($$UPDATE autoxfer.rule SET clause = 'changed' WHERE code = 'I5'$$);
SELECT attempt($$SELECT autoxfer.declare_column('a_cams', 'owner_id', 'personal')$$);
SELECT generation FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass;
SELECT clause <> 'changed' AS unchanged FROM autoxfer.rule WHERE code = 'I5';
-- a row planted by a superuser's restore with a label written long ago at
-- generation 1, right then (rule I5 disabled), wrong now
SET check_function_bodies = off;
ALTER TABLE a_cams DISABLE TRIGGER zz_autoxfer_enforce;
INSERT INTO a_cams VALUES (7, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
ALTER TABLE a_cams ENABLE ALWAYS TRIGGER zz_autoxfer_enforce;
RESET check_function_bodies;
-- the recovery: every label rewritten at generation 1, in one transaction
SET ROLE ax51_admin;
SELECT autoxfer.reset_generation('a_cams');
RESET ROLE;
SELECT generation FROM autoxfer.protected_table WHERE rel = 'a_cams'::regclass;
SELECT id, xfer_label FROM a_cams ORDER BY id;
SELECT tbl, total, stale FROM autoxfer.stale_labels('a_cams');
SELECT ax51_wrong('a_cams') AS wrong;
SELECT * FROM ax51_state('a_cams');
SELECT attempt($$SELECT autoxfer.reset_generation('o_other')$$);

-- 10. Sensitive areas whose validity begins or ends ---------------------------

-- Each phase sets an area boundary one second after its own transaction
-- began (what it checks inside the transaction does not depend on the
-- clock), sleeps past it, and checks in a new transaction.
SET ROLE ax51_admin;
CREATE TABLE a_pos (id int, owner_id text, lat float8, lon float8);
SELECT autoxfer.declare_column('a_pos', 'lat', 'latitude');
SELECT autoxfer.declare_column('a_pos', 'lon', 'longitude');
SELECT autoxfer.protect('a_pos', 'other', 'owner_id');
GRANT INSERT ON a_pos TO ax51_owner;
-- an area that comes into force in a second
BEGIN;
INSERT INTO autoxfer.sensitive_area (name, kind, area, valid_from)
VALUES ('ax51 zone', 'military_zone', box '((100,10),(101,11))', now() + interval '1 second');
INSERT INTO a_pos VALUES (1, NULL, 10.5, 100.5), (2, NULL, 50, 50);
SELECT id, xfer_label FROM a_pos ORDER BY id;
SELECT stale_after = now() + interval '1 second' AS boundary, autoxfer.generation_current('a_pos') = generation AS current
FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass;
SELECT total, stale FROM autoxfer.stale_labels('a_pos');
COMMIT;
SELECT generation AS gen_before FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass \gset
SELECT pg_sleep(1.2);
-- it is in force: the generation has expired, and every label of it is stale
SELECT autoxfer.generation_current('a_pos') IS NULL AS expired;
SELECT total, stale FROM autoxfer.stale_labels('a_pos');
-- the trigger renews the generation before it labels, also for a writer
-- with no right on schema autoxfer
RESET ROLE;
SET ROLE ax51_owner;
INSERT INTO a_pos VALUES (3, NULL, 10.6, 100.6);
RESET ROLE;
SET ROLE ax51_admin;
SELECT generation - :gen_before AS bumped, stale_after IS NULL AS no_boundary_left,
	autoxfer.generation_current('a_pos') = generation AS current
FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass;
SELECT id, xfer_label FROM a_pos ORDER BY id;
SELECT total, stale FROM autoxfer.stale_labels('a_pos');
SELECT autoxfer.reclassify('a_pos');
SELECT id, xfer_label FROM a_pos ORDER BY id;
-- it leaves force in a second: the bulk COPY path renews the generation
BEGIN;
UPDATE autoxfer.sensitive_area SET valid_to = now() + interval '1 second' WHERE name = 'ax51 zone';
SELECT autoxfer.reclassify('a_pos');
COMMIT;
SELECT generation AS gen_before FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass \gset
SELECT pg_sleep(1.2);
SELECT autoxfer.generation_current('a_pos') IS NULL AS expired;
SET client_min_messages = debug1;
COPY a_pos (id, lat, lon) FROM stdin;
4	10.7	100.7
\.
RESET client_min_messages;
SELECT generation - :gen_before AS bumped FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass;
SELECT id, xfer_label FROM a_pos ORDER BY id;
SELECT autoxfer.reclassify('a_pos');
-- it comes back into force in a second: reclassify() renews the generation
BEGIN;
UPDATE autoxfer.sensitive_area SET valid_from = now() + interval '1 second', valid_to = NULL WHERE name = 'ax51 zone';
SELECT autoxfer.reclassify('a_pos');
COMMIT;
SELECT generation AS gen_before FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass \gset
SELECT pg_sleep(1.2);
SELECT autoxfer.reclassify('a_pos');
SELECT generation - :gen_before AS bumped FROM autoxfer.protected_table WHERE rel = 'a_pos'::regclass;
SELECT id, xfer_label FROM a_pos ORDER BY id;
SELECT total, stale FROM autoxfer.stale_labels('a_pos');
-- a partition answers for its table; a table not protected has no current
-- generation
SELECT autoxfer.generation_current('o_trips_bj') = generation AS partition_current
FROM autoxfer.protected_table WHERE rel = 'o_trips'::regclass;
SELECT autoxfer.generation_current('o_other') AS not_protected;
DELETE FROM autoxfer.sensitive_area WHERE name LIKE 'ax51 %';
RESET ROLE;

-- Clean up -------------------------------------------------------------------
SELECT autoxfer.unprotect(p.rel) FROM autoxfer.protected_table p
WHERE p.rel::text LIKE 'o\_%' OR p.rel::text LIKE 'a\_%';
DROP TABLE o_cams, o_trips, o_other, o_trips_cd, a_cams, a_forged, a_restore, a_empty, a_pos, a_prelabelled;
DROP VIEW ax51_catalog;
DROP FUNCTION attempt(text), ax51_state(regclass), ax51_wrong(regclass), ax51_forge(), ax51_noop();
REVOKE CREATE ON SCHEMA public FROM ax51_owner, ax51_admin;
DROP ROLE ax51_owner, ax51_admin;
