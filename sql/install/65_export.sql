-- autoxfer install script, part 65: the audited export path (src/export.c,
-- docs/export.md).

CREATE FUNCTION autoxfer.export(rel anyelement, recipient text, purpose text,
								filter text DEFAULT NULL, on_excess text DEFAULT 'error')
	RETURNS SETOF anyelement
	AS 'MODULE_PATHNAME', 'ax_export' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION autoxfer.export(anyelement, text, text, text, text) IS
	'Export the rows of a protected table (rel: NULL cast to its row type) that may go to the recipient for the purpose, selected by filter (a WHERE condition, run with the caller''s rights); adds their individuals to this year''s ledger on every tally and writes one transfer-log row, in the caller''s transaction; a batch that would cross a threshold with no filing in force is refused (on_excess ''error'') or trimmed (''trim'')';
REVOKE ALL ON FUNCTION autoxfer.export(anyelement, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.export(anyelement, text, text, text, text) TO autoxfer_exporter, autoxfer_admin;
