-- autoxfer install script, part 42: what keeps a protected table protected
-- (docs/security.md, "DDL guards" and "Generations and stale labels").
--
-- The row guard of autoxfer.protected_table lets only autoxfer's own
-- functions write it (src/generation.c); the DDL guard keeps the enforcing
-- trigger and the label column of every protected table and partition as
-- protect() made them, and relabels rows that arrive without the trigger
-- (src/guard.c).

-- The row guard ---------------------------------------------------------------

CREATE FUNCTION autoxfer._protected_table_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ax_protected_table_guard' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._protected_table_guard() IS
	'Internal: row and TRUNCATE guard of autoxfer.protected_table: only autoxfer''s own functions (protect, unprotect, the generation''s advance and reset) and a superuser''s restore write it; a generation advances by one and never past 1048575';

-- named to fire before catalog_row (the restore merge)
CREATE TRIGGER catalog_guard BEFORE INSERT OR UPDATE OR DELETE ON autoxfer.protected_table
	FOR EACH ROW EXECUTE FUNCTION autoxfer._protected_table_guard();
CREATE TRIGGER catalog_guard_truncate BEFORE TRUNCATE ON autoxfer.protected_table
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._protected_table_guard();

-- Generations -------------------------------------------------------------------

-- The generation a label of a table (or of a partition of one) must carry
-- to be current, or NULL when none is: the table is not protected, or its
-- generation has expired (a sensitive area came into or went out of force
-- since it began, and no writer has renewed it yet), or the current
-- transaction began before the last such change the generation accounts for.
-- What the verdict and the export code compare a label's generation with.
CREATE FUNCTION autoxfer.generation_current(rel regclass) RETURNS integer
	LANGUAGE sql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN (p.stale_after IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.<) p.stale_after)
				 AND (p.valid_since IS NULL OR pg_catalog.now() OPERATOR(pg_catalog.>=) p.valid_since)
				THEN p.generation END
	FROM autoxfer.protected_table AS p
	WHERE p.rel OPERATOR(pg_catalog.=) generation_current.rel
	   OR p.rel OPERATOR(pg_catalog.=) ANY (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(generation_current.rel) AS a)
	LIMIT 1
$$;
COMMENT ON FUNCTION autoxfer.generation_current(regclass) IS
	'The generation a current label of a protected table (or of a partition of one) carries now; NULL when the table is not protected or its generation has expired at an area boundary (every label of it is then stale)';

-- The recovery when a table's generation reaches 1048575: back to 1, every
-- row whose label is not the one classification gives relabelled, in one
-- transaction, under a lock that keeps writers out.
CREATE FUNCTION autoxfer.reset_generation(rel regclass) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ax_reset_generation' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer.reset_generation(regclass) IS
	'Start a protected table''s generations again at 1 (when they reached 1048575): relabels every row whose label is not the one classification gives, in the caller''s transaction, with writers locked out; returns the rows relabelled';

REVOKE EXECUTE ON FUNCTION autoxfer.reset_generation(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.reset_generation(regclass) TO autoxfer_admin;

-- The DDL guard -------------------------------------------------------------------

CREATE FUNCTION autoxfer._ddl_guard() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'ax_ddl_guard' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._ddl_guard() IS
	'Internal: event trigger: refuse DDL that changes, disables or outflanks the enforcing trigger or the label column of a protected table or partition; relabel rows brought in by ATTACH PARTITION or rewritten by ALTER COLUMN TYPE';

CREATE FUNCTION autoxfer._ddl_guard_drop() RETURNS event_trigger
	AS 'MODULE_PATHNAME', 'ax_ddl_guard_drop' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._ddl_guard_drop() IS
	'Internal: event trigger: refuse dropping the enforcing trigger of a protected table or partition (unless the table or autoxfer goes with it)';

CREATE EVENT TRIGGER autoxfer_ddl_guard ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE TRIGGER', 'ALTER TRIGGER',
				 'CREATE FOREIGN TABLE', 'ALTER FOREIGN TABLE')
	EXECUTE FUNCTION autoxfer._ddl_guard();
COMMENT ON EVENT TRIGGER autoxfer_ddl_guard IS
	'autoxfer: keep the enforcing trigger and the label column of protected tables as autoxfer.protect() made them; relabel rows that arrive without the trigger';
CREATE EVENT TRIGGER autoxfer_ddl_guard_drop ON sql_drop
	EXECUTE FUNCTION autoxfer._ddl_guard_drop();
COMMENT ON EVENT TRIGGER autoxfer_ddl_guard_drop IS
	'autoxfer: refuse dropping the enforcing trigger of a protected table';
-- they hold in sessions with session_replication_role = replica too
ALTER EVENT TRIGGER autoxfer_ddl_guard ENABLE ALWAYS;
ALTER EVENT TRIGGER autoxfer_ddl_guard_drop ENABLE ALWAYS;
