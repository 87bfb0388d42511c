//! Neural-network ops and their backward ops: softmax, NLL loss, layer and batch norm,
//! convolution, embedding, dropout.

use super::pool::{each_index, lead, per_dim};
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
        // An empty group has mean 0 and a NaN rstd, as PyTorch's CPU kernel gives.
        let m = if inner == 0 {
            0.0
        } else {
            row.iter().sum::<f64>() / inner as f64
        };
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

/// The parameters of a convolution over 1, 2 or 3 spatial dims.
#[derive(Clone, Debug)]
pub struct ConvParams {
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub transposed: bool,
    pub output_padding: Vec<i64>,
    pub groups: i64,
}

/// The geometry of one (non-transposed) convolution from `x` `[n, c, input...]` to `y`
/// `[n, o, output...]` with weight `[o, c / groups, kernel...]`.
#[derive(Clone, Debug)]
struct Geom {
    n: usize,
    c: usize,
    o: usize,
    input: Vec<usize>,
    kernel: Vec<usize>,
    output: Vec<usize>,
    stride: Vec<usize>,
    pad: Vec<usize>,
    dil: Vec<usize>,
    groups: usize,
}

impl Geom {
    /// Calls `f(x_index, w_index, y_index)` for every multiply-accumulate tap.
    fn taps(&self, mut f: impl FnMut(usize, usize, usize)) {
        let cg = self.c / self.groups;
        let og = self.o / self.groups;
        let x_plane: usize = self.input.iter().product();
        let w_plane: usize = self.kernel.iter().product();
        let y_plane: usize = self.output.iter().product();
        let mut y_off = 0;
        each_index(&self.output, |out| {
            each_index(&self.kernel, |tap| {
                let mut x_off = 0;
                for i in 0..self.input.len() {
                    let pos = (out[i] * self.stride[i] + tap[i] * self.dil[i]) as i64
                        - self.pad[i] as i64;
                    if pos < 0 || pos >= self.input[i] as i64 {
                        return;
                    }
                    x_off = x_off * self.input[i] + pos as usize;
                }
                let w_off = tap
                    .iter()
                    .zip(&self.kernel)
                    .fold(0, |a, (&t, &k)| a * k + t);
                for n in 0..self.n {
                    for o in 0..self.o {
                        let g = o / og;
                        let yi = (n * self.o + o) * y_plane + y_off;
                        for ci in 0..cg {
                            let xi = (n * self.c + g * cg + ci) * x_plane + x_off;
                            let wi = (o * cg + ci) * w_plane + w_off;
                            f(xi, wi, yi);
                        }
                    }
                }
            });
            y_off += 1;
        });
    }
}

/// The geometry of the underlying (non-transposed) convolution, from its input shape
/// `[N, C, spatial...]`, weight shape `[O, C/groups, kernel...]` and output spatial sizes.
fn geom(x: &[usize], w: &[usize], p: &ConvParams, output: Option<&[usize]>) -> KResult<Geom> {
    let n = x.len() - 2;
    let stride = per_dim(&p.stride, n, "stride", 1)?;
    let pad = per_dim(&p.padding, n, "padding", 0)?;
    let dil = per_dim(&p.dilation, n, "dilation", 1)?;
    if p.groups < 1 {
        return kerr(format!("groups must be positive, got {}", p.groups));
    }
    let groups = p.groups as usize;
    let (c, o, cg) = (x[1], w[0], w[1]);
    if c % groups != 0 || o % groups != 0 || cg * groups != c {
        return kerr(format!(
            "convolution: expected weight of shape [*, {}, ...] for input {x:?} with groups={groups}, but got weight of shape {w:?}",
            c / groups.max(1)
        ));
    }
    let (input, kernel) = (x[2..].to_vec(), w[2..].to_vec());
    let output = match output {
        Some(out) => out.to_vec(),
        None => {
            let mut out = Vec::with_capacity(n);
            for i in 0..n {
                let span = dil[i] * (kernel[i].max(1) - 1) + 1;
                let padded = input[i] + 2 * pad[i];
                if padded < span {
                    return kerr(format!(
                        "convolution: kernel size (with dilation) {span} is larger than the padded input size {padded}"
                    ));
                }
                out.push((padded - span) / stride[i] + 1);
            }
            out
        }
    };
    Ok(Geom {
        n: x[0],
        c,
        o,
        input,
        kernel,
        output,
        stride,
        pad,
        dil,
        groups,
    })
}

fn conv_forward(x: &[f64], w: &[f64], g: &Geom) -> Vec<f64> {
    let mut y = vec![0.0; g.n * g.o * g.output.iter().product::<usize>()];
    g.taps(|xi, wi, yi| y[yi] += x[xi] * w[wi]);
    y
}

fn conv_grad_input(gy: &[f64], w: &[f64], g: &Geom) -> Vec<f64> {
    let mut gx = vec![0.0; g.n * g.c * g.input.iter().product::<usize>()];
    g.taps(|xi, wi, yi| gx[xi] += gy[yi] * w[wi]);
    gx
}

fn conv_grad_weight(gy: &[f64], x: &[f64], g: &Geom) -> Vec<f64> {
    let mut gw = vec![0.0; g.o * (g.c / g.groups) * g.kernel.iter().product::<usize>()];
    g.taps(|xi, wi, yi| gw[wi] += gy[yi] * x[xi]);
    gw
}

/// Checks that input and weight are batched convolution operands with 1 to 3 spatial
/// dims.
fn conv_ranks(x: &Tensor, w: &Tensor) -> KResult<()> {
    if x.ndim() != w.ndim() || !(3..=5).contains(&x.ndim()) {
        return kerr(format!(
            "convolution supports batched 1-D, 2-D and 3-D inputs: expected input and weight of the same rank 3, 4 or 5, got shapes {:?} and {:?}",
            x.shape(),
            w.shape()
        ));
    }
    Ok(())
}

/// The output spatial sizes of a transposed convolution.
fn transposed_out(x: &[usize], w: &[usize], p: &ConvParams) -> KResult<Vec<usize>> {
    let n = x.len() - 2;
    let stride = per_dim(&p.stride, n, "stride", 1)?;
    let pad = per_dim(&p.padding, n, "padding", 0)?;
    let dil = per_dim(&p.dilation, n, "dilation", 1)?;
    let op = per_dim(&p.output_padding, n, "output_padding", 0)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let size = (x[2 + i] as i64 - 1) * stride[i] as i64 - 2 * pad[i] as i64
            + dil[i] as i64 * (w[2 + i] as i64 - 1)
            + op[i] as i64
            + 1;
        if size <= 0 {
            return kerr(format!("transposed convolution output size is {size}"));
        }
        out.push(size as usize);
    }
    Ok(out)
}

/// `aten.convolution` for batched 1-D, 2-D and 3-D inputs, plain or transposed.
pub fn convolution(
    x: &Tensor,
    w: &Tensor,
    bias: Option<&Tensor>,
    p: &ConvParams,
) -> KResult<Tensor> {
    expect_float(x, "convolution input")?;
    conv_ranks(x, w)?;
    let (xs, ws) = (x.shape(), w.shape());
    let (mut y, y_shape, channels) = if p.transposed {
        let out = transposed_out(xs, ws, p)?;
        let out_c = ws[1] * p.groups.max(1) as usize;
        let mut y_shape = vec![xs[0], out_c];
        y_shape.extend(&out);
        let g = geom(&y_shape, ws, p, Some(&xs[2..]))?;
        if g.o != xs[1] {
            return kerr(format!(
                "transposed convolution: weight {ws:?} expects {} input channels, got {}",
                g.o, xs[1]
            ));
        }
        (conv_grad_input(&flat(x), &flat(w), &g), y_shape, out_c)
    } else {
        let g = geom(xs, ws, p, None)?;
        let mut y_shape = vec![g.n, g.o];
        y_shape.extend(&g.output);
        (conv_forward(&flat(x), &flat(w), &g), y_shape, g.o)
    };
    if let Some(b) = bias {
        if b.len() != channels {
            return kerr(format!(
                "convolution: bias must have {channels} elements, got shape {:?}",
                b.shape()
            ));
        }
        let bs = flat(b);
        let plane: usize = y_shape[2..].iter().product();
        for (i, v) in y.iter_mut().enumerate() {
            *v += bs[(i / plane) % channels];
        }
    }
    Ok(Tensor::from_vec_f64(&y_shape, y, x.dtype()))
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
    conv_ranks(x, w)?;
    let (xs, ws, gys) = (x.shape(), w.shape(), gy.shape());
    if gys.len() != xs.len() {
        return kerr(format!(
            "convolution_backward: grad_output of shape {gys:?} does not have the input's rank"
        ));
    }
    let (xf, wf, gf) = (flat(x), flat(w), flat(gy));
    let (gx, gw) = if p.transposed {
        // The transposed conv is the input-gradient of the conv from its output to its input.
        let g = geom(gys, ws, p, Some(&xs[2..]))?;
        if g.n * g.o * g.output.iter().product::<usize>() != xf.len() {
            return kerr(
                "convolution_backward: grad_output does not match the transposed convolution",
            );
        }
        (conv_forward(&gf, &wf, &g), conv_grad_weight(&xf, &gf, &g))
    } else {
        let g = geom(xs, ws, p, None)?;
        let mut want = vec![g.n, g.o];
        want.extend(&g.output);
        if gys != want {
            return kerr(format!(
                "convolution_backward: grad_output has shape {gys:?}, expected {want:?}"
            ));
        }
        (
            conv_grad_input(&gf, &wf, &g),
            conv_grad_weight(&gf, &xf, &g),
        )
    };
    let channels = gys[1];
    let plane: usize = gys[2..].iter().product();
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

/// The random ops' counter-based stream: uniform numbers in `[0, 1)` that depend only on
/// `(seed, stream, index)`, so a dropout mask is reproducible from its key.
pub use joinery_aten::random::uniform;

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

/// The `(N, C, HxW, group)` layout of a group-norm input.
#[derive(Clone, Copy, Debug)]
pub struct GroupNormShape {
    pub n: usize,
    pub c: usize,
    pub hxw: usize,
    pub group: usize,
}

impl GroupNormShape {
    fn check(self, x: &Tensor) -> KResult<()> {
        if self.group == 0 || !self.c.is_multiple_of(self.group) {
            return kerr(format!(
                "group_norm: the number of channels ({}) must be divisible by the number of groups ({})",
                self.c, self.group
            ));
        }
        // PyTorch checks the batch too: with C = 0 the element count alone says nothing.
        if x.shape().first().is_some_and(|&b| b != self.n) {
            return kerr(format!(
                "group_norm: expected input.size(0) == N = {}, got shape {:?}",
                self.n,
                x.shape()
            ));
        }
        if x.len() != self.n * self.c * self.hxw {
            return kerr(format!(
                "group_norm: input of shape {:?} does not hold N * C * HxW = {} * {} * {} elements",
                x.shape(),
                self.n,
                self.c,
                self.hxw
            ));
        }
        Ok(())
    }

    /// Elements per (sample, group).
    fn per_group(self) -> usize {
        self.c / self.group * self.hxw
    }

    /// The channel of flat element `i`.
    fn channel(self, i: usize) -> usize {
        i / self.hxw % self.c
    }
}

fn per_channel(t: Option<&Tensor>, c: usize, what: &str) -> KResult<Option<Vec<f64>>> {
    match t {
        Some(t) if t.len() != c => kerr(format!(
            "group_norm: expected {what} of {c} elements, got shape {:?}",
            t.shape()
        )),
        Some(t) => Ok(Some(t.to_f64().iter().copied().collect())),
        None => Ok(None),
    }
}

/// `aten.native_group_norm`: returns `(output, mean, rstd)`, the statistics of shape
/// `[N, group]` (biased variance).
pub fn native_group_norm(
    x: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    s: GroupNormShape,
    eps: f64,
) -> KResult<(Tensor, Tensor, Tensor)> {
    expect_float(x, "group_norm input")?;
    s.check(x)?;
    let w = per_channel(weight, s.c, "weight")?;
    let b = per_channel(bias, s.c, "bias")?;
    let xs: Vec<f64> = x.to_f64().iter().copied().collect();
    let m = s.per_group();
    let (mut out, mut means, mut rstds) = (vec![0.0; xs.len()], Vec::new(), Vec::new());
    for (g, chunk) in xs.chunks(m.max(1)).enumerate().take(s.n * s.group) {
        let mean = chunk.iter().sum::<f64>() / m as f64;
        let var = chunk.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m as f64;
        let rstd = 1.0 / (var + eps).sqrt();
        for (k, v) in chunk.iter().enumerate() {
            let i = g * m + k;
            let c = s.channel(i);
            let y = (v - mean) * rstd;
            out[i] = y * w.as_ref().map_or(1.0, |w| w[c]) + b.as_ref().map_or(0.0, |b| b[c]);
        }
        means.push(mean);
        rstds.push(rstd);
    }
    let dt = x.dtype();
    Ok((
        Tensor::from_vec_f64(x.shape(), out, dt),
        Tensor::from_vec_f64(&[s.n, s.group], means, dt),
        Tensor::from_vec_f64(&[s.n, s.group], rstds, dt),
    ))
}

/// `aten.native_group_norm_backward`: the grads of input, weight and bias (each only
/// when `mask` asks for it).
pub fn native_group_norm_backward(
    grad: &Tensor,
    x: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    s: GroupNormShape,
    mask: [bool; 3],
) -> KResult<[Option<Tensor>; 3]> {
    expect_float(x, "group_norm input")?;
    s.check(x)?;
    if grad.shape() != x.shape() {
        return kerr(format!(
            "group_norm backward: grad_out of shape {:?} must have the input's shape {:?}",
            grad.shape(),
            x.shape()
        ));
    }
    if mean.len() != s.n * s.group || rstd.len() != s.n * s.group {
        return kerr("group_norm backward: mean and rstd must hold N * group elements");
    }
    let w = per_channel(weight, s.c, "weight")?;
    let (xs, gs): (Vec<f64>, Vec<f64>) = (
        x.to_f64().iter().copied().collect(),
        grad.to_f64().iter().copied().collect(),
    );
    let (mu, rs): (Vec<f64>, Vec<f64>) = (
        mean.to_f64().iter().copied().collect(),
        rstd.to_f64().iter().copied().collect(),
    );
    let m = s.per_group();
    let mut dx = vec![0.0; xs.len()];
    let (mut dw, mut db) = (vec![0.0; s.c], vec![0.0; s.c]);
    for g in 0..s.n * s.group {
        let range = g * m..(g + 1) * m;
        let xhat = |i: usize| (xs[i] - mu[g]) * rs[g];
        let dxhat = |i: usize| gs[i] * w.as_ref().map_or(1.0, |w| w[s.channel(i)]);
        let sum_d: f64 = range.clone().map(dxhat).sum();
        let sum_dx: f64 = range.clone().map(|i| dxhat(i) * xhat(i)).sum();
        for i in range {
            dx[i] = rs[g] / m as f64 * (m as f64 * dxhat(i) - sum_d - xhat(i) * sum_dx);
            dw[s.channel(i)] += gs[i] * xhat(i);
            db[s.channel(i)] += gs[i];
        }
    }
    let dt = x.dtype();
    let wdt = weight.map_or(dt, Tensor::dtype);
    Ok([
        mask[0].then(|| Tensor::from_vec_f64(x.shape(), dx, dt)),
        mask[1].then(|| Tensor::from_vec_f64(&[s.c], dw, wdt)),
        mask[2].then(|| Tensor::from_vec_f64(&[s.c], db, wdt)),
    ])
}

/// A pointwise loss: its value and its derivative in `self` at one difference
/// `d = self - target`.
#[derive(Clone, Copy, Debug)]
pub enum PointwiseLoss {
    /// `d^2`.
    Mse,
    /// `0.5 d^2 / beta` below `beta`, `|d| - 0.5 beta` above.
    SmoothL1 { beta: f64 },
    /// `0.5 d^2` below `delta`, `delta * (|d| - 0.5 delta)` above.
    Huber { delta: f64 },
}

impl PointwiseLoss {
    fn value(self, d: f64) -> f64 {
        match self {
            PointwiseLoss::Mse => d * d,
            PointwiseLoss::SmoothL1 { beta } if d.abs() < beta => 0.5 * d * d / beta,
            PointwiseLoss::SmoothL1 { beta } => d.abs() - 0.5 * beta,
            PointwiseLoss::Huber { delta } if d.abs() < delta => 0.5 * d * d,
            PointwiseLoss::Huber { delta } => delta * (d.abs() - 0.5 * delta),
        }
    }

    fn derivative(self, d: f64) -> f64 {
        match self {
            PointwiseLoss::Mse => 2.0 * d,
            PointwiseLoss::SmoothL1 { beta } if d.abs() < beta => d / beta,
            PointwiseLoss::SmoothL1 { .. } => d.signum() * f64::from(u8::from(d != 0.0)),
            PointwiseLoss::Huber { delta } => d.clamp(-delta, delta),
        }
    }
}

/// The elementwise differences `self - target` (broadcast) and their shape.
fn differences(x: &Tensor, target: &Tensor) -> KResult<(ArrayD<f64>, DType)> {
    expect_float(x, "loss input")?;
    let dtype = x.dtype().promote(target.dtype());
    Ok((
        super::map2(&x.to_f64(), &target.to_f64(), |a, b| a - b)?,
        dtype,
    ))
}

/// `aten.mse_loss` / `aten.smooth_l1_loss` / `aten.huber_loss`: the loss per element, or
/// its mean or sum.
pub fn pointwise_loss(
    x: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    loss: PointwiseLoss,
) -> KResult<Tensor> {
    let (d, dtype) = differences(x, target)?;
    let l = d.mapv(|v| loss.value(v));
    Ok(reduce_loss(l, reduction, dtype))
}

/// Elementwise losses `l` reduced as `reduction` asks (none, sum, or mean over every
/// element), in `dtype`.
fn reduce_loss(l: ArrayD<f64>, reduction: Reduction, dtype: DType) -> Tensor {
    let n = l.len() as f64;
    match reduction {
        Reduction::None => Tensor::from_f64(l, dtype),
        Reduction::Sum => Tensor::from_vec_f64(&[], vec![l.sum()], dtype),
        Reduction::Mean => Tensor::from_vec_f64(&[], vec![l.sum() / n], dtype),
    }
}

/// The backward of [`pointwise_loss`] in `self`.
pub fn pointwise_loss_backward(
    grad: &Tensor,
    x: &Tensor,
    target: &Tensor,
    reduction: Reduction,
    loss: PointwiseLoss,
) -> KResult<Tensor> {
    let (d, dtype) = differences(x, target)?;
    let scale = match reduction {
        Reduction::Mean => 1.0 / d.len() as f64,
        _ => 1.0,
    };
    let local = d.mapv(|v| loss.derivative(v) * scale);
    let g = super::map2(&local, &grad.to_f64(), |l, g| l * g)?;
    Ok(Tensor::from_f64(g, dtype))
}

/// `(planes, h, w)` of a 3-D or 4-D image input.
fn planes(x: &Tensor, what: &str) -> KResult<(usize, usize, usize)> {
    let lead = lead(x, 2, what)?;
    let r = x.ndim();
    Ok((lead, x.shape()[r - 2], x.shape()[r - 1]))
}

/// How `upsample_*2d` reads the input.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Upsample {
    Nearest,
    Bilinear { align_corners: bool },
}

/// The output sizes of an upsampling of `(h, w)`: `output_size`, or the input scaled.
fn upsample_sizes(
    h: usize,
    w: usize,
    output_size: Option<&[i64]>,
    scales: Option<&[f64]>,
) -> KResult<[usize; 2]> {
    match (output_size, scales) {
        (Some([oh, ow]), None) if *oh > 0 && *ow > 0 => Ok([*oh as usize, *ow as usize]),
        (None, Some([sh, sw])) if *sh > 0.0 && *sw > 0.0 => Ok([
            (h as f64 * sh).floor() as usize,
            (w as f64 * sw).floor() as usize,
        ]),
        _ => kerr(
            "upsample: exactly one of output_size and scale_factors must be given, with 2 positive entries",
        ),
    }
}

/// For each output index along an axis of `size` inputs, the two inputs it interpolates
/// and the weight of the second (PyTorch's `area_pixel_compute_source_index` and
/// `nearest_idx`, in f32 as PyTorch computes them for f32 inputs).
fn source_indices(
    size: usize,
    out: usize,
    scale: Option<f64>,
    mode: Upsample,
) -> Vec<(usize, usize, f64)> {
    let ratio = |align: bool| -> f32 {
        if align {
            if out > 1 {
                (size as f32 - 1.0) / (out as f32 - 1.0)
            } else {
                0.0
            }
        } else {
            scale.map_or(size as f32 / out as f32, |s| (1.0 / s) as f32)
        }
    };
    (0..out)
        .map(|o| match mode {
            Upsample::Nearest => {
                let i = if out == size {
                    o
                } else if out == 2 * size {
                    o >> 1
                } else {
                    ((o as f32 * ratio(false)).floor() as usize).min(size - 1)
                };
                (i, i, 0.0)
            }
            Upsample::Bilinear { align_corners } => {
                let r = ratio(align_corners);
                let src = if align_corners {
                    r * o as f32
                } else {
                    (r * (o as f32 + 0.5) - 0.5).max(0.0)
                };
                let i0 = (src as usize).min(size - 1);
                let i1 = if i0 < size - 1 { i0 + 1 } else { i0 };
                (i0, i1, f64::from(src - i0 as f32))
            }
        })
        .collect()
}

/// `aten.upsample_nearest2d.vec` / `aten.upsample_bilinear2d.vec`.
pub fn upsample2d(
    x: &Tensor,
    output_size: Option<&[i64]>,
    scales: Option<&[f64]>,
    mode: Upsample,
) -> KResult<Tensor> {
    expect_float(x, "upsample input")?;
    let (lead, h, w) = planes(x, "upsample")?;
    if h == 0 || w == 0 {
        return kerr("upsample: the input must have non-empty spatial dimensions");
    }
    let [oh, ow] = upsample_sizes(h, w, output_size, scales)?;
    let sh = scales.map(|s| s[0]);
    let sw = scales.map(|s| s[1]);
    let ys = source_indices(h, oh, sh, mode);
    let xs_idx = source_indices(w, ow, sw, mode);
    let xs = flat(x);
    let mut out = Vec::with_capacity(lead * oh * ow);
    for l in 0..lead {
        let at = |y: usize, xx: usize| xs[l * h * w + y * w + xx];
        for &(y0, y1, ly) in &ys {
            for &(x0, x1, lx) in &xs_idx {
                let top = at(y0, x0) * (1.0 - lx) + at(y0, x1) * lx;
                let bottom = at(y1, x0) * (1.0 - lx) + at(y1, x1) * lx;
                out.push(if mode == Upsample::Nearest {
                    at(y0, x0)
                } else {
                    top * (1.0 - ly) + bottom * ly
                });
            }
        }
    }
    let mut shape = x.shape()[..x.ndim() - 2].to_vec();
    shape.extend([oh, ow]);
    Ok(Tensor::from_vec_f64(&shape, out, x.dtype()))
}

/// `aten.binary_cross_entropy_with_logits`: `(1 - t) x + w_p (log1p(e^-|x|) + max(-x, 0))`
/// with `w_p = 1 + (pos_weight - 1) t`, times `weight`, then reduced.
pub fn binary_cross_entropy_with_logits(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    pos_weight: Option<&Tensor>,
    reduction: Reduction,
) -> KResult<Tensor> {
    expect_float(x, "binary_cross_entropy_with_logits input")?;
    let dtype = x.dtype().promote(target.dtype());
    let softplus_neg = super::map2(&x.to_f64(), &target.to_f64(), |v, _| {
        (-v.abs()).exp().ln_1p() + (-v).max(0.0)
    })?;
    let log_weight = match pos_weight {
        Some(p) => super::map2(&p.to_f64(), &target.to_f64(), |p, t| 1.0 + (p - 1.0) * t)?,
        None => target.to_f64().mapv(|_| 1.0),
    };
    let linear = super::map2(&x.to_f64(), &target.to_f64(), |v, t| (1.0 - t) * v)?;
    let mut l = super::map2(
        &linear,
        &super::map2(&log_weight, &softplus_neg, |w, s| w * s)?,
        |a, b| a + b,
    )?;
    if let Some(w) = weight {
        l = super::map2(&l, &w.to_f64(), |a, b| a * b)?;
    }
    Ok(reduce_loss(l, reduction, dtype))
}

/// `aten.binary_cross_entropy`: `-w (t log x + (1 - t) log(1 - x))`, each log at least
/// -100, then reduced.
pub fn binary_cross_entropy(
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> KResult<Tensor> {
    expect_float(x, "binary_cross_entropy input")?;
    if x.shape() != target.shape() {
        return kerr(format!(
            "binary_cross_entropy: target of shape {:?} must have the input's shape {:?}",
            target.shape(),
            x.shape()
        ));
    }
    if x.to_f64().iter().any(|v| !(0.0..=1.0).contains(v)) {
        return kerr("all elements of input should be between 0 and 1");
    }
    let mut l = super::map2(&x.to_f64(), &target.to_f64(), |v, t| {
        -(t * v.ln().max(-100.0) + (1.0 - t) * (1.0 - v).ln().max(-100.0))
    })?;
    if let Some(w) = weight {
        l = super::map2(&l, &w.to_f64(), |a, b| a * b)?;
    }
    Ok(reduce_loss(l, reduction, x.dtype()))
}

/// `aten.binary_cross_entropy_backward`: `g w (x - t) / max((1 - x) x, 1e-12)`, divided by
/// the element count for a mean.
pub fn binary_cross_entropy_backward(
    grad: &Tensor,
    x: &Tensor,
    target: &Tensor,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> KResult<Tensor> {
    expect_float(x, "binary_cross_entropy input")?;
    let scale = match reduction {
        Reduction::Mean => 1.0 / x.len() as f64,
        _ => 1.0,
    };
    let local = super::map2(&x.to_f64(), &target.to_f64(), |v, t| {
        (v - t) / ((1.0 - v) * v).max(1e-12) * scale
    })?;
    let mut g = super::map2(&local, &grad.to_f64(), |l, g| l * g)?;
    if let Some(w) = weight {
        g = super::map2(&g, &w.to_f64(), |a, b| a * b)?;
    }
    Ok(Tensor::from_f64(g, x.dtype()))
}

/// The scores of scaled dot-product attention: for every batch `n`, query row `i` and key
/// row `j`, `q_i . k_j * scale` plus the (float) mask, and `-inf` where `j > i` with
/// `is_causal`.
struct Attention {
    batch: usize,
    l: usize,
    s: usize,
    e: usize,
    scale: f64,
    scores: Vec<f64>,
}

fn attention_scores(
    q: &Tensor,
    k: &Tensor,
    is_causal: bool,
    mask: Option<&Tensor>,
    scale: Option<f64>,
) -> KResult<Attention> {
    expect_float(q, "attention query")?;
    if [q, k].iter().any(|t| t.ndim() != 4) {
        return kerr(
            "scaled_dot_product_attention_flash_attention: Accept only 4 dims inputs shape of {B, H, T, K}",
        );
    }
    if mask.is_some_and(|m| m.dtype() != q.dtype()) {
        return kerr(
            "scaled_dot_product_attention_flash_attention: Attention mask is the same data type as query",
        );
    }
    let r = q.ndim();
    if k.ndim() != r
        || q.shape()[..r - 2] != k.shape()[..r - 2]
        || q.shape()[r - 1] != k.shape()[r - 1]
    {
        return kerr(format!(
            "scaled_dot_product_attention: query {:?} and key {:?} must agree in batch dims and head size",
            q.shape(),
            k.shape()
        ));
    }
    let (l, s, e) = (q.shape()[r - 2], k.shape()[r - 2], q.shape()[r - 1]);
    let batch: usize = q.shape()[..r - 2].iter().product();
    let scale = scale.unwrap_or(1.0 / (e as f64).sqrt());
    let mut mshape = q.shape()[..r - 2].to_vec();
    mshape.extend([l, s]);
    let mask = mask
        .map(|m| super::shape::broadcast_to(m, &mshape))
        .transpose()?;
    let (qs, ks) = (flat(q), flat(k));
    let mut scores = vec![0.0; batch * l * s];
    for n in 0..batch {
        for i in 0..l {
            for j in 0..s {
                let dot: f64 = (0..e)
                    .map(|c| qs[(n * l + i) * e + c] * ks[(n * s + j) * e + c])
                    .sum();
                scores[(n * l + i) * s + j] = dot * scale;
            }
        }
    }
    if let Some(m) = &mask {
        for (v, add) in scores.iter_mut().zip(m.to_f64().iter()) {
            *v += add;
        }
    }
    if is_causal {
        for n in 0..batch {
            for i in 0..l {
                for j in (i + 1).min(s)..s {
                    scores[(n * l + i) * s + j] = f64::NEG_INFINITY;
                }
            }
        }
    }
    Ok(Attention {
        batch,
        l,
        s,
        e,
        scale,
        scores,
    })
}

fn check_dropout(p: f64) -> KResult<()> {
    if p != 0.0 {
        return kerr(
            "scaled_dot_product_attention: the interpreter runs attention without dropout (dropout_p must be 0)",
        );
    }
    Ok(())
}

/// `aten._scaled_dot_product_flash_attention_for_cpu`: `softmax(scores) @ value` and the
/// log-sum-exp of each score row.
pub fn sdpa(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    dropout_p: f64,
    is_causal: bool,
    mask: Option<&Tensor>,
    scale: Option<f64>,
) -> KResult<(Tensor, Tensor)> {
    check_dropout(dropout_p)?;
    let a = attention_scores(q, k, is_causal, mask, scale)?;
    if v.shape() != k.shape() {
        return kerr(format!(
            "scaled_dot_product_attention: value {:?} must have key's shape {:?}",
            v.shape(),
            k.shape()
        ));
    }
    let vs = flat(v);
    let (mut out, mut lse) = (vec![0.0; a.batch * a.l * a.e], vec![0.0; a.batch * a.l]);
    for n in 0..a.batch {
        for i in 0..a.l {
            let row = &a.scores[(n * a.l + i) * a.s..(n * a.l + i + 1) * a.s];
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if max == f64::NEG_INFINITY {
                // A row that sees no key: PyTorch's kernel leaves output and lse 0.
                continue;
            }
            let sum: f64 = row.iter().map(|x| (x - max).exp()).sum();
            lse[n * a.l + i] = max + sum.ln();
            for (j, x) in row.iter().enumerate() {
                let p = (x - max).exp() / sum;
                for c in 0..a.e {
                    out[(n * a.l + i) * a.e + c] += p * vs[(n * a.s + j) * a.e + c];
                }
            }
        }
    }
    let r = q.ndim();
    Ok((
        Tensor::from_vec_f64(q.shape(), out, q.dtype()),
        Tensor::from_vec_f64(&q.shape()[..r - 1], lse, q.dtype()),
    ))
}

/// `aten._scaled_dot_product_flash_attention_for_cpu_backward`: the grads of query, key and
/// value, from the probabilities `exp(scores - logsumexp)`.
#[allow(clippy::too_many_arguments)]
pub fn sdpa_backward(
    grad: &Tensor,
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    out: &Tensor,
    lse: &Tensor,
    dropout_p: f64,
    is_causal: bool,
    mask: Option<&Tensor>,
    scale: Option<f64>,
) -> KResult<[Tensor; 3]> {
    check_dropout(dropout_p)?;
    let a = attention_scores(q, k, is_causal, mask, scale)?;
    if grad.shape() != q.shape() || out.shape() != q.shape() || v.shape() != k.shape() {
        return kerr(
            "scaled_dot_product_attention backward: grad_out and out must have query's shape, value key's",
        );
    }
    let (gs, qs, ks, vs, os, ls) = (flat(grad), flat(q), flat(k), flat(v), flat(out), flat(lse));
    let (mut dq, mut dk, mut dv) = (
        vec![0.0; qs.len()],
        vec![0.0; ks.len()],
        vec![0.0; vs.len()],
    );
    let (l, s, e) = (a.l, a.s, a.e);
    for n in 0..a.batch {
        for i in 0..l {
            let qi = (n * l + i) * e;
            let d: f64 = (0..e).map(|c| gs[qi + c] * os[qi + c]).sum();
            for j in 0..s {
                let p = (a.scores[(n * l + i) * s + j] - ls[n * l + i]).exp();
                let kj = (n * s + j) * e;
                let dp: f64 = (0..e).map(|c| gs[qi + c] * vs[kj + c]).sum();
                let ds = p * (dp - d) * a.scale;
                for c in 0..e {
                    dv[kj + c] += p * gs[qi + c];
                    dq[qi + c] += ds * ks[kj + c];
                    dk[kj + c] += ds * qs[qi + c];
                }
            }
        }
    }
    let dt = q.dtype();
    Ok([
        Tensor::from_vec_f64(q.shape(), dq, dt),
        Tensor::from_vec_f64(k.shape(), dk, dt),
        Tensor::from_vec_f64(v.shape(), dv, dt),
    ])
}

/// The parameters of `_embedding_bag` besides its tensors.
#[derive(Clone, Copy, Debug)]
pub struct EmbeddingBag {
    /// 0 sum, 1 mean, 2 max.
    pub mode: i64,
    pub include_last_offset: bool,
    pub padding_idx: i64,
    pub scale_grad_by_freq: bool,
}

/// The bag of each index, from the bag start offsets (an index belongs to the last bag
/// starting at or before it), checking offsets and indices.
fn bags_of(offsets: &[i64], n: usize, rows: usize, indices: &[i64]) -> KResult<Vec<usize>> {
    if offsets.first().is_some_and(|&o| o != 0) {
        return kerr(
            "embedding_bag: offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0",
        );
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) || offsets.last().is_some_and(|&o| o as usize > n) {
        return kerr(
            "embedding_bag: offsets must be non-decreasing and at most the number of indices",
        );
    }
    if let Some(i) = indices.iter().find(|&&i| i < 0 || i as usize >= rows) {
        return kerr(format!(
            "embedding_bag: index {i} is out of range for {rows} rows"
        ));
    }
    Ok((0..n)
        .map(|k| offsets.iter().rposition(|&o| o as usize <= k).unwrap_or(0))
        .collect())
}

/// `aten._embedding_bag`: `(output, offset2bag, bag_size, max_indices)` as PyTorch's CPU
/// kernel computes them.
pub fn embedding_bag(
    weight: &Tensor,
    indices: &Tensor,
    offsets: &Tensor,
    per_sample_weights: Option<&Tensor>,
    p: EmbeddingBag,
) -> KResult<[Tensor; 4]> {
    super::expect_rank(weight, 2, "embedding_bag weight")?;
    super::expect_rank(indices, 1, "embedding_bag indices")?;
    super::expect_rank(offsets, 1, "embedding_bag offsets")?;
    let (rows, d) = (weight.shape()[0], weight.shape()[1]);
    let idx = index_values(indices, rows, "embedding_bag")?;
    let offs: Vec<i64> = offsets.to_i64().iter().copied().collect();
    let n = idx.len();
    let bags_n = if p.include_last_offset {
        offs.len().checked_sub(1).ok_or_else(|| {
            joinery_ir::Diagnostic::error("include_last_offset: numBags should be at least 1")
        })?
    } else {
        offs.len()
    };
    let bag = bags_of(&offs, n, rows, &idx)?;
    let psw: Option<Vec<f64>> = per_sample_weights.map(flat);
    if psw.is_some() && p.mode != 0 {
        return kerr("embedding_bag: per_sample_weights only supported with mode='sum'");
    }
    let ws = flat(weight);
    let mut out = vec![0.0; bags_n * d];
    let mut count = vec![0i64; bags_n];
    let mut arg = vec![-1i64; bags_n * d];
    for (k, (&i, &b)) in idx.iter().zip(&bag).enumerate() {
        if b >= bags_n || i == p.padding_idx {
            continue;
        }
        count[b] += 1;
        let scale = psw.as_ref().map_or(1.0, |w| w[k]);
        for c in 0..d {
            let v = ws[i as usize * d + c];
            let o = &mut out[b * d + c];
            if p.mode == 2 {
                if arg[b * d + c] < 0 || v > *o {
                    *o = v;
                    arg[b * d + c] = i;
                }
            } else {
                *o += v * scale;
            }
        }
    }
    if p.mode == 1 {
        for (b, &c) in count.iter().enumerate() {
            if c > 0 {
                out[b * d..(b + 1) * d]
                    .iter_mut()
                    .for_each(|v| *v /= c as f64);
            }
        }
    }
    let aux = offsets.dtype();
    let fast_sum = p.mode == 0 && weight.dtype() == DType::F32 && p.padding_idx < 0;
    let ints = |shape: &[usize], v: Vec<i64>| {
        Tensor::from_i64(ArrayD::from_shape_vec(IxDyn(shape), v).expect("shape"), aux)
    };
    let offset2bag = if fast_sum {
        ints(&[0], Vec::new())
    } else {
        ints(&[n], bag.iter().map(|&b| b as i64).collect())
    };
    let bag_size = if p.mode == 0 {
        vec![0; bags_n]
    } else {
        count.clone()
    };
    let max_indices = match p.mode {
        2 => ints(&[bags_n, d], arg.iter().map(|&a| a.max(0)).collect()),
        1 => ints(&[bags_n], count),
        _ => ints(&[bags_n], vec![0; bags_n]),
    };
    Ok([
        Tensor::from_vec_f64(&[bags_n, d], out, weight.dtype()),
        offset2bag,
        ints(&[bags_n], bag_size),
        max_indices,
    ])
}

/// `aten._embedding_bag_backward` (dense): each bag's gradient back to the rows it read
/// (scaled by the per-sample weight, divided by the bag size for a mean, to the maximum
/// rows for a max), divided by the index frequency with `scale_grad_by_freq` (except for
/// a max, as PyTorch's CPU kernel).
#[allow(clippy::too_many_arguments)]
pub fn embedding_bag_backward(
    grad: &Tensor,
    indices: &Tensor,
    offsets: &Tensor,
    bag_size: &Tensor,
    max_indices: &Tensor,
    num_weights: i64,
    per_sample_weights: Option<&Tensor>,
    p: EmbeddingBag,
) -> KResult<Tensor> {
    super::expect_rank(grad, 2, "embedding_bag grad")?;
    let rows = usize::try_from(num_weights).or_else(|_| {
        kerr(format!(
            "num_weights must be non-negative, got {num_weights}"
        ))
    })?;
    let (bags_n, d) = (grad.shape()[0], grad.shape()[1]);
    let idx = index_values(indices, rows, "embedding_bag backward")?;
    let offs: Vec<i64> = offsets.to_i64().iter().copied().collect();
    let bag = bags_of(&offs, idx.len(), rows, &idx)?;
    let gs = flat(grad);
    let sizes: Vec<i64> = bag_size.to_i64().iter().copied().collect();
    let psw: Option<Vec<f64>> = per_sample_weights.map(flat);
    if let Some(w) = &psw
        && w.len() != idx.len()
    {
        return kerr(format!(
            "embedding_bag backward: {} per_sample_weights for {} indices",
            w.len(),
            idx.len()
        ));
    }
    let mut freq = vec![0.0f64; rows];
    for &i in &idx {
        freq[i as usize] += 1.0;
    }
    let mut gw = vec![0.0; rows * d];
    if p.mode == 2 {
        let arg: Vec<i64> = max_indices.to_i64().iter().copied().collect();
        if arg.len() < bags_n * d {
            return kerr(format!(
                "embedding_bag backward: max_indices holds {} elements, {bags_n} bags of {d} need {}",
                arg.len(),
                bags_n * d
            ));
        }
        for b in 0..bags_n {
            if sizes.get(b).is_some_and(|&s| s == 0) {
                continue;
            }
            for c in 0..d {
                let i = arg[b * d + c];
                if i < 0 || i as usize >= rows {
                    return kerr(format!(
                        "embedding_bag backward: max index {i} is out of range"
                    ));
                }
                // PyTorch's CPU max backward ignores `scale_grad_by_freq`.
                gw[i as usize * d + c] += gs[b * d + c];
            }
        }
    } else {
        for (k, (&i, &b)) in idx.iter().zip(&bag).enumerate() {
            if b >= bags_n || i == p.padding_idx {
                continue;
            }
            let mut scale = psw.as_ref().map_or(1.0, |w| w[k]);
            if p.mode == 1 {
                scale /= sizes.get(b).copied().unwrap_or(1).max(1) as f64;
            }
            if p.scale_grad_by_freq {
                scale /= freq[i as usize];
            }
            for c in 0..d {
                gw[i as usize * d + c] += gs[b * d + c] * scale;
            }
        }
    }
    Ok(Tensor::from_vec_f64(&[rows, d], gw, grad.dtype()))
}
