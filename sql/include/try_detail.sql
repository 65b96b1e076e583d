-- pg_temp.try(statement): runs it and says 'no error', or its SQLSTATE, message, detail and hint
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	msg text;
	detail text;
	hint text;
BEGIN
	EXECUTE statement;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
		hint = PG_EXCEPTION_HINT;
	RETURN state || ': ' || msg || coalesce(E'\nDETAIL: ' || nullif(detail, ''), '')
		|| coalesce(E'\nHINT: ' || nullif(hint, ''), '');
END $$;
