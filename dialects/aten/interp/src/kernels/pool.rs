//! Pooling over 1, 2 or 3 spatial dims (max with indices, average, adaptive average, and
//! their backwards) and the sliding-block ops `im2col` / `col2im`. Every kernel works on
//! the last `N` dims of its input; the dims before them (batch and channels, or channels
//! alone for an unbatched input) are independent planes.

use super::expect_float;
use crate::tensor::{KResult, Tensor, kerr};
use ndarray::{ArrayD, IxDyn};
use std::ops::Range;

fn flat(t: &Tensor) -> Vec<f64> {
    t.to_f64().iter().copied().collect()
}

/// Calls `f` with every multi-index below `sizes`, in row-major order.
pub(super) fn each_index(sizes: &[usize], mut f: impl FnMut(&[usize])) {
    if sizes.contains(&0) {
        return;
    }
    let mut idx = vec![0; sizes.len()];
    loop {
        f(&idx);
        let mut d = sizes.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            if idx[d] < sizes[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// The row-major flat offset of `idx` in a block of `sizes`.
fn flat_index(idx: &[usize], sizes: &[usize]) -> usize {
    idx.iter().zip(sizes).fold(0, |acc, (&i, &s)| acc * s + i)
}

/// Calls `f` with the flat offset (in a block of `sizes`) of every position of the box
/// `ranges`.
fn each_in_box(ranges: &[Range<usize>], sizes: &[usize], mut f: impl FnMut(usize)) {
    let extents: Vec<usize> = ranges.iter().map(|r| r.len()).collect();
    let mut pos = vec![0; ranges.len()];
    each_index(&extents, |i| {
        for (d, r) in ranges.iter().enumerate() {
            pos[d] = r.start + i[d];
        }
        f(flat_index(&pos, sizes));
    });
}

/// One entry per spatial dim from a list of 1 or `n` entries, each at least `min`.
pub(super) fn per_dim(v: &[i64], n: usize, what: &str, min: i64) -> KResult<Vec<usize>> {
    let out = match v.len() {
        1 => vec![v[0]; n],
        len if len == n => v.to_vec(),
        _ => {
            return kerr(format!(
                "{what} must have 1 or {n} elements for {n} spatial dims, got {v:?}"
            ));
        }
    };
    if out.iter().any(|&x| x < min) {
        return kerr(format!("{what} must be at least {min}, got {v:?}"));
    }
    Ok(out.into_iter().map(|x| x as usize).collect())
}

/// The parameters of a max or average pooling over `dims` spatial dims (average pooling
/// has no dilation: all ones).
#[derive(Clone, Debug)]
pub struct PoolParams {
    pub dims: usize,
    pub kernel_size: Vec<i64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub ceil_mode: bool,
}

/// The parameters of average pooling beyond the window's.
#[derive(Clone, Copy, Debug)]
pub struct AvgPoolParams {
    pub count_include_pad: bool,
    pub divisor_override: Option<i64>,
}

/// The geometry of a pooling: `lead` independent planes of `input` spatial sizes pooled
/// to `output` sizes by windows of `k` taps, stride `s`, padding `p`, dilation `d`.
struct Pool {
    lead: usize,
    input: Vec<usize>,
    output: Vec<usize>,
    k: Vec<usize>,
    s: Vec<usize>,
    p: Vec<usize>,
    d: Vec<usize>,
}

impl Pool {
    /// The shape of the pooled tensor for input `x`.
    fn out_shape(&self, x: &Tensor) -> Vec<usize> {
        let mut shape = x.shape()[..x.ndim() - self.input.len()].to_vec();
        shape.extend(&self.output);
        shape
    }

    /// The flat input offset (in one plane) of window `o`'s tap `t`, `None` in the padding.
    fn tap(&self, o: &[usize], t: &[usize]) -> Option<usize> {
        let mut off = 0;
        for i in 0..self.input.len() {
            let pos = (o[i] * self.s[i] + t[i] * self.d[i]) as i64 - self.p[i] as i64;
            if pos < 0 || pos >= self.input[i] as i64 {
                return None;
            }
            off = off * self.input[i] + pos as usize;
        }
        Some(off)
    }

    /// Average pooling's window of output `o`: the input box it averages and its divisor
    /// (PyTorch's CPU kernel: the window clipped to the padded input counts the padding,
    /// the window clipped to the input does not).
    fn avg_window(&self, ap: AvgPoolParams, o: &[usize]) -> (Vec<Range<usize>>, f64) {
        let mut ranges = Vec::with_capacity(o.len());
        let (mut padded, mut inside) = (1i64, 1usize);
        for (i, &oi) in o.iter().enumerate() {
            let size = self.input[i] as i64;
            let start = (oi * self.s[i]) as i64 - self.p[i] as i64;
            let end = (start + self.k[i] as i64).min(size + self.p[i] as i64);
            padded *= end - start;
            let (lo, hi) = (start.max(0) as usize, end.min(size).max(0) as usize);
            inside *= hi.saturating_sub(lo);
            ranges.push(lo..hi.max(lo));
        }
        let divisor = match ap.divisor_override {
            Some(d) => d as f64,
            None if ap.count_include_pad => padded as f64,
            None => inside as f64,
        };
        (ranges, divisor)
    }
}

/// The number of planes of an input with `n` spatial dims: checks that `x` has `n + 1` or
/// `n + 2` dims (channels and maybe a batch before the spatial dims) and returns the
/// product of the dims before the spatial ones.
pub(super) fn lead(x: &Tensor, n: usize, what: &str) -> KResult<usize> {
    let r = x.ndim();
    if r != n + 1 && r != n + 2 {
        return kerr(format!(
            "{what}: expected a {}-d or {}-d input, got shape {:?}",
            n + 1,
            n + 2,
            x.shape()
        ));
    }
    Ok(x.shape()[..r - n].iter().product())
}

fn pool_geom(x: &Tensor, pp: &PoolParams, what: &str) -> KResult<Pool> {
    let n = pp.dims;
    let lead = lead(x, n, what)?;
    let k = per_dim(&pp.kernel_size, n, "kernel_size", 1)?;
    let s = if pp.stride.is_empty() {
        k.clone()
    } else {
        per_dim(&pp.stride, n, "stride", 1)?
    };
    let p = per_dim(&pp.padding, n, "padding", 0)?;
    let d = per_dim(&pp.dilation, n, "dilation", 1)?;
    if (0..n).any(|i| p[i] > k[i] / 2) {
        return kerr(format!(
            "{what}: pad should be at most half of effective kernel size, but got pad={p:?} and kernel_size={k:?}"
        ));
    }
    let input = x.shape()[x.ndim() - n..].to_vec();
    let mut output = Vec::with_capacity(n);
    for i in 0..n {
        let span = (d[i] * (k[i] - 1) + 1) as i64;
        let size = input[i] as i64 + 2 * p[i] as i64;
        let numer = size - span + if pp.ceil_mode { s[i] as i64 - 1 } else { 0 };
        let mut o = numer.div_euclid(s[i] as i64) + 1;
        if pp.ceil_mode && (o - 1) * s[i] as i64 >= input[i] as i64 + p[i] as i64 {
            o -= 1;
        }
        if o <= 0 {
            return kerr(format!("{what}: output size is too small ({o})"));
        }
        output.push(o as usize);
    }
    Ok(Pool {
        lead,
        input,
        output,
        k,
        s,
        p,
        d,
    })
}

/// Checks that `grad` (and `indices`) have the pooled shape `want`.
fn check_pooled(what: &str, want: &[usize], tensors: &[(&str, &Tensor)]) -> KResult<()> {
    for (name, t) in tensors {
        if t.shape() != want {
            return kerr(format!(
                "{what}: {name} must have shape {want:?}, got {:?}",
                t.shape()
            ));
        }
    }
    Ok(())
}

/// `aten.max_pool{2,3}d_with_indices`: `(values, indices)`; indices are flat offsets into
/// each input plane; the first maximum wins and NaN counts as a maximum.
pub fn max_pool_with_indices(x: &Tensor, pp: &PoolParams) -> KResult<(Tensor, Tensor)> {
    expect_float(x, "max pooling input")?;
    let g = pool_geom(x, pp, "max pooling")?;
    let xs = flat(x);
    let plane: usize = g.input.iter().product();
    let (mut vals, mut idx) = (Vec::new(), Vec::new());
    for l in 0..g.lead {
        each_index(&g.output, |o| {
            let (mut best, mut best_i) = (f64::NEG_INFINITY, -1i64);
            each_index(&g.k, |t| {
                let Some(off) = g.tap(o, t) else { return };
                let v = xs[l * plane + off];
                // PyTorch's scan: the first maximum, or the last NaN.
                if v > best || v.is_nan() || best_i < 0 {
                    best = v;
                    best_i = off as i64;
                }
            });
            vals.push(best);
            idx.push(best_i);
        });
    }
    let shape = g.out_shape(x);
    let indices = ArrayD::from_shape_vec(IxDyn(&shape), idx).expect("pool shape");
    Ok((
        Tensor::from_vec_f64(&shape, vals, x.dtype()),
        Tensor::I64(indices),
    ))
}

/// `aten.max_pool{2,3}d_with_indices_backward`: scatters `grad` to the recorded maxima;
/// an index outside the plane is an error.
pub fn max_pool_with_indices_backward(
    grad: &Tensor,
    x: &Tensor,
    pp: &PoolParams,
    indices: &Tensor,
) -> KResult<Tensor> {
    let what = "max pooling backward";
    let g = pool_geom(x, pp, what)?;
    check_pooled(
        what,
        &g.out_shape(x),
        &[("grad_output", grad), ("indices", indices)],
    )?;
    let plane: usize = g.input.iter().product();
    let per_lead: usize = g.output.iter().product();
    let mut gx = vec![0.0; x.len()];
    for (i, (gv, &ix)) in flat(grad).iter().zip(indices.to_i64().iter()).enumerate() {
        if ix < 0 || ix as usize >= plane {
            return kerr(format!(
                "{what}: index {ix} is out of range for planes of {plane} elements"
            ));
        }
        gx[(i / per_lead) * plane + ix as usize] += gv;
    }
    Ok(Tensor::from_vec_f64(x.shape(), gx, grad.dtype()))
}

fn check_divisor(ap: AvgPoolParams) -> KResult<()> {
    if ap.divisor_override == Some(0) {
        return kerr("average pooling: divisor must be not zero");
    }
    Ok(())
}

/// `aten.avg_pool{2,3}d`: the mean of each window (see [`Pool::avg_window`] for the
/// divisor).
pub fn avg_pool(x: &Tensor, pp: &PoolParams, ap: AvgPoolParams) -> KResult<Tensor> {
    expect_float(x, "average pooling input")?;
    check_divisor(ap)?;
    let g = pool_geom(x, pp, "average pooling")?;
    let xs = flat(x);
    let plane: usize = g.input.iter().product();
    let mut out = Vec::new();
    for l in 0..g.lead {
        each_index(&g.output, |o| {
            let (window, divisor) = g.avg_window(ap, o);
            let mut sum = 0.0;
            each_in_box(&window, &g.input, |off| sum += xs[l * plane + off]);
            out.push(sum / divisor);
        });
    }
    Ok(Tensor::from_vec_f64(&g.out_shape(x), out, x.dtype()))
}

/// `aten.avg_pool{2,3}d_backward`: each output gradient spread evenly over its window.
pub fn avg_pool_backward(
    grad: &Tensor,
    x: &Tensor,
    pp: &PoolParams,
    ap: AvgPoolParams,
) -> KResult<Tensor> {
    let what = "average pooling backward";
    check_divisor(ap)?;
    let g = pool_geom(x, pp, what)?;
    check_pooled(what, &g.out_shape(x), &[("grad_output", grad)])?;
    let gs = flat(grad);
    let plane: usize = g.input.iter().product();
    let mut gx = vec![0.0; x.len()];
    let mut next = 0;
    for l in 0..g.lead {
        each_index(&g.output, |o| {
            let (window, divisor) = g.avg_window(ap, o);
            let share = gs[next] / divisor;
            next += 1;
            each_in_box(&window, &g.input, |off| gx[l * plane + off] += share);
        });
    }
    Ok(Tensor::from_vec_f64(x.shape(), gx, grad.dtype()))
}

/// The input range output index `o` of `out` averages over `size` inputs (adaptive
/// pooling: `floor(o * size / out) .. ceil((o + 1) * size / out)`).
fn adaptive_range(o: usize, out: usize, size: usize) -> Range<usize> {
    (o * size / out)..((o + 1) * size).div_ceil(out)
}

/// The adaptive window of output `o` (of `output` sizes) over `input` sizes, and its
/// element count.
fn adaptive_window(o: &[usize], output: &[usize], input: &[usize]) -> (Vec<Range<usize>>, f64) {
    let ranges: Vec<Range<usize>> = (0..o.len())
        .map(|i| adaptive_range(o[i], output[i], input[i]))
        .collect();
    let count = ranges.iter().map(|r| r.len()).product::<usize>() as f64;
    (ranges, count)
}

/// `aten._adaptive_avg_pool{2,3}d`: the mean over each adaptive window.
pub fn adaptive_avg_pool(x: &Tensor, output_size: &[i64], dims: usize) -> KResult<Tensor> {
    let what = "adaptive average pooling";
    expect_float(x, "adaptive average pooling input")?;
    let lead = lead(x, dims, what)?;
    if output_size.len() != dims || output_size.iter().any(|&o| o < 0) {
        return kerr(format!(
            "{what}: output_size must have {dims} non-negative elements, got {output_size:?}"
        ));
    }
    let output: Vec<usize> = output_size.iter().map(|&o| o as usize).collect();
    let input = x.shape()[x.ndim() - dims..].to_vec();
    if input.contains(&0) {
        return kerr(format!(
            "{what}: expected an input with non-zero sizes but for the batch, got shape {:?}",
            x.shape()
        ));
    }
    let plane: usize = input.iter().product();
    let xs = flat(x);
    let mut out = Vec::new();
    for l in 0..lead {
        each_index(&output, |o| {
            let (window, count) = adaptive_window(o, &output, &input);
            let mut sum = 0.0;
            each_in_box(&window, &input, |off| sum += xs[l * plane + off]);
            out.push(sum / count);
        });
    }
    let mut shape = x.shape()[..x.ndim() - dims].to_vec();
    shape.extend(&output);
    Ok(Tensor::from_vec_f64(&shape, out, x.dtype()))
}

/// `aten._adaptive_avg_pool{2,3}d_backward`: each output gradient spread over its window.
pub fn adaptive_avg_pool_backward(grad: &Tensor, x: &Tensor, dims: usize) -> KResult<Tensor> {
    let what = "adaptive average pooling backward";
    let lead = lead(x, dims, what)?;
    let r = x.ndim();
    if grad.ndim() != r || grad.shape()[..r - dims] != x.shape()[..r - dims] {
        return kerr(format!(
            "{what}: grad_output of shape {:?} does not match self of shape {:?}",
            grad.shape(),
            x.shape()
        ));
    }
    let output = grad.shape()[r - dims..].to_vec();
    let input = x.shape()[r - dims..].to_vec();
    let plane: usize = input.iter().product();
    let gs = flat(grad);
    let mut gx = vec![0.0; x.len()];
    let mut next = 0;
    for l in 0..lead {
        each_index(&output, |o| {
            let (window, count) = adaptive_window(o, &output, &input);
            let share = gs[next] / count;
            next += 1;
            each_in_box(&window, &input, |off| gx[l * plane + off] += share);
        });
    }
    Ok(Tensor::from_vec_f64(x.shape(), gx, grad.dtype()))
}

/// The parameters of `im2col` and `col2im`: 2-d sliding blocks.
#[derive(Clone, Debug)]
pub struct BlockParams {
    pub kernel_size: Vec<i64>,
    pub dilation: Vec<i64>,
    pub padding: Vec<i64>,
    pub stride: Vec<i64>,
}

/// The sliding blocks of `im2col`/`col2im` over an image of `image` sizes.
struct Blocks {
    image: [usize; 2],
    k: [usize; 2],
    d: [usize; 2],
    p: [usize; 2],
    s: [usize; 2],
    /// The number of blocks along each dim.
    count: [usize; 2],
}

impl Blocks {
    fn new(image: [usize; 2], bp: &BlockParams, what: &str) -> KResult<Blocks> {
        let two = |v: &[i64], name: &str, min: i64| -> KResult<[usize; 2]> {
            let v = per_dim(v, 2, name, min)?;
            Ok([v[0], v[1]])
        };
        let (k, d, p, s) = (
            two(&bp.kernel_size, "kernel_size", 1)?,
            two(&bp.dilation, "dilation", 1)?,
            two(&bp.padding, "padding", 0)?,
            two(&bp.stride, "stride", 1)?,
        );
        let mut count = [0; 2];
        for i in 0..2 {
            let n = (image[i] + 2 * p[i]) as i64 - (d[i] * (k[i] - 1) + 1) as i64;
            if n < 0 {
                return kerr(format!(
                    "{what}: an image of size {image:?} with padding {p:?} holds no block of kernel_size {k:?} and dilation {d:?}"
                ));
            }
            count[i] = n as usize / s[i] + 1;
        }
        Ok(Blocks {
            image,
            k,
            d,
            p,
            s,
            count,
        })
    }

    /// Calls `f(column_row, column, image_offset)` for every tap of every block that
    /// falls inside the image, for one channel (`column_row` counts from the channel's
    /// first tap).
    fn taps(&self, mut f: impl FnMut(usize, usize, usize)) {
        for kh in 0..self.k[0] {
            for kw in 0..self.k[1] {
                let row = kh * self.k[1] + kw;
                for bh in 0..self.count[0] {
                    let h = (bh * self.s[0] + kh * self.d[0]) as i64 - self.p[0] as i64;
                    if h < 0 || h >= self.image[0] as i64 {
                        continue;
                    }
                    for bw in 0..self.count[1] {
                        let w = (bw * self.s[1] + kw * self.d[1]) as i64 - self.p[1] as i64;
                        if w < 0 || w >= self.image[1] as i64 {
                            continue;
                        }
                        let col = bh * self.count[1] + bw;
                        f(row, col, h as usize * self.image[1] + w as usize);
                    }
                }
            }
        }
    }
}

/// `aten.im2col`: `[N, C, H, W]` (or `[C, H, W]`) to the columns `[N, C * KH * KW, L]`
/// of its `L` sliding blocks (zeros where a block reaches into the padding).
pub fn im2col(x: &Tensor, bp: &BlockParams) -> KResult<Tensor> {
    let what = "im2col";
    let planes = lead(x, 2, what)?;
    let r = x.ndim();
    if x.shape()[r - 3..].contains(&0) {
        return kerr(format!(
            "{what}: expected non-zero dims but for the batch, got shape {:?}",
            x.shape()
        ));
    }
    let b = Blocks::new([x.shape()[r - 2], x.shape()[r - 1]], bp, what)?;
    let (taps, blocks) = (b.k[0] * b.k[1], b.count[0] * b.count[1]);
    let plane = b.image[0] * b.image[1];
    let xs = flat(x);
    let mut out = vec![0.0; planes * taps * blocks];
    for c in 0..planes {
        b.taps(|row, col, off| out[(c * taps + row) * blocks + col] = xs[c * plane + off]);
    }
    let mut shape = x.shape()[..r - 3].to_vec();
    shape.extend([x.shape()[r - 3] * taps, blocks]);
    Ok(Tensor::from_vec_f64(&shape, out, x.dtype()))
}

/// `aten.col2im`: the adjoint of [`im2col`], columns `[N, C * KH * KW, L]` (or without
/// `N`) summed back into images `[N, C, output_size...]`.
pub fn col2im(cols: &Tensor, output_size: &[i64], bp: &BlockParams) -> KResult<Tensor> {
    let what = "col2im";
    let r = cols.ndim();
    if !(r == 2 || r == 3) || cols.shape()[r - 2..].contains(&0) {
        return kerr(format!(
            "{what}: expected a 2-d or 3-d (batch mode) input with non-zero dims but for the batch, got shape {:?}",
            cols.shape()
        ));
    }
    let &[oh, ow] = output_size else {
        return kerr(format!(
            "{what}: output_size must have 2 elements, got {output_size:?}"
        ));
    };
    if oh <= 0 || ow <= 0 {
        return kerr(format!(
            "{what}: output_size must be positive, got {output_size:?}"
        ));
    }
    let b = Blocks::new([oh as usize, ow as usize], bp, what)?;
    let (taps, blocks) = (b.k[0] * b.k[1], b.count[0] * b.count[1]);
    let (rows, len) = (cols.shape()[r - 2], cols.shape()[r - 1]);
    if rows % taps != 0 || len != blocks {
        return kerr(format!(
            "{what}: input of shape {:?} does not hold {blocks} blocks of {taps} taps a channel",
            cols.shape()
        ));
    }
    let planes = cols.len() / (taps * blocks);
    let plane = b.image[0] * b.image[1];
    let cs = flat(cols);
    let mut out = vec![0.0; planes * plane];
    for c in 0..planes {
        b.taps(|row, col, off| out[c * plane + off] += cs[(c * taps + row) * blocks + col]);
    }
    let mut shape = cols.shape()[..r - 2].to_vec();
    shape.extend([rows / taps, b.image[0], b.image[1]]);
    Ok(Tensor::from_vec_f64(&shape, out, cols.dtype()))
}
