-- autoxfer install script, part 35: the yearly ledger of individuals sent
-- abroad, per tally (personal, sensitive_personal) and per recipient.
-- Rules M3, M4, M6, M7 and E5 of shared/RULES.md count distinct
-- individuals from 1 January, China time, across every transfer of the year.

CREATE FUNCTION autoxfer.ledger_year(timestamptz) RETURNS integer
	AS 'MODULE_PATHNAME', 'ledger_year' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer.ledger_year(timestamptz) IS
	'Calendar year of an instant in the autoxfer.timezone time zone (default Asia/Shanghai)';

-- A year's set is kept in two disjoint parts: subjects, rewritten rarely,
-- and recent, the individuals added since subjects was last compacted, so
-- that an add rewrites a small set instead of the whole year.
CREATE TABLE autoxfer.ledger (
	year integer NOT NULL CHECK (year BETWEEN 1 AND 9999),
	tally autoxfer.category NOT NULL CHECK (tally IN ('personal', 'sensitive_personal')),
	subjects autoxfer.subject_set NOT NULL,
	recent autoxfer.subject_set NOT NULL,
	individuals bigint NOT NULL CHECK (individuals >= 0),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (year, tally)
);
COMMENT ON TABLE autoxfer.ledger IS
	'Individuals already sent abroad, per calendar year (autoxfer.timezone) and tally; written only by autoxfer.ledger_add';

CREATE TABLE autoxfer.ledger_recipient (
	year integer NOT NULL CHECK (year BETWEEN 1 AND 9999),
	tally autoxfer.category NOT NULL CHECK (tally IN ('personal', 'sensitive_personal')),
	recipient text NOT NULL CHECK (recipient <> ''),
	subjects autoxfer.subject_set NOT NULL,
	recent autoxfer.subject_set NOT NULL,
	individuals bigint NOT NULL CHECK (individuals >= 0),
	updated_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (year, tally, recipient),
	FOREIGN KEY (year, tally) REFERENCES autoxfer.ledger (year, tally)
);
COMMENT ON TABLE autoxfer.ledger_recipient IS
	'Per-recipient breakdown of autoxfer.ledger; written only by autoxfer.ledger_add';

SELECT pg_catalog.pg_extension_config_dump('autoxfer.ledger', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.ledger_recipient', '');

REVOKE ALL ON autoxfer.ledger, autoxfer.ledger_recipient FROM PUBLIC;
GRANT SELECT ON autoxfer.ledger, autoxfer.ledger_recipient
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;

-- Add a set of individuals to the year's ledger; returns how many of them
-- are new this year for the tally.  The year row is locked (FOR UPDATE)
-- for the rest of the caller's transaction, so concurrent adds serialise
-- and the ledger ends with the exact union.  Call it inside the export's
-- transaction: the lock is what stops two exports slipping under a
-- threshold together.
CREATE FUNCTION autoxfer.ledger_add(tally autoxfer.category, subjects autoxfer.subject_set,
									recipient text, at timestamptz DEFAULT pg_catalog.now())
	RETURNS bigint
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	y integer;
	fresh bigint;
	rfresh bigint;
	fresh_set autoxfer.subject_set;
BEGIN
	IF tally IS NULL OR tally NOT IN ('personal', 'sensitive_personal') THEN
		RAISE EXCEPTION 'ledger tally must be personal or sensitive_personal, not %', coalesce(tally::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'The ledger counts individuals whose personal information went abroad.';
	END IF;
	IF subjects IS NULL THEN
		RAISE EXCEPTION 'ledger subjects must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass autoxfer.empty_subject_set() when a transfer has no individuals.';
	END IF;
	IF recipient IS NULL OR btrim(recipient) = '' THEN
		RAISE EXCEPTION 'ledger recipient must be named'
			USING ERRCODE = 'null_value_not_allowed',
				  HINT = 'Pass the recipient abroad the data goes to.';
	END IF;
	IF at IS NULL THEN
		RAISE EXCEPTION 'ledger transfer time must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass now() or the time of the transfer.';
	END IF;
	IF autoxfer.salt_fingerprint(subjects) <> autoxfer.salt_fingerprint() THEN
		RAISE EXCEPTION 'subject set was made under another database''s salt'
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Set salt fingerprint %s, this database %s.',
								  autoxfer.salt_fingerprint(subjects), autoxfer.salt_fingerprint()),
				  HINT = 'Build the set in this database, or share one salt first (autoxfer.set_subject_salt).';
	END IF;
	y := autoxfer.ledger_year(at);

	-- The stored sets are read in the statements themselves (not copied into
	-- variables), so large ones stream from TOAST instead of being detoasted,
	-- and the large part is skipped bucket by bucket, not decoded.
	INSERT INTO autoxfer.ledger AS l (year, tally, subjects, recent, individuals)
	VALUES (y, tally, autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0)
	ON CONFLICT DO NOTHING;
	SELECT autoxfer.set_difference(autoxfer.set_difference(ledger_add.subjects, l.recent), l.subjects)
	INTO STRICT fresh_set
	FROM autoxfer.ledger l
	WHERE l.year = y AND l.tally = ledger_add.tally FOR UPDATE;
	fresh := autoxfer.cardinality(fresh_set);
	IF fresh > 0 THEN
		UPDATE autoxfer.ledger l
		SET recent = autoxfer.set_union(l.recent, fresh_set),
			individuals = l.individuals + fresh, updated_at = pg_catalog.now()
		WHERE l.year = y AND l.tally = ledger_add.tally;
		-- compact when recent outgrows an eighth of the year (at least 65536)
		UPDATE autoxfer.ledger l
		SET subjects = autoxfer.set_union(l.subjects, l.recent), recent = autoxfer.empty_subject_set()
		WHERE l.year = y AND l.tally = ledger_add.tally
		  AND autoxfer.cardinality(l.recent) > greatest(65536, l.individuals / 8);
	END IF;

	INSERT INTO autoxfer.ledger_recipient AS r (year, tally, recipient, subjects, recent, individuals)
	VALUES (y, tally, recipient, autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0)
	ON CONFLICT DO NOTHING;
	SELECT autoxfer.set_difference(autoxfer.set_difference(ledger_add.subjects, r.recent), r.subjects)
	INTO STRICT fresh_set
	FROM autoxfer.ledger_recipient r
	WHERE r.year = y AND r.tally = ledger_add.tally AND r.recipient = ledger_add.recipient FOR UPDATE;
	rfresh := autoxfer.cardinality(fresh_set);
	IF rfresh > 0 THEN
		UPDATE autoxfer.ledger_recipient r
		SET recent = autoxfer.set_union(r.recent, fresh_set),
			individuals = r.individuals + rfresh, updated_at = pg_catalog.now()
		WHERE r.year = y AND r.tally = ledger_add.tally AND r.recipient = ledger_add.recipient;
		UPDATE autoxfer.ledger_recipient r
		SET subjects = autoxfer.set_union(r.subjects, r.recent), recent = autoxfer.empty_subject_set()
		WHERE r.year = y AND r.tally = ledger_add.tally AND r.recipient = ledger_add.recipient
		  AND autoxfer.cardinality(r.recent) > greatest(65536, r.individuals / 8);
	END IF;
	RETURN fresh;
END
$fn$;
COMMENT ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text, timestamptz) IS
	'Adds individuals sent abroad to the year''s ledger (locks the year and tally); returns how many are new this year';
REVOKE ALL ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text, timestamptz)
	TO autoxfer_admin, autoxfer_exporter;

CREATE FUNCTION autoxfer.ledger_count(tally autoxfer.category,
									  year integer DEFAULT autoxfer.ledger_year(pg_catalog.now()))
	RETURNS bigint
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce((SELECT l.individuals FROM autoxfer.ledger l
					 WHERE l.year = ledger_count.year AND l.tally = ledger_count.tally), 0)
$fn$;
COMMENT ON FUNCTION autoxfer.ledger_count(autoxfer.category, integer) IS
	'Individuals sent abroad in a year (default: the current one) for a tally; 0 when none';
REVOKE ALL ON FUNCTION autoxfer.ledger_count(autoxfer.category, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.ledger_count(autoxfer.category, integer)
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;

CREATE FUNCTION autoxfer.ledger_subjects(tally autoxfer.category,
										 year integer DEFAULT autoxfer.ledger_year(pg_catalog.now()),
										 recipient text DEFAULT NULL)
	RETURNS autoxfer.subject_set
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce(
		CASE WHEN ledger_subjects.recipient IS NULL THEN
			(SELECT autoxfer.set_union(l.subjects, l.recent) FROM autoxfer.ledger l
			 WHERE l.year = ledger_subjects.year AND l.tally = ledger_subjects.tally)
		ELSE
			(SELECT autoxfer.set_union(r.subjects, r.recent) FROM autoxfer.ledger_recipient r
			 WHERE r.year = ledger_subjects.year AND r.tally = ledger_subjects.tally
			   AND r.recipient = ledger_subjects.recipient)
		END,
		autoxfer.empty_subject_set())
$fn$;
COMMENT ON FUNCTION autoxfer.ledger_subjects(autoxfer.category, integer, text) IS
	'The set of individuals sent abroad in a year for a tally (and a recipient, if given); empty when none';
REVOKE ALL ON FUNCTION autoxfer.ledger_subjects(autoxfer.category, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.ledger_subjects(autoxfer.category, integer, text)
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;

CREATE VIEW autoxfer.ledger_status AS
	SELECT l.year, l.tally, l.individuals, l.updated_at
	FROM autoxfer.ledger l;
COMMENT ON VIEW autoxfer.ledger_status IS 'Individuals sent abroad per year and tally';
CREATE VIEW autoxfer.ledger_recipient_status AS
	SELECT r.year, r.tally, r.recipient, r.individuals, r.updated_at
	FROM autoxfer.ledger_recipient r;
COMMENT ON VIEW autoxfer.ledger_recipient_status IS 'Individuals sent abroad per year, tally and recipient';
REVOKE ALL ON autoxfer.ledger_status, autoxfer.ledger_recipient_status FROM PUBLIC;
GRANT SELECT ON autoxfer.ledger_status, autoxfer.ledger_recipient_status
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;

-- Replace the database's subject salt (to share one salt between the
-- servers of a distributed installation, or to start afresh).  Refused
-- while the ledger holds individuals under the current salt: they would
-- no longer be comparable with new sets.
CREATE FUNCTION autoxfer.set_subject_salt(new_salt bytea DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	s bytea := coalesce(new_salt, autoxfer.subject_new_salt());
BEGIN
	IF length(s) <> 16 THEN
		RAISE EXCEPTION 'subject salt must be 16 bytes, not %', length(s)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Copy the salt column of autoxfer.subject_salt from the database to share with, or pass NULL for a new random salt.';
	END IF;
	IF EXISTS (SELECT 1 FROM autoxfer.ledger WHERE individuals > 0) THEN
		RAISE EXCEPTION 'the ledger holds individuals counted under the current salt'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Set the salt before the first transfer is counted.';
	END IF;
	LOCK TABLE autoxfer.subject_salt IN EXCLUSIVE MODE;
	DELETE FROM autoxfer.ledger_recipient;
	DELETE FROM autoxfer.ledger;
	UPDATE autoxfer.subject_salt SET salt = s, created_at = pg_catalog.now();
	RETURN autoxfer.salt_fingerprint();
END
$fn$;
COMMENT ON FUNCTION autoxfer.set_subject_salt(bytea) IS
	'Replaces the subject salt (NULL: a new random one) while the ledger is empty; returns the new fingerprint';
REVOKE ALL ON FUNCTION autoxfer.set_subject_salt(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.set_subject_salt(bytea) TO autoxfer_admin;
