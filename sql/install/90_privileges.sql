-- autoxfer install script, part 90: EXECUTE on the functions that PUBLIC
-- need not call (issue 8, finding 6).  Every role with USAGE on schema
-- autoxfer (an exporter, an auditor) could otherwise probe the revoked
-- sensitive-area table through in_sensitive_area, lock any relation or
-- flood invalidations through the internal functions.  Regress test
-- 50_attack_owner lists what PUBLIC may still execute.
--
-- Who calls what:
--  - rule predicates call in_sensitive_area: the compiled expressions are
--    initialised as the extension's owner (src/rules.c), so a writer needs
--    no EXECUTE on it;
--  - the catalogue's triggers (_catalog_changed, _areas_changed) run as
--    whoever writes the catalogue, autoxfer_admin, and call _check_rules,
--    _check_table and _invalidate; protect() and declare_column() call
--    _check_relation;
--  - the SECURITY DEFINER event triggers run as the owner, the only one
--    who calls _check_predicates.

REVOKE EXECUTE ON FUNCTION
	autoxfer.in_sensitive_area(double precision, double precision),
	autoxfer.in_sensitive_area(double precision, double precision, timestamptz),
	autoxfer.sensitive_areas_at(double precision, double precision, timestamptz),
	autoxfer.sensitive_area_cache(),
	autoxfer.rule_status(regclass),
	autoxfer._check_table(regclass),
	autoxfer._check_rules(),
	autoxfer._invalidate(regclass),
	autoxfer._check_relation(regclass, text),
	autoxfer._check_predicates(text)
FROM PUBLIC;

GRANT EXECUTE ON FUNCTION
	autoxfer.in_sensitive_area(double precision, double precision),
	autoxfer.in_sensitive_area(double precision, double precision, timestamptz),
	autoxfer.sensitive_areas_at(double precision, double precision, timestamptz),
	autoxfer.sensitive_area_cache(),
	autoxfer.rule_status(regclass),
	autoxfer._check_table(regclass),
	autoxfer._check_rules(),
	autoxfer._invalidate(regclass),
	autoxfer._check_relation(regclass, text)
TO autoxfer_admin;

-- read-only questions an auditor may ask
GRANT EXECUTE ON FUNCTION
	autoxfer.in_sensitive_area(double precision, double precision),
	autoxfer.in_sensitive_area(double precision, double precision, timestamptz),
	autoxfer.sensitive_areas_at(double precision, double precision, timestamptz),
	autoxfer.sensitive_area_cache(),
	autoxfer.rule_status(regclass)
TO autoxfer_auditor;

-- the boundaries of the sensitive areas' validity tell when some area
-- changes: read by autoxfer's own code as the owner, not by PUBLIC
REVOKE EXECUTE ON FUNCTION autoxfer._located(regclass), autoxfer._next_boundary(regclass),
	autoxfer._last_boundary(regclass) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer._located(regclass), autoxfer._next_boundary(regclass),
	autoxfer._last_boundary(regclass) TO autoxfer_admin;
