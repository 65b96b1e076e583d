#!/usr/bin/env bash
# bench_40_verdict.sh: the query-time verdict (issue 9, item 5).
#
# Set-up, in a database of its own (a role abroad puts row-level security
# on every protected table of its database, and registrations, filings and
# the ledger cannot be taken back: the other parts must not inherit them):
# BENCH_ROWS rows of gen.sql's telemetry in a protected table x_verdict
# (subject owner_id, faces and plates declared: about 90% of the rows are
# personal, the rest important, rule I5), an organisation, purpose
# analytics, recipient bench-de (DE) with role bench_de_reader acting for it
# (rule X2), a security assessment for bench-de and analytics whose scope is
# personal data only (so the important rows may not go), and every owner of
# the table booked in this year's ledger for bench-de (ledger_add as
# autoxfer_admin), so that a personal row is visible to the role abroad.
# x_verdict also has a plain boolean column, plain_ok, holding for each row
# what exportable() says of it (set through a map of the row kinds, checked
# below), so that the peer scan reads the same table and counts the same
# rows.
#
# Targets, all over every row of the table, parallel plans allowed:
#	count(*) WHERE autoxfer.exportable(xfer_label, 'bench-de', 'analytics')
#		within 1.2x of count(*) WHERE plain_ok;
#	count(*) read by bench_de_reader through policy autoxfer_abroad
#		(autoxfer._x2_visible) within 1.5x of the same;
# and, reported: the hand-written PL/pgSQL verdict of verdict_baseline.sql
# (peer_verdict, a lookup in a filings table per row) against exportable();
# and the same count by a second role abroad, bench_de10_reader for
# recipient bench-de10, for which a tenth of the owners are booked (the
# size of the set of counted individuals is what the policy's test costs);
# and count(*) by bench_analyst, a role that acts for nobody abroad (its
# plans have the policy's test simplified away), against the superuser's
# count(*), which no row-level security touches.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
db=autoxfer_bench_verdict
reps=${BENCH_VERDICT_REPS:-5}
scratch_db "$db" "$BENCH_ROWS"
export PGDATABASE=$db

psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
SET client_min_messages = warning;
SELECT autoxfer.set_organisation('Bench Auto (Shanghai)');
SELECT autoxfer.add_purpose('analytics', 'bench: fleet analytics');
DROP ROLE IF EXISTS bench_de_reader;
CREATE ROLE bench_de_reader LOGIN;
SELECT autoxfer.register_recipient('bench-de', 'DE', 'bench_de_reader', 'analytics');
SELECT autoxfer.record_filing('security_assessment', 'bench-de', '{analytics}', 'BENCH-SA-1', current_date - 30,
							  categories => '{personal,sensitive_personal}');
-- every owner booked for bench-de this year, as an earlier export would have
GRANT SELECT ON telemetry TO autoxfer_admin;
SET ROLE autoxfer_admin;
SELECT autoxfer.ledger_add('personal', autoxfer.subjects(owner_id), 'bench-de') FROM telemetry;
RESET ROLE;

CREATE TABLE x_verdict (LIKE telemetry, plain_ok boolean);
SELECT autoxfer.declare_column('x_verdict', 'has_face', 'faces_visible'),
	   autoxfer.declare_column('x_verdict', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('x_verdict', 'connected_operation', 'owner_id');
GRANT SELECT ON x_verdict TO bench_de_reader;
-- the verdict of each kind of row (the labels depend on the two declared
-- columns only), from a sample of every kind, then every row with it
INSERT INTO x_verdict SELECT * FROM telemetry WHERE id <= 1000;
CREATE TEMP TABLE kinds AS
SELECT DISTINCT has_face, plate_visible, autoxfer.exportable(xfer_label, 'bench-de', 'analytics') AS ok FROM x_verdict;
TRUNCATE x_verdict;
INSERT INTO x_verdict SELECT t.*, k.ok FROM telemetry t JOIN kinds k USING (has_face, plate_visible);
DROP TABLE telemetry;
VACUUM ANALYZE x_verdict;
-- a second role abroad: a tenth of the owners counted for its recipient
DROP ROLE IF EXISTS bench_de10_reader;
CREATE ROLE bench_de10_reader LOGIN;
DROP ROLE IF EXISTS bench_analyst;
CREATE ROLE bench_analyst LOGIN;
GRANT SELECT ON x_verdict TO bench_analyst;
SELECT autoxfer.register_recipient('bench-de10', 'DE', 'bench_de10_reader', 'analytics');
SELECT autoxfer.record_filing('security_assessment', 'bench-de10', '{analytics}', 'BENCH-SA-10', current_date - 30,
							  categories => '{personal,sensitive_personal}');
GRANT SELECT ON x_verdict TO autoxfer_admin, bench_de10_reader;
SET ROLE autoxfer_admin;
SELECT autoxfer.ledger_add('personal', autoxfer.subjects(owner_id), 'bench-de10') FROM x_verdict
WHERE abs(hashtext(owner_id)) % 10 = 0;
RESET ROLE;
REVOKE SELECT ON x_verdict FROM autoxfer_admin;
SQL
psql -X -q -v ON_ERROR_STOP=1 -f "$here/verdict_baseline.sql" >/dev/null

ax_sql="SELECT count(*) FROM x_verdict WHERE autoxfer.exportable(xfer_label, 'bench-de', 'analytics')"
bool_sql="SELECT count(*) FROM x_verdict WHERE plain_ok"
x2_sql="SELECT count(*) FROM x_verdict"
peer_sql="SELECT count(*) FROM x_verdict WHERE peer_verdict(xfer_label, 'vendor_de', 'analytics')"

# the answers agree: the verdict, the boolean column, what the role abroad
# sees, the PL/pgSQL verdict; and the table is not all one kind
rows=$(psql -X -A -t -q -c "SELECT count(*) FROM x_verdict")
ax_n=$(psql -X -A -t -q -c "$ax_sql")
bool_n=$(psql -X -A -t -q -c "$bool_sql")
x2_n=$(PGUSER=bench_de_reader psql -X -A -t -q -c "$x2_sql")
# the PL/pgSQL verdict is some 60x slower: one run, counted and timed
read -r peer_n peer < <(psql -X -A -t -q -v ON_ERROR_STOP=1 -c '\timing on' -c "$peer_sql" |
	awk '/^Time:/{t=$2} /^[0-9]+$/{n=$1} END{print n, t}')
counted=$(psql -X -A -t -q -c "SELECT individuals FROM autoxfer.ledger_recipient_status WHERE recipient = 'bench-de' AND tally = 'personal'")
# every row exportable() lets go is personal (the others are important):
# the second role abroad sees those of the owners booked for it
x2_10_n=$(PGUSER=bench_de10_reader psql -X -A -t -q -c "$x2_sql")
x2_10_want=$(psql -X -A -t -q -c "SELECT count(*) FROM x_verdict WHERE plain_ok AND abs(hashtext(owner_id)) % 10 = 0")
counted_10=$(psql -X -A -t -q -c "SELECT individuals FROM autoxfer.ledger_recipient_status WHERE recipient = 'bench-de10' AND tally = 'personal'")
dom_n=$(PGUSER=bench_analyst psql -X -A -t -q -c "$x2_sql")
echo "check: $rows rows, exportable $ax_n, plain_ok $bool_n, seen abroad $x2_n, peer_verdict $peer_n; $counted individuals counted for bench-de; bench-de10 ($counted_10 counted) sees $x2_10_n of $x2_10_want; a role not abroad sees $dom_n" >&2
if [ "$ax_n" != "$bool_n" ] || [ "$ax_n" != "$x2_n" ] || [ "$ax_n" != "$peer_n" ] ||
	[ "$x2_10_n" != "$x2_10_want" ] || [ "$x2_10_n" -eq 0 ] || [ "$dom_n" != "$rows" ] ||
	[ "$ax_n" -eq 0 ] || [ "$ax_n" -eq "$rows" ]; then
	echo "bench_40_verdict: the counts disagree (or every row is of one kind)" >&2
	exit 1
fi

# alternate the queries round after round, so that drift in the load of
# the machine falls on all alike; medians of $reps rounds
t_ax=() t_bool=() t_x2=() t_x2_10=() t_dom=() t_su=()
for _ in $(seq 1 "$reps"); do
	t_bool+=("$(median_ms "$bool_sql" 1)")
	t_ax+=("$(median_ms "$ax_sql" 1)")
	t_x2+=("$(PGUSER=bench_de_reader median_ms "$x2_sql" 1)")
	t_x2_10+=("$(PGUSER=bench_de10_reader median_ms "$x2_sql" 1)")
	t_dom+=("$(PGUSER=bench_analyst median_ms "$x2_sql" 1)")
	t_su+=("$(median_ms "$x2_sql" 1)")
done
ax=$(median "${t_ax[@]}") bool=$(median "${t_bool[@]}") x2=$(median "${t_x2[@]}") x2_10=$(median "${t_x2_10[@]}")
dom=$(median "${t_dom[@]}") su=$(median "${t_su[@]}")
bench_row "exportable(): $rows rows vs WHERE boolean column (target <= 1.2x)" "$ax" "$bool" ms
bench_row "role abroad, X2 policy: count(*) vs WHERE boolean (target <= 1.5x)" "$x2" "$bool" ms
bench_row "exportable() vs hand-written PL/pgSQL verdict" "$ax" "$peer" ms
bench_row "role abroad vs exportable(): the counted-individual test" "$x2" "$ax" ms
bench_row "role abroad, a tenth of the owners counted, vs WHERE boolean" "$x2_10" "$bool" ms
bench_row "count(*) by a role not abroad vs by the superuser (no RLS)" "$dom" "$su" ms

# BENCH_KEEP_DB=1 keeps the database (to profile its queries)
[ "${BENCH_KEEP_DB:-0}" = 1 ] || psql -X -q -d "$BENCH_MAIN_DB" -c "DROP DATABASE $db" -c "DROP ROLE bench_de_reader" -c "DROP ROLE bench_de10_reader" -c "DROP ROLE bench_analyst"
