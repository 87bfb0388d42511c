//! `_embedding_bag` and `_embedding_bag_backward` with the interpreter's semantics (modes
//! sum, mean and max, `offsets` with or without `include_last_offset`,
//! `per_sample_weights`, `padding_idx`, `scale_grad_by_freq`), each result one
//! `linalg.generic` reading with `tensor.extract`.
//!
//! Index `k` belongs to bag `b` when `offsets[b] <= k < end(b)`, `end(b)` being
//! `offsets[b + 1]` or, for the last offset, the number of indices: with non-decreasing
//! offsets that is the interpreter's "last bag starting at or before `k`", so a bag is a
//! reduction over the indices filtered by that test ([`member`]) rather than a loop over
//! bags computed per index. Sums accumulate in `f64` and a mean divides the `f64` sum by
//! the bag's count before rounding once, as the interpreter does. A max bag keeps the
//! first index whose row reaches the maximum (NaN weights aside, which the interpreter
//! keeps when they come first).

use super::indexed::IndexedBody;
use super::indexed::{Operand, indexed};
use super::{Arith, Body, Cmp, LResult, Lowerer, Number, tensor_ty};
use crate::types::TensorTy;
use joinery_aten::args::operand_group;
use joinery_ir::{DType, OpId};
use melior::dialect::arith::{self, CmpfPredicate, CmpiPredicate};
use melior::ir::Value;

/// The modes of `_embedding_bag`.
const SUM: i64 = 0;
const MEAN: i64 = 1;
const MAX: i64 = 2;

/// Whether index `k` (an `index`) belongs to bag `bag` (an `index`): `offsets` (of
/// `offsets_len` elements of `dtype`) says where each bag starts, `indices_len` is the
/// number of indices.
fn member<'c, 'x>(
    b: &Body<'c, 'x>,
    bag: Value<'c, 'x>,
    k: Value<'c, 'x>,
    offsets: (Value<'c, '_>, DType, u64),
    indices_len: u64,
) -> LResult<Value<'c, 'x>> {
    let (offsets, dtype, len) = offsets;
    let start = b.to_index(b.extract(offsets, dtype, &[bag])?);
    let next_bag = b.affine(bag, 1, 1);
    let next = b.to_index(b.extract(offsets, dtype, &[b.clamp_index(next_bag, len)])?);
    let has_next = b.push(arith::cmpi(
        b.mlir,
        CmpiPredicate::Slt,
        next_bag,
        b.index(len as i64),
        b.loc,
    ));
    let end = b.push(arith::select(
        has_next,
        next,
        b.index(indices_len as i64),
        b.loc,
    ));
    let after_start = b.push(arith::cmpi(b.mlir, CmpiPredicate::Sle, start, k, b.loc));
    let before_end = b.push(arith::cmpi(b.mlir, CmpiPredicate::Slt, k, end, b.loc));
    Ok(b.push(arith::andi(after_start, before_end, b.loc)))
}

/// `cond && index != padding` for an index element `index` (an `index`).
fn not_padding<'c, 'x>(
    b: &Body<'c, 'x>,
    cond: Value<'c, 'x>,
    index: Value<'c, 'x>,
    padding: i64,
) -> Value<'c, 'x> {
    let kept = b.push(arith::cmpi(
        b.mlir,
        CmpiPredicate::Ne,
        index,
        b.index(padding),
        b.loc,
    ));
    b.push(arith::andi(cond, kept, b.loc))
}

/// Whether `index` (an `index`) is the row of the result, loop dim 0, a backward's loop
/// nest is at.
pub(super) fn at_row<'c, 'x>(b: &Body<'c, 'x>, index: Value<'c, 'x>) -> LResult<Value<'c, 'x>> {
    Ok(b.push(arith::cmpi(
        b.mlir,
        CmpiPredicate::Eq,
        index,
        b.loop_index(0)?,
        b.loc,
    )))
}

/// `acc + (cond ? 1 : 0)` in the body's dtype.
pub(super) fn count_if<'c, 'x>(
    b: &Body<'c, 'x>,
    acc: Value<'c, 'x>,
    cond: Value<'c, 'x>,
) -> LResult<Value<'c, 'x>> {
    let one = b.select(Some(cond), Some(b.number(1.0)), Some(b.number(0.0)))?;
    b.arith(Arith::Add, &[Some(acc), Some(one)])
}

/// The integer and boolean arguments of an embedding bag op.
struct BagArgs {
    mode: i64,
    padding: i64,
    scale_grad_by_freq: bool,
}

impl BagArgs {
    fn of(lower: &Lowerer, op: OpId) -> LResult<BagArgs> {
        let int = |name: &str, default: i64| -> LResult<i64> {
            Ok(Number::arg(lower.ctx, op, name)?.map_or(default, Number::to_i64))
        };
        let mode = int("mode", SUM)?;
        if !(SUM..=MAX).contains(&mode) {
            return Err(format!("mode {mode} is not sum, mean or max"));
        }
        Ok(BagArgs {
            mode,
            padding: int("padding_idx", -1)?,
            scale_grad_by_freq: int("scale_grad_by_freq", 0)? != 0,
        })
    }
}

/// The operands saying which rows each bag reads.
struct BagOperands<'c, 'b> {
    indices: Value<'c, 'b>,
    indices_ty: TensorTy,
    /// `offsets`, its dtype and its length.
    offsets: (Value<'c, 'b>, DType, u64),
    /// The number of indices.
    n: u64,
    /// `per_sample_weights`, when given.
    psw: Option<(Value<'c, 'b>, TensorTy)>,
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// The `indices`, `offsets` and `per_sample_weights` of an embedding bag op.
    fn bag_operands(&self, op: OpId) -> LResult<BagOperands<'c, 'b>> {
        let (indices, indices_ty) = self.named_operand(op, "indices")?;
        let (offsets, offsets_ty) = self.named_operand(op, "offsets")?;
        let n = indices_ty
            .shape
            .first()
            .copied()
            .ok_or("indices are not a vector")?;
        Ok(BagOperands {
            indices,
            indices_ty,
            offsets: (offsets, offsets_ty.dtype, offsets_ty.shape.iter().product()),
            n,
            psw: self.optional_operand(op, "per_sample_weights")?,
        })
    }

    /// The optional tensor operand `name` of `op`, with its type.
    fn optional_operand(&self, op: OpId, name: &str) -> LResult<Option<(Value<'c, 'b>, TensorTy)>> {
        match operand_group(self.ctx, op, name)?[..] {
            [] => Ok(None),
            [v] => Ok(Some((self.value(v)?, tensor_ty(self.ctx, v)?))),
            _ => Err(format!("several operands '{name}'")),
        }
    }

    /// `out` (`[bags, d]`) from `per_row` (`f64`, `[bags, d]`) and the bags' `counts`
    /// (`[bags]`, of `counts_dtype`) by `body`.
    fn per_bag(
        &mut self,
        per_row: Value<'c, 'b>,
        counts: Value<'c, 'b>,
        counts_dtype: DType,
        out: &TensorTy,
        body: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let ins = [
            (per_row, DType::F64, vec![0, 1]),
            (counts, counts_dtype, vec![0]),
        ];
        let init = self.empty(out);
        self.generic_at(&ins, init, &[0, 1], &[false, false], out, body)
    }

    /// The number of indices of each bag that are not `padding` (reduction over the
    /// bags' indices), of type `ty` (`[bags]`).
    fn bag_counts(
        &mut self,
        indices: &Operand<'c, 'b>,
        offsets: (Value<'c, 'b>, DType, u64),
        n: u64,
        padding: i64,
        ty: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        // Loops: the bag, then the index.
        let body = indexed(move |b, args| {
            let hit = member(b, b.loop_index(0)?, b.loop_index(1)?, offsets, n)?;
            let hit = not_padding(b, hit, b.to_index(args[0]), padding);
            count_if(b, args[1], hit)
        });
        let (v, dtype, _) = *indices;
        let init = self.splat(Number::Int(0), ty);
        self.fold(&[(v, dtype, vec![1])], init, ty, &body)
    }

    /// `_embedding_bag(weight, indices, offsets, ..., per_sample_weights,
    /// include_last_offset, padding_idx)`: `(output, offset2bag, bag_size, max_indices)`
    /// as the interpreter computes them.
    pub(super) fn embedding_bag(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let args = BagArgs::of(self, op)?;
        let (weight, weight_ty) = self.named_operand(op, "weight")?;
        let BagOperands {
            indices,
            indices_ty,
            offsets: offsets_arg,
            n,
            psw,
        } = self.bag_operands(op)?;
        if psw.is_some() && args.mode != SUM {
            return Err("per_sample_weights only go with mode sum".into());
        }
        let [out_v, offset2bag_v, bag_size_v, max_indices_v] = ctx.results(op) else {
            return Err("_embedding_bag has four results".into());
        };
        let out_ty = tensor_ty(ctx, *out_v)?;
        let [bags, d] = out_ty.shape[..] else {
            return Err("the output is not a matrix".into());
        };
        let (offsets, aux, _) = offsets_arg;
        let counts_ty = TensorTy {
            shape: vec![bags],
            dtype: aux,
        };
        let index_operand = |dims: Vec<usize>| (indices, indices_ty.dtype, dims);
        let counts = self.bag_counts(
            &index_operand(vec![1]),
            offsets_arg,
            n,
            args.padding,
            &counts_ty,
        )?;
        let wide = TensorTy {
            shape: vec![bags, d],
            dtype: DType::F64,
        };
        let weight_dtype = weight_ty.dtype;
        let padding = args.padding;
        // Loops of the bag reductions: the bag, the column, then the index.
        let out = if args.mode == MAX {
            let max_body = indexed(move |b, a| {
                let index = b.to_index(a[0]);
                let hit = member(b, b.loop_index(0)?, b.loop_index(2)?, offsets_arg, n)?;
                let hit = not_padding(b, hit, index, padding);
                let v = b.extract(weight, weight_dtype, &[index, b.loop_index(1)?])?;
                let v = b.as_compute(v, weight_dtype);
                let greater = b.push(arith::cmpf(b.mlir, CmpfPredicate::Ogt, v, a[1], b.loc));
                let take = b.push(arith::andi(hit, greater, b.loc));
                b.select(Some(take), Some(v), Some(a[1]))
            });
            let init = self.splat(Number::Float(f64::NEG_INFINITY), &wide);
            let maxima = self.fold(&[index_operand(vec![2])], init, &wide, &max_body)?;
            let arg_ty = tensor_ty(ctx, *max_indices_v)?;
            let arg_body = indexed(move |b, a| {
                let index = b.to_index(a[0]);
                let hit = member(b, b.loop_index(0)?, b.loop_index(2)?, offsets_arg, n)?;
                let hit = not_padding(b, hit, index, padding);
                let v = b.extract(weight, weight_dtype, &[index, b.loop_index(1)?])?;
                let f = b.with_dtype(DType::F64);
                let at_max = f.compare_values(Cmp::Eq, f.as_compute(v, weight_dtype), a[1])?;
                let unset = b.compare_values(Cmp::Lt, a[2], b.number(0.0))?;
                let take = b.push(arith::andi(hit, at_max, b.loc));
                let take = b.push(arith::andi(take, unset, b.loc));
                let index = b.as_compute(a[0], indices_ty.dtype);
                b.select(Some(take), Some(index), Some(a[2]))
            });
            let init = self.splat(Number::Int(-1), &arg_ty);
            let first = self.fold(
                &[index_operand(vec![2]), (maxima, DType::F64, vec![0, 1])],
                init,
                &arg_ty,
                &arg_body,
            )?;
            let clamp = indexed(|b, a| b.arith(Arith::Max, &[Some(a[0]), Some(b.number(0.0))]));
            let arg = self.parallel_at(&[(first, aux)], &arg_ty, &clamp)?;
            self.values.insert(*max_indices_v, arg);
            // An empty bag holds zeros.
            let empty_is_zero = indexed(move |b, a| {
                let f = b.with_dtype(DType::F64);
                let filled = f.compare_values(Cmp::Gt, f.as_compute(a[1], aux), f.number(0.0))?;
                Ok(b.as_compute(f.or_zero(filled, a[0])?, DType::F64))
            });
            self.per_bag(maxima, counts, aux, &out_ty, &empty_is_zero)?
        } else {
            let psw_dtype = psw.as_ref().map(|(_, t)| t.dtype);
            let sum_body = indexed(move |b, a| {
                let index = b.to_index(a[0]);
                let hit = member(b, b.loop_index(0)?, b.loop_index(2)?, offsets_arg, n)?;
                let hit = not_padding(b, hit, index, padding);
                let v = b.extract(weight, weight_dtype, &[index, b.loop_index(1)?])?;
                let mut v = b.as_compute(v, weight_dtype);
                let mut acc = a[1];
                if let Some(dtype) = psw_dtype {
                    v = b.arith(Arith::Mul, &[Some(v), Some(b.as_compute(a[1], dtype))])?;
                    acc = a[2];
                }
                let term = b.or_zero(hit, v)?;
                b.arith(Arith::Add, &[Some(acc), Some(term)])
            });
            let mut ins = vec![index_operand(vec![2])];
            if let Some((w, t)) = &psw {
                ins.push((*w, t.dtype, vec![2]));
            }
            let init = self.splat(Number::Float(0.0), &wide);
            let sums = self.fold(&ins, init, &wide, &sum_body)?;
            if args.mode == MEAN {
                let mean = indexed(move |b, a| {
                    let f = b.with_dtype(DType::F64);
                    let count = f.as_compute(a[1], aux);
                    let filled = f.compare_values(Cmp::Gt, count, f.number(0.0))?;
                    let quotient = f.arith(Arith::Div, &[Some(a[0]), Some(count)])?;
                    let mean = f.select(Some(filled), Some(quotient), Some(a[0]))?;
                    Ok(b.as_compute(mean, DType::F64))
                });
                self.per_bag(sums, counts, aux, &out_ty, &mean)?
            } else {
                self.convert(sums, &wide, &out_ty)?
            }
        };
        self.values.insert(*out_v, out);
        let offset2bag_ty = tensor_ty(ctx, *offset2bag_v)?;
        let offset2bag = if offset2bag_ty.shape.iter().product::<u64>() == 0 {
            self.empty(&offset2bag_ty)
        } else {
            // The bag of index `k`: the offsets at or before it, less one (at least 0).
            let body = indexed(move |b, a| {
                let start = b.to_index(a[0]);
                let before = b.push(arith::cmpi(
                    b.mlir,
                    CmpiPredicate::Sle,
                    start,
                    b.loop_index(0)?,
                    b.loc,
                ));
                count_if(b, a[1], before)
            });
            let init = self.splat(Number::Int(-1), &offset2bag_ty);
            let counted = self.fold(&[(offsets, aux, vec![1])], init, &offset2bag_ty, &body)?;
            let clamp = indexed(|b, a| b.arith(Arith::Max, &[Some(a[0]), Some(b.number(0.0))]));
            self.parallel_at(&[(counted, aux)], &offset2bag_ty, &clamp)?
        };
        self.values.insert(*offset2bag_v, offset2bag);
        let bag_size_ty = tensor_ty(ctx, *bag_size_v)?;
        let bag_size = if args.mode == SUM {
            self.splat(Number::Int(0), &bag_size_ty)
        } else {
            counts
        };
        self.values.insert(*bag_size_v, bag_size);
        if args.mode != MAX {
            let max_indices_ty = tensor_ty(ctx, *max_indices_v)?;
            let max_indices = if args.mode == MEAN {
                counts
            } else {
                self.splat(Number::Int(0), &max_indices_ty)
            };
            self.values.insert(*max_indices_v, max_indices);
        }
        Ok(())
    }

    /// `_embedding_bag_backward(grad, indices, offsets, offset2bag, bag_size,
    /// maximum_indices, num_weights, scale_grad_by_freq, mode, sparse, per_sample_weights,
    /// padding_idx)` (dense): each bag's gradient back to the rows it read, as the
    /// interpreter computes it.
    pub(super) fn embedding_bag_backward(
        &mut self,
        op: OpId,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let args = BagArgs::of(self, op)?;
        let (grad, grad_ty) = self.named_operand(op, "grad")?;
        let (bag_size, bag_size_ty) = self.named_operand(op, "bag_size")?;
        let wide = TensorTy {
            shape: out.shape.clone(),
            dtype: DType::F64,
        };
        let grad_dtype = grad_ty.dtype;
        let init = self.splat(Number::Float(0.0), &wide);
        let sizes_dtype = bag_size_ty.dtype;
        if args.mode == MAX {
            // Loops: the row, the column, then the bag.
            let (arg, arg_ty) = self.named_operand(op, "maximum_indices")?;
            let body = indexed(move |b, a| {
                let sizes = b.with_dtype(sizes_dtype);
                let filled = sizes.compare_values(Cmp::Ne, a[2], sizes.number(0.0))?;
                let hit = at_row(b, b.to_index(a[1]))?;
                let hit = b.push(arith::andi(hit, filled, b.loc));
                let g = b.or_zero(hit, b.as_compute(a[0], grad_dtype))?;
                b.arith(Arith::Add, &[Some(a[3]), Some(g)])
            });
            let sums = self.fold(
                &[
                    (grad, grad_dtype, vec![2, 1]),
                    (arg, arg_ty.dtype, vec![2, 1]),
                    (bag_size, sizes_dtype, vec![2]),
                ],
                init,
                &wide,
                &body,
            )?;
            return self.convert(sums, &wide, out);
        }
        let BagOperands {
            indices,
            indices_ty,
            offsets: offsets_arg,
            n,
            psw,
        } = self.bag_operands(op)?;
        let rows = out.shape[0];
        let freq = if args.scale_grad_by_freq {
            // How often each row is indexed (every index, as the interpreter counts).
            let ty = TensorTy {
                shape: vec![rows],
                dtype: DType::F64,
            };
            let body = indexed(|b, a| {
                let hit = at_row(b, b.to_index(a[0]))?;
                count_if(b, a[1], hit)
            });
            let init = self.splat(Number::Float(0.0), &ty);
            Some(self.fold(&[(indices, indices_ty.dtype, vec![1])], init, &ty, &body)?)
        } else {
            None
        };
        let (mode, padding) = (args.mode, args.padding);
        let psw_dtype = psw.as_ref().map(|(_, t)| t.dtype);
        let has_freq = freq.is_some();
        let indices_dtype = indices_ty.dtype;
        // Loops: the row, the column, the bag, then the index; inputs: grad, bag_size,
        // indices, then per_sample_weights and the frequencies when present.
        let body = indexed(move |b, a| {
            let index = b.to_index(a[2]);
            let hit = member(b, b.loop_index(2)?, b.loop_index(3)?, offsets_arg, n)?;
            let hit = not_padding(b, hit, index, padding);
            let hit = b.push(arith::andi(hit, at_row(b, index)?, b.loc));
            let mut next = 3;
            let mut scale = b.number(1.0);
            if let Some(dtype) = psw_dtype {
                scale = b.as_compute(a[next], dtype);
                next += 1;
            }
            if mode == MEAN {
                let size = b.as_compute(a[1], sizes_dtype);
                let size = b.arith(Arith::Max, &[Some(size), Some(b.number(1.0))])?;
                scale = b.arith(Arith::Div, &[Some(scale), Some(size)])?;
            }
            if has_freq {
                scale = b.arith(Arith::Div, &[Some(scale), Some(a[next])])?;
                next += 1;
            }
            let g = b.arith(
                Arith::Mul,
                &[Some(b.as_compute(a[0], grad_dtype)), Some(scale)],
            )?;
            let g = b.or_zero(hit, g)?;
            b.arith(Arith::Add, &[Some(a[next]), Some(g)])
        });
        let mut ins = vec![
            (grad, grad_dtype, vec![2, 1]),
            (bag_size, sizes_dtype, vec![2]),
            (indices, indices_dtype, vec![3]),
        ];
        if let Some((w, t)) = &psw {
            ins.push((*w, t.dtype, vec![3]));
        }
        if let Some(f) = freq {
            ins.push((f, DType::F64, vec![0]));
        }
        let sums = self.fold(&ins, init, &wide, &body)?;
        self.convert(sums, &wide, out)
    }
}
