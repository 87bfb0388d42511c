//! `convolution` and `convolution_backward` (1 to 3 spatial dims, strided, padded,
//! dilated, grouped, transposed) as `kernel.conv` nodes, which the runtime runs through
//! oneDNN's primitives ([`NodeKind::Conv`]); they take f32 tensors only (other dtypes
//! are refused, naming the op). A forward is one forward pass (with the bias); a
//! backward, per `output_mask`, a backward-data pass for the input gradient, a
//! backward-weights pass for the weight gradient, and the bias gradient as a sum of the
//! output gradient over every dim but the channels.
//!
//! Two kinds of f32 convolution run as joinery's own kernels instead, where those
//! measured faster than oneDNN: a *direct* one (grouped with fewer than 8 output channels
//! per group, as a depthwise one, with at most 25 products per output element) in the
//! forward and the unstrided input gradient, as pointwise kernels on the unpadded input,
//! one per region of the output over which the same taps read inside it
//! ([`Builder::conv_unrolled`]), when enough of the output lies in the interior where
//! every tap reads inside ([`Interior::at_least`]: 4/5 for an unstrided forward with a
//! small kernel, 9/10 otherwise; on smaller images the border regions cost more), and
//! otherwise, with unit stride and 1 or 2 spatial dims, as a `kernel.conv` on the
//! runtime's direct engine ([`direct_engine`]; an input gradient only with a small kernel
//! and below 4/5, [`MIN_INTERIOR_ONEDNN_INPUT_GRAD`]), and so is its weight gradient with
//! more than a small kernel's products ([`SMALL_KERNEL_PRODUCTS`]); a *pointwise* one (ungrouped, 1x1,
//! unstrided, unpadded)
//! as one GEMM per image: the forward always ([`Builder::pointwise_gemm`]), the input and
//! weight gradients with enough positions per image ([`Geometry::pointwise_backward`],
//! [`Builder::pointwise_weight_grad`]).
//!
//! A transposed convolution (`transposed = true`) of `x` by `w` is the input gradient of
//! the convolution by `w` whose output has `x`'s shape (its input the transposed one's
//! output, `output_padding` included), plus the bias. Its backward swaps the roles: the
//! input gradient is the convolution of `grad_output` by `w`, the weight gradient that of
//! the convolution of `grad_output` whose output gradient is `x`.
//!
//! `im2col` and `col2im` are strided views and placements of the padded input.

use super::{Builder, Map, NodeKind, Operand, Reduce, broadcast, contiguous, err};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId, TypeData};
use joinery_kernel::{Conv, ConvEngine, ConvPass};

/// Sizes and parameters of one convolution, spatial dims last.
struct Geometry {
    n: u64,
    c: u64,
    o: u64,
    groups: u64,
    /// Spatial sizes of the input, the kernel and the output.
    input: Vec<u64>,
    kernel: Vec<u64>,
    output: Vec<u64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
}

impl Geometry {
    fn spatial(&self) -> usize {
        self.input.len()
    }

    /// Positions of one image (input and output ones of a pointwise convolution).
    fn positions(&self) -> u64 {
        self.input.iter().product()
    }

    /// Whether this is a *pointwise* convolution: ungrouped, a 1x1 kernel (so the
    /// dilation has no effect), unstrided and unpadded, so that per image its output is
    /// the weight as a matrix `[O, C]` times the input as `[C, positions]`.
    fn pointwise(&self) -> bool {
        self.groups == 1
            && self.kernel.iter().all(|&k| k == 1)
            && self.stride.iter().all(|&s| s == 1)
            && self.padding.iter().all(|&p| p == 0)
    }

    /// Whether the gradients of this convolution run as GEMMs: pointwise, with at least
    /// [`MIN_GEMM_POSITIONS`] positions per image.
    fn pointwise_backward(&self) -> bool {
        self.pointwise() && self.positions() >= MIN_GEMM_POSITIONS
    }
}

/// Fewest positions per image for which a pointwise convolution's gradients run as GEMMs
/// rather than oneDNN's passes: the per-image products have as many columns (the input
/// gradient) or rows to sum (the weight gradient, whose per-image `[O, C]` products are
/// then summed over the images, one more pass over `N * O * C` elements). Measured
/// against oneDNN: faster at 28x28 and 56x56 positions, slower at 14x14 and 7x7.
const MIN_GEMM_POSITIONS: u64 = 512;

impl Builder<'_> {
    /// A spatial parameter list of `op` with one entry per spatial dim (a single entry
    /// applies to every dim, as PyTorch expands it).
    pub(super) fn spatial_ints(
        &self,
        op: OpId,
        name: &str,
        spatial: usize,
    ) -> Result<Vec<i64>, Diagnostic> {
        let v = self.ints_attr(op, name)?;
        match v.len() {
            1 => Ok(vec![v[0]; spatial]),
            n if n == spatial => Ok(v),
            n => Err(err(
                self.ctx,
                op,
                format!(
                    "'{}': '{name}' has {n} entries for {spatial} spatial dims",
                    self.ctx.name_str(op)
                ),
            )),
        }
    }

    /// Reads the parameters of the (not transposed) convolution of `op` on a batched
    /// input of shape `x` (`[N, C, S..]`) by a weight of shape `w` (`[O, C / groups, K..]`),
    /// with the output spatial sizes of `out`. For a transposed `op`, `x` is the shape of
    /// its output and `out` that of its input (see the module docs); its `output_padding`
    /// must be below the stride or the dilation, as PyTorch requires.
    fn geometry(
        &self,
        op: OpId,
        x: &[u64],
        w: &[u64],
        out: &[u64],
    ) -> Result<Geometry, Diagnostic> {
        let src = self.ctx.name_str(op);
        let spatial = x.len() - 2;
        let groups = self.int_attr(op, "groups")?;
        if self.transposed(op)? {
            let output_padding = self.spatial_ints(op, "output_padding", spatial)?;
            let stride = self.spatial_ints(op, "stride", spatial)?;
            let dilation = self.spatial_ints(op, "dilation", spatial)?;
            if (0..spatial)
                .any(|i| output_padding[i] < 0 || output_padding[i] >= stride[i].max(dilation[i]))
            {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{src}': output_padding {output_padding:?} must be non-negative and \
                         below the stride or the dilation"
                    ),
                ));
            }
        }
        let g = Geometry {
            n: x[0],
            c: x[1],
            o: w[0],
            groups: u64::try_from(groups).unwrap_or(0),
            input: x[2..].to_vec(),
            kernel: w[2..].to_vec(),
            output: out[out.len() - spatial..].to_vec(),
            stride: self.spatial_ints(op, "stride", spatial)?,
            padding: self.spatial_ints(op, "padding", spatial)?,
            dilation: self.spatial_ints(op, "dilation", spatial)?,
        };
        let positive = |v: &[i64]| v.iter().all(|&s| s > 0);
        if g.groups == 0
            || !g.c.is_multiple_of(g.groups)
            || !g.o.is_multiple_of(g.groups)
            || !positive(&g.stride)
            || !positive(&g.dilation)
            || g.padding.iter().any(|&p| p < 0)
        {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': groups {groups} must divide the {} input and {} output channels, \
                     stride and dilation must be positive and padding non-negative",
                    g.c, g.o
                ),
            ));
        }
        Ok(g)
    }

    /// Whether `op` is a transposed convolution (or its backward).
    fn transposed(&self, op: OpId) -> Result<bool, Diagnostic> {
        Ok(matches!(self.attr(op, "transposed")?, ArgValue::Bool(true)))
    }

    /// `x` with a unit batch dim in front when it has rank `rank - 1` (an unbatched
    /// convolution operand).
    fn batched(&mut self, x: Operand, rank: usize, src: &str) -> Operand {
        if x.shape.len() == rank {
            return x;
        }
        let mut shape = vec![1];
        shape.extend(&x.shape);
        self.reshape(&x, &shape, src)
    }

    /// `x` (`[N, C, S..]`) placed into a zero buffer `[N, C, len..]`: element `s` of
    /// spatial dim `i` at `lo[i] + s * spread[i]`; elements that fall outside are dropped.
    /// `x` itself when that is the identity.
    fn place(
        &mut self,
        x: &Operand,
        lo: &[i64],
        spread: &[i64],
        len: &[u64],
        src: &str,
    ) -> Operand {
        self.place_in(x, 0.0, lo, spread, len, src)
    }

    /// [`Builder::place`] into a buffer filled with `fill`.
    pub(super) fn place_in(
        &mut self,
        x: &Operand,
        fill: f64,
        lo: &[i64],
        spread: &[i64],
        len: &[u64],
        src: &str,
    ) -> Operand {
        let spatial = lo.len();
        if lo.iter().all(|&l| l == 0) && spread.iter().all(|&s| s == 1) && x.shape[2..] == *len {
            return x.clone();
        }
        let dest = contiguous(&[&x.shape[..2], len].concat());
        let mut part = x.clone();
        let mut at = Map {
            offset: 0,
            strides: dest.clone(),
        };
        for i in 0..spatial {
            let d = 2 + i;
            // The source elements s with 0 <= lo + s * spread < len.
            let first = if lo[i] < 0 {
                ((-lo[i]) as u64).div_ceil(spread[i] as u64) as i64
            } else {
                0
            };
            let last = (len[i] as i64 - 1 - lo[i]).div_euclid(spread[i]);
            let last = last.min(x.shape[d] as i64 - 1);
            let count = (last - first + 1).max(0) as u64;
            part.map.offset += first * part.map.strides[d];
            part.shape[d] = count;
            at.offset += (lo[i] + first * spread[i]) * dest[d];
            at.strides[d] = dest[d] * spread[i];
        }
        let mut shape = x.shape[..2].to_vec();
        shape.extend(len);
        let dtype = self.dtype(x);
        let node = self.push(
            NodeKind::Place {
                fill: Some(fill),
                parts: vec![(part, at)],
                accumulate: false,
            },
            shape,
            dtype,
            src,
        );
        self.whole(node)
    }

    /// The im2col matrix of `xp` (`[N, C, P..]`, already padded) of one group, for kernel
    /// sizes `kernel`, output sizes `output`, `stride` and `dilation`: `[N, C * K, L]`, a
    /// copy of [`patch_view`].
    fn im2col(
        &mut self,
        xp: &Operand,
        kernel: &[u64],
        output: &[u64],
        stride: &[i64],
        dilation: &[i64],
        src: &str,
    ) -> Operand {
        let patches = patch_view(xp, kernel, output, stride, dilation);
        let kk: u64 = kernel.iter().product();
        let l: u64 = output.iter().product();
        self.reshape(&patches, &[xp.shape[0], xp.shape[1] * kk, l], src)
    }

    /// The direct convolution of `x` (`[N, G * Cg, S..]`, not padded) by the grouped
    /// weight `w` (`[G, Og, Cg, K..]`), plus `bias`, with its `Cg * K` products per output
    /// element written out, into `[N, G * Og, output..]`:
    /// tap `k` of output position `o` reads `x` at `o * stride + k * dilation - lo` along
    /// each spatial dim, and a read outside `x` adds nothing. The output is cut into
    /// regions over which the same taps read inside `x` ([`tap_intervals`], per spatial
    /// dim); each region is one pointwise loop nest over `[N, G, Og, region..]` that adds
    /// the bias and the products of its taps' input views with their weights (a scalar per
    /// channel), so the innermost loop runs along an output row, every output element is
    /// written once and no padded copy of `x` is made. One region (no padding reaches
    /// the output) is the output itself; several are placed where they lie, without a fill
    /// (they tile it). When the last two spatial dims allow it ([`flat_interior`]), the
    /// region every tap reads inside runs as one loop over its positions flattened along
    /// the output rows (an innermost loop of whole images, not one short row), the row
    /// ends it gets wrong overwritten by the border regions placed after it.
    #[allow(clippy::too_many_arguments)]
    fn conv_unrolled(
        &mut self,
        x: &Operand,
        w: &Operand,
        bias: Option<&Operand>,
        lo: &[i64],
        output: &[u64],
        stride: &[i64],
        dilation: &[i64],
        src: &str,
    ) -> Operand {
        let (groups, og) = (w.shape[0], w.shape[1]);
        let spatial = output.len();
        let xs = &x.map.strides;
        let n = x.shape[0];
        let mut out_shape = vec![n, groups * og];
        out_shape.extend(output);
        let cuts: Vec<Vec<TapInterval>> = (0..spatial)
            .map(|i| {
                tap_intervals(
                    x.shape[2 + i],
                    output[i],
                    w.shape[3 + i],
                    stride[i],
                    dilation[i],
                    lo[i],
                )
            })
            .collect();
        // The x offset of output position `o` along spatial dim `i` (tap 0).
        let x_at = |i: usize, o: u64| (o as i64 * stride[i] - lo[i]) * xs[2 + i];
        let steps: Vec<i64> = (0..spatial).map(|i| stride[i] * xs[2 + i]).collect();
        if cuts.iter().all(|c| c.len() == 1) {
            let taps: Vec<TapInterval> = cuts.iter().map(|c| c[0]).collect();
            let start = (0..spatial).map(|i| x_at(i, 0)).sum();
            let reads = Reads {
                start,
                x_steps: &steps,
                taps: &taps,
                dilation,
                other_ends: Vec::new(),
            };
            let y = self.unrolled_region(x, w, bias, output, &reads, src);
            return self.reshape(&y, &out_shape, src);
        }
        let ys = contiguous(&out_shape);
        let mut y_steps = vec![ys[0], og as i64 * ys[1], ys[1]];
        y_steps.extend(&ys[2..]);
        let mut parts = Vec::new();
        let interior: Option<Vec<TapInterval>> = cuts
            .iter()
            .enumerate()
            .map(|(i, c)| c.iter().copied().find(|t| t.count == w.shape[3 + i]))
            .collect();
        let flat = interior
            .as_ref()
            .and_then(|inner| flat_interior(x, inner, output, stride));
        if let (Some(inner), Some((first, len))) = (&interior, flat) {
            // Dims before the last two as in the region, the last two as one.
            let outer = spatial - 2;
            let mut shape: Vec<u64> = inner[..outer].iter().map(|t| t.len).collect();
            shape.push(len);
            let mut x_steps = steps[..outer].to_vec();
            x_steps.push(xs[1 + spatial]);
            let start: i64 = (0..outer).map(|i| x_at(i, inner[i].start)).sum::<i64>()
                + x_at(outer, 0)
                + x_at(outer + 1, 0)
                + first as i64 * xs[1 + spatial];
            let reads = Reads {
                start,
                x_steps: &x_steps,
                taps: inner,
                dilation,
                other_ends: Vec::new(),
            };
            let part = self.unrolled_region(x, w, bias, &shape, &reads, src);
            let mut strides = y_steps[..3 + outer].to_vec();
            strides.push(ys[1 + spatial]);
            let offset = (0..outer)
                .map(|i| inner[i].start as i64 * ys[2 + i])
                .sum::<i64>()
                + first as i64 * ys[1 + spatial];
            parts.push((part, Map { offset, strides }));
        }
        let groups: Vec<Vec<Vec<TapInterval>>> = (0..spatial)
            .map(|i| pair_ends(&cuts[i], w.shape[3 + i]))
            .collect();
        let regions: u64 = groups.iter().map(|g| g.len() as u64).product();
        for r in 0..regions {
            // One group of intervals of each dim, the last dim fastest.
            let mut rest = r;
            let mut picked = vec![&groups[0][0]; spatial];
            for i in (0..spatial).rev() {
                let k = groups[i].len() as u64;
                picked[i] = &groups[i][(rest % k) as usize];
                rest /= k;
            }
            let region: Vec<TapInterval> = picked.iter().map(|g| g[0]).collect();
            let is_interior = interior
                .as_ref()
                .is_some_and(|inner| (0..spatial).all(|i| inner[i].start == region[i].start));
            if is_interior && flat.is_some() {
                continue;
            }
            let shape: Vec<u64> = region.iter().map(|t| t.len).collect();
            let start = (0..spatial).map(|i| x_at(i, region[i].start)).sum();
            let mut strides = y_steps.clone();
            // The other end of each paired dim: one more dim of 2 in the region.
            let mut other_ends = Vec::new();
            for (i, group) in picked.iter().enumerate() {
                if let [a, b] = group[..] {
                    let moved = b.start as i64 - a.start as i64;
                    let shifted = b.first as i64 - a.first as i64;
                    strides.push(moved * ys[2 + i]);
                    other_ends.push(OtherEnd {
                        x_step: (moved * stride[i] + shifted * dilation[i]) * xs[2 + i],
                        w_step: shifted * w.map.strides[3 + i],
                    });
                }
            }
            let reads = Reads {
                start,
                x_steps: &steps,
                taps: &region,
                dilation,
                other_ends,
            };
            let part = self.unrolled_region(x, w, bias, &shape, &reads, src);
            let offset = (0..spatial)
                .map(|i| region[i].start as i64 * ys[2 + i])
                .sum();
            parts.push((part, Map { offset, strides }));
        }
        let node = self.push(
            NodeKind::Place {
                fill: None,
                parts,
                accumulate: false,
            },
            out_shape,
            DType::F32,
            src,
        );
        self.whole(node)
    }

    /// One region of [`Builder::conv_unrolled`]: over `[N, G, Og, shape..]` (and a dim
    /// of 2 after them per paired dim, `reads.other_ends`), the bias plus the products of the taps
    /// `reads.taps` of `w` (`[G, Og, Cg, K..]`) with the views of `x` that `reads`
    /// describes.
    fn unrolled_region(
        &mut self,
        x: &Operand,
        w: &Operand,
        bias: Option<&Operand>,
        shape: &[u64],
        reads: &Reads<'_>,
        src: &str,
    ) -> Operand {
        let (og, cg) = (w.shape[1], w.shape[2]);
        let (taps, dilation) = (reads.taps, reads.dilation);
        let spatial = taps.len();
        let (xs, ws) = (&x.map.strides, &w.map.strides);
        let mut space = vec![x.shape[0], w.shape[0], og];
        space.extend(shape);
        let mut x_strides = vec![xs[0], cg as i64 * xs[1], 0];
        x_strides.extend(reads.x_steps);
        let mut w_strides = vec![0, ws[0], ws[1]];
        w_strides.extend(vec![0; shape.len()]);
        for end in &reads.other_ends {
            space.push(2);
            x_strides.push(end.x_step);
            w_strides.push(end.w_step);
        }
        let view = |o: &Operand, offset: i64, strides: &[i64]| Operand {
            node: o.node,
            shape: space.clone(),
            map: Map {
                offset: o.map.offset + offset,
                strides: strides.to_vec(),
            },
        };
        let mut pw = super::Pw::new(&space);
        let mut sum = bias.map(|b| {
            let mut strides = vec![0, og as i64 * b.map.strides[0], b.map.strides[0]];
            strides.resize(space.len(), 0);
            pw.input(&view(b, 0, &strides), DType::F32, DType::F32)
        });
        let count: u64 = taps.iter().map(|t| t.count).product();
        for ci in 0..cg as i64 {
            for t in 0..count {
                // The offsets of tap t (a multi-index over the region's taps) in x and w.
                let (mut x_at, mut w_at) = (reads.start + ci * xs[1], ci * ws[2]);
                let mut rest = t;
                for i in (0..spatial).rev() {
                    let k = (taps[i].first + rest % taps[i].count) as i64;
                    rest /= taps[i].count;
                    x_at += k * dilation[i] * xs[2 + i];
                    w_at += k * ws[3 + i];
                }
                let product = super::bin(
                    super::ScalarOp::Mul,
                    pw.input(&view(x, x_at, &x_strides), DType::F32, DType::F32),
                    pw.input(&view(w, w_at, &w_strides), DType::F32, DType::F32),
                );
                sum = Some(match sum {
                    None => product,
                    Some(s) => super::bin(super::ScalarOp::Add, s, product),
                });
            }
        }
        let e = sum.unwrap_or_else(|| super::c(0.0, DType::F32));
        self.pointwise(pw, e, DType::F32, src)
    }

    /// The weight `[O, Cg, K..]` as `[G, Og, Cg, K..]`.
    fn grouped_weight(&mut self, w: &Operand, groups: u64, src: &str) -> Operand {
        self.reshape(w, &grouped_shape(&w.shape, groups), src)
    }

    /// `y` (`[N, C, S..]`) plus `bias` (`[C]`) along its channels.
    fn add_channel_bias(&mut self, y: &Operand, bias: &Operand, src: &str) -> Operand {
        let mut pw = super::Pw::new(&y.shape);
        let mut col = vec![y.shape[1]];
        col.extend(vec![1; y.shape.len() - 2]);
        let b = self.reshape(bias, &col, src);
        let e = super::bin(
            super::ScalarOp::Add,
            pw.input(y, DType::F32, DType::F32),
            pw.input(&b, DType::F32, DType::F32),
        );
        self.pointwise(pw, e, DType::F32, src)
    }

    /// `aten.convolution`, transposed or not.
    pub(super) fn convolution(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let (out_shape, _) = self.result_info(op, 0)?;
        let w = self.operand(op, "weight")?;
        let rank = w.shape.len();
        let x = self.operand(op, "input")?;
        let x = self.batched(x, rank, src);
        self.require_f32(op, src, &[self.dtype(&x), self.dtype(&w)])?;
        let bias = self.opt_operand(op, "bias")?;
        let y = if self.transposed(op)? {
            let mut y_shape = vec![x.shape[0]];
            y_shape.extend(&out_shape[out_shape.len() + 1 - rank..]);
            let g = self.geometry(op, &y_shape, &w.shape, &x.shape)?;
            let y = self.conv_input_grad(&g, &x, &w, src);
            match &bias {
                Some(b) => self.add_channel_bias(&y, b, src),
                None => y,
            }
        } else {
            let g = self.geometry(op, &x.shape, &w.shape, &out_shape)?;
            self.conv_forward(&g, &x, &w, bias.as_ref(), src)
        };
        Ok(vec![self.reshape(&y, &out_shape, src)])
    }

    /// The convolution of `x` by `w` (plus `bias`) that `g` describes: `[N, O, output..]`;
    /// a direct one with few products per output element and enough of its output in
    /// the interior by regions ([`Builder::conv_unrolled`]), a pointwise one as GEMMs, the
    /// others a forward pass.
    fn conv_forward(
        &mut self,
        g: &Geometry,
        x: &Operand,
        w: &Operand,
        bias: Option<&Operand>,
        src: &str,
    ) -> Operand {
        let wv = self.grouped_weight(w, g.groups, src);
        let (output, stride, dilation) = (&g.output, &g.stride, &g.dilation);
        let interior = Interior {
            input: &g.input,
            output,
            kernel: &g.kernel,
            stride,
            dilation,
            lo: &g.padding,
        };
        let min = if stride.iter().all(|&s| s == 1) {
            MIN_INTERIOR_UNSTRIDED
        } else {
            MIN_INTERIOR
        };
        let engine = if direct_engine(g, &wv.shape) {
            ConvEngine::Direct
        } else {
            ConvEngine::Onednn
        };
        let regions = unrolled(&wv.shape)
            && interior.at_least(min)
            && (engine == ConvEngine::Onednn || products(&wv.shape) <= SMALL_KERNEL_PRODUCTS);
        if regions {
            return self.conv_unrolled(x, &wv, bias, &g.padding, output, stride, dilation, src);
        }
        if g.pointwise() {
            return self.pointwise_gemm(g, w, false, x, bias, src);
        }
        let mut operands = vec![x.clone(), w.clone()];
        operands.extend(bias.cloned());
        self.conv_pass(ConvPass::Forward, engine, g, operands, bias.is_some(), src)
    }

    /// A pass of the pointwise convolution `g` ([`Geometry::pointwise`]) as one GEMM per
    /// image, the weight `w` (`[O, C, 1..]`) read as a matrix shared by the images: the
    /// forward `[O, C] @ x[n]` (`x`: `[N, C, S..]`) onto the broadcast `bias`, or with
    /// `transposed` the input gradient `[C, O] @ x[n]` (`x`: the output gradient
    /// `[N, O, S..]`). The result is `[N, rows, S..]`.
    fn pointwise_gemm(
        &mut self,
        g: &Geometry,
        w: &Operand,
        transposed: bool,
        x: &Operand,
        bias: Option<&Operand>,
        src: &str,
    ) -> Operand {
        let (rows, k) = if transposed { (g.c, g.o) } else { (g.o, g.c) };
        let positions = g.positions();
        let wm = self.reshape(w, &[g.o, g.c], src);
        let mut strides = vec![0, wm.map.strides[0], wm.map.strides[1]];
        if transposed {
            strides.swap(1, 2);
        }
        let a = Operand {
            node: wm.node,
            shape: vec![g.n, rows, k],
            map: Map {
                offset: wm.map.offset,
                strides,
            },
        };
        let b = self.reshape(x, &[g.n, k, positions], src);
        let shape = vec![g.n, rows, positions];
        let bias = bias.map(|b| broadcast(&self.reshape(b, &[rows, 1], src), &shape));
        let y = self.gemm(a, b, bias, src);
        let mut out_shape = vec![g.n, rows];
        out_shape.extend(&g.input);
        self.reshape(&y, &out_shape, src)
    }

    /// The weight gradient of the pointwise convolution `g` from its input `x` and output
    /// gradient `gy`, shaped `w_shape`: one GEMM per image, `gy[n]` as `[O, positions]`
    /// times `x[n]` read transposed (`[positions, C]`), then the `[N, O, C]` products
    /// summed over the images.
    fn pointwise_weight_grad(
        &mut self,
        g: &Geometry,
        x: &Operand,
        gy: &Operand,
        w_shape: &[u64],
        src: &str,
    ) -> Operand {
        let positions = g.positions();
        let a = self.reshape(gy, &[g.n, g.o, positions], src);
        let b = self.reshape(x, &[g.n, g.c, positions], src);
        let per_image = self.gemm(a, permute(&b, &[0, 2, 1]), None, src);
        let gw = self.reduce(&per_image, &[0], Reduce::Sum, src);
        self.reshape(&gw, w_shape, src)
    }

    /// A GEMM node `a @ b` on `[batch, m, k]` and `[batch, k, n]` operands, plus `bias`
    /// broadcast to the product.
    fn gemm(&mut self, a: Operand, b: Operand, bias: Option<Operand>, src: &str) -> Operand {
        let (batch, m, k, n) = (a.shape[0], a.shape[1], a.shape[2], b.shape[2]);
        let node = self.push(
            NodeKind::Gemm {
                a,
                b,
                bias,
                batch,
                m,
                n,
                k,
            },
            vec![batch, m, n],
            DType::F32,
            src,
        );
        self.whole(node)
    }

    /// The node of `pass` of the convolution `g` describes on `operands` (in
    /// [`joinery_kernel::Conv::operand_shapes`]' order, made dense here), with a bias (a
    /// forward's operand, a backward-weights pass's second result): the output, the input
    /// gradient, or the weight gradient (followed by the bias gradient, flat, with `bias`).
    fn conv_pass(
        &mut self,
        pass: ConvPass,
        engine: ConvEngine,
        g: &Geometry,
        operands: Vec<Operand>,
        bias: bool,
        src: &str,
    ) -> Operand {
        let shape = |a: u64, b: u64, rest: &[u64]| {
            let mut v = vec![a, b];
            v.extend(rest);
            v
        };
        let conv = Conv {
            pass,
            engine,
            input: shape(g.n, g.c, &g.input),
            weight: shape(g.o, g.c / g.groups, &g.kernel),
            output: shape(g.n, g.o, &g.output),
            stride: g.stride.clone(),
            padding: g.padding.clone(),
            dilation: g.dilation.clone(),
            groups: g.groups,
            bias,
            source: src.to_string(),
        };
        let result = conv
            .operand_shapes()
            .pop()
            .expect("the written buffer is last");
        let operands = operands.iter().map(|o| self.dense(o, src)).collect();
        let node = self.push(NodeKind::Conv { operands, conv }, result, DType::F32, src);
        self.whole(node)
    }

    /// The input gradient of the convolution `g` describes, from the gradient `gy` of its
    /// output (`[N, O, output..]`) and its weight `w`: `[N, C, input..]`. Unstrided, it is
    /// the convolution of `gy` padded by `dilation * (K - 1) - padding` with the weight
    /// flipped along its spatial dims (negative strides) and its channel dims swapped,
    /// by regions when that one is direct with few products and at least [`MIN_INTERIOR`]
    /// of the input gradient in its interior ([`Builder::conv_unrolled`]); otherwise a
    /// backward-data pass (or GEMMs, [`Geometry::pointwise_backward`]).
    fn conv_input_grad(&mut self, g: &Geometry, gy: &Operand, w: &Operand, src: &str) -> Operand {
        let spatial = g.spatial();
        if g.stride.iter().all(|&s| s == 1) {
            let wv = self.grouped_weight(w, g.groups, src);
            let mut perm: Vec<usize> = vec![0, 2, 1];
            perm.extend(3..3 + spatial);
            // [G, Cg, Og, K..]: the weight of the transposed convolution, flipped.
            let wf = flipped(&permute(&wv, &perm));
            let lo: Vec<i64> = (0..spatial)
                .map(|i| g.dilation[i] * (g.kernel[i] as i64 - 1) - g.padding[i])
                .collect();
            let ones = vec![1; spatial];
            let interior = Interior {
                input: &g.output,
                output: &g.input,
                kernel: &g.kernel,
                stride: &ones,
                dilation: &g.dilation,
                lo: &lo,
            };
            if unrolled(&wf.shape) && interior.at_least(MIN_INTERIOR) {
                return self.conv_unrolled(gy, &wf, None, &lo, &g.input, &ones, &g.dilation, src);
            }
            let engine = direct_engine(g, &wf.shape)
                && products(&wf.shape) <= SMALL_KERNEL_PRODUCTS
                && !interior.at_least(MIN_INTERIOR_ONEDNN_INPUT_GRAD);
            if engine {
                let operands = vec![gy.clone(), w.clone()];
                return self.conv_pass(
                    ConvPass::BackwardData,
                    ConvEngine::Direct,
                    g,
                    operands,
                    false,
                    src,
                );
            }
        }
        if g.pointwise_backward() {
            return self.pointwise_gemm(g, w, true, gy, None, src);
        }
        self.conv_pass(
            ConvPass::BackwardData,
            ConvEngine::Onednn,
            g,
            vec![gy.clone(), w.clone()],
            false,
            src,
        )
    }

    /// A zero buffer of `shape` with each part copied (or with `accumulate`, added)
    /// into it through its map.
    fn place_parts(
        &mut self,
        parts: Vec<(Operand, Map)>,
        accumulate: bool,
        shape: Vec<u64>,
        dtype: DType,
        src: &str,
    ) -> Operand {
        let node = self.push(
            NodeKind::Place {
                fill: Some(0.0),
                parts,
                accumulate,
            },
            shape,
            dtype,
            src,
        );
        self.whole(node)
    }

    /// `aten.convolution_backward`, transposed or not: the gradients `output_mask` asks
    /// for; the others are zeros (nothing reads them, so they are never computed).
    pub(super) fn convolution_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let w = self.operand(op, "weight")?;
        let rank = w.shape.len();
        let input = self.operand(op, "input")?;
        let input = self.batched(input, rank, src);
        let grad_output = self.operand(op, "grad_output")?;
        let grad_output = self.batched(grad_output, rank, src);
        self.require_f32(
            op,
            src,
            &[self.dtype(&input), self.dtype(&w), self.dtype(&grad_output)],
        )?;
        // `x` and `gy`: the input and output gradient of the (not transposed) convolution
        // whose weight gradient this is.
        let transposed = self.transposed(op)?;
        let (x, gy) = if transposed {
            (grad_output.clone(), input.clone())
        } else {
            (input.clone(), grad_output.clone())
        };
        let g = self.geometry(op, &x.shape, &w.shape, &gy.shape)?;
        let mask = match self.attr(op, "output_mask")? {
            ArgValue::BoolList(m) if m.len() == 3 => m,
            _ => {
                return Err(err(
                    self.ctx,
                    op,
                    format!("'{src}': output_mask must be a list of three booleans"),
                ));
            }
        };
        let mut results = Vec::new();
        // grad_input: of a transposed convolution, the convolution of its grad_output;
        // else the transposed convolution of gy.
        results.push(if mask[0] {
            let gx = if transposed {
                self.conv_forward(&g, &x, &w, None, src)
            } else {
                self.conv_input_grad(&g, &gy, &w, src)
            };
            let (shape, _) = self.result_info(op, 0)?;
            Some(self.reshape(&gx, &shape, src))
        } else {
            None
        });
        // grad_weight: of the convolution of `x` whose output gradient is `gy`, with
        // grad_bias after it in one buffer when both are asked for (oneDNN sums the bias
        // gradient as it reads gy; a transposed convolution's is not gy's but
        // grad_output's). grad_bias alone: grad_output summed over all but the channels.
        let flat = |gw: &Operand, offset: i64, shape: &[u64]| {
            let mut v = gw.clone();
            v.map = Map {
                offset,
                strides: contiguous(shape),
            };
            v.shape = shape.to_vec();
            v
        };
        let gemm_weight_grad = mask[1] && g.pointwise_backward();
        let fused_bias = mask[1] && mask[2] && !transposed && !gemm_weight_grad;
        let gw = if gemm_weight_grad {
            let (shape, _) = self.result_info(op, 1)?;
            let gw = self.pointwise_weight_grad(&g, &x, &gy, &shape, src);
            results.push(Some(gw));
            None
        } else if mask[1] {
            let wv = grouped_shape(&w.shape, g.groups);
            let engine = if direct_engine(&g, &wv) && products(&wv) > SMALL_KERNEL_PRODUCTS {
                ConvEngine::Direct
            } else {
                ConvEngine::Onednn
            };
            let gw = self.conv_pass(
                ConvPass::BackwardWeights,
                engine,
                &g,
                vec![x, gy],
                fused_bias,
                src,
            );
            let (shape, _) = self.result_info(op, 1)?;
            results.push(Some(flat(&gw, 0, &shape)));
            Some(gw)
        } else {
            results.push(None);
            None
        };
        results.push(if mask[2] {
            let (shape, _) = self.result_info(op, 2)?;
            Some(match gw.filter(|_| fused_bias) {
                Some(gw) => flat(&gw, w.shape.iter().product::<u64>() as i64, &shape),
                None => {
                    let dims: Vec<usize> = std::iter::once(0).chain(2..rank).collect();
                    let s = self.reduce(&grad_output, &dims, Reduce::Sum, src);
                    self.reshape(&s, &shape, src)
                }
            })
        } else {
            None
        });
        let mut out = Vec::new();
        for (i, r) in results.into_iter().enumerate() {
            out.push(match r {
                Some(r) => r,
                None => self.zeros(op, i, src)?,
            });
        }
        Ok(out)
    }

    /// The sum of the patches `cols` (`[N, C * K, L]`, the layout of [`Builder::im2col`]
    /// for one group) back into images `[N, C, input..]` of geometry `g`: each tap's
    /// `[N, C, OS..]` slice added into a zero padded buffer through a strided map, which
    /// is then cropped.
    fn col2im(&mut self, cols: &Operand, g: &Geometry, src: &str) -> Operand {
        let spatial = g.spatial();
        let kk: u64 = g.kernel.iter().product();
        // cols as [N, C, K.., OS..]; tap t is the [N, C, OS..] slice at row t.
        let len: Vec<u64> = (0..spatial)
            .map(|i| g.input[i] + 2 * g.padding[i] as u64)
            .collect();
        let mut padded_shape = vec![g.n, g.c];
        padded_shape.extend(&len);
        let ps = contiguous(&padded_shape);
        let cs = &cols.map.strides;
        let mut part_shape = vec![g.n, g.c];
        part_shape.extend(&g.output);
        let mut os_strides = contiguous(&g.output);
        os_strides.iter_mut().for_each(|s| *s *= cs[2]);
        let mut parts = Vec::new();
        for t in 0..kk {
            // The multi-index of tap t over the kernel dims.
            let mut rest = t;
            let mut tap = vec![0u64; spatial];
            for i in (0..spatial).rev() {
                tap[i] = rest % g.kernel[i];
                rest /= g.kernel[i];
            }
            let mut strides = vec![cs[0], kk as i64 * cs[1]];
            strides.extend(&os_strides);
            let part = Operand {
                node: cols.node,
                shape: part_shape.clone(),
                map: Map {
                    offset: cols.map.offset + t as i64 * cs[1],
                    strides,
                },
            };
            let start: Vec<i64> = (0..spatial)
                .map(|i| tap[i] as i64 * g.dilation[i])
                .collect();
            parts.push((part, spread_map(&ps, &start, &g.stride)));
        }
        let dtype = self.dtype(cols);
        let padded = self.place_parts(parts, true, padded_shape, dtype, src);
        let mut crop = padded.clone();
        crop.shape = vec![g.n, g.c];
        crop.shape.extend(&g.input);
        for i in 0..spatial {
            crop.map.offset += g.padding[i] * ps[2 + i];
        }
        crop
    }

    /// The sliding-block geometry of `im2col`/`col2im` op `op` over `n` images of `c`
    /// channels and spatial sizes `image`, as the geometry of a one-group convolution
    /// (its output sizes: the number of blocks along each dim).
    fn blocks(&self, op: OpId, n: u64, c: u64, image: &[u64]) -> Result<Geometry, Diagnostic> {
        let kernel = self.spatial_ints(op, "kernel_size", 2)?;
        let stride = self.spatial_ints(op, "stride", 2)?;
        let padding = self.spatial_ints(op, "padding", 2)?;
        let dilation = self.spatial_ints(op, "dilation", 2)?;
        let mut output = Vec::with_capacity(2);
        for i in 0..2 {
            let reach = image[i] as i64 + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1;
            if reach < 0 || stride[i] <= 0 || kernel[i] <= 0 || padding[i] < 0 {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{}': no sliding block fits an image of size {image:?}",
                        self.ctx.name_str(op)
                    ),
                ));
            }
            output.push((reach / stride[i] + 1) as u64);
        }
        Ok(Geometry {
            n,
            c,
            o: c,
            groups: 1,
            input: image.to_vec(),
            kernel: kernel.iter().map(|&k| k as u64).collect(),
            output,
            stride,
            padding,
            dilation,
        })
    }

    /// `aten.im2col`: the padded image placed into a zero buffer and copied through the
    /// patch view of [`Builder::im2col`].
    pub(super) fn im2col_op(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (shape, _) = self.result_info(op, 0)?;
        let x = self.batched(x, 4, src);
        let g = self.blocks(op, x.shape[0], x.shape[1], &x.shape[2..])?;
        let len: Vec<u64> = (0..2)
            .map(|i| g.input[i] + 2 * g.padding[i] as u64)
            .collect();
        let xp = self.place(&x, &g.padding, &[1, 1], &len, src);
        let cols = self.im2col(&xp, &g.kernel, &g.output, &g.stride, &g.dilation, src);
        Ok(self.reshape(&cols, &shape, src))
    }

    /// `aten.col2im`: the adjoint of `im2col`, [`Builder::col2im`].
    pub(super) fn col2im_op(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let cols = self.operand(op, "self")?;
        let (shape, _) = self.result_info(op, 0)?;
        let cols = self.batched(cols, 3, src);
        let r = shape.len();
        let g = self.blocks(op, cols.shape[0], shape[r - 3], &shape[r - 2..])?;
        let image = self.col2im(&cols, &g, src);
        Ok(self.reshape(&image, &shape, src))
    }

    /// Zeros of the type of result `i` of `op`; for a `none` result a 0-d stand-in that
    /// the graph builder drops (a `none` result has no value).
    fn zeros(&mut self, op: OpId, i: usize, src: &str) -> Result<Operand, Diagnostic> {
        let r = self.ctx.result(op, i);
        let (shape, dtype) = if *self.ctx.type_data(self.ctx.value_type(r)) == TypeData::None {
            (Vec::new(), DType::F32)
        } else {
            self.result_info(op, i)?
        };
        let pw = super::Pw::new(&shape);
        Ok(self.pointwise(pw, super::c(0.0, dtype), dtype, src))
    }
}

/// Most products per output element that [`Builder::conv_unrolled`] writes out (a 5x5
/// depthwise kernel); a direct convolution with more runs through oneDNN.
const UNROLLED_PRODUCTS: u64 = 25;

/// Least fraction of a direct convolution's output in its interior ([`Interior`]) for
/// which it runs as region kernels rather than oneDNN's passes: its strided forward and
/// its input gradient. Measured against oneDNN over 3x3 and 5x5 kernels, 7x7 to 112x112
/// images, 32 to 512 channels and batches of 1 and 8 (README, "Convolutions against
/// PyTorch"): the region kernels won on every shape with 0.93 of the output in the
/// interior and more, and lost or tied (at most 1.03x) on every one of batch 8 with 0.86
/// and less.
const MIN_INTERIOR: (u64, u64) = (9, 10);

/// [`MIN_INTERIOR`] of an unstrided forward (whose interior, with rows as long as the
/// input's, runs as one loop over whole images, [`flat_interior`]). Below it, one the
/// direct engine takes ([`direct_engine`]) runs there, and so does one with more than
/// [`SMALL_KERNEL_PRODUCTS`] products. Measured against the engine over the grid of
/// [`MIN_INTERIOR`] (README, "Convolutions against PyTorch"): the 3x3 regions won every
/// forward with 0.93 of the output in the interior and more (1.3-2.3x), won or lost by
/// shape with 0.86
/// (28x28: 1.1-1.9x with 128 channels, 0.65-0.74x with 32; in sum 0.29 against 0.30 ms)
/// and lost with 0.73 (14x14: 0.70-0.90x); the 5x5 regions lost on every image they ran
/// on (28x28 and 56x56, 0.73 and 0.86: 0.38-0.71x). A unit-stride forward the engine does
/// not take (3-d) uses the same bar between the regions and oneDNN.
const MIN_INTERIOR_UNSTRIDED: (u64, u64) = (4, 5);

/// Most products per output element of a *small* kernel (a 3x3 depthwise one), the only
/// kind whose unstrided forward runs as regions when the direct engine would take it
/// ([`MIN_INTERIOR_UNSTRIDED`]), and whose input gradient runs on the engine rather than
/// oneDNN ([`MIN_INTERIOR_ONEDNN_INPUT_GRAD`]); and the kind whose weight gradient stays
/// oneDNN's backward-weights pass, where a larger one the engine takes runs there.
/// Measured with `bench/direct_conv_grid.py --pass "weight grad"` (README, "Convolutions
/// against PyTorch"): on 5x5 kernels the engine won every shape by 2.4-36x (oneDNN's
/// 5x5 depthwise weight gradient is slow: 18.6 ms on 28x28 120 channels batch 8 against
/// 0.51 ms); on 3x3 ones it won 6 of 16 (1.1-1.4x on 7x7 and 14x14 images with 256 and
/// 512 channels) and lost the other 10 (0.32-0.81x), so those stay on oneDNN.
const SMALL_KERNEL_PRODUCTS: u64 = 9;

/// Least fraction of the input gradient in its interior for which a unit-stride input
/// gradient the direct engine takes, short of [`MIN_INTERIOR`] for the regions, runs as
/// oneDNN's backward-data pass rather than on the engine; with more than
/// [`SMALL_KERNEL_PRODUCTS`] products it always does. Measured over the same grid: with
/// 0.86 in the interior oneDNN won on one shape of six (3x3 28x28 128 channels batch 8:
/// 0.20 against 0.29 ms) and the engine on the others (1.06-1.85x), so the bar keeps them
/// all on oneDNN; with 0.73 and less the engine won every 3x3 shape (1.18-2.38x), and
/// with a 5x5 kernel it tied oneDNN's pass at batch 8 (0.94-0.95x on 7x7 and 14x14
/// images; 0.62-0.91x on the MobileNet 5x5 14x14 shape in the runs of
/// `conv_vs_torch.py`), which stays.
const MIN_INTERIOR_ONEDNN_INPUT_GRAD: (u64, u64) = (4, 5);

/// Whether the convolution `g` by a grouped weight of shape `wv` (`[G, Og, Cg, K..]`; for its
/// input gradient, the transposed convolution's `[G, Cg, Og, K..]`) runs on
/// the runtime's direct engine ([`ConvEngine::Direct`]) where its region kernels do not
/// run: direct with few products ([`unrolled`]), unit stride, 1 or 2 spatial dims (what
/// the engine takes). Per written plane, the engine copies each read plane into a
/// zero-padded scratch plane and runs every tap as one vector multiply-add over the
/// plane's rows laid end to end, so a border costs no more than the interior: on 7x7 and
/// 14x14 images, where half of the output is border, it is faster than oneDNN's pass and
/// the regions (README, "Convolutions against PyTorch").
fn direct_engine(g: &Geometry, wv: &[u64]) -> bool {
    unrolled(wv) && g.stride.iter().all(|&s| s == 1) && g.spatial() <= 2
}

/// Products per output element of the convolution by a grouped weight of shape `w`
/// (`[G, Og, Cg, K..]`).
fn products(w: &[u64]) -> u64 {
    w[2..].iter().product()
}

/// The shape `[G, Og, Cg, K..]` of a weight of shape `w` (`[O, Cg, K..]`) in `groups`
/// groups.
fn grouped_shape(w: &[u64], groups: u64) -> Vec<u64> {
    let mut shape = vec![groups, w[0] / groups];
    shape.extend(&w[1..]);
    shape
}

/// Whether the convolution by a grouped weight of shape `w` (`[G, Og, Cg, K..]`) runs
/// direct with its products written out ([`Builder::conv_unrolled`]).
fn unrolled(w: &[u64]) -> bool {
    direct(w[0], w[1]) && products(w) <= UNROLLED_PRODUCTS
}

/// Whether a convolution of `groups` groups of `og` output channels each is *direct*:
/// grouped with few output channels per group (a depthwise convolution), where a product
/// per output element has few terms and oneDNN's reorders into and out of its blocked
/// layout cost as much as the convolution.
fn direct(groups: u64, og: u64) -> bool {
    groups > 1 && og < 8
}

/// The spatial geometry of a direct convolution as [`Builder::conv_unrolled`] reads it
/// (tap `k` of output position `o` reads input position `o * stride + k * dilation - lo`
/// along each dim), to decide whether its region kernels run.
struct Interior<'a> {
    input: &'a [u64],
    output: &'a [u64],
    kernel: &'a [u64],
    stride: &'a [i64],
    dilation: &'a [i64],
    lo: &'a [i64],
}

impl Interior<'_> {
    /// Whether at least `min` (numerator, denominator) of the output positions lie in
    /// the interior, where every tap reads inside the input ([`tap_intervals`]). The
    /// interior is one pointwise loop over many positions; each border region is one
    /// more kernel over few, so on small images the regions lose to oneDNN.
    fn at_least(&self, min: (u64, u64)) -> bool {
        let (mut inside, mut all) = (1u128, 1u128);
        for i in 0..self.output.len() {
            let cuts = tap_intervals(
                self.input[i],
                self.output[i],
                self.kernel[i],
                self.stride[i],
                self.dilation[i],
                self.lo[i],
            );
            let interior: u64 = cuts
                .iter()
                .filter(|t| t.count == self.kernel[i])
                .map(|t| t.len)
                .sum();
            inside *= u128::from(interior);
            all *= u128::from(self.output[i]);
        }
        inside * u128::from(min.1) >= u128::from(min.0) * all
    }
}

/// Output positions `start..start + len` of one spatial dim of a direct convolution over
/// which the same taps, `first..first + count`, read inside its input.
#[derive(Clone, Copy, Debug)]
struct TapInterval {
    start: u64,
    len: u64,
    first: u64,
    count: u64,
}

/// How one region of [`Builder::conv_unrolled`] reads its input.
struct Reads<'a> {
    /// The input offset of the region's first position (tap 0, channel 0).
    start: i64,
    /// The input strides along the region's dims.
    x_steps: &'a [i64],
    /// The taps read along each spatial dim of the kernel.
    taps: &'a [TapInterval],
    dilation: &'a [i64],
    /// The other end of each paired dim read in the same region ([`pair_ends`]), in
    /// order, each one more dim of 2 after the region's own.
    other_ends: Vec<OtherEnd>,
}

/// The second of two one-position intervals of one dim read by one region: how far its
/// input position and its first tap's weight lie from the first's.
struct OtherEnd {
    x_step: i64,
    w_step: i64,
}

/// The intervals `cuts` of one spatial dim, grouped: an interval of one position where
/// fewer than all `kernel` taps read inside is paired with a later one like it reading as
/// many taps (the two ends of a row, the first and last rows, so that one pass over the
/// input computes both), the others alone.
fn pair_ends(cuts: &[TapInterval], kernel: u64) -> Vec<Vec<TapInterval>> {
    let border = |t: &TapInterval| t.len == 1 && t.count < kernel;
    let mut taken = vec![false; cuts.len()];
    let mut groups = Vec::new();
    for i in 0..cuts.len() {
        if taken[i] {
            continue;
        }
        let mut group = vec![cuts[i]];
        if border(&cuts[i]) {
            let partner = (i + 1..cuts.len())
                .find(|&j| !taken[j] && border(&cuts[j]) && cuts[j].count == cuts[i].count);
            if let Some(j) = partner {
                taken[j] = true;
                group.push(cuts[j]);
            }
        }
        groups.push(group);
    }
    groups
}

/// The output positions `0..output` of one spatial dim cut into [`TapInterval`]s, for a
/// kernel of `kernel` taps whose tap `k` at output position `o` reads input position
/// `o * stride + k * dilation - lo`, inside when in `0..input`: a tap starts or stops
/// reading inside at two positions, so there are at most `2 * kernel + 1` intervals.
fn tap_intervals(
    input: u64,
    output: u64,
    kernel: u64,
    stride: i64,
    dilation: i64,
    lo: i64,
) -> Vec<TapInterval> {
    let inside = |o: u64, k: u64| {
        (0..input as i64).contains(&(o as i64 * stride + k as i64 * dilation - lo))
    };
    let clamp = |o: i64| o.clamp(0, output as i64) as u64;
    let mut cuts = vec![0, output];
    for k in 0..kernel as i64 {
        // The first position reading inside, and one past the last.
        let from = -(k * dilation - lo).div_euclid(stride);
        let to = (input as i64 - 1 + lo - k * dilation).div_euclid(stride) + 1;
        cuts.extend([clamp(from), clamp(to)]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| {
            let first = (0..kernel).find(|&k| inside(w[0], k)).unwrap_or(0);
            let count = (first..kernel).take_while(|&k| inside(w[0], k)).count() as u64;
            TapInterval {
                start: w[0],
                len: w[1] - w[0],
                first,
                count,
            }
        })
        .collect()
}

/// Where the interior `inner` of a [`Builder::conv_unrolled`] (the intervals of its
/// spatial dims where every tap reads inside `x`) runs flattened along its last two
/// dims: its first output position along them and the number of positions to its last,
/// when an input position is then the output position plus a constant (unit stride along
/// the rows, the row stride times the input row length equal to the output row length,
/// `x` contiguous along its last two dims) and the interior has two rows or more. Every
/// read of a position in between lies between those of the first and the last interior
/// position, so inside `x`.
fn flat_interior(
    x: &Operand,
    inner: &[TapInterval],
    output: &[u64],
    stride: &[i64],
) -> Option<(u64, u64)> {
    let spatial = inner.len();
    if spatial < 2 {
        return None;
    }
    let (r, c) = (spatial - 2, spatial - 1);
    let (row_len, xs) = (x.shape[2 + c], &x.map.strides);
    let flattens = stride[c] == 1
        && stride[r] as u64 * row_len == output[c]
        && xs[2 + r] == row_len as i64 * xs[2 + c]
        && inner[r].len >= 2;
    let first = inner[r].start * output[c] + inner[c].start;
    let last = (inner[r].start + inner[r].len - 1) * output[c] + inner[c].start + inner[c].len;
    flattens.then_some((first, last - first))
}

/// The weight `wt` (`[G, Cg, Og, K..]`) with its taps in reverse order along every
/// spatial dim: a strided view, no copy.
fn flipped(wt: &Operand) -> Operand {
    let mut view = wt.clone();
    for d in 3..wt.shape.len() {
        let last = wt.shape[d].saturating_sub(1) as i64;
        view.map.offset += last * wt.map.strides[d];
        view.map.strides[d] = -wt.map.strides[d];
    }
    view
}

/// `o` with its dims reordered: dim `i` of the result is dim `perm[i]` of `o`.
fn permute(o: &Operand, perm: &[usize]) -> Operand {
    Operand {
        node: o.node,
        shape: perm.iter().map(|&p| o.shape[p]).collect(),
        map: Map {
            offset: o.map.offset,
            strides: perm.iter().map(|&p| o.map.strides[p]).collect(),
        },
    }
}

/// The patches of `xp` (`[N, C, P..]`, already padded) for kernel sizes `kernel`, output
/// sizes `output`, `stride` and `dilation`, as a strided view (no copy): `[N, C, K..,
/// OS..]`. Its `C, K..` dims are the rows of the im2col matrix, the dims after them its
/// columns.
fn patch_view(
    xp: &Operand,
    kernel: &[u64],
    output: &[u64],
    stride: &[i64],
    dilation: &[i64],
) -> Operand {
    let s = &xp.map.strides;
    let mut shape = vec![xp.shape[0], xp.shape[1]];
    let mut strides = vec![s[0], s[1]];
    shape.extend(kernel);
    strides.extend((0..kernel.len()).map(|i| dilation[i] * s[2 + i]));
    shape.extend(output);
    strides.extend((0..output.len()).map(|i| stride[i] * s[2 + i]));
    Operand {
        node: xp.node,
        shape,
        map: Map {
            offset: xp.map.offset,
            strides,
        },
    }
}

/// The map of a part `[N, C, S..]` into a buffer of contiguous strides `dest`
/// (`[N, C, P..]`): spatial element `s` of dim `i` at `start[i] + s * stride[i]`.
fn spread_map(dest: &[i64], start: &[i64], stride: &[i64]) -> Map {
    let mut at = Map {
        offset: 0,
        strides: vec![dest[0], dest[1]],
    };
    for i in 0..start.len() {
        at.offset += start[i] * dest[2 + i];
        at.strides.push(stride[i] * dest[2 + i]);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the square `size`-sized convolution by a `k`x`k` kernel with "same"
    /// padding has at least `min` of its output in the interior.
    fn square(size: u64, k: u64, stride: i64, min: (u64, u64)) -> bool {
        let out = (size + 2 * (k / 2) - k) / stride as u64 + 1;
        let lo = [(k / 2) as i64; 2];
        Interior {
            input: &[size; 2],
            output: &[out; 2],
            kernel: &[k; 2],
            stride: &[stride; 2],
            dilation: &[1; 2],
            lo: &lo,
        }
        .at_least(min)
    }

    #[test]
    fn the_interior_fraction_counts_positions_where_every_tap_reads_inside() {
        // 3x3, padding 1: (26/28)^2 = 0.86 of a 28x28 output, (12/14)^2 = 0.73 of 14x14,
        // (5/7)^2 = 0.51 of 7x7.
        assert!(square(28, 3, 1, MIN_INTERIOR_UNSTRIDED));
        assert!(square(28, 3, 1, MIN_INTERIOR_ONEDNN_INPUT_GRAD));
        assert!(!square(14, 3, 1, MIN_INTERIOR_UNSTRIDED));
        assert!(!square(14, 3, 1, MIN_INTERIOR_ONEDNN_INPUT_GRAD));
        assert!(!square(7, 3, 1, MIN_INTERIOR_UNSTRIDED));
        assert!(square(56, 3, 1, MIN_INTERIOR));
        // 5x5, padding 2: (52/56)^2 = 0.86, (24/28)^2 = 0.73, (10/14)^2 = 0.51.
        assert!(square(56, 5, 1, MIN_INTERIOR_UNSTRIDED));
        assert!(!square(28, 5, 1, MIN_INTERIOR_UNSTRIDED));
        assert!(!square(14, 5, 1, MIN_INTERIOR_UNSTRIDED));
        // Stride 2: (27/28)^2 = 0.93 of 28x28 from 56x56 in, (13/14)^2 = 0.86 from 28x28.
        assert!(square(56, 3, 2, MIN_INTERIOR));
        assert!(!square(28, 3, 2, MIN_INTERIOR));
        assert!(!square(28, 3, 1, MIN_INTERIOR));
        // Exactly at the bar: (8/10) * (10/12) = 2/3.
        let exact = Interior {
            input: &[10, 12],
            output: &[10, 12],
            kernel: &[3, 3],
            stride: &[1, 1],
            dilation: &[1, 1],
            lo: &[1, 1],
        };
        assert!(exact.at_least((2, 3)));
        assert!(!exact.at_least((67, 100)));
        // A single row read by three row taps has no interior.
        let row = Interior {
            input: &[1, 40],
            output: &[1, 40],
            kernel: &[3, 3],
            stride: &[1, 1],
            dilation: &[1, 1],
            lo: &[1, 1],
        };
        assert!(!row.at_least((1, 100)));
    }
}
