//! Elementwise ops with broadcasting and PyTorch's type promotion.

use super::{complex, map2, map3};
use crate::tensor::{DType, KResult, Scalar, Tensor, kerr};
use joinery_aten::dtype::{Participant, result_type as result_type_of};
use ndarray::ArrayD;

/// An argument of an elementwise op: a tensor, or a `Scalar` (a "wrapped number", which
/// does not promote tensors within its category).
#[derive(Clone, Copy, Debug)]
pub enum Operand<'a> {
    Tensor(&'a Tensor),
    Scalar(Scalar),
}

impl Operand<'_> {
    fn to_f64_in(self, dtype: DType) -> ArrayD<f64> {
        match self {
            Operand::Tensor(t) => t.to_f64_in(dtype),
            Operand::Scalar(s) => s.to_tensor(dtype).to_f64(),
        }
    }

    fn to_i64(self) -> ArrayD<i64> {
        match self {
            Operand::Tensor(t) => t.to_i64(),
            Operand::Scalar(s) => s.to_tensor(DType::I64).to_i64(),
        }
    }
}

/// The dtype PyTorch computes an elementwise op in (`torch.result_type`, as the aten
/// dialect defines it for shape inference).
pub fn result_type(operands: &[Operand]) -> DType {
    let parts: Vec<Participant> = operands
        .iter()
        .map(|op| match op {
            Operand::Tensor(t) if t.ndim() > 0 => Participant::Tensor(t.dtype().to_aten()),
            Operand::Tensor(t) => Participant::ZeroDim(t.dtype().to_aten()),
            Operand::Scalar(s) => Participant::Scalar(s.dtype().to_aten()),
        })
        .collect();
    result_type_of(&parts)
        .and_then(|d| DType::from_aten(d).ok())
        .unwrap_or(DType::F32)
}

/// The default float dtype for ops that compute in floating point: `dtype` itself when it
/// is a float, else f32 (PyTorch's integer-to-float promotion).
pub fn float_dtype(dtype: DType) -> DType {
    if dtype.is_float() { dtype } else { DType::F32 }
}

/// Evaluates a binary op in `dtype`: floats through `ff` in f64, integers and bools
/// through `fi` in i64; the result has dtype `dtype`.
pub fn binary(
    a: Operand,
    b: Operand,
    dtype: DType,
    ff: impl Fn(f64, f64) -> f64,
    fi: impl Fn(i64, i64) -> Result<i64, &'static str>,
) -> KResult<Tensor> {
    if dtype.is_float() {
        let r = map2(&a.to_f64_in(dtype), &b.to_f64_in(dtype), ff)?;
        return Ok(Tensor::from_f64(r, dtype));
    }
    let r = map2(&a.to_i64(), &b.to_i64(), fi)?;
    if let Some(Err(e)) = r.iter().find(|x| x.is_err()) {
        return kerr(*e);
    }
    Ok(Tensor::from_i64(r.mapv(|x| x.unwrap_or(0)), dtype))
}

/// Rounds a scalar to what it becomes inside a kernel of `dtype`.
pub fn scalar_in(s: Scalar, dtype: DType) -> f64 {
    s.to_tensor(dtype)
        .to_f64()
        .iter()
        .copied()
        .next()
        .unwrap_or(0.0)
}

fn check_alpha(alpha: Scalar, dtype: DType) -> KResult<()> {
    if !dtype.is_float() && matches!(alpha, Scalar::Float(_)) {
        return kerr(
            "for integral input tensors, argument alpha must not be a floating point number",
        );
    }
    Ok(())
}

/// `aten.add`: `a + alpha * b`.
pub fn add(a: Operand, b: Operand, alpha: Scalar) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    check_alpha(alpha, dtype)?;
    if dtype.is_complex() {
        let af = alpha.to_f64();
        return complex::binary(a, b, dtype, |x, y| x + y * af);
    }
    let (af, ai) = (scalar_in(alpha, dtype), alpha.to_i64());
    binary(
        a,
        b,
        dtype,
        |x, y| x + af * y,
        |x, y| Ok(x.wrapping_add(ai.wrapping_mul(y))),
    )
}

/// `aten.sub`: `a - alpha * b`.
pub fn sub(a: Operand, b: Operand, alpha: Scalar) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    if dtype == DType::Bool {
        return kerr("subtraction, the `-` operator, with two bool tensors is not supported");
    }
    check_alpha(alpha, dtype)?;
    if dtype.is_complex() {
        let af = alpha.to_f64();
        return complex::binary(a, b, dtype, |x, y| x - y * af);
    }
    let (af, ai) = (scalar_in(alpha, dtype), alpha.to_i64());
    binary(
        a,
        b,
        dtype,
        |x, y| x - af * y,
        |x, y| Ok(x.wrapping_sub(ai.wrapping_mul(y))),
    )
}

/// `aten.mul`.
pub fn mul(a: Operand, b: Operand) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    if dtype.is_complex() {
        return complex::binary(a, b, dtype, |x, y| x * y);
    }
    binary(a, b, dtype, |x, y| x * y, |x, y| Ok(x.wrapping_mul(y)))
}

/// How `aten.div` rounds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum RoundingMode {
    /// True division; integers are promoted to float.
    True,
    /// Round toward zero, in the common dtype.
    Trunc,
    /// Round toward negative infinity, in the common dtype.
    Floor,
}

/// `aten.div` with a rounding mode.
pub fn div(a: Operand, b: Operand, mode: RoundingMode) -> KResult<Tensor> {
    let common = result_type(&[a, b]);
    match mode {
        RoundingMode::True if common.is_complex() => complex::binary(a, b, common, complex::div),
        _ if common.is_complex() => {
            kerr("div with a rounding mode is not supported for complex inputs")
        }
        RoundingMode::True => {
            let dtype = float_dtype(common);
            binary(a, b, dtype, |x, y| x / y, |_, _| Ok(0))
        }
        RoundingMode::Trunc => binary(
            a,
            b,
            common,
            |x, y| (x / y).trunc(),
            |x, y| {
                if y == 0 {
                    Err("ZeroDivisionError")
                } else {
                    Ok(x.wrapping_div(y))
                }
            },
        ),
        RoundingMode::Floor => binary(a, b, common, div_floor_f64, |x, y| {
            if y == 0 {
                Err("ZeroDivisionError")
            } else {
                let q = x.wrapping_div(y);
                Ok(q - i64::from(x.wrapping_rem(y) != 0 && (x < 0) != (y < 0)))
            }
        }),
    }
}

/// Python's floor division on floats, as PyTorch computes it (via `fmod`, so that
/// `a == b * q + r` holds as closely as possible).
fn div_floor_f64(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        return a / b;
    }
    let m = a % b;
    let mut div = (a - m) / b;
    if m != 0.0 && (b < 0.0) != (m < 0.0) {
        div -= 1.0;
    }
    if div == 0.0 {
        return 0.0f64.copysign(a / b);
    }
    let mut q = div.floor();
    if div - q > 0.5 {
        q += 1.0;
    }
    q
}

/// `aten.rsub`: `b - alpha * a`.
pub fn rsub(a: Operand, b: Operand, alpha: Scalar) -> KResult<Tensor> {
    sub(b, a, alpha)
}

/// `aten.pow`.
pub fn pow(base: Operand, exponent: Operand) -> KResult<Tensor> {
    let dtype = result_type(&[base, exponent]);
    if !dtype.is_float()
        && let Operand::Scalar(s) = exponent
        && s.to_i64() < 0
    {
        return kerr("integers to negative integer powers are not allowed");
    }
    binary(base, exponent, dtype, f64::powf, |x, e| {
        Ok(match (x, e) {
            (_, e) if e >= 0 => x.wrapping_pow(e.min(u32::MAX as i64) as u32),
            (1, _) => 1,
            (-1, e) => {
                if e % 2 == 0 {
                    1
                } else {
                    -1
                }
            }
            _ => 0,
        })
    })
}

/// `aten.maximum` / `aten.minimum` (NaN propagates).
pub fn extremum(a: Operand, b: Operand, max: bool) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    binary(
        a,
        b,
        dtype,
        |x, y| {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else if (x > y) == max {
                x
            } else {
                y
            }
        },
        |x, y| Ok(if max { x.max(y) } else { x.min(y) }),
    )
}

/// A comparison predicate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Compare {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Compare {
    fn test<T: PartialOrd>(self, x: T, y: T) -> bool {
        match self {
            Compare::Eq => x == y,
            Compare::Ne => x != y,
            Compare::Lt => x < y,
            Compare::Le => x <= y,
            Compare::Gt => x > y,
            Compare::Ge => x >= y,
        }
    }
}

/// `aten.eq` / `ne` / `lt` / `le` / `gt` / `ge`: compared in the common dtype, bool result.
pub fn compare(a: Operand, b: Operand, pred: Compare) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    let r = if dtype.is_float() {
        map2(&a.to_f64_in(dtype), &b.to_f64_in(dtype), |x, y| {
            pred.test(x, y)
        })?
    } else {
        map2(&a.to_i64(), &b.to_i64(), |x, y| pred.test(x, y))?
    };
    Ok(Tensor::Bool(r))
}

/// `aten.where.self`: `cond ? a : b` in the common dtype of `a` and `b`.
pub fn where_(cond: &Tensor, a: Operand, b: Operand) -> KResult<Tensor> {
    if cond.dtype() != DType::Bool {
        return kerr(format!(
            "where expected condition to be a boolean tensor, but got a tensor with dtype {}",
            cond.dtype()
        ));
    }
    let dtype = result_type(&[a, b]);
    let c = cond.to_bool();
    if dtype.is_complex() {
        let (x, y) = (complex::operand_in(a, dtype), complex::operand_in(b, dtype));
        let r = map3(&c, &x, &y, |c, x, y| if c { x } else { y })?;
        return Ok(Tensor::from_c128(r, dtype));
    }
    Ok(if dtype.is_float() {
        let r = map3(&c, &a.to_f64_in(dtype), &b.to_f64_in(dtype), |c, x, y| {
            if c { x } else { y }
        })?;
        Tensor::from_f64(r, dtype)
    } else {
        let r = map3(
            &c,
            &a.to_i64(),
            &b.to_i64(),
            |c, x, y| if c { x } else { y },
        )?;
        Tensor::from_i64(r, dtype)
    })
}

/// `aten.clamp`: `min(max(x, lo), hi)` with absent bounds ignored; NaN propagates and
/// `lo > hi` gives `hi`, as in PyTorch.
pub fn clamp(x: &Tensor, lo: Option<Operand>, hi: Option<Operand>) -> KResult<Tensor> {
    if lo.is_none() && hi.is_none() {
        return kerr("at least one of 'min' or 'max' must not be None");
    }
    let mut all = vec![Operand::Tensor(x)];
    all.extend(lo);
    all.extend(hi);
    let dtype = result_type(&all);
    let x_op = Operand::Tensor(x);
    if dtype.is_float() {
        let mut r = x_op.to_f64_in(dtype);
        if let Some(lo) = lo {
            r = map2(&r, &lo.to_f64_in(dtype), |v, l| {
                if l.is_nan() || v < l { l } else { v }
            })?;
        }
        if let Some(hi) = hi {
            r = map2(&r, &hi.to_f64_in(dtype), |v, h| {
                if h.is_nan() || v > h { h } else { v }
            })?;
        }
        Ok(Tensor::from_f64(r, dtype))
    } else {
        let mut r = x_op.to_i64();
        if let Some(lo) = lo {
            r = map2(&r, &lo.to_i64(), i64::max)?;
        }
        if let Some(hi) = hi {
            r = map2(&r, &hi.to_i64(), i64::min)?;
        }
        Ok(Tensor::from_i64(r, dtype))
    }
}

/// Unary math that always computes in floating point (integers promote to f32).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FloatUnary {
    Exp,
    Log,
    Log1p,
    Expm1,
    Tanh,
    Sigmoid,
    Sqrt,
    Rsqrt,
    Reciprocal,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Asinh,
    Acosh,
    Atanh,
    Log2,
    Log10,
    Erf,
}

/// Applies a [`FloatUnary`] op.
pub fn float_unary(x: &Tensor, op: FloatUnary) -> Tensor {
    let f: fn(f64) -> f64 = match op {
        FloatUnary::Exp => f64::exp,
        FloatUnary::Log => f64::ln,
        FloatUnary::Log1p => f64::ln_1p,
        FloatUnary::Expm1 => f64::exp_m1,
        FloatUnary::Tanh => f64::tanh,
        FloatUnary::Sigmoid => sigmoid,
        FloatUnary::Sqrt => f64::sqrt,
        FloatUnary::Rsqrt => |v| 1.0 / v.sqrt(),
        FloatUnary::Reciprocal => |v| 1.0 / v,
        FloatUnary::Sin => f64::sin,
        FloatUnary::Cos => f64::cos,
        FloatUnary::Tan => f64::tan,
        FloatUnary::Asin => f64::asin,
        FloatUnary::Acos => f64::acos,
        FloatUnary::Atan => f64::atan,
        FloatUnary::Sinh => f64::sinh,
        FloatUnary::Cosh => f64::cosh,
        FloatUnary::Asinh => f64::asinh,
        FloatUnary::Acosh => f64::acosh,
        FloatUnary::Atanh => f64::atanh,
        FloatUnary::Log2 => f64::log2,
        FloatUnary::Log10 => f64::log10,
        FloatUnary::Erf => libm::erf,
    };
    let dtype = float_dtype(x.dtype());
    Tensor::from_f64(x.to_f64_in(dtype).mapv(f), dtype)
}

/// The logistic function.
pub fn sigmoid(v: f64) -> f64 {
    1.0 / (1.0 + (-v).exp())
}

/// Unary ops that keep the input dtype.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SameUnary {
    Neg,
    Abs,
    Relu,
    Floor,
    Ceil,
    /// Round half to even, as `torch.round`.
    Round,
    Trunc,
    Sign,
}

/// Applies a [`SameUnary`] op.
pub fn same_unary(x: &Tensor, op: SameUnary) -> KResult<Tensor> {
    let dtype = x.dtype();
    let rounding = matches!(
        op,
        SameUnary::Floor | SameUnary::Ceil | SameUnary::Round | SameUnary::Trunc
    );
    if dtype == DType::Bool && (rounding || matches!(op, SameUnary::Neg | SameUnary::Relu)) {
        return kerr(format!("{op:?} is not supported on bool tensors").to_lowercase());
    }
    Ok(if dtype.is_float() {
        let f: fn(f64) -> f64 = match op {
            SameUnary::Neg => |v| -v,
            SameUnary::Abs => f64::abs,
            SameUnary::Relu => |v| if v > 0.0 || v.is_nan() { v } else { 0.0 },
            SameUnary::Floor => f64::floor,
            SameUnary::Ceil => f64::ceil,
            SameUnary::Round => f64::round_ties_even,
            SameUnary::Trunc => f64::trunc,
            // PyTorch's `(0 < x) - (x < 0)`: 0 for NaN and for both zeros.
            SameUnary::Sign => |v| {
                if v > 0.0 {
                    1.0
                } else if v < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            },
        };
        Tensor::from_f64(x.to_f64().mapv(f), dtype)
    } else {
        let f: fn(i64) -> i64 = match op {
            SameUnary::Neg => i64::wrapping_neg,
            SameUnary::Abs => i64::wrapping_abs,
            SameUnary::Relu => |v| v.max(0),
            SameUnary::Floor | SameUnary::Ceil | SameUnary::Round | SameUnary::Trunc => |v| v,
            SameUnary::Sign => i64::signum,
        };
        Tensor::from_i64(x.to_i64().mapv(f), dtype)
    })
}

/// `aten.logical_not`.
pub fn logical_not(x: &Tensor) -> Tensor {
    Tensor::Bool(x.to_bool().mapv(|b| !b))
}

/// `aten.logical_and` / `or` / `xor`: operands read as bools, bool result.
pub fn logical(a: &Tensor, b: &Tensor, f: fn(bool, bool) -> bool) -> KResult<Tensor> {
    Ok(Tensor::Bool(map2(&a.to_bool(), &b.to_bool(), f)?))
}

/// `aten.isinf` / `aten.isnan`: a test of each float element; integers pass no test.
pub fn float_test(x: &Tensor, f: fn(f64) -> bool) -> Tensor {
    Tensor::Bool(if x.dtype().is_float() {
        x.to_f64().mapv(f)
    } else {
        x.to_bool().mapv(|_| false)
    })
}

/// A bitwise op on integer or bool operands, in their common dtype.
pub fn bitwise(a: Operand, b: Operand, f: fn(i64, i64) -> i64) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    if dtype.is_float() {
        return kerr(format!("bitwise ops are not defined for {dtype} tensors"));
    }
    binary(a, b, dtype, |_, _| 0.0, |x, y| Ok(f(x, y)))
}

/// `aten.bitwise_not`: `~x` on integers, `!x` on bools.
pub fn bitwise_not(x: &Tensor) -> KResult<Tensor> {
    match x.dtype() {
        DType::Bool => Ok(logical_not(x)),
        d if d.is_float() => kerr(format!("bitwise_not is not defined for {d} tensors")),
        d => Ok(Tensor::from_i64(x.to_i64().mapv(|v| !v), d)),
    }
}

/// `aten.atan2`, computed in floating point.
pub fn atan2(a: &Tensor, b: &Tensor) -> KResult<Tensor> {
    float_binary(a, b, f64::atan2)
}

/// `aten.xlogy`: `x * log(y)`, 0 where `x` is 0 (unless `y` is NaN), in floating point.
pub fn xlogy(a: &Tensor, b: &Tensor) -> KResult<Tensor> {
    float_binary(a, b, |x, y| {
        if y.is_nan() {
            f64::NAN
        } else if x == 0.0 {
            0.0
        } else {
            x * y.ln()
        }
    })
}

/// `aten.fmod`: the remainder of truncating division (sign of the dividend).
pub fn fmod(a: Operand, b: Operand) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    binary(
        a,
        b,
        dtype,
        |x, y| x % y,
        |x, y| {
            if y == 0 {
                Err("ZeroDivisionError")
            } else {
                Ok(x.wrapping_rem(y))
            }
        },
    )
}

/// `aten.remainder`: Python's `%` (sign of the divisor).
pub fn remainder(a: Operand, b: Operand) -> KResult<Tensor> {
    let dtype = result_type(&[a, b]);
    binary(
        a,
        b,
        dtype,
        |x, y| {
            let m = x % y;
            if m != 0.0 && (m < 0.0) != (y < 0.0) {
                m + y
            } else {
                m
            }
        },
        |x, y| {
            if y == 0 {
                return Err("ZeroDivisionError");
            }
            let m = x.wrapping_rem(y);
            Ok(if m != 0 && (m < 0) != (y < 0) {
                m + y
            } else {
                m
            })
        },
    )
}

/// `aten.hardtanh`: `x` clamped to `[lo, hi]`, in `x`'s dtype.
pub fn hardtanh(x: &Tensor, lo: Scalar, hi: Scalar) -> KResult<Tensor> {
    if x.dtype() == DType::Bool {
        return kerr("Bool inputs not supported for hardtanh");
    }
    let dtype = x.dtype();
    let (l, h) = (scalar_in(lo, dtype), scalar_in(hi, dtype));
    Ok(Tensor::from_f64(
        // PyTorch's clamp keeps a NaN (f64::max would drop it).
        x.to_f64()
            .mapv(|v| if v.is_nan() { v } else { v.max(l).min(h) }),
        dtype,
    ))
}

/// An activation of one float tensor: `f` on every element, same dtype.
pub fn activation(x: &Tensor, f: impl Fn(f64) -> f64) -> KResult<Tensor> {
    super::expect_float(x, "the input of an activation")?;
    Ok(Tensor::from_f64(x.to_f64().mapv(f), x.dtype()))
}

/// The backward of an activation: `f(grad, x)` on every element pair, float result.
pub fn activation_backward(
    grad: &Tensor,
    x: &Tensor,
    f: impl Fn(f64, f64) -> f64,
) -> KResult<Tensor> {
    super::expect_float(x, "the input of an activation")?;
    float_binary(grad, x, f)
}

/// `softplus(x) = log(1 + e^(beta x)) / beta`, linear above `threshold`.
pub fn softplus(v: f64, beta: f64, threshold: f64) -> f64 {
    if v * beta > threshold {
        v
    } else {
        (v * beta).exp().ln_1p() / beta
    }
}

/// `aten.threshold_backward`: `self <= threshold ? 0 : grad`.
pub fn threshold_backward(grad: &Tensor, x: &Tensor, threshold: Scalar) -> KResult<Tensor> {
    let dtype = result_type(&[Operand::Tensor(grad), Operand::Tensor(x)]);
    let t = scalar_in(threshold, dtype);
    binary(
        Operand::Tensor(grad),
        Operand::Tensor(x),
        dtype,
        |g, v| if v <= t { 0.0 } else { g },
        |g, v| Ok(if (v as f64) <= t { 0 } else { g }),
    )
}

/// `aten.sigmoid_backward(grad, y)`: `grad * (1 - y) * y`.
pub fn sigmoid_backward(grad: &Tensor, y: &Tensor) -> KResult<Tensor> {
    float_binary(grad, y, |g, y| g * (1.0 - y) * y)
}

/// `aten.tanh_backward(grad, y)`: `grad * (1 - y^2)`.
pub fn tanh_backward(grad: &Tensor, y: &Tensor) -> KResult<Tensor> {
    float_binary(grad, y, |g, y| g * (1.0 - y * y))
}

/// `aten.silu`: `x * sigmoid(x)`.
pub fn silu(x: &Tensor) -> KResult<Tensor> {
    super::expect_float(x, "silu input")?;
    Ok(Tensor::from_f64(
        x.to_f64().mapv(|v| v * sigmoid(v)),
        x.dtype(),
    ))
}

/// `aten.silu_backward(grad, x)`: `grad * s * (1 + x * (1 - s))` with `s = sigmoid(x)`.
pub fn silu_backward(grad: &Tensor, x: &Tensor) -> KResult<Tensor> {
    float_binary(grad, x, |g, v| {
        let s = sigmoid(v);
        g * s * (1.0 + v * (1.0 - s))
    })
}

fn float_binary(a: &Tensor, b: &Tensor, f: impl Fn(f64, f64) -> f64) -> KResult<Tensor> {
    let dtype = float_dtype(result_type(&[Operand::Tensor(a), Operand::Tensor(b)]));
    binary(Operand::Tensor(a), Operand::Tensor(b), dtype, f, |_, _| {
        Ok(0)
    })
}

/// GELU's two forms (`approximate = "none"` or `"tanh"`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GeluApproximate {
    None,
    Tanh,
}

impl GeluApproximate {
    /// Parses the `approximate` argument.
    pub fn parse(s: &str) -> KResult<GeluApproximate> {
        match s {
            "none" => Ok(GeluApproximate::None),
            "tanh" => Ok(GeluApproximate::Tanh),
            _ => kerr(format!(
                "approximate argument must be either none or tanh, got '{s}'"
            )),
        }
    }
}

const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
const GELU_TANH_COEFF: f64 = 0.044715;

/// `aten.gelu`: `x * Φ(x)` with the erf form, or the tanh approximation.
pub fn gelu(x: &Tensor, approximate: GeluApproximate) -> KResult<Tensor> {
    super::expect_float(x, "gelu input")?;
    let f = |v: f64| match approximate {
        GeluApproximate::None => 0.5 * v * (1.0 + libm::erf(v * std::f64::consts::FRAC_1_SQRT_2)),
        GeluApproximate::Tanh => {
            0.5 * v * (1.0 + (SQRT_2_OVER_PI * (v + GELU_TANH_COEFF * v * v * v)).tanh())
        }
    };
    Ok(Tensor::from_f64(x.to_f64().mapv(f), x.dtype()))
}

/// `aten.gelu_backward(grad, x)`: the derivative of [`gelu`] times `grad`.
pub fn gelu_backward(grad: &Tensor, x: &Tensor, approximate: GeluApproximate) -> KResult<Tensor> {
    float_binary(grad, x, |g, v| match approximate {
        GeluApproximate::None => {
            let cdf = 0.5 * (1.0 + libm::erf(v * std::f64::consts::FRAC_1_SQRT_2));
            let pdf = (-0.5 * v * v).exp() / (2.0 * std::f64::consts::PI).sqrt();
            g * (cdf + v * pdf)
        }
        GeluApproximate::Tanh => {
            let inner = SQRT_2_OVER_PI * (v + GELU_TANH_COEFF * v * v * v);
            let t = inner.tanh();
            let d_inner = SQRT_2_OVER_PI * (1.0 + 3.0 * GELU_TANH_COEFF * v * v);
            g * (0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * d_inner)
        }
    })
}
