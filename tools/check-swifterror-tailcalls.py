#!/usr/bin/env python3
"""Scan x86-64 binaries for the Swift 6.3 swifterror tail-call miscompile.

swiftlang/swift#90477 (fixed upstream by llvm/llvm-project#214590): a function that uses r12
(the register Swift returns thrown errors in) as a scratch register and leaves through a tail
jump to memcpy/memmove/memset does not restore r12 on that path, so its caller sees a phantom
error. This flags every function that writes r12 without saving it (no `push %r12`) and has
such a tail jump. Usage: check-swifterror-tailcalls.py BINARY... (exit 1 if any is flagged).
Needs objdump (Debian: binutils).

Two shapes are not the bug and are not flagged: r12 reloaded from the stack slot it was spilled
to (`mov %r12,-0x30(%rbp)` ... `mov -0x30(%rbp),%r12`: the entry value comes back, as in
swift-collections' Deque closures), and code that objdump lists under the preceding symbol but
is a separate local function (it starts with `push %rbp` after the previous one's final
`ret`/`jmp`/`ud2` and padding; outlined value copies have no symbol of their own).
"""
import re
import subprocess
import sys

TAIL_JUMP = re.compile(r"\bjmp\s+\S+ <(memmove|memcpy|memset)@plt>")
SAVES_R12 = re.compile(r"\bpush\s+%r12\b")
WRITES_R12 = re.compile(r",%r12[bdw]?\s*$")
COMPARES = re.compile(r"^\s*\S+:\s*(cmp|test)")
FUNCTION = re.compile(r"^[0-9a-f]+ <(.*)>:$")
SPILL_R12 = re.compile(r"\bmov\s+%r12,(-?0x[0-9a-f]+\(%rbp\))\s*$")
RELOAD_R12 = re.compile(r"\bmov\s+(-?0x[0-9a-f]+\(%rbp\)),%r12\s*$")
INSTRUCTION = re.compile(r"^\s*[0-9a-f]+:\s*(\S+)")
ENDS_FUNCTION = {"ret", "jmp", "ud2"}


def pieces(lines):
    """Splits a symbol's lines into functions: a `push %rbp` after a final ret/jmp/ud2 (and
    padding) starts a new one."""
    current, last = [], None
    for line in lines:
        m = INSTRUCTION.match(line)
        op = m.group(1) if m else None
        if op == "push" and line.rstrip().endswith("%rbp") and last in ENDS_FUNCTION and current:
            yield current
            current = []
        current.append(line)
        if op and not op.startswith("nop") and op not in ("cs", "data16", "xchg"):
            last = op
    if current:
        yield current


def suspicious_piece(lines):
    if not any(TAIL_JUMP.search(l) for l in lines) or any(SAVES_R12.search(l) for l in lines):
        return False
    spills = {m.group(1) for l in lines for m in [SPILL_R12.search(l)] if m}
    for l in lines:
        if not WRITES_R12.search(l) or COMPARES.search(l):
            continue
        reload = RELOAD_R12.search(l)
        if reload and reload.group(1) in spills:
            continue
        return True
    return False


def suspicious(lines):
    return any(suspicious_piece(piece) for piece in pieces(lines))


def scan(binary):
    disassembly = subprocess.run(["objdump", "-d", "--no-show-raw-insn", binary],
                                 capture_output=True, text=True, check=True).stdout
    flagged, name, lines = [], None, []
    for line in disassembly.splitlines():
        m = FUNCTION.match(line)
        if m:
            if name and suspicious(lines):
                flagged.append(name)
            name, lines = m.group(1), []
        else:
            lines.append(line.rstrip())
    if name and suspicious(lines):
        flagged.append(name)
    return flagged


def main(binaries):
    bad = 0
    for binary in binaries:
        flagged = scan(binary)
        print(f"{binary}: {len(flagged)} function(s) with an unsaved r12 and a mem* tail jump")
        for name in flagged:
            demangled = subprocess.run(["swift", "demangle", "--simplified", name],
                                       capture_output=True, text=True).stdout.strip()
            print(f"  {demangled or name}")
        bad += len(flagged)
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1:]))
