#!/usr/bin/env bash
# bench_70_views.sh: the compliance views and the yearly report (issue 11,
# item 5) on the bench data.
#
# Set-up, made here: a protected copy of the telemetry (v_telemetry, every
# row of gen.sql's table: owner_id the subject, faces and plates declared,
# so rows are personal or important), this year's ledger of BENCH_LEDGER
# individuals (default 5M, booked with ledger_add) and BENCH_LOG_ROWS (default
# 10,000) export rows of the transfer log over this year's months (the
# superuser writes the rows autoxfer.export writes), 8 recipients and 40
# filings of every kind.
#
# Targets: compliance_status, filing_status and transfer_summary under
# 100 ms (no peer: the target is the peer column); table_summary within
# 1.5x of count(*) of the same tables (every protected table: the other
# parts' too); report(this year) under 2 s.  table_summary reads each
# table's label column once (aggregate autoxfer._label_tally); count(*)
# reads no column, so the floor of any query that reads the label is
# count(label_column), measured too.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
ledger=${BENCH_LEDGER:-5000000}
logrows=${BENCH_LOG_ROWS:-10000}

psql -X -q -v ON_ERROR_STOP=1 -v ledger="$ledger" -v logrows="$logrows" >/dev/null <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS v_telemetry;
CREATE TABLE v_telemetry (LIKE telemetry);
SELECT autoxfer.declare_column('v_telemetry', 'has_face', 'faces_visible'),
	   autoxfer.declare_column('v_telemetry', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('v_telemetry', 'connected_operation', 'owner_id');
INSERT INTO v_telemetry SELECT * FROM telemetry;
VACUUM ANALYZE v_telemetry;

SELECT autoxfer.set_organisation('Bench Auto (Shanghai)');
SELECT autoxfer.add_purpose(p, 'bench purpose ' || p) FROM unnest('{after_sales,analytics,quality}'::text[]) p;
SELECT autoxfer.register_recipient('bench-r' || r, (ARRAY['DE', 'JP', 'US', 'FR', 'GB', 'SG', 'KR', 'IT'])[r])
FROM generate_series(1, 8) r
WHERE NOT EXISTS (SELECT 1 FROM autoxfer.recipient x WHERE x.name = 'bench-r' || r);
-- 40 filings: assessments (some in their extension window), contracts
-- (filed, late, unfiled, with a maximum), certifications
SELECT autoxfer.record_filing(m, CASE WHEN m = 'certification' AND k % 2 = 0 THEN NULL ELSE 'bench-r' || (1 + k % 8) END,
							  NULL, 'BENCH-' || k, (current_date - 30 * k)::date,
							  max_individuals => CASE WHEN k % 3 = 0 THEN 1000000 * k END,
							  filed_on => CASE WHEN m = 'standard_contract' AND k % 4 <> 0 THEN (current_date - 30 * k + k % 20)::date END)
FROM generate_series(1, 40) k,
	 LATERAL (SELECT (ARRAY['security_assessment', 'standard_contract', 'standard_contract', 'certification'])[1 + k % 4]::autoxfer.measure AS m) x
WHERE NOT EXISTS (SELECT 1 FROM autoxfer.filing f WHERE f.reference = 'BENCH-' || k);
SET ROLE autoxfer_admin;
SELECT autoxfer.ledger_add('personal', autoxfer.subjects('L' || g), 'bench-r1') FROM generate_series(1, :ledger) g;
SELECT autoxfer.ledger_add('sensitive_personal', autoxfer.subjects('S' || g), 'bench-r2') FROM generate_series(1, :ledger / 250) g;
RESET ROLE;
-- the export rows, spread over this year up to now (China time)
INSERT INTO autoxfer.transfer_log (kind, booked_at, logged_at, year, role_name, session_role, recipient, purpose, tbl,
								   rows_returned, rows_withheld, withheld, new_personal, new_sensitive, measures,
								   subjects_personal, subjects_sensitive)
SELECT 'export', ts, ts, autoxfer.ledger_year(ts), 'bench', 'bench', 'bench-r' || (1 + g % 8),
	   (ARRAY['after_sales', 'analytics', 'quality'])[1 + g % 3], 'public.v_telemetry',
	   1000 + g % 500, g % 50, jsonb_build_object('not_exportable', g % 30, 'stale', g % 10, 'no_subject', g % 7, 'excess', g % 3),
	   g % 100, g % 7, (ARRAY['{exempt}', '{standard_contract}', '{exempt,security_assessment}'])[1 + g % 3]::autoxfer.measure[],
	   autoxfer.empty_subject_set(), autoxfer.empty_subject_set()
FROM generate_series(1, :logrows) g,
	 LATERAL (SELECT date_trunc('year', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai'
					 + (now() - (date_trunc('year', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai')) * g / (:logrows + 1) AS ts) t;
ANALYZE autoxfer.transfer_log;
SQL

year=$(psql -X -A -t -q -c "SELECT autoxfer.ledger_year(now())")
tables=$(psql -X -A -t -q -c "SELECT string_agg(format('SELECT count(*) FROM %s', rel), ' UNION ALL ') FROM autoxfer.protected_table")
labels=$(psql -X -A -t -q -c "SELECT string_agg(format('SELECT count(%I) FROM %s', label_column, rel), ' UNION ALL ') FROM autoxfer.protected_table")
rows=$(psql -X -A -t -q -c "SELECT sum(c) FROM ($tables) x(c)")
summary=$(psql -X -A -t -q -c "SELECT sum(rows) FROM autoxfer.table_summary")
if [ "$rows" != "$summary" ]; then
	echo "bench_70_views: table_summary counts $summary rows, count(*) $rows" >&2
	exit 1
fi
psql -X -A -t -q -c "SELECT 'check: ledger ' || individuals || ' personal individuals, ' || (SELECT count(*) FROM autoxfer.transfer_log) || ' log rows, ' || (SELECT count(*) FROM autoxfer.filing) || ' filings, $rows protected rows' FROM autoxfer.ledger_status WHERE year = $year AND tally = 'personal'" >&2

cs=$(median_ms "SELECT * FROM autoxfer.compliance_status")
fs=$(median_ms "SELECT * FROM autoxfer.filing_status")
tr=$(median_ms "SELECT * FROM autoxfer.transfer_summary")
ts=$(median_ms "SELECT * FROM autoxfer.table_summary")
cnt=$(median_ms "SELECT sum(c) FROM ($tables) x(c)")
lab=$(median_ms "SELECT sum(c) FROM ($labels) x(c)")
rp=$(median_ms "SELECT length(autoxfer.report($year))")
bench_row "compliance_status (peer: target 100 ms)" "$cs" 100 ms
bench_row "filing_status, 40 filings (peer: target 100 ms)" "$fs" 100 ms
bench_row "transfer_summary, $logrows log rows (peer: target 100 ms)" "$tr" 100 ms
bench_row "table_summary, $rows rows, vs count(*) (target <= 1.5x)" "$ts" "$cnt" ms
bench_row "table_summary vs count(label column), the floor" "$ts" "$lab" ms
bench_row "report($year) (peer: target 2000 ms)" "$rp" 2000 ms

psql -X -q -c 'DROP TABLE v_telemetry' >/dev/null
