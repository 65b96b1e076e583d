#!/usr/bin/env bash
# bench_20_copy.sh: COPY of 1M telemetry rows into a protected table (subject
# owner_id, has_face declared faces_visible and plate_visible declared
# plates_visible, the default rules, scenario connected_operation) against
# COPY into the same table unprotected, and the hand-written PL/pgSQL trigger
# of plpgsql_baseline.sql against the same unprotected COPY.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
n=$(( BENCH_ROWS < 1000000 ? BENCH_ROWS : 1000000 ))
csv=$BENCH_TMP/telemetry_1m.csv
psql -X -q -v ON_ERROR_STOP=1 -v csv="$csv" -f "$here/plpgsql_baseline.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
DROP TABLE IF EXISTS t_autoxfer;
CREATE TABLE t_autoxfer (LIKE telemetry);
SELECT autoxfer.declare_column('t_autoxfer', 'has_face', 'faces_visible');
SELECT autoxfer.declare_column('t_autoxfer', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('t_autoxfer', 'connected_operation', 'owner_id');
-- the unprotected twin has the label column too, so the rows are as wide
DROP TABLE IF EXISTS t_unprotected;
CREATE TABLE t_unprotected (LIKE telemetry, xfer_label autoxfer.label);
SQL
cols="id, vin, owner_id, ts, lat, lon, speed, has_face, plate_visible"
copy_ms() { median_ms "TRUNCATE $1; COPY $1 ($cols) FROM '$csv' CSV" "${2:-3}"; }
plain=$(copy_ms t_plain)
unprot=$(copy_ms t_unprotected)
ax=$(copy_ms t_autoxfer)
plp=$(copy_ms t_plpgsql)
# the labels written are right: one check, outside the timing
psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT count(*) FILTER (WHERE xfer_label IS NULL) = 0 AND count(*) = $n FROM t_autoxfer" | grep -qx t ||
	{ echo "bench_20_copy: t_autoxfer rows are not all labelled" >&2; exit 1; }
bench_row "COPY ${n} rows: protected vs same table unprotected" "$ax" "$unprot" ms
bench_row "COPY ${n} rows: protected vs plain telemetry copy" "$ax" "$plain" ms
bench_row "COPY ${n} rows: PL/pgSQL trigger baseline vs plain" "$plp" "$plain" ms
bench_row "COPY ${n} rows: protected vs PL/pgSQL trigger baseline" "$ax" "$plp" ms
