-- The yearly report, autoxfer.report(year): one self-contained HTML page.
-- Its structure is checked here in SQL (every tag it contains, escaping of
-- every text that comes from data, grouped numbers, ISO dates, A4, no
-- script and no network); test/t/075_report_browser.pl renders it in
-- Chromium and compares what a reader sees with the views.  A database of
-- its own.
CREATE DATABASE ax_report;
\c ax_report
SET client_min_messages = warning;
CREATE EXTENSION autoxfer;
RESET client_min_messages;
SET search_path = public, autoxfer;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the formatting helpers
SELECT _num(0) AS zero, _num(999) AS small, _num(100000) AS grouped, _num(-1234567) AS negative,
	   _num(9223372036854775807) AS widest, _num(12.345) AS one_decimal, _num(NULL) AS null_;
SET datestyle = 'German, DMY';
SELECT _iso('2026-02-03') AS iso, _iso(NULL) AS null_;
RESET datestyle;
SELECT _html($$<script>alert("x") & 'y'</script>$$) AS escaped, _html(NULL) = '' AS null_is_empty;
SELECT _nice_step(x) AS step FROM unnest('{0,4,9,12,55,120,1000,1120000}'::numeric[]) x;

-- hostile names wherever data becomes text: the organisation, recipients,
-- filing references, a table, a rule's clause
SELECT set_organisation('Acme <Auto> & "Partners"');
SELECT add_purpose('after_sales', 'After-sales service analytics');
SELECT register_recipient('acme-gmbh', 'DE'), register_recipient('<script>alert("r&d")</script>', 'US'),
	   register_recipient('O''Brien & Co', 'IE');
SELECT record_filing('standard_contract', 'acme-gmbh', '{after_sales}', 'SC-DE-2025-01', '2025-01-06',
					 filed_on => '2025-01-10', max_individuals => 150000);
SELECT record_filing('standard_contract', '<script>alert("r&d")</script>', NULL, '<b>SC</b> & "US"', '2025-10-02');
SELECT record_filing('security_assessment', 'O''Brien & Co', NULL, 'SA-''IE''', '2024-02-01');
SET ROLE autoxfer_admin;
SELECT sum(ledger_correct('personal', s, 'acme-gmbh', make_timestamptz(2025, m, 15, 10, 0, 0, 'Asia/Shanghai'), 'rebuilt')) AS booked
FROM (SELECT m, subjects('p' || g) AS s FROM generate_series(1, 12) m, generate_series((m - 1) * 10000 + 1, m * 10000) g GROUP BY m) x;
SELECT ledger_correct('sensitive_personal', subjects('s' || g), '<script>alert("r&d")</script>', '2025-11-03 09:00+08', 'found late') AS booked
FROM generate_series(1, 1234) g;
RESET ROLE;
-- exports (the superuser writes the rows autoxfer.export will write)
INSERT INTO transfer_log (kind, booked_at, logged_at, year, role_name, session_role, recipient, purpose, tbl,
						  rows_returned, rows_withheld, withheld, measures, subjects_personal, subjects_sensitive)
SELECT 'export', ts, ts, 2025, 'exporter', 'exporter', 'O''Brien & Co', 'after_sales', 'public.cam',
	   1000, 40, '{"not_exportable": 30, "stale": 5, "no_subject": 4, "excess": 1}', '{security_assessment}',
	   empty_subject_set(), empty_subject_set()
FROM generate_series(1, 12) m, LATERAL (SELECT make_timestamptz(2025, m, 5, 3, 0, 0, 'Asia/Shanghai') AS ts) t;
CREATE TABLE cam (id int PRIMARY KEY, owner_id text, has_face boolean);
SELECT declare_column('cam', 'has_face', 'faces_visible');
SELECT protect('cam', 'connected_operation', 'owner_id');
INSERT INTO cam SELECT g, 'owner' || (g % 70), g % 7 = 0 FROM generate_series(1, 700) g;
CREATE TABLE "charging <ops> & ""co""" (id int, site text, charging boolean);
SELECT declare_column('"charging <ops> & ""co"""', 'charging', 'charging_network');
INSERT INTO rule (code, predicate, category, clause) VALUES
	('HX1', 'charging_network', 'important', '<img src=x onerror=alert(1)> & "clause" of the DBA');
SELECT protect('"charging <ops> & ""co"""', 'rd_design', 'NULL::text');
INSERT INTO "charging <ops> & ""co""" SELECT g, 's' || g, g % 3 = 0 FROM generate_series(1, 90) g;

CREATE TEMP TABLE r AS SELECT report(2025) AS html;
-- one page, every tag it contains (a hostile name that escaped its
-- escaping would add a tag: script, img, b)
SELECT left(html, 15) AS starts, right(html, 7) AS ends FROM r;
SELECT string_agg(t, ' ' ORDER BY t) AS tags
FROM (SELECT DISTINCT lower(m[1]) AS t FROM r, regexp_matches(html, '<([A-Za-z!][A-Za-z0-9]*)', 'g') m) x;
-- no script, no network: no tag refers to anything outside the page (a
-- real tag is the only place a < stands unescaped), the only url() is the
-- page's own hatch pattern, and no tag has an event handler
SELECT html ~* '<script' AS has_script, html ~* '<[^>]*(\s(src|href|action|srcset)=|https?:|//)' AS tag_fetches,
	   html ~* '@import' AS css_import,
	   (SELECT array_agg(DISTINCT m[1]) FROM regexp_matches(html, 'url\(([^)]*)\)', 'g') m) AS urls,
	   html ~* '<[^>]*\son[a-z]+=' AS event_attributes,
	   html ~* ' src=' AS src_in_text
FROM r;
-- every hostile text is there, escaped, and never raw
SELECT position(x IN html) > 0 AS raw_present, position(_html(x) IN html) > 0 AS escaped_present, x
FROM r, unnest(ARRAY['Acme <Auto> & "Partners"', '<script>alert("r&d")</script>', 'O''Brien & Co',
					 '<b>SC</b> & "US"', 'SA-''IE''', '<img src=x onerror=alert(1)> & "clause" of the DBA',
					 'public."charging <ops> & ""co"""']) x;
-- every onerror in the page is text: the one of the clause, escaped
SELECT count(*) AS onerror, count(*) FILTER (WHERE ctx = '&lt;img src=x onerror') AS as_text
FROM r, LATERAL (SELECT substr(html, p - 14, 21) AS ctx
				 FROM generate_series(1, length(html)) p WHERE substr(html, p, 7) = 'onerror') x;
-- prints on A4; the charts are inline SVG: two tallies, the transfers, the
-- filings, the rows withheld and blocked
SELECT html ~ '@page \{ size: A4;' AS a4, (SELECT count(*) FROM regexp_matches(html, '<svg ', 'g')) AS charts,
	   (SELECT count(*) FROM regexp_matches(html, '<table ', 'g')) AS tables
FROM r;
-- numbers grouped, whatever the session says: the year's tally is
-- 120,000 (12 months of 10,000) plus the 1,234 sensitive individuals
SET lc_numeric = 'C';
SELECT html ~ '>121,234<' AS personal_grouped, html ~ '>1,234<' AS sensitive, html !~ '>121234<' AS never_ungrouped,
	   html ~ '>12,000<' AS rows_returned_grouped
FROM r;
-- dates are ISO in any DateStyle
SET datestyle = 'SQL, DMY';
SELECT report(2025) ~ '>2025-01-06<' AS iso_approved, report(2025) !~ '06/01/2025' AS no_dmy;
RESET datestyle;
-- the numbers in the page are the views'
SELECT c.tally, position(format('<td>%s</td><td class="n">%s</td>', c.tally, _num(c.individuals)) IN r.html) > 0 AS shown
FROM compliance_status c, r WHERE c.year = 2025 ORDER BY c.tally;
SELECT f.reference, position(format('<td class="n">%s</td>', f.id) || '<td>' IN r.html) > 0 AS row_shown
FROM filing_status f, r ORDER BY f.id;
-- a year with nothing booked, and a year still to come
SELECT report(2001) ~ 'Nothing was booked into the ledger for 2001' AS empty_year,
	   report(2001) ~ 'no filing in this period' AS no_filings_2001;
SELECT length(report(2100)) > 0 AS future_year;

-- who may read it: the auditor (tables it may not read are said so), not
-- PUBLIC or the exporter
CREATE ROLE ax_report_auditor IN ROLE autoxfer_auditor;
CREATE ROLE ax_report_nobody;
GRANT USAGE ON SCHEMA autoxfer TO ax_report_nobody;
GRANT SELECT (xfer_label) ON cam TO ax_report_auditor;
SET ROLE ax_report_auditor;
SELECT report(2025) ~ 'not readable by ax_report_auditor' AS says_not_readable,
	   report(2025) ~ '<td>public.cam</td><td>connected_operation</td><td>important</td>' AS reads_cam_labels;
RESET ROLE;
SET ROLE ax_report_nobody;
SELECT autoxfer.report(2025);
RESET ROLE;
SET ROLE autoxfer_exporter;
SELECT autoxfer.report(2025);
RESET ROLE;
-- bad years
SELECT report(NULL);
SELECT report(0);
SELECT report(10000);

\c autoxfer_regression
DROP DATABASE ax_report;
DROP ROLE ax_report_auditor, ax_report_nobody;
