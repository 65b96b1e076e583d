#!/usr/bin/env bash
# test/run.sh MODE: the one entry point behind `make test`, `make demo`,
# `make bench` and `make fuzz`.
#
#   test   install missing packages, build with -Werror, install into a
#          private tree, start a throwaway cluster, run every pg_regress,
#          isolation and TAP suite, print "N passed, N failed".
#   demo   same set-up (with Debian's libfaketime, so that the server's
#          clock can be moved through a simulated year), then run
#          test/demo/demo.sql and show its output; the yearly report it
#          writes stays in AUTOXFER_DEMO_OUT (default /tmp/autoxfer-demo).
#   bench  same set-up with the peers (postgresql-hll), run test/bench.
#   fuzz   build the libFuzzer harnesses of test/fuzz and run each for
#          FUZZ_SECONDS (default 60) seconds.
#
# Nothing is installed into the system's PostgreSQL: the extension goes into
# a relocatable copy of the server under a temp directory, so parallel runs
# and other installed versions do not interfere.  Run as root (as CI does),
# the cluster and the suites run as the unprivileged user autoxfer_ci.
#
# Environment: KEEP_TMP=1 keeps the temp directory; AUTOXFER_DEMO_OUT; FUZZ_SECONDS; BENCH_ROWS
# and BENCH_SUBJECTS size the benchmark data, BENCH_ONLY picks its parts
# (every BENCH_* variable reaches the parts: docs/testing.md).
set -euo pipefail

PGVER=15
PGBIN_SYS=/usr/lib/postgresql/$PGVER/bin
PGLIB_SYS=/usr/lib/postgresql/$PGVER/lib
PGSHARE_SYS=/usr/share/postgresql/$PGVER
RUN_USER=autoxfer_ci

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'test/run.sh: %s\n' "$*" >&2; exit 2; }

# ---------------------------------------------------------------- packages
need_packages() {
	local mode=$1
	local pkgs=(make gcc postgresql-$PGVER postgresql-server-dev-$PGVER libipc-run-perl)
	case $mode in
		# the report's browser test (test/t/075_report_browser.pl) renders
		# the page in Debian's Chromium, with the fonts its CSS names
		test) pkgs+=(chromium fonts-dejavu-core) ;;
		# the demo moves the server's clock through a year (test/demo/demo.sql)
		demo) pkgs+=(libfaketime) ;;
		bench) pkgs+=(postgresql-$PGVER-hll) ;;
		fuzz) pkgs=(make clang libclang-rt-14-dev) ;;
	esac
	local missing=()
	for p in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing ${missing[*]}"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "packages missing (${missing[*]}) and not root: install them first"
		sudo=(sudo -n)
	fi
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# ---------------------------------------------------------------- build
# Build into the source tree, then install into $T/inst as a relocatable
# copy of the server: PostgreSQL finds share/ and lib/ relative to its own
# binary, so $T/inst/usr/lib/postgresql/15/bin/postgres uses $T/inst's.
build_and_install() {
	local src=$1 T=$2
	log "building"
	make -C "$src" -s PG_CONFIG=$PGBIN_SYS/pg_config >/dev/null
	local root=$T/inst
	mkdir -p "$root$PGBIN_SYS" "$root$PGLIB_SYS" "$root$PGSHARE_SYS"
	cp -a $PGBIN_SYS/. "$root$PGBIN_SYS/"
	cp -a $PGSHARE_SYS/. "$root$PGSHARE_SYS/"
	for f in $PGLIB_SYS/*; do ln -s "$f" "$root$PGLIB_SYS/$(basename "$f")"; done
	rm -f "$root$PGLIB_SYS/autoxfer.so"
	make -C "$src" -s PG_CONFIG=$PGBIN_SYS/pg_config DESTDIR="$root" install >/dev/null
}

# ---------------------------------------------------------------- cluster
free_port() {
	local p
	for p in $(seq $((54000 + RANDOM % 900)) 55999); do
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	die "no free port"
}

# start_cluster T [extra postgresql.conf lines...]; the server gets the
# environment of the array CLUSTER_ENV (NAME=value words) if set.
start_cluster() {
	local T=$1; shift
	export PGDATA=$T/data PGHOST=$T/sock PGPORT=$(free_port) PGUSER=postgres
	mkdir -p "$PGHOST"
	initdb -A trust -U postgres -E UTF8 --locale=C.UTF-8 -D "$PGDATA" >"$T/initdb.log" 2>&1 ||
		{ cat "$T/initdb.log"; die "initdb failed"; }
	{
		echo "listen_addresses = '127.0.0.1'"
		echo "port = $PGPORT"
		echo "unix_socket_directories = '$PGHOST'"
		echo "fsync = off"
		echo "max_prepared_transactions = 10"
		echo "log_min_messages = warning"
		for line in "$@"; do echo "$line"; done
	} >>"$PGDATA/postgresql.conf"
	env ${CLUSTER_ENV[@]+"${CLUSTER_ENV[@]}"} pg_ctl -D "$PGDATA" -l "$T/server.log" -w -t 60 start >/dev/null ||
		{ cat "$T/server.log"; die "server did not start"; }
	CLUSTER_UP=1
}

stop_cluster() {
	if [ "${CLUSTER_UP:-0}" = 1 ]; then
		pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
		CLUSTER_UP=0
	fi
}

# ---------------------------------------------------------------- suites
PASSED=0
FAILED=0

# run_suite LABEL RUNNER INPUTDIR OUTDIR OPTIONS TEST...: run one
# pg_regress-style runner against the cluster, count its tests and show its
# diffs.  OPTIONS is split on white space.
run_suite() {
	local label=$1 runner=$2 inputdir=$3 out=$4 options=$5
	shift 5
	[ $# -eq 0 ] && return 0
	log "$label: $# tests"
	mkdir -p "$out"
	set +e
	# shellcheck disable=SC2086
	"$runner" --inputdir="$inputdir" --outputdir="$out" --bindir="$PGBIN_INST" \
		--host="$PGHOST" --port="$PGPORT" --user=postgres $options "$@" 2>&1 | tee "$out/summary.txt"
	local status=${PIPESTATUS[0]}
	set -e
	count_pg_regress "$out/summary.txt" $# "$status"
	[ -s "$out/regression.diffs" ] && { echo "---- $label regression.diffs"; cat "$out/regression.diffs"; } || true
}

run_regress() {
	local T=$1 tests=() f
	for f in "$T"/src/sql/*.sql; do [ -e "$f" ] && tests+=("$(basename "$f" .sql)"); done
	run_suite pg_regress "$PGLIB_INST/pgxs/src/test/regress/pg_regress" "$T/src" "$T/out/regress" \
		"--dbname=autoxfer_regression" "${tests[@]}"
}

# count_pg_regress SUMMARY NTESTS STATUS: count "... ok" lines as passed;
# every test that did not pass (FAILED, or never reached because the runner
# stopped) counts as failed, and a runner that exited non-zero with every
# test passed still counts one failure.
count_pg_regress() {
	local ok bad
	ok=$(grep -cE '\.\.\. ok ' "$1" || true)
	bad=$(($2 - ok))
	if [ "$3" -ne 0 ] && [ "$bad" -le 0 ]; then
		bad=1
	fi
	PASSED=$((PASSED + ok))
	FAILED=$((FAILED + bad))
}

run_isolation() {
	local T=$1 specs=() f
	for f in "$T"/src/test/isolation/specs/*.spec; do [ -e "$f" ] && specs+=("$(basename "$f" .spec)"); done
	run_suite isolation "$PGLIB_INST/pgxs/src/test/isolation/pg_isolation_regress" "$T/src/test/isolation" \
		"$T/out/isolation" "--load-extension=autoxfer --dbname=autoxfer_isolation" "${specs[@]}"
}

run_tap() {
	local T=$1 src=$T/src/test
	local files=()
	for f in "$src"/t/*.pl; do [ -e "$f" ] && files+=("$f"); done
	[ ${#files[@]} -eq 0 ] && return 0
	log "TAP: ${#files[@]} files"
	local out=$T/out/tap
	mkdir -p "$out"
	set +e
	(cd "$out" && TESTDIR=$out PG_REGRESS="$PGLIB_INST/pgxs/src/test/regress/pg_regress" \
		AUTOXFER_SRC="$T/src" PGHOST= PGPORT= PGDATA= PGUSER= \
		prove -I "$PGLIB_INST/pgxs/src/test/perl" -I "$src" "${files[@]}") 2>&1 | tee "$out/summary.txt"
	set -e
	local total failed_sub bad
	total=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$out/summary.txt" | tail -1)
	total=${total:-0}
	failed_sub=$(sed -n 's/.*Failed \([0-9]*\)\/[0-9]* subtests.*/\1/p' "$out/summary.txt" | awk '{s+=$1} END{print s+0}')
	bad=$(grep -cE 'Wstat: [1-9]|Parse errors|No subtests run' "$out/summary.txt" || true)
	if grep -q '^Result: FAIL' "$out/summary.txt" && [ "$failed_sub" -eq 0 ]; then
		failed_sub=$((bad > 0 ? bad : 1))
	fi
	if ! grep -q '^Result: PASS' "$out/summary.txt" && ! grep -q '^Result: FAIL' "$out/summary.txt"; then
		failed_sub=$((failed_sub + 1))
	fi
	PASSED=$((PASSED + total - (failed_sub < total ? failed_sub : total)))
	FAILED=$((FAILED + failed_sub))
	if [ "$failed_sub" -gt 0 ]; then
		for l in "$out"/tmp_check/log/*.log; do
			[ -e "$l" ] && { echo "---- $l (tail)"; tail -40 "$l"; }
		done
	fi
}

# ---------------------------------------------------------------- modes
inner() {
	local mode=$1 T=$2
	PGBIN_INST=$T/inst$PGBIN_SYS
	PGLIB_INST=$T/inst$PGLIB_SYS
	export PATH=$PGBIN_INST:$PATH
	trap 'stop_cluster' EXIT
	case $mode in
		test)
			start_cluster "$T"
			run_regress "$T"
			run_isolation "$T"
			stop_cluster
			run_tap "$T"
			echo "$PASSED passed, $FAILED failed"
			[ "$FAILED" -eq 0 ]
			;;
		demo)
			# The ledger books every transfer at its transaction time, so
			# the demo's year is simulated by moving the server's clock:
			# the server runs under libfaketime, which reads the offset from
			# the real time (in seconds) from $T/clock.rc at every call;
			# demo.sql rewrites the file night by night (only its own
			# session does, between statements; a background process that
			# reads it mid-write sees the real time for an instant, which
			# matters to none of them).  The monotonic clock (timeouts,
			# latches) and file times stay real; autovacuum is off, since a
			# clock that jumps a day every few milliseconds would keep its
			# launcher busy.
			local faketime
			faketime=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -1)
			[ -n "$faketime" ] || die "libfaketime.so.1 not found (package libfaketime)"
			echo "+0" >"$T/clock.rc"
			CLUSTER_ENV=(LD_PRELOAD="$faketime" FAKETIME_TIMESTAMP_FILE="$T/clock.rc" FAKETIME_NO_CACHE=1
				FAKETIME_DONT_FAKE_MONOTONIC=1 NO_FAKE_STAT=1)
			start_cluster "$T" "shared_preload_libraries = 'autoxfer'" "autovacuum = off"
			unset CLUSTER_ENV
			createdb autoxfer_demo
			psql -X -q -v ON_ERROR_STOP=1 -v clock_file="$T/clock.rc" \
				-v report_file="$DEMO_OUT/report-2027.html" -d autoxfer_demo -f "$T/src/test/demo/demo.sql"
			;;
		bench)
			start_cluster "$T" "shared_buffers = 2GB" "work_mem = 256MB" "jit = off" \
				"max_parallel_workers_per_gather = 2" "max_wal_size = 8GB" \
				"checkpoint_timeout = 30min" "synchronous_commit = off" \
				"shared_preload_libraries = 'autoxfer'"
			createdb autoxfer_bench
			PGDATABASE=autoxfer_bench bash "$T/src/test/bench/bench.sh" "$T"
			;;
	esac
}

run_fuzz() {
	local src=$1
	local secs=${FUZZ_SECONDS:-60}
	local out=$src/test/fuzz/out
	mkdir -p "$out"
	local status=0
	for h in "$src"/test/fuzz/*_fuzzer.c; do
		local name
		name=$(basename "$h" .c)
		log "fuzz: $name for ${secs}s"
		clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
			-I"$src/src" -o "$out/$name" "$h" $(sed -n 's/^\/\/ sources: //p' "$h" | sed "s|[^ ]*|$src/&|g")
		local corpus=$out/corpus_$name
		mkdir -p "$corpus"
		[ -d "$src/test/fuzz/seeds/$name" ] && cp -n "$src/test/fuzz/seeds/$name"/* "$corpus/" 2>/dev/null || true
		if "$out/$name" -max_total_time="$secs" -print_final_stats=1 "$corpus" >"$out/$name.log" 2>&1; then
			grep -E 'stat::number_of_executed_units|Done' "$out/$name.log" | tail -2
			echo "$name: no crash"
		else
			tail -40 "$out/$name.log"
			echo "$name: CRASH (reproducer in $out)"
			status=1
		fi
	done
	return $status
}

main() {
	local mode=${1:-test}
	if [ "$mode" = __inner ]; then
		inner "$2" "$3"
		return
	fi
	local src
	src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	case $mode in test | demo | bench | fuzz) ;; *) die "unknown mode $mode" ;; esac

	need_packages "$mode"
	if [ "$mode" = fuzz ]; then
		run_fuzz "$src"
		return
	fi

	if [ "$mode" = demo ]; then
		# the report outlives the throwaway cluster
		DEMO_OUT=$(realpath -m "${AUTOXFER_DEMO_OUT:-/tmp/autoxfer-demo}")
		mkdir -p "$DEMO_OUT"
		if [ "$(id -u)" -eq 0 ]; then
			id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash "$RUN_USER"
			chown "$RUN_USER" "$DEMO_OUT"
		fi
	fi
	T=$(mktemp -d /tmp/autoxfer-$mode.XXXXXX)
	[ "${KEEP_TMP:-0}" = 1 ] || trap 'rm -rf "$T"' EXIT
	build_and_install "$src" "$T"
	mkdir -p "$T/src" "$T/out"
	cp -a "$src/sql" "$src/expected" "$src/test" "$T/src/"
	[ -d "$src/../shared/bench" ] && mkdir -p "$T/shared" && cp -a "$src/../shared/bench" "$T/shared/" || true

	if [ "$(id -u)" -eq 0 ]; then
		id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /bin/bash "$RUN_USER"
		chown -R "$RUN_USER" "$T"
		chmod 755 "$T"
		# every BENCH_* setting goes through to the benchmark parts
		local bench_env=()
		mapfile -t bench_env < <(env | grep -E '^BENCH_[A-Z0-9_]+=' || true)
		runuser -u "$RUN_USER" -- env KEEP_TMP="${KEEP_TMP:-0}" DEMO_OUT="${DEMO_OUT:-}" "${bench_env[@]}" \
			bash "$T/src/test/run.sh" __inner "$mode" "$T"
	else
		DEMO_OUT="${DEMO_OUT:-}" bash "$T/src/test/run.sh" __inner "$mode" "$T"
	fi
}

main "$@"
