//! Views and shape ops. The IR has value semantics, so every "view" here returns a fresh
//! tensor holding the viewed elements.

use super::{broadcast_shapes, norm_dim, norm_dims};
use crate::kernels::pointwise::{Operand, result_type};
use crate::tensor::{KResult, Tensor, kerr, map_array};
use ndarray::{ArrayD, Axis, IxDyn, Slice};

fn reshape_array<T: Clone>(a: &ArrayD<T>, shape: &[usize]) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), a.iter().cloned().collect()).expect("same numel")
}

/// Resolves a size list with at most one `-1` against `numel` elements.
pub fn infer_size(size: &[i64], numel: usize) -> KResult<Vec<usize>> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in size.iter().enumerate() {
        match s {
            -1 if infer.is_none() => infer = Some(i),
            -1 => return kerr("only one dimension can be inferred"),
            s if s < 0 => return kerr(format!("invalid shape dimension {s}")),
            s => known *= s as usize,
        }
    }
    let mut out: Vec<usize> = size.iter().map(|&s| s.max(0) as usize).collect();
    if let Some(i) = infer {
        if known == 0 || !numel.is_multiple_of(known) {
            return kerr(format!(
                "shape '{size:?}' is invalid for input of size {numel}"
            ));
        }
        out[i] = numel / known;
    } else if known != numel {
        return kerr(format!(
            "shape '{size:?}' is invalid for input of size {numel}"
        ));
    }
    Ok(out)
}

/// `aten.view` / `aten._unsafe_view` / `aten.reshape`: row-major reshape, one `-1` inferred.
pub fn reshape(x: &Tensor, size: &[i64]) -> KResult<Tensor> {
    let shape = infer_size(size, x.len())?;
    Ok(map_array!(x, a => reshape_array(a, &shape)))
}

/// `aten.permute`.
pub fn permute(x: &Tensor, dims: &[i64]) -> KResult<Tensor> {
    if dims.len() != x.ndim() {
        return kerr(format!(
            "permute: number of dims in the permutation ({}) does not match the input rank ({})",
            dims.len(),
            x.ndim()
        ));
    }
    let perm = norm_dims(dims, x.ndim())?;
    Ok(map_array!(x, a => a.view().permuted_axes(IxDyn(&perm)).to_owned()))
}

/// `aten.transpose.int`.
pub fn transpose(x: &Tensor, d0: i64, d1: i64) -> KResult<Tensor> {
    let rank = x.ndim();
    let (d0, d1) = (norm_dim(d0, rank)?, norm_dim(d1, rank)?);
    if rank == 0 {
        return Ok(x.clone());
    }
    let mut perm: Vec<usize> = (0..rank).collect();
    perm.swap(d0, d1);
    Ok(map_array!(x, a => a.view().permuted_axes(IxDyn(&perm)).to_owned()))
}

/// `aten.t`: transposes a tensor of rank at most 2.
pub fn t(x: &Tensor) -> KResult<Tensor> {
    if x.ndim() > 2 {
        return kerr(format!(
            "t() expects a tensor with <= 2 dimensions, but self is {}D",
            x.ndim()
        ));
    }
    if x.ndim() < 2 {
        return Ok(x.clone());
    }
    transpose(x, 0, 1)
}

/// `aten.expand`: broadcasts to `size` (`-1` keeps a dimension; new dimensions lead).
pub fn expand(x: &Tensor, size: &[i64]) -> KResult<Tensor> {
    let rank = x.ndim();
    if size.len() < rank {
        return kerr(format!(
            "expand: the number of sizes provided ({}) must be greater or equal to the number of dimensions in the tensor ({rank})",
            size.len()
        ));
    }
    let lead = size.len() - rank;
    let mut target = Vec::with_capacity(size.len());
    for (i, &s) in size.iter().enumerate() {
        target.push(match s {
            -1 if i < lead => {
                return kerr("expand: -1 is not allowed in a leading, non-existing dimension");
            }
            -1 => x.shape()[i - lead],
            s if s < 0 => return kerr(format!("expand: invalid size {s}")),
            s => s as usize,
        });
    }
    broadcast_to(x, &target)
}

/// Broadcasts a tensor to `shape` (which must be a broadcast of its shape).
pub fn broadcast_to(x: &Tensor, shape: &[usize]) -> KResult<Tensor> {
    if broadcast_shapes(x.shape(), shape)? != shape {
        return kerr(format!(
            "the expanded size of the tensor must match the existing size: cannot expand {:?} to {shape:?}",
            x.shape()
        ));
    }
    Ok(map_array!(x, a => a.broadcast(IxDyn(shape)).expect("checked").to_owned()))
}

/// `aten.squeeze`: removes the given dimensions (all when `None`) that have extent 1.
pub fn squeeze(x: &Tensor, dims: Option<&[i64]>) -> KResult<Tensor> {
    let rank = x.ndim();
    let targets = match dims {
        Some(d) => norm_dims(d, rank)?,
        None => (0..rank).collect(),
    };
    let shape: Vec<usize> = x
        .shape()
        .iter()
        .enumerate()
        .filter(|&(d, &n)| !(n == 1 && targets.contains(&d)))
        .map(|(_, &n)| n)
        .collect();
    Ok(map_array!(x, a => reshape_array(a, &shape)))
}

/// `aten.unsqueeze`: inserts a dimension of extent 1 at `dim` (in `-(rank+1)..=rank`).
pub fn unsqueeze(x: &Tensor, dim: i64) -> KResult<Tensor> {
    let d = norm_dim(dim, x.ndim() + 1)?;
    Ok(map_array!(x, a => a.clone().insert_axis(Axis(d))))
}

/// `aten.slice.Tensor`: `x[start:end:step]` along `dim`, bounds clamped as Python does.
pub fn slice(
    x: &Tensor,
    dim: i64,
    start: Option<i64>,
    end: Option<i64>,
    step: i64,
) -> KResult<Tensor> {
    if x.ndim() == 0 {
        return kerr("slice() cannot be applied to a 0-dim tensor");
    }
    if step <= 0 {
        return kerr("slice step must be positive");
    }
    let d = norm_dim(dim, x.ndim())?;
    let n = x.shape()[d] as i64;
    let clampi = |v: i64| {
        let v = if v < 0 { v + n } else { v };
        v.clamp(0, n)
    };
    let s = clampi(start.unwrap_or(0));
    let e = clampi(end.unwrap_or(n)).max(s);
    let sl = Slice::new(s as isize, Some(e as isize), step as isize);
    Ok(map_array!(x, a => a.slice_axis(Axis(d), sl).to_owned()))
}

/// `aten.select.int`: removes `dim`, keeping element `index` (negative counts from the end).
pub fn select(x: &Tensor, dim: i64, index: i64) -> KResult<Tensor> {
    if x.ndim() == 0 {
        return kerr("select() cannot be applied to a 0-dim tensor");
    }
    let d = norm_dim(dim, x.ndim())?;
    let n = x.shape()[d] as i64;
    if index < -n || index >= n {
        return kerr(format!(
            "select(): index {index} out of range for tensor of size {:?} at dimension {d}",
            x.shape()
        ));
    }
    let i = index.rem_euclid(n.max(1)) as usize;
    Ok(map_array!(x, a => a.index_axis(Axis(d), i).to_owned()))
}

/// `aten.split_with_sizes`: consecutive pieces of the given extents along `dim`.
pub fn split_with_sizes(x: &Tensor, sizes: &[i64], dim: i64) -> KResult<Vec<Tensor>> {
    let d = norm_dim(dim, x.ndim())?;
    let n = x.shape().get(d).copied().unwrap_or(1) as i64;
    if sizes.iter().any(|&s| s < 0) || sizes.iter().sum::<i64>() != n {
        return kerr(format!(
            "split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), but got split_sizes={sizes:?}"
        ));
    }
    let mut start = 0;
    let mut out = Vec::with_capacity(sizes.len());
    for &s in sizes {
        out.push(slice(x, d as i64, Some(start), Some(start + s), 1)?);
        start += s;
    }
    Ok(out)
}

/// `aten.split.Tensor`: pieces of `split_size` along `dim`, the last one possibly smaller.
pub fn split(x: &Tensor, split_size: i64, dim: i64) -> KResult<Vec<Tensor>> {
    let d = norm_dim(dim, x.ndim())?;
    let n = x.shape().get(d).copied().unwrap_or(1) as i64;
    if split_size < 0 || (split_size == 0 && n != 0) {
        return kerr(format!(
            "split expects split_size be non-negative and nonzero for a non-empty dimension, but got split_size={split_size}"
        ));
    }
    let count = if n == 0 {
        1
    } else {
        (n + split_size - 1) / split_size
    };
    let sizes: Vec<i64> = (0..count)
        .map(|i| (n - i * split_size).min(split_size))
        .collect();
    split_with_sizes(x, &sizes, dim)
}

/// `aten.cat`: concatenation along `dim` in the promoted dtype of all inputs (1-D empty
/// tensors are skipped, as PyTorch's legacy behaviour allows).
pub fn cat(xs: &[&Tensor], dim: i64) -> KResult<Tensor> {
    let Some(first) = xs.iter().find(|t| !(t.ndim() == 1 && t.is_empty())) else {
        return match xs.first() {
            Some(t) => Ok((*t).clone()),
            None => kerr("torch.cat(): expected a non-empty list of Tensors"),
        };
    };
    let ops: Vec<Operand> = xs.iter().map(|t| Operand::Tensor(t)).collect();
    let dtype = result_type(&ops);
    let rank = first.ndim();
    if rank == 0 {
        return kerr("zero-dimensional tensor cannot be concatenated");
    }
    let d = norm_dim(dim, rank)?;
    let parts: Vec<Tensor> = xs
        .iter()
        .filter(|t| !(t.ndim() == 1 && t.is_empty()))
        .map(|t| t.cast(dtype))
        .collect();
    for (i, p) in parts.iter().enumerate() {
        let same =
            p.ndim() == rank && (0..rank).all(|k| k == d || p.shape()[k] == first.shape()[k]);
        if !same {
            return kerr(format!(
                "sizes of tensors must match except in dimension {d}: tensor {i} has shape {:?}, expected {:?}",
                p.shape(),
                first.shape()
            ));
        }
    }
    macro_rules! cat_as {
        ($variant:ident) => {{
            let views: Vec<_> = parts
                .iter()
                .map(|p| match p {
                    Tensor::$variant(a) => a.view(),
                    _ => unreachable!("cast to one dtype"),
                })
                .collect();
            Tensor::$variant(ndarray::concatenate(Axis(d), &views).expect("checked shapes"))
        }};
    }
    Ok(match parts[0] {
        Tensor::Bool(_) => cat_as!(Bool),
        Tensor::I32(_) => cat_as!(I32),
        Tensor::I64(_) => cat_as!(I64),
        Tensor::F32(_) => cat_as!(F32),
        Tensor::F64(_) => cat_as!(F64),
        Tensor::C64(_) => cat_as!(C64),
        Tensor::C128(_) => cat_as!(C128),
    })
}

/// `aten.stack`: inserts `dim` in every input and concatenates along it.
pub fn stack(xs: &[&Tensor], dim: i64) -> KResult<Tensor> {
    let Some(first) = xs.first() else {
        return kerr("stack expects a non-empty TensorList");
    };
    let d = norm_dim(dim, first.ndim() + 1)? as i64;
    let parts = xs
        .iter()
        .map(|t| {
            if t.shape() != first.shape() {
                return kerr(format!(
                    "stack expects each tensor to be equal size, but got {:?} and {:?}",
                    first.shape(),
                    t.shape()
                ));
            }
            unsqueeze(t, d)
        })
        .collect::<KResult<Vec<_>>>()?;
    cat(&parts.iter().collect::<Vec<_>>(), d)
}

/// `aten.copy`: `src` broadcast to `self`'s shape and converted to `self`'s dtype.
pub fn copy(dst: &Tensor, src: &Tensor) -> KResult<Tensor> {
    broadcast_to(&src.cast(dst.dtype()), dst.shape())
}

/// A size list as a shape, checking it has no negative extent.
pub fn shape_of(size: &[i64]) -> KResult<Vec<usize>> {
    if let Some(s) = size.iter().find(|&&s| s < 0) {
        return kerr(format!("negative dimension {s}"));
    }
    Ok(size.iter().map(|&s| s as usize).collect())
}

/// The `*_scatter` ops: `x` with the elements that `view` selects replaced by `src` (cast
/// to `x`'s dtype). The view is applied to the flat positions of `x`, which says where
/// each element of `src` goes.
pub fn view_scatter(
    x: &Tensor,
    src: &Tensor,
    view: impl Fn(&Tensor) -> KResult<Tensor>,
) -> KResult<Tensor> {
    let positions = ArrayD::from_shape_vec(IxDyn(x.shape()), (0..x.len() as i64).collect())
        .expect("one position per element");
    let at = view(&Tensor::I64(positions))?;
    if at.shape() != src.shape() {
        return kerr(format!(
            "src of shape {:?} does not match the shape {:?} of the view it is written to",
            src.shape(),
            at.shape()
        ));
    }
    let at: Vec<usize> = at.to_i64().iter().map(|&p| p as usize).collect();
    let mut out = x.clone();
    match (&mut out, &src.cast(x.dtype())) {
        (Tensor::Bool(o), Tensor::Bool(s)) => scatter_flat(o, s, &at),
        (Tensor::I32(o), Tensor::I32(s)) => scatter_flat(o, s, &at),
        (Tensor::I64(o), Tensor::I64(s)) => scatter_flat(o, s, &at),
        (Tensor::F32(o), Tensor::F32(s)) => scatter_flat(o, s, &at),
        (Tensor::F64(o), Tensor::F64(s)) => scatter_flat(o, s, &at),
        (Tensor::C64(o), Tensor::C64(s)) => scatter_flat(o, s, &at),
        (Tensor::C128(o), Tensor::C128(s)) => scatter_flat(o, s, &at),
        _ => return kerr("view_scatter: src was not cast to self's dtype"),
    }
    Ok(out)
}

fn scatter_flat<T: Clone>(out: &mut ArrayD<T>, src: &ArrayD<T>, at: &[usize]) {
    let mut flat: Vec<T> = out.iter().cloned().collect();
    for (v, &p) in src.iter().zip(at) {
        flat[p] = v.clone();
    }
    *out = ArrayD::from_shape_vec(out.raw_dim(), flat).expect("same numel");
}

/// `aten.triu` (`upper`) / `aten.tril`: zeroes the elements below (above) diagonal
/// `diagonal` of the last two dimensions.
pub fn triangle(x: &Tensor, diagonal: i64, upper: bool) -> KResult<Tensor> {
    if x.ndim() < 2 {
        return kerr("triu/tril: input tensor must have at least 2 dimensions");
    }
    let r = x.ndim();
    let keep = move |idx: &IxDyn| {
        let off = idx[r - 1] as i64 - idx[r - 2] as i64;
        if upper {
            off >= diagonal
        } else {
            off <= diagonal
        }
    };
    Ok(map_array!(x, a => {
        let mut a = a.clone();
        for (idx, v) in a.indexed_iter_mut() {
            if !keep(&idx) {
                *v = Default::default();
            }
        }
        a
    }))
}

/// `aten.constant_pad_nd`: pads (or, for negative amounts, crops) the last dimensions by
/// `pad` = (before, after) pairs, last dimension first, filling with `value`.
pub fn constant_pad(x: &Tensor, pad: &[i64], value: crate::tensor::Scalar) -> KResult<Tensor> {
    if !pad.len().is_multiple_of(2) || pad.len() / 2 > x.ndim() {
        return kerr(format!(
            "constant_pad_nd: padding length {} must be even and at most twice the rank {}",
            pad.len(),
            x.ndim()
        ));
    }
    let r = x.ndim();
    let mut before = vec![0i64; r];
    let mut shape: Vec<i64> = x.shape().iter().map(|&n| n as i64).collect();
    for (i, pair) in pad.chunks(2).enumerate() {
        let d = r - 1 - i;
        before[d] = pair[0];
        shape[d] += pair[0] + pair[1];
        if shape[d] < 0 {
            return kerr(format!(
                "constant_pad_nd: the padded size of dimension {d} is negative ({})",
                shape[d]
            ));
        }
    }
    let mut out = super::factory::full(&shape, value, x.dtype())?;
    // The overlap of input and output along each dim, in each one's coordinates.
    let ranges: Vec<(usize, usize, usize)> = (0..r)
        .map(|d| {
            let (n, m, b) = (x.shape()[d] as i64, shape[d], before[d]);
            let src = (-b).max(0);
            let dst = b.max(0);
            let len = (n - src).min(m - dst).max(0);
            (src as usize, dst as usize, len as usize)
        })
        .collect();
    fn copy_region<T: Clone>(
        src: &ArrayD<T>,
        dst: &mut ArrayD<T>,
        ranges: &[(usize, usize, usize)],
    ) {
        let s = src.slice_each_axis(|ax| {
            let (o, _, l) = ranges[ax.axis.index()];
            Slice::from(o..o + l)
        });
        let mut t = dst.slice_each_axis_mut(|ax| {
            let (_, o, l) = ranges[ax.axis.index()];
            Slice::from(o..o + l)
        });
        t.assign(&s);
    }
    match (&mut out, x) {
        (Tensor::Bool(o), Tensor::Bool(a)) => copy_region(a, o, &ranges),
        (Tensor::I32(o), Tensor::I32(a)) => copy_region(a, o, &ranges),
        (Tensor::I64(o), Tensor::I64(a)) => copy_region(a, o, &ranges),
        (Tensor::F32(o), Tensor::F32(a)) => copy_region(a, o, &ranges),
        (Tensor::F64(o), Tensor::F64(a)) => copy_region(a, o, &ranges),
        _ => return kerr("constant_pad_nd: the padded tensor keeps the input's dtype"),
    }
    Ok(out)
}

/// `aten.unbind`: the slices of `x` along `dim`, without that dimension.
pub fn unbind(x: &Tensor, dim: i64) -> KResult<Vec<Tensor>> {
    if x.ndim() == 0 {
        return kerr("Dimension specified as 0 but tensor has no dimensions");
    }
    let d = norm_dim(dim, x.ndim())?;
    (0..x.shape()[d] as i64)
        .map(|i| select(x, d as i64, i))
        .collect()
}
