//! Inference rules of the geometric ops: grid sampling, affine grids and pairwise
//! distances (PyTorch's `grid_sampler`, `affine_grid_generator`, `cdist` and `pdist` checks).

use super::{Inferred, Shape, broadcast, participant, ranked, require_float, same_dtype};
use crate::args::{Args, TensorInfo};
use crate::dtype::{DEFAULT_FLOAT, result_type};
use joinery_ir::Dim;

/// The interpolation and padding modes of a grid sampler: 0..=2 each.
fn grid_modes(a: &Args) -> Result<(), String> {
    let interpolation = a.int("interpolation_mode")?;
    if !(0..=2).contains(&interpolation) {
        return Err(format!(
            "interpolation_mode must be 0 (bilinear), 1 (nearest) or 2 (bicubic), got {interpolation}"
        ));
    }
    let padding = a.int("padding_mode")?;
    if !(0..=2).contains(&padding) {
        return Err(format!(
            "padding_mode must be 0 (zeros), 1 (border) or 2 (reflection), got {padding}"
        ));
    }
    Ok(())
}

/// The `[N, C, oH, oW]` shape a grid sampler produces from `input` `[N, C, H, W]` and
/// `grid` `[N, oH, oW, 2]`.
fn sampled_shape(input: &TensorInfo, grid: &TensorInfo) -> Result<Shape, String> {
    require_float(input, "input")?;
    same_dtype(input, grid, "input and grid")?;
    let (Some(i), Some(g)) = (ranked(input, "input", &[4])?, ranked(grid, "grid", &[4])?) else {
        return Ok(None);
    };
    if let (Dim::Static(a), Dim::Static(b)) = (i[0], g[0])
        && a != b
    {
        return Err(format!(
            "grid and input must have the same batch size, got {b} and {a}"
        ));
    }
    if let Dim::Static(n) = g[3]
        && n != 2
    {
        return Err(format!(
            "grid must have size 2 in its last dimension, got {n}"
        ));
    }
    if i[2..].contains(&Dim::Static(0)) {
        return Err("input must have non-empty spatial dimensions".into());
    }
    Ok(Some(vec![i[0], i[1], g[1], g[2]]))
}

/// `grid_sampler_2d`: `[N, C, oH, oW]` in the input's dtype.
pub fn grid_sampler(a: &Args) -> Inferred {
    grid_modes(a)?;
    let input = a.tensor("input");
    let shape = sampled_shape(input, a.tensor("grid"))?;
    Ok(vec![TensorInfo {
        shape,
        dtype: input.dtype,
    }])
}

/// `grid_sampler_2d_backward`: the gradients of `input` and `grid`, shaped like them.
pub fn grid_sampler_backward(a: &Args) -> Inferred {
    grid_modes(a)?;
    let (input, grid) = (a.tensor("input"), a.tensor("grid"));
    let out = sampled_shape(input, grid)?;
    let grad = a.tensor("grad_output");
    same_dtype(grad, input, "grad_output and input")?;
    if !super::shapes_agree(&grad.shape, &out) {
        return Err(format!(
            "grad_output has shape {}, the sampled output {}",
            super::shape_str(&grad.shape),
            super::shape_str(&out)
        ));
    }
    Ok(vec![input.clone(), grid.clone()])
}

/// `affine_grid_generator`: `theta` `[N, 2, 3]` and `size` `[N, C, H, W]` give `[N, H, W, 2]`;
/// `[N, 3, 4]` and `[N, C, D, H, W]` give `[N, D, H, W, 3]`.
pub fn affine_grid(a: &Args) -> Inferred {
    let theta = a.tensor("theta");
    require_float(theta, "theta")?;
    let size = a.ints("size")?;
    let spatial = match size.len() {
        4 | 5 => size.len() - 2,
        n => return Err(format!("size must have 4 or 5 entries, got {n}")),
    };
    let dims = super::static_shape(size, "size")?;
    if let Some(t) = ranked(theta, "theta", &[3])? {
        let want = [
            dims[0],
            Dim::Static(spatial as u64),
            Dim::Static(spatial as u64 + 1),
        ];
        if !t.iter().zip(&want).all(|(&x, &y)| super::dims_agree(x, y)) {
            return Err(format!(
                "theta must have shape {}, got {}",
                super::shape_str(&Some(want.to_vec())),
                super::shape_str(&theta.shape)
            ));
        }
    }
    let mut out = vec![dims[0]];
    out.extend(&dims[2..]);
    out.push(Dim::Static(spatial as u64));
    Ok(vec![TensorInfo::new(out, theta.dtype)])
}

/// The `(batch, r1, r2)` shape of the distances of `x1` `[..., r1, c]` and `x2`
/// `[..., r2, c]`: batch dims broadcast, columns agree.
fn distance_shape(x1: &TensorInfo, x2: &TensorInfo) -> Result<Shape, String> {
    require_float(x1, "x1")?;
    require_float(x2, "x2")?;
    same_dtype(x1, x2, "x1 and x2")?;
    let (Some(s1), Some(s2)) = (&x1.shape, &x2.shape) else {
        return Ok(None);
    };
    for (s, what) in [(s1, "x1"), (s2, "x2")] {
        if s.len() < 2 {
            return Err(format!(
                "cdist only supports at least 2-D tensors, {what} has rank {}",
                s.len()
            ));
        }
    }
    let (c1, c2) = (s1[s1.len() - 1], s2[s2.len() - 1]);
    if !super::dims_agree(c1, c2) {
        return Err(format!(
            "x1 and x2 must have the same number of columns, got {} and {}",
            super::dim_str(c1),
            super::dim_str(c2)
        ));
    }
    let b1 = Some(s1[..s1.len() - 2].to_vec());
    let b2 = Some(s2[..s2.len() - 2].to_vec());
    let mut out = broadcast(&[&b1, &b2])?.expect("ranked batch dims");
    out.extend([s1[s1.len() - 2], s2[s2.len() - 2]]);
    Ok(Some(out))
}

/// `_cdist_forward`, `_euclidean_dist`: `[batch..., r1, r2]` in `x1`'s dtype; `p >= 0`.
pub fn cdist(a: &Args) -> Inferred {
    if let Some(p) = a.opt_f64("p")
        && (p.is_nan() || p < 0.0)
    {
        return Err(format!(
            "cdist only supports non-negative p values, got {p}"
        ));
    }
    if let Some(mode) = a.opt_int("compute_mode")
        && !(0..=2).contains(&mode)
    {
        return Err(format!("compute_mode must be 0, 1 or 2, got {mode}"));
    }
    let x1 = a.tensor("x1");
    let shape = distance_shape(x1, a.tensor("x2"))?;
    Ok(vec![TensorInfo {
        shape,
        dtype: x1.dtype,
    }])
}

/// `_cdist_backward`: the gradient of `x1` broadcast to the batch dims, `[batch..., r1, c]`.
pub fn cdist_backward(a: &Args) -> Inferred {
    let (x1, x2) = (a.tensor("x1"), a.tensor("x2"));
    let shape = distance_shape(x1, x2)?.map(|mut s| {
        let c = x1.shape.as_ref().expect("ranked")[x1.rank().unwrap() - 1];
        *s.last_mut().unwrap() = c;
        s
    });
    Ok(vec![TensorInfo {
        shape,
        dtype: x1.dtype,
    }])
}

/// `_pdist_forward`: the `n (n - 1) / 2` distances between the rows of `self` `[n, m]`.
pub fn pdist(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    if let Some(p) = a.opt_f64("p")
        && (p.is_nan() || p < 0.0)
    {
        return Err(format!(
            "pdist only supports non-negative p values, got {p}"
        ));
    }
    let pairs = match ranked(this, "self", &[2])? {
        Some(&[Dim::Static(n), _]) => Dim::Static(n * n.saturating_sub(1) / 2),
        _ => Dim::Dynamic,
    };
    Ok(vec![TensorInfo::new(vec![pairs], this.dtype)])
}

/// `_pdist_backward`: the gradient of `self`, shaped like it.
pub fn pdist_backward(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_float(this, "self")?;
    ranked(this, "self", &[2])?;
    Ok(vec![this.clone()])
}

/// `atan2.out`: the type of `atan2(self, other)` (broadcast, promoted to a float); the
/// in-place contract then checks that it fits `out`.
pub fn binary_float_out(a: &Args) -> Inferred {
    let (x, y) = (a.tensor("self"), a.tensor("other"));
    let dtype = result_type(&[participant(x), participant(y)])
        .unwrap_or(DEFAULT_FLOAT)
        .to_float();
    Ok(vec![TensorInfo {
        shape: broadcast(&[&x.shape, &y.shape])?,
        dtype,
    }])
}
