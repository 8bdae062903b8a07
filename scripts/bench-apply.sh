#!/usr/bin/env bash
# Times `xenplan apply` (release build): (a) the synthetic lab of 200 hosts and 10,000
# domains applied to empty simulated hosts without latencies (goal ≤ 30 s); (b) the
# latency lab of `xenplan-bench apply-figure` (create 2 s, migrate 3 s, others 0.2 s),
# wall time against the plan's critical path (goal ≤ 1.15). Medians of RUNS runs.
#   RUNS=3 scripts/bench-apply.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
out=bench-out
mkdir -p "$out"

swift build -c release --product xenplan >/dev/null
swift build -c release --product xenplan-bench >/dev/null
bin=$(swift build -c release --show-bin-path)

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

dir="$out/apply-200x10000"
"$bin/xenplan-bench" generate --hosts 200 --domains 10000 --out "$dir" >/dev/null
# Empty hosts: the manifests' `sim:` blocks describe them, nothing is on them yet.
rm -f "$dir"/state/*.sim.json
walls=()
for _ in $(seq "$runs"); do
    rm -f "$dir"/state/*.live.json "$dir"/state/.*.spare "$dir"/state/*.lock "$dir"/state/journal.jsonl
    /usr/bin/time -o "$out/time.txt" -f '%e %M' env XENPLAN_SIM_SPEED=0 \
        "$bin/xenplan" apply "$dir/manifests" --state-dir "$dir/state" --auto-approve >"$out/apply.txt" 2>&1
    read -r secs kib < <(tail -n 1 "$out/time.txt")
    walls+=("$secs")
done
actions=$(grep -o 'Apply complete in [0-9.]* s: [0-9]* done' "$out/apply.txt" | awk '{ print $6 }')
printf '%-52s %8s s  (%s actions, peak RSS %d MB)\n' "apply 200 hosts x 10,000 domains from empty hosts" \
    "$(printf '%s\n' "${walls[@]}" | median)" "$actions" "$((kib / 1024))"

# The lab it left is converged: plan it again (nothing to do), as a nightly drift check would.
plans=()
for _ in $(seq "$runs"); do
    /usr/bin/time -o "$out/time.txt" -f '%e %M' "$bin/xenplan" plan "$dir/manifests" --state-dir "$dir/state" >"$out/plan.txt" 2>&1 || true
    read -r secs kib < <(tail -n 1 "$out/time.txt")
    plans+=("$(awk -v s="$secs" 'BEGIN { printf "%d", s * 1000 }')")
done
printf '%-52s %8s ms (%s; peak RSS %d MB)\n' "plan of that lab, converged" "$(printf '%s\n' "${plans[@]}" | median)" \
    "$(grep -m1 -o 'No changes[^.]*' "$out/plan.txt" || echo 'it has actions')" "$((kib / 1024))"

ratios=()
for _ in $(seq "$runs"); do
    line=$("$bin/xenplan-bench" apply-figure --out "$out/latency" | head -n 1)
    echo "  $line"
    ratios+=("$(sed -n 's/.*ratio \([0-9.]*\).*/\1/p' <<<"$line")")
done
printf '%-52s %8s    (goal <= 1.15)\n' "latency lab: wall / critical path (median)" "$(printf '%s\n' "${ratios[@]}" | median)"
echo "commands: RUNS=$runs scripts/bench-apply.sh; xenplan-bench apply-figure --out $out/latency"
