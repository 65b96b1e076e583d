-- Roles abroad (rule X2) on a protected table that is not partitioned: the
-- policies go on the table itself (pg_partition_tree lists no row for a
-- plain table, so the table must be added to what _x2_sync walks), and the
-- role abroad sees only the rows it may receive.  A general row may go;
-- an important one (faces in exterior imagery, rule I5) needs a security
-- assessment, and the recipient has none: hidden.  Everything is undone at
-- the end (the recipient has no filing, so it can be unregistered).
SET search_path = autoxfer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TABLE public.x2_frames (id int, has_face boolean);
SELECT declare_column('x2_frames', 'has_face', 'faces_visible');
SELECT protect('x2_frames', 'connected_operation');
INSERT INTO x2_frames VALUES (1, false), (2, true);
SELECT id, category(xfer_label) FROM x2_frames ORDER BY id;

CREATE ROLE ax_x2_reader;
GRANT SELECT ON x2_frames TO ax_x2_reader;
SELECT register_recipient('x2-vendor', 'DE', 'ax_x2_reader', 'recall');

-- the table itself carries the policies, forced
SELECT x.rel, x.enabled_rls, x.forced_rls FROM x2_table x WHERE x.rel = 'x2_frames'::regclass;
SELECT c.relrowsecurity, c.relforcerowsecurity FROM pg_class c WHERE c.oid = 'x2_frames'::regclass;
SELECT polname, polpermissive FROM pg_policy WHERE polrelid = 'x2_frames'::regclass ORDER BY polname;

-- the role abroad sees the general row only; the owner sees both
SET ROLE ax_x2_reader;
SELECT id FROM x2_frames ORDER BY id;
SELECT count(*) FROM x2_frames;
RESET ROLE;
SELECT id FROM x2_frames ORDER BY id;

-- a table protected while the role is registered gets them too
CREATE TABLE public.x2_later (id int, has_face boolean);
SELECT declare_column('x2_later', 'has_face', 'faces_visible');
SELECT protect('x2_later', 'connected_operation');
INSERT INTO x2_later VALUES (1, false), (2, true);
GRANT SELECT ON x2_later TO ax_x2_reader;
SELECT x.rel FROM x2_table x WHERE x.rel = 'x2_later'::regclass;
SET ROLE ax_x2_reader;
SELECT id FROM x2_later ORDER BY id;
RESET ROLE;

-- unregistering takes the policies off again
SELECT unregister_recipient('x2-vendor');
SELECT count(*) FROM x2_table x WHERE x.rel IN ('x2_frames'::regclass, 'x2_later'::regclass);
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c
WHERE c.oid IN ('x2_frames'::regclass, 'x2_later'::regclass) ORDER BY 1;
SELECT count(*) FROM pg_policy WHERE polrelid IN ('x2_frames'::regclass, 'x2_later'::regclass);

SELECT unprotect('x2_frames'), unprotect('x2_later');
DROP TABLE x2_frames, x2_later;
DROP ROLE ax_x2_reader;
