-- COPY FROM into protected tables while roles abroad exist (rule X2).
-- The policies of roles abroad put row-level security on every protected
-- table, and PostgreSQL's COPY refuses COPY FROM wherever row-level
-- security applies to the user.  autoxfer's COPY path (src/copy.c) loads
-- the rows when the only row-level security that applies is autoxfer's
-- and the user acts for no recipient abroad; wherever PostgreSQL refused
-- before, it still refuses.  COPYs run with client_min_messages = debug1,
-- so that the output shows which path each took.  (A COPY FROM stdin that
-- fails before reading makes psql skip to the next \. line: hence lone \.
-- lines.)
SET search_path = public, autoxfer;
\set VERBOSITY terse
SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('analytics', 'Fleet quality analytics at the group''s R&D centre');
CREATE ROLE x3_owner LOGIN;
CREATE ROLE x3_writer LOGIN;
CREATE ROLE x3_abroad LOGIN;
CREATE ROLE x3_other LOGIN;
GRANT CREATE ON SCHEMA public TO x3_owner;

SET ROLE x3_owner;
CREATE TABLE loads (id int PRIMARY KEY, owner_id text, bio text, note text);
CREATE TABLE loads_p (id int, owner_id text, bio text, note text) PARTITION BY RANGE (id);
CREATE TABLE loads_p_1 PARTITION OF loads_p FOR VALUES FROM (1) TO (1000);
CREATE TABLE loads_p_2 PARTITION OF loads_p FOR VALUES FROM (1000) TO (2000);
-- a BEFORE row trigger of the owner's: the rows go one by one
CREATE TABLE loads_trig (id int PRIMARY KEY, owner_id text, bio text, note text);
CREATE FUNCTION loads_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.note := coalesce(NEW.note, 'by the trigger');
	RETURN NEW;
END $$;
CREATE TRIGGER a_note BEFORE INSERT ON loads_trig FOR EACH ROW EXECUTE FUNCTION loads_note();
-- row-level security of the owner's own: enabled, not forced
CREATE TABLE loads_own (id int PRIMARY KEY, owner_id text, bio text, region text);
ALTER TABLE loads_own ENABLE ROW LEVEL SECURITY;
CREATE POLICY writer_a ON loads_own TO x3_writer USING (region = 'a') WITH CHECK (region = 'a');
-- and forced
CREATE TABLE loads_forced (id int PRIMARY KEY, owner_id text, bio text);
ALTER TABLE loads_forced ENABLE ROW LEVEL SECURITY;
ALTER TABLE loads_forced FORCE ROW LEVEL SECURITY;
CREATE POLICY everyone ON loads_forced USING (true);
RESET ROLE;
SELECT declare_column(t, 'bio', 'sensitive_personal'), protect(t, 'connected_operation', 'owner_id')
FROM unnest(ARRAY['loads', 'loads_p', 'loads_trig', 'loads_own', 'loads_forced']::regclass[]) t;
GRANT SELECT, INSERT ON loads, loads_p, loads_p_2, loads_trig, loads_own, loads_forced TO x3_writer;
GRANT SELECT ON loads, loads_p, loads_trig, loads_own, loads_forced TO x3_abroad, x3_other;
GRANT INSERT ON loads TO x3_abroad;

-- before any role abroad: the writer loads every table but loads_own (the
-- owner's policies apply to it), the owner every table but loads_forced
SET SESSION AUTHORIZATION x3_writer;
SET client_min_messages = debug1;
COPY loads (id, owner_id, bio, note) FROM stdin;
1	\N	\N	general
\.
COPY loads_own (id, owner_id, region) FROM stdin;
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION x3_owner;
SET client_min_messages = debug1;
COPY loads_own (id, owner_id, region) FROM stdin;
1	\N	a
\.
COPY loads_forced (id, owner_id) FROM stdin;
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;

-- a recipient with a role abroad: row-level security on every table
SELECT register_recipient('vendor-de', 'DE', 'x3_abroad', 'analytics');
SELECT relname, relrowsecurity, relforcerowsecurity,
	   (SELECT array_agg(polname ORDER BY polname) FROM pg_policy WHERE polrelid = c.oid) AS policies
FROM pg_class c WHERE relname ~ '^loads' AND relkind IN ('r', 'p') ORDER BY 1;

-- the writer loads as before: on the bulk path, with a WHERE clause, with
-- the bulk path off, through a trigger of its own, into partitions, with
-- row_security off (the policies do not apply to what it writes)
SET SESSION AUTHORIZATION x3_writer;
SET client_min_messages = debug1;
COPY loads (id, owner_id, bio, note) FROM stdin;
2	U1	\N	personal
3	U2	blood A	sensitive
4	\N	\N	general
\.
COPY loads (id, owner_id, bio, note) FROM stdin WHERE id % 2 = 0;
5	U3	\N	personal, left out
6	\N	\N	general
\.
SET autoxfer.bulk_copy = off;
COPY loads (id, owner_id, bio, note) FROM stdin;
7	U4	\N	personal, row by row
\.
RESET autoxfer.bulk_copy;
COPY loads_trig (id, owner_id, bio) FROM stdin;
1	\N	\N
2	U5	blood B
\.
COPY loads_p (id, owner_id, bio, note) FROM stdin;
1	\N	\N	general
2	U6	\N	personal
1001	U7	blood C	sensitive
1002	\N	\N	general
\.
COPY loads_p_2 (id, owner_id, bio, note) FROM stdin;
1003	U8	\N	personal, into the partition
\.
SET row_security = off;
COPY loads (id, owner_id, bio, note) FROM stdin;
8	\N	\N	general, row_security off
\.
RESET row_security;
-- what PostgreSQL refuses it still refuses: the owner's own policies, a
-- read-only transaction, FREEZE outside the table's transaction
COPY loads_own (id, owner_id, region) FROM stdin;
\.
BEGIN READ ONLY;
COPY loads (id, owner_id) FROM stdin;
\.
ROLLBACK;
COPY loads (id, owner_id) FROM stdin (FREEZE);
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;

-- the owner loads as before: its tables, loads_own too (its policies never
-- applied to it); not loads_forced (they did)
SET SESSION AUTHORIZATION x3_owner;
SET client_min_messages = debug1;
COPY loads (id, owner_id, bio, note) FROM stdin;
9	U9	\N	personal, by the owner
\.
COPY loads_own (id, owner_id, bio, region) FROM stdin;
2	U1	\N	b
3	\N	blood D	a
\.
SET autoxfer.bulk_copy = off;
COPY loads_own (id, owner_id, bio, region) FROM stdin;
4	\N	\N	b
\.
RESET autoxfer.bulk_copy;
COPY loads_forced (id, owner_id) FROM stdin;
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;

-- the role abroad loads nothing: the policies apply to it; a role without
-- INSERT gets the server's error
SET SESSION AUTHORIZATION x3_abroad;
SET client_min_messages = debug1;
COPY loads (id, owner_id) FROM stdin;
\.
SET autoxfer.bulk_copy = off;
COPY loads (id, owner_id) FROM stdin;
\.
RESET autoxfer.bulk_copy;
SET row_security = off;
COPY loads (id, owner_id) FROM stdin;
\.
RESET row_security;
COPY loads_p (id, owner_id) FROM stdin;
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION x3_other;
COPY loads (id, owner_id) FROM stdin;
\.
COPY loads_p_1 (id, owner_id) FROM stdin;
\.
RESET SESSION AUTHORIZATION;

-- every row is labelled as classify() says, whichever path took it
SELECT 'loads' AS t, count(*) AS rows, count(*) FILTER (WHERE xfer_label = classify(x)) AS labelled FROM loads x
UNION ALL SELECT 'loads_p', count(*), count(*) FILTER (WHERE xfer_label = classify(x)) FROM loads_p x
UNION ALL SELECT 'loads_trig', count(*), count(*) FILTER (WHERE xfer_label = classify(x)) FROM loads_trig x
UNION ALL SELECT 'loads_own', count(*), count(*) FILTER (WHERE xfer_label = classify(x)) FROM loads_own x;
SELECT id, owner_id, note, category(xfer_label) FROM loads ORDER BY id;
SELECT id, note, category(xfer_label) FROM loads_trig ORDER BY id;
SELECT tableoid::regclass, id, category(xfer_label) FROM loads_p ORDER BY id;
SELECT id, region, category(xfer_label) FROM loads_own ORDER BY id;
-- by hand: the role abroad reads the general rows (no individual of these
-- tables is counted for vendor-de); of loads_own nothing (no policy of the
-- owner's lets it read)
SET SESSION AUTHORIZATION x3_abroad;
SELECT (SELECT array_agg(id ORDER BY id) FROM loads) AS loads, (SELECT array_agg(id ORDER BY id) FROM loads_p) AS loads_p,
	   (SELECT array_agg(id ORDER BY id) FROM loads_trig) AS loads_trig, (SELECT count(*) FROM loads_own) AS loads_own;
RESET SESSION AUTHORIZATION;

-- a session in which the library is not loaded has no COPY path of
-- autoxfer's: its first COPY FROM gets PostgreSQL's refusal (register_recipient
-- warned).  Reading or writing a protected table loads it; so does
-- session_preload_libraries (or shared_preload_libraries, the
-- recommended set-up: docs/guide-dba.md)
\c - x3_writer
COPY public.loads (id, owner_id) FROM stdin;
\.
SELECT FROM public.loads LIMIT 0;
COPY public.loads (id, owner_id) FROM stdin;
10	\N
\.
\c - postgres
ALTER ROLE x3_writer SET session_preload_libraries = 'autoxfer';
\c - x3_writer
COPY public.loads (id, owner_id) FROM stdin;
11	\N
\.
\c - postgres
SET search_path = public, autoxfer;
\set VERBOSITY terse
SELECT id, category(xfer_label), xfer_label = classify(x) AS labelled FROM loads x WHERE id >= 10 ORDER BY id;

-- unregistered, the tables are as they were, and so is COPY
SELECT unregister_recipient('vendor-de');
SELECT relname, relrowsecurity, relforcerowsecurity,
	   (SELECT array_agg(polname ORDER BY polname) FROM pg_policy WHERE polrelid = c.oid) AS policies
FROM pg_class c WHERE relname ~ '^loads' AND relkind IN ('r', 'p') ORDER BY 1;
SET SESSION AUTHORIZATION x3_abroad;
SET client_min_messages = debug1;
COPY loads (id, owner_id) FROM stdin;
12	\N
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION x3_writer;
SET client_min_messages = debug1;
COPY loads_own (id, owner_id, region) FROM stdin;
\.
RESET client_min_messages;
RESET SESSION AUTHORIZATION;

-- leave a fresh extension and no roles to the next test
DROP EXTENSION autoxfer CASCADE;
CREATE EXTENSION autoxfer;
DROP TABLE loads, loads_p, loads_trig, loads_own, loads_forced;
DROP FUNCTION loads_note();
ALTER ROLE x3_writer RESET session_preload_libraries;
DROP OWNED BY x3_owner, x3_writer, x3_abroad, x3_other;
DROP ROLE x3_owner, x3_writer, x3_abroad, x3_other;
