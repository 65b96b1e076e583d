-- The yearly ledger of individuals sent abroad: year in autoxfer.timezone,
-- exact unions, per-recipient breakdown, privileges and bad input.
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

-- adds: a transfer at 2026-12-31 23:30 UTC counts in 2027
SET ROLE autoxfer_exporter;
SELECT ledger_add('personal', subjects(x), 'acme-de', '2026-12-31 23:30+00') AS new_acme_de
FROM unnest('{a,b,c}'::text[]) x;
SELECT ledger_add('personal', subjects(x), 'acme-us', '2027-03-01 12:00+08') AS new_acme_us
FROM unnest('{b,c,d}'::text[]) x;
SELECT ledger_add('personal', subjects(x), 'acme-de', '2027-06-01 12:00+08') AS new_again
FROM unnest('{a,d}'::text[]) x;
SELECT ledger_add('sensitive_personal', subjects(x), 'acme-de', '2026-12-31 15:00+00') AS new_2026_sensitive
FROM unnest('{a}'::text[]) x;
SELECT ledger_add('personal', empty_subject_set(), 'acme-fr', '2027-01-02') AS new_empty;
SELECT ledger_count('personal', 2027) AS personal_2027, ledger_count('personal', 2026) AS personal_2026,
       ledger_count('sensitive_personal', 2026) AS sensitive_2026,
       ledger_count('sensitive_personal', 2027) AS sensitive_2027;
SELECT year, tally, individuals FROM ledger_status ORDER BY year, tally;
SELECT year, tally, recipient, individuals FROM ledger_recipient_status ORDER BY year, tally, recipient;
-- the stored set is the exact union and its count is its cardinality
SELECT ledger_subjects('personal', 2027) = (SELECT subjects(x) FROM unnest('{a,b,c,d}'::text[]) x) AS exact_union,
       cardinality(ledger_subjects('personal', 2027)) = ledger_count('personal', 2027) AS count_matches,
       ledger_subjects('personal', 2027) @> 'd' AS has_d, ledger_subjects('personal', 2027) @> 'e' AS has_e,
       cardinality(ledger_subjects('personal', 2027, 'acme-us')) AS acme_us,
       cardinality(ledger_subjects('personal', 1999)) AS none_in_1999;
-- compaction: beyond 65536 recent individuals the year's part is rewritten
SELECT ledger_add('personal', subjects('C' || g), 'acme-cn', '2027-07-01') AS added
FROM generate_series(1, 70000) g;
SELECT cardinality(subjects) AS compacted, cardinality(recent) AS recent, individuals
FROM ledger WHERE year = 2027 AND tally = 'personal';
SELECT ledger_add('personal', subjects('C' || g), 'acme-cn', '2027-07-02') AS added_after
FROM generate_series(69001, 70100) g;
SELECT cardinality(subjects) AS compacted, cardinality(recent) AS recent, individuals,
       cardinality(set_intersect(subjects, recent)) AS overlap,
       ledger_subjects('personal', 2027) = (SELECT subjects(x) FROM (SELECT 'C' || g FROM generate_series(1, 70100) g
                                              UNION ALL SELECT unnest('{a,b,c,d}'::text[])) v(x)) AS exact
FROM ledger WHERE year = 2027 AND tally = 'personal';
-- ledger_count of the current year exists (0 or more)
SELECT ledger_count('personal') >= 0 AS current_year_ok;

-- the exporter cannot write the tables directly, nor change the salt
INSERT INTO autoxfer.ledger VALUES (2027, 'personal', autoxfer.empty_subject_set(), autoxfer.empty_subject_set(), 0);
UPDATE autoxfer.ledger SET individuals = 0;
DELETE FROM autoxfer.ledger_recipient;
SELECT autoxfer.set_subject_salt(NULL);
RESET ROLE;
-- the auditor reads, and cannot add
SET ROLE autoxfer_auditor;
SELECT count(*) AS auditor_rows FROM autoxfer.ledger_status;
SELECT autoxfer.ledger_add('personal', autoxfer.empty_subject_set(), 'x');
RESET ROLE;

-- bad arguments
SELECT ledger_add('general', empty_subject_set(), 'acme-de');
SELECT ledger_add('important', empty_subject_set(), 'acme-de');
SELECT ledger_add(NULL, empty_subject_set(), 'acme-de');
SELECT ledger_add('personal', NULL, 'acme-de');
SELECT ledger_add('personal', empty_subject_set(), NULL);
SELECT ledger_add('personal', empty_subject_set(), '  ');
SELECT ledger_add('personal', empty_subject_set(), 'acme-de', NULL);
SELECT ledger_add('personal', empty_subject_set(), 'acme-de', 'infinity');
-- a set under another salt (fingerprint 0, crafted) is refused, and nothing
-- is written (terse: the detail shows this database's random fingerprint)
\set VERBOSITY terse
SELECT ledger_add('personal', 'axs1:AQAAAAAAAAAAAAAAAAAAAAAAAAA='::subject_set, 'acme-de', '2027-05-01');
\set VERBOSITY default
SELECT ledger_count('personal', 2027) AS still_70104;
-- a failing transaction leaves no half write
BEGIN;
SELECT ledger_add('personal', subject_of('zz'), 'acme-de', '2027-05-01') AS new_in_tx;
SELECT 1 / 0;
ROLLBACK;
SELECT ledger_count('personal', 2027) AS still_70104_after_rollback;

-- the salt cannot change under a non-empty ledger
SELECT set_subject_salt(NULL);
SELECT set_subject_salt('\x00'::bytea);
-- with the ledger emptied it can, and every backend's cache follows
BEGIN;
DELETE FROM autoxfer.ledger_recipient;
DELETE FROM autoxfer.ledger;
SELECT salt_fingerprint() AS fp_before \gset
SELECT length(set_subject_salt(NULL)) AS new_fingerprint_digits;
SELECT salt_fingerprint() <> :'fp_before' AS fingerprint_changed;
SELECT cardinality(subject_of('a') | subject_of('a')) AS hashes_with_new_salt;
ROLLBACK;
SELECT salt_fingerprint() = :'fp_before' AS rolled_back;
SELECT ledger_count('personal', 2027) AS ledger_intact;

-- pg_dump keeps the salt and the ledger
SELECT c.relname, e.extcondition[i] AS condition
FROM pg_extension e, generate_subscripts(e.extconfig, 1) i, pg_class c
WHERE e.extname = 'autoxfer' AND c.oid = e.extconfig[i]
  AND c.relname IN ('subject_salt', 'ledger', 'ledger_recipient')
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
