// C shim for zlib. Imported only by Sources/ShardNet/IO/GzipReader.swift.
// inflateInit2 is a macro (it passes ZLIB_VERSION and sizeof(z_stream)); Swift cannot import it.
#ifndef SHARDNET_CZLIB_SHIM_H
#define SHARDNET_CZLIB_SHIM_H

#include <zlib.h>

/// inflateInit2(strm, windowBits); windowBits 15 + 32 detects zlib or gzip headers.
static inline int shim_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
