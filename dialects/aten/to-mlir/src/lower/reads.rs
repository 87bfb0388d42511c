//! Ops whose every result element is one element of `self` (or an interpolation of a few)
//! read at a place computed from the result's place: `index_select`, `repeat`, reflection
//! and replication padding, nearest and bilinear upsampling, `diagonal` and `as_strided`.
//!
//! Each is one all-parallel `linalg.generic` over the result ([`Lowerer::parallel_at`])
//! whose body computes the coordinates from `linalg.index` in `index` arithmetic and reads
//! `self` with `tensor.extract`. Places the interpreter refuses (an `index_select` index
//! out of range, an `as_strided` view past the storage, a reflection wider than the
//! input) are clamped into range, as `index.Tensor` does, so no read is out of bounds.

use super::indexed::indexed;
use super::{Arith, LResult, Lowerer, Number};
use crate::types::TensorTy;
use joinery_aten::args::{ArgValue, attr_or_default};
use joinery_ir::{DType, OpId};
use melior::dialect::arith;
use melior::ir::Value;

/// The integer list argument `name` of `op`.
fn int_list(lower: &Lowerer, op: OpId, name: &str) -> LResult<Vec<i64>> {
    match attr_or_default(lower.ctx, op, name)? {
        ArgValue::IntList(v) => Ok(v),
        other => Err(format!("{name} is not an integer list: {other:?}")),
    }
}

/// How an upsampling reads its input.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Upsample {
    Nearest,
    Bilinear { align_corners: bool },
}

/// Where output place `o` of an upsampled axis reads `size` inputs: the two input places
/// it interpolates and the weight of the second, by PyTorch's
/// `area_pixel_compute_source_index` and `nearest_idx`, in `f32` as PyTorch computes them
/// for `f32` inputs (and as the interpreter does for every input).
fn source_index(o: u64, size: u64, out: u64, scale: Option<f64>, mode: Upsample) -> [f64; 3] {
    let last = size - 1;
    let scaled_ratio = || scale.map_or(size as f32 / out as f32, |s| (1.0 / s) as f32);
    match mode {
        Upsample::Nearest => {
            let i = if out == size {
                o
            } else if out == 2 * size {
                o >> 1
            } else {
                ((o as f32 * scaled_ratio()).floor() as u64).min(last)
            };
            [i as f64, i as f64, 0.0]
        }
        Upsample::Bilinear { align_corners } => {
            let src = if align_corners {
                let ratio = if out > 1 {
                    (size as f32 - 1.0) / (out as f32 - 1.0)
                } else {
                    0.0
                };
                ratio * o as f32
            } else {
                (scaled_ratio() * (o as f32 + 0.5) - 0.5).max(0.0)
            };
            let i0 = (src as u64).min(last);
            let i1 = if i0 < last { i0 + 1 } else { i0 };
            [i0 as f64, i1 as f64, f64::from(src - i0 as f32)]
        }
    }
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// `index_select(self, dim, index)`: the slices of `self` at the (clamped) elements of
    /// the vector `index` along `dim`.
    pub(super) fn index_select(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (index, index_ty) = self.named_operand(op, "index")?;
        if x_ty.rank() == 0 {
            // A 0-d `self` takes the index 0, its only place.
            return self.convert(x, &x_ty, out);
        }
        if index_ty.rank() > 1 {
            return Err("an index that is not a vector".into());
        }
        let dim = self.dim_arg(op, &x_ty)?;
        let (rank, extent, dtype) = (out.rank(), x_ty.shape[dim], x_ty.dtype);
        let index_dtype = index_ty.dtype;
        let body = indexed(move |b, _| {
            let coords = (0..rank)
                .map(|d| {
                    if d != dim {
                        return b.loop_index(d);
                    }
                    let at = if index_ty.rank() == 0 {
                        vec![]
                    } else {
                        vec![b.loop_index(dim)?]
                    };
                    let i = b.to_index(b.extract(index, index_dtype, &at)?);
                    Ok(b.clamp_index(i, extent))
                })
                .collect::<LResult<Vec<_>>>()?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[], out, &body)
    }

    /// `repeat(self, repeats)`: `self` tiled, its dims aligned with the last ones of the
    /// result, each read at the result's place modulo its extent.
    pub(super) fn repeat(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let lead = out
            .rank()
            .checked_sub(x_ty.rank())
            .ok_or("fewer repeats than dims")?;
        let (shape, dtype) = (x_ty.shape.clone(), x_ty.dtype);
        let body = indexed(move |b, _| {
            let coords = (0..shape.len())
                .map(|d| {
                    let i = b.loop_index(lead + d)?;
                    Ok(b.push(arith::remsi(i, b.index(shape[d] as i64), b.loc)))
                })
                .collect::<LResult<Vec<_>>>()?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[], out, &body)
    }

    /// `reflection_pad{1,2,3}d` / `replication_pad{2,3}d(self, padding)`: `padding` holds
    /// (before, after) pairs from the last dim backwards; a place `i` before or after the
    /// input reads it mirrored at the edge without repeating it (`|i|`, then
    /// `2 (n - 1) - i`) or at the nearest edge.
    pub(super) fn index_pad(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let padding = int_list(self, op, "padding")?;
        let rank = out.rank();
        if padding.len() % 2 != 0 || padding.len() / 2 > rank {
            return Err(format!("{} padding entries for rank {rank}", padding.len()));
        }
        let mut before: Vec<Option<i64>> = vec![None; rank];
        for (j, pair) in padding.chunks(2).enumerate() {
            before[rank - 1 - j] = Some(pair[0]);
        }
        let reflect = self.ctx.name_str(op).starts_with("aten.reflection");
        let (shape, dtype) = (x_ty.shape.clone(), x_ty.dtype);
        let body = indexed(move |b, _| {
            let coords = (0..rank)
                .map(|d| {
                    let o = b.loop_index(d)?;
                    let Some(before) = before[d] else {
                        return Ok(o);
                    };
                    let n = shape[d];
                    let i = b.affine(o, 1, -before);
                    if !reflect {
                        return Ok(b.clamp_index(i, n));
                    }
                    let minus = b.affine(i, -1, 0);
                    let i = b.push(arith::maxsi(i, minus, b.loc));
                    let mirrored = b.affine(i, -1, 2 * (n as i64 - 1));
                    Ok(b.clamp_index(b.push(arith::minsi(i, mirrored, b.loc)), n))
                })
                .collect::<LResult<Vec<_>>>()?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[], out, &body)
    }

    /// `upsample_nearest2d.vec` / `upsample_bilinear2d.vec(input, output_size, ...,
    /// scale_factors)`: the source places and weights of each output row and column are
    /// constants computed here ([`source_index`]); each output place reads its one input
    /// place, or interpolates its four in `f64` (`top * (1 - ly) + bottom * ly` of the
    /// rows' `a * (1 - lx) + b * lx`) rounded once, as the interpreter does.
    pub(super) fn upsample(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let (x, x_ty) = self.named_operand(op, "input")?;
        let rank = out.rank();
        if rank < 3 || !x_ty.dtype.is_float() {
            return Err("an upsampling of a float tensor with a channel and 2 spatial dims".into());
        }
        let scales = match attr_or_default(ctx, op, "scale_factors")? {
            ArgValue::FloatList(s) if s.len() == 2 => Some(s),
            ArgValue::None => None,
            other => return Err(format!("scale_factors {other:?}")),
        };
        let mode = if ctx.name_str(op) == "aten.upsample_bilinear2d.vec" {
            let align = Number::arg(ctx, op, "align_corners")?.is_some_and(|n| n.to_i64() != 0);
            Upsample::Bilinear {
                align_corners: align,
            }
        } else {
            Upsample::Nearest
        };
        // Per spatial axis: the input places (two `i64` tables) and the weight table.
        let mut ins = Vec::new();
        for axis in 0..2 {
            let d = rank - 2 + axis;
            let (size, extent) = (x_ty.shape[d], out.shape[d]);
            let scale = scales.as_ref().map(|s| s[axis]);
            let table: Vec<[f64; 3]> = (0..extent)
                .map(|o| source_index(o, size, extent, scale, mode))
                .collect();
            for (column, dtype) in [(0, DType::I64), (1, DType::I64), (2, DType::F64)] {
                let values: Vec<f64> = table.iter().map(|row| row[column]).collect();
                let (v, _) = self.dense(&[extent], dtype, &values)?;
                ins.push((v, dtype, vec![d]));
            }
        }
        let dtype = x_ty.dtype;
        let body = indexed(move |b, args| {
            let wide = b.with_dtype(DType::F64);
            let lead = (0..rank - 2)
                .map(|d| b.loop_index(d))
                .collect::<LResult<Vec<_>>>()?;
            // The tables: rows' first and second places and weight, then the columns'.
            let read = |row: usize, column: usize| {
                let mut coords = lead.clone();
                coords.extend([b.to_index(args[row]), b.to_index(args[column])]);
                Ok::<_, String>(wide.as_compute(b.extract(x, dtype, &coords)?, dtype))
            };
            let v = match mode {
                Upsample::Nearest => read(0, 3)?,
                Upsample::Bilinear { .. } => {
                    let lerp = |a, c, weight| {
                        let one = wide.number(1.0);
                        let rest = wide.arith(Arith::Sub, &[Some(one), Some(weight)])?;
                        let a = wide.arith(Arith::Mul, &[Some(a), Some(rest)])?;
                        let c = wide.arith(Arith::Mul, &[Some(c), Some(weight)])?;
                        wide.arith(Arith::Add, &[Some(a), Some(c)])
                    };
                    let top = lerp(read(0, 3)?, read(0, 4)?, args[5])?;
                    let bottom = lerp(read(1, 3)?, read(1, 4)?, args[5])?;
                    lerp(top, bottom, args[2])?
                }
            };
            Ok(super::cast(b.mlir, b.block, b.loc, v, DType::F64, b.dtype))
        });
        let init = self.empty(out);
        let all: Vec<usize> = (0..rank).collect();
        self.generic_at(&ins, init, &all, &vec![false; rank], out, &body)
    }

    /// `diagonal(self, offset, dim1, dim2)`: the result's other dims are `self`'s without
    /// `dim1` and `dim2`, and its last place `i` reads `self` at `start1 + i` along `dim1`
    /// and `start2 + i` along `dim2` (the offset added to `dim2`'s start, or its opposite
    /// to `dim1`'s).
    pub(super) fn diagonal(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let ctx = self.ctx;
        let (x, x_ty) = self.named_operand(op, "self")?;
        let rank = x_ty.rank();
        let norm = |name: &str| -> LResult<usize> {
            let d = Number::arg(ctx, op, name)?.ok_or("no dim")?.to_i64();
            usize::try_from(if d < 0 { d + rank as i64 } else { d })
                .ok()
                .filter(|&d| d < rank)
                .ok_or_else(|| format!("{name} {d} out of range for rank {rank}"))
        };
        let (d1, d2) = (norm("dim1")?, norm("dim2")?);
        if d1 == d2 {
            return Err("dim1 and dim2 are the same dim".into());
        }
        let offset = Number::arg(ctx, op, "offset")?.map_or(0, Number::to_i64);
        let (start1, start2) = (offset.min(0).abs(), offset.max(0));
        let last = out.rank() - 1;
        let dtype = x_ty.dtype;
        let body = indexed(move |b, _| {
            let i = b.loop_index(last)?;
            let mut kept = 0;
            let coords = (0..rank)
                .map(|d| {
                    Ok(if d == d1 {
                        b.affine(i, 1, start1)
                    } else if d == d2 {
                        b.affine(i, 1, start2)
                    } else {
                        kept += 1;
                        b.loop_index(kept - 1)?
                    })
                })
                .collect::<LResult<Vec<_>>>()?;
            b.extract(x, dtype, &coords)
        });
        self.parallel_at(&[], out, &body)
    }

    /// `as_strided(self, size, stride, storage_offset)`: the element of `self`'s row-major
    /// storage at `storage_offset + sum of i_k * stride_k`.
    pub(super) fn as_strided(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let (x, x_ty) = self.named_operand(op, "self")?;
        let (storage, storage_ty) = self.storage(x, &x_ty);
        let view = StridedView::of(self, op, out.rank())?;
        let dtype = x_ty.dtype;
        let body = indexed(move |b, _| {
            let places = (0..view.stride.len())
                .map(|k| b.loop_index(k))
                .collect::<LResult<Vec<_>>>()?;
            let at = view.storage_place(b, &places);
            b.extract(storage, dtype, &[b.clamp_index(at, storage_ty.shape[0])])
        });
        self.parallel_at(&[], out, &body)
    }

    /// `x` (of type `ty`) as its row-major storage: a vector of its elements.
    pub(super) fn storage(&self, x: Value<'c, 'b>, ty: &TensorTy) -> (Value<'c, 'b>, TensorTy) {
        let flat = TensorTy {
            shape: vec![ty.shape.iter().product()],
            dtype: ty.dtype,
        };
        (self.reshape(x, &flat), flat)
    }
}

/// The strides and storage offset of an `as_strided` view or scatter.
#[derive(Clone)]
pub(super) struct StridedView {
    pub(super) stride: Vec<i64>,
    pub(super) offset: i64,
}

impl StridedView {
    /// The `stride` and `storage_offset` of `op`, whose view has `rank` dims.
    pub(super) fn of(lower: &Lowerer, op: OpId, rank: usize) -> LResult<StridedView> {
        let stride = int_list(lower, op, "stride")?;
        if stride.len() != rank {
            return Err(format!(
                "{} strides for a view of rank {rank}",
                stride.len()
            ));
        }
        let offset = Number::arg(lower.ctx, op, "storage_offset")?.map_or(0, Number::to_i64);
        Ok(StridedView { stride, offset })
    }

    /// The storage place of the view's place `places` (one `index` per dim).
    pub(super) fn storage_place<'c, 'x>(
        &self,
        b: &super::Body<'c, 'x>,
        places: &[Value<'c, 'x>],
    ) -> Value<'c, 'x> {
        let mut at = b.index(self.offset);
        for (&i, &s) in places.iter().zip(&self.stride) {
            let scaled = b.affine(i, s, 0);
            at = b.push(arith::addi(at, scaled, b.loc));
        }
        at
    }
}
