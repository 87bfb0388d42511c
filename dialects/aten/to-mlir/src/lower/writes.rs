//! Ops that write source elements into places of a base tensor computed from the
//! sources' places: `scatter_reduce.two`, `index_put` without `accumulate`,
//! `as_strided_scatter` and `masked_scatter`.
//!
//! A place of the result is a reduction over the source places that write it, as
//! `scatter_add` and `index_put` with `accumulate` are. Where the last write wins (in the
//! order the interpreter scans the sources, row-major), MLIR's reductions keep no order,
//! so the largest writing source place is found first ([`Lowerer::last_writer`], a max
//! reduction) and then read ([`Lowerer::write_last`]). A source place the interpreter
//! refuses (an index out of range, a mask with more places than the source has elements)
//! is clamped into range, as `index.Tensor` does, so no read is out of bounds.

use super::indexed::{IndexedBody, Scatter, indexed};
use super::reads::StridedView;
use super::{Arith, Body, LResult, Lowerer, Number};
use crate::types::{TensorTy, element};
use joinery_aten::args::{ArgValue, attr_or_default};
use joinery_ir::{DType, OpId};
use melior::dialect::arith::{self, CmpiPredicate};
use melior::ir::Value;

/// The row-major flat place of `places` in a box of `extents`, as an `index`.
fn flat_place<'c, 'x>(
    b: &Body<'c, 'x>,
    places: &[Value<'c, 'x>],
    extents: &[u64],
) -> Value<'c, 'x> {
    let mut flat = b.index(0);
    for (&p, &e) in places.iter().zip(extents) {
        let scaled = b.affine(flat, e as i64, 0);
        flat = b.push(arith::addi(scaled, p, b.loc));
    }
    flat
}

/// The places in a box of `extents` of row-major flat place `flat` (an `index`).
fn unravel<'c, 'x>(b: &Body<'c, 'x>, flat: Value<'c, 'x>, extents: &[u64]) -> Vec<Value<'c, 'x>> {
    let mut rest = flat;
    let mut places: Vec<Value> = extents
        .iter()
        .rev()
        .map(|&e| {
            let e = b.index(e as i64);
            let place = b.push(arith::remsi(rest, e, b.loc));
            rest = b.push(arith::divsi(rest, e, b.loc));
            place
        })
        .collect();
    places.reverse();
    places
}

/// The loop indices `first..first + count`.
fn loop_indices<'c, 'x>(
    b: &Body<'c, 'x>,
    first: usize,
    count: usize,
) -> LResult<Vec<Value<'c, 'x>>> {
    (first..first + count).map(|d| b.loop_index(d)).collect()
}

/// `v predicate with` for an `i64` body value `v`, as `i1`.
fn compare_i64<'c, 'x>(
    b: &Body<'c, 'x>,
    predicate: CmpiPredicate,
    v: Value<'c, 'x>,
    with: i64,
) -> Value<'c, 'x> {
    let with = super::scalar_constant(b.mlir, b.block, b.loc, Number::Int(with), DType::I64);
    b.push(arith::cmpi(b.mlir, predicate, v, with, b.loc))
}

/// The `i64` constant 1.
fn one_i64<'c, 'x>(b: &Body<'c, 'x>) -> Value<'c, 'x> {
    super::scalar_constant(b.mlir, b.block, b.loc, Number::Int(1), DType::I64)
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// For each place of a result of `shape`, the row-major flat place (an `i64`, -1 when
    /// none) of the last place of a box of `sources` extents for which `hit` holds: a max
    /// reduction whose loop dims are the result's, then the sources' (`hit` gets the
    /// source places and may read the result's with `linalg.index`).
    pub(super) fn last_writer(
        &mut self,
        shape: &[u64],
        sources: &[u64],
        hit: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let rank = shape.len();
        let last_ty = TensorTy {
            shape: shape.to_vec(),
            dtype: DType::I64,
        };
        let extents = sources.to_vec();
        let find = indexed(move |b, args| {
            let places = loop_indices(b, rank, extents.len())?;
            let q = flat_place(b, &places, &extents);
            let q = b.push(arith::index_cast(q, element(b.mlir, DType::I64), b.loc));
            let later = b.arith(Arith::Max, &[Some(args[1]), Some(q)])?;
            b.select(Some(hit(b, &places)?), Some(later), Some(args[1]))
        });
        let none = self.splat(Number::Int(-1), &last_ty);
        let along = self.extents(sources.to_vec(), rank);
        self.fold(&[along], none, &last_ty, &find)
    }

    /// `base` (of type `out`) with each place whose [`Lowerer::last_writer`] is a source
    /// place `q` replaced by `read(q)` (`q` a non-negative flat `index`, given as the one
    /// element of the slice; the value in `out`'s dtype).
    pub(super) fn write_last(
        &mut self,
        last: Value<'c, 'b>,
        base: Value<'c, 'b>,
        out: &TensorTy,
        read: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let rank = out.rank();
        let all: Vec<usize> = (0..rank).collect();
        let write = indexed(move |b, args| {
            let found = compare_i64(b, CmpiPredicate::Sge, args[0], 0);
            let q = b.push(arith::maxsi(b.to_index(args[0]), b.index(0), b.loc));
            let v = read(b, &[q])?;
            b.select(Some(found), Some(v), Some(args[1]))
        });
        self.generic_at(
            &[(last, DType::I64, all.clone())],
            base,
            &all,
            &vec![false; rank],
            out,
            &write,
        )
    }

    /// `scatter_reduce.two(self, dim, index, src, reduce, include_self)`: each place `p`
    /// combines (`sum`, `prod`, `mean`, `amax`, `amin`; NaN wins the extrema) the `src[q]`
    /// whose `index[q]` is `p[dim]`, starting from `self[p]` with `include_self` or from
    /// the reduction's identity; a place no source writes keeps `self`. The values fold in
    /// `f64` (integers in their dtype) next to a count of the writes, and `mean` divides by
    /// the count (plus one with `include_self`; integers round down) before rounding once.
    pub(super) fn scatter_reduce(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let (x, _) = self.named_operand(op, "self")?;
        let (index, index_ty) = self.named_operand(op, "index")?;
        let (src, src_ty) = self.named_operand(op, "src")?;
        let dim = self.dim_arg(op, out)?;
        let rank = out.rank();
        if index_ty.rank() != rank || src_ty.rank() != rank {
            return Err("index and src of another rank than self".into());
        }
        let ArgValue::Str(reduce) = attr_or_default(ctx, op, "reduce")? else {
            return Err("reduce is not a string".into());
        };
        let include_self = Number::arg(ctx, op, "include_self")?.is_none_or(|n| n.to_i64() != 0);
        let dtype = out.dtype;
        let wide = if dtype.is_float() { DType::F64 } else { dtype };
        let (combine, identity) = match reduce.as_str() {
            "sum" | "mean" => (Arith::Add, Number::Int(0)),
            "prod" => (Arith::Mul, Number::Int(1)),
            "amax" => (Arith::Max, extreme_identity(dtype, false)?),
            "amin" => (Arith::Min, extreme_identity(dtype, true)?),
            other => return Err(format!("reduce '{other}'")),
        };
        let place = Scatter {
            index,
            index_ty: index_ty.clone(),
            dim,
            rank,
        };
        let along = self.extents(vec![index_ty.shape[dim]], rank);
        let wide_ty = TensorTy {
            shape: out.shape.clone(),
            dtype: wide,
        };
        let init = if include_self {
            self.convert(x, out, &wide_ty)?
        } else {
            self.splat(identity, &wide_ty)
        };
        let finder = place.clone();
        let fold_values = indexed(move |b, args| {
            let (coords, hit) = finder.at(b, b.loop_index(rank)?)?;
            let v = b.as_compute(b.extract(src, src_ty.dtype, &coords)?, src_ty.dtype);
            let combined = b.arith(combine, &[Some(args[1]), Some(v)])?;
            b.select(Some(hit), Some(combined), Some(args[1]))
        });
        let values = self.fold(std::slice::from_ref(&along), init, &wide_ty, &fold_values)?;
        let count_ty = TensorTy {
            shape: out.shape.clone(),
            dtype: DType::I64,
        };
        let count_writes = indexed(move |b, args| {
            let (_, hit) = place.at(b, b.loop_index(rank)?)?;
            super::bag::count_if(b, args[1], hit)
        });
        let zeros = self.splat(Number::Int(0), &count_ty);
        let counts = self.fold(&[along], zeros, &count_ty, &count_writes)?;
        let mean = reduce == "mean";
        let finish = indexed(move |b, args| {
            let (value, count, base) = (args[0], args[1], args[2]);
            let w = b.with_dtype(wide);
            let value = if mean {
                let one = i64::from(include_self);
                let one =
                    super::scalar_constant(b.mlir, b.block, b.loc, Number::Int(one), DType::I64);
                let n = b.push(arith::addi(count, one, b.loc));
                // A place nobody writes keeps `self`: divide it by 1, not by 0.
                let n = b.push(arith::maxsi(n, one_i64(b), b.loc));
                let n = super::cast(b.mlir, b.block, b.loc, n, DType::I64, wide);
                if wide.is_float() {
                    w.arith(Arith::Div, &[Some(value), Some(n)])?
                } else {
                    b.push(arith::floordivsi(value, n, b.loc))
                }
            } else {
                value
            };
            let value = super::cast(b.mlir, b.block, b.loc, value, wide, b.dtype);
            let written = compare_i64(b, CmpiPredicate::Sgt, count, 0);
            b.select(Some(written), Some(value), Some(base))
        });
        self.parallel_at(
            &[(values, wide), (counts, DType::I64), (x, dtype)],
            out,
            &finish,
        )
    }

    /// `index_put` / `_unsafe_index_put(self, indices, values)` without `accumulate`: each
    /// place of `self` takes the `values` element (broadcast to the indexed shape) of the
    /// last index place pointing at it, in the interpreter's row-major order.
    pub(super) fn index_put_last(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (values, values_ty) = self.named_operand(op, "values")?;
        let indices = self.indices(op)?;
        let (lead, broadcast) = (indices.lead, indices.broadcast);
        let mut places = vec![1u64; broadcast];
        for (_, _, ty) in &indices.present {
            for (j, &e) in ty.shape.iter().enumerate() {
                let slot = &mut places[broadcast - ty.rank() + j];
                *slot = (*slot).max(e);
            }
        }
        let indexed_rank = indices.sliced.len() + broadcast;
        if values_ty.rank() > indexed_rank {
            return Err("values of a higher rank than the indexed shape".into());
        }
        let sliced = indices.sliced.clone();
        let hit = indexed(move |b, q| indices.hit(b, &x_ty, &|d| Ok(q[d - lead])));
        let last = self.last_writer(&out.shape, &places, &hit)?;
        let read = indexed(move |b, q| {
            // The place in the indexed shape (the sliced dims before the index places,
            // the index place, the other sliced dims); `values` aligned with its end.
            let sliced_at = |dims: &[usize]| -> LResult<Vec<Value>> {
                dims.iter().map(|&d| b.loop_index(d)).collect()
            };
            let mut coords = sliced_at(&sliced[..lead])?;
            coords.extend(unravel(b, q[0], &places));
            coords.extend(sliced_at(&sliced[lead..])?);
            let skip = indexed_rank - values_ty.rank();
            let coords: Vec<Value> = coords[skip..]
                .iter()
                .zip(&values_ty.shape)
                .map(|(&c, &e)| if e == 1 { b.index(0) } else { c })
                .collect();
            let v = b.extract(values, values_ty.dtype, &coords)?;
            Ok(b.as_compute(v, values_ty.dtype))
        });
        self.write_last(last, x, out, &read)
    }

    /// `as_strided_scatter(self, src, size, stride, storage_offset)`: `self` with the
    /// places of its row-major storage that the `as_strided` view reads taking `src`'s
    /// elements, the last of several writes to one place winning.
    pub(super) fn as_strided_scatter(
        &mut self,
        op: OpId,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let (x, _) = self.named_operand(op, "self")?;
        let (src, src_ty) = self.named_operand(op, "src")?;
        let view = StridedView::of(self, op, src_ty.rank())?;
        let rank = out.rank();
        let shape = out.shape.clone();
        let hit = indexed(move |b, q| {
            let place = flat_place(b, &loop_indices(b, 0, rank)?, &shape);
            let at = view.storage_place(b, q);
            Ok(b.push(arith::cmpi(b.mlir, CmpiPredicate::Eq, at, place, b.loc)))
        });
        let last = self.last_writer(&out.shape, &src_ty.shape, &hit)?;
        let (storage, storage_ty) = self.storage(src, &src_ty);
        let read = indexed(move |b, q| {
            let v = b.extract(storage, storage_ty.dtype, q)?;
            Ok(b.as_compute(v, storage_ty.dtype))
        });
        self.write_last(last, x, out, &read)
    }

    /// `masked_scatter(self, mask, source)`: over the broadcast shape, row-major, the
    /// `k`-th place where `mask` holds takes `source`'s `k`-th element and the others
    /// keep `self`; `k` is the count of the mask's earlier places that hold (a prefix
    /// count, quadratic in the number of places).
    pub(super) fn masked_scatter(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (mask, mask_ty) = self.named_operand(op, "mask")?;
        let (source, source_ty) = self.named_operand(op, "source")?;
        let broadcast = |lower: &mut Self, v, ty: TensorTy, dtype| {
            let to = TensorTy {
                shape: out.shape.clone(),
                dtype,
            };
            let input = super::Input::Tensor(v, ty, super::Access::Broadcast);
            let v = lower.generic_pointwise(&[input], &to, dtype, &|b, v| b.get(v, 0))?;
            Ok::<_, String>(lower.storage(v, &to))
        };
        let (x, flat_ty) = broadcast(self, x, x_ty, out.dtype)?;
        let (taken, taken_ty) = broadcast(self, mask, mask_ty, DType::I64)?;
        let (source, source_ty) = self.storage(source, &source_ty);
        let available = source_ty.shape[0];
        if available == 0 {
            return Ok(self.reshape(x, out));
        }
        // Loops: the place, then the earlier places (reduced).
        let count_before = indexed(move |b, args| {
            let earlier = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Slt,
                b.loop_index(1)?,
                b.loop_index(0)?,
                b.loc,
            ));
            let taken = b.or_zero(earlier, args[0])?;
            b.arith(Arith::Add, &[Some(args[1]), Some(taken)])
        });
        let zeros = self.splat(Number::Int(0), &taken_ty);
        let before = self.fold(
            &[(taken, DType::I64, vec![1])],
            zeros,
            &taken_ty,
            &count_before,
        )?;
        let dtype = source_ty.dtype;
        let place = indexed(move |b, args| {
            let (taken, before, base) = (args[0], args[1], args[2]);
            let k = b.clamp_index(b.to_index(before), available);
            let v = b.as_compute(b.extract(source, dtype, &[k])?, dtype);
            let take = compare_i64(b, CmpiPredicate::Ne, taken, 0);
            b.select(Some(take), Some(v), Some(base))
        });
        let flat = self.parallel_at(
            &[(taken, DType::I64), (before, DType::I64), (x, out.dtype)],
            &flat_ty,
            &place,
        )?;
        Ok(self.reshape(flat, out))
    }
}

/// The identity of `amax` (the lowest value of `dtype`) or, with `amin`, of `amin` (the
/// highest).
fn extreme_identity(dtype: DType, amin: bool) -> LResult<Number> {
    let min = amin;
    let sign = if min { 1 } else { -1 };
    Ok(match dtype {
        d if d.is_float() => Number::Float(sign as f64 * f64::INFINITY),
        DType::I64 if min => Number::Int(i64::MAX),
        DType::I64 => Number::Int(i64::MIN),
        DType::I32 if min => Number::Int(i32::MAX.into()),
        DType::I32 => Number::Int(i32::MIN.into()),
        other => return Err(format!("amax or amin of a {} tensor", other.keyword())),
    })
}
