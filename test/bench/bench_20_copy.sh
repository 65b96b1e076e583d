#!/usr/bin/env bash
# bench_20_copy.sh: COPY of 1M telemetry rows into a protected table (subject
# owner_id, has_face declared faces_visible and plate_visible declared
# plates_visible, the default rules, scenario connected_operation) against
# COPY into the same table unprotected, and the hand-written PL/pgSQL trigger
# of plpgsql_baseline.sql against the same unprotected COPY.
#
# The bench cluster preloads autoxfer (shared_preload_libraries, as
# docs/guide-dba.md recommends), so COPY into the protected table takes the
# bulk path of src/copy.c from the first statement of a session.  The same
# COPY with autoxfer.bulk_copy = off is measured as well: there the server
# inserts row by row, as it does for any table with a BEFORE ROW trigger,
# and the enforcing trigger labels each row; contrib's insert_username (a
# trivial C trigger writing one column of every row) is the reference for
# that path.  Every comparison alternates its loads round after round
# (median of 7 rounds for the main one, 5 or 3 for the others), so that
# drift in the load of the machine falls on all alike, and each COPY starts
# after a CHECKPOINT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
n=$(( BENCH_ROWS < 1000000 ? BENCH_ROWS : 1000000 ))
csv=$BENCH_TMP/telemetry_1m.csv
reps=${BENCH_COPY_REPS:-7}
psql -X -q -v ON_ERROR_STOP=1 -v csv="$csv" -f "$here/plpgsql_baseline.sql" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
DROP TABLE IF EXISTS t_autoxfer, t_unprotected, t_floor;
CREATE TABLE t_autoxfer (LIKE telemetry);
SELECT autoxfer.declare_column('t_autoxfer', 'has_face', 'faces_visible');
SELECT autoxfer.declare_column('t_autoxfer', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('t_autoxfer', 'connected_operation', 'owner_id');
-- the unprotected twin has a label column too, so the rows are as wide
CREATE TABLE t_unprotected (LIKE telemetry, xfer_label autoxfer.label);
-- the same with the location declared as well: rules I1 (the baseline's
-- two restricted zones as sensitive areas) and C3L apply too
DROP TABLE IF EXISTS t_autoxfer_geo;
CREATE TABLE t_autoxfer_geo (LIKE telemetry);
SELECT autoxfer.declare_column('t_autoxfer_geo', 'has_face', 'faces_visible');
SELECT autoxfer.declare_column('t_autoxfer_geo', 'plate_visible', 'plates_visible');
SELECT autoxfer.declare_column('t_autoxfer_geo', 'lat', 'latitude');
SELECT autoxfer.declare_column('t_autoxfer_geo', 'lon', 'longitude');
SELECT autoxfer.protect('t_autoxfer_geo', 'connected_operation', 'owner_id');
DELETE FROM autoxfer.sensitive_area WHERE name LIKE 'bench zone %';
INSERT INTO autoxfer.sensitive_area (name, kind, area)
SELECT 'bench zone ' || row_number() OVER (), 'military_zone',
       box(point(box_lo_lon, box_lo_lat), point(box_hi_lon, box_hi_lat))
FROM restricted_zone;
-- the same, partitioned by month (12 partitions), protected and not
DROP TABLE IF EXISTS t_autoxfer_part, t_unprotected_part;
CREATE TABLE t_autoxfer_part (LIKE telemetry) PARTITION BY RANGE (ts);
CREATE TABLE t_unprotected_part (LIKE telemetry, xfer_label autoxfer.label) PARTITION BY RANGE (ts);
SELECT format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', t || '_' || m, t,
			  timestamptz '2026-01-01' + (m - 1) * interval '1 month', timestamptz '2026-01-01' + m * interval '1 month')
FROM unnest(ARRAY['t_autoxfer_part', 't_unprotected_part']) t, generate_series(1, 12) m \gexec
SELECT autoxfer.declare_column('t_autoxfer_part', 'has_face', 'faces_visible');
SELECT autoxfer.declare_column('t_autoxfer_part', 'plate_visible', 'plates_visible');
SELECT autoxfer.protect('t_autoxfer_part', 'connected_operation', 'owner_id');
CREATE EXTENSION IF NOT EXISTS insert_username;
CREATE TABLE t_floor (LIKE telemetry, who text);
CREATE TRIGGER floor BEFORE INSERT ON t_floor FOR EACH ROW EXECUTE FUNCTION insert_username(who);
SQL
cols="id, vin, owner_id, ts, lat, lon, speed, has_face, plate_visible"
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
# copy_once TABLE [SETTINGS]: one timed COPY into a truncated table, after
# a CHECKPOINT (not timed), so that no checkpoint of earlier writes (the
# generated data, the previous COPY) runs during it
copy_once() {
	psql -X -q -c CHECKPOINT >/dev/null
	median_ms "${2:-}TRUNCATE $1; COPY $1 ($cols) FROM '$csv' CSV" 1
}
# check_labels TABLE: the rows the last load wrote are all labelled as
# classify() says (outside the timing)
check_labels() {
	psql -X -q -At -v ON_ERROR_STOP=1 -c "SELECT count(*) = $n AND count(*) FILTER (WHERE autoxfer.classify(t) OPERATOR(autoxfer.=) xfer_label) = $n FROM $1 t" | grep -qx t ||
		{ echo "bench_20_copy: $1 rows are not all labelled as classify() says" >&2; exit 1; }
}
# alternate REPS LOAD...: run the loads in turn, REPS rounds, and set
# MEDIANS to the median time of each, in order; a load is "TABLE" or
# "TABLE|SETTINGS".  Comparing loads of one round trip spreads drift in
# the load of the machine over all of them alike.
alternate() {
	local reps=$1 i r
	shift
	local loads=("$@") times=()
	for r in $(seq 1 "$reps"); do
		for i in "${!loads[@]}"; do
			times[i]="${times[i]:-} $(copy_once "${loads[i]%%|*}" "$([[ ${loads[i]} == *'|'* ]] && echo "${loads[i]#*|}")")"
		done
	done
	MEDIANS=()
	for i in "${!loads[@]}"; do
		# shellcheck disable=SC2086
		MEDIANS+=("$(median ${times[i]})")
	done
}
alternate "$reps" t_unprotected t_autoxfer
unprot=${MEDIANS[0]} ax=${MEDIANS[1]}
check_labels t_autoxfer
alternate 5 t_unprotected_part t_autoxfer_part
part_unprot=${MEDIANS[0]} part_ax=${MEDIANS[1]}
check_labels t_autoxfer_part
alternate 5 t_unprotected t_autoxfer_geo
geo_unprot=${MEDIANS[0]} geo=${MEDIANS[1]}
check_labels t_autoxfer_geo
alternate 5 t_unprotected "t_autoxfer|SET autoxfer.bulk_copy = off; " t_floor
rows_unprot=${MEDIANS[0]} rows=${MEDIANS[1]} floor=${MEDIANS[2]}
check_labels t_autoxfer
alternate 3 t_plain t_plpgsql
plain=${MEDIANS[0]} plp=${MEDIANS[1]}
# INSERT ... SELECT of the same rows (from t_plain, loaded above): never
# batched by PostgreSQL, so the trigger labels each row on both sides
insert_once() {
	psql -X -q -c CHECKPOINT >/dev/null
	median_ms "TRUNCATE $1; INSERT INTO $1 ($cols) SELECT $cols FROM t_plain" 1
}
ins_ax_all=() ins_unprot_all=()
for _ in 1 2 3; do
	ins_unprot_all+=("$(insert_once t_unprotected)")
	ins_ax_all+=("$(insert_once t_autoxfer)")
done
ins_unprot=$(median "${ins_unprot_all[@]}")
ins_ax=$(median "${ins_ax_all[@]}")
check_labels t_autoxfer
bench_row "COPY ${n} rows: protected vs same table unprotected" "$ax" "$unprot" ms
bench_row "COPY ${n} rows: protected vs plain telemetry copy" "$ax" "$plain" ms
bench_row "COPY ${n} rows: protected, location declared too (I1, C3L)" "$geo" "$geo_unprot" ms
bench_row "COPY ${n} rows into 12 monthly partitions: protected vs not" "$part_ax" "$part_unprot" ms
bench_row "COPY ${n} rows: protected, bulk_copy off, vs unprotected" "$rows" "$rows_unprot" ms
bench_row "COPY ${n} rows: contrib insert_username vs unprotected" "$floor" "$rows_unprot" ms
bench_row "COPY ${n} rows: protected, bulk_copy off, vs insert_username" "$rows" "$floor" ms
bench_row "COPY ${n} rows: PL/pgSQL trigger baseline vs unprotected" "$plp" "$unprot" ms
bench_row "COPY ${n} rows: protected vs PL/pgSQL trigger baseline" "$ax" "$plp" ms
bench_row "INSERT ... SELECT ${n} rows: protected vs unprotected" "$ins_ax" "$ins_unprot" ms
