//! Indexing: `gather`, `index.Tensor`, `index_put`, `as_strided`, `max.dim`.

use super::{norm_dim, reduce};
use crate::kernels::pointwise::Operand;
use crate::tensor::{DType, KResult, Tensor, kerr, map_array};
use ndarray::{ArrayD, IxDyn};

/// Row-major strides of a shape.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The multi-index of flat offset `i` in `shape`.
fn unravel(mut i: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        if shape[d] > 0 {
            idx[d] = i % shape[d];
            i /= shape[d];
        }
    }
    idx
}

/// Picks flat elements of `x` by offsets into a tensor of `shape`.
fn take(x: &Tensor, offsets: &[usize], shape: &[usize]) -> Tensor {
    map_array!(x, a => {
        let flat: Vec<_> = a.iter().copied().collect();
        ArrayD::from_shape_vec(IxDyn(shape), offsets.iter().map(|&o| flat[o]).collect())
            .expect("offsets match shape")
    })
}

fn index_list(t: &Tensor, what: &str) -> KResult<Vec<i64>> {
    if !matches!(t.dtype(), DType::I32 | DType::I64) {
        return kerr(format!(
            "{what}: expected an integer index tensor, got {}",
            t.dtype()
        ));
    }
    Ok(t.to_i64().iter().copied().collect())
}

/// `aten.gather`: `out[i][j] = self[index[i][j]][j]` along `dim` (for every rank).
pub fn gather(x: &Tensor, dim: i64, index: &Tensor) -> KResult<Tensor> {
    let d = norm_dim(dim, x.ndim())?;
    let idx = index_list(index, "gather")?;
    if index.ndim() != x.ndim().max(1) && !(x.ndim() == 0 && index.ndim() == 0) {
        return kerr("gather: index tensor must have the same number of dimensions as input");
    }
    let xshape: Vec<usize> = if x.ndim() == 0 {
        vec![1]
    } else {
        x.shape().to_vec()
    };
    let ishape: Vec<usize> = if index.ndim() == 0 {
        vec![1]
    } else {
        index.shape().to_vec()
    };
    if ishape
        .iter()
        .zip(&xshape)
        .enumerate()
        .any(|(k, (i, s))| k != d && i > s)
    {
        return kerr(format!(
            "gather: size of index {:?} must not exceed the input {:?} outside dimension {d}",
            index.shape(),
            x.shape()
        ));
    }
    let xs = strides(&xshape);
    let mut offsets = Vec::with_capacity(idx.len());
    for (flat, &v) in idx.iter().enumerate() {
        let n = xshape[d] as i64;
        if v < -n || v >= n {
            return kerr(format!(
                "gather: index {v} is out of bounds for dimension {d} with size {n}"
            ));
        }
        let mut at = unravel(flat, &ishape);
        at[d] = v.rem_euclid(n.max(1)) as usize;
        offsets.push(at.iter().zip(&xs).map(|(a, s)| a * s).sum());
    }
    Ok(take(x, &offsets, index.shape()))
}

/// Flat offsets of `self[indices]` and the result shape. `None` entries (and dims past
/// the last entry) are full slices. As in PyTorch, the broadcast index dims replace the
/// indexed dims in place when those are adjacent, and come first otherwise.
fn advanced(x: &Tensor, indices: &[Option<&Tensor>]) -> KResult<(Vec<usize>, Vec<usize>)> {
    if indices.len() > x.ndim() {
        return kerr(format!(
            "too many indices for tensor of dimension {} (got {})",
            x.ndim(),
            indices.len()
        ));
    }
    let indexed: Vec<(usize, &Tensor)> = indices
        .iter()
        .enumerate()
        .filter_map(|(d, t)| t.map(|t| (d, t)))
        .collect();
    let mut bshape: Vec<usize> = Vec::new();
    for (_, t) in &indexed {
        if t.dtype() == DType::Bool {
            return kerr("index: boolean mask indices are not supported by the interpreter");
        }
        bshape = super::broadcast_shapes(&bshape, t.shape())?;
    }
    let lists = indexed
        .iter()
        .map(|(_, t)| {
            let b = super::shape::broadcast_to(t, &bshape)?;
            index_list(&b, "index")
        })
        .collect::<KResult<Vec<_>>>()?;
    let sliced: Vec<usize> = (0..x.ndim())
        .filter(|d| !indexed.iter().any(|(i, _)| i == d))
        .collect();
    let adjacent = indexed.windows(2).all(|w| w[1].0 == w[0].0 + 1);
    let lead = match indexed.first() {
        Some(&(first, _)) if adjacent => first,
        _ => 0,
    };
    let mut shape: Vec<usize> = sliced[..lead].iter().map(|&d| x.shape()[d]).collect();
    shape.extend_from_slice(&bshape);
    shape.extend(sliced[lead..].iter().map(|&d| x.shape()[d]));
    let xs = strides(x.shape());
    let bs = strides(&bshape);
    let count: usize = shape.iter().product();
    let mut offsets = Vec::with_capacity(count);
    for i in 0..count {
        let at = unravel(i, &shape);
        let (pre, rest) = at.split_at(lead);
        let (b, post) = rest.split_at(bshape.len());
        let flat: usize = b.iter().zip(&bs).map(|(a, s)| a * s).sum();
        let mut base = 0;
        for ((d, _), list) in indexed.iter().zip(&lists) {
            let n = x.shape()[*d] as i64;
            let v = list[flat];
            if v < -n || v >= n {
                return kerr(format!(
                    "index {v} is out of bounds for dimension {d} with size {n}"
                ));
            }
            base += v.rem_euclid(n.max(1)) as usize * xs[*d];
        }
        for (&c, &d) in pre.iter().chain(post).zip(&sliced) {
            base += c * xs[d];
        }
        offsets.push(base);
    }
    Ok((offsets, shape))
}

/// `aten.index.Tensor`: `None` entries of `indices` are full slices.
pub fn index(x: &Tensor, indices: &[Option<&Tensor>]) -> KResult<Tensor> {
    let (offsets, shape) = advanced(x, indices)?;
    Ok(take(x, &offsets, &shape))
}

/// `aten.index_put`: writes (or, with `accumulate`, adds) `values` at `self[indices]`.
pub fn index_put(
    x: &Tensor,
    indices: &[Option<&Tensor>],
    values: &Tensor,
    accumulate: bool,
) -> KResult<Tensor> {
    let (offsets, shape) = advanced(x, indices)?;
    let vals = super::shape::broadcast_to(&values.cast(x.dtype()), &shape)?;
    let dtype = x.dtype();
    if dtype.is_float() {
        let mut out: Vec<f64> = x.to_f64().iter().copied().collect();
        for (&o, v) in offsets.iter().zip(vals.to_f64().iter()) {
            out[o] = if accumulate { out[o] + v } else { *v };
        }
        return Ok(Tensor::from_vec_f64(x.shape(), out, dtype));
    }
    let mut out: Vec<i64> = x.to_i64().iter().copied().collect();
    for (&o, &v) in offsets.iter().zip(vals.to_i64().iter()) {
        out[o] = if accumulate {
            out[o].wrapping_add(v)
        } else {
            v
        };
    }
    let arr = ArrayD::from_shape_vec(IxDyn(x.shape()), out).expect("same shape");
    Ok(Tensor::from_i64(arr, dtype))
}

/// `aten.as_strided`: elements of the row-major storage of `self` at
/// `storage_offset + sum(i_k * stride_k)`.
pub fn as_strided(x: &Tensor, size: &[i64], stride: &[i64], offset: i64) -> KResult<Tensor> {
    if size.len() != stride.len() {
        return kerr("as_strided: mismatch in length of strides and shape");
    }
    let shape = super::shape::shape_of(size)?;
    if stride.iter().any(|&s| s < 0) || offset < 0 {
        return kerr("as_strided: negative strides and offsets are not supported");
    }
    let count: usize = shape.iter().product();
    let mut offsets = Vec::with_capacity(count);
    for i in 0..count {
        let at = unravel(i, &shape);
        let o = offset as usize
            + at.iter()
                .zip(stride)
                .map(|(a, &s)| a * s as usize)
                .sum::<usize>();
        if o >= x.len() {
            return kerr(format!(
                "as_strided: setStorage: sizes {size:?}, strides {stride:?}, storage offset {offset} require a storage of at least {} elements, but the input has {}",
                o + 1,
                x.len()
            ));
        }
        offsets.push(o);
    }
    Ok(take(x, &offsets, &shape))
}

/// `aten.max.dim` / `aten.min.dim`: `(values, indices)` along `dim`.
pub fn max_dim(x: &Tensor, dim: i64, keepdim: bool, max: bool) -> KResult<(Tensor, Tensor)> {
    let indices = reduce::argmax(x, Some(dim), true, max)?;
    let d = norm_dim(dim, x.ndim())?;
    let values = if x.ndim() == 0 {
        x.clone()
    } else {
        gather(x, d as i64, &indices)?
    };
    if keepdim || x.ndim() == 0 {
        return Ok((values, indices));
    }
    Ok((
        super::shape::squeeze(&values, Some(&[d as i64]))?,
        super::shape::squeeze(&indices, Some(&[d as i64]))?,
    ))
}

/// `aten.masked_fill.Scalar`: `mask ? value : self`, in `self`'s dtype.
pub fn masked_fill(x: &Tensor, mask: &Tensor, value: crate::tensor::Scalar) -> KResult<Tensor> {
    let dtype = x.dtype();
    let filled = super::pointwise::where_(mask, Operand::Scalar(value), Operand::Tensor(x))?;
    let out = filled.cast(dtype);
    if out.shape() != x.shape() {
        return kerr(format!(
            "masked_fill: mask of shape {:?} cannot be broadcast to self of shape {:?}",
            mask.shape(),
            x.shape()
        ));
    }
    Ok(out)
}
