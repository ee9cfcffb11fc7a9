// The CUDA driver API as Octet uses it, declared by hand: the package builds without any CUDA header or
// library, and the driver is opened with dlopen only when a CUDA target is asked for.
#ifndef OCTET_CCUDA_H
#define OCTET_CCUDA_H

#include <stddef.h>

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef struct CUgraph_st *CUgraph;
typedef struct CUgraphExec_st *CUgraphExec;

enum {
    CCUDA_SUCCESS = 0,
    CCUDA_ERROR_OUT_OF_MEMORY = 2,
    CCUDA_ERROR_NO_DEVICE = 100,
    CCUDA_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16,
    CCUDA_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75,
    CCUDA_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76,
    CCUDA_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1,
    CCUDA_EVENT_DEFAULT = 0,
    CCUDA_FUNC_ATTRIBUTE_NUM_REGS = 4,
};

/// Opens the driver library (`path`, or "libcuda.so.1" when NULL) and resolves every entry point below.
/// Returns 0, or -1 with a message in `message` naming the library or the missing symbol. Idempotent
/// once it has succeeded; safe to call from several threads.
int ccuda_open(const char *path, char *message, size_t message_size);

// Each wraps the driver entry point of the same name (the versioned one where the driver has several:
// cuMemAlloc_v2 for cuMemAlloc, ...). Calling one before ccuda_open succeeded returns -1.
CUresult ccuda_init(unsigned flags);
CUresult ccuda_driver_get_version(int *version);
CUresult ccuda_device_get_count(int *count);
CUresult ccuda_device_get(CUdevice *device, int ordinal);
CUresult ccuda_device_get_name(char *name, int length, CUdevice device);
CUresult ccuda_device_get_attribute(int *value, int attribute, CUdevice device);
CUresult ccuda_device_total_mem(size_t *bytes, CUdevice device);
CUresult ccuda_primary_ctx_retain(CUcontext *context, CUdevice device);
CUresult ccuda_primary_ctx_release(CUdevice device);
CUresult ccuda_ctx_set_current(CUcontext context);
CUresult ccuda_ctx_synchronize(void);
CUresult ccuda_module_load_data(CUmodule *module, const void *image);
CUresult ccuda_module_unload(CUmodule module);
CUresult ccuda_module_get_function(CUfunction *function, CUmodule module, const char *name);
CUresult ccuda_func_get_attribute(int *value, int attribute, CUfunction function);
CUresult ccuda_mem_alloc(CUdeviceptr *pointer, size_t bytes);
CUresult ccuda_mem_free(CUdeviceptr pointer);
CUresult ccuda_mem_get_info(size_t *free_bytes, size_t *total_bytes);
CUresult ccuda_memcpy_htod(CUdeviceptr destination, const void *source, size_t bytes);
CUresult ccuda_memcpy_dtoh(void *destination, CUdeviceptr source, size_t bytes);
CUresult ccuda_memcpy_htod_async(CUdeviceptr destination, const void *source, size_t bytes, CUstream stream);
CUresult ccuda_memcpy_dtoh_async(void *destination, CUdeviceptr source, size_t bytes, CUstream stream);
CUresult ccuda_memset_d8_async(CUdeviceptr destination, unsigned char value, size_t bytes, CUstream stream);
CUresult ccuda_launch_kernel(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                             unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared_bytes,
                             CUstream stream, void **parameters);
CUresult ccuda_stream_create(CUstream *stream, unsigned flags);
CUresult ccuda_stream_destroy(CUstream stream);
CUresult ccuda_stream_synchronize(CUstream stream);
CUresult ccuda_stream_begin_capture(CUstream stream, int mode);
CUresult ccuda_stream_end_capture(CUstream stream, CUgraph *graph);
CUresult ccuda_graph_instantiate(CUgraphExec *exec, CUgraph graph);
CUresult ccuda_graph_launch(CUgraphExec exec, CUstream stream);
CUresult ccuda_graph_exec_destroy(CUgraphExec exec);
CUresult ccuda_graph_destroy(CUgraph graph);
CUresult ccuda_event_create(CUevent *event, unsigned flags);
CUresult ccuda_event_record(CUevent event, CUstream stream);
CUresult ccuda_event_synchronize(CUevent event);
CUresult ccuda_event_elapsed_time(float *milliseconds, CUevent start, CUevent end);
CUresult ccuda_event_destroy(CUevent event);

/// The driver's name and description of `result` ("CUDA_ERROR_OUT_OF_MEMORY", "out of memory"); NULL when
/// the driver does not know it or is not open.
const char *ccuda_error_name(CUresult result);
const char *ccuda_error_string(CUresult result);

#endif
