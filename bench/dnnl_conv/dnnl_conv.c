/* Times oneDNN's f32 convolution forward (with bias), backward data and backward weights
 * (with the bias gradient) on one shape, through the runtime's oneDNN wrapper
 * (runtime/dnnl/conv.c): plain NCHW/OIHW buffers, oneDNN's own layouts chosen with
 * format_tag_any and the reorders timed inside each call, primitives created once before
 * the timing. Prints the median of `iters` calls of each, in ms, as one JSON line.
 *
 *   cc -O2 -fopenmp -I runtime/dnnl bench/dnnl_conv/dnnl_conv.c runtime/dnnl/conv.c -ldnnl -lgomp -lpthread
 *   ./a.out N C H W O kernel stride padding groups iters threads */
#include "conv.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *random_buffer(int64_t n) {
    float *p = malloc(sizeof(float) * (size_t)(n ? n : 1));
    for (int64_t i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX - 0.5f;
    return p;
}

int main(int argc, char **argv) {
    if (argc != 12) {
        fprintf(stderr, "usage: %s N C H W O kernel stride padding groups iters threads\n",
                argv[0]);
        return 2;
    }
    int64_t v[11];
    for (int i = 0; i < 11; i++) v[i] = atoll(argv[i + 1]);
    int64_t n = v[0], c = v[1], h = v[2], w = v[3], o = v[4], k = v[5], s = v[6], p = v[7],
            g = v[8];
    int iters = (int)v[9], threads = (int)v[10];
    int64_t oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
    joinery_dnnl_conv_desc d = {
        .spatial_rank = 2,
        .src = {n, c, h, w},
        .weights = {o, c / g, k, k},
        .dst = {n, o, oh, ow},
        .stride = {s, s},
        .padding = {p, p},
        .dilation = {1, 1},
        .groups = g,
        .with_bias = 1,
    };
    float *x = random_buffer(n * c * h * w), *wt = random_buffer(o * c / g * k * k),
          *b = random_buffer(o), *y = random_buffer(n * o * oh * ow);
    const char *names[] = {"forward", "input_grad", "weight_grad"};
    printf("{");
    for (int kind = 0; kind < 3; kind++) {
        char err[256];
        joinery_dnnl_conv *conv = joinery_dnnl_conv_create(kind, &d, threads, err, sizeof err);
        if (!conv) {
            fprintf(stderr, "%s: %s\n", names[kind], err);
            return 1;
        }
        void *scratch = aligned_alloc(64, joinery_dnnl_conv_scratch_size(conv) + 64);
        double times[1000];
        for (int i = -1; i < iters && i < 1000; i++) {
            double t0 = now_ms();
            if (joinery_dnnl_conv_execute(conv, x, wt, b, y, scratch, err, sizeof err)) {
                fprintf(stderr, "%s: %s\n", names[kind], err);
                return 1;
            }
            if (i >= 0) times[i] = now_ms() - t0;
        }
        qsort(times, (size_t)iters, sizeof(double), by_value);
        printf("%s\"%s\": %.4f", kind ? ", " : "", names[kind], times[iters / 2]);
        free(scratch);
        joinery_dnnl_conv_destroy(conv);
    }
    printf("}\n");
    return 0;
}
