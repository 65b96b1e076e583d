#!/usr/bin/env bash
# test/bench/bench_10_subjects.sh: exact subject counting against its peers
# (postgresql-hll's approximate sketch, count(DISTINCT)), the memory and
# storage per subject, and the union of a 1M set into a 10M set.
set -euo pipefail
. "$BENCH_DIR/lib.sh"

# 1. speed of the exact count, parallel plans allowed for both sides
ax=$(median_ms "SELECT autoxfer.subject_count(vin) FROM telemetry")
hll=$(median_ms "SELECT hll_cardinality(hll_add_agg(hll_hash_text(vin))) FROM telemetry")
bench_row "subject_count(vin) vs hll_add_agg (target <= 1.5x)" "$ax" "$hll" ms
cd=$(median_ms "SELECT count(DISTINCT vin) FROM telemetry" 1)
bench_row "subject_count(vin) vs count(DISTINCT vin) (target <= 0.1x)" "$ax" "$cd" ms

# the answers: exact against count(DISTINCT), hll's error for reference
psql -X -q -At -c "SELECT 'check: subject_count ' || autoxfer.subject_count(vin) || ', count(DISTINCT) ' || count(DISTINCT vin)
	|| ', hll ' || round(hll_cardinality(hll_add_agg(hll_hash_text(vin)))) FROM telemetry" >&2

# 2. peak memory per subject: the transition keeps a count of the bytes of
# its arrays and reports the peak at DEBUG1 from its final function; one
# serial aggregate (no parallel workers) so one state sees every row.
line=$(psql -X -q -At -c "SET client_min_messages = debug1" -c "SET max_parallel_workers_per_gather = 0" \
	-c "SELECT autoxfer.subject_count(vin) FROM telemetry" 2>&1 | grep 'peak' | tail -1)
echo "memory: $line" >&2
per=$(sed -n 's/.*(\([0-9.]*\) per member).*/\1/p' <<<"$line")
bench_row "peak aggregate memory per subject (peer: target 24 B)" "${per:-0}" 24 B

# 3. stored size per subject, against a plain array of 8-byte hashes
stored=$(psql -X -q -At -c "SELECT round(pg_column_size(s)::numeric / autoxfer.cardinality(s), 3)
	FROM (SELECT autoxfer.subjects(vin) AS s FROM telemetry) q")
bench_row "stored bytes per subject (peer: plain 8-byte hashes)" "$stored" 8 B

# 4. union of a 1M set into a 10M set (half of the 1M new), against
# hll_union of the corresponding sketches
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
DROP TABLE IF EXISTS bench_sets;
CREATE TABLE bench_sets AS
SELECT (SELECT autoxfer.subjects('S' || g) FROM generate_series(1, 10000000) g) AS big,
       (SELECT autoxfer.subjects('S' || g) FROM generate_series(9500001, 10500000) g) AS small,
       (SELECT hll_add_agg(hll_hash_text('S' || g)) FROM generate_series(1, 10000000) g) AS big_hll,
       (SELECT hll_add_agg(hll_hash_text('S' || g)) FROM generate_series(9500001, 10500000) g) AS small_hll;
SQL
psql -X -q -At -c "SELECT 'check: union ' || autoxfer.cardinality(big OPERATOR(autoxfer.|) small) || ' (exact 10500000), stored big set ' || pg_column_size(big) || ' bytes' FROM bench_sets" >&2
un=$(median_ms "SELECT autoxfer.cardinality(big OPERATOR(autoxfer.|) small) FROM bench_sets")
hun=$(median_ms "SELECT hll_cardinality(hll_union(big_hll, small_hll)) FROM bench_sets")
bench_row "union 1M set into 10M set (target < 1000 ms) vs hll_union" "$un" "$hun" ms
ledger=$(median_ms "BEGIN; SELECT autoxfer.count_new(small, big) FROM bench_sets; ROLLBACK;")
bench_row "count_new of 1M set against 10M set vs hll_union" "$ledger" "$hun" ms
psql -X -q -c "DROP TABLE bench_sets"
