-- autoxfer install script, part 36: the transfer log.  One row per
-- booking of individuals into the ledger (an export, a transfer recorded by
-- hand, a correction) and per purge of old rows: who, when, to whom, why,
-- what, how many, under which measure.  Append-only for every role: rows
-- are written only by the C code of export, ledger_add and ledger_correct
-- (src/ledger_book.c, as the extension's owner), never updated, and
-- deleted only by autoxfer.purge_transfer_log once older than the
-- retention period (Regulation on Network Data Security Management Art. 12,
-- PIPL Art. 56: at least 3 years).

CREATE TABLE autoxfer.transfer_log (
	id			bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	decision_id	uuid NOT NULL DEFAULT pg_catalog.gen_random_uuid(),
	kind		text NOT NULL CHECK (kind IN ('export', 'manual', 'correction', 'purge')),
	logged_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	booked_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	year		integer NOT NULL CHECK (year BETWEEN 1 AND 9999),
	role_name	name NOT NULL,
	session_role name NOT NULL,
	application_name text,
	client_addr	inet,
	recipient	text,
	purpose		text,
	tbl			text,
	filter		text,
	rows_returned bigint NOT NULL DEFAULT 0 CHECK (rows_returned >= 0),
	rows_withheld bigint NOT NULL DEFAULT 0 CHECK (rows_withheld >= 0),
	withheld	jsonb NOT NULL DEFAULT '{}',
	new_personal bigint NOT NULL DEFAULT 0 CHECK (new_personal >= 0),
	new_sensitive bigint NOT NULL DEFAULT 0 CHECK (new_sensitive >= 0),
	total_personal bigint,
	total_sensitive bigint,
	measures	autoxfer.measure[] NOT NULL DEFAULT '{}',
	exemptions	autoxfer.exemption[] NOT NULL DEFAULT '{}',
	filings		bigint[] NOT NULL DEFAULT '{}',
	evidence	bigint[] NOT NULL DEFAULT '{}',
	rules		text[] NOT NULL DEFAULT '{}',
	subjects_personal autoxfer.subject_set NOT NULL,
	subjects_sensitive autoxfer.subject_set NOT NULL,
	note		text,
	CHECK (kind IN ('export', 'manual', 'correction') OR (note IS NOT NULL))
);
CREATE INDEX transfer_log_year ON autoxfer.transfer_log (year, recipient);
CREATE INDEX transfer_log_logged_at ON autoxfer.transfer_log (logged_at);

COMMENT ON TABLE autoxfer.transfer_log IS
	'Every booking of individuals into the ledger (export, manual, correction) and every purge: who, when, recipient, purpose, table, filter, rows returned and withheld, individuals new and in total per tally, measures, exemptions, filings, evidence and rules, and the batch''s subject sets (salted hashes only); append-only';
COMMENT ON COLUMN autoxfer.transfer_log.decision_id IS 'Identifier of the decision, quoted in the export''s messages';
COMMENT ON COLUMN autoxfer.transfer_log.kind IS 'export (autoxfer.export), manual (autoxfer.ledger_add), correction (autoxfer.ledger_correct) or purge (autoxfer.purge_transfer_log)';
COMMENT ON COLUMN autoxfer.transfer_log.logged_at IS 'Transaction time of the booking';
COMMENT ON COLUMN autoxfer.transfer_log.booked_at IS 'Instant the individuals were booked at: the transaction time, or a correction''s instant';
COMMENT ON COLUMN autoxfer.transfer_log.year IS 'Ledger year (autoxfer.timezone) the individuals were booked into';
COMMENT ON COLUMN autoxfer.transfer_log.role_name IS 'Current role of the caller';
COMMENT ON COLUMN autoxfer.transfer_log.session_role IS 'Session user of the caller';
COMMENT ON COLUMN autoxfer.transfer_log.withheld IS 'Rows withheld, by reason (not_exportable, no_subject, excess, stale)';
COMMENT ON COLUMN autoxfer.transfer_log.new_personal IS 'Individuals new this year on the personal tally';
COMMENT ON COLUMN autoxfer.transfer_log.new_sensitive IS 'Individuals new this year on the sensitive_personal tally';
COMMENT ON COLUMN autoxfer.transfer_log.total_personal IS 'The year''s personal tally after the booking';
COMMENT ON COLUMN autoxfer.transfer_log.total_sensitive IS 'The year''s sensitive_personal tally after the booking';
COMMENT ON COLUMN autoxfer.transfer_log.subjects_personal IS 'The batch''s individuals on the personal tally (salted hashes)';
COMMENT ON COLUMN autoxfer.transfer_log.subjects_sensitive IS 'The batch''s individuals on the sensitive_personal tally (salted hashes)';
COMMENT ON COLUMN autoxfer.transfer_log.note IS 'A correction''s reason, a purge''s account';

COMMENT ON SEQUENCE autoxfer.transfer_log_id_seq IS
	'Identity of autoxfer.transfer_log; dumped with the table so restored ids do not collide';
SELECT pg_catalog.pg_extension_config_dump('autoxfer.transfer_log', '');
SELECT pg_catalog.pg_extension_config_dump('autoxfer.transfer_log_id_seq', '');

REVOKE ALL ON autoxfer.transfer_log FROM PUBLIC;
GRANT SELECT ON autoxfer.transfer_log TO autoxfer_admin, autoxfer_auditor;

-- Append-only: no role updates or truncates the log, and rows are deleted
-- only by purge_transfer_log (which the C flag below lets through).
CREATE FUNCTION autoxfer._transfer_log_guard() RETURNS trigger
	AS 'MODULE_PATHNAME', 'ax_transfer_log_guard' LANGUAGE C;
COMMENT ON FUNCTION autoxfer._transfer_log_guard() IS
	'Internal: trigger keeping autoxfer.transfer_log append-only (UPDATE, DELETE and TRUNCATE refused; purge_transfer_log deletes old rows)';
CREATE TRIGGER transfer_log_guard BEFORE UPDATE OR DELETE ON autoxfer.transfer_log
	FOR EACH ROW EXECUTE FUNCTION autoxfer._transfer_log_guard();
CREATE TRIGGER transfer_log_guard_truncate BEFORE TRUNCATE ON autoxfer.transfer_log
	FOR EACH STATEMENT EXECUTE FUNCTION autoxfer._transfer_log_guard();

-- Remove the rows older than a date, once they are older than the retention
-- period (parameter log_retention_years); leaves a log row of its own.
CREATE FUNCTION autoxfer.purge_transfer_log(before date) RETURNS bigint
	AS 'MODULE_PATHNAME', 'ax_purge_transfer_log' LANGUAGE C VOLATILE;
COMMENT ON FUNCTION autoxfer.purge_transfer_log(date) IS
	'Deletes transfer-log rows logged before a date that lies beyond the retention period (parameter log_retention_years, 3); logs the purge; returns the rows deleted (autoxfer_admin)';
REVOKE ALL ON FUNCTION autoxfer.purge_transfer_log(date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer.purge_transfer_log(date) TO autoxfer_admin;
