// OpenBLAS through its CBLAS interface. Debian's libopenblas-dev puts cblas.h (with the
// openblas_* extensions: thread count, core name) on the default include path.
#ifndef SEGD_COPENBLAS_SHIM_H
#define SEGD_COPENBLAS_SHIM_H
#include <cblas.h>
#endif
