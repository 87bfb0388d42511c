//! `_embedding_bag` and `_embedding_bag_backward` in modes sum and mean, on the gather
//! and scatter nodes of `graph/index.rs`, computing what the interpreter (PyTorch's CPU
//! kernel) does:
//!
//! - the bag of position `k` is the number of offsets at most `k`, minus one (offsets
//!   are non-decreasing); positions in no bag (past the last with
//!   `include_last_offset`) or holding `padding_idx` count nowhere;
//! - forward: the rows gathered at the indices (times the per-sample weights) added into
//!   their bags, divided by the bag's count for a mean; `offset2bag`, `bag_size` and
//!   `max_indices` as the CPU kernel fills them;
//! - backward: each position's bag gradient gathered (scaled likewise, and divided by
//!   the index's frequency with `scale_grad_by_freq`) and added into its row.

use super::{
    Builder, Expr, IndexSel, Init, Map, Operand, Predicate, Pw, Reduce, ScalarOp, ScatterReduce, bin,
    c, cast,
    cmp, err, select,
};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};

/// Which bag each index position falls in, as the lowering uses it.
struct Bags {
    /// `[n]` i64: the bag of each position, clamped into `0..bags` (so it can index).
    slot: Operand,
    /// `[n]` i64: the unclamped bag (`offset2bag`).
    bag: Operand,
    /// `[n]` bool: whether the position counts (in a bag, not `padding_idx`).
    valid: Operand,
}

impl Builder<'_> {
    /// Lowers `_embedding_bag` and `_embedding_bag_backward`; `None` for other ops.
    pub(super) fn lower_bags(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Option<Vec<Operand>>, Diagnostic> {
        match base {
            "_embedding_bag" => self.embedding_bag(op, src).map(Some),
            "_embedding_bag_backward" => self.embedding_bag_backward(op, src).map(Some),
            _ => Ok(None),
        }
    }

    /// The mode (0 sum, 1 mean), refusing max.
    fn bag_mode(&self, op: OpId, src: &str) -> Result<i64, Diagnostic> {
        match self.int_attr(op, "mode")? {
            m @ (0 | 1) => Ok(m),
            _ => Err(err(
                self.ctx,
                op,
                format!("the native backend supports '{src}' in modes sum and mean only"),
            )),
        }
    }

    /// The bags of the `n` positions of `indices` among `bags` bags starting at `offsets`.
    fn bags(
        &mut self,
        op: OpId,
        src: &str,
        indices: &Operand,
        offsets: &Operand,
        bags: u64,
    ) -> Result<Bags, Diagnostic> {
        self.check_index(op, src, indices)?;
        self.check_index(op, src, offsets)?;
        if indices.shape.len() != 1 || offsets.shape.len() != 1 || bags == 0 {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' on 1-d indices and offsets, with at least one bag"
                ),
            ));
        }
        let (n, l) = (indices.shape[0], offsets.shape[0]);
        // count[k] = #{offsets <= k}, a [n, l] comparison summed over l.
        let mut pw = Pw::new(&[n, l]);
        let odt = self.dtype(offsets);
        let across = Operand {
            node: offsets.node,
            shape: vec![n, l],
            map: Map {
                offset: offsets.map.offset,
                strides: vec![0, offsets.map.strides[0]],
            },
        };
        let o = pw.input(&across, odt, DType::I64);
        let at_most = cmp(Predicate::Le, o, Expr::Iota(0));
        let e = cast(at_most, DType::Bool, DType::I64);
        let le = self.pointwise(pw, e, DType::I64, src);
        let count = self.reduce(&le, &[1], Reduce::Sum, src);
        let count = self.reshape(&count, &[n], src);
        let mut pw = Pw::new(&[n]);
        let cnt = pw.input(&count, DType::I64, DType::I64);
        let e = bin(ScalarOp::Sub, cnt, c(1.0, DType::I64));
        let bag = self.pointwise(pw, e, DType::I64, src);
        let mut pw = Pw::new(&[n]);
        let b = pw.input(&bag, DType::I64, DType::I64);
        let e = bin(ScalarOp::Min, b, c((bags - 1) as f64, DType::I64));
        let slot = self.pointwise(pw, e, DType::I64, src);
        let padding_idx = self.int_attr(op, "padding_idx")?;
        let mut pw = Pw::new(&[n]);
        let b = pw.input(&bag, DType::I64, DType::I64);
        let mut ok = cmp(Predicate::Lt, b, c(bags as f64, DType::I64));
        if padding_idx >= 0 {
            let idt = self.dtype(indices);
            let i = pw.input(indices, idt, DType::I64);
            let kept = cmp(Predicate::Ne, i, c(padding_idx as f64, DType::I64));
            ok = bin(ScalarOp::And, ok, kept);
        }
        let valid = self.pointwise(pw, ok, DType::Bool, src);
        Ok(Bags { slot, bag, valid })
    }

    /// `[n]` viewed over `[n, d]` (constant along the row).
    fn per_row(o: &Operand, d: u64) -> Operand {
        Operand {
            node: o.node,
            shape: vec![o.shape[0], d],
            map: Map {
                offset: o.map.offset,
                strides: vec![o.map.strides[0], 0],
            },
        }
    }

    /// `x[idx]` for a 2-d `x` and 1-d `idx`: `[n, d]` rows.
    fn rows_at(&mut self, op: OpId, src: &str, x: &Operand, idx: &Operand, wrap: bool) -> Operand {
        let (n, d) = (idx.shape[0], x.shape[1]);
        let view = Operand {
            node: x.node,
            shape: vec![n, d],
            map: Map {
                offset: x.map.offset,
                strides: vec![0, x.map.strides[1]],
            },
        };
        let sel = IndexSel {
            index: Self::per_row(idx, d),
            stride: x.map.strides[0],
            bound: x.shape[0],
            dim: 0,
        };
        self.gather_node(op, src, view, vec![sel], wrap)
    }

    /// Adds the `[n, d]` rows of `from` into `rows` rows at `idx` (a fresh zero buffer).
    #[allow(clippy::too_many_arguments)]
    fn add_rows(
        &mut self,
        op: OpId,
        src: &str,
        from: Operand,
        idx: &Operand,
        rows: u64,
        dtype: DType,
    ) -> Operand {
        let d = from.shape.get(1).copied();
        let (shape, at, index) = match d {
            Some(d) => (vec![rows, d], vec![0, 1], Self::per_row(idx, d)),
            None => (vec![rows], vec![0], idx.clone()),
        };
        let sel = IndexSel {
            index,
            stride: d.map_or(1, |d| d as i64),
            bound: rows,
            dim: 0,
        };
        let at = Map {
            offset: 0,
            strides: at,
        };
        self.scatter_node(
            op,
            src,
            shape,
            dtype,
            Init::Fill(0.0),
            from,
            at,
            vec![sel],
            Some(ScatterReduce::Sum),
            false,
        )
    }

    fn embedding_bag(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let mode = self.bag_mode(op, src)?;
        let weight = self.operand(op, "weight")?;
        let indices = self.operand(op, "indices")?;
        let offsets = self.operand(op, "offsets")?;
        let psw = self.opt_operand(op, "per_sample_weights")?;
        let (out_shape, dtype) = self.result_info(op, 0)?;
        if weight.shape.len() != 2 || out_shape.len() != 2 {
            return Err(err(self.ctx, op, format!("'{src}' needs a 2-d weight")));
        }
        let (bags_n, d) = (out_shape[0], out_shape[1]);
        let n = indices.shape.first().copied().unwrap_or(0);
        let b = self.bags(op, src, &indices, &offsets, bags_n)?;
        let rows = self.rows_at(op, src, &weight, &indices, false);
        let mut pw = Pw::new(&[n, d]);
        let wdt = self.dtype(&rows);
        let mut v = pw.input(&rows, wdt, dtype);
        if let Some(w) = &psw {
            let wd = self.dtype(w);
            v = bin(ScalarOp::Mul, v, pw.input(&Self::per_row(w, d), wd, dtype));
        }
        let ok = pw.input(&Self::per_row(&b.valid, d), DType::Bool, DType::Bool);
        let e = select(ok, v, c(0.0, dtype));
        let contrib = self.pointwise(pw, e, dtype, src);
        let sums = self.add_rows(op, src, contrib, &b.slot, bags_n, dtype);
        let mut pw = Pw::new(&[n]);
        let ok = pw.input(&b.valid, DType::Bool, DType::Bool);
        let e = cast(ok, DType::Bool, DType::I64);
        let counted = self.pointwise(pw, e, DType::I64, src);
        let count = self.add_rows(op, src, counted, &b.slot, bags_n, DType::I64);
        let output = if mode == 1 {
            let mut pw = Pw::new(&[bags_n, d]);
            let s = pw.input(&sums, dtype, dtype);
            let cnt = pw.input(&Self::per_row(&count, d), DType::I64, dtype);
            let some = cmp(Predicate::Gt, cnt.clone(), c(0.0, dtype));
            let e = bin(ScalarOp::Div, s, select(some, cnt, c(1.0, dtype)));
            self.pointwise(pw, e, dtype, src)
        } else {
            sums
        };
        let (o2b_shape, aux) = self.result_info(op, 1)?;
        let offset2bag = if o2b_shape == [n] {
            let mut pw = Pw::new(&[n]);
            let e = pw.input(&b.bag, DType::I64, aux);
            self.pointwise(pw, e, aux, src)
        } else {
            self.pointwise(Pw::new(&o2b_shape), c(0.0, aux), aux, src)
        };
        let (size_shape, size_dt) = self.result_info(op, 2)?;
        let (max_shape, max_dt) = self.result_info(op, 3)?;
        let zeros = |b: &mut Self, shape: &[u64], dt: DType| {
            b.pointwise(Pw::new(shape), c(0.0, dt), dt, src)
        };
        let as_dt = |b: &mut Self, o: &Operand, dt: DType| {
            let mut pw = Pw::new(&o.shape);
            let e = pw.input(o, DType::I64, dt);
            b.pointwise(pw, e, dt, src)
        };
        let (bag_size, max_indices) = if mode == 1 {
            (as_dt(self, &count, size_dt), as_dt(self, &count, max_dt))
        } else {
            (
                zeros(self, &size_shape, size_dt),
                zeros(self, &max_shape, max_dt),
            )
        };
        Ok(vec![output, offset2bag, bag_size, max_indices])
    }

    fn embedding_bag_backward(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let mode = self.bag_mode(op, src)?;
        let grad = self.operand(op, "grad")?;
        let indices = self.operand(op, "indices")?;
        let offsets = self.operand(op, "offsets")?;
        let bag_size = self.operand(op, "bag_size")?;
        let psw = self.opt_operand(op, "per_sample_weights")?;
        let by_freq = matches!(self.attr(op, "scale_grad_by_freq")?, ArgValue::Bool(true));
        let (shape, dtype) = self.result_info(op, 0)?;
        if grad.shape.len() != 2 || shape.len() != 2 {
            return Err(err(self.ctx, op, format!("'{src}' needs a 2-d gradient")));
        }
        let (bags_n, d) = (grad.shape[0], grad.shape[1]);
        let (rows, n) = (shape[0], indices.shape.first().copied().unwrap_or(0));
        let b = self.bags(op, src, &indices, &offsets, bags_n)?;
        let g = self.rows_at(op, src, &grad, &b.slot, false);
        let size = if mode == 1 {
            let sdt = self.dtype(&bag_size);
            let view = Operand {
                node: bag_size.node,
                shape: vec![n],
                map: Map {
                    offset: bag_size.map.offset,
                    strides: vec![0],
                },
            };
            let sel = IndexSel {
                index: b.slot.clone(),
                stride: bag_size.map.strides[0],
                bound: bag_size.shape[0],
                dim: 0,
            };
            Some((self.gather_node(op, src, view, vec![sel], false), sdt))
        } else {
            None
        };
        let freq = by_freq.then(|| self.index_frequency(op, src, &indices, rows));
        let mut pw = Pw::new(&[n, d]);
        let gdt = self.dtype(&g);
        let mut v = pw.input(&g, gdt, dtype);
        if let Some(w) = &psw {
            let wd = self.dtype(w);
            v = bin(ScalarOp::Mul, v, pw.input(&Self::per_row(w, d), wd, dtype));
        }
        if let Some((s, sdt)) = &size {
            let s = pw.input(&Self::per_row(s, d), *sdt, dtype);
            v = bin(ScalarOp::Div, v, bin(ScalarOp::Max, s, c(1.0, dtype)));
        }
        if let Some(f) = &freq {
            v = bin(
                ScalarOp::Div,
                v,
                pw.input(&Self::per_row(f, d), DType::I64, dtype),
            );
        }
        let ok = pw.input(&Self::per_row(&b.valid, d), DType::Bool, DType::Bool);
        let e = select(ok, v, c(0.0, dtype));
        let contrib = self.pointwise(pw, e, dtype, src);
        Ok(vec![self.add_rows(op, src, contrib, &indices, rows, dtype)])
    }
}
