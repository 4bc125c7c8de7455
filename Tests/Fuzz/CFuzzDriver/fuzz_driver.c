// Header-only module: libFuzzer's runtime (linked by -sanitize=fuzzer) defines LLVMFuzzerRunDriver.
#include "fuzz_driver.h"
