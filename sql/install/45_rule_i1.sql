-- autoxfer install script, part 45: rule I1 (sensitive-area geography),
-- once both the rule catalogue (40, 41) and the area table with its
-- containment function (38) exist.

-- Whether what classification says of a table's rows depends on the
-- sensitive areas: it declares a location, or a rule bound to it calls the
-- area function.
CREATE FUNCTION autoxfer._located(rel regclass) RETURNS boolean
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT EXISTS (SELECT 1 FROM autoxfer.declaration AS d
				   WHERE d.rel OPERATOR(pg_catalog.=) _located.rel
					 AND d.kind OPERATOR(pg_catalog.=) ANY ('{latitude,longitude}'::pg_catalog.text[]))
		OR EXISTS (SELECT 1 FROM autoxfer.rule AS r
				   WHERE r.rel OPERATOR(pg_catalog.=) _located.rel
					 AND pg_catalog.strpos(pg_catalog.lower(r.predicate), 'in_sensitive_area') OPERATOR(pg_catalog.>) 0)
$$;
COMMENT ON FUNCTION autoxfer._located(regclass) IS
	'Internal: whether the labels of a protected table depend on the sensitive areas (it declares a latitude or longitude, or a rule bound to it calls in_sensitive_area)';

-- For a located table, the next instant after now at which a sensitive area
-- comes into or goes out of force: the generation that begins now expires
-- then (protected_table.stale_after).  NULL for other tables, or when no
-- boundary is ahead.
CREATE FUNCTION autoxfer._next_boundary(rel regclass) RETURNS timestamptz
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN autoxfer._located(_next_boundary.rel) THEN
		(SELECT pg_catalog.min(b.t) FROM autoxfer.sensitive_area AS a,
			 LATERAL (VALUES (a.valid_from), (a.valid_to)) AS b(t)
		 WHERE b.t OPERATOR(pg_catalog.>) pg_catalog.now())
	END
$$;
COMMENT ON FUNCTION autoxfer._next_boundary(regclass) IS
	'Internal: for a table whose labels depend on the sensitive areas, the next instant an area comes into or goes out of force (when its generation expires)';

-- For a located table, the last instant at or before now at which a
-- sensitive area came into or went out of force: the generation that begins
-- now describes rows classified from then on (protected_table.valid_since).
CREATE FUNCTION autoxfer._last_boundary(rel regclass) RETURNS timestamptz
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
	SELECT CASE WHEN autoxfer._located(_last_boundary.rel) THEN
		(SELECT pg_catalog.max(b.t) FROM autoxfer.sensitive_area AS a,
			 LATERAL (VALUES (a.valid_from), (a.valid_to)) AS b(t)
		 WHERE b.t OPERATOR(pg_catalog.<=) pg_catalog.now())
	END
$$;
COMMENT ON FUNCTION autoxfer._last_boundary(regclass) IS
	'Internal: for a table whose labels depend on the sensitive areas, the last instant an area came into or went out of force (a transaction that began before it may not label with the generation beginning now)';

INSERT INTO autoxfer.rule (id, code, scenarios, elements, predicate, category, clause, shipped) VALUES
	(1, 'I1', NULL, '{geographic_information}',
	 'autoxfer.in_sensitive_area(latitude, longitude)',
	 'important',
	 'I1: location, people flow or vehicle flow inside sensitive areas (military zones, defence industry sites, Party and government organs at county level and above) (2026 Guidelines, geographic information; 2021 Several Provisions Art. 3(2))',
	 true);

-- A change of the sensitive areas changes what I1 says of a row: the labels
-- of every protected table that declares a location become stale (their
-- generation advances, and their compiled state carries the new one, with
-- the next area boundary after it).
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
	SELECT pg_catalog.array_agg(p.rel) INTO located
	FROM autoxfer.protected_table p WHERE autoxfer._located(p.rel);
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
