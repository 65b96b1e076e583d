-- autoxfer.export returns rows of the table's type whatever the table's
-- shape: a column named t (the selection's alias: it must not stand for
-- the row), a dropped column, values stored in TOAST (returned whole), a
-- label column added after the data (a default the rows do not store).
-- Everything here (the recipient too) is rolled back: nothing reaches the
-- ledger or the log.
SET search_path = autoxfer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

CREATE TABLE public.shapes (a int, gone text, t text, big text);
ALTER TABLE public.shapes DROP COLUMN gone;
INSERT INTO public.shapes VALUES (1, 'tee', repeat('x', 300000)), (2, NULL, 'small');
ALTER TABLE public.shapes ALTER COLUMN big SET STORAGE external;
INSERT INTO public.shapes VALUES (3, 'tea', repeat('y', 50000));
-- no subject: every row is general data, which may go to anyone
SELECT protect('public.shapes', 'connected_operation');
SELECT a, category(xfer_label) FROM public.shapes ORDER BY a;

BEGIN;
SELECT register_recipient('shapes-de', 'DE');
CREATE TEMP TABLE out AS SELECT * FROM export(NULL::public.shapes, 'shapes-de', 'recall');
-- the same rows, column for column, as the table holds them
SELECT o.a, o.t, length(o.big) AS big, o.big = s.big AS same_big, o.xfer_label = s.xfer_label AS same_label
FROM out o JOIN public.shapes s USING (a) ORDER BY o.a;
SELECT (SELECT count(*) FROM out) AS exported, (SELECT count(*) FROM public.shapes) AS in_table;
-- a filter on the column named t
SELECT a, t FROM export(NULL::public.shapes, 'shapes-de', 'recall', $$t LIKE 'te%'$$) ORDER BY a;
ROLLBACK;
SELECT count(*) AS log_rows FROM transfer_log WHERE tbl = 'public.shapes';

SELECT unprotect('public.shapes');
DROP TABLE public.shapes;
