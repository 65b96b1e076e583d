#!/usr/bin/env bash
# bench_50_export.sh: the audited export path (issue 10, item 6).
#
# Set-up, in a database of its own (the ledger and the transfer log are
# records: nothing booked here can be taken back, and the other parts must
# not inherit it): the first min(BENCH_ROWS, 1M) rows of gen.sql's
# telemetry in a protected table x_export (subject owner_id, faces and
# plates declared: personal rows and important ones, rule I5; an index on
# ts, the column the nightly job selects by), an organisation, purpose
# analytics, recipient bench-etl (DE) with a security assessment in force
# for every kind of data (a ledger past 1M individuals needs one, M3), and
# a role bench_etl in autoxfer_exporter with SELECT on the table: the
# exports and their peers run as that role, as the nightly job does.
# This year's ledger holds BENCH_EXPORT_LEDGER individuals (default 5M),
# booked for bench-etl with ledger_add as autoxfer_admin: nine in ten of
# the table's owners (those whose number ends in another digit than 0) and
# as many others as make up the count; so exporting the whole table adds
# the remaining tenth (100,000 at the default scale) to a ledger of 5M.
#
# Targets:
#	the export of every row, CREATE TEMP TABLE ... AS SELECT * FROM
#		autoxfer.export(...), within 3x of CREATE TEMP TABLE ... AS SELECT *
#		FROM the table; both rolled back, so that each run finds the same
#		ledger;
#	an export of 1,000 rows (a ts range, through the index) into that
#		ledger under 50 ms: committed, each run another 1,000 rows (about a
#		tenth of their owners new, as in the big batch), one after another
#		in one session, as the nightly job runs its many small batches (the
#		first of the session, with cold caches, reported apart); the same
#		selections as CREATE TEMP TABLE ... AS SELECT for reference;
# and, reported, memory per exported row: the growth of the backend's peak
# resident memory during the statement, less the growth of the shared
# memory it maps (VmHWM after reset through /proc/self/clear_refs, VmRSS
# and RssShmem before and after, from /proc/self/status), in a fresh
# session whose shared pages (the table, the ledger and their TOAST) were
# touched first; divided by the rows; for the export and for the CREATE
# TABLE AS peer.  Shared buffers are a fixed pool that the scan reads
# either way: what is left is the backend's private memory (the
# materialised result, the batch's hashes and sets, the temp table's local
# buffers on both sides).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
db=autoxfer_bench_export
n=$(( BENCH_ROWS < 1000000 ? BENCH_ROWS : 1000000 ))
ledger=${BENCH_EXPORT_LEDGER:-5000000}
reps=${BENCH_EXPORT_REPS:-5}
scratch_db "$db" "$n"
export PGDATABASE=$db

psql -X -q -v ON_ERROR_STOP=1 -v ledger="$ledger" >/dev/null <<'SQL'
SET client_min_messages = warning;
CREATE TABLE x_export (LIKE telemetry);
SELECT autoxfer.declare_column('x_export', 'has_face', 'faces_visible'),
	   autoxfer.declare_column('x_export', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('x_export', 'connected_operation', 'owner_id');
INSERT INTO x_export SELECT * FROM telemetry;
DROP TABLE telemetry;
CREATE INDEX ON x_export (ts);
VACUUM ANALYZE x_export;

SELECT autoxfer.set_organisation('Bench Auto (Shanghai)');
SELECT autoxfer.add_purpose('analytics', 'bench: fleet analytics');
SELECT autoxfer.register_recipient('bench-etl', 'DE');
SELECT autoxfer.record_filing('security_assessment', 'bench-etl', '{analytics}', 'BENCH-SA-1', current_date - 30);
DROP ROLE IF EXISTS bench_etl;
CREATE ROLE bench_etl LOGIN IN ROLE autoxfer_exporter;
GRANT SELECT ON x_export TO bench_etl;

-- the ledger: nine in ten of the table's owners, then others up to :ledger
GRANT SELECT ON x_export TO autoxfer_admin;
SET ROLE autoxfer_admin;
SELECT autoxfer.ledger_add('personal', autoxfer.subjects(owner_id), 'bench-etl')
FROM x_export WHERE substr(owner_id, 2)::bigint % 10 <> 0;
SELECT autoxfer.ledger_add('personal', autoxfer.subjects('F' || g), 'bench-etl')
FROM generate_series(1, :ledger - autoxfer.ledger_count('personal')) g;
RESET ROLE;
REVOKE SELECT ON x_export FROM autoxfer_admin;
SQL

rows=$(psql -X -A -t -q -c "SELECT count(*) FROM x_export")
as_etl="SET ROLE bench_etl; "
export_sql="${as_etl}BEGIN; CREATE TEMP TABLE out AS SELECT * FROM autoxfer.export(NULL::x_export, 'bench-etl', 'analytics'); ROLLBACK;"
ctas_sql="${as_etl}BEGIN; CREATE TEMP TABLE out AS SELECT * FROM x_export; ROLLBACK;"

# the batch: every row goes, a tenth of its individuals are new
read -r returned withheld new before < <(psql -X -A -t -q -F ' ' -v ON_ERROR_STOP=1 <<SQL
BEGIN;
SET ROLE bench_etl;
SELECT count(*) FROM autoxfer.export(NULL::x_export, 'bench-etl', 'analytics') \g /dev/null
RESET ROLE;
SELECT rows_returned, rows_withheld, new_personal, total_personal - new_personal
FROM autoxfer.transfer_log ORDER BY id DESC LIMIT 1;
ROLLBACK;
SQL
)
echo "check: $returned of $rows rows exported ($withheld withheld), $new new individuals, ledger $before -> $((before + new))" >&2
[ "$returned" = "$rows" ] && [ "$new" -gt 0 ] ||
	{ echo "bench_50_export: the batch is not what the set-up means it to be" >&2; exit 1; }

# 1. the big batch against CREATE TABLE AS, alternating round after round
t_exp=() t_ctas=()
for _ in $(seq 1 "$reps"); do
	t_ctas+=("$(median_ms "$ctas_sql" 1)")
	t_exp+=("$(median_ms "$export_sql" 1)")
done
exp=$(median "${t_exp[@]}") ctas=$(median "${t_ctas[@]}")

# 2. batches of 1,000 rows, committed, each a new ts range of rows not
# exported before (rows g of gen.sql have ts 2026-01-01 + g seconds), one
# after the other in one session, as the nightly job runs them: the first
# of a session pays for its cold caches (plans, the verdict's state, the
# table's compiled state), reported apart; the median is of the others
range_of() {
	echo "ts > timestamptz '2026-01-01' + interval '$1 seconds' AND ts <= timestamptz '2026-01-01' + interval '$(($1 + 1000)) seconds'"
}
# session_times SQL...: each statement's time in ms, in one session
session_times() {
	{
		echo '\timing on'
		printf '%s\n' "$@"
	} | psql -X -q -v ON_ERROR_STOP=1 2>&1 | awk '/^Time:/{print $2}'
}
batches=$((reps * 2 + 1))
stmts=("SET ROLE bench_etl;") peer_stmts=("SET ROLE bench_etl;")
for i in $(seq 1 "$batches"); do
	stmts+=("SELECT count(*) FROM autoxfer.export(NULL::x_export, 'bench-etl', 'analytics', \$\$$(range_of $((i * 1000)))\$\$);")
	peer_stmts+=("BEGIN; CREATE TEMP TABLE out AS SELECT * FROM x_export WHERE $(range_of $((i * 1000))); ROLLBACK;")
done
mapfile -t t_peer < <(session_times "${peer_stmts[@]}" | tail -n "$((batches * 3))" | awk 'NR % 3 == 2')
mapfile -t t_small < <(session_times "${stmts[@]}" | tail -n "$batches")
[ "${#t_small[@]}" -eq "$batches" ] && [ "${#t_peer[@]}" -eq "$batches" ] ||
	{ echo "bench_50_export: the small exports failed" >&2; exit 1; }
sm_cold=${t_small[0]}
sm=$(median "${t_small[@]:1}") smc=$(median "${t_peer[@]:1}")
psql -X -A -t -q -c "SELECT 'check: ' || count(*) || ' small exports, ' || sum(rows_returned) || ' rows, '
	|| sum(new_personal) || ' new individuals, ledger now ' || max(total_personal)
	FROM autoxfer.transfer_log WHERE kind = 'export'" >&2

# 3. memory per exported row (see the top of this file); the table and
# the ledger (with their TOAST) read first, so that their shared pages are
# mapped before the measure
touch_sql=$(psql -X -A -t -q -c "SELECT string_agg(format('SELECT count(*) FROM %s', c.oid::regclass), ' UNION ALL ')
	FROM pg_class c WHERE c.oid IN ('x_export'::regclass, 'autoxfer.ledger'::regclass, 'autoxfer.ledger_recipient'::regclass)
	   OR c.oid IN (SELECT reltoastrelid FROM pg_class WHERE oid IN ('x_export'::regclass, 'autoxfer.ledger'::regclass, 'autoxfer.ledger_recipient'::regclass))")
# mem_per_row SQL: bytes per row of private peak growth while SQL runs
mem_per_row() {
	psql -X -A -t -q -v ON_ERROR_STOP=1 <<SQL | tail -1
SET max_parallel_workers_per_gather = 0;
SELECT sum(c) FROM ($touch_sql) x(c);
CREATE TEMP TABLE st (k text, kb bigint);
CREATE FUNCTION pg_temp.status(f text) RETURNS bigint LANGUAGE sql AS
	\$\$SELECT (regexp_match(pg_read_file('/proc/self/status'), f || ':\s+(\d+) kB'))[1]::bigint\$\$;
COPY (SELECT 5) TO '/proc/self/clear_refs';
INSERT INTO st VALUES ('rss', pg_temp.status('VmRSS')), ('shmem', pg_temp.status('RssShmem'));
$1
RESET ROLE;
SELECT round(((pg_temp.status('VmHWM') - (SELECT kb FROM st WHERE k = 'rss'))
			  - (pg_temp.status('RssShmem') - (SELECT kb FROM st WHERE k = 'shmem'))) * 1024.0 / $rows, 1);
SQL
}
mem_exp=$(mem_per_row "$export_sql")
mem_ctas=$(mem_per_row "$ctas_sql")

bench_row "export $rows rows +$new to ledger $before vs CTAS (<= 3x)" "$exp" "$ctas" ms
bench_row "export of 1,000 rows into that ledger (peer: target 50 ms)" "$sm" 50 ms
bench_row "the same, first export of a session (peer: target 50 ms)" "$sm_cold" 50 ms
bench_row "export of 1,000 rows vs CREATE TABLE AS of the same rows" "$sm" "$smc" ms
bench_row "export: private memory per exported row vs CREATE TABLE AS" "$mem_exp" "$mem_ctas" B

# BENCH_KEEP_DB=1 keeps the database (to profile its queries)
[ "${BENCH_KEEP_DB:-0}" = 1 ] || psql -X -q -d "$BENCH_MAIN_DB" -c "DROP DATABASE $db" -c "DROP ROLE bench_etl"
