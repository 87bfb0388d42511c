//! Group norm and its backward, vector norms, and the extremes with their indices
//! (`argmax`, `argmin`, `max.dim`, `min.dim`, `amin`).

use super::{
    Replacements, arg, float_arg, int_arg, masked_dtype, masked_results, opt_tensor, ranked,
    result_info, tensor, zero_uncomputed,
};
use crate::emit::{Emitter, Refusal, static_dims};
use joinery_aten::{ArgValue, DType};
use joinery_ir::{OpId, Value};

/// `x` viewed as the result of `op` (result `i`), whose static shape the rule needs.
fn as_result(e: &mut Emitter, op: OpId, i: usize, x: Value) -> Result<Value, Refusal> {
    let size = static_dims(&result_info(e, op, i)).ok_or("a result of dynamic shape")?;
    let size: Vec<i64> = size.iter().map(|&n| n as i64).collect();
    e.view(x, &size)
}

/// The `N`, `C`, `HxW` and `group` sizes of a group norm, checked against the input.
struct Groups {
    n: i64,
    c: i64,
    hxw: i64,
    g: i64,
    /// Channels per group.
    cpg: i64,
}

fn groups(e: &Emitter, op: OpId, input: Value) -> Result<Groups, Refusal> {
    let (n, c, hxw, g) = (
        int_arg(e, op, "N")?,
        int_arg(e, op, "C")?,
        int_arg(e, op, "HxW")?,
        int_arg(e, op, "group")?,
    );
    let numel: u64 = static_dims(&e.info(input))
        .ok_or("it needs the input's static sizes")?
        .iter()
        .product();
    if n <= 0 || c <= 0 || hxw <= 0 || g <= 0 || c % g != 0 {
        return Err(
            format!("N = {n}, C = {c}, HxW = {hxw}, group = {g} are not valid sizes").into(),
        );
    }
    if numel != (n * c * hxw) as u64 {
        return Err(format!("the input has {numel} elements, not N * C * HxW").into());
    }
    Ok(Groups {
        n,
        c,
        hxw,
        g,
        cpg: c / g,
    })
}

/// `native_group_norm(x, w, b) ==> ((x' - mean) * rstd) * w + b, mean, rstd` with `x'` the
/// input viewed `[N, group, C / group, HxW]`, `mean` and the biased variance over its last
/// two dims and `rstd = rsqrt(var + eps)`.
pub(super) fn native_group_norm(e: &mut Emitter, op: OpId) -> Replacements {
    let input = tensor(e, op, "input")?;
    let weight = opt_tensor(e, op, "weight")?;
    let bias = opt_tensor(e, op, "bias")?;
    let eps = float_arg(e, op, "eps")?;
    let s = groups(e, op, input)?;
    let count = s.cpg * s.hxw;
    let cdt = e.dtype(input).computation();
    let x = e.cast(input, cdt)?;
    let x = e.view(x, &[s.n, s.g, s.cpg, s.hxw])?;
    let sum = e.sum(x, &[2, 3], true)?;
    let mean = e.with_int("aten.div.Scalar", sum, count)?;
    let centered = e.sub(x, mean)?;
    let squares = e.mul(centered, centered)?;
    let square_sum = e.sum(squares, &[2, 3], true)?;
    let var = e.with_int("aten.div.Scalar", square_sum, count)?;
    let shifted = e.with_float("aten.add.Scalar", var, eps)?;
    let rstd = e.unary("aten.rsqrt", shifted)?;
    let normalized = e.mul(centered, rstd)?;
    let mut y = e.view(normalized, &[s.n, s.c, s.hxw])?;
    for (affine, add) in [(weight, false), (bias, true)] {
        if let Some(a) = affine {
            let a = e.cast(a, cdt)?;
            let a = e.view(a, &[s.c, 1])?;
            y = if add { e.add(y, a)? } else { e.mul(y, a)? };
        }
    }
    let y = as_result(e, op, 0, y)?;
    let mean = as_result(e, op, 1, mean)?;
    let rstd = as_result(e, op, 2, rstd)?;
    let types: Vec<DType> = (0..3).map(|i| result_info(e, op, i).dtype).collect();
    Ok(vec![
        Some(e.cast(y, types[0])?),
        Some(e.cast(mean, types[1])?),
        Some(e.cast(rstd, types[2])?),
    ])
}

/// `native_group_norm_backward` as `decompositions.native_group_norm_backward`: with
/// `ds = sum(g * x, HxW)` and `db = sum(g, HxW)` per channel,
/// `dx = g * rstd * w + x * c2 + c3` where `c2 = (db' * mean - ds') * rstd^3 / (cpg * HxW)`,
/// `c3 = -c2 * mean - db' * rstd / (cpg * HxW)` (`ds'`, `db'` summed over the group's
/// channels weighted by `w`); `dw = sum_N((ds - db * mean) * rstd)`, `db = sum_N(db)`.
pub(super) fn native_group_norm_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let grad_out = tensor(e, op, "grad_out")?;
    let input = tensor(e, op, "input")?;
    let mean = tensor(e, op, "mean")?;
    let rstd = tensor(e, op, "rstd")?;
    let weight = opt_tensor(e, op, "weight")?;
    let mask = match arg(e, op, "output_mask")? {
        ArgValue::BoolList(v) if v.len() == 3 => [v[0], v[1], v[2]],
        _ => {
            return Err(Refusal::Internal(
                "'output_mask' is not three booleans".into(),
            ));
        }
    };
    let s = groups(e, op, input)?;
    let mut mask = mask;
    let results = masked_results(e, op, &mut mask)?;
    let cdt = e.dtype(input).computation();
    let g = e.cast(grad_out, cdt)?;
    let x = e.cast(input, cdt)?;
    let mean = e.cast(mean, cdt)?;
    let rstd = e.cast(rstd, cdt)?;
    let g3 = e.view(g, &[s.n, s.c, s.hxw])?;
    let x3 = e.view(x, &[s.n, s.c, s.hxw])?;
    let gx = e.mul(g3, x3)?;
    let ds = e.sum(gx, &[2], false)?;
    let db = e.sum(g3, &[2], false)?;
    let mut outs = vec![None, None, None];
    if mask[0] {
        let norm = 1.0 / (s.hxw * s.cpg) as f64;
        let w = match weight {
            Some(w) => Some(e.cast(w, cdt)?),
            None => None,
        };
        let (ds_w, db_w) = match w {
            Some(w) => (e.mul(ds, w)?, e.mul(db, w)?),
            None => (ds, db),
        };
        let ds_val = e.view(ds_w, &[s.n, s.g, s.cpg])?;
        let ds_val = e.sum(ds_val, &[2], false)?;
        let db_val = e.view(db_w, &[s.n, s.g, s.cpg])?;
        let db_val = e.sum(db_val, &[2], false)?;
        let rstd_col = e.unsqueeze(rstd, -1)?;
        let c1 = match w {
            Some(w) => {
                let w = e.view(w, &[1, s.g, s.cpg])?;
                e.mul(rstd_col, w)?
            }
            None => rstd_col,
        };
        let db_mean = e.mul(db_val, mean)?;
        let c2 = e.sub(db_mean, ds_val)?;
        let rstd2 = e.mul(rstd, rstd)?;
        let rstd3 = e.mul(rstd2, rstd)?;
        let c2 = e.mul(c2, rstd3)?;
        let c2 = e.with_float("aten.mul.Scalar", c2, norm)?;
        let c2_mean = e.mul(c2, mean)?;
        let neg = e.unary("aten.neg", c2_mean)?;
        let db_rstd = e.mul(db_val, rstd)?;
        let db_rstd = e.with_float("aten.mul.Scalar", db_rstd, norm)?;
        let c3 = e.sub(neg, db_rstd)?;
        let c1 = e.unsqueeze(c1, -1)?;
        let c2 = e.view(c2, &[s.n, s.g, 1, 1])?;
        let c3 = e.view(c3, &[s.n, s.g, 1, 1])?;
        let g4 = e.view(g, &[s.n, s.g, s.cpg, s.hxw])?;
        let x4 = e.view(x, &[s.n, s.g, s.cpg, s.hxw])?;
        let a = e.mul(g4, c1)?;
        let b = e.mul(x4, c2)?;
        let ab = e.add(a, b)?;
        let dx = e.add(ab, c3)?;
        let dx = as_result(e, op, 0, dx)?;
        outs[0] = Some(e.cast(dx, masked_dtype(&results, 0)?)?);
    }
    if mask[1] {
        let ds3 = e.view(ds, &[s.n, s.g, s.cpg])?;
        let db3 = e.view(db, &[s.n, s.g, s.cpg])?;
        let mean_col = e.unsqueeze(mean, -1)?;
        let db_mean = e.mul(db3, mean_col)?;
        let diff = e.sub(ds3, db_mean)?;
        let rstd_col = e.unsqueeze(rstd, -1)?;
        let scaled = e.mul(diff, rstd_col)?;
        let dw = e.sum(scaled, &[0], false)?;
        let dw = as_result(e, op, 1, dw)?;
        outs[1] = Some(e.cast(dw, masked_dtype(&results, 1)?)?);
    }
    if mask[2] {
        // One sum over N and HxW rather than a sum of the per-channel sums `db`, each
        // rounded to the computation dtype: as the reference kernel sums (the MLIR oracle
        // differed by 1.6e-5 relative on an f32 bias gradient whose terms cancel).
        let dbias = e.sum(g3, &[0, 2], false)?;
        outs[2] = Some(e.cast(dbias, masked_dtype(&results, 2)?)?);
    }
    zero_uncomputed(e, op, &mut outs, &results)?;
    Ok(outs)
}

/// `linalg_vector_norm(x, ord, dim) ==> sum(|x|^ord, dim)^(1/ord)`; `ord = inf` is
/// `amax(|x|)`, `-inf` is `-amax(-|x|)`, `0` counts the nonzero elements; computed in the
/// result's computation dtype.
pub(super) fn linalg_vector_norm(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let ord = float_arg(e, op, "ord")?;
    let dims = match arg(e, op, "dim")? {
        ArgValue::IntList(v) => v,
        ArgValue::Int(d) => vec![d],
        _ => Vec::new(),
    };
    let keepdim = matches!(arg(e, op, "keepdim")?, ArgValue::Bool(true));
    let out = result_info(e, op, 0).dtype;
    let x = e.cast(x, out.computation())?;
    let r = if ord == 0.0 {
        let nonzero = e.with_float("aten.ne.Scalar", x, 0.0)?;
        let nonzero = e.cast(nonzero, out.computation())?;
        e.sum(nonzero, &dims, keepdim)?
    } else if ord.is_infinite() {
        let abs = e.unary("aten.abs", x)?;
        if ord > 0.0 {
            e.amax(abs, &dims, keepdim)?
        } else {
            let neg = e.unary("aten.neg", abs)?;
            let m = e.amax(neg, &dims, keepdim)?;
            e.unary("aten.neg", m)?
        }
    } else {
        let abs = e.unary("aten.abs", x)?;
        let ord_attr = e.float(ord);
        let powered = e.op1(
            "aten.pow.Tensor_Scalar",
            &[abs],
            vec![("exponent", ord_attr)],
        )?;
        let sum = e.sum(powered, &dims, keepdim)?;
        let inv = e.float(1.0 / ord);
        e.op1("aten.pow.Tensor_Scalar", &[sum], vec![("exponent", inv)])?
    };
    Ok(vec![Some(e.cast(r, out)?)])
}

/// The first index along `dim` of the maximum of `x` (or of its first NaN), keepdim
/// shape (`x` of rank 0 as `[1]`): `n - amax(where(x == amax(x, d) | isnan(x), n -
/// arange(n), 0), d)`. Also the maximum itself, `amax(x, d)` (keepdim).
fn first_max(e: &mut Emitter, x: Value, dim: i64) -> Result<(Value, Value), Refusal> {
    let dt = e.dtype(x);
    if dt == DType::Bool {
        return Err("the extreme of a bool tensor".into());
    }
    let shape = ranked(e, x, "self")?;
    let x = if shape.is_empty() {
        e.view(x, &[1])?
    } else {
        x
    };
    let rank = shape.len().max(1) as i64;
    let d = dim.rem_euclid(rank);
    let n = match shape.get(d as usize) {
        None => 1,
        Some(joinery_ir::Dim::Static(n)) => *n as i64,
        Some(joinery_ir::Dim::Dynamic) => return Err("an extreme along a dynamic dim".into()),
    };
    if n == 0 {
        return Err("the extreme of an empty dim".into());
    }
    let m = e.amax(x, &[d], true)?;
    let mut hit = e.binary("aten.eq.Tensor", x, m)?;
    if dt.is_float() {
        let nan = e.unary("aten.isnan", x)?;
        hit = e.binary("aten.logical_or", hit, nan)?;
    }
    let index = e.arange(n as u64)?;
    let mut column = vec![n];
    column.extend(std::iter::repeat_n(1, (rank - 1 - d) as usize));
    let index = e.view(index, &column)?;
    let neg = e.unary("aten.neg", index)?;
    let from_end = e.with_int("aten.add.Scalar", neg, n)?;
    let zero = e.constant(0.0, DType::I64)?;
    let score = e.select(hit, from_end, zero)?;
    let best = e.amax(score, &[d], true)?;
    let neg = e.unary("aten.neg", best)?;
    Ok((m, e.with_int("aten.add.Scalar", neg, n)?))
}

/// Whether `op` looks for the minimum (`argmin`, `min.dim`): the maximum of `-x`.
fn minimizes(e: &Emitter, op: OpId) -> bool {
    matches!(e.ctx.name_str(op), "aten.argmin" | "aten.min.dim")
}

/// `argmax(x, d) ==> ` [`first_max`]`(x, d)`: the first index holding the maximum (or the
/// first NaN) along `d`, every dim flattened when `d` is `None`. `argmin` is
/// `argmax(-x)`.
pub(super) fn argmax(e: &mut Emitter, op: OpId) -> Replacements {
    let mut x = tensor(e, op, "self")?;
    if minimizes(e, op) {
        x = e.unary("aten.neg", x)?;
    }
    let (x, dim) = match arg(e, op, "dim")? {
        ArgValue::Int(d) => (x, d),
        _ => (e.view(x, &[-1])?, 0),
    };
    let (_, index) = first_max(e, x, dim)?;
    Ok(vec![Some(as_result(e, op, 0, index)?)])
}

/// `max.dim(x, d) ==> amax(x, d), argmax(x, d)`; `min.dim` negates `x` and the values.
pub(super) fn max_dim(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let negate = minimizes(e, op);
    let x = if negate { e.unary("aten.neg", x)? } else { x };
    let (m, index) = first_max(e, x, int_arg(e, op, "dim")?)?;
    let m = if negate { e.unary("aten.neg", m)? } else { m };
    Ok(vec![
        Some(as_result(e, op, 0, m)?),
        Some(as_result(e, op, 1, index)?),
    ])
}

/// `amin(x, D) ==> -amax(-x, D)`.
pub(super) fn amin(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    if e.dtype(x) == DType::Bool {
        return Err("the minimum of a bool tensor".into());
    }
    let dims = match arg(e, op, "dim")? {
        ArgValue::IntList(v) => v,
        _ => Vec::new(),
    };
    let keepdim = matches!(arg(e, op, "keepdim")?, ArgValue::Bool(true));
    let neg = e.unary("aten.neg", x)?;
    let m = e.amax(neg, &dims, keepdim)?;
    Ok(vec![Some(e.unary("aten.neg", m)?)])
}
