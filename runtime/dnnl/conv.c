/* f32 convolutions through oneDNN (2.x C API): forward with bias, backward data, and
 * backward weights with the bias gradient, over plain row-major NC[D][H]W inputs and
 * outputs and [G·]O·I[D][H]W weights. The primitive lets oneDNN choose its layouts
 * (format_tag_any); the reorders from and to the plain buffers run inside each call, into
 * scratch the caller provides, as does oneDNN's own scratchpad. The bias gradient is
 * summed here in double precision (oneDNN's f32 sums drifted from the runtime's own
 * reductions by over 1e-5 of the scale on a gradient that cancels to zero). A context is created once
 * per call site and may run from several threads at once: it holds only primitives. */
#include "conv.h"

#include <omp.h>
#include <oneapi/dnnl/dnnl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The alignment of every piece of the scratch. */
#define ALIGN 64

/* One tensor argument of the convolution: the caller's plain buffer and, when oneDNN
 * wants another layout, the reorder between the two and where in the scratch the
 * reordered copy lives. */
typedef struct {
    dnnl_memory_desc_t plain;
    dnnl_memory_desc_t chosen;
    dnnl_primitive_t reorder; /* NULL when `chosen` is `plain` */
    size_t offset;            /* of the reordered copy in the scratch */
    int arg;                  /* DNNL_ARG_* */
    int output;               /* written by the convolution (reordered after it) */
} argument;

struct joinery_dnnl_conv {
    int kind;
    int threads;
    int empty;                /* some tensor has no elements: no oneDNN primitive */
    joinery_dnnl_conv_desc desc;
    dnnl_primitive_t conv;
    argument args[3];         /* the non-bias arguments */
    int nargs;
    int has_bias;
    dnnl_memory_desc_t bias;
    dnnl_memory_desc_t scratchpad;
    size_t scratchpad_offset;
    size_t scratch_size;
};

/* The CPU engine every context uses, created once. */
static dnnl_engine_t engine;
static dnnl_status_t engine_status;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void create_engine(void) { engine_status = dnnl_engine_create(&engine, dnnl_cpu, 0); }

/* Writes which call failed, and how, into err. */
static void fail(char *err, size_t len, const char *what, dnnl_status_t s) {
    snprintf(err, len, "oneDNN %s failed (status %d)", what, (int)s);
}

#define TRY(what, call)                                                                    \
    do {                                                                                   \
        dnnl_status_t s_ = (call);                                                         \
        if (s_ != dnnl_success) {                                                          \
            fail(err, err_len, what, s_);                                                  \
            goto failed;                                                                   \
        }                                                                                  \
    } while (0)

static size_t round_up(size_t n) { return (n + ALIGN - 1) / ALIGN * ALIGN; }

static int64_t volume(const int64_t *dims, int n) {
    int64_t v = 1;
    for (int i = 0; i < n; i++) v *= dims[i];
    return v;
}

/* The f32 memory descriptor of the `ndims` dims `dims` in layout `tag`. */
static dnnl_status_t md_of(dnnl_memory_desc_t *md, int ndims, const int64_t *dims,
                           dnnl_format_tag_t tag) {
    dnnl_dims_t all = {0};
    memcpy(all, dims, sizeof(int64_t) * (size_t)ndims);
    return dnnl_memory_desc_init_by_tag(md, ndims, all, dnnl_f32, tag);
}

/* The plain (row-major) memory descriptor of `ndims` dims. */
static dnnl_status_t plain_md(dnnl_memory_desc_t *md, int ndims, const int64_t *dims) {
    static const dnnl_format_tag_t tags[] = {dnnl_format_tag_undef, dnnl_a, dnnl_ab,
                                             dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef};
    return md_of(md, ndims, dims, tags[ndims]);
}

void joinery_dnnl_conv_destroy(joinery_dnnl_conv *c) {
    if (!c) return;
    if (c->conv) dnnl_primitive_destroy(c->conv);
    for (int i = 0; i < c->nargs; i++)
        if (c->args[i].reorder) dnnl_primitive_destroy(c->args[i].reorder);
    free(c);
}

joinery_dnnl_conv *joinery_dnnl_conv_create(int kind, const joinery_dnnl_conv_desc *d,
                                            int threads, char *err, size_t err_len) {
    dnnl_primitive_desc_t fwd_pd = NULL, pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    joinery_dnnl_conv *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    c->kind = kind;
    c->threads = threads;
    c->desc = *d;
    omp_set_num_threads(threads);
    int sp = d->spatial_rank, nd = sp + 2;
    if (sp < 1 || sp > 3 || kind < 0 || kind > 2 || d->groups < 1) {
        snprintf(err, err_len, "unsupported convolution: rank %d, kind %d, groups %lld", sp,
                 kind, (long long)d->groups);
        free(c);
        return NULL;
    }
    c->has_bias = d->with_bias;
    if (volume(d->src, nd) == 0 || volume(d->dst, nd) == 0 || volume(d->weights, nd) == 0) {
        c->empty = 1;
        return c;
    }
    pthread_once(&engine_once, create_engine);
    TRY("engine creation", engine_status);

    /* oneDNN's shapes: grouped weights get a leading dim of groups. */
    int64_t wdims[DNNL_MAX_NDIMS];
    int wnd = nd;
    if (d->groups > 1) {
        wdims[0] = d->groups;
        wdims[1] = d->weights[0] / d->groups;
        for (int i = 1; i < nd; i++) wdims[i + 1] = d->weights[i];
        wnd = nd + 1;
    } else {
        memcpy(wdims, d->weights, sizeof(int64_t) * nd);
    }
    dnnl_dims_t strides, dilates, pad_l, pad_r;
    for (int i = 0; i < sp; i++) {
        strides[i] = d->stride[i];
        dilates[i] = d->dilation[i] - 1;
        pad_l[i] = d->padding[i];
        /* the padding at the end that makes the output exactly `dst` long */
        pad_r[i] = (d->dst[i + 2] - 1) * d->stride[i] + (d->weights[i + 2] - 1) * d->dilation[i] +
                   1 - d->src[i + 2] - d->padding[i];
    }
    dnnl_memory_desc_t src_any, w_any, dst_any, bias_md;
    TRY("memory descriptor", md_of(&src_any, nd, d->src, dnnl_format_tag_any));
    TRY("memory descriptor",
        md_of(&w_any, wnd, wdims, dnnl_format_tag_any));
    TRY("memory descriptor", md_of(&dst_any, nd, d->dst, dnnl_format_tag_any));
    TRY("memory descriptor", plain_md(&bias_md, 1, &d->weights[0]));
    c->bias = bias_md;
    /* The forward's bias; a bias gradient is summed here instead (bias_gradient). */
    const dnnl_memory_desc_t *bias_arg =
        d->with_bias && kind == JOINERY_CONV_FORWARD ? &bias_md : NULL;

    dnnl_convolution_desc_t fwd_d, cd;
    TRY("convolution descriptor",
        dnnl_dilated_convolution_forward_desc_init(
            &fwd_d, kind == JOINERY_CONV_FORWARD ? dnnl_forward_inference : dnnl_forward_training,
            dnnl_convolution_direct, &src_any, &w_any, kind == JOINERY_CONV_BACKWARD_DATA ? NULL : bias_arg,
            &dst_any, strides, dilates, pad_l, pad_r));
    TRY("attributes", dnnl_primitive_attr_create(&attr));
    TRY("attributes", dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user));
    if (kind == JOINERY_CONV_FORWARD) {
        TRY("convolution primitive descriptor",
            dnnl_primitive_desc_create(&pd, &fwd_d, attr, engine, NULL));
    } else {
        TRY("convolution primitive descriptor",
            dnnl_primitive_desc_create(&fwd_pd, &fwd_d, NULL, engine, NULL));
        if (kind == JOINERY_CONV_BACKWARD_DATA)
            TRY("convolution descriptor",
                dnnl_dilated_convolution_backward_data_desc_init(
                    &cd, dnnl_convolution_direct, &src_any, &w_any, &dst_any, strides, dilates,
                    pad_l, pad_r));
        else
            TRY("convolution descriptor",
                dnnl_dilated_convolution_backward_weights_desc_init(
                    &cd, dnnl_convolution_direct, &src_any, &w_any, bias_arg, &dst_any,
                    strides, dilates, pad_l, pad_r));
        TRY("convolution primitive descriptor",
            dnnl_primitive_desc_create(&pd, &cd, attr, engine, fwd_pd));
    }
    TRY("convolution primitive", dnnl_primitive_create(&c->conv, pd));

    /* The arguments in the order of joinery_dnnl_conv_execute's buffers. */
    struct {
        int arg, output, ndims;
        const int64_t *dims;
        dnnl_query_t query;
    } specs[3];
    int64_t plain_w[DNNL_MAX_NDIMS];
    memcpy(plain_w, wdims, sizeof plain_w);
    switch (kind) {
    case JOINERY_CONV_FORWARD:
        specs[0] = (typeof(specs[0])){DNNL_ARG_SRC, 0, nd, d->src, dnnl_query_src_md};
        specs[1] = (typeof(specs[0])){DNNL_ARG_WEIGHTS, 0, wnd, plain_w, dnnl_query_weights_md};
        specs[2] = (typeof(specs[0])){DNNL_ARG_DST, 1, nd, d->dst, dnnl_query_dst_md};
        break;
    case JOINERY_CONV_BACKWARD_DATA:
        specs[0] = (typeof(specs[0])){DNNL_ARG_DIFF_SRC, 1, nd, d->src, dnnl_query_diff_src_md};
        specs[1] = (typeof(specs[0])){DNNL_ARG_WEIGHTS, 0, wnd, plain_w, dnnl_query_weights_md};
        specs[2] = (typeof(specs[0])){DNNL_ARG_DIFF_DST, 0, nd, d->dst, dnnl_query_diff_dst_md};
        break;
    default:
        specs[0] = (typeof(specs[0])){DNNL_ARG_SRC, 0, nd, d->src, dnnl_query_src_md};
        specs[1] = (typeof(specs[0])){DNNL_ARG_DIFF_WEIGHTS, 1, wnd, plain_w,
                                      dnnl_query_diff_weights_md};
        specs[2] = (typeof(specs[0])){DNNL_ARG_DIFF_DST, 0, nd, d->dst, dnnl_query_diff_dst_md};
        break;
    }
    size_t offset = 0;
    c->nargs = 3;
    for (int i = 0; i < 3; i++) {
        argument *a = &c->args[i];
        a->arg = specs[i].arg;
        a->output = specs[i].output;
        TRY("memory descriptor", plain_md(&a->plain, specs[i].ndims, specs[i].dims));
        a->chosen = *dnnl_primitive_desc_query_md(pd, specs[i].query, 0);
        if (dnnl_memory_desc_equal(&a->plain, &a->chosen)) continue;
        dnnl_primitive_desc_t rpd;
        const dnnl_memory_desc_t *from = a->output ? &a->chosen : &a->plain;
        const dnnl_memory_desc_t *to = a->output ? &a->plain : &a->chosen;
        TRY("reorder primitive descriptor",
            dnnl_reorder_primitive_desc_create(&rpd, from, engine, to, engine, NULL));
        dnnl_status_t s = dnnl_primitive_create(&a->reorder, rpd);
        dnnl_primitive_desc_destroy(rpd);
        TRY("reorder primitive", s);
        a->offset = offset;
        offset += round_up(dnnl_memory_desc_get_size(&a->chosen));
    }
    c->scratchpad = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
    c->scratchpad_offset = offset;
    offset += round_up(dnnl_memory_desc_get_size(&c->scratchpad));
    c->scratch_size = offset;
    dnnl_primitive_desc_destroy(pd);
    if (fwd_pd) dnnl_primitive_desc_destroy(fwd_pd);
    dnnl_primitive_attr_destroy(attr);
    return c;

failed:
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (fwd_pd) dnnl_primitive_desc_destroy(fwd_pd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    joinery_dnnl_conv_destroy(c);
    return NULL;
}

size_t joinery_dnnl_conv_scratch_size(const joinery_dnnl_conv *c) { return c->scratch_size; }

/* The sum of `len` floats in double precision, in eight partial sums: independent
 * additions the compiler vectorizes, where one running sum waits on each addition (the
 * 1x1 64->256 bias gradient took longer than the memory it reads). */
static double sum_run(const float *run, int64_t len) {
    double part[8] = {0};
    int64_t p = 0;
    for (; p + 8 <= len; p += 8)
        for (int k = 0; k < 8; k++) part[k] += run[p + k];
    double sum = 0;
    for (; p < len; p++) sum += run[p];
    for (int k = 0; k < 8; k++) sum += part[k];
    return sum;
}

/* The bias gradient: `diff_dst` summed over the images and positions per channel, in
 * double precision (as the runtime's own reductions), channels spread over the threads. */
static void bias_gradient(const joinery_dnnl_conv_desc *d, const float *diff_dst,
                          float *bias) {
    int64_t n = d->dst[0], o = d->dst[1], positions = volume(d->dst + 2, d->spatial_rank);
#pragma omp parallel for schedule(static)
    for (int64_t j = 0; j < o; j++) {
        double sum = 0;
        for (int64_t i = 0; i < n; i++)
            sum += sum_run(diff_dst + (i * o + j) * positions, positions);
        bias[j] = (float)sum;
    }
}

/* The result of a convolution with an empty tensor: an empty sum, so zeros, and the bias
 * (forward) or the sum of the output gradient (bias gradient) where there is anything. */
static void run_empty(const joinery_dnnl_conv *c, float *src, float *weights, float *bias,
                      float *dst) {
    const joinery_dnnl_conv_desc *d = &c->desc;
    int nd = d->spatial_rank + 2;
    int64_t n = d->dst[0], o = d->dst[1], positions = volume(d->dst + 2, nd - 2);
    switch (c->kind) {
    case JOINERY_CONV_FORWARD:
        for (int64_t i = 0; i < n; i++)
            for (int64_t j = 0; j < o; j++)
                for (int64_t p = 0; p < positions; p++)
                    dst[(i * o + j) * positions + p] = c->has_bias ? bias[j] : 0.0f;
        break;
    case JOINERY_CONV_BACKWARD_DATA:
        memset(src, 0, sizeof(float) * (size_t)volume(d->src, nd));
        break;
    default:
        memset(weights, 0, sizeof(float) * (size_t)volume(d->weights, nd));
        if (c->has_bias) bias_gradient(d, dst, bias);
        break;
    }
}

int joinery_dnnl_conv_execute(const joinery_dnnl_conv *c, float *src, float *weights,
                              float *bias, float *dst, void *scratch, char *err, size_t err_len) {
    if (c->empty) {
        run_empty(c, src, weights, bias, dst);
        return 0;
    }
    omp_set_num_threads(c->threads);
    int status = 0;
    dnnl_stream_t stream = NULL;
    dnnl_memory_t plain[3] = {NULL}, chosen[3] = {NULL}, bias_mem = NULL, pad_mem = NULL;
    dnnl_exec_arg_t args[5];
    int nargs = 0;
    float *buffers[3] = {src, weights, dst};
    char *base = scratch;
    TRY("stream creation", dnnl_stream_create(&stream, engine, dnnl_stream_default_flags));
    for (int i = 0; i < 3; i++) {
        const argument *a = &c->args[i];
        TRY("memory", dnnl_memory_create(&plain[i], &a->plain, engine, buffers[i]));
        dnnl_memory_t used = plain[i];
        if (a->reorder) {
            TRY("memory", dnnl_memory_create(&chosen[i], &a->chosen, engine, base + a->offset));
            used = chosen[i];
            if (!a->output) {
                dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, plain[i]}, {DNNL_ARG_TO, chosen[i]}};
                TRY("reorder", dnnl_primitive_execute(a->reorder, stream, 2, r));
            }
        }
        args[nargs++] = (dnnl_exec_arg_t){a->arg, used};
    }
    if (c->has_bias && c->kind == JOINERY_CONV_FORWARD) {
        TRY("memory", dnnl_memory_create(&bias_mem, &c->bias, engine, bias));
        args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, bias_mem};
    }
    TRY("memory",
        dnnl_memory_create(&pad_mem, &c->scratchpad, engine, base + c->scratchpad_offset));
    args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, pad_mem};
    TRY("convolution", dnnl_primitive_execute(c->conv, stream, nargs, args));
    for (int i = 0; i < 3; i++) {
        const argument *a = &c->args[i];
        if (a->reorder && a->output) {
            dnnl_exec_arg_t r[2] = {{DNNL_ARG_FROM, chosen[i]}, {DNNL_ARG_TO, plain[i]}};
            TRY("reorder", dnnl_primitive_execute(a->reorder, stream, 2, r));
        }
    }
    TRY("stream wait", dnnl_stream_wait(stream));
    if (c->has_bias && c->kind == JOINERY_CONV_BACKWARD_WEIGHTS) bias_gradient(&c->desc, dst, bias);
    goto done;
failed:
    status = -1;
done:
    for (int i = 0; i < 3; i++) {
        if (plain[i]) dnnl_memory_destroy(plain[i]);
        if (chosen[i]) dnnl_memory_destroy(chosen[i]);
    }
    if (bias_mem) dnnl_memory_destroy(bias_mem);
    if (pad_mem) dnnl_memory_destroy(pad_mem);
    if (stream) dnnl_stream_destroy(stream);
    return status;
}
