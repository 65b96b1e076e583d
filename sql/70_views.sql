-- The compliance views and functions (issue 11): compliance_status,
-- filing_status, table_summary, transfer_summary, blocked_rows and
-- declaration.  Each case states what the rules give, derived by hand;
-- dates are relative to today in China (the views judge by it), and the
-- fixed year 2025 is booked by corrections.  A database of its own, so the
-- state earlier tests leave does not count.
CREATE DATABASE ax_views;
\c ax_views
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
RESET client_min_messages;
SET search_path = public, autoxfer;
\set VERBOSITY default
\set SHOW_CONTEXT never

\getenv abs_srcdir PG_ABS_SRCDIR
\set helper :abs_srcdir '/sql/include/try_hint.sql'
\i :helper

-- compliance_status -----------------------------------------------------------

-- nothing booked, the processor undeclared: treated as a CIIO (M2), so
-- every transfer of personal information needs an assessment and no
-- threshold changes that
SELECT year = ledger_year(now()) AS this_year, tally, individuals, measure, rule, filing, covered,
	   next_threshold, headroom, rate_30d, crossing_on
FROM compliance_status ORDER BY year, tally;
SELECT set_organisation('Acme Auto (Shanghai)');
SELECT add_purpose('after_sales', 'After-sales service analytics');
SELECT register_recipient(r, c) FROM (VALUES ('r_de', 'DE'), ('r_jp', 'JP'), ('r_us', 'US'), ('r_fr', 'FR')) v(r, c);
SELECT year = ledger_year(now()) AS this_year, tally, individuals, measure, rule, covered,
	   next_threshold, next_measure, headroom
FROM compliance_status ORDER BY year, tally;

-- 2025, booked by corrections: the thresholds at their boundaries
SET ROLE autoxfer_admin;
SELECT ledger_correct('personal', subjects('p' || g), 'r_de', '2025-03-01 12:00+08', 'rebuilt') AS booked
FROM generate_series(1, 99999) g;
RESET ROLE;
SELECT tally, individuals, measure, rule, filing, covered, next_threshold, next_measure, headroom, rate_30d, crossing_on
FROM compliance_status WHERE year = 2025 ORDER BY tally;
SET ROLE autoxfer_admin;
SELECT ledger_correct('personal', subject_of('p100000'), 'r_de', '2025-03-02 12:00+08', 'rebuilt') AS booked;
RESET ROLE;
-- personal at 100,000: a standard contract (M6), none filed: not covered
SELECT tally, individuals, measure, rule, filing, covered, next_threshold, next_measure, headroom
FROM compliance_status WHERE year = 2025 ORDER BY tally;
SET ROLE autoxfer_admin;
SELECT ledger_correct('sensitive_personal', subjects('s' || g), 'r_jp', '2025-04-01 12:00+08', 'incident') AS booked
FROM generate_series(1, 9999) g;
RESET ROLE;
-- sensitive at 9,999: a contract (M6), one short of the assessment (M4);
-- the same individuals count on the personal tally too: 109,999
SELECT tally, individuals, measure, rule, filing, covered, next_threshold, next_measure, headroom
FROM compliance_status WHERE year = 2025 ORDER BY tally;
SET ROLE autoxfer_admin;
SELECT ledger_correct('sensitive_personal', subject_of('s10000'), 'r_jp', '2025-04-02 12:00+08', 'incident') AS booked;
RESET ROLE;
-- sensitive at 10,000: an assessment (M4); personal at 110,000, and the M3
-- tier with its parameter lowered to that: an assessment
UPDATE parameter SET value = 110000 WHERE name = 'm3_individuals';
SELECT tally, individuals, measure, rule, covered, next_threshold, next_measure, headroom
FROM compliance_status WHERE year = 2025 ORDER BY tally;
UPDATE parameter SET value = 110001 WHERE name = 'm3_individuals';
SELECT tally, individuals, measure, rule, next_threshold, headroom
FROM compliance_status WHERE year = 2025 AND tally = 'personal';
UPDATE parameter SET value = 1000000 WHERE name = 'm3_individuals';

-- the covering filing: the widest in force today of the measure needed
-- (2025: personal needs a contract, sensitive an assessment)
CREATE TEMP TABLE d AS SELECT autoxfer._today() AS today;
SELECT record_filing('standard_contract', 'r_fr', NULL, 'SC-FR-REVOKED', (SELECT today - 400 FROM d), filed_on => (SELECT today - 399 FROM d)) AS sc_revoked \gset
SELECT revoke_filing(:sc_revoked, 'terminated');
SELECT record_filing('certification', NULL, NULL, 'CERT-OLD', (SELECT today - 1200 FROM d)) AS cert_expired;
SELECT record_filing('standard_contract', 'r_us', NULL, 'SC-US-UNFILED', (SELECT today - 100 FROM d)) AS sc_unfiled;
SELECT record_filing('standard_contract', 'r_us', NULL, 'SC-US-LATE', (SELECT today - 100 FROM d), filed_on => (SELECT today - 50 FROM d)) AS sc_late;
SELECT record_filing('standard_contract', 'r_jp', NULL, 'SC-JP-FUTURE', (SELECT today + 10 FROM d)) AS sc_future;
SELECT tally, measure, filing, covered FROM compliance_status WHERE year = 2025 ORDER BY tally;
-- a contract of r_de for at most 80,000 (96,000 with 20% growth): r_de's
-- count of 2025 is 100,000, past it; the same maximum for r_fr, whose
-- count of 2025 is 0, covers, and so does one of r_de for 200,000: the
-- larger maximum is the wider
SELECT record_filing('standard_contract', 'r_de', NULL, 'SC-DE-80K', (SELECT today - 30 FROM d),
					 filed_on => (SELECT today - 29 FROM d), max_individuals => 80000) AS sc_de_80k;
SELECT tally, measure, filing, covered FROM compliance_status WHERE year = 2025 ORDER BY tally;
SELECT record_filing('standard_contract', 'r_fr', NULL, 'SC-FR-80K', (SELECT today - 30 FROM d),
					 filed_on => (SELECT today - 29 FROM d), max_individuals => 80000) AS sc_fr_80k;
SELECT record_filing('standard_contract', 'r_de', NULL, 'SC-DE-200K', (SELECT today - 30 FROM d),
					 filed_on => (SELECT today - 29 FROM d), max_individuals => 200000) AS sc_de_200k;
SELECT tally, measure, filing_reference, filing_recipient, covered FROM compliance_status WHERE year = 2025 ORDER BY tally;
-- no maximum is wider than any; a contract of personal data only does not
-- cover the sensitive tally; a certification covers a contract's need
SELECT record_filing('standard_contract', 'r_de', NULL, 'SC-DE-OPEN', (SELECT today - 30 FROM d),
					 filed_on => (SELECT today - 29 FROM d), categories => '{personal}') AS sc_de_open;
SELECT tally, measure, filing_reference, covered FROM compliance_status WHERE year = 2025 ORDER BY tally;
-- the sensitive tally needs an assessment: only an assessment covers it
SELECT record_filing('security_assessment', 'r_jp', NULL, 'SA-JP', (SELECT today - 300 FROM d)) AS sa_jp;
SELECT tally, measure, filing_reference, filing_recipient, covered FROM compliance_status WHERE year = 2025 ORDER BY tally;

-- this year: the last 30 days' rate and the day it crosses the threshold
SET ROLE autoxfer_admin;
SELECT ledger_add('personal', subjects('n' || g), 'r_fr') AS booked FROM generate_series(1, 99000) g;
SELECT ledger_add('sensitive_personal', subject_of('ns1'), 'r_jp') AS booked;
RESET ROLE;
-- a booking logged 31 days ago is not in the rate (the superuser writes
-- the row autoxfer.export would write; nothing else writes the log)
INSERT INTO transfer_log (kind, logged_at, booked_at, year, role_name, session_role, recipient, purpose,
						  new_personal, subjects_personal, subjects_sensitive)
VALUES ('export', now() - interval '31 days', now() - interval '31 days', ledger_year(now()), 'exporter', 'exporter',
		'r_fr', 'after_sales', 50000, empty_subject_set(), empty_subject_set());
-- personal: 999 left to 100,000 at 99,001 / 30 = 3,300.0 a day (the
-- sensitive individual counts on it too): crossed tomorrow, unless today
-- is 31 December; sensitive: 1 in 30 days would need 299,970 days for the
-- 9,999 left: not this year
SELECT tally, individuals, measure, rule, next_threshold, headroom, rate_30d,
	   crossing_on IS NOT DISTINCT FROM CASE WHEN today = make_date(extract(year FROM today)::int, 12, 31) THEN NULL
											 ELSE today + 1 END AS crossing_as_expected
FROM compliance_status, d WHERE year = ledger_year(now()) AND tally = 'personal';
SELECT tally, individuals, measure, rule, next_threshold, headroom, rate_30d, crossing_on
FROM compliance_status WHERE year = ledger_year(now()) AND tally = 'sensitive_personal';

-- filing_status -----------------------------------------------------------------

-- an assessment that expires in 29 days (inside its 60 working days), one
-- in a year (outside), one expired 11 days ago
SELECT record_filing('security_assessment', 'r_us', NULL, 'SA-US-EXPIRING',
					 (SELECT (today + 30 - interval '3 years')::date FROM d)) AS sa_expiring \gset
SELECT record_filing('security_assessment', 'r_us', NULL, 'SA-US-EXPIRED', (SELECT (today - 10 - interval '3 years')::date FROM d));
SELECT record_filing('standard_contract', 'r_us', NULL, 'SC-US-NEW', (SELECT today - 1 FROM d));
-- r_fr's count this year is 99,001: against a maximum of 90,000 (108,000
-- with the growth allowance) and of 80,000 (96,000)
SELECT record_filing('standard_contract', 'r_fr', NULL, 'SC-FR-90K', (SELECT today - 20 FROM d),
					 filed_on => (SELECT today - 20 FROM d), max_individuals => 90000);
-- (the days to expiry by their sign: three years are 1,095 or 1,096 days)
SELECT f.reference, f.measure, f.recipient, sign(f.days_to_expiry) AS expiry_sign,
	   f.days_to_expiry = f.valid_until - d.today AS days_right,
	   f.expired, f.revoked, f.in_force, f.in_extension_window,
	   f.filing_deadline = add_working_days(f.approved_on, 10) AS deadline_is_10_working_days,
	   f.filed_late, f.filing_overdue, f.max_individuals, f.allowance, f.individuals, f.allowance_used_pct,
	   f.over_allowance, f.status
FROM filing_status f, d ORDER BY f.id;
-- the extension window is the last 60 working days up to valid_until: it
-- opens on a working day with 60 working days from it to the expiry
SELECT is_working_day(extension_window_opens) AS opens_on_working_day,
	   working_days_between(extension_window_opens - 1, valid_until) AS working_days_in_window,
	   working_days_between(extension_window_opens, valid_until) AS after_the_first
FROM filing_status WHERE reference = 'SA-US-EXPIRING';
-- a public holiday inside the window moves its start a working day back
SELECT extension_window_opens AS opens_before FROM filing_status WHERE reference = 'SA-US-EXPIRING' \gset
INSERT INTO working_day_override VALUES (:'opens_before', false, 'a holiday');
SELECT extension_window_opens < :'opens_before' AS moved_back, is_working_day(extension_window_opens) AS on_working_day,
	   working_days_between(extension_window_opens, :'opens_before') AS working_days_between_the_two,
	   working_days_between(extension_window_opens - 1, valid_until) AS working_days_in_window
FROM filing_status WHERE reference = 'SA-US-EXPIRING';
DELETE FROM working_day_override;
-- the extension_window_working_days parameter sets the window
UPDATE parameter SET value = 10 WHERE name = 'extension_window_working_days';
SELECT working_days_between(extension_window_opens - 1, valid_until) AS working_days_in_window, in_extension_window
FROM filing_status WHERE reference = 'SA-US-EXPIRING';
UPDATE parameter SET value = 60 WHERE name = 'extension_window_working_days';

-- table_summary ------------------------------------------------------------------

CREATE TABLE cam (id int PRIMARY KEY, owner_id text, face boolean, plate boolean, secret_note text);
SELECT declare_column('cam', 'face', 'faces_visible'), declare_column('cam', 'plate', 'plates_visible');
SELECT protect('cam', 'connected_operation', 'owner_id');
-- 60 rows: 10 with a face (I5, important/blocked), 30 more with an owner
-- (C2, personal), 20 general
INSERT INTO cam SELECT g, CASE WHEN g <= 40 THEN 'owner' || (g % 7) END, g <= 10, false, 'SECRET-VALUE-' || g
FROM generate_series(1, 60) g;
CREATE TABLE empty_t (id int, owner_id text);
SELECT protect('empty_t', 'other', 'owner_id');
CREATE TABLE parts (id int, owner_id text, ts date) PARTITION BY RANGE (ts);
CREATE TABLE parts_2025 PARTITION OF parts FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE parts_2026 PARTITION OF parts FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
SELECT protect('parts', 'production', 'owner_id');
INSERT INTO parts SELECT g, 'o' || g, '2025-06-01'::date + g * 2 FROM generate_series(1, 200) g;
SELECT tbl, scenario, generation, readable, category, mark, rows, stale, elements, rules FROM table_summary;
-- the same as count(*) of each table
SELECT s.tbl, sum(s.rows) AS summary_rows,
	   (SELECT count(*) FROM cam) AS cam, (SELECT count(*) FROM parts) AS parts, (SELECT count(*) FROM empty_t) AS empty_t
FROM table_summary s GROUP BY s.tbl ORDER BY s.tbl::text;
-- a rule change makes the labels stale until they are relabelled
UPDATE parameter SET value = 45 WHERE name = 'i2_precision_m';
SELECT tbl, generation, category, mark, rows, stale FROM table_summary WHERE tbl = 'cam'::regclass;
SELECT reclassify('cam') AS relabelled;
SELECT tbl, generation, category, mark, rows, stale FROM table_summary WHERE tbl = 'cam'::regclass;

-- the aggregate behind table_summary gives GROUP BY's counts, serially and
-- in a parallel plan (partial tallies serialised and merged)
CREATE TABLE many AS
SELECT (ARRAY['general/exportable', 'personal/conditional rule=102', 'important/blocked rule=5 gen=7',
			  'core/blocked rule=105'])[1 + g % 4]::label AS l
FROM generate_series(1, 100000) g;
INSERT INTO many VALUES (NULL);
CREATE FUNCTION pg_temp.plan(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	p text := '';
BEGIN
	FOR r IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		p := p || r || E'\n';
	END LOOP;
	RETURN p;
END $$;
SELECT _label_tally(l) = (SELECT array_agg(ROW(x.l, x.n)::label_count ORDER BY x.l)
						  FROM (SELECT l, count(*) AS n FROM many WHERE l IS NOT NULL GROUP BY l) x) AS same_as_group_by,
	   cardinality(_label_tally(l)) AS labels
FROM many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT pg_temp.plan('SELECT autoxfer._label_tally(l) FROM many') ~ 'Partial Aggregate' AS parallel_plan;
SELECT _label_tally(l) = (SELECT array_agg(ROW(x.l, x.n)::label_count ORDER BY x.l)
						  FROM (SELECT l, count(*) AS n FROM many WHERE l IS NOT NULL GROUP BY l) x) AS same_in_parallel
FROM many;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT _label_tally(l) AS no_rows FROM many WHERE false;
DROP TABLE many;

-- transfer_summary ---------------------------------------------------------------

-- exports, as autoxfer.export will log them (the superuser writes the rows
-- here): 2025-01-31 20:00 UTC is 1 February in China, 15:00 UTC still
-- 31 January; the most demanding measure of a transfer is its measure
INSERT INTO transfer_log (kind, logged_at, booked_at, year, role_name, session_role, recipient, purpose, tbl,
						  rows_returned, rows_withheld, withheld, new_personal, new_sensitive, measures,
						  subjects_personal, subjects_sensitive)
VALUES ('export', '2025-01-31 20:00+00', '2025-01-31 20:00+00', 2025, 'exporter', 'exporter', 'r_de', 'after_sales', 'public.cam',
		100, 7, '{"not_exportable": 4, "stale": 2, "excess": 1}', 0, 0, '{exempt,standard_contract}',
		empty_subject_set(), empty_subject_set()),
	   ('export', '2025-02-10 01:00+00', '2025-02-10 01:00+00', 2025, 'exporter', 'exporter', 'r_de', 'after_sales', 'public.cam',
		50, 3, '{"no_subject": 3}', 0, 0, '{standard_contract}', empty_subject_set(), empty_subject_set()),
	   ('export', '2025-01-31 15:00+00', '2025-01-31 15:00+00', 2025, 'exporter', 'exporter', 'r_de', 'after_sales', 'public.cam',
		10, 0, '{}', 0, 0, '{none}', empty_subject_set(), empty_subject_set());
SELECT month, year, recipient, purpose, measure, transfers, exports, by_hand, rows_returned, rows_withheld,
	   withheld_not_exportable, withheld_stale, withheld_no_subject, withheld_excess, new_personal, new_sensitive
FROM transfer_summary WHERE year = 2025;
-- the log's individuals of a year add up to the ledger's
SELECT l.year, l.tally, l.individuals,
	   (SELECT sum(CASE WHEN l.tally = 'personal' THEN t.new_personal ELSE t.new_sensitive END)
		FROM transfer_summary t WHERE t.year = l.year) AS from_summary
FROM ledger_status l WHERE l.year = 2025 ORDER BY l.tally;
-- a purge leaves a row of its own, which is no transfer (the export of
-- 2019 to purge is written by the superuser, as autoxfer.export would)
INSERT INTO transfer_log (kind, logged_at, booked_at, year, role_name, session_role, recipient, purpose,
						  new_personal, subjects_personal, subjects_sensitive)
VALUES ('export', '2019-05-01 12:00+08', '2019-05-01 12:00+08', 2019, 'exporter', 'exporter', 'r_de', 'after_sales',
		0, empty_subject_set(), empty_subject_set());
SELECT count(*) AS summary_rows_2019 FROM transfer_summary WHERE year = 2019;
SET ROLE autoxfer_admin;
SELECT purge_transfer_log('2020-01-01') AS purged;
RESET ROLE;
SELECT (SELECT count(*) FROM transfer_log WHERE kind = 'purge') AS purge_rows,
	   (SELECT count(*) FROM transfer_summary WHERE year = 2019 OR recipient IS NULL) AS in_summary;

-- blocked_rows ----------------------------------------------------------------------

-- without a recipient: the rows marked blocked, with their rule and clause
SELECT tbl, row_ctid IS NOT NULL AS has_ctid, row_key, category, mark, stale, rule, left(clause, 40) AS clause,
	   exportable, measure, reason
FROM blocked_rows('cam') ORDER BY (row_key ->> 'id')::int LIMIT 3;
SELECT count(*) AS blocked FROM blocked_rows('cam');
-- with a recipient and purpose: the rows its verdict refuses and why.
-- This year's personal count, 99,001, exempts personal rows (M7, E5);
-- important data needs an assessment: r_fr has only contracts, r_jp an
-- assessment in force
SELECT rule, category, exportable, measure, verdict_rule, count(*) FROM blocked_rows('cam', 'r_fr', 'after_sales')
GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2;
SELECT DISTINCT category, reason FROM blocked_rows('cam', 'r_fr', 'after_sales') ORDER BY 1;
SELECT count(*) AS refused_to_r_jp FROM blocked_rows('cam', 'r_jp', 'after_sales');
-- stale rows are listed too, and withheld whatever the verdict
UPDATE parameter SET value = 50 WHERE name = 'i2_precision_m';
SELECT stale, exportable, count(*) FROM blocked_rows('cam', 'r_jp', 'after_sales') GROUP BY 1, 2;
SELECT DISTINCT left(reason, 120) AS reason FROM blocked_rows('cam', 'r_jp', 'after_sales');
SELECT count(*) FILTER (WHERE stale) AS stale, count(*) FILTER (WHERE mark = 'blocked') AS blocked, count(*) FROM blocked_rows('cam');
-- partitions: each row with its leaf table
SELECT tbl, stale, count(*) FROM blocked_rows('parts') GROUP BY 1, 2 ORDER BY 1;
SELECT reclassify('cam') + reclassify('parts') AS relabelled;
SELECT count(*) AS after_relabelling FROM blocked_rows('parts');
-- bad calls
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT * FROM autoxfer.blocked_rows(NULL)$$),
	($$SELECT * FROM autoxfer.blocked_rows('pg_class')$$),
	($$SELECT * FROM autoxfer.blocked_rows('cam', NULL, 'after_sales')$$),
	($$SELECT * FROM autoxfer.blocked_rows('cam', 'nobody', 'after_sales')$$),
	($$SELECT * FROM autoxfer.blocked_rows('cam', 'r_us', 'spying')$$),
	($$SELECT * FROM autoxfer.blocked_rows('cam', 'r_us')$$)) v(s);

-- declaration --------------------------------------------------------------------------

-- what a filing for r_fr and after_sales would describe: kinds, counts,
-- never a value (the sizes in bytes vary with the server's layout, the
-- year with the calendar)
SELECT jsonb_pretty(jsonb_set(jsonb_set(jsonb_set(declaration('r_fr', 'after_sales') - 'as_of' - 'filings', '{total,bytes}', '"(size)"'),
										'{sent_this_year,year}', '"(this year)"'),
							  '{tables}', (SELECT jsonb_agg(t - 'bytes') FROM jsonb_array_elements(declaration('r_fr', 'after_sales') -> 'tables') t)));
SELECT (declaration('r_fr', 'after_sales') #>> '{sent_this_year,year}')::int = ledger_year(now()) AS sent_this_year_is_this_year;
SELECT t ->> 'table' AS tbl, (t ->> 'bytes')::bigint > 0 AS has_bytes
FROM jsonb_array_elements(declaration('r_fr', 'after_sales') -> 'tables') t;
SELECT jsonb_array_length(declaration('r_us', 'after_sales') -> 'filings') AS filings_for_r_us,
	   jsonb_array_length(declaration(NULL, NULL) -> 'recipients') AS every_recipient,
	   declaration(NULL, NULL) -> 'tables' -> 0 ? 'measures' AS measures_need_a_recipient;
-- the distinct individuals per tally are exact
SELECT (declaration('r_us', 'after_sales') #>> '{total,individuals,personal}')::int
	   = (SELECT count(DISTINCT owner_id) FROM cam) + (SELECT count(DISTINCT owner_id) FROM parts) AS individuals_exact;
SELECT declaration('r_us', 'after_sales')::text ~ 'SECRET-VALUE|owner[0-9]|"o[0-9]' AS shows_data;
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT autoxfer.declaration('nobody', NULL)$$),
	($$SELECT autoxfer.declaration(NULL, 'spying')$$)) v(s);

-- who may read ----------------------------------------------------------------------------

-- the auditor reads the views, and a protected table's counts only with
-- SELECT on its label column; rows only with SELECT on the table
CREATE ROLE ax_views_auditor IN ROLE autoxfer_auditor;
CREATE ROLE ax_views_nobody;
GRANT USAGE ON SCHEMA autoxfer TO ax_views_nobody;
GRANT SELECT (xfer_label) ON cam TO ax_views_auditor;
SET ROLE ax_views_auditor;
SELECT tbl, readable, category, mark, rows, stale FROM autoxfer.table_summary ORDER BY tbl::text, category, mark;
SELECT count(*) AS compliance_rows FROM autoxfer.compliance_status;
SELECT count(*) AS filing_rows FROM autoxfer.filing_status;
SELECT count(*) > 0 AS transfer_rows FROM autoxfer.transfer_summary;
SELECT pg_temp.try($$SELECT * FROM autoxfer.blocked_rows('cam')$$) AS blocked_rows_of_cam;
SELECT pg_temp.try($$SELECT * FROM autoxfer.blocked_rows('parts', 'r_us', 'after_sales')$$) AS blocked_rows_of_parts;
SELECT t -> 'table' AS tbl, t -> 'readable' AS readable, t ? 'rows' AS has_rows
FROM jsonb_array_elements(autoxfer.declaration(NULL, NULL) -> 'tables') t;
SELECT pg_temp.try($$SELECT secret_note FROM cam$$) AS reads_cam;
RESET ROLE;
GRANT SELECT ON cam TO ax_views_auditor;
SET ROLE ax_views_auditor;
SELECT count(*) AS blocked_rows_with_select FROM autoxfer.blocked_rows('cam');
RESET ROLE;
-- PUBLIC, the exporter: none of it
SET ROLE ax_views_nobody;
SELECT pg_temp.try(s) AS error FROM (VALUES
	($$SELECT * FROM autoxfer.compliance_status$$), ($$SELECT * FROM autoxfer.filing_status$$),
	($$SELECT * FROM autoxfer.table_summary$$), ($$SELECT * FROM autoxfer.transfer_summary$$),
	($$SELECT * FROM autoxfer._label_counts()$$), ($$SELECT * FROM autoxfer.blocked_rows('cam')$$),
	($$SELECT autoxfer.declaration(NULL, NULL)$$)) v(s);
RESET ROLE;
SET ROLE autoxfer_exporter;
SELECT pg_temp.try($$SELECT * FROM autoxfer.compliance_status$$) AS exporter;
RESET ROLE;
-- every view and function of the pieces: the auditor and the admin, not
-- PUBLIC
SELECT o.name, has_table_privilege('autoxfer_auditor', o.name, 'SELECT') AS auditor,
	   has_table_privilege('autoxfer_admin', o.name, 'SELECT') AS admin,
	   has_table_privilege('ax_views_nobody', o.name, 'SELECT') AS public
FROM (VALUES ('autoxfer.compliance_status'), ('autoxfer.filing_status'), ('autoxfer.table_summary'),
			 ('autoxfer.transfer_summary')) o(name);
SELECT p.oid::regprocedure AS function, has_function_privilege('autoxfer_auditor', p.oid, 'EXECUTE') AS auditor,
	   has_function_privilege('autoxfer_admin', p.oid, 'EXECUTE') AS admin,
	   has_function_privilege('ax_views_nobody', p.oid, 'EXECUTE') AS public,
	   p.prosecdef AS security_definer,
	   p.proconfig @> '{"search_path=pg_catalog, pg_temp"}' AS pinned_path
FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
	 JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'autoxfer'
WHERE p.proname IN ('blocked_rows', 'declaration', '_compliance_status', '_filing_status', '_label_counts',
					'_label_counts_json', '_table_summary', '_table_summary_of', '_transfer_summary', '_timezone',
					'_today', '_param', '_working_day_back')
ORDER BY 1::text;

-- a hostile search_path: the reader's schema shadows the operators and
-- functions the views use; none of the shadows runs
CREATE SCHEMA evil AUTHORIZATION ax_views_auditor;
CREATE TABLE public.shadow_log (what text);
GRANT INSERT ON public.shadow_log TO PUBLIC;
SET ROLE ax_views_auditor;
CREATE FUNCTION evil.eq(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('=(text, text)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.eq);
CREATE FUNCTION evil.eq(a integer, b integer) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('=(int, int)'); RETURN a OPERATOR(pg_catalog.=) b; END $$;
CREATE OPERATOR evil.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = evil.eq);
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('now()'); RETURN '2000-01-01'; END $$;
CREATE FUNCTION evil.has_table_privilege(r regclass, p text) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('has_table_privilege'); RETURN true; END $$;
CREATE FUNCTION evil.has_column_privilege(r regclass, c text, p text) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('has_column_privilege'); RETURN true; END $$;
CREATE FUNCTION evil.eq(a regclass, b regclass) RETURNS boolean LANGUAGE plpgsql AS
	$$ BEGIN INSERT INTO public.shadow_log VALUES ('=(regclass, regclass)'); RETURN a::oid OPERATOR(pg_catalog.=) b::oid; END $$;
CREATE OPERATOR evil.= (LEFTARG = regclass, RIGHTARG = regclass, FUNCTION = evil.eq);
SET search_path = evil, pg_catalog, public;
SELECT count(*) > 0 AS read FROM autoxfer.compliance_status;
SELECT count(*) > 0 AS read FROM autoxfer.filing_status;
SELECT count(*) > 0 AS read FROM autoxfer.table_summary;
SELECT count(*) > 0 AS read FROM autoxfer.transfer_summary;
SELECT count(*) > 0 AS read FROM autoxfer.blocked_rows('cam', 'r_fr', 'after_sales');
SELECT autoxfer.declaration('r_fr', 'after_sales') -> 'tables' -> 0 -> 'readable' AS cam_readable,
	   autoxfer.declaration('r_fr', 'after_sales') -> 'tables' -> 1 -> 'readable' AS empty_t_readable;
-- the shadows are there: they run where the path reaches them
SELECT has_table_privilege('public.empty_t'::regclass, 'SELECT') AS shadowed;
RESET search_path;
RESET ROLE;
SELECT what, count(*) AS shadows_run FROM public.shadow_log GROUP BY 1;

\c autoxfer_regression
DROP DATABASE ax_views;
DROP ROLE ax_views_auditor, ax_views_nobody;
