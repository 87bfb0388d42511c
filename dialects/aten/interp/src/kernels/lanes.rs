//! Ops along one dimension: `cumsum`, `sort`, `topk`, `flip`.

use super::{index, norm_dim, norm_dims};
use crate::tensor::{DType, KResult, Tensor, kerr, map_array};
use ndarray::{ArrayD, Axis, IxDyn};
use std::cmp::Ordering;

/// `aten.cumsum`: running sums along `dim`; integers and bools accumulate in i64 unless
/// `dtype` says otherwise.
pub fn cumsum(x: &Tensor, dim: i64, dtype: Option<DType>) -> KResult<Tensor> {
    let d = norm_dim(dim, x.ndim())?;
    let dtype = dtype.unwrap_or(if x.dtype().is_float() {
        x.dtype()
    } else {
        DType::I64
    });
    if x.ndim() == 0 {
        return Ok(x.cast(dtype));
    }
    Ok(if dtype.is_float() {
        let mut a = x.to_f64_in(dtype);
        for mut lane in a.lanes_mut(Axis(d)) {
            let mut acc = 0.0;
            for v in lane.iter_mut() {
                acc += *v;
                *v = acc;
            }
        }
        Tensor::from_f64(a, dtype)
    } else {
        let mut a = x.cast(dtype).to_i64();
        for mut lane in a.lanes_mut(Axis(d)) {
            let mut acc = 0i64;
            for v in lane.iter_mut() {
                acc = acc.wrapping_add(*v);
                *v = acc;
            }
        }
        Tensor::from_i64(a, dtype)
    })
}

/// Orders values ascending with NaN above everything (PyTorch's sort order).
fn nan_last(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// For every lane along `d`, the positions of its first `k` elements in sorted order
/// (ascending, or descending), ties kept in index order; shaped like `x` with `k` at `d`.
fn order(x: &Tensor, d: usize, k: usize, descending: bool) -> Tensor {
    let keys = x.to_f64();
    let mut shape = x.shape().to_vec();
    shape[d] = k;
    let mut out = ArrayD::<i64>::zeros(IxDyn(&shape));
    for (lane, mut dst) in keys.lanes(Axis(d)).into_iter().zip(out.lanes_mut(Axis(d))) {
        let mut idx: Vec<usize> = (0..lane.len()).collect();
        idx.sort_by(|&i, &j| {
            let o = nan_last(lane[i], lane[j]);
            if descending { o.reverse() } else { o }
        });
        for (slot, &i) in dst.iter_mut().zip(&idx) {
            *slot = i as i64;
        }
    }
    Tensor::I64(out)
}

/// `aten.sort`: values and their indices along `dim` (stable; NaN sorts as the largest).
pub fn sort(x: &Tensor, dim: i64, descending: bool) -> KResult<(Tensor, Tensor)> {
    if x.ndim() == 0 {
        return Ok((x.clone(), Tensor::I64(ArrayD::zeros(IxDyn(&[])))));
    }
    let d = norm_dim(dim, x.ndim())?;
    let indices = order(x, d, x.shape()[d], descending);
    Ok((index::gather(x, dim, &indices)?, indices))
}

/// `aten.topk`: the `k` largest (or smallest) values along `dim` and their indices, in
/// sorted order.
pub fn topk(x: &Tensor, k: i64, dim: i64, largest: bool) -> KResult<(Tensor, Tensor)> {
    let n = if x.ndim() == 0 {
        1
    } else {
        x.shape()[norm_dim(dim, x.ndim())?]
    };
    if k < 0 || k as usize > n {
        return kerr(format!(
            "selected index k out of range: k = {k}, size = {n}"
        ));
    }
    if x.ndim() == 0 {
        return Ok((x.clone(), Tensor::I64(ArrayD::zeros(IxDyn(&[])))));
    }
    let d = norm_dim(dim, x.ndim())?;
    let indices = order(x, d, k as usize, largest);
    Ok((index::gather(x, dim, &indices)?, indices))
}

/// `aten.flip`: reverses the order of elements along each of `dims`.
pub fn flip(x: &Tensor, dims: &[i64]) -> KResult<Tensor> {
    let dims = norm_dims(dims, x.ndim())?;
    if x.ndim() == 0 {
        // Dim 0 of a 0-d tensor is its single element: nothing to reverse.
        return Ok(x.clone());
    }
    Ok(map_array!(x, a => {
        let mut a = a.clone();
        for &d in &dims {
            a.invert_axis(Axis(d));
        }
        a.as_standard_layout().into_owned()
    }))
}
