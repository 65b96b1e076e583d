-- The enforcing trigger: labels cannot be forged, UPDATE and COPY are
-- labelled, partitioned tables are covered, replication roles too.
\set VERBOSITY default

CREATE TABLE cams (id int PRIMARY KEY, owner_id text, face boolean, anon boolean);
SELECT autoxfer.declare_column('cams', 'face', 'faces_visible');
SELECT autoxfer.declare_column('cams', 'anon', 'anonymised');
SELECT autoxfer.protect('cams', 'driving_automation', 'owner_id');

-- a forged label is overwritten
INSERT INTO cams VALUES (1, NULL, true, false, 'general/exportable');
INSERT INTO cams (id, owner_id, face, xfer_label) VALUES (2, 'U2', false, 'general/exportable');
SELECT id, xfer_label FROM cams ORDER BY id;
UPDATE cams SET xfer_label = 'general/exportable' WHERE id = 1;
SELECT id, xfer_label FROM cams WHERE id = 1;
-- an UPDATE relabels
UPDATE cams SET anon = true WHERE id = 1;
SELECT id, xfer_label FROM cams WHERE id = 1;
-- NULL is not a way out either
UPDATE cams SET xfer_label = NULL WHERE id = 2;
SELECT id, xfer_label FROM cams WHERE id = 2;

-- COPY is labelled too (on the bulk path of 49_bulk_copy once the library is
-- loaded, as here)
COPY cams (id, owner_id, face, anon) FROM stdin;
3	U3	t	f
4	\N	f	\N
\.
COPY cams (id, owner_id, face, anon, xfer_label) FROM stdin;
5	\N	t	\N	general/exportable
\.
SELECT id, xfer_label FROM cams WHERE id >= 3 ORDER BY id;

-- the trigger fires under session_replication_role = replica too (it is
-- ENABLE ALWAYS)
SET session_replication_role = replica;
INSERT INTO cams VALUES (6, NULL, true, false, 'general/exportable');
RESET session_replication_role;
SELECT id, xfer_label FROM cams WHERE id = 6;
-- fail closed: the trigger cannot be disabled (51_attack_ddl tries every
-- way, as the table's owner and as autoxfer_admin), so a row written with a
-- label forged in full, at the table's current generation, gets its own
ALTER TABLE cams DISABLE TRIGGER zz_autoxfer_enforce;
INSERT INTO cams VALUES (7, NULL, true, false, 'general/exportable scenario=driving_automation gen=1');
SELECT id, xfer_label FROM cams WHERE id = 7;
-- were the trigger not there (only a superuser restoring a dump can bring
-- that about: check_function_bodies = off in a superuser's session), a row
-- gets the column's default, core/blocked with generation 0 (never
-- exported, and stale), and NULL is refused
SET check_function_bodies = off;
ALTER TABLE cams DISABLE TRIGGER zz_autoxfer_enforce;
INSERT INTO cams (id) VALUES (70);
INSERT INTO cams VALUES (71, NULL, NULL, NULL, NULL);
ALTER TABLE cams ENABLE ALWAYS TRIGGER zz_autoxfer_enforce;
RESET check_function_bodies;
SELECT id, xfer_label FROM cams WHERE id = 70;
SELECT * FROM autoxfer.stale_labels('cams');
SELECT autoxfer.reclassify('cams');
SELECT id, xfer_label FROM cams WHERE id IN (7, 70) ORDER BY id;

-- the label column need not be the last one, nor the row free of NULLs
-- before it (the label is written in place in the row)
ALTER TABLE cams ADD COLUMN extra text;
INSERT INTO cams VALUES (9, NULL, NULL, NULL, 'general/exportable', 'x');
UPDATE cams SET extra = 'y', face = true WHERE id = 9;
UPDATE cams SET extra = NULL WHERE id = 2;
SELECT id, xfer_label, extra FROM cams WHERE id IN (2, 9) ORDER BY id;
SELECT count(*) FILTER (WHERE autoxfer.classify(c) OPERATOR(autoxfer.=) xfer_label) AS same, count(*) FROM cams c;

-- a user allowed to write the table, without any right on schema autoxfer,
-- still gets rows labelled, and cannot forge one
CREATE ROLE ax_writer;
GRANT INSERT, UPDATE, SELECT ON cams TO ax_writer;
SET ROLE ax_writer;
INSERT INTO cams VALUES (8, 'U8', true, false, 'general/exportable');
UPDATE cams SET xfer_label = 'general/exportable' WHERE id = 8;
SELECT id, xfer_label::text FROM cams WHERE id = 8;
RESET ROLE;
REVOKE ALL ON cams FROM ax_writer;
DROP ROLE ax_writer;

-- the trigger function misused
CREATE TABLE notprot (a int);
CREATE TRIGGER t BEFORE INSERT ON notprot FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce();
INSERT INTO notprot VALUES (1);
DROP TRIGGER t ON notprot;
CREATE TRIGGER t AFTER INSERT ON notprot FOR EACH ROW EXECUTE FUNCTION autoxfer.enforce();
INSERT INTO notprot VALUES (1);
DROP TRIGGER t ON notprot;
CREATE TRIGGER t BEFORE INSERT ON notprot FOR EACH STATEMENT EXECUTE FUNCTION autoxfer.enforce();
INSERT INTO notprot VALUES (1);
DROP TABLE notprot;
SELECT autoxfer.enforce();

-- partitioned tables: the trigger and label reach every partition, existing
-- and future, whatever their column order
CREATE TABLE trips (id int, region text, owner_id text, face boolean) PARTITION BY LIST (region);
CREATE TABLE trips_bj PARTITION OF trips FOR VALUES IN ('bj');
CREATE TABLE trips_sh (face boolean, region text, extra int, owner_id text, id int);
ALTER TABLE trips_sh DROP COLUMN extra;
ALTER TABLE trips ATTACH PARTITION trips_sh FOR VALUES IN ('sh');
INSERT INTO trips VALUES (1, 'bj', 'U1', false), (2, 'sh', NULL, true);
SELECT autoxfer.declare_column('trips', 'face', 'faces_visible');
SELECT autoxfer.protect('trips', 'connected_operation', 'owner_id');
SELECT autoxfer.protect('trips_bj', 'connected_operation', 'owner_id');
CREATE TABLE trips_gz PARTITION OF trips FOR VALUES IN ('gz');
CREATE TABLE trips_sz (id int, region text, owner_id text, face boolean, xfer_label autoxfer.label NOT NULL);
ALTER TABLE trips ATTACH PARTITION trips_sz FOR VALUES IN ('sz');
INSERT INTO trips VALUES (3, 'gz', 'U3', false, 'general/exportable'), (4, 'sz', NULL, true, NULL), (5, 'sh', 'U5', NULL, NULL);
COPY trips (id, region, owner_id, face) FROM stdin;
6	gz	\N	t
7	bj	\N	f
\.
SELECT tableoid::regclass, id, xfer_label FROM trips ORDER BY id;
SELECT c.relname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE t.tgname = 'zz_autoxfer_enforce' AND c.relname LIKE 'trips%' ORDER BY 1;
SELECT c.relname, a.attnotnull FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE a.attname = 'xfer_label' AND c.relname LIKE 'trips%' ORDER BY 1;
-- moving a row between partitions relabels it in its new partition
UPDATE trips SET region = 'sh' WHERE id = 7;
SELECT tableoid::regclass, id, xfer_label FROM trips WHERE id = 7;
SELECT * FROM autoxfer.stale_labels('trips');
UPDATE autoxfer.rule SET clause = clause WHERE code = 'I5';
SELECT autoxfer.reclassify('trips', 1);
SELECT * FROM autoxfer.stale_labels('trips');
SELECT autoxfer.reclassify('trips', 0);
SELECT autoxfer.reclassify('cams_nope', 1);
SELECT autoxfer.unprotect('trips');
SELECT count(*) FROM pg_trigger WHERE tgname = 'zz_autoxfer_enforce';

DROP TABLE cams, trips;

-- a large table: protect without labelling its rows (they stay core/blocked,
-- and stale), then label them in committed batches
CREATE TABLE big (id int, owner_id text);
INSERT INTO big SELECT g, CASE WHEN g % 2 = 0 THEN 'U' || g END FROM generate_series(1, 2000) g;
SET autoxfer.defer_labelling = on;
SELECT autoxfer.protect('big', 'other', 'owner_id');
RESET autoxfer.defer_labelling;
SELECT autoxfer.category(xfer_label), autoxfer.mark(xfer_label), count(*) FROM big GROUP BY 1, 2;
SELECT * FROM autoxfer.stale_labels('big');
SET client_min_messages = warning;
CALL autoxfer.reclassify_batches('big', 1000);
RESET client_min_messages;
SELECT autoxfer.category(xfer_label), autoxfer.mark(xfer_label), count(*) FROM big GROUP BY 1, 2 ORDER BY 1;
SELECT * FROM autoxfer.stale_labels('big');
-- in a transaction block it cannot commit: refused, nothing done
UPDATE autoxfer.rule SET clause = clause WHERE code = 'C2';
BEGIN;
CALL autoxfer.reclassify_batches('big', 1000);
ROLLBACK;
SELECT * FROM autoxfer.stale_labels('big');
CALL autoxfer.reclassify_batches('nope_big', 1000);
CALL autoxfer.reclassify_batches('big', NULL);
DROP TABLE big;
