//! Geometric ops: grid sampling and its backward as gathers and scatter-adds over the
//! flattened image planes (PyTorch's `decompositions._grid_sampler_2d`, with the CPU
//! kernel's coordinate arithmetic and its gradient), affine grids, and pairwise distances
//! as broadcast coordinate differences reduced per pair (the CPU kernels of
//! `DistanceOpsKernel.cpp`), or the matrix product of `_euclidean_dist`.

use super::{Replacements, arg, float_arg, int_arg, one_minus, result_info, tensor};
use crate::emit::{Emitter, Refusal, static_dims};
use joinery_aten::{ArgValue, DType, TensorInfo};
use joinery_ir::{Dim, OpId, Value};

/// The static dims of a value, or a refusal naming it.
fn dims(e: &Emitter, v: Value, what: &str) -> Result<Vec<u64>, Refusal> {
    static_dims(&e.info(v)).ok_or_else(|| Refusal::from(format!("'{what}' has a dynamic shape")))
}

fn info(dims: &[u64], dtype: DType) -> TensorInfo {
    TensorInfo::new(dims.iter().map(|&n| Dim::Static(n)).collect(), dtype)
}

fn select(e: &mut Emitter, x: Value, dim: i64, index: i64) -> Result<Value, Refusal> {
    let (d, i) = (e.int(dim), e.int(index));
    e.op1("aten.select.int", &[x], vec![("dim", d), ("index", i)])
}

fn slice(e: &mut Emitter, x: Value, dim: i64, start: i64, end: i64) -> Result<Value, Refusal> {
    let (d, s, t) = (e.int(dim), e.int(start), e.int(end));
    e.op1(
        "aten.slice.Tensor",
        &[x],
        vec![("dim", d), ("start", s), ("end", t)],
    )
}

fn expand(e: &mut Emitter, x: Value, size: &[u64]) -> Result<Value, Refusal> {
    let size: Vec<i64> = size.iter().map(|&n| n as i64).collect();
    let size = e.ints(&size);
    e.op1("aten.expand", &[x], vec![("size", size)])
}

fn cat(e: &mut Emitter, parts: &[Value], dim: i64) -> Result<Value, Refusal> {
    let d = e.int(dim);
    e.op1("aten.cat", parts, vec![("dim", d)])
}

fn transpose(e: &mut Emitter, x: Value, a: i64, b: i64) -> Result<Value, Refusal> {
    let (a, b) = (e.int(a), e.int(b));
    e.op1("aten.transpose.int", &[x], vec![("dim0", a), ("dim1", b)])
}

fn pow(e: &mut Emitter, x: Value, p: f64) -> Result<Value, Refusal> {
    let p = e.float(p);
    e.op1("aten.pow.Tensor_Scalar", &[x], vec![("exponent", p)])
}

/// `where(cond, v, 0)`.
fn or_zero(e: &mut Emitter, cond: Value, v: Value) -> Result<Value, Refusal> {
    let zero = e.constant(0.0, e.dtype(v))?;
    e.select(cond, v, zero)
}

/// A bool tensor as 0/1 of `dtype`.
fn indicator(e: &mut Emitter, cond: Value, dtype: DType) -> Result<Value, Refusal> {
    e.cast(cond, dtype)
}

/// `lo < x < hi` (open) or `lo <= x <= hi` (closed), elementwise.
fn between(e: &mut Emitter, x: Value, lo: f64, hi: f64, open: bool) -> Result<Value, Refusal> {
    let (l, h) = if open {
        ("aten.gt.Scalar", "aten.lt.Scalar")
    } else {
        ("aten.ge.Scalar", "aten.le.Scalar")
    };
    let above = e.with_float(l, x, lo)?;
    let below = e.with_float(h, x, hi)?;
    e.binary("aten.logical_and", above, below)
}

// ----- pairwise distances -----------------------------------------------------------------

/// The `p` of a distance, with PyTorch's special cases.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Norm {
    Zero,
    One,
    Two,
    Inf,
    P(f64),
}

fn norm(e: &Emitter, op: OpId) -> Result<Norm, Refusal> {
    let p = float_arg(e, op, "p")?;
    Ok(match p {
        _ if (p.is_nan() || p < 0.0) => return Err(format!("p = {p} is negative").into()),
        0.0 => Norm::Zero,
        1.0 => Norm::One,
        2.0 => Norm::Two,
        _ if p.is_infinite() => Norm::Inf,
        _ => Norm::P(p),
    })
}

/// The coordinate differences of every row pair: `x1[..., i, :] - x2[..., j, :]` as
/// `[..., r1, r2, c]`.
fn differences(e: &mut Emitter, x1: Value, x2: Value) -> Result<Value, Refusal> {
    let a = e.unsqueeze(x1, -2)?;
    let b = e.unsqueeze(x2, -3)?;
    e.sub(a, b)
}

/// `dist[..., i, j] = |x1[..., i, :] - x2[..., j, :]|_p` (the CPU kernel: a sum of mapped
/// differences, then its root; the count of nonzero differences for p = 0, their maximum
/// for p = inf).
fn distances(e: &mut Emitter, x1: Value, x2: Value, norm: Norm) -> Result<Value, Refusal> {
    let d = differences(e, x1, x2)?;
    let ad = e.unary("aten.abs", d)?;
    match norm {
        Norm::Zero => {
            let nz = e.with_float("aten.ne.Scalar", d, 0.0)?;
            let nz = indicator(e, nz, e.dtype(d))?;
            e.sum(nz, &[-1], false)
        }
        Norm::One => e.sum(ad, &[-1], false),
        Norm::Two => {
            let sq = e.mul(d, d)?;
            let s = e.sum(sq, &[-1], false)?;
            e.unary("aten.sqrt", s)
        }
        Norm::Inf => {
            if dims(e, x1, "x1")?.last() == Some(&0) {
                return Err("an inf-norm distance of empty rows".into());
            }
            e.amax(ad, &[-1], false)
        }
        Norm::P(p) => {
            let powered = pow(e, ad, p)?;
            let s = e.sum(powered, &[-1], false)?;
            pow(e, s, 1.0 / p)
        }
    }
}

/// The gradient of `x1` of `dist = cdist(x1, x2)`: per pair, the norm's derivative by the
/// difference times `grad` (zero where the distance is zero), summed over `x2`'s rows.
fn distance_backward(
    e: &mut Emitter,
    grad: Value,
    x1: Value,
    x2: Value,
    dist: Value,
    norm: Norm,
    out: &TensorInfo,
) -> Result<Value, Refusal> {
    if norm == Norm::Zero {
        return e.zeros(out);
    }
    let diff = differences(e, x1, x2)?;
    let g = e.unsqueeze(grad, -1)?;
    let d = e.unsqueeze(dist, -1)?;
    let sign = e.unary("aten.sign", diff)?;
    let at_zero = e.with_float("aten.eq.Scalar", d, 0.0)?;
    let term = match norm {
        Norm::Zero => unreachable!("handled above"),
        Norm::One => e.mul(g, sign)?,
        Norm::Two => {
            let gd = e.mul(g, diff)?;
            let t = e.div(gd, d)?;
            let zero = e.constant(0.0, e.dtype(t))?;
            e.select(at_zero, zero, t)?
        }
        Norm::Inf => {
            let ad = e.unary("aten.abs", diff)?;
            let is_max = e.binary("aten.eq.Tensor", ad, d)?;
            let gs = e.mul(g, sign)?;
            or_zero(e, is_max, gs)?
        }
        Norm::P(p) => {
            let ad = e.unary("aten.abs", diff)?;
            let t = if p < 2.0 {
                let m = pow(e, ad, p - 1.0)?;
                let sm = e.mul(sign, m)?;
                e.mul(sm, g)?
            } else {
                let m = pow(e, ad, p - 2.0)?;
                let dm = e.mul(diff, m)?;
                e.mul(dm, g)?
            };
            let dp = pow(e, d, p - 1.0)?;
            let t = e.div(t, dp)?;
            let zero = e.constant(0.0, e.dtype(t))?;
            e.select(at_zero, zero, t)?
        }
    };
    e.sum(term, &[-2], false)
}

/// `_euclidean_dist(x1, x2) ==> sqrt(max(|x1|² + |x2|²ᵀ - 2 x1 x2ᵀ, 0))`, the product on
/// the GEMM (batched: both sides broadcast to the result's batch dims).
fn euclidean(e: &mut Emitter, x1: Value, x2: Value, out: &TensorInfo) -> Result<Value, Refusal> {
    let out_dims = static_dims(out).ok_or("a distance result of dynamic shape")?;
    let (s1, s2) = (dims(e, x1, "x1")?, dims(e, x2, "x2")?);
    let batch = &out_dims[..out_dims.len() - 2];
    let (r1, r2, c) = (s1[s1.len() - 2], s2[s2.len() - 2], s1[s1.len() - 1]);
    let sq1 = e.mul(x1, x1)?;
    let n1 = e.sum(sq1, &[-1], true)?;
    let sq2 = e.mul(x2, x2)?;
    let n2 = e.sum(sq2, &[-1], true)?;
    let n2 = transpose(e, n2, -1, -2)?;
    let product = if s1.len() == 2 && s2.len() == 2 {
        let t = e.unary("aten.t", x2)?;
        e.binary("aten.mm", x1, t)?
    } else {
        let b: u64 = batch.iter().product();
        let flat = |e: &mut Emitter, x: Value, s: &[u64], rows: u64| {
            let mut full = batch.to_vec();
            full.extend([rows, c]);
            let x = if s == full.as_slice() {
                x
            } else {
                let x = expand(e, x, &full)?;
                e.unary("aten.clone", x)?
            };
            e.view(x, &[b as i64, rows as i64, c as i64])
        };
        let a = flat(e, x1, &s1, r1)?;
        let bt = flat(e, x2, &s2, r2)?;
        let bt = transpose(e, bt, 1, 2)?;
        let p = e.binary("aten.bmm", a, bt)?;
        let shape: Vec<i64> = out_dims.iter().map(|&n| n as i64).collect();
        e.view(p, &shape)?
    };
    let twice = e.with_float("aten.mul.Scalar", product, 2.0)?;
    let sum = e.add(n1, n2)?;
    let sq = e.sub(sum, twice)?;
    let zero = e.float(0.0);
    let sq = e.op1("aten.clamp_min", &[sq], vec![("min", zero)])?;
    e.unary("aten.sqrt", sq)
}

/// `_cdist_forward(x1, x2, p) ==> distances(x1, x2, p)`, or `_euclidean_dist` where
/// PyTorch takes it (p = 2 with `compute_mode` 1, or 0 / None and more than 25 rows).
pub(super) fn cdist_forward(e: &mut Emitter, op: OpId) -> Replacements {
    let (x1, x2) = (tensor(e, op, "x1")?, tensor(e, op, "x2")?);
    let norm = norm(e, op)?;
    let out = result_info(e, op, 0);
    let mode = match arg(e, op, "compute_mode")? {
        ArgValue::None => 0,
        v => v.as_int().ok_or("compute_mode is not an integer")?,
    };
    let (s1, s2) = (dims(e, x1, "x1")?, dims(e, x2, "x2")?);
    let (r1, r2) = (s1[s1.len() - 2], s2[s2.len() - 2]);
    let mm = norm == Norm::Two && (mode == 1 || (mode == 0 && (r1 > 25 || r2 > 25)));
    let r = if mm {
        euclidean(e, x1, x2, &out)?
    } else {
        distances(e, x1, x2, norm)?
    };
    Ok(vec![Some(r)])
}

/// `_euclidean_dist(x1, x2)`: see [`euclidean`].
pub(super) fn euclidean_dist(e: &mut Emitter, op: OpId) -> Replacements {
    let (x1, x2) = (tensor(e, op, "x1")?, tensor(e, op, "x2")?);
    let out = result_info(e, op, 0);
    Ok(vec![Some(euclidean(e, x1, x2, &out)?)])
}

/// `_cdist_backward(g, x1, x2, p, dist) ==> sum_j f_p(x1_i - x2_j, g_ij, dist_ij)`.
pub(super) fn cdist_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let grad = tensor(e, op, "grad_output")?;
    let (x1, x2) = (tensor(e, op, "x1")?, tensor(e, op, "x2")?);
    let dist = tensor(e, op, "cdist")?;
    let norm = norm(e, op)?;
    let out = result_info(e, op, 0);
    Ok(vec![Some(distance_backward(
        e, grad, x1, x2, dist, norm, &out,
    )?)])
}

/// The row count of a `pdist` operand `[n, m]`.
fn pdist_rows(e: &Emitter, x: Value) -> Result<u64, Refusal> {
    match dims(e, x, "self")?.as_slice() {
        &[n, _] => Ok(n),
        _ => Err(Refusal::Internal(
            "pdist of a tensor that is not 2-D".into(),
        )),
    }
}

/// `_pdist_forward(x, p) ==> cat([cdist(x, x, p)[i, i+1:] for i < n - 1])`: the row pairs
/// `i < j` in row-major order.
pub(super) fn pdist_forward(e: &mut Emitter, op: OpId) -> Replacements {
    let x = tensor(e, op, "self")?;
    let norm = norm(e, op)?;
    let n = pdist_rows(e, x)? as i64;
    if n <= 1 {
        return Ok(vec![Some(e.zeros(&result_info(e, op, 0))?)]);
    }
    let all = distances(e, x, x, norm)?;
    let rows = (0..n - 1)
        .map(|i| {
            let row = select(e, all, 0, i)?;
            slice(e, row, 0, i + 1, n)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(vec![Some(cat(e, &rows, 0)?)])
}

/// The symmetric `[n, n]` matrix holding pair vector `v` (`pdist` order) above and below
/// its zero diagonal.
fn pair_matrix(e: &mut Emitter, v: Value, n: i64) -> Result<Value, Refusal> {
    let dtype = e.dtype(v);
    let mut rows = Vec::with_capacity(n as usize);
    let mut start = 0;
    for i in 0..n - 1 {
        let len = n - 1 - i;
        let part = slice(e, v, 0, start, start + len)?;
        let pad = e.ints(&[i + 1, 0]);
        let zero = e.float(0.0);
        rows.push(e.op1(
            "aten.constant_pad_nd",
            &[part],
            vec![("pad", pad), ("value", zero)],
        )?);
        start += len;
    }
    rows.push(e.zeros(&info(&[n as u64], dtype))?);
    let rows = rows
        .into_iter()
        .map(|r| e.unsqueeze(r, 0))
        .collect::<Result<Vec<_>, _>>()?;
    let upper = cat(e, &rows, 0)?;
    let lower = e.unary("aten.t", upper)?;
    e.add(upper, lower)
}

/// `_pdist_backward(g, x, p, dist) ==> _cdist_backward(G, x, x, p, D)` with `G`, `D` the
/// symmetric matrices of `g` and `dist`: the norms' derivatives are odd in the difference,
/// so row `j`'s `-f(x_i - x_j)` is `f(x_j - x_i)`, and the zero diagonal adds nothing.
pub(super) fn pdist_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let grad = tensor(e, op, "grad_output")?;
    let x = tensor(e, op, "self")?;
    let dist = tensor(e, op, "pdist")?;
    let norm = norm(e, op)?;
    let out = result_info(e, op, 0);
    let n = pdist_rows(e, x)? as i64;
    if n <= 1 {
        return Ok(vec![Some(e.zeros(&out)?)]);
    }
    let g = pair_matrix(e, grad, n)?;
    let d = pair_matrix(e, dist, n)?;
    Ok(vec![Some(distance_backward(e, g, x, x, d, norm, &out)?)])
}

// ----- affine grids -------------------------------------------------------------------------

/// `affine_grid_generator(theta, size) ==> sum_d base_d * theta[..., d] + theta[..., k]`
/// with `base_d` the `linspace(-a, a)` of spatial dim `d` (x the last), `a = 1` with
/// aligned corners, else `(S - 1) / S` (PyTorch's `_make_base_grid`).
pub(super) fn affine_grid_generator(e: &mut Emitter, op: OpId) -> Replacements {
    let theta = tensor(e, op, "theta")?;
    let size = arg(e, op, "size")?;
    let size = size.as_ints().ok_or("size is not a list")?.to_vec();
    let align = arg(e, op, "align_corners")?
        .as_bool()
        .ok_or("align_corners is not a bool")?;
    let dtype = e.dtype(theta);
    let k = size.len() - 2;
    let spatial = &size[2..];
    let mut grid: Option<Value> = None;
    for d in 0..=k {
        let column = select(e, theta, 2, d as i64)?;
        let mut shape = vec![size[0]];
        shape.extend(std::iter::repeat_n(1, k));
        shape.push(k as i64);
        let column = e.view(column, &shape)?;
        let term = if d == k {
            column
        } else {
            let axis = k - 1 - d;
            let steps = spatial[axis];
            let coords = if steps <= 1 {
                e.zeros(&info(&[steps.max(0) as u64], dtype))?
            } else {
                let a = if align {
                    1.0
                } else {
                    (steps - 1) as f64 / steps as f64
                };
                let (s, t, n, dt) = (e.float(-a), e.float(a), e.int(steps), e.dtype_attr(dtype));
                e.op1(
                    "aten.linspace",
                    &[],
                    vec![("start", s), ("end", t), ("steps", n), ("dtype", dt)],
                )?
            };
            let mut shape = vec![1; k + 2];
            shape[axis + 1] = steps;
            let coords = e.view(coords, &shape)?;
            e.mul(coords, column)?
        };
        grid = Some(match grid {
            None => term,
            Some(g) => e.add(g, term)?,
        });
    }
    Ok(vec![grid])
}

// ----- grid sampling ------------------------------------------------------------------------

/// The grid sampler's modes; bicubic is refused.
struct Sampling {
    nearest: bool,
    padding: i64,
    align_corners: bool,
}

fn sampling(e: &Emitter, op: OpId) -> Result<Sampling, Refusal> {
    let nearest = match int_arg(e, op, "interpolation_mode")? {
        0 => false,
        1 => true,
        m => return Err(format!("interpolation mode {m} (bicubic) is not supported").into()),
    };
    let padding = int_arg(e, op, "padding_mode")?;
    if !(0..=2).contains(&padding) {
        return Err(format!("padding mode {padding}").into());
    }
    let align_corners = arg(e, op, "align_corners")?
        .as_bool()
        .ok_or("align_corners is not a bool")?;
    Ok(Sampling {
        nearest,
        padding,
        align_corners,
    })
}

/// A source coordinate: its value and its derivative by the normalized coordinate.
struct Source {
    at: Value,
    grad: Value,
}

/// `clip(x) ==> clamp(x, 0, size - 1)`, derivative 1 strictly inside, 0 on the borders.
fn clip(e: &mut Emitter, x: Value, size: u64) -> Result<Source, Refusal> {
    let max = size as f64 - 1.0;
    let (lo, hi) = (e.float(0.0), e.float(max));
    let at = e.op1("aten.clamp", &[x], vec![("min", lo), ("max", hi)])?;
    let inside = between(e, x, 0.0, max, true)?;
    let grad = indicator(e, inside, e.dtype(x))?;
    Ok(Source { at, grad })
}

/// `reflect(x) ==> extra + min` or `span - extra + min` as `floor(|x - min| / span)` is
/// even or odd (`extra` the remainder); derivative `±1` accordingly, negated when
/// `x < min`.
fn reflect(e: &mut Emitter, x: Value, twice_low: i64, twice_high: i64) -> Result<Source, Refusal> {
    let dtype = e.dtype(x);
    if twice_low == twice_high {
        let zero = e.with_float("aten.mul.Scalar", x, 0.0)?;
        return Ok(Source {
            at: zero,
            grad: zero,
        });
    }
    let min = twice_low as f64 / 2.0;
    let span = (twice_high - twice_low) as f64 / 2.0;
    let shifted = e.with_float("aten.sub.Scalar", x, min)?;
    let negative = e.with_float("aten.lt.Scalar", shifted, 0.0)?;
    let a = e.unary("aten.abs", shifted)?;
    let q = e.with_float("aten.div.Scalar", a, span)?;
    let flips = e.unary("aten.floor", q)?;
    let whole = e.with_float("aten.mul.Scalar", flips, span)?;
    let extra = e.sub(a, whole)?;
    let half = e.with_float("aten.mul.Scalar", flips, 0.5)?;
    let half = e.unary("aten.floor", half)?;
    let even = e.with_float("aten.mul.Scalar", half, 2.0)?;
    let parity = e.sub(flips, even)?;
    let odd = e.with_float("aten.ne.Scalar", parity, 0.0)?;
    let kept = e.with_float("aten.add.Scalar", extra, min)?;
    let back = e.unary("aten.neg", extra)?;
    let back = e.with_float("aten.add.Scalar", back, span)?;
    let back = e.with_float("aten.add.Scalar", back, min)?;
    let at = e.select(odd, back, kept)?;
    let (plus, minus) = (e.constant(1.0, dtype)?, e.constant(-1.0, dtype)?);
    let sign = e.select(negative, minus, plus)?;
    let flipped = e.unary("aten.neg", sign)?;
    let grad = e.select(odd, flipped, sign)?;
    Ok(Source { at, grad })
}

/// `grid_sampler_compute_source_index` and its derivative: `(x + 1) * s` (aligned corners,
/// `s = (size - 1) / 2`) or `(x + 1) * s - 0.5` (`s = size / 2`), then the padding's
/// clamping or reflection.
fn source_index(e: &mut Emitter, coord: Value, size: u64, m: &Sampling) -> Result<Source, Refusal> {
    let dtype = e.dtype(coord);
    let n = size as f64;
    let scale = if m.align_corners {
        (n - 1.0) / 2.0
    } else {
        n / 2.0
    };
    let x = e.with_float("aten.add.Scalar", coord, 1.0)?;
    let mut x = e.with_float("aten.mul.Scalar", x, scale)?;
    if !m.align_corners {
        x = e.with_float("aten.sub.Scalar", x, 0.5)?;
    }
    let scale = e.constant(scale, dtype)?;
    match m.padding {
        0 => Ok(Source { at: x, grad: scale }),
        1 => {
            let c = clip(e, x, size)?;
            let grad = e.mul(scale, c.grad)?;
            Ok(Source { at: c.at, grad })
        }
        _ => {
            let s = size as i64;
            let r = if m.align_corners {
                reflect(e, x, 0, 2 * (s - 1))?
            } else {
                reflect(e, x, -1, 2 * s - 1)?
            };
            let c = clip(e, r.at, size)?;
            let g = e.mul(scale, r.grad)?;
            let grad = e.mul(g, c.grad)?;
            Ok(Source { at: c.at, grad })
        }
    }
}

/// One pixel a sample reads: its flat index in the `[N, C, H*W]` planes (0 when outside,
/// expanded over channels), whether it is inside, and its weight (0 when outside), the
/// last two `[N, 1, P]`.
struct Tap {
    index: Value,
    inside: Value,
    weight: Value,
}

/// The shapes of a grid sampler: `[N, C, H, W]` input, `[N, oH, oW, 2]` grid.
#[derive(Clone, Copy)]
struct Planes {
    n: u64,
    c: u64,
    h: u64,
    w: u64,
    oh: u64,
    ow: u64,
}

impl Planes {
    fn points(self) -> u64 {
        self.oh * self.ow
    }
}

fn tap(e: &mut Emitter, x: Value, y: Value, weight: Value, p: Planes) -> Result<Tap, Refusal> {
    let in_x = between(e, x, 0.0, p.w as f64 - 1.0, false)?;
    let in_y = between(e, y, 0.0, p.h as f64 - 1.0, false)?;
    let inside = e.binary("aten.logical_and", in_x, in_y)?;
    let row = e.with_int("aten.mul.Scalar", y, p.w as i64)?;
    let flat = e.add(row, x)?;
    let flat = or_zero(e, inside, flat)?;
    let flat = e.cast(flat, DType::I64)?;
    let points = [p.n as i64, 1, p.points() as i64];
    let flat = e.view(flat, &points)?;
    let index = expand(e, flat, &[p.n, p.c, p.points()])?;
    let weight = or_zero(e, inside, weight)?;
    let weight = e.view(weight, &points)?;
    let inside = e.view(inside, &points)?;
    Ok(Tap {
        index,
        inside,
        weight,
    })
}

/// What forward and backward share: the source coordinates, the taps and (bilinear) the
/// fractional offsets.
struct Samples {
    x: Source,
    y: Source,
    taps: Vec<Tap>,
    /// `(x - floor(x), y - floor(y))` as `[N, 1, P]`, bilinear only.
    fractions: Option<(Value, Value)>,
}

fn samples(e: &mut Emitter, grid: Value, p: Planes, m: &Sampling) -> Result<Samples, Refusal> {
    let gx = select(e, grid, 3, 0)?;
    let gy = select(e, grid, 3, 1)?;
    let x = source_index(e, gx, p.w, m)?;
    let y = source_index(e, gy, p.h, m)?;
    if m.nearest {
        let nx = e.unary("aten.round", x.at)?;
        let ny = e.unary("aten.round", y.at)?;
        let one = e.constant(1.0, e.dtype(nx))?;
        let t = tap(e, nx, ny, one, p)?;
        return Ok(Samples {
            x,
            y,
            taps: vec![t],
            fractions: None,
        });
    }
    let x0 = e.unary("aten.floor", x.at)?;
    let y0 = e.unary("aten.floor", y.at)?;
    let fx = e.sub(x.at, x0)?;
    let fy = e.sub(y.at, y0)?;
    let ex = one_minus(e, fx)?;
    let ey = one_minus(e, fy)?;
    let x1 = e.with_float("aten.add.Scalar", x0, 1.0)?;
    let y1 = e.with_float("aten.add.Scalar", y0, 1.0)?;
    let corners = [
        (x0, y0, ex, ey),
        (x1, y0, fx, ey),
        (x0, y1, ex, fy),
        (x1, y1, fx, fy),
    ];
    let mut taps = Vec::with_capacity(4);
    for (cx, cy, wx, wy) in corners {
        let weight = e.mul(wy, wx)?;
        taps.push(tap(e, cx, cy, weight, p)?);
    }
    let points = [p.n as i64, 1, p.points() as i64];
    let fx = e.view(fx, &points)?;
    let fy = e.view(fy, &points)?;
    Ok(Samples {
        x,
        y,
        taps,
        fractions: Some((fx, fy)),
    })
}

fn planes(e: &Emitter, input: Value, grid: Value) -> Result<Planes, Refusal> {
    match (
        dims(e, input, "input")?.as_slice(),
        dims(e, grid, "grid")?.as_slice(),
    ) {
        (&[n, c, h, w], &[_, oh, ow, 2]) => Ok(Planes { n, c, h, w, oh, ow }),
        _ => Err(Refusal::Internal(
            "grid sampler operands of the wrong rank".into(),
        )),
    }
}

/// The input's `[N, C, H*W]` planes.
fn flat_planes(e: &mut Emitter, input: Value, p: Planes) -> Result<Value, Refusal> {
    e.view(input, &[p.n as i64, p.c as i64, (p.h * p.w) as i64])
}

fn gather(e: &mut Emitter, planes: Value, index: Value) -> Result<Value, Refusal> {
    let d = e.int(2);
    e.op1("aten.gather", &[planes, index], vec![("dim", d)])
}

/// `grid_sampler_2d(x, grid) ==> sum_k gather(x, tap_k) * weight_k` over the four
/// bilinear corners (or the nearest pixel), pixels outside reading as zero.
pub(super) fn grid_sampler_2d(e: &mut Emitter, op: OpId) -> Replacements {
    let m = sampling(e, op)?;
    let (input, grid) = (tensor(e, op, "input")?, tensor(e, op, "grid")?);
    let p = planes(e, input, grid)?;
    let s = samples(e, grid, p, &m)?;
    let flat = flat_planes(e, input, p)?;
    let mut out: Option<Value> = None;
    for t in &s.taps {
        let v = gather(e, flat, t.index)?;
        let v = e.mul(v, t.weight)?;
        out = Some(match out {
            None => v,
            Some(o) => e.add(o, v)?,
        });
    }
    let out = out.ok_or_else(|| Refusal::Internal("no taps".into()))?;
    let r = e.view(out, &[p.n as i64, p.c as i64, p.oh as i64, p.ow as i64])?;
    Ok(vec![Some(r)])
}

/// `grid_sampler_2d_backward`: the input's gradient scatter-adds each tap's weighted output
/// gradient into its pixel; the grid's is, per point, the channel sum of the output
/// gradient times the derivative of the bilinear blend by x and y (differences of the
/// corner values read), times the source coordinates' derivatives; zero for nearest.
pub(super) fn grid_sampler_2d_backward(e: &mut Emitter, op: OpId) -> Replacements {
    let m = sampling(e, op)?;
    let grad = tensor(e, op, "grad_output")?;
    let (input, grid) = (tensor(e, op, "input")?, tensor(e, op, "grid")?);
    let mask = arg(e, op, "output_mask")?;
    let mask = mask
        .as_bools()
        .ok_or("output_mask is not a list of bools")?
        .to_vec();
    let p = planes(e, input, grid)?;
    let dtype = e.dtype(input);
    let results: Vec<Option<TensorInfo>> = (0..2)
        .map(|i| TensorInfo::from_type(e.ctx, e.ctx.value_type(e.ctx.result(op, i))))
        .collect();
    let wanted = |e: &Emitter, i: usize| {
        results[i].is_some() && (mask[i] || !e.ctx.is_unused(e.ctx.result(op, i)))
    };
    let (want_input, want_grid) = (wanted(e, 0), wanted(e, 1));
    let s = samples(e, grid, p, &m)?;
    let g = e.view(grad, &[p.n as i64, p.c as i64, p.points() as i64])?;
    let grad_input = if !want_input {
        None
    } else if !mask[0] {
        Some(e.zeros(&info(&[p.n, p.c, p.h, p.w], dtype))?)
    } else {
        let mut indices = Vec::new();
        let mut sources = Vec::new();
        for t in &s.taps {
            indices.push(t.index);
            sources.push(e.mul(g, t.weight)?);
        }
        let index = cat(e, &indices, 2)?;
        let src = cat(e, &sources, 2)?;
        let base = e.zeros(&info(&[p.n, p.c, p.h * p.w], dtype))?;
        let d = e.int(2);
        let sum = e.op1("aten.scatter_add", &[base, index, src], vec![("dim", d)])?;
        Some(e.view(sum, &[p.n as i64, p.c as i64, p.h as i64, p.w as i64])?)
    };
    let grad_grid = match (want_grid, mask[1], s.fractions) {
        (false, _, _) => None,
        (true, false, _) | (true, true, None) => {
            Some(e.zeros(&info(&[p.n, p.oh, p.ow, 2], dtype))?)
        }
        (true, true, Some((fx, fy))) => {
            let flat = flat_planes(e, input, p)?;
            let mut v = Vec::with_capacity(4);
            for t in &s.taps {
                let read = gather(e, flat, t.index)?;
                let inside = indicator(e, t.inside, dtype)?;
                v.push(e.mul(read, inside)?);
            }
            let (ex, ey) = (one_minus(e, fx)?, one_minus(e, fy)?);
            // d/dx: (1 - fy) (ne - nw) + fy (se - sw); d/dy: (1 - fx) (sw - nw) + fx (se - ne).
            let blend =
                |e: &mut Emitter, a: Value, b: Value, c: Value, d: Value, wa: Value, wb: Value| {
                    let top = e.sub(b, a)?;
                    let bottom = e.sub(d, c)?;
                    let top = e.mul(wa, top)?;
                    let bottom = e.mul(wb, bottom)?;
                    e.add(top, bottom)
                };
            let dx = blend(e, v[0], v[1], v[2], v[3], ey, fy)?;
            let dy = blend(e, v[0], v[2], v[1], v[3], ex, fx)?;
            let mut parts = Vec::with_capacity(2);
            for (d, src) in [(dx, &s.x), (dy, &s.y)] {
                let gd = e.mul(g, d)?;
                let summed = e.sum(gd, &[1], false)?;
                let mult = if e.info(src.grad).rank() == Some(0) {
                    src.grad
                } else {
                    e.view(src.grad, &[p.n as i64, p.points() as i64])?
                };
                parts.push(e.mul(summed, mult)?);
            }
            let stacked = parts
                .into_iter()
                .map(|v| e.unsqueeze(v, -1))
                .collect::<Result<Vec<_>, _>>()?;
            let both = cat(e, &stacked, -1)?;
            Some(e.view(both, &[p.n as i64, p.oh as i64, p.ow as i64, 2])?)
        }
    };
    Ok(vec![grad_input, grad_grid])
}
