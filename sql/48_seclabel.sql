-- The security label provider "autoxfer": SECURITY LABEL FOR autoxfer ON
-- COLUMN / ON TABLE as declarations, strict validation of the label text,
-- objects that take no label, and privileges.
SET search_path = public;
\set VERBOSITY default
-- the core functions' PL/pgSQL line numbers are not part of this test
\set SHOW_CONTEXT never

SELECT autoxfer.seclabel_provider();

CREATE TABLE sl_trips (
	id int PRIMARY KEY,
	vin text,
	owner_id text,
	lat float8,
	lon float8,
	face boolean,
	note text
);
INSERT INTO sl_trips VALUES (1, 'LSV1', 'U1', 39.9, 116.4, false, NULL), (2, NULL, NULL, 30, 120, true, 'x');

-- a column label is a kind, or kinds separated by commas
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.lat IS 'latitude';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.lon IS '  longitude  ';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.vin IS 'subject, personal';
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'sl_trips'::regclass ORDER BY attname, kind;
-- a new label replaces the column's kinds; the same label again changes nothing
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.vin IS 'personal';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.vin IS 'personal';
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'sl_trips'::regclass AND attname = 'vin';
-- IS NULL undeclares
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.vin IS NULL;
SELECT count(*) AS vin_declarations FROM autoxfer.declaration WHERE rel = 'sl_trips'::regclass AND attname = 'vin';
-- without FOR: autoxfer is the only provider loaded
SECURITY LABEL ON COLUMN sl_trips.face IS 'faces_visible';

-- a table label protects: label column, trigger, existing rows labelled
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=connected_operation subject=owner_id';
SELECT rel, scenario, subject, label_column FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SELECT id, autoxfer.category(xfer_label), autoxfer.mark(xfer_label) FROM sl_trips ORDER BY id;
INSERT INTO sl_trips VALUES (3, NULL, 'U3', NULL, NULL, false, NULL);
SELECT id, autoxfer.category(xfer_label) FROM sl_trips WHERE id = 3;
-- the same label again is quiet; the labels PostgreSQL stored
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=connected_operation   subject=owner_id';
SELECT objtype, objname, label FROM pg_seclabels WHERE provider = 'autoxfer' ORDER BY objname COLLATE "C";
-- another scenario is refused by protect(), and the old label stays
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=rd_design subject=owner_id';
SELECT label FROM pg_seclabel WHERE provider = 'autoxfer' AND objoid = 'sl_trips'::regclass AND objsubid = 0;
-- IS NULL unprotects (and is quiet on a table that is not protected)
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS NULL;
SELECT count(*) AS still_protected FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SELECT count(*) AS label_column_left FROM pg_attribute WHERE attrelid = 'sl_trips'::regclass AND attname = 'xfer_label' AND NOT attisdropped;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS NULL;

-- quoted and folded names, an expression as subject
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS
	'subject=coalesce(owner_id, vin, ''(none)'') label_column="Row Label" scenario=driving_automation';
SELECT subject, label_column FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SELECT id, autoxfer.category("Row Label") FROM sl_trips ORDER BY id;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS NULL;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id label_column=XferLabel';
SELECT label_column FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS NULL;

-- bad table labels: 22023, the label is not stored, nothing is protected
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS '';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS '   ';
-- subject= may be left out: a table about no individual
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other';
SELECT subject IS NULL AS no_subject FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS NULL;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=space subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=Other subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'Scenario=other subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id recipient=x';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other scenario=other subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario other subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario= subject=owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=lower(owner_id';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id)';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=f(a[1)]';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=''unterminated';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id label_column=a-b';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id label_column=""';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id label_column="a"b';
SELECT 'SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS ''scenario=other subject=owner_id label_column=' || repeat('l', 64) || '''' AS long_name \gset
:long_name;
SELECT 'SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS ''scenario=other subject=owner_id' || repeat(' a=1', 20) || '''' AS many \gset
:many;
SELECT 'SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS ''scenario=other subject=' || repeat('(', 100) || 'owner_id' || repeat(')', 100) || '''' AS deep \gset
:deep;
SELECT 'SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS ''scenario=other ' || repeat('x', 100000) || '''' AS huge \gset
:huge;
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=größe';
SELECT count(*) AS protected FROM autoxfer.protected_table WHERE rel = 'sl_trips'::regclass;
SELECT count(*) AS table_labels FROM pg_seclabel WHERE objoid = 'sl_trips'::regclass AND objsubid = 0;

-- attempts to smuggle SQL: a value is one token, passed as a parameter
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id); DROP TABLE sl_trips; --';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other'';DROP/**/TABLE/**/sl_trips;-- subject=owner_id';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal''); DROP TABLE sl_trips; --';
SECURITY LABEL FOR autoxfer ON TABLE sl_trips IS 'scenario=other subject=owner_id;DROP/**/TABLE/**/sl_trips';
SELECT count(*) AS still_there FROM sl_trips;

-- bad column labels
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS '';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'speed';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'Personal';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal,';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS ',personal';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal,,core';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal core';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal, personal';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'kind=personal';
SELECT 'SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS ''' || repeat('personal,', 17) || 'core''' AS many_kinds \gset
:many_kinds;
-- a kind the column's type does not fit: declare_column refuses, nothing stored
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'latitude';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal, faces_visible';
SELECT count(*) AS note_declarations FROM autoxfer.declaration WHERE rel = 'sl_trips'::regclass AND attname = 'note';
SELECT count(*) AS note_labels FROM pg_seclabel WHERE objoid = 'sl_trips'::regclass AND objsubid = 7;

-- objects that take no autoxfer label: 0A000
CREATE VIEW sl_view AS SELECT * FROM sl_trips;
CREATE MATERIALIZED VIEW sl_mview AS SELECT id FROM sl_trips;
CREATE SEQUENCE sl_seq;
CREATE FUNCTION sl_fn() RETURNS int LANGUAGE sql AS 'SELECT 1';
SECURITY LABEL FOR autoxfer ON VIEW sl_view IS 'scenario=other subject=owner_id';
SECURITY LABEL FOR autoxfer ON COLUMN sl_view.lat IS 'latitude';
SECURITY LABEL FOR autoxfer ON MATERIALIZED VIEW sl_mview IS 'scenario=other subject=id';
SECURITY LABEL FOR autoxfer ON SEQUENCE sl_seq IS 'subject';
SECURITY LABEL FOR autoxfer ON FUNCTION sl_fn() IS 'subject';
SECURITY LABEL FOR autoxfer ON SCHEMA public IS 'subject';
SECURITY LABEL FOR autoxfer ON TYPE int4 IS 'subject';
SECURITY LABEL FOR autoxfer ON ROLE autoxfer_admin IS 'subject';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.ctid IS 'subject';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.missing IS 'subject';
SECURITY LABEL FOR nobody ON TABLE sl_trips IS 'scenario=other subject=owner_id';
-- temporary tables are refused by the declarations themselves
CREATE TEMP TABLE sl_temp (owner_id text);
SECURITY LABEL FOR autoxfer ON COLUMN sl_temp.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON TABLE sl_temp IS 'scenario=other subject=owner_id';

-- partitioned tables: the label at the root protects every partition
CREATE TABLE sl_part (id int, owner_id text, lat float8, lon float8) PARTITION BY RANGE (id);
CREATE TABLE sl_part_1 PARTITION OF sl_part FOR VALUES FROM (0) TO (100);
SECURITY LABEL FOR autoxfer ON COLUMN sl_part.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON TABLE sl_part IS 'scenario=connected_operation subject=owner_id';
CREATE TABLE sl_part_2 PARTITION OF sl_part FOR VALUES FROM (100) TO (200);
INSERT INTO sl_part VALUES (1, 'U1', NULL, NULL), (150, NULL, NULL, NULL);
SELECT tableoid::regclass, id, autoxfer.category(xfer_label) FROM sl_part ORDER BY id;
-- a partition of a protected tree is not protected again
SECURITY LABEL FOR autoxfer ON TABLE sl_part_2 IS 'scenario=connected_operation subject=owner_id';
-- labels work from inside a function too (the statement goes through SPI)
DO $$ BEGIN EXECUTE 'SECURITY LABEL FOR autoxfer ON TABLE sl_part IS NULL'; END $$;
SELECT count(*) AS part_protected FROM autoxfer.protected_table WHERE rel = 'sl_part'::regclass;
DO $$ BEGIN EXECUTE 'SECURITY LABEL FOR autoxfer ON TABLE sl_part IS ''scenario=other subject=owner_id'''; END $$;
SELECT scenario FROM autoxfer.protected_table WHERE rel = 'sl_part'::regclass;

-- privileges: SECURITY LABEL needs the table's ownership (PostgreSQL), and
-- the declaration functions' own rights (autoxfer_admin); neither is enough
-- alone, and a refused label leaves nothing behind
CREATE ROLE regress_sl_owner;
CREATE ROLE regress_sl_admin IN ROLE autoxfer_admin;
GRANT USAGE ON SCHEMA autoxfer TO regress_sl_owner;
GRANT CREATE ON SCHEMA public TO regress_sl_owner;
SET ROLE regress_sl_owner;
CREATE TABLE sl_owned (owner_id text, lat float8);
SECURITY LABEL FOR autoxfer ON COLUMN sl_owned.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON TABLE sl_owned IS 'scenario=other subject=owner_id';
RESET ROLE;
SELECT count(*) AS owned_labels FROM pg_seclabel WHERE objoid = 'sl_owned'::regclass;
SELECT count(*) AS owned_declarations FROM autoxfer.declaration WHERE rel = 'sl_owned'::regclass;
SET ROLE regress_sl_admin;
SECURITY LABEL FOR autoxfer ON COLUMN sl_owned.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON COLUMN sl_trips.note IS 'personal';
RESET ROLE;
-- owner and admin together: allowed
GRANT autoxfer_admin TO regress_sl_owner;
SET ROLE regress_sl_owner;
SECURITY LABEL FOR autoxfer ON COLUMN sl_owned.owner_id IS 'subject';
SECURITY LABEL FOR autoxfer ON TABLE sl_owned IS 'scenario=other subject=owner_id';
RESET ROLE;
SELECT rel, scenario FROM autoxfer.protected_table WHERE rel = 'sl_owned'::regclass;

-- a dropped column loses its label and its declaration
DROP VIEW sl_view;
DROP MATERIALIZED VIEW sl_mview;
ALTER TABLE sl_trips DROP COLUMN face;
SELECT count(*) AS face_declarations FROM autoxfer.declaration WHERE rel = 'sl_trips'::regclass AND kind = 'faces_visible';
SELECT objname, label FROM pg_seclabels WHERE provider = 'autoxfer' AND objname LIKE 'sl_trips%' ORDER BY objname COLLATE "C";

-- clean up
DROP TABLE sl_owned, sl_trips;
DROP TABLE sl_part;
DROP SEQUENCE sl_seq;
DROP FUNCTION sl_fn();
DROP OWNED BY regress_sl_owner, regress_sl_admin;
DROP ROLE regress_sl_owner, regress_sl_admin;
SELECT count(*) AS labels_left FROM pg_seclabel WHERE provider = 'autoxfer';
