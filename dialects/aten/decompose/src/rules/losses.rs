//! Elementwise losses and their backwards: smooth L1, Huber, binary cross entropy (on
//! probabilities and on logits), each reduced as PyTorch's `apply_loss_reduction` does.

use super::{
    Replacements, backward_dtype, float_arg, int_arg, one_minus, opt_tensor, result_info, tensor,
};
use crate::emit::{Emitter, Refusal, static_dims};
use joinery_aten::dtype::promote_types;
use joinery_ir::{OpId, Value};

/// The element count a `reduction = 1` (mean) loss divides by; `None` for `0` (none) and
/// `2` (sum).
pub(super) fn mean_count(e: &Emitter, op: OpId, d: Value) -> Result<Option<u64>, Refusal> {
    match int_arg(e, op, "reduction")? {
        1 => static_dims(&e.info(d))
            .map(|dims| Some(dims.iter().product()))
            .ok_or_else(|| Refusal::Unsupported("a mean loss needs static shapes".into())),
        0 | 2 => Ok(None),
        r => Err(Refusal::Unsupported(format!(
            "reduction {r} is not 0, 1 or 2"
        ))),
    }
}

/// `apply_loss_reduction(loss, r) ==> loss | sum(loss) / numel | sum(loss)` for `r` = 0, 1, 2.
pub(super) fn reduce_loss(e: &mut Emitter, op: OpId, loss: Value) -> Result<Value, Refusal> {
    let count = mean_count(e, op, loss)?;
    if int_arg(e, op, "reduction")? == 0 {
        return Ok(loss);
    }
    let total = e.sum_all(loss, None)?;
    match count {
        Some(n) => e.with_int("aten.div.Scalar", total, n as i64),
        None => Ok(total),
    }
}

/// The factor a backward scales by: `1 / numel` for a mean, else 1.
fn backward_norm(e: &Emitter, op: OpId, x: Value) -> Result<f64, Refusal> {
    Ok(mean_count(e, op, x)?.map_or(1.0, |n| 1.0 / n as f64))
}

/// `self` and `target` in their computation dtype.
fn operands(e: &mut Emitter, op: OpId) -> Result<(Value, Value), Refusal> {
    let x = tensor(e, op, "self")?;
    let t = tensor(e, op, "target")?;
    let cdt = backward_dtype(e, x, t);
    Ok((e.cast(x, cdt)?, e.cast(t, cdt)?))
}

/// `loss * weight` when the op has a `weight`.
fn weighted(e: &mut Emitter, op: OpId, loss: Value) -> Result<Value, Refusal> {
    match opt_tensor(e, op, "weight")? {
        Some(w) => {
            let w = e.cast(w, e.dtype(loss))?;
            e.mul(loss, w)
        }
        None => Ok(loss),
    }
}

/// `smooth_l1_loss(x, t) ==> where(z < beta, 0.5 * z^2 / beta, z - 0.5 * beta)` with
/// `z = |x - t|`, reduced.
pub(super) fn smooth_l1_loss(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, t) = operands(e, op)?;
    let beta = float_arg(e, op, "beta")?;
    let out = result_info(e, op, 0).dtype;
    let d = e.sub(x, t)?;
    let z = e.unary("aten.abs", d)?;
    let sq = e.mul(z, z)?;
    let half = e.with_float("aten.mul.Scalar", sq, 0.5)?;
    let quadratic = e.with_float("aten.div.Scalar", half, beta)?;
    let linear = e.with_float("aten.sub.Scalar", z, 0.5 * beta)?;
    let near = e.with_float("aten.lt.Scalar", z, beta)?;
    let loss = e.select(near, quadratic, linear)?;
    let r = reduce_loss(e, op, loss)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `smooth_l1_loss_backward(g, x, t) ==> where(|d| < beta, n * g * d / beta, n * g * sign(d))`
/// with `d = x - t` and `n` the mean's `1 / numel` (else 1).
pub(super) fn smooth_l1_loss_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let (x, t) = operands(e, op)?;
    let beta = float_arg(e, op, "beta")?;
    let out = result_info(e, op, 0).dtype;
    let cdt = promote_types(e.dtype(x), e.dtype(g)).computation();
    let (g, x, t) = (e.cast(g, cdt)?, e.cast(x, cdt)?, e.cast(t, cdt)?);
    let norm = backward_norm(e, op, x)?;
    let d = e.sub(x, t)?;
    let z = e.unary("aten.abs", d)?;
    let ng = e.with_float("aten.mul.Scalar", g, norm)?;
    let ngd = e.mul(ng, d)?;
    let quadratic = e.with_float("aten.div.Scalar", ngd, beta)?;
    let sign = e.unary("aten.sign", d)?;
    let linear = e.mul(ng, sign)?;
    let near = e.with_float("aten.lt.Scalar", z, beta)?;
    let r = e.select(near, quadratic, linear)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `huber_loss(x, t) ==> where(z < delta, 0.5 * z^2, delta * (z - 0.5 * delta))` with
/// `z = |x - t|`, reduced.
pub(super) fn huber_loss(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, t) = operands(e, op)?;
    let delta = float_arg(e, op, "delta")?;
    let out = result_info(e, op, 0).dtype;
    let d = e.sub(x, t)?;
    let z = e.unary("aten.abs", d)?;
    let sq = e.mul(z, z)?;
    let quadratic = e.with_float("aten.mul.Scalar", sq, 0.5)?;
    let shifted = e.with_float("aten.sub.Scalar", z, 0.5 * delta)?;
    let linear = e.with_float("aten.mul.Scalar", shifted, delta)?;
    let near = e.with_float("aten.lt.Scalar", z, delta)?;
    let loss = e.select(near, quadratic, linear)?;
    let r = reduce_loss(e, op, loss)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `huber_loss_backward(g, x, t) ==> n * g * clamp(x - t, -delta, delta)` with `n` the
/// mean's `1 / numel` (else 1).
pub(super) fn huber_loss_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let (x, t) = operands(e, op)?;
    let delta = float_arg(e, op, "delta")?;
    let out = result_info(e, op, 0).dtype;
    let cdt = promote_types(e.dtype(x), e.dtype(g)).computation();
    let (g, x, t) = (e.cast(g, cdt)?, e.cast(x, cdt)?, e.cast(t, cdt)?);
    let norm = backward_norm(e, op, x)?;
    let d = e.sub(x, t)?;
    let (lo, hi) = (e.float(-delta), e.float(delta));
    let clamped = e.op1("aten.clamp", &[d], vec![("min", lo), ("max", hi)])?;
    let ng = e.with_float("aten.mul.Scalar", g, norm)?;
    let r = e.mul(ng, clamped)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `binary_cross_entropy(x, y, w) ==> w * ((y - 1) * max(log1p(-x), -100) - y * max(log(x),
/// -100))`, reduced.
pub(super) fn binary_cross_entropy(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, y) = operands(e, op)?;
    let out = result_info(e, op, 0).dtype;
    let floor = e.float(-100.0);
    let neg = e.unary("aten.neg", x)?;
    let log1m = e.unary("aten.log1p", neg)?;
    let log1m = e.op1("aten.clamp_min", &[log1m], vec![("min", floor)])?;
    let log = e.unary("aten.log", x)?;
    let log = e.op1("aten.clamp_min", &[log], vec![("min", floor)])?;
    let y_minus_1 = e.with_float("aten.sub.Scalar", y, 1.0)?;
    let a = e.mul(y_minus_1, log1m)?;
    let b = e.mul(y, log)?;
    let loss = e.sub(a, b)?;
    let loss = weighted(e, op, loss)?;
    let r = reduce_loss(e, op, loss)?;
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `binary_cross_entropy_backward(g, x, y, w) ==> g * (x - y) / max(x * (1 - x), 1e-12) * w`,
/// divided by `numel` for a mean.
pub(super) fn binary_cross_entropy_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let g = tensor(e, op, "grad_output")?;
    let (x, y) = operands(e, op)?;
    let out = result_info(e, op, 0).dtype;
    let cdt = promote_types(e.dtype(x), e.dtype(g)).computation();
    let (g, x, y) = (e.cast(g, cdt)?, e.cast(x, cdt)?, e.cast(y, cdt)?);
    let norm = backward_norm(e, op, x)?;
    let d = e.sub(x, y)?;
    let gd = e.mul(g, d)?;
    let one_minus_x = one_minus(e, x)?;
    let var = e.mul(x, one_minus_x)?;
    let eps = e.float(1e-12);
    let var = e.op1("aten.clamp_min", &[var], vec![("min", eps)])?;
    let r = e.div(gd, var)?;
    let r = weighted(e, op, r)?;
    let r = if norm == 1.0 {
        r
    } else {
        e.with_float("aten.mul.Scalar", r, norm)?
    };
    Ok(vec![Some(e.cast(r, out)?)])
}

/// `binary_cross_entropy_with_logits(x, y, w, pw) ==> w * ((1 - y) * x - lw * logsigmoid(x))`
/// with `lw = (pw - 1) * y + 1` (1 without `pos_weight`) and
/// `logsigmoid(x) = min(x, 0) - log1p(exp(-|x|))`, reduced.
pub(super) fn binary_cross_entropy_with_logits(e: &mut Emitter, op: OpId) -> Replacements {
    let (x, y) = operands(e, op)?;
    let out = result_info(e, op, 0).dtype;
    let zero = e.float(0.0);
    let min0 = e.op1("aten.clamp", &[x], vec![("max", zero)])?;
    let abs = e.unary("aten.abs", x)?;
    let neg = e.unary("aten.neg", abs)?;
    let exp = e.unary("aten.exp", neg)?;
    let soft = e.unary("aten.log1p", exp)?;
    let log_sigmoid = e.sub(min0, soft)?;
    let log_sigmoid = match opt_tensor(e, op, "pos_weight")? {
        Some(pw) => {
            let pw = e.cast(pw, e.dtype(x))?;
            let pw1 = e.with_float("aten.sub.Scalar", pw, 1.0)?;
            let scaled = e.mul(pw1, y)?;
            let lw = e.with_float("aten.add.Scalar", scaled, 1.0)?;
            e.mul(lw, log_sigmoid)?
        }
        None => log_sigmoid,
    };
    let one_minus_y = one_minus(e, y)?;
    let a = e.mul(one_minus_y, x)?;
    let loss = e.sub(a, log_sigmoid)?;
    let loss = weighted(e, op, loss)?;
    let r = reduce_loss(e, op, loss)?;
    Ok(vec![Some(e.cast(r, out)?)])
}
