//! Kernels: plain functions over [`Tensor`]s with PyTorch's semantics. They know nothing of
//! the IR; errors are span-less diagnostics the interpreter places on the op.
//!
//! Numerics: floating-point math is evaluated in f64 after each operand has been rounded to
//! the op's common dtype, and the result is rounded to the result dtype once; reductions
//! accumulate in f64. This is at least as accurate as PyTorch's CPU kernels (which use the
//! dtype itself, or a wider accumulator for reductions), so results agree with PyTorch to
//! within a few ulps of the result dtype; integer math is exact with two's-complement wrap.

pub mod complex;
pub mod factory;
pub mod geo;
pub mod index;
pub mod lanes;
pub mod linalg;
pub mod nn;
pub mod pointwise;
pub mod pool;
pub mod reduce;
pub mod shape;

use crate::tensor::{KResult, Tensor, kerr};
use ndarray::{ArrayD, IxDyn, Zip};

/// The broadcast of two shapes (numpy/PyTorch rules: align trailing dims, 1 stretches).
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> KResult<Vec<usize>> {
    let rank = a.len().max(b.len());
    let mut out = vec![0; rank];
    for i in 0..rank {
        let da = if i < rank - a.len() {
            1
        } else {
            a[i - (rank - a.len())]
        };
        let db = if i < rank - b.len() {
            1
        } else {
            b[i - (rank - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => {
                return kerr(format!(
                    "shapes {a:?} and {b:?} do not broadcast: dimension {i} is {da} vs {db}"
                ));
            }
        };
    }
    Ok(out)
}

/// [`joinery_aten::norm_dim`] as an interpreter error.
pub fn norm_dim(dim: i64, rank: usize) -> KResult<usize> {
    joinery_aten::norm_dim(dim, rank).or_else(kerr)
}

/// Normalizes a list of dimensions; duplicates are an error.
pub fn norm_dims(dims: &[i64], rank: usize) -> KResult<Vec<usize>> {
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let d = norm_dim(d, rank)?;
        if out.contains(&d) {
            return kerr(format!(
                "dim {d} appears multiple times in the list of dims"
            ));
        }
        out.push(d);
    }
    Ok(out)
}

/// Applies `f` elementwise over two arrays broadcast together.
pub fn map2<A: Clone, B: Clone, R>(
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    f: impl Fn(A, B) -> R,
) -> KResult<ArrayD<R>> {
    let shape = broadcast_shapes(a.shape(), b.shape())?;
    let av = a.broadcast(IxDyn(&shape)).expect("broadcastable");
    let bv = b.broadcast(IxDyn(&shape)).expect("broadcastable");
    Ok(Zip::from(&av)
        .and(&bv)
        .map_collect(|x, y| f(x.clone(), y.clone())))
}

/// Applies `f` elementwise over three arrays broadcast together.
pub fn map3<A: Clone, B: Clone, C: Clone, R>(
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    c: &ArrayD<C>,
    f: impl Fn(A, B, C) -> R,
) -> KResult<ArrayD<R>> {
    let shape = broadcast_shapes(&broadcast_shapes(a.shape(), b.shape())?, c.shape())?;
    let av = a.broadcast(IxDyn(&shape)).expect("broadcastable");
    let bv = b.broadcast(IxDyn(&shape)).expect("broadcastable");
    let cv = c.broadcast(IxDyn(&shape)).expect("broadcastable");
    Ok(Zip::from(&av)
        .and(&bv)
        .and(&cv)
        .map_collect(|x, y, z| f(x.clone(), y.clone(), z.clone())))
}

/// Requires a tensor of rank `rank` (for messages, `what` names the argument).
pub fn expect_rank(t: &Tensor, rank: usize, what: &str) -> KResult<()> {
    if t.ndim() != rank {
        return kerr(format!(
            "{what} must be {rank}-D, got a tensor of shape {:?}",
            t.shape()
        ));
    }
    Ok(())
}

/// Requires a floating-point tensor.
pub fn expect_float(t: &Tensor, what: &str) -> KResult<()> {
    if !t.dtype().is_float() {
        return kerr(format!(
            "{what} must be a floating-point tensor, got {}",
            t.describe()
        ));
    }
    Ok(())
}

/// The number of elements of a shape.
pub fn numel(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// Applies `f` to every lane along `dim` of same-shaped arrays (one slice per input, in
/// order) and assembles the lanes it returns into an array of that shape.
pub fn map_lanes(
    inputs: &[&ArrayD<f64>],
    dim: usize,
    f: impl Fn(&[&[f64]]) -> Vec<f64>,
) -> ArrayD<f64> {
    let shape = inputs[0].shape().to_vec();
    let rank = shape.len();
    if rank == 0 {
        let vals: Vec<Vec<f64>> = inputs.iter().map(|a| a.iter().copied().collect()).collect();
        let slices: Vec<&[f64]> = vals.iter().map(Vec::as_slice).collect();
        return ArrayD::from_shape_vec(IxDyn(&[]), f(&slices)).expect("one element");
    }
    let mut perm: Vec<usize> = (0..rank).filter(|&d| d != dim).collect();
    perm.push(dim);
    let rows: Vec<Vec<f64>> = inputs
        .iter()
        .map(|a| {
            a.view()
                .permuted_axes(IxDyn(&perm))
                .iter()
                .copied()
                .collect()
        })
        .collect();
    let n = shape[dim];
    let count = rows[0].len().checked_div(n).unwrap_or(0);
    let mut out = Vec::with_capacity(rows[0].len());
    for i in 0..count {
        let lanes: Vec<&[f64]> = rows.iter().map(|r| &r[i * n..(i + 1) * n]).collect();
        out.extend(f(&lanes));
    }
    let permuted_shape: Vec<usize> = perm.iter().map(|&d| shape[d]).collect();
    let mut inverse = vec![0; rank];
    for (i, &p) in perm.iter().enumerate() {
        inverse[p] = i;
    }
    ArrayD::from_shape_vec(IxDyn(&permuted_shape), out)
        .expect("lanes keep their length")
        .permuted_axes(IxDyn(&inverse))
        .as_standard_layout()
        .into_owned()
}
