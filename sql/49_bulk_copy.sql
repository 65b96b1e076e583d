-- COPY FROM into a protected table: the bulk path (autoxfer.bulk_copy)
-- labels each row as the trigger would and writes the rows in batches.
-- COPYs run with client_min_messages = debug1, so that the output shows
-- which path each took; the labels, errors and side effects are compared
-- with the row-by-row path of the trigger.  (A COPY FROM stdin that fails
-- before reading makes psql skip to the next \. line: hence lone \. lines.)
\set VERBOSITY default
SELECT autoxfer.seclabel_provider();	-- loads the library in this session

CREATE TABLE bulk_vehicle (vin text PRIMARY KEY);
INSERT INTO bulk_vehicle SELECT 'V' || g FROM generate_series(0, 49) g;

CREATE TABLE fleet (
	id int PRIMARY KEY,
	vin text REFERENCES bulk_vehicle,
	owner_id text,
	face boolean,
	plate boolean,
	lat float8,
	lon float8,
	speed real CHECK (speed >= 0)
);
CREATE TABLE fleet_rows (LIKE fleet INCLUDING ALL);
SELECT autoxfer.declare_column(t, 'face', 'faces_visible'),
	   autoxfer.declare_column(t, 'plate', 'plates_visible'),
	   autoxfer.declare_column(t, 'lat', 'latitude'),
	   autoxfer.declare_column(t, 'lon', 'longitude'),
	   autoxfer.protect(t, 'connected_operation', 'owner_id')
FROM unnest(ARRAY['fleet', 'fleet_rows']::regclass[]) t;
INSERT INTO autoxfer.sensitive_area (name, kind, area)
VALUES ('bulk test zone', 'military_zone', '((116.0,39.0),(116.5,39.0),(116.5,39.5),(116.0,39.5))');

-- 2,500 rows (three batches) of every kind: general, personal, faces or
-- plates, inside the zone, NULLs; a forged label in the file's last column
SELECT current_setting('data_directory') || '/autoxfer_bulk_fleet.csv' AS fleet_csv,
	   current_setting('data_directory') || '/autoxfer_bulk_fleet.bin' AS fleet_bin \gset
COPY (SELECT g, 'V' || (g % 50), CASE WHEN g % 3 = 0 THEN NULL ELSE 'U' || (g % 700) END,
			 CASE WHEN g % 11 = 0 THEN NULL ELSE g % 7 = 0 END, g % 13 = 0,
			 CASE WHEN g % 5 = 0 THEN 39.2 ELSE 30 + g % 10 END, 116.2, g % 120,
			 'general/exportable'
	  FROM generate_series(1, 2500) g) TO :'fleet_csv' (FORMAT csv);

SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face, plate, lat, lon, speed, xfer_label) FROM 'autoxfer_bulk_fleet.csv' (FORMAT csv);
SET autoxfer.bulk_copy = off;
COPY fleet_rows (id, vin, owner_id, face, plate, lat, lon, speed, xfer_label) FROM 'autoxfer_bulk_fleet.csv' (FORMAT csv);
RESET autoxfer.bulk_copy;
RESET client_min_messages;

-- the same labels on both paths, row for row, and as classify() says
SELECT (SELECT count(*) FROM fleet) AS bulk, (SELECT count(*) FROM fleet_rows) AS row_by_row,
	   (SELECT count(*) FROM (TABLE fleet EXCEPT TABLE fleet_rows) d) AS differ,
	   (SELECT count(*) FROM fleet f WHERE autoxfer.classify(f) OPERATOR(autoxfer.<>) f.xfer_label) AS misclassified;
SELECT xfer_label, count(*) FROM fleet GROUP BY 1 ORDER BY 1;

-- and as the rules say, derived here by hand rather than by classify():
-- inside the zone (border included): I1, important, geographic
-- information; faces or plates not anonymised: I5, important, personal
-- information (I1 decides when both hold); an owner with a location:
-- C3L, sensitive personal, on both tallies; nothing of that: general
CREATE FUNCTION pg_temp.hand_label(scenario autoxfer.scenario, subject boolean, inside boolean,
								   imagery boolean, gen integer) RETURNS autoxfer.label
	LANGUAGE sql AS $$
	SELECT autoxfer.make_label(cat,
		CASE cat WHEN 'general' THEN 'exportable' ELSE 'blocked' END::autoxfer.mark,
		scenario,
		array_remove(ARRAY[CASE WHEN inside THEN 'geographic_information' END,
						   CASE WHEN imagery THEN 'personal_information' END], NULL)::autoxfer.element[],
		'{}',
		CASE WHEN inside THEN 1 WHEN imagery THEN 5 WHEN subject THEN 104 ELSE 0 END,
		gen,
		CASE WHEN subject THEN '{sensitive_personal}' ELSE '{}' END::autoxfer.category[])
	FROM (SELECT CASE WHEN inside OR imagery THEN 'important' WHEN subject THEN 'sensitive_personal'
					  ELSE 'general' END::autoxfer.category AS cat) c
$$;
SELECT t.rel, count(*) AS rows,
	   count(*) FILTER (WHERE f.l OPERATOR(autoxfer.=) pg_temp.hand_label('connected_operation',
			f.owner_id IS NOT NULL, f.lat BETWEEN 39.0 AND 39.5 AND f.lon BETWEEN 116.0 AND 116.5,
			coalesce(f.face OR f.plate, false), t.generation)) AS as_derived_by_hand
FROM autoxfer.protected_table t,
	 LATERAL (SELECT owner_id, lat, lon, face, plate, xfer_label FROM fleet WHERE t.rel = 'fleet'::regclass
			  UNION ALL
			  SELECT owner_id, lat, lon, face, plate, xfer_label FROM fleet_rows WHERE t.rel = 'fleet_rows'::regclass)
	 f(owner_id, lat, lon, face, plate, l)
WHERE t.rel IN ('fleet'::regclass, 'fleet_rows'::regclass)
GROUP BY t.rel ORDER BY t.rel::text;

-- COPY WHERE, a column left to its default, text format from the client
TRUNCATE fleet;
ALTER TABLE fleet ADD COLUMN note text DEFAULT 'none';
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face, plate, lat, lon, speed, xfer_label) FROM 'autoxfer_bulk_fleet.csv' (FORMAT csv) WHERE id % 500 = 0;
COPY fleet (id, vin, owner_id, face, xfer_label) FROM stdin;
9001	V1	U1	t	general/exportable
9002	V2	\N	\N	core/blocked
\.
RESET client_min_messages;
SELECT id, owner_id, face, plate, lat, xfer_label, note FROM fleet ORDER BY id;

-- binary format, forged labels included, one row with a value of 320 kB
-- (stored out of line, TOAST)
COPY (SELECT id + 10000, vin, owner_id, face, plate, lat, lon, speed, 'general/exportable'::autoxfer.label,
			 CASE WHEN id = 9001 THEN (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 10000) g) ELSE note END
	  FROM fleet) TO :'fleet_bin' (FORMAT binary);
COPY fleet FROM 'autoxfer_bulk_fleet.bin' (FORMAT binary);
SELECT count(*) AS rows, count(*) FILTER (WHERE autoxfer.classify(f) OPERATOR(autoxfer.=) f.xfer_label) AS right,
	   max(length(note)) AS longest, max(pg_column_size(note)) > 8000 AS out_of_line
FROM fleet f WHERE id > 10000;

-- a volatile default: the rows are written one by one (they might read
-- the table), still labelled
ALTER TABLE fleet ADD COLUMN drawn float8 DEFAULT random();
COPY fleet (id, vin, owner_id, face) FROM stdin;
9101	V1	U9	t
9102	V1	U9	f
\.
SELECT id, xfer_label, drawn IS NOT NULL AS drawn FROM fleet WHERE id BETWEEN 9100 AND 9199 ORDER BY id;
ALTER TABLE fleet DROP COLUMN drawn;

-- errors stop the COPY with the line of the row at fault, and leave
-- nothing written: a CHECK constraint, a duplicate key met when the batch
-- is written, a foreign key checked at the end
TRUNCATE fleet;
COPY fleet (id, vin, owner_id, speed) FROM stdin;
1	V1	U1	10
2	V1	U1	-5
\.
COPY fleet (id, vin, owner_id, speed) FROM stdin;
1	V1	U1	10
3	V1	U1	11
1	V1	U1	12
\.
COPY fleet (id, vin, owner_id, speed) FROM stdin;
1	V1	U1	10
2	V99	U1	11
\.
SELECT count(*) FROM fleet;

-- a rule that fails on some rows fails the COPY, naming the rule and line
INSERT INTO autoxfer.rule (code, predicate, rel, category, clause)
VALUES ('BULK1', '100 / speed > 50', 'fleet', 'important', 'test: a bound rule dividing by a column');
COPY fleet (id, vin, owner_id, speed) FROM stdin;
1	V1	U1	1
2	V1	U1	0
\.
SELECT count(*) FROM fleet;
-- ... and a committed rule change applies to the next COPY in this session
COPY fleet (id, vin, owner_id, speed) FROM stdin;
1	V1	U1	1
2	V1	U1	3
\.
SELECT id, xfer_label FROM fleet ORDER BY id;
DELETE FROM autoxfer.rule WHERE code = 'BULK1';
COPY fleet (id, vin, owner_id, speed) FROM stdin;
3	V1	U1	1
\.
SELECT id, xfer_label FROM fleet WHERE id = 3;

-- AFTER ROW triggers see the labels written; statement triggers fire once;
-- a transition table holds every row, labelled
CREATE TABLE bulk_audit (id int, label autoxfer.label, event text);
CREATE FUNCTION bulk_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bulk_audit VALUES (NEW.id, NEW.xfer_label, 'row');
	RETURN NULL;
END $$;
CREATE FUNCTION bulk_audit_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bulk_audit SELECT NULL, NULL, TG_WHEN || ' statement, ' ||
		(SELECT count(*) FROM new_rows WHERE xfer_label OPERATOR(autoxfer.<>) 'core/blocked') || ' labelled rows';
	RETURN NULL;
END $$;
CREATE FUNCTION bulk_before_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO bulk_audit VALUES (NULL, NULL, TG_WHEN || ' statement');
	RETURN NULL;
END $$;
CREATE TRIGGER audit_row AFTER INSERT ON fleet FOR EACH ROW EXECUTE FUNCTION bulk_audit_row();
CREATE TRIGGER audit_stmt AFTER INSERT ON fleet REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION bulk_audit_stmt();
CREATE TRIGGER audit_before BEFORE INSERT ON fleet FOR EACH STATEMENT EXECUTE FUNCTION bulk_before_stmt();
TRUNCATE fleet;
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face, plate, lat, lon, speed, xfer_label) FROM 'autoxfer_bulk_fleet.csv' (FORMAT csv);
RESET client_min_messages;
SELECT event, count(*) FROM bulk_audit GROUP BY event ORDER BY event;
SELECT count(*) AS audited_as_stored FROM bulk_audit a JOIN fleet f USING (id) WHERE a.label OPERATOR(autoxfer.=) f.xfer_label;
DROP TRIGGER audit_row ON fleet;
DROP TRIGGER audit_stmt ON fleet;
DROP TRIGGER audit_before ON fleet;

-- a stored generated column over the label sees the label written
ALTER TABLE fleet ADD COLUMN label_text text GENERATED ALWAYS AS (xfer_label::text) STORED;
TRUNCATE fleet;
COPY fleet (id, vin, owner_id, face) FROM stdin;
1	V1	U1	t
2	V1	\N	f
\.
SELECT id, xfer_label, label_text FROM fleet ORDER BY id;
ALTER TABLE fleet DROP COLUMN label_text;

-- a partitioned table: each row is routed to its partition and the rows of
-- each partition are batched; region 40 is a table attached with a dropped
-- column and its columns in another order (each row converted), region 7
-- has a BEFORE row trigger of its own (its rows go one by one through its
-- triggers, the others stay batched), and the 40 partitions come in turn
-- (more than the 32 whose batches are kept at once)
CREATE TABLE trips (id int, region int, driver text, face boolean, lat float8, lon float8)
	PARTITION BY LIST (region);
CREATE TABLE trips_rows (LIKE trips) PARTITION BY LIST (region);
DO $$
BEGIN
	FOR r IN 1..39 LOOP
		EXECUTE format('CREATE TABLE trips_%s PARTITION OF trips FOR VALUES IN (%s)', r, r);
		EXECUTE format('CREATE TABLE trips_rows_%s PARTITION OF trips_rows FOR VALUES IN (%s)', r, r);
	END LOOP;
END $$;
CREATE TABLE trips_40 (junk int, lon float8, lat float8, face boolean, driver text, region int, id int);
ALTER TABLE trips_40 DROP COLUMN junk;
ALTER TABLE trips ATTACH PARTITION trips_40 FOR VALUES IN (40);
CREATE TABLE trips_rows_40 (junk int, lon float8, lat float8, face boolean, driver text, region int, id int);
ALTER TABLE trips_rows_40 DROP COLUMN junk;
ALTER TABLE trips_rows ATTACH PARTITION trips_rows_40 FOR VALUES IN (40);
SELECT autoxfer.declare_column(t, 'face', 'faces_visible'),
	   autoxfer.declare_column(t, 'lat', 'latitude'),
	   autoxfer.declare_column(t, 'lon', 'longitude'),
	   autoxfer.protect(t, 'driving_automation', 'driver')
FROM unnest(ARRAY['trips', 'trips_rows']::regclass[]) t;
CREATE FUNCTION trips_mark_face() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.face := true;
	RETURN NEW;
END $$;
CREATE TRIGGER mark_face BEFORE INSERT ON trips_7 FOR EACH ROW EXECUTE FUNCTION trips_mark_face();
CREATE TRIGGER mark_face BEFORE INSERT ON trips_rows_7 FOR EACH ROW EXECUTE FUNCTION trips_mark_face();
SELECT current_setting('data_directory') || '/autoxfer_bulk_trips.csv' AS trips_csv \gset
COPY (SELECT g, 1 + g % 40, CASE WHEN g % 4 > 0 THEN 'D' || (g % 300) END, g % 9 = 0,
			 CASE WHEN g % 6 = 0 THEN 39.2 ELSE 31 END, 116.2
	  FROM generate_series(1, 4000) g) TO :'trips_csv' (FORMAT csv);
-- (DEBUG1 is shown further down: these first COPYs also fill the
-- catalogue caches, which say so at DEBUG1)
COPY trips (id, region, driver, face, lat, lon) FROM 'autoxfer_bulk_trips.csv' (FORMAT csv);
SET autoxfer.bulk_copy = off;
COPY trips_rows (id, region, driver, face, lat, lon) FROM 'autoxfer_bulk_trips.csv' (FORMAT csv);
RESET autoxfer.bulk_copy;
SELECT (SELECT count(*) FROM trips) AS bulk, (SELECT count(*) FROM trips_rows) AS row_by_row,
	   (SELECT count(*) FROM (SELECT id, region, driver, face, lat, lon, xfer_label FROM trips
							  EXCEPT SELECT id, region, driver, face, lat, lon, xfer_label FROM trips_rows) d) AS differ,
	   (SELECT count(*) FROM trips t WHERE autoxfer.classify(t) OPERATOR(autoxfer.<>) t.xfer_label) AS misclassified,
	   (SELECT count(DISTINCT tableoid) FROM trips) AS partitions;
SELECT xfer_label, count(*) FROM trips GROUP BY 1 ORDER BY 1;
-- as derived by hand (region 7's own trigger sets face before the label)
SELECT count(*) AS rows,
	   count(*) FILTER (WHERE t.xfer_label OPERATOR(autoxfer.=) pg_temp.hand_label('driving_automation',
			t.driver IS NOT NULL, t.lat BETWEEN 39.0 AND 39.5 AND t.lon BETWEEN 116.0 AND 116.5,
			coalesce(t.face, false) OR t.region = 7,
			(SELECT p.generation FROM autoxfer.protected_table p WHERE p.rel = 'trips'::regclass))) AS as_derived_by_hand
FROM trips t;
-- region 7's trigger ran before the label was written: every row has a
-- face, and is important
SELECT count(*) AS rows, count(*) FILTER (WHERE face AND autoxfer.category(xfer_label) = 'important') AS faces
FROM trips_7;
-- region 40's rows were converted to its layout and labelled there
SELECT count(*) AS rows, count(*) FILTER (WHERE autoxfer.classify(t) OPERATOR(autoxfer.=) t.xfer_label) AS right
FROM trips_40 t;
-- a row no partition takes stops the COPY at its line
COPY trips (id, region, driver) FROM stdin;
5000	1	D1
5001	99	D1
\.
-- into the partitioned table, and straight into a partition: batched, the
-- partition constraint checked
SET client_min_messages = debug1;
COPY trips (id, region, driver, face) FROM stdin;
5005	2	D1	t
\.
COPY trips_1 (id, region, driver, face) FROM stdin;
5002	1	D1	t
\.
COPY trips_1 (id, region, driver, face) FROM stdin;
5003	2	D1	t
\.
RESET client_min_messages;
SELECT id, xfer_label FROM trips WHERE id > 4000 ORDER BY id;
-- a trigger with a transition table on the partitioned table: the
-- server's COPY, row by row
CREATE FUNCTION trips_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE NOTICE 'trips_count: % rows', (SELECT count(*) FROM new_rows);
	RETURN NULL;
END $$;
CREATE TRIGGER count_rows AFTER INSERT ON trips REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION trips_count();
SET client_min_messages = debug1;
COPY trips (id, region, driver, face) FROM stdin;
5004	3	D1	t
\.
RESET client_min_messages;
DROP TRIGGER count_rows ON trips;
-- a foreign partition (postgres_fdw, back to this database): its rows go
-- one by one through its triggers (the enforcing trigger labels them) to
-- the foreign server, the other rows stay batched.  The DDL guard refuses
-- foreign partitions (51_attack_ddl: their rows are stored where no trigger
-- of this server labels them); only a superuser's restore mode, as here,
-- can still bring one in
SET client_min_messages = warning;
CREATE EXTENSION postgres_fdw;
RESET client_min_messages;
DO $d$
BEGIN
	EXECUTE format('CREATE SERVER bulk_loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname %L, port %L, host %L)',
				   current_database(), current_setting('port'),
				   trim(split_part(current_setting('unix_socket_directories'), ',', 1)));
END $d$;
CREATE USER MAPPING FOR CURRENT_USER SERVER bulk_loopback;
CREATE TABLE trips_remote (id int, region int, driver text, face boolean, lat float8, lon float8, xfer_label autoxfer.label);
SET check_function_bodies = off;
CREATE FOREIGN TABLE trips_41 PARTITION OF trips FOR VALUES IN (41)
	SERVER bulk_loopback OPTIONS (table_name 'trips_remote');
RESET check_function_bodies;
SET client_min_messages = debug1;
COPY trips (id, region, driver, face) FROM stdin;
6001	41	D1	t
6002	1	D1	t
6003	41	\N	f
\.
RESET client_min_messages;
SELECT tableoid::regclass, id, xfer_label FROM trips WHERE id > 6000 ORDER BY id;
SELECT id, xfer_label FROM trips_remote ORDER BY id;
DROP TABLE trips, trips_rows, trips_remote;
DROP USER MAPPING FOR CURRENT_USER SERVER bulk_loopback;
DROP SERVER bulk_loopback;
DROP EXTENSION postgres_fdw;
DROP FUNCTION trips_mark_face(), trips_count();

-- where the server's COPY is left to do the work, the trigger labels the
-- rows; DEBUG1 says why
-- another BEFORE row trigger (it runs before autoxfer's, which sees what
-- it did: the face it sets makes the row important)
CREATE FUNCTION bulk_set_face() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.face := true;
	RETURN NEW;
END $$;
CREATE TRIGGER set_face BEFORE INSERT ON fleet FOR EACH ROW EXECUTE FUNCTION bulk_set_face();
TRUNCATE fleet;
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face) FROM stdin;
1	V1	U1	f
\.
RESET client_min_messages;
DROP TRIGGER set_face ON fleet;
SELECT id, face, xfer_label FROM fleet;
-- the enforcing trigger disabled: the column's fail-closed default.  The
-- DDL guard refuses disabling it (51_attack_ddl); only a superuser's restore
-- mode, as in the next two cases, can still do it
SET check_function_bodies = off;
ALTER TABLE fleet DISABLE TRIGGER zz_autoxfer_enforce;
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face) FROM stdin;
2	V1	U1	f
\.
RESET client_min_messages;
ALTER TABLE fleet ENABLE ALWAYS TRIGGER zz_autoxfer_enforce;
SELECT id, xfer_label FROM fleet WHERE id = 2;
-- the trigger enabled only for origin sessions: also row by row
ALTER TABLE fleet ENABLE TRIGGER zz_autoxfer_enforce;
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face) FROM stdin;
3	V1	U1	t
\.
RESET client_min_messages;
ALTER TABLE fleet ENABLE ALWAYS TRIGGER zz_autoxfer_enforce;
RESET check_function_bodies;
SELECT id, xfer_label FROM fleet WHERE id = 3;
-- FREEZE
BEGIN;
CREATE TABLE fleet_frozen (id int, owner_id text, face boolean);
SELECT autoxfer.declare_column('fleet_frozen', 'face', 'faces_visible');
SELECT autoxfer.protect('fleet_frozen', 'connected_operation', 'owner_id');
SET client_min_messages = debug1;
COPY fleet_frozen (id, owner_id, face) FROM stdin (FREEZE);
1	U1	t
\.
RESET client_min_messages;
COMMIT;
SELECT id, xfer_label FROM fleet_frozen;
-- an unprotected table: nothing said, the server's COPY
CREATE TABLE bulk_plain (id int);
SET client_min_messages = debug1;
COPY bulk_plain FROM stdin;
1
\.
RESET client_min_messages;

-- the server's checks hold on the bulk path: table privileges, column
-- privileges, reading server files, row-level security, read-only
CREATE ROLE bulk_writer;
GRANT SELECT ON bulk_vehicle TO bulk_writer;
SET ROLE bulk_writer;
COPY fleet (id, vin, owner_id) FROM stdin;
\.
RESET ROLE;
GRANT INSERT (id, vin, owner_id, face, plate, lat, lon, speed) ON fleet TO bulk_writer;
SET ROLE bulk_writer;
COPY fleet (id, vin, owner_id, note) FROM stdin;
\.
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id, face) FROM stdin;
4	V1	U1	t
\.
RESET client_min_messages;
COPY fleet (id, vin, owner_id) FROM 'autoxfer_bulk_fleet.csv';
RESET ROLE;
SELECT id, xfer_label FROM fleet WHERE id = 4;
GRANT INSERT ON fleet TO bulk_writer;
ALTER TABLE fleet ENABLE ROW LEVEL SECURITY;
CREATE POLICY everything ON fleet USING (true);
SET ROLE bulk_writer;
SET client_min_messages = debug1;
COPY fleet (id, vin, owner_id) FROM stdin;
\.
RESET client_min_messages;
RESET ROLE;
ALTER TABLE fleet DISABLE ROW LEVEL SECURITY;
DROP POLICY everything ON fleet;
BEGIN READ ONLY;
COPY fleet (id, vin, owner_id) FROM stdin;
\.
ROLLBACK;
REVOKE ALL ON fleet, bulk_vehicle FROM bulk_writer;
DROP ROLE bulk_writer;

DROP TABLE fleet, fleet_rows, fleet_frozen, bulk_plain, bulk_audit, bulk_vehicle;
DROP FUNCTION bulk_audit_row(), bulk_audit_stmt(), bulk_before_stmt(), bulk_set_face();
DELETE FROM autoxfer.sensitive_area WHERE name = 'bulk test zone';
