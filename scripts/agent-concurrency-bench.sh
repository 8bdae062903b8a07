#!/usr/bin/env bash
# Times one `xenplan agent` (release build) serving four mem-sets of four guests of the
# simulated cpt18, each taking 1 s (its `mem-set` latency), from one client: with a hello
# that does not ask for concurrency (one at a time, in order), then with `concurrency`
# 2 and 4. Prints the median wall time of RUNS runs and the order of the answers.
#   RUNS=5 scripts/agent-concurrency-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
swift build -c release --product xenplan >/dev/null
bin=$(swift build -c release --show-bin-path)/xenplan
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

run() {
    local concurrency=$1 hello='{"type":"hello","id":0,"versions":[2],"host":"cpt18"'
    [ "$concurrency" != 1 ] && hello+=",\"concurrency\":$concurrency"
    rm -f "$dir"/*.json && cp state/cpt18.sim.json "$dir/"
    python3 - "$dir/cpt18.sim.json" <<'PY'
import json, sys
path = sys.argv[1]
host = json.load(open(path))
host["latencies"] = {"mem-set": 1.0}
json.dump(host, open(path, "w"))
PY
    {
        echo "$hello}"
        for d in ldap nagios ns1 git; do
            echo "{\"type\":\"perform\",\"id\":\"$d\",\"operation\":{\"setMemory\":{\"domain\":\"$d\",\"target\":{\"kib\":262144}}}}"
        done
    } >"$dir/requests"
    local start end
    start=$(date +%s%N)
    "$bin" agent --sim-dir "$dir" <"$dir/requests" >"$dir/answers"
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

printf '%-34s %10s  %s\n' "hello" "median ms" "answers (ids, in order)"
for c in 1 2 4; do
    times=()
    for _ in $(seq "$runs"); do times+=("$(run "$c")"); done
    sorted=($(printf '%s\n' "${times[@]}" | sort -n))
    order=$(grep -o '"id":"[a-z0-9]*","type":"ok"' "$dir/answers" | cut -d'"' -f4 | tr '\n' ' ')
    label=$([ "$c" = 1 ] && echo "no concurrency (in order)" || echo "concurrency $c")
    printf '%-34s %10s  %s\n' "$label" "${sorted[$(( ${#sorted[@]} / 2 ))]}" "$order"
done
