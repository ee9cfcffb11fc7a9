/*
 * classify: run an Octet model on one preprocessed image and print the top 5 classes.
 *
 *   classify MODEL.onnx INPUT.npy [--threads N] [--save-logits FILE] [--repeat N] [--cycles N]
 *
 * INPUT is a float32 .npy (C order) or a raw float32 file holding the model's input (batch 1). Nothing
 * is decoded here: `octet run --save` and numpy write such files.
 *   --save-logits FILE  write the first output's values as raw float32
 *   --repeat N          time N runs (after 3 untimed ones) and print the median and minimum in ms
 *   --cycles N          open, run and close the model N times, printing the heap in use as it goes
 *
 * Build: cc classify.c -I<dir of octet.h> -L<dir of liboctet.so> -loctet -o classify
 */
#include "octet.h"

#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int fail(const char *what, octet_status status) {
    fprintf(stderr, "classify: %s failed (status %d): %s\n", what, (int)status, octet_last_error());
    return 1;
}

/* Reads a whole file into memory. */
static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    unsigned char *data = NULL;
    size_t used = 0, capacity = 0, n;
    do {
        if (used == capacity) {
            capacity = capacity ? capacity * 2 : 1 << 20;
            unsigned char *grown = realloc(data, capacity);
            if (!grown) { free(data); fclose(f); return NULL; }
            data = grown;
        }
        n = fread(data + used, 1, capacity - used, f);
        used += n;
    } while (n > 0);
    fclose(f);
    *size = used;
    return data;
}

/* The float32 payload of a version 1/2 .npy file, or the whole file when it has no .npy magic. */
static const float *float_values(const unsigned char *file, size_t size, size_t *count) {
    if (size >= 10 && memcmp(file, "\x93NUMPY", 6) == 0) {
        size_t start = file[6] == 1 ? 10 : 12;
        size_t header = start + (file[6] == 1 ? (size_t)(file[8] | file[9] << 8)
                                              : (size_t)(file[8] | file[9] << 8 | file[10] << 16 | (size_t)file[11] << 24));
        if (header > size || header - start > 65536) return NULL;
        char text[65537];  /* the header's dict, as a C string */
        memcpy(text, file + start, header - start);
        text[header - start] = 0;
        if (!strstr(text, "'<f4'") || strstr(text, "'fortran_order': True")) return NULL;
        *count = (size - header) / sizeof(float);
        return (const float *)(file + header);
    }
    *count = size / sizeof(float);
    return (const float *)file;
}

/* `values` as the model's first input, batch 1 where its batch is symbolic. */
static octet_status describe_input(octet_model *model, const float *values, size_t count, octet_tensor *input) {
    octet_value_info info;
    octet_status s = octet_input_info(model, 0, &info);
    if (s != OCTET_OK) return s;
    memset(input, 0, sizeof *input);
    input->dtype = OCTET_FLOAT32;
    input->rank = info.rank;
    for (int i = 0; i < info.rank; i++) input->shape[i] = info.shape[i] < 0 ? 1 : info.shape[i];
    input->data = (void *)values;
    input->bytes = count * sizeof(float);
    return OCTET_OK;
}

/* Runs the model once; `output` receives its first output in `logits`. */
static octet_status run_once(octet_model *model, const octet_tensor *input, float *logits, size_t capacity,
                             octet_tensor *output) {
    memset(output, 0, sizeof *output);
    output->data = logits;
    output->bytes = capacity * sizeof(float);
    return octet_run(model, input, 1, output, 1);
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static size_t heap_in_use(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: classify MODEL.onnx INPUT.npy [--threads N] [--save-logits FILE] [--repeat N] "
                        "[--cycles N]\n");
        return 2;
    }
    const char *model_path = argv[1], *input_path = argv[2], *save = NULL;
    int threads = 0, repeat = 0, cycles = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--save-logits")) save = argv[i + 1];
        else if (!strcmp(argv[i], "--repeat")) repeat = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cycles")) cycles = atoi(argv[i + 1]);
        else { fprintf(stderr, "classify: unknown option %s\n", argv[i]); return 2; }
    }

    size_t file_size = 0, count = 0;
    unsigned char *file = read_file(input_path, &file_size);
    const float *values = file ? float_values(file, file_size, &count) : NULL;
    if (!values) {
        fprintf(stderr, "classify: %s: cannot read float32 values\n", input_path);
        free(file);
        return 1;
    }
    enum { capacity = 1 << 20 };
    float *logits = malloc(capacity * sizeof(float));
    octet_tensor input, output;
    octet_model *model = NULL;
    octet_status s;

    if (cycles > 0) {
        /* Open, run, close, again and again: the heap in use must not grow with the cycles. */
        for (int c = 1; c <= cycles; c++) {
            if ((s = octet_open(model_path, OCTET_TARGET_CPU, threads, &model)) != OCTET_OK) return fail("octet_open", s);
            if ((s = describe_input(model, values, count, &input)) != OCTET_OK) return fail("octet_input_info", s);
            if ((s = run_once(model, &input, logits, capacity, &output)) != OCTET_OK) return fail("octet_run", s);
            if ((s = octet_close(model)) != OCTET_OK) return fail("octet_close", s);
            if (c == 1 || c % (cycles / 10 > 0 ? cycles / 10 : 1) == 0)
                printf("cycle %d heap %zu\n", c, heap_in_use());
        }
        free(logits);
        free(file);
        return 0;
    }

    if ((s = octet_open(model_path, OCTET_TARGET_CPU, threads, &model)) != OCTET_OK) return fail("octet_open", s);
    size_t inputs = 0, outputs = 0;
    octet_input_count(model, &inputs);
    octet_output_count(model, &outputs);
    octet_value_info info;
    for (size_t i = 0; i < inputs + outputs; i++) {
        s = i < inputs ? octet_input_info(model, i, &info) : octet_output_info(model, i - inputs, &info);
        if (s != OCTET_OK) return fail("octet_input_info", s);
        printf("%s %s dtype %d shape [", i < inputs ? "input " : "output", info.name, (int)info.dtype);
        for (int d = 0; d < info.rank; d++) printf(d ? ", %lld" : "%lld", (long long)info.shape[d]);
        printf("]\n");
    }
    if ((s = describe_input(model, values, count, &input)) != OCTET_OK) return fail("octet_input_info", s);
    if ((s = run_once(model, &input, logits, capacity, &output)) != OCTET_OK) return fail("octet_run", s);
    size_t classes = output.bytes / sizeof(float);

    if (save) {
        FILE *f = fopen(save, "wb");
        if (!f || fwrite(logits, sizeof(float), classes, f) != classes) {
            fprintf(stderr, "classify: cannot write %s\n", save);
            return 1;
        }
        fclose(f);
    }

    /* Top 5, ties to the lower index; probabilities by softmax. */
    double max = logits[0], total = 0;
    for (size_t i = 1; i < classes; i++) if (logits[i] > max) max = logits[i];
    for (size_t i = 0; i < classes; i++) total += exp(logits[i] - max);
    printf("rank  class  probability  logit\n");
    int best[5];
    for (int r = 0; r < 5 && r < (int)classes; r++) {
        int pick = -1;
        for (size_t i = 0; i < classes; i++) {
            int taken = 0;
            for (int k = 0; k < r; k++) taken |= best[k] == (int)i;
            if (!taken && (pick < 0 || logits[i] > logits[pick])) pick = (int)i;
        }
        best[r] = pick;
        printf("%4d  %5d  %11.4f  %.9g\n", r + 1, pick, exp(logits[pick] - max) / total, logits[pick]);
    }

    if (repeat > 0) {
        double *ms = malloc(repeat * sizeof(double));
        for (int i = 0; i < 3; i++) run_once(model, &input, logits, capacity, &output);
        for (int i = 0; i < repeat; i++) {
            double t0 = now_ms();
            if ((s = run_once(model, &input, logits, capacity, &output)) != OCTET_OK) return fail("octet_run", s);
            ms[i] = now_ms() - t0;
        }
        qsort(ms, repeat, sizeof(double), compare_doubles);
        printf("runs %d median_ms %.4f min_ms %.4f\n", repeat, ms[repeat / 2], ms[0]);
        free(ms);
    }
    if ((s = octet_close(model)) != OCTET_OK) return fail("octet_close", s);
    free(logits);
    free(file);
    return 0;
}
