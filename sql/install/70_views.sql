-- autoxfer install script, part 70: the compliance views and functions
-- of the analyst and the auditor (duties D1-D5 of shared/RULES.md section
-- 7; docs/compliance.md).
--
--   compliance_status   per year and tally: individuals, the measure they
--                       require, the filing that covers it, the next
--                       threshold, the headroom and when it will be crossed
--   filing_status       every filing: expiry, extension window, contract
--                       filing deadline, growth used against its allowance
--   table_summary       per protected table: rows by category and mark,
--                       stale labels, elements seen
--   transfer_summary    the transfer log by month, recipient, purpose and
--                       measure
--   blocked_rows(...)   a table's blocked or not-exportable rows and why
--   declaration(...)    what a filing asks to be described, never the data
--
-- Every view is a SELECT from a function of its own that runs under a
-- pinned search path with the caller's rights: no view or function here is
-- SECURITY DEFINER, so a protected table is read only by a caller who may
-- read it (table_summary needs SELECT on the label column; blocked_rows on
-- the table).  Only autoxfer_admin and autoxfer_auditor may use them.

-- Shared pieces -------------------------------------------------------------

-- The ledger's time zone.  The setting exists once the library is loaded:
-- calling one of its functions first loads it.
CREATE FUNCTION autoxfer._timezone() RETURNS text
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
BEGIN
	PERFORM autoxfer.ledger_year(now());
	RETURN current_setting('autoxfer.timezone');
END
$fn$;
COMMENT ON FUNCTION autoxfer._timezone() IS
	'Internal: the time zone of the ledger''s calendar (setting autoxfer.timezone, default Asia/Shanghai)';

CREATE FUNCTION autoxfer._today() RETURNS date
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	SELECT (now() AT TIME ZONE autoxfer._timezone())::date
$fn$;
COMMENT ON FUNCTION autoxfer._today() IS
	'Internal: today''s date in the ledger''s time zone (China time), the day verdicts and the compliance views judge by';

CREATE FUNCTION autoxfer._param(name text) RETURNS numeric
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	v numeric;
BEGIN
	SELECT p.value INTO v FROM autoxfer.parameter p WHERE p.name = _param.name;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'parameter % is missing from autoxfer.parameter', name
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Shipped parameters cannot be deleted; reinstall the extension.';
	END IF;
	RETURN v;
END
$fn$;
COMMENT ON FUNCTION autoxfer._param(text) IS
	'Internal: the value of a parameter of autoxfer.parameter, an error when it is missing';

-- The n-th working day counting back from a day, the day itself included
-- (n >= 1): the first day of a period of n working days that ends on day.
CREATE FUNCTION autoxfer._working_day_back(day date, n integer) RETURNS date
	LANGUAGE plpgsql STABLE STRICT SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	d date := day;
	left_ integer := n;
BEGIN
	IF n < 1 OR n > 10000 THEN
		RAISE EXCEPTION 'autoxfer._working_day_back: n must be between 1 and 10000, not %', n
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	LOOP
		IF autoxfer.is_working_day(d) THEN
			left_ := left_ - 1;
			EXIT WHEN left_ = 0;
		END IF;
		d := d - 1;
	END LOOP;
	RETURN d;
END
$fn$;
COMMENT ON FUNCTION autoxfer._working_day_back(date, integer) IS
	'Internal: the n-th working day counting back from a date, the date included: the first day of the last n working days up to it';

-- compliance_status ---------------------------------------------------------

-- Per year of the ledger (and the current year) and tally.  The measure
-- is the one a transfer of that tally needs at the year's count, as the
-- verdict decides it (src/verdict.c): M2 for a CIIO (or an undeclared
-- processor), else M3 / M6 / M7-E5 for the personal tally and M4 / M6 for
-- the sensitive one.  The covering filing is the widest filing in force
-- today (not revoked, started, not expired, a standard contract not past
-- its filing deadline unfiled or filed late) of the measure needed (a
-- security assessment when one is needed; otherwise a standard contract, a
-- certification or an assessment), whose categories include the tally,
-- and whose maximum plus the growth allowance is not exceeded by the
-- year's count (the recipient's count for a filing of one recipient), for
-- any recipient and purpose; widest as the verdict orders filings: no
-- maximum first, then the larger maximum, the later expiry, the older
-- filing.  The rate is the individuals newly booked into the year over the
-- last 30 days (transfer_log.new_*, by logged_at), per day; the crossing
-- date is today plus the days that rate needs to use up the headroom, NULL
-- when it lies beyond 31 December or nothing was booked.
CREATE FUNCTION autoxfer._compliance_status()
	RETURNS TABLE (year integer, tally autoxfer.category, individuals bigint, measure autoxfer.measure,
				   rule text, filing bigint, filing_reference text, filing_recipient text, covered boolean,
				   next_threshold bigint, next_measure autoxfer.measure, headroom bigint,
				   rate_30d numeric, crossing_on date)
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	WITH env AS MATERIALIZED (
		SELECT autoxfer._today() AS today, autoxfer.ledger_year(now()) AS this_year,
			   coalesce((SELECT o.ciio FROM autoxfer.organisation o), true) AS ciio,
			   autoxfer._param('m3_individuals')::bigint AS m3,
			   autoxfer._param('m4_sensitive_individuals')::bigint AS m4,
			   autoxfer._param('m6_individuals')::bigint AS m6,
			   autoxfer._param('growth_allowance_pct') AS growth,
			   autoxfer._param('contract_filing_working_days')::integer AS filing_days
	),
	years AS (
		SELECT l.year FROM autoxfer.ledger l UNION SELECT e.this_year FROM env e
	),
	counts AS (
		SELECT y.year, t.tally, coalesce(l.individuals, 0) AS n
		FROM years y
		CROSS JOIN (VALUES ('personal'::autoxfer.category), ('sensitive_personal'::autoxfer.category)) t (tally)
		LEFT JOIN autoxfer.ledger l ON l.year = y.year AND l.tally = t.tally
	),
	tier AS (
		SELECT c.year, c.tally, c.n, e.*,
			   CASE WHEN e.ciio THEN 'security_assessment'
					WHEN c.tally = 'personal' AND c.n >= e.m3 THEN 'security_assessment'
					WHEN c.tally = 'personal' AND c.n >= e.m6 THEN 'standard_contract'
					WHEN c.tally = 'personal' THEN 'exempt'
					WHEN c.n >= e.m4 THEN 'security_assessment'
					ELSE 'standard_contract' END::autoxfer.measure AS need,
			   CASE WHEN e.ciio THEN 'M2'
					WHEN c.tally = 'personal' AND c.n >= e.m3 THEN 'M3'
					WHEN c.tally = 'personal' AND c.n >= e.m6 THEN 'M6'
					WHEN c.tally = 'personal' THEN 'M7,E5'
					WHEN c.n >= e.m4 THEN 'M4'
					ELSE 'M6' END AS need_rule,
			   CASE WHEN e.ciio THEN NULL
					WHEN c.tally = 'personal' AND c.n < e.m6 THEN e.m6
					WHEN c.tally = 'personal' AND c.n < e.m3 THEN e.m3
					WHEN c.tally = 'sensitive_personal' AND c.n < e.m4 THEN e.m4 END AS threshold,
			   CASE WHEN e.ciio THEN NULL
					WHEN c.tally = 'personal' AND c.n < e.m6 THEN 'standard_contract'
					WHEN c.tally = 'personal' AND c.n < e.m3 THEN 'security_assessment'
					WHEN c.tally = 'sensitive_personal' AND c.n < e.m4 THEN 'security_assessment'
			   END::autoxfer.measure AS threshold_measure
		FROM counts c CROSS JOIN env e
	),
	rate AS (
		SELECT coalesce(sum(g.new_personal), 0) AS personal, coalesce(sum(g.new_sensitive), 0) AS sensitive
		FROM autoxfer.transfer_log g, env e
		WHERE g.logged_at > now() - interval '30 days' AND g.logged_at <= now()
		  AND g.year = e.this_year AND g.kind <> 'purge'
	)
	SELECT t.year, t.tally, t.n, t.need, t.need_rule, f.id, f.reference, f.recipient,
		   t.need IN ('none', 'exempt') OR f.id IS NOT NULL,
		   t.threshold, t.threshold_measure, t.threshold - t.n,
		   CASE WHEN t.year = t.this_year THEN round(x.booked / 30.0, 1) END,
		   CASE WHEN t.year = t.this_year AND t.threshold IS NOT NULL AND x.booked > 0
					 AND t.today + ceil(30.0 * (t.threshold - t.n) / x.booked)::integer <= make_date(t.year, 12, 31)
				THEN t.today + ceil(30.0 * (t.threshold - t.n) / x.booked)::integer END
	FROM tier t
	CROSS JOIN rate r
	CROSS JOIN LATERAL (SELECT CASE t.tally WHEN 'personal' THEN r.personal ELSE r.sensitive END AS booked) x
	LEFT JOIN LATERAL (
		SELECT c.id, c.reference, c.recipient
		FROM autoxfer.filing c
		WHERE t.need NOT IN ('none', 'exempt')
		  AND c.revoked_at IS NULL
		  AND c.approved_on <= t.today AND (c.valid_until IS NULL OR c.valid_until >= t.today)
		  AND (t.need <> 'security_assessment' OR c.measure = 'security_assessment')
		  AND (c.categories IS NULL OR t.tally = ANY (c.categories))
		  AND NOT (c.measure = 'standard_contract'
				   AND t.today > autoxfer.add_working_days(c.approved_on, t.filing_days)
				   AND (c.filed_on IS NULL OR c.filed_on > autoxfer.add_working_days(c.approved_on, t.filing_days)))
		  AND (c.max_individuals IS NULL OR
			   CASE WHEN c.recipient IS NULL THEN t.n
					ELSE coalesce((SELECT lr.individuals FROM autoxfer.ledger_recipient lr
								   WHERE lr.year = t.year AND lr.tally = t.tally AND lr.recipient = c.recipient), 0)
			   END <= c.max_individuals * (1 + t.growth / 100))
		ORDER BY c.max_individuals DESC NULLS FIRST, c.valid_until DESC NULLS FIRST, c.id
		LIMIT 1
	) f ON true
	ORDER BY t.year, t.tally
$fn$;
COMMENT ON FUNCTION autoxfer._compliance_status() IS
	'Internal: the rows of view autoxfer.compliance_status';

CREATE VIEW autoxfer.compliance_status AS
	SELECT s.year, s.tally, s.individuals, s.measure, s.rule, s.filing, s.filing_reference,
		   s.filing_recipient, s.covered, s.next_threshold, s.next_measure, s.headroom, s.rate_30d,
		   s.crossing_on
	FROM autoxfer._compliance_status() s;
COMMENT ON VIEW autoxfer.compliance_status IS
	'Per year and tally (personal, sensitive_personal): individuals sent abroad, the measure a transfer needs at that count and its rule (M2-M7), the widest filing in force today that covers it (or none), the next threshold, the headroom to it, the last 30 days'' rate per day and the date it would cross the threshold this year (NULL: not this year); D2, D4';
COMMENT ON COLUMN autoxfer.compliance_status.measure IS
	'The measure a transfer on this tally needs at this count: exempt (M7, E5), standard_contract (M6: a standard contract or a certification) or security_assessment (M2, M3, M4)';
COMMENT ON COLUMN autoxfer.compliance_status.filing IS
	'The widest filing in force today of the measure needed, for any recipient and purpose, whose categories include the tally and whose maximum plus growth allowance the count does not exceed; NULL: none (or none needed)';
COMMENT ON COLUMN autoxfer.compliance_status.covered IS
	'No filing is needed (exempt) or a filing covers the tally';
COMMENT ON COLUMN autoxfer.compliance_status.rate_30d IS
	'Individuals newly booked into the year per day over the last 30 days (current year only)';
COMMENT ON COLUMN autoxfer.compliance_status.crossing_on IS
	'The day the last 30 days'' rate reaches the next threshold (China time); NULL when it would not this year';

-- filing_status -------------------------------------------------------------

-- Every filing, judged today (China time).  The extension window of a
-- security assessment is its last extension_window_working_days working
-- days, valid_until included; a standard contract's filing deadline is
-- contract_filing_working_days working days after it takes effect.  The
-- allowance is max_individuals plus growth_allowance_pct; individuals is
-- this year's count of the filing's recipient (of the whole year for a
-- certification of every recipient), the larger of the tallies the
-- filing's categories include.
CREATE FUNCTION autoxfer._filing_status()
	RETURNS TABLE (id bigint, measure autoxfer.measure, recipient text, reference text, purposes text[],
				   categories autoxfer.category[], approved_on date, valid_until date,
				   days_to_expiry integer, expired boolean, revoked boolean, in_force boolean,
				   extension_window_opens date, in_extension_window boolean,
				   filing_deadline date, filed_on date, filed_late boolean, filing_overdue boolean,
				   max_individuals bigint, allowance bigint, individuals bigint,
				   allowance_used_pct numeric, over_allowance boolean, status text)
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	WITH env AS MATERIALIZED (
		SELECT autoxfer._today() AS today, autoxfer.ledger_year(now()) AS this_year,
			   autoxfer._param('growth_allowance_pct') AS growth,
			   autoxfer._param('contract_filing_working_days')::integer AS filing_days,
			   autoxfer._param('extension_window_working_days')::integer AS window_days
	),
	f AS (
		SELECT f.*, e.*,
			   CASE WHEN f.measure = 'standard_contract'
					THEN autoxfer.add_working_days(f.approved_on, e.filing_days) END AS deadline,
			   CASE WHEN f.measure = 'security_assessment' AND f.valid_until IS NOT NULL AND e.window_days > 0
					THEN autoxfer._working_day_back(f.valid_until, e.window_days) END AS opens,
			   CASE WHEN f.categories IS NULL OR f.categories && '{personal,sensitive_personal}'::autoxfer.category[] THEN
					coalesce((SELECT max(x.individuals) FROM (
						SELECT l.individuals FROM autoxfer.ledger l
						WHERE f.recipient IS NULL AND l.year = e.this_year
						  AND (f.categories IS NULL OR l.tally = ANY (f.categories))
						UNION ALL
						SELECT r.individuals FROM autoxfer.ledger_recipient r
						WHERE f.recipient IS NOT NULL AND r.recipient = f.recipient AND r.year = e.this_year
						  AND (f.categories IS NULL OR r.tally = ANY (f.categories))) x), 0)
			   END AS n
		FROM autoxfer.filing f CROSS JOIN env e
	),
	g AS (
		SELECT f.*,
			   f.revoked_at IS NOT NULL AS is_revoked,
			   f.valid_until IS NOT NULL AND f.valid_until < f.today AS is_expired,
			   f.filed_on IS NOT NULL AND f.filed_on > f.deadline AS late,
			   f.measure = 'standard_contract' AND f.filed_on IS NULL AND f.today > f.deadline AS overdue,
			   f.measure = 'standard_contract' AND f.today > f.deadline
				   AND (f.filed_on IS NULL OR f.filed_on > f.deadline) AS contract_lapsed,
			   floor(f.max_individuals * (1 + f.growth / 100))::bigint AS allow,
			   f.max_individuals IS NOT NULL AND f.n > f.max_individuals * (1 + f.growth / 100) AS over
		FROM f
	)
	SELECT g.id, g.measure, g.recipient, g.reference, g.purposes, g.categories, g.approved_on, g.valid_until,
		   g.valid_until - g.today, g.is_expired, g.is_revoked,
		   NOT g.is_revoked AND g.approved_on <= g.today AND NOT g.is_expired AND NOT g.contract_lapsed,
		   g.opens,
		   g.opens IS NOT NULL AND NOT g.is_revoked AND g.today BETWEEN g.opens AND g.valid_until,
		   g.deadline, g.filed_on, g.late, g.overdue,
		   g.max_individuals, g.allow, g.n,
		   CASE WHEN g.allow > 0 THEN round(100.0 * g.n / g.allow, 1) END,
		   g.over,
		   CASE WHEN g.is_revoked THEN 'revoked'
				WHEN g.approved_on > g.today THEN 'not yet in force'
				WHEN g.is_expired THEN 'expired'
				WHEN g.overdue THEN 'filing overdue'
				WHEN g.contract_lapsed THEN 'filed late'
				WHEN g.over THEN 'over allowance'
				WHEN g.opens IS NOT NULL AND g.today >= g.opens THEN 'extension window'
				WHEN g.measure = 'standard_contract' AND g.filed_on IS NULL THEN 'filing due'
				ELSE 'in force' END
	FROM g
	ORDER BY g.id
$fn$;
COMMENT ON FUNCTION autoxfer._filing_status() IS
	'Internal: the rows of view autoxfer.filing_status';

CREATE VIEW autoxfer.filing_status AS
	SELECT s.id, s.measure, s.recipient, s.reference, s.purposes, s.categories, s.approved_on,
		   s.valid_until, s.days_to_expiry, s.expired, s.revoked, s.in_force, s.extension_window_opens,
		   s.in_extension_window, s.filing_deadline, s.filed_on, s.filed_late, s.filing_overdue,
		   s.max_individuals, s.allowance, s.individuals, s.allowance_used_pct, s.over_allowance, s.status
	FROM autoxfer._filing_status() s;
COMMENT ON VIEW autoxfer.filing_status IS
	'Every filing judged today (China time): days to expiry, expired, revoked, in force, the security assessment''s extension window (its last 60 working days, F1), the standard contract''s filing deadline (10 working days, F2) and whether it was filed late or is overdue, this year''s individuals against the maximum plus the growth allowance (F1), and a one-word status; D2, D4';
COMMENT ON COLUMN autoxfer.filing_status.extension_window_opens IS
	'Security assessments: the first of the last extension_window_working_days working days up to valid_until, from which an extension is applied for';
COMMENT ON COLUMN autoxfer.filing_status.filing_deadline IS
	'Standard contracts: the last day to file with the provincial CAC (contract_filing_working_days working days after approved_on)';
COMMENT ON COLUMN autoxfer.filing_status.individuals IS
	'This year''s individuals of the filing''s recipient (of every recipient for a certification of all), the larger tally of those the filing covers';
COMMENT ON COLUMN autoxfer.filing_status.status IS
	'revoked, not yet in force, expired, filing overdue, filed late, over allowance, extension window, filing due or in force (the first that applies)';

-- table_summary -------------------------------------------------------------

-- The rows of a table per distinct label, in one aggregate (src/views.c):
-- cheaper than GROUP BY label, so that table_summary costs about what
-- count(*) of the same tables costs.
CREATE TYPE autoxfer.label_count AS (label autoxfer.label, n bigint);
COMMENT ON TYPE autoxfer.label_count IS
	'A label and its number of rows (the elements of autoxfer._label_tally)';
CREATE FUNCTION autoxfer._label_tally_trans(internal, autoxfer.label) RETURNS internal
	AS 'MODULE_PATHNAME', 'ax_label_tally_trans' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._label_tally_trans(internal, autoxfer.label) IS
	'Internal: transition of autoxfer._label_tally (one row; NULL labels not counted)';
CREATE FUNCTION autoxfer._label_tally_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'ax_label_tally_combine' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._label_tally_combine(internal, internal) IS
	'Internal: combine function of autoxfer._label_tally (parallel partial tallies merged)';
CREATE FUNCTION autoxfer._label_tally_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'ax_label_tally_serial' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._label_tally_serial(internal) IS
	'Internal: serial function of autoxfer._label_tally';
CREATE FUNCTION autoxfer._label_tally_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'ax_label_tally_deserial' LANGUAGE C STRICT PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._label_tally_deserial(bytea, internal) IS
	'Internal: deserial function of autoxfer._label_tally';
CREATE FUNCTION autoxfer._label_tally_final(internal) RETURNS autoxfer.label_count[]
	AS 'MODULE_PATHNAME', 'ax_label_tally_final' LANGUAGE C PARALLEL SAFE;
COMMENT ON FUNCTION autoxfer._label_tally_final(internal) IS
	'Internal: final function of autoxfer._label_tally: the labels and their rows, in label order';
CREATE AGGREGATE autoxfer._label_tally(autoxfer.label) (
	SFUNC = autoxfer._label_tally_trans, STYPE = internal,
	COMBINEFUNC = autoxfer._label_tally_combine,
	SERIALFUNC = autoxfer._label_tally_serial, DESERIALFUNC = autoxfer._label_tally_deserial,
	FINALFUNC = autoxfer._label_tally_final, PARALLEL = SAFE);
COMMENT ON AGGREGATE autoxfer._label_tally(autoxfer.label) IS
	'Internal: the rows of a set per distinct label, as an array of autoxfer.label_count (the scan behind autoxfer.table_summary)';

-- The labels of every protected table (or one) and how many rows carry
-- each: one scan of each table, with the caller's rights (SELECT on the
-- label column is enough).  A table the caller may
-- not read gives one row with readable false; an empty one, one row of 0.
CREATE FUNCTION autoxfer._label_counts(only_rel regclass DEFAULT NULL)
	RETURNS TABLE (tbl regclass, readable boolean, label autoxfer.label, n bigint)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	p autoxfer.protected_table;
	k bigint;
BEGIN
	FOR p IN SELECT * FROM autoxfer.protected_table t
			 WHERE (only_rel IS NULL OR t.rel = only_rel)
			   AND EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = t.rel)
			 ORDER BY t.rel::text
	LOOP
		IF NOT has_column_privilege(p.rel, p.label_column::text, 'SELECT') THEN
			RETURN QUERY SELECT p.rel, false, NULL::autoxfer.label, NULL::bigint;
			CONTINUE;
		END IF;
		RETURN QUERY EXECUTE format('SELECT $1, true, u.label, u.n'
									'  FROM (SELECT autoxfer._label_tally(t.%I) AS a FROM %s t) s, unnest(s.a) u',
									p.label_column, p.rel)
			USING p.rel;
		GET DIAGNOSTICS k = ROW_COUNT;
		IF k = 0 THEN
			RETURN QUERY SELECT p.rel, true, NULL::autoxfer.label, 0::bigint;
		END IF;
	END LOOP;
END
$fn$;
COMMENT ON FUNCTION autoxfer._label_counts(regclass) IS
	'Internal: each label of each protected table (or the one given) with its number of rows, read with the caller''s rights (readable false for a table whose label column the caller may not read)';

-- table_summary from label counts (autoxfer._label_counts as JSON), so
-- that the report scans each table once for its summary and its blocked
-- rows.
CREATE FUNCTION autoxfer._table_summary_of(counts jsonb)
	RETURNS TABLE (tbl regclass, scenario autoxfer.scenario, generation integer, readable boolean,
				   category autoxfer.category, mark autoxfer.mark, rows bigint, stale bigint,
				   elements autoxfer.element[], rules text[])
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	WITH l AS MATERIALIZED (
		SELECT x.tbl::regclass AS tbl, x.readable, x.label::autoxfer.label AS label, x.n
		FROM jsonb_to_recordset(counts) x (tbl oid, readable boolean, label text, n bigint)
	), c AS MATERIALIZED (
		SELECT l.*, autoxfer.category(l.label) AS cat, autoxfer.mark(l.label) AS mk FROM l
	)
	SELECT c.tbl, p.scenario, p.generation, bool_and(c.readable), c.cat, c.mk, sum(c.n)::bigint,
		   CASE WHEN bool_and(c.readable) THEN
				coalesce(sum(c.n) FILTER (WHERE autoxfer.generation(c.label) <> p.generation), 0)::bigint END,
		   (SELECT array_agg(DISTINCT e ORDER BY e) FROM c c2, unnest(autoxfer.elements(c2.label)) e
			WHERE c2.tbl = c.tbl AND c2.cat = c.cat AND c2.mk = c.mk),
		   (SELECT array_agg(DISTINCT r.code ORDER BY r.code) FROM c c2 JOIN autoxfer.rule r ON r.id = autoxfer.rule_id(c2.label)
			WHERE c2.tbl = c.tbl AND c2.cat = c.cat AND c2.mk = c.mk)
	FROM c JOIN autoxfer.protected_table p ON p.rel = c.tbl
	GROUP BY c.tbl, p.scenario, p.generation, c.cat, c.mk
	ORDER BY c.tbl::text, c.cat, c.mk
$fn$;
COMMENT ON FUNCTION autoxfer._table_summary_of(jsonb) IS
	'Internal: the rows of view autoxfer.table_summary computed from label counts (autoxfer._label_counts as JSON)';

CREATE FUNCTION autoxfer._label_counts_json() RETURNS jsonb
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	SELECT coalesce(jsonb_agg(jsonb_build_object('tbl', l.tbl::oid::text, 'readable', l.readable,
												 'label', l.label::text, 'n', l.n)), '[]')
	FROM autoxfer._label_counts() l
$fn$;
COMMENT ON FUNCTION autoxfer._label_counts_json() IS
	'Internal: autoxfer._label_counts() as a JSON array (tables by OID)';

CREATE FUNCTION autoxfer._table_summary()
	RETURNS TABLE (tbl regclass, scenario autoxfer.scenario, generation integer, readable boolean,
				   category autoxfer.category, mark autoxfer.mark, rows bigint, stale bigint,
				   elements autoxfer.element[], rules text[])
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	SELECT * FROM autoxfer._table_summary_of(autoxfer._label_counts_json())
$fn$;
COMMENT ON FUNCTION autoxfer._table_summary() IS
	'Internal: the rows of view autoxfer.table_summary';

CREATE VIEW autoxfer.table_summary AS
	SELECT s.tbl, s.scenario, s.generation, s.readable, s.category, s.mark, s.rows, s.stale, s.elements, s.rules
	FROM autoxfer._table_summary() s;
COMMENT ON VIEW autoxfer.table_summary IS
	'Per protected table, category and mark: rows, rows with stale labels (an older rule-set generation: relabel with autoxfer.reclassify), the determining elements and deciding rules seen; one scan of each table with the caller''s rights (SELECT on the label column suffices; readable false without it); D1';
COMMENT ON COLUMN autoxfer.table_summary.stale IS
	'Rows whose label was written under an older rule-set generation than the table''s (exports withhold them until relabelled)';
COMMENT ON COLUMN autoxfer.table_summary.readable IS
	'Whether the caller may read the table''s label column; when not, the counts are NULL';

-- transfer_summary ----------------------------------------------------------

-- The log's bookings (purges aside) by month of booked_at (the instant the
-- individuals were sent: a correction's own instant) in the ledger's time
-- zone, recipient, purpose and the transfer's most demanding measure
-- (NULL for entries by hand, which record none).
CREATE FUNCTION autoxfer._transfer_summary()
	RETURNS TABLE (month date, year integer, recipient text, purpose text, measure autoxfer.measure,
				   transfers bigint, exports bigint, by_hand bigint, rows_returned bigint, rows_withheld bigint,
				   withheld_not_exportable bigint, withheld_stale bigint, withheld_no_subject bigint,
				   withheld_excess bigint, new_personal bigint, new_sensitive bigint,
				   first_at timestamptz, last_at timestamptz)
	LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
	WITH env AS MATERIALIZED (
		SELECT autoxfer._timezone() AS tz
	), g AS (
		-- by the raw measures first: fewer arrays to reduce to their
		-- most demanding measure
		SELECT date_trunc('month', g.booked_at AT TIME ZONE e.tz)::date AS month, g.year, g.recipient, g.purpose, g.measures,
			   count(*) AS transfers, count(*) FILTER (WHERE g.kind = 'export') AS exports,
			   count(*) FILTER (WHERE g.kind <> 'export') AS by_hand,
			   sum(g.rows_returned) AS rows_returned, sum(g.rows_withheld) AS rows_withheld,
			   sum(CASE WHEN jsonb_typeof(g.withheld -> 'not_exportable') = 'number' THEN (g.withheld ->> 'not_exportable')::numeric ELSE 0 END) AS w_not_exportable,
			   sum(CASE WHEN jsonb_typeof(g.withheld -> 'stale') = 'number' THEN (g.withheld ->> 'stale')::numeric ELSE 0 END) AS w_stale,
			   sum(CASE WHEN jsonb_typeof(g.withheld -> 'no_subject') = 'number' THEN (g.withheld ->> 'no_subject')::numeric ELSE 0 END) AS w_no_subject,
			   sum(CASE WHEN jsonb_typeof(g.withheld -> 'excess') = 'number' THEN (g.withheld ->> 'excess')::numeric ELSE 0 END) AS w_excess,
			   sum(g.new_personal) AS new_personal, sum(g.new_sensitive) AS new_sensitive,
			   min(g.booked_at) AS first_at, max(g.booked_at) AS last_at
		FROM autoxfer.transfer_log g CROSS JOIN env e
		WHERE g.kind <> 'purge'
		GROUP BY 1, 2, 3, 4, 5
	)
	SELECT g.month, g.year, g.recipient, g.purpose, m.measure,
		   sum(g.transfers)::bigint, sum(g.exports)::bigint, sum(g.by_hand)::bigint,
		   sum(g.rows_returned)::bigint, sum(g.rows_withheld)::bigint,
		   sum(g.w_not_exportable)::bigint, sum(g.w_stale)::bigint, sum(g.w_no_subject)::bigint, sum(g.w_excess)::bigint,
		   sum(g.new_personal)::bigint, sum(g.new_sensitive)::bigint, min(g.first_at), max(g.last_at)
	FROM g CROSS JOIN LATERAL (SELECT max(x) AS measure FROM unnest(g.measures) x) m
	GROUP BY g.month, g.year, g.recipient, g.purpose, m.measure
	ORDER BY g.month, g.recipient, g.purpose, m.measure
$fn$;
COMMENT ON FUNCTION autoxfer._transfer_summary() IS
	'Internal: the rows of view autoxfer.transfer_summary';

CREATE VIEW autoxfer.transfer_summary AS
	SELECT s.month, s.year, s.recipient, s.purpose, s.measure, s.transfers, s.exports, s.by_hand,
		   s.rows_returned, s.rows_withheld, s.withheld_not_exportable, s.withheld_stale,
		   s.withheld_no_subject, s.withheld_excess, s.new_personal, s.new_sensitive, s.first_at, s.last_at
	FROM autoxfer._transfer_summary() s;
COMMENT ON VIEW autoxfer.transfer_summary IS
	'The transfer log (purges aside) by month (of booked_at, China time), recipient, purpose and measure (the most demanding of the transfer''s; NULL for entries by hand): bookings, exports, rows returned and withheld by reason, individuals new to the year per tally; D3';
COMMENT ON COLUMN autoxfer.transfer_summary.measure IS
	'The most demanding measure the transfer went under (transfer_log.measures); NULL for ledger_add and ledger_correct entries, which record none';
COMMENT ON COLUMN autoxfer.transfer_summary.by_hand IS
	'Entries of autoxfer.ledger_add (manual) and autoxfer.ledger_correct (correction)';

-- blocked_rows --------------------------------------------------------------

CREATE FUNCTION autoxfer.blocked_rows(rel regclass, recipient text DEFAULT NULL, purpose text DEFAULT NULL)
	RETURNS TABLE (tbl regclass, row_ctid tid, row_key jsonb, label autoxfer.label,
				   category autoxfer.category, mark autoxfer.mark, stale boolean, rule text, clause text,
				   exportable boolean, measure autoxfer.measure, verdict_rule text, reason text)
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	p autoxfer.protected_table;
	pur text := purpose;
	key_expr text;
	sql text;
BEGIN
	IF rel IS NULL THEN
		RAISE EXCEPTION 'autoxfer.blocked_rows: rel must not be NULL'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass a protected table.';
	END IF;
	SELECT * INTO p FROM autoxfer.protected_table t WHERE t.rel = blocked_rows.rel;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'table % is not protected by autoxfer', rel
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'autoxfer.protected_table lists the protected tables.';
	END IF;
	IF NOT has_table_privilege(rel, 'SELECT') THEN
		RAISE EXCEPTION 'permission denied for table %', rel
			USING ERRCODE = 'insufficient_privilege',
				  HINT = 'blocked_rows lists rows with the caller''s rights: it needs SELECT on the table (view autoxfer.table_summary needs only SELECT on its label column).';
	END IF;
	IF recipient IS NULL AND purpose IS NOT NULL THEN
		RAISE EXCEPTION 'autoxfer.blocked_rows: a purpose needs a recipient'
			USING ERRCODE = 'null_value_not_allowed', HINT = 'Pass the recipient the rows would go to.';
	END IF;
	IF recipient IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM autoxfer.recipient r WHERE r.name = blocked_rows.recipient) THEN
			RAISE EXCEPTION 'unknown recipient "%"', left(recipient, 64)
				USING ERRCODE = 'undefined_object',
					  HINT = 'autoxfer.recipient lists the registered recipients.';
		END IF;
		IF pur IS NULL THEN
			SELECT r.purpose INTO pur FROM autoxfer.recipient r WHERE r.name = blocked_rows.recipient;
			IF pur IS NULL THEN
				RAISE EXCEPTION 'autoxfer.blocked_rows: a verdict needs a purpose'
					USING ERRCODE = 'null_value_not_allowed',
						  HINT = 'Pass the purpose of the transfer (only a recipient with a role abroad has one registered).';
			END IF;
		ELSIF NOT EXISTS (SELECT 1 FROM autoxfer.purpose x WHERE x.name = pur) THEN
			RAISE EXCEPTION 'unknown purpose "%"', left(pur, 64)
				USING ERRCODE = 'undefined_object', HINT = 'autoxfer.purpose lists the purposes.';
		END IF;
	END IF;

	-- the primary key, when the table has one and the caller may read it
	SELECT 'jsonb_build_object(' || string_agg(format('%L, t.%I', a.attname, a.attname), ', ' ORDER BY k.ord) || ')'
	INTO key_expr
	FROM pg_catalog.pg_index i
	CROSS JOIN LATERAL unnest(i.indkey::smallint[]) WITH ORDINALITY k (attnum, ord)
	JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
	WHERE i.indrelid = rel AND i.indisprimary
	HAVING bool_and(has_column_privilege(rel, a.attname::text, 'SELECT'));

	sql := format(
		'SELECT t.tableoid::pg_catalog.regclass, t.ctid, %s, t.%I, autoxfer.category(t.%I), autoxfer.mark(t.%I),'
		'       autoxfer.generation(t.%I) <> $3, r.code, r.clause, %s'
		'  FROM %s t LEFT JOIN autoxfer.rule r ON r.id = autoxfer.rule_id(t.%I) %s'
		' WHERE %s'
		' ORDER BY t.tableoid::pg_catalog.regclass::text, t.ctid',
		coalesce(key_expr, 'NULL::pg_catalog.jsonb'), p.label_column, p.label_column, p.label_column, p.label_column,
		CASE WHEN recipient IS NULL THEN 'NULL::boolean, NULL::autoxfer.measure, NULL::text, NULL::text'
			 ELSE format('v.exportable AND autoxfer.generation(t.%I) = $3, v.measure, v.rule,'
						 ' CASE WHEN autoxfer.generation(t.%I) <> $3 THEN pg_catalog.format(%L, autoxfer.generation(t.%I), $3) || v.reason ELSE v.reason END',
						 p.label_column, p.label_column,
						 'The label is stale (rule-set generation %s, the table is at %s): exports withhold the row until autoxfer.reclassify relabels it. ',
						 p.label_column) END,
		rel, p.label_column,
		CASE WHEN recipient IS NULL THEN '' ELSE format('CROSS JOIN LATERAL autoxfer.verdict(t.%I, $1, $2) v', p.label_column) END,
		CASE WHEN recipient IS NULL THEN format('autoxfer.mark(t.%I) = ''blocked'' OR autoxfer.generation(t.%I) <> $3',
												p.label_column, p.label_column)
			 ELSE format('NOT autoxfer.exportable(t.%I, $1, $2) OR autoxfer.generation(t.%I) <> $3',
						 p.label_column, p.label_column) END);
	RETURN QUERY EXECUTE sql USING recipient, pur, p.generation;
END
$fn$;
COMMENT ON FUNCTION autoxfer.blocked_rows(regclass, text, text) IS
	'A protected table''s rows that may not go: without a recipient, those marked blocked or with a stale label; with a recipient (and a purpose, by default the recipient''s registered one), those its verdict refuses or whose label is stale, with the verdict''s measure, rules and reason (what filing or evidence would let them go); each row''s leaf table, ctid, primary key (when readable), label, deciding rule and clause; read with the caller''s rights (SELECT on the table)';

-- declaration ---------------------------------------------------------------

-- What the authority asks a filing to describe (2024 Provisions; the
-- declaration forms of the CAC): the processor, the recipients and
-- purposes, and for each protected table its scenario, the kinds of data
-- its columns are declared to hold, its rows by category with their
-- determining elements, its size in rows and bytes, and the individuals
-- its rows concern per tally; with a recipient and a purpose, also the
-- measure each table's rows need.  Only names, kinds and counts: never a
-- value of the data.  Tables are read with the caller's rights; a table
-- the caller may not read is listed as not readable.
CREATE FUNCTION autoxfer.declaration(recipient text, purpose text)
	RETURNS jsonb
	LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET jit = off AS $fn$
DECLARE
	p autoxfer.protected_table;
	this_year integer := autoxfer.ledger_year(now());
	tables jsonb := '[]';
	t jsonb;
	cats jsonb;
	measures jsonb;
	per_p autoxfer.subject_set;
	per_s autoxfer.subject_set;
	all_p autoxfer.subject_set := autoxfer.empty_subject_set();
	all_s autoxfer.subject_set := autoxfer.empty_subject_set();
	total_rows bigint := 0;
	total_bytes bigint := 0;
	nrows bigint;
	nbytes bigint;
	readable boolean;
BEGIN
	IF recipient IS NOT NULL AND NOT EXISTS (SELECT 1 FROM autoxfer.recipient r WHERE r.name = declaration.recipient) THEN
		RAISE EXCEPTION 'unknown recipient "%"', left(recipient, 64)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Register it first with autoxfer.register_recipient(name, country), or pass NULL for every recipient.';
	END IF;
	IF purpose IS NOT NULL AND NOT EXISTS (SELECT 1 FROM autoxfer.purpose x WHERE x.name = declaration.purpose) THEN
		RAISE EXCEPTION 'unknown purpose "%"', left(purpose, 64)
			USING ERRCODE = 'undefined_object',
				  HINT = 'Add it with autoxfer.add_purpose(name, description), or pass NULL for every purpose.';
	END IF;

	FOR p IN SELECT * FROM autoxfer.protected_table x
			 WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid = x.rel)
			 ORDER BY x.rel::text
	LOOP
		readable := has_table_privilege(p.rel, 'SELECT');
		nbytes := (SELECT sum(pg_table_size(m.relid))::bigint
				   FROM (SELECT p.rel::regclass AS relid UNION SELECT x.relid FROM pg_partition_tree(p.rel) x) m);
		t := jsonb_build_object(
			'table', p.rel::text, 'scenario', p.scenario, 'readable', readable,
			'data_types', coalesce((
				SELECT jsonb_agg(jsonb_build_object('column', d.attname, 'kind', d.kind, 'meaning', k.meaning)
								 ORDER BY d.attnum, d.kind)
				FROM autoxfer.declaration d JOIN autoxfer.attribute_kind k ON k.name = d.kind
				WHERE d.rel = p.rel), '[]'),
			'bytes', nbytes);
		IF readable THEN
			-- rows per label (one scan), then the individuals per tally (another)
			WITH l AS MATERIALIZED (
				SELECT x.label, x.n FROM autoxfer._label_counts(p.rel) x WHERE x.label IS NOT NULL
			), c AS (
				SELECT autoxfer.category(l.label) AS cat, sum(l.n) AS n FROM l GROUP BY 1
			)
			SELECT coalesce(jsonb_object_agg(c.cat, jsonb_build_object('rows', c.n, 'elements', coalesce((
						SELECT jsonb_agg(DISTINCT e ORDER BY e) FROM l l2, unnest(autoxfer.elements(l2.label)) e
						WHERE autoxfer.category(l2.label) = c.cat), '[]'))), '{}'),
				   coalesce(sum(c.n), 0)::bigint,
				   CASE WHEN declaration.recipient IS NOT NULL AND declaration.purpose IS NOT NULL THEN (
						SELECT jsonb_object_agg(m.measure, m.n)
						FROM (SELECT (autoxfer.verdict(l.label, declaration.recipient, declaration.purpose)).measure, sum(l.n) AS n
							  FROM l GROUP BY 1) m) END
			INTO cats, nrows, measures
			FROM c;
			-- a table protected without a subject identifies no individual
			-- (its personal rows, if any, cannot be counted or exported)
			IF p.subject IS NULL THEN
				per_p := autoxfer.empty_subject_set();
				per_s := autoxfer.empty_subject_set();
			ELSE
				EXECUTE format(
					'SELECT autoxfer.subjects((%s)::pg_catalog.text) FILTER (WHERE %L = ANY (autoxfer.tallies(t.%I))),'
					'       autoxfer.subjects((%s)::pg_catalog.text) FILTER (WHERE %L = ANY (autoxfer.tallies(t.%I)))'
					'  FROM %s t',
					p.subject, 'personal', p.label_column, p.subject, 'sensitive_personal', p.label_column, p.rel)
				INTO per_p, per_s;
			END IF;
			all_p := autoxfer.set_union(all_p, per_p);
			all_s := autoxfer.set_union(all_s, per_s);
			t := t || jsonb_build_object('rows', nrows, 'categories', cats,
										 'individuals', jsonb_build_object('personal', autoxfer.cardinality(per_p),
																		   'sensitive_personal', autoxfer.cardinality(per_s)))
				   || CASE WHEN measures IS NULL THEN '{}' ELSE jsonb_build_object('measures', measures) END;
			total_rows := total_rows + nrows;
		END IF;
		total_bytes := total_bytes + coalesce(nbytes, 0);
		tables := tables || jsonb_build_array(t);
	END LOOP;

	RETURN jsonb_build_object(
		'as_of', to_char(autoxfer._today(), 'YYYY-MM-DD'),
		'processor', (SELECT jsonb_build_object('name', o.name, 'ciio', o.ciio, 'free_trade_zone', o.free_trade_zone)
					  FROM autoxfer.organisation o),
		'recipients', coalesce((SELECT jsonb_agg(jsonb_build_object('name', r.name, 'country', r.country,
																	'foreign_authority', r.foreign_authority,
																	'role_abroad', r.role IS NOT NULL) ORDER BY r.name)
								FROM autoxfer.recipient r
								WHERE declaration.recipient IS NULL OR r.name = declaration.recipient), '[]'),
		'purposes', coalesce((SELECT jsonb_agg(jsonb_build_object('name', x.name, 'description', x.description,
																  'exemption', x.exemption) ORDER BY x.name)
							  FROM autoxfer.purpose x
							  WHERE declaration.purpose IS NULL OR x.name = declaration.purpose), '[]'),
		'scenarios', coalesce((SELECT jsonb_agg(DISTINCT x.scenario) FROM autoxfer.protected_table x), '[]'),
		'tables', tables,
		'total', jsonb_build_object('rows', total_rows, 'bytes', total_bytes,
									'individuals', jsonb_build_object('personal', autoxfer.cardinality(all_p),
																	  'sensitive_personal', autoxfer.cardinality(all_s))),
		'sent_this_year', jsonb_build_object(
			'year', this_year,
			'personal', autoxfer.ledger_count('personal', this_year),
			'sensitive_personal', autoxfer.ledger_count('sensitive_personal', this_year),
			'to_recipient', CASE WHEN recipient IS NULL THEN NULL ELSE jsonb_build_object(
				'personal', coalesce((SELECT r.individuals FROM autoxfer.ledger_recipient r
									  WHERE r.year = this_year AND r.tally = 'personal' AND r.recipient = declaration.recipient), 0),
				'sensitive_personal', coalesce((SELECT r.individuals FROM autoxfer.ledger_recipient r
												WHERE r.year = this_year AND r.tally = 'sensitive_personal' AND r.recipient = declaration.recipient), 0)) END),
		'filings', coalesce((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'measure', s.measure, 'reference', s.reference,
																 'valid_until', s.valid_until, 'status', s.status) ORDER BY s.id)
							 FROM autoxfer._filing_status() s JOIN autoxfer.filing f ON f.id = s.id
							 WHERE (declaration.recipient IS NULL OR f.recipient IS NULL OR f.recipient = declaration.recipient)
							   AND (declaration.purpose IS NULL OR f.purposes IS NULL OR declaration.purpose = ANY (f.purposes))), '[]'));
END
$fn$;
COMMENT ON FUNCTION autoxfer.declaration(text, text) IS
	'The description a filing asks for (D5), as a JSON document: the processor, the recipient(s) and purpose(s) (NULL: all), the scenarios, and per protected table the declared kinds of data, rows by category with their elements, bytes, individuals per tally and, with a recipient and purpose, the rows per measure needed; totals, this year''s counts and the filings concerned; names, kinds and counts only, never the data; tables read with the caller''s rights';

-- Privileges -------------------------------------------------------------------

REVOKE ALL ON autoxfer.compliance_status, autoxfer.filing_status, autoxfer.table_summary,
	autoxfer.transfer_summary FROM PUBLIC;
GRANT SELECT ON autoxfer.compliance_status, autoxfer.filing_status, autoxfer.table_summary,
	autoxfer.transfer_summary TO autoxfer_admin, autoxfer_auditor;
REVOKE ALL ON FUNCTION autoxfer._label_tally_trans(internal, autoxfer.label),
	autoxfer._label_tally_combine(internal, internal), autoxfer._label_tally_serial(internal),
	autoxfer._label_tally_deserial(bytea, internal), autoxfer._label_tally_final(internal),
	autoxfer._label_tally(autoxfer.label) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer._label_tally_trans(internal, autoxfer.label),
	autoxfer._label_tally_combine(internal, internal), autoxfer._label_tally_serial(internal),
	autoxfer._label_tally_deserial(bytea, internal), autoxfer._label_tally_final(internal),
	autoxfer._label_tally(autoxfer.label) TO autoxfer_admin, autoxfer_auditor;
REVOKE ALL ON FUNCTION autoxfer._timezone(), autoxfer._today(), autoxfer._param(text),
	autoxfer._working_day_back(date, integer), autoxfer._compliance_status(), autoxfer._filing_status(),
	autoxfer._label_counts(regclass), autoxfer._label_counts_json(), autoxfer._table_summary_of(jsonb),
	autoxfer._table_summary(), autoxfer._transfer_summary(),
	autoxfer.blocked_rows(regclass, text, text), autoxfer.declaration(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION autoxfer._timezone(), autoxfer._today(), autoxfer._param(text),
	autoxfer._working_day_back(date, integer), autoxfer._compliance_status(), autoxfer._filing_status(),
	autoxfer._label_counts(regclass), autoxfer._label_counts_json(), autoxfer._table_summary_of(jsonb),
	autoxfer._table_summary(), autoxfer._transfer_summary(),
	autoxfer.blocked_rows(regclass, text, text), autoxfer.declaration(text, text)
	TO autoxfer_admin, autoxfer_auditor;
