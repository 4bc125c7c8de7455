#ifndef SEGD_FUZZ_DRIVER_H
#define SEGD_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, LLVM 11 and later), for a program that has its own main:
/// parses libFuzzer's flags from argc/argv and fuzzes `callback` until done.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
