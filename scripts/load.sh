#!/usr/bin/env bash
# Load figures for BENCHMARKS.md ("Load"): Lookout (release build) over the in-repo fake
# Authentik, both as separate processes on 127.0.0.1, measured with wrk and a stdlib-only Python
# SSE client (scripts/sse_clients.py). Prints a markdown table; exits non-zero on any error,
# non-2xx answer, dropped live stream or missed update. Not part of CI. Takes about 5 minutes.
#
# Knobs (environment): RUNS (wrk runs per target, median reported; 3), DURATION (per wrk run;
# 20s), THREADS (2), CONNECTIONS (64), SSE_CLIENTS (500), SSE_HOLD (seconds; 60).
# Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
DURATION=${DURATION:-20s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
SSE_CLIENTS=${SSE_CLIENTS:-500}
SSE_HOLD=${SSE_HOLD:-60}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target}
BIN=$CARGO_TARGET_DIR/release/lookout

# --- tools --------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
    echo "installing wrk (Debian package)…" >&2
    if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

echo "building release…" >&2
cargo build --release --quiet --bin lookout

# --- start the fake and Lookout -----------------------------------------------------------
WORK=$(mktemp -d /tmp/lookout-load.XXXXXX)
FAKE_PID=""
LOOKOUT_PID=""
SAMPLER_PID=""
cleanup() {
    for p in $SAMPLER_PID $LOOKOUT_PID $FAKE_PID; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

# Prints the first line of $1 matching $2 (extended regex), waiting up to 20 s.
wait_line() {
    local file=$1 re=$2 i
    for i in $(seq 200); do
        if grep -Eo "$re" "$file" 2>/dev/null | head -1 | grep .; then return 0; fi
        sleep 0.1
    done
    echo "timed out waiting for /$re/ in $file" >&2
    cat "$file" >&2
    return 1
}

"$BIN" fake-authentik --listen 127.0.0.1:0 --scenario standard >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
FAKE_URL=$(wait_line "$WORK/fake.out" 'http://127\.0\.0\.1:[0-9]+')

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SECRET=load-webhook-secret-0123456789
cat >"$WORK/lookout.toml" <<EOF
[server]
listen = "127.0.0.1:$PORT"
data-dir = "$WORK/data"
log-format = "human"

[dashboard]
title = "Lookout load test"

[integrations.demo]
type = "authentik"
url = "$FAKE_URL"
refresh = "30s"

[integrations.demo.auth]
api-token = "lookout-fake-token-0123456789abcdef"

[integrations.demo.webhook]
secret = "$SECRET"
EOF
# Lookout gets systemd's default soft descriptor limit (1024); the load generators get more.
(ulimit -n 1024; exec "$BIN" --config "$WORK/lookout.toml" serve) >"$WORK/lookout.out" 2>"$WORK/lookout.err" &
LOOKOUT_PID=$!
BASE=$(wait_line "$WORK/lookout.out" 'http://127\.0\.0\.1:[0-9]+')

# The fake pushes a webhook per failed login, like an Authentik notification rule would.
curl -fsS -o /dev/null -X POST "$FAKE_URL/_fake/webhook" -H 'content-type: application/json' \
    -d "{\"url\":\"$BASE/api/v1/hooks/authentik/demo\",\"secret\":\"$SECRET\"}"

# Wait (≤ 20 s) for the first refresh to finish.
for i in $(seq 200); do
    if curl -fsS "$BASE/healthz" 2>/dev/null | grep -q '"demo":"ok"'; then break; fi
    [ "$i" = 200 ] && { echo "no successful refresh within 20 s" >&2; cat "$WORK/lookout.err" >&2; exit 1; }
    sleep 0.1
done
curl -fsS "$BASE/api/v1/alerts" | grep -q '"alerts":\[{' || { echo "expected an alert in the standard scenario" >&2; exit 1; }

rss_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$LOOKOUT_PID/status"; }
sleep 2
IDLE_RSS=$(rss_kb VmRSS)
IDLE_HWM=$(rss_kb VmHWM)

# Peak RSS sampler (VmHWM also records the peak; this adds the current value over time).
( end=$((SECONDS + 1800)); peak=0
  while [ $SECONDS -lt $end ] && [ -r "/proc/$LOOKOUT_PID/status" ]; do
      v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$LOOKOUT_PID/status" 2>/dev/null || echo 0)
      [ "${v:-0}" -gt "$peak" ] && { peak=$v; echo "$peak" >"$WORK/peak_rss"; }
      sleep 0.2
  done ) &
SAMPLER_PID=$!

# --- HTTP throughput ----------------------------------------------------------------------
FAIL=0
ROWS=()

# Median of numbers on stdin.
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "n/a"; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# wrk latency ("812.00us", "1.20ms", "2.00s") in milliseconds.
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 } else print v }'; }

bench() {
    local name=$1 path=$2 rps=() p50=() p99=() errs=0 size="" out r
    for r in $(seq "$RUNS"); do
        out=$(timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE$path")
        echo "$out" >"$WORK/wrk-$name-$r.txt"
        rps+=("$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")")
        p50+=("$(awk '$1 == "50%" { print $2 }' <<<"$out" | to_ms)")
        p99+=("$(awk '$1 == "99%" { print $2 }' <<<"$out" | to_ms)")
        local bad
        bad=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
        errs=$((errs + bad))
        echo "  $name run $r: $(awk '/^Requests\/sec:/ { print $2 }' <<<"$out") req/s, p99 $(awk '$1 == "99%" { print $2 }' <<<"$out"), errors $bad" >&2
    done
    size=$(curl -fsS -o /dev/null -w '%{size_download}' "$BASE$path")
    [ "$errs" -gt 0 ] && FAIL=1
    ROWS+=("| \`GET $path\` ($size B) | $(printf '%s\n' "${rps[@]}" | median | awk '{ printf "%\047.0f", $1 }') | $(printf '%s\n' "${p50[@]}" | median) | $(printf '%s\n' "${p99[@]}" | median) | $errs |")
}

LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $RUNS runs each (load average $LOAD_BEFORE)…" >&2
bench endpoint /api/v1/integrations/demo/endpoints/login-events
bench alerts /api/v1/alerts
bench page /

# --- live-update clients ------------------------------------------------------------------
echo "$SSE_CLIENTS live clients for ${SSE_HOLD}s…" >&2
# Lookout's CPU time (user + system, clock ticks) across the live-client phase.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$LOOKOUT_PID/stat"; }
CPU_BEFORE=$(cpu_ticks)
SSE_JSON=$(timeout $((SSE_HOLD + 60)) python3 scripts/sse_clients.py --lookout "${BASE#http://}" \
    --fake "$FAKE_URL" --clients "$SSE_CLIENTS" --hold "$SSE_HOLD") && SSE_OK=1 || SSE_OK=0
echo "  $SSE_JSON" >&2
[ "$SSE_OK" = 1 ] || FAIL=1
SSE_CPU=$(awk -v a="$CPU_BEFORE" -v b="$(cpu_ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }')
sse() { python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2]))' "$SSE_JSON" "$1" 2>/dev/null || echo "?"; }

END_RSS=$(rss_kb VmRSS)
PEAK_HWM=$(rss_kb VmHWM)
kill "$SAMPLER_PID" 2>/dev/null || true
PEAK_SAMPLED=$(cat "$WORK/peak_rss" 2>/dev/null || echo 0)
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }

# --- report -------------------------------------------------------------------------------
cat <<EOF

Lookout $("$BIN" --version 2>/dev/null | awk '{ print $2 }') release, $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before / $LOAD_AFTER after.
wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency on the same machine; median of $RUNS runs.

| Target | req/s | p50 ms | p99 ms | errors |
| --- | ---: | ---: | ---: | ---: |
$(printf '%s\n' "${ROWS[@]}")

| Live updates (\`/api/v1/live\`) | |
| --- | --- |
| clients held | $(sse clients) for $(sse held_s) s |
| initial \`view\` received | $(sse connected_with_initial_view) (all within $(sse all_initial_views_after_s) s) |
| errors / early disconnects | $(sse errors) / $(sse early_disconnects) |
| staged updates missed | $(sse missed_updates) of $(( $(sse stages) * SSE_CLIENTS )) |
| update latency (failed login at the fake → event at client) | median $(sse update_latency_ms_median) ms, max $(sse update_latency_ms_max) ms |
| events / keep-alives received | $(sse views_received) / $(sse keepalives_received) ($(sse mb_received) MB) |
| Lookout CPU time over the phase | $SSE_CPU s |

| Memory (\`/proc/<pid>/status\`) | |
| --- | --- |
| idle after first refresh: VmRSS / VmHWM | $(mib "$IDLE_RSS") / $(mib "$IDLE_HWM") |
| peak during the runs: VmHWM (sampled VmRSS) | $(mib "$PEAK_HWM") ($(mib "$PEAK_SAMPLED")) |
| after the runs: VmRSS | $(mib "$END_RSS") |
EOF

if [ "$FAIL" != 0 ]; then
    echo "FAILED: errors above" >&2
    exit 1
fi
