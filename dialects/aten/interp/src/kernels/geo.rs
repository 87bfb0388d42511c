//! Geometric kernels: grid sampling (`grid_sampler_2d` and its backward, as PyTorch's CPU
//! kernels in `GridSampler.cpp`), affine grids, and pairwise distances (`cdist`, `pdist`
//! and their backwards, as `DistanceOpsKernel.cpp`).
//!
//! Sampling coordinates are computed in the tensor's own dtype (an f32 input rounds each
//! step to f32, as PyTorch's kernel does), so that a point on a pixel boundary lands on the
//! same pixel; interpolation and distances then accumulate in f64.

use super::{broadcast_shapes, expect_float};
use crate::tensor::{DType, KResult, Tensor, kerr};

/// How a grid sampler reads between pixels (`interpolation_mode`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Interpolation {
    /// 0: the four neighbours, weighted by area.
    Bilinear,
    /// 1: the nearest pixel (ties to even).
    Nearest,
}

/// What a grid sampler reads outside the image (`padding_mode`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Padding {
    /// 0: zeros.
    Zeros,
    /// 1: the border pixels (coordinates clamped).
    Border,
    /// 2: the image mirrored at its borders.
    Reflection,
}

/// The mode arguments of a grid sampler.
#[derive(Clone, Copy, Debug)]
pub struct GridSample {
    pub interpolation: Interpolation,
    pub padding: Padding,
    pub align_corners: bool,
}

impl GridSample {
    /// Reads PyTorch's integer modes; bicubic (2) is an error.
    pub fn new(interpolation: i64, padding: i64, align_corners: bool) -> KResult<GridSample> {
        let interpolation = match interpolation {
            0 => Interpolation::Bilinear,
            1 => Interpolation::Nearest,
            2 => return kerr("grid_sampler_2d: bicubic interpolation (mode 2) is not supported"),
            m => return kerr(format!("grid_sampler_2d: invalid interpolation mode {m}")),
        };
        let padding = match padding {
            0 => Padding::Zeros,
            1 => Padding::Border,
            2 => Padding::Reflection,
            m => return kerr(format!("grid_sampler_2d: invalid padding mode {m}")),
        };
        Ok(GridSample {
            interpolation,
            padding,
            align_corners,
        })
    }

    /// The pixel coordinate of normalized `coord` along a dim of `size` pixels and its
    /// derivative (`grid_sampler_unnormalize_set_grad`); `round` rounds each step to the
    /// tensor's dtype.
    fn unnormalize(&self, coord: f64, size: usize, round: fn(f64) -> f64) -> (f64, f64) {
        let n = size as f64;
        if self.align_corners {
            let s = round((n - 1.0) / 2.0);
            (round(round(coord + 1.0) * s), s)
        } else {
            let s = round(n / 2.0);
            (round(round(round(coord + 1.0) * s) - 0.5), s)
        }
    }

    /// A pixel coordinate mapped by the padding mode (clamped, or reflected and clamped)
    /// and the derivative of the mapping (`compute_coordinates`).
    fn pad(&self, x: f64, size: usize, round: fn(f64) -> f64) -> (f64, f64) {
        match self.padding {
            Padding::Zeros => (x, 1.0),
            Padding::Border => clip(x, size),
            Padding::Reflection => {
                let (x, r) = if self.align_corners {
                    reflect(x, 0, 2 * (size as i64 - 1), round)
                } else {
                    reflect(x, -1, 2 * size as i64 - 1, round)
                };
                let (x, g) = clip(x, size);
                (x, r * g)
            }
        }
    }

    /// The source coordinate of normalized `coord` and its derivative
    /// (`grid_sampler_compute_source_index_set_grad`); a coordinate that is not finite or
    /// beyond the int range reads as -100 (outside), as PyTorch's.
    fn source_index(&self, coord: f64, size: usize, round: fn(f64) -> f64) -> (f64, f64) {
        let (x, scale) = self.unnormalize(coord, size, round);
        let (x, g) = self.pad(x, size, round);
        if !x.is_finite() || x.abs() > i32::MAX as f64 {
            (-100.0, scale * g)
        } else {
            (x, scale * g)
        }
    }
}

/// `x` clamped to `[0, size - 1]`, and its derivative (0 on and beyond the borders).
fn clip(x: f64, size: usize) -> (f64, f64) {
    let max = size as f64 - 1.0;
    if x <= 0.0 {
        (0.0, 0.0)
    } else if x >= max {
        (max, 0.0)
    } else {
        (x, 1.0)
    }
}

/// `x` reflected into `[low, high]` (given doubled, so half pixels are integers), and its
/// derivative (`reflect_coordinates_set_grad`).
fn reflect(x: f64, twice_low: i64, twice_high: i64, round: fn(f64) -> f64) -> (f64, f64) {
    if twice_low == twice_high {
        return (0.0, 0.0);
    }
    let min = twice_low as f64 / 2.0;
    let span = (twice_high - twice_low) as f64 / 2.0;
    let shifted = round(x - min);
    let (x, sign) = if shifted < 0.0 {
        (-shifted, -1.0)
    } else {
        (shifted, 1.0)
    };
    let extra = round(x % span);
    let flips = (x / span).floor() as i64;
    if flips % 2 == 0 {
        (round(extra + min), sign)
    } else {
        (round(round(span - extra) + min), -sign)
    }
}

/// Every element in row-major order, as f64.
fn values(t: &Tensor) -> Vec<f64> {
    t.to_f64().iter().copied().collect()
}

fn f32_round(v: f64) -> f64 {
    v as f32 as f64
}

fn no_round(v: f64) -> f64 {
    v
}

/// The rounding of coordinate arithmetic in `dtype`.
fn rounding(dtype: DType) -> fn(f64) -> f64 {
    if dtype == DType::F32 {
        f32_round
    } else {
        no_round
    }
}

/// One pixel an output point reads: where, its weight, and the derivatives of the
/// weight by the source coordinates x and y.
struct Tap {
    y: usize,
    x: usize,
    weight: f64,
    dx: f64,
    dy: f64,
}

/// One output point's taps (in bounds only) and the derivatives of its source
/// coordinates by the grid's x and y.
struct Taps {
    taps: Vec<Tap>,
    gx: f64,
    gy: f64,
}

fn taps(mode: &GridSample, x: f64, y: f64, h: usize, w: usize, round: fn(f64) -> f64) -> Taps {
    let inside = |yy: f64, xx: f64| {
        (yy >= 0.0 && yy < h as f64 && xx >= 0.0 && xx < w as f64)
            .then_some((yy as usize, xx as usize))
    };
    let tap = |yy: f64, xx: f64, weight: f64, dx: f64, dy: f64| {
        inside(yy, xx).map(|(y, x)| Tap {
            y,
            x,
            weight,
            dx,
            dy,
        })
    };
    let (ix, gx) = mode.source_index(x, w, round);
    let (iy, gy) = mode.source_index(y, h, round);
    let taps = match mode.interpolation {
        Interpolation::Nearest => tap(iy.round_ties_even(), ix.round_ties_even(), 1.0, 0.0, 0.0)
            .into_iter()
            .collect(),
        Interpolation::Bilinear => {
            let (x0, y0) = (ix.floor(), iy.floor());
            let (fx, fy) = (ix - x0, iy - y0);
            let (ex, ey) = (1.0 - fx, 1.0 - fy);
            [
                tap(y0, x0, ex * ey, -ey, -ex),
                tap(y0, x0 + 1.0, fx * ey, ey, -fx),
                tap(y0 + 1.0, x0, ex * fy, -fy, ex),
                tap(y0 + 1.0, x0 + 1.0, fx * fy, fy, fx),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
    };
    Taps { taps, gx, gy }
}

/// The `[N, C, H, W]` input and `[N, oH, oW, 2]` grid of a grid sampler, checked.
fn sampler_dims(input: &Tensor, grid: &Tensor) -> KResult<[usize; 6]> {
    expect_float(input, "grid_sampler_2d input")?;
    match (input.shape(), grid.shape()) {
        (&[n, c, h, w], &[gn, oh, ow, 2]) if n == gn && h > 0 && w > 0 => Ok([n, c, h, w, oh, ow]),
        (i, g) => kerr(format!(
            "grid_sampler_2d: expected input [N, C, H, W] with non-empty H and W and grid \
             [N, oH, oW, 2], got {i:?} and {g:?}"
        )),
    }
}

/// `aten.grid_sampler_2d`: `out[n, c, i, j]` reads `input[n, c]` at the point `grid[n, i, j]`
/// (normalized to `[-1, 1]`).
pub fn grid_sampler_2d(input: &Tensor, grid: &Tensor, mode: GridSample) -> KResult<Tensor> {
    let [n, c, h, w, oh, ow] = sampler_dims(input, grid)?;
    let round = rounding(input.dtype());
    let (xs, gs) = (values(input), values(grid));
    let mut out = vec![0.0; n * c * oh * ow];
    for b in 0..n {
        for i in 0..oh {
            for j in 0..ow {
                let p = ((b * oh + i) * ow + j) * 2;
                let t = taps(&mode, gs[p], gs[p + 1], h, w, round);
                for ch in 0..c {
                    let plane = &xs[(b * c + ch) * h * w..][..h * w];
                    out[((b * c + ch) * oh + i) * ow + j] =
                        t.taps.iter().map(|k| plane[k.y * w + k.x] * k.weight).sum();
                }
            }
        }
    }
    Ok(Tensor::from_vec_f64(&[n, c, oh, ow], out, input.dtype()))
}

/// `aten.grid_sampler_2d_backward`: the gradients of `input` (each output gradient added
/// into the pixels it read, by weight) and of `grid` (the pixels read times the weights'
/// derivatives; zero for nearest), each `None` when `output_mask` leaves it out.
pub fn grid_sampler_2d_backward(
    grad: &Tensor,
    input: &Tensor,
    grid: &Tensor,
    mode: GridSample,
    output_mask: [bool; 2],
) -> KResult<[Option<Tensor>; 2]> {
    let [n, c, h, w, oh, ow] = sampler_dims(input, grid)?;
    if grad.shape() != [n, c, oh, ow] {
        return kerr(format!(
            "grid_sampler_2d_backward: grad_output has shape {:?}, expected {:?}",
            grad.shape(),
            [n, c, oh, ow]
        ));
    }
    let round = rounding(input.dtype());
    let (xs, gs, gos) = (values(input), values(grid), values(grad));
    let mut gin = vec![0.0; n * c * h * w];
    let mut ggrid = vec![0.0; n * oh * ow * 2];
    for b in 0..n {
        for i in 0..oh {
            for j in 0..ow {
                let p = ((b * oh + i) * ow + j) * 2;
                let t = taps(&mode, gs[p], gs[p + 1], h, w, round);
                let (mut gix, mut giy) = (0.0, 0.0);
                for ch in 0..c {
                    let gout = gos[((b * c + ch) * oh + i) * ow + j];
                    let base = (b * c + ch) * h * w;
                    for k in &t.taps {
                        let at = base + k.y * w + k.x;
                        gin[at] += k.weight * gout;
                        gix += xs[at] * k.dx * gout;
                        giy += xs[at] * k.dy * gout;
                    }
                }
                ggrid[p] = t.gx * gix;
                ggrid[p + 1] = t.gy * giy;
            }
        }
    }
    let dtype = input.dtype();
    Ok([
        output_mask[0].then(|| Tensor::from_vec_f64(&[n, c, h, w], gin, dtype)),
        output_mask[1].then(|| Tensor::from_vec_f64(&[n, oh, ow, 2], ggrid, dtype)),
    ])
}

/// The `steps` points of PyTorch's `_linspace_from_neg_one`: evenly from `-a` to `a` with
/// `a = 1` (aligned corners) or `(steps - 1) / steps`; one step is `[0]`.
fn base_coords(steps: usize, align_corners: bool) -> Vec<f64> {
    if steps <= 1 {
        return vec![0.0; steps];
    }
    let n = steps as f64;
    let a = if align_corners { 1.0 } else { (n - 1.0) / n };
    (0..steps)
        .map(|i| -a + 2.0 * a * i as f64 / (n - 1.0))
        .collect()
}

/// `aten.affine_grid_generator`: the sampling grid `theta · (x, y[, z], 1)` over the base
/// grid of `size` (`[N, C, H, W]` → `[N, H, W, 2]`, `[N, C, D, H, W]` → `[N, D, H, W, 3]`).
pub fn affine_grid_generator(theta: &Tensor, size: &[i64], align_corners: bool) -> KResult<Tensor> {
    expect_float(theta, "affine_grid_generator theta")?;
    let size: Vec<usize> = match size.iter().map(|&s| usize::try_from(s)).collect() {
        Ok(s) => s,
        Err(_) => return kerr(format!("affine_grid_generator: negative size {size:?}")),
    };
    let k = match size.len() {
        4 | 5 => size.len() - 2,
        _ => {
            return kerr(format!(
                "affine_grid_generator: size must have 4 or 5 entries, got {size:?}"
            ));
        }
    };
    if theta.shape() != [size[0], k, k + 1] {
        return kerr(format!(
            "affine_grid_generator: theta must have shape {:?}, got {:?}",
            [size[0], k, k + 1],
            theta.shape()
        ));
    }
    let spatial = &size[2..];
    // Coordinate `d` of the base grid runs along spatial dim `k - 1 - d` (x is the last).
    let coords: Vec<Vec<f64>> = (0..k)
        .map(|d| base_coords(spatial[k - 1 - d], align_corners))
        .collect();
    let th = values(theta);
    let points: usize = spatial.iter().product();
    let mut out = Vec::with_capacity(size[0] * points * k);
    for b in 0..size[0] {
        for flat in 0..points {
            let mut rest = flat;
            let mut base = vec![1.0; k + 1];
            for d in 0..k {
                let extent = spatial[k - 1 - d];
                base[d] = coords[d][rest % extent];
                rest /= extent;
            }
            for r in 0..k {
                let row = &th[(b * k + r) * (k + 1)..][..k + 1];
                out.push(row.iter().zip(&base).map(|(t, v)| t * v).sum());
            }
        }
    }
    let mut shape = vec![size[0]];
    shape.extend(spatial);
    shape.push(k);
    Ok(Tensor::from_vec_f64(&shape, out, theta.dtype()))
}

/// The norm a distance takes of coordinate differences: PyTorch's special cases of `p`.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Norm {
    /// p = 0: the count of differing coordinates.
    Zero,
    /// p = 1.
    One,
    /// p = 2.
    Two,
    /// p = inf: the largest difference.
    Inf,
    /// Any other p > 0.
    P(f64),
}

impl Norm {
    /// The norm of `p`, which must be non-negative.
    pub fn new(p: f64, what: &str) -> KResult<Norm> {
        Ok(match p {
            _ if (p.is_nan() || p < 0.0) => {
                return kerr(format!(
                    "{what} only supports non-negative p values, got {p}"
                ));
            }
            0.0 => Norm::Zero,
            1.0 => Norm::One,
            2.0 => Norm::Two,
            _ if p.is_infinite() => Norm::Inf,
            _ => Norm::P(p),
        })
    }

    /// The distance of two rows.
    fn distance(self, a: &[f64], b: &[f64]) -> f64 {
        let diffs = a.iter().zip(b).map(|(x, y)| (x - y).abs());
        match self {
            Norm::Zero => diffs.map(|d| d.ceil().min(1.0)).sum(),
            Norm::One => diffs.sum(),
            Norm::Two => diffs.map(|d| d * d).sum::<f64>().sqrt(),
            Norm::Inf => diffs.fold(0.0, f64::max),
            Norm::P(p) => diffs.map(|d| d.powf(p)).sum::<f64>().powf(1.0 / p),
        }
    }

    /// The derivative of the distance `dist` by coordinate difference `diff` (computed in
    /// the operands' dtype: the inf-norm compares it with `dist` exactly), times `grad`.
    fn backward(self, diff: f64, grad: f64, dist: f64) -> f64 {
        let sign = if diff > 0.0 {
            1.0
        } else if diff < 0.0 {
            -1.0
        } else {
            0.0
        };
        match self {
            Norm::Zero => 0.0,
            Norm::One => grad * sign,
            _ if dist == 0.0 && self != Norm::Inf => 0.0,
            Norm::Two => grad * diff / dist,
            Norm::Inf => grad * sign * (1.0 - ((diff.abs() - dist).abs().ceil()).min(1.0)),
            Norm::P(p) if p < 2.0 => sign * diff.abs().powf(p - 1.0) * grad / dist.powf(p - 1.0),
            Norm::P(p) => diff * diff.abs().powf(p - 2.0) * grad / dist.powf(p - 1.0),
        }
    }
}

/// The `[batch, rows, cols]` view of a distance operand broadcast to `batch`, as values.
fn batched(x: &Tensor, batch: &[usize]) -> KResult<Vec<f64>> {
    let s = x.shape();
    let mut shape = batch.to_vec();
    shape.extend(&s[s.len() - 2..]);
    let a = x.to_f64();
    match a.broadcast(ndarray::IxDyn(&shape)) {
        Some(v) => Ok(v.iter().copied().collect()),
        None => kerr(format!("cdist: cannot broadcast {s:?} to {shape:?}")),
    }
}

/// The operands of a distance op: broadcast batch dims, `r1`, `r2`, columns.
fn distance_dims(x1: &Tensor, x2: &Tensor) -> KResult<(Vec<usize>, usize, usize, usize)> {
    expect_float(x1, "cdist x1")?;
    expect_float(x2, "cdist x2")?;
    let (s1, s2) = (x1.shape(), x2.shape());
    if s1.len() < 2 || s2.len() < 2 || s1[s1.len() - 1] != s2[s2.len() - 1] {
        return kerr(format!(
            "cdist: expected x1 [..., r1, c] and x2 [..., r2, c], got {s1:?} and {s2:?}"
        ));
    }
    let batch = broadcast_shapes(&s1[..s1.len() - 2], &s2[..s2.len() - 2])?;
    Ok((batch, s1[s1.len() - 2], s2[s2.len() - 2], s1[s1.len() - 1]))
}

/// Whether `cdist` takes the matrix-product path for `p = 2` (`compute_mode` 1 always,
/// 0 or `None` when either side has more than 25 rows).
fn uses_mm(norm: Norm, compute_mode: Option<i64>, r1: usize, r2: usize) -> bool {
    norm == Norm::Two
        && (compute_mode == Some(1)
            || (matches!(compute_mode, None | Some(0)) && (r1 > 25 || r2 > 25)))
}

/// `aten._cdist_forward`: the `p`-norm distance of every row of `x1` to every row of `x2`,
/// per broadcast batch; for `p = 2` on large inputs (see `compute_mode`) through
/// `|a|² + |b|² - 2 a·b` as PyTorch does.
pub fn cdist_forward(
    x1: &Tensor,
    x2: &Tensor,
    p: f64,
    compute_mode: Option<i64>,
) -> KResult<Tensor> {
    let norm = Norm::new(p, "cdist")?;
    if let Some(m) = compute_mode
        && !(0..=2).contains(&m)
    {
        return kerr(format!("cdist: possible modes: 0, 1, 2, but was: {m}"));
    }
    let (batch, r1, r2, c) = distance_dims(x1, x2)?;
    if uses_mm(norm, compute_mode, r1, r2) {
        return euclidean_dist(x1, x2);
    }
    let (a, b) = (batched(x1, &batch)?, batched(x2, &batch)?);
    let bs: usize = batch.iter().product();
    let mut out = Vec::with_capacity(bs * r1 * r2);
    for l in 0..bs {
        for i in 0..r1 {
            for j in 0..r2 {
                let (u, v) = (&a[(l * r1 + i) * c..][..c], &b[(l * r2 + j) * c..][..c]);
                out.push(norm.distance(u, v));
            }
        }
    }
    let mut shape = batch;
    shape.extend([r1, r2]);
    Ok(Tensor::from_vec_f64(&shape, out, x1.dtype()))
}

/// `aten._euclidean_dist`: `sqrt(max(|a|² + |b|² - 2 a·b, 0))` for every pair of rows.
pub fn euclidean_dist(x1: &Tensor, x2: &Tensor) -> KResult<Tensor> {
    let (batch, r1, r2, c) = distance_dims(x1, x2)?;
    let (a, b) = (batched(x1, &batch)?, batched(x2, &batch)?);
    let bs: usize = batch.iter().product();
    let sq = |r: &[f64]| r.iter().map(|v| v * v).sum::<f64>();
    let mut out = Vec::with_capacity(bs * r1 * r2);
    for l in 0..bs {
        for i in 0..r1 {
            for j in 0..r2 {
                let (u, v) = (&a[(l * r1 + i) * c..][..c], &b[(l * r2 + j) * c..][..c]);
                let dot: f64 = u.iter().zip(v).map(|(x, y)| x * y).sum();
                // PyTorch's clamp_min(0) keeps a NaN (f64::max would drop it).
                let d = sq(u) + sq(v) - 2.0 * dot;
                out.push(if d < 0.0 { 0.0 } else { d.sqrt() });
            }
        }
    }
    let mut shape = batch;
    shape.extend([r1, r2]);
    Ok(Tensor::from_vec_f64(&shape, out, x1.dtype()))
}

/// `aten._cdist_backward`: the gradient of `x1` (broadcast to the batch dims) of the
/// distances `dist = cdist(x1, x2)` given their gradient `grad`.
pub fn cdist_backward(
    grad: &Tensor,
    x1: &Tensor,
    x2: &Tensor,
    p: f64,
    dist: &Tensor,
) -> KResult<Tensor> {
    let norm = Norm::new(p, "cdist")?;
    let (batch, r1, r2, c) = distance_dims(x1, x2)?;
    let mut want = batch.clone();
    want.extend([r1, r2]);
    for (t, what) in [(grad, "grad"), (dist, "cdist")] {
        if t.shape() != want.as_slice() {
            return kerr(format!(
                "_cdist_backward: {what} has shape {:?}, expected {want:?}",
                t.shape()
            ));
        }
    }
    let (a, b) = (batched(x1, &batch)?, batched(x2, &batch)?);
    let (g, d) = (values(grad), values(dist));
    let round = rounding(x1.dtype());
    let bs: usize = batch.iter().product();
    let mut out = vec![0.0; bs * r1 * c];
    for l in 0..bs {
        for i in 0..r1 {
            for j in 0..r2 {
                let k = (l * r1 + i) * r2 + j;
                for m in 0..c {
                    let diff = round(a[(l * r1 + i) * c + m] - b[(l * r2 + j) * c + m]);
                    out[(l * r1 + i) * c + m] += norm.backward(diff, g[k], d[k]);
                }
            }
        }
    }
    let mut shape = batch;
    shape.extend([r1, c]);
    Ok(Tensor::from_vec_f64(&shape, out, x1.dtype()))
}

/// The rows of a `pdist` operand `[n, m]`.
fn pdist_dims(x: &Tensor) -> KResult<(usize, usize)> {
    expect_float(x, "pdist input")?;
    match x.shape() {
        &[n, m] => Ok((n, m)),
        s => kerr(format!("pdist only supports 2-D tensors, got shape {s:?}")),
    }
}

/// `aten._pdist_forward`: the distances of the row pairs `i < j` of `self`, in row-major
/// pair order.
pub fn pdist_forward(x: &Tensor, p: f64) -> KResult<Tensor> {
    let norm = Norm::new(p, "pdist")?;
    let (n, m) = pdist_dims(x)?;
    let a = values(x);
    let mut out = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            out.push(norm.distance(&a[i * m..][..m], &a[j * m..][..m]));
        }
    }
    Ok(Tensor::from_vec_f64(&[out.len()], out, x.dtype()))
}

/// `aten._pdist_backward`: the gradient of `self` of `dist = pdist(self)` given `grad`.
pub fn pdist_backward(grad: &Tensor, x: &Tensor, p: f64, dist: &Tensor) -> KResult<Tensor> {
    let norm = Norm::new(p, "pdist")?;
    let (n, m) = pdist_dims(x)?;
    let pairs = n * n.saturating_sub(1) / 2;
    for (t, what) in [(grad, "grad"), (dist, "pdist")] {
        if t.shape() != [pairs] {
            return kerr(format!(
                "_pdist_backward: {what} has shape {:?}, expected [{pairs}]",
                t.shape()
            ));
        }
    }
    let a = values(x);
    let (g, d) = (values(grad), values(dist));
    let round = rounding(x.dtype());
    let mut out = vec![0.0; n * m];
    let mut k = 0;
    for i in 0..n {
        for j in i + 1..n {
            for c in 0..m {
                let v = norm.backward(round(a[i * m + c] - a[j * m + c]), g[k], d[k]);
                out[i * m + c] += v;
                out[j * m + c] -= v;
            }
            k += 1;
        }
    }
    Ok(Tensor::from_vec_f64(&[n, m], out, x.dtype()))
}
