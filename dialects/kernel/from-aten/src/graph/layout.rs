//! Ops that move elements without arithmetic, on strided views and placements:
//!
//! - `slice` / `select` views, and `flip` as a view with negated strides (its offset moved
//!   to the last element of each flipped dim);
//! - `constant_pad_nd`: the (cropped) input placed into a buffer filled with the pad value;
//!   a negative pad crops, a positive one pads, per side;
//! - `slice_backward` / `select_backward`: the gradient placed into its slice of a zero
//!   buffer; `slice_scatter` / `select_scatter`: `self` copied, then `src` over its slice;
//! - `diagonal` and `as_strided` as views (`as_strided` of a contiguous copy when its input
//!   is not one), `as_strided_scatter` as a placement over that view, `repeat` as a copy of
//!   a view with zero strides;
//! - `reflection_padNd` / `replication_padNd`: per dim, the input and its mirrored or
//!   repeated edge views placed side by side.

use super::{Builder, Map, NodeKind, Operand, err, norm_dim};
use joinery_aten::ArgValue;
use joinery_ir::{DType, Diagnostic, OpId};

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
    /// The `(before, after)` pads of attribute `name` (last dim first, as PyTorch lists
    /// them): an even count covering at most `rank` dims.
    fn pad_pairs(
        &self,
        op: OpId,
        name: &str,
        rank: usize,
        src: &str,
    ) -> Result<Vec<i64>, Diagnostic> {
        let pad = self.ints_attr(op, name)?;
        if pad.len() % 2 != 0 || pad.len() > 2 * rank {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': {name} holds {} values; it needs pairs for at most {rank} dims",
                    pad.len()
                ),
            ));
        }
        Ok(pad)
    }

    /// A node of `shape` filled with `fill`, each part then copied into it through its map.
    fn placed(
        &mut self,
        fill: f64,
        parts: Vec<(Operand, Map)>,
        shape: Vec<u64>,
        dt: DType,
        src: &str,
    ) -> Operand {
        let node = self.push(
            NodeKind::Place {
                fill: Some(fill),
                parts,
                accumulate: false,
            },
            shape,
            dt,
            src,
        );
        self.whole(node)
    }

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
        // Unlike a reduction's, an empty `dims` flips nothing.
        let mut dims = Vec::new();
        for d in self.ints_attr(op, "dims")? {
            dims.push(super::norm_dim(self.ctx, op, d, x.shape.len())?);
        }
        dims.sort_unstable();
        dims.dedup();
        for d in dims {
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
        let rank = x.shape.len();
        let pad = self.pad_pairs(op, "pad", rank, src)?;
        let value = self.f64_attr(op, "value")?;
        let (shape, dt) = self.result_info(op, 0)?;
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
        Ok(vec![self.placed(value, parts, shape, dt, src)])
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
        Ok(vec![self.placed(0.0, parts, shape, dt, src)])
    }
}

impl Builder<'_> {
    /// `diagonal(x, offset, dim1, dim2)`: a view dropping `dim1` and `dim2` for a last dim
    /// stepping along both at once, from `(0, offset)` (or `(-offset, 0)`).
    pub(super) fn diagonal(&self, op: OpId) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let rank = x.shape.len();
        let d1 = norm_dim(self.ctx, op, self.int_attr(op, "dim1")?, rank)?;
        let d2 = norm_dim(self.ctx, op, self.int_attr(op, "dim2")?, rank)?;
        if d1 == d2 {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{}': the diagonal's dims must differ (both are {d1})",
                    self.ctx.name_str(op)
                ),
            ));
        }
        let offset = self.int_attr(op, "offset")?;
        let (start1, start2) = if offset >= 0 {
            (0, offset)
        } else {
            (-offset, 0)
        };
        let len = (x.shape[d1] as i64 - start1)
            .min(x.shape[d2] as i64 - start2)
            .max(0);
        let (s1, s2) = (x.map.strides[d1], x.map.strides[d2]);
        let mut o = x.clone();
        if len > 0 {
            o.map.offset += start1 * s1 + start2 * s2;
        }
        for d in [d1.max(d2), d1.min(d2)] {
            o.shape.remove(d);
            o.map.strides.remove(d);
        }
        o.shape.push(len as u64);
        o.map.strides.push(s1 + s2);
        Ok(o)
    }

    /// The `size`, `stride` and `storage_offset` of an `as_strided` (or its scatter) over
    /// a contiguous tensor of `numel` elements, as a map; an element outside the tensor,
    /// a negative stride or a length mismatch is an error at `op`.
    fn strided_map(&self, op: OpId, numel: u64) -> Result<(Vec<u64>, Map), Diagnostic> {
        let name = self.ctx.name_str(op);
        let size = self.ints_attr(op, "size")?;
        let stride = self.ints_attr(op, "stride")?;
        let offset = self.opt_int_attr(op, "storage_offset")?.unwrap_or(0);
        if size.len() != stride.len() {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{name}': {} sizes but {} strides",
                    size.len(),
                    stride.len()
                ),
            ));
        }
        if size.iter().chain(&stride).any(|&v| v < 0) || offset < 0 {
            return Err(err(
                self.ctx,
                op,
                format!("'{name}': negative sizes, strides or offset are not supported"),
            ));
        }
        let shape: Vec<u64> = size.iter().map(|&s| s as u64).collect();
        if !shape.contains(&0) {
            let last = offset
                + size
                    .iter()
                    .zip(&stride)
                    .map(|(n, s)| (n - 1) * s)
                    .sum::<i64>();
            if last as u64 >= numel {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{name}': the view reaches element {last} of a tensor of {numel} \
                         elements"
                    ),
                ));
            }
        }
        Ok((
            shape,
            Map {
                offset,
                strides: stride,
            },
        ))
    }

    /// `o` itself when it reads its buffer contiguously from the start, else a copy that
    /// does (the storage an `as_strided` indexes).
    pub(super) fn dense(&mut self, o: &Operand, source: &str) -> Operand {
        if o.map == Map::identity(&o.shape) {
            o.clone()
        } else {
            self.copy(o, source)
        }
    }

    /// `as_strided(x, size, stride, storage_offset)`: a view of `x`'s elements in
    /// row-major order.
    pub(super) fn as_strided(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let (shape, map) = self.strided_map(op, x.shape.iter().product())?;
        let x = self.dense(&x, src);
        Ok(Operand {
            node: x.node,
            shape,
            map,
        })
    }

    /// `as_strided_scatter(self, src, ...)`: `self` copied, then `src` placed over the
    /// `as_strided` view of the copy.
    pub(super) fn as_strided_scatter(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let (shape, dt) = self.result_info(op, 0)?;
        let (view, map) = self.strided_map(op, shape.iter().product())?;
        let inner = self.operand(op, "src")?;
        if inner.shape != view {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': the placed tensor has shape {:?}, its view {view:?}",
                    inner.shape
                ),
            ));
        }
        if !distinct_places(&view, &map.strides) {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': the view (size {view:?}, stride {:?}) reaches some places more \
                     than once; the native backend places only views whose places are distinct",
                    map.strides
                ),
            ));
        }
        let mut parts = vec![(self.operand(op, "self")?, Map::identity(&shape))];
        if !view.contains(&0) {
            parts.push((inner, map));
        }
        Ok(vec![self.placed(0.0, parts, shape, dt, src)])
    }

    /// `repeat(x, repeats)`: `x` (with leading dims of 1 added) viewed as
    /// `[r0, s0, r1, s1, ...]` with zero strides on the repeats, copied into the
    /// `[r0 * s0, r1 * s1, ...]` result.
    pub(super) fn repeat(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "self")?;
        let repeats = self.ints_attr(op, "repeats")?;
        let rank = x.shape.len();
        if repeats.len() < rank || repeats.iter().any(|&r| r < 0) {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'{src}': {} repeats for {rank} dims; each must be at least 0",
                    repeats.len()
                ),
            ));
        }
        let lead = repeats.len() - rank;
        let mut shape = Vec::new();
        let mut strides = Vec::new();
        for (i, &r) in repeats.iter().enumerate() {
            let (size, stride) = if i < lead {
                (1, 0)
            } else {
                (x.shape[i - lead], x.map.strides[i - lead])
            };
            shape.extend([r as u64, size]);
            strides.extend([0, stride]);
        }
        let view = Operand {
            node: x.node,
            shape,
            map: Map {
                offset: x.map.offset,
                strides,
            },
        };
        let (out, _) = self.result_info(op, 0)?;
        let copy = self.copy(&view, src);
        Ok(self.reshape(&copy, &out, src))
    }

    /// `reflection_padNd` (`reflect`) and `replication_padNd`: `padding` holds (before,
    /// after) pairs from the last dim backwards; each padded dim is one placement of the
    /// input and of its mirrored (`x[before - j]`, `x[n - 2 - j]`) or repeated edge
    /// (`x[0]`, `x[n - 1]`) views.
    pub(super) fn edge_pad(
        &mut self,
        op: OpId,
        reflect: bool,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let mut x = self.operand(op, "self")?;
        let rank = x.shape.len();
        let pad = self.pad_pairs(op, "padding", rank, src)?;
        let dt = self.dtype(&x);
        for (i, pair) in pad.chunks(2).enumerate() {
            let d = rank - 1 - i;
            let (before, after) = (pair[0], pair[1]);
            let n = x.shape[d] as i64;
            // Reflection mirrors about the edge element, so needs more elements than pad;
            // replication needs an edge element.
            let fits = if reflect {
                before.max(after) < n
            } else {
                n > 0 || before.max(after) == 0
            };
            if before < 0 || after < 0 || !fits {
                return Err(err(
                    self.ctx,
                    op,
                    format!(
                        "'{src}': padding ({before}, {after}) of dim {d} of size {n} is out \
                         of range"
                    ),
                ));
            }
            if before == 0 && after == 0 {
                continue;
            }
            let s = x.map.strides[d];
            let mut shape = x.shape.clone();
            shape[d] = (n + before + after) as u64;
            let at = |start: i64| {
                let mut m = Map::identity(&shape);
                m.offset += start * m.strides[d];
                m
            };
            let mut first = x.clone();
            first.shape[d] = before as u64;
            let mut last = x.clone();
            last.shape[d] = after as u64;
            if reflect {
                first.map.offset += before * s;
                last.map.offset += (n - 2) * s;
                first.map.strides[d] = -s;
                last.map.strides[d] = -s;
            } else {
                last.map.offset += (n - 1) * s;
                first.map.strides[d] = 0;
                last.map.strides[d] = 0;
            }
            let parts = [
                (x.clone(), at(before)),
                (first, at(0)),
                (last, at(before + n)),
            ]
            .into_iter()
            .filter(|(o, _)| !o.shape.contains(&0))
            .collect();
            x = self.placed(0.0, parts, shape, dt, src);
        }
        Ok(x)
    }
}

/// Whether a view of `shape` with non-negative `strides` reaches each place once: taken by
/// increasing stride, each dim of more than one element steps past every place the dims
/// before it reach. (Interleaved views that are still one-to-one count as overlapping.)
fn distinct_places(shape: &[u64], strides: &[i64]) -> bool {
    let mut dims: Vec<(i64, u64)> = strides
        .iter()
        .copied()
        .zip(shape.iter().copied())
        .filter(|&(_, n)| n > 1)
        .collect();
    dims.sort_unstable();
    let mut reach: i64 = 0;
    for (stride, n) in dims {
        if stride <= reach {
            return false;
        }
        reach = reach.saturating_add(stride.saturating_mul(n as i64 - 1));
    }
    true
}
