#!/usr/bin/env bash
# Times `xenplan plan` (release build) on the example lab and on synthetic labs of
# simulated hosts, and prints wall time and peak memory. Reproduce with `make bench`.
#   RUNS=5 scripts/bench.sh           # runs per lab (the median is reported)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=bench-out
mkdir -p "$out"

swift build -c release --product xenplan >/dev/null
swift build -c release --product xenplan-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

# lab name, manifest dir, state dir
labs=()
rm -rf "$out/example-state" && mkdir -p "$out/example-state" && cp state/*.sim.json "$out/example-state/"
labs+=("examples/lab (2 hosts, 15 domains)|examples/lab|$out/example-state")
for spec in "2 30" "200 1000" "200 10000"; do
    set -- $spec
    dir="$out/lab-$1x$2"
    "$bin/xenplan-bench" generate --hosts "$1" --domains "$2" --out "$dir" >/dev/null
    labs+=("synthetic $1 hosts x $2 domains|$dir/manifests|$dir/state")
done

printf '%-40s %10s %10s %12s\n' "lab" "median ms" "min ms" "peak RSS MB"
for entry in "${labs[@]}"; do
    IFS='|' read -r name manifests state <<<"$entry"
    times=()
    peak=0
    for _ in $(seq "$runs"); do
        # /usr/bin/time: %e is wall seconds, %M peak resident KiB.
        line=$( { /usr/bin/time -f '%e %M' "$bin/xenplan" plan "$manifests" --state-dir "$state" >/dev/null; } 2>&1 | tail -n 1)
        read -r secs kib <<<"$line"
        times+=("$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')")
        (( kib > peak )) && peak=$kib
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    median=${sorted[$(( ${#sorted[@]} / 2 ))]}
    printf '%-40s %10s %10s %12s\n' "$name" "$median" "${sorted[0]}" "$((peak / 1024))"
done
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); command: RUNS=$runs scripts/bench.sh"
