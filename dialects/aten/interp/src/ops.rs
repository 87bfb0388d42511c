//! The interpreter entry of every catalogue op: one small function per kernel name of the
//! catalogue's last column, reading the op's arguments by schema name ([`OpArgs`]) and
//! calling the [`kernels`](crate::kernels). The dispatch table is generated from the
//! catalogue, so a catalogue op whose kernel is missing here does not compile.

use crate::eval::OpArgs;
use crate::kernels::nn::Reduction;
use crate::kernels::pointwise::{Compare, FloatUnary, GeluApproximate, RoundingMode, SameUnary};
use crate::kernels::{factory, index, lanes, linalg, nn, pointwise as pw, pool, reduce, shape};
use crate::tensor::{DType, KResult, RuntimeValue, Scalar, Tensor, kerr};
use joinery_aten::ArgValue;

mod geo;
pub(crate) use geo::*;
mod complex;
pub(crate) use complex::*;

/// What an op evaluates to: one value per result.
pub(crate) type Results = KResult<Vec<RuntimeValue>>;

/// An interpreter kernel: evaluates one op from its arguments.
pub(crate) type Kernel = fn(&OpArgs) -> Results;

fn one(t: Tensor) -> Results {
    Ok(vec![RuntimeValue::Tensor(t)])
}

fn many(ts: impl IntoIterator<Item = Tensor>) -> Results {
    Ok(ts.into_iter().map(RuntimeValue::Tensor).collect())
}

fn optional(ts: [Option<Tensor>; 3]) -> Results {
    Ok(ts.into_iter().map(RuntimeValue::from).collect())
}

fn shape_i64(x: &Tensor) -> Vec<i64> {
    x.shape().iter().map(|&d| d as i64).collect()
}

// ----- pointwise ----------------------------------------------------------------------

fn alpha(a: &OpArgs) -> KResult<Scalar> {
    Ok(a.opt_scalar("alpha")?.unwrap_or(Scalar::Int(1)))
}

pub(crate) fn add(a: &OpArgs) -> Results {
    one(pw::add(a.operand("self")?, a.operand("other")?, alpha(a)?)?)
}

pub(crate) fn sub(a: &OpArgs) -> Results {
    one(pw::sub(a.operand("self")?, a.operand("other")?, alpha(a)?)?)
}

pub(crate) fn mul(a: &OpArgs) -> Results {
    one(pw::mul(a.operand("self")?, a.operand("other")?)?)
}

pub(crate) fn div(a: &OpArgs) -> Results {
    one(pw::div(
        a.operand("self")?,
        a.operand("other")?,
        RoundingMode::True,
    )?)
}

pub(crate) fn div_mode(a: &OpArgs) -> Results {
    let mode = match a.value("rounding_mode")?.as_str() {
        None => RoundingMode::True,
        Some("trunc") => RoundingMode::Trunc,
        Some("floor") => RoundingMode::Floor,
        Some(m) => {
            return kerr(format!(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{m}'"
            ));
        }
    };
    one(pw::div(a.operand("self")?, a.operand("other")?, mode)?)
}

pub(crate) fn maximum(a: &OpArgs) -> Results {
    one(pw::extremum(a.operand("self")?, a.operand("other")?, true)?)
}

pub(crate) fn minimum(a: &OpArgs) -> Results {
    one(pw::extremum(
        a.operand("self")?,
        a.operand("other")?,
        false,
    )?)
}

pub(crate) fn pow(a: &OpArgs) -> Results {
    one(pw::pow(a.operand("self")?, a.operand("exponent")?)?)
}

pub(crate) fn where_self(a: &OpArgs) -> Results {
    one(pw::where_(
        a.tensor("condition")?,
        a.operand("self")?,
        a.operand("other")?,
    )?)
}

pub(crate) fn clamp(a: &OpArgs) -> Results {
    one(pw::clamp(
        a.tensor("self")?,
        a.opt_operand("min")?,
        a.opt_operand("max")?,
    )?)
}

pub(crate) fn masked_fill(a: &OpArgs) -> Results {
    one(index::masked_fill(
        a.tensor("self")?,
        a.tensor("mask")?,
        a.scalar("value")?,
    )?)
}

pub(crate) fn threshold_backward(a: &OpArgs) -> Results {
    one(pw::threshold_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.scalar("threshold")?,
    )?)
}

pub(crate) fn tanh_backward(a: &OpArgs) -> Results {
    one(pw::tanh_backward(
        a.tensor("grad_output")?,
        a.tensor("output")?,
    )?)
}

pub(crate) fn sigmoid_backward(a: &OpArgs) -> Results {
    one(pw::sigmoid_backward(
        a.tensor("grad_output")?,
        a.tensor("output")?,
    )?)
}

pub(crate) fn gelu(a: &OpArgs) -> Results {
    one(pw::gelu(
        a.tensor("self")?,
        GeluApproximate::parse(a.str("approximate")?)?,
    )?)
}

pub(crate) fn gelu_backward(a: &OpArgs) -> Results {
    one(pw::gelu_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        GeluApproximate::parse(a.str("approximate")?)?,
    )?)
}

fn compare(a: &OpArgs, pred: Compare) -> Results {
    one(pw::compare(a.operand("self")?, a.operand("other")?, pred)?)
}

pub(crate) fn eq(a: &OpArgs) -> Results {
    compare(a, Compare::Eq)
}

pub(crate) fn ne(a: &OpArgs) -> Results {
    compare(a, Compare::Ne)
}

pub(crate) fn lt(a: &OpArgs) -> Results {
    compare(a, Compare::Lt)
}

pub(crate) fn le(a: &OpArgs) -> Results {
    compare(a, Compare::Le)
}

pub(crate) fn gt(a: &OpArgs) -> Results {
    compare(a, Compare::Gt)
}

pub(crate) fn ge(a: &OpArgs) -> Results {
    compare(a, Compare::Ge)
}

pub(crate) fn logical_not(a: &OpArgs) -> Results {
    one(pw::logical_not(a.tensor("self")?))
}

fn same_unary(a: &OpArgs, f: SameUnary) -> Results {
    one(pw::same_unary(a.tensor("self")?, f)?)
}

fn float_unary(a: &OpArgs, f: FloatUnary) -> Results {
    one(pw::float_unary(a.tensor("self")?, f))
}

/// Kernels that apply one [`SameUnary`] or [`FloatUnary`] op to `self`.
macro_rules! unary_kernels {
    ($($name:ident => $apply:ident($op:expr);)*) => {
        $(pub(crate) fn $name(a: &OpArgs) -> Results { $apply(a, $op) })*
    };
}

unary_kernels! {
    relu => same_unary(SameUnary::Relu);
    sign => same_unary(SameUnary::Sign);
    exp => float_unary(FloatUnary::Exp);
    log => float_unary(FloatUnary::Log);
    tanh => float_unary(FloatUnary::Tanh);
    sigmoid => float_unary(FloatUnary::Sigmoid);
    sqrt => float_unary(FloatUnary::Sqrt);
    rsqrt => float_unary(FloatUnary::Rsqrt);
    reciprocal => float_unary(FloatUnary::Reciprocal);
    sin => float_unary(FloatUnary::Sin);
    cos => float_unary(FloatUnary::Cos);
    erf => float_unary(FloatUnary::Erf);
    log1p => float_unary(FloatUnary::Log1p);
    expm1 => float_unary(FloatUnary::Expm1);
    tan => float_unary(FloatUnary::Tan);
    asin => float_unary(FloatUnary::Asin);
    acos => float_unary(FloatUnary::Acos);
    atan => float_unary(FloatUnary::Atan);
    sinh => float_unary(FloatUnary::Sinh);
    cosh => float_unary(FloatUnary::Cosh);
    asinh => float_unary(FloatUnary::Asinh);
    acosh => float_unary(FloatUnary::Acosh);
    atanh => float_unary(FloatUnary::Atanh);
    log2 => float_unary(FloatUnary::Log2);
    log10 => float_unary(FloatUnary::Log10);
    floor => same_unary(SameUnary::Floor);
    ceil => same_unary(SameUnary::Ceil);
    round => same_unary(SameUnary::Round);
    trunc => same_unary(SameUnary::Trunc);
}

pub(crate) fn rsub(a: &OpArgs) -> Results {
    one(pw::rsub(
        a.operand("self")?,
        a.operand("other")?,
        alpha(a)?,
    )?)
}

pub(crate) fn atan2(a: &OpArgs) -> Results {
    one(pw::atan2(a.tensor("self")?, a.tensor("other")?)?)
}

pub(crate) fn fmod(a: &OpArgs) -> Results {
    one(pw::fmod(a.operand("self")?, a.operand("other")?)?)
}

pub(crate) fn remainder(a: &OpArgs) -> Results {
    one(pw::remainder(a.operand("self")?, a.operand("other")?)?)
}

fn bitwise(a: &OpArgs, f: fn(i64, i64) -> i64) -> Results {
    one(pw::bitwise(a.operand("self")?, a.operand("other")?, f)?)
}

pub(crate) fn bitwise_and(a: &OpArgs) -> Results {
    bitwise(a, |x, y| x & y)
}

pub(crate) fn bitwise_or(a: &OpArgs) -> Results {
    bitwise(a, |x, y| x | y)
}

pub(crate) fn bitwise_xor(a: &OpArgs) -> Results {
    bitwise(a, |x, y| x ^ y)
}

pub(crate) fn bitwise_not(a: &OpArgs) -> Results {
    one(pw::bitwise_not(a.tensor("self")?)?)
}

fn logical(a: &OpArgs, f: fn(bool, bool) -> bool) -> Results {
    one(pw::logical(a.tensor("self")?, a.tensor("other")?, f)?)
}

pub(crate) fn logical_and(a: &OpArgs) -> Results {
    logical(a, |x, y| x && y)
}

pub(crate) fn logical_or(a: &OpArgs) -> Results {
    logical(a, |x, y| x || y)
}

pub(crate) fn logical_xor(a: &OpArgs) -> Results {
    logical(a, |x, y| x != y)
}

pub(crate) fn isinf(a: &OpArgs) -> Results {
    one(pw::float_test(a.tensor("self")?, f64::is_infinite))
}

pub(crate) fn isnan(a: &OpArgs) -> Results {
    one(pw::float_test(a.tensor("self")?, f64::is_nan))
}

// ----- activations --------------------------------------------------------------------

/// A `Scalar` argument as a float.
fn num(a: &OpArgs, name: &str) -> KResult<f64> {
    Ok(a.scalar(name)?.to_f64())
}

fn forward(a: &OpArgs, f: impl Fn(f64) -> f64) -> Results {
    one(pw::activation(a.tensor("self")?, f)?)
}

fn backward(a: &OpArgs, input: &str, f: impl Fn(f64, f64) -> f64) -> Results {
    one(pw::activation_backward(
        a.tensor("grad_output")?,
        a.tensor(input)?,
        f,
    )?)
}

pub(crate) fn silu(a: &OpArgs) -> Results {
    one(pw::silu(a.tensor("self")?)?)
}

pub(crate) fn silu_backward(a: &OpArgs) -> Results {
    one(pw::silu_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
    )?)
}

pub(crate) fn elu(a: &OpArgs) -> Results {
    let (alpha, scale, input_scale) = (num(a, "alpha")?, num(a, "scale")?, num(a, "input_scale")?);
    forward(a, |x| {
        if x > 0.0 {
            scale * x
        } else {
            scale * alpha * (x * input_scale).exp_m1()
        }
    })
}

pub(crate) fn elu_backward(a: &OpArgs) -> Results {
    let (alpha, scale, input_scale) = (num(a, "alpha")?, num(a, "scale")?, num(a, "input_scale")?);
    let is_result = a.bool("is_result")?;
    // PyTorch's kernel tests `v <= 0` for the negative branch: a NaN takes the positive one.
    backward(a, "self_or_result", |g, v| match (is_result, v <= 0.0) {
        (_, false) => g * scale,
        (true, true) => g * input_scale * (v + scale * alpha),
        (false, true) => g * input_scale * scale * alpha * (v * input_scale).exp(),
    })
}

pub(crate) fn leaky_relu(a: &OpArgs) -> Results {
    let slope = num(a, "negative_slope")?;
    forward(a, |x| if x > 0.0 { x } else { x * slope })
}

pub(crate) fn leaky_relu_backward(a: &OpArgs) -> Results {
    let slope = num(a, "negative_slope")?;
    backward(a, "self", |g, x| if x > 0.0 { g } else { g * slope })
}

pub(crate) fn hardtanh(a: &OpArgs) -> Results {
    one(pw::hardtanh(
        a.tensor("self")?,
        a.scalar("min_val")?,
        a.scalar("max_val")?,
    )?)
}

pub(crate) fn hardtanh_backward(a: &OpArgs) -> Results {
    let (lo, hi) = (num(a, "min_val")?, num(a, "max_val")?);
    backward(a, "self", |g, x| if x <= lo || x >= hi { 0.0 } else { g })
}

pub(crate) fn hardswish(a: &OpArgs) -> Results {
    forward(a, |x| x * (x + 3.0).clamp(0.0, 6.0) / 6.0)
}

pub(crate) fn hardswish_backward(a: &OpArgs) -> Results {
    backward(a, "self", |g, x| {
        if x < -3.0 {
            0.0
        } else if x <= 3.0 {
            g * (x / 3.0 + 0.5)
        } else {
            g
        }
    })
}

pub(crate) fn hardsigmoid(a: &OpArgs) -> Results {
    forward(a, |x| (x + 3.0).clamp(0.0, 6.0) / 6.0)
}

pub(crate) fn hardsigmoid_backward(a: &OpArgs) -> Results {
    backward(
        a,
        "self",
        |g, x| {
            if x > -3.0 && x < 3.0 { g / 6.0 } else { 0.0 }
        },
    )
}

pub(crate) fn mish(a: &OpArgs) -> Results {
    forward(a, |x| x * pw::softplus(x, 1.0, 20.0).tanh())
}

/// PyTorch's CPU kernel writes into a tensor of `self`'s dtype: the result is not promoted.
pub(crate) fn mish_backward(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    let grad = pw::activation_backward(a.tensor("grad_output")?, x, |g, x| {
        let t = pw::softplus(x, 1.0, 20.0).tanh();
        g * (t + x * pw::sigmoid(x) * (1.0 - t * t))
    })?;
    one(grad.cast(x.dtype()))
}

pub(crate) fn softplus(a: &OpArgs) -> Results {
    let (beta, threshold) = (num(a, "beta")?, num(a, "threshold")?);
    forward(a, |x| pw::softplus(x, beta, threshold))
}

pub(crate) fn softplus_backward(a: &OpArgs) -> Results {
    let (beta, threshold) = (num(a, "beta")?, num(a, "threshold")?);
    backward(a, "self", |g, x| {
        if x * beta > threshold {
            g
        } else {
            g * pw::sigmoid(x * beta)
        }
    })
}

pub(crate) fn zero(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    one(factory::full(&shape_i64(x), Scalar::Int(0), x.dtype())?)
}

pub(crate) fn fill(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    one(factory::full(&shape_i64(x), a.scalar("value")?, x.dtype())?)
}

// ----- reductions ---------------------------------------------------------------------

fn amax_amin(a: &OpArgs, max: bool) -> Results {
    one(reduce::amax(
        a.tensor("self")?,
        &a.ints("dim")?,
        a.bool("keepdim")?,
        max,
    )?)
}

pub(crate) fn amax(a: &OpArgs) -> Results {
    amax_amin(a, true)
}

pub(crate) fn amin(a: &OpArgs) -> Results {
    amax_amin(a, false)
}

fn var_and_mean(a: &OpArgs) -> KResult<(Tensor, Tensor)> {
    let correction = a.opt_scalar("correction")?.map_or(1.0, Scalar::to_f64);
    reduce::var_mean(
        a.tensor("self")?,
        a.opt_ints("dim")?.as_deref(),
        correction,
        a.bool("keepdim")?,
    )
}

pub(crate) fn var(a: &OpArgs) -> Results {
    one(var_and_mean(a)?.0)
}

pub(crate) fn var_mean(a: &OpArgs) -> Results {
    let (var, mean) = var_and_mean(a)?;
    many([var, mean])
}

fn extremum_dim(a: &OpArgs, max: bool) -> Results {
    let (v, i) = index::max_dim(a.tensor("self")?, a.int("dim")?, a.bool("keepdim")?, max)?;
    many([v, i])
}

pub(crate) fn max_dim(a: &OpArgs) -> Results {
    extremum_dim(a, true)
}

pub(crate) fn min_dim(a: &OpArgs) -> Results {
    extremum_dim(a, false)
}

fn arg_extremum(a: &OpArgs, max: bool) -> Results {
    one(reduce::argmax(
        a.tensor("self")?,
        a.opt_int("dim")?,
        a.bool("keepdim")?,
        max,
    )?)
}

pub(crate) fn argmax(a: &OpArgs) -> Results {
    arg_extremum(a, true)
}

pub(crate) fn argmin(a: &OpArgs) -> Results {
    arg_extremum(a, false)
}

// ----- linear algebra -----------------------------------------------------------------

pub(crate) fn mm(a: &OpArgs) -> Results {
    one(linalg::mm(a.tensor("self")?, a.tensor("mat2")?)?)
}

pub(crate) fn bmm(a: &OpArgs) -> Results {
    one(linalg::bmm(a.tensor("self")?, a.tensor("mat2")?)?)
}

pub(crate) fn addmm(a: &OpArgs) -> Results {
    one(linalg::addmm(
        a.tensor("self")?,
        a.tensor("mat1")?,
        a.tensor("mat2")?,
        a.scalar("beta")?,
        a.scalar("alpha")?,
    )?)
}

// ----- views and shapes ---------------------------------------------------------------

pub(crate) fn view(a: &OpArgs) -> Results {
    one(shape::reshape(a.tensor("self")?, &a.ints("size")?)?)
}

pub(crate) fn reshape(a: &OpArgs) -> Results {
    one(shape::reshape(a.tensor("self")?, &a.ints("shape")?)?)
}

pub(crate) fn t(a: &OpArgs) -> Results {
    one(shape::t(a.tensor("self")?)?)
}

pub(crate) fn transpose(a: &OpArgs) -> Results {
    one(shape::transpose(
        a.tensor("self")?,
        a.int("dim0")?,
        a.int("dim1")?,
    )?)
}

pub(crate) fn permute(a: &OpArgs) -> Results {
    one(shape::permute(a.tensor("self")?, &a.ints("dims")?)?)
}

pub(crate) fn expand(a: &OpArgs) -> Results {
    one(shape::expand(a.tensor("self")?, &a.ints("size")?)?)
}

pub(crate) fn squeeze(a: &OpArgs) -> Results {
    one(shape::squeeze(a.tensor("self")?, None)?)
}

pub(crate) fn squeeze_dim(a: &OpArgs) -> Results {
    one(shape::squeeze(a.tensor("self")?, Some(&[a.int("dim")?]))?)
}

pub(crate) fn squeeze_dims(a: &OpArgs) -> Results {
    one(shape::squeeze(a.tensor("self")?, Some(&a.ints("dim")?))?)
}

pub(crate) fn unsqueeze(a: &OpArgs) -> Results {
    one(shape::unsqueeze(a.tensor("self")?, a.int("dim")?)?)
}

fn slice_of(a: &OpArgs, x: &Tensor) -> KResult<Tensor> {
    shape::slice(
        x,
        a.int("dim")?,
        a.opt_int("start")?,
        a.opt_int("end")?,
        a.int("step")?,
    )
}

fn select_of(a: &OpArgs, x: &Tensor) -> KResult<Tensor> {
    shape::select(x, a.int("dim")?, a.int("index")?)
}

fn as_strided_of(a: &OpArgs, x: &Tensor) -> KResult<Tensor> {
    index::as_strided(
        x,
        &a.ints("size")?,
        &a.ints("stride")?,
        a.opt_int("storage_offset")?.unwrap_or(0),
    )
}

pub(crate) fn slice(a: &OpArgs) -> Results {
    one(slice_of(a, a.tensor("self")?)?)
}

pub(crate) fn select(a: &OpArgs) -> Results {
    one(select_of(a, a.tensor("self")?)?)
}

pub(crate) fn as_strided(a: &OpArgs) -> Results {
    one(as_strided_of(a, a.tensor("self")?)?)
}

pub(crate) fn split_with_sizes(a: &OpArgs) -> Results {
    many(shape::split_with_sizes(
        a.tensor("self")?,
        &a.ints("split_sizes")?,
        a.int("dim")?,
    )?)
}

pub(crate) fn split(a: &OpArgs) -> Results {
    many(shape::split(
        a.tensor("self")?,
        a.int("split_size")?,
        a.int("dim")?,
    )?)
}

pub(crate) fn slice_scatter(a: &OpArgs) -> Results {
    one(shape::view_scatter(
        a.tensor("self")?,
        a.tensor("src")?,
        |x| slice_of(a, x),
    )?)
}

pub(crate) fn select_scatter(a: &OpArgs) -> Results {
    one(shape::view_scatter(
        a.tensor("self")?,
        a.tensor("src")?,
        |x| select_of(a, x),
    )?)
}

pub(crate) fn as_strided_scatter(a: &OpArgs) -> Results {
    one(shape::view_scatter(
        a.tensor("self")?,
        a.tensor("src")?,
        |x| as_strided_of(a, x),
    )?)
}

/// `alias`, `detach`, `clone`: the value itself.
pub(crate) fn identity(a: &OpArgs) -> Results {
    one(a.tensor("self")?.clone())
}

pub(crate) fn cat(a: &OpArgs) -> Results {
    one(shape::cat(&a.tensor_list("tensors")?, a.int("dim")?)?)
}

pub(crate) fn stack(a: &OpArgs) -> Results {
    one(shape::stack(&a.tensor_list("tensors")?, a.int("dim")?)?)
}

pub(crate) fn to_copy(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    one(x.cast(a.dtype("dtype")?.unwrap_or(x.dtype())))
}

pub(crate) fn copy(a: &OpArgs) -> Results {
    one(shape::copy(a.tensor("self")?, a.tensor("src")?)?)
}

// ----- indexing -----------------------------------------------------------------------

pub(crate) fn gather(a: &OpArgs) -> Results {
    one(index::gather(
        a.tensor("self")?,
        a.int("dim")?,
        a.tensor("index")?,
    )?)
}

pub(crate) fn index(a: &OpArgs) -> Results {
    one(index::index(
        a.tensor("self")?,
        &a.opt_tensor_list("indices")?,
    )?)
}

pub(crate) fn index_put(a: &OpArgs) -> Results {
    one(index::index_put(
        a.tensor("self")?,
        &a.opt_tensor_list("indices")?,
        a.tensor("values")?,
        a.bool("accumulate")?,
    )?)
}

// ----- softmax ------------------------------------------------------------------------

/// `self`, cast to the op's `dtype` argument when it has one and it is given.
fn softmax_input(a: &OpArgs) -> KResult<Tensor> {
    let x = a.tensor("self")?;
    Ok(match a.dtype_if("dtype")? {
        Some(d) => x.cast(d),
        None => x.clone(),
    })
}

pub(crate) fn softmax(a: &OpArgs) -> Results {
    one(nn::softmax(&softmax_input(a)?, a.int("dim")?)?)
}

pub(crate) fn log_softmax(a: &OpArgs) -> Results {
    one(nn::log_softmax(&softmax_input(a)?, a.int("dim")?)?)
}

type SoftmaxBackward = fn(&Tensor, &Tensor, i64, DType) -> KResult<Tensor>;

fn softmax_backward_with(a: &OpArgs, f: SoftmaxBackward) -> Results {
    let grad = a.tensor("grad_output")?;
    let dtype = a.dtype("input_dtype")?.unwrap_or(grad.dtype());
    one(f(grad, a.tensor("output")?, a.int("dim")?, dtype)?)
}

pub(crate) fn softmax_backward(a: &OpArgs) -> Results {
    softmax_backward_with(a, nn::softmax_backward)
}

pub(crate) fn log_softmax_backward(a: &OpArgs) -> Results {
    softmax_backward_with(a, nn::log_softmax_backward)
}

// ----- losses -------------------------------------------------------------------------

pub(crate) fn nll_loss_forward(a: &OpArgs) -> Results {
    let (out, total) = nn::nll_loss_forward(
        a.tensor("self")?,
        a.tensor("target")?,
        a.opt_tensor("weight")?,
        Reduction::from_i64(a.int("reduction")?)?,
        a.int("ignore_index")?,
    )?;
    many([out, total])
}

pub(crate) fn nll_loss_backward(a: &OpArgs) -> Results {
    one(nn::nll_loss_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.tensor("target")?,
        a.opt_tensor("weight")?,
        Reduction::from_i64(a.int("reduction")?)?,
        a.int("ignore_index")?,
        a.tensor("total_weight")?,
    )?)
}

// ----- normalization ------------------------------------------------------------------

pub(crate) fn native_layer_norm(a: &OpArgs) -> Results {
    let (out, mean, rstd) = nn::native_layer_norm(
        a.tensor("input")?,
        &a.ints("normalized_shape")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("bias")?,
        a.float("eps")?,
    )?;
    many([out, mean, rstd])
}

pub(crate) fn native_layer_norm_backward(a: &OpArgs) -> Results {
    optional(nn::native_layer_norm_backward(
        a.tensor("grad_out")?,
        a.tensor("input")?,
        &a.ints("normalized_shape")?,
        a.tensor("mean")?,
        a.tensor("rstd")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("bias")?,
        a.mask3("output_mask")?,
    )?)
}

fn batch_norm_outputs(a: &OpArgs, training: bool) -> KResult<nn::BatchNormOut> {
    nn::batch_norm(
        a.tensor("input")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("bias")?,
        a.opt_tensor("running_mean")?,
        a.opt_tensor("running_var")?,
        training,
        a.float("momentum")?,
        a.float("eps")?,
    )
}

pub(crate) fn batch_norm(a: &OpArgs) -> Results {
    let out = batch_norm_outputs(a, a.bool("training")?)?;
    many([out.output, out.save_mean, out.save_invstd])
}

/// `_native_batch_norm_legit.no_stats`: batch norm without running statistics.
pub(crate) fn batch_norm_no_stats(a: &OpArgs) -> Results {
    let out = nn::batch_norm(
        a.tensor("input")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("bias")?,
        None,
        None,
        a.bool("training")?,
        a.float("momentum")?,
        a.float("eps")?,
    )?;
    many([out.output, out.save_mean, out.save_invstd])
}

pub(crate) fn batch_norm_no_training(a: &OpArgs) -> Results {
    let out = batch_norm_outputs(a, false)?;
    many([out.output, out.save_mean, out.save_invstd])
}

/// `_native_batch_norm_legit_functional`: also returns the updated running statistics.
pub(crate) fn batch_norm_functional(a: &OpArgs) -> Results {
    let out = batch_norm_outputs(a, a.bool("training")?)?;
    let Some((m, v)) = out.running else {
        return kerr("batch norm: running statistics are required");
    };
    many([out.output, out.save_mean, out.save_invstd, m, v])
}

pub(crate) fn batch_norm_backward(a: &OpArgs) -> Results {
    optional(nn::batch_norm_backward(
        a.tensor("grad_out")?,
        a.tensor("input")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("running_mean")?,
        a.opt_tensor("running_var")?,
        a.opt_tensor("save_mean")?,
        a.opt_tensor("save_invstd")?,
        a.bool("train")?,
        a.float("eps")?,
        a.mask3("output_mask")?,
    )?)
}

// ----- convolution, pooling, embedding ------------------------------------------------

pub(crate) fn convolution(a: &OpArgs) -> Results {
    one(nn::convolution(
        a.tensor("input")?,
        a.tensor("weight")?,
        a.opt_tensor("bias")?,
        &a.conv_params()?,
    )?)
}

pub(crate) fn convolution_backward(a: &OpArgs) -> Results {
    optional(nn::convolution_backward(
        a.tensor("grad_output")?,
        a.tensor("input")?,
        a.tensor("weight")?,
        &a.conv_params()?,
        a.mask3("output_mask")?,
    )?)
}

pub(crate) fn max_pool_with_indices(a: &OpArgs) -> Results {
    let (v, i) = pool::max_pool_with_indices(a.tensor("self")?, &a.pool_params()?)?;
    many([v, i])
}

pub(crate) fn max_pool_with_indices_backward(a: &OpArgs) -> Results {
    one(pool::max_pool_with_indices_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        &a.pool_params()?,
        a.tensor("indices")?,
    )?)
}

pub(crate) fn embedding(a: &OpArgs) -> Results {
    one(nn::embedding(a.tensor("weight")?, a.tensor("indices")?)?)
}

pub(crate) fn embedding_dense_backward(a: &OpArgs) -> Results {
    one(nn::embedding_dense_backward(
        a.tensor("grad_output")?,
        a.tensor("indices")?,
        a.int("num_weights")?,
        a.int("padding_idx")?,
        a.bool("scale_grad_by_freq")?,
    )?)
}

// ----- randomness ---------------------------------------------------------------------

pub(crate) fn native_dropout(a: &OpArgs) -> Results {
    let (seed, stream) = a.next_stream();
    let train = a.opt_bool("train")?.unwrap_or(true);
    let (out, mask) = nn::native_dropout(a.tensor("input")?, a.float("p")?, train, seed, stream)?;
    many([out, mask])
}

pub(crate) fn native_dropout_backward(a: &OpArgs) -> Results {
    one(nn::native_dropout_backward(
        a.tensor("grad_output")?,
        a.tensor("mask")?,
        a.float("scale")?,
    )?)
}

pub(crate) fn bernoulli(a: &OpArgs) -> Results {
    let (seed, stream) = a.next_stream();
    one(factory::bernoulli(
        a.tensor("self")?,
        a.float("p")?,
        seed,
        stream,
    )?)
}

fn random(a: &OpArgs, normal: bool) -> Results {
    let (seed, stream) = a.next_stream();
    let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
    one(factory::random(
        &a.ints("size")?,
        dtype,
        normal,
        seed,
        stream,
    )?)
}

pub(crate) fn randperm(a: &OpArgs) -> Results {
    let (seed, stream) = a.next_stream();
    let dtype = a.dtype("dtype")?.unwrap_or(DType::I64);
    one(factory::randperm(a.int("n")?, dtype, seed, stream)?)
}

pub(crate) fn rand(a: &OpArgs) -> Results {
    random(a, false)
}

pub(crate) fn randn(a: &OpArgs) -> Results {
    random(a, true)
}

/// `rand_like` / `randn_like`: `rand` / `randn` of `self`'s shape, in `dtype` if given,
/// else `self`'s.
fn random_like(a: &OpArgs, normal: bool) -> Results {
    let (seed, stream) = a.next_stream();
    let x = a.tensor("self")?;
    let size: Vec<i64> = x.shape().iter().map(|&d| d as i64).collect();
    let dtype = a.dtype("dtype")?.unwrap_or(x.dtype());
    one(factory::random(&size, dtype, normal, seed, stream)?)
}

pub(crate) fn rand_like(a: &OpArgs) -> Results {
    random_like(a, false)
}

pub(crate) fn randn_like(a: &OpArgs) -> Results {
    random_like(a, true)
}

// ----- factories ----------------------------------------------------------------------

pub(crate) fn full(a: &OpArgs) -> Results {
    let value = a.scalar("fill_value")?;
    let dtype = a.dtype("dtype")?.unwrap_or(factory::inferred_dtype(value));
    one(factory::full(&a.ints("size")?, value, dtype)?)
}

fn constant(a: &OpArgs, value: i64) -> Results {
    let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
    one(factory::full(&a.ints("size")?, Scalar::Int(value), dtype)?)
}

/// `zeros`, and `empty` (whose contents are unspecified: zeros here).
pub(crate) fn zeros(a: &OpArgs) -> Results {
    constant(a, 0)
}

pub(crate) fn ones(a: &OpArgs) -> Results {
    constant(a, 1)
}

fn like(a: &OpArgs, value: Scalar) -> Results {
    let x = a.tensor("self")?;
    let dtype = a.dtype("dtype")?.unwrap_or(x.dtype());
    one(factory::full(&shape_i64(x), value, dtype)?)
}

/// `zeros_like`, and `empty_like` (zeros here).
pub(crate) fn zeros_like(a: &OpArgs) -> Results {
    like(a, Scalar::Int(0))
}

pub(crate) fn ones_like(a: &OpArgs) -> Results {
    like(a, Scalar::Int(1))
}

pub(crate) fn full_like(a: &OpArgs) -> Results {
    like(a, a.scalar("fill_value")?)
}

pub(crate) fn scalar_tensor(a: &OpArgs) -> Results {
    let dtype = a.dtype("dtype")?.unwrap_or(DType::F32);
    one(a.scalar("s")?.to_tensor(dtype))
}

pub(crate) fn arange(a: &OpArgs) -> Results {
    let start = a.opt_scalar_if("start")?.unwrap_or(Scalar::Int(0));
    let step = a.opt_scalar_if("step")?.unwrap_or(Scalar::Int(1));
    one(factory::arange(
        start,
        a.scalar("end")?,
        step,
        a.dtype("dtype")?,
    )?)
}

// ----- core ops beyond the families above ---------------------------------------------

/// The reduced dims of a reduction: `dim` as a list (`int dim` is one), `None` for all.
fn reduce_dims(a: &OpArgs) -> KResult<Option<Vec<i64>>> {
    if a.schema_has("dim") {
        Ok(match a.value("dim")? {
            ArgValue::Int(d) => Some(vec![*d]),
            ArgValue::IntList(v) => Some(v.clone()),
            _ => None,
        })
    } else {
        Ok(None)
    }
}

fn any_all(a: &OpArgs, all: bool) -> Results {
    one(reduce::any_all(
        a.tensor("self")?,
        reduce_dims(a)?.as_deref(),
        a.bool_if("keepdim")?,
        all,
    )?)
}

pub(crate) fn any(a: &OpArgs) -> Results {
    any_all(a, false)
}

pub(crate) fn all(a: &OpArgs) -> Results {
    any_all(a, true)
}

pub(crate) fn prod(a: &OpArgs) -> Results {
    one(reduce::prod(
        a.tensor("self")?,
        reduce_dims(a)?.as_deref(),
        a.bool_if("keepdim")?,
        a.dtype("dtype")?,
    )?)
}

/// `var.dim`: the variance with Bessel's correction when `unbiased`.
pub(crate) fn var_unbiased(a: &OpArgs) -> Results {
    let correction = if a.bool("unbiased")? { 1.0 } else { 0.0 };
    let (var, _) = reduce::var_mean(
        a.tensor("self")?,
        a.opt_ints("dim")?.as_deref(),
        correction,
        a.bool("keepdim")?,
    )?;
    one(var)
}

pub(crate) fn cumsum(a: &OpArgs) -> Results {
    one(lanes::cumsum(
        a.tensor("self")?,
        a.int("dim")?,
        a.dtype("dtype")?,
    )?)
}

pub(crate) fn sort(a: &OpArgs) -> Results {
    let (v, i) = lanes::sort(a.tensor("self")?, a.int("dim")?, a.bool("descending")?)?;
    many([v, i])
}

pub(crate) fn topk(a: &OpArgs) -> Results {
    let (v, i) = lanes::topk(
        a.tensor("self")?,
        a.int("k")?,
        a.int("dim")?,
        a.bool("largest")?,
    )?;
    many([v, i])
}

pub(crate) fn flip(a: &OpArgs) -> Results {
    one(lanes::flip(a.tensor("self")?, &a.ints("dims")?)?)
}

pub(crate) fn unbind(a: &OpArgs) -> Results {
    many(shape::unbind(a.tensor("self")?, a.int("dim")?)?)
}

pub(crate) fn triu(a: &OpArgs) -> Results {
    one(shape::triangle(
        a.tensor("self")?,
        a.int("diagonal")?,
        true,
    )?)
}

pub(crate) fn tril(a: &OpArgs) -> Results {
    one(shape::triangle(
        a.tensor("self")?,
        a.int("diagonal")?,
        false,
    )?)
}

pub(crate) fn repeat(a: &OpArgs) -> Results {
    one(index::repeat(a.tensor("self")?, &a.ints("repeats")?)?)
}

pub(crate) fn constant_pad_nd(a: &OpArgs) -> Results {
    one(shape::constant_pad(
        a.tensor("self")?,
        &a.ints("pad")?,
        a.scalar("value")?,
    )?)
}

/// `slice_backward`: zeros of `input_sizes` with the gradient written into the slice.
pub(crate) fn slice_backward(a: &OpArgs) -> Results {
    let grad = a.tensor("grad_output")?;
    let zeros = factory::full(&a.ints("input_sizes")?, Scalar::Int(0), grad.dtype())?;
    one(shape::view_scatter(&zeros, grad, |x| {
        shape::slice(
            x,
            a.int("dim")?,
            Some(a.int("start")?),
            Some(a.int("end")?),
            a.int("step")?,
        )
    })?)
}

pub(crate) fn index_select(a: &OpArgs) -> Results {
    one(index::index_select(
        a.tensor("self")?,
        a.int("dim")?,
        a.tensor("index")?,
    )?)
}

fn scatter_with(
    a: &OpArgs,
    src: index::ScatterSource,
    reduce: index::ScatterReduce,
    include_self: bool,
) -> Results {
    one(index::scatter(
        a.tensor("self")?,
        a.int("dim")?,
        a.tensor("index")?,
        src,
        reduce,
        include_self,
    )?)
}

pub(crate) fn scatter_src(a: &OpArgs) -> Results {
    let src = index::ScatterSource::Tensor(a.tensor("src")?);
    scatter_with(a, src, index::ScatterReduce::Replace, true)
}

pub(crate) fn scatter_value(a: &OpArgs) -> Results {
    let src = index::ScatterSource::Value(a.scalar("value")?);
    scatter_with(a, src, index::ScatterReduce::Replace, true)
}

pub(crate) fn scatter_add(a: &OpArgs) -> Results {
    let src = index::ScatterSource::Tensor(a.tensor("src")?);
    scatter_with(a, src, index::ScatterReduce::Sum, true)
}

pub(crate) fn scatter_reduce(a: &OpArgs) -> Results {
    let src = index::ScatterSource::Tensor(a.tensor("src")?);
    let reduce = index::ScatterReduce::parse(a.str("reduce")?)?;
    scatter_with(a, src, reduce, a.bool("include_self")?)
}

fn loss_of(a: &OpArgs, loss: nn::PointwiseLoss) -> Results {
    one(nn::pointwise_loss(
        a.tensor("self")?,
        a.tensor("target")?,
        Reduction::from_i64(a.int("reduction")?)?,
        loss,
    )?)
}

fn loss_backward_of(a: &OpArgs, loss: nn::PointwiseLoss) -> Results {
    one(nn::pointwise_loss_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.tensor("target")?,
        Reduction::from_i64(a.int("reduction")?)?,
        loss,
    )?)
}

pub(crate) fn mse_loss(a: &OpArgs) -> Results {
    loss_of(a, nn::PointwiseLoss::Mse)
}

pub(crate) fn mse_loss_backward(a: &OpArgs) -> Results {
    loss_backward_of(a, nn::PointwiseLoss::Mse)
}

pub(crate) fn smooth_l1_loss(a: &OpArgs) -> Results {
    let beta = a.float("beta")?;
    loss_of(a, nn::PointwiseLoss::SmoothL1 { beta })
}

pub(crate) fn smooth_l1_loss_backward(a: &OpArgs) -> Results {
    let beta = a.float("beta")?;
    loss_backward_of(a, nn::PointwiseLoss::SmoothL1 { beta })
}

pub(crate) fn huber_loss(a: &OpArgs) -> Results {
    let delta = a.float("delta")?;
    loss_of(a, nn::PointwiseLoss::Huber { delta })
}

pub(crate) fn huber_loss_backward(a: &OpArgs) -> Results {
    let delta = a.float("delta")?;
    loss_backward_of(a, nn::PointwiseLoss::Huber { delta })
}

fn group_norm_shape(a: &OpArgs) -> KResult<nn::GroupNormShape> {
    let size = |name: &str| -> KResult<usize> {
        usize::try_from(a.int(name)?).or_else(|_| kerr(format!("{name} must be non-negative")))
    };
    Ok(nn::GroupNormShape {
        n: size("N")?,
        c: size("C")?,
        hxw: size("HxW")?,
        group: size("group")?,
    })
}

pub(crate) fn native_group_norm(a: &OpArgs) -> Results {
    let (out, mean, rstd) = nn::native_group_norm(
        a.tensor("input")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("bias")?,
        group_norm_shape(a)?,
        a.float("eps")?,
    )?;
    many([out, mean, rstd])
}

pub(crate) fn native_group_norm_backward(a: &OpArgs) -> Results {
    optional(nn::native_group_norm_backward(
        a.tensor("grad_out")?,
        a.tensor("input")?,
        a.tensor("mean")?,
        a.tensor("rstd")?,
        a.opt_tensor("weight")?,
        group_norm_shape(a)?,
        a.mask3("output_mask")?,
    )?)
}

pub(crate) fn new_zeros(a: &OpArgs) -> Results {
    let dtype = a.dtype("dtype")?.unwrap_or(a.tensor("self")?.dtype());
    one(factory::full(&a.ints("size")?, Scalar::Int(0), dtype)?)
}

pub(crate) fn linspace(a: &OpArgs) -> Results {
    one(factory::linspace(
        a.scalar("start")?,
        a.scalar("end")?,
        a.int("steps")?,
        a.dtype("dtype")?,
    )?)
}

// ----- average pooling, im2col and col2im ---------------------------------------------

fn avg_params(a: &OpArgs) -> KResult<pool::AvgPoolParams> {
    Ok(pool::AvgPoolParams {
        count_include_pad: a.bool("count_include_pad")?,
        divisor_override: a.opt_int("divisor_override")?,
    })
}

pub(crate) fn avg_pool(a: &OpArgs) -> Results {
    one(pool::avg_pool(
        a.tensor("self")?,
        &a.pool_params()?,
        avg_params(a)?,
    )?)
}

pub(crate) fn avg_pool_backward(a: &OpArgs) -> Results {
    one(pool::avg_pool_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        &a.pool_params()?,
        avg_params(a)?,
    )?)
}

pub(crate) fn adaptive_avg_pool(a: &OpArgs) -> Results {
    one(pool::adaptive_avg_pool(
        a.tensor("self")?,
        &a.ints("output_size")?,
        a.pool_dims()?,
    )?)
}

pub(crate) fn adaptive_avg_pool_backward(a: &OpArgs) -> Results {
    one(pool::adaptive_avg_pool_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.pool_dims()?,
    )?)
}

fn block_params(a: &OpArgs) -> KResult<pool::BlockParams> {
    Ok(pool::BlockParams {
        kernel_size: a.ints("kernel_size")?,
        dilation: a.ints("dilation")?,
        padding: a.ints("padding")?,
        stride: a.ints("stride")?,
    })
}

pub(crate) fn im2col(a: &OpArgs) -> Results {
    one(pool::im2col(a.tensor("self")?, &block_params(a)?)?)
}

pub(crate) fn col2im(a: &OpArgs) -> Results {
    one(pool::col2im(
        a.tensor("self")?,
        &a.ints("output_size")?,
        &block_params(a)?,
    )?)
}

pub(crate) fn reflection_pad(a: &OpArgs) -> Results {
    one(index::index_pad(
        a.tensor("self")?,
        &a.ints("padding")?,
        true,
    )?)
}

pub(crate) fn replication_pad(a: &OpArgs) -> Results {
    one(index::index_pad(
        a.tensor("self")?,
        &a.ints("padding")?,
        false,
    )?)
}

fn upsample(a: &OpArgs, mode: nn::Upsample) -> Results {
    let scales = match a.value("scale_factors")? {
        ArgValue::FloatList(v) => Some(v.clone()),
        _ => None,
    };
    one(nn::upsample2d(
        a.tensor("input")?,
        a.opt_ints("output_size")?.as_deref(),
        scales.as_deref(),
        mode,
    )?)
}

pub(crate) fn upsample_nearest2d(a: &OpArgs) -> Results {
    upsample(a, nn::Upsample::Nearest)
}

pub(crate) fn upsample_bilinear2d(a: &OpArgs) -> Results {
    let align_corners = a.bool("align_corners")?;
    upsample(a, nn::Upsample::Bilinear { align_corners })
}

pub(crate) fn diagonal(a: &OpArgs) -> Results {
    one(index::diagonal(
        a.tensor("self")?,
        a.int("offset")?,
        a.int("dim1")?,
        a.int("dim2")?,
    )?)
}

pub(crate) fn masked_scatter(a: &OpArgs) -> Results {
    one(index::masked_scatter(
        a.tensor("self")?,
        a.tensor("mask")?,
        a.tensor("source")?,
    )?)
}

pub(crate) fn binary_cross_entropy_with_logits(a: &OpArgs) -> Results {
    one(nn::binary_cross_entropy_with_logits(
        a.tensor("self")?,
        a.tensor("target")?,
        a.opt_tensor("weight")?,
        a.opt_tensor("pos_weight")?,
        Reduction::from_i64(a.int("reduction")?)?,
    )?)
}

pub(crate) fn xlogy(a: &OpArgs) -> Results {
    one(pw::xlogy(a.tensor("self")?, a.tensor("other")?)?)
}

/// `select_backward`: zeros of `input_sizes` with the gradient written into the slice.
pub(crate) fn select_backward(a: &OpArgs) -> Results {
    let grad = a.tensor("grad_output")?;
    let zeros = factory::full(&a.ints("input_sizes")?, Scalar::Int(0), grad.dtype())?;
    one(shape::view_scatter(&zeros, grad, |x| {
        shape::select(x, a.int("dim")?, a.int("index")?)
    })?)
}

pub(crate) fn linalg_vector_norm(a: &OpArgs) -> Results {
    one(reduce::vector_norm(
        a.tensor("self")?,
        a.scalar("ord")?.to_f64(),
        reduce_dims(a)?.as_deref(),
        a.bool("keepdim")?,
        a.dtype("dtype")?,
    )?)
}

pub(crate) fn binary_cross_entropy(a: &OpArgs) -> Results {
    one(nn::binary_cross_entropy(
        a.tensor("self")?,
        a.tensor("target")?,
        a.opt_tensor("weight")?,
        Reduction::from_i64(a.int("reduction")?)?,
    )?)
}

pub(crate) fn binary_cross_entropy_backward(a: &OpArgs) -> Results {
    one(nn::binary_cross_entropy_backward(
        a.tensor("grad_output")?,
        a.tensor("self")?,
        a.tensor("target")?,
        a.opt_tensor("weight")?,
        Reduction::from_i64(a.int("reduction")?)?,
    )?)
}

pub(crate) fn clamp_min(a: &OpArgs) -> Results {
    one(pw::clamp(a.tensor("self")?, a.opt_operand("min")?, None)?)
}

pub(crate) fn sdpa_flash_cpu(a: &OpArgs) -> Results {
    let (out, lse) = nn::sdpa(
        a.tensor("query")?,
        a.tensor("key")?,
        a.tensor("value")?,
        a.float("dropout_p")?,
        a.bool("is_causal")?,
        a.opt_tensor("attn_mask")?,
        a.value("scale")?.as_f64(),
    )?;
    many([out, lse])
}

pub(crate) fn sdpa_flash_cpu_backward(a: &OpArgs) -> Results {
    many(nn::sdpa_backward(
        a.tensor("grad_out")?,
        a.tensor("query")?,
        a.tensor("key")?,
        a.tensor("value")?,
        a.tensor("out")?,
        a.tensor("logsumexp")?,
        a.float("dropout_p")?,
        a.bool("is_causal")?,
        a.opt_tensor("attn_mask")?,
        a.value("scale")?.as_f64(),
    )?)
}

fn embedding_bag_params(a: &OpArgs) -> KResult<nn::EmbeddingBag> {
    Ok(nn::EmbeddingBag {
        mode: a.int("mode")?,
        include_last_offset: a.schema_has("include_last_offset")
            && a.bool("include_last_offset")?,
        padding_idx: a.int("padding_idx")?,
        scale_grad_by_freq: a.bool("scale_grad_by_freq")?,
    })
}

pub(crate) fn embedding_bag(a: &OpArgs) -> Results {
    many(nn::embedding_bag(
        a.tensor("weight")?,
        a.tensor("indices")?,
        a.tensor("offsets")?,
        a.opt_tensor("per_sample_weights")?,
        embedding_bag_params(a)?,
    )?)
}

pub(crate) fn embedding_bag_backward(a: &OpArgs) -> Results {
    one(nn::embedding_bag_backward(
        a.tensor("grad")?,
        a.tensor("indices")?,
        a.tensor("offsets")?,
        a.tensor("bag_size")?,
        a.tensor("maximum_indices")?,
        a.int("num_weights")?,
        a.opt_tensor("per_sample_weights")?,
        embedding_bag_params(a)?,
    )?)
}

// ----- numbers read from a tensor, data-dependent shapes ------------------------------

/// A number result: a rank-0 tensor (its IR type is the builtin scalar type).
fn number(v: i64) -> Results {
    one(Tensor::I64(ndarray::arr0(v).into_dyn()))
}

/// The shape of `self` and the dimension `dim` names, which must exist.
fn sym_dim(a: &OpArgs) -> KResult<(Vec<usize>, usize)> {
    let shape = a.tensor("self")?.shape().to_vec();
    let dim = a.int("dim")?;
    if shape.is_empty() {
        return kerr(format!(
            "dimension specified as {dim} but tensor has no dimensions"
        ));
    }
    let d = crate::kernels::norm_dim(dim, shape.len())?;
    Ok((shape, d))
}

pub(crate) fn sym_size(a: &OpArgs) -> Results {
    let (shape, d) = sym_dim(a)?;
    number(shape[d] as i64)
}

/// Tensors are contiguous values: the stride of `dim` is the product of the later sizes.
pub(crate) fn sym_stride(a: &OpArgs) -> Results {
    let (shape, d) = sym_dim(a)?;
    number(shape[d + 1..].iter().product::<usize>() as i64)
}

pub(crate) fn sym_numel(a: &OpArgs) -> Results {
    number(a.tensor("self")?.len() as i64)
}

/// Tensors are values of their own: they start at offset 0.
pub(crate) fn sym_storage_offset(a: &OpArgs) -> Results {
    a.tensor("self")?;
    number(0)
}

pub(crate) fn local_scalar_dense(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    if x.len() != 1 {
        return kerr(format!(
            "a Tensor with {} elements cannot be converted to Scalar",
            x.len()
        ));
    }
    one(shape::reshape(x, &[])?)
}

pub(crate) fn nonzero(a: &OpArgs) -> Results {
    one(index::nonzero(a.tensor("self")?)?)
}
