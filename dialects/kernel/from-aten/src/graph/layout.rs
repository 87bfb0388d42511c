//! Ops that move elements without arithmetic, on strided views and placements:
//!
//! - `slice` / `select` views, and `flip` as a view with negated strides (its offset moved
//!   to the last element of each flipped dim);
//! - `constant_pad_nd`: the (cropped) input placed into a buffer filled with the pad value;
//!   a negative pad crops, a positive one pads, per side;
//! - `slice_backward` / `select_backward`: the gradient placed into its slice of a zero
//!   buffer; `slice_scatter` / `select_scatter`: `self` copied, then `src` over its slice.

use super::{Builder, Map, NodeKind, Operand, err, norm_dim};
use joinery_aten::ArgValue;
use joinery_ir::{Diagnostic, OpId};

/// A view: its shape and its map into the viewed buffer.
struct View {
    shape: Vec<u64>,
    map: Map,
}

/// `v` sliced along `dim` from `start` to `end` (each clamped into the dim as PyTorch
/// does, negative ones counted from the end; `None` is the dim's bound) by `step`.
fn slice_of(mut v: View, dim: usize, start: Option<i64>, end: Option<i64>, step: i64) -> View {
    let size = v.shape[dim] as i64;
    let clamp = |i: i64| {
        if i < 0 {
            (i + size).max(0)
        } else {
            i.min(size)
        }
    };
    let start = start.map_or(0, clamp);
    let end = end.map_or(size, clamp).max(start);
    v.map.offset += start * v.map.strides[dim];
    v.shape[dim] = ((end - start + step - 1) / step) as u64;
    v.map.strides[dim] *= step;
    v
}

impl Builder<'_> {
    /// The optional `int` attribute `name` (`None` when absent or `None`).
    fn opt_int_attr(&self, op: OpId, name: &str) -> Result<Option<i64>, Diagnostic> {
        match self.attr(op, name)? {
            ArgValue::None => Ok(None),
            v => v.as_int().map(Some).ok_or_else(|| {
                err(
                    self.ctx,
                    op,
                    format!(
                        "'{}': attribute '{name}' must be an integer",
                        self.ctx.name_str(op)
                    ),
                )
            }),
        }
    }

    /// `o` seen through the `slice` (`start`, `end`, `step`) or `select` (`index`) that
    /// `op`'s attributes describe along its `dim`.
    pub(super) fn view_of(
        &self,
        op: OpId,
        o: &Operand,
        select: bool,
    ) -> Result<Operand, Diagnostic> {
        let v = View {
            shape: o.shape.clone(),
            map: o.map.clone(),
        };
        let v = self.sliced(op, v, select)?;
        Ok(Operand {
            node: o.node,
            shape: v.shape,
            map: v.map,
        })
    }

    /// [`Builder::view_of`] on a view; an index outside the dim or a step below 1 is an
    /// error at `op`.
    fn sliced(&self, op: OpId, mut v: View, select: bool) -> Result<View, Diagnostic> {
        let rank = v.shape.len();
        let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, rank)?;
        let size = v.shape[dim] as i64;
        if select {
            let index = self.int_attr(op, "index")?;
            let i = if index < 0 { index + size } else { index };
            if !(0..size).contains(&i) {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{}': index {index} is out of range for dim {dim} of size {size}",
                        self.ctx.name_str(op)
                    ),
                ));
            }
            v.map.offset += i * v.map.strides[dim];
            v.shape.remove(dim);
            v.map.strides.remove(dim);
            return Ok(v);
        }
        let step = self.int_attr(op, "step")?;
        if step < 1 {
            return Err(err(
                self.ctx,
                op,
                format!("'{}': step {step} must be positive", self.ctx.name_str(op)),
            ));
        }
        let start = self.opt_int_attr(op, "start")?;
        let end = self.opt_int_attr(op, "end")?;
        Ok(slice_of(v, dim, start, end, step))
    }

    /// `flip(x, dims)`: a view reading each flipped dim backwards.
    pub(super) fn flip(&self, op: OpId) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let mut o = x.clone();
        for d in self.dims_of(op, "dims", x.shape.len())? {
            if x.shape[d] > 1 {
                o.map.offset += (x.shape[d] as i64 - 1) * x.map.strides[d];
                o.map.strides[d] = -x.map.strides[d];
            }
        }
        Ok(o)
    }

    /// `constant_pad_nd(x, pad, value)`: `pad` holds (before, after) pairs from the last
    /// dim backwards; the input, cropped by the negative ones, is placed into a buffer
    /// filled with `value` after the positive ones.
    pub(super) fn constant_pad_nd(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let pad = self.ints_attr(op, "pad")?;
        let value = self.f64_attr(op, "value")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let rank = x.shape.len();
        if pad.len() % 2 != 0 || pad.len() > 2 * rank {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': pad holds {} values; it needs pairs for at most {rank} dims",
                    pad.len()
                ),
            ));
        }
        let mut part = x.clone();
        let mut at = Map::identity(&shape);
        for (i, pair) in pad.chunks(2).enumerate() {
            let d = rank - 1 - i;
            let (before, after) = (pair[0], pair[1]);
            let cut = (-before).max(0) + (-after).max(0);
            let kept = (x.shape[d] as i64 - cut).max(0);
            part.map.offset += (-before).max(0) * part.map.strides[d];
            part.shape[d] = kept as u64;
            at.offset += before.max(0) * at.strides[d];
        }
        let parts = if part.shape.contains(&0) {
            Vec::new()
        } else {
            vec![(part, at)]
        };
        let node = self.push(
            NodeKind::Place {
                fill: value,
                parts,
                accumulate: false,
            },
            shape,
            dt,
            src,
        );
        Ok(vec![self.whole(node)])
    }

    /// `slice_backward` / `select_backward` (the gradient placed into its view of zeros of
    /// `input_sizes`) and `slice_scatter` / `select_scatter` (`self` copied, then `src`
    /// over its view).
    pub(super) fn place_into_view(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let (shape, dt) = self.result_info(op, 0)?;
        let select = base.starts_with("select");
        let whole = View {
            shape: shape.clone(),
            map: Map::identity(&shape),
        };
        let view = self.sliced(op, whole, select)?;
        let mut parts = Vec::new();
        let inner = if base.ends_with("_scatter") {
            parts.push((self.operand(op, "self")?, Map::identity(&shape)));
            self.operand(op, "src")?
        } else {
            self.operand(op, "grad_output")?
        };
        if inner.shape != view.shape {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': the placed tensor has shape {:?}, its view {:?}",
                    inner.shape, view.shape
                ),
            ));
        }
        if !view.shape.contains(&0) {
            parts.push((inner, view.map));
        }
        let node = self.push(
            NodeKind::Place {
                fill: 0.0,
                parts,
                accumulate: false,
            },
            shape,
            dt,
            src,
        );
        Ok(vec![self.whole(node)])
    }
}
