#!/usr/bin/env bash
# test/bench/bench.sh T: run by `make bench` inside a throwaway cluster
# (PG* variables set).  Prints one table: each row a measured ratio of
# autoxfer against a peer in the same run.
set -euo pipefail
T=$1
here=$(cd "$(dirname "$0")" && pwd)
printf '%-58s %12s %12s %8s\n' "benchmark" "autoxfer" "peer" "ratio"
for part in "$here"/bench_*.sh; do
	[ -e "$part" ] && bash "$part" "$T"
done
exit 0
