//! `max_pool2d_with_indices`, `avg_pool2d` and their backwards on the machinery of the
//! convolutions (average pooling: a zero placement, a window view summed, divided by a
//! divisor computed from `kernel.index`; its backward spreads the divided gradient like
//! max pooling's and sums the taps). Max pooling: a
//! placement into a `-inf` buffer (the padding), a strided window view reduced by `max`,
//! and for the indices and the backward comparisons against loop indices (`kernel.index`),
//! so no element is ever read at a computed address.
//!
//! - values: `amax` of the window view `[N, C, OH, OW, KH, KW]`;
//! - indices (flat `h * W + w` in the input plane, the first maximum in scan order):
//!   `-max(window == value ? -index : -inf)`, in f32 (exact below 2^24 elements a plane);
//! - backward: `grad_output` and the indices spread by the stride into buffers (zeros and
//!   `-1`) so that input position `h` meets window tap `k` at `h + p + (K - 1 - k) * d`;
//!   the gradient is `sum over taps (index == h * W + w ? grad : 0)`, one fused loop nest.
//!   An index that is no window's maximum contributes nothing (it is not read from).
//!
//! `_adaptive_avg_pool2d` and its backward: a window view when each output size divides
//! its input's; otherwise sums against PyTorch's window membership (`start = floor(i * in
//! / out)`, `end = ceil((i + 1) * in / out)`, from `kernel.index`) one dim at a time.

use super::{
    Builder, Expr, Map, Operand, Predicate, Pw, Reduce, ScalarOp, bin, c, cast, cmp, err, select,
    un,
};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};

/// Kernel, stride, padding and dilation of a 2-D pooling, with the plane and output sizes.
struct Window {
    kernel: [i64; 2],
    stride: [i64; 2],
    padding: [i64; 2],
    dilation: [i64; 2],
    input: [u64; 2],
    output: [u64; 2],
}

impl Builder<'_> {
    /// Reads the window of a pooling op on an input of shape `x` with output shape `y`.
    fn window(&self, op: OpId, x: &[u64], y: &[u64]) -> Result<Window, Diagnostic> {
        let two = |name: &str, default: Option<[i64; 2]>| -> Result<[i64; 2], Diagnostic> {
            let v = match self.attr(op, name)? {
                ArgValue::IntList(v) => v,
                ArgValue::Int(i) => vec![i],
                _ => Vec::new(),
            };
            match (v.len(), default) {
                (0, Some(d)) => Ok(d),
                (1, _) => Ok([v[0], v[0]]),
                (2, _) => Ok([v[0], v[1]]),
                _ => Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{}': '{name}' needs one or two entries",
                        self.ctx.name_str(op)
                    ),
                )),
            }
        };
        let kernel = two("kernel_size", None)?;
        let r = x.len();
        Ok(Window {
            kernel,
            stride: two("stride", Some(kernel))?,
            padding: two("padding", Some([0, 0]))?,
            dilation: if self.ctx.attr(op, "dilation").is_some() {
                two("dilation", Some([1, 1]))?
            } else {
                [1, 1]
            },
            input: [x[r - 2], x[r - 1]],
            output: [y[r - 2], y[r - 1]],
        })
    }

    /// `x` as `[N*C, 1, H, W]`-like `[B, 1, H, W]`: every leading dim merged.
    fn planes(&mut self, x: &Operand, src: &str) -> Operand {
        let r = x.shape.len();
        let b: u64 = x.shape[..r - 2].iter().product();
        self.reshape(x, &[b, 1, x.shape[r - 2], x.shape[r - 1]], src)
    }

    /// `aten.max_pool2d_with_indices`.
    pub(super) fn max_pool2d(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (y_shape, _) = self.result_info(op, 0)?;
        let (i_shape, _) = self.result_info(op, 1)?;
        let w = self.window(op, &x.shape, &y_shape)?;
        let dt = self.dtype(&x);
        if !dt.is_float() || w.input[0] * w.input[1] >= 1 << 24 {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' on float planes of fewer than 2^24 elements only"
                ),
            ));
        }
        let x4 = self.planes(&x, src);
        // Padded on both sides, and on the right far enough for ceil_mode's last window.
        let len: Vec<u64> = (0..2)
            .map(|i| {
                let reach =
                    (w.output[i] as i64 - 1) * w.stride[i] + (w.kernel[i] - 1) * w.dilation[i] + 1;
                reach.max(w.input[i] as i64 + 2 * w.padding[i]) as u64
            })
            .collect();
        let xp = self.place_in(&x4, f64::NEG_INFINITY, &w.padding, &[1, 1], &len, src);
        let s = xp.map.strides.clone();
        let b = xp.shape[0];
        let shape = vec![
            b,
            w.output[0],
            w.output[1],
            w.kernel[0] as u64,
            w.kernel[1] as u64,
        ];
        let windows = Operand {
            node: xp.node,
            shape: shape.clone(),
            map: Map {
                offset: xp.map.offset,
                strides: vec![
                    s[0],
                    w.stride[0] * s[2],
                    w.stride[1] * s[3],
                    w.dilation[0] * s[2],
                    w.dilation[1] * s[3],
                ],
            },
        };
        let taps = [3, 4];
        let max = self.reduce(&windows, &taps, Reduce::Max, src);
        // The flat input index of each tap, as f32: (oh*s + kh*d - p) * W + (ow*s + kw*d - p).
        let coord = |i: usize| {
            let pos = bin(
                ScalarOp::Add,
                bin(
                    ScalarOp::Mul,
                    Expr::Iota(1 + i),
                    c(w.stride[i] as f64, DType::I64),
                ),
                bin(
                    ScalarOp::Mul,
                    Expr::Iota(3 + i),
                    c(w.dilation[i] as f64, DType::I64),
                ),
            );
            bin(ScalarOp::Sub, pos, c(w.padding[i] as f64, DType::I64))
        };
        let flat = bin(
            ScalarOp::Add,
            bin(ScalarOp::Mul, coord(0), c(w.input[1] as f64, DType::I64)),
            coord(1),
        );
        let mut pw = Pw::new(&shape);
        let v = pw.input(&windows, dt, dt);
        let m = pw.input(&max, dt, dt);
        let neg_index = Expr::Un(
            ScalarOp::Neg,
            Box::new(Expr::Cast(DType::F32, Box::new(flat))),
        );
        let e = select(
            cmp(Predicate::Eq, v, m),
            neg_index,
            c(f64::NEG_INFINITY, DType::F32),
        );
        let candidates = self.pointwise(pw, e, DType::F32, src);
        let best = self.reduce(&candidates, &taps, Reduce::Max, src);
        let mut pw = Pw::new(&best.shape);
        let e = Expr::Un(
            ScalarOp::Neg,
            Box::new(pw.input(&best, DType::F32, DType::I64)),
        );
        let indices = self.pointwise(pw, e, DType::I64, src);
        Ok(vec![
            self.reshape(&max, &y_shape, src),
            self.reshape(&indices, &i_shape, src),
        ])
    }

    /// `aten.max_pool2d_with_indices_backward`.
    pub(super) fn max_pool2d_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let gy = self.operand(op, "grad_output")?;
        let idx = self.operand(op, "indices")?;
        let (x_shape, dt) = self.result_info(op, 0)?;
        let w = self.window(op, &x_shape, &gy.shape)?;
        if self.dtype(&idx) != DType::I64 {
            return Err(err(self.ctx, op, format!("'{src}': indices must be i64")));
        }
        let gy4 = self.planes(&gy, src);
        let idx4 = self.planes(&idx, src);
        let lo: Vec<i64> = (0..2).map(|i| (w.kernel[i] - 1) * w.dilation[i]).collect();
        let len: Vec<u64> = (0..2)
            .map(|i| (w.input[i] as i64 + w.padding[i] + lo[i]) as u64)
            .collect();
        let zg = self.place_in(&gy4, 0.0, &lo, &w.stride, &len, src);
        let zi = self.place_in(&idx4, -1.0, &lo, &w.stride, &len, src);
        let b = zg.shape[0];
        let shape = vec![
            b,
            w.input[0],
            w.input[1],
            w.kernel[0] as u64,
            w.kernel[1] as u64,
        ];
        // Input position h meets tap k at h + p + (K - 1 - k) * d of the spread buffers.
        let taps_view = |z: &Operand| {
            let s = &z.map.strides;
            let offset =
                z.map.offset + (w.padding[0] + lo[0]) * s[2] + (w.padding[1] + lo[1]) * s[3];
            Operand {
                node: z.node,
                shape: shape.clone(),
                map: Map {
                    offset,
                    strides: vec![
                        s[0],
                        s[2],
                        s[3],
                        -w.dilation[0] * s[2],
                        -w.dilation[1] * s[3],
                    ],
                },
            }
        };
        let (g, i) = (taps_view(&zg), taps_view(&zi));
        let mut pw = Pw::new(&shape);
        let flat = bin(
            ScalarOp::Add,
            bin(
                ScalarOp::Mul,
                Expr::Iota(1),
                c(w.input[1] as f64, DType::I64),
            ),
            Expr::Iota(2),
        );
        let hit = cmp(Predicate::Eq, pw.input(&i, DType::I64, DType::I64), flat);
        let e = select(hit, pw.input(&g, dt, dt), c(0.0, dt));
        let terms = self.pointwise(pw, e, dt, src);
        let gx = self.reduce(&terms, &[3, 4], Reduce::Sum, src);
        Ok(vec![self.reshape(&gx, &x_shape, src)])
    }

    /// The divisor of each `avg_pool2d` window, as an f32 expression of the loop indices
    /// `rows` and `cols` (output positions): PyTorch's window size clipped to the padded
    /// input (`count_include_pad`), or to the input, or `divisor_override`.
    fn avg_divisor(
        &self,
        op: OpId,
        w: &Window,
        rows: usize,
        cols: usize,
    ) -> Result<Expr, Diagnostic> {
        if let Some(d) = self.attr(op, "divisor_override")?.as_int() {
            if d == 0 {
                return Err(err(
                    self.ctx,
                    op,
                    "'avg_pool2d': divisor_override must not be zero",
                ));
            }
            return Ok(c(d as f64, DType::F32));
        }
        let include_pad = !matches!(self.attr(op, "count_include_pad")?, ArgValue::Bool(false));
        let i = |v: i64| c(v as f64, DType::I64);
        let extent = |d: usize, dim: usize| {
            let start = bin(
                ScalarOp::Sub,
                bin(ScalarOp::Mul, Expr::Iota(dim), i(w.stride[d])),
                i(w.padding[d]),
            );
            let end = bin(
                ScalarOp::Min,
                bin(ScalarOp::Add, start.clone(), i(w.kernel[d])),
                i(w.input[d] as i64 + w.padding[d]),
            );
            if include_pad {
                bin(ScalarOp::Sub, end, start)
            } else {
                bin(
                    ScalarOp::Sub,
                    bin(ScalarOp::Min, end, i(w.input[d] as i64)),
                    bin(ScalarOp::Max, start, i(0)),
                )
            }
        };
        let count = bin(ScalarOp::Mul, extent(0, rows), extent(1, cols));
        Ok(Expr::Cast(DType::F32, Box::new(count)))
    }

    /// `aten.avg_pool2d`.
    pub(super) fn avg_pool2d(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (y_shape, dt) = self.result_info(op, 0)?;
        let w = self.window(op, &x.shape, &y_shape)?;
        self.require_f32(op, src, &[dt])?;
        let x4 = self.planes(&x, src);
        let len: Vec<u64> = (0..2)
            .map(|i| {
                let reach = (w.output[i] as i64 - 1) * w.stride[i] + w.kernel[i];
                reach.max(w.input[i] as i64 + 2 * w.padding[i]) as u64
            })
            .collect();
        let xp = self.place_in(&x4, 0.0, &w.padding, &[1, 1], &len, src);
        let s = xp.map.strides.clone();
        let shape = vec![
            xp.shape[0],
            w.output[0],
            w.output[1],
            w.kernel[0] as u64,
            w.kernel[1] as u64,
        ];
        let windows = Operand {
            node: xp.node,
            shape,
            map: Map {
                offset: xp.map.offset,
                strides: vec![s[0], w.stride[0] * s[2], w.stride[1] * s[3], s[2], s[3]],
            },
        };
        let sum = self.reduce(&windows, &[3, 4], Reduce::Sum, src);
        let divisor = self.avg_divisor(op, &w, 1, 2)?;
        let mut pw = Pw::new(&sum.shape);
        let e = bin(ScalarOp::Div, pw.input(&sum, dt, dt), divisor);
        let mean = self.pointwise(pw, e, dt, src);
        Ok(vec![self.reshape(&mean, &y_shape, src)])
    }

    /// `aten.avg_pool2d_backward`.
    pub(super) fn avg_pool2d_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let gy = self.operand(op, "grad_output")?;
        let (x_shape, dt) = self.result_info(op, 0)?;
        let w = self.window(op, &x_shape, &gy.shape)?;
        self.require_f32(op, src, &[dt])?;
        let gy4 = self.planes(&gy, src);
        let divisor = self.avg_divisor(op, &w, 2, 3)?;
        let mut pw = Pw::new(&gy4.shape);
        let e = bin(ScalarOp::Div, pw.input(&gy4, dt, dt), divisor);
        let scaled = self.pointwise(pw, e, dt, src);
        let lo: Vec<i64> = (0..2).map(|i| w.kernel[i] - 1).collect();
        let len: Vec<u64> = (0..2)
            .map(|i| (w.input[i] as i64 + w.padding[i] + lo[i]) as u64)
            .collect();
        let z = self.place_in(&scaled, 0.0, &lo, &w.stride, &len, src);
        let s = &z.map.strides;
        let shape = vec![
            z.shape[0],
            w.input[0],
            w.input[1],
            w.kernel[0] as u64,
            w.kernel[1] as u64,
        ];
        let taps = Operand {
            node: z.node,
            shape,
            map: Map {
                offset: z.map.offset
                    + (w.padding[0] + lo[0]) * s[2]
                    + (w.padding[1] + lo[1]) * s[3],
                strides: vec![s[0], s[2], s[3], -s[2], -s[3]],
            },
        };
        let gx = self.reduce(&taps, &[3, 4], Reduce::Sum, src);
        Ok(vec![self.reshape(&gx, &x_shape, src)])
    }
}

/// PyTorch's window `[start, end)` of adaptive pooling's output index `i` (an i64
/// expression) from `input` to `output` elements: `floor(i * input / output)` to
/// `ceil((i + 1) * input / output)`, in f64 (exact: a quotient of integers below 2^26
/// that is no integer is at least 2^-26 away from one).
fn adaptive_bounds(i: Expr, input: u64, output: u64) -> (Expr, Expr) {
    let f = |v: u64| c(v as f64, DType::F64);
    let i = cast(i, DType::I64, DType::F64);
    let at = |i: Expr| bin(ScalarOp::Div, bin(ScalarOp::Mul, i, f(input)), f(output));
    let start = un(ScalarOp::Floor, at(i.clone()));
    let end = un(ScalarOp::Ceil, at(bin(ScalarOp::Add, i, f(1))));
    (start, end)
}

/// The element count of output index `i`'s adaptive window, in `dt`.
fn adaptive_count(i: Expr, input: u64, output: u64, dt: DType) -> Expr {
    let (start, end) = adaptive_bounds(i, input, output);
    cast(bin(ScalarOp::Sub, end, start), DType::F64, dt)
}

impl Builder<'_> {
    /// `out[.., j, ..] = sum over k of x[.., k, ..] * w(j, k)` along `dim` (`size`
    /// elements in the result): `weight(j, k)` (i64 loop-index expressions) gives the
    /// condition for a term and its factor (`None`: 1); other terms are 0 whatever `x`
    /// holds. Computed over `x`'s shape with `dim` resized plus a last dim of `k`,
    /// reduced over that dim.
    pub(super) fn weighted_sum(
        &mut self,
        x: &Operand,
        dim: usize,
        size: u64,
        weight: impl Fn(Expr, Expr) -> (Expr, Option<Expr>),
        src: &str,
    ) -> Operand {
        let rank = x.shape.len();
        let dt = self.dtype(x);
        let mut view = x.clone();
        view.shape[dim] = size;
        view.shape.push(x.shape[dim]);
        view.map.strides[dim] = 0;
        view.map.strides.push(x.map.strides[dim]);
        let (keep, factor) = weight(Expr::Iota(dim), Expr::Iota(rank));
        let mut pw = Pw::new(&view.shape.clone());
        let v = pw.input(&view, dt, dt);
        let v = match factor {
            Some(f) => bin(ScalarOp::Mul, v, f),
            None => v,
        };
        let terms = self.pointwise(pw, select(keep, v, c(0.0, dt)), dt, src);
        let sums = self.reduce(&terms, &[rank], Reduce::Sum, src);
        self.squeeze_dims(sums, &[rank], false)
    }

    /// Sums `x` over the adaptive windows along `dim` (`input` to `output` elements;
    /// `spread`: back from `output` to `input`, each window's value added to its
    /// elements), as a [`Builder::weighted_sum`] over window membership.
    fn adaptive_sum(
        &mut self,
        x: &Operand,
        dim: usize,
        [input, output]: [u64; 2],
        spread: bool,
        src: &str,
    ) -> Operand {
        let member = move |window: Expr, element: Expr| {
            let (start, end) = adaptive_bounds(window, input, output);
            let h = cast(element, DType::I64, DType::F64);
            let inside = bin(
                ScalarOp::And,
                cmp(Predicate::Ge, h.clone(), start),
                cmp(Predicate::Lt, h, end),
            );
            (inside, None)
        };
        if spread {
            self.weighted_sum(x, dim, input, |j, k| member(k, j), src)
        } else {
            self.weighted_sum(x, dim, output, member, src)
        }
    }

    /// `x` (of the last two dims `output`) divided by its adaptive windows' element
    /// counts from `input`.
    fn adaptive_divide(
        &mut self,
        x: &Operand,
        input: [u64; 2],
        output: [u64; 2],
        dt: DType,
        src: &str,
    ) -> Operand {
        let r = x.shape.len();
        let mut pw = Pw::new(&x.shape);
        let xd = self.dtype(x);
        let v = pw.input(x, xd, dt);
        let count = bin(
            ScalarOp::Mul,
            adaptive_count(Expr::Iota(r - 2), input[0], output[0], dt),
            adaptive_count(Expr::Iota(r - 1), input[1], output[1], dt),
        );
        self.pointwise(pw, bin(ScalarOp::Div, v, count), dt, src)
    }

    /// The window `[kh, kw]` of an adaptive average pooling from the last two dims of
    /// `input` to `output` when it is exact (each output size divides its input's, as
    /// the start/end formula then gives), `None` otherwise; an output size of 0 from a
    /// nonempty input is an error at `op`.
    fn adaptive_window(
        &self,
        op: OpId,
        input: &[u64],
        output: &[u64],
        src: &str,
    ) -> Result<Option<[u64; 2]>, Diagnostic> {
        let r = input.len();
        if r < 3 {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}' needs a tensor of 3 or 4 dims"),
            ));
        }
        let (ih, iw, oh, ow) = (input[r - 2], input[r - 1], output[r - 2], output[r - 1]);
        if oh == 0 || ow == 0 {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': output size {oh}x{ow} must be positive"),
            ));
        }
        Ok((ih % oh == 0 && iw % ow == 0).then_some([ih / oh, iw / ow]))
    }

    /// `_adaptive_avg_pool2d(x, output_size)`: for exact windows the window view
    /// `[.., OH, OW, KH, KW]` summed and divided by `KH * KW`; otherwise window sums
    /// along W, then H ([`Builder::adaptive_sum`]), divided by each window's count.
    pub(super) fn adaptive_avg_pool2d(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let r = x.shape.len();
        let input = [x.shape[r - 2], x.shape[r - 1]];
        let output = [shape[r - 2], shape[r - 1]];
        let Some([kh, kw]) = self.adaptive_window(op, &x.shape, &shape, src)? else {
            let rows = self.adaptive_sum(&x, r - 1, [input[1], output[1]], false, src);
            let sums = self.adaptive_sum(&rows, r - 2, [input[0], output[0]], false, src);
            return Ok(self.adaptive_divide(&sums, input, output, dt, src));
        };
        let (sh, sw) = (x.map.strides[r - 2], x.map.strides[r - 1]);
        let mut windows = x.clone();
        windows.shape.truncate(r - 2);
        windows.map.strides.truncate(r - 2);
        windows.shape.extend([shape[r - 2], shape[r - 1], kh, kw]);
        windows
            .map
            .strides
            .extend([sh * kh as i64, sw * kw as i64, sh, sw]);
        let sums = self.reduce(&windows, &[r, r + 1], Reduce::Sum, src);
        let sums = self.squeeze_dims(sums, &[r, r + 1], false);
        let mut pw = Pw::new(&shape);
        let s = pw.input(&sums, dt, dt);
        let e = bin(ScalarOp::Div, s, c((kh * kw) as f64, dt));
        Ok(self.pointwise(pw, e, dt, src))
    }

    /// `_adaptive_avg_pool2d_backward(grad_output, self)`: each gradient divided by its
    /// window's count and added to the window's elements. Exact windows: computed over
    /// `[.., OH, KH, OW, KW]` (the gradient read with zero strides on the taps) and seen
    /// as the input's shape; otherwise spread along W, then H ([`Builder::adaptive_sum`]).
    pub(super) fn adaptive_avg_pool2d_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let g = self.operand(op, "grad_output")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let r = g.shape.len();
        let input = [shape[r - 2], shape[r - 1]];
        let output = [g.shape[r - 2], g.shape[r - 1]];
        let Some([kh, kw]) = self.adaptive_window(op, &shape, &g.shape, src)? else {
            let share = self.adaptive_divide(&g, input, output, dt, src);
            let rows = self.adaptive_sum(&share, r - 1, [input[1], output[1]], true, src);
            return Ok(self.adaptive_sum(&rows, r - 2, [input[0], output[0]], true, src));
        };
        let mut spread = g.clone();
        spread.shape.truncate(r - 2);
        spread.map.strides.truncate(r - 2);
        spread
            .shape
            .extend([g.shape[r - 2], kh, g.shape[r - 1], kw]);
        spread
            .map
            .strides
            .extend([g.map.strides[r - 2], 0, g.map.strides[r - 1], 0]);
        let mut pw = Pw::new(&spread.shape);
        let gd = self.dtype(&g);
        let e = pw.input(&spread, gd, dt);
        let e = bin(ScalarOp::Div, e, c((kh * kw) as f64, dt));
        let out = self.pointwise(pw, e, dt, src);
        Ok(self.reshape(&out, &shape, src))
    }
}
