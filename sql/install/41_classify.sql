-- autoxfer install script, part 41: classification functions, the
-- enforcing trigger, and keeping the catalogue consistent.

-- C functions --------------------------------------------------------------

CREATE FUNCTION autoxfer.enforce() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ax_enforce' LANGUAGE C;
COMMENT ON FUNCTION autoxfer.enforce() IS
	'BEFORE INSERT OR UPDATE row trigger of protected tables: writes the label of every row (INSERT, UPDATE, COPY), replacing any value the row carries';

CREATE FUNCTION autoxfer.classify(record) RETURNS autoxfer.label
	AS 'MODULE_PATHNAME', 'ax_classify' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION autoxfer.classify(record) IS
	'Label of a row of a protected table under the current declarations and rules, as the trigger would write it: SELECT autoxfer.classify(t) FROM t';

CREATE FUNCTION autoxfer.explain(record)
	RETURNS TABLE (source text, rule_id integer, rule text, category autoxfer.category,
				   elements autoxfer.element[], exemption autoxfer.exemption,
				   column_name text, clause text)
	AS 'MODULE_PATHNAME', 'ax_explain' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 4;
COMMENT ON FUNCTION autoxfer.explain(record) IS
	'Every declaration and rule that contributed to the label of a row of a protected table, with its category, elements, exemption and clause';

CREATE FUNCTION autoxfer.rule_status(rel regclass)
	RETURNS TABLE (rule_id integer, rule text, active boolean, reason text)
	AS 'MODULE_PATHNAME', 'ax_rule_status' LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION autoxfer.rule_status(regclass) IS
	'Each rule of the catalogue that concerns a protected table: active or not, and why (disabled, scenario, attributes not declared)';

CREATE FUNCTION autoxfer._check_table(rel regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'ax_check_table' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._check_table(regclass) IS
	'Internal: compile a protected table''s subject, declarations and rules as they stand, erroring on anything that would break classification';

CREATE FUNCTION autoxfer._check_rules() RETURNS void
	AS 'MODULE_PATHNAME', 'ax_check_rules' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._check_rules() IS
	'Internal: compile every rule predicate on its own (parse, names, boolean result, no volatile functions)';

CREATE FUNCTION autoxfer._invalidate(rel regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'ax_invalidate' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._invalidate(regclass) IS
	'Internal: make every backend recompile the classification state of a table and its partitions';

-- Restore detection ---------------------------------------------------------

-- pg_dump scripts run with check_function_bodies = off; like CREATE
-- FUNCTION, autoxfer then defers validation: catalogue rows restored from a
-- dump are merged with those the extension or a SECURITY LABEL already
-- created, no generation is bumped, the DDL guard lets the dump rebuild the
-- trigger, and protect() leaves the trigger and the labels to the dump.
-- Only in a session whose session user is a superuser (restores are run by
-- one: CREATE EXTENSION autoxfer needs one); for anyone else the setting
-- changes nothing.
CREATE FUNCTION autoxfer._restoring() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ax_restoring_sql' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._restoring() IS
	'Internal: true while a superuser restores a dump (check_function_bodies = off in a session of a superuser), when validation, generation bumps and the DDL guard are deferred';

-- A restore creates a protected table empty (pre-data), then loads its rows
-- and creates its trigger.  protect() takes the restore path only for an
-- empty table, so that check_function_bodies = off set by hand on a live
-- table can never register it without attaching the trigger.
CREATE FUNCTION autoxfer._restoring_into(rel regclass) RETURNS boolean
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	has_rows boolean;
BEGIN
	IF NOT autoxfer._restoring() THEN
		RETURN false;
	END IF;
	EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s)', rel) INTO has_rows;
	RETURN NOT has_rows;
END
$$;
COMMENT ON FUNCTION autoxfer._restoring_into(regclass) IS
	'Internal: true while a dump is being restored into this table (check_function_bodies = off and the table still empty)';

-- Catalogue maintenance -----------------------------------------------------

-- autoxfer.protected_table is written only by these C functions, each with
-- one fixed statement during which its row guard (part 42) lets that
-- statement through; no setting can make it let anything else through
-- (src/generation.c).

-- Advance the generation of some protected tables (all when rels is NULL)
-- by one; at 1048575 (the label's 20 bits) fail rather than wrap.
CREATE FUNCTION autoxfer._bump(rels regclass[]) RETURNS void
	AS 'MODULE_PATHNAME', 'ax_bump' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._bump(regclass[]) IS
	'Internal: advance the rule-set generation of protected tables (NULL: all) by one and record their next area boundary; fails at 1048575 (see autoxfer.reset_generation)';

CREATE FUNCTION autoxfer._bumping() RETURNS boolean
	AS 'MODULE_PATHNAME', 'ax_bumping_sql' LANGUAGE C STABLE;
COMMENT ON FUNCTION autoxfer._bumping() IS
	'Internal: true while autoxfer''s own code advances or resets a generation (a backend-local state, not a setting)';

CREATE FUNCTION autoxfer._renew_generation(rel regclass) RETURNS integer
	AS 'MODULE_PATHNAME', 'ax_renew_generation' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._renew_generation(regclass) IS
	'Internal: advance the generation of a protected table whose generation has expired (a sensitive area came into or out of force since it began); returns the current generation';

CREATE FUNCTION autoxfer._register(rel regclass, scenario autoxfer.scenario, subject text, label_column name)
	RETURNS void AS 'MODULE_PATHNAME', 'ax_register' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._register(regclass, autoxfer.scenario, text, name) IS
	'Internal: register a table whose trigger and label column are in place (checked), at a generation above every label it holds';

CREATE FUNCTION autoxfer._unregister(rel regclass) RETURNS void
	AS 'MODULE_PATHNAME', 'ax_unregister' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._unregister(regclass) IS
	'Internal: unregister a protected table and drop its trigger and label column, in one go';

-- Statement trigger of the catalogue tables: validate the catalogue as it
-- now stands, bump the generation of the affected tables and invalidate
-- their compiled state in every backend.
CREATE FUNCTION autoxfer._catalog_changed() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	affected regclass[];
	changed text[];
	r regclass;
BEGIN
	IF autoxfer._bumping() THEN
		RETURN NULL;
	END IF;
	-- a parameter no rule predicate names (those of the verdicts and the
	-- log: thresholds, periods) changes no label: no check, no bump (the
	-- verdicts' caches follow their own trigger)
	IF TG_TABLE_NAME OPERATOR(pg_catalog.=) 'parameter' AND TG_OP OPERATOR(pg_catalog.<>) 'TRUNCATE' THEN
		IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
			SELECT pg_catalog.array_agg(n.name) INTO changed FROM new_rows n;
		ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
			SELECT pg_catalog.array_agg(o.name) INTO changed FROM old_rows o;
		ELSE
			SELECT pg_catalog.array_agg(n.name) INTO changed FROM new_rows n
			WHERE NOT EXISTS (SELECT 1 FROM old_rows o WHERE o.name OPERATOR(pg_catalog.=) n.name
							  AND o.value OPERATOR(pg_catalog.=) n.value);
		END IF;
		IF NOT EXISTS (SELECT 1 FROM autoxfer.rule r, pg_catalog.unnest(changed) c(name)
					   WHERE r.predicate ~* ('\mparam\s*\.\s*' OPERATOR(pg_catalog.||) c.name OPERATOR(pg_catalog.||) '\M')) THEN
			RETURN NULL;
		END IF;
	END IF;
	IF TG_TABLE_NAME IN ('declaration', 'protected_table') AND TG_OP <> 'TRUNCATE' THEN
		IF TG_OP = 'INSERT' THEN
			SELECT pg_catalog.array_agg(DISTINCT n.rel) INTO affected FROM new_rows n;
		ELSIF TG_OP = 'DELETE' THEN
			SELECT pg_catalog.array_agg(DISTINCT o.rel) INTO affected FROM old_rows o;
		ELSE
			SELECT pg_catalog.array_agg(DISTINCT x.rel) INTO affected
			FROM (SELECT n.rel FROM new_rows n UNION SELECT o.rel FROM old_rows o) x;
		END IF;
		affected := COALESCE(affected, '{}');
	END IF;

	IF NOT autoxfer._restoring() THEN
		IF TG_TABLE_NAME IN ('rule', 'parameter') THEN
			PERFORM autoxfer._check_rules();
		END IF;
		FOR r IN SELECT p.rel FROM autoxfer.protected_table p
				 WHERE (affected IS NULL OR p.rel = ANY (affected))
				   AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = p.rel)
				 ORDER BY p.rel
		LOOP
			PERFORM autoxfer._check_table(r);
		END LOOP;
		-- a newly protected table starts at its own generation
		IF NOT (TG_TABLE_NAME = 'protected_table' AND TG_OP = 'INSERT') THEN
			PERFORM autoxfer._bump(affected);
		END IF;
	END IF;

	FOR r IN SELECT p.rel FROM autoxfer.protected_table p
			 WHERE affected IS NULL OR p.rel = ANY (affected)
			 UNION SELECT pg_catalog.unnest(affected)
	LOOP
		PERFORM autoxfer._invalidate(r);
	END LOOP;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION autoxfer._catalog_changed() IS
	'Internal: statement trigger of the catalogue tables: validates the change, bumps the rule-set generation of the affected tables and invalidates their compiled state in every backend';

CREATE TRIGGER catalog_changed_ins AFTER INSERT ON autoxfer.protected_table
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_upd AFTER UPDATE ON autoxfer.protected_table
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_del AFTER DELETE ON autoxfer.protected_table
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_ins AFTER INSERT ON autoxfer.declaration
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_upd AFTER UPDATE ON autoxfer.declaration
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_del AFTER DELETE ON autoxfer.declaration
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON autoxfer.rule
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_ins AFTER INSERT ON autoxfer.parameter
	REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_upd AFTER UPDATE ON autoxfer.parameter
	REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_del AFTER DELETE ON autoxfer.parameter
	REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_tr AFTER TRUNCATE ON autoxfer.parameter
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_tr AFTER TRUNCATE ON autoxfer.protected_table
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();
CREATE TRIGGER catalog_changed_tr AFTER TRUNCATE ON autoxfer.declaration
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_changed();

-- Row trigger of the catalogue tables: fill in the declaration's attnum,
-- guard the shipped declaration rules, and while restoring a dump merge a
-- restored row into the one CREATE EXTENSION or a SECURITY LABEL already
-- made.
CREATE FUNCTION autoxfer._catalog_row() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	n smallint;
BEGIN
	IF TG_TABLE_NAME = 'declaration' THEN
		SELECT a.attnum INTO n FROM pg_catalog.pg_attribute a
		WHERE a.attrelid = NEW.rel AND a.attname = NEW.attname AND a.attnum > 0 AND NOT a.attisdropped;
		IF n IS NULL THEN
			RAISE EXCEPTION 'column "%" of table % does not exist', NEW.attname, NEW.rel
				USING ERRCODE = 'undefined_column';
		END IF;
		NEW.attnum := n;
		IF TG_OP = 'INSERT' AND autoxfer._restoring() AND EXISTS (
			SELECT 1 FROM autoxfer.declaration d
			WHERE d.rel = NEW.rel AND d.attname = NEW.attname AND d.kind = NEW.kind) THEN
			RETURN NULL;
		END IF;
	ELSIF TG_TABLE_NAME = 'protected_table' THEN
		IF TG_OP = 'INSERT' AND autoxfer._restoring() AND EXISTS (
			SELECT 1 FROM autoxfer.protected_table p WHERE p.rel = NEW.rel) THEN
			UPDATE autoxfer.protected_table p
			SET scenario = NEW.scenario, subject = NEW.subject, label_column = NEW.label_column,
				generation = NEW.generation, protected_at = NEW.protected_at, valid_since = NEW.valid_since, stale_after = NEW.stale_after
			WHERE p.rel = NEW.rel;
			RETURN NULL;
		END IF;
	ELSIF TG_TABLE_NAME = 'rule' THEN
		IF TG_OP = 'INSERT' AND autoxfer._restoring() AND EXISTS (
			SELECT 1 FROM autoxfer.rule r WHERE r.id = NEW.id) THEN
			UPDATE autoxfer.rule r
			SET code = NEW.code, scenarios = NEW.scenarios, elements = NEW.elements,
				predicate = NEW.predicate, data_kind = NEW.data_kind, rel = NEW.rel,
				category = NEW.category, exemption = NEW.exemption, clause = NEW.clause,
				enabled = NEW.enabled, shipped = NEW.shipped, prohibits = NEW.prohibits
			WHERE r.id = NEW.id;
			RETURN NULL;
		END IF;
		IF TG_OP = 'UPDATE' AND OLD.data_kind IS NOT NULL AND
			(NEW.data_kind IS DISTINCT FROM OLD.data_kind OR NEW.category IS DISTINCT FROM OLD.category
			 OR NOT NEW.enabled OR NEW.id <> OLD.id) THEN
			RAISE EXCEPTION 'rule % is the built-in rule of declared % columns and cannot be changed or disabled',
				OLD.code, OLD.data_kind
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Undeclare the columns instead (autoxfer.undeclare_column); only its clause may be edited.';
		END IF;
		IF TG_OP = 'INSERT' AND NEW.data_kind IS NOT NULL THEN
			RAISE EXCEPTION 'rules of declared data kinds are built in'
				USING ERRCODE = 'object_not_in_prerequisite_state',
					  HINT = 'Write a predicate rule instead.';
		END IF;
	ELSIF TG_TABLE_NAME = 'parameter' THEN
		IF TG_OP = 'INSERT' AND autoxfer._restoring() AND EXISTS (
			SELECT 1 FROM autoxfer.parameter p WHERE p.name = NEW.name) THEN
			UPDATE autoxfer.parameter p
			SET value = NEW.value, unit = NEW.unit, clause = NEW.clause, shipped = NEW.shipped
			WHERE p.name = NEW.name;
			RETURN NULL;
		END IF;
	END IF;
	RETURN NEW;
END
$$;
COMMENT ON FUNCTION autoxfer._catalog_row() IS
	'Internal: row trigger of the catalogue tables: resolves declared columns, guards the built-in rules, merges rows restored from a dump';

-- The shipped rules and parameters are disabled or changed, never deleted:
-- a deleted one would silently come back with the next CREATE EXTENSION
-- (a restore), and the declaration rules are what makes declared data count.
-- This holds with check_function_bodies = off too: a restore never deletes,
-- and only merges built-in rows identical to the shipped ones.
CREATE FUNCTION autoxfer._catalog_guard() RETURNS trigger
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF TG_OP = 'TRUNCATE' THEN
		RAISE EXCEPTION 'autoxfer.% cannot be truncated', TG_TABLE_NAME
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Delete the rows you added; shipped rows are disabled or changed, not deleted.';
	END IF;
	IF OLD.shipped THEN
		RAISE EXCEPTION 'shipped % "%" cannot be deleted', TG_TABLE_NAME,
			COALESCE(pg_catalog.to_jsonb(OLD) ->> 'code', pg_catalog.to_jsonb(OLD) ->> 'name')
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = CASE TG_TABLE_NAME WHEN 'rule' THEN 'Disable it: UPDATE autoxfer.rule SET enabled = false.'
							 ELSE 'Change its value instead.' END;
	END IF;
	RETURN OLD;
END
$$;
COMMENT ON FUNCTION autoxfer._catalog_guard() IS
	'Internal: refuse deleting shipped rules and parameters, and truncating the rule and parameter catalogues';

CREATE TRIGGER catalog_guard BEFORE DELETE ON autoxfer.rule
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_guard();
CREATE TRIGGER catalog_guard BEFORE DELETE ON autoxfer.parameter
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_guard();
CREATE TRIGGER catalog_guard_truncate BEFORE TRUNCATE ON autoxfer.rule
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_guard();
CREATE TRIGGER catalog_guard_truncate BEFORE TRUNCATE ON autoxfer.parameter
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._catalog_guard();

CREATE TRIGGER catalog_row BEFORE INSERT OR UPDATE ON autoxfer.protected_table
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_row();
CREATE TRIGGER catalog_row BEFORE INSERT OR UPDATE ON autoxfer.declaration
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_row();
CREATE TRIGGER catalog_row BEFORE INSERT OR UPDATE ON autoxfer.rule
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_row();
CREATE TRIGGER catalog_row BEFORE INSERT OR UPDATE ON autoxfer.parameter
	FOR EACH ROW EXECUTE FUNCTION autoxfer._catalog_row();

-- Declarations --------------------------------------------------------------

-- Check that rel can carry declarations: an ordinary or partitioned table,
-- not temporary.
CREATE FUNCTION autoxfer._check_relation(rel regclass, what text) RETURNS void
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	c pg_catalog.pg_class;
BEGIN
	SELECT * INTO c FROM pg_catalog.pg_class WHERE oid = rel;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'relation with OID % does not exist', rel::oid USING ERRCODE = 'undefined_table';
	END IF;
	IF c.relkind NOT IN ('r', 'p') THEN
		RAISE EXCEPTION 'cannot % "%": it is not a table', what, rel
			USING ERRCODE = 'wrong_object_type',
				  HINT = 'Only ordinary and partitioned tables can be protected and declared; protect the tables a view reads.';
	END IF;
	IF c.relpersistence = 't' THEN
		RAISE EXCEPTION 'cannot % temporary table "%"', what, rel
			USING ERRCODE = 'feature_not_supported',
				  HINT = 'A temporary table vanishes with its session and is never dumped; protect a permanent table.';
	END IF;
END
$$;
COMMENT ON FUNCTION autoxfer._check_relation(regclass, text) IS
	'Internal: refuse relations that cannot be protected or declared (views, temporary tables, ...)';

CREATE FUNCTION autoxfer.declare_column(rel regclass, col name, kind text) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	k autoxfer.attribute_kind;
	att pg_catalog.pg_attribute;
	other name;
	cat char;
BEGIN
	IF rel IS NULL OR col IS NULL OR kind IS NULL THEN
		RAISE EXCEPTION 'autoxfer.declare_column: rel, col and kind must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM autoxfer._check_relation(rel, 'declare columns of');
	SELECT * INTO k FROM autoxfer.attribute_kind a WHERE a.name = kind;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'unknown column kind "%"', pg_catalog.left(kind, 64)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Kinds are: ' || (SELECT pg_catalog.string_agg(a.name, ', ' ORDER BY a.kind_class DESC, a.name) FROM autoxfer.attribute_kind a);
	END IF;
	SELECT * INTO att FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = rel AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'column "%" of table % does not exist', col, rel USING ERRCODE = 'undefined_column';
	END IF;
	IF EXISTS (SELECT 1 FROM autoxfer.protected_table p WHERE p.rel = declare_column.rel AND p.label_column = col) THEN
		RAISE EXCEPTION 'column "%" is the label column of protected table %', col, rel
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	SELECT t.typcategory INTO cat FROM pg_catalog.pg_type t
	WHERE t.oid = (SELECT CASE WHEN b.typtype = 'd' THEN b.typbasetype ELSE b.oid END FROM pg_catalog.pg_type b WHERE b.oid = att.atttypid);
	IF (k.type_class = 'boolean' AND cat <> 'B') OR (k.type_class = 'numeric' AND cat <> 'N') THEN
		RAISE EXCEPTION 'column "%" has type %, but kind % needs a % column', col,
			pg_catalog.format_type(att.atttypid, att.atttypmod), kind, k.type_class
			USING ERRCODE = 'datatype_mismatch';
	END IF;
	IF EXISTS (SELECT 1 FROM autoxfer.declaration d
			   WHERE d.rel = declare_column.rel AND d.attname = col AND d.kind = declare_column.kind) THEN
		RETURN;		-- the same declaration again (a restore, a re-run): nothing to do
	END IF;
	IF k.kind_class = 'attribute' THEN
		SELECT d.attname INTO other FROM autoxfer.declaration d
		WHERE d.rel = declare_column.rel AND d.kind = declare_column.kind;
		IF FOUND THEN
			RAISE EXCEPTION 'table % already declares column "%" as %', rel, other, kind
				USING ERRCODE = 'unique_violation',
					  HINT = 'A table maps each attribute to one column; undeclare the other column first.';
		END IF;
	END IF;
	INSERT INTO autoxfer.declaration (rel, attname, kind, attnum) VALUES (rel, col, kind, att.attnum);
END
$$;
COMMENT ON FUNCTION autoxfer.declare_column(regclass, name, text) IS
	'Declare what a column holds: a data kind (subject, personal, sensitive_personal, core) or an attribute of the rule vocabulary (see autoxfer.attribute_kind); repeating a declaration is a no-op';

CREATE FUNCTION autoxfer.undeclare_column(rel regclass, col name) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF rel IS NULL OR col IS NULL THEN
		RAISE EXCEPTION 'autoxfer.undeclare_column: rel and col must not be NULL'
			USING ERRCODE = 'null_value_not_allowed';
	END IF;
	DELETE FROM autoxfer.declaration d WHERE d.rel = undeclare_column.rel AND d.attname = col;
END
$$;
COMMENT ON FUNCTION autoxfer.undeclare_column(regclass, name) IS
	'Remove every declaration of a column (no-op when it has none)';

-- Reclassification ----------------------------------------------------------

-- The block ranges of about batch_size rows that cover a protected table
-- and every partition of it.
CREATE FUNCTION autoxfer._batches(rel regclass, batch_size integer)
	RETURNS TABLE (leaf regclass, from_block bigint, to_block bigint, nblocks bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	per_block float8;
	step bigint;
BEGIN
	IF rel IS NULL OR batch_size IS NULL OR batch_size < 1 THEN
		RAISE EXCEPTION 'autoxfer.reclassify: rel must not be NULL and batch_size must be at least 1'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM autoxfer.protected_table t WHERE t.rel = _batches.rel) THEN
		RAISE EXCEPTION 'table % is not protected by autoxfer', rel
			USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Protect it with autoxfer.protect().';
	END IF;
	FOR leaf IN SELECT x.relid FROM (SELECT rel AS relid UNION SELECT t.relid FROM pg_catalog.pg_partition_tree(rel) t) x
				JOIN pg_catalog.pg_class c ON c.oid = x.relid AND c.relkind = 'r'
				ORDER BY x.relid::oid
	LOOP
		nblocks := pg_catalog.pg_relation_size(leaf) / pg_catalog.current_setting('block_size')::integer;
		SELECT CASE WHEN c.relpages > 0 AND c.reltuples > 0 THEN c.reltuples / c.relpages ELSE 100 END
		INTO per_block FROM pg_catalog.pg_class c WHERE c.oid = leaf;
		step := GREATEST(1, (batch_size / GREATEST(per_block, 1))::bigint);
		from_block := 0;
		WHILE from_block < nblocks LOOP
			to_block := LEAST(from_block + step, nblocks);
			RETURN NEXT;
			from_block := to_block;
		END LOOP;
	END LOOP;
END
$$;
COMMENT ON FUNCTION autoxfer._batches(regclass, integer) IS
	'Internal: the block ranges of about batch_size rows covering a protected table and its partitions';

-- Relabel the stale rows of blocks [from_block, to_block) of one leaf of
-- protected table rel (the trigger recomputes the label of every row the
-- UPDATE touches).
CREATE FUNCTION autoxfer._relabel(rel regclass, leaf regclass, from_block bigint, to_block bigint) RETURNS bigint
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	p autoxfer.protected_table;
	n bigint;
BEGIN
	SELECT * INTO STRICT p FROM autoxfer.protected_table t WHERE t.rel = _relabel.rel;
	EXECUTE pg_catalog.format(
		'UPDATE ONLY %s SET %I = %I WHERE ctid >= $1 AND ctid < $2 AND (%I IS NULL OR autoxfer.generation(%I) <> $3)',
		leaf, p.label_column, p.label_column, p.label_column, p.label_column)
	USING pg_catalog.format('(%s,0)', from_block)::tid, pg_catalog.format('(%s,0)', to_block)::tid, p.generation;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION autoxfer._relabel(regclass, regclass, bigint, bigint) IS
	'Internal: relabel the stale rows of a block range of one partition (or the table itself) of a protected table';

CREATE FUNCTION autoxfer.reclassify(rel regclass, batch_size integer DEFAULT 10000) RETURNS bigint
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	b record;
	done bigint := 0;
BEGIN
	FOR b IN SELECT * FROM autoxfer._batches(rel, batch_size) LOOP
		-- an expired generation is renewed first, so that its labels count
		-- as stale and no row is labelled with it
		PERFORM autoxfer._renew_generation(rel);
		done := done + autoxfer._relabel(rel, b.leaf, b.from_block, b.to_block);
		RAISE NOTICE 'autoxfer.reclassify: %, block % of %: % rows relabelled so far',
			b.leaf, b.to_block, b.nblocks, done;
	END LOOP;
	RETURN done;
END
$$;
COMMENT ON FUNCTION autoxfer.reclassify(regclass, integer) IS
	'Relabel the rows of a protected table (and its partitions) whose label is missing or of an older rule-set generation, in batches of about batch_size rows with a progress NOTICE each, in the caller''s transaction; returns the number of rows relabelled';

-- The same, committing after every batch: for tables too large to relabel
-- in one transaction.  No SET clause: a procedure with one cannot commit;
-- so it runs under the caller's search_path, and every name and operator
-- in it is qualified.
CREATE PROCEDURE autoxfer.reclassify_batches(rel regclass, batch_size integer DEFAULT 10000)
	LANGUAGE plpgsql
	AS $$
DECLARE
	b record;
	done bigint := 0;
BEGIN
	FOR b IN SELECT * FROM autoxfer._batches(rel, batch_size) LOOP
		PERFORM autoxfer._renew_generation(rel);
		done := done OPERATOR(pg_catalog.+) autoxfer._relabel(rel, b.leaf, b.from_block, b.to_block);
		COMMIT;
		RAISE NOTICE 'autoxfer.reclassify_batches: %, block % of %: % rows relabelled and committed so far',
			b.leaf, b.to_block, b.nblocks, done;
	END LOOP;
END
$$;
COMMENT ON PROCEDURE autoxfer.reclassify_batches(regclass, integer) IS
	'Relabel the stale rows of a protected table like autoxfer.reclassify, committing after each batch: CALL it outside a transaction block; interrupted, it keeps what it committed and a new CALL resumes';

CREATE FUNCTION autoxfer.stale_labels(rel regclass DEFAULT NULL)
	RETURNS TABLE (tbl regclass, generation integer, total bigint, stale bigint, unlabelled bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	p autoxfer.protected_table;
	expired boolean;
BEGIN
	FOR p IN SELECT * FROM autoxfer.protected_table t
			 WHERE stale_labels.rel IS NULL OR t.rel = stale_labels.rel ORDER BY t.rel::text
	LOOP
		tbl := p.rel;
		generation := p.generation;
		-- outside the generation's window of area validity every label of
		-- it is stale
		expired := (p.stale_after IS NOT NULL AND pg_catalog.now() >= p.stale_after)
			OR (p.valid_since IS NOT NULL AND pg_catalog.now() < p.valid_since);
		EXECUTE pg_catalog.format(
			'SELECT count(*), count(*) FILTER (WHERE %I IS NOT NULL AND ($2 OR autoxfer.generation(%I) <> $1)), count(*) FILTER (WHERE %I IS NULL) FROM %s',
			p.label_column, p.label_column, p.label_column, p.rel)
		INTO total, stale, unlabelled USING p.generation, expired;
		RETURN NEXT;
	END LOOP;
END
$$;
COMMENT ON FUNCTION autoxfer.stale_labels(regclass) IS
	'Per protected table (or the one given): current rule-set generation, rows, rows labelled under another generation or under one that has expired (stale: run autoxfer.reclassify) and rows without a label';

-- Protection ----------------------------------------------------------------

CREATE FUNCTION autoxfer.protect(rel regclass, scenario autoxfer.scenario, subject text DEFAULT NULL,
								 label_column name DEFAULT 'xfer_label') RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	cur autoxfer.protected_table;
	coltype oid;
	other regclass;
	trigger_exists boolean;
BEGIN
	IF rel IS NULL OR scenario IS NULL OR label_column IS NULL THEN
		RAISE EXCEPTION 'autoxfer.protect: rel, scenario and label_column must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'subject may be left out (NULL) for a table about no individual.';
	END IF;
	PERFORM autoxfer._check_relation(rel, 'protect');
	IF pg_catalog.btrim(subject) = '' THEN
		RAISE EXCEPTION 'autoxfer.protect: subject must name a column or be an expression over the table''s columns'
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Leave it out (NULL) for a table about no individual.';
	END IF;

	SELECT * INTO cur FROM autoxfer.protected_table t WHERE t.rel = protect.rel;
	IF FOUND THEN
		IF cur.scenario = scenario AND cur.subject IS NOT DISTINCT FROM subject AND cur.label_column = protect.label_column THEN
			-- the same declaration again (a SECURITY LABEL repeated, a
			-- restore): quietly put back a missing trigger or constraint,
			-- without rescanning the table (reclassify does that)
			IF NOT autoxfer._restoring_into(rel) THEN
				PERFORM autoxfer._attach(rel, protect.label_column), autoxfer._label_not_null(rel, protect.label_column);
			END IF;
			RETURN;
		END IF;
		RAISE EXCEPTION 'table % is already protected (scenario %, subject %, label column %)',
			rel, cur.scenario, coalesce(pg_catalog.left(cur.subject, 200), 'none'), cur.label_column
			USING ERRCODE = 'duplicate_object',
				  HINT = 'Run autoxfer.unprotect() first to protect it differently.';
	END IF;

	SELECT t.rel INTO other FROM autoxfer.protected_table t
	WHERE t.rel IN (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(protect.rel) a
					UNION SELECT d.relid FROM pg_catalog.pg_partition_tree(protect.rel) d);
	IF FOUND THEN
		RAISE EXCEPTION 'table % is in the partition tree of protected table %', rel, other
			USING ERRCODE = 'duplicate_object',
				  HINT = 'A partition tree is protected once, at its root: the trigger and label reach every partition.';
	END IF;

	SELECT a.atttypid INTO coltype FROM pg_catalog.pg_attribute a
	WHERE a.attrelid = rel AND a.attname = protect.label_column AND a.attnum > 0 AND NOT a.attisdropped;
	IF FOUND AND coltype <> 'autoxfer.label'::regtype THEN
		RAISE EXCEPTION 'column "%" of table % exists and is not of type autoxfer.label', protect.label_column, rel
			USING ERRCODE = 'duplicate_column', HINT = 'Choose another label_column.';
	END IF;
	IF NOT FOUND THEN
		-- existing rows read the default (no table rewrite) until labelled
		EXECUTE pg_catalog.format('ALTER TABLE %s ADD COLUMN %I autoxfer.label DEFAULT %L::autoxfer.label',
								  rel, protect.label_column, 'core/blocked');
	ELSIF autoxfer._restoring_into(rel) THEN
		-- a superuser restoring a dump: the table comes with its labels and
		-- the trigger (post-data); only register it
		INSERT INTO autoxfer.protected_table (rel, scenario, subject, label_column)
		VALUES (rel, scenario, subject, protect.label_column);
		RETURN;
	END IF;

	-- the fail-closed default and the trigger first, then the registration
	-- (checked, at a generation above any label the column already holds),
	-- then the labels, then NOT NULL
	PERFORM autoxfer._attach(rel, protect.label_column);
	PERFORM autoxfer._register(rel, scenario, subject, protect.label_column);
	-- with autoxfer.defer_labelling on, existing rows stay as they are, and
	-- stale, until CALL autoxfer.reclassify_batches labels them; rows
	-- without a label are labelled now (the column becomes NOT NULL)
	IF NOT pg_catalog.current_setting('autoxfer.defer_labelling')::boolean THEN
		PERFORM autoxfer.reclassify(rel);
	ELSE
		EXECUTE pg_catalog.format('UPDATE %s SET %I = %I WHERE %I IS NULL',
								  rel, protect.label_column, protect.label_column, protect.label_column);
	END IF;
	PERFORM autoxfer._label_not_null(rel, protect.label_column);
	-- roles abroad: the new table gets their row-level security
	PERFORM autoxfer._x2_sync();
END
$$;
COMMENT ON FUNCTION autoxfer.protect(regclass, autoxfer.scenario, text, name) IS
	'Protect a table: add the label column, attach the enforcing trigger, register the table with its scenario and subject (a column or an expression over its columns) and label the existing rows in batches; protecting again with the same arguments is a quiet no-op that only puts back a missing trigger or constraint';

-- Give the label column the fail-closed default and attach the trigger,
-- exactly as protection needs them (C: the only such statements the DDL
-- guard lets through on a protected table).  Rows a trigger that is not
-- there would let through are core/blocked (never exported) and stale
-- (generation 0): fail closed, and detectable.
CREATE FUNCTION autoxfer._attach(rel regclass, label_column name) RETURNS void
	AS 'MODULE_PATHNAME', 'ax_attach' LANGUAGE C STRICT;
COMMENT ON FUNCTION autoxfer._attach(regclass, name) IS
	'Internal: give the label column of a table the fail-closed default and put the enforcing trigger on it (and its partitions) as protection needs them';

-- Make the label column NOT NULL where it is not.
CREATE FUNCTION autoxfer._label_not_null(rel regclass, label_column name) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
BEGIN
	IF NOT (SELECT a.attnotnull FROM pg_catalog.pg_attribute a WHERE a.attrelid = rel AND a.attname = label_column) THEN
		EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', rel, label_column);
	END IF;
END
$$;
COMMENT ON FUNCTION autoxfer._label_not_null(regclass, name) IS
	'Internal: make the label column of a protected table NOT NULL, once its rows are labelled';

CREATE FUNCTION autoxfer.unprotect(rel regclass) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	cur autoxfer.protected_table;
BEGIN
	IF rel IS NULL THEN
		RAISE EXCEPTION 'autoxfer.unprotect: rel must not be NULL' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	SELECT * INTO cur FROM autoxfer.protected_table t WHERE t.rel = unprotect.rel;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % is not protected by autoxfer', rel
			USING ERRCODE = 'object_not_in_prerequisite_state';
	END IF;
	-- unregister, drop the trigger and the label column, in one go: no
	-- label outlives its registration
	PERFORM autoxfer._unregister(rel);
	-- and roles abroad no longer need its row-level security
	PERFORM autoxfer._x2_sync();
END
$$;
COMMENT ON FUNCTION autoxfer.unprotect(regclass) IS
	'Stop protecting a table: drop the trigger and the label column and unregister it (its column declarations are kept)';

-- Keeping the catalogue right under DDL --------------------------------------

-- A function, operator, type or schema a rule predicate or a subject
-- expression uses must stay as they need it.  After DDL that drops or
-- changes such objects, every rule and every protected table is compiled
-- again, and the DDL is refused if one no longer compiles (rather than
-- every later insert into a protected table failing).
CREATE FUNCTION autoxfer._check_predicates(what text) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	r regclass;
	msg text;
	ctx text;
BEGIN
	PERFORM autoxfer._check_rules();
	FOR r IN SELECT p.rel FROM autoxfer.protected_table p LOOP
		PERFORM autoxfer._check_table(r);
	END LOOP;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT, ctx = PG_EXCEPTION_CONTEXT;
	RAISE EXCEPTION 'cannot %: autoxfer''s classification needs it', what
		USING ERRCODE = 'dependent_objects_still_exist',
			  DETAIL = pg_catalog.format('%s (%s)', msg, pg_catalog.split_part(ctx, E'\n', 1)),
			  HINT = 'Change or delete the rule that uses it (autoxfer.rule), or the table''s subject, first.';
END
$$;
COMMENT ON FUNCTION autoxfer._check_predicates(text) IS
	'Internal: compile every rule and protected table again after DDL on objects predicates may use; refuse the DDL (what) if one no longer compiles';

CREATE FUNCTION autoxfer._on_sql_drop() RETURNS event_trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	o record;
BEGIN
	-- DROP EXTENSION autoxfer takes the catalogue and label columns with it
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_event_trigger_dropped_objects() x
			   WHERE x.object_type = 'extension' AND x.object_identity = 'autoxfer') THEN
		RETURN;
	END IF;
	FOR o IN SELECT * FROM pg_catalog.pg_event_trigger_dropped_objects()
			 WHERE object_type IN ('table', 'table column')
	LOOP
		IF o.object_type = 'table' THEN
			-- (each DELETE only when it has rows to delete: the catalogue's
			-- statement triggers then run only for tables autoxfer knows)
			IF EXISTS (SELECT 1 FROM autoxfer.protected_table p WHERE p.rel::oid = o.objid) THEN
				DELETE FROM autoxfer.protected_table p WHERE p.rel::oid = o.objid;
			END IF;
			IF EXISTS (SELECT 1 FROM autoxfer.declaration d WHERE d.rel::oid = o.objid) THEN
				DELETE FROM autoxfer.declaration d WHERE d.rel::oid = o.objid;
			END IF;
			IF EXISTS (SELECT 1 FROM autoxfer.rule r WHERE r.rel::oid = o.objid) THEN
				DELETE FROM autoxfer.rule r WHERE r.rel::oid = o.objid;
			END IF;
		ELSE
			IF EXISTS (SELECT 1 FROM autoxfer.protected_table p
					   WHERE p.rel::oid = o.objid AND NOT EXISTS (
						   SELECT 1 FROM pg_catalog.pg_attribute a
						   WHERE a.attrelid = o.objid AND a.attname = p.label_column AND NOT a.attisdropped)) THEN
				RAISE EXCEPTION 'cannot drop the label column of protected table %', o.objid::regclass
					USING ERRCODE = 'dependent_objects_still_exist',
						  HINT = 'Run autoxfer.unprotect() instead.';
			END IF;
			IF EXISTS (SELECT 1 FROM autoxfer.declaration d WHERE d.rel::oid = o.objid AND d.attnum = o.objsubid) THEN
				DELETE FROM autoxfer.declaration d WHERE d.rel::oid = o.objid AND d.attnum = o.objsubid;
			END IF;
		END IF;
	END LOOP;
	-- a function, operator, type or schema a predicate or subject may use
	-- (not the row and array types that go with a dropped table or type)
	FOR o IN SELECT x.object_type, x.object_identity FROM pg_catalog.pg_event_trigger_dropped_objects() x
			 WHERE x.object_type IN ('function', 'aggregate', 'operator', 'type', 'domain', 'cast',
									 'collation', 'schema')
			   AND (x.object_type <> 'type' OR x.original OR x.normal)
			 LIMIT 1
	LOOP
		IF NOT autoxfer._restoring() THEN
			PERFORM autoxfer._check_predicates(pg_catalog.format('drop %s %s', o.object_type, o.object_identity));
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION autoxfer._on_sql_drop() IS
	'Internal: event trigger: forget dropped tables and columns, refuse dropping a label column or what a rule predicate or subject needs';

CREATE FUNCTION autoxfer._on_alter_table() RETURNS event_trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	c record;
	r regclass;
BEGIN
	FOR c IN SELECT DISTINCT x.objid FROM pg_catalog.pg_event_trigger_ddl_commands() x
			 WHERE x.object_type IN ('table', 'table column')
	LOOP
		-- follow renamed columns
		IF EXISTS (SELECT 1 FROM autoxfer.declaration d JOIN pg_catalog.pg_attribute a
				   ON a.attrelid = c.objid AND a.attnum = d.attnum
				   WHERE d.rel::oid = c.objid AND NOT a.attisdropped AND a.attname <> d.attname) THEN
			UPDATE autoxfer.declaration d SET attname = a.attname
			FROM pg_catalog.pg_attribute a
			WHERE d.rel::oid = c.objid AND a.attrelid = c.objid AND a.attnum = d.attnum
			  AND NOT a.attisdropped AND a.attname <> d.attname;
		END IF;
		IF NOT autoxfer._restoring() THEN
			FOR r IN SELECT p.rel FROM autoxfer.protected_table p
					 WHERE p.rel::oid = c.objid
						OR p.rel::oid IN (SELECT a.relid FROM pg_catalog.pg_partition_ancestors(c.objid) a)
			LOOP
				PERFORM autoxfer._check_table(r);
				PERFORM autoxfer._invalidate(r);
			END LOOP;
		END IF;
	END LOOP;
END
$$;
COMMENT ON FUNCTION autoxfer._on_alter_table() IS
	'Internal: event trigger: follow renamed declared columns, and refuse a table change that would break its classification';

CREATE FUNCTION autoxfer._on_alter_routine() RETURNS event_trigger
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
	AS $$
DECLARE
	c record;
BEGIN
	IF autoxfer._restoring() THEN
		RETURN;
	END IF;
	-- Predicates and subjects call only functions and operators of
	-- pg_catalog and autoxfer (src/rules.c): a function or operator
	-- elsewhere, created, replaced or altered, cannot matter, and only
	-- superusers and the extension's owner change those two schemas.  What
	-- users can still change under a predicate is the types of the columns
	-- it reads (an enum value it names, a type it casts to) and the
	-- schemas of those types.
	FOR c IN SELECT x.command_tag, x.object_identity
			 FROM pg_catalog.pg_event_trigger_ddl_commands() x
			 WHERE x.command_tag IN ('ALTER TYPE', 'ALTER DOMAIN', 'ALTER SCHEMA')
				OR x.schema_name IN ('pg_catalog', 'autoxfer')
			 LIMIT 1
	LOOP
		PERFORM autoxfer._check_predicates(pg_catalog.format('%s %s', pg_catalog.lower(c.command_tag), c.object_identity));
	END LOOP;
END
$$;
COMMENT ON FUNCTION autoxfer._on_alter_routine() IS
	'Internal: event trigger: refuse changing a type, schema, or function or operator of pg_catalog or autoxfer, so that a rule predicate or subject no longer compiles';

CREATE EVENT TRIGGER autoxfer_sql_drop ON sql_drop
	EXECUTE FUNCTION autoxfer._on_sql_drop();
COMMENT ON EVENT TRIGGER autoxfer_sql_drop IS
	'autoxfer: forget dropped protected tables and declared columns; refuse dropping what a rule predicate or subject needs';
CREATE EVENT TRIGGER autoxfer_alter_table ON ddl_command_end WHEN TAG IN ('ALTER TABLE')
	EXECUTE FUNCTION autoxfer._on_alter_table();
COMMENT ON EVENT TRIGGER autoxfer_alter_table IS
	'autoxfer: keep declarations and compiled rules right when a table is altered';
CREATE EVENT TRIGGER autoxfer_alter_routine ON ddl_command_end
	WHEN TAG IN ('ALTER FUNCTION', 'CREATE FUNCTION', 'ALTER OPERATOR', 'ALTER TYPE', 'ALTER DOMAIN',
				 'ALTER SCHEMA')
	EXECUTE FUNCTION autoxfer._on_alter_routine();
COMMENT ON EVENT TRIGGER autoxfer_alter_routine IS
	'autoxfer: refuse changing a type, schema, or built-in function or operator a rule predicate or subject needs';

-- Privileges ------------------------------------------------------------------

REVOKE EXECUTE ON FUNCTION autoxfer.protect(regclass, autoxfer.scenario, text, name),
	autoxfer.unprotect(regclass), autoxfer.declare_column(regclass, name, text),
	autoxfer.undeclare_column(regclass, name), autoxfer._attach(regclass, name),
	autoxfer._label_not_null(regclass, name),
	autoxfer._register(regclass, autoxfer.scenario, text, name), autoxfer._unregister(regclass),
	autoxfer._bump(regclass[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.protect(regclass, autoxfer.scenario, text, name),
	autoxfer.unprotect(regclass), autoxfer.declare_column(regclass, name, text),
	autoxfer.undeclare_column(regclass, name), autoxfer._attach(regclass, name),
	autoxfer._label_not_null(regclass, name),
	autoxfer._register(regclass, autoxfer.scenario, text, name), autoxfer._unregister(regclass),
	autoxfer._bump(regclass[]) TO autoxfer_admin;
