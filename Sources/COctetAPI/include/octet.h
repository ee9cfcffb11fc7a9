/*
 * octet.h: run and quantize Octet models from C and C++.
 *
 * Link with -loctet (see README, "C API"). The library carries its own Swift runtime: a program that
 * uses it needs only libc, libm, libstdc++ and libgcc_s where it runs.
 *
 * Every function returns an octet_status. On anything but OCTET_OK, octet_last_error() gives a message
 * for the calling thread that names the file, input or argument at fault. No call aborts the process on
 * bad input: null pointers, wrong sizes and dtypes, closed handles, missing or corrupted files all come
 * back as a status.
 *
 * Threads: every function may be called from any thread. Runs of one model from several threads take
 * turns (a model keeps its working buffers between runs); open one model per thread to run side by side.
 * A model's CPU work itself uses the `threads` given to octet_open.
 */
#ifndef OCTET_H
#define OCTET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OCTET_API_VERSION 1
/* The most axes a tensor passed through this API may have. */
#define OCTET_MAX_RANK 8

typedef enum octet_status {
    OCTET_OK = 0,
    /* A null pointer, a size, dtype, shape, index or option that does not fit, a closed handle. */
    OCTET_INVALID_ARGUMENT = 1,
    /* A file that is missing, unreadable, corrupted, or not a model or dataset Octet can read. */
    OCTET_BAD_FILE = 2,
    /* A valid request this build cannot do: a target it lacks, an op with no kernel. */
    OCTET_UNSUPPORTED = 3,
    /* Anything else that stopped the call (a failed write, a failed run). */
    OCTET_FAILED = 4,
} octet_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum octet_dtype {
    OCTET_DTYPE_UNKNOWN = 0,
    OCTET_FLOAT32 = 1,
    OCTET_UINT8 = 2,
    OCTET_INT8 = 3,
    OCTET_INT32 = 6,
    OCTET_INT64 = 7,
    OCTET_BOOL = 9,
    OCTET_FLOAT16 = 10,
} octet_dtype;

typedef enum octet_target {
    OCTET_TARGET_CPU = 0,
    OCTET_TARGET_CUDA = 1,
} octet_target;

/* An open model. Opaque; a closed handle is never valid again (calls with it return
 * OCTET_INVALID_ARGUMENT). */
typedef struct octet_model octet_model;

/* A model input or output as the model declares it. */
typedef struct octet_value_info {
    const char *name;               /* owned by the model; valid until octet_close */
    octet_dtype dtype;              /* OCTET_DTYPE_UNKNOWN when the model does not say */
    int32_t rank;                   /* -1 when the model does not say */
    int64_t shape[OCTET_MAX_RANK];  /* -1 for a symbolic axis (the batch, usually) */
} octet_value_info;

/* A tensor in caller-owned memory, dense, row-major (C order). */
typedef struct octet_tensor {
    /* Inputs: the model input it feeds; NULL means the input at the same position.
     * Outputs: the model output wanted; NULL means the output at the same position. */
    const char *name;
    /* Inputs: set by the caller. Outputs: set by octet_run. */
    octet_dtype dtype;
    int32_t rank;
    int64_t shape[OCTET_MAX_RANK];
    /* Inputs: the values, read only. Outputs: where octet_run writes the values. */
    void *data;
    /* Inputs: the size of data in bytes, which must equal the shape's. Outputs: the capacity of data;
     * octet_run sets it to the bytes written. */
    size_t bytes;
} octet_tensor;

/* "0.1.0", static storage. */
const char *octet_version(void);

/* The message of the calling thread's last failed call ("" if none failed yet). Valid until the thread's
 * next failed call. */
const char *octet_last_error(void);

/* Opens an ONNX model (float, or int8 QDQ/QOperator: quantized models run on integer kernels) for a
 * target. threads: CPU threads for the model's kernels, 0 for one per core. */
octet_status octet_open(const char *path, octet_target target, int32_t threads, octet_model **model);

octet_status octet_input_count(const octet_model *model, size_t *count);
octet_status octet_output_count(const octet_model *model, size_t *count);
octet_status octet_input_info(const octet_model *model, size_t index, octet_value_info *info);
octet_status octet_output_info(const octet_model *model, size_t index, octet_value_info *info);

/* Runs the model once. Every model input must be given once. Outputs receive the named (or positional)
 * model outputs; output_count may be smaller than the model's output count. An output buffer that is
 * too small is OCTET_INVALID_ARGUMENT: the message gives the size needed, and that output's dtype, rank
 * and shape are set so the caller can size the buffer and run again. */
octet_status octet_run(octet_model *model, const octet_tensor *inputs, size_t input_count,
                       octet_tensor *outputs, size_t output_count);

/* Closes the model and frees what it holds. */
octet_status octet_close(octet_model *model);

/* Progress of octet_quantize: `done` of `total` images in `stage` ("calibrating", ...); total is 0 when
 * unknown. */
typedef void (*octet_progress_fn)(const char *stage, int64_t done, int64_t total, void *user);

typedef struct octet_quantize_options {
    /* Calibration mode: "auto" (default), "kl", "global", "max", "power2", "percentile" or "mse". */
    const char *mode;
    /* Per-channel weight scales (1, default) or per-tensor (0). */
    int32_t per_channel;
    /* Calibration images to use (default 100) and images per batch (default 8). */
    int32_t samples;
    int32_t batch;
    /* Center crop side (default 224) and preprocessing preset: "torch" (default), "mxnet", "tf", "none". */
    int32_t image_size;
    const char *preset;
    /* CPU threads, 0 for one per core. */
    int32_t threads;
    octet_progress_fn progress;  /* may be NULL */
    void *progress_user;
} octet_quantize_options;

/* Fills options with the defaults above. */
octet_status octet_quantize_options_init(octet_quantize_options *options);

/* Calibrates a float ONNX model on images (.rec, a folder of images, or .npy batches) and writes an int8
 * QDQ ONNX model to output_path. options may be NULL for the defaults. */
octet_status octet_quantize(const char *model_path, const char *calibration_path, const char *output_path,
                            const octet_quantize_options *options);

#ifdef __cplusplus
}
#endif

#endif /* OCTET_H */
