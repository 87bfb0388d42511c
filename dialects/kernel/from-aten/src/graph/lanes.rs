//! Ops along one dimension as [`NodeKind::Lanes`] nodes (the `kernel.cumsum` and
//! `kernel.argsort` runtime steps): `cumsum`; `sort` and `topk` as an argsort of the
//! positions followed by a gather of the values at them, as the interpreter computes
//! them (stable, NaN above every number).

use super::{Builder, IndexSel, LaneKind, Map, NodeKind, Operand, Pw, err};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};
use joinery_kernel::contiguous;

/// `dims` with `dim` moved last: the order a lane step's space runs in.
fn lane_order(rank: usize, dim: usize) -> Vec<usize> {
    (0..rank).filter(|&d| d != dim).chain([dim]).collect()
}

impl Builder<'_> {
    /// Lowers `cumsum`, `sort` and `topk`; `None` for any other op.
    pub(super) fn lower_lanes(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Option<Vec<Operand>>, Diagnostic> {
        if !matches!(base, "cumsum" | "sort" | "topk") {
            return Ok(None);
        }
        let x = self.operand(op, "self")?;
        let rank0 = x.shape.is_empty();
        let x = self.at_least_1d(&x, src);
        let dim = super::norm_dim(self.ctx, op, self.int_attr(op, "dim")?, x.shape.len())?;
        let outs = if base == "cumsum" {
            let (_, dtype) = self.result_info(op, 0)?;
            let x = if self.dtype(&x) != dtype {
                let xd = self.dtype(&x);
                let mut pw = Pw::new(&x.shape);
                let e = pw.input(&x, xd, dtype);
                self.pointwise(pw, e, dtype, src)
            } else {
                x
            };
            if dtype == DType::Bool {
                return Err(err(
                    self.ctx,
                    op,
                    format!("'{src}' of i1 values is not lowered"),
                ));
            }
            let n = x.shape[dim];
            vec![self.lanes_node(&x, dim, n, LaneKind::Cumsum, dtype, src)]
        } else {
            let n = x.shape[dim];
            let (k, descending) = if base == "topk" {
                let k = self.int_attr(op, "k")?;
                let k = u64::try_from(k).ok().filter(|&k| k <= n).ok_or_else(|| {
                    err(self.ctx, op, format!("'{src}': k = {k} is not in 0..={n}"))
                })?;
                (
                    k,
                    !matches!(self.attr(op, "largest")?, ArgValue::Bool(false)),
                )
            } else {
                (
                    n,
                    matches!(self.attr(op, "descending")?, ArgValue::Bool(true)),
                )
            };
            let order = LaneKind::Argsort { descending };
            let indices = self.lanes_node(&x, dim, k, order, DType::I64, src);
            let mut strides = x.map.strides.clone();
            strides[dim] = 0;
            let view = Operand {
                node: x.node,
                shape: indices.shape.clone(),
                map: Map {
                    offset: x.map.offset,
                    strides,
                },
            };
            let sel = IndexSel {
                index: indices.clone(),
                stride: x.map.strides[dim],
                bound: n,
                dim: dim as u64,
            };
            let values = self.gather_node(op, src, view, vec![sel], false);
            vec![values, indices]
        };
        Ok(Some(if rank0 {
            outs.iter().map(|o| self.reshape(o, &[], src)).collect()
        } else {
            outs
        }))
    }

    /// A lane node over `x` along `dim` writing `k` elements per lane, of `dtype`.
    pub(super) fn lanes_node(
        &mut self,
        x: &Operand,
        dim: usize,
        k: u64,
        kind: LaneKind,
        dtype: DType,
        src: &str,
    ) -> Operand {
        let perm = lane_order(x.shape.len(), dim);
        let mut shape = x.shape.clone();
        shape[dim] = k;
        let out_strides = contiguous(&shape);
        let view = Operand {
            node: x.node,
            shape: perm.iter().map(|&d| x.shape[d]).collect(),
            map: Map {
                offset: x.map.offset,
                strides: perm.iter().map(|&d| x.map.strides[d]).collect(),
            },
        };
        let out_map = Map {
            offset: 0,
            strides: perm.iter().map(|&d| out_strides[d]).collect(),
        };
        let node = self.push(
            NodeKind::Lanes {
                src: view,
                out_map,
                k,
                kind,
            },
            shape,
            dtype,
            src,
        );
        self.whole(node)
    }
}
