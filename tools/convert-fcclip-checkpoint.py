#!/usr/bin/env python3
"""Convert the official FC-CLIP checkpoint + the open_clip CLIP weights into a segd model bundle.

    python3 tools/convert-fcclip-checkpoint.py \\
        --fcclip downloads/fcclip_cocopan.pth \\
        --clip downloads/open_clip_pytorch_model.bin \\
        --out models/fcclip_convnext_large

A bundle (spec: bundle.md) is a folder holding
  model.json                     architecture + inference defaults (default: tools/fcclip_convnext_large.model.json)
  weights.safetensors            every tensor under the official FC-CLIP state_dict key names
  bpe_simple_vocab_16e6.txt.gz   open_clip's BPE vocabulary, gzip-compressed as shipped

Where the tensors come from (fcclip-inference.md §10.1): the released fcclip_cocopan.pth holds only the
FC-CLIP head (sem_seg_head.*, void_embedding.weight, criterion.empty_weight) in its "model" dict; every
backbone.clip_model.* tensor comes from open_clip's laion2b_s29b_b131k_ft_soup ConvNeXt-L file, whose keys
are open_clip's own (visual.trunk..., transformer.resblocks..., logit_scale) and get the prefix
"backbone.clip_model.". When both files carry a CLIP tensor, the open_clip one wins and differences are
reported.

The list of expected keys and shapes is derived from model.json exactly as segd does it
(Sources/ModelIO/Bundle/WeightSchema.swift); every expected tensor is checked before anything is written.
Exit status: 0 on success, 1 when a required tensor is missing or has the wrong shape (or on any other
error), 2 for bad arguments.

Needs only torch (numpy is not used). The safetensors file is written by a small writer in this script.
"""

import argparse
import ctypes
import gzip
import hashlib
import json
import mmap
import os
import pickle
import struct
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_MODEL_JSON = os.path.join(HERE, "fcclip_convnext_large.model.json")
VOCAB_NAME = "bpe_simple_vocab_16e6.txt.gz"
# sha256 of the file as shipped by open_clip and OpenAI CLIP (Tests/Fixtures/tokenizer/README.md).
VOCAB_SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
CLIP_PREFIX = "backbone.clip_model."
# Keys of official checkpoints that inference does not use (WeightSchema.ignoredPrefixes).
IGNORED_PREFIXES = ("criterion.",)
# Non-persistent buffers that older open_clip / FC-CLIP files may still carry; never weights.
SKIPPED_BUFFER_NAMES = ("attn_mask", "pixel_mean", "pixel_std", "position_ids")


class ConversionError(Exception):
    """An error to print without a traceback."""


def log(msg=""):
    print(msg, flush=True)


def warn(msg):
    print(f"warning: {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# model.json: light validation + the expected tensor list (port of WeightSchema.swift)
# --------------------------------------------------------------------------------------------------

CONFIG_KEYS = {
    "": ({"format", "name", "weights", "tokenizer", "clip", "pixel_decoder", "transformer_decoder", "input"},
         {"inference"}),
    "clip": ({"embed_dim", "logit_scale_max", "vision", "text"}, set()),
    "clip.vision": ({"arch", "depths", "dims", "kernel_size", "mlp_ratio", "ln_eps", "head_hidden_dim"}, set()),
    "clip.text": ({"context_length", "vocab_size", "width", "heads", "layers", "mlp_ratio", "ln_eps"}, set()),
    "pixel_decoder": ({"conv_dim", "mask_dim", "gn_groups", "gn_eps", "transformer_in_features", "common_stride",
                       "encoder_layers", "encoder_heads", "encoder_points", "encoder_ffn_dim"}, set()),
    "transformer_decoder": ({"hidden_dim", "num_queries", "layers", "heads", "ffn_dim", "pre_norm"}, set()),
    "input": ({"pixel_mean", "pixel_std", "size_divisibility", "min_size_test", "max_size_test"}, set()),
    "inference": (set(), {"alpha", "beta", "ensemble_on_valid_mask", "object_mask_threshold", "overlap_threshold",
                          "detections_per_image", "sem_seg_postprocess_before_inference"}),
}


def validate_config(cfg, path):
    """The checks of ModelConfig.decode that the weight layout depends on (unknown/missing keys, format,
    ConvNeXt shape lists, feature names). segd re-checks everything when it loads the bundle."""
    def fail(key, reason):
        raise ConversionError(f"{path}: {key}: {reason}")

    for section, (required, optional) in CONFIG_KEYS.items():
        obj = cfg
        for part in section.split(".") if section else []:
            obj = obj.get(part) if isinstance(obj, dict) else None
        if obj is None and section == "inference":
            continue
        if not isinstance(obj, dict):
            fail(section or "(root)", "expected an object")
        for k in sorted(set(obj) - required - optional):
            fail(f"{section + '.' if section else ''}{k}",
                 f"unknown key (known keys here: {', '.join(sorted(required | optional))})")
        for k in sorted(required - set(obj)):
            fail(f"{section + '.' if section else ''}{k}", "missing key")
    if cfg["format"] != "segd.fcclip.v1":
        fail("format", f"'{cfg['format']}' is not supported; this converter writes 'segd.fcclip.v1'")
    v = cfg["clip"]["vision"]
    if v["arch"] != "convnext":
        fail("clip.vision.arch", f"'{v['arch']}' is not supported (only 'convnext')")
    for key in ("depths", "dims"):
        vals = v[key]
        if not (isinstance(vals, list) and len(vals) == 4 and all(isinstance(x, int) and x > 0 for x in vals)):
            fail(f"clip.vision.{key}", f"needs 4 positive integers, got {vals}")
    ints = [("clip.embed_dim", cfg["clip"]["embed_dim"]), ("clip.vision.kernel_size", v["kernel_size"]),
            ("clip.vision.mlp_ratio", v["mlp_ratio"]), ("clip.vision.head_hidden_dim", v["head_hidden_dim"])]
    ints += [(f"clip.text.{k}", cfg["clip"]["text"][k]) for k in ("context_length", "vocab_size", "width", "heads",
                                                                  "layers", "mlp_ratio")]
    ints += [(f"pixel_decoder.{k}", cfg["pixel_decoder"][k]) for k in ("conv_dim", "mask_dim", "common_stride",
                                                                       "encoder_layers", "encoder_heads",
                                                                       "encoder_points", "encoder_ffn_dim")]
    ints += [(f"transformer_decoder.{k}", cfg["transformer_decoder"][k]) for k in ("hidden_dim", "num_queries",
                                                                                   "layers", "heads", "ffn_dim")]
    for key, val in ints:
        if not isinstance(val, int) or isinstance(val, bool) or val <= 0:
            fail(key, f"must be a positive integer, got {val!r}")
    known = {name for name, _, _ in backbone_features(cfg)}
    tif = cfg["pixel_decoder"]["transformer_in_features"]
    if not (isinstance(tif, list) and tif and len(set(tif)) == len(tif) and all(f in known for f in tif)):
        fail("pixel_decoder.transformer_in_features", f"must be distinct names among {sorted(known)}, got {tif}")


def backbone_features(cfg):
    """(name, stride, channels) of the ConvNeXt outputs: res2..res5 at strides 4..32."""
    return [(f"res{i + 2}", 4 << i, d) for i, d in enumerate(cfg["clip"]["vision"]["dims"])]


def expected_tensors(cfg):
    """Every tensor the model needs as (key, shape), in WeightSchema.fcclip order."""
    out = []

    def add(key, shape):
        out.append((key, tuple(shape)))

    def norm(prefix, c):
        add(f"{prefix}.weight", [c])
        add(f"{prefix}.bias", [c])

    def linear(prefix, out_f, in_f, bias=True):
        add(f"{prefix}.weight", [out_f, in_f])
        if bias:
            add(f"{prefix}.bias", [out_f])

    def mha(prefix, e):
        add(f"{prefix}.in_proj_weight", [3 * e, e])
        add(f"{prefix}.in_proj_bias", [3 * e])
        linear(f"{prefix}.out_proj", e, e)

    # CLIP text tower.
    clip = "backbone.clip_model"
    t, e = cfg["clip"]["text"], cfg["clip"]["embed_dim"]
    add(f"{clip}.positional_embedding", [t["context_length"], t["width"]])
    add(f"{clip}.text_projection", [t["width"], e])
    add(f"{clip}.logit_scale", [])
    add(f"{clip}.token_embedding.weight", [t["vocab_size"], t["width"]])
    norm(f"{clip}.ln_final", t["width"])
    for i in range(t["layers"]):
        p = f"{clip}.transformer.resblocks.{i}"
        norm(f"{p}.ln_1", t["width"])
        mha(f"{p}.attn", t["width"])
        norm(f"{p}.ln_2", t["width"])
        linear(f"{p}.mlp.c_fc", t["width"] * t["mlp_ratio"], t["width"])
        linear(f"{p}.mlp.c_proj", t["width"], t["width"] * t["mlp_ratio"])

    # CLIP ConvNeXt trunk and head.
    v = cfg["clip"]["vision"]
    dims, trunk = v["dims"], f"{clip}.visual.trunk"
    add(f"{trunk}.stem.0.weight", [dims[0], 3, 4, 4])
    add(f"{trunk}.stem.0.bias", [dims[0]])
    norm(f"{trunk}.stem.1", dims[0])
    for s in range(4):
        d, stage = dims[s], f"{trunk}.stages.{s}"
        if s > 0:
            norm(f"{stage}.downsample.0", dims[s - 1])
            add(f"{stage}.downsample.1.weight", [d, dims[s - 1], 2, 2])
            add(f"{stage}.downsample.1.bias", [d])
        for b in range(v["depths"][s]):
            block = f"{stage}.blocks.{b}"
            add(f"{block}.gamma", [d])
            add(f"{block}.conv_dw.weight", [d, 1, v["kernel_size"], v["kernel_size"]])
            add(f"{block}.conv_dw.bias", [d])
            norm(f"{block}.norm", d)
            linear(f"{block}.mlp.fc1", d * v["mlp_ratio"], d)
            linear(f"{block}.mlp.fc2", d, d * v["mlp_ratio"])
    norm(f"{trunk}.head.norm", dims[3])
    linear(f"{clip}.visual.head.mlp.fc1", v["head_hidden_dim"], dims[3])
    linear(f"{clip}.visual.head.mlp.fc2", e, v["head_hidden_dim"], bias=False)

    # Pixel decoder: transformer levels ordered coarse to fine.
    p, pd = cfg["pixel_decoder"], "sem_seg_head.pixel_decoder"
    features = backbone_features(cfg)
    levels = sorted([f for f in features if f[0] in p["transformer_in_features"]], key=lambda f: -f[1])
    for l, (_, _, channels) in enumerate(levels):
        add(f"{pd}.input_proj.{l}.0.weight", [p["conv_dim"], channels, 1, 1])
        add(f"{pd}.input_proj.{l}.0.bias", [p["conv_dim"]])
        norm(f"{pd}.input_proj.{l}.1", p["conv_dim"])
    add(f"{pd}.transformer.level_embed", [len(levels), p["conv_dim"]])
    samples = p["encoder_heads"] * len(levels) * p["encoder_points"]
    for i in range(p["encoder_layers"]):
        layer = f"{pd}.transformer.encoder.layers.{i}"
        linear(f"{layer}.self_attn.sampling_offsets", samples * 2, p["conv_dim"])
        linear(f"{layer}.self_attn.attention_weights", samples, p["conv_dim"])
        linear(f"{layer}.self_attn.value_proj", p["conv_dim"], p["conv_dim"])
        linear(f"{layer}.self_attn.output_proj", p["conv_dim"], p["conv_dim"])
        norm(f"{layer}.norm1", p["conv_dim"])
        linear(f"{layer}.linear1", p["encoder_ffn_dim"], p["conv_dim"])
        linear(f"{layer}.linear2", p["conv_dim"], p["encoder_ffn_dim"])
        norm(f"{layer}.norm2", p["conv_dim"])
    add(f"{pd}.mask_features.weight", [p["mask_dim"], p["conv_dim"], 1, 1])
    add(f"{pd}.mask_features.bias", [p["mask_dim"]])
    # FPN levels between common_stride and the finest transformer level, finest first.
    finest = min((f[1] for f in levels), default=p["common_stride"])
    fpn = [f for f in features if p["common_stride"] <= f[1] < finest]
    for i, (_, _, channels) in enumerate(fpn):
        add(f"{pd}.adapter_{i + 1}.weight", [p["conv_dim"], channels, 1, 1])
        norm(f"{pd}.adapter_{i + 1}.norm", p["conv_dim"])
        add(f"{pd}.layer_{i + 1}.weight", [p["conv_dim"], p["conv_dim"], 3, 3])
        norm(f"{pd}.layer_{i + 1}.norm", p["conv_dim"])

    # Masked-attention transformer decoder.
    d, pr = cfg["transformer_decoder"], "sem_seg_head.predictor"
    h = d["hidden_dim"]
    add(f"{pr}.logit_scale", [])
    for i in range(d["layers"]):
        mha(f"{pr}.transformer_self_attention_layers.{i}.self_attn", h)
        norm(f"{pr}.transformer_self_attention_layers.{i}.norm", h)
        mha(f"{pr}.transformer_cross_attention_layers.{i}.multihead_attn", h)
        norm(f"{pr}.transformer_cross_attention_layers.{i}.norm", h)
        linear(f"{pr}.transformer_ffn_layers.{i}.linear1", d["ffn_dim"], h)
        linear(f"{pr}.transformer_ffn_layers.{i}.linear2", h, d["ffn_dim"])
        norm(f"{pr}.transformer_ffn_layers.{i}.norm", h)
    norm(f"{pr}.decoder_norm", h)
    add(f"{pr}.query_feat.weight", [d["num_queries"], h])
    add(f"{pr}.query_embed.weight", [d["num_queries"], h])
    add(f"{pr}.level_embed.weight", [len(levels), h])
    if p["conv_dim"] != h:
        for l in range(len(levels)):
            add(f"{pr}.input_proj.{l}.weight", [h, p["conv_dim"], 1, 1])
            add(f"{pr}.input_proj.{l}.bias", [h])
    linear(f"{pr}.mask_embed.layers.0", h, h)
    linear(f"{pr}.mask_embed.layers.1", h, h)
    linear(f"{pr}.mask_embed.layers.2", p["mask_dim"], h)
    norm(f"{pr}._mask_pooling_proj.0", h)
    linear(f"{pr}._mask_pooling_proj.1", h, h)
    linear(f"{pr}.class_embed.layers.0", h, h)
    linear(f"{pr}.class_embed.layers.1", h, h)
    linear(f"{pr}.class_embed.layers.2", e, h)

    add("void_embedding.weight", [1, e])
    return out


# --------------------------------------------------------------------------------------------------
# Reading checkpoints
# --------------------------------------------------------------------------------------------------

SAFETENSORS_DTYPES = None  # filled lazily (needs torch)


def _st_dtypes():
    import torch
    return {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
            "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
            "BOOL": torch.bool}


def read_safetensors(path):
    """A safetensors file as {name: tensor} (copies; no dependency on the safetensors package)."""
    import torch
    if sys.byteorder != "little":
        raise ConversionError("reading safetensors needs a little-endian machine")
    dtypes = _st_dtypes()
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            raise ConversionError(f"{path}: too short for a safetensors file")
        (n,) = struct.unpack("<Q", raw)
        if n > 100 * 1024 * 1024:
            raise ConversionError(f"{path}: implausible safetensors header length {n}")
        header = json.loads(f.read(n))
        # Copy-on-write mapping: writable for torch.frombuffer, read lazily, never written back.
        size = os.fstat(f.fileno()).st_size
        data = mmap.mmap(f.fileno(), size, access=mmap.ACCESS_COPY) if size > 8 + n else bytearray()
    base = 8 + n
    data_size = len(data) - base if len(data) else 0
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in dtypes:
            raise ConversionError(f"{path}: tensor '{name}' has unsupported dtype {info['dtype']}")
        dtype = dtypes[info["dtype"]]
        begin, end = info["data_offsets"]
        if end > data_size:
            raise ConversionError(f"{path}: tensor '{name}' ends past the end of the file (truncated download?)")
        shape = list(info["shape"])
        count = 1
        for s in shape:
            count *= s
        if count == 0:
            out[name] = torch.empty(shape, dtype=dtype)
        else:
            out[name] = torch.frombuffer(data, dtype=dtype, count=count, offset=base + begin).reshape(shape).clone()
    if isinstance(data, mmap.mmap):
        data.close()
    return out


def torch_load(path, unsafe_pickle):
    import torch
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - report any unpickling failure
        if not isinstance(e, pickle.UnpicklingError):
            raise ConversionError(f"{path}: could not be read by torch.load: {type(e).__name__}: {e} "
                                  "(truncated or not a PyTorch checkpoint?)") from None
        if not unsafe_pickle:
            raise ConversionError(
                f"{path}: could not be read with torch.load(weights_only=True): {type(e).__name__}: "
                f"{str(e).splitlines()[0] if str(e) else ''}\n"
                "  The file holds Python objects beyond tensors. If you trust it (downloaded from the official "
                "address), rerun with --unsafe-pickle to load it with weights_only=False.") from None
        warn(f"{path}: weights_only=True failed ({type(e).__name__}); loading with weights_only=False "
             "(--unsafe-pickle)")
        return torch.load(path, map_location="cpu", weights_only=False)


def unwrap_state_dict(obj, path):
    """The state dict inside a checkpoint: obj itself, or obj['model'] / obj['state_dict'] (nested ok)."""
    seen = 0
    while isinstance(obj, dict) and seen < 4:
        if any(k in obj for k in ("model", "state_dict", "model_state_dict")) and not _looks_like_state_dict(obj):
            for k in ("model", "state_dict", "model_state_dict"):
                if k in obj and isinstance(obj[k], dict):
                    obj = obj[k]
                    break
            else:
                break
            seen += 1
            continue
        break
    if not isinstance(obj, dict):
        raise ConversionError(f"{path}: expected a state dict (or a dict with 'model'/'state_dict'), "
                              f"found {type(obj).__name__}")
    return obj


def _looks_like_state_dict(d):
    return sum(1 for v in d.values() if _is_tensor_like(v)) > len(d) // 2


def _is_tensor_like(v):
    import torch
    if isinstance(v, torch.Tensor):
        return True
    return type(v).__module__ == "numpy" and type(v).__name__ == "ndarray"


def to_tensor(v):
    import torch
    if isinstance(v, torch.Tensor):
        return v.detach()
    return torch.as_tensor(v)  # numpy arrays (detectron2-converted pickles store them)


def load_checkpoint(path, unsafe_pickle):
    if not os.path.isfile(path):
        raise ConversionError(f"{path}: no such file")
    if path.endswith(".safetensors"):
        sd = read_safetensors(path)
    else:
        sd = unwrap_state_dict(torch_load(path, unsafe_pickle), path)
    out, skipped = {}, []
    for k, v in sd.items():
        if not isinstance(k, str) or not _is_tensor_like(v):
            skipped.append(str(k))
            continue
        out[k] = to_tensor(v)
    # DataParallel / DDP wrappers.
    if out and all(k.startswith("module.") for k in out):
        out = {k[len("module."):]: v for k, v in out.items()}
    if skipped:
        warn(f"{path}: ignored {len(skipped)} non-tensor entries: {', '.join(skipped[:5])}"
             f"{' …' if len(skipped) > 5 else ''}")
    return out


def is_skipped_buffer(key):
    return key.rsplit(".", 1)[-1] in SKIPPED_BUFFER_NAMES


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------

def tensor_bytes(t):
    """Raw little-endian bytes of a contiguous CPU tensor (no numpy needed)."""
    t = t.contiguous()
    n = t.numel() * t.element_size()
    return ctypes.string_at(t.data_ptr(), n) if n else b""


def write_safetensors(path, tensors, metadata):
    """Writes [(name, tensor)] as safetensors: u64 header length, JSON header padded with spaces so the data
    section starts at a multiple of 8, then the tensors back to back in the given order."""
    import torch
    if sys.byteorder != "little":
        raise ConversionError("writing safetensors needs a little-endian machine")
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}
    header = {"__metadata__": metadata}
    offset = 0
    for name, t in tensors:
        n = t.numel() * t.element_size()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + n]}
        offset += n
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * ((-(8 + len(blob))) % 8)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".weights-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(blob)))
            f.write(blob)
            for _, t in tensors:
                f.write(tensor_bytes(t))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return 8 + len(blob) + offset


def write_file_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def find_vocab(explicit):
    if explicit:
        if not os.path.isfile(explicit):
            raise ConversionError(f"--vocab {explicit}: no such file")
        return explicit, "--vocab"
    try:
        import importlib.util
        spec = importlib.util.find_spec("open_clip")
    except Exception:  # noqa: BLE001
        spec = None
    if spec is not None and spec.origin:
        candidate = os.path.join(os.path.dirname(spec.origin), VOCAB_NAME)
        if os.path.isfile(candidate):
            return candidate, "the installed open_clip package"
    raise ConversionError(
        f"no BPE vocabulary: pass --vocab PATH/{VOCAB_NAME}. It ships with open_clip "
        "(pip install open_clip_torch; it is open_clip/bpe_simple_vocab_16e6.txt.gz in the package) and with "
        "OpenAI CLIP: https://github.com/openai/CLIP/raw/main/clip/bpe_simple_vocab_16e6.txt.gz "
        "(segd's tests also carry a copy at Tests/Fixtures/tokenizer/bpe_simple_vocab_16e6.txt.gz).")


def check_vocab(path):
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            first = f.readline()
            lines = 1 + sum(1 for _ in f)
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise ConversionError(f"{path}: not a gzip-compressed BPE vocabulary ({e})") from None
    # The first line (skipped by the tokenizer) is '"bpe_simple_vocab_16e6.txt#version: 0.2' as shipped.
    if "#version" not in first or lines < 48895:
        raise ConversionError(f"{path}: does not look like {VOCAB_NAME} (first line {first.strip()!r}, "
                              f"{lines} lines; expected a '#version: 0.2' line and 262145 lines)")
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != VOCAB_SHA256:
        warn(f"{path}: sha256 {digest} differs from open_clip's {VOCAB_SHA256}; tokens may differ")


def inside_bundle(rel):
    return not (os.path.isabs(rel) or ".." in rel.replace("\\", "/").split("/"))


def fmt_shape(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def fmt_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000.0
    return f"{n}"


# --------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------

def convert(args):
    start = time.monotonic()
    import torch

    model_json_path = args.model_json or DEFAULT_MODEL_JSON
    try:
        with open(model_json_path, "r", encoding="utf-8") as f:
            cfg = json.load(f)
    except FileNotFoundError:
        raise ConversionError(f"model.json not found: {model_json_path}") from None
    except json.JSONDecodeError as e:
        raise ConversionError(f"{model_json_path}: not valid JSON ({e})") from None
    validate_config(cfg, model_json_path)
    # A bundle must be self-contained: paths that leave the folder (the fixtures' shared tokenizer) become
    # plain file names inside it.
    for field, default in (("weights", "weights.safetensors"), ("tokenizer", VOCAB_NAME)):
        if not inside_bundle(cfg[field]):
            new = os.path.basename(cfg[field]) or default
            log(f"model.json: {field} '{cfg[field]}' points outside the bundle; writing '{new}' instead")
            cfg[field] = new
    if not cfg["weights"].endswith(".safetensors"):
        raise ConversionError(f"{model_json_path}: weights '{cfg['weights']}' must be a .safetensors file")

    expected = expected_tensors(cfg)
    log(f"model.json: {model_json_path} ({cfg['name']}): {len(expected)} tensors expected")

    vocab_path, vocab_from = find_vocab(args.vocab)
    check_vocab(vocab_path)

    target_dtype = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}[args.dtype]

    log(f"loading FC-CLIP checkpoint {args.fcclip}")
    fc = load_checkpoint(args.fcclip, args.unsafe_pickle)
    log(f"  {len(fc)} tensors")
    log(f"loading open_clip weights {args.clip}")
    oc_raw = load_checkpoint(args.clip, args.unsafe_pickle)
    oc, skipped_buffers = {}, []
    for k, v in oc_raw.items():
        if is_skipped_buffer(k):
            skipped_buffers.append(k)
            continue
        # A file that already uses FC-CLIP names (or a full FC-CLIP dump) is accepted as well.
        oc[k if k.startswith(CLIP_PREFIX) else CLIP_PREFIX + k] = v
    log(f"  {len(oc_raw)} tensors" + (f" (skipped buffers: {', '.join(skipped_buffers)})" if skipped_buffers else ""))

    # CLIP tensors that the FC-CLIP file carries too.
    fc_clip = sorted(k for k in fc if k.startswith(CLIP_PREFIX) and not is_skipped_buffer(k))
    if fc_clip:
        differ, only_fc = [], []
        for k in fc_clip:
            if k not in oc:
                only_fc.append(k)
                continue
            a, b = fc[k], oc[k]
            if a.shape != b.shape:
                differ.append(f"{k}: shape {fmt_shape(a.shape)} vs open_clip {fmt_shape(b.shape)}")
            elif not torch.equal(a.to(torch.float64), b.to(torch.float64)):
                diff = (a.to(torch.float64) - b.to(torch.float64)).abs().max().item()
                differ.append(f"{k}: max |difference| {diff:.3g}")
        log(f"note: the FC-CLIP file also carries {len(fc_clip)} CLIP tensors (backbone.clip_model.*); "
            f"the open_clip file's values are used. {len(fc_clip) - len(differ) - len(only_fc)} identical, "
            f"{len(differ)} differ, {len(only_fc)} only in the FC-CLIP file (used from there).")
        for line in differ[:20]:
            log(f"  differs: {line}")
        if len(differ) > 20:
            log(f"  … and {len(differ) - 20} more")

    def source_of(key):
        if key.startswith(CLIP_PREFIX):
            if key in oc:
                return oc[key], "open_clip"
            if key in fc:
                return fc[key], "fcclip"
            return None, None
        if key in fc:
            return fc[key], "fcclip"
        if key in oc:  # a head tensor in the CLIP file: only if someone passed a merged file
            return oc[key], "open_clip"
        return None, None

    missing, misshapen, bad_dtype, out = [], [], [], []
    for key, shape in expected:
        t, where = source_of(key)
        if t is None:
            missing.append((key, shape))
            continue
        if not (t.is_floating_point()):
            bad_dtype.append(f"{key}: {t.dtype} ({where})")
            continue
        if tuple(t.shape) != shape:
            if shape == () and tuple(t.shape) == (1,):
                t = t.reshape(())  # a scalar saved as [1]
            else:
                misshapen.append((key, shape, tuple(t.shape), where))
                continue
        out.append((key, t))
    expected_keys = {k for k, _ in expected}
    extra = sorted(k for k in set(fc) | set(oc) if k not in expected_keys and not is_skipped_buffer(k))
    ignored = [k for k in extra if k.startswith(IGNORED_PREFIXES)]
    unexpected = [k for k in extra if not k.startswith(IGNORED_PREFIXES)]

    log(f"checked {len(expected)} expected tensors: {len(out)} ok, {len(missing)} missing, "
        f"{len(misshapen)} with a wrong shape, {len(bad_dtype)} not floating-point; "
        f"{len(unexpected)} unexpected, {len(ignored)} training-only (both not written)")
    for k in ignored:
        log(f"  ignored:     {k} (training-only)")
    for k in unexpected[:50]:
        log(f"  unexpected:  {k} (not used by this model.json; not written)")
    if len(unexpected) > 50:
        log(f"  … and {len(unexpected) - 50} more unexpected keys")
    problems = []
    for key, shape in missing:
        where = "the open_clip file (--clip)" if key.startswith(CLIP_PREFIX) else "the FC-CLIP file (--fcclip)"
        problems.append(f"  missing:     {key} (expected {fmt_shape(shape)}; looked in {where})")
    for key, shape, found, where in misshapen:
        problems.append(f"  wrong shape: {key}: expected {fmt_shape(shape)}, found {fmt_shape(found)} (from {where})")
    for line in bad_dtype:
        problems.append(f"  wrong dtype: {line}, expected a floating-point tensor")
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        hint = ""
        if any(k.startswith(CLIP_PREFIX) for k, _ in missing) and not oc:
            hint = " (the open_clip file holds no tensors?)"
        raise ConversionError(f"the checkpoints do not match {model_json_path}: {len(missing)} missing, "
                              f"{len(misshapen)} with a wrong shape, {len(bad_dtype)} not floating-point{hint}; "
                              "nothing was written")

    out = [(k, t.to(target_dtype).contiguous()) for k, t in out]

    os.makedirs(args.out, exist_ok=True)
    weights_path = os.path.join(args.out, cfg["weights"])
    vocab_dst = os.path.join(args.out, cfg["tokenizer"])
    os.makedirs(os.path.dirname(os.path.abspath(weights_path)), exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(vocab_dst)), exist_ok=True)
    metadata = {"format": "pt", "converter": "segd tools/convert-fcclip-checkpoint.py",
                "fcclip_checkpoint": os.path.basename(args.fcclip), "clip_checkpoint": os.path.basename(args.clip),
                "model": str(cfg["name"])}
    nbytes = write_safetensors(weights_path, out, metadata)
    if os.path.abspath(vocab_path) != os.path.abspath(vocab_dst):
        with open(vocab_path, "rb") as f:
            write_file_atomically(vocab_dst, f.read())
    write_file_atomically(os.path.join(args.out, "model.json"),
                          (json.dumps(cfg, indent=2) + "\n").encode("utf-8"))

    values = sum(t.numel() for _, t in out)
    log(f"wrote {args.out}:")
    log(f"  model.json")
    log(f"  {cfg['weights']}: {len(out)} tensors, {values:,} values, {args.dtype}, {fmt_bytes(nbytes)} ({nbytes} bytes)")
    log(f"  {cfg['tokenizer']} (from {vocab_from}: {vocab_path})")
    log(f"done in {time.monotonic() - start:.1f} s. Check it with: segd model inspect {args.out}")


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Convert fcclip_cocopan.pth + open_clip ConvNeXt-L weights into a segd model bundle.")
    ap.add_argument("--fcclip", required=True, help="FC-CLIP checkpoint (fcclip_cocopan.pth; state dict in 'model')")
    ap.add_argument("--clip", required=True,
                    help="open_clip weights (open_clip_pytorch_model.bin or .safetensors, laion2b_s29b_b131k_ft_soup)")
    ap.add_argument("--out", required=True, help="bundle folder to write (created if needed)")
    ap.add_argument("--model-json", help=f"model.json to use (default: {DEFAULT_MODEL_JSON})")
    ap.add_argument("--vocab", help=f"{VOCAB_NAME} (default: from the installed open_clip package)")
    ap.add_argument("--dtype", choices=["float32", "float16", "bfloat16"], default="float32",
                    help="dtype of the written weights (default float32, as released)")
    ap.add_argument("--unsafe-pickle", action="store_true",
                    help="allow torch.load(weights_only=False) when a trusted checkpoint holds non-tensor objects")
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("error: this converter needs PyTorch (pip install torch)", file=sys.stderr)
        return 1
    try:
        convert(args)
    except ConversionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except (OSError, KeyError, ValueError) as e:
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
