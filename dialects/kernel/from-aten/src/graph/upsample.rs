//! `upsample_nearest2d.vec` and `upsample_bilinear2d.vec` as PyTorch's CPU kernels compute
//! them, one spatial dim at a time (W, then H), each a [`Builder::weighted_sum`] whose
//! weights come from loop indices:
//!
//! - nearest: output `j` reads `min(floor(j * scale), in - 1)` in f32, `scale` being
//!   `1 / scale_factor` when given, else `in / out`; equal sizes read `j`;
//! - bilinear: the source coordinate `scale * j` (align_corners, with scale
//!   `(in - 1) / (out - 1)`) or `max(scale * (j + 0.5) - 0.5, 0)`, its floor `h0` (at most
//!   `in - 1`), `h1 = h0 + 1` inside the input, weights `1 - l` and `l = src - h0`, in
//!   the tensor's float type; equal sizes read `j`.

use super::{
    Builder, DType, Expr, Operand, Predicate, ScalarOp, bin, c, cast, cmp, err, select, un,
};
use joinery_aten::ArgValue;
use joinery_ir::{Diagnostic, OpId};

/// `a / b` rounded to `ty` as PyTorch's kernels compute it in that type.
fn quotient(a: f64, b: f64, ty: DType) -> f64 {
    if ty == DType::F32 {
        f64::from(a as f32 / b as f32)
    } else {
        a / b
    }
}

impl Builder<'_> {
    /// The `scale_factors` of an upsampling (H, W), or none.
    fn scale_factors(&self, op: OpId) -> Result<Option<Vec<f64>>, Diagnostic> {
        match self.attr(op, "scale_factors")? {
            ArgValue::None => Ok(None),
            ArgValue::FloatList(v) if v.len() == 2 => Ok(Some(v)),
            ArgValue::IntList(v) if v.len() == 2 => Ok(Some(v.iter().map(|&i| i as f64).collect())),
            _ => Err(err(
                self.ctx,
                op,
                format!(
                    "'{}': 'scale_factors' needs two numbers",
                    self.ctx.name_str(op)
                ),
            )),
        }
    }

    /// Lowers `upsample_nearest2d.vec` (`bilinear` false) or `upsample_bilinear2d.vec`.
    pub(super) fn upsample2d(
        &mut self,
        op: OpId,
        bilinear: bool,
        src: &str,
    ) -> Result<Operand, Diagnostic> {
        let x = self.operand(op, "input")?;
        let (shape, dt) = self.result_info(op, 0)?;
        let r = x.shape.len();
        if r < 3 || (bilinear && !dt.is_float()) {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' on tensors of 3 or 4 dims{}",
                    if bilinear { " of a float type" } else { "" }
                ),
            ));
        }
        let align = bilinear && matches!(self.attr(op, "align_corners")?, ArgValue::Bool(true));
        let factors = self.scale_factors(op)?;
        let mut y = x;
        for (d, f) in [(r - 1, 1), (r - 2, 0)] {
            let (input, output) = (y.shape[d], shape[d]);
            if input == output {
                continue;
            }
            let given = factors.as_ref().map(|v| v[f]).filter(|&s| s > 0.0);
            y = if bilinear {
                let ty = dt;
                let ratio = if align {
                    if output > 1 {
                        quotient((input - 1) as f64, (output - 1) as f64, ty)
                    } else {
                        0.0
                    }
                } else {
                    given.map_or_else(
                        || quotient(input as f64, output as f64, ty),
                        |s| quotient(1.0, s, ty),
                    )
                };
                let last = c((input - 1) as f64, ty);
                let weight = move |j: Expr, k: Expr| {
                    let j = cast(j, DType::I64, ty);
                    let k = cast(k, DType::I64, ty);
                    let source = if align {
                        bin(ScalarOp::Mul, c(ratio, ty), j)
                    } else {
                        let centre = bin(ScalarOp::Add, j, c(0.5, ty));
                        let s = bin(
                            ScalarOp::Sub,
                            bin(ScalarOp::Mul, c(ratio, ty), centre),
                            c(0.5, ty),
                        );
                        bin(ScalarOp::Max, s, c(0.0, ty))
                    };
                    let h0 = bin(
                        ScalarOp::Min,
                        un(ScalarOp::Floor, source.clone()),
                        last.clone(),
                    );
                    let l1 = bin(
                        ScalarOp::Min,
                        bin(
                            ScalarOp::Max,
                            bin(ScalarOp::Sub, source, h0.clone()),
                            c(0.0, ty),
                        ),
                        c(1.0, ty),
                    );
                    let inside = cmp(Predicate::Lt, h0.clone(), last.clone());
                    let h1 = bin(
                        ScalarOp::Add,
                        h0.clone(),
                        select(inside, c(1.0, ty), c(0.0, ty)),
                    );
                    let l0 = bin(ScalarOp::Sub, c(1.0, ty), l1.clone());
                    let at0 = cmp(Predicate::Eq, k.clone(), h0);
                    let at1 = cmp(Predicate::Eq, k, h1);
                    let factor = bin(
                        ScalarOp::Add,
                        select(at0.clone(), l0, c(0.0, ty)),
                        select(at1.clone(), l1, c(0.0, ty)),
                    );
                    (bin(ScalarOp::Or, at0, at1), Some(factor))
                };
                self.weighted_sum(&y, d, output, weight, src)
            } else {
                let f = DType::F32;
                let scale = given.map_or_else(
                    || quotient(input as f64, output as f64, f),
                    |s| f64::from((1.0 / s) as f32),
                );
                let weight = move |j: Expr, k: Expr| {
                    let j = cast(j, DType::I64, f);
                    let index = bin(
                        ScalarOp::Min,
                        un(ScalarOp::Floor, bin(ScalarOp::Mul, j, c(scale, f))),
                        c((input - 1) as f64, f),
                    );
                    (cmp(Predicate::Eq, cast(k, DType::I64, f), index), None)
                };
                self.weighted_sum(&y, d, output, weight, src)
            };
        }
        Ok(y)
    }
}
