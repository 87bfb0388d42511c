//! `convolution` and `convolution_backward` (1 to 3 spatial dims, strided, padded,
//! dilated, grouped, transposed) as `kernel.conv` nodes, which the runtime runs through
//! oneDNN's primitives ([`NodeKind::Conv`]); they take f32 tensors only (other dtypes
//! are refused, naming the op). A forward is one forward pass (with the bias); a
//! backward, per `output_mask`, a backward-data pass for the input gradient, a
//! backward-weights pass for the weight gradient, and the bias gradient as a sum of the
//! output gradient over every dim but the channels.
//!
//! A transposed convolution (`transposed = true`) of `x` by `w` is the input gradient of
//! the convolution by `w` whose output has `x`'s shape (its input the transposed one's
//! output, `output_padding` included), plus the bias. Its backward swaps the roles: the
//! input gradient is the convolution of `grad_output` by `w`, the weight gradient that of
//! the convolution of `grad_output` whose output gradient is `x`.
//!
//! `im2col` and `col2im` are strided views and placements of the padded input.

use super::{Builder, Map, NodeKind, Operand, Reduce, contiguous, err};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId, TypeData};
use joinery_kernel::{Conv, ConvPass};

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
}

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

    /// The convolution of `x` by `w` (plus `bias`) that `g` describes: `[N, O, output..]`.
    fn conv_forward(
        &mut self,
        g: &Geometry,
        x: &Operand,
        w: &Operand,
        bias: Option<&Operand>,
        src: &str,
    ) -> Operand {
        let mut operands = vec![x.clone(), w.clone()];
        operands.extend(bias.cloned());
        self.conv_pass(ConvPass::Forward, g, operands, bias.is_some(), src)
    }

    /// The node of `pass` of the convolution `g` describes on `operands` (in
    /// [`joinery_kernel::Conv::operand_shapes`]' order, made dense here), with a bias (a
    /// forward's operand, a backward-weights pass's second result): the output, the input
    /// gradient, or the weight gradient (followed by the bias gradient, flat, with `bias`).
    fn conv_pass(
        &mut self,
        pass: ConvPass,
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
    /// output (`[N, O, output..]`) and its weight `w`: `[N, C, input..]`.
    fn conv_input_grad(&mut self, g: &Geometry, gy: &Operand, w: &Operand, src: &str) -> Operand {
        self.conv_pass(
            ConvPass::BackwardData,
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
        let fused_bias = mask[1] && mask[2] && !transposed;
        let gw = if mask[1] {
            let gw = self.conv_pass(ConvPass::BackwardWeights, &g, vec![x, gy], fused_bias, src);
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
