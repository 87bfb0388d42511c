//! Neural-network ops and their backward ops: softmax, NLL loss, layer and batch norm,
//! convolution, max pooling, embedding, dropout.

use super::{expect_float, map_lanes, norm_dim};
use crate::tensor::{DType, KResult, Tensor, kerr};
use ndarray::{ArrayD, IxDyn};

fn lanes(x: &Tensor, dim: i64, f: impl Fn(&[f64]) -> Vec<f64>) -> KResult<Tensor> {
    expect_float(x, "input")?;
    let d = norm_dim(dim, x.ndim())?;
    Ok(Tensor::from_f64(
        map_lanes(&[&x.to_f64()], d.min(x.ndim().saturating_sub(1)), |l| {
            f(l[0])
        }),
        x.dtype(),
    ))
}

/// `aten._softmax`: `exp(x - max) / sum(exp(x - max))` along `dim`.
pub fn softmax(x: &Tensor, dim: i64) -> KResult<Tensor> {
    lanes(x, dim, |l| {
        let m = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = l.iter().map(|v| (v - m).exp()).collect();
        let s: f64 = e.iter().sum();
        e.iter().map(|v| v / s).collect()
    })
}

/// `aten._log_softmax`: `x - max - log(sum(exp(x - max)))` along `dim`.
pub fn log_softmax(x: &Tensor, dim: i64) -> KResult<Tensor> {
    lanes(x, dim, |l| {
        let m = l.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lse = l.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
        l.iter().map(|v| v - m - lse).collect()
    })
}

fn lanes2(
    a: &Tensor,
    b: &Tensor,
    dim: i64,
    dtype: DType,
    f: impl Fn(&[f64], &[f64]) -> Vec<f64>,
) -> KResult<Tensor> {
    if a.shape() != b.shape() {
        return kerr(format!(
            "grad_output and output must have the same shape, got {:?} and {:?}",
            a.shape(),
            b.shape()
        ));
    }
    let d = norm_dim(dim, a.ndim())?.min(a.ndim().saturating_sub(1));
    let r = map_lanes(&[&a.to_f64(), &b.to_f64()], d, |l| f(l[0], l[1]));
    Ok(Tensor::from_f64(r, dtype))
}

/// `aten._softmax_backward_data`: `y * (g - sum(g * y))` along `dim`.
pub fn softmax_backward(grad: &Tensor, y: &Tensor, dim: i64, dtype: DType) -> KResult<Tensor> {
    lanes2(grad, y, dim, dtype, |g, y| {
        let s: f64 = g.iter().zip(y).map(|(g, y)| g * y).sum();
        g.iter().zip(y).map(|(g, y)| y * (g - s)).collect()
    })
}

/// `aten._log_softmax_backward_data`: `g - exp(y) * sum(g)` along `dim`.
pub fn log_softmax_backward(grad: &Tensor, y: &Tensor, dim: i64, dtype: DType) -> KResult<Tensor> {
    lanes2(grad, y, dim, dtype, |g, y| {
        let s: f64 = g.iter().sum();
        g.iter().zip(y).map(|(g, y)| g - y.exp() * s).collect()
    })
}

/// PyTorch's loss reductions (`at::Reduction`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reduction {
    None,
    Mean,
    Sum,
}

impl Reduction {
    /// The enum from its integer encoding (0 none, 1 mean, 2 sum).
    pub fn from_i64(v: i64) -> KResult<Reduction> {
        match v {
            0 => Ok(Reduction::None),
            1 => Ok(Reduction::Mean),
            2 => Ok(Reduction::Sum),
            _ => kerr(format!("{v} is not a valid value for reduction")),
        }
    }
}

/// Validated NLL inputs: rows of class scores, their targets and the class weights.
struct Nll {
    batch: usize,
    classes: usize,
    targets: Vec<i64>,
    weights: Vec<f64>,
    batched: bool,
}

fn nll_inputs(x: &Tensor, target: &Tensor, weight: Option<&Tensor>, ignore: i64) -> KResult<Nll> {
    expect_float(x, "nll_loss input")?;
    let (batch, classes, batched) = match x.shape() {
        [c] => (1, *c, false),
        [n, c] => (*n, *c, true),
        s => {
            return kerr(format!(
                "nll_loss: input must be 1-D or 2-D, got shape {s:?}"
            ));
        }
    };
    if target.dtype().is_float() || target.dtype() == DType::Bool {
        return kerr(format!(
            "nll_loss: expected target of an integer dtype, got {}",
            target.dtype()
        ));
    }
    let expected: &[usize] = if batched { &[batch] } else { &[] };
    if target.shape() != expected {
        return kerr(format!(
            "nll_loss: target shape {:?} does not match input shape {:?}",
            target.shape(),
            x.shape()
        ));
    }
    let targets: Vec<i64> = target.to_i64().iter().copied().collect();
    if let Some(t) = targets
        .iter()
        .find(|&&t| t != ignore && (t < 0 || t >= classes as i64))
    {
        return kerr(format!("nll_loss: target {t} is out of bounds"));
    }
    let weights = match weight {
        Some(w) => {
            if w.shape() != [classes] {
                return kerr(format!(
                    "nll_loss: weight tensor should be defined either for all {classes} classes or no classes but got weight tensor of shape {:?}",
                    w.shape()
                ));
            }
            w.to_f64().iter().copied().collect()
        }
        None => vec![1.0; classes],
    };
    Ok(Nll {
        batch,
        classes,
        targets,
        weights,
        batched,
    })
}

/// `aten.nll_loss_forward`: returns `(output, total_weight)`.
pub fn nll_loss_forward(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
) -> KResult<(Tensor, Tensor)> {
    let nll = nll_inputs(x, target, weight, ignore_index)?;
    let xs: Vec<f64> = x.to_f64().iter().copied().collect();
    let mut losses = Vec::with_capacity(nll.batch);
    let mut total_weight = 0.0;
    for (i, &t) in nll.targets.iter().enumerate() {
        if t == ignore_index {
            losses.push(0.0);
            continue;
        }
        let w = nll.weights[t as usize];
        total_weight += w;
        losses.push(-w * xs[i * nll.classes + t as usize]);
    }
    let dtype = x.dtype();
    let out = match reduction {
        Reduction::None if nll.batched => Tensor::from_vec_f64(&[nll.batch], losses, dtype),
        Reduction::None => Tensor::from_vec_f64(&[], losses, dtype),
        Reduction::Sum => Tensor::from_vec_f64(&[], vec![losses.iter().sum()], dtype),
        Reduction::Mean => {
            Tensor::from_vec_f64(&[], vec![losses.iter().sum::<f64>() / total_weight], dtype)
        }
    };
    // PyTorch zeroes total_weight only for per-row losses; an unbatched input keeps it.
    let total = if reduction == Reduction::None && nll.batched {
        0.0
    } else {
        total_weight
    };
    Ok((out, Tensor::from_vec_f64(&[], vec![total], dtype)))
}

/// `aten.nll_loss_backward`: the gradient with respect to the input scores.
pub fn nll_loss_backward(
    grad: &Tensor,
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
    ignore_index: i64,
    total_weight: &Tensor,
) -> KResult<Tensor> {
    let nll = nll_inputs(x, target, weight, ignore_index)?;
    let g: Vec<f64> = grad.to_f64().iter().copied().collect();
    let per_row = reduction == Reduction::None && nll.batched;
    if g.len() != if per_row { nll.batch } else { 1 } {
        return kerr(format!(
            "nll_loss_backward: grad_output has shape {:?}, expected {}",
            grad.shape(),
            if per_row {
                format!("[{}]", nll.batch)
            } else {
                "a single element".into()
            }
        ));
    }
    let tw = total_weight.to_f64().iter().copied().next().unwrap_or(0.0);
    let mut out = vec![0.0; nll.batch * nll.classes];
    for (i, &t) in nll.targets.iter().enumerate() {
        if t == ignore_index {
            continue;
        }
        let gi = if per_row { g[i] } else { g[0] };
        let scale = if reduction == Reduction::Mean {
            tw
        } else {
            1.0
        };
        out[i * nll.classes + t as usize] = -nll.weights[t as usize] * gi / scale;
    }
    Ok(Tensor::from_vec_f64(x.shape(), out, x.dtype()))
}

/// Splits a shape at the normalized trailing dims of layer norm: `(rows, row length)`.
fn layer_norm_split(x: &Tensor, normalized_shape: &[i64]) -> KResult<(usize, usize, usize)> {
    let k = normalized_shape.len();
    let shape = x.shape();
    let tail_ok = k <= shape.len()
        && shape[shape.len() - k..]
            .iter()
            .zip(normalized_shape)
            .all(|(&a, &b)| a as i64 == b);
    if !tail_ok {
        return kerr(format!(
            "given normalized_shape={normalized_shape:?}, expected input with shape [*, {}], but got input of size {shape:?}",
            normalized_shape
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let axis = shape.len() - k;
    let inner: usize = shape[axis..].iter().product();
    let outer: usize = shape[..axis].iter().product();
    Ok((axis, outer, inner))
}

fn flat(t: &Tensor) -> Vec<f64> {
    t.to_f64().iter().copied().collect()
}

fn affine_param(t: Option<&Tensor>, len: usize, what: &str) -> KResult<Option<Vec<f64>>> {
    match t {
        Some(t) if t.len() != len => kerr(format!(
            "{what} must have {len} elements, got shape {:?}",
            t.shape()
        )),
        Some(t) => Ok(Some(flat(t))),
        None => Ok(None),
    }
}

/// `aten.native_layer_norm`: returns `(out, mean, rstd)` with `rstd = 1/sqrt(var + eps)`
/// (biased variance) and mean/rstd shaped `input.shape[:axis] + [1] * k`.
pub fn native_layer_norm(
    x: &Tensor,
    normalized_shape: &[i64],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> KResult<(Tensor, Tensor, Tensor)> {
    expect_float(x, "layer_norm input")?;
    let (axis, outer, inner) = layer_norm_split(x, normalized_shape)?;
    let w = affine_param(weight, inner, "layer_norm weight")?;
    let b = affine_param(bias, inner, "layer_norm bias")?;
    let xs = flat(x);
    let (mut out, mut means, mut rstds) = (vec![0.0; xs.len()], vec![0.0; outer], vec![0.0; outer]);
    for r in 0..outer {
        let row = &xs[r * inner..(r + 1) * inner];
        let m = row.iter().sum::<f64>() / inner as f64;
        let var = row.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / inner as f64;
        let rstd = 1.0 / (var + eps).sqrt();
        for (j, v) in row.iter().enumerate() {
            let mut y = (v - m) * rstd;
            if let Some(w) = &w {
                y *= w[j];
            }
            if let Some(b) = &b {
                y += b[j];
            }
            out[r * inner + j] = y;
        }
        means[r] = m;
        rstds[r] = rstd;
    }
    let mut stat_shape = x.shape()[..axis].to_vec();
    stat_shape.extend(std::iter::repeat_n(1, normalized_shape.len()));
    let dtype = x.dtype();
    Ok((
        Tensor::from_vec_f64(x.shape(), out, dtype),
        Tensor::from_vec_f64(&stat_shape, means, dtype),
        Tensor::from_vec_f64(&stat_shape, rstds, dtype),
    ))
}

/// `aten.native_layer_norm_backward`: `(grad_input, grad_weight, grad_bias)`, each only
/// when its `output_mask` entry is set (and, for the affine ones, the parameter exists).
#[allow(clippy::too_many_arguments)]
pub fn native_layer_norm_backward(
    grad: &Tensor,
    x: &Tensor,
    normalized_shape: &[i64],
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    output_mask: [bool; 3],
) -> KResult<[Option<Tensor>; 3]> {
    expect_float(x, "layer_norm input")?;
    let (_, outer, inner) = layer_norm_split(x, normalized_shape)?;
    if grad.shape() != x.shape() || mean.len() != outer || rstd.len() != outer {
        return kerr("native_layer_norm_backward: grad_out, mean or rstd do not match the input");
    }
    let w = affine_param(weight, inner, "layer_norm weight")?;
    let (xs, gs, ms, rs) = (flat(x), flat(grad), flat(mean), flat(rstd));
    let mut dx = vec![0.0; xs.len()];
    let (mut dw, mut db) = (vec![0.0; inner], vec![0.0; inner]);
    for r in 0..outer {
        let (m, rstd) = (ms[r], rs[r]);
        let range = r * inner..(r + 1) * inner;
        let xhat: Vec<f64> = xs[range.clone()].iter().map(|v| (v - m) * rstd).collect();
        let g = &gs[range];
        let gw: Vec<f64> = (0..inner)
            .map(|j| g[j] * w.as_ref().map_or(1.0, |w| w[j]))
            .collect();
        let mean_gw = gw.iter().sum::<f64>() / inner as f64;
        let mean_gw_xhat = gw.iter().zip(&xhat).map(|(a, b)| a * b).sum::<f64>() / inner as f64;
        for j in 0..inner {
            dx[r * inner + j] = rstd * (gw[j] - mean_gw - xhat[j] * mean_gw_xhat);
            dw[j] += g[j] * xhat[j];
            db[j] += g[j];
        }
    }
    let dtype = x.dtype();
    let param_shape = |p: Option<&Tensor>| p.map(|p| p.shape().to_vec());
    Ok([
        output_mask[0].then(|| Tensor::from_vec_f64(x.shape(), dx, dtype)),
        match param_shape(weight) {
            Some(s) if output_mask[1] => Some(Tensor::from_vec_f64(&s, dw, dtype)),
            _ => None,
        },
        match param_shape(bias) {
            Some(s) if output_mask[2] => Some(Tensor::from_vec_f64(&s, db, dtype)),
            _ => None,
        },
    ])
}

/// Per-channel views of an `(N, C, *)` tensor: `(N, C, spatial)`.
fn channel_split(x: &Tensor) -> KResult<(usize, usize, usize)> {
    if x.ndim() < 2 {
        return kerr(format!(
            "batch_norm: expected input with at least 2 dims (N, C, ...), got shape {:?}",
            x.shape()
        ));
    }
    let s = x.shape();
    Ok((s[0], s[1], s[2..].iter().product()))
}

fn channel_vec(t: Option<&Tensor>, c: usize, what: &str) -> KResult<Option<Vec<f64>>> {
    affine_param(t, c, what)
}

/// The outputs of training-mode batch norm.
pub struct BatchNormOut {
    pub output: Tensor,
    pub save_mean: Tensor,
    pub save_invstd: Tensor,
    /// The updated running statistics (when running statistics were given).
    pub running: Option<(Tensor, Tensor)>,
}

/// Batch norm as `_native_batch_norm_legit_functional` computes it. Training normalizes
/// with the batch statistics (biased variance), saves `mean` and `1/sqrt(var + eps)`, and
/// moves the running statistics by `momentum` (the running variance takes the unbiased
/// batch variance). Evaluation normalizes with the running statistics, saves empty
/// tensors and leaves the running statistics as they were.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> KResult<BatchNormOut> {
    expect_float(x, "batch_norm input")?;
    let (n, c, sp) = channel_split(x)?;
    let w = channel_vec(weight, c, "batch_norm weight")?;
    let b = channel_vec(bias, c, "batch_norm bias")?;
    let rm = channel_vec(running_mean, c, "batch_norm running_mean")?;
    let rv = channel_vec(running_var, c, "batch_norm running_var")?;
    let xs = flat(x);
    let count = n * sp;
    let at = |i: usize, ch: usize, k: usize| (i * c + ch) * sp + k;
    let (mut mean, mut invstd, mut var_unbiased) = (vec![0.0; c], vec![0.0; c], vec![0.0; c]);
    for ch in 0..c {
        if training {
            if count == 0 {
                return kerr("batch_norm: expected more than 0 elements per channel in training");
            }
            let vals = (0..n).flat_map(|i| (0..sp).map(move |k| (i, k)));
            let m = vals.clone().map(|(i, k)| xs[at(i, ch, k)]).sum::<f64>() / count as f64;
            let ss: f64 = vals.map(|(i, k)| (xs[at(i, ch, k)] - m).powi(2)).sum();
            mean[ch] = m;
            invstd[ch] = 1.0 / (ss / count as f64 + eps).sqrt();
            var_unbiased[ch] = ss / (count as f64 - 1.0);
        } else {
            let (Some(rm), Some(rv)) = (&rm, &rv) else {
                return kerr(
                    "batch_norm: running_mean and running_var are required in evaluation mode",
                );
            };
            mean[ch] = rm[ch];
            invstd[ch] = 1.0 / (rv[ch] + eps).sqrt();
        }
    }
    let mut out = vec![0.0; xs.len()];
    for i in 0..n {
        for ch in 0..c {
            for k in 0..sp {
                let mut y = (xs[at(i, ch, k)] - mean[ch]) * invstd[ch];
                if let Some(w) = &w {
                    y *= w[ch];
                }
                if let Some(b) = &b {
                    y += b[ch];
                }
                out[at(i, ch, k)] = y;
            }
        }
    }
    let dtype = x.dtype();
    let output = Tensor::from_vec_f64(x.shape(), out, dtype);
    if !training {
        let empty = Tensor::from_vec_f64(&[0], Vec::new(), dtype);
        return Ok(BatchNormOut {
            output,
            save_mean: empty.clone(),
            save_invstd: empty,
            running: running_mean
                .zip(running_var)
                .map(|(m, v)| (m.clone(), v.clone())),
        });
    }
    let running = match (rm, rv, running_mean, running_var) {
        (Some(rm), Some(rv), Some(tm), Some(tv)) => {
            let m: Vec<f64> = (0..c)
                .map(|ch| momentum * mean[ch] + (1.0 - momentum) * rm[ch])
                .collect();
            let v: Vec<f64> = (0..c)
                .map(|ch| momentum * var_unbiased[ch] + (1.0 - momentum) * rv[ch])
                .collect();
            Some((
                Tensor::from_vec_f64(tm.shape(), m, tm.dtype()),
                Tensor::from_vec_f64(tv.shape(), v, tv.dtype()),
            ))
        }
        _ => None,
    };
    Ok(BatchNormOut {
        output,
        save_mean: Tensor::from_vec_f64(&[c], mean, dtype),
        save_invstd: Tensor::from_vec_f64(&[c], invstd, dtype),
        running,
    })
}

/// `aten.native_batch_norm_backward`: `(grad_input, grad_weight, grad_bias)` by
/// `output_mask`. Training uses the saved batch statistics; evaluation the running ones.
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_backward(
    grad: &Tensor,
    x: &Tensor,
    weight: Option<&Tensor>,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    save_mean: Option<&Tensor>,
    save_invstd: Option<&Tensor>,
    training: bool,
    eps: f64,
    output_mask: [bool; 3],
) -> KResult<[Option<Tensor>; 3]> {
    expect_float(x, "batch_norm input")?;
    let (n, c, sp) = channel_split(x)?;
    if grad.shape() != x.shape() {
        return kerr("native_batch_norm_backward: grad_out and input shapes differ");
    }
    let w = channel_vec(weight, c, "batch_norm weight")?;
    let (mean, invstd) = if training {
        let (Some(m), Some(s)) = (
            channel_vec(save_mean, c, "save_mean")?,
            channel_vec(save_invstd, c, "save_invstd")?,
        ) else {
            return kerr(
                "native_batch_norm_backward: save_mean and save_invstd are required in training mode",
            );
        };
        (m, s)
    } else {
        let (Some(m), Some(v)) = (
            channel_vec(running_mean, c, "running_mean")?,
            channel_vec(running_var, c, "running_var")?,
        ) else {
            return kerr(
                "native_batch_norm_backward: running_mean and running_var are required in evaluation mode",
            );
        };
        let s = v.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
        (m, s)
    };
    let (xs, gs) = (flat(x), flat(grad));
    let at = |i: usize, ch: usize, k: usize| (i * c + ch) * sp + k;
    let count = (n * sp) as f64;
    let mut dx = vec![0.0; xs.len()];
    let (mut dw, mut db) = (vec![0.0; c], vec![0.0; c]);
    for ch in 0..c {
        let (m, s) = (mean[ch], invstd[ch]);
        let (mut sum_g, mut sum_g_xhat) = (0.0, 0.0);
        for i in 0..n {
            for k in 0..sp {
                let g = gs[at(i, ch, k)];
                sum_g += g;
                sum_g_xhat += g * (xs[at(i, ch, k)] - m) * s;
            }
        }
        dw[ch] = sum_g_xhat;
        db[ch] = sum_g;
        let wc = w.as_ref().map_or(1.0, |w| w[ch]);
        for i in 0..n {
            for k in 0..sp {
                let idx = at(i, ch, k);
                dx[idx] = if training {
                    let xhat = (xs[idx] - m) * s;
                    wc * s * (gs[idx] - sum_g / count - xhat * sum_g_xhat / count)
                } else {
                    wc * s * gs[idx]
                };
            }
        }
    }
    let dtype = x.dtype();
    let param_shape = weight.map_or_else(|| vec![c], |w| w.shape().to_vec());
    Ok([
        output_mask[0].then(|| Tensor::from_vec_f64(x.shape(), dx, dtype)),
        output_mask[1].then(|| Tensor::from_vec_f64(&param_shape, dw, dtype)),
        output_mask[2].then(|| Tensor::from_vec_f64(&param_shape, db, dtype)),
    ])
}

/// The parameters of a 2-D convolution (1-D ones are lifted to 2-D with height 1).
#[derive(Clone, Debug)]
pub struct ConvParams {
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub transposed: bool,
    pub output_padding: Vec<i64>,
    pub groups: i64,
}

/// The geometry of one (non-transposed) 2-D convolution from `x` to `y`.
#[derive(Clone, Copy, Debug)]
struct Geom {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    kh: usize,
    kw: usize,
    oh: usize,
    ow: usize,
    stride: [usize; 2],
    pad: [usize; 2],
    dil: [usize; 2],
    groups: usize,
}

impl Geom {
    /// Calls `f(x_index, w_index, y_index)` for every multiply-accumulate tap.
    fn taps(&self, mut f: impl FnMut(usize, usize, usize)) {
        let cg = self.c / self.groups;
        let og = self.o / self.groups;
        for n in 0..self.n {
            for o in 0..self.o {
                let g = o / og;
                for oy in 0..self.oh {
                    for ox in 0..self.ow {
                        let yi = ((n * self.o + o) * self.oh + oy) * self.ow + ox;
                        for ci in 0..cg {
                            let ic = g * cg + ci;
                            for ky in 0..self.kh {
                                let iy = (oy * self.stride[0] + ky * self.dil[0]) as i64
                                    - self.pad[0] as i64;
                                if iy < 0 || iy >= self.h as i64 {
                                    continue;
                                }
                                for kx in 0..self.kw {
                                    let ix = (ox * self.stride[1] + kx * self.dil[1]) as i64
                                        - self.pad[1] as i64;
                                    if ix < 0 || ix >= self.w as i64 {
                                        continue;
                                    }
                                    let xi = ((n * self.c + ic) * self.h + iy as usize) * self.w
                                        + ix as usize;
                                    let wi = ((o * cg + ci) * self.kh + ky) * self.kw + kx;
                                    f(xi, wi, yi);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn pair(v: &[i64], what: &str, min: i64) -> KResult<[usize; 2]> {
    let p = match v {
        [a] => [*a, *a],
        [a, b] => [*a, *b],
        _ => {
            return kerr(format!(
                "{what} must have 1 or 2 elements for a 2-D convolution, got {v:?}"
            ));
        }
    };
    if p.iter().any(|&x| x < min) {
        return kerr(format!("{what} must be at least {min}, got {v:?}"));
    }
    Ok([p[0] as usize, p[1] as usize])
}

/// The geometry of the underlying (non-transposed) convolution, from its input shape
/// `[N, C, H, W]`, weight shape `[O, C/groups, KH, KW]` and output spatial size.
fn geom(x: &[usize], w: &[usize], p: &ConvParams, out_hw: Option<[usize; 2]>) -> KResult<Geom> {
    let stride = pair(&p.stride, "stride", 1)?;
    let pad = pair(&p.padding, "padding", 0)?;
    let dil = pair(&p.dilation, "dilation", 1)?;
    if p.groups < 1 {
        return kerr(format!("groups must be positive, got {}", p.groups));
    }
    let groups = p.groups as usize;
    let (n, c, h, wd) = (x[0], x[1], x[2], x[3]);
    let (o, cg, kh, kw) = (w[0], w[1], w[2], w[3]);
    if c % groups != 0 || o % groups != 0 || cg * groups != c {
        return kerr(format!(
            "convolution: expected weight of shape [*, {}, {kh}, {kw}] for input {x:?} with groups={groups}, but got weight of shape {w:?}",
            c / groups.max(1)
        ));
    }
    let extent = |size: usize, k: usize, d: usize, s: usize, pd: usize| -> KResult<usize> {
        let span = d * (k.max(1) - 1) + 1;
        if size + 2 * pd < span {
            return kerr(format!(
                "convolution: kernel size (with dilation) {span} is larger than the padded input size {}",
                size + 2 * pd
            ));
        }
        Ok((size + 2 * pd - span) / s + 1)
    };
    let [oh, ow] = match out_hw {
        Some(hw) => hw,
        None => [
            extent(h, kh, dil[0], stride[0], pad[0])?,
            extent(wd, kw, dil[1], stride[1], pad[1])?,
        ],
    };
    Ok(Geom {
        n,
        c,
        h,
        w: wd,
        o,
        kh,
        kw,
        oh,
        ow,
        stride,
        pad,
        dil,
        groups,
    })
}

fn conv_forward(x: &[f64], w: &[f64], g: &Geom) -> Vec<f64> {
    let mut y = vec![0.0; g.n * g.o * g.oh * g.ow];
    g.taps(|xi, wi, yi| y[yi] += x[xi] * w[wi]);
    y
}

fn conv_grad_input(gy: &[f64], w: &[f64], g: &Geom) -> Vec<f64> {
    let mut gx = vec![0.0; g.n * g.c * g.h * g.w];
    g.taps(|xi, wi, yi| gx[xi] += gy[yi] * w[wi]);
    gx
}

fn conv_grad_weight(gy: &[f64], x: &[f64], g: &Geom) -> Vec<f64> {
    let mut gw = vec![0.0; g.o * (g.c / g.groups) * g.kh * g.kw];
    g.taps(|xi, wi, yi| gw[wi] += gy[yi] * x[xi]);
    gw
}

/// Lifts a 1-D convolution operand `[N, C, L]` to 2-D `[N, C, 1, L]`.
fn lift(shape: &[usize]) -> Vec<usize> {
    if shape.len() == 3 {
        vec![shape[0], shape[1], 1, shape[2]]
    } else {
        shape.to_vec()
    }
}

fn lift_params(p: &ConvParams, one_d: bool) -> ConvParams {
    if !one_d {
        return p.clone();
    }
    let lift = |v: &[i64], fill: i64| {
        let mut out = vec![fill];
        out.push(v.first().copied().unwrap_or(fill));
        out
    };
    ConvParams {
        stride: lift(&p.stride, 1),
        padding: lift(&p.padding, 0),
        dilation: lift(&p.dilation, 1),
        transposed: p.transposed,
        output_padding: lift(&p.output_padding, 0),
        groups: p.groups,
    }
}

fn conv_ranks(x: &Tensor, w: &Tensor) -> KResult<bool> {
    match (x.ndim(), w.ndim()) {
        (4, 4) => Ok(false),
        (3, 3) => Ok(true),
        _ => kerr(format!(
            "convolution supports batched 1-D and 2-D inputs: expected input and weight of rank 3 or 4, got shapes {:?} and {:?}",
            x.shape(),
            w.shape()
        )),
    }
}

fn unlift(shape: Vec<usize>, one_d: bool) -> Vec<usize> {
    if one_d {
        vec![shape[0], shape[1], shape[3]]
    } else {
        shape
    }
}

/// The output spatial size of a transposed convolution.
fn transposed_out(x: &[usize], w: &[usize], p: &ConvParams) -> KResult<[usize; 2]> {
    let stride = pair(&p.stride, "stride", 1)?;
    let pad = pair(&p.padding, "padding", 0)?;
    let dil = pair(&p.dilation, "dilation", 1)?;
    let op = pair(&p.output_padding, "output_padding", 0)?;
    let mut out = [0; 2];
    for i in 0..2 {
        let size = (x[2 + i] as i64 - 1) * stride[i] as i64 - 2 * pad[i] as i64
            + dil[i] as i64 * (w[2 + i] as i64 - 1)
            + op[i] as i64
            + 1;
        if size <= 0 {
            return kerr(format!("transposed convolution output size is {size}"));
        }
        out[i] = size as usize;
    }
    Ok(out)
}

/// `aten.convolution` for batched 1-D and 2-D inputs, plain or transposed.
pub fn convolution(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    p: &ConvParams,
) -> KResult<Tensor> {
    expect_float(x, "convolution input")?;
    let one_d = conv_ranks(x, w)?;
    let p = lift_params(p, one_d);
    let (xs, ws) = (lift(x.shape()), lift(w.shape()));
    let (mut y, y_shape, channels) = if p.transposed {
        let [oh, ow] = transposed_out(&xs, &ws, &p)?;
        let out_c = ws[1] * p.groups.max(1) as usize;
        let y_shape = vec![xs[0], out_c, oh, ow];
        let g = geom(&y_shape, &ws, &p, Some([xs[2], xs[3]]))?;
        if g.o != xs[1] {
            return kerr(format!(
                "transposed convolution: weight {:?} expects {} input channels, got {}",
                w.shape(),
                g.o,
                xs[1]
            ));
        }
        (conv_grad_input(&flat(x), &flat(w), &g), y_shape, out_c)
    } else {
        let g = geom(&xs, &ws, &p, None)?;
        (
            conv_forward(&flat(x), &flat(w), &g),
            vec![g.n, g.o, g.oh, g.ow],
            g.o,
        )
    };
    if let Some(b) = bias {
        if b.len() != channels {
            return kerr(format!(
                "convolution: bias must have {channels} elements, got shape {:?}",
                b.shape()
            ));
        }
        let bs = flat(b);
        let plane = y_shape[2] * y_shape[3];
        for (i, v) in y.iter_mut().enumerate() {
            *v += bs[(i / plane) % channels];
        }
    }
    Ok(Tensor::from_vec_f64(&unlift(y_shape, one_d), y, x.dtype()))
}

/// `aten.convolution_backward`: `(grad_input, grad_weight, grad_bias)` by `output_mask`.
pub fn convolution_backward(
    gy: &Tensor,
    x: &Tensor,
    w: &Tensor,
    p: &ConvParams,
    output_mask: [bool; 3],
) -> KResult<[Option<Tensor>; 3]> {
    expect_float(x, "convolution input")?;
    let one_d = conv_ranks(x, w)?;
    let p = lift_params(p, one_d);
    let (xs, ws, gys) = (lift(x.shape()), lift(w.shape()), lift(gy.shape()));
    let (xf, wf, gf) = (flat(x), flat(w), flat(gy));
    let (gx, gw) = if p.transposed {
        // The transposed conv is the input-gradient of the conv from its output to its input.
        let g = geom(&gys, &ws, &p, Some([xs[2], xs[3]]))?;
        if g.n * g.o * g.oh * g.ow != xf.len() || gys.len() != 4 {
            return kerr(
                "convolution_backward: grad_output does not match the transposed convolution",
            );
        }
        (conv_forward(&gf, &wf, &g), conv_grad_weight(&xf, &gf, &g))
    } else {
        let g = geom(&xs, &ws, &p, None)?;
        if gys != [g.n, g.o, g.oh, g.ow] {
            return kerr(format!(
                "convolution_backward: grad_output has shape {:?}, expected {:?}",
                gy.shape(),
                unlift(vec![g.n, g.o, g.oh, g.ow], one_d)
            ));
        }
        (
            conv_grad_input(&gf, &wf, &g),
            conv_grad_weight(&gf, &xf, &g),
        )
    };
    let channels = gys[1];
    let plane = gys[2] * gys[3];
    let mut gb = vec![0.0; channels];
    for (i, v) in gf.iter().enumerate() {
        gb[(i / plane) % channels] += v;
    }
    let dtype = x.dtype();
    Ok([
        output_mask[0].then(|| Tensor::from_vec_f64(x.shape(), gx, dtype)),
        output_mask[1].then(|| Tensor::from_vec_f64(w.shape(), gw, dtype)),
        output_mask[2].then(|| Tensor::from_vec_f64(&[channels], gb, dtype)),
    ])
}

/// The parameters of `max_pool2d_with_indices`.
#[derive(Clone, Debug)]
pub struct PoolParams {
    pub kernel_size: Vec<i64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub ceil_mode: bool,
}

struct Pool {
    lead: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    k: [usize; 2],
    s: [usize; 2],
    p: [usize; 2],
    d: [usize; 2],
}

fn pool_geom(x: &Tensor, pp: &PoolParams) -> KResult<Pool> {
    if !(x.ndim() == 3 || x.ndim() == 4) {
        return kerr(format!(
            "max_pool2d: expected 3-D or 4-D input, got shape {:?}",
            x.shape()
        ));
    }
    let k = pair(&pp.kernel_size, "kernel_size", 1)?;
    let s = if pp.stride.is_empty() {
        k
    } else {
        pair(&pp.stride, "stride", 1)?
    };
    let p = pair(&pp.padding, "padding", 0)?;
    let d = pair(&pp.dilation, "dilation", 1)?;
    if p[0] > k[0] / 2 || p[1] > k[1] / 2 {
        return kerr(format!(
            "pad should be at most half of effective kernel size, but got pad={p:?} and kernel_size={k:?}"
        ));
    }
    let r = x.ndim();
    let (h, w) = (x.shape()[r - 2], x.shape()[r - 1]);
    let lead = x.shape()[..r - 2].iter().product();
    let out = |size: usize, i: usize| -> KResult<usize> {
        let span = (d[i] * (k[i] - 1) + 1) as i64;
        let numer =
            size as i64 + 2 * p[i] as i64 - span + if pp.ceil_mode { s[i] as i64 - 1 } else { 0 };
        let mut o = numer.div_euclid(s[i] as i64) + 1;
        if pp.ceil_mode && (o - 1) * s[i] as i64 >= size as i64 + p[i] as i64 {
            o -= 1;
        }
        if o <= 0 {
            return kerr(format!("max_pool2d: output size is too small ({o})"));
        }
        Ok(o as usize)
    };
    Ok(Pool {
        lead,
        h,
        w,
        oh: out(h, 0)?,
        ow: out(w, 1)?,
        k,
        s,
        p,
        d,
    })
}

/// `aten.max_pool2d_with_indices`: `(values, indices)`; indices are flat offsets into each
/// input plane; the first maximum wins and NaN counts as a maximum.
pub fn max_pool2d_with_indices(x: &Tensor, pp: &PoolParams) -> KResult<(Tensor, Tensor)> {
    expect_float(x, "max_pool2d input")?;
    let g = pool_geom(x, pp)?;
    let xs = flat(x);
    let plane = g.h * g.w;
    let (mut vals, mut idx) = (Vec::new(), Vec::new());
    for l in 0..g.lead {
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                let (mut best, mut best_i) = (f64::NEG_INFINITY, -1i64);
                for ky in 0..g.k[0] {
                    let iy = (oy * g.s[0] + ky * g.d[0]) as i64 - g.p[0] as i64;
                    if iy < 0 || iy >= g.h as i64 {
                        continue;
                    }
                    for kx in 0..g.k[1] {
                        let ix = (ox * g.s[1] + kx * g.d[1]) as i64 - g.p[1] as i64;
                        if ix < 0 || ix >= g.w as i64 {
                            continue;
                        }
                        let off = iy as usize * g.w + ix as usize;
                        let v = xs[l * plane + off];
                        if v > best || v.is_nan() || best_i < 0 {
                            best = v;
                            best_i = off as i64;
                            if v.is_nan() {
                                break;
                            }
                        }
                    }
                    if best.is_nan() {
                        break;
                    }
                }
                vals.push(best);
                idx.push(best_i);
            }
        }
    }
    let mut shape = x.shape()[..x.ndim() - 2].to_vec();
    shape.extend([g.oh, g.ow]);
    let indices = ArrayD::from_shape_vec(IxDyn(&shape), idx).expect("pool shape");
    Ok((
        Tensor::from_vec_f64(&shape, vals, x.dtype()),
        Tensor::I64(indices),
    ))
}

/// `aten.max_pool2d_with_indices_backward`: scatters `grad` to the recorded maxima.
pub fn max_pool2d_with_indices_backward(
    grad: &Tensor,
    x: &Tensor,
    pp: &PoolParams,
    indices: &Tensor,
) -> KResult<Tensor> {
    let g = pool_geom(x, pp)?;
    let mut out_shape = x.shape()[..x.ndim() - 2].to_vec();
    out_shape.extend([g.oh, g.ow]);
    if grad.shape() != out_shape || indices.shape() != out_shape {
        return kerr(format!(
            "max_pool2d_with_indices_backward: grad_output and indices must have shape {out_shape:?}, got {:?} and {:?}",
            grad.shape(),
            indices.shape()
        ));
    }
    let plane = g.h * g.w;
    let per_lead = g.oh * g.ow;
    let mut gx = vec![0.0; x.len()];
    for (i, (gv, &ix)) in flat(grad).iter().zip(indices.to_i64().iter()).enumerate() {
        if ix < 0 || ix as usize >= plane {
            return kerr(format!(
                "max_pool2d_with_indices_backward: index {ix} is out of range"
            ));
        }
        gx[(i / per_lead) * plane + ix as usize] += gv;
    }
    Ok(Tensor::from_vec_f64(x.shape(), gx, grad.dtype()))
}

/// The window of output position `o` along one dim of `size` elements: its clipped
/// range and the divisor PyTorch's `avg_pool2d` uses for it.
fn avg_window(o: usize, size: usize, k: usize, s: usize, p: usize) -> (usize, usize, usize) {
    let start = (o * s) as i64 - p as i64;
    let end = (start + k as i64).min((size + p) as i64);
    let padded = (end - start) as usize;
    let (lo, hi) = (start.max(0) as usize, end.min(size as i64) as usize);
    (lo, hi, padded)
}

/// The divisor of one `avg_pool2d` window.
fn avg_divisor(
    rows: (usize, usize, usize),
    cols: (usize, usize, usize),
    include_pad: bool,
    over: Option<i64>,
) -> f64 {
    match over {
        Some(d) => d as f64,
        None if include_pad => (rows.2 * cols.2) as f64,
        None => ((rows.1 - rows.0) * (cols.1 - cols.0)) as f64,
    }
}

/// `aten.avg_pool2d`: each window's sum over its divisor (the window size with or
/// without padding, or `divisor_override`).
pub fn avg_pool2d(
    x: &Tensor,
    pp: &PoolParams,
    include_pad: bool,
    divisor_override: Option<i64>,
) -> KResult<Tensor> {
    expect_float(x, "avg_pool2d input")?;
    if divisor_override == Some(0) {
        return kerr("avg_pool2d: divisor must be not zero");
    }
    let g = pool_geom(x, pp)?;
    let xs = flat(x);
    let plane = g.h * g.w;
    let mut vals = Vec::with_capacity(g.lead * g.oh * g.ow);
    for l in 0..g.lead {
        for oy in 0..g.oh {
            let rows = avg_window(oy, g.h, g.k[0], g.s[0], g.p[0]);
            for ox in 0..g.ow {
                let cols = avg_window(ox, g.w, g.k[1], g.s[1], g.p[1]);
                let mut sum = 0.0;
                for iy in rows.0..rows.1 {
                    for ix in cols.0..cols.1 {
                        sum += xs[l * plane + iy * g.w + ix];
                    }
                }
                vals.push(sum / avg_divisor(rows, cols, include_pad, divisor_override));
            }
        }
    }
    let mut shape = x.shape()[..x.ndim() - 2].to_vec();
    shape.extend([g.oh, g.ow]);
    Ok(Tensor::from_vec_f64(&shape, vals, x.dtype()))
}

/// `aten.avg_pool2d_backward`: each window's gradient over its divisor, back to every
/// element of the window.
pub fn avg_pool2d_backward(
    grad: &Tensor,
    x: &Tensor,
    pp: &PoolParams,
    include_pad: bool,
    divisor_override: Option<i64>,
) -> KResult<Tensor> {
    if divisor_override == Some(0) {
        return kerr("avg_pool2d_backward: divisor must be not zero");
    }
    let g = pool_geom(x, pp)?;
    let mut out_shape = x.shape()[..x.ndim() - 2].to_vec();
    out_shape.extend([g.oh, g.ow]);
    if grad.shape() != out_shape {
        return kerr(format!(
            "avg_pool2d_backward: grad_output must have shape {out_shape:?}, got {:?}",
            grad.shape()
        ));
    }
    let gs = flat(grad);
    let plane = g.h * g.w;
    let mut gx = vec![0.0; x.len()];
    for l in 0..g.lead {
        for oy in 0..g.oh {
            let rows = avg_window(oy, g.h, g.k[0], g.s[0], g.p[0]);
            for ox in 0..g.ow {
                let cols = avg_window(ox, g.w, g.k[1], g.s[1], g.p[1]);
                let v = gs[(l * g.oh + oy) * g.ow + ox]
                    / avg_divisor(rows, cols, include_pad, divisor_override);
                for iy in rows.0..rows.1 {
                    for ix in cols.0..cols.1 {
                        gx[l * plane + iy * g.w + ix] += v;
                    }
                }
            }
        }
    }
    Ok(Tensor::from_vec_f64(x.shape(), gx, grad.dtype()))
}

fn index_values(indices: &Tensor, bound: usize, what: &str) -> KResult<Vec<i64>> {
    if !matches!(indices.dtype(), DType::I32 | DType::I64) {
        return kerr(format!(
            "{what}: expected indices of dtype i64 or i32, got {}",
            indices.dtype()
        ));
    }
    let v: Vec<i64> = indices.to_i64().iter().copied().collect();
    if let Some(i) = v.iter().find(|&&i| i < 0 || i as usize >= bound) {
        return kerr(format!(
            "{what}: index {i} is out of range for {bound} rows"
        ));
    }
    Ok(v)
}

/// `aten.embedding`: rows of `weight` picked by `indices`, shaped `indices.shape + [D]`.
pub fn embedding(weight: &Tensor, indices: &Tensor) -> KResult<Tensor> {
    super::expect_rank(weight, 2, "embedding weight")?;
    let (rows, d) = (weight.shape()[0], weight.shape()[1]);
    let idx = index_values(indices, rows, "embedding")?;
    let ws = flat(weight);
    let mut out = Vec::with_capacity(idx.len() * d);
    for &i in &idx {
        out.extend_from_slice(&ws[i as usize * d..(i as usize + 1) * d]);
    }
    let mut shape = indices.shape().to_vec();
    shape.push(d);
    Ok(match weight {
        Tensor::F32(_) | Tensor::F64(_) => Tensor::from_vec_f64(&shape, out, weight.dtype()),
        _ => {
            let wi: Vec<i64> = weight.to_i64().iter().copied().collect();
            let vals: Vec<i64> = idx
                .iter()
                .flat_map(|&i| wi[i as usize * d..(i as usize + 1) * d].to_vec())
                .collect();
            Tensor::from_i64(
                ArrayD::from_shape_vec(IxDyn(&shape), vals).expect("embedding shape"),
                weight.dtype(),
            )
        }
    })
}

/// `aten.embedding_dense_backward`: sums gradient rows per index (skipping
/// `padding_idx`), optionally divided by each index's frequency.
pub fn embedding_dense_backward(
    grad: &Tensor,
    indices: &Tensor,
    num_weights: i64,
    padding_idx: i64,
    scale_grad_by_freq: bool,
) -> KResult<Tensor> {
    expect_float(grad, "embedding grad_output")?;
    if num_weights < 0 {
        return kerr("embedding_dense_backward: num_weights must be non-negative");
    }
    let rows = num_weights as usize;
    let idx = index_values(indices, rows, "embedding_dense_backward")?;
    let d = if idx.is_empty() {
        grad.shape().last().copied().unwrap_or(0)
    } else {
        grad.len() / idx.len()
    };
    let mut expected = indices.shape().to_vec();
    expected.push(d);
    if grad.shape() != expected {
        return kerr(format!(
            "embedding_dense_backward: grad_output has shape {:?}, expected {expected:?}",
            grad.shape()
        ));
    }
    let mut counts = vec![0usize; rows];
    for &i in &idx {
        counts[i as usize] += 1;
    }
    let gs = flat(grad);
    let mut out = vec![0.0; rows * d];
    for (k, &i) in idx.iter().enumerate() {
        if i == padding_idx {
            continue;
        }
        let scale = if scale_grad_by_freq {
            1.0 / counts[i as usize] as f64
        } else {
            1.0
        };
        for j in 0..d {
            out[i as usize * d + j] += gs[k * d + j] * scale;
        }
    }
    Ok(Tensor::from_vec_f64(&[rows, d], out, grad.dtype()))
}

/// A counter-based random stream: uniform numbers in `[0, 1)` that depend only on
/// `(seed, stream, index)`, so a dropout mask is reproducible from its key.
pub fn uniform(seed: u64, stream: u64, index: u64) -> f64 {
    let mut z = seed
        .wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
        .wrapping_add(index.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// `aten.native_dropout`: `(x * mask / (1 - p), mask)` where each element is kept with
/// probability `1 - p` by [`uniform`]`(seed, stream, i) < 1 - p`; without training the
/// input passes through with an all-true mask.
pub fn native_dropout(
    x: &Tensor,
    p: f64,
    train: bool,
    seed: u64,
    stream: u64,
) -> KResult<(Tensor, Tensor)> {
    expect_float(x, "dropout input")?;
    if !(0.0..=1.0).contains(&p) {
        return kerr(format!(
            "dropout probability has to be between 0 and 1, but got {p}"
        ));
    }
    let shape = IxDyn(x.shape());
    if !train {
        return Ok((x.clone(), Tensor::Bool(ArrayD::from_elem(shape, true))));
    }
    let keep = 1.0 - p;
    let scale = if keep == 0.0 { 0.0 } else { 1.0 / keep };
    let mask: Vec<bool> = (0..x.len() as u64)
        .map(|i| uniform(seed, stream, i) < keep)
        .collect();
    let out: Vec<f64> = flat(x)
        .iter()
        .zip(&mask)
        .map(|(v, &m)| if m { v * scale } else { 0.0 })
        .collect();
    Ok((
        Tensor::from_vec_f64(x.shape(), out, x.dtype()),
        Tensor::Bool(ArrayD::from_shape_vec(shape, mask).expect("same shape")),
    ))
}

/// `aten.native_dropout_backward`: `grad * mask * scale`.
pub fn native_dropout_backward(grad: &Tensor, mask: &Tensor, scale: f64) -> KResult<Tensor> {
    expect_float(grad, "dropout grad_output")?;
    let r = super::map2(&grad.to_f64(), &mask.to_bool(), |g, m| {
        if m { g * scale } else { 0.0 }
    })?;
    Ok(Tensor::from_f64(r, grad.dtype()))
}
