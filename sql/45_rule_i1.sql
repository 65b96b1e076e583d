-- Rule I1: locations inside sensitive areas are important data.
\set VERBOSITY default

SELECT id, code, scenarios, elements, predicate, category, enabled FROM autoxfer.rule WHERE code = 'I1';

INSERT INTO autoxfer.sensitive_area (name, kind, area) VALUES
	('Zone A', 'military_zone', box '((116.38,39.90),(116.41,39.93))');

CREATE TABLE positions (id int PRIMARY KEY, owner_id text, lat double precision, lon numeric, note text);
SELECT autoxfer.declare_column('positions', 'lat', 'latitude');
SELECT autoxfer.declare_column('positions', 'lon', 'longitude');
SELECT autoxfer.protect('positions', 'connected_operation', 'owner_id');
SELECT * FROM autoxfer.rule_status('positions') WHERE rule IN ('I1', 'C3L');

INSERT INTO positions VALUES
	(1, NULL, 39.91, 116.39, 'inside, nobody'),
	(2, 'U2', 39.91, 116.39, 'inside, a person'),
	(3, NULL, 31.23, 121.47, 'outside'),
	(4, 'U4', 31.23, 121.47, 'outside, a person'),
	(5, NULL, 39.90, 116.38, 'on the border'),
	(6, NULL, NULL, 116.39, 'no latitude');
SELECT id, note, xfer_label FROM positions ORDER BY id;
SELECT e.rule, e.category, e.elements, e.column_name FROM positions p, autoxfer.explain(p) e WHERE id = 2 ORDER BY e.rule_id;

-- a new area makes the labels of located tables stale; reclassify applies it
SELECT generation FROM autoxfer.protected_table WHERE rel = 'positions'::regclass;
INSERT INTO autoxfer.sensitive_area (name, kind, area) VALUES
	('Organ B', 'government_organ', box '((121.40,31.20),(121.50,31.25))');
SELECT * FROM autoxfer.stale_labels('positions');
SELECT autoxfer.reclassify('positions');
SELECT id, autoxfer.category(xfer_label), autoxfer.rule_id(xfer_label) FROM positions WHERE id IN (3, 4) ORDER BY id;

-- a table without a location is not affected by area changes
CREATE TABLE nolocation (id int, owner_id text);
SELECT autoxfer.protect('nolocation', 'other', 'owner_id');
SELECT * FROM autoxfer.rule_status('nolocation') WHERE rule = 'I1';
DELETE FROM autoxfer.sensitive_area WHERE name = 'Organ B';
SELECT tbl, generation, stale FROM autoxfer.stale_labels() ORDER BY tbl::text;

-- coordinates out of range: the row is refused, the error names rule I1
INSERT INTO positions VALUES (7, NULL, 139.9, 116.4, 'swapped or corrupt');
SELECT count(*) FROM positions WHERE id = 7;

-- a user with no right on schema autoxfer nor on the area table still gets
-- I1 applied to the rows it writes
CREATE ROLE ax_locwriter;
GRANT INSERT, SELECT ON positions TO ax_locwriter;
SET ROLE ax_locwriter;
INSERT INTO positions VALUES (8, 'U8', 39.92, 116.40, 'inside, by an ordinary user');
SELECT id, xfer_label::text FROM positions WHERE id = 8;
RESET ROLE;
REVOKE ALL ON positions FROM ax_locwriter;
DROP ROLE ax_locwriter;

-- the I1 rule can be disabled like any shipped rule, not deleted
UPDATE autoxfer.rule SET enabled = false WHERE code = 'I1';
SELECT autoxfer.category(autoxfer.classify(p)) FROM positions p WHERE id = 1;
UPDATE autoxfer.rule SET enabled = true WHERE code = 'I1';
DELETE FROM autoxfer.rule WHERE code = 'I1';

DROP TABLE positions, nolocation;
DELETE FROM autoxfer.sensitive_area;
