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
        /usr/bin/time -o "$out/time.txt" -f '%e %M' "$bin/xenplan" plan "$manifests" --state-dir "$state" >/dev/null 2>&1 || true
        read -r secs kib < <(tail -n 1 "$out/time.txt")
        times+=("$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')")
        (( kib > peak )) && peak=$kib
    done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    median=${sorted[$(( ${#sorted[@]} / 2 ))]}
    printf '%-40s %10s %10s %12s\n' "$name" "$median" "${sorted[0]}" "$((peak / 1024))"
done
echo
# Where the time of the largest plan goes: each phase as `--verbose` reports it (one run).
big=$out/lab-200x10000
printf '%-40s %10s\n' "plan of 200 hosts x 10000 domains: phase" "ms"
"$bin/xenplan" plan "$big/manifests" --state-dir "$big/state" -v 2>&1 >/dev/null |
    sed -n 's/^\[[ 0-9.]* s\] plan: \([a-z ]*\) in \([0-9.]*\) \(m\{0,1\}s\).*/\1 \2 \3/p' |
    awk '{ unit = $NF; value = $(NF - 1); $NF = ""; $(NF - 1) = ""; ms = (unit == "s") ? value * 1000 : value;
           printf "%-40s %10d\n", $0, ms }'
echo
# Hostile manifests must be refused quickly whatever they hold.
printf '%-40s %10s %12s %6s\n' "hostile manifest (validate)" "ms" "peak RSS MB" "exit"
for fixture in 37-alias-bomb 38-deep-nesting 39-twenty-digit-numbers 40-size-too-large 41-non-utf8 \
               42-empty-file 43-no-manifests 44-tab-indentation 45-duplicate-mapping-keys; do
    dir=Tests/ManifestTests/Fixtures/broken/$fixture
    /usr/bin/time -o "$out/time.txt" -f '%e %M %x' "$bin/xenplan" validate "$dir" >/dev/null 2>&1 || true
    read -r secs kib code < <(tail -n 1 "$out/time.txt")
    printf '%-40s %10s %12s %6s\n' "$fixture" "$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')" "$((kib / 1024))" "$code"
done

echo
# Reading a dom0 of 2,000 domains, whose /local/domain listing is paged (DIRECTORY_PART),
# against the test xenstored of the test suite; a plan over loopback sshd (needs
# openssh-server) on a shared connection and without, client and agent the release
# binary (the xenstore reading is the test bundle's debug build: an upper bound).
swift build --build-tests >/dev/null
XENPLAN_BENCH_FIGURES=1 XENPLAN_TEST_BINARY="$bin/xenplan" "$(swift build --show-bin-path)/xenplanPackageTests.xctest" --testing-library swift-testing \
    --filter 'twoThousandDomainsFigure|observationOverASharedConnectionFigure' 2>/dev/null | sed -n 's/^FIGURE //p'

echo
# Applying: 10,000 domains to empty hosts, and wall time against the critical path.
RUNS=$runs scripts/bench-apply.sh

echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); command: RUNS=$runs scripts/bench.sh"
