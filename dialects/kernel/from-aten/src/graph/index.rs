//! Index-driven data movement: `embedding` and its dense backward, `gather`,
//! `index_select`, `index.Tensor` / `_unsafe_index` (advanced indexing, `None` entries,
//! adjacent or not), `index_put` / `_unsafe_index_put` and the `scatter` family, as
//! [`NodeKind::Gather`] and [`NodeKind::Scatter`] nodes (the `kernel.gather` and
//! `kernel.scatter` runtime steps: a loop kernel only loads through affine maps).
//!
//! Every one is a map over an iteration space plus, per index tensor, the stride of the
//! dimension it selects along; views of the data and of the indices compose into those
//! maps, so nothing is copied first. Indices are checked at run time: an index out of
//! range stops the call with an error naming the aten op and its `file:line:col`.

use super::{
    Builder, IndexSel, Init, LaneKind, Map, NodeKind, Operand, Predicate, Pw, bin, broadcast, c,
    cmp, err, select,
};
use joinery_aten::{ArgValue, operand_group};
use joinery_ir::{DType, Diagnostic, OpId};
use joinery_kernel::{ScalarOp, ScatterReduce, contiguous};

/// The layout of `x[indices]` (PyTorch's advanced indexing): the result shape, and for
/// each result dim the dim of `x` it slices, or `None` for a dim of the broadcast index
/// shape (which replaces the indexed dims where they are adjacent, else comes first).
struct Advanced {
    shape: Vec<u64>,
    sliced: Vec<Option<usize>>,
    /// The indexed dims of `x` with their index tensors, viewed over `shape`.
    indices: Vec<(usize, Operand)>,
}

impl Advanced {
    /// The map over the result's space reading `strides` (of `x`'s dims) at the sliced
    /// dims, from `offset`.
    fn base_map(&self, offset: i64, strides: &[i64]) -> Map {
        Map {
            offset,
            strides: self
                .sliced
                .iter()
                .map(|d| d.map_or(0, |d| strides[d]))
                .collect(),
        }
    }
}

impl Builder<'_> {
    /// An error unless `o` holds integer indices (i64 or i32).
    pub(super) fn check_index(&self, op: OpId, src: &str, o: &Operand) -> Result<(), Diagnostic> {
        match self.dtype(o) {
            DType::I64 | DType::I32 => Ok(()),
            dt => Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' with i64 or i32 indices only, not {dt}"
                ),
            )),
        }
    }

    /// Lowers the indexing ops; `None` for any other op.
    pub(super) fn lower_indexing(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Option<Vec<Operand>>, Diagnostic> {
        let overload = self
            .ctx
            .name_str(op)
            .rsplit_once('.')
            .map_or("", |(_, o)| o)
            .to_string();
        let out = match base {
            "embedding" => {
                let weight = self.operand(op, "weight")?;
                let indices = self.operand(op, "indices")?;
                self.advanced_gather(op, src, &weight, &[Some(indices)], false)?
            }
            "embedding_dense_backward" => self.embedding_dense_backward(op, src)?,
            "index" | "_unsafe_index" => {
                let x = self.operand(op, "self")?;
                let indices = self.index_list(op)?;
                self.advanced_gather(op, src, &x, &indices, true)?
            }
            "index_select" => {
                let x = self.operand(op, "self")?;
                let index = self.operand(op, "index")?;
                let n = index.shape.iter().product::<u64>();
                let index = self.reshape(&index, &[n], src);
                let dim = super::norm_dim(self.ctx, op, self.int_attr(op, "dim")?, x.shape.len())?;
                let mut indices = vec![None; dim];
                indices.push(Some(index));
                // `index_select`, `gather` and `scatter` refuse negative indices (PyTorch).
                self.advanced_gather(op, src, &x, &indices, false)?
            }
            "gather" => self.gather(op, src)?,
            "masked_scatter" => self.masked_scatter(op, src)?,
            "index_put" | "_unsafe_index_put" => self.index_put(op, src)?,
            "scatter" | "scatter_add" | "scatter_reduce" => {
                self.scatter(op, base, &overload, src)?
            }
            _ => return Ok(None),
        };
        let (shape, _) = self.result_info(op, 0)?;
        if out.shape != shape {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': the native lowering made shape {:?}, not the result's {shape:?}",
                    out.shape
                ),
            ));
        }
        Ok(Some(vec![out]))
    }

    /// The `indices` list of `index` / `index_put`: `None` for a `none` entry.
    fn index_list(&self, op: OpId) -> Result<Vec<Option<Operand>>, Diagnostic> {
        let vals = operand_group(self.ctx, op, "indices").map_err(|e| err(self.ctx, op, e))?;
        vals.iter()
            .map(|&v| {
                if !self.ctx.is_tensor(self.ctx.value_type(v)) {
                    return Ok(None);
                }
                self.values.get(&v).cloned().map(Some).ok_or_else(|| {
                    err(
                        self.ctx,
                        op,
                        "an index of the list is not a tensor of the graph",
                    )
                })
            })
            .collect()
    }

    /// The layout of `x[indices]`.
    fn advanced(
        &self,
        op: OpId,
        src: &str,
        x_shape: &[u64],
        indices: &[Option<Operand>],
    ) -> Result<Advanced, Diagnostic> {
        if indices.len() > x_shape.len() {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': {} indices for a tensor of {} dims",
                    indices.len(),
                    x_shape.len()
                ),
            ));
        }
        let indexed: Vec<(usize, &Operand)> = indices
            .iter()
            .enumerate()
            .filter_map(|(d, t)| t.as_ref().map(|t| (d, t)))
            .collect();
        let mut bshape: Vec<u64> = Vec::new();
        for (_, t) in &indexed {
            self.check_index(op, src, t)?;
            bshape = broadcast_shapes(&bshape, &t.shape).ok_or_else(|| {
                err(
                    self.ctx,
                    op,
                    format!("'{src}': index shapes do not broadcast"),
                )
            })?;
        }
        let sliced: Vec<usize> = (0..x_shape.len())
            .filter(|d| !indexed.iter().any(|(i, _)| i == d))
            .collect();
        let adjacent = indexed.windows(2).all(|w| w[1].0 == w[0].0 + 1);
        let lead = match indexed.first() {
            Some(&(first, _)) if adjacent => first,
            _ => 0,
        };
        let mut layout: Vec<Option<usize>> = sliced[..lead].iter().map(|&d| Some(d)).collect();
        layout.extend(std::iter::repeat_n(None, bshape.len()));
        layout.extend(sliced[lead..].iter().map(|&d| Some(d)));
        let shape: Vec<u64> = layout
            .iter()
            .enumerate()
            .map(|(i, d)| d.map_or_else(|| bshape[i - lead], |d| x_shape[d]))
            .collect();
        let indices = indexed
            .iter()
            .map(|&(d, t)| {
                let b = broadcast(t, &bshape);
                let mut strides = vec![0i64; shape.len()];
                strides[lead..lead + bshape.len()].copy_from_slice(&b.map.strides);
                let view = Operand {
                    node: b.node,
                    shape: shape.clone(),
                    map: Map {
                        offset: b.map.offset,
                        strides,
                    },
                };
                (d, view)
            })
            .collect();
        Ok(Advanced {
            shape,
            sliced: layout,
            indices,
        })
    }

    /// `x[indices]` as one gather node.
    fn advanced_gather(
        &mut self,
        op: OpId,
        src: &str,
        x: &Operand,
        indices: &[Option<Operand>],
        wrap: bool,
    ) -> Result<Operand, Diagnostic> {
        let adv = self.advanced(op, src, &x.shape, indices)?;
        let sels = adv
            .indices
            .iter()
            .map(|(d, t)| IndexSel {
                index: t.clone(),
                stride: x.map.strides[*d],
                bound: x.shape[*d],
                dim: *d as u64,
            })
            .collect();
        let view = Operand {
            node: x.node,
            shape: adv.shape.clone(),
            map: adv.base_map(x.map.offset, &x.map.strides),
        };
        Ok(self.gather_node(op, src, view, sels, wrap))
    }

    /// A gather node reading `from` (a view over the node's shape) moved by `sels`.
    pub(super) fn gather_node(
        &mut self,
        op: OpId,
        src: &str,
        from: Operand,
        sels: Vec<IndexSel>,
        wrap: bool,
    ) -> Operand {
        let shape = from.shape.clone();
        let dtype = self.dtype(&from);
        let kind = NodeKind::Gather {
            src: from,
            indices: sels,
            wrap,
            site: self.site(op, src),
        };
        let node = self.push(kind, shape, dtype, src);
        self.whole(node)
    }

    /// A scatter node of `shape` and `dtype`: `init`, then `from` (over the space of the
    /// moves) stored (`accumulate` `None`) or combined at `at` moved by `sels`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn scatter_node(
        &mut self,
        op: OpId,
        src: &str,
        shape: Vec<u64>,
        dtype: DType,
        init: Init,
        from: Operand,
        at: Map,
        sels: Vec<IndexSel>,
        accumulate: Option<ScatterReduce>,
        wrap: bool,
    ) -> Operand {
        let kind = NodeKind::Scatter {
            init,
            src: from,
            at,
            indices: sels,
            accumulate,
            wrap,
            site: self.site(op, src),
        };
        let node = self.push(kind, shape, dtype, src);
        self.whole(node)
    }

    /// `masked_scatter(self, mask, source)`: `self` (broadcast with `mask`) where the mask
    /// is false; its `k`-th true element (row-major) takes `source`'s `k`-th element. A
    /// gather from `[0, source...]` at the running count of true elements (0 where the
    /// mask is false), so that a mask with more true elements than `source` has is an
    /// index out of range at run time, as PyTorch raises.
    fn masked_scatter(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let mask = self.operand(op, "mask")?;
        let source = self.operand(op, "source")?;
        let (shape, dt) = self.result_info(op, 0)?;
        if self.dtype(&mask) != DType::Bool || self.dtype(&source) != dt {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}' needs an i1 mask and a source of the result's dtype"),
            ));
        }
        let numel: u64 = shape.iter().product();
        let mut pw = Pw::new(&[numel]);
        let flat_mask = self.reshape(&broadcast(&mask, &shape), &[numel], src);
        let m = pw.input(&flat_mask, DType::Bool, DType::I64);
        let counts = self.pointwise(pw, m, DType::I64, src);
        let running = self.lanes_node(&counts, 0, numel, LaneKind::Cumsum, DType::I64, src);
        let mut pw = Pw::new(&shape);
        let at = pw.input(&self.reshape(&running, &shape, src), DType::I64, DType::I64);
        let m = pw.input(&mask, DType::Bool, DType::Bool);
        let index = self.pointwise(pw, select(m, at, c(0.0, DType::I64)), DType::I64, src);
        // `[0, source...]`: position 0 is what mask-false points read (and discard).
        let zero = self.pointwise(Pw::new(&[1]), c(0.0, dt), dt, src);
        let n = source.shape.iter().product::<u64>();
        let mut parts = vec![zero];
        if n > 0 {
            parts.push(self.reshape(&source, &[n], src));
        }
        let padded = self.push(NodeKind::Concat { parts, dim: 0 }, vec![n + 1], dt, src);
        let from = Operand {
            node: padded,
            shape: shape.clone(),
            map: Map {
                offset: 0,
                strides: vec![0; shape.len()],
            },
        };
        let sel = IndexSel {
            index,
            stride: 1,
            bound: n + 1,
            dim: 0,
        };
        let site = format!(
            "{} (mask has more true elements than source's {n})",
            self.site(op, src)
        );
        let gathered = self.push(
            NodeKind::Gather {
                src: from,
                indices: vec![sel],
                wrap: false,
                site,
            },
            shape.clone(),
            dt,
            src,
        );
        let mut pw = Pw::new(&shape);
        let m = pw.input(&mask, DType::Bool, DType::Bool);
        let g = pw.input(&self.whole(gathered), dt, dt);
        let keep = pw.input(&x, dt, dt);
        Ok(self.pointwise(pw, select(m, g, keep), dt, src))
    }

    /// `gather(self, dim, index)`: `out[p] = self[p with dim replaced by index[p]]`.
    fn gather(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let index = self.operand(op, "index")?;
        self.check_index(op, src, &index)?;
        let (x, index) = (self.at_least_1d(&x, src), self.at_least_1d(&index, src));
        let dim = super::norm_dim(self.ctx, op, self.int_attr(op, "dim")?, x.shape.len())?;
        if index.shape.len() != x.shape.len() {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': index and self need the same number of dims"),
            ));
        }
        let mut strides = x.map.strides.clone();
        strides[dim] = 0;
        let sel = IndexSel {
            index: index.clone(),
            stride: x.map.strides[dim],
            bound: x.shape[dim],
            dim: dim as u64,
        };
        let view = Operand {
            node: x.node,
            shape: index.shape.clone(),
            map: Map {
                offset: x.map.offset,
                strides,
            },
        };
        let out = self.gather_node(op, src, view, vec![sel], false);
        let (shape, _) = self.result_info(op, 0)?;
        Ok(self.reshape(&out, &shape, src))
    }

    /// `o` viewed as `[1]` when it is 0-d (gather and scatter treat a scalar as one).
    pub(super) fn at_least_1d(&mut self, o: &Operand, src: &str) -> Operand {
        if o.shape.is_empty() {
            self.reshape(o, &[1], src)
        } else {
            o.clone()
        }
    }

    /// `scatter.src` / `scatter.value` / `scatter_add` / `scatter_reduce.two`: a copy of
    /// `self` with `src[p]` stored (combined) at `p` with `dim` replaced by `index[p]`,
    /// for every point `p` of `index`. Without `include_self` the positions that receive
    /// elements start from the reduction's identity (for `amax`/`amin`, from one of the
    /// elements: a stored scatter first); `mean` divides the sum by the count of elements
    /// (a scatter of ones), flooring for integers, as PyTorch does.
    fn scatter(
        &mut self,
        op: OpId,
        base: &str,
        overload: &str,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let index = self.operand(op, "index")?;
        self.check_index(op, src, &index)?;
        let (shape, dtype) = self.result_info(op, 0)?;
        let (accumulate, mean, include_self) = match base {
            "scatter_add" => (Some(ScatterReduce::Sum), false, true),
            "scatter_reduce" => {
                let reduce = match self.attr(op, "reduce")? {
                    ArgValue::Str(r) => r,
                    _ => String::new(),
                };
                let kind = match reduce.as_str() {
                    "sum" | "mean" => ScatterReduce::Sum,
                    "prod" => ScatterReduce::Prod,
                    "amax" => ScatterReduce::Max,
                    "amin" => ScatterReduce::Min,
                    other => {
                        return Err(err(
                            self.ctx,
                            op,
                            format!(
                                "'{src}': reduce must be one of sum, prod, mean, amax, amin, \
                                 not '{other}'"
                            ),
                        ));
                    }
                };
                let include_self = !matches!(self.attr(op, "include_self")?, ArgValue::Bool(false));
                (Some(kind), reduce == "mean", include_self)
            }
            _ => (None, false, true),
        };
        if accumulate.is_some() && dtype == DType::Bool {
            return Err(err(
                self.ctx,
                op,
                format!("the native backend does not support '{src}' on i1 tensors"),
            ));
        }
        let x1 = self.at_least_1d(&x, src);
        let index = self.at_least_1d(&index, src);
        let dim = super::norm_dim(self.ctx, op, self.int_attr(op, "dim")?, x1.shape.len())?;
        let space = index.shape.clone();
        let from = if overload == "value" {
            let value = self.f64_attr(op, "value")?;
            let pw = Pw::new(&[]);
            let v = self.pointwise(pw, c(value, dtype), dtype, src);
            broadcast(&v, &space)
        } else {
            let s = self.operand(op, "src")?;
            let s = self.at_least_1d(&s, src);
            if self.dtype(&s) != dtype || s.shape.len() != space.len() {
                return Err(err(
                    self.ctx,
                    op,
                    format!("'{src}': src needs self's dtype and number of dims"),
                ));
            }
            Operand {
                node: s.node,
                shape: space.clone(),
                map: s.map.clone(),
            }
        };
        let out_strides = contiguous(&x1.shape);
        let mut at = Map {
            offset: 0,
            strides: out_strides.clone(),
        };
        at.strides[dim] = 0;
        let sel = IndexSel {
            index,
            stride: out_strides[dim],
            bound: x1.shape[dim],
            dim: dim as u64,
        };
        let xshape = x1.shape.clone();
        let scatter = |b: &mut Self, dtype, init, from, accumulate| {
            b.scatter_node(
                op,
                src,
                xshape.clone(),
                dtype,
                init,
                from,
                at.clone(),
                vec![sel.clone()],
                accumulate,
                false,
            )
        };
        // How many elements land at each position (i64), when the mean or a reduction
        // without `self` needs it.
        let count = (mean
            || (!include_self
                && matches!(accumulate, Some(ScatterReduce::Sum | ScatterReduce::Prod))))
        .then(|| {
            let one = self.pointwise(Pw::new(&[]), c(1.0, DType::I64), DType::I64, src);
            let ones = broadcast(&one, &space);
            scatter(
                self,
                DType::I64,
                Init::Fill(0.0),
                ones,
                Some(ScatterReduce::Sum),
            )
        });
        let start = match (accumulate, &count) {
            (Some(ScatterReduce::Max | ScatterReduce::Min), _) if !include_self => {
                // max(v, v) = v: storing one of the elements first leaves the result theirs.
                scatter(self, dtype, Init::Copy(x1), from.clone(), None)
            }
            (Some(kind), Some(n)) if !include_self => {
                let identity = if kind == ScatterReduce::Prod {
                    1.0
                } else {
                    0.0
                };
                let mut pw = Pw::new(&x1.shape);
                let hit = cmp(
                    Predicate::Gt,
                    pw.input(n, DType::I64, DType::I64),
                    c(0.0, DType::I64),
                );
                let keep = pw.input(&x1, dtype, dtype);
                self.pointwise(pw, select(hit, c(identity, dtype), keep), dtype, src)
            }
            _ => x1,
        };
        let mut out = scatter(self, dtype, Init::Copy(start), from, accumulate);
        if let (true, Some(n)) = (mean, &count) {
            // sum / max(count (+ 1 for self), 1).
            let mut pw = Pw::new(&out.shape);
            let sum = pw.input(&out, dtype, dtype);
            let mut k = pw.input(n, DType::I64, dtype);
            if include_self {
                k = bin(ScalarOp::Add, k, c(1.0, dtype));
            }
            let k = bin(ScalarOp::Max, k, c(1.0, dtype));
            let e = if dtype.is_float() {
                bin(ScalarOp::Div, sum, k)
            } else {
                super::floor_int_division(sum, k, dtype, &self.site(op, src))
            };
            out = self.pointwise(pw, e, dtype, src);
        }
        Ok(self.reshape(&out, &shape, src))
    }

    /// `index_put(self, indices, values, accumulate)`: a copy of `self` with `values`
    /// (broadcast to the shape of `self[indices]`) stored or added at `self[indices]`.
    fn index_put(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let indices = self.index_list(op)?;
        let values = self.operand(op, "values")?;
        let accumulate = matches!(self.attr(op, "accumulate")?, ArgValue::Bool(true))
            .then_some(ScatterReduce::Sum);
        let (shape, dtype) = self.result_info(op, 0)?;
        let adv = self.advanced(op, src, &x.shape, &indices)?;
        let values = if self.dtype(&values) != dtype {
            let vd = self.dtype(&values);
            let mut pw = Pw::new(&values.shape);
            let e = pw.input(&values, vd, dtype);
            self.pointwise(pw, e, dtype, src)
        } else {
            values
        };
        if broadcast_shapes(&values.shape, &adv.shape).as_deref() != Some(&adv.shape[..]) {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': values of shape {:?} do not broadcast to the indexed shape {:?}",
                    values.shape, adv.shape
                ),
            ));
        }
        let from = broadcast(&values, &adv.shape);
        let out_strides = contiguous(&shape);
        let sels = adv
            .indices
            .iter()
            .map(|(d, t)| IndexSel {
                index: t.clone(),
                stride: out_strides[*d],
                bound: shape[*d],
                dim: *d as u64,
            })
            .collect();
        let at = adv.base_map(0, &out_strides);
        Ok(self.scatter_node(
            op,
            src,
            shape,
            dtype,
            Init::Copy(x),
            from,
            at,
            sels,
            accumulate,
            true,
        ))
    }

    /// `embedding_dense_backward`: the rows of `grad_output` summed per index into zeros
    /// of `[num_weights, ...]`, rows at `padding_idx` left out, each divided by its
    /// index's count with `scale_grad_by_freq` (PyTorch's decomposition: counts by an
    /// accumulating scatter of ones, gathered back at the indices).
    fn embedding_dense_backward(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let grad = self.operand(op, "grad_output")?;
        let indices = self.operand(op, "indices")?;
        self.check_index(op, src, &indices)?;
        let padding_idx = self.int_attr(op, "padding_idx")?;
        let by_freq = matches!(self.attr(op, "scale_grad_by_freq")?, ArgValue::Bool(true));
        let (shape, dtype) = self.result_info(op, 0)?;
        let num_weights = shape.first().copied().unwrap_or(0);
        let k = indices.shape.len();
        if grad.shape.len() < k || grad.shape[..k] != indices.shape[..] {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': grad_output must start with the indices' shape"),
            ));
        }
        let space = grad.shape.clone();
        // The indices seen over the gradient's space (constant along its trailing dims).
        let over = |ix: &Operand| {
            let mut strides = ix.map.strides.clone();
            strides.resize(space.len(), 0);
            Operand {
                node: ix.node,
                shape: space.clone(),
                map: Map {
                    offset: ix.map.offset,
                    strides,
                },
            }
        };
        let index_dt = self.dtype(&indices);
        let gdt = self.dtype(&grad);
        let mut pw = Pw::new(&space);
        let mut g = pw.input(&grad, gdt, dtype);
        if padding_idx >= 0 {
            let ix = pw.input(&over(&indices), index_dt, DType::I64);
            let pad = cmp(Predicate::Eq, ix, c(padding_idx as f64, DType::I64));
            g = select(pad, c(0.0, dtype), g);
        }
        if by_freq {
            let freq = self.index_frequency(op, src, &indices, num_weights);
            let f = pw.input(&over(&freq), DType::I64, dtype);
            g = super::bin(ScalarOp::Div, g, f);
        }
        let masked = self.pointwise(pw, g, dtype, src);
        let out_strides = contiguous(&shape);
        let mut at = vec![0i64; k];
        at.extend(&out_strides[1.min(out_strides.len())..]);
        Ok(self.scatter_node(
            op,
            src,
            shape.clone(),
            dtype,
            Init::Fill(0.0),
            masked,
            Map {
                offset: 0,
                strides: at,
            },
            vec![IndexSel {
                index: over(&indices),
                stride: out_strides.first().copied().unwrap_or(1),
                bound: num_weights,
                dim: 0,
            }],
            Some(ScatterReduce::Sum),
            false,
        ))
    }
}

impl Builder<'_> {
    /// For every position of `indices` (into `num_weights` rows), how many positions hold
    /// the same index (i64): an accumulating scatter of ones, gathered back at the indices.
    pub(super) fn index_frequency(
        &mut self,
        op: OpId,
        src: &str,
        indices: &Operand,
        num_weights: u64,
    ) -> Operand {
        let k = indices.shape.len();
        let sel = IndexSel {
            index: indices.clone(),
            stride: 1,
            bound: num_weights,
            dim: 0,
        };
        let one = self.pointwise(Pw::new(&[]), c(1.0, DType::I64), DType::I64, src);
        let ones = broadcast(&one, &indices.shape);
        let flat = Map {
            offset: 0,
            strides: vec![0; k],
        };
        let counts = self.scatter_node(
            op,
            src,
            vec![num_weights],
            DType::I64,
            Init::Fill(0.0),
            ones,
            flat.clone(),
            vec![sel.clone()],
            Some(ScatterReduce::Sum),
            false,
        );
        let at = Operand {
            node: counts.node,
            shape: indices.shape.clone(),
            map: flat,
        };
        self.gather_node(op, src, at, vec![sel], false)
    }
}

/// NumPy broadcasting of two shapes, if they broadcast.
fn broadcast_shapes(a: &[u64], b: &[u64]) -> Option<Vec<u64>> {
    let n = a.len().max(b.len());
    (0..n)
        .map(|i| {
            let x = if i + a.len() >= n {
                a[i + a.len() - n]
            } else {
                1
            };
            let y = if i + b.len() >= n {
                b[i + b.len() - n]
            } else {
                1
            };
            match (x, y) {
                (x, y) if x == y => Some(x),
                (1, y) => Some(y),
                (x, 1) => Some(x),
                _ => None,
            }
        })
        .collect()
}
