-- The rule catalogue: shipped rules and parameters, validation of
-- predicates when a rule is written, rule status per table, generations.
\set VERBOSITY default

SELECT id, code, scenarios, elements, predicate, data_kind, category, exemption, enabled
FROM autoxfer.rule ORDER BY id;
SELECT name, value, unit FROM autoxfer.parameter ORDER BY name;

CREATE TABLE survey (
	id int PRIMARY KEY,
	driver text,
	prec numeric,
	tiles boolean,
	vehicles int,
	hours real,
	ref text);
SELECT autoxfer.declare_column('survey', 'prec', 'map_precision_m');
SELECT autoxfer.declare_column('survey', 'vehicles', 'vehicle_count');
SELECT autoxfer.declare_column('survey', 'hours', 'test_duration_h');
SELECT autoxfer.protect('survey', 'driving_automation', 'driver');
SELECT * FROM autoxfer.rule_status('survey') WHERE active OR reason NOT LIKE 'none of%' ORDER BY rule_id;

INSERT INTO survey VALUES
	(1, NULL, 100, NULL, 3, 10, NULL),     -- coarse, short: general
	(2, NULL, 0.1, NULL, 3, 10, NULL),     -- survey grade: I2
	(3, 'd3', 100, NULL, 500, 10, NULL),   -- many vehicles: I6, with a driver
	(4, 'd4', 100, NULL, 3, 5000, NULL);   -- long test: I6
SELECT id, xfer_label FROM survey ORDER BY id;

-- predicates that are refused when the rule is written
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X1', 'map_precision_m <', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X2', 'no_such_attribute > 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X3', 'vehicle_count + 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X4', 'random() > 0.5', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X5', 'EXISTS (SELECT 1 FROM pg_class)', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X6', 'count(*) > 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X7', 'row_number() OVER () > 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X8', 'generate_series(1, 2) > 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X9', 'true; DROP TABLE survey', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X10', 'true) OR (true', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X11', 'true FROM survey', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X12', 'true AS t', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X13', 'personal IS NOT NULL', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X14', 'vehicle_count > param.nope', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X15', 'prec > 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X16', '1/0 = 1', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X17', 'pg_catalog.pg_sleep(1) IS NULL', 'important', 'x');
-- table constraints (the DETAIL would show sequence numbers: terse)
\set VERBOSITY terse
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X18', '', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X19', repeat('true AND ', 2000) || 'true', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X20', 'true', 'general', 'x');
INSERT INTO autoxfer.rule (code, predicate, clause) VALUES ('X21', 'true', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('bad code!', 'true', 'important', 'x');
INSERT INTO autoxfer.rule (id, code, predicate, category, clause) VALUES (70000, 'X22', 'true', 'important', 'x');
\set VERBOSITY default
INSERT INTO autoxfer.rule (code, data_kind, category, clause) VALUES ('X23', 'core', 'core', 'x');
-- a comment cannot hide anything: the rest of the line is a comment
INSERT INTO autoxfer.rule (code, predicate, category, clause) VALUES ('X24', 'false -- ; DROP TABLE survey', 'important', 'x');
SELECT code, predicate FROM autoxfer.rule WHERE code = 'X24';
DELETE FROM autoxfer.rule WHERE code = 'X24';
SELECT count(*) FROM survey;
-- the shipped rules of declared data kinds cannot be disabled or changed
UPDATE autoxfer.rule SET enabled = false WHERE code = 'C2';
UPDATE autoxfer.rule SET category = 'personal' WHERE code = 'C5';

-- a rule bound to one table may use its columns
INSERT INTO autoxfer.rule (id, code, predicate, rel, category, clause)
VALUES (1001, 'T1', 'tiles AND prec < 1000', 'survey', 'important', 'DBA: map tiles of this table are survey data');
SELECT * FROM autoxfer.rule_status('survey') WHERE rule = 'T1';
-- but not columns it does not have, nor columns of another table
INSERT INTO autoxfer.rule (code, predicate, rel, category, clause)
VALUES ('T2', 'tilez', 'survey', 'important', 'x');
INSERT INTO autoxfer.rule (code, predicate, category, clause)
VALUES ('T3', 'tiles', 'important', 'x');

-- a change of the rules bumps the table's generation: its labels are stale
SELECT generation FROM autoxfer.protected_table WHERE rel = 'survey'::regclass;
SELECT * FROM autoxfer.stale_labels('survey');
SELECT autoxfer.reclassify('survey');
SELECT * FROM autoxfer.stale_labels('survey');
INSERT INTO survey VALUES (5, NULL, 100, true, 1, 1, NULL);
SELECT id, xfer_label FROM survey WHERE id = 5;

-- a parameter change applies at once (it is inlined at compile time)
SELECT id, autoxfer.category(xfer_label) FROM survey WHERE id = 1;
UPDATE autoxfer.parameter SET value = 1000 WHERE name = 'i2_precision_m';
SELECT id, autoxfer.category(autoxfer.classify(survey)) FROM survey WHERE id = 1;
UPDATE survey SET hours = hours WHERE id = 1;
SELECT id, xfer_label FROM survey WHERE id = 1;
-- a parameter a rule uses cannot be dropped; shipped ones not at all
INSERT INTO autoxfer.parameter (name, value, unit, clause) VALUES ('dba_hours', 10, 'h', 'DBA: test hours');
INSERT INTO autoxfer.rule (id, code, predicate, category, clause)
VALUES (1003, 'H1', 'test_duration_h > param.dba_hours', 'important', 'DBA: long tests');
DELETE FROM autoxfer.parameter WHERE name = 'dba_hours';
DELETE FROM autoxfer.rule WHERE code = 'H1';
DELETE FROM autoxfer.parameter WHERE name = 'dba_hours';
DELETE FROM autoxfer.parameter WHERE name = 'i2_precision_m';
UPDATE autoxfer.parameter SET value = 50 WHERE name = 'i2_precision_m';

-- disabling a rule: inactive, and it no longer contributes
UPDATE autoxfer.rule SET enabled = false WHERE code = 'I6';
SELECT * FROM autoxfer.rule_status('survey') WHERE rule IN ('I2', 'I6', 'T1') ORDER BY rule_id;
SELECT id, autoxfer.classify(survey) FROM survey ORDER BY id;
UPDATE autoxfer.rule SET enabled = true WHERE code = 'I6';

-- a rule that errors for some rows fails closed: the statement is refused,
-- naming the rule, and no row is written without a label
INSERT INTO autoxfer.rule (id, code, predicate, category, clause)
VALUES (1002, 'D1', '100 / (vehicle_count - 7) > 1', 'important', 'DBA: a rule that divides');
INSERT INTO survey VALUES (6, NULL, 100, NULL, 7, 1, NULL);
SELECT count(*) FROM survey WHERE id = 6;
DELETE FROM autoxfer.rule WHERE code IN ('D1', 'T1');

-- the generation is autoxfer's to advance: setting it by hand is refused,
-- and a change of the catalogue advances it by one (51_attack_ddl takes a
-- table to the last generation, where it stops instead of wrapping to 1)
UPDATE autoxfer.protected_table SET generation = 1048575 WHERE rel = 'survey'::regclass;
SELECT generation FROM autoxfer.protected_table WHERE rel = 'survey'::regclass;
UPDATE autoxfer.rule SET clause = clause WHERE code = 'I2';
SELECT generation FROM autoxfer.protected_table WHERE rel = 'survey'::regclass;

-- rule_status of a table that is not protected
CREATE TABLE plain (a int);
SELECT * FROM autoxfer.rule_status('plain');
SELECT * FROM autoxfer.rule_status(NULL);

-- ordinary users read the catalogue but cannot change it
CREATE ROLE ax_user;
GRANT USAGE ON SCHEMA autoxfer TO ax_user;
SET ROLE ax_user;
SELECT count(*) > 0 FROM autoxfer.rule;
UPDATE autoxfer.rule SET enabled = false WHERE code = 'I5';
INSERT INTO autoxfer.parameter VALUES ('x', 1, NULL, 'x');
SELECT autoxfer.declare_column('survey', 'ref', 'miit_report_ref');
RESET ROLE;
-- autoxfer_admin can
CREATE ROLE ax_admin IN ROLE autoxfer_admin;
GRANT ALL ON survey TO ax_admin;
SET ROLE ax_admin;
INSERT INTO autoxfer.parameter VALUES ('x_limit', 1, NULL, 'x');
DELETE FROM autoxfer.parameter WHERE name = 'x_limit';
RESET ROLE;

DROP TABLE survey, plain;
REVOKE USAGE ON SCHEMA autoxfer FROM ax_user;
DROP ROLE ax_user;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ax_admin;
DROP ROLE ax_admin;

-- what a predicate or a subject uses cannot be dropped or changed so that
-- it no longer compiles: the DDL is refused, naming the rule (the context
-- lines, inside autoxfer's event triggers, are left out).  Predicates and
-- subjects call only built-in functions (50_attack_owner): what they
-- depend on that users can change is the types of the columns they read.
\set SHOW_CONTEXT never
CREATE SCHEMA fleet_types;
CREATE TYPE fleet_types.kind AS ENUM ('truck', 'bus');
CREATE TYPE fleet_types.unused AS ENUM ('x');
CREATE TABLE dep (id int, fleet int, driver text, kind fleet_types.kind);
SELECT autoxfer.declare_column('dep', 'fleet', 'vehicle_count');
SELECT autoxfer.protect('dep', 'other', 'upper(driver)');
INSERT INTO autoxfer.rule (code, rel, predicate, category, clause)
VALUES ('DEP1', 'dep', 'kind = ''truck''::fleet_types.kind AND vehicle_count > 400', 'important', 'test: an enum of the DBA''s');
ALTER TYPE fleet_types.kind RENAME VALUE 'truck' TO 'lorry';
ALTER TYPE fleet_types.kind RENAME TO vehicle_kind;
ALTER SCHEMA fleet_types RENAME TO fleet_types2;
DROP SCHEMA fleet_types CASCADE;
-- a superuser's change of a built-in function the subject calls
ALTER FUNCTION pg_catalog.upper(text) VOLATILE;
-- a change that keeps them compiling, or a type no rule uses, is fine
ALTER TYPE fleet_types.kind RENAME VALUE 'bus' TO 'coach';
ALTER TYPE fleet_types.unused RENAME TO unused2;
ALTER FUNCTION pg_catalog.upper(text) COST 1;
INSERT INTO dep VALUES (1, 450, 'd', 'truck');
SELECT autoxfer.category(xfer_label), autoxfer.rule_id(xfer_label) = (SELECT id FROM autoxfer.rule WHERE code = 'DEP1') AS by_dep1 FROM dep;
-- once the rule and the table no longer need them, they can go
DELETE FROM autoxfer.rule WHERE code = 'DEP1';
ALTER TYPE fleet_types.kind RENAME VALUE 'truck' TO 'lorry';
SELECT autoxfer.unprotect('dep');
DROP TABLE dep;
DROP SCHEMA fleet_types CASCADE;
\set SHOW_CONTEXT errors
