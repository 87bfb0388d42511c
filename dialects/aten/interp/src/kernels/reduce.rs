//! Reductions over lists of dimensions (`sum`, `prod`, `any`, `all`, `mean`, `amax`, `amin`,
//! `var`, `argmax`).

use super::{norm_dim, norm_dims};
use crate::tensor::{DType, KResult, Tensor, kerr};
use ndarray::{ArrayD, IxDyn};

/// The layout of a reduction: `outer` output elements, each reducing `inner` inputs.
struct Plan {
    out_shape: Vec<usize>,
    outer: usize,
    inner: usize,
    perm: Vec<usize>,
}

/// Plans reducing `dims` (all dimensions when `None` or empty) of a tensor of `shape`.
fn plan(shape: &[usize], dims: Option<&[i64]>, keepdim: bool) -> KResult<Plan> {
    let rank = shape.len();
    let reduced: Vec<usize> = match dims {
        Some(d) if !d.is_empty() => norm_dims(d, rank)?,
        _ => (0..rank).collect(),
    };
    let reduced: Vec<usize> = reduced.into_iter().filter(|&d| d < rank).collect();
    let kept: Vec<usize> = (0..rank).filter(|d| !reduced.contains(d)).collect();
    let out_shape = if keepdim {
        (0..rank)
            .map(|d| if reduced.contains(&d) { 1 } else { shape[d] })
            .collect()
    } else {
        kept.iter().map(|&d| shape[d]).collect()
    };
    let outer = kept.iter().map(|&d| shape[d]).product();
    let inner = reduced.iter().map(|&d| shape[d]).product();
    let perm = kept.into_iter().chain(reduced).collect();
    Ok(Plan {
        out_shape,
        outer,
        inner,
        perm,
    })
}

/// The elements of `a` grouped into rows of `plan.inner` reduced elements.
fn rows<T: Clone>(a: &ArrayD<T>, plan: &Plan) -> Vec<T> {
    a.view()
        .permuted_axes(IxDyn(&plan.perm))
        .iter()
        .cloned()
        .collect()
}

fn reduce_f64(x: &ArrayD<f64>, plan: &Plan, f: impl Fn(&[f64]) -> f64) -> ArrayD<f64> {
    let data = rows(x, plan);
    let out: Vec<f64> = if plan.inner == 0 {
        (0..plan.outer).map(|_| f(&[])).collect()
    } else {
        data.chunks(plan.inner).map(&f).collect()
    };
    ArrayD::from_shape_vec(IxDyn(&plan.out_shape), out).expect("reduction shape")
}

/// `aten.sum`: integers and bools sum to i64 unless `dtype` says otherwise.
pub fn sum(
    x: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> KResult<Tensor> {
    fold(
        x,
        dims,
        keepdim,
        dtype,
        0.0,
        |a, b| a + b,
        0,
        i64::wrapping_add,
    )
}

/// `aten.prod`: integers and bools multiply in i64 unless `dtype` says otherwise.
pub fn prod(
    x: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> KResult<Tensor> {
    fold(
        x,
        dims,
        keepdim,
        dtype,
        1.0,
        |a, b| a * b,
        1,
        i64::wrapping_mul,
    )
}

/// Folds the reduced elements from `init` with `ff` (floats, in f64) or `fi` (integers
/// and bools, in i64, the default result dtype for them).
#[allow(clippy::too_many_arguments)]
fn fold(
    x: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
    init_f: f64,
    ff: fn(f64, f64) -> f64,
    init_i: i64,
    fi: fn(i64, i64) -> i64,
) -> KResult<Tensor> {
    let plan = plan(x.shape(), dims, keepdim)?;
    let dtype = dtype.unwrap_or(if x.dtype().is_float() {
        x.dtype()
    } else {
        DType::I64
    });
    if dtype.is_float() {
        let r = reduce_f64(&x.to_f64_in(dtype), &plan, |r| {
            r.iter().copied().fold(init_f, ff)
        });
        return Ok(Tensor::from_f64(r, dtype));
    }
    let data = rows(&x.cast(dtype).to_i64(), &plan);
    let out: Vec<i64> = if plan.inner == 0 {
        vec![init_i; plan.outer]
    } else {
        data.chunks(plan.inner)
            .map(|r| r.iter().copied().fold(init_i, fi))
            .collect()
    };
    let arr = ArrayD::from_shape_vec(IxDyn(&plan.out_shape), out).expect("reduction shape");
    Ok(Tensor::from_i64(arr, dtype))
}

/// `aten.any` / `aten.all` over `dims` (every dim when `None`): bool results; an empty
/// reduction gives `false` for `any` and `true` for `all`.
pub fn any_all(x: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> KResult<Tensor> {
    let plan = plan(x.shape(), dims, keepdim)?;
    let data = rows(&x.to_bool(), &plan);
    let out: Vec<bool> = if plan.inner == 0 {
        vec![all; plan.outer]
    } else {
        data.chunks(plan.inner)
            .map(|r| {
                if all {
                    r.iter().all(|&b| b)
                } else {
                    r.iter().any(|&b| b)
                }
            })
            .collect()
    };
    Ok(Tensor::Bool(
        ArrayD::from_shape_vec(IxDyn(&plan.out_shape), out).expect("reduction shape"),
    ))
}

/// `aten.mean`: floating-point inputs only (or an explicit float `dtype`).
pub fn mean(
    x: &Tensor,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> KResult<Tensor> {
    let dtype = dtype.unwrap_or(x.dtype());
    if !dtype.is_float() {
        return kerr(format!(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {dtype}"
        ));
    }
    let plan = plan(x.shape(), dims, keepdim)?;
    let n = plan.inner as f64;
    let r = reduce_f64(&x.to_f64_in(dtype), &plan, |r| r.iter().sum::<f64>() / n);
    Ok(Tensor::from_f64(r, dtype))
}

/// `aten.amax` / `aten.amin`: NaN propagates; reducing an empty dimension is an error.
pub fn amax(x: &Tensor, dims: &[i64], keepdim: bool, max: bool) -> KResult<Tensor> {
    let plan = plan(x.shape(), Some(dims), keepdim)?;
    if plan.inner == 0 && plan.outer > 0 {
        return kerr("expected reduction dim to have a non-zero size");
    }
    if x.dtype().is_float() {
        let r = reduce_f64(&x.to_f64(), &plan, |r| {
            r.iter().copied().fold(
                if max {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
                |a, b| {
                    if a.is_nan() || b.is_nan() {
                        f64::NAN
                    } else if max {
                        a.max(b)
                    } else {
                        a.min(b)
                    }
                },
            )
        });
        return Ok(Tensor::from_f64(r, x.dtype()));
    }
    let data = rows(&x.to_i64(), &plan);
    let out: Vec<i64> = data
        .chunks(plan.inner.max(1))
        .map(|r| {
            if max {
                r.iter().copied().max().unwrap_or(i64::MIN)
            } else {
                r.iter().copied().min().unwrap_or(i64::MAX)
            }
        })
        .collect();
    let arr = ArrayD::from_shape_vec(IxDyn(&plan.out_shape), out).expect("reduction shape");
    Ok(Tensor::from_i64(arr, x.dtype()))
}

/// `aten.var.correction` and the variance half of `var_mean`: the sum of squared
/// deviations divided by `max(0, N - correction)`; returns `(var, mean)`.
pub fn var_mean(
    x: &Tensor,
    dims: Option<&[i64]>,
    correction: f64,
    keepdim: bool,
) -> KResult<(Tensor, Tensor)> {
    super::expect_float(x, "var input")?;
    let plan = plan(x.shape(), dims, keepdim)?;
    let n = plan.inner as f64;
    let data = rows(&x.to_f64(), &plan);
    let (mut vars, mut means) = (
        Vec::with_capacity(plan.outer),
        Vec::with_capacity(plan.outer),
    );
    for i in 0..plan.outer {
        let r = &data[i * plan.inner..(i + 1) * plan.inner];
        let m = r.iter().sum::<f64>() / n;
        let ss: f64 = r.iter().map(|v| (v - m) * (v - m)).sum();
        vars.push(ss / (n - correction).max(0.0));
        means.push(m);
    }
    let shape = IxDyn(&plan.out_shape);
    let var = ArrayD::from_shape_vec(shape.clone(), vars).expect("reduction shape");
    let mean = ArrayD::from_shape_vec(shape, means).expect("reduction shape");
    Ok((
        Tensor::from_f64(var, x.dtype()),
        Tensor::from_f64(mean, x.dtype()),
    ))
}

/// `aten.argmax` / `aten.argmin`: the first index of the extremum (NaN counts as the
/// maximum, as in PyTorch); over the flattened tensor when `dim` is `None`.
pub fn argmax(x: &Tensor, dim: Option<i64>, keepdim: bool, max: bool) -> KResult<Tensor> {
    let (dims, keepdim) = match dim {
        Some(d) => (vec![norm_dim(d, x.ndim())? as i64], keepdim),
        None => (Vec::new(), false),
    };
    let plan = plan(x.shape(), Some(&dims), keepdim)?;
    if plan.inner == 0 {
        return kerr("argmax(): expected reduction dim to be specified for input.numel() == 0");
    }
    let mut shape = plan.out_shape.clone();
    if dim.is_none() && keepdim {
        shape = vec![1; x.ndim()];
    }
    let data = rows(&x.to_f64(), &plan);
    let out: Vec<i64> = data
        .chunks(plan.inner)
        .map(|r| {
            let mut best = 0;
            for (i, &v) in r.iter().enumerate() {
                let b = r[best];
                if b.is_nan() {
                    break;
                }
                if v.is_nan() || (max && v > b) || (!max && v < b) {
                    best = i;
                }
            }
            best as i64
        })
        .collect();
    Ok(Tensor::I64(
        ArrayD::from_shape_vec(IxDyn(&shape), out).expect("reduction shape"),
    ))
}

/// `aten.linalg_vector_norm`: `(sum |x|^ord)^(1/ord)` over `dims` (all when `None`);
/// `ord = inf` is the largest `|x|`, `-inf` the smallest, `0` the count of non-zeros.
pub fn vector_norm(
    x: &Tensor,
    ord: f64,
    dims: Option<&[i64]>,
    keepdim: bool,
    dtype: Option<DType>,
) -> KResult<Tensor> {
    super::expect_float(x, "linalg_vector_norm input")?;
    let dtype = dtype.unwrap_or(x.dtype());
    let plan = plan(x.shape(), dims, keepdim)?;
    if plan.inner == 0 && ord < 0.0 {
        return kerr("linalg.vector_norm cannot compute a negative norm over an empty dimension");
    }
    let r = reduce_f64(&x.to_f64_in(dtype), &plan, |r| {
        let abs = r.iter().map(|v| v.abs());
        if ord == f64::INFINITY {
            abs.fold(0.0, f64::max)
        } else if ord == f64::NEG_INFINITY {
            abs.fold(f64::INFINITY, f64::min)
        } else if ord == 0.0 {
            abs.filter(|&v| v != 0.0).count() as f64
        } else {
            abs.map(|v| v.powf(ord)).sum::<f64>().powf(1.0 / ord)
        }
    });
    Ok(Tensor::from_f64(r, dtype))
}
