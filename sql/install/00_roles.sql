-- autoxfer install script, part 00: the three roles of least privilege.
-- Roles are cluster-wide: they are created when missing and left in place
-- by DROP EXTENSION (other databases of the cluster may use them).

\echo Use "CREATE EXTENSION autoxfer" to load this file. \quit

DO $roles$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['autoxfer_admin', 'autoxfer_exporter', 'autoxfer_auditor']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END
$roles$;

COMMENT ON SCHEMA autoxfer IS 'autoxfer: enforcement of China''s rules for cross-border transfer of automotive data';

GRANT USAGE ON SCHEMA autoxfer TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;
