-- autoxfer install script, part 39: the security label provider "autoxfer"
-- (SECURITY LABEL FOR autoxfer ON TABLE / ON COLUMN, see docs/seclabel.md).

CREATE FUNCTION autoxfer.seclabel_provider() RETURNS text
	AS 'MODULE_PATHNAME', 'ax_seclabel_provider' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.seclabel_provider() IS
	'Name of the security label provider of autoxfer; calling it loads the library, which registers the provider in the session';

-- Load the library in the backend running CREATE EXTENSION, so that the
-- provider exists for the rest of the session: a restore replays SECURITY
-- LABEL FOR autoxfer right after CREATE EXTENSION, in the same session,
-- without the library being preloaded.
SELECT autoxfer.seclabel_provider();
