-- declaration() on protected tables without a subject (protect's subject
-- is optional: a table about no individual).  It used to build the query
-- of the individuals from the NULL subject and fail with a syntax error.
-- A database of its own.
CREATE DATABASE ax_decl_nosubj;
\c ax_decl_nosubj
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
RESET client_min_messages;
SET search_path = public, autoxfer;
\set VERBOSITY default
\set SHOW_CONTEXT never

SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('adas_training', 'Training perception models');
SELECT register_recipient('r_sg', 'SG');

-- frames about no individual: general or important (I5), no tally
CREATE TABLE frames (id int PRIMARY KEY, has_face boolean, anonymised boolean);
SELECT declare_column('frames', 'has_face', 'faces_visible'), declare_column('frames', 'anonymised', 'anonymised');
SELECT protect('frames', 'driving_automation');
INSERT INTO frames SELECT g, g % 5 = 0, g % 2 = 0 FROM generate_series(1, 100) g;
-- a table with a personal column but no subject: its personal rows touch
-- the personal tally, and no individual can be counted for them
CREATE TABLE contacts (id int PRIMARY KEY, phone text);
SELECT declare_column('contacts', 'phone', 'personal');
SELECT protect('contacts', 'other');
INSERT INTO contacts SELECT g, CASE WHEN g % 2 = 0 THEN '+86 139 ' || g END FROM generate_series(1, 10) g;
-- and one with a subject
CREATE TABLE owners (owner_id text PRIMARY KEY, phone text);
SELECT declare_column('owners', 'phone', 'personal');
SELECT protect('owners', 'connected_operation', subject => 'owner_id');
INSERT INTO owners SELECT 'U' || g, '+86 138 ' || g FROM generate_series(1, 7) g;
SELECT rel, subject FROM protected_table ORDER BY rel::text;

-- every table described; no individual counted without a subject
SELECT t ->> 'table' AS tbl, t -> 'rows' AS rows, t -> 'categories' AS categories, t -> 'individuals' AS individuals,
	   t -> 'measures' AS measures
FROM jsonb_array_elements(declaration('r_sg', 'adas_training') -> 'tables') t ORDER BY 1;
SELECT (declaration(NULL, NULL) -> 'total') - 'bytes' AS total;

DROP TABLE frames, contacts, owners;
\c autoxfer_regression
DROP DATABASE ax_decl_nosubj;
