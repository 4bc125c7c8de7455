#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build and test segd, then builds it.
# Needs a Swift 6 toolchain on PATH (https://www.swift.org/install/linux/); everything else
# comes from Debian's packages. Runs apt-get through sudo when not root.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
# OpenBLAS (GEMM), zlib (gzip vocabulary), FFmpeg's libraries (decode/encode/scale) and pkg-config to find them;
# the ffmpeg command-line tool makes test media; binutils (objdump) and python3 run
# tools/check-swifterror-tailcalls.py; systemd's systemd-analyze checks the unit files and
# rtsp-server-perl serves the RTSP stream of the daemon tests (its own service stays disabled
# where systemd is not running); prometheus brings promtool, which checks the metrics exposition.
$sudo apt-get install -y --no-install-recommends \
    pkg-config libopenblas-dev zlib1g-dev binutils python3 \
    libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libavdevice-dev \
    ffmpeg systemd rtsp-server-perl prometheus

if ! command -v swift >/dev/null 2>&1; then
    echo "bootstrap: no 'swift' on PATH; install a Swift 6 toolchain from https://www.swift.org/install/linux/" >&2
    exit 1
fi
swift build -c release
echo "bootstrap: built .build/release/segd"
