-- autoxfer install script, part 57: roles abroad (rule X2).  Once a
-- recipient is registered with a database role, every protected table and
-- every partition of one gets row-level security: a RESTRICTIVE policy for
-- every role, autoxfer_abroad, through which a role abroad sees only the
-- rows it may receive (src/x2.c); every other role sees what it saw before.
-- Row-level security is forced on every such relation, so that views and
-- functions of its owner obey the policy too; where autoxfer enabled it, a
-- PERMISSIVE policy autoxfer_pass lets everything else through; where the
-- owner had enabled it without forcing it, a PERMISSIVE policy
-- autoxfer_owner for the owner keeps the owner reading every row, as
-- before.  docs/x2.md; the threat model in docs/security.md, "Roles abroad
-- (X2)".

-- The planner's support function of _x2_visible: it answers no request,
-- but calling it loads the library while a query that reads a table with
-- the policy is planned, so that the planner hooks of src/x2_plan.c (no
-- statistics, no index scans for roles abroad) are in place before that
-- query's relations are looked at, preloaded or not.
CREATE FUNCTION autoxfer._x2_visible_support(internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'ax_x2_visible_support' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._x2_visible_support(internal) IS
	'Internal: planner support function of autoxfer._x2_visible (loads autoxfer''s planner hooks for roles abroad)';
REVOKE ALL ON FUNCTION autoxfer._x2_visible_support(internal) FROM PUBLIC;

-- row_id is the row's ctid: with it, a sequential scan by a role abroad
-- reads the subjects of each page ahead (x2_ahead.c); the answer never
-- depends on it.
CREATE FUNCTION autoxfer._x2_visible(rel regclass, row_id tid, label autoxfer.label, subject text) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ax_x2_visible' LANGUAGE C STABLE PARALLEL SAFE
	SUPPORT autoxfer._x2_visible_support;
COMMENT ON FUNCTION autoxfer._x2_visible(regclass, tid, autoxfer.label, text) IS
	'Internal: the test of policy autoxfer_abroad: true for roles acting for no recipient abroad; for a role abroad, whether the row''s label is current, its verdict for the recipient and registered purpose allows it, and it adds no uncounted individual (row_id, the row''s ctid, only lets a scan read the subjects of a page ahead)';
GRANT EXECUTE ON FUNCTION autoxfer._x2_visible(regclass, tid, autoxfer.label, text) TO PUBLIC;

-- Registrations changed: every backend drops the plans it made for
-- identities that acted for nobody abroad (the support function above
-- simplifies the policy away for them).
CREATE FUNCTION autoxfer._x2_roles_changed() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ax_x2_roles_changed' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._x2_roles_changed() IS
	'Internal: statement trigger of autoxfer.recipient: a relcache invalidation of the table drops, in every backend, the plans made for identities acting for nobody abroad';
REVOKE ALL ON FUNCTION autoxfer._x2_roles_changed() FROM PUBLIC;
CREATE TRIGGER autoxfer_x2_roles AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON autoxfer.recipient
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._x2_roles_changed();
COMMENT ON TRIGGER autoxfer_x2_roles ON autoxfer.recipient IS
	'autoxfer: a change of the registrations drops the cached plans made for identities acting for nobody abroad';

CREATE FUNCTION autoxfer._x2_maintenance(set_to boolean DEFAULT NULL) RETURNS boolean
	AS 'MODULE_PATHNAME', 'ax_x2_maintenance' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION autoxfer._x2_maintenance(boolean) IS
	'Internal: whether autoxfer is changing the policies of roles abroad itself (so its DDL passes the guard); only the owner''s functions set it, for the current (sub)transaction';
REVOKE ALL ON FUNCTION autoxfer._x2_maintenance(boolean) FROM PUBLIC;

-- What autoxfer changed on each relation it put policies on, so that it
-- undoes only that, and the policy's expression, so that a change is seen.
CREATE TABLE autoxfer.x2_table (
	rel			regclass PRIMARY KEY,
	enabled_rls	boolean NOT NULL,
	forced_rls	boolean NOT NULL,
	policy_qual	text NOT NULL
);
COMMENT ON TABLE autoxfer.x2_table IS
	'Relations (protected tables and their partitions) that carry policy autoxfer_abroad, with whether autoxfer enabled their row-level security (and made policy autoxfer_pass) or only forced it (and made policy autoxfer_owner), and the policy''s expression as PostgreSQL shows it';
SELECT pg_catalog.pg_extension_config_dump('autoxfer.x2_table', '');
REVOKE ALL ON autoxfer.x2_table FROM PUBLIC;
GRANT SELECT ON autoxfer.x2_table TO autoxfer_admin, autoxfer_auditor;

-- Put the policies on one relation of a protected tree (root: the
-- protected table), unless it has them.  DDL only, no user code runs.
-- The policy names no relation (tableoid: the row's own partition), so
-- that renaming or moving the table changes nothing of it.
CREATE FUNCTION autoxfer._x2_apply_one(r regclass, root regclass) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	p autoxfer.protected_table;
	c pg_catalog.pg_class;
	qual text;
BEGIN
	IF EXISTS (SELECT 1 FROM autoxfer.x2_table x WHERE x.rel OPERATOR(pg_catalog.=) r) THEN
		RETURN;
	END IF;
	SELECT * INTO STRICT p FROM autoxfer.protected_table t WHERE t.rel OPERATOR(pg_catalog.=) root;
	SELECT * INTO STRICT c FROM pg_catalog.pg_class k WHERE k.oid OPERATOR(pg_catalog.=) r;
	qual := pg_catalog.format('autoxfer._x2_visible(tableoid, ctid, %I, (%s)::pg_catalog.text)',
							  p.label_column, coalesce(p.subject, 'NULL'));
	IF NOT c.relrowsecurity THEN
		EXECUTE pg_catalog.format('CREATE POLICY autoxfer_pass ON %s AS PERMISSIVE FOR ALL TO PUBLIC USING (true) WITH CHECK (true)', r);
		EXECUTE pg_catalog.format('COMMENT ON POLICY autoxfer_pass ON %s IS %L', r,
			'autoxfer: every row, as before row-level security was enabled for roles abroad (policy autoxfer_abroad limits them)');
		EXECUTE pg_catalog.format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', r);
	ELSIF NOT c.relforcerowsecurity THEN
		-- the owner's own row-level security, not forced: the owner, its
		-- views and its SECURITY DEFINER functions read past every policy,
		-- autoxfer_abroad too, unless it is forced; the owner keeps
		-- reading every row through a policy of its own
		EXECUTE pg_catalog.format('CREATE POLICY autoxfer_owner ON %s AS PERMISSIVE FOR ALL TO %s USING (true) WITH CHECK (true)',
								  r, c.relowner::pg_catalog.regrole);
		EXECUTE pg_catalog.format('COMMENT ON POLICY autoxfer_owner ON %s IS %L', r,
			'autoxfer: every row for the table''s owner, as before autoxfer forced row-level security for roles abroad (policy autoxfer_abroad limits them)');
	END IF;
	IF NOT c.relforcerowsecurity THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', r);
	END IF;
	EXECUTE pg_catalog.format('CREATE POLICY autoxfer_abroad ON %s AS RESTRICTIVE FOR ALL TO PUBLIC USING (%s)', r, qual);
	EXECUTE pg_catalog.format('COMMENT ON POLICY autoxfer_abroad ON %s IS %L', r,
		'autoxfer (rule X2): a role acting for a recipient abroad sees only rows it may receive; every other role passes');
	INSERT INTO autoxfer.x2_table (rel, enabled_rls, forced_rls, policy_qual)
	SELECT r, NOT c.relrowsecurity, NOT c.relforcerowsecurity,
		   pg_catalog.pg_get_expr(y.polqual, y.polrelid)
	FROM pg_catalog.pg_policy y
	WHERE y.polrelid OPERATOR(pg_catalog.=) r AND y.polname OPERATOR(pg_catalog.=) 'autoxfer_abroad';
END
$fn$;
COMMENT ON FUNCTION autoxfer._x2_apply_one(regclass, regclass) IS
	'Internal: put policy autoxfer_abroad (and, where row-level security was off, autoxfer_pass; where it was not forced, autoxfer_owner) on one relation of a protected tree, and force row-level security';

-- Take the policies off one relation, undoing what _x2_apply_one did.
CREATE FUNCTION autoxfer._x2_remove_one(r regclass) RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	x autoxfer.x2_table;
BEGIN
	SELECT * INTO x FROM autoxfer.x2_table t WHERE t.rel OPERATOR(pg_catalog.=) r;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	DELETE FROM autoxfer.x2_table t WHERE t.rel OPERATOR(pg_catalog.=) r;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class k WHERE k.oid OPERATOR(pg_catalog.=) r) THEN
		RETURN;
	END IF;
	EXECUTE pg_catalog.format('DROP POLICY IF EXISTS autoxfer_abroad ON %s', r);
	IF x.enabled_rls THEN
		EXECUTE pg_catalog.format('DROP POLICY IF EXISTS autoxfer_pass ON %s', r);
		EXECUTE pg_catalog.format('ALTER TABLE %s DISABLE ROW LEVEL SECURITY', r);
	ELSIF x.forced_rls THEN
		EXECUTE pg_catalog.format('DROP POLICY IF EXISTS autoxfer_owner ON %s', r);
	END IF;
	IF x.forced_rls THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY', r);
	END IF;
END
$fn$;
COMMENT ON FUNCTION autoxfer._x2_remove_one(regclass) IS
	'Internal: take autoxfer''s policies off one relation and restore its row-level security settings';

-- Make the policies match the registrations: on every relation of every
-- protected tree while some recipient has a role, on none otherwise.  A
-- protected table that is not partitioned has no partition tree
-- (pg_partition_tree returns no row for it): the table itself is added.
CREATE FUNCTION autoxfer._x2_sync() RETURNS void
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	t record;
	abroad boolean := EXISTS (SELECT 1 FROM autoxfer.recipient r WHERE r.role IS NOT NULL);
	was boolean := autoxfer._x2_maintenance(true);
BEGIN
	-- relations no longer protected (or no role abroad left)
	FOR t IN SELECT x.rel FROM autoxfer.x2_table x
			 WHERE NOT abroad OR NOT EXISTS (
				 SELECT 1 FROM autoxfer.protected_table p
				 WHERE x.rel OPERATOR(pg_catalog.=) p.rel
					OR x.rel OPERATOR(pg_catalog.=) ANY (SELECT m.relid FROM pg_catalog.pg_partition_tree(p.rel) m))
			 ORDER BY x.rel::pg_catalog.oid
	LOOP
		PERFORM autoxfer._x2_remove_one(t.rel);
	END LOOP;
	IF NOT abroad THEN
		PERFORM autoxfer._x2_maintenance(was);
		RETURN;
	END IF;
	FOR t IN SELECT m.relid AS r, p.rel AS root
			 FROM autoxfer.protected_table p
			 -- pg_partition_tree has no row for a table outside any partition tree
			 CROSS JOIN LATERAL (SELECT p.rel AS relid, 0 AS level
								 UNION SELECT d.relid, d.level FROM pg_catalog.pg_partition_tree(p.rel) d) m
			 JOIN pg_catalog.pg_class k ON k.oid OPERATOR(pg_catalog.=) m.relid
			 WHERE k.relkind IN ('r', 'p')
			   AND NOT EXISTS (SELECT 1 FROM autoxfer.x2_table x WHERE x.rel OPERATOR(pg_catalog.=) m.relid)
			 ORDER BY m.level, m.relid::pg_catalog.oid
	LOOP
		PERFORM autoxfer._x2_apply_one(t.r, t.root);
	END LOOP;
	PERFORM autoxfer._x2_maintenance(was);
END
$fn$;
COMMENT ON FUNCTION autoxfer._x2_sync() IS
	'Internal: put autoxfer''s row-level security on every relation of every protected tree while a recipient has a role, and take it off otherwise';

-- The policies, once there, stay as autoxfer made them: refuse DDL that
-- drops or changes them or turns row-level security off or unforces it,
-- while they are in force; keep autoxfer_owner for the table's owner when
-- the table changes hands; and put the policies on new partitions of
-- protected tables.
CREATE FUNCTION autoxfer._x2_guard() RETURNS event_trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	bad record;
	t record;
	was boolean;
BEGIN
	-- a superuser's restore brings the policies back after autoxfer.x2_table
	-- (post-data), in the order pg_dump wrote them: the state it restores is
	-- the one dumped
	IF autoxfer._x2_maintenance() OR autoxfer._restoring() OR NOT EXISTS (SELECT 1 FROM autoxfer.x2_table) THEN
		RETURN;
	END IF;
	SELECT x.rel, CASE
			WHEN NOT k.relrowsecurity THEN 'row-level security was disabled'
			WHEN NOT k.relforcerowsecurity THEN 'row-level security is no longer forced'
			WHEN y.oid IS NULL THEN 'policy autoxfer_abroad was dropped'
			WHEN y.polpermissive OR y.polcmd OPERATOR(pg_catalog.<>) '*'
				 OR y.polroles OPERATOR(pg_catalog.<>) '{0}'::pg_catalog.oid[]
				 OR pg_catalog.pg_get_expr(y.polqual, y.polrelid) IS DISTINCT FROM x.policy_qual
				 OR y.polwithcheck IS NOT NULL
				THEN 'policy autoxfer_abroad was changed'
			WHEN x.enabled_rls AND pass.oid IS NULL THEN 'policy autoxfer_pass was dropped'
			WHEN x.enabled_rls AND (NOT pass.polpermissive OR pass.polcmd OPERATOR(pg_catalog.<>) '*'
				 OR pass.polroles OPERATOR(pg_catalog.<>) '{0}'::pg_catalog.oid[]
				 OR pg_catalog.pg_get_expr(pass.polqual, pass.polrelid) IS DISTINCT FROM 'true'
				 OR pg_catalog.pg_get_expr(pass.polwithcheck, pass.polrelid) IS DISTINCT FROM 'true')
				THEN 'policy autoxfer_pass was changed'
			WHEN x.forced_rls AND NOT x.enabled_rls AND own.oid IS NULL THEN 'policy autoxfer_owner was dropped'
			WHEN x.forced_rls AND NOT x.enabled_rls AND (NOT own.polpermissive OR own.polcmd OPERATOR(pg_catalog.<>) '*'
				 OR pg_catalog.pg_get_expr(own.polqual, own.polrelid) IS DISTINCT FROM 'true'
				 OR pg_catalog.pg_get_expr(own.polwithcheck, own.polrelid) IS DISTINCT FROM 'true'
				 OR (own.polroles OPERATOR(pg_catalog.<>) ARRAY[k.relowner]
					 AND EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_ddl_commands() d
								 WHERE d.command_tag OPERATOR(pg_catalog.=) 'ALTER POLICY')))
				THEN 'policy autoxfer_owner was changed'
		END AS what
	INTO bad
	FROM autoxfer.x2_table x
	JOIN pg_catalog.pg_class k ON k.oid OPERATOR(pg_catalog.=) x.rel
	LEFT JOIN pg_catalog.pg_policy y ON y.polrelid OPERATOR(pg_catalog.=) x.rel
		AND y.polname OPERATOR(pg_catalog.=) 'autoxfer_abroad'
	LEFT JOIN pg_catalog.pg_policy pass ON pass.polrelid OPERATOR(pg_catalog.=) x.rel
		AND pass.polname OPERATOR(pg_catalog.=) 'autoxfer_pass'
	LEFT JOIN pg_catalog.pg_policy own ON own.polrelid OPERATOR(pg_catalog.=) x.rel
		AND own.polname OPERATOR(pg_catalog.=) 'autoxfer_owner'
	ORDER BY 2 NULLS LAST
	LIMIT 1;
	IF bad.what IS NOT NULL THEN
		RAISE EXCEPTION 'cannot change the row-level security of %: %', bad.rel, bad.what
			USING ERRCODE = 'insufficient_privilege',
				  DETAIL = 'autoxfer limits roles abroad (rule X2) with policy autoxfer_abroad while a recipient is registered with a role.',
				  HINT = 'Unregister the recipients with roles (autoxfer.unregister_recipient) or unprotect the table (autoxfer.unprotect), as autoxfer_admin.';
	END IF;
	was := autoxfer._x2_maintenance(true);
	-- a new owner reads every row as the old one did (ALTER TABLE ... OWNER)
	FOR t IN SELECT x.rel, k.relowner FROM autoxfer.x2_table x
			 JOIN pg_catalog.pg_class k ON k.oid OPERATOR(pg_catalog.=) x.rel
			 JOIN pg_catalog.pg_policy own ON own.polrelid OPERATOR(pg_catalog.=) x.rel
				AND own.polname OPERATOR(pg_catalog.=) 'autoxfer_owner'
			 WHERE x.forced_rls AND NOT x.enabled_rls
			   AND own.polroles OPERATOR(pg_catalog.<>) ARRAY[k.relowner]
	LOOP
		EXECUTE pg_catalog.format('ALTER POLICY autoxfer_owner ON %s TO %s', t.rel, t.relowner::pg_catalog.regrole);
	END LOOP;
	PERFORM autoxfer._x2_maintenance(was);
	-- forget dropped relations; cover new partitions
	DELETE FROM autoxfer.x2_table x
	WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class k WHERE k.oid OPERATOR(pg_catalog.=) x.rel);
	PERFORM autoxfer._x2_sync();
END
$fn$;
COMMENT ON FUNCTION autoxfer._x2_guard() IS
	'Internal: event trigger: refuse DDL that drops or changes autoxfer''s row-level security while roles abroad exist; keep autoxfer_owner for a new owner; put the policies on new partitions of protected tables';

CREATE EVENT TRIGGER autoxfer_x2_guard ON ddl_command_end
	WHEN TAG IN ('ALTER TABLE', 'CREATE TABLE', 'CREATE TABLE AS', 'ALTER POLICY', 'DROP POLICY', 'CREATE POLICY')
	EXECUTE FUNCTION autoxfer._x2_guard();
COMMENT ON EVENT TRIGGER autoxfer_x2_guard IS
	'autoxfer: keep the row-level security of roles abroad on every protected table and partition';

REVOKE ALL ON FUNCTION autoxfer._x2_apply_one(regclass, regclass), autoxfer._x2_remove_one(regclass),
	autoxfer._x2_sync() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer._x2_sync() TO autoxfer_admin;
