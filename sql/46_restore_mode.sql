-- check_function_bodies = off is how autoxfer recognises a dump being
-- restored.  Set by hand, it must not open a way around enforcement: a
-- non-empty table still gets its trigger, shipped rules cannot be deleted
-- and the built-in data-kind rules cannot be disabled.
SET client_min_messages = warning;
SET search_path = autoxfer, public;
\set VERBOSITY terse
CREATE TABLE restore_mode (id int, owner_id text, xfer_label autoxfer.label);
INSERT INTO restore_mode VALUES (1, 'U1', 'general/exportable'), (2, NULL, 'general/exportable');
SET check_function_bodies = off;
SELECT protect('restore_mode', 'connected_operation', 'owner_id');
SELECT count(*) AS triggers FROM pg_trigger
WHERE tgrelid = 'restore_mode'::regclass AND tgname = 'zz_autoxfer_enforce';
-- the existing rows were labelled, not left with the forged labels
SELECT id, category(xfer_label), mark(xfer_label) FROM restore_mode ORDER BY id;
-- a forged label on a new row is overwritten
INSERT INTO restore_mode VALUES (3, 'U3', 'general/exportable');
SELECT id, category(xfer_label) FROM restore_mode WHERE id = 3;
-- guards hold in restore mode too
DELETE FROM rule WHERE code = 'I5';
UPDATE rule SET enabled = false WHERE code = 'C2';
SELECT code, enabled FROM rule WHERE code IN ('C2', 'I5') ORDER BY code;
RESET check_function_bodies;
SELECT unprotect('restore_mode');
DROP TABLE restore_mode;
