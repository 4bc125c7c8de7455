#!/usr/bin/env bash
# Downloads the FC-CLIP ConvNeXt-L weights and converts them into a segd model bundle.
#
#   tools/get-model.sh [BUNDLE_DIR] [extra converter options, e.g. --dtype float16]
#
# BUNDLE_DIR defaults to models/fcclip_convnext_large. Two files are needed (spec: fcclip-inference.md §10.1):
#   1. fcclip_cocopan.pth: the FC-CLIP head (COCO panoptic, ConvNeXt-L), Google Drive, about 80 MB
#   2. open_clip_pytorch_model.safetensors (or .bin): open_clip convnext_large_d_320
#      laion2b_s29b_b131k_ft_soup, Hugging Face, 1.41 GB
# They go to $SEGD_DOWNLOADS (default models/downloads). Files already there with a plausible size are not
# downloaded again, so on a machine without internet you can copy them there by hand and rerun this script.
#
# Environment: PYTHON (default python3; needs torch), SEGD_DOWNLOADS, FCCLIP_URL, CLIP_URL, CLIP_FILE
# (open_clip_pytorch_model.safetensors or open_clip_pytorch_model.bin).
set -euo pipefail
cd "$(dirname "$0")/.."

BUNDLE="${1:-models/fcclip_convnext_large}"
if [ "$#" -gt 0 ]; then shift; fi
PYTHON="${PYTHON:-python3}"
DOWNLOADS="${SEGD_DOWNLOADS:-models/downloads}"

FCCLIP_FILE="fcclip_cocopan.pth"
FCCLIP_DRIVE_ID="1-91PIns86vyNaL3CzMmDD39zKGnPMtvj"
FCCLIP_PAGE="https://drive.google.com/file/d/${FCCLIP_DRIVE_ID}/view"
FCCLIP_URL="${FCCLIP_URL:-https://drive.usercontent.google.com/download?id=${FCCLIP_DRIVE_ID}&export=download&confirm=t}"
# Head-only checkpoint: 20,721,601 float32 parameters ≈ 83 MB (the spec could not verify the size; a re-upload
# of the same weights is 79.16 MB). Anything far outside this range is a failed download (an HTML page) or a
# different file.
FCCLIP_MIN=60000000
FCCLIP_MAX=2000000000   # allow a checkpoint that also carries the CLIP weights (~1.5 GB)

CLIP_REPO="https://huggingface.co/laion/CLIP-convnext_large_d_320.laion2B-s29B-b131K-ft-soup"
CLIP_FILE="${CLIP_FILE:-open_clip_pytorch_model.safetensors}"
CLIP_URL="${CLIP_URL:-${CLIP_REPO}/resolve/main/${CLIP_FILE}}"
# 351,772,609 float32 values = 1,407,090,436 bytes of data, plus a header / zip directory.
CLIP_MIN=1407090436
CLIP_MAX=1420000000

VOCAB="Tests/Fixtures/tokenizer/bpe_simple_vocab_16e6.txt.gz"   # open_clip's file, checked into segd

converter_command() {
    echo "$PYTHON tools/convert-fcclip-checkpoint.py --fcclip $DOWNLOADS/$FCCLIP_FILE --clip $DOWNLOADS/$CLIP_FILE --out $BUNDLE --vocab $VOCAB${*:+ $*}"
}

manual_instructions() {
    cat >&2 <<EOF

get-model: fetch these two files by hand (e.g. in a browser on a machine with internet) into $DOWNLOADS/:

  1. $FCCLIP_FILE   (FC-CLIP ConvNeXt-L head, COCO panoptic; about 80 MB, size not verified by the spec)
       $FCCLIP_PAGE
       direct: $FCCLIP_URL
  2. $CLIP_FILE   (open_clip convnext_large_d_320, laion2b_s29b_b131k_ft_soup; 1.41 GB)
       $CLIP_URL
     (open_clip_pytorch_model.bin from the same folder works too: set CLIP_FILE=open_clip_pytorch_model.bin)

Then rerun this script (it skips files that are already there), or convert directly:

  $(converter_command "$@")
  segd model inspect $BUNDLE
EOF
}

size_of() { stat -c %s "$1" 2>/dev/null || stat -f %z "$1"; }

# check_size FILE MIN MAX: 0 if the file exists and its size is within [MIN, MAX].
check_size() {
    [ -f "$1" ] || return 1
    local n
    n=$(size_of "$1")
    [ "$n" -ge "$2" ] && [ "$n" -le "$3" ]
}

looks_like_html() { head -c 512 "$1" 2>/dev/null | grep -qi -e '<!doctype html' -e '<html'; }

# download URL FILE MIN MAX
download() {
    local url="$1" file="$2" min="$3" max="$4" part="$2.part"
    if check_size "$file" "$min" "$max"; then
        echo "get-model: $file already present ($(size_of "$file") bytes)"
        return 0
    fi
    if [ -f "$part" ] && looks_like_html "$part"; then rm -f "$part"; fi
    echo "get-model: downloading $file"
    echo "           from $url"
    if ! curl --fail --location --retry 5 --retry-delay 5 --connect-timeout 20 \
            --continue-at - --output "$part" "$url"; then
        echo "get-model: download of $file failed (partial data kept in $part; rerun to resume)" >&2
        return 1
    fi
    if looks_like_html "$part"; then
        rm -f "$part"
        echo "get-model: $url returned a web page instead of the file (Google Drive quota or confirmation page?)" >&2
        return 1
    fi
    if ! check_size "$part" "$min" "$max"; then
        echo "get-model: $file has $(size_of "$part") bytes, expected between $min and $max; kept as $part" >&2
        return 1
    fi
    mv "$part" "$file"
    echo "get-model: $file: $(size_of "$file") bytes"
}

if ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
    echo "get-model: the converter needs PyTorch for $PYTHON: pip install torch (the CPU wheel is enough)" >&2
    exit 1
fi
mkdir -p "$DOWNLOADS"

need_download=0
check_size "$DOWNLOADS/$FCCLIP_FILE" "$FCCLIP_MIN" "$FCCLIP_MAX" || need_download=1
check_size "$DOWNLOADS/$CLIP_FILE" "$CLIP_MIN" "$CLIP_MAX" || need_download=1

if [ "$need_download" = 1 ]; then
    if ! command -v curl >/dev/null 2>&1; then
        echo "get-model: curl is not installed" >&2
        manual_instructions "$@"
        exit 1
    fi
    # Fail fast without network: one HEAD request per host, a few seconds each.
    for host in https://huggingface.co https://drive.usercontent.google.com; do
        if ! curl --silent --head --max-time 8 --output /dev/null "$host"; then
            echo "get-model: cannot reach $host (no internet access from this machine?)" >&2
            manual_instructions "$@"
            exit 1
        fi
    done
    download "$FCCLIP_URL" "$DOWNLOADS/$FCCLIP_FILE" "$FCCLIP_MIN" "$FCCLIP_MAX" || { manual_instructions "$@"; exit 1; }
    download "$CLIP_URL" "$DOWNLOADS/$CLIP_FILE" "$CLIP_MIN" "$CLIP_MAX" || { manual_instructions "$@"; exit 1; }
fi

# The spec gives no checksums; record them so a later run (or another machine) can be compared.
if command -v sha256sum >/dev/null 2>&1; then
    echo "get-model: sha256 of the inputs:"
    (cd "$DOWNLOADS" && sha256sum "$FCCLIP_FILE" "$CLIP_FILE") | sed 's/^/  /'
fi

echo "get-model: converting into $BUNDLE"
"$PYTHON" tools/convert-fcclip-checkpoint.py --fcclip "$DOWNLOADS/$FCCLIP_FILE" --clip "$DOWNLOADS/$CLIP_FILE" \
    --out "$BUNDLE" --vocab "$VOCAB" "$@"
echo
echo "get-model: done. Check the bundle with:  segd model inspect $BUNDLE"
echo "           segment an image with:        segd segment IMAGE --model $BUNDLE --vocab coco --out DIR"
