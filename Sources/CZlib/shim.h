// zlib, for reading gzip-compressed files (the BPE vocabulary ships as .txt.gz).
#ifndef SEGD_CZLIB_SHIM_H
#define SEGD_CZLIB_SHIM_H
#include <zlib.h>
#endif
