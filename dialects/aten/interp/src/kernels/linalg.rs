//! Matrix products: `mm`, `bmm`, `addmm`.

use super::{expect_rank, map2};
use crate::tensor::{DType, KResult, Scalar, Tensor, kerr};
use ndarray::{ArrayD, Ix2, IxDyn};

fn same_dtype(a: &Tensor, b: &Tensor, op: &str) -> KResult<DType> {
    if a.dtype() != b.dtype() {
        return kerr(format!(
            "{op}: expected both operands to have the same dtype, but got {} and {}",
            a.dtype(),
            b.dtype()
        ));
    }
    Ok(a.dtype())
}

/// One matrix product of 2-D arrays in f64 or i64, by element type.
fn product(a: &Tensor, b: &Tensor, dtype: DType) -> KResult<Tensor> {
    let (n, k) = (a.shape()[0], a.shape()[1]);
    let (k2, m) = (b.shape()[0], b.shape()[1]);
    if k != k2 {
        return kerr(format!(
            "mat1 and mat2 shapes cannot be multiplied ({n}x{k} and {k2}x{m})"
        ));
    }
    Ok(if dtype.is_float() {
        let x = a.to_f64().into_dimensionality::<Ix2>().expect("2-D");
        let y = b.to_f64().into_dimensionality::<Ix2>().expect("2-D");
        Tensor::from_f64(x.dot(&y).into_dyn(), dtype)
    } else {
        let x = a.to_i64().into_dimensionality::<Ix2>().expect("2-D");
        let y = b.to_i64().into_dimensionality::<Ix2>().expect("2-D");
        let mut out = ArrayD::<i64>::zeros(IxDyn(&[n, m]));
        for i in 0..n {
            for j in 0..m {
                out[[i, j]] = (0..k).fold(0i64, |acc, p| {
                    acc.wrapping_add(x[[i, p]].wrapping_mul(y[[p, j]]))
                });
            }
        }
        Tensor::from_i64(out, dtype)
    })
}

/// `aten.mm`.
pub fn mm(a: &Tensor, b: &Tensor) -> KResult<Tensor> {
    expect_rank(a, 2, "mm self")?;
    expect_rank(b, 2, "mm mat2")?;
    let dtype = same_dtype(a, b, "mm")?;
    product(a, b, dtype)
}

/// `aten.bmm`: a batch of matrix products over the leading dimension.
pub fn bmm(a: &Tensor, b: &Tensor) -> KResult<Tensor> {
    expect_rank(a, 3, "bmm self")?;
    expect_rank(b, 3, "bmm mat2")?;
    let dtype = same_dtype(a, b, "bmm")?;
    if a.shape()[0] != b.shape()[0] {
        return kerr(format!(
            "bmm: batch sizes differ ({} vs {})",
            a.shape()[0],
            b.shape()[0]
        ));
    }
    let mut parts = Vec::with_capacity(a.shape()[0]);
    for i in 0..a.shape()[0] {
        let ai = super::shape::select(a, 0, i as i64)?;
        let bi = super::shape::select(b, 0, i as i64)?;
        parts.push(super::shape::unsqueeze(&product(&ai, &bi, dtype)?, 0)?);
    }
    if parts.is_empty() {
        let shape = [0, a.shape()[1], b.shape()[2]];
        return Ok(Tensor::from_f64(ArrayD::zeros(IxDyn(&shape)), dtype));
    }
    super::shape::cat(&parts.iter().collect::<Vec<_>>(), 0)
}

/// `aten.addmm`: `beta * self + alpha * (mat1 @ mat2)`; `self` is ignored when `beta == 0`.
pub fn addmm(x: &Tensor, m1: &Tensor, m2: &Tensor, beta: Scalar, alpha: Scalar) -> KResult<Tensor> {
    let prod = mm(m1, m2)?;
    let dtype = same_dtype(x, &prod, "addmm")?;
    let target = prod.shape().to_vec();
    let bias = super::shape::broadcast_to(x, &target)?;
    if dtype.is_float() {
        let (b, a) = (beta.to_f64(), alpha.to_f64());
        let r = map2(&bias.to_f64(), &prod.to_f64(), |s, p| {
            if b == 0.0 { a * p } else { b * s + a * p }
        })?;
        Ok(Tensor::from_f64(r, dtype))
    } else {
        let (b, a) = (beta.to_i64(), alpha.to_i64());
        let r = map2(&bias.to_i64(), &prod.to_i64(), |s, p| {
            b.wrapping_mul(s).wrapping_add(a.wrapping_mul(p))
        })?;
        Ok(Tensor::from_i64(r, dtype))
    }
}
