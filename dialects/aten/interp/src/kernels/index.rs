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
        let mut at = unravel(flat, &ishape);
        at[d] = in_range(v, xshape[d], d, "gather")?;
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

/// Checks an index `v` into dimension `dim` of size `n`: `gather`, `scatter` and
/// `index_select` take `0 <= v < n` (PyTorch refuses a negative one, unlike `index`).
fn in_range(v: i64, n: usize, dim: usize, what: &str) -> KResult<usize> {
    match usize::try_from(v) {
        Ok(i) if i < n => Ok(i),
        _ => kerr(format!(
            "{what}: index {v} is out of bounds for dimension {dim} with size {n}"
        )),
    }
}

/// `aten.index_select`: the slices of `x` at `index` along `dim`.
pub fn index_select(x: &Tensor, dim: i64, index: &Tensor) -> KResult<Tensor> {
    let d = norm_dim(dim, x.ndim())?;
    if index.ndim() > 1 {
        return kerr("index_select(): Index is supposed to be a vector");
    }
    let idx = index_list(index, "index_select")?;
    let xshape = if x.ndim() == 0 {
        vec![1]
    } else {
        x.shape().to_vec()
    };
    let rows = idx
        .iter()
        .map(|&v| in_range(v, xshape[d], d, "index_select"))
        .collect::<KResult<Vec<_>>>()?;
    let mut shape = xshape.clone();
    shape[d] = rows.len();
    let xs = strides(&xshape);
    let offsets: Vec<usize> = (0..shape.iter().product())
        .map(|flat| {
            let mut at = unravel(flat, &shape);
            at[d] = rows[at[d]];
            at.iter().zip(&xs).map(|(a, s)| a * s).sum()
        })
        .collect();
    let out_shape = if x.ndim() == 0 { Vec::new() } else { shape };
    Ok(take(x, &offsets, &out_shape))
}

/// `aten.repeat`: `x` tiled `repeats` times per dimension (aligned right).
pub fn repeat(x: &Tensor, repeats: &[i64]) -> KResult<Tensor> {
    if repeats.len() < x.ndim() {
        return kerr(format!(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor ({} < {})",
            repeats.len(),
            x.ndim()
        ));
    }
    if let Some(r) = repeats.iter().find(|&&r| r < 0) {
        return kerr(format!("repeats must be non-negative, got {r}"));
    }
    let lead = repeats.len() - x.ndim();
    let src: Vec<usize> = std::iter::repeat_n(1, lead)
        .chain(x.shape().iter().copied())
        .collect();
    let shape: Vec<usize> = src
        .iter()
        .zip(repeats)
        .map(|(&s, &r)| s * r as usize)
        .collect();
    let xs = strides(&src);
    let offsets: Vec<usize> = (0..shape.iter().product())
        .map(|flat| {
            let at = unravel(flat, &shape);
            at.iter()
                .zip(&src)
                .zip(&xs)
                .map(|((a, n), s)| (a % n) * s)
                .sum()
        })
        .collect();
    Ok(take(x, &offsets, &shape))
}

/// How `scatter_reduce` combines values written to one place.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ScatterReduce {
    /// `scatter`: the last write wins.
    Replace,
    Sum,
    Prod,
    Mean,
    Amax,
    Amin,
}

impl ScatterReduce {
    /// Parses `scatter_reduce`'s `reduce` argument.
    pub fn parse(s: &str) -> KResult<ScatterReduce> {
        Ok(match s {
            "sum" => ScatterReduce::Sum,
            "prod" => ScatterReduce::Prod,
            "mean" => ScatterReduce::Mean,
            "amax" => ScatterReduce::Amax,
            "amin" => ScatterReduce::Amin,
            _ => {
                return kerr(format!(
                    "reduce argument must be either sum, prod, mean, amax or amin, got {s}"
                ));
            }
        })
    }
}

/// What `scatter` writes: a tensor's elements, or one value.
#[derive(Clone, Copy, Debug)]
pub enum ScatterSource<'a> {
    Tensor(&'a Tensor),
    Value(crate::tensor::Scalar),
}

/// `aten.scatter` / `scatter_add` / `scatter_reduce`: `x` with `src[p]` combined into
/// `out[p with dim replaced by index[p]]` for every position `p` of `index`.
pub fn scatter(
    x: &Tensor,
    dim: i64,
    index: &Tensor,
    src: ScatterSource,
    reduce: ScatterReduce,
    include_self: bool,
) -> KResult<Tensor> {
    let d = norm_dim(dim, x.ndim())?;
    let idx = index_list(index, "scatter")?;
    let xshape = if x.ndim() == 0 {
        vec![1]
    } else {
        x.shape().to_vec()
    };
    let ishape = if index.ndim() == 0 {
        vec![1]
    } else {
        index.shape().to_vec()
    };
    if ishape.len() != xshape.len() {
        return kerr("scatter: index tensor must have the same number of dimensions as self");
    }
    let src_vals: Option<(Vec<f64>, Vec<usize>)> = match src {
        ScatterSource::Tensor(s) => {
            if s.dtype() != x.dtype() {
                return kerr(format!(
                    "scatter: expected self and src to have the same dtype, got {} and {}",
                    x.dtype(),
                    s.dtype()
                ));
            }
            let sshape = if s.ndim() == 0 {
                vec![1]
            } else {
                s.shape().to_vec()
            };
            if ishape.iter().zip(&sshape).any(|(i, s)| i > s) {
                return kerr(format!(
                    "scatter: index {:?} must not be larger than src {:?} in any dimension",
                    index.shape(),
                    s.shape()
                ));
            }
            Some((s.to_f64().iter().copied().collect(), strides(&sshape)))
        }
        ScatterSource::Value(_) => None,
    };
    if ishape
        .iter()
        .zip(&xshape)
        .enumerate()
        .any(|(k, (i, s))| k != d && i > s)
    {
        return kerr(format!(
            "scatter: index {:?} must not be larger than self {:?} outside dimension {d}",
            index.shape(),
            x.shape()
        ));
    }
    let integral = !x.dtype().is_float();
    let mut out: Vec<f64> = x.to_f64().iter().copied().collect();
    let mut count = vec![usize::from(include_self); out.len()];
    let mut touched = vec![false; out.len()];
    let xs = strides(&xshape);
    for (flat, &v) in idx.iter().enumerate() {
        let mut at = unravel(flat, &ishape);
        let value = match (&src_vals, src) {
            (Some((vals, ss)), _) => vals[at.iter().zip(ss).map(|(a, s)| a * s).sum::<usize>()],
            (None, ScatterSource::Value(s)) => s.to_f64(),
            (None, ScatterSource::Tensor(_)) => unreachable!("tensor sources are read above"),
        };
        at[d] = in_range(v, xshape[d], d, "scatter")?;
        let o: usize = at.iter().zip(&xs).map(|(a, s)| a * s).sum();
        if !touched[o] && !include_self && reduce != ScatterReduce::Replace {
            out[o] = value;
            touched[o] = true;
            count[o] = 1;
            continue;
        }
        touched[o] = true;
        count[o] += 1;
        out[o] = match reduce {
            ScatterReduce::Replace => value,
            ScatterReduce::Sum | ScatterReduce::Mean => out[o] + value,
            ScatterReduce::Prod => out[o] * value,
            ScatterReduce::Amax => {
                if out[o].is_nan() || value.is_nan() {
                    f64::NAN
                } else {
                    out[o].max(value)
                }
            }
            ScatterReduce::Amin => {
                if out[o].is_nan() || value.is_nan() {
                    f64::NAN
                } else {
                    out[o].min(value)
                }
            }
        };
    }
    if reduce == ScatterReduce::Mean {
        for ((v, &n), &t) in out.iter_mut().zip(&count).zip(&touched) {
            if t && n > 0 {
                *v /= n as f64;
                if integral {
                    *v = v.floor();
                }
            }
        }
    }
    let arr = ArrayD::from_shape_vec(IxDyn(x.shape()), out).expect("self's shape");
    Ok(Tensor::from_f64(arr, x.dtype()))
}

/// `aten.reflection_pad*` (`reflect`) / `aten.replication_pad*`: pads the last
/// `padding.len() / 2` dims by (before, after) pairs (last dim first) with the input
/// mirrored at its edges (edge not repeated) or with the edge repeated.
pub fn index_pad(x: &Tensor, padding: &[i64], reflect: bool) -> KResult<Tensor> {
    let k = padding.len() / 2;
    if !padding.len().is_multiple_of(2) || x.ndim() < k + 1 {
        return kerr(format!(
            "padding {padding:?} needs an even length and an input of rank at least {}",
            k + 1
        ));
    }
    let r = x.ndim();
    let mut before = vec![0i64; r];
    let mut shape = x.shape().to_vec();
    for (i, pair) in padding.chunks(2).enumerate() {
        let d = r - 1 - i;
        let n = x.shape()[d] as i64;
        if reflect && (pair[0] >= n || pair[1] >= n) {
            return kerr(format!(
                "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({}, {}) at dimension {d} of input {:?}",
                pair[0],
                pair[1],
                x.shape()
            ));
        }
        let m = n + pair[0] + pair[1];
        if m <= 0 || n == 0 {
            return kerr(format!("padding: the padded size of dimension {d} is {m}"));
        }
        before[d] = pair[0];
        shape[d] = m as usize;
    }
    let xs = strides(x.shape());
    let offsets: Vec<usize> = (0..shape.iter().product())
        .map(|flat| {
            let at = unravel(flat, &shape);
            at.iter()
                .enumerate()
                .map(|(d, &o)| {
                    let n = x.shape()[d] as i64;
                    let i = o as i64 - before[d];
                    let i = if reflect {
                        let i = i.abs();
                        if i >= n { 2 * (n - 1) - i } else { i }
                    } else {
                        i.clamp(0, n - 1)
                    };
                    i as usize * xs[d]
                })
                .sum()
        })
        .collect();
    Ok(take(x, &offsets, &shape))
}

/// `aten.diagonal`: the elements `x[.., i, .., i + offset, ..]` of dims `dim1` and `dim2`,
/// as a last dimension.
pub fn diagonal(x: &Tensor, offset: i64, dim1: i64, dim2: i64) -> KResult<Tensor> {
    if x.ndim() < 2 {
        return kerr("diagonal: the input needs at least 2 dimensions");
    }
    let (d1, d2) = (norm_dim(dim1, x.ndim())?, norm_dim(dim2, x.ndim())?);
    if d1 == d2 {
        return kerr(format!(
            "diagonal dimensions cannot be identical {dim1}, {dim2}"
        ));
    }
    let (n1, n2) = (x.shape()[d1] as i64, x.shape()[d2] as i64);
    let len = if offset >= 0 {
        n1.min(n2 - offset)
    } else {
        (n1 + offset).min(n2)
    }
    .max(0);
    let (start1, start2) = if offset >= 0 {
        (0, offset)
    } else {
        (-offset, 0)
    };
    let kept: Vec<usize> = (0..x.ndim()).filter(|&d| d != d1 && d != d2).collect();
    let mut shape: Vec<usize> = kept.iter().map(|&d| x.shape()[d]).collect();
    shape.push(len as usize);
    let xs = strides(x.shape());
    let offsets: Vec<usize> = (0..shape.iter().product())
        .map(|flat| {
            let at = unravel(flat, &shape);
            let i = at[at.len() - 1] as i64;
            let base: usize = kept.iter().zip(&at).map(|(&d, &a)| a * xs[d]).sum();
            base + (start1 + i) as usize * xs[d1] + (start2 + i) as usize * xs[d2]
        })
        .collect();
    Ok(take(x, &offsets, &shape))
}

/// `aten.masked_scatter`: `x` with the positions where `mask` (broadcast) is true taking
/// the elements of `source` in order.
pub fn masked_scatter(x: &Tensor, mask: &Tensor, source: &Tensor) -> KResult<Tensor> {
    if mask.dtype() != DType::Bool {
        return kerr("masked_scatter: mask must be a bool tensor");
    }
    if source.dtype() != x.dtype() {
        return kerr(format!(
            "masked_scatter: expected self and source to have the same dtype, got {} and {}",
            x.dtype(),
            source.dtype()
        ));
    }
    let shape = super::broadcast_shapes(x.shape(), mask.shape())?;
    let x = super::shape::broadcast_to(x, &shape)?;
    let mask = super::shape::broadcast_to(mask, &shape)?;
    let src: Vec<f64> = source.to_f64().iter().copied().collect();
    let mut next = 0;
    let mut out: Vec<f64> = x.to_f64().iter().copied().collect();
    for (v, &m) in out.iter_mut().zip(mask.to_bool().iter()) {
        if m {
            let Some(&s) = src.get(next) else {
                return kerr(
                    "masked_scatter: the number of true elements of mask exceeds the number of elements of source",
                );
            };
            *v = s;
            next += 1;
        }
    }
    let arr = ArrayD::from_shape_vec(IxDyn(&shape), out).expect("broadcast shape");
    Ok(Tensor::from_f64(arr, x.dtype()))
}

/// `aten.nonzero`: the multi-index of every nonzero element of `x` (NaN counts as
/// nonzero), in row-major order, as `i64` rows.
pub fn nonzero(x: &Tensor) -> KResult<Tensor> {
    let shape = x.shape();
    let hits: Vec<usize> = (x.to_f64().iter().enumerate())
        .filter(|(_, v)| **v != 0.0)
        .map(|(i, _)| i)
        .collect();
    let rows: Vec<i64> = (hits.iter())
        .flat_map(|&i| unravel(i, shape))
        .map(|k| k as i64)
        .collect();
    ArrayD::from_shape_vec(IxDyn(&[hits.len(), shape.len()]), rows)
        .map(Tensor::I64)
        .or_else(|e| kerr(format!("nonzero: {e}")))
}
