# test/bench/lib.sh: helpers for the bench_*.sh parts (source it).

# median_ms SQL [reps]: median wall time of SQL in milliseconds over reps runs
# (default 3), each in a fresh psql session.
median_ms() {
	local sql=$1 reps=${2:-3} times=() t
	for _ in $(seq 1 "$reps"); do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -c '\timing on' -c "$sql" 2>&1 | awk '/^Time:/{print $2}' | tail -1)
		[ -n "$t" ] || { echo "bench query failed: $sql" >&2; psql -X -q -c "$sql" >&2 || true; return 1; }
		times+=("$t")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'
}

bench_header() {
	printf '%-60s %14s %14s %9s\n' "benchmark (autoxfer vs peer)" "autoxfer" "peer" "ratio"
	printf '%-60s %14s %14s %9s\n' "$(printf '%.0s-' {1..60})" "--------------" "--------------" "---------"
}

# bench_row NAME AUTOXFER PEER UNIT: one row; ratio = autoxfer / peer.
bench_row() {
	awk -v n="$1" -v a="$2" -v p="$3" -v u="$4" 'BEGIN{printf "%-60s %11.1f %-2s %11.1f %-2s %8.2fx\n", n, a, u, p, u, (p > 0 ? a / p : 0)}'
}

# median VALUE...: the median of the values.
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }

# The database bench.sh made (the parts that use a scratch database come
# back to it to drop theirs).
BENCH_MAIN_DB=${BENCH_MAIN_DB:-${PGDATABASE:-autoxfer_bench}}

# scratch_db NAME ROWS: a database of its own, for a part whose set-up is
# database-wide and cannot be taken back (a role abroad puts row-level
# security on every protected table; filings, the ledger and the transfer
# log are records): dropped if there, made afresh, autoxfer installed, and
# the first ROWS rows of gen.sql's telemetry over BENCH_SUBJECTS subjects
# (the same rows as the first ROWS of the main database's table).
scratch_db() {
	psql -X -q -v ON_ERROR_STOP=1 -d "$BENCH_MAIN_DB" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -c 'CREATE EXTENSION autoxfer'
	psql -X -q -v ON_ERROR_STOP=1 -d "$1" -v rows="$2" -v subjects="$BENCH_SUBJECTS" -f "$BENCH_DIR/gen.sql" >/dev/null
}
