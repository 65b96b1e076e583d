-- autoxfer demo: `make demo` runs this in a throwaway cluster (test/run.sh).
--
-- A year at a synthetic car maker, Lingxi Motors (Hefei): it declares what
-- its tables hold, registers its recipients abroad and their filings, and
-- exports every night through autoxfer.export.  Its sales grow by 410 new
-- owners a day, so the personal information it sends abroad reaches the
-- 100,000 individuals of rule M6 in September: the batch that would cross
-- is refused until a standard contract is recorded.  Then the compliance
-- views, a role abroad reading its table, and the yearly report.
--
-- The calendar: the ledger books every transfer at its transaction time,
-- so the server's clock is moved night by night (run.sh starts the server
-- under libfaketime, which reads the offset from the file :clock_file that
-- demo.set_clock writes).  Nothing of autoxfer is told about it: every date
-- below is the server's now().
--
-- psql variables (set by run.sh): clock_file, report_file.
\set ON_ERROR_STOP 1
\pset footer off
\pset null ''
SET client_min_messages = warning;
SET TimeZone = 'Asia/Shanghai';
SELECT set_config('demo.clock_file', :'clock_file', false) AS ignored \gset

-- The simulated clock --------------------------------------------------------
CREATE SCHEMA demo;
-- Move the server's clock to a moment: the file holds libfaketime's offset
-- in seconds from the real time.  Returns the new time as a date and time.
CREATE FUNCTION demo.set_clock(target timestamptz) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	f text := current_setting('demo.clock_file');
	cur bigint := btrim(pg_read_file(f), E'+ \n')::bigint;
	real_now timestamptz := clock_timestamp() - make_interval(secs => cur);
	offset_s bigint := ceil(extract(epoch FROM target - real_now));
BEGIN
	EXECUTE format('COPY (SELECT %L) TO %L', CASE WHEN offset_s >= 0 THEN '+' ELSE '' END || offset_s, f);
	RETURN to_char(clock_timestamp(), 'YYYY-MM-DD HH24:MI');
END
$$;
-- A long message on lines of at most 100 characters, indented as psql
-- indents a message's DETAIL and HINT.
CREATE FUNCTION demo.wrap(t text) RETURNS text LANGUAGE sql IMMUTABLE
	RETURN rtrim(regexp_replace(t, '(.{1,90})( +|$)', E'\\1\n         ', 'g'), E' \n');
SELECT demo.set_clock('2026-12-31 10:00') AS now \gset

\echo 'autoxfer demo: a year at Lingxi Motors, a synthetic car maker'
\echo 'The server runs under libfaketime: before each step the demo moves its clock, so every'
\echo 'transaction (and the ledger, which books at transaction time) carries the simulated date.'
\echo
\echo '== 1.' :now 'Lingxi Motors declares what its tables hold'
\o /dev/null
CREATE EXTENSION autoxfer;
SET search_path = autoxfer, public;

-- who does what: the DBA (declarations, filings; owns the tables), the
-- nightly ETL job, the compliance auditor, and the role through which the
-- group's R&D centre in Munich reads data stored in China (rule X2)
CREATE ROLE lingxi_dba IN ROLE autoxfer_admin;
CREATE ROLE etl_nightly IN ROLE autoxfer_exporter;
CREATE ROLE auditor IN ROLE autoxfer_auditor;
CREATE ROLE rd_munich LOGIN;
CREATE SCHEMA fleet AUTHORIZATION lingxi_dba;
CREATE SCHEMA etl AUTHORIZATION etl_nightly;

SET ROLE lingxi_dba;
SELECT set_organisation('Lingxi Motors (Hefei) Co., Ltd.', ciio => false);

-- driver profiles: one per owner, written at delivery; some owners enrolled
-- their face for the cabin's driver recognition (biometrics: sensitive)
CREATE TABLE fleet.driver_profile (
	owner_id text PRIMARY KEY, name text, phone text, city text, delivered_on date, face_template bytea);
SELECT declare_column('fleet.driver_profile', 'phone', 'personal');
SELECT declare_column('fleet.driver_profile', 'face_template', 'sensitive_personal');

-- vehicle telemetry: health pings (no position) and trip points
-- (trajectories) of owners' cars; test-fleet cars (no owner); cars leased
-- to public-security bureaus
CREATE TABLE fleet.telemetry (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, vin text, owner_id text, fleet text, day date,
	ts timestamptz, lat double precision, lon double precision, speed_kmh real, soc_pct real, odometer_km integer);
CREATE INDEX ON fleet.telemetry (day);
SELECT declare_column('fleet.telemetry', 'lat', 'latitude');
SELECT declare_column('fleet.telemetry', 'lon', 'longitude');

-- exterior camera frames kept for driver-assistance training (about the
-- road, no individual as subject)
CREATE TABLE fleet.camera_frame (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, vin text, day date,
	has_face boolean, plate_visible boolean, anonymised boolean);
CREATE INDEX ON fleet.camera_frame (day);
SECURITY LABEL FOR autoxfer ON COLUMN fleet.camera_frame.has_face IS 'faces_visible';
SECURITY LABEL FOR autoxfer ON COLUMN fleet.camera_frame.plate_visible IS 'plates_visible';
SECURITY LABEL FOR autoxfer ON COLUMN fleet.camera_frame.anonymised IS 'anonymised';

-- HD map tiles of the highway pilot, some from autonomous-driving road tests
CREATE TABLE fleet.hd_map_tile (tile text PRIMARY KEY, precision_m numeric, point_cloud boolean, road_test boolean);
INSERT INTO fleet.hd_map_tile
SELECT 'HF-' || lpad(g::text, 4, '0'), CASE WHEN g % 5 = 0 THEN 100 ELSE 0.2 END, g % 4 = 0, g % 10 = 3
FROM generate_series(1, 500) g;
SELECT declare_column('fleet.hd_map_tile', 'precision_m', 'map_precision_m');
SELECT declare_column('fleet.hd_map_tile', 'point_cloud', 'point_cloud');
SELECT declare_column('fleet.hd_map_tile', 'road_test', 'road_test_survey');

-- OTA packages, with the SAMR filing number of their source where filed
CREATE TABLE fleet.ota_package (id int PRIMARY KEY, name text, remote_triggered boolean,
								safety_function boolean, samr_filing_ref text);
INSERT INTO fleet.ota_package VALUES
	(1, 'infotainment 5.1', true, false, NULL),
	(2, 'brake controller 3.2', true, true, NULL),
	(3, 'brake controller 3.2.1 (recall)', true, true, 'SAMR-OTA-2027-0042'),
	(4, 'battery thermal control 2.0', true, true, NULL);
SELECT declare_column('fleet.ota_package', 'remote_triggered', 'remote_triggered');
SELECT declare_column('fleet.ota_package', 'safety_function', 'safety_function');
SELECT declare_column('fleet.ota_package', 'samr_filing_ref', 'samr_filing_ref');

-- vulnerability reports, with the MIIT report reference once reported
CREATE TABLE fleet.vulnerability_report (id int PRIMARY KEY, ecu text, title text, safety_relevant boolean,
										 miit_report_ref text);
INSERT INTO fleet.vulnerability_report VALUES
	(1, 'T-Box', 'buffer overflow in the SMS wake-up parser', true, 'MIIT-VUL-2027-0318'),
	(2, 'T-Box', 'debug port left open', true, 'MIIT-VUL-2027-0319'),
	(3, 'brake ECU', 'diagnostic session without authentication', true, NULL),
	(4, 'head unit', 'weak Bluetooth pairing', false, NULL);
SELECT declare_column('fleet.vulnerability_report', 'miit_report_ref', 'miit_report_ref');

-- operations of Lingxi's charging network: station load, and sessions
CREATE TABLE fleet.charging_operation (id int PRIMARY KEY, station text, owner_id text,
									   kwh numeric, load_kw numeric, network_op boolean);
INSERT INTO fleet.charging_operation
SELECT g, 'ST-' || (g % 120), CASE WHEN g % 4 <> 0 THEN 'LX' || lpad((g * 37 % 140000 + 1)::text, 6, '0') END,
	   round((20 + g % 60)::numeric, 1), CASE WHEN g % 4 = 0 THEN 200 + g % 400 END, g % 4 = 0
FROM generate_series(1, 2000) g;
SELECT declare_column('fleet.charging_operation', 'network_op', 'charging_network');

-- what the car maker adds to the shipped rules: a government compound as a
-- sensitive area (shipped rule I1), and a rule of its own catalogue bound to
-- the telemetry table
INSERT INTO sensitive_area (name, kind, area)
VALUES ('Hefei municipal government compound', 'government_organ', box(point(117.22, 31.81), point(117.24, 31.83)));
INSERT INTO rule (code, rel, elements, predicate, category, clause) VALUES
	('LX1', 'fleet.telemetry', '{public_safety_law_enforcement}', $$fleet = 'police'$$, 'important',
	 'LX1 (Lingxi important-data catalogue 3.2): status and trajectories of vehicles leased to public-security bureaus'),
	('LX2', 'fleet.vulnerability_report', '{system_function}', 'safety_relevant', 'important',
	 'LX2 (Lingxi important-data catalogue 5.1): vulnerabilities of ECUs that control a safety function');
-- the State Council's calendar for the working-day deadlines
INSERT INTO working_day_override VALUES ('2027-09-15', false, 'Mid-Autumn Festival');
-- protect: the label column and the trigger; the rows already there are
-- labelled now, every later row as it is written
SELECT protect('fleet.driver_profile', 'connected_operation', subject => 'owner_id');
SELECT protect('fleet.telemetry', 'connected_operation', subject => 'owner_id');
SECURITY LABEL FOR autoxfer ON TABLE fleet.camera_frame IS 'scenario=driving_automation';
SELECT protect('fleet.hd_map_tile', 'driving_automation');
SELECT protect('fleet.ota_package', 'software_upgrade');
SELECT protect('fleet.vulnerability_report', 'software_upgrade');
SELECT protect('fleet.charging_operation', 'connected_operation', subject => 'owner_id');
RESET ROLE;
\o
SELECT p.rel AS "table", p.scenario, coalesce(p.subject, '') AS subject,
	   string_agg(CASE WHEN d.attname = d.kind THEN d.kind ELSE d.attname || ':' || d.kind END, ', ' ORDER BY d.attnum) AS declared
FROM protected_table p LEFT JOIN declaration d ON d.rel = p.rel
GROUP BY p.rel, p.scenario, p.subject ORDER BY p.rel::text;
SELECT count(*) FILTER (WHERE shipped AND enabled) AS shipped_rules_in_force,
	   string_agg(code || ' on ' || rel::text, ', ') FILTER (WHERE NOT shipped) AS rules_added_by_lingxi,
	   (SELECT string_agg(name, ', ') FROM sensitive_area) AS sensitive_area_for_i1
FROM rule;

\echo
\echo '== 2.' :now 'Recipients abroad, their purposes and filings'
\o /dev/null
SET ROLE lingxi_dba;
SELECT add_purpose('quality_analytics', 'Vehicle quality and battery-health analytics at the group''s R&D centre');
SELECT add_purpose('adas_training', 'Training the perception models of the driver-assistance system');
-- the R&D centre reads telemetry in China through its role (rule X2):
-- registering it puts row-level security on every protected table
SELECT register_recipient('Lingxi R&D GmbH', 'DE', role => 'rd_munich', purpose => 'quality_analytics');
SELECT register_recipient('Apex Vision Pte. Ltd.', 'SG');
SELECT register_recipient('Kansai Brake Systems K.K.', 'JP');
-- Apex's security assessment, for the important data of driving automation
-- (frames with faces or plates), runs out in May
SELECT record_filing('security_assessment', 'Apex Vision Pte. Ltd.', '{adas_training}', 'CAC-SA-2024-0117',
					 '2024-05-20', categories => '{important}', scenarios => '{driving_automation}');
RESET ROLE;
GRANT USAGE ON SCHEMA fleet TO etl_nightly, auditor, rd_munich;
GRANT SELECT ON ALL TABLES IN SCHEMA fleet TO etl_nightly, auditor;
GRANT SELECT ON fleet.telemetry TO rd_munich;
\o
SELECT r.name AS recipient, r.country, coalesce(r.role::text, '') AS role_abroad,
	   coalesce(r.purpose, '') AS role_purpose,
	   coalesce((SELECT string_agg(f.measure || ' ' || f.reference || ' until ' || f.valid_until, ', ')
				 FROM filing f WHERE f.recipient = r.name), 'none') AS filings
FROM recipient r ORDER BY r.registered_at, r.name;
\echo 'Kansai Brake Systems needs no filing for a recall or a reported vulnerability: the rows'' own'
\echo 'SAMR and MIIT references make them exempt for those purposes (E9, E7).'

-- The telematics platform: what the cars upload on a day -----------------------
\o /dev/null
SET ROLE lingxi_dba;
-- owners LX000001.. get their cars at 410 a day from 1 January 2027
CREATE FUNCTION fleet.owners_by(d date) RETURNS integer LANGUAGE sql IMMUTABLE
	RETURN (d - date '2027-01-01' + 1) * 410;
CREATE FUNCTION fleet.upload(d date) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	doy integer := d - date '2027-01-01';
	before integer := fleet.owners_by(d - 1);
BEGIN
	-- the day's deliveries: a profile each, and the car's first health ping
	INSERT INTO fleet.driver_profile
	SELECT 'LX' || lpad(k::text, 6, '0'), 'Customer ' || k, '+86 139 ' || lpad(k::text, 8, '0'),
		   (ARRAY['Hefei', 'Shanghai', 'Nanjing', 'Hangzhou'])[1 + k % 4], d,
		   CASE WHEN k % 20 = 0 THEN decode(md5(k::text), 'hex') END
	FROM generate_series(before + 1, fleet.owners_by(d)) k;
	INSERT INTO fleet.telemetry (vin, owner_id, fleet, day, ts, soc_pct, odometer_km)
	SELECT 'LXM' || lpad(k::text, 14, '0'), 'LX' || lpad(k::text, 6, '0'), 'private', d,
		   d + time '12:00' + (k % 600) * interval '1 minute', 80 + k % 20, 10
	FROM generate_series(before + 1, fleet.owners_by(d)) k;
	-- health pings of 1 in 200 earlier owners
	INSERT INTO fleet.telemetry (vin, owner_id, fleet, day, ts, soc_pct, odometer_km)
	SELECT 'LXM' || lpad(k::text, 14, '0'), 'LX' || lpad(k::text, 6, '0'), 'private', d,
		   d + time '08:00' + (k % 720) * interval '1 minute', 20 + k % 80, (d - date '2027-01-01') * 40
	FROM generate_series(1 + doy % 200, before, 200) k;
	-- trips of 1 in 1,000 earlier owners: six points each, around Hefei
	INSERT INTO fleet.telemetry (vin, owner_id, fleet, day, ts, lat, lon, speed_kmh, soc_pct, odometer_km)
	SELECT 'LXM' || lpad(k::text, 14, '0'), 'LX' || lpad(k::text, 6, '0'), 'private', d,
		   d + time '07:30' + p * interval '2 minutes', 31.70 + (k % 97) * 0.002 + p * 0.001,
		   117.10 + (k % 89) * 0.003 + p * 0.001, 30 + p * 5, 60, (d - date '2027-01-01') * 40
	FROM generate_series(1 + doy * 7 % 1000, before, 1000) k, generate_series(1, 6) p;
	-- the test fleet (no owner), one point in ten inside the government compound
	INSERT INTO fleet.telemetry (vin, fleet, day, ts, lat, lon, speed_kmh)
	SELECT 'LXT' || lpad((i % 8)::text, 14, '0'), 'test', d, d + time '10:00' + i * interval '5 minutes',
		   CASE WHEN i % 10 = 0 THEN 31.82 ELSE 31.75 + i * 0.003 END,
		   CASE WHEN i % 10 = 0 THEN 117.23 ELSE 117.30 + i * 0.002 END, 40
	FROM generate_series(1, 40) i;
	-- cars leased to public-security bureaus (catalogue rule LX1)
	INSERT INTO fleet.telemetry (vin, fleet, day, ts, lat, lon, speed_kmh)
	SELECT 'LXP' || lpad(i::text, 14, '0'), 'police', d, d + time '09:00' + i * interval '1 hour',
		   31.86 + i * 0.001, 117.28, 50
	FROM generate_series(1, 8) i;
	-- exterior camera frames: faces and plates in some, some anonymised
	INSERT INTO fleet.camera_frame (vin, day, has_face, plate_visible, anonymised)
	SELECT 'LXT' || lpad((i % 8)::text, 14, '0'), d, i % 5 = 0, i % 4 = 0, i % 3 = 0
	FROM generate_series(1, 120) i;
END
$$;
RESET ROLE;

-- The nightly ETL job ------------------------------------------------------------
-- Each job exports what was uploaded since its last successful night, in one
-- call of autoxfer.export (on_excess 'error': a batch that would cross a
-- threshold without a filing fails whole, and the next night retries it).
-- The rows would be written to the recipient's drop box; here they are
-- counted.  Every run is written to etl.job_log with the refusal, if any.
SET ROLE etl_nightly;
CREATE TABLE etl.job_log (night date, job text, ok boolean, rows_sent bigint, rows_withheld bigint,
						  new_individuals bigint, personal_tally bigint,
						  sqlstate text, message text, detail text, hint text);
CREATE FUNCTION etl.run(night date, job text, tbl regclass, recipient text, purpose text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	since date := coalesce((SELECT max(l.night) FROM etl.job_log l WHERE l.job = run.job AND l.ok), date '2026-12-31');
	filter text := format('day > %L AND day <= %L', since, night);
	before bigint := autoxfer.ledger_count('personal');
	selected bigint;
	sent bigint;
	st text; msg text; det text; hnt text;
BEGIN
	EXECUTE format('SELECT count(*) FROM %s WHERE %s', tbl, filter) INTO selected;
	BEGIN
		EXECUTE format('SELECT count(*) FROM autoxfer.export(NULL::%s, $1, $2, $3)', tbl)
			INTO sent USING recipient, purpose, filter;
		INSERT INTO etl.job_log VALUES (night, job, true, sent, selected - sent,
										autoxfer.ledger_count('personal') - before, autoxfer.ledger_count('personal'));
	EXCEPTION WHEN insufficient_privilege THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
		INSERT INTO etl.job_log VALUES (night, job, false, 0, selected, 0, autoxfer.ledger_count('personal'), st, msg, det, hnt);
	END;
END
$$;
CREATE FUNCTION etl.nightly(night date) RETURNS void LANGUAGE sql
BEGIN ATOMIC
	SELECT etl.run(night, 'telemetry', 'fleet.telemetry', 'Lingxi R&D GmbH', 'quality_analytics');
	SELECT etl.run(night, 'frames', 'fleet.camera_frame', 'Apex Vision Pte. Ltd.', 'adas_training');
END;
GRANT SELECT ON etl.job_log TO auditor;
RESET ROLE;
\o

\echo
\echo '== 3. 1 January 2027: the first night, as the database labelled it'
\set from 2027-01-01
\set to 2027-01-01
\ir nights.sql
SELECT replace(tbl::text, 'fleet.', '') AS "table", category, mark, rows, array_to_string(rules, ',') AS rules
FROM table_summary WHERE tbl IN ('fleet.telemetry'::regclass, 'fleet.camera_frame'::regclass)
ORDER BY tbl::text, category, mark;
\echo 'Why is a camera frame blocked? (explain)'
SELECT e.rule, e.category, e.elements, left(e.clause, 80) AS clause
FROM fleet.camera_frame f, explain(f) e WHERE f.id = 5;
SELECT job, rows_sent, rows_withheld, new_individuals FROM etl.job_log ORDER BY job;

\echo
\echo '== 4. January to July: R&D''s nightly telemetry goes under the small-volume exemption (E5)'
\set from 2027-01-02
\set to 2027-03-14
\ir nights.sql
SELECT demo.set_clock('2027-03-15 10:00') AS now \gset
\echo :now 'a recall: of the brake controller packages, the one whose source is filed with SAMR goes (E9)'
SET ROLE etl_nightly;
SELECT id, name, samr_filing_ref
FROM autoxfer.export(NULL::fleet.ota_package, 'Kansai Brake Systems K.K.', 'recall', $$name LIKE 'brake%'$$);
RESET ROLE;
\set from 2027-03-15
\set to 2027-06-09
\ir nights.sql
SELECT demo.set_clock('2027-06-10 10:00') AS now \gset
\echo :now 'vulnerabilities for the supplier to fix: safety-relevant ones (LX2) only once reported to MIIT (E7)'
SET ROLE etl_nightly;
SELECT id, ecu, title, miit_report_ref
FROM autoxfer.export(NULL::fleet.vulnerability_report, 'Kansai Brake Systems K.K.', 'vulnerability_fix');
RESET ROLE;
\set from 2027-06-10
\set to 2027-07-31
\ir nights.sql
\echo 'Month by month (transfer_summary):'
SET ROLE auditor;
SELECT to_char(month, 'YYYY-MM') AS month,
	   sum(rows_returned) FILTER (WHERE recipient = 'Lingxi R&D GmbH') AS rd_rows,
	   sum(rows_withheld) FILTER (WHERE recipient = 'Lingxi R&D GmbH') AS rd_withheld,
	   sum(new_personal) AS new_individuals,
	   sum(sum(new_personal)) OVER (ORDER BY month) AS personal_tally,
	   sum(rows_returned) FILTER (WHERE recipient = 'Apex Vision Pte. Ltd.') AS apex_frames,
	   sum(rows_withheld) FILTER (WHERE recipient = 'Apex Vision Pte. Ltd.') AS apex_withheld
FROM transfer_summary WHERE year = 2027 GROUP BY month ORDER BY month;
RESET ROLE;
\echo 'R&D gets health pings, not trajectories (sensitive: a contract from the first individual) nor'
\echo 'police or government-compound points (important); Apex''s assessment expired on 19 May, and'
\echo 'from then on frames with faces or plates stay home.'

\echo
SELECT demo.set_clock('2027-07-31 23:30') AS now \gset
\echo '== 5.' :now 'compliance_status forecasts the crossing of 100,000'
SET ROLE auditor;
SELECT tally, individuals, measure, rule, next_threshold, next_measure, headroom, rate_30d, crossing_on
FROM compliance_status WHERE year = 2027 ORDER BY tally;
RESET ROLE;
\echo 'Nobody records a contract in August.'

\echo
\echo '== 6. 1 September: the batch that would cross 100,000 is refused, and retried every night'
\set from 2027-08-01
\set to 2027-09-02
\ir nights.sql
SELECT night, job, CASE WHEN ok THEN 'sent' ELSE 'REFUSED' END AS outcome, rows_sent, rows_withheld,
	   new_individuals, personal_tally
FROM etl.job_log WHERE night BETWEEN '2027-08-30' AND '2027-09-02' AND job = 'telemetry' ORDER BY night;
SELECT sqlstate, demo.wrap(message) AS message, demo.wrap(detail) AS detail, demo.wrap(hint) AS hint
FROM etl.job_log WHERE NOT ok ORDER BY night LIMIT 1 \gset refusal_
\echo 'The refusal, as the nightly job caught it, SQLSTATE' :refusal_sqlstate
\echo 'ERROR: ' :refusal_message
\echo 'DETAIL: ' :refusal_detail
\echo 'HINT: ' :refusal_hint

\echo
SELECT demo.set_clock('2027-09-03 10:00') AS now \gset
\echo '== 7.' :now 'the standard contract is recorded; that night the backlog goes'
SET ROLE lingxi_dba;
SELECT record_filing('standard_contract', 'Lingxi R&D GmbH', '{quality_analytics}', 'SC-AH-2027-0093', current_date,
					 categories => '{personal}', scenarios => '{connected_operation}', max_individuals => 150000) AS contract \gset
RESET ROLE;
SELECT id, measure, reference, approved_on, filing_deadline, status FROM filing_status WHERE id = :contract;
\set from 2027-09-03
\set to 2027-09-09
\ir nights.sql
SELECT night, job, CASE WHEN ok THEN 'sent' ELSE 'REFUSED' END AS outcome, rows_sent, rows_withheld,
	   new_individuals, personal_tally
FROM etl.job_log WHERE night BETWEEN '2027-09-03' AND '2027-09-04' AND job = 'telemetry' ORDER BY night;
SELECT demo.set_clock('2027-09-10 10:00') AS now \gset
SET ROLE lingxi_dba;
SELECT record_contract_filing(:contract, current_date) AS ignored \gset
RESET ROLE;
\echo :now 'the contract is filed with the Anhui CAC, within its 10 working days (F2)'
\set from 2027-09-10
\set to 2027-12-31
\ir nights.sql

\echo
SELECT demo.set_clock('2027-12-31 23:30') AS now \gset
\echo '== 8.' :now 'where the year stands: the compliance views (as the auditor)'
SET ROLE auditor;
\echo 'compliance_status:'
SELECT tally, individuals, measure, rule, filing_reference, covered, next_threshold, headroom
FROM compliance_status WHERE year = 2027 ORDER BY tally;
\echo 'No sensitive personal information went abroad: no filing covers the trajectories.'
\echo 'filing_status:'
SELECT reference, recipient, measure, valid_until, filed_on, max_individuals, allowance_used_pct AS used_pct, status
FROM filing_status ORDER BY id;
\echo 'table_summary, rows by mark:'
SELECT replace(tbl::text, 'fleet.', '') AS "table", sum(rows) AS rows,
	   sum(rows) FILTER (WHERE mark = 'exportable') AS exportable,
	   sum(rows) FILTER (WHERE mark = 'conditional') AS conditional,
	   sum(rows) FILTER (WHERE mark = 'blocked') AS blocked, sum(stale) AS stale,
	   (SELECT string_agg(DISTINCT r, ',') FROM unnest(array_agg(array_to_string(rules, ','))) r WHERE r <> '') AS rules
FROM table_summary GROUP BY tbl ORDER BY tbl::text;
\echo 'transfer_summary, the year by recipient and measure:'
SELECT recipient, purpose, measure, sum(transfers) AS transfers, sum(rows_returned) AS rows_sent,
	   sum(rows_withheld) AS withheld, sum(new_personal) AS new_individuals
FROM transfer_summary WHERE year = 2027 GROUP BY recipient, purpose, measure ORDER BY recipient, purpose, measure;
\echo 'blocked_rows(''fleet.telemetry'', ''Lingxi R&D GmbH''): what R&D may not get, and what would let it go'
SELECT verdict_rule, measure, count(*) AS rows, regexp_replace(reason, '^.*; ', '') AS why_the_contract_does_not_do
FROM blocked_rows('fleet.telemetry', 'Lingxi R&D GmbH') GROUP BY verdict_rule, measure, reason ORDER BY 3 DESC;
\echo 'declaration(''Lingxi R&D GmbH'', ''quality_analytics''): what a filing would describe, never the data'
SELECT t ->> 'table' AS "table", (t -> 'rows')::bigint AS rows, t -> 'individuals' AS individuals, t -> 'measures' AS measures
FROM jsonb_array_elements(declaration('Lingxi R&D GmbH', 'quality_analytics') -> 'tables') t
WHERE t ->> 'table' IN ('fleet.telemetry', 'fleet.driver_profile');
RESET ROLE;

\echo
\echo '== 9.' :now 'the R&D centre reads fleet.telemetry in China, as rd_munich (rule X2)'
-- five cars delivered this evening send their first ping after the
-- nightly job: their owners are not counted yet
SET ROLE lingxi_dba;
INSERT INTO fleet.telemetry (vin, owner_id, fleet, day, ts, soc_pct, odometer_km)
SELECT 'LXM' || lpad(k::text, 14, '0'), 'LX' || lpad(k::text, 6, '0'), 'private', current_date, now(), 90, 5
FROM generate_series(fleet.owners_by('2027-12-31') + 1, fleet.owners_by('2027-12-31') + 5) k;
-- the role abroad has no right on schema autoxfer: it reads the label as text
CREATE TEMP TABLE owner_sees AS
SELECT split_part(xfer_label::text, '/', 1) AS category, count(*) AS n FROM fleet.telemetry GROUP BY 1;
SET ROLE rd_munich;
CREATE TEMP TABLE abroad_sees AS
SELECT split_part(xfer_label::text, '/', 1) AS category, count(*) AS n FROM fleet.telemetry GROUP BY 1;
RESET ROLE;
SELECT o.category, o.n AS lingxi_dba_sees, coalesce(a.n, 0) AS rd_munich_sees
FROM owner_sees o LEFT JOIN abroad_sees a USING (category)
ORDER BY o.category::category;
\echo 'It sees only the rows it may receive, of individuals already counted for it by an export:'
\echo 'not the trajectories, not the important rows, not the 5 pings that arrived after the job.'

\echo
\echo '== 10. The yearly report'
SET ROLE auditor;
\pset format unaligned
\pset tuples_only on
\o :report_file
SELECT report(2027);
\o
\pset tuples_only off
\pset format aligned
RESET ROLE;
SELECT pg_size_pretty((pg_stat_file(:'report_file')).size) AS size \gset
\echo 'report(2027), one HTML page of' :size 'with its charts and tables, written to' :report_file
