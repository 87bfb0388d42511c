//! Max and average pooling over 1, 2 or 3 spatial dims (`max_pool{2,3}d_with_indices`,
//! `avg_pool{2,3}d`, `_adaptive_avg_pool{2,3}d` and their backwards) on the machinery of
//! the convolutions: every dim before the `N` spatial ones is merged into one plane dim,
//! and a window is a strided view `[B, O.., K..]` of the padded planes.
//!
//! - average pooling: a zero placement, the window view summed, divided by a divisor
//!   computed from `kernel.index`; its backward spreads the divided gradient by the
//!   stride into a zero buffer where input position `h` meets window tap `k` at
//!   `h + p + (K - 1 - k)` along each dim, and sums the taps;
//! - max pooling values: a placement into a `-inf` buffer (the padding), the window view
//!   reduced by `max`;
//! - indices (flat row-major offsets in the input plane; as PyTorch's scan, the first
//!   maximum, or the last NaN of a window holding one; never a padding tap):
//!   `-max(window == value ? -index : -inf)`, or `max(isnan(window) ? index : -inf)` when
//!   the value is NaN, in f32 (exact below 2^24 elements a plane), computed from loop
//!   indices (`kernel.index`) so that no element is ever read at a computed address;
//! - max pooling backward: `grad_output` added at the indices into a zero gradient, one
//!   accumulating scatter per plane (as PyTorch's kernel does); an index outside its
//!   plane is a run-time error naming the op.
//!
//! Adaptive average pooling and its backward: a window view when each output size
//! divides its input's; otherwise sums against PyTorch's window membership (`start =
//! floor(i * in / out)`, `end = ceil((i + 1) * in / out)`, from `kernel.index`) one dim at
//! a time.

use super::{
    Builder, Expr, IndexSel, Init, Map, Operand, Predicate, Pw, Reduce, ScalarOp, bin, c, cast,
    cmp, err, select, un,
};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};
use joinery_kernel::ScatterReduce;

/// Kernel, stride, padding and dilation of a pooling over the last `N` dims, with the
/// input and output sizes of those dims.
struct Window {
    kernel: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    input: Vec<u64>,
    output: Vec<u64>,
}

impl Window {
    fn dims(&self) -> usize {
        self.kernel.len()
    }

    /// The view of `xp` (`[B, 1, P..]`, the padded planes) holding every window:
    /// `[B, O.., K..]`, window `o` of spatial dim `i` starting at `o * stride` and its taps
    /// `dilation` apart.
    fn windows(&self, xp: &Operand) -> Operand {
        let s = &xp.map.strides;
        let n = self.dims();
        let mut shape = vec![xp.shape[0]];
        shape.extend(&self.output);
        shape.extend(self.kernel.iter().map(|&k| k as u64));
        let mut strides = vec![s[0]];
        strides.extend((0..n).map(|i| self.stride[i] * s[2 + i]));
        strides.extend((0..n).map(|i| self.dilation[i] * s[2 + i]));
        Operand {
            node: xp.node,
            shape,
            map: Map {
                offset: xp.map.offset,
                strides,
            },
        }
    }

    /// The spatial sizes of the buffer a pooling's input is placed into: padded on both
    /// sides, and on the far side enough for `ceil_mode`'s last window.
    fn padded_len(&self) -> Vec<u64> {
        (0..self.dims())
            .map(|i| {
                let reach = (self.output[i] as i64 - 1) * self.stride[i]
                    + (self.kernel[i] - 1) * self.dilation[i]
                    + 1;
                reach.max(self.input[i] as i64 + 2 * self.padding[i]) as u64
            })
            .collect()
    }

    /// The lower spread offset of a backward's spread buffer, `(K - 1) * d` per dim, and
    /// its spatial sizes.
    fn spread_len(&self) -> (Vec<i64>, Vec<u64>) {
        let lo: Vec<i64> = (0..self.dims())
            .map(|i| (self.kernel[i] - 1) * self.dilation[i])
            .collect();
        let len = (0..self.dims())
            .map(|i| (self.input[i] as i64 + self.padding[i] + lo[i]) as u64)
            .collect();
        (lo, len)
    }

    /// The view of a spread buffer `z` (`[B, 1, len..]`, from [`Window::spread_len`])
    /// where input position `h` meets window tap `k` at `h + p + (K - 1 - k) * d`:
    /// `[B, I.., K..]`.
    fn taps(&self, z: &Operand, lo: &[i64]) -> Operand {
        let s = &z.map.strides;
        let n = self.dims();
        let mut shape = vec![z.shape[0]];
        shape.extend(&self.input);
        shape.extend(self.kernel.iter().map(|&k| k as u64));
        let mut strides = vec![s[0]];
        strides.extend((0..n).map(|i| s[2 + i]));
        strides.extend((0..n).map(|i| -self.dilation[i] * s[2 + i]));
        let offset = z.map.offset
            + (0..n)
                .map(|i| (self.padding[i] + lo[i]) * s[2 + i])
                .sum::<i64>();
        Operand {
            node: z.node,
            shape,
            map: Map { offset, strides },
        }
    }

    /// The flat offset in one input plane of the positions `pos(i)` (i64 expressions,
    /// one per spatial dim), row-major.
    fn flat(&self, pos: impl Fn(usize) -> Expr) -> Expr {
        (1..self.dims()).fold(pos(0), |acc, i| {
            bin(
                ScalarOp::Add,
                bin(ScalarOp::Mul, acc, c(self.input[i] as f64, DType::I64)),
                pos(i),
            )
        })
    }
}

/// The dims `first..first + n` (the taps of a window view).
fn dims_from(first: usize, n: usize) -> Vec<usize> {
    (first..first + n).collect()
}

impl Builder<'_> {
    /// The number of spatial dims of pooling op `op` (the `N` of its name's `poolNd`).
    fn pool_dims(&self, op: OpId) -> Result<usize, Diagnostic> {
        let name = self.ctx.name_str(op);
        joinery_aten::schema(name)
            .and_then(|s| s.pool_dims())
            .ok_or_else(|| err(self.ctx, op, format!("'{name}' is not a pooling op")))
    }

    /// Reads the window of a pooling op on an input of shape `x` with output shape `y`.
    fn window(&self, op: OpId, x: &[u64], y: &[u64]) -> Result<Window, Diagnostic> {
        let n = self.pool_dims(op)?;
        let kernel = self.spatial_ints(op, "kernel_size", n)?;
        let stride = if self.ints_attr(op, "stride")?.is_empty() {
            kernel.clone()
        } else {
            self.spatial_ints(op, "stride", n)?
        };
        let r = x.len();
        Ok(Window {
            stride,
            padding: self.spatial_ints(op, "padding", n)?,
            dilation: if self.ctx.attr(op, "dilation").is_some() {
                self.spatial_ints(op, "dilation", n)?
            } else {
                vec![1; n]
            },
            input: x[r - n..].to_vec(),
            output: y[r - n..].to_vec(),
            kernel,
        })
    }

    /// `x` as `[B, 1, S..]`: every dim before the `n` spatial ones merged.
    fn planes(&mut self, x: &Operand, n: usize, src: &str) -> Operand {
        let r = x.shape.len();
        let b: u64 = x.shape[..r - n].iter().product();
        let mut shape = vec![b, 1];
        shape.extend(&x.shape[r - n..]);
        self.reshape(x, &shape, src)
    }

    /// `aten.max_pool{2,3}d_with_indices`.
    pub(super) fn max_pool(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (y_shape, _) = self.result_info(op, 0)?;
        let (i_shape, _) = self.result_info(op, 1)?;
        let w = self.window(op, &x.shape, &y_shape)?;
        let n = w.dims();
        let dt = self.dtype(&x);
        if !dt.is_float() || w.input.iter().product::<u64>() >= 1 << 24 {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' on float planes of fewer than 2^24 elements only"
                ),
            ));
        }
        let xn = self.planes(&x, n, src);
        let ones = vec![1; n];
        let xp = self.place_in(
            &xn,
            f64::NEG_INFINITY,
            &w.padding,
            &ones,
            &w.padded_len(),
            src,
        );
        let windows = w.windows(&xp);
        let shape = windows.shape.clone();
        let taps = dims_from(1 + n, n);
        let max = self.reduce(&windows, &taps, Reduce::Max, src);
        // The input position of each tap along dim i: o * s + k * d - p.
        let pos = |i: usize| {
            bin(
                ScalarOp::Sub,
                bin(
                    ScalarOp::Add,
                    bin(
                        ScalarOp::Mul,
                        Expr::Iota(1 + i),
                        c(w.stride[i] as f64, DType::I64),
                    ),
                    bin(
                        ScalarOp::Mul,
                        Expr::Iota(1 + n + i),
                        c(w.dilation[i] as f64, DType::I64),
                    ),
                ),
                c(w.padding[i] as f64, DType::I64),
            )
        };
        // Taps on the padding are never chosen, even when every tap is -inf.
        let inside = (0..n)
            .flat_map(|i| {
                [
                    cmp(Predicate::Ge, pos(i), c(0.0, DType::I64)),
                    cmp(Predicate::Lt, pos(i), c(w.input[i] as f64, DType::I64)),
                ]
            })
            .reduce(|a, b| bin(ScalarOp::And, a, b))
            .unwrap_or(c(1.0, DType::Bool));
        let index = Expr::Cast(DType::F32, Box::new(w.flat(pos)));
        let mut pw = Pw::new(&shape);
        let v = pw.input(&windows, dt, dt);
        let m = pw.input(&max, dt, dt);
        let none = c(f64::NEG_INFINITY, DType::F32);
        // PyTorch's scan takes a tap when `v > best || isnan(v)`: the first maximum, or
        // the last NaN when the window holds one. As a max over taps: -index of the taps
        // equal to the maximum, or +index of the NaN taps.
        let is_nan = |e: Expr| cmp(Predicate::Ne, e.clone(), e);
        let e = select(
            inside,
            select(
                is_nan(m.clone()),
                select(is_nan(v.clone()), index.clone(), none.clone()),
                select(
                    cmp(Predicate::Eq, v, m),
                    Expr::Un(ScalarOp::Neg, Box::new(index)),
                    none.clone(),
                ),
            ),
            none,
        );
        let candidates = self.pointwise(pw, e, DType::F32, src);
        let best = self.reduce(&candidates, &taps, Reduce::Max, src);
        let mut pw = Pw::new(&best.shape);
        let b = pw.input(&best, DType::F32, DType::I64);
        let m = pw.input(&self.reshape(&max, &best.shape, src), dt, dt);
        let e = select(is_nan(m), b.clone(), Expr::Un(ScalarOp::Neg, Box::new(b)));
        let indices = self.pointwise(pw, e, DType::I64, src);
        Ok(vec![
            self.reshape(&max, &y_shape, src),
            self.reshape(&indices, &i_shape, src),
        ])
    }

    /// `aten.max_pool{2,3}d_with_indices_backward`: `grad_output` added into a zero
    /// gradient at the indices, plane by plane: one accumulating `kernel.scatter`, whose
    /// run-time check makes an index outside its plane an error naming the op.
    pub(super) fn max_pool_backward(
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
        let n = w.dims();
        let lead = x_shape.len() - n;
        let planes: u64 = x_shape[..lead].iter().product();
        let plane: u64 = w.input.iter().product();
        let windows: u64 = w.output.iter().product();
        let from = self.reshape(&gy, &[planes, windows], src);
        let index = self.reshape(&idx, &[planes, windows], src);
        let at = Map {
            offset: 0,
            strides: vec![plane as i64, 0],
        };
        let sel = IndexSel {
            index,
            stride: 1,
            bound: plane,
            dim: lead as u64,
        };
        let shape = vec![planes, plane];
        let gx = self.scatter_node(
            op,
            src,
            shape,
            dt,
            Init::Fill(0.0),
            from,
            at,
            vec![sel],
            Some(ScatterReduce::Sum),
            false,
        );
        Ok(vec![self.reshape(&gx, &x_shape, src)])
    }

    /// The divisor of each average pooling window, as an f32 expression of the loop
    /// indices `first..first + N` (output positions): PyTorch's window size clipped to the
    /// padded input (`count_include_pad`), or to the input, or `divisor_override`.
    fn avg_divisor(&self, op: OpId, w: &Window, first: usize) -> Result<Expr, Diagnostic> {
        if let Some(d) = self.attr(op, "divisor_override")?.as_int() {
            if d == 0 {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{}': divisor_override must not be zero",
                        self.ctx.name_str(op)
                    ),
                ));
            }
            return Ok(c(d as f64, DType::F32));
        }
        let include_pad = !matches!(self.attr(op, "count_include_pad")?, ArgValue::Bool(false));
        let i = |v: i64| c(v as f64, DType::I64);
        let extent = |d: usize| {
            let start = bin(
                ScalarOp::Sub,
                bin(ScalarOp::Mul, Expr::Iota(first + d), i(w.stride[d])),
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
        let count = (1..w.dims()).fold(extent(0), |acc, d| bin(ScalarOp::Mul, acc, extent(d)));
        Ok(Expr::Cast(DType::F32, Box::new(count)))
    }

    /// `aten.avg_pool{2,3}d`.
    pub(super) fn avg_pool(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (y_shape, dt) = self.result_info(op, 0)?;
        let w = self.window(op, &x.shape, &y_shape)?;
        let n = w.dims();
        self.require_f32(op, src, &[dt])?;
        let xn = self.planes(&x, n, src);
        let ones = vec![1; n];
        let xp = self.place_in(&xn, 0.0, &w.padding, &ones, &w.padded_len(), src);
        let sum = self.reduce(&w.windows(&xp), &dims_from(1 + n, n), Reduce::Sum, src);
        let divisor = self.avg_divisor(op, &w, 1)?;
        let mut pw = Pw::new(&sum.shape);
        let e = bin(ScalarOp::Div, pw.input(&sum, dt, dt), divisor);
        let mean = self.pointwise(pw, e, dt, src);
        Ok(vec![self.reshape(&mean, &y_shape, src)])
    }

    /// `aten.avg_pool{2,3}d_backward`.
    pub(super) fn avg_pool_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let gy = self.operand(op, "grad_output")?;
        let (x_shape, dt) = self.result_info(op, 0)?;
        let w = self.window(op, &x_shape, &gy.shape)?;
        let n = w.dims();
        self.require_f32(op, src, &[dt])?;
        let gyn = self.planes(&gy, n, src);
        let divisor = self.avg_divisor(op, &w, 2)?;
        let mut pw = Pw::new(&gyn.shape);
        let e = bin(ScalarOp::Div, pw.input(&gyn, dt, dt), divisor);
        let scaled = self.pointwise(pw, e, dt, src);
        let (lo, len) = w.spread_len();
        let z = self.place_in(&scaled, 0.0, &lo, &w.stride, &len, src);
        let gx = self.reduce(&w.taps(&z, &lo), &dims_from(1 + n, n), Reduce::Sum, src);
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

    /// `x` (of the last `N` dims `output`) divided by its adaptive windows' element
    /// counts from `input`.
    fn adaptive_divide(
        &mut self,
        x: &Operand,
        input: &[u64],
        output: &[u64],
        dt: DType,
        src: &str,
    ) -> Operand {
        let (r, n) = (x.shape.len(), input.len());
        let mut pw = Pw::new(&x.shape);
        let xd = self.dtype(x);
        let v = pw.input(x, xd, dt);
        let count = |i: usize| adaptive_count(Expr::Iota(r - n + i), input[i], output[i], dt);
        let count = (1..n).fold(count(0), |acc, i| bin(ScalarOp::Mul, acc, count(i)));
        self.pointwise(pw, bin(ScalarOp::Div, v, count), dt, src)
    }

    /// The window sizes of an adaptive average pooling from the last `N` dims of `input`
    /// to `output` when it is exact (each output size divides its input's, as the
    /// start/end formula then gives), `None` otherwise; an output size of 0 from a
    /// nonempty input is an error at `op`.
    fn adaptive_window(
        &self,
        op: OpId,
        input: &[u64],
        output: &[u64],
        src: &str,
    ) -> Result<Option<Vec<u64>>, Diagnostic> {
        let (r, n) = (input.len(), self.pool_dims(op)?);
        if r != n + 1 && r != n + 2 {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}' needs a tensor of {} or {} dims", n + 1, n + 2),
            ));
        }
        let (input, output) = (&input[r - n..], &output[r - n..]);
        if output.contains(&0) {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': output size {output:?} must be positive"),
            ));
        }
        let exact = input.iter().zip(output).all(|(i, o)| i % o == 0);
        Ok(exact.then(|| input.iter().zip(output).map(|(i, o)| i / o).collect()))
    }

    /// `_adaptive_avg_pool{2,3}d(x, output_size)`: for exact windows the window view
    /// `[.., O.., K..]` summed and divided by the window size; otherwise window sums along
    /// each spatial dim, last first ([`Builder::adaptive_sum`]), divided by each window's
    /// count.
    pub(super) fn adaptive_avg_pool(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let window = self.adaptive_window(op, &x.shape, &shape, src)?;
        let r = x.shape.len();
        let n = self.pool_dims(op)?;
        let (input, output) = (&x.shape[r - n..], &shape[r - n..]);
        let Some(k) = window else {
            let mut sums = x.clone();
            for i in (0..n).rev() {
                sums = self.adaptive_sum(&sums, r - n + i, [input[i], output[i]], false, src);
            }
            return Ok(self.adaptive_divide(&sums, input, output, dt, src));
        };
        let strides = x.map.strides[r - n..].to_vec();
        let mut windows = x.clone();
        windows.shape.truncate(r - n);
        windows.map.strides.truncate(r - n);
        windows.shape.extend(output);
        windows.shape.extend(&k);
        windows
            .map
            .strides
            .extend((0..n).map(|i| strides[i] * k[i] as i64));
        windows.map.strides.extend(&strides);
        let taps = dims_from(r, n);
        let sums = self.reduce(&windows, &taps, Reduce::Sum, src);
        let sums = self.squeeze_dims(sums, &taps, false);
        let mut pw = Pw::new(&shape);
        let s = pw.input(&sums, dt, dt);
        let e = bin(ScalarOp::Div, s, c(k.iter().product::<u64>() as f64, dt));
        Ok(self.pointwise(pw, e, dt, src))
    }

    /// `_adaptive_avg_pool{2,3}d_backward(grad_output, self)`: each gradient divided by
    /// its window's count and added to the window's elements. Exact windows: computed
    /// over `[.., O1, K1, O2, K2, ..]` (the gradient read with zero strides on the taps)
    /// and seen as the input's shape; otherwise spread along each spatial dim, last first
    /// ([`Builder::adaptive_sum`]).
    pub(super) fn adaptive_avg_pool_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let g = self.operand(op, "grad_output")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let window = self.adaptive_window(op, &shape, &g.shape, src)?;
        let r = g.shape.len();
        let n = self.pool_dims(op)?;
        let (input, output) = (&shape[r - n..], &g.shape[r - n..]);
        let Some(k) = window else {
            let mut spread = self.adaptive_divide(&g, input, output, dt, src);
            for i in (0..n).rev() {
                spread = self.adaptive_sum(&spread, r - n + i, [input[i], output[i]], true, src);
            }
            return Ok(spread);
        };
        let mut spread = g.clone();
        spread.shape.truncate(r - n);
        spread.map.strides.truncate(r - n);
        for i in 0..n {
            spread.shape.extend([output[i], k[i]]);
            spread.map.strides.extend([g.map.strides[r - n + i], 0]);
        }
        let mut pw = Pw::new(&spread.shape);
        let gd = self.dtype(&g);
        let e = pw.input(&spread, gd, dt);
        let e = bin(ScalarOp::Div, e, c(k.iter().product::<u64>() as f64, dt));
        let out = self.pointwise(pw, e, dt, src);
        Ok(self.reshape(&out, &shape, src))
    }
}
