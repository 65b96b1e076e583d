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
	'Individuals already sent abroad, per calendar year (autoxfer.timezone) and tally; written only by autoxfer.export, ledger_add and ledger_correct, each logged in autoxfer.transfer_log';

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
	'Per-recipient breakdown of autoxfer.ledger; written only with it';

SELECT pg_catalog.pg_extension_config_dump('autoxfer.ledger', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.ledger_recipient', '');

REVOKE ALL ON autoxfer.ledger, autoxfer.ledger_recipient FROM PUBLIC;
GRANT SELECT ON autoxfer.ledger, autoxfer.ledger_recipient
	TO autoxfer_admin, autoxfer_exporter, autoxfer_auditor;

-- The ledger changes only by booking: individuals are added to a year's
-- tally (and to the recipient's breakdown), never removed.  Booking is done
-- by the C code of ledger_add, ledger_correct and export (src/ledger_book.c)
-- as the extension's owner, through the two internal functions below, which
-- nobody else may execute; each booking also writes autoxfer.transfer_log.

-- Lock a year's ledger: both tally rows, created when missing, in one order
-- (personal, then sensitive_personal), FOR UPDATE until the caller's
-- transaction ends.  Every booking takes this lock first, so concurrent
-- bookings of a year serialise and no two can interleave their tallies.
CREATE FUNCTION autoxfer._ledger_lock(y integer) RETURNS void
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	locked integer;
BEGIN
	-- the rows exist (every booking but the year's first): lock them, in
	-- the queue of their tuple locks, so that waiters go in their order
	SELECT pg_catalog.count(*) INTO locked
	FROM (SELECT 1 FROM autoxfer.ledger l WHERE l.year OPERATOR(pg_catalog.=) y
		  ORDER BY l.tally FOR UPDATE) x;
	IF locked OPERATOR(pg_catalog.<) 2 THEN
		INSERT INTO autoxfer.ledger AS l (year, tally, subjects, recent, individuals)
		VALUES (y, 'personal', autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0),
			   (y, 'sensitive_personal', autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0)
		ON CONFLICT DO NOTHING;
		PERFORM 1 FROM autoxfer.ledger l WHERE l.year OPERATOR(pg_catalog.=) y
		ORDER BY l.tally FOR UPDATE;
	END IF;
END
$fn$;
COMMENT ON FUNCTION autoxfer._ledger_lock(integer) IS
	'Internal: lock both tally rows of a year''s ledger (created when missing) until the end of the transaction';
REVOKE ALL ON FUNCTION autoxfer._ledger_lock(integer) FROM PUBLIC;

-- Add a set to a year's tally and to the recipient's part of it (the year
-- locked by _ledger_lock first); returns how many individuals are new for
-- the year and for the recipient, and the totals after.  The stored sets
-- are read in the statements themselves (not copied into variables), so
-- large ones stream from TOAST, and the large part is skipped bucket by
-- bucket, not decoded.
CREATE FUNCTION autoxfer._ledger_book(y integer, t autoxfer.category, s autoxfer.subject_set, r text,
									  OUT fresh bigint, OUT total bigint,
									  OUT recipient_fresh bigint, OUT recipient_total bigint)
	LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	fresh_set autoxfer.subject_set;
BEGIN
	SELECT autoxfer.set_difference(autoxfer.set_difference(s, l.recent), l.subjects), l.individuals
	INTO STRICT fresh_set, total
	FROM autoxfer.ledger l
	WHERE l.year OPERATOR(pg_catalog.=) y AND l.tally OPERATOR(pg_catalog.=) t;
	fresh := autoxfer.cardinality(fresh_set);
	IF fresh OPERATOR(pg_catalog.>) 0 THEN
		UPDATE autoxfer.ledger l
		SET recent = autoxfer.set_union(l.recent, fresh_set),
			individuals = l.individuals OPERATOR(pg_catalog.+) fresh, updated_at = pg_catalog.now()
		WHERE l.year OPERATOR(pg_catalog.=) y AND l.tally OPERATOR(pg_catalog.=) t;
		total := total OPERATOR(pg_catalog.+) fresh;
		-- compact when recent outgrows an eighth of the year (at least 65536)
		UPDATE autoxfer.ledger l
		SET subjects = autoxfer.set_union(l.subjects, l.recent), recent = autoxfer.empty_subject_set()
		WHERE l.year OPERATOR(pg_catalog.=) y AND l.tally OPERATOR(pg_catalog.=) t
		  AND autoxfer.cardinality(l.recent) OPERATOR(pg_catalog.>)
			  greatest(65536, l.individuals OPERATOR(pg_catalog./) 8);
	END IF;

	INSERT INTO autoxfer.ledger_recipient AS lr (year, tally, recipient, subjects, recent, individuals)
	VALUES (y, t, r, autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0)
	ON CONFLICT DO NOTHING;
	SELECT autoxfer.set_difference(autoxfer.set_difference(s, lr.recent), lr.subjects), lr.individuals
	INTO STRICT fresh_set, recipient_total
	FROM autoxfer.ledger_recipient lr
	WHERE lr.year OPERATOR(pg_catalog.=) y AND lr.tally OPERATOR(pg_catalog.=) t
	  AND lr.recipient OPERATOR(pg_catalog.=) r
	FOR UPDATE;
	recipient_fresh := autoxfer.cardinality(fresh_set);
	IF recipient_fresh OPERATOR(pg_catalog.>) 0 THEN
		UPDATE autoxfer.ledger_recipient lr
		SET recent = autoxfer.set_union(lr.recent, fresh_set),
			individuals = lr.individuals OPERATOR(pg_catalog.+) recipient_fresh, updated_at = pg_catalog.now()
		WHERE lr.year OPERATOR(pg_catalog.=) y AND lr.tally OPERATOR(pg_catalog.=) t
		  AND lr.recipient OPERATOR(pg_catalog.=) r;
		recipient_total := recipient_total OPERATOR(pg_catalog.+) recipient_fresh;
		UPDATE autoxfer.ledger_recipient lr
		SET subjects = autoxfer.set_union(lr.subjects, lr.recent), recent = autoxfer.empty_subject_set()
		WHERE lr.year OPERATOR(pg_catalog.=) y AND lr.tally OPERATOR(pg_catalog.=) t
		  AND lr.recipient OPERATOR(pg_catalog.=) r
		  AND autoxfer.cardinality(lr.recent) OPERATOR(pg_catalog.>)
			  greatest(65536, lr.individuals OPERATOR(pg_catalog./) 8);
	END IF;
END
$fn$;
COMMENT ON FUNCTION autoxfer._ledger_book(integer, autoxfer.category, autoxfer.subject_set, text) IS
	'Internal: add a set of individuals to a year''s tally and to the recipient''s part of it; returns the new and total counts of both';
REVOKE ALL ON FUNCTION autoxfer._ledger_book(integer, autoxfer.category, autoxfer.subject_set, text) FROM PUBLIC;

-- How many individuals of a set are new for a year's tally and for the
-- recipient's part of it, and the totals now (the year locked first, for
-- the numbers to hold until the booking): what a batch would add.
CREATE FUNCTION autoxfer._ledger_count_new(y integer, t autoxfer.category, s autoxfer.subject_set, r text,
										   OUT fresh bigint, OUT total bigint,
										   OUT recipient_fresh bigint, OUT recipient_total bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	SELECT autoxfer.count_new(autoxfer.set_difference(s, l.recent), l.subjects), l.individuals
	INTO fresh, total
	FROM autoxfer.ledger l
	WHERE l.year OPERATOR(pg_catalog.=) y AND l.tally OPERATOR(pg_catalog.=) t;
	IF NOT FOUND THEN
		fresh := autoxfer.cardinality(s);
		total := 0;
	END IF;
	SELECT autoxfer.count_new(autoxfer.set_difference(s, lr.recent), lr.subjects), lr.individuals
	INTO recipient_fresh, recipient_total
	FROM autoxfer.ledger_recipient lr
	WHERE lr.year OPERATOR(pg_catalog.=) y AND lr.tally OPERATOR(pg_catalog.=) t
	  AND lr.recipient OPERATOR(pg_catalog.=) r;
	IF NOT FOUND THEN
		recipient_fresh := autoxfer.cardinality(s);
		recipient_total := 0;
	END IF;
END
$fn$;
COMMENT ON FUNCTION autoxfer._ledger_count_new(integer, autoxfer.category, autoxfer.subject_set, text) IS
	'Internal: how many individuals of a set are new for a year''s tally and for a recipient, and the totals now';
REVOKE ALL ON FUNCTION autoxfer._ledger_count_new(integer, autoxfer.category, autoxfer.subject_set, text) FROM PUBLIC;

-- Record individuals sent abroad outside autoxfer.export (a file sent by
-- other means, a transfer from another system): booked in the year of the
-- current transaction, China time, and logged.  autoxfer_admin only: the
-- exporter's transfers go through autoxfer.export.
CREATE FUNCTION autoxfer.ledger_add(tally autoxfer.category, subjects autoxfer.subject_set, recipient text)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ax_ledger_add' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text) IS
	'Records individuals sent abroad outside autoxfer.export in this year''s ledger (transaction time, China time) and the transfer log; returns how many are new this year (autoxfer_admin)';
REVOKE ALL ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.ledger_add(autoxfer.category, autoxfer.subject_set, text) TO autoxfer_admin;

-- The one way to book individuals into another year than the current one:
-- a correction (a transfer found late, a ledger rebuilt from records),
-- with its reason, logged as such.  Never into the future.
CREATE FUNCTION autoxfer.ledger_correct(tally autoxfer.category, subjects autoxfer.subject_set,
										recipient text, at timestamptz, reason text)
	RETURNS bigint
	AS 'MODULE_PATHNAME', 'ax_ledger_correct' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION autoxfer.ledger_correct(autoxfer.category, autoxfer.subject_set, text, timestamptz, text) IS
	'Correction of the ledger: books individuals sent abroad at a past instant into that instant''s year, with a reason, logged as a correction; returns how many are new for that year (autoxfer_admin)';
REVOKE ALL ON FUNCTION autoxfer.ledger_correct(autoxfer.category, autoxfer.subject_set, text, timestamptz, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.ledger_correct(autoxfer.category, autoxfer.subject_set, text, timestamptz, text) TO autoxfer_admin;

CREATE FUNCTION autoxfer.ledger_count(tally autoxfer.category,
									  year integer DEFAULT autoxfer.ledger_year(pg_catalog.now()))
	RETURNS bigint
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $fn$
	SELECT coalesce((SELECT l.individuals FROM autoxfer.ledger l
					 WHERE l.year OPERATOR(pg_catalog.=) ledger_count.year
					   AND l.tally OPERATOR(pg_catalog.=) ledger_count.tally), 0)
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
			 WHERE l.year OPERATOR(pg_catalog.=) ledger_subjects.year
			   AND l.tally OPERATOR(pg_catalog.=) ledger_subjects.tally)
		ELSE
			(SELECT autoxfer.set_union(r.subjects, r.recent) FROM autoxfer.ledger_recipient r
			 WHERE r.year OPERATOR(pg_catalog.=) ledger_subjects.year
			   AND r.tally OPERATOR(pg_catalog.=) ledger_subjects.tally
			   AND r.recipient OPERATOR(pg_catalog.=) ledger_subjects.recipient)
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
-- once any individual has been counted or logged under the current salt:
-- they would no longer be comparable with new sets.  The ledger and the
-- log are locked before they are checked, so no booking can slip in
-- between the check and the change.
CREATE FUNCTION autoxfer.set_subject_salt(new_salt bytea DEFAULT NULL) RETURNS text
	LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
DECLARE
	s bytea := coalesce(new_salt, autoxfer.subject_new_salt());
BEGIN
	IF pg_catalog.length(s) OPERATOR(pg_catalog.<>) 16 THEN
		RAISE EXCEPTION 'subject salt must be 16 bytes, not %', pg_catalog.length(s)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Copy the salt column of autoxfer.subject_salt from the database to share with, or pass NULL for a new random salt.';
	END IF;
	LOCK TABLE autoxfer.ledger, autoxfer.ledger_recipient, autoxfer.transfer_log,
		autoxfer.subject_salt IN EXCLUSIVE MODE;
	IF EXISTS (SELECT 1 FROM autoxfer.ledger l WHERE l.individuals OPERATOR(pg_catalog.>) 0)
	   OR EXISTS (SELECT 1 FROM autoxfer.transfer_log g
				  WHERE autoxfer.cardinality(g.subjects_personal) OPERATOR(pg_catalog.>) 0
					 OR autoxfer.cardinality(g.subjects_sensitive) OPERATOR(pg_catalog.>) 0) THEN
		RAISE EXCEPTION 'the ledger holds individuals counted under the current salt'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Set the salt before the first transfer is counted.';
	END IF;
	DELETE FROM autoxfer.ledger_recipient;
	DELETE FROM autoxfer.ledger;
	UPDATE autoxfer.subject_salt SET salt = s, created_at = pg_catalog.now();
	RETURN autoxfer.salt_fingerprint();
END
$fn$;
COMMENT ON FUNCTION autoxfer.set_subject_salt(bytea) IS
	'Replaces the subject salt (NULL: a new random one) while no individual is counted or logged; returns the new fingerprint';
REVOKE ALL ON FUNCTION autoxfer.set_subject_salt(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.set_subject_salt(bytea) TO autoxfer_admin;
