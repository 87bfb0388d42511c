/* f32 convolutions through oneDNN: see conv.c. */
#ifndef JOINERY_DNNL_CONV_H
#define JOINERY_DNNL_CONV_H

#include <stddef.h>
#include <stdint.h>

/* What a context computes. */
enum {
    /* dst = conv(src, weights) + bias (bias may be NULL) */
    JOINERY_CONV_FORWARD = 0,
    /* src = the gradient of the input from dst (the output gradient) and weights */
    JOINERY_CONV_BACKWARD_DATA = 1,
    /* weights and bias (may be NULL) = the gradients of the weight and bias from src (the
     * input) and dst (the output gradient) */
    JOINERY_CONV_BACKWARD_WEIGHTS = 2,
};

/* One convolution's shapes and parameters, PyTorch's conventions (dilation 1 is dense);
 * every array holds spatial_rank entries, the shapes spatial_rank + 2. */
typedef struct {
    int spatial_rank;     /* 1, 2 or 3 */
    int64_t src[5];       /* N, C, spatial... */
    int64_t weights[5];   /* O, C / groups, kernel... */
    int64_t dst[5];       /* N, O, spatial... */
    int64_t stride[3];
    int64_t padding[3];   /* at the start of each spatial dim */
    int64_t dilation[3];
    int64_t groups;
    int with_bias;
} joinery_dnnl_conv_desc;

/* The primitives of one convolution, created once and reused. */
typedef struct joinery_dnnl_conv joinery_dnnl_conv;

/* A context for `kind` (JOINERY_CONV_*) to run on `threads` OpenMP threads (oneDNN splits
 * the work for that many when it creates the primitive), or NULL with a message in `err`. */
joinery_dnnl_conv *joinery_dnnl_conv_create(int kind, const joinery_dnnl_conv_desc *desc,
                                            int threads, char *err, size_t err_len);

/* The bytes of scratch joinery_dnnl_conv_execute needs (64-byte aligned). */
size_t joinery_dnnl_conv_scratch_size(const joinery_dnnl_conv *c);

/* Runs the convolution over plain row-major buffers; 0, or nonzero with a message in
 * `err`. */
int joinery_dnnl_conv_execute(const joinery_dnnl_conv *c, float *src, float *weights,
                              float *bias, float *dst, void *scratch, char *err, size_t err_len);

/* Frees a context (NULL is allowed). */
void joinery_dnnl_conv_destroy(joinery_dnnl_conv *c);

#endif
