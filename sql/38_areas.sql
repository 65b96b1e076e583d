-- Sensitive areas (rule I1): the area table, in_sensitive_area and its
-- cache, sensitive_areas_at, bad input and privileges.
SET search_path = autoxfer, public;
\set VERBOSITY default

-- empty table: nothing is sensitive, and the cache holds nothing
SELECT in_sensitive_area(39.9, 116.4) AS empty_table;
SELECT areas, points, nodes, current FROM sensitive_area_cache();

-- NULL arguments give NULL (STRICT)
SELECT in_sensitive_area(NULL, 116.4) AS null_lat, in_sensitive_area(39.9, NULL) AS null_lon,
       in_sensitive_area(39.9, 116.4, NULL) AS null_at,
       area_contains(NULL, 1, 1) AS null_area, check_location(NULL, 0) AS null_check;
SELECT count(*) AS null_location_rows FROM sensitive_areas_at(NULL, 116.4);

-- bad coordinates: 22003 with a hint, whichever function is called
SELECT in_sensitive_area('NaN', 116.4);
SELECT in_sensitive_area(39.9, 'NaN');
SELECT in_sensitive_area(90.000001, 0);
SELECT in_sensitive_area(-91, 0);
SELECT in_sensitive_area(0, 180.5);
SELECT in_sensitive_area(0, '-Infinity');
SELECT in_sensitive_area('Infinity', 0);
SELECT in_sensitive_area(116.4, 39.9);           -- swapped: the hint says so
SELECT in_sensitive_area(1e308, 1e308);
SELECT * FROM sensitive_areas_at(116.4, 39.9);
SELECT area_contains(polygon '((0,0),(1,0),(0,1))', 'NaN', 0);
SELECT check_location(0, 181);
-- the limits themselves are valid
SELECT in_sensitive_area(90, 180) AS ne_corner, in_sensitive_area(-90, -180) AS sw_corner,
       check_location(-90, 180) AS ok;

-- the table refuses bad areas: unknown kind, empty name, too few points,
-- points out of range or NaN (x = longitude, y = latitude), inverted validity
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'airport', box '((0,0),(1,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('', 'other', box '((0,0),(1,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(1,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(181,0),(0,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(1,0),(0,-90.5))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(NaN,0),(0,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(1,NaN),(0,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', polygon '((0,0),(1,0),(Infinity,1))');
INSERT INTO sensitive_area (name, kind, area, valid_from, valid_to)
	VALUES ('x', 'other', box '((0,0),(1,1))', '2026-02-01', '2026-01-01');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', NULL, box '((0,0),(1,1))');
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', NULL);
INSERT INTO sensitive_area (name, kind, area, bbox) VALUES ('x', 'other', box '((0,0),(1,1))', box '((0,0),(1,1))');
SELECT count(*) AS nothing_written FROM sensitive_area;

-- Shapes (longitude, latitude), a box given as a box:
-- 101 a square military zone, 10..20 x 10..20
-- 102 nested inside it, 12..14 x 12..14
-- 103 touching square 101 along its east edge, 20..30 x 10..20
-- 104 a concave "U": 40..50 x 10..20 with the notch 43..47 x 13..20 cut out
-- 105 a triangle (government organ)
-- 106 a self-intersecting bow tie: even-odd, both lobes inside
INSERT INTO sensitive_area (id, name, kind, area, clause, note) VALUES
	(101, 'zone A', 'military_zone', box '((10,10),(20,20))', 'I1', 'box input'),
	(102, 'zone A inner', 'defence_industry', polygon '((12,12),(14,12),(14,14),(12,14))', 'I1', NULL),
	(103, 'zone B', 'military_zone', polygon '((20,10),(30,10),(30,20),(20,20))', 'I1', 'touches zone A'),
	(104, 'works U', 'defence_industry',
		polygon '((40,10),(50,10),(50,20),(47,20),(47,13),(43,13),(43,20),(40,20))', 'I1', 'concave'),
	(105, 'county seat', 'government_organ', polygon '((60,10),(70,10),(60,20))', 'I1', NULL),
	(106, 'bow tie', 'other', polygon '((80,10),(90,20),(90,10),(80,20))', 'I1', 'self-intersecting');
SELECT id, name, kind, bbox FROM sensitive_area ORDER BY id;

-- the cache was dropped by the insert and is rebuilt by the next call
SELECT current FROM sensitive_area_cache();
SELECT in_sensitive_area(15, 15) AS in_a;
SELECT areas, points, current FROM sensitive_area_cache();

-- probe points: (latitude, longitude) and the expected answer
CREATE TEMP TABLE probe (what text, lat float8, lon float8, expected boolean);
INSERT INTO probe VALUES
	('inside A', 15, 15, true),
	('inside A and its nested area', 13, 13, true),
	('on A west edge', 15, 10, true),
	('on A south-west corner', 10, 10, true),
	('just west of A', 15, 9.999999999, false),
	('on the shared edge of A and B', 15, 20, true),
	('inside B', 15, 25, true),
	('just outside B', 20.0000001, 25, false),
	('U left arm', 17, 41, true),
	('U notch (concave part)', 17, 45, false),
	('U notch floor edge', 13, 45, true),
	('U notch inner vertex', 13, 47, true),
	('U base below notch', 11, 45, true),
	('U right arm edge', 18, 47, true),
	('U open top, in notch bbox', 20, 45, false),
	('triangle inside', 12, 62, true),
	('triangle hypotenuse', 15, 65, true),
	('triangle outside hypotenuse', 15.1, 65, false),
	('triangle in bbox, outside', 19, 69, false),
	('bow tie left lobe', 15, 82, true),
	('bow tie right lobe', 15, 88, true),
	('bow tie crossing point', 15, 85, true),
	('bow tie upper gap', 19, 85, false),
	('far away', -33.9, 151.2, false),
	('pole', 90, 0, false);
SELECT what, in_sensitive_area(lat, lon) AS got, expected
FROM probe ORDER BY what;
SELECT count(*) AS mismatches FROM probe WHERE in_sensitive_area(lat, lon) IS DISTINCT FROM expected;

-- sensitive_areas_at explains: every area holding the point, in id order,
-- and agrees with in_sensitive_area on every probe
SELECT id, name, kind, clause FROM sensitive_areas_at(13, 13);
SELECT id, name FROM sensitive_areas_at(15, 20);
SELECT id, name FROM sensitive_areas_at(17, 45);
SELECT count(*) AS disagreements FROM probe
WHERE in_sensitive_area(lat, lon) <> EXISTS (SELECT 1 FROM sensitive_areas_at(lat, lon));
-- it is inlined, so the GiST index on the bounding box is used
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sensitive_areas_at(13, 13);
RESET enable_seqscan;

-- area_contains is the same rule for a single polygon
SELECT area_contains(polygon '((0,0),(4,0),(4,4),(0,4))', 2, 2) AS inside,
       area_contains(polygon '((0,0),(4,0),(4,4),(0,4))', 4, 4) AS corner,
       area_contains(polygon '((0,0),(4,0),(4,4),(0,4))', 4.0000001, 2) AS outside;
SELECT area_contains(polygon '((1,1))', 1, 1) AS single_point, area_contains(polygon '((1,1))', 1, 1.5) AS off_point;

-- validity windows: an area in force only in 2025 matches only then
INSERT INTO sensitive_area (id, name, kind, area, valid_from, valid_to)
VALUES (107, 'temporary', 'military_zone', box '((100,30),(101,31))', '2025-01-01 00:00+08', '2026-01-01 00:00+08');
SELECT in_sensitive_area(30.5, 100.5, '2025-06-01') AS in_2025,
       in_sensitive_area(30.5, 100.5, '2024-12-31 15:59:59+00') AS just_before,
       in_sensitive_area(30.5, 100.5, '2024-12-31 16:00:00+00') AS first_instant,
       in_sensitive_area(30.5, 100.5, '2025-12-31 16:00:00+00') AS end_excluded,
       in_sensitive_area(30.5, 100.5) AS now;
SELECT count(*) AS explained_2025 FROM sensitive_areas_at(30.5, 100.5, '2025-06-01');
SELECT count(*) AS explained_now FROM sensitive_areas_at(30.5, 100.5);

-- changes are seen at the next call: update, delete, truncate, and a
-- rolled-back insert that is forgotten again
UPDATE sensitive_area SET area = box '((10,10),(11,11))' WHERE id = 101;
SELECT in_sensitive_area(15, 15) AS after_shrink, in_sensitive_area(10.5, 10.5) AS still_in;
DELETE FROM sensitive_area WHERE id = 103;
SELECT in_sensitive_area(15, 25) AS after_delete;
BEGIN;
INSERT INTO sensitive_area (name, kind, area) VALUES ('uncommitted', 'other', box '((-10,-10),(-5,-5))');
SELECT in_sensitive_area(-7, -7) AS own_insert_seen;
ROLLBACK;
SELECT in_sensitive_area(-7, -7) AS rolled_back;
BEGIN;
SAVEPOINT s;
DELETE FROM sensitive_area WHERE id = 102;
SELECT in_sensitive_area(13, 13) AS deleted_in_savepoint;
ROLLBACK TO SAVEPOINT s;
SELECT in_sensitive_area(13, 13) AS restored_after_rollback_to;
COMMIT;
SELECT loads > 0 AS loaded, invalidations > 0 AS invalidated FROM sensitive_area_cache();

-- Thousands of areas: a 60 x 60 grid of small squares, 400 nested squares
-- around one point and a circle of 10000 points; the R-tree answers as the
-- GiST path on a quarter of a million probes, and as a brute-force scan of
-- every area on a sample that includes borders and corners.
TRUNCATE sensitive_area;
SELECT in_sensitive_area(15, 15) AS after_truncate;
INSERT INTO sensitive_area (name, kind, area)
SELECT 'cell ' || i || ',' || j, 'other',
       box(point(100 + i * 0.5, 20 + j * 0.5), point(100 + i * 0.5 + 0.3, 20 + j * 0.5 + 0.3))
FROM generate_series(0, 59) i, generate_series(0, 59) j;
INSERT INTO sensitive_area (name, kind, area)
SELECT 'ring ' || k, 'military_zone', box(point(-50 - k * 0.1, -20 - k * 0.1), point(-50 + k * 0.1, -20 + k * 0.1))
FROM generate_series(1, 400) k;
INSERT INTO sensitive_area (name, kind, area)      -- one polygon of 10000 points
SELECT 'circle', 'government_organ',
       polygon(('(' || string_agg(format('(%s,%s)', 10 + 5 * cos(g * 2 * pi() / 10000), -40 + 5 * sin(g * 2 * pi() / 10000)), ',' ORDER BY g) || ')')::path)
FROM generate_series(0, 9999) g;
SELECT areas, points, nodes, current FROM sensitive_area_cache();
SELECT in_sensitive_area(0, 0) AS warm;
SELECT areas, points, nodes, current FROM sensitive_area_cache();
CREATE TEMP TABLE grid AS
SELECT lat, lon FROM generate_series(19.9, 50.2, 0.1) lat, generate_series(99.9, 130.2, 0.1) lon
UNION ALL
SELECT lat, lon FROM generate_series(-61, 21, 0.25) lat, generate_series(-91, 21, 0.25) lon;
SELECT count(*) AS probes, count(*) FILTER (WHERE in_sensitive_area(lat, lon)) AS inside,
       count(*) FILTER (WHERE in_sensitive_area(lat, lon) <>
                        EXISTS (SELECT 1 FROM sensitive_areas_at(lat, lon))) AS rtree_vs_gist
FROM grid;
-- a brute-force scan of every area for a sample of the probes: cell
-- corners, ring borders, points in and around the circle
CREATE TEMP TABLE sample AS
SELECT lat, lon FROM generate_series(20, 49.5, 1.5) lat, generate_series(100, 129.5, 1.5) lon
UNION ALL
SELECT lat, lon FROM generate_series(-61, 21, 2) lat, generate_series(-91, 21, 2) lon
UNION ALL
SELECT -40 + 5 * sin(g), 10 + 5 * cos(g) FROM generate_series(1, 50) g;
SELECT count(*) AS sampled, count(*) FILTER (WHERE in_sensitive_area(lat, lon)) AS inside,
       count(*) FILTER (WHERE in_sensitive_area(lat, lon) <>
                        EXISTS (SELECT 1 FROM sensitive_area a WHERE area_contains(a.area, lat, lon))) AS rtree_vs_bruteforce
FROM sample;
SELECT count(*) AS rings_at_centre FROM sensitive_areas_at(-20, -50);

-- in parallel workers too (each loads its own cache)
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET force_parallel_mode = on;
SELECT count(*) FILTER (WHERE in_sensitive_area(lat, lon)) AS inside_parallel FROM grid;
RESET force_parallel_mode;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;

-- the trigger function refuses to be called any other way
SELECT sensitive_area_changed();
CREATE TEMP TABLE t_misuse (x int);
CREATE TRIGGER misuse BEFORE INSERT ON t_misuse FOR EACH ROW EXECUTE FUNCTION sensitive_area_changed();
INSERT INTO t_misuse VALUES (1);

-- privileges: only autoxfer_admin writes the table, autoxfer_auditor reads
-- it; a role with no right on the table may not call in_sensitive_area
-- either (yes or no per point would map the areas out; rule predicates
-- call it as the extension's owner)
CREATE ROLE regress_area_admin IN ROLE autoxfer_admin;
CREATE ROLE regress_area_auditor IN ROLE autoxfer_auditor;
CREATE ROLE regress_area_user IN ROLE autoxfer_exporter;
SET ROLE regress_area_user;
SELECT in_sensitive_area(-20, -50) AS user_may_not_test;
SELECT count(*) FROM sensitive_area;
SELECT * FROM sensitive_areas_at(-20, -50);
INSERT INTO sensitive_area (name, kind, area) VALUES ('x', 'other', box '((0,0),(1,1))');
SET ROLE regress_area_auditor;
SELECT count(*) AS auditor_reads FROM sensitive_area;
SELECT count(*) AS auditor_explains FROM sensitive_areas_at(-20, -50);
DELETE FROM sensitive_area;
SET ROLE regress_area_admin;
INSERT INTO sensitive_area (name, kind, area) VALUES ('admin area', 'other', box '((1,1),(2,2))') RETURNING name, bbox;
UPDATE sensitive_area SET note = 'checked' WHERE name = 'admin area';
SELECT in_sensitive_area(1.5, 1.5) AS admin_area_in_force;
DELETE FROM sensitive_area WHERE name = 'admin area';
RESET ROLE;
DROP ROLE regress_area_admin, regress_area_auditor, regress_area_user;

-- pg_dump keeps the areas and the id sequence
SELECT r.relname AS dumped, r.relkind FROM pg_extension e, unnest(e.extconfig) c JOIN pg_class r ON r.oid = c
WHERE e.extname = 'autoxfer' AND r.relname LIKE 'sensitive\_area%'
ORDER BY r.relname COLLATE "C";

-- leave the table empty for the suites that follow
TRUNCATE sensitive_area;
SELECT in_sensitive_area(-20, -50) AS emptied;
