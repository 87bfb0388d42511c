//! `_embedding_bag` and `_embedding_bag_backward` in modes sum, mean and max, on the
//! gather and scatter nodes of `graph/index.rs`, computing what the interpreter
//! (PyTorch's CPU kernel) does:
//!
//! - the bag of position `k` is the number of offsets at most `k`, minus one (offsets
//!   are non-decreasing); positions in no bag (past the last with
//!   `include_last_offset`) or holding `padding_idx` count nowhere;
//! - forward: the rows gathered at the indices (times the per-sample weights) added into
//!   their bags, divided by the bag's count for a mean; `offset2bag`, `bag_size` and
//!   `max_indices` as the CPU kernel fills them;
//! - max forward: over `[bags, n, d]`, each bag's column maximum of its rows (0 for an
//!   empty bag) and the row index of its first maximum (`max_indices`, 0 when empty): a
//!   dense reduction, quadratic in the bag count times the indices;
//! - backward: each position's bag gradient gathered (scaled likewise, and divided by
//!   the index's frequency with `scale_grad_by_freq`) and added into its row; in max mode
//!   each bag's gradient added at its `max_indices` row, per column (unscaled by
//!   frequency, as PyTorch's CPU kernel).

use super::{
    Builder, Expr, IndexSel, Init, Map, Operand, Predicate, Pw, Reduce, ScalarOp, ScatterReduce,
    bin, c, cast, cmp, err, select,
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

    /// The mode: 0 sum, 1 mean, 2 max.
    fn bag_mode(&self, op: OpId, src: &str) -> Result<i64, Diagnostic> {
        match self.int_attr(op, "mode")? {
            m @ (0..=2) => Ok(m),
            m => Err(err(
                self.ctx,
                op,
                format!("'{src}': mode {m} is not 0 (sum), 1 (mean) or 2 (max)"),
            )),
        }
    }

    /// Max mode: each bag's column maxima (0 for an empty bag) and the row index of the
    /// first position reaching each (`max_indices`, 0 for an empty bag), over the dense
    /// `[bags, n, d]` space of (bag, position, column).
    #[allow(clippy::too_many_arguments)]
    fn bag_max(
        &mut self,
        op: OpId,
        src: &str,
        rows: &Operand,
        indices: &Operand,
        b: &Bags,
        count: &Operand,
        dtype: DType,
        max_dt: DType,
    ) -> (Operand, Operand) {
        let (n, d) = (rows.shape[0], rows.shape[1]);
        let bags_n = count.shape[0];
        let space = [bags_n, n, d];
        let over = |o: &Operand, strides: [usize; 3]| Operand {
            node: o.node,
            shape: space.to_vec(),
            map: Map {
                offset: o.map.offset,
                strides: strides
                    .iter()
                    .map(|&k| if k == usize::MAX { 0 } else { o.map.strides[k] })
                    .collect(),
            },
        };
        let none = usize::MAX;
        // Whether position k counts in bag b, at [b, k, c].
        let in_bag = |pw: &mut Pw, b: &Bags| {
            let slot = pw.input(&over(&b.slot, [none, 0, none]), DType::I64, DType::I64);
            let ok = pw.input(&over(&b.valid, [none, 0, none]), DType::Bool, DType::Bool);
            let here = cmp(Predicate::Eq, slot, Expr::Iota(0));
            bin(ScalarOp::And, ok, here)
        };
        let rdt = self.dtype(rows);
        let mut pw = Pw::new(&space);
        let inside = in_bag(&mut pw, b);
        let v = pw.input(&over(rows, [none, 0, 1]), rdt, dtype);
        let e = select(inside, v, c(f64::NEG_INFINITY, dtype));
        let candidates = self.pointwise(pw, e, dtype, src);
        let max = self.reduce(&candidates, &[1], Reduce::Max, src);
        let max = self.reshape(&max, &[bags_n, d], src);
        // The first position reaching the maximum: n - max(n - k) over those that do.
        let mut pw = Pw::new(&space);
        let inside = in_bag(&mut pw, b);
        let v = pw.input(&over(rows, [none, 0, 1]), rdt, dtype);
        let m = pw.input(&over(&max, [0, none, 1]), dtype, dtype);
        let first = bin(ScalarOp::And, inside, cmp(Predicate::Eq, v, m));
        let from_end = bin(
            ScalarOp::Sub,
            c(n as f64, DType::F64),
            cast(Expr::Iota(1), DType::I64, DType::F64),
        );
        let e = select(first, from_end, c(0.0, DType::F64));
        let keys = self.pointwise(pw, e, DType::F64, src);
        let key = self.reduce(&keys, &[1], Reduce::Max, src);
        let key = self.reshape(&key, &[bags_n, d], src);
        // Position n - key, kept inside 0..n for an empty bag (whose index is 0 anyway).
        let mut pw = Pw::new(&[bags_n, d]);
        let k = pw.input(&key, DType::F64, DType::I64);
        let at = bin(ScalarOp::Sub, c(n as f64, DType::I64), k);
        let e = bin(ScalarOp::Min, at, c((n - 1) as f64, DType::I64));
        let position = self.pointwise(pw, e, DType::I64, src);
        let idt = self.dtype(indices);
        let picked = self.gather_node(
            op,
            src,
            Operand {
                node: indices.node,
                shape: vec![bags_n, d],
                map: Map {
                    offset: indices.map.offset,
                    strides: vec![0, 0],
                },
            },
            vec![IndexSel {
                index: position,
                stride: indices.map.strides[0],
                bound: n,
                dim: 0,
            }],
            false,
        );
        let mut pw = Pw::new(&[bags_n, d]);
        let some = cmp(
            Predicate::Gt,
            pw.input(&Self::per_row(count, d), DType::I64, DType::I64),
            c(0.0, DType::I64),
        );
        let m = pw.input(&max, dtype, dtype);
        let output = self.pointwise(pw, select(some.clone(), m, c(0.0, dtype)), dtype, src);
        let mut pw = Pw::new(&[bags_n, d]);
        let some = cmp(
            Predicate::Gt,
            pw.input(&Self::per_row(count, d), DType::I64, DType::I64),
            c(0.0, DType::I64),
        );
        let i = pw.input(&picked, idt, max_dt);
        let max_indices = self.pointwise(pw, select(some, i, c(0.0, max_dt)), max_dt, src);
        (output, max_indices)
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
        let (max_shape, max_dt) = self.result_info(op, 3)?;
        let mut max_indices = None;
        let output = if mode == 2 {
            if n == 0 || max_shape != [bags_n, d] {
                return Err(err(
                    self.ctx,
                    op,
                    format!("the native backend supports '{src}' in max mode with some indices"),
                ));
            }
            let (out, arg) = self.bag_max(op, src, &rows, &indices, &b, &count, dtype, max_dt);
            max_indices = Some(arg);
            out
        } else if mode == 1 {
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
        let zeros = |b: &mut Self, shape: &[u64], dt: DType| {
            b.pointwise(Pw::new(shape), c(0.0, dt), dt, src)
        };
        let as_dt = |b: &mut Self, o: &Operand, dt: DType| {
            let mut pw = Pw::new(&o.shape);
            let e = pw.input(o, DType::I64, dt);
            b.pointwise(pw, e, dt, src)
        };
        let (bag_size, max_indices) = if let Some(arg) = max_indices {
            (as_dt(self, &count, size_dt), arg)
        } else if mode == 1 {
            (as_dt(self, &count, size_dt), as_dt(self, &count, max_dt))
        } else {
            (
                zeros(self, &size_shape, size_dt),
                zeros(self, &max_shape, max_dt),
            )
        };
        Ok(vec![output, offset2bag, bag_size, max_indices])
    }

    /// Max mode's backward: `grad[b, c]` added at row `max_indices[b, c]`, column `c`,
    /// for every nonempty bag `b` (PyTorch's CPU kernel ignores `scale_grad_by_freq`
    /// here); a max index out of range is a run-time error.
    fn bag_max_backward(
        &mut self,
        op: OpId,
        src: &str,
        grad: &Operand,
        bag_size: &Operand,
        rows: u64,
        dtype: DType,
    ) -> Result<Operand, Diagnostic> {
        let (bags_n, d) = (grad.shape[0], grad.shape[1]);
        let arg = self.operand(op, "maximum_indices")?;
        self.check_index(op, src, &arg)?;
        if arg.shape != [bags_n, d] || bag_size.shape != [bags_n] {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}': max mode needs [bags, d] maximum_indices and [bags] bag_size"),
            ));
        }
        let mut pw = Pw::new(&[bags_n, d]);
        let gdt = self.dtype(grad);
        let v = pw.input(grad, gdt, dtype);
        let sdt = self.dtype(bag_size);
        let size = pw.input(&Self::per_row(bag_size, d), sdt, DType::I64);
        let nonempty = cmp(Predicate::Gt, size, c(0.0, DType::I64));
        let contrib = self.pointwise(pw, select(nonempty, v, c(0.0, dtype)), dtype, src);
        Ok(self.scatter_node(
            op,
            src,
            vec![rows, d],
            dtype,
            Init::Fill(0.0),
            contrib,
            Map {
                offset: 0,
                strides: vec![0, 1],
            },
            vec![IndexSel {
                index: arg,
                stride: d as i64,
                bound: rows,
                dim: 0,
            }],
            Some(ScatterReduce::Sum),
            false,
        ))
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
        if mode == 2 {
            return Ok(vec![
                self.bag_max_backward(op, src, &grad, &bag_size, rows, dtype)?,
            ]);
        }
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
