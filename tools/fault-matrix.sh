#!/usr/bin/env bash
# Runs a matrix of faults end to end against the built segd with the tiny fixture model and
# prints one row per fault: what was expected, what was observed, records lost (must be 0)
# and crashes (must be 0). Exits 1 if any row fails.
#
#   tools/fault-matrix.sh            # the full matrix (68 faults, about 80 s on 2 cores)
#   tools/fault-matrix.sh --short    # 18 faults, about 25 s on 2 cores (CI)
#   options: --segd PATH (default .build/release/segd), --keep (keep the scratch folder)
#
# Faults: damaged media in several codecs (intact, cut in half, bytes flipped), a file that is
# not media, JPEG data named %06d.png, zero-length frames, a selection past the end, SIGTERM /
# SIGINT / SIGKILL mid-run (then a run in the same folder), a disk that fills up with --overlay
# (a tmpfs; skipped with a note when mount is not permitted), and pts that go back (two MPEG-TS
# recordings concatenated); hostile model bundles (overflowing sizes, a gzip bomb, a FIFO as the
# weights); and against a running daemon: a stream whose input cannot fit beside a healthy one,
# a control client naming /etc/shadow and one trying to forge log lines, then SIGTERM.
#
# "records lost" counts records segd reported as processed that are not whole lines in
# labels.jsonl, lines that do not parse, and lines whose panoptic PNG is missing. A "crash" is
# an exit by a signal segd was not sent (SIGSEGV, SIGILL, SIGABRT, SIGTRAP, …) or a Swift
# runtime trap message on stderr. Needs ffmpeg, ffprobe and python3.
set -u
cd "$(dirname "$0")/.."

SHORT=0
KEEP=0
SEGD=.build/release/segd
while [ $# -gt 0 ]; do
    case "$1" in
        --short) SHORT=1 ;;
        --keep) KEEP=1 ;;
        --segd) SEGD="$2"; shift ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "fault-matrix: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
    shift
done
MODEL=Tests/Fixtures/fcclip/tiny-a
for tool in ffmpeg ffprobe python3; do
    command -v "$tool" >/dev/null || { echo "fault-matrix: $tool is not on PATH" >&2; exit 64; }
done
[ -x "$SEGD" ] || { echo "fault-matrix: $SEGD is not built (swift build -c release)" >&2; exit 64; }
[ -d "$MODEL" ] || { echo "fault-matrix: the fixture model $MODEL is missing" >&2; exit 64; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/segd-fault-matrix.XXXXXX")
# A copy, so that a rebuild during the run cannot swap the binary under it.
cp "$SEGD" "$WORK/segd" && SEGD="$WORK/segd"
MOUNTED=""
cleanup() {
    [ -n "$MOUNTED" ] && umount "$MOUNTED" 2>/dev/null
    if [ "$KEEP" = 1 ]; then echo "scratch folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
START=$(date +%s)

ROWS=()
FAILED=0
# row FAULT EXPECTED OBSERVED LOST CRASH PASS(0/1)
row() {
    local verdict=ok
    if [ "$6" != 1 ] || [ "$4" != 0 ] || [ "$5" != 0 ]; then verdict=FAIL; FAILED=$((FAILED + 1)); fi
    ROWS+=("$1|$2|$3|$4|$5|$verdict")
    printf '  %-34s %-6s %s\n' "$1" "$verdict" "$3" >&2
}

ff() { ffmpeg -hide_banner -v error -nostdin -y "$@"; }

# The checker: reads OUT/labels.jsonl, OUT/panoptic and segd's stderr; prints
# "lines=N torn=T bad=B nopng=P orphans=O lost=L mono=M disc=D".
cat > "$WORK/check.py" <<'EOF'
import json, os, re, sys
out, err = sys.argv[1], sys.argv[2]
text = open(os.path.join(out, "labels.jsonl"), "rb").read() if os.path.exists(os.path.join(out, "labels.jsonl")) else b""
parts = text.split(b"\n")
torn = 0 if text.endswith(b"\n") or not text else 1
lines = parts[:-1] if text.endswith(b"\n") else parts[:-1] if text else []
bad, frames, pts, disc = 0, [], [], 0
for line in lines:
    try:
        r = json.loads(line)
        frames.append(r["frame"]); pts.append(r["pts"]); disc += 1 if r.get("discontinuity") else 0
    except Exception:
        bad += 1
pdir = os.path.join(out, "panoptic")
pngs = set(f for f in os.listdir(pdir) if re.fullmatch(r"-?\d{6,}\.png", f)) if os.path.isdir(pdir) else set()
want = set("%06d.png" % f for f in frames)
nopng = len(want - pngs) if os.path.isdir(pdir) else 0
orphans = len(pngs - want)
stderr = open(err, errors="replace").read()
m = re.findall(r"(\d+) frames decoded, (\d+) processed", stderr)
processed = int(m[-1][1]) if m else len(frames)
lost = max(0, processed - len(frames)) + bad + nopng
mono = int(all(b > a for a, b in zip(pts, pts[1:])))
print(f"lines={len(frames)} torn={torn} bad={bad} nopng={nopng} orphans={orphans} lost={lost} mono={mono} disc={disc}")
EOF
check() { python3 "$WORK/check.py" "$1" "$2"; }
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

# crash STATUS STDERR [SENT-SIGNAL]: 1 when segd died of a signal it was not sent or trapped.
crashed() {
    local status=$1 err=$2 sent=${3:-0}
    if grep -qE "Fatal error|Segmentation fault|Illegal instruction|Aborted|stack dump|Trace/breakpoint" "$err"; then echo 1; return; fi
    if [ "$status" -gt 128 ] && [ "$status" -ne $((128 + sent)) ]; then
        case "$status" in 130|143) echo 0 ;; *) echo 1 ;; esac
        return
    fi
    echo 0
}

# segment NAME INPUT [ARGS…]: runs segd into $WORK/NAME; sets STATUS, ERR, OUT.
segment() {
    local name=$1 input=$2; shift 2
    OUT="$WORK/$name"; ERR="$WORK/$name.stderr"
    "$SEGD" segment "$input" --model "$MODEL" --vocab coco --out "$OUT" --threads 1 "$@" 2>"$ERR" >/dev/null
    STATUS=$?
}

# flip FILE SEED COUNT: flips COUNT pseudo-random bytes past the first 2 KB.
flip() {
    python3 - "$1" "$2" "$3" <<'EOF'
import random, sys
path, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = bytearray(open(path, "rb").read())
rng = random.Random(seed)
for _ in range(count):
    i = rng.randrange(min(2000, len(data) // 2), len(data))
    data[i] ^= 0xFF
open(path, "wb").write(data)
EOF
}

echo "segd fault matrix ($([ $SHORT = 1 ] && echo short || echo full)), scratch $WORK" >&2

# --- damaged media --------------------------------------------------------------------------
if [ $SHORT = 1 ]; then
    CODECS="h264:mp4:libx264 mjpeg:avi:mjpeg mpeg4:mkv:mpeg4"
    FRAMES=30
else
    CODECS="h264:mp4:libx264 hevc:mkv:libx265 vp9:webm:libvpx-vp9 av1:mkv:libaom-av1 mjpeg:avi:mjpeg mpeg4:mkv:mpeg4 ffv1:nut:ffv1 h264ts:ts:libx264"
    FRAMES=60
fi
for spec in $CODECS; do
    IFS=: read -r name ext encoder <<<"$spec"
    clip="$WORK/$name.$ext"
    extra=()
    case "$encoder" in
        libx265) extra=(-x265-params log-level=error) ;;
        libaom-av1) extra=(-cpu-used 8 -usage realtime) ;;
        libvpx-vp9) extra=(-deadline realtime -cpu-used 8) ;;
    esac
    # MP4 with its index first, so that a cut file still opens.
    [ "$ext" = mp4 ] && extra+=(-movflags +faststart)
    if ! ff -f lavfi -i "testsrc2=size=64x48:rate=25" -frames:v $FRAMES -c:v "$encoder" "${extra[@]}" -pix_fmt yuv420p -g 10 "$clip" 2>/dev/null; then
        row "$name: intact" "exit 0" "skipped: ffmpeg has no $encoder" 0 0 1
        continue
    fi
    segment "$name-intact" "$clip"
    r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR")
    ok=0; [ $STATUS = 0 ] && [ "$(field "$r" lines)" = $FRAMES ] && ok=1
    row "$name: intact" "exit 0, $FRAMES lines" "exit $STATUS, $(field "$r" lines) lines" "$(field "$r" lost)" "$c" $ok

    size=$(stat -c %s "$clip")
    head -c $((size / 2)) "$clip" > "$WORK/$name-cut.$ext"
    segment "$name-cut" "$WORK/$name-cut.$ext"
    r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR")
    # A cut file ends normally with what decodes, or (a cut header) fails to open cleanly.
    ok=0; { [ $STATUS = 0 ] && [ "$(field "$r" lines)" -gt 0 ]; } || { [ $STATUS = 1 ] || [ $STATUS = 2 ]; } && ok=1
    row "$name: cut in half" "exit 0 (or 1/2, named)" "exit $STATUS, $(field "$r" lines) lines" "$(field "$r" lost)" "$c" $ok

    for seed in 1 2; do
        [ $SHORT = 1 ] && [ $seed = 2 ] && continue
        cp "$clip" "$WORK/$name-flip$seed.$ext"
        flip "$WORK/$name-flip$seed.$ext" $seed 40
        segment "$name-flip$seed" "$WORK/$name-flip$seed.$ext"
        r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR")
        ok=0; [ $STATUS = 0 ] || [ $STATUS = 1 ] || [ $STATUS = 2 ] && ok=1
        row "$name: 40 bytes flipped ($seed)" "exit 0/1/2, no crash" "exit $STATUS, $(field "$r" lines) lines" "$(field "$r" lost)" "$c" $ok
    done
done

# --- inputs that hold nothing to segment ----------------------------------------------------
head -c 20000 /dev/urandom > "$WORK/noise.mp4"
segment noise "$WORK/noise.mp4"
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 1 ] && grep -q "noise.mp4" "$ERR" && ok=1
row "random bytes named .mp4" "exit 1, input named" "exit $STATUS: $(grep -m1 -o 'cannot open.*\|error.*' "$ERR" | cut -c1-50)" 0 "$c" $ok

mkdir -p "$WORK/jpeg-named-png"
for i in 0 1 2; do ff -f lavfi -i testsrc2=size=64x48 -frames:v 1 -f mjpeg "$WORK/jpeg-named-png/$(printf %06d $i).png"; done
segment jpeg-as-png "$WORK/jpeg-named-png/%06d.png"
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 2 ] && grep -q "holds JPEG data" "$ERR" && ok=1
row "JPEG data named %06d.png" "exit 2, cause named" "exit $STATUS$(grep -q 'holds JPEG data' "$ERR" && echo ', says JPEG')" 0 "$c" $ok

mkdir -p "$WORK/zero-length"
for i in 0 1 2; do : > "$WORK/zero-length/$(printf %06d $i).png"; done
segment zero-length "$WORK/zero-length/%06d.png"
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 2 ] && grep -q "is empty" "$ERR" && ok=1
row "zero-length frames" "exit 2, cause named" "exit $STATUS$(grep -q 'is empty' "$ERR" && echo ', says empty')" 0 "$c" $ok

segment past-the-end "$WORK/mjpeg.avi" --frames 1000:2000
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 2 ] && grep -q "matched the selection" "$ERR" && ok=1
row "--frames past the end" "exit 2, cause named" "exit $STATUS" 0 "$c" $ok

# --- pts that go back ------------------------------------------------------------------------
ff -f lavfi -i testsrc2=size=96x64:rate=25 -frames:v 10 -c:v libx264 -pix_fmt yuv420p "$WORK/a.ts"
ff -f lavfi -i testsrc2=size=80x48:rate=25 -frames:v 10 -c:v libx264 -pix_fmt yuv420p "$WORK/b.ts"
cat "$WORK/a.ts" "$WORK/b.ts" > "$WORK/joined.ts"
segment joined-ts "$WORK/joined.ts" --overlay
r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR")
omono=$(ffprobe -v error -select_streams v:0 -show_entries frame=best_effort_timestamp_time -of csv=p=0 "$OUT/overlay.mp4" 2>/dev/null \
        | python3 -c 'import sys; t=[float(l.split(",")[0]) for l in sys.stdin if l.strip()]; print(int(len(t)==20 and all(b>a for a,b in zip(t,t[1:]))))')
ok=0; [ $STATUS = 0 ] && [ "$(field "$r" mono)" = 1 ] && [ "$(field "$r" disc)" = 1 ] && [ "$omono" = 1 ] && ok=1
row "pts go back (cat a.ts b.ts)" "pts increase, 1 discontinuity" "exit $STATUS, mono=$(field "$r" mono) overlay=$omono disc=$(field "$r" disc)" "$(field "$r" lost)" "$c" $ok

# --- signals mid-run -------------------------------------------------------------------------
ff -f lavfi -i testsrc2=size=64x48:rate=30 -frames:v 3000 -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$WORK/long.mp4"
REPEAT=$([ $SHORT = 1 ] && echo 1 || echo 10)
for sig in TERM INT KILL; do
    for n in $(seq 1 $REPEAT); do
        name="sig$sig-$n"; OUT="$WORK/$name"; ERR="$WORK/$name.stderr"
        "$SEGD" segment "$WORK/long.mp4" --model "$MODEL" --vocab coco --out "$OUT" --threads 1 2>"$ERR" >/dev/null &
        pid=$!
        # Wait for a few records (a different number each time), then signal.
        want=$((3 + (n * 7) % 20))
        for _ in $(seq 1 600); do
            lines=$(cat "$OUT/labels.jsonl" 2>/dev/null | tr -cd '\n' | wc -c)
            [ "$lines" -ge $want ] && break
            kill -0 $pid 2>/dev/null || break
            sleep 0.05
        done
        num=$(kill -l $sig)
        kill -$sig $pid 2>/dev/null
        wait $pid 2>/dev/null; STATUS=$?
        r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR" "$num")
        if [ $sig = KILL ]; then
            # A kill may leave a PNG without its line or a torn last line: the next run in the
            # folder must name and remove them.
            orphans=$(field "$r" orphans); torn=$(field "$r" torn)
            segment "$name" "$WORK/mjpeg.avi"
            r2=$(check "$OUT" "$ERR")
            named=1
            if [ "$orphans" != 0 ] || [ "$torn" != 0 ]; then grep -q "was cut short" "$ERR" || named=0; fi
            ok=0; [ $STATUS = 0 ] && [ "$(field "$r2" orphans)" = 0 ] && [ $named = 1 ] && ok=1
            row "SIGKILL mid-run ($n)" "137; rerun repairs" "killed; orphans=$orphans torn=$torn; rerun exit $STATUS orphans=$(field "$r2" orphans)" \
                "$(field "$r" lost)" "$c" $ok
        else
            ok=0; [ $STATUS = $((128 + num)) ] && [ "$(field "$r" orphans)" = 0 ] && [ "$(field "$r" torn)" = 0 ] && ok=1
            row "SIG$sig mid-run ($n)" "exit $((128 + num)), whole" "exit $STATUS, $(field "$r" lines) lines, orphans=$(field "$r" orphans)" \
                "$(field "$r" lost)" "$c" $ok
        fi
    done
done

# --- disk full -------------------------------------------------------------------------------
mkdir -p "$WORK/small-disk"
if mount -t tmpfs -o size=400k tmpfs "$WORK/small-disk" 2>/dev/null; then
    MOUNTED="$WORK/small-disk"
    ff -f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 150 -c:v libx264 -pix_fmt yuv420p "$WORK/big.mp4"
    OUT="$MOUNTED/out"; ERR="$WORK/disk-full.stderr"
    "$SEGD" segment "$WORK/big.mp4" --model "$MODEL" --vocab coco --out "$OUT" --threads 1 --overlay 2>"$ERR" >/dev/null
    STATUS=$?
    r=$(check "$OUT" "$ERR"); c=$(crashed $STATUS "$ERR")
    errors=$(grep -c "error:" "$ERR")
    probe=$( [ -f "$OUT/overlay.mp4" ] && ffprobe -v error -show_entries frame=pts -of csv=p=0 "$OUT/overlay.mp4" 2>&1 >/dev/null | head -c 200)
    ok=0; [ $STATUS = 1 ] && [ "$errors" = 1 ] && [ "$(field "$r" orphans)" = 0 ] && [ -z "$probe" ] && ok=1
    row "disk full with --overlay" "exit 1, 1 error, clean" "exit $STATUS, $errors error(s), orphans=$(field "$r" orphans), overlay ${probe:+damaged}${probe:-clean}" \
        "$(field "$r" lost)" "$c" $ok
    umount "$MOUNTED" && MOUNTED=""
else
    row "disk full with --overlay" "exit 1, 1 error, clean" "skipped: cannot mount a tmpfs (needs root)" 0 0 1
fi

# --- hostile bundles ------------------------------------------------------------------------
# bundle NAME PYTHON-EDIT: a copy of the fixture bundle whose model.json (as `c`) the edit changes.
bundle() {
    local dir="$WORK/bundle-$1"
    mkdir -p "$dir"
    cp "$MODEL/weights.safetensors" "$dir/"
    cp Tests/Fixtures/tokenizer/bpe_simple_vocab_16e6.txt.gz "$dir/vocab.txt.gz"
    python3 - "$MODEL/model.json" "$dir/model.json" "$2" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["tokenizer"] = "vocab.txt.gz"
exec(sys.argv[3])
open(sys.argv[2], "w").write(json.dumps(c))
PY
    echo "$dir"
}
ff -f lavfi -i testsrc2=size=64x48 -frames:v 1 "$WORK/still.png"
for spec in \
    "encoder_points 2^62|c['pixel_decoder']['encoder_points'] = 4611686018427387904" \
    "depths 10^9|c['clip']['vision']['depths'] = [1000000000, 1, 2, 1]" \
    "text layers 10^6|c['clip']['text']['layers'] = 1000000" \
    "dims not a list|c['clip']['vision']['dims'] = 16"; do
    name=${spec%%|*}; edit=${spec#*|}
    dir=$(bundle "$(echo "$name" | tr -c 'a-z0-9\n' '-')" "$edit")
    ERR="$dir.stderr"
    timeout 60 "$SEGD" model inspect "$dir" >/dev/null 2>"$ERR"; s1=$?
    timeout 60 "$SEGD" segment "$WORK/still.png" --model "$dir" --vocab coco --out "$dir/out" --threads 1 >/dev/null 2>>"$ERR"; s2=$?
    c=$(crashed $s1 "$ERR"); [ "$(crashed $s2 "$ERR")" = 1 ] && c=1
    ok=0; [ $s1 = 1 ] && [ $s2 = 1 ] && ok=1
    row "model.json: $name" "inspect, segment exit 1" "exit $s1 / $s2" 0 "$c" $ok
done
dir=$(bundle gzip-bomb "")
head -c $((200 << 20)) /dev/zero | gzip -c > "$dir/vocab.txt.gz"
ERR="$dir.stderr"
timeout 60 "$SEGD" model inspect "$dir" >/dev/null 2>"$ERR"; STATUS=$?
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 1 ] && ok=1
row "tokenizer gzip bomb (200 MiB)" "inspect exit 1" "exit $STATUS" 0 "$c" $ok
dir=$(bundle fifo-weights "")
rm "$dir/weights.safetensors"; mkfifo "$dir/weights.safetensors"
ERR="$dir.stderr"
timeout 20 "$SEGD" model inspect "$dir" >/dev/null 2>"$ERR"; STATUS=$?
c=$(crashed $STATUS "$ERR"); ok=0; [ $STATUS = 1 ] && grep -q "FIFO" "$ERR" && ok=1
row "weights file is a FIFO" "exit 1 at once, says FIFO" "exit $STATUS$([ $STATUS = 124 ] && echo ' (hung)')" 0 "$c" $ok

# --- the daemon ------------------------------------------------------------------------------
D="$WORK/daemon"
mkdir -p "$D"
ff -f lavfi -i testsrc2=size=160x120:rate=15 -frames:v 30 -c:v libx264 -pix_fmt yuv420p "$D/clip.mp4"
printf 'thing: SECRET-CONTENT\nthing: SECRET-CONTENT\n' > "$D/secret.txt"
# conf EXTRA-STREAM-YAML: a daemon config with the healthy stream `dock` and EXTRA.
conf() {
    printf '%s\n' "model: $PWD/$MODEL" "threads: 1" "output_root: $D/out" "socket_dir: $D/run" "memory_limit_mb: 64" \
        "streams:" "  dock:" "    url: $D/clip.mp4" "    vocabulary: \"thing: cat; stuff: wall\"" "    fps: 5" "$1"
}
conf "    input_size: 1000000" > "$D/bad.yaml"
"$SEGD" config check "$D/bad.yaml" --skip-model >/dev/null 2>"$D/bad.stderr"; STATUS=$?
c=$(crashed $STATUS "$D/bad.stderr"); ok=0; [ $STATUS = 1 ] && grep -q "input_size: must be from" "$D/bad.stderr" && ok=1
row "config: input_size 1000000" "config check exit 1" "exit $STATUS" 0 "$c" $ok
conf "  huge:
    url: $D/clip.mp4
    vocabulary: coco
    input_size: 4096
    input_max_size: 8192" > "$D/segd.yaml"
"$SEGD" serve --config "$D/segd.yaml" 2>"$D/serve.log" &
pid=$!
for _ in $(seq 1 600); do
    [ "$(cat "$D/out/dock/current/labels.jsonl" 2>/dev/null | tr -cd '\n' | wc -c)" -ge 3 ] && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
huge=$("$SEGD" ctl --socket "$D/run/control.sock" list --json 2>/dev/null \
       | python3 -c 'import json,sys; print(next((s["state"] for s in json.load(sys.stdin) if s["name"]=="huge"), "?"))' 2>/dev/null)
ok=0; [ "$huge" = failed ] && kill -0 $pid 2>/dev/null && ok=1
row "a stream's input cannot fit" "it fails alone" "huge: ${huge:-?}, daemon $(kill -0 $pid 2>/dev/null && echo up || echo down)" 0 0 $ok
leak=0
for request in "@$D/secret.txt" "@/etc/shadow" "@../secret.txt"; do
    "$SEGD" ctl --socket "$D/run/control.sock" vocab dock "$request" >/dev/null 2>"$D/ctl.stderr"
    grep -q "SECRET\|root:" "$D/ctl.stderr" && leak=1
done
ok=0; [ $leak = 0 ] && ok=1
row "ctl vocab @/etc/shadow" "refused, nothing echoed" "$([ $leak = 0 ] && echo refused || echo 'file content in the reply')" 0 0 $ok
"$SEGD" ctl --socket "$D/run/control.sock" vocab dock "$(printf 'thing: cat\342\200\250FAKE LOG LINE\342\200\256')" >/dev/null 2>&1
"$SEGD" ctl --socket "$D/run/control.sock" vocab dock "$(printf 'person\nFAKE LOG LINE\033[2J')" >/dev/null 2>&1
kill -TERM $pid; wait $pid; STATUS=$?
forged=$(grep -c '^FAKE LOG LINE' "$D/serve.log"); raw=$(grep -c -P '\x1b|\x{2028}|\x{202E}' "$D/serve.log")
r=$(check "$D/out/dock/current" "$D/serve.log")
ok=0; [ $STATUS = 0 ] && [ "$forged" = 0 ] && [ "$raw" = 0 ] && [ "$(field "$r" lines)" -gt 0 ] && ok=1
row "log injection over ctl, SIGTERM" "no forged line, exit 0" "exit $STATUS, forged=$forged raw=$raw, $(field "$r" lines) lines" \
    "$(field "$r" nopng)" "$(crashed $STATUS "$D/serve.log" 15)" $ok

# --- the table -------------------------------------------------------------------------------
{
    echo "fault|expected|observed|records lost|crash|verdict"
    echo "---|---|---|---|---|---"
    printf '%s\n' "${ROWS[@]}"
} | column -t -s '|'
echo
echo "${#ROWS[@]} faults, $FAILED failed, $(( $(date +%s) - START )) s"
[ $FAILED = 0 ]
