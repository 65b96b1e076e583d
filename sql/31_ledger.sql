-- The yearly ledger of individuals sent abroad: year in autoxfer.timezone,
-- exact unions, per-recipient breakdown, the transfer log of every booking,
-- privileges and bad input.
SET search_path = autoxfer, public;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the year boundary is midnight in Shanghai (UTC+8)
SELECT ledger_year('2026-12-31 15:59:59+00') AS before_midnight_cst,
       ledger_year('2026-12-31 16:00:00+00') AS at_midnight_cst,
       ledger_year('2026-12-31 23:30:00+00') AS late_utc_new_year;
SHOW autoxfer.timezone;
SET autoxfer.timezone = 'UTC';
SELECT ledger_year('2026-12-31 23:30:00+00') AS in_utc;
SET autoxfer.timezone = 'America/New_York';
SELECT ledger_year('2027-01-01 03:00:00+00') AS in_new_york;
SET autoxfer.timezone = 'Mars/Olympus_Mons';
SET autoxfer.timezone = '';
RESET autoxfer.timezone;
SELECT ledger_year('infinity');
SELECT ledger_year(NULL) IS NULL AS null_year;
-- only superusers move the year boundary
SET ROLE autoxfer_exporter;
SET autoxfer.timezone = 'UTC';
RESET ROLE;

-- the year of a booking is the transaction's, China time: ledger_add has no
-- time argument, and the only way into another year is a logged correction
-- (autoxfer_admin only, never into the future)
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects(x), 'acme-de') AS new_this_year
FROM unnest('{a,b,c}'::text[]) x;
SELECT ledger_count('personal') AS this_year, ledger_count('personal', ledger_year(now())) AS same,
       (SELECT count(*) FROM ledger_status WHERE year <> ledger_year(now())) AS other_years;
SELECT ledger_add('personal', subjects(x), 'acme-de', '2001-06-01') FROM unnest('{a}'::text[]) x;
-- corrections: a transfer at 2024-12-31 23:30 UTC counts in 2025 (China time)
SELECT ledger_correct('personal', subjects(x), 'acme-de', '2024-12-31 23:30+00', 'batch 17 found late') AS new_acme_de
FROM unnest('{a,b,c}'::text[]) x;
SELECT ledger_correct('personal', subjects(x), 'acme-us', '2025-03-01 12:00+08', 'rebuilt from the SFTP log') AS new_acme_us
FROM unnest('{b,c,d}'::text[]) x;
SELECT ledger_correct('personal', subjects(x), 'acme-de', '2025-06-01 12:00+08', 'rebuilt from the SFTP log') AS new_again
FROM unnest('{a,d}'::text[]) x;
-- the sensitive tally books on the personal one too
SELECT ledger_correct('sensitive_personal', subjects(x), 'acme-de', '2024-12-31 15:00+00', 'incident 4') AS new_2024_sensitive
FROM unnest('{a}'::text[]) x;
SELECT ledger_correct('personal', empty_subject_set(), 'acme-fr', '2025-01-02', 'nothing found') AS new_empty;
SELECT ledger_count('personal', 2025) AS personal_2025, ledger_count('personal', 2024) AS personal_2024,
       ledger_count('sensitive_personal', 2024) AS sensitive_2024,
       ledger_count('sensitive_personal', 2025) AS sensitive_2025;
SELECT year, tally, individuals FROM ledger_status WHERE year < 2026 ORDER BY year, tally;
SELECT year, tally, recipient, individuals FROM ledger_recipient_status WHERE year < 2026 ORDER BY year, tally, recipient;
-- the stored set is the exact union and its count is its cardinality
SELECT ledger_subjects('personal', 2025) = (SELECT subjects(x) FROM unnest('{a,b,c,d}'::text[]) x) AS exact_union,
       cardinality(ledger_subjects('personal', 2025)) = ledger_count('personal', 2025) AS count_matches,
       ledger_subjects('personal', 2025) @> 'd' AS has_d, ledger_subjects('personal', 2025) @> 'e' AS has_e,
       cardinality(ledger_subjects('personal', 2025, 'acme-us')) AS acme_us,
       cardinality(ledger_subjects('personal', 1999)) AS none_in_1999;
-- no booking into the future, none without a reason
SELECT ledger_correct('personal', subject_of('z'), 'acme-de', now() + interval '1 day', 'early');
SELECT ledger_correct('personal', subject_of('z'), 'acme-de', '2025-05-01', '  ');
SELECT ledger_correct('personal', subject_of('z'), 'acme-de', '2025-05-01', NULL);
SELECT ledger_correct('personal', subject_of('z'), 'acme-de', NULL, 'x');
SELECT ledger_correct('personal', subject_of('z'), 'acme-de', '-infinity', 'x');
-- compaction: beyond 65536 recent individuals the year's part is rewritten
SELECT ledger_correct('personal', subjects('C' || g), 'acme-cn', '2025-07-01', 'fleet import') AS added
FROM generate_series(1, 70000) g;
SELECT cardinality(subjects) AS compacted, cardinality(recent) AS recent, individuals
FROM ledger WHERE year = 2025 AND tally = 'personal';
SELECT ledger_correct('personal', subjects('C' || g), 'acme-cn', '2025-07-02', 'fleet import') AS added_after
FROM generate_series(69001, 70100) g;
SELECT cardinality(subjects) AS compacted, cardinality(recent) AS recent, individuals,
       cardinality(set_intersect(subjects, recent)) AS overlap,
       ledger_subjects('personal', 2025) = (SELECT subjects(x) FROM (SELECT 'C' || g FROM generate_series(1, 70100) g
                                              UNION ALL SELECT unnest('{a,b,c,d}'::text[])) v(x)) AS exact
FROM ledger WHERE year = 2025 AND tally = 'personal';
RESET ROLE;

-- every booking is in the transfer log, with who, when and the batch's sets;
-- the ledger of each year and tally is the union of the logged sets
SELECT kind, CASE WHEN year = ledger_year(now()) THEN 'this year' ELSE year::text END AS year,
       role_name, session_role, recipient, new_personal, new_sensitive,
       total_personal, total_sensitive, cardinality(subjects_personal) AS batch_personal,
       cardinality(subjects_sensitive) AS batch_sensitive, note, booked_at = logged_at AS booked_now
FROM transfer_log ORDER BY id;
SELECT CASE WHEN l.year = ledger_year(now()) THEN 'this year' ELSE l.year::text END AS year, l.tally,
       l.individuals = cardinality(x.logged) AS count_is_logged, ledger_subjects(l.tally, l.year) = x.logged AS set_is_logged
FROM ledger l,
     LATERAL (SELECT subject_union(CASE WHEN l.tally = 'personal' THEN g.subjects_personal ELSE g.subjects_sensitive END) AS logged
              FROM transfer_log g WHERE g.year = l.year) x
ORDER BY l.year, l.tally;

-- the exporter and the auditor book nothing, write nothing, change no salt
SET ROLE autoxfer_exporter;
SELECT ledger_add('personal', subject_of('x'), 'acme-de');
SELECT ledger_correct('personal', subject_of('x'), 'acme-de', '2025-06-01 12:00+08', 'x');
SELECT autoxfer._ledger_lock(2025);
SELECT * FROM autoxfer._ledger_book(2025, 'personal', subject_of('x'), 'acme-de');
INSERT INTO autoxfer.ledger VALUES (2025, 'personal', autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0);
UPDATE autoxfer.ledger SET individuals = 0;
DELETE FROM autoxfer.ledger_recipient;
SELECT autoxfer.set_subject_salt(NULL);
SELECT count(*) FROM autoxfer.transfer_log;
INSERT INTO autoxfer.transfer_log (kind, year, role_name, session_role, subjects_personal, subjects_sensitive)
VALUES ('export', 2025, 'x', 'x', empty_subject_set(), empty_subject_set());
RESET ROLE;
SET ROLE autoxfer_auditor;
SELECT count(*) AS auditor_rows FROM autoxfer.ledger_status;
SELECT count(*) > 0 AS auditor_reads_log FROM autoxfer.transfer_log;
SELECT autoxfer.ledger_add('personal', autoxfer.empty_subject_set(), 'x');
DELETE FROM autoxfer.transfer_log;
RESET ROLE;
-- the log is append-only for the administrator and the superuser alike
SET ROLE autoxfer_admin;
UPDATE autoxfer.transfer_log SET recipient = 'nobody';
DELETE FROM autoxfer.transfer_log;
INSERT INTO autoxfer.transfer_log (kind, year, role_name, session_role, subjects_personal, subjects_sensitive)
VALUES ('export', 2025, 'x', 'x', empty_subject_set(), empty_subject_set());
RESET ROLE;
\getenv abs_srcdir PG_ABS_SRCDIR
\set helper :abs_srcdir '/sql/include/try_hint.sql'
\i :helper
SELECT pg_temp.try(s) AS superuser_tries FROM (VALUES
	($$UPDATE autoxfer.transfer_log SET recipient = 'nobody' WHERE kind = 'correction'$$),
	($$DELETE FROM autoxfer.transfer_log WHERE kind = 'manual'$$),
	($$TRUNCATE autoxfer.transfer_log$$)) v(s);
SELECT count(*) AS log_rows, count(*) FILTER (WHERE recipient = 'nobody') AS changed FROM transfer_log;
-- old rows are purged only beyond the retention period (3 years), by the
-- administrator, and the purge is logged
SET ROLE autoxfer_admin;
\set VERBOSITY terse
SELECT purge_transfer_log(current_date);
\set VERBOSITY default
SELECT purge_transfer_log(NULL);
SELECT purge_transfer_log(((now() AT TIME ZONE 'Asia/Shanghai')::date - interval '3 years')::date) AS purged;
RESET ROLE;
SET ROLE autoxfer_exporter;
SELECT purge_transfer_log('2001-01-01');
RESET ROLE;
SELECT kind, role_name, note ~ '^purged 0 rows logged before ' AS note_ok, cardinality(subjects_personal) AS batch
FROM transfer_log WHERE kind = 'purge';
SELECT count(*) AS log_rows FROM transfer_log;

-- bad arguments
SET ROLE autoxfer_admin;
SELECT ledger_add('general', empty_subject_set(), 'acme-de');
SELECT ledger_add('important', empty_subject_set(), 'acme-de');
SELECT ledger_add(NULL, empty_subject_set(), 'acme-de');
SELECT ledger_add('personal', NULL, 'acme-de');
SELECT ledger_add('personal', empty_subject_set(), NULL);
SELECT ledger_add('personal', empty_subject_set(), '  ');
SELECT ledger_add('personal', empty_subject_set(), repeat('x', 201));
-- a set under another salt (fingerprint 0, crafted) is refused, and nothing
-- is written (terse: the detail shows this database's random fingerprint)
\set VERBOSITY terse
SELECT ledger_correct('personal', 'axs1:AQAAAAAAAAAAAAAAAAAAAAAAAAA='::subject_set, 'acme-de', '2025-05-01', 'x');
\set VERBOSITY default
SELECT ledger_count('personal', 2025) AS still_70104;
-- a failing transaction leaves no half write
BEGIN;
SELECT ledger_correct('personal', subject_of('zz'), 'acme-de', '2025-05-01', 'x') AS new_in_tx;
SELECT 1 / 0;
ROLLBACK;
SELECT ledger_count('personal', 2025) AS still_70104_after_rollback;
RESET ROLE;
SELECT count(*) AS log_rows_unchanged FROM transfer_log;

-- the salt cannot change under a non-empty ledger, nor with individuals in
-- the log
SELECT set_subject_salt(NULL);
SELECT set_subject_salt('\x00'::bytea);
BEGIN;
DELETE FROM autoxfer.ledger_recipient;
DELETE FROM autoxfer.ledger;
SELECT set_subject_salt(NULL);
ROLLBACK;
-- with nothing counted it can, and every backend's cache follows
BEGIN;
ALTER TABLE autoxfer.transfer_log DISABLE TRIGGER transfer_log_guard;
DELETE FROM autoxfer.transfer_log;
DELETE FROM autoxfer.ledger_recipient;
DELETE FROM autoxfer.ledger;
SELECT salt_fingerprint() AS fp_before \gset
SELECT length(set_subject_salt(NULL)) AS new_fingerprint_digits;
SELECT salt_fingerprint() <> :'fp_before' AS fingerprint_changed;
SELECT cardinality(subject_of('a') | subject_of('a')) AS hashes_with_new_salt;
ROLLBACK;
SELECT salt_fingerprint() = :'fp_before' AS rolled_back;
SELECT ledger_count('personal', 2025) AS ledger_intact;

-- pg_dump keeps the salt and the ledger
SELECT c.relname, e.extcondition[i] AS condition
FROM pg_extension e, generate_subscripts(e.extconfig, 1) i, pg_class c
WHERE e.extname = 'autoxfer' AND c.oid = e.extconfig[i]
  AND c.relname IN ('subject_salt', 'ledger', 'ledger_recipient', 'transfer_log')
ORDER BY 1;
-- a second salt row (as a restore inserts) replaces the first
BEGIN;
INSERT INTO autoxfer.subject_salt (salt) VALUES ('\x000102030405060708090a0b0c0d0e0f');
SELECT count(*) AS salt_rows, encode(salt, 'hex') AS salt FROM autoxfer.subject_salt GROUP BY salt;
SELECT salt_fingerprint() <> :'fp_before' AS cache_reloaded;
-- known answer: SipHash-2-4 of the empty string under key 00..0f is
-- 0x726fdb47dd0e0e31 (reference vector); a one-member set keeps its low 63
-- bits in the lower word and bit 0 of the upper word
SELECT substr(subject_set_send(subject_of('')), 13) AS one_member_encoding;
ROLLBACK;
SELECT salt_fingerprint() = :'fp_before' AS back_to_original;
