// C shim for libhdf5. Imported only by the Swift module HDF5 (Sources/HDF5).
// HDF5's type and property "constants" are macros that expand to global variables
// initialised by H5open(); Swift cannot import them, so each becomes a static inline function.
#ifndef SHARDNET_CHDF5_SHIM_H
#define SHARDNET_CHDF5_SHIM_H

#include <hdf5.h>
#include <stdio.h>
#include <string.h>

// MARK: native memory types (each expands to H5open() + a global)
static inline hid_t shim_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t shim_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t shim_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t shim_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t shim_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t shim_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t shim_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t shim_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t shim_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t shim_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t shim_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t shim_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// MARK: file access flags
static inline unsigned shim_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned shim_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned shim_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned shim_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// MARK: object counts
static inline unsigned shim_H5F_OBJ_LOCAL(void) { return H5F_OBJ_LOCAL; }

// MARK: property list classes and defaults
static inline hid_t shim_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t shim_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t shim_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t shim_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t shim_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t shim_H5E_DEFAULT(void) { return H5E_DEFAULT; }

// MARK: errors

/// Turns HDF5's automatic error printing off for the calling thread. Debian builds HDF5
/// thread-safe, where the error-stack settings are per thread, so every wrapper entry point
/// calls this; after the first call on a thread it is one thread-local load.
static inline void shim_silence_errors(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

typedef struct shim_error_walk {
    char *buffer;   // the message so far, NUL-terminated
    size_t size;    // buffer capacity
    unsigned count; // frames seen
    char last[512]; // the innermost frame's description
} shim_error_walk;

static inline herr_t shim_error_walker(unsigned n, const H5E_error2_t *e, void *data) {
    (void)n;
    shim_error_walk *w = (shim_error_walk *)data;
    const char *desc = (e && e->desc && e->desc[0]) ? e->desc : "(no description)";
    if (w->count == 0) {
        snprintf(w->buffer, w->size, "%s", desc);
    }
    snprintf(w->last, sizeof w->last, "%s", desc);
    w->count += 1;
    return 0;
}

/// Walks the calling thread's default error stack (H5Ewalk2, outermost frame first) and writes
/// "outermost description: innermost description" (or just one when they agree) into `buffer`.
/// Returns the number of frames (0: the stack was empty).
static inline unsigned shim_error_message(char *buffer, size_t size) {
    if (size == 0) return 0;
    buffer[0] = 0;
    shim_error_walk w;
    w.buffer = buffer;
    w.size = size;
    w.count = 0;
    w.last[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, shim_error_walker, &w);
    if (w.count > 1 && strcmp(w.last, buffer) != 0) {
        size_t used = strlen(buffer);
        if (used + 3 < size) snprintf(buffer + used, size - used, " <- %s", w.last);
    }
    H5Eclear2(H5E_DEFAULT);
    return w.count;
}

// MARK: variable-length strings without libhdf5's vlen conversion

/// Tag of the opaque memory type that receives a variable-length string's stored heap ID.
#define SHIM_HEAP_ID_TAG "shardnet:vlen-string-heap-id"

/// A conversion from a variable-length string (as stored in the file) to an opaque type tagged
/// SHIM_HEAP_ID_TAG of the same size: it leaves the stored bytes as they are, so H5Aread hands
/// back the raw global heap ID (sequence length, collection address, object index) instead of
/// following it with H5T__conv_vlen / H5HG_read. It refuses every other pair at init.
static inline herr_t shim_heap_id_conversion(hid_t src, hid_t dst, H5T_cdata_t *cdata, size_t nelmts,
                                             size_t buf_stride, size_t bkg_stride, void *buf, void *bkg,
                                             hid_t dxpl) {
    (void)nelmts; (void)buf_stride; (void)bkg_stride; (void)buf; (void)bkg; (void)dxpl;
    switch (cdata->command) {
    case H5T_CONV_INIT: {
        if (H5Tis_variable_str(src) <= 0 || H5Tget_class(dst) != H5T_OPAQUE) return -1;
        size_t size = H5Tget_size(src);
        if (size == 0 || size != H5Tget_size(dst)) return -1;
        char *tag = H5Tget_tag(dst);
        if (!tag) return -1;
        int ours = strcmp(tag, SHIM_HEAP_ID_TAG) == 0;
        H5free_memory(tag);
        if (!ours) return -1;
        cdata->need_bkg = H5T_BKG_NO;
        return 0;
    }
    case H5T_CONV_CONV: return 0;   // same size, in place: the identity
    case H5T_CONV_FREE: return 0;
    default: return -1;
    }
}

/// Registers shim_heap_id_conversion (once per process; the caller makes it once). Returns < 0 on failure.
static inline herr_t shim_register_heap_id_conversion(void) {
    hid_t s = H5Tcopy(H5T_C_S1);
    hid_t o = H5Tcreate(H5T_OPAQUE, 16);
    herr_t r = -1;
    if (s >= 0 && o >= 0 && H5Tset_size(s, H5T_VARIABLE) >= 0 && H5Tset_tag(o, SHIM_HEAP_ID_TAG) >= 0) {
        r = H5Tregister(H5T_PERS_SOFT, "shardnet: vlen string heap ID", s, o, shim_heap_id_conversion);
    }
    if (s >= 0) H5Tclose(s);
    if (o >= 0) H5Tclose(o);
    return r;
}

/// An opaque memory type of `size` bytes tagged SHIM_HEAP_ID_TAG (close it with H5Tclose).
static inline hid_t shim_heap_id_type(size_t size) {
    hid_t o = H5Tcreate(H5T_OPAQUE, size);
    if (o < 0) return o;
    if (H5Tset_tag(o, SHIM_HEAP_ID_TAG) < 0) { H5Tclose(o); return -1; }
    return o;
}

/// The sec2 driver's file descriptor of an open file, or -1.
static inline int shim_file_descriptor(hid_t file) {
    void *handle = NULL;
    if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || !handle) return -1;
    return *(int *)handle;
}

#endif
