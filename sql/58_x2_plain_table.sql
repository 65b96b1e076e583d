-- Roles abroad (rule X2) on protected tables that are not partitioned.
-- pg_partition_tree() of a plain table is empty, and _x2_sync used to look
-- for the relations of a protected tree there only: a plain protected table
-- got no policy, and a role abroad read every row of it.  Here a plain and
-- a partitioned table: both get the policies, the role abroad sees only what
-- it may receive, and unregistering takes the policies off again.  A
-- database of its own.
CREATE DATABASE ax_x2_plain;
\c ax_x2_plain
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
RESET client_min_messages;
SET search_path = public, autoxfer;

SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('analytics', 'Fleet quality analytics');
CREATE ROLE ax_x2_abroad LOGIN;

-- a plain table: general (no owner), personal (an owner), sensitive (an
-- owner with a location) and important rows (a face)
CREATE TABLE trips (id int PRIMARY KEY, owner_id text, lat float8, lon float8, face boolean);
SELECT declare_column('trips', 'lat', 'latitude'), declare_column('trips', 'lon', 'longitude'),
	   declare_column('trips', 'face', 'faces_visible');
SELECT protect('trips', 'connected_operation', 'owner_id');
INSERT INTO trips
SELECT g, CASE WHEN g % 4 <> 0 THEN 'U' || g END,
	   CASE WHEN g % 4 = 1 THEN 31.2 END, CASE WHEN g % 4 = 1 THEN 121.5 END, g % 10 = 0
FROM generate_series(1, 40) g;
-- and a partitioned one
CREATE TABLE parts (id int, owner_id text, day date) PARTITION BY RANGE (day);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM ('2020-01-01') TO ('2030-01-01');
CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM ('2030-01-01') TO ('2040-01-01');
SELECT protect('parts', 'production', 'owner_id');
INSERT INTO parts VALUES (1, NULL, '2025-01-01'), (2, NULL, '2035-01-01');
GRANT SELECT ON trips, parts TO ax_x2_abroad;

CREATE VIEW x2_state AS
SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
	   (SELECT array_agg(p.polname::text ORDER BY p.polname) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
	   EXISTS (SELECT 1 FROM x2_table x WHERE x.rel = c.oid) AS in_x2_table
FROM pg_class c WHERE c.relname IN ('trips', 'parts', 'parts_1', 'parts_2') ORDER BY c.relname;

-- no role abroad yet: no policy anywhere
SELECT * FROM x2_state;

-- a recipient with a role (the warning about shared_preload_libraries
-- depends on the cluster, not on this test)
SET client_min_messages = error;
SELECT register_recipient('acme-de', 'DE', role => 'ax_x2_abroad', purpose => 'analytics');
RESET client_min_messages;
-- every relation of both trees carries the policies, the plain table too
SELECT * FROM x2_state;

-- a superuser's session that switched to an ordinary role acts for no
-- recipient (a superuser has the privileges of every role, the role abroad's
-- too): it writes and reads the protected tables as before
CREATE ROLE ax_x2_writer;
GRANT SELECT, INSERT ON trips TO ax_x2_writer;
SET ROLE ax_x2_writer;
INSERT INTO trips VALUES (41, 'U41', NULL, NULL, true);
SELECT count(*) AS writer_sees FROM trips;
RESET ROLE;

-- the owner sees every row; the role abroad only the general ones: no
-- filing for the sensitive and important rows, and no individual counted
-- for it yet
SELECT category(xfer_label) AS category, count(*) FROM trips GROUP BY 1 ORDER BY 1;
SET ROLE ax_x2_abroad;
SELECT split_part(xfer_label::text, '/', 1) AS category, count(*) FROM trips GROUP BY 1 ORDER BY 1;
SELECT count(*) AS parts_rows FROM parts;
RESET ROLE;
-- once the personal rows were exported to the recipient, their owners are
-- counted for it: it sees them too
SET client_min_messages = warning;
SELECT count(*) AS exported FROM autoxfer.export(NULL::trips, 'acme-de', 'analytics');
RESET client_min_messages;
SET ROLE ax_x2_abroad;
SELECT split_part(xfer_label::text, '/', 1) AS category, count(*) FROM trips GROUP BY 1 ORDER BY 1;
RESET ROLE;

-- unregistered, the recipient's role reads as before, and the policies are gone
SELECT unregister_recipient('acme-de');
SELECT * FROM x2_state;
SET ROLE ax_x2_abroad;
SELECT count(*) AS trips_rows FROM trips;
RESET ROLE;

\c autoxfer_regression
DROP DATABASE ax_x2_plain;
DROP ROLE ax_x2_abroad, ax_x2_writer;
