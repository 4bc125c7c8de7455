#!/usr/bin/env bash
# Soak test of `segd serve`: two live 720p MPEG-TS streams (TCP and UDP, served on loopback by
# ffmpeg) for DURATION seconds with the tiny fixture model at full 720p input. Samples the
# daemon's resident memory every 10 s, kills the TCP source at half time and restarts it 5 s later,
# and reports frames processed/skipped per stream and the reconnect time (source restart → first
# new record). Usage: tools/soak-daemon.sh [DURATION=600] [SEGD=.build/release/segd]
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-600}
segd=${2:-.build/release/segd}
work=$(mktemp -d /tmp/segd-soak.XXXX)
tcp_port=$((20000 + RANDOM % 20000)); udp_port=$((tcp_port + 1))
serve_source() { # URL
    ffmpeg -hide_banner -v error -nostdin -re -f lavfi -i testsrc2=size=1280x720:rate=15 -t $((duration + 60)) \
        -c:v libx264 -preset ultrafast -tune zerolatency -g 30 -pix_fmt yuv420p -f mpegts "$1" &
}
serve_source "tcp://127.0.0.1:$tcp_port?listen=1"; tcp_pid=$!
serve_source "udp://127.0.0.1:$udp_port?pkt_size=1316"; udp_pid=$!
cat > "$work/segd.yaml" <<YAML
model: $PWD/Tests/Fixtures/fcclip/tiny-a
output_root: $work/out
socket_dir: $work/run
reconnect: {initial_delay: 0.5, max_delay: 4, stall_timeout: 3}
streams:
  tcp-cam:
    url: tcp://127.0.0.1:$tcp_port
    vocabulary: coco
    input_size: 720
    input_max_size: 1280
  udp-cam:
    url: udp://127.0.0.1:$udp_port
    vocabulary: "thing: person; car; stuff: sky, wall"
    input_size: 720
    input_max_size: 1280
YAML
"$segd" serve --config "$work/segd.yaml" 2> "$work/serve.log" & daemon=$!
trap 'kill $daemon $tcp_pid $udp_pid 2>/dev/null || true' EXIT
rss() { awk '/VmRSS/ {print $2}' /proc/$daemon/status; }
lines() { cat "$work"/out/tcp-cam/current/labels.jsonl 2>/dev/null | wc -l; }
sleep 20
echo "t=20s rss=$(rss) kB (start)"
start=$(date +%s)
half=$((duration / 2))
restarted=0
while [ $(( $(date +%s) - start )) -lt "$duration" ]; do
    sleep 10
    now=$(( $(date +%s) - start ))
    echo "t=$((now + 20))s rss=$(rss) kB"
    if [ "$restarted" = 0 ] && [ "$now" -ge "$half" ]; then
        kill -9 $tcp_pid; sleep 5
        before=$(lines)
        serve_source "tcp://127.0.0.1:$tcp_port?listen=1"; tcp_pid=$!
        t0=$(date +%s.%N)
        while [ "$(lines)" -le "$before" ]; do sleep 0.05; done
        t1=$(date +%s.%N)
        echo "reconnect: first new record $(echo "$t1 - $t0" | bc) s after the source restarted"
        restarted=1
    fi
done
echo "end rss=$(rss) kB"
"$segd" ctl --socket "$work/run/control.sock" list
kill -TERM $daemon; wait $daemon; echo "daemon exit status $?"
rm -rf "$work"
