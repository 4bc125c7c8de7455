#!/usr/bin/env python3
"""Tests of tools/check-swifterror-tailcalls.py on hand-written disassembly: the miscompile's shape
is flagged, the two known false positives (r12 reloaded from its own spill slot; an unlabelled
function after a symbol's final jump) are not. Run: python3 tools/test_check_swifterror_tailcalls.py"""
import importlib.util
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("scan", os.path.join(HERE, "check-swifterror-tailcalls.py"))
scan = importlib.util.module_from_spec(spec)
spec.loader.exec_module(scan)


def lines(*instructions):
    return [f"  {0x1000 + i:x}:\t{text}" for i, text in enumerate(instructions)]


class ScanTests(unittest.TestCase):
    def test_scratch_r12_then_memcpy_tail_jump_is_flagged(self):
        self.assertTrue(scan.suspicious(lines("push   %rbp", "mov    %rax,%r12", "pop    %rbp",
                                              "jmp    d81d0 <memcpy@plt>")))

    def test_saved_r12_is_not_flagged(self):
        self.assertFalse(scan.suspicious(lines("push   %r12", "mov    %rax,%r12", "pop    %r12",
                                               "jmp    d81d0 <memmove@plt>")))

    def test_reload_from_its_own_spill_slot_is_not_flagged(self):
        self.assertFalse(scan.suspicious(lines("push   %rbp", "mov    %r12,-0x30(%rbp)", "call   1234 <f>",
                                               "mov    -0x30(%rbp),%r12", "jmp    d81d0 <memcpy@plt>")))

    def test_reload_from_another_slot_is_flagged(self):
        self.assertTrue(scan.suspicious(lines("push   %rbp", "mov    %r12,-0x30(%rbp)",
                                              "mov    -0x38(%rbp),%r12", "jmp    d81d0 <memcpy@plt>")))

    def test_trailing_unlabelled_function_is_separate(self):
        self.assertFalse(scan.suspicious(lines("push   %rbp", "mov    %rax,%r12", "ret", "nopl   0x0(%rax)",
                                               "push   %rbp", "mov    $0xe0,%edx", "pop    %rbp",
                                               "jmp    d81d0 <memcpy@plt>")))

    def test_comparisons_with_r12_are_not_writes(self):
        self.assertFalse(scan.suspicious(lines("push   %rbp", "cmp    %rax,%r12", "jmp    d81d0 <memset@plt>")))


if __name__ == "__main__":
    unittest.main()
