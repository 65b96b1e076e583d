-- Classification: categories, marks, exemptions, explain, classify.
\set VERBOSITY default

CREATE TABLE fleet (
	id int PRIMARY KEY,
	owner_id text,
	phone text,
	face_print bytea,
	military_route text,
	lat double precision,
	lon double precision,
	law boolean,
	miit text,
	incident text,
	samr text,
	abroad boolean,
	subjects int,
	note text);
SELECT autoxfer.declare_column('fleet', 'phone', 'personal');
SELECT autoxfer.declare_column('fleet', 'face_print', 'sensitive_personal');
SELECT autoxfer.declare_column('fleet', 'military_route', 'core');
SELECT autoxfer.declare_column('fleet', 'lat', 'latitude');
SELECT autoxfer.declare_column('fleet', 'lon', 'longitude');
SELECT autoxfer.declare_column('fleet', 'law', 'law_enforcement');
SELECT autoxfer.declare_column('fleet', 'miit', 'miit_report_ref');
SELECT autoxfer.declare_column('fleet', 'incident', 'incident_report_ref');
SELECT autoxfer.declare_column('fleet', 'samr', 'samr_filing_ref');
SELECT autoxfer.declare_column('fleet', 'abroad', 'collected_abroad');
SELECT autoxfer.declare_column('fleet', 'subjects', 'dataset_subjects');
SELECT autoxfer.protect('fleet', 'software_upgrade', 'owner_id');

INSERT INTO fleet (id, owner_id, phone, face_print, military_route, lat, lon, law, miit, incident, samr, abroad, subjects, note) VALUES
	(1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'general'),
	(2, 'U2', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'personal by subject'),
	(3, NULL, '138', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'personal by column'),
	(4, 'U4', NULL, '\x01', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'sensitive column'),
	(5, 'U5', NULL, NULL, NULL, 31.2, 121.5, NULL, NULL, NULL, NULL, NULL, NULL, 'precise location of a person'),
	(6, NULL, NULL, NULL, NULL, 31.2, 121.5, NULL, NULL, NULL, NULL, NULL, NULL, 'location, nobody'),
	(7, 'U7', NULL, NULL, NULL, NULL, NULL, true, NULL, NULL, NULL, NULL, NULL, 'law enforcement: I9'),
	(8, NULL, NULL, NULL, 'route', NULL, NULL, true, NULL, NULL, NULL, NULL, NULL, 'core wins'),
	(9, NULL, NULL, NULL, NULL, NULL, NULL, true, 'MIIT-2026-1', NULL, NULL, NULL, NULL, 'important, E7'),
	(10, 'U10', NULL, '\x02', NULL, NULL, NULL, NULL, NULL, 'INC-7', NULL, NULL, NULL, 'sensitive, E8'),
	(11, NULL, NULL, NULL, NULL, NULL, NULL, true, NULL, NULL, 'SAMR-9', NULL, NULL, 'important, E9'),
	(12, NULL, NULL, NULL, 'route', NULL, NULL, NULL, 'MIIT-1', NULL, NULL, NULL, NULL, 'core, E7: still blocked'),
	(13, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, true, NULL, 'E1 only'),
	(14, 'U14', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 500000, 'I10 is disabled'),
	(15, NULL, NULL, NULL, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, 'law false');
SELECT id, note, autoxfer.category(xfer_label), autoxfer.mark(xfer_label),
       autoxfer.rule_id(xfer_label), autoxfer.elements(xfer_label), autoxfer.exemptions(xfer_label)
FROM fleet ORDER BY id;
-- classify() gives what the trigger wrote
SELECT count(*) FILTER (WHERE autoxfer.classify(f) OPERATOR(autoxfer.=) xfer_label) AS same, count(*) FROM fleet f;

-- explain: one row per contribution, with its clause
SELECT id, e.source, e.rule, e.category, e.elements, e.exemption, e.column_name
FROM fleet f, autoxfer.explain(f) e WHERE id IN (1, 8, 10, 12) ORDER BY id, e.rule_id, e.column_name;
SELECT e.clause FROM fleet f, autoxfer.explain(f) e WHERE id = 9 ORDER BY e.rule_id;

-- I10, once enabled, makes a large personal data set important
UPDATE autoxfer.rule SET enabled = true WHERE code = 'I10';
SELECT autoxfer.classify(f) FROM fleet f WHERE id = 14;
UPDATE autoxfer.rule SET enabled = false WHERE code = 'I10';

-- classify and explain of something that is not a row of a protected table
CREATE TABLE other (a int);
INSERT INTO other VALUES (1);
SELECT autoxfer.classify(o) FROM other o;
SELECT * FROM autoxfer.explain(ROW(1, 2));
SELECT autoxfer.classify(NULL::fleet);
CREATE TYPE pair AS (a int, b int);
SELECT autoxfer.classify(ROW(1, 2)::pair);
-- a row value built by hand is classified like a stored one
SELECT autoxfer.classify(ROW(99, 'U', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)::fleet);

DROP TABLE fleet, other;
DROP TYPE pair;
