//! [`Fft`]: the attributes of `kernel.fft`.

use super::{get, i64_array, int, missing, non_negative_ints};
use joinery_ir::{Attribute, Context, Diagnostic, OpId};

/// Which of PyTorch's transforms a `kernel.fft` computes, with its own argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FftKind {
    /// `_fft_r2c`: real to complex, the last transformed dim halved when `onesided`.
    R2c { onesided: bool },
    /// `_fft_c2r`: one-sided complex to real, the last transformed dim `last_dim_size`.
    C2r { last_dim_size: u64 },
    /// `_fft_c2c`: complex to complex, forward or backward.
    C2c { forward: bool },
}

/// `kernel.fft`: one of PyTorch's discrete Fourier transforms of `src` into `out`
/// (operands `src`, `out`), dense row-major buffers of one float type; a complex side
/// holds (real, imaginary) pairs, so its buffer has an extra last dim of 2.
#[derive(Clone, PartialEq, Debug)]
pub struct Fft {
    pub kind: FftKind,
    /// The transformed tensor's shape (complex numbers counted once).
    pub shape: Vec<u64>,
    /// The transformed dims, distinct and inside `shape`, the halved one last.
    pub dims: Vec<u64>,
    /// PyTorch's `fft_norm_mode`: 0 none, 1 by `1/sqrt(n)`, 2 by `1/n`.
    pub normalization: i64,
    /// The aten op, for messages and profiles.
    pub source: String,
}

impl Fft {
    /// Reads a `kernel.fft` op.
    pub fn read(ctx: &Context, op: OpId) -> Result<Fft, Diagnostic> {
        let non_negative = |attr: &str| non_negative_ints(ctx, op, attr);
        let flag = |attr: &str| -> Result<bool, Diagnostic> {
            ctx.as_bool(get(ctx, op, attr, "a bool")?)
                .ok_or_else(|| missing(ctx, op, attr, "a bool"))
        };
        let kind_what = "\"r2c\", \"c2r\" or \"c2c\"";
        let kind = match ctx.as_str(get(ctx, op, "kind", kind_what)?) {
            Some("r2c") => FftKind::R2c {
                onesided: flag("onesided")?,
            },
            Some("c2r") => FftKind::C2r {
                last_dim_size: u64::try_from(int(ctx, op, "last_dim_size")?)
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| missing(ctx, op, "last_dim_size", "a positive integer"))?,
            },
            Some("c2c") => FftKind::C2c {
                forward: flag("forward")?,
            },
            _ => return Err(missing(ctx, op, "kind", kind_what)),
        };
        let source = get(ctx, op, "source", "a string")?;
        Ok(Fft {
            kind,
            shape: non_negative("shape")?,
            dims: non_negative("dims")?,
            normalization: int(ctx, op, "normalization")?,
            source: ctx
                .as_str(source)
                .ok_or_else(|| missing(ctx, op, "source", "a string"))?
                .to_string(),
        })
    }

    /// The attributes of the op.
    pub fn attributes(&self, ctx: &mut Context) -> Vec<(String, Attribute)> {
        let as_i64 = |v: &[u64]| v.iter().map(|&d| d as i64).collect::<Vec<i64>>();
        let (kind, extra) = match self.kind {
            FftKind::R2c { onesided } => ("r2c", ("onesided", ctx.bool_attr(onesided))),
            FftKind::C2r { last_dim_size } => (
                "c2r",
                ("last_dim_size", ctx.integer_attr(last_dim_size as i64, 64)),
            ),
            FftKind::C2c { forward } => ("c2c", ("forward", ctx.bool_attr(forward))),
        };
        vec![
            ("dims".into(), i64_array(ctx, &as_i64(&self.dims))),
            (extra.0.into(), extra.1),
            ("kind".into(), ctx.string_attr(kind.to_string())),
            (
                "normalization".into(),
                ctx.integer_attr(self.normalization, 64),
            ),
            ("shape".into(), i64_array(ctx, &as_i64(&self.shape))),
            ("source".into(), ctx.string_attr(self.source.clone())),
        ]
    }

    /// The result's shape (complex numbers counted once): `shape` with the last
    /// transformed dim halved (`n / 2 + 1`, one-sided r2c) or `last_dim_size` (c2r).
    pub fn out_shape(&self) -> Vec<u64> {
        let mut out = self.shape.clone();
        if let Some(&last) = self.dims.last()
            && let Some(d) = out.get_mut(last as usize)
        {
            match self.kind {
                FftKind::R2c { onesided: true } => *d = *d / 2 + 1,
                FftKind::C2r { last_dim_size } => *d = last_dim_size,
                _ => {}
            }
        }
        out
    }

    /// Whether `src` and `out` hold complex numbers (as pairs of floats).
    pub fn complex_sides(&self) -> (bool, bool) {
        match self.kind {
            FftKind::R2c { .. } => (false, true),
            FftKind::C2r { .. } => (true, false),
            FftKind::C2c { .. } => (true, true),
        }
    }
}
