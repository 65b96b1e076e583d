#!/usr/bin/env bash
# test/bench/bench.sh T: run by `make bench` inside a throwaway cluster
# (PGHOST, PGPORT, PGUSER, PGDATABASE set by test/run.sh).
#
# Generates the synthetic telemetry of test/bench/gen.sql once
# (BENCH_ROWS rows over BENCH_SUBJECTS vehicles, default 10M / 1M), installs
# autoxfer and the peer postgresql-hll, then runs every test/bench/bench_*.sh
# in name order.  Each part prints rows with bench_row: autoxfer's figure,
# the peer's figure measured in the same run, and their ratio.
set -euo pipefail
T=$1
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_ROWS=${BENCH_ROWS:-10000000}
export BENCH_SUBJECTS=${BENCH_SUBJECTS:-1000000}
export PGOPTIONS="-c client_min_messages=warning"
export BENCH_DIR=$here BENCH_TMP=$T/bench
mkdir -p "$BENCH_TMP"

psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION autoxfer' -c 'CREATE EXTENSION hll'
echo "generating $BENCH_ROWS telemetry rows over $BENCH_SUBJECTS subjects" >&2
psql -X -q -v ON_ERROR_STOP=1 -v rows="$BENCH_ROWS" -v subjects="$BENCH_SUBJECTS" -f "$here/gen.sql" >/dev/null

. "$here/lib.sh"
bench_header
# BENCH_ONLY=20_copy runs only bench_20_copy.sh (a glob: 1*, 20_copy)
for part in "$here"/bench_${BENCH_ONLY:-*}.sh; do
	[ -e "$part" ] || continue
	bash "$part"
done
