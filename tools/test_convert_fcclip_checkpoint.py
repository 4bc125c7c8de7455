#!/usr/bin/env python3
"""Tests for tools/convert-fcclip-checkpoint.py (plain unittest: python3 tools/test_convert_fcclip_checkpoint.py).

- The key/shape derivation is checked against the spec's ConvNeXt-L state-dict table and against the
  fixture bundles' weight files (no torch needed).
- With torch: a synthetic open_clip state dict and a synthetic FC-CLIP {"model": ...} checkpoint with exactly
  the tensors the tiny-a configuration needs are converted; the bundle must hold every tensor bit for bit,
  model.json and the vocabulary. Missing and mis-shaped tensors must fail with the key named.
- If a built segd is found (SEGD_BIN, or .build*/release/segd in the package), `segd model inspect` must call
  the converted bundle complete.
Tests that need torch are skipped (with the reason) when it is not importable.
"""

import glob
import gzip
import importlib.util
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONVERTER = os.path.join(HERE, "convert-fcclip-checkpoint.py")
FIXTURES = os.path.join(ROOT, "Tests", "Fixtures")
TINY_A = os.path.join(FIXTURES, "fcclip", "tiny-a", "model.json")
VOCAB = os.path.join(FIXTURES, "tokenizer", "bpe_simple_vocab_16e6.txt.gz")
SPEC_TSV = os.path.join(FIXTURES, "spec", "fcclip-convnext-large-state-dict.tsv")
CLIP_PREFIX = "backbone.clip_model."

try:
    import torch
    HAVE_TORCH = True
except ImportError:
    torch = None
    HAVE_TORCH = False
NO_TORCH = "torch is not importable (pip install torch); skipping the conversion tests"


def load_converter():
    spec = importlib.util.spec_from_file_location("convert_fcclip_checkpoint", CONVERTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


conv = load_converter()


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    return n, header


def find_segd():
    env = os.environ.get("SEGD_BIN")
    if env:
        return env
    candidates = sorted(glob.glob(os.path.join(ROOT, ".build*", "release", "segd")) +
                        glob.glob(os.path.join(ROOT, ".build*", "debug", "segd")), key=os.path.getmtime)
    candidates = [c for c in candidates if os.access(c, os.X_OK)]
    return candidates[-1] if candidates else None


class DerivationTests(unittest.TestCase):
    """The Python port of WeightSchema.swift, checked against independent key lists."""

    def test_real_model_matches_spec_state_dict(self):
        with open(os.path.join(HERE, "fcclip_convnext_large.model.json")) as f:
            cfg = json.load(f)
        conv.validate_config(cfg, "fcclip_convnext_large.model.json")
        expected = dict(conv.expected_tensors(cfg))
        if not os.path.exists(SPEC_TSV):
            self.skipTest(f"{SPEC_TSV} not present")
        table = {}
        with open(SPEC_TSV) as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                key, shape = line.split("\t")[:2]
                table[key] = () if shape == "scalar" else tuple(int(s) for s in shape.split("x"))
        table.pop("criterion.empty_weight")
        self.assertEqual(len(expected), 845)
        self.assertEqual(sorted(expected), sorted(table))
        self.assertEqual(expected, table)

    def test_fixture_configs_match_their_weight_files(self):
        for name in ("tiny-a", "tiny-b"):
            folder = os.path.join(FIXTURES, "fcclip", name)
            with open(os.path.join(folder, "model.json")) as f:
                cfg = json.load(f)
            conv.validate_config(cfg, name)
            _, header = read_header(os.path.join(folder, "weights.safetensors"))
            found = {k: tuple(v["shape"]) for k, v in header.items()
                     if k != "__metadata__" and not k.startswith("criterion.")}
            self.assertEqual(dict(conv.expected_tensors(cfg)), found, name)


def synthetic_checkpoints(cfg, seed=0):
    """(open_clip state dict, FC-CLIP head state dict) with random float32 values for every expected tensor."""
    g = torch.Generator().manual_seed(seed)
    clip, head = {}, {}
    for key, shape in conv.expected_tensors(cfg):
        t = torch.randn(shape, generator=g, dtype=torch.float32)
        if key.startswith(CLIP_PREFIX):
            clip[key[len(CLIP_PREFIX):]] = t
        else:
            head[key] = t
    return clip, head


@unittest.skipUnless(HAVE_TORCH, NO_TORCH)
class ConversionTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="segd-convert-test-")
        with open(TINY_A) as f:
            self.cfg = json.load(f)
        self.clip, self.head = synthetic_checkpoints(self.cfg)

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def save(self, clip=None, head=None, extra_head=None, clip_name="open_clip_pytorch_model.bin"):
        clip = dict(self.clip if clip is None else clip)
        head = dict(self.head if head is None else head)
        # What real files carry besides the weights: open_clip's causal-mask buffer (older versions saved
        # it), the training-only criterion buffer, and detectron2's checkpoint wrapper.
        clip.setdefault("attn_mask", torch.full((77, 77), float("-inf")).triu(1))
        head.setdefault("criterion.empty_weight", torch.cat([torch.ones(9), torch.tensor([0.1])]))
        head.update(extra_head or {})
        clip_path = os.path.join(self.tmp, clip_name)
        if clip_name.endswith(".safetensors"):
            conv.write_safetensors(clip_path, list(clip.items()), {"format": "pt"})
        else:
            torch.save(clip, clip_path)
        fc_path = os.path.join(self.tmp, "fcclip_cocopan.pth")
        torch.save({"model": head, "iteration": 368749}, fc_path)
        return fc_path, clip_path

    def run_converter(self, fc_path, clip_path, out, *extra):
        cmd = [sys.executable, CONVERTER, "--fcclip", fc_path, "--clip", clip_path, "--out", out,
               "--model-json", TINY_A, "--vocab", VOCAB, *extra]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=600)

    def check_bundle(self, out, dtype=None, st_dtype="F32"):
        dtype = dtype or torch.float32
        with open(os.path.join(out, "model.json")) as f:
            written = json.load(f)
        source = dict(self.cfg)
        source["tokenizer"] = "bpe_simple_vocab_16e6.txt.gz"  # the fixture's ../../tokenizer path is made local
        self.assertEqual(written, source)
        with open(VOCAB, "rb") as a, open(os.path.join(out, "bpe_simple_vocab_16e6.txt.gz"), "rb") as b:
            self.assertEqual(a.read(), b.read())

        path = os.path.join(out, "weights.safetensors")
        n, header = read_header(path)
        self.assertEqual((8 + n) % 8, 0, "data section must start 8-byte aligned")
        with open(path, "rb") as f:
            data = f.read()[8 + n:]
        entries = {k: v for k, v in header.items() if k != "__metadata__"}
        expected = conv.expected_tensors(self.cfg)
        self.assertEqual(sorted(entries), sorted(k for k, _ in expected), "exactly the expected keys are written")
        spans = sorted(tuple(v["data_offsets"]) for v in entries.values())
        self.assertEqual(spans[0][0], 0)
        for (_, end), (begin, _) in zip(spans, spans[1:]):
            self.assertEqual(end, begin, "tensors are packed back to back")
        self.assertEqual(spans[-1][1], len(data))
        for key, shape in expected:
            e = entries[key]
            self.assertEqual(tuple(e["shape"]), shape, key)
            self.assertEqual(e["dtype"], st_dtype, key)
            src = self.clip[key[len(CLIP_PREFIX):]] if key.startswith(CLIP_PREFIX) else self.head[key]
            want = conv.tensor_bytes(src.to(dtype).contiguous())
            begin, end = e["data_offsets"]
            self.assertEqual(data[begin:end], want, f"{key}: values differ from the input")

    def test_converts_tiny_a_bit_for_bit(self):
        # The FC-CLIP file also carries two CLIP tensors: one identical, one different; open_clip's must win.
        k_same, k_diff = "ln_final.weight", "logit_scale"
        extra = {CLIP_PREFIX + k_same: self.clip[k_same].clone(), CLIP_PREFIX + k_diff: self.clip[k_diff] + 1.0}
        fc_path, clip_path = self.save(extra_head=extra)
        out = os.path.join(self.tmp, "bundle")
        r = self.run_converter(fc_path, clip_path, out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.check_bundle(out)
        self.assertIn("also carries 2 CLIP tensors", r.stdout)
        self.assertIn(f"differs: {CLIP_PREFIX}{k_diff}", r.stdout)
        self.assertIn("ignored:     criterion.empty_weight", r.stdout)
        self.assertIn("skipped buffers: attn_mask", r.stdout)
        self.assertRegex(r.stdout, r"weights\.safetensors: \d+ tensors, [\d,]+ values, float32, .* bytes")
        self.assertEqual([f for f in os.listdir(out) if f.startswith(".")], [], "no temporary files left")
        self.inspect_with_segd(out)

    def test_open_clip_safetensors_and_float16(self):
        fc_path, clip_path = self.save(clip_name="open_clip_pytorch_model.safetensors")
        out = os.path.join(self.tmp, "bundle16")
        r = self.run_converter(fc_path, clip_path, out, "--dtype", "float16")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.check_bundle(out, dtype=torch.float16, st_dtype="F16")
        self.inspect_with_segd(out)

    def test_missing_keys_fail_and_are_named(self):
        clip = dict(self.clip)
        del clip["transformer.resblocks.1.mlp.c_proj.bias"]
        head = dict(self.head)
        del head["sem_seg_head.predictor.query_embed.weight"]
        fc_path, clip_path = self.save(clip=clip, head=head)
        out = os.path.join(self.tmp, "bundle")
        r = self.run_converter(fc_path, clip_path, out)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("missing:     backbone.clip_model.transformer.resblocks.1.mlp.c_proj.bias (expected [16]",
                      r.stderr)
        self.assertIn("missing:     sem_seg_head.predictor.query_embed.weight (expected [10, 32]", r.stderr)
        self.assertIn("2 missing", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(out, "weights.safetensors")), "nothing written on failure")

    def test_misshapen_key_fails_with_expected_and_found(self):
        head = dict(self.head)
        head["sem_seg_head.pixel_decoder.mask_features.weight"] = torch.zeros(32, 32, 3, 3)
        fc_path, clip_path = self.save(head=head)
        r = self.run_converter(fc_path, clip_path, os.path.join(self.tmp, "bundle"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("wrong shape: sem_seg_head.pixel_decoder.mask_features.weight: "
                      "expected [32, 32, 1, 1], found [32, 32, 3, 3]", r.stderr)

    def test_unexpected_keys_are_reported_not_written(self):
        fc_path, clip_path = self.save(extra_head={"sem_seg_head.predictor.extra.weight": torch.zeros(3)})
        out = os.path.join(self.tmp, "bundle")
        r = self.run_converter(fc_path, clip_path, out)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("unexpected:  sem_seg_head.predictor.extra.weight", r.stdout)
        _, header = read_header(os.path.join(out, "weights.safetensors"))
        self.assertNotIn("sem_seg_head.predictor.extra.weight", header)

    def inspect_with_segd(self, bundle):
        segd = find_segd()
        if not segd:
            print(f"\nnote: no built segd found (set SEGD_BIN or build into {ROOT}/.build*/release); "
                  "skipping `segd model inspect`", file=sys.stderr)
            return
        self.assertTrue(os.access(segd, os.X_OK), f"SEGD_BIN={segd} is not an executable")
        r = subprocess.run([segd, "model", "inspect", bundle], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("bundle is complete", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
