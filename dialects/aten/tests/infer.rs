//! Shape and dtype inference of every op family, on good and bad arguments.

mod common;
use common::{A, err, ok};

#[test]
fn binary_broadcasts_and_promotes() {
    ok(
        "aten.add.Tensor",
        &["4x1xf32", "3xf32"],
        &[],
        &["tensor<4x3xf32>"],
    );
    ok(
        "aten.add.Tensor",
        &["4x?xf32", "3xf32"],
        &[],
        &["tensor<4x3xf32>"],
    );
    ok(
        "aten.add.Tensor",
        &["?x1xf32", "1xf32"],
        &[],
        &["tensor<?x1xf32>"],
    );
    ok(
        "aten.mul.Tensor",
        &["2x3xi32", "2x3xf64"],
        &[],
        &["tensor<2x3xf64>"],
    );
    ok(
        "aten.mul.Tensor",
        &["2xf16", "2xbf16"],
        &[],
        &["tensor<2xf32>"],
    );
    ok("aten.sub.Tensor", &["2xi1", "2xi8"], &[], &["tensor<2xi8>"]);
    ok(
        "aten.add.Tensor",
        &["*xf32", "3xf32"],
        &[],
        &["tensor<*xf32>"],
    );
    err(
        "aten.add.Tensor",
        &["4x3xf32", "5x3xf32"],
        &[],
        "aten.add.Tensor: operand shapes 4x3 and 5x3 are not broadcastable (4 != 5)",
    );
}

#[test]
fn zero_dim_tensors_and_scalars_do_not_promote_within_a_category() {
    // A rank-0 f64 tensor does not widen an f32 tensor; it does turn integers into floats.
    ok(
        "aten.mul.Tensor",
        &["3xf32", "f64"],
        &[],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.mul.Tensor",
        &["3xi32", "f64"],
        &[],
        &["tensor<3xf64>"],
    );
    ok("aten.mul.Tensor", &["i64", "f16"], &[], &["tensor<f16>"]);
    // Python numbers: an int keeps an integer tensor, a float gives the default dtype.
    ok(
        "aten.mul.Scalar",
        &["3xi32"],
        &[("other", A::I(2))],
        &["tensor<3xi32>"],
    );
    ok(
        "aten.mul.Scalar",
        &["3xi32"],
        &[("other", A::F(2.5))],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.mul.Scalar",
        &["3xf16"],
        &[("other", A::F(2.5))],
        &["tensor<3xf16>"],
    );
    ok(
        "aten.add.Scalar",
        &["3xi1"],
        &[("other", A::I(1))],
        &["tensor<3xi64>"],
    );
    ok(
        "aten.pow.Tensor_Scalar",
        &["3xi64"],
        &[("exponent", A::F(0.5))],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.pow.Tensor_Scalar",
        &["3xf64"],
        &[("exponent", A::I(2))],
        &["tensor<3xf64>"],
    );
}

#[test]
fn alpha_does_not_promote_but_must_fit() {
    ok(
        "aten.add.Tensor",
        &["3xi64", "3xi64"],
        &[("alpha", A::I(2))],
        &["tensor<3xi64>"],
    );
    ok(
        "aten.sub.Tensor",
        &["3xf32", "3xf32"],
        &[("alpha", A::F(0.5))],
        &["tensor<3xf32>"],
    );
    err(
        "aten.add.Tensor",
        &["3xi64", "3xi64"],
        &[("alpha", A::F(0.5))],
        "alpha must not be a floating point number",
    );
}

#[test]
fn division_comparison_and_where() {
    ok(
        "aten.div.Tensor",
        &["3xi64", "3xi64"],
        &[],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.div.Scalar",
        &["3xf64"],
        &[("other", A::I(2))],
        &["tensor<3xf64>"],
    );
    ok(
        "aten.div.Tensor_mode",
        &["3xi64", "3xi64"],
        &[("rounding_mode", A::S("floor"))],
        &["tensor<3xi64>"],
    );
    ok(
        "aten.div.Tensor_mode",
        &["3xi64", "3xi64"],
        &[],
        &["tensor<3xf32>"],
    );
    err(
        "aten.div.Tensor_mode",
        &["3xi64", "3xi64"],
        &[("rounding_mode", A::S("round"))],
        "rounding_mode",
    );
    ok(
        "aten.lt.Tensor",
        &["4x1xf32", "3xi64"],
        &[],
        &["tensor<4x3xi1>"],
    );
    ok(
        "aten.eq.Scalar",
        &["4xf32"],
        &[("other", A::I(0))],
        &["tensor<4xi1>"],
    );
    ok("aten.logical_not", &["4xf32"], &[], &["tensor<4xi1>"]);
    ok(
        "aten.where.self",
        &["4x1xi1", "3xf32", "f64"],
        &[],
        &["tensor<4x3xf32>"],
    );
    err(
        "aten.where.self",
        &["4xf32", "4xf32", "4xf32"],
        &[],
        "condition must be a bool (i1) tensor, got f32",
    );
    ok(
        "aten.masked_fill.Scalar",
        &["2x3xf32", "3xi1"],
        &[("value", A::F(0.0))],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten.masked_fill.Scalar",
        &["3xf32", "2x3xi1"],
        &[("value", A::F(0.0))],
        "cannot be broadcast",
    );
}

#[test]
fn clamp_scalar_and_tensor_bounds() {
    ok(
        "aten.clamp",
        &["3xi64"],
        &[("min", A::I(0))],
        &["tensor<3xi64>"],
    );
    ok(
        "aten.clamp",
        &["3xi64"],
        &[("max", A::F(1.5))],
        &["tensor<3xf32>"],
    );
    err(
        "aten.clamp",
        &["3xf32"],
        &[],
        "at least one of 'min' or 'max'",
    );
    // Two optional tensors: all present, all absent, or operandSegmentSizes.
    ok(
        "aten.clamp.Tensor",
        &["3xf32", "3xf32", "1xf32"],
        &[],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.clamp.Tensor",
        &["3xf32", "2x1xf32"],
        &[("operandSegmentSizes", A::Is(&[1, 0, 1]))],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten.clamp.Tensor",
        &["3xf32", "3xf32"],
        &[],
        "operandSegmentSizes",
    );
    err(
        "aten.clamp.Tensor",
        &["3xf32"],
        &[],
        "at least one of 'min' or 'max'",
    );
}

#[test]
fn unary_ops() {
    ok("aten.relu", &["2x?xf32"], &[], &["tensor<2x?xf32>"]);
    ok("aten.neg", &["2xi32"], &[], &["tensor<2xi32>"]);
    ok("aten.exp", &["2xi32"], &[], &["tensor<2xf32>"]);
    ok("aten.rsqrt", &["2xf64"], &[], &["tensor<2xf64>"]);
    ok(
        "aten.gelu",
        &["2xf32"],
        &[("approximate", A::S("tanh"))],
        &["tensor<2xf32>"],
    );
    err(
        "aten.gelu",
        &["2xf32"],
        &[("approximate", A::S("erf"))],
        "approximate must be 'none' or 'tanh', got 'erf'",
    );
    err(
        "aten.gelu",
        &["2xi64"],
        &[],
        "self must have a floating-point dtype, got i64",
    );
    ok(
        "aten.gelu_backward",
        &["2xf32", "2xf32"],
        &[],
        &["tensor<2xf32>"],
    );
    ok(
        "aten.threshold_backward",
        &["2x3xf32", "2x3xf32"],
        &[("threshold", A::I(0))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.tanh_backward",
        &["3xf32", "3xf32"],
        &[],
        &["tensor<3xf32>"],
    );
}

#[test]
fn reductions() {
    ok("aten.sum", &["2x3xf32"], &[], &["tensor<f32>"]);
    ok("aten.sum", &["2x3xi32"], &[], &["tensor<i64>"]);
    ok(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dim", A::Is(&[0])), ("keepdim", A::B(true))],
        &["tensor<1x2xf32>"],
    );
    ok(
        "aten.sum.dim_IntList",
        &["4x2x5xf32"],
        &[("dim", A::Is(&[-1, 0]))],
        &["tensor<2xf32>"],
    );
    ok(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dim", A::Is(&[]))],
        &["tensor<f32>"],
    );
    ok(
        "aten.sum.dim_IntList",
        &["4x2xi1"],
        &[("dim", A::Is(&[1])), ("dtype", A::Dt("f64"))],
        &["tensor<4xf64>"],
    );
    err(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dim", A::Is(&[2]))],
        "dimension 2 is out of range for a tensor of rank 2",
    );
    err(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dim", A::Is(&[1, -1]))],
        "dim 1 appears multiple times",
    );
    ok(
        "aten.mean.dim",
        &["4x?xf32"],
        &[("dim", A::Is(&[0]))],
        &["tensor<?xf32>"],
    );
    err(
        "aten.mean.dim",
        &["4x2xi64"],
        &[("dim", A::Is(&[0]))],
        "floating point",
    );
    ok(
        "aten.mean",
        &["4x2xi64"],
        &[("dtype", A::Dt("f32"))],
        &["tensor<f32>"],
    );
    ok(
        "aten.amax",
        &["4x2xi64"],
        &[("dim", A::Is(&[1])), ("keepdim", A::B(true))],
        &["tensor<4x1xi64>"],
    );
    ok("aten.amax", &["4x2xf32"], &[], &["tensor<f32>"]);
    ok(
        "aten.var.correction",
        &["4x5xf32"],
        &[("dim", A::Is(&[1])), ("correction", A::I(0))],
        &["tensor<4xf32>"],
    );
    ok(
        "aten.var_mean.correction",
        &["4x5xf32"],
        &[("dim", A::Is(&[1])), ("keepdim", A::B(true))],
        &["tensor<4x1xf32>", "tensor<4x1xf32>"],
    );
    err("aten.var.correction", &["4x5xi32"], &[], "floating-point");
    ok(
        "aten.max.dim",
        &["4x5xf32"],
        &[("dim", A::I(1))],
        &["tensor<4xf32>", "tensor<4xi64>"],
    );
    ok("aten.argmax", &["4x5xf32"], &[], &["tensor<i64>"]);
    ok(
        "aten.argmax",
        &["4x5xf32"],
        &[("dim", A::I(0)), ("keepdim", A::B(true))],
        &["tensor<1x5xi64>"],
    );
}

#[test]
fn matrix_products() {
    ok(
        "aten.mm",
        &["4x3xf32", "3x5xf32"],
        &[],
        &["tensor<4x5xf32>"],
    );
    ok(
        "aten.mm",
        &["?x3xf32", "?x5xf32"],
        &[],
        &["tensor<?x5xf32>"],
    );
    err(
        "aten.mm",
        &["4x3xf32", "2x5xf32"],
        &[],
        "aten.mm: operand shapes 4x3 and 2x5 are incompatible (3 != 2)",
    );
    err(
        "aten.mm",
        &["4x3x2xf32", "2x5xf32"],
        &[],
        "self must have rank 2, got shape 4x3x2",
    );
    err(
        "aten.mm",
        &["4x3xf32", "3x5xf64"],
        &[],
        "same dtype, got f32 and f64",
    );
    ok(
        "aten.bmm",
        &["2x4x3xf32", "2x3x5xf32"],
        &[],
        &["tensor<2x4x5xf32>"],
    );
    err(
        "aten.bmm",
        &["2x4x3xf32", "3x3x5xf32"],
        &[],
        "incompatible (2 != 3)",
    );
    ok(
        "aten.addmm",
        &["5xf32", "4x3xf32", "3x5xf32"],
        &[("beta", A::I(1))],
        &["tensor<4x5xf32>"],
    );
    err(
        "aten.addmm",
        &["4xf32", "4x3xf32", "3x5xf32"],
        &[],
        "not broadcastable",
    );
    err(
        "aten.addmm",
        &["2x4x5xf32", "4x3xf32", "3x5xf32"],
        &[],
        "cannot be broadcast to the product shape 4x5",
    );
}

#[test]
fn views() {
    ok(
        "aten.view",
        &["4x6xf32"],
        &[("size", A::Is(&[2, -1, 3]))],
        &["tensor<2x4x3xf32>"],
    );
    ok(
        "aten.view",
        &["?x6xf32"],
        &[("size", A::Is(&[-1, 3]))],
        &["tensor<?x3xf32>"],
    );
    ok(
        "aten._unsafe_view",
        &["4x6xf32"],
        &[("size", A::Is(&[24]))],
        &["tensor<24xf32>"],
    );
    ok(
        "aten.reshape",
        &["4x6xf32"],
        &[("shape", A::Is(&[6, 4]))],
        &["tensor<6x4xf32>"],
    );
    err(
        "aten.view",
        &["4x6xf32"],
        &[("size", A::Is(&[5, -1]))],
        "shape [5, -1] is invalid for input of size 24",
    );
    err(
        "aten.view",
        &["4x6xf32"],
        &[("size", A::Is(&[-1, -1]))],
        "only one dimension can be inferred",
    );
    err(
        "aten.view",
        &["4x6xf32"],
        &[("size", A::Is(&[25]))],
        "invalid for input of size 24",
    );
    ok("aten.t", &["2x3xf32"], &[], &["tensor<3x2xf32>"]);
    ok("aten.t", &["3xf32"], &[], &["tensor<3xf32>"]);
    err("aten.t", &["2x3x4xf32"], &[], "<= 2 dimensions");
    ok(
        "aten.transpose.int",
        &["2x3x4xf32"],
        &[("dim0", A::I(0)), ("dim1", A::I(-1))],
        &["tensor<4x3x2xf32>"],
    );
    ok(
        "aten.permute",
        &["2x3x4xf32"],
        &[("dims", A::Is(&[2, 0, 1]))],
        &["tensor<4x2x3xf32>"],
    );
    err(
        "aten.permute",
        &["2x3x4xf32"],
        &[("dims", A::Is(&[0, 0, 1]))],
        "repeat dim 0",
    );
    err(
        "aten.permute",
        &["2x3x4xf32"],
        &[("dims", A::Is(&[0, 1]))],
        "do not match the input rank 3",
    );
    ok(
        "aten.expand",
        &["3x1xf32"],
        &[("size", A::Is(&[2, 3, 4]))],
        &["tensor<2x3x4xf32>"],
    );
    ok(
        "aten.expand",
        &["3x1xf32"],
        &[("size", A::Is(&[-1, 4]))],
        &["tensor<3x4xf32>"],
    );
    err(
        "aten.expand",
        &["3x2xf32"],
        &[("size", A::Is(&[3, 4]))],
        "expanded size 4 must match the existing size 2",
    );
    err(
        "aten.expand",
        &["3xf32"],
        &[("size", A::Is(&[-1, 3]))],
        "leading, non-existing dimension 0",
    );
    ok("aten.squeeze", &["1x3x1x?xf32"], &[], &["tensor<3x?xf32>"]);
    ok(
        "aten.squeeze.dim",
        &["1x3x1xf32"],
        &[("dim", A::I(-1))],
        &["tensor<1x3xf32>"],
    );
    ok(
        "aten.squeeze.dim",
        &["2x3xf32"],
        &[("dim", A::I(0))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.squeeze.dims",
        &["1x3x1xf32"],
        &[("dim", A::Is(&[0, 2]))],
        &["tensor<3xf32>"],
    );
    ok(
        "aten.unsqueeze",
        &["2x3xf32"],
        &[("dim", A::I(-1))],
        &["tensor<2x3x1xf32>"],
    );
    ok(
        "aten.unsqueeze",
        &["f32"],
        &[("dim", A::I(0))],
        &["tensor<1xf32>"],
    );
    err(
        "aten.unsqueeze",
        &["2x3xf32"],
        &[("dim", A::I(3))],
        "out of range",
    );
    ok(
        "aten.slice.Tensor",
        &["10x4xf32"],
        &[("start", A::I(2)), ("end", A::I(9)), ("step", A::I(3))],
        &["tensor<3x4xf32>"],
    );
    ok(
        "aten.slice.Tensor",
        &["10x4xf32"],
        &[("dim", A::I(1)), ("start", A::I(-2))],
        &["tensor<10x2xf32>"],
    );
    ok(
        "aten.slice.Tensor",
        &["10xf32"],
        &[("end", A::I(9223372036854775807))],
        &["tensor<10xf32>"],
    );
    ok(
        "aten.slice.Tensor",
        &["10xf32"],
        &[("start", A::I(20))],
        &["tensor<0xf32>"],
    );
    ok(
        "aten.slice.Tensor",
        &["?xf32"],
        &[("start", A::I(1))],
        &["tensor<?xf32>"],
    );
    err(
        "aten.slice.Tensor",
        &["10xf32"],
        &[("step", A::I(0))],
        "slice step must be positive",
    );
    ok(
        "aten.select.int",
        &["4x3xf32"],
        &[("dim", A::I(0)), ("index", A::I(-1))],
        &["tensor<3xf32>"],
    );
    err(
        "aten.select.int",
        &["4x3xf32"],
        &[("dim", A::I(0)), ("index", A::I(4))],
        "index 4 is out of range for dimension 0 of size 4",
    );
    ok(
        "aten.as_strided",
        &["12xf32"],
        &[("size", A::Is(&[3, 4])), ("stride", A::Is(&[4, 1]))],
        &["tensor<3x4xf32>"],
    );
    ok("aten.alias", &["3xf32"], &[], &["tensor<3xf32>"]);
    ok("aten.detach", &["3xf32"], &[], &["tensor<3xf32>"]);
    ok(
        "aten.clone",
        &["3xf32"],
        &[("memory_format", A::S("contiguous_format"))],
        &["tensor<3xf32>"],
    );
}

#[test]
fn splits_have_one_result_per_piece() {
    ok(
        "aten.split_with_sizes",
        &["10x4xf32"],
        &[("split_sizes", A::Is(&[3, 7]))],
        &["tensor<3x4xf32>", "tensor<7x4xf32>"],
    );
    err(
        "aten.split_with_sizes",
        &["10x4xf32"],
        &[("split_sizes", A::Is(&[3, 6]))],
        "must sum to 10",
    );
    ok(
        "aten.split.Tensor",
        &["4x10xf32"],
        &[("split_size", A::I(4)), ("dim", A::I(1))],
        &["tensor<4x4xf32>", "tensor<4x4xf32>", "tensor<4x2xf32>"],
    );
    err(
        "aten.split.Tensor",
        &["?xf32"],
        &[("split_size", A::I(4))],
        "dimension 0 is dynamic",
    );
}

#[test]
fn cat_and_stack() {
    ok(
        "aten.cat",
        &["2x3xf32", "4x3xf32"],
        &[],
        &["tensor<6x3xf32>"],
    );
    ok(
        "aten.cat",
        &["2x3xf32", "2x?xf64"],
        &[("dim", A::I(-1))],
        &["tensor<2x?xf64>"],
    );
    ok("aten.cat", &["2x3xf32", "0xf32"], &[], &["tensor<2x3xf32>"]);
    err(
        "aten.cat",
        &["2x3xf32", "2x4xf32"],
        &[],
        "expected 3 but got 4 at dimension 1 for tensor 1",
    );
    err(
        "aten.cat",
        &["2x3xf32", "3xf32"],
        &[],
        "same rank: got 2 and 1",
    );
    err("aten.cat", &[], &[], "non-empty list");
    ok(
        "aten.stack",
        &["2x3xf32", "2x3xf32", "2x3xf32"],
        &[("dim", A::I(1))],
        &["tensor<2x3x3xf32>"],
    );
    err(
        "aten.stack",
        &["2x3xf32", "3x3xf32"],
        &[],
        "sizes of tensors must match",
    );
}

#[test]
fn copies_and_indexing() {
    ok(
        "aten._to_copy",
        &["2x3xf32"],
        &[("dtype", A::Dt("bf16"))],
        &["tensor<2x3xbf16>"],
    );
    ok(
        "aten._to_copy",
        &["2x3xf32"],
        &[("device", A::S("cpu")), ("non_blocking", A::B(false))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.copy",
        &["2x3xf32", "3xf64"],
        &[],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten.copy",
        &["3xf32", "2x3xf32"],
        &[],
        "src of shape 2x3 cannot be broadcast to self of shape 3",
    );
    ok(
        "aten.gather",
        &["4x5xf32", "4x2xi64"],
        &[("dim", A::I(1))],
        &["tensor<4x2xf32>"],
    );
    err(
        "aten.gather",
        &["4x5xf32", "4x2xf32"],
        &[("dim", A::I(1))],
        "index must have an integer dtype",
    );
    ok(
        "aten.index.Tensor",
        &["5x6x7xf32", "3xi64", "3xi64"],
        &[],
        &["tensor<3x7xf32>"],
    );
    ok(
        "aten.index.Tensor",
        &["5x6xf32", "5xi1"],
        &[],
        &["tensor<?x6xf32>"],
    );
    err(
        "aten.index.Tensor",
        &["5xf32", "3xi64", "3xi64"],
        &[],
        "too many indices",
    );
    ok(
        "aten.index_put",
        &["5x6xf32", "3xi64", "3x6xf32"],
        &[],
        &["tensor<5x6xf32>"],
    );
    err(
        "aten.index_put",
        &["5x6xf32", "3xi64", "3x6xf64"],
        &[],
        "self and values must have the same dtype",
    );
}

#[test]
fn softmax_family() {
    ok(
        "aten._softmax",
        &["2x3xf32"],
        &[("dim", A::I(1)), ("half_to_float", A::B(false))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten._log_softmax",
        &["2x3xf16"],
        &[("dim", A::I(1)), ("half_to_float", A::B(true))],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten._softmax",
        &["2x3xf32"],
        &[("dim", A::I(2)), ("half_to_float", A::B(false))],
        "out of range",
    );
    err(
        "aten._softmax",
        &["2x3xf32"],
        &[("dim", A::I(1))],
        "requires attribute 'half_to_float' (bool)",
    );
    ok(
        "aten.softmax.int",
        &["2x3xf16"],
        &[("dim", A::I(1)), ("dtype", A::Dt("f32"))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten._softmax_backward_data",
        &["2x3xf32", "2x3xf32"],
        &[("dim", A::I(1)), ("input_dtype", A::Dt("f32"))],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten._log_softmax_backward_data",
        &["2x3xf32", "3x3xf32"],
        &[("dim", A::I(1)), ("input_dtype", A::Dt("f32"))],
        "must have the same shape",
    );
}

#[test]
fn nll_loss() {
    let attrs = [("reduction", A::I(1)), ("ignore_index", A::I(-100))];
    ok(
        "aten.nll_loss_forward",
        &["4x10xf32", "4xi64"],
        &attrs,
        &["tensor<f32>", "tensor<f32>"],
    );
    ok(
        "aten.nll_loss_forward",
        &["4x10xf32", "4xi64", "10xf32"],
        &[("reduction", A::I(0)), ("ignore_index", A::I(-100))],
        &["tensor<4xf32>", "tensor<f32>"],
    );
    err(
        "aten.nll_loss_forward",
        &["4x10xf32", "5xi64"],
        &attrs,
        "size mismatch",
    );
    err(
        "aten.nll_loss_forward",
        &["4x10xf32", "4xf32"],
        &attrs,
        "target must have an integer dtype",
    );
    err(
        "aten.nll_loss_forward",
        &["4x10xf32", "4xi64", "5xf32"],
        &attrs,
        "weight must have one element per class (10)",
    );
    err(
        "aten.nll_loss_forward",
        &["4x10xf32", "4xi64"],
        &[("reduction", A::I(1))],
        "requires attribute 'ignore_index'",
    );
    ok(
        "aten.nll_loss_backward",
        &["f32", "4x10xf32", "4xi64", "f32"],
        &attrs,
        &["tensor<4x10xf32>"],
    );
    err(
        "aten.nll_loss_backward",
        &["4xf32", "4x10xf32", "4xi64", "f32"],
        &attrs,
        "grad_output must have shape ()",
    );
}

#[test]
fn layer_norm() {
    let attrs = [("normalized_shape", A::Is(&[8])), ("eps", A::F(1e-5))];
    ok(
        "aten.native_layer_norm",
        &["2x5x8xf32", "8xf32", "8xf32"],
        &attrs,
        &[
            "tensor<2x5x8xf32>",
            "tensor<2x5x1xf32>",
            "tensor<2x5x1xf32>",
        ],
    );
    ok(
        "aten.native_layer_norm",
        &["2x5x8xf32"],
        &attrs,
        &[
            "tensor<2x5x8xf32>",
            "tensor<2x5x1xf32>",
            "tensor<2x5x1xf32>",
        ],
    );
    err(
        "aten.native_layer_norm",
        &["2x5x8xf32", "8xf32"],
        &attrs,
        "operandSegmentSizes",
    );
    err(
        "aten.native_layer_norm",
        &["2x5x7xf32"],
        &attrs,
        "normalized_shape [8] does not match the trailing dims",
    );
    err(
        "aten.native_layer_norm",
        &["2x5x8xf32", "7xf32", "8xf32"],
        &attrs,
        "weight of shape 7 must have the normalized shape 8",
    );
    ok(
        "aten.native_layer_norm_backward",
        &["2x8xf32", "2x8xf32", "2x1xf32", "2x1xf32", "8xf32", "8xf32"],
        &[
            ("normalized_shape", A::Is(&[8])),
            ("output_mask", A::Bs(&[true, true, true])),
        ],
        &["tensor<2x8xf32>", "tensor<8xf32>", "tensor<8xf32>"],
    );
    err(
        "aten.native_layer_norm_backward",
        &["2x8xf32", "2x8xf32", "2xf32", "2x1xf32", "8xf32", "8xf32"],
        &[
            ("normalized_shape", A::Is(&[8])),
            ("output_mask", A::Bs(&[true, true, true])),
        ],
        "mean of shape 2 must have shape 2x1",
    );
    err(
        "aten.native_layer_norm_backward",
        &["2x8xf32", "2x8xf32", "2x1xf32", "2x1xf32", "8xf32", "8xf32"],
        &[
            ("normalized_shape", A::Is(&[8])),
            ("output_mask", A::Bs(&[true, true])),
        ],
        "'output_mask' must have 3 elements, got 2",
    );
}

#[test]
fn ops_without_a_bool_or_integer_kernel_in_pytorch_refuse_those_dtypes() {
    let no_bool = "bool tensors are not supported";
    err("aten.relu", &["3xi1"], &[], no_bool);
    ok("aten.relu", &["3xi64"], &[], &["tensor<3xi64>"]);
    let threshold = [("threshold", A::F(0.5))];
    err(
        "aten.threshold_backward",
        &["3xi1", "3xi1"],
        &threshold,
        no_bool,
    );
    ok(
        "aten.threshold_backward",
        &["3xi64", "3xi64"],
        &[("threshold", A::I(0))],
        &["tensor<3xi64>"],
    );
    for op in [
        "aten._adaptive_avg_pool2d_backward",
        "aten._adaptive_avg_pool3d_backward",
    ] {
        let (g, x) = if op.contains("2d") {
            ("1x2x2x2xi64", "1x2x4x4xi64")
        } else {
            ("1x1x2x2x2xi64", "1x1x4x4x4xi64")
        };
        err(
            op,
            &[g, x],
            &[],
            "self must have a floating-point dtype, got i64",
        );
    }
}

#[test]
fn batch_norm() {
    let attrs = [
        ("training", A::B(true)),
        ("momentum", A::F(0.1)),
        ("eps", A::F(1e-5)),
    ];
    ok(
        "aten._native_batch_norm_legit_functional",
        &["2x3x4x4xf32", "3xf32", "3xf32", "3xf32", "3xf32"],
        &attrs,
        &[
            "tensor<2x3x4x4xf32>",
            "tensor<3xf32>",
            "tensor<3xf32>",
            "tensor<3xf32>",
            "tensor<3xf32>",
        ],
    );
    ok(
        "aten.native_batch_norm",
        &["2x3x4xf32", "3xf32", "3xf32", "3xf32", "3xf32"],
        &[
            ("training", A::B(false)),
            ("momentum", A::F(0.1)),
            ("eps", A::F(1e-5)),
        ],
        &["tensor<2x3x4xf32>", "tensor<0xf32>", "tensor<0xf32>"],
    );
    ok(
        "aten._native_batch_norm_legit_no_training",
        &["2x3xf32", "3xf32", "3xf32"],
        &[("momentum", A::F(0.1)), ("eps", A::F(1e-5))],
        &["tensor<2x3xf32>", "tensor<0xf32>", "tensor<0xf32>"],
    );
    err(
        "aten._native_batch_norm_legit_functional",
        &["2x3x4x4xf32", "3xf32", "3xf32", "4xf32", "3xf32"],
        &attrs,
        "running_mean must have one element per channel (3), got shape 4",
    );
    ok(
        "aten.native_batch_norm_backward",
        &[
            "2x3x4xf32",
            "2x3x4xf32",
            "3xf32",
            "3xf32",
            "3xf32",
            "3xf32",
            "3xf32",
        ],
        &[
            ("train", A::B(true)),
            ("eps", A::F(1e-5)),
            ("output_mask", A::Bs(&[true, true, true])),
        ],
        &["tensor<2x3x4xf32>", "tensor<3xf32>", "tensor<3xf32>"],
    );
}

#[test]
fn convolution() {
    let conv = |stride: &'static [i64], padding: &'static [i64], groups: i64| {
        [
            ("stride", A::Is(stride)),
            ("padding", A::Is(padding)),
            ("dilation", A::Is(&[1])),
            ("transposed", A::B(false)),
            ("output_padding", A::Is(&[0])),
            ("groups", A::I(groups)),
        ]
    };
    ok(
        "aten.convolution",
        &["2x3x8x8xf32", "16x3x3x3xf32", "16xf32"],
        &conv(&[1], &[1], 1),
        &["tensor<2x16x8x8xf32>"],
    );
    ok(
        "aten.convolution",
        &["2x4x9x9xf32", "8x2x3x3xf32"],
        &conv(&[2, 2], &[0, 0], 2),
        &["tensor<2x8x4x4xf32>"],
    );
    ok(
        "aten.convolution",
        &["3x8xf32", "6x3x3xf32"],
        &conv(&[1], &[0], 1),
        &["tensor<6x6xf32>"],
    );
    err(
        "aten.convolution",
        &["2x4x8x8xf32", "16x3x3x3xf32"],
        &conv(&[1], &[1], 1),
        "has 4 channels, but weight of shape 16x3x3x3 with groups=1 expects 3",
    );
    err(
        "aten.convolution",
        &["2x3x8x8xf32", "16x3x3x3xf32", "8xf32"],
        &conv(&[1], &[1], 1),
        "bias must have one element per output channel (16)",
    );
    err(
        "aten.convolution",
        &["2x3x2x2xf32", "16x3x3x3xf32"],
        &conv(&[1], &[0], 1),
        "too small",
    );
    let mut transposed = conv(&[2], &[1], 1);
    transposed[3] = ("transposed", A::B(true));
    transposed[4] = ("output_padding", A::Is(&[1]));
    ok(
        "aten.convolution",
        &["2x16x4x4xf32", "16x8x3x3xf32"],
        &transposed,
        &["tensor<2x8x8x8xf32>"],
    );
    let mut backward = conv(&[1], &[1], 1).to_vec();
    backward.push(("bias_sizes", A::Is(&[16])));
    backward.push(("output_mask", A::Bs(&[true, true, true])));
    ok(
        "aten.convolution_backward",
        &["2x16x8x8xf32", "2x3x8x8xf32", "16x3x3x3xf32"],
        &backward,
        &[
            "tensor<2x3x8x8xf32>",
            "tensor<16x3x3x3xf32>",
            "tensor<16xf32>",
        ],
    );
    err(
        "aten.convolution_backward",
        &["2x16x7x8xf32", "2x3x8x8xf32", "16x3x3x3xf32"],
        &backward,
        "grad_output of shape 2x16x7x8 must have the convolution's output shape 2x16x8x8",
    );
}

#[test]
fn max_pool() {
    ok(
        "aten.max_pool2d_with_indices",
        &["2x3x8x8xf32"],
        &[("kernel_size", A::Is(&[2, 2])), ("stride", A::Is(&[2, 2]))],
        &["tensor<2x3x4x4xf32>", "tensor<2x3x4x4xi64>"],
    );
    ok(
        "aten.max_pool2d_with_indices",
        &["3x7x7xf32"],
        &[
            ("kernel_size", A::Is(&[3])),
            ("stride", A::Is(&[2])),
            ("padding", A::I(1)),
            ("ceil_mode", A::B(true)),
        ],
        &["tensor<3x4x4xf32>", "tensor<3x4x4xi64>"],
    );
    err(
        "aten.max_pool2d_with_indices",
        &["2x3x8x8xf32"],
        &[("kernel_size", A::Is(&[3])), ("padding", A::I(2))],
        "pad should be at most half of the kernel size",
    );
    err(
        "aten.max_pool2d_with_indices",
        &["8x8xf32"],
        &[("kernel_size", A::Is(&[2]))],
        "self must have rank 3 or 4",
    );
    let attrs = [
        ("kernel_size", A::Is(&[2, 2])),
        ("stride", A::Is(&[2, 2])),
        ("padding", A::Is(&[0, 0])),
        ("dilation", A::Is(&[1, 1])),
        ("ceil_mode", A::B(false)),
    ];
    ok(
        "aten.max_pool2d_with_indices_backward",
        &["2x3x4x4xf32", "2x3x8x8xf32", "2x3x4x4xi64"],
        &attrs,
        &["tensor<2x3x8x8xf32>"],
    );
    err(
        "aten.max_pool2d_with_indices_backward",
        &["2x3x4x4xf32", "2x3x8x8xf32", "2x3x4x3xi64"],
        &attrs,
        "indices of shape 2x3x4x3 must have the pooling output shape 2x3x4x4",
    );
}

#[test]
fn embedding() {
    ok(
        "aten.embedding",
        &["10x4xf32", "2x3xi64"],
        &[],
        &["tensor<2x3x4xf32>"],
    );
    err(
        "aten.embedding",
        &["10x4xf32", "2x3xf32"],
        &[],
        "indices must have an integer dtype",
    );
    ok(
        "aten.embedding_dense_backward",
        &["2x3x4xf32", "2x3xi64"],
        &[
            ("num_weights", A::I(10)),
            ("padding_idx", A::I(-1)),
            ("scale_grad_by_freq", A::B(false)),
        ],
        &["tensor<10x4xf32>"],
    );
}

#[test]
fn randomness() {
    ok(
        "aten.native_dropout",
        &["2x3xf32"],
        &[("p", A::F(0.5)), ("train", A::B(true))],
        &["tensor<2x3xf32>", "tensor<2x3xi1>"],
    );
    err(
        "aten.native_dropout",
        &["2x3xf32"],
        &[("p", A::F(1.5))],
        "between 0 and 1, got 1.5",
    );
    ok(
        "aten.native_dropout_backward",
        &["2x3xf32", "2x3xi1"],
        &[("scale", A::F(2.0))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.bernoulli.p",
        &["2xf32"],
        &[("p", A::F(0.5))],
        &["tensor<2xf32>"],
    );
    ok(
        "aten.rand",
        &[],
        &[("size", A::Is(&[2, 3]))],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten.randn",
        &[],
        &[("size", A::Is(&[2])), ("dtype", A::Dt("i64"))],
        "floating-point dtype",
    );
}

#[test]
fn factories() {
    ok(
        "aten.full",
        &[],
        &[("size", A::Is(&[2, 3])), ("fill_value", A::F(1.0))],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.full",
        &[],
        &[("size", A::Is(&[2])), ("fill_value", A::I(1))],
        &["tensor<2xi64>"],
    );
    ok(
        "aten.full",
        &[],
        &[("size", A::Is(&[2])), ("fill_value", A::B(true))],
        &["tensor<2xi1>"],
    );
    ok(
        "aten.full",
        &[],
        &[
            ("size", A::Is(&[])),
            ("fill_value", A::I(1)),
            ("dtype", A::Dt("f16")),
        ],
        &["tensor<f16>"],
    );
    err(
        "aten.full",
        &[],
        &[("size", A::Is(&[-1, 3])), ("fill_value", A::I(0))],
        "size [-1, 3] has a negative dimension -1",
    );
    ok(
        "aten.zeros",
        &[],
        &[("size", A::Is(&[4]))],
        &["tensor<4xf32>"],
    );
    ok(
        "aten.ones",
        &[],
        &[("size", A::Is(&[4])), ("dtype", A::Dt("i32"))],
        &["tensor<4xi32>"],
    );
    ok(
        "aten.empty.memory_format",
        &[],
        &[("size", A::Is(&[4]))],
        &["tensor<4xf32>"],
    );
    ok(
        "aten.scalar_tensor",
        &[],
        &[("s", A::I(3))],
        &["tensor<f32>"],
    );
    ok("aten.arange", &[], &[("end", A::I(5))], &["tensor<5xi64>"]);
    ok(
        "aten.arange.start",
        &[],
        &[("start", A::I(2)), ("end", A::F(5.5))],
        &["tensor<4xf32>"],
    );
    ok(
        "aten.arange.start_step",
        &[],
        &[("start", A::I(10)), ("end", A::I(0)), ("step", A::I(-3))],
        &["tensor<4xi64>"],
    );
    err(
        "aten.arange.start_step",
        &[],
        &[("start", A::I(0)), ("end", A::I(5)), ("step", A::I(0))],
        "step must be nonzero",
    );
    err(
        "aten.arange.start_step",
        &[],
        &[("start", A::I(0)), ("end", A::I(5)), ("step", A::I(-1))],
        "inconsistent with step sign",
    );
    ok("aten.zeros_like", &["2x?xf32"], &[], &["tensor<2x?xf32>"]);
    ok(
        "aten.full_like",
        &["2xf32"],
        &[("fill_value", A::I(7)), ("dtype", A::Dt("i64"))],
        &["tensor<2xi64>"],
    );
}

#[test]
fn in_place_ops_return_self_and_must_fit_it() {
    ok(
        "aten.add_.Tensor",
        &["2x3xf32", "3xf32"],
        &[],
        &["tensor<2x3xf32>"],
    );
    ok(
        "aten.mul_.Tensor",
        &["2x3xf32", "3xf64"],
        &[],
        &["tensor<2x3xf32>"],
    );
    err(
        "aten.add_.Tensor",
        &["3xf32", "2x3xf32"],
        &[],
        "output with shape 3 doesn't match the broadcast shape 2x3",
    );
    err(
        "aten.div_.Tensor",
        &["3xi64", "3xi64"],
        &[],
        "result type f32 can't be cast to the desired output type i64",
    );
    err(
        "aten.add_.Tensor",
        &["3xi64", "3xf32"],
        &[],
        "can't be cast",
    );
    ok(
        "aten.copy_",
        &["2x3xf32", "3xi64"],
        &[],
        &["tensor<2x3xf32>"],
    );
    ok("aten.zero_", &["2x3xf32"], &[], &["tensor<2x3xf32>"]);
    ok(
        "aten.index_put_",
        &["5x6xf32", "3xi64", "6xf32"],
        &[("accumulate", A::B(true))],
        &["tensor<5x6xf32>"],
    );
}

#[test]
fn attribute_kinds_and_names_are_checked() {
    ok(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dim", A::I(0))],
        &["tensor<2xf32>"],
    );
    err(
        "aten.permute",
        &["4x2xf32"],
        &[("dims", A::I(0))],
        "attribute 'dims' must be an array of integers for schema type int[], got an integer",
    );
    err(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("keepdim", A::I(1))],
        "attribute 'keepdim' must be a boolean",
    );
    err(
        "aten.sum.dim_IntList",
        &["4x2xf32"],
        &[("dims", A::Is(&[0]))],
        "unknown attribute 'dims' (the schema's attributes are: dim, keepdim, dtype)",
    );
    err(
        "aten.relu",
        &["4xf32"],
        &[("alpha", A::I(0))],
        "unknown attribute 'alpha' (the schema's attributes are: none)",
    );
    err(
        "aten.add.Tensor",
        &["4xf32"],
        &[],
        "expects 2 operand(s) (Tensor self, Tensor other), got 1",
    );
    err(
        "aten.add.Tensor",
        &["4xf32", "4xf32"],
        &[("alpha", A::S("two"))],
        "attribute 'alpha' must be an integer, float or boolean",
    );
    err(
        "aten._to_copy",
        &["4xf32"],
        &[("dtype", A::S("float32"))],
        "attribute 'dtype' must be a dtype",
    );
    err(
        "aten.add.Tensor",
        &["4xf32", "4xf32"],
        &[("self", A::I(1))],
        "'self' is a tensor argument and must be an operand",
    );
    err(
        "aten.frobnicate",
        &["4xf32"],
        &[],
        "'aten.frobnicate' is not an aten op",
    );
    // Attributes of other dialects pass through unchecked.
    ok(
        "aten.relu",
        &["4xf32"],
        &[("aot.note", A::I(1))],
        &["tensor<4xf32>"],
    );
    // int[N] takes one integer for all N.
    ok(
        "aten.max_pool2d_with_indices",
        &["1x1x4x4xf32"],
        &[("kernel_size", A::I(2))],
        &["tensor<1x1x2x2xf32>", "tensor<1x1x2x2xi64>"],
    );
}

#[test]
fn pool3d_and_sliding_blocks() {
    ok(
        "aten.max_pool3d_with_indices",
        &["2x3x5x6x7xf32"],
        &[
            ("kernel_size", A::Is(&[3, 2, 3])),
            ("stride", A::Is(&[2])),
            ("padding", A::Is(&[1, 0, 1])),
            ("ceil_mode", A::B(true)),
        ],
        &["tensor<2x3x3x3x4xf32>", "tensor<2x3x3x3x4xi64>"],
    );
    err(
        "aten.max_pool3d_with_indices",
        &["3x6x7xf32"],
        &[("kernel_size", A::Is(&[2]))],
        "self must have rank 4 or 5",
    );
    ok(
        "aten.avg_pool3d",
        &["3x5x6x7xf32"],
        &[
            ("kernel_size", A::Is(&[3, 3, 7])),
            ("padding", A::Is(&[1, 1, 0])),
        ],
        &["tensor<3x2x2x1xf32>"],
    );
    ok(
        "aten._adaptive_avg_pool3d",
        &["2x3x5x6x7xf32"],
        &[("output_size", A::Is(&[2, 3, 4]))],
        &["tensor<2x3x2x3x4xf32>"],
    );
    err(
        "aten._adaptive_avg_pool3d",
        &["2x3x5x6x7xf32"],
        &[("output_size", A::Is(&[2, 3]))],
        "output_size must be 3 non-negative sizes",
    );
    err(
        "aten._adaptive_avg_pool3d_backward",
        &["2x4x2x3x4xf32", "2x3x5x6x7xf32"],
        &[],
        "does not match self",
    );
    let blocks = [
        ("kernel_size", A::Is(&[2, 3])),
        ("dilation", A::Is(&[1, 1])),
        ("padding", A::Is(&[1, 0])),
        ("stride", A::Is(&[2, 1])),
    ];
    ok(
        "aten.im2col",
        &["2x3x6x7xf32"],
        &blocks,
        &["tensor<2x18x20xf32>"],
    );
    err(
        "aten.im2col",
        &["3x1x1xf32"],
        &[
            ("kernel_size", A::Is(&[3, 3])),
            ("dilation", A::Is(&[1])),
            ("padding", A::Is(&[0])),
            ("stride", A::Is(&[1])),
        ],
        "must be at least one",
    );
    let mut col2im = blocks.to_vec();
    col2im.push(("output_size", A::Is(&[6, 7])));
    ok(
        "aten.col2im",
        &["18x20xf32"],
        &col2im,
        &["tensor<3x6x7xf32>"],
    );
    err(
        "aten.col2im",
        &["2x18x21xf32"],
        &col2im,
        "expected input.size(-1) to be 20 but got 21",
    );
    err(
        "aten.col2im",
        &["2x16x20xf32"],
        &col2im,
        "divisible by the product of kernel_size",
    );
}

/// Found by differential testing (`joinery-graphgen`): PyTorch lets dim 0 name the single
/// element of a 0-d tensor, but ops that cut, select along or transform a dim refuse a
/// 0-d tensor; inference said so with an index out of bounds (a panic) instead.
#[test]
fn ops_that_need_a_dimension_refuse_zero_dim_tensors() {
    let split = [("split_sizes", A::Is(&[1])), ("dim", A::I(0))];
    err(
        "aten.split_with_sizes",
        &["f32"],
        &split,
        "at least a 1-dimensional tensor",
    );
    let split = [("split_size", A::I(1)), ("dim", A::I(0))];
    err(
        "aten.split.Tensor",
        &["f32"],
        &split,
        "at least a 1-dimensional tensor",
    );
    err(
        "aten.unbind.int",
        &["f32"],
        &[("dim", A::I(0))],
        "0-dim tensor",
    );
    let fft = [
        ("dim", A::Is(&[0])),
        ("normalization", A::I(0)),
        ("onesided", A::B(true)),
    ];
    err("aten._fft_r2c", &["f32"], &fft, "at least one dimension");
    // An index into a 0-d tensor holds one value at most, as in PyTorch.
    err(
        "aten.index_select",
        &["f32", "5xi64"],
        &[("dim", A::I(0))],
        "only 1 value",
    );
    ok(
        "aten.index_select",
        &["f32", "1xi64"],
        &[("dim", A::I(0))],
        &["tensor<f32>"],
    );
}

/// Found by differential testing against PyTorch: `mish_backward` keeps `self`'s dtype
/// (PyTorch's CPU kernel does not promote), so an f64 grad with an f32 input gives f32.
#[test]
fn mish_backward_has_the_dtype_of_self() {
    ok(
        "aten.mish_backward",
        &["2xf64", "2xf32"],
        &[],
        &["tensor<2xf32>"],
    );
    ok(
        "aten.mish_backward",
        &["3x2xf32", "f64"],
        &[],
        &["tensor<3x2xf64>"],
    );
}
