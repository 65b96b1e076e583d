-- autoxfer demo: run by `make demo` in a throwaway cluster.
-- A synthetic fleet: driver profiles, telemetry, camera frames, HD map tiles,
-- OTA packages and vulnerability reports.  The DBA declares what each table
-- holds; the database labels every row; the ETL engineer counts the
-- individuals a batch would send abroad and records them in the ledger.
\set ECHO queries
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
SET search_path = autoxfer, public;

-- 1. The fleet ------------------------------------------------------------
CREATE TABLE driver_profile (owner_id text PRIMARY KEY, name text, phone text, face_template bytea);
INSERT INTO driver_profile
SELECT 'U' || g, 'Driver ' || g, '+86 138 ' || lpad(g::text, 8, '0'),
       CASE WHEN g % 5 = 0 THEN decode(md5(g::text), 'hex') END
FROM generate_series(1, 2000) g;

CREATE TABLE telemetry (id bigint, vin text, owner_id text, ts timestamptz,
                        lat double precision, lon double precision, speed real);
INSERT INTO telemetry
SELECT g, 'LSV' || lpad((g % 2000)::text, 14, '0'),
       CASE WHEN g % 10 <> 0 THEN 'U' || (g % 2000 + 1) END,
       timestamptz '2027-03-01 08:00+08' + g * interval '1 second',
       39.80 + (g % 300) / 1000.0, 116.30 + (g % 400) / 1000.0, (g % 130)::real
FROM generate_series(1, 50000) g;

CREATE TABLE camera_frame (id bigint, vin text, owner_id text, has_face boolean,
                           plate_visible boolean, anonymised boolean);
INSERT INTO camera_frame
SELECT g, 'LSV' || lpad((g % 2000)::text, 14, '0'), 'U' || (g % 2000 + 1),
       g % 7 = 0, g % 11 = 0, g % 3 = 0
FROM generate_series(1, 5000) g;

CREATE TABLE hd_map_tile (id int, tile text, precision_m numeric, point_cloud boolean);
INSERT INTO hd_map_tile
SELECT g, 'tile-' || g, CASE WHEN g % 4 = 0 THEN 0.1 ELSE 100 END, g % 8 = 0
FROM generate_series(1, 200) g;

CREATE TABLE ota_package (id int, name text, remote_triggered boolean, safety_function boolean,
                          samr_filing_ref text);
INSERT INTO ota_package VALUES
  (1, 'infotainment 4.2', true, false, NULL),
  (2, 'brake controller 1.9', true, true, NULL),
  (3, 'brake controller 1.9.1 (recall)', true, true, 'SAMR-2027-0042'),
  (4, 'battery thermal 2.0', false, true, NULL);

CREATE TABLE vulnerability_report (id int, title text, miit_report_ref text);
INSERT INTO vulnerability_report VALUES
  (1, 'telematics unit buffer overflow', 'MIIT-VUL-2027-118'),
  (2, 'unreported finding', NULL);

-- 2. The DBA declares what the tables hold ----------------------------------
-- a sensitive area for rule I1 (a box: longitude, latitude corners)
INSERT INTO sensitive_area (name, kind, area)
VALUES ('government compound', 'government_organ', box(point(116.38, 39.90), point(116.41, 39.93)));

SELECT declare_column('driver_profile', 'face_template', 'sensitive_personal');
SELECT protect('driver_profile', 'other', subject => 'owner_id');

SELECT declare_column('telemetry', 'lat', 'latitude');
SELECT declare_column('telemetry', 'lon', 'longitude');
SELECT protect('telemetry', 'connected_operation', subject => 'owner_id');

-- the same thing in the idiom of label providers
SECURITY LABEL FOR autoxfer ON COLUMN camera_frame.has_face IS 'faces_visible';
SECURITY LABEL FOR autoxfer ON COLUMN camera_frame.plate_visible IS 'plates_visible';
SECURITY LABEL FOR autoxfer ON COLUMN camera_frame.anonymised IS 'anonymised';
SECURITY LABEL FOR autoxfer ON TABLE camera_frame IS 'scenario=driving_automation subject=owner_id';

SELECT declare_column('hd_map_tile', 'precision_m', 'map_precision_m');
SELECT declare_column('hd_map_tile', 'point_cloud', 'point_cloud');
SELECT protect('hd_map_tile', 'driving_automation', subject => 'NULL::text');

SELECT declare_column('ota_package', 'remote_triggered', 'remote_triggered');
SELECT declare_column('ota_package', 'safety_function', 'safety_function');
SELECT declare_column('ota_package', 'samr_filing_ref', 'samr_filing_ref');
SELECT protect('ota_package', 'software_upgrade', subject => 'NULL::text');

SELECT declare_column('vulnerability_report', 'miit_report_ref', 'miit_report_ref');
SELECT protect('vulnerability_report', 'other', subject => 'NULL::text');

-- 3. Every row now carries a label written by the database -----------------
SELECT p.rel AS "table", category(l) AS category, mark(l) AS mark, count(*) AS rows
FROM protected_table p,
     LATERAL (SELECT xfer_label AS l FROM driver_profile WHERE p.rel = 'driver_profile'::regclass
              UNION ALL SELECT xfer_label FROM telemetry WHERE p.rel = 'telemetry'::regclass
              UNION ALL SELECT xfer_label FROM camera_frame WHERE p.rel = 'camera_frame'::regclass
              UNION ALL SELECT xfer_label FROM hd_map_tile WHERE p.rel = 'hd_map_tile'::regclass
              UNION ALL SELECT xfer_label FROM ota_package WHERE p.rel = 'ota_package'::regclass
              UNION ALL SELECT xfer_label FROM vulnerability_report WHERE p.rel = 'vulnerability_report'::regclass) x
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- OTA packages: a safety-function package is important (I7); with its SAMR
-- filing it becomes eligible for exemption E9 (conditional on the purpose)
SELECT name, xfer_label FROM ota_package ORDER BY id;

-- why is this camera frame blocked?
SELECT e.* FROM camera_frame f, explain(f) e WHERE f.id = 77;

-- a forged label is overwritten by the trigger
INSERT INTO camera_frame VALUES (9001, 'LSV00000000000001', 'U2', true, false, false)
RETURNING id, xfer_label;
UPDATE camera_frame SET xfer_label = 'general/exportable' WHERE id = 9001 RETURNING id, xfer_label;

-- a day of telemetry loaded with COPY: each row labelled on the way in and
-- the rows written in batches (DEBUG1 says which path a COPY takes)
SELECT current_setting('data_directory') || '/demo_telemetry.csv' AS day_csv \gset
COPY (SELECT 100000 + g, 'LSV' || lpad((g % 2000)::text, 14, '0'), 'U' || (g % 2000 + 1),
             timestamptz '2027-03-02 08:00+08' + g * interval '1 second',
             39.80 + (g % 300) / 1000.0, 116.30 + (g % 400) / 1000.0, (g % 130)::real
      FROM generate_series(1, 20000) g) TO :'day_csv' (FORMAT csv);
SET client_min_messages = debug1;
COPY telemetry (id, vin, owner_id, ts, lat, lon, speed) FROM 'demo_telemetry.csv' (FORMAT csv);
SET client_min_messages = warning;
SELECT category(xfer_label) AS category, count(*) AS rows FROM telemetry WHERE id > 100000 GROUP BY 1 ORDER BY 1;

-- 4. Counting individuals, exactly ----------------------------------------
-- telemetry linked to an owner is precise location of a person: sensitive
-- personal information (rule C3L); how many individuals would a March batch touch?
SELECT subject_count(owner_id) AS individuals, count(DISTINCT owner_id) AS check_distinct
FROM telemetry WHERE category(xfer_label) = 'sensitive_personal';

-- the batch an ETL job may send without a filing: rows not blocked
SELECT ledger_add('personal', subjects(owner_id), 'acme-gmbh') AS new_individuals
FROM camera_frame WHERE mark(xfer_label) <> 'blocked';
-- a second, overlapping batch to another recipient adds only the new people
SELECT ledger_add('personal', subjects(owner_id), 'beta-sarl') AS new_individuals
FROM driver_profile WHERE mark(xfer_label) <> 'blocked';
SELECT year, tally, individuals FROM ledger_status;
SELECT year, tally, recipient, individuals FROM ledger_recipient_status ORDER BY recipient;
-- headroom to the thresholds of rules M6 (100,000) and M3 (1,000,000)
SELECT ledger_count('personal') AS individuals,
       100000 - ledger_count('personal') AS headroom_to_standard_contract,
       1000000 - ledger_count('personal') AS headroom_to_assessment;

-- 5. A rule changes: labels written under the old rules are detectable --------
-- rule I2: map data more precise than public maps; tighten the parameter
UPDATE parameter SET value = 0.05 WHERE name = 'i2_precision_m';
SELECT tbl, generation, total, stale FROM stale_labels() WHERE tbl = 'hd_map_tile'::regclass;
SELECT reclassify('hd_map_tile') AS relabelled;
SELECT tbl, generation, total, stale FROM stale_labels() WHERE tbl = 'hd_map_tile'::regclass;
SELECT category(xfer_label), count(*) FROM hd_map_tile GROUP BY 1 ORDER BY 1;

-- 6. What the type refuses -------------------------------------------------
\set ON_ERROR_STOP 0
SELECT 'core/exportable'::label;
DELETE FROM rule WHERE code = 'I5';
\set ON_ERROR_STOP 1
