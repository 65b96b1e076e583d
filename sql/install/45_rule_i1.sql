-- autoxfer install script, part 45: rule I1 (sensitive-area geography),
-- once both the rule catalogue (40, 41) and the area table with its
-- containment function (38) exist.

INSERT INTO autoxfer.rule (id, code, scenarios, elements, predicate, category, clause, shipped) VALUES
	(1, 'I1', NULL, '{geographic_information}',
	 'autoxfer.in_sensitive_area(latitude, longitude)',
	 'important',
	 'I1: location, people flow or vehicle flow inside sensitive areas (military zones, defence industry sites, Party and government organs at county level and above) (2026 Guidelines, geographic information; 2021 Several Provisions Art. 3(2))',
	 true);

-- A change of the sensitive areas changes what I1 says of a row: the labels
-- of every protected table that declares a location become stale (their
-- generation advances, and their compiled state carries the new one).
CREATE FUNCTION autoxfer._areas_changed() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	located regclass[];
	r regclass;
BEGIN
	IF autoxfer._restoring() THEN
		RETURN NULL;
	END IF;
	SELECT pg_catalog.array_agg(DISTINCT p.rel) INTO located
	FROM autoxfer.protected_table p JOIN autoxfer.declaration d ON d.rel = p.rel
	WHERE d.kind IN ('latitude', 'longitude');
	IF located IS NULL THEN
		RETURN NULL;
	END IF;
	PERFORM autoxfer._bump(located);
	FOREACH r IN ARRAY located LOOP
		PERFORM autoxfer._invalidate(r);
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION autoxfer._areas_changed() IS
	'Internal: statement trigger of autoxfer.sensitive_area: makes the labels of protected tables that declare a location stale';
CREATE TRIGGER areas_changed_generation
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON autoxfer.sensitive_area
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._areas_changed();
GRANT EXECUTE ON FUNCTION autoxfer._bump(regclass[]) TO autoxfer_admin;
