//! Complex tensors and the FFT ops (`_fft_r2c`, `_fft_c2c`, `_fft_c2r`).
//!
//! [`crate::PREPARE_PIPELINE`] runs `aten-complex-to-real` first, which leaves complex
//! types only on the FFT ops, the `view_as_complex` / `view_as_real` around them and the
//! signature. The export gives every complex tensor `tensor<S x complex<fT>>` that pass's
//! pair form `tensor<S x 2 x fT>` (real part at 0, imaginary part at 1: the memory layout
//! of a complex tensor, so the signature's buffers are the caller's complex buffers), which
//! makes both views the identity.
//!
//! A transform is a one-dimensional discrete Fourier transform along each dim in turn, as
//! the interpreter's `joinery_runtime::fft` does: a `linalg.generic` reduction in `f64`
//! against `cos` / `sin` tables of the dim's static extent (`arith.constant`s of
//! `cos(2 pi (jk mod n) / n)`), a matrix product written out, not a fast transform: its
//! cost is quadratic in each transformed extent. `_fft_r2c` transforms `(x, 0)` and keeps
//! the first `n / 2 + 1` outputs of the last dim when one-sided; `_fft_c2r` transforms the
//! other dims backward and sums the Hermitian extension of the last dim's first
//! `n / 2 + 1` entries (`X[n - k]` conjugated for `k > n / 2`), real parts only. The
//! normalization scales the `f64` result, which is rounded to the result dtype once.

use super::indexed::{IndexedBody, indexed};
use super::{Body, LResult, Lowerer, Number, tensor_ty};
use crate::types::{TensorTy, element};
use joinery_ir::{Context, DType, OpId};
use joinery_runtime::fft::Norm;
use melior::dialect::arith::{self, CmpiPredicate};
use melior::ir::Value;
use melior::ir::attribute::DenseElementsAttribute;
use melior::ir::r#type::RankedTensorType;

/// Which FFT op.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Transform {
    /// `_fft_r2c`: real to complex, forward.
    R2c,
    /// `_fft_c2c`: complex to complex, forward or backward.
    C2c,
    /// `_fft_c2r`: one-sided Hermitian complex to real, backward.
    C2r,
}

/// The dim list `dim` of `op`, normalized against `rank`.
fn dims(ctx: &Context, op: OpId, rank: usize) -> LResult<Vec<usize>> {
    let list = match joinery_aten::args::attr_or_default(ctx, op, "dim")? {
        joinery_aten::ArgValue::IntList(v) => v,
        other => return Err(format!("dim is not a list of integers: {other:?}")),
    };
    list.iter()
        .map(|&d| {
            let d = if d < 0 { d + rank as i64 } else { d };
            usize::try_from(d)
                .ok()
                .filter(|&d| d < rank)
                .ok_or_else(|| format!("dim {d} is out of range for rank {rank}"))
        })
        .collect()
}

/// The `f64` tables `cos(2 pi (jk mod n) / n)` and `sin(...)` of shape `[m, n]`.
fn tables(m: u64, n: u64) -> (Vec<f64>, Vec<f64>) {
    let angle = |j: u64, k: u64| 2.0 * std::f64::consts::PI * ((j * k) % n) as f64 / n as f64;
    let mut cos = Vec::with_capacity((m * n) as usize);
    let mut sin = Vec::with_capacity((m * n) as usize);
    for j in 0..m {
        for k in 0..n {
            cos.push(angle(j, k).cos());
            sin.push(angle(j, k).sin());
        }
    }
    (cos, sin)
}

/// Whether loop dim `dim` (a pair dim) is at the real part.
fn at_real_part<'c, 'x>(b: &Body<'c, 'x>, dim: usize) -> LResult<Value<'c, 'x>> {
    Ok(b.push(arith::cmpi(
        b.mlir,
        CmpiPredicate::Eq,
        b.loop_index(dim)?,
        b.index(0),
        b.loc,
    )))
}

/// The real and imaginary parts of the `f64` pair form `x` at `coords` (without the pair
/// subscript).
fn parts_at<'c, 'x>(
    b: &Body<'c, 'x>,
    x: Value<'c, '_>,
    mut coords: Vec<Value<'c, 'x>>,
) -> LResult<(Value<'c, 'x>, Value<'c, 'x>)> {
    coords.push(b.index(0));
    let re = b.extract(x, DType::F64, &coords)?;
    let last = coords.len() - 1;
    coords[last] = b.index(1);
    Ok((re, b.extract(x, DType::F64, &coords)?))
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// A sum into `out` (`f64`, zeros first) against `[m, n]` tables `cos` and `sin`
    /// (`tables(m, n)`) read at (loop dim `dim`, the summed loop dim after `out`'s); `body`
    /// gets `cos`, `sin`, the accumulator.
    fn sum_against_tables(
        &mut self,
        (m, n): (u64, u64),
        dim: usize,
        out: &TensorTy,
        body: &IndexedBody<'c, '_>,
    ) -> LResult<Value<'c, 'b>> {
        let (cos, sin) = tables(m, n);
        let summed = out.rank();
        let ins = [
            (self.table(m, n, &cos), DType::F64, vec![dim, summed]),
            (self.table(m, n, &sin), DType::F64, vec![dim, summed]),
        ];
        let init = self.splat(Number::Float(0.0), out);
        self.fold(&ins, init, out, body)
    }

    /// `view_as_complex`, `view_as_real`: the pair form is the operand itself.
    pub(super) fn pair_view(&mut self, op: OpId) -> LResult<()> {
        let x = self.value(self.ctx.operand(op, 0))?;
        self.values.insert(self.ctx.results(op)[0], x);
        Ok(())
    }

    /// An `f64` constant tensor of shape `[m, n]`.
    fn table(&self, m: u64, n: u64, values: &[f64]) -> Value<'c, 'b> {
        let ty = RankedTensorType::new(&[m, n], element(self.mlir, DType::F64), None);
        self.push(arith::constant(
            self.mlir,
            DenseElementsAttribute::f64_values(ty.into(), values).into(),
            self.loc,
        ))
    }

    /// The pair form `(x, 0)` in `f64` of the real tensor `x`.
    fn real_pair(&mut self, x: Value<'c, 'b>, ty: &TensorTy) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let rank = ty.rank();
        let mut shape = ty.shape.clone();
        shape.push(2);
        let out = TensorTy {
            shape,
            dtype: DType::F64,
        };
        let dtype = ty.dtype;
        let body =
            indexed(move |b, a| b.or_zero(at_real_part(b, rank)?, b.as_compute(a[0], dtype)));
        let all: Vec<usize> = (0..=rank).collect();
        let init = self.empty(&out);
        let v = self.generic_at(
            &[(x, dtype, (0..rank).collect())],
            init,
            &all,
            &vec![false; rank + 1],
            &out,
            &body,
        )?;
        Ok((v, out))
    }

    /// The one-dimensional transform along `dim` of the `f64` pair form `x` (of type
    /// `ty`), forward (`e^{-2 pi i jk / n}`) or backward, keeping `m` outputs.
    fn dft(
        &mut self,
        x: Value<'c, 'b>,
        ty: &TensorTy,
        dim: usize,
        m: u64,
        forward: bool,
    ) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let n = ty.shape[dim];
        let mut out = ty.clone();
        out.shape[dim] = m;
        // Loops: the result's dims (the pair dim last), then the summed input place.
        let pair = ty.rank() - 1;
        let summed = ty.rank();
        let body = indexed(move |b, a| {
            let coords = (0..pair)
                .map(|d| b.loop_index(if d == dim { summed } else { d }))
                .collect::<LResult<Vec<_>>>()?;
            let (re, im) = parts_at(b, x, coords)?;
            let (c, s) = (a[0], a[1]);
            let mul = |p, q| b.push(arith::mulf(p, q, b.loc));
            // (re + i im)(c -+ i s): forward re c + im s, im c - re s; backward
            // re c - im s, im c + re s.
            let (re_c, im_s, im_c, re_s) = (mul(re, c), mul(im, s), mul(im, c), mul(re, s));
            let (real, imag) = if forward {
                (
                    b.push(arith::addf(re_c, im_s, b.loc)),
                    b.push(arith::subf(im_c, re_s, b.loc)),
                )
            } else {
                (
                    b.push(arith::subf(re_c, im_s, b.loc)),
                    b.push(arith::addf(im_c, re_s, b.loc)),
                )
            };
            let term = b.push(arith::select(at_real_part(b, pair)?, real, imag, b.loc));
            Ok(b.push(arith::addf(a[2], term, b.loc)))
        });
        let v = self.sum_against_tables((m, n), dim, &out, &body)?;
        Ok((v, out))
    }

    /// The real part of the backward transform along `dim` of the Hermitian extension
    /// to `size` points of the one-sided `f64` pair form `x` (of type `ty`).
    fn hermitian_real(
        &mut self,
        x: Value<'c, 'b>,
        ty: &TensorTy,
        dim: usize,
        size: u64,
    ) -> LResult<(Value<'c, 'b>, TensorTy)> {
        let half = size / 2 + 1;
        if size == 0 || ty.shape[dim] < half {
            return Err(format!(
                "a real signal of {size} points needs {half} complex entries along dim {dim}, the input has {}",
                ty.shape[dim]
            ));
        }
        let pair = ty.rank() - 1;
        let mut shape = ty.shape[..pair].to_vec();
        shape[dim] = size;
        let out = TensorTy {
            shape,
            dtype: DType::F64,
        };
        // Loops: the result's dims, then the summed place `k` of the extension.
        let summed = pair;
        let body = indexed(move |b, a| {
            let k = b.loop_index(summed)?;
            let lower = b.push(arith::cmpi(
                b.mlir,
                CmpiPredicate::Slt,
                k,
                b.index(half as i64),
                b.loc,
            ));
            let mirrored = b.push(arith::subi(b.index(size as i64), k, b.loc));
            let source = b.push(arith::select(lower, k, mirrored, b.loc));
            let coords = (0..pair)
                .map(|d| {
                    if d == dim {
                        Ok(source)
                    } else {
                        b.loop_index(d)
                    }
                })
                .collect::<LResult<Vec<_>>>()?;
            let (re, im) = parts_at(b, x, coords)?;
            let conjugated = b.push(arith::negf(im, b.loc));
            let im = b.push(arith::select(lower, im, conjugated, b.loc));
            // Re((re + i im)(c + i s)) = re c - im s.
            let re_c = b.push(arith::mulf(re, a[0], b.loc));
            let im_s = b.push(arith::mulf(im, a[1], b.loc));
            let term = b.push(arith::subf(re_c, im_s, b.loc));
            Ok(b.push(arith::addf(a[2], term, b.loc)))
        });
        let v = self.sum_against_tables((size, size), dim, &out, &body)?;
        Ok((v, out))
    }

    /// `_fft_r2c`, `_fft_c2c`, `_fft_c2r` (see the module docs).
    pub(super) fn fft(&mut self, op: OpId, transform: Transform) -> LResult<()> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let result = ctx.results(op)[0];
        let out = crate::types::exported(ctx, ctx.value_type(result))
            .ok_or("the result is not a static-shape tensor")?;
        let in_ty = crate::types::exported(ctx, ctx.value_type(x))
            .ok_or("the operand is not a static-shape tensor")?;
        let mode = Number::arg(ctx, op, "normalization")?.map_or(0, Number::to_i64);
        let norm = Norm::from_mode(mode)?;
        let flag = |name: &str| -> LResult<bool> {
            Ok(Number::arg(ctx, op, name)?.is_some_and(|v| v.to_i64() != 0))
        };
        let (mut v, mut ty) = match transform {
            Transform::R2c => self.real_pair(self.value(x)?, &tensor_ty(ctx, x)?)?,
            _ => {
                let wide = TensorTy {
                    shape: in_ty.shape.clone(),
                    dtype: DType::F64,
                };
                (self.convert(self.value(x)?, &in_ty, &wide)?, wide)
            }
        };
        let rank = ty.rank() - 1;
        let dims = dims(ctx, op, rank)?;
        let last = *dims.last().ok_or("no dim to transform")?;
        let signal: u64;
        match transform {
            Transform::R2c | Transform::C2c => {
                signal = dims.iter().map(|&d| ty.shape[d]).product();
                let forward = transform == Transform::R2c || flag("forward")?;
                let onesided = transform == Transform::R2c && flag("onesided")?;
                for &d in &dims {
                    let n = ty.shape[d];
                    let m = if onesided && d == last { n / 2 + 1 } else { n };
                    (v, ty) = self.dft(v, &ty, d, m, forward)?;
                }
            }
            Transform::C2r => {
                let size = Number::arg(ctx, op, "last_dim_size")?
                    .ok_or("no last_dim_size")?
                    .to_i64();
                let size = u64::try_from(size).map_err(|_| format!("last_dim_size {size}"))?;
                for &d in &dims[..dims.len() - 1] {
                    let n = ty.shape[d];
                    (v, ty) = self.dft(v, &ty, d, n, false)?;
                }
                (v, ty) = self.hermitian_real(v, &ty, last, size)?;
                signal = dims.iter().map(|&d| ty.shape[d]).product();
            }
        }
        let factor = norm.factor(signal as usize);
        let body = indexed(move |b, a| {
            let f = b.with_dtype(DType::F64);
            let scaled = f.arith(super::Arith::Mul, &[Some(a[0]), Some(f.number(factor))])?;
            Ok(b.as_compute(scaled, DType::F64))
        });
        let scaled = self.parallel_at(&[(v, DType::F64)], &out, &body)?;
        self.values.insert(result, scaled);
        Ok(())
    }
}
