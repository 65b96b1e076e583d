-- Attacks on enforcement integrity (issue 8, findings 1, 3, 4, 5, 6, 7):
-- running code as the extension's owner through autoxfer's own catalogue
-- queries (shadowed operators and types), through rule predicates and
-- subject expressions (folding, parse-time input, generic functions),
-- probing what is revoked, stored generated columns read as NULL, and a
-- POSIX time zone for the ledger.  Every attack asserts the error
-- (SQLSTATE, message, hint) and that nothing changed: no role attribute,
-- no row of the shadows' log, no catalogue row, the right labels.
-- Sessions that must start with cold caches reconnect (\c): a new backend
-- compiles every protected table again, under the caller's search_path.
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the attackers
CREATE ROLE ax_writer LOGIN;					-- may only INSERT into frames (and COPY)
CREATE ROLE ax_reader LOGIN IN ROLE autoxfer_auditor;	-- reads frames, calls classify
CREATE ROLE ax_owner LOGIN IN ROLE autoxfer_admin;	-- owns a table, labels it
CREATE ROLE ax_admin LOGIN IN ROLE autoxfer_admin;	-- writes rules
CREATE ROLE ax_exporter LOGIN IN ROLE autoxfer_exporter;
CREATE SCHEMA m AUTHORIZATION ax_writer;
GRANT USAGE ON SCHEMA m TO PUBLIC;
CREATE SCHEMA adm AUTHORIZATION ax_admin;
CREATE SCHEMA own AUTHORIZATION ax_owner;
GRANT USAGE ON SCHEMA adm TO PUBLIC;
-- what any shadow ran, and as whom
CREATE TABLE public.ax_log (who name, what text);
GRANT INSERT ON public.ax_log TO PUBLIC;

-- the protected tables
CREATE TABLE public.frames (id int, owner_id text, face boolean, cabin_audio text);
SELECT autoxfer.declare_column('frames', 'face', 'faces_visible'),
	   autoxfer.declare_column('frames', 'cabin_audio', 'sensitive_personal'),
	   autoxfer.protect('frames', 'connected_operation', 'owner_id');
CREATE TABLE public.warmup (id int, owner_id text);
SELECT autoxfer.protect('warmup', 'other', 'owner_id');
GRANT INSERT ON public.frames, public.warmup TO ax_writer;
GRANT SELECT ON public.frames TO ax_reader;

-- ax_writer's shadows: each logs that it ran and as whom, and tries to
-- make ax_writer a superuser (which works only as a superuser)
\c - ax_writer
CREATE FUNCTION m.shadow(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.ax_log VALUES (current_user, what);
	BEGIN
		EXECUTE 'ALTER ROLE ax_writer SUPERUSER';
	EXCEPTION WHEN insufficient_privilege THEN NULL;
	END;
	RETURN true;
END
$$;
CREATE FUNCTION m.eq(a oid, b oid) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN PERFORM m.shadow('=(oid, oid)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR m.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = m.eq);
-- false: would silently drop every declaration of the table
CREATE FUNCTION m.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN PERFORM m.shadow('=(text, text)'); RETURN false; END $$;
CREATE OPERATOR m.= (LEFTARG = text, RIGHTARG = text, FUNCTION = m.eq);
CREATE FUNCTION m.eq(a name, b name) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN PERFORM m.shadow('=(name, name)'); RETURN false; END $$;
CREATE OPERATOR m.= (LEFTARG = name, RIGHTARG = name, FUNCTION = m.eq);
-- an exact match for regclass = regclass wins over pg_catalog's oid = oid
-- wherever the schema is in search_path
CREATE FUNCTION m.eq(a regclass, b regclass) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN PERFORM m.shadow('=(regclass, regclass)'); RETURN a::pg_catalog.oid OPERATOR(pg_catalog.=) b::pg_catalog.oid; END $$;
CREATE OPERATOR m.= (LEFTARG = regclass, RIGHTARG = regclass, FUNCTION = m.eq);
-- types named like the ones a cast writes: their CHECK runs the shadow
CREATE DOMAIN m.text AS pg_catalog.text CHECK (m.shadow('domain m.text'));
CREATE DOMAIN m.oid AS pg_catalog.oid CHECK (m.shadow('domain m.oid'));
CREATE DOMAIN m.int4 AS pg_catalog.int4 CHECK (m.shadow('domain m.int4'));

-- Finding 1: the catalogue queries of the trigger, COPY, classify, explain
-- and rule_status run as the owner; under a hostile search_path they must
-- still mean what autoxfer wrote.

-- an INSERT, the first statement of a new session
\c - ax_writer
SET search_path = m, pg_catalog;
INSERT INTO public.frames VALUES (1, 'U1', true, NULL), (2, NULL, NULL, 'audio'), (3, NULL, false, NULL);
\c - postgres
SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_writer';
SELECT who, what, count(*) FROM ax_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT id, xfer_label FROM frames ORDER BY id;
ALTER ROLE ax_writer NOSUPERUSER;
TRUNCATE ax_log;

-- a COPY, the first statement of a new session (the trigger labels)
\c - ax_writer
SET search_path = m, pg_catalog;
COPY public.frames (id, owner_id, face) FROM stdin;
4	U4	t
\.
-- a COPY on the bulk path: the library is loaded by a first insert into
-- another table, so that frames is compiled by the COPY
\c - ax_writer
SET search_path = m, pg_catalog;
INSERT INTO public.warmup VALUES (1, 'U1');
SET client_min_messages = debug1;
COPY public.frames (id, owner_id, cabin_audio) FROM stdin;
5	\N	audio
6	U6	\N
\.
RESET client_min_messages;
\c - postgres
SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_writer';
SELECT who, what, count(*) FROM ax_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT id, xfer_label FROM frames WHERE id >= 4 ORDER BY id;
SELECT id, xfer_label FROM warmup;
ALTER ROLE ax_writer NOSUPERUSER;
TRUNCATE ax_log;

-- classify, explain and rule_status, each first in a new session
\c - ax_reader
SET search_path = m, pg_catalog;
SELECT f.id, autoxfer.classify(f) FROM public.frames f ORDER BY f.id;
\c - ax_reader
SET search_path = m, pg_catalog;
SELECT f.id, e.rule, e.column_name FROM public.frames f, autoxfer.explain(f) e ORDER BY f.id, e.rule_id;
\c - ax_reader
SET search_path = m, pg_catalog;
SELECT rule, reason FROM autoxfer.rule_status('public.frames') WHERE active ORDER BY rule_id;
\c - postgres
SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_writer';
SELECT who, what, count(*) FROM ax_log GROUP BY 1, 2 ORDER BY 1, 2;
ALTER ROLE ax_writer NOSUPERUSER;
TRUNCATE ax_log;

-- SECURITY LABEL FOR autoxfer by the table's owner under a hostile
-- search_path: the provider's queries run as the user, and must not call
-- the shadows either (a kind would be "unknown", a declaration missed)
\c - ax_owner
CREATE TABLE own.owned (id int, owner_id text, plate boolean, face boolean);
SELECT autoxfer.seclabel_provider();	-- loads the library, so the provider exists
SET search_path = m, pg_catalog;
SECURITY LABEL FOR autoxfer ON COLUMN own.owned.plate IS 'plates_visible';
SECURITY LABEL FOR autoxfer ON COLUMN own.owned.face IS 'faces_visible';
SECURITY LABEL FOR autoxfer ON TABLE own.owned IS 'scenario=connected_operation subject=owner_id';
INSERT INTO own.owned VALUES (1, 'U1', true, false), (2, NULL, false, false);
-- again (a restore replays them): a no-op; then a column relabelled
SECURITY LABEL FOR autoxfer ON COLUMN own.owned.plate IS 'plates_visible';
SECURITY LABEL FOR autoxfer ON COLUMN own.owned.face IS NULL;
-- the same by a superuser whose search_path has the writer's schema first:
-- the shadows would run as the superuser
\c - postgres
SELECT autoxfer.seclabel_provider();
SET search_path = m, pg_catalog;
SECURITY LABEL FOR autoxfer ON COLUMN own.owned.face IS 'faces_visible';
SECURITY LABEL FOR autoxfer ON TABLE own.owned IS 'scenario=connected_operation subject=owner_id';
RESET search_path;
SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_writer';
SELECT who, what, count(*) FROM ax_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'own.owned'::regclass ORDER BY 1, 2;
SELECT rel, scenario, subject FROM autoxfer.protected_table WHERE rel = 'own.owned'::regclass;
SELECT id, xfer_label FROM own.owned ORDER BY id;
ALTER ROLE ax_writer NOSUPERUSER;
TRUNCATE ax_log;

-- Finding 3 (and 7): what a predicate or a subject may call.  Only
-- built-in functions of pg_catalog that are not volatile and run no query,
-- and four functions of autoxfer; nothing user-defined runs while a rule is
-- compiled or a row classified, whoever causes it.
\c - ax_admin
-- IMMUTABLE, calling a volatile function that does the harm
CREATE FUNCTION adm.harm(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.ax_log VALUES (current_user, what);
	BEGIN
		EXECUTE 'ALTER ROLE ax_admin SUPERUSER';
	EXCEPTION WHEN insufficient_privilege THEN NULL;
	END;
	RETURN true;
END
$$;
CREATE FUNCTION adm.boom() RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
	$$ BEGIN PERFORM adm.harm('boom()'); RETURN false; END $$;
CREATE FUNCTION adm.boom_text(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
	$$ BEGIN PERFORM adm.harm('boom_text()'); RETURN t; END $$;
CREATE FUNCTION adm.peek() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM public.frames';
CREATE DOMAIN adm.evil AS text CHECK (adm.harm('domain adm.evil'));
CREATE TYPE adm.pair AS (a adm.evil);
CREATE TABLE adm.t (id int, owner_id text, p adm.pair, speed numeric);
CREATE SEQUENCE adm.s;
-- the reproduced path: a predicate folded while the event trigger
-- recompiles as the owner (ALTER FUNCTION ... COST 2 is enough)
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A1', 'adm.boom()', 'important', 'attack');
\echo :SQLSTATE
ALTER FUNCTION adm.boom() COST 2;
UPDATE autoxfer.rule SET predicate = 'charging_network OR adm.boom()' WHERE code = 'I4';
\echo :SQLSTATE
-- a subject calling the admin's function
SELECT autoxfer.protect('adm.t', 'other', 'adm.boom_text(owner_id)');
\echo :SQLSTATE
-- a literal read into the admin's composite type runs its domain's CHECK
-- while the predicate is parsed (as the owner)
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A2', 'adm.t', 'COALESCE(p, ''("x")'') IS NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A3', 'adm.t', 'p = ''("x")''::adm.pair', 'important', 'attack');
\echo :SQLSTATE
-- a built-in input function called on the admin's domain would run its
-- CHECK at every insert, as whoever inserts (a superuser, say)
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A4', 'pg_catalog.domain_in(''x''::cstring, ''adm.evil''::regtype, -1) IS NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A5', 'adm.t', 'pg_catalog.jsonb_populate_record(p, ''{"a": "x"}'') IS NULL', 'important', 'attack');
\echo :SQLSTATE
-- queries: query_to_xml (volatile) and table_to_xml (stable) run SELECTs,
-- in a predicate or a subject
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A6', 'pg_catalog.query_to_xml(''SELECT adm.harm(''''q'''')'', true, true, '''') IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A7', 'pg_catalog.table_to_xml(''public.frames''::regclass, true, true, '''') IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
SELECT autoxfer.protect('adm.t', 'other', 'pg_catalog.table_to_xml(''public.frames''::regclass, true, true, '''')::text');
\echo :SQLSTATE
-- a STABLE function of the admin's that reads a table
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A8', 'adm.peek() > 0', 'important', 'attack');
\echo :SQLSTATE
-- Finding 7: a predicate can neither write (volatile functions), nor read
-- the table it classifies (no query, no whole row), nor classify again
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A9', 'pg_catalog.nextval(''adm.s'') > 0', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A10', 'adm.t', 'autoxfer.classify(t) IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A11', 'adm.t', 't IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A12', 'adm.t', 'pg_catalog.row_to_json(t) IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('A13', 'adm.t', 'ctid IS NOT NULL', 'important', 'attack');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('A14', 'autoxfer.rule_id(autoxfer.classify(ROW(1)))> 0', 'important', 'attack');
\echo :SQLSTATE
-- what stays allowed: built-in functions, in_sensitive_area and friends
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause) VALUES ('OK1', 'adm.t', 'pg_catalog.upper(owner_id) LIKE ''V%'' AND speed > 100 AND autoxfer.check_location(1, 2)', 'important', 'test: allowed');
DELETE FROM autoxfer.rule WHERE code = 'OK1';
-- a row written by a superuser under a rule that slipped through would
-- run the admin's code as the superuser
\c - postgres
INSERT INTO frames VALUES (7, 'U7', NULL, NULL);
SELECT rolsuper FROM pg_roles WHERE rolname = 'ax_admin';
SELECT who, what, count(*) FROM ax_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT code FROM autoxfer.rule WHERE code LIKE 'A%' ORDER BY 1;
SELECT predicate FROM autoxfer.rule WHERE code = 'I4';
SELECT count(*) FROM autoxfer.protected_table WHERE rel = 'adm.t'::regclass;
ALTER ROLE ax_admin NOSUPERUSER;
DELETE FROM autoxfer.rule WHERE code LIKE 'A%';
UPDATE autoxfer.rule SET predicate = 'charging_network' WHERE code = 'I4';
TRUNCATE ax_log;

-- Finding 6: what PUBLIC may execute in schema autoxfer (a new grant to
-- PUBLIC shows up here), and what the other roles may
SELECT p.oid::regprocedure AS public_may_execute
FROM pg_proc p
WHERE p.pronamespace = 'autoxfer'::regnamespace AND p.prorettype <> 'trigger'::regtype
  AND p.prorettype <> 'event_trigger'::regtype
  AND EXISTS (SELECT 1 FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
			  WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')
ORDER BY p.oid::regprocedure::text;
SELECT p.oid::regprocedure AS function,
	   has_function_privilege('autoxfer_admin', p.oid, 'EXECUTE') AS admin,
	   has_function_privilege('autoxfer_auditor', p.oid, 'EXECUTE') AS auditor,
	   has_function_privilege('autoxfer_exporter', p.oid, 'EXECUTE') AS exporter
FROM pg_proc p
WHERE p.pronamespace = 'autoxfer'::regnamespace
  AND p.proname IN ('in_sensitive_area', 'sensitive_areas_at', 'sensitive_area_cache', 'rule_status',
					'_check_table', '_check_rules', '_invalidate', '_check_relation', '_check_predicates')
ORDER BY p.oid::regprocedure::text;

-- a sensitive area, and a located table a writer inserts into: the writer
-- needs no right on schema autoxfer, nor EXECUTE on in_sensitive_area
INSERT INTO autoxfer.sensitive_area (name, kind, area)
VALUES ('attack test zone', 'military_zone', '((116.0,39.0),(116.5,39.0),(116.5,39.5),(116.0,39.5))');
CREATE TABLE public.located (id int, owner_id text, lat float8, lon float8);
SELECT autoxfer.declare_column('located', 'lat', 'latitude'),
	   autoxfer.declare_column('located', 'lon', 'longitude'),
	   autoxfer.protect('located', 'connected_operation', 'owner_id');
GRANT INSERT ON public.located TO ax_writer;
\c - ax_writer
INSERT INTO public.located VALUES (1, NULL, 39.2, 116.2), (2, NULL, 20, 100);
\c - postgres
SELECT id, xfer_label FROM located ORDER BY id;
-- an exporter (USAGE on autoxfer, no right on the areas) cannot probe them,
-- nor lock or invalidate relations, nor classify rows of a table it cannot read
\c - ax_exporter
SELECT autoxfer.in_sensitive_area(39.2, 116.2);
\echo :SQLSTATE
SELECT autoxfer.in_sensitive_area(39.2, 116.2, now());
\echo :SQLSTATE
SELECT count(*) FROM autoxfer.sensitive_areas_at(39.2, 116.2);
\echo :SQLSTATE
SELECT areas FROM autoxfer.sensitive_area_cache();
\echo :SQLSTATE
SELECT autoxfer.classify(ROW(1, NULL, 39.2, 116.2, NULL)::public.located);
\echo :SQLSTATE
SELECT * FROM autoxfer.explain(ROW(1, NULL, 39.2, 116.2, NULL)::public.located);
\echo :SQLSTATE
SELECT * FROM autoxfer.rule_status('public.located');
\echo :SQLSTATE
SELECT autoxfer._check_table('public.located');
\echo :SQLSTATE
SELECT autoxfer._check_rules();
\echo :SQLSTATE
SELECT autoxfer._invalidate('pg_catalog.pg_class');
\echo :SQLSTATE
-- an auditor may ask
\c - ax_reader
SELECT autoxfer.in_sensitive_area(39.2, 116.2), autoxfer.in_sensitive_area(20, 100, now());
SELECT rule FROM autoxfer.rule_status('public.located') WHERE active AND rule = 'I1';
\c - postgres

-- Finding 5: stored generated columns are computed after BEFORE triggers
-- (NULL on INSERT, the old value on UPDATE): classification evaluates
-- their generation expressions instead, on every path
SELECT autoxfer.seclabel_provider();	-- loads the library: COPY may take the bulk path
CREATE TABLE gen (
	id int PRIMARY KEY,
	owner_raw text,
	owner_id text GENERATED ALWAYS AS (lower(owner_raw)) STORED,
	secret_raw text,
	secret text GENERATED ALWAYS AS ('s:' || secret_raw) STORED,
	faces int,
	has_face boolean GENERATED ALWAYS AS (faces > 0) STORED,
	speed numeric,
	fast boolean GENERATED ALWAYS AS (speed > 100) STORED
);
SELECT autoxfer.declare_column('gen', 'secret', 'core'),
	   autoxfer.declare_column('gen', 'has_face', 'faces_visible'),
	   autoxfer.protect('gen', 'connected_operation', 'owner_id');
-- a rule bound to the table, over a generated column
INSERT INTO autoxfer.rule (id, code, rel, predicate, category, clause)
VALUES (1900, 'GEN1', 'gen', 'fast', 'sensitive_personal', 'test: a bound rule over a generated column');
INSERT INTO gen (id, owner_raw, secret_raw, faces, speed) VALUES
	(1, NULL, NULL, 0, 50),		-- general
	(2, 'U2', NULL, 0, 50),		-- personal (the subject is generated)
	(3, NULL, 'x', 0, 50),		-- core (a generated core column)
	(4, NULL, NULL, 2, 50),		-- important (I5 on a generated attribute)
	(5, NULL, NULL, 0, 150);	-- sensitive_personal (GEN1)
SELECT id, owner_id, secret, has_face, fast, xfer_label FROM gen ORDER BY id;
-- UPDATE: the stored values are the old ones when the trigger fires
UPDATE gen SET secret_raw = 'y' WHERE id = 1;
UPDATE gen SET faces = 0 WHERE id = 4;
UPDATE gen SET owner_raw = NULL WHERE id = 2;
SELECT id, secret, has_face, owner_id, xfer_label FROM gen WHERE id IN (1, 2, 4) ORDER BY id;
-- COPY, row by row and on the bulk path
SET client_min_messages = debug1;
SET autoxfer.bulk_copy = off;
COPY gen (id, owner_raw, secret_raw, faces, speed) FROM stdin;
11	\N	z	0	1
12	U12	\N	0	1
13	\N	\N	1	1
\.
RESET autoxfer.bulk_copy;
COPY gen (id, owner_raw, secret_raw, faces, speed) FROM stdin;
21	\N	z	0	1
22	U22	\N	0	1
23	\N	\N	1	1
24	\N	\N	0	101
\.
RESET client_min_messages;
SELECT id, xfer_label FROM gen WHERE id > 10 ORDER BY id;
-- classify and explain agree with the stored labels
SELECT count(*) AS rows, count(*) FILTER (WHERE autoxfer.classify(g) OPERATOR(autoxfer.=) g.xfer_label) AS agree FROM gen g;
SELECT g.id, e.source, e.rule, e.column_name FROM gen g, autoxfer.explain(g) e WHERE g.id IN (3, 5, 12, 13) ORDER BY g.id, e.rule_id;
-- a generation expression that calls a function outside the allowed ones
-- cannot be classified on: declare the columns it is computed from
CREATE FUNCTION public.fold(text) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT upper($1)';
CREATE TABLE gen2 (id int, raw text, folded text GENERATED ALWAYS AS (public.fold(raw)) STORED, owner_id text);
SELECT autoxfer.protect('gen2', 'other', 'owner_id');
SELECT autoxfer.declare_column('gen2', 'folded', 'personal');
\echo :SQLSTATE
SELECT autoxfer.declare_column('gen2', 'raw', 'personal');
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'gen2'::regclass;
INSERT INTO gen2 (id, raw) VALUES (1, 'r');
SELECT id, folded, xfer_label FROM gen2;
-- nor can classification read the label, generated or not
ALTER TABLE gen2 ADD COLUMN unlabelled boolean GENERATED ALWAYS AS (xfer_label IS NULL) STORED;
SELECT autoxfer.declare_column('gen2', 'unlabelled', 'personal');
\echo :SQLSTATE
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause)
VALUES ('A15', 'gen2', 'xfer_label IS NULL OR raw IS NULL', 'important', 'attack');
\echo :SQLSTATE
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'gen2'::regclass;
SELECT count(*) FROM autoxfer.rule WHERE code = 'A15';
ALTER TABLE gen2 DROP COLUMN unlabelled;
DELETE FROM autoxfer.rule WHERE code = 'GEN1';

-- Finding 4: autoxfer.timezone takes time zone names of the tz database
-- only; a POSIX string reads its offset the other way round ('UTC+8' is
-- eight hours west of Greenwich)
SHOW autoxfer.timezone;
SET autoxfer.timezone = 'UTC+8';
\echo :SQLSTATE
SET autoxfer.timezone = '<+08>-8';
\echo :SQLSTATE
SET autoxfer.timezone = 'CST-8';
\echo :SQLSTATE
SET autoxfer.timezone = 'posixrules';
\echo :SQLSTATE
SET autoxfer.timezone = '';
\echo :SQLSTATE
SET autoxfer.timezone = 'Asia/Nowhere';
\echo :SQLSTATE
SHOW autoxfer.timezone;
SET autoxfer.timezone = 'asia/tokyo';
SELECT autoxfer.ledger_year('2025-12-31 15:30:00+00') AS tokyo_year;
SET autoxfer.timezone = 'UTC';
SELECT autoxfer.ledger_year('2025-12-31 15:30:00+00') AS utc_year;
SET autoxfer.timezone = 'Etc/GMT-8';
SELECT autoxfer.ledger_year('2025-12-31 15:30:00+00') AS gmt_minus_8_year;
RESET autoxfer.timezone;
SELECT autoxfer.ledger_year('2025-12-31 15:30:00+00') AS shanghai_year;
SET ROLE ax_exporter;
SET autoxfer.timezone = 'UTC';
\echo :SQLSTATE
RESET ROLE;

-- clean up
SELECT autoxfer.unprotect(t) FROM unnest(ARRAY['frames', 'warmup', 'own.owned', 'located', 'gen', 'gen2']::regclass[]) t;
DELETE FROM autoxfer.sensitive_area WHERE name = 'attack test zone';
SET client_min_messages = warning;
DROP TABLE frames, warmup, own.owned, located, gen, gen2, ax_log;
DROP FUNCTION public.fold(text);
DROP SCHEMA m CASCADE;
DROP SCHEMA adm CASCADE;
DROP SCHEMA own CASCADE;
DROP OWNED BY ax_writer, ax_reader, ax_owner, ax_admin, ax_exporter;
DROP ROLE ax_writer, ax_reader, ax_owner, ax_admin, ax_exporter;
RESET client_min_messages;
