#!/usr/bin/env bash
# Start-up and size of the static release binary (the one `make install`, `make deb` and
# the lab ship): whole-process wall time of short commands, median of RUNS, in ms.
#   scripts/startup.sh                 # builds it (make release) and measures it
#   BIN=/path/to/xenplan scripts/startup.sh   # measures another binary
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-21}
if [ -z "${BIN:-}" ]; then
    make -s release >/dev/null
    BIN="$(swift build -c release --static-swift-stdlib --product xenplan --scratch-path .build-lab -Xlinker -s --show-bin-path)/xenplan"
fi
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
cp state/*.sim.json "$state/"

echo "binary: $BIN, $(stat -c %s "$BIN") bytes"
printf '%-52s %10s %10s\n' "command" "median ms" "min ms"
measure() {
    local name=$1; shift
    local times=()
    "$@" >/dev/null 2>&1 || true # warm the page cache
    for _ in $(seq "$runs"); do
        # bash's own clock: no process is started to read it.
        local start=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || true
        local end=$EPOCHREALTIME
        times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", (e - s) * 1000 }')")
    done
    local sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    printf '%-52s %10s %10s\n' "$name" "${sorted[$(( ${#sorted[@]} / 2 ))]}" "${sorted[0]}"
}
measure "xenplan --version" "$BIN" --version
measure "xenplan validate examples/lab" "$BIN" validate examples/lab
measure "xenplan plan examples/lab (simulated hosts)" "$BIN" plan examples/lab --state-dir "$state"
measure "xenplan status examples/lab (simulated hosts)" "$BIN" status examples/lab --state-dir "$state"
