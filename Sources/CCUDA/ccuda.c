// The driver entry points resolved with dlsym. Versioned names (cuMemAlloc_v2, ...) are the current ABI;
// the unsuffixed ones are kept by the driver for binaries built against CUDA 3.x and take 32-bit sizes.
#include "ccuda.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

typedef CUresult (*fn_u)(unsigned);
typedef CUresult (*fn_pi)(int *);
typedef CUresult (*fn_dev_get)(CUdevice *, int);
typedef CUresult (*fn_dev_name)(char *, int, CUdevice);
typedef CUresult (*fn_dev_attr)(int *, int, CUdevice);
typedef CUresult (*fn_dev_mem)(size_t *, CUdevice);
typedef CUresult (*fn_ctx_retain)(CUcontext *, CUdevice);
typedef CUresult (*fn_dev)(CUdevice);
typedef CUresult (*fn_ctx)(CUcontext);
typedef CUresult (*fn_void)(void);
typedef CUresult (*fn_mod_load)(CUmodule *, const void *);
typedef CUresult (*fn_mod)(CUmodule);
typedef CUresult (*fn_mod_func)(CUfunction *, CUmodule, const char *);
typedef CUresult (*fn_func_attr)(int *, int, CUfunction);
typedef CUresult (*fn_alloc)(CUdeviceptr *, size_t);
typedef CUresult (*fn_free)(CUdeviceptr);
typedef CUresult (*fn_mem_info)(size_t *, size_t *);
typedef CUresult (*fn_htod)(CUdeviceptr, const void *, size_t);
typedef CUresult (*fn_dtoh)(void *, CUdeviceptr, size_t);
typedef CUresult (*fn_htod_async)(CUdeviceptr, const void *, size_t, CUstream);
typedef CUresult (*fn_dtoh_async)(void *, CUdeviceptr, size_t, CUstream);
typedef CUresult (*fn_memset_async)(CUdeviceptr, unsigned char, size_t, CUstream);
typedef CUresult (*fn_launch)(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                              CUstream, void **, void **);
typedef CUresult (*fn_stream_create)(CUstream *, unsigned);
typedef CUresult (*fn_stream)(CUstream);
typedef CUresult (*fn_begin_capture)(CUstream, int);
typedef CUresult (*fn_end_capture)(CUstream, CUgraph *);
typedef CUresult (*fn_instantiate)(CUgraphExec *, CUgraph, unsigned long long);
typedef CUresult (*fn_graph_launch)(CUgraphExec, CUstream);
typedef CUresult (*fn_graph_exec)(CUgraphExec);
typedef CUresult (*fn_graph)(CUgraph);
typedef CUresult (*fn_event_create)(CUevent *, unsigned);
typedef CUresult (*fn_event_record)(CUevent, CUstream);
typedef CUresult (*fn_event)(CUevent);
typedef CUresult (*fn_elapsed)(float *, CUevent, CUevent);
typedef CUresult (*fn_error_text)(CUresult, const char **);

static struct {
    fn_u init;
    fn_pi driver_get_version, device_get_count;
    fn_dev_get device_get;
    fn_dev_name device_get_name;
    fn_dev_attr device_get_attribute;
    fn_dev_mem device_total_mem;
    fn_ctx_retain primary_ctx_retain;
    fn_dev primary_ctx_release;
    fn_ctx ctx_set_current;
    fn_void ctx_synchronize;
    fn_mod_load module_load_data;
    fn_mod module_unload;
    fn_mod_func module_get_function;
    fn_func_attr func_get_attribute;
    fn_alloc mem_alloc;
    fn_free mem_free;
    fn_mem_info mem_get_info;
    fn_htod memcpy_htod;
    fn_dtoh memcpy_dtoh;
    fn_htod_async memcpy_htod_async;
    fn_dtoh_async memcpy_dtoh_async;
    fn_memset_async memset_d8_async;
    fn_launch launch_kernel;
    fn_stream_create stream_create;
    fn_stream stream_destroy, stream_synchronize;
    fn_begin_capture stream_begin_capture;
    fn_end_capture stream_end_capture;
    fn_instantiate graph_instantiate;
    fn_graph_launch graph_launch;
    fn_graph_exec graph_exec_destroy;
    fn_graph graph_destroy;
    fn_event_create event_create;
    fn_event_record event_record;
    fn_event event_synchronize, event_destroy;
    fn_elapsed event_elapsed_time;
    fn_error_text error_name, error_string;
} driver;

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static int opened;

// A second name, where a newer driver exports the entry point under a versioned name only.
#define ENTRY(field, symbol) { (void **)&driver.field, symbol, NULL }
#define ENTRY2(field, symbol, newer) { (void **)&driver.field, newer, symbol }

int ccuda_open(const char *path, char *message, size_t message_size) {
    pthread_mutex_lock(&open_lock);
    if (opened) {
        pthread_mutex_unlock(&open_lock);
        return 0;
    }
    const char *library = path ? path : "libcuda.so.1";
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *reason = dlerror();
        snprintf(message, message_size, "cannot open %s: %s", library, reason ? reason : "unknown reason");
        pthread_mutex_unlock(&open_lock);
        return -1;
    }
    const struct { void **slot; const char *name; const char *fallback; } entries[] = {
        ENTRY(init, "cuInit"),
        ENTRY(driver_get_version, "cuDriverGetVersion"),
        ENTRY(device_get_count, "cuDeviceGetCount"),
        ENTRY(device_get, "cuDeviceGet"),
        ENTRY(device_get_name, "cuDeviceGetName"),
        ENTRY(device_get_attribute, "cuDeviceGetAttribute"),
        ENTRY(device_total_mem, "cuDeviceTotalMem_v2"),
        ENTRY(primary_ctx_retain, "cuDevicePrimaryCtxRetain"),
        ENTRY(primary_ctx_release, "cuDevicePrimaryCtxRelease_v2"),
        ENTRY(ctx_set_current, "cuCtxSetCurrent"),
        ENTRY(ctx_synchronize, "cuCtxSynchronize"),
        ENTRY(module_load_data, "cuModuleLoadData"),
        ENTRY(module_unload, "cuModuleUnload"),
        ENTRY(module_get_function, "cuModuleGetFunction"),
        ENTRY(func_get_attribute, "cuFuncGetAttribute"),
        ENTRY(mem_alloc, "cuMemAlloc_v2"),
        ENTRY(mem_free, "cuMemFree_v2"),
        ENTRY(mem_get_info, "cuMemGetInfo_v2"),
        ENTRY(memcpy_htod, "cuMemcpyHtoD_v2"),
        ENTRY(memcpy_dtoh, "cuMemcpyDtoH_v2"),
        ENTRY(memcpy_htod_async, "cuMemcpyHtoDAsync_v2"),
        ENTRY(memcpy_dtoh_async, "cuMemcpyDtoHAsync_v2"),
        ENTRY(memset_d8_async, "cuMemsetD8Async"),
        ENTRY(launch_kernel, "cuLaunchKernel"),
        ENTRY(stream_create, "cuStreamCreate"),
        ENTRY(stream_destroy, "cuStreamDestroy_v2"),
        ENTRY(stream_synchronize, "cuStreamSynchronize"),
        ENTRY(stream_begin_capture, "cuStreamBeginCapture_v2"),
        ENTRY(stream_end_capture, "cuStreamEndCapture"),
        ENTRY(graph_instantiate, "cuGraphInstantiateWithFlags"),
        ENTRY(graph_launch, "cuGraphLaunch"),
        ENTRY(graph_exec_destroy, "cuGraphExecDestroy"),
        ENTRY(graph_destroy, "cuGraphDestroy"),
        ENTRY(event_create, "cuEventCreate"),
        ENTRY(event_record, "cuEventRecord"),
        ENTRY(event_synchronize, "cuEventSynchronize"),
        ENTRY(event_destroy, "cuEventDestroy_v2"),
        ENTRY2(event_elapsed_time, "cuEventElapsedTime", "cuEventElapsedTime_v2"),
        ENTRY(error_name, "cuGetErrorName"),
        ENTRY(error_string, "cuGetErrorString"),
    };
    for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
        void *symbol = dlsym(handle, entries[i].name);
        if (!symbol && entries[i].fallback) symbol = dlsym(handle, entries[i].fallback);
        if (!symbol) {
            snprintf(message, message_size, "%s has no entry point %s (the driver is older than CUDA 11.4)",
                     library, entries[i].name);
            for (size_t j = 0; j < i; j++) *entries[j].slot = NULL;
            dlclose(handle);
            pthread_mutex_unlock(&open_lock);
            return -1;
        }
        *entries[i].slot = symbol;
    }
    opened = 1;
    pthread_mutex_unlock(&open_lock);
    return 0;
}

#define CALL(field, ...) (driver.field ? driver.field(__VA_ARGS__) : -1)

CUresult ccuda_init(unsigned flags) { return CALL(init, flags); }
CUresult ccuda_driver_get_version(int *version) { return CALL(driver_get_version, version); }
CUresult ccuda_device_get_count(int *count) { return CALL(device_get_count, count); }
CUresult ccuda_device_get(CUdevice *device, int ordinal) { return CALL(device_get, device, ordinal); }
CUresult ccuda_device_get_name(char *name, int length, CUdevice device) {
    return CALL(device_get_name, name, length, device);
}
CUresult ccuda_device_get_attribute(int *value, int attribute, CUdevice device) {
    return CALL(device_get_attribute, value, attribute, device);
}
CUresult ccuda_device_total_mem(size_t *bytes, CUdevice device) { return CALL(device_total_mem, bytes, device); }
CUresult ccuda_primary_ctx_retain(CUcontext *context, CUdevice device) {
    return CALL(primary_ctx_retain, context, device);
}
CUresult ccuda_primary_ctx_release(CUdevice device) { return CALL(primary_ctx_release, device); }
CUresult ccuda_ctx_set_current(CUcontext context) { return CALL(ctx_set_current, context); }
CUresult ccuda_ctx_synchronize(void) { return driver.ctx_synchronize ? driver.ctx_synchronize() : -1; }
CUresult ccuda_module_load_data(CUmodule *module, const void *image) { return CALL(module_load_data, module, image); }
CUresult ccuda_module_unload(CUmodule module) { return CALL(module_unload, module); }
CUresult ccuda_module_get_function(CUfunction *function, CUmodule module, const char *name) {
    return CALL(module_get_function, function, module, name);
}
CUresult ccuda_func_get_attribute(int *value, int attribute, CUfunction function) {
    return CALL(func_get_attribute, value, attribute, function);
}
CUresult ccuda_mem_alloc(CUdeviceptr *pointer, size_t bytes) { return CALL(mem_alloc, pointer, bytes); }
CUresult ccuda_mem_free(CUdeviceptr pointer) { return CALL(mem_free, pointer); }
CUresult ccuda_mem_get_info(size_t *free_bytes, size_t *total_bytes) {
    return CALL(mem_get_info, free_bytes, total_bytes);
}
CUresult ccuda_memcpy_htod(CUdeviceptr destination, const void *source, size_t bytes) {
    return CALL(memcpy_htod, destination, source, bytes);
}
CUresult ccuda_memcpy_dtoh(void *destination, CUdeviceptr source, size_t bytes) {
    return CALL(memcpy_dtoh, destination, source, bytes);
}
CUresult ccuda_memcpy_htod_async(CUdeviceptr destination, const void *source, size_t bytes, CUstream stream) {
    return CALL(memcpy_htod_async, destination, source, bytes, stream);
}
CUresult ccuda_memcpy_dtoh_async(void *destination, CUdeviceptr source, size_t bytes, CUstream stream) {
    return CALL(memcpy_dtoh_async, destination, source, bytes, stream);
}
CUresult ccuda_memset_d8_async(CUdeviceptr destination, unsigned char value, size_t bytes, CUstream stream) {
    return CALL(memset_d8_async, destination, value, bytes, stream);
}
CUresult ccuda_launch_kernel(CUfunction function, unsigned grid_x, unsigned grid_y, unsigned grid_z,
                             unsigned block_x, unsigned block_y, unsigned block_z, unsigned shared_bytes,
                             CUstream stream, void **parameters) {
    return CALL(launch_kernel, function, grid_x, grid_y, grid_z, block_x, block_y, block_z, shared_bytes, stream,
                parameters, NULL);
}
CUresult ccuda_stream_create(CUstream *stream, unsigned flags) { return CALL(stream_create, stream, flags); }
CUresult ccuda_stream_destroy(CUstream stream) { return CALL(stream_destroy, stream); }
CUresult ccuda_stream_synchronize(CUstream stream) { return CALL(stream_synchronize, stream); }
CUresult ccuda_stream_begin_capture(CUstream stream, int mode) { return CALL(stream_begin_capture, stream, mode); }
CUresult ccuda_stream_end_capture(CUstream stream, CUgraph *graph) { return CALL(stream_end_capture, stream, graph); }
CUresult ccuda_graph_instantiate(CUgraphExec *exec, CUgraph graph) { return CALL(graph_instantiate, exec, graph, 0); }
CUresult ccuda_graph_launch(CUgraphExec exec, CUstream stream) { return CALL(graph_launch, exec, stream); }
CUresult ccuda_graph_exec_destroy(CUgraphExec exec) { return CALL(graph_exec_destroy, exec); }
CUresult ccuda_graph_destroy(CUgraph graph) { return CALL(graph_destroy, graph); }
CUresult ccuda_event_create(CUevent *event, unsigned flags) { return CALL(event_create, event, flags); }
CUresult ccuda_event_record(CUevent event, CUstream stream) { return CALL(event_record, event, stream); }
CUresult ccuda_event_synchronize(CUevent event) { return CALL(event_synchronize, event); }
CUresult ccuda_event_elapsed_time(float *milliseconds, CUevent start, CUevent end) {
    return CALL(event_elapsed_time, milliseconds, start, end);
}
CUresult ccuda_event_destroy(CUevent event) { return CALL(event_destroy, event); }

const char *ccuda_error_name(CUresult result) {
    const char *text = NULL;
    if (driver.error_name && driver.error_name(result, &text) == 0) return text;
    return NULL;
}

const char *ccuda_error_string(CUresult result) {
    const char *text = NULL;
    if (driver.error_string && driver.error_string(result, &text) == 0) return text;
    return NULL;
}
