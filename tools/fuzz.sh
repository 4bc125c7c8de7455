#!/usr/bin/env bash
# Builds segd's libFuzzer targets and runs each for a bounded time (README, "Fuzzing").
#
#   tools/fuzz.sh [--seconds N] [--no-build] [TARGET...]
#
# TARGET is one of: safetensors model-json vocabulary config control label-client (default: all).
# Each runs for N seconds (default 60) on a working corpus in .build-fuzz/corpus/TARGET, seeded
# from the committed Tests/Fuzz/corpus/TARGET, which is only read. A table gives executions, coverage
# and corpus size per target. An input that crashes, trips AddressSanitizer, leaks, hangs for
# 10 s or allocates more than 2 GiB is saved under .build-fuzz/artifacts/ and makes the exit
# status 1; the table says how to replay it.
#
# The build (SEGD_FUZZ=1, see Package.swift) has its own scratch folder, .build-fuzz, so the normal
# .build is untouched. It uses the debug configuration: dependencies are built unoptimized, which
# takes far less time on two cores, while segd's fuzzed modules get -O and the sanitizers.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
build=1
targets=()
while (($#)); do
    case "$1" in
        --seconds) seconds="${2:?--seconds needs a number}"; shift 2 ;;
        --seconds=*) seconds="${1#--seconds=}"; shift ;;
        --no-build) build=0; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) targets+=("$1"); shift ;;
    esac
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || { echo "fuzz.sh: --seconds must be a positive whole number" >&2; exit 2; }
all=(safetensors model-json vocabulary config control label-client)
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
    [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz.sh: unknown target $t (targets: ${all[*]})" >&2; exit 2; }
done

scratch=.build-fuzz
binary="$scratch/debug/segd-fuzz"
if ((build)); then
    start=$(date +%s)
    mkdir -p "$scratch"
    if ! SEGD_FUZZ=1 swift build -c debug --scratch-path "$scratch" --product segd-fuzz >"$scratch/build.log" 2>&1; then
        grep -E "error" "$scratch/build.log" | head -20 >&2
        echo "fuzz.sh: the build failed; see $scratch/build.log" >&2
        exit 1
    fi
    echo "fuzz.sh: built $binary in $(($(date +%s) - start)) s"
fi
[[ -x "$binary" ]] || { echo "fuzz.sh: $binary is missing; run without --no-build" >&2; exit 1; }

mkdir -p "$scratch/logs" "$scratch/artifacts"
export LSAN_OPTIONS="suppressions=$PWD/Tests/Fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
failed=0
rows=()
for t in "${targets[@]}"; do
    work="$scratch/corpus/$t"
    log="$scratch/logs/$t.log"
    mkdir -p "$work"
    set +e
    "$binary" "$t" "$work" "Tests/Fuzz/corpus/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$scratch/artifacts/$t-" -print_final_stats=1 >"$log" 2>&1
    status=$?
    set -e
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    corpus=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
    if ((status == 0)); then
        result=ok
    else
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        result="FAILED (exit $status): ${artifact:-see $log}"
    fi
    rows+=("$(printf '%-13s %10s %9s %6s %12s  %s' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${corpus:-?}" "$result")")
    echo "fuzz.sh: $t: ${runs:-?} executions in ${seconds} s, corpus ${corpus:-?}: $result"
done

echo
printf '%-13s %10s %9s %6s %12s  %s\n' target executions "exec/s" cov "corpus" result
printf '%s\n' "${rows[@]}"
if ((failed)); then
    echo
    echo "fuzz.sh: replay an input with: $binary TARGET FILE (the logs are in $scratch/logs)"
    for t in "${targets[@]}"; do
        grep -q -E "ERROR|deadly signal|Fatal error|timeout|out-of-memory" "$scratch/logs/$t.log" 2>/dev/null || continue
        echo "--- $t"
        grep -E -m 20 -A 12 "Fatal error|ERROR:|deadly signal|==ERROR|timeout|out-of-memory" "$scratch/logs/$t.log" | head -40
    done
fi
exit "$failed"
