#!/usr/bin/env bash
# bench_30_areas.sh: rule I1's containment test over the telemetry table.
#
# autoxfer: autoxfer.in_sensitive_area(lat, lon) for every row, with
# BENCH_AREAS (default 1000) random areas in autoxfer.sensitive_area (the C
# function and its per-backend R-tree cache).
# peer: the same question as the PL/pgSQL baseline asks it, an EXISTS over a
# table of the same boxes, here with a GiST index (box @> point).
# Both queries count the rows inside some area; the counts must agree.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
areas=${BENCH_AREAS:-1000}
rows=$(psql -X -A -t -q -c 'SELECT count(*) FROM telemetry')

# The telemetry lies in latitude 20..40, longitude 100..130: areas of
# 0.02 to 0.3 degrees a side, scattered over that range, reproducibly.
psql -X -q -v ON_ERROR_STOP=1 -v areas="$areas" >/dev/null <<'SQL'
SELECT setseed(0.30);
DROP TABLE IF EXISTS bench_zone;
CREATE TABLE bench_zone AS
SELECT g AS id,
       box(point(x, y), point(x + 0.02 + random() * 0.28, y + 0.02 + random() * 0.28)) AS b
FROM (SELECT g, 100 + random() * 29.7 AS x, 20 + random() * 19.7 AS y
      FROM generate_series(1, :areas) g) s;
CREATE INDEX bench_zone_b ON bench_zone USING gist (b);
ANALYZE bench_zone;
TRUNCATE autoxfer.sensitive_area;
INSERT INTO autoxfer.sensitive_area (name, kind, area)
SELECT 'bench ' || id, 'military_zone', b FROM bench_zone;
SQL

ours_sql="SELECT count(*) FROM telemetry WHERE autoxfer.in_sensitive_area(lat, lon)"
peer_sql="SELECT count(*) FROM telemetry t WHERE EXISTS (SELECT 1 FROM bench_zone z WHERE z.b @> box(point(t.lon, t.lat), point(t.lon, t.lat)))"

ours_n=$(psql -X -A -t -q -c "$ours_sql")
peer_n=$(psql -X -A -t -q -c "$peer_sql")
if [ "$ours_n" != "$peer_n" ]; then
	echo "bench_30_areas: in_sensitive_area counts $ours_n rows inside, the GiST query $peer_n" >&2
	exit 1
fi

ours=$(median_ms "$ours_sql")
peer=$(median_ms "$peer_sql")
bench_row "in_sensitive_area: $rows rows, $areas areas, vs GiST EXISTS" "$ours" "$peer" ms

psql -X -q -c 'TRUNCATE autoxfer.sensitive_area' -c 'DROP TABLE bench_zone'
