//! Tensor factories: `full`, `zeros`, `ones`, `scalar_tensor`, `arange`.

use super::shape::shape_of;
use crate::tensor::{DType, KResult, Scalar, Tensor, kerr};
use ndarray::{ArrayD, IxDyn};

/// The dtype PyTorch infers for a factory filled with `value` when none is given: bool,
/// i64, or the default float dtype.
pub fn inferred_dtype(value: Scalar) -> DType {
    match value {
        Scalar::Bool(_) => DType::Bool,
        Scalar::Int(_) => DType::I64,
        Scalar::Float(_) => DType::F32,
    }
}

/// `aten.full`: a tensor of `size` filled with `value`.
pub fn full(size: &[i64], value: Scalar, dtype: DType) -> KResult<Tensor> {
    let shape = shape_of(size)?;
    let one = value.to_tensor(dtype);
    super::shape::broadcast_to(&one, &shape)
}

/// `aten.arange` (all three overloads): `start, start + step, ...` below `end`, in i64
/// when every bound is an integer and f32 otherwise unless `dtype` says otherwise.
pub fn arange(start: Scalar, end: Scalar, step: Scalar, dtype: Option<DType>) -> KResult<Tensor> {
    let all_int = [start, end, step]
        .iter()
        .all(|s| matches!(s, Scalar::Int(_) | Scalar::Bool(_)));
    let dtype = dtype.unwrap_or(if all_int { DType::I64 } else { DType::F32 });
    let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
    if st == 0.0 {
        return kerr("arange: step must be nonzero");
    }
    if !(s.is_finite() && e.is_finite()) {
        return kerr(format!("arange: unsupported range: {s} -> {e}"));
    }
    if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
        return kerr("arange: upper bound and larger bound inconsistent with step sign");
    }
    let count = ((e - s) / st).ceil().max(0.0) as usize;
    if dtype.is_float() {
        let v: Vec<f64> = (0..count).map(|i| s + st * i as f64).collect();
        return Ok(Tensor::from_vec_f64(&[count], v, dtype));
    }
    let (s, st) = (start.to_i64(), step.to_i64());
    let v: Vec<i64> = (0..count as i64).map(|i| s + st * i).collect();
    Ok(Tensor::from_i64(
        ArrayD::from_shape_vec(IxDyn(&[count]), v).expect("1-D"),
        dtype,
    ))
}

/// `aten.bernoulli.p`: ones with probability `p`, in `self`'s shape and dtype, drawn from
/// the counter-based stream [`super::nn::uniform`]`(seed, stream, i)`.
pub fn bernoulli(x: &Tensor, p: f64, seed: u64, stream: u64) -> KResult<Tensor> {
    if !(0.0..=1.0).contains(&p) {
        return kerr(format!(
            "bernoulli expects p to be in [0, 1], but got p={p}"
        ));
    }
    let v: Vec<f64> = (0..x.len() as u64)
        .map(|i| f64::from(u8::from(super::nn::uniform(seed, stream, i) < p)))
        .collect();
    Ok(Tensor::from_vec_f64(x.shape(), v, x.dtype()))
}

/// `aten.rand` (uniform in `[0, 1)`) and `aten.randn` (standard normal, by Box-Muller),
/// from the counter-based stream [`super::nn::uniform`].
pub fn random(size: &[i64], dtype: DType, normal: bool, seed: u64, stream: u64) -> KResult<Tensor> {
    if !dtype.is_float() {
        return kerr(format!(
            "rand/randn need a floating-point dtype, got {dtype}"
        ));
    }
    let shape = shape_of(size)?;
    let n: u64 = shape.iter().product::<usize>() as u64;
    let u = |i: u64| super::nn::uniform(seed, stream, i);
    let v: Vec<f64> = (0..n)
        .map(|i| {
            if normal {
                let (u1, u2) = (1.0 - u(2 * i), u(2 * i + 1));
                (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
            } else {
                u(i)
            }
        })
        .collect();
    Ok(Tensor::from_vec_f64(&shape, v, dtype))
}

/// `aten.randperm`: a random permutation of `0..n`: the stable ascending order of `n`
/// uniform keys drawn as `rand([n], f64)` draws them (the native backend decomposes it
/// so), in `dtype`.
pub fn randperm(n: i64, dtype: DType, seed: u64, stream: u64) -> KResult<Tensor> {
    let keys = random(&[n], DType::F64, false, seed, stream)?.to_f64();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&i, &j| keys[i].total_cmp(&keys[j]));
    let values = order.into_iter().map(|i| i as f64).collect();
    Ok(Tensor::from_vec_f64(&[keys.len()], values, dtype))
}

/// `aten.linspace`: `steps` evenly spaced values from `start` to `end`, computed as PyTorch
/// does (the first half counting up from `start`, the second down from `end`).
pub fn linspace(start: Scalar, end: Scalar, steps: i64, dtype: Option<DType>) -> KResult<Tensor> {
    if steps < 0 {
        return kerr("linspace: number of steps must be non-negative");
    }
    let dtype = dtype.unwrap_or(DType::F32);
    let (a, b) = (start.to_f64(), end.to_f64());
    let n = steps as usize;
    let step = if n > 1 { (b - a) / (n - 1) as f64 } else { 0.0 };
    // One step is `start` (PyTorch fills it alone); more fill from both ends.
    let half = (n / 2).max(1);
    let values: Vec<f64> = (0..n)
        .map(|i| {
            if i < half {
                a + step * i as f64
            } else {
                b - step * (n - 1 - i) as f64
            }
        })
        .collect();
    Ok(Tensor::from_vec_f64(&[n], values, dtype))
}
