//! Complex numbers and the FFT ops: `_fft_r2c`, `_fft_c2r` and `_fft_c2c` as
//! [`NodeKind::Fft`] nodes (the `kernel.fft` runtime step), `view_as_real` and
//! `view_as_complex` as the reinterpretations they are. A complex tensor is held as its
//! (real, imaginary) pairs, as kernels see complex buffers ([`joinery_kernel::static_info`]):
//! a node of the real dtype with an extra last dim of 2, so both views are the operand
//! itself. The native pipeline's `aten-complex-to-real` rewrites complex arithmetic and
//! layout ops into real ops on those pairs before this lowering; any other op left on
//! complex tensors is refused here, naming it.

use super::{Builder, NodeKind, Operand, err, norm_dim};
use joinery_ir::{Context, DType, Diagnostic, OpId, Value};
use joinery_kernel::{Fft, FftKind, tensor_info};

/// The ops that take or make complex tensors here.
const COMPLEX_OPS: &[&str] = &[
    "_fft_r2c",
    "_fft_c2r",
    "_fft_c2c",
    "view_as_real",
    "view_as_complex",
];

/// Whether `v` is a complex tensor.
pub(super) fn is_complex(ctx: &Context, v: Value) -> bool {
    tensor_info(ctx, ctx.value_type(v)).is_some_and(|(_, d)| d.is_complex())
}

/// An error when `op` (not one of [`COMPLEX_OPS`]) takes or makes a complex tensor.
pub(super) fn refuse_complex(ctx: &Context, op: OpId) -> Result<(), Diagnostic> {
    let name = ctx.name_str(op);
    let base = name.strip_prefix("aten.").unwrap_or(name);
    let base = base.split('.').next().unwrap_or(base);
    let complex = ctx
        .operands(op)
        .iter()
        .chain(ctx.results(op))
        .any(|&v| is_complex(ctx, v));
    if complex && !(name.starts_with("aten.") && COMPLEX_OPS.contains(&base)) {
        return Err(err(
            ctx,
            op,
            format!(
                "the native backend does not support complex tensors in '{name}' (only \
                 the FFT ops, view_as_real and view_as_complex take them; \
                 aten-complex-to-real rewrites complex arithmetic and layout ops before)"
            ),
        ));
    }
    Ok(())
}

impl Builder<'_> {
    /// Lowers the FFT ops and `view_as_real` / `view_as_complex`; `None` for any other op.
    pub(super) fn lower_fft(
        &mut self,
        op: OpId,
        base: &str,
        src: &str,
    ) -> Result<Option<Vec<Operand>>, Diagnostic> {
        let kind = match base {
            "view_as_real" | "view_as_complex" => {
                return Ok(Some(vec![self.operand(op, "self")?]));
            }
            "_fft_r2c" => FftKind::R2c {
                onesided: self.attr(op, "onesided")?.as_bool() == Some(true),
            },
            "_fft_c2r" => {
                let n = self.int_attr(op, "last_dim_size")?;
                FftKind::C2r {
                    last_dim_size: u64::try_from(n).ok().filter(|&n| n > 0).ok_or_else(|| {
                        err(
                            self.ctx,
                            op,
                            format!("'{src}': last_dim_size {n} is not positive"),
                        )
                    })?,
                }
            }
            "_fft_c2c" => FftKind::C2c {
                forward: self.attr(op, "forward")?.as_bool() == Some(true),
            },
            _ => return Ok(None),
        };
        let input = self.ctx.operand(op, 0);
        let (shape, _) = tensor_info(self.ctx, self.ctx.value_type(input)).ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!("'{src}' needs a statically shaped input"),
            )
        })?;
        let dims = self
            .ints_attr(op, "dim")?
            .iter()
            .map(|&d| norm_dim(self.ctx, op, d, shape.len()).map(|d| d as u64))
            .collect::<Result<Vec<u64>, Diagnostic>>()?;
        let normalization = self.int_attr(op, "normalization")?;
        let fft = Fft {
            kind,
            shape,
            dims,
            normalization,
            source: src.to_string(),
        };
        let (_, dtype) = self.result_info(op, 0)?;
        if !matches!(dtype, DType::F32 | DType::F64) {
            return Err(err(
                self.ctx,
                op,
                format!("'{src}' of {dtype} is not lowered"),
            ));
        }
        let x = self.operand(op, "self")?;
        let x = self.dense(&x, src);
        let mut out_shape = fft.out_shape();
        if fft.complex_sides().1 {
            out_shape.push(2);
        }
        let node = self.push(NodeKind::Fft { src: x, fft }, out_shape, dtype, src);
        Ok(Some(vec![self.whole(node)]))
    }
}
