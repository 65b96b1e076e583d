-- Declarations: the kinds, declare_column / undeclare_column, protect /
-- unprotect, and the catalogue kept right under DDL.
\set VERBOSITY default
SET client_min_messages = notice;

-- the kinds a column can be declared as
SELECT kind_class, count(*), string_agg(name, ',' ORDER BY name)
FROM autoxfer.attribute_kind GROUP BY kind_class ORDER BY kind_class;

CREATE TABLE frames (
	id int PRIMARY KEY,
	vin text,
	owner_id text,
	face boolean,
	plate boolean,
	lat double precision,
	lon double precision,
	precision_m int,
	note text);
INSERT INTO frames VALUES
	(1, 'LSV1', 'U1', false, false, NULL, NULL, NULL, 'owner only'),
	(2, NULL, NULL, false, false, NULL, NULL, NULL, 'nothing'),
	(3, 'LSV3', NULL, true, false, NULL, NULL, NULL, 'a face');

-- declare columns before protecting: allowed, kept in the catalogue
SELECT autoxfer.declare_column('frames', 'face', 'faces_visible');
SELECT autoxfer.declare_column('frames', 'plate', 'plates_visible');
SELECT autoxfer.declare_column('frames', 'vin', 'subject');
-- the same declaration again is a quiet no-op (the restore path)
SELECT autoxfer.declare_column('frames', 'face', 'faces_visible');
SELECT attname, kind, attnum FROM autoxfer.declaration WHERE rel = 'frames'::regclass ORDER BY attname, kind;

-- bad declarations
SELECT autoxfer.declare_column('frames', 'face', 'face');
SELECT autoxfer.declare_column('frames', 'nope', 'latitude');
SELECT autoxfer.declare_column('frames', 'note', 'latitude');
SELECT autoxfer.declare_column('frames', 'lat', 'faces_visible');
SELECT autoxfer.declare_column('frames', 'plate', 'faces_visible');
SELECT autoxfer.declare_column('frames', NULL, 'latitude');
SELECT autoxfer.declare_column(NULL, 'lat', 'latitude');
SELECT autoxfer.declare_column('frames', 'lat', NULL);
SELECT autoxfer.declare_column('frames', 'lat', '');
SELECT autoxfer.declare_column('frames', 'lat', repeat('x', 10000));
SELECT autoxfer.declare_column('frames', 'lat', 'latitude''); DROP TABLE frames; --');
SELECT autoxfer.declare_column('no_such_table', 'lat', 'latitude');
CREATE VIEW frames_v AS SELECT * FROM frames;
SELECT autoxfer.declare_column('frames_v', 'lat', 'latitude');
SELECT autoxfer.protect('frames_v', 'other', 'owner_id');
DROP VIEW frames_v;
CREATE TEMP TABLE tmp_frames (lat float8);
SELECT autoxfer.declare_column('tmp_frames', 'lat', 'latitude');
-- a numeric attribute accepts any numeric type
SELECT autoxfer.declare_column('frames', 'precision_m', 'map_precision_m');

-- protect: adds the label column, the trigger, labels the existing rows
SELECT autoxfer.protect('frames', 'connected_operation', 'owner_id');
SELECT rel, scenario, subject, label_column, generation FROM autoxfer.protected_table;
SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = 'frames'::regclass AND NOT tgisinternal;
SELECT attname, format_type(atttypid, atttypmod), attnotnull FROM pg_attribute
WHERE attrelid = 'frames'::regclass AND attname = 'xfer_label';
SELECT id, xfer_label FROM frames ORDER BY id;
SELECT * FROM autoxfer.stale_labels();

-- the same protection again: quiet; a different one: refused
SELECT autoxfer.protect('frames', 'connected_operation', 'owner_id');
SELECT autoxfer.protect('frames', 'driving_automation', 'owner_id');
SELECT autoxfer.protect('frames', 'connected_operation', 'vin');

-- bad protections
SELECT autoxfer.protect('tmp_frames', 'other', 'lat');
SELECT autoxfer.protect('frames', 'secret', 'owner_id');
SELECT autoxfer.protect(NULL, 'other', 'x');
SELECT autoxfer.protect('frames', NULL, 'x');
SELECT autoxfer.protect('frames', 'other', NULL);
CREATE TABLE t2 (id int, who text, l text);
SELECT autoxfer.protect('t2', 'other', '   ');
SELECT autoxfer.protect('t2', 'other', 'owner');
SELECT autoxfer.protect('t2', 'other', 'random()::text');
SELECT autoxfer.protect('t2', 'other', '(SELECT who FROM t2 LIMIT 1)');
SELECT autoxfer.protect('t2', 'other', 'who; DROP TABLE t2');
SELECT autoxfer.protect('t2', 'other', 'who', 'l');
-- nothing was left behind by the refused protections
SELECT count(*) FROM autoxfer.protected_table WHERE rel = 't2'::regclass;
SELECT attname FROM pg_attribute WHERE attrelid = 't2'::regclass AND attnum > 0 ORDER BY attnum;
-- an expression subject and a custom label column
SELECT autoxfer.protect('t2', 'other', 'lower(who)', 'cls');
INSERT INTO t2 VALUES (1, 'A', 'x'), (2, NULL, 'y');
SELECT id, cls FROM t2 ORDER BY id;

-- renaming a declared column follows it; dropping it forgets it
ALTER TABLE frames RENAME COLUMN plate TO plate_seen;
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'frames'::regclass ORDER BY attname, kind;
INSERT INTO frames (id, plate_seen) VALUES (4, true);
SELECT id, xfer_label FROM frames WHERE id = 4;
ALTER TABLE frames DROP COLUMN plate_seen;
SELECT attname, kind FROM autoxfer.declaration WHERE rel = 'frames'::regclass ORDER BY attname, kind;
-- the subject column cannot be renamed or dropped under the protection
ALTER TABLE frames RENAME COLUMN owner_id TO owner;
ALTER TABLE frames DROP COLUMN owner_id;
-- nor can the label column
ALTER TABLE frames DROP COLUMN xfer_label;
ALTER TABLE frames RENAME COLUMN xfer_label TO lbl;
-- changing a declared column to a type of the wrong class is refused
ALTER TABLE frames ALTER COLUMN face TYPE text;
SELECT id, xfer_label FROM frames ORDER BY id;

-- undeclare, then unprotect
SELECT autoxfer.undeclare_column('frames', 'vin');
SELECT autoxfer.undeclare_column('frames', 'note');
SELECT autoxfer.undeclare_column(NULL, 'note');
SELECT autoxfer.unprotect('t2');
SELECT autoxfer.unprotect('t2');
SELECT autoxfer.unprotect(NULL);
SELECT attname FROM pg_attribute WHERE attrelid = 't2'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum;
INSERT INTO t2 VALUES (3, 'C', 'z');

-- dropping a protected table forgets it and its declarations
DROP TABLE frames;
SELECT count(*) FROM autoxfer.protected_table;
SELECT count(*) FROM autoxfer.declaration;
DROP TABLE t2;
