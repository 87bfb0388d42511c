//! Interpreter entries of the complex-number and FFT ops, and of the elementwise ops whose
//! complex form differs from the real one (`abs`, `sgn`, `neg`, `sum`, `mean`).

use super::{Results, SameUnary, one, same_unary};
use crate::eval::OpArgs;
use crate::kernels::{complex, reduce};
use crate::tensor::{DType, KResult, Tensor};

/// A reduction kernel: `self`, `dim`, `keepdim`, `dtype`.
type Reduce = fn(&Tensor, Option<&[i64]>, bool, Option<DType>) -> KResult<Tensor>;

pub(crate) fn fft_r2c(a: &OpArgs) -> Results {
    one(complex::fft_r2c(
        a.tensor("self")?,
        &a.ints("dim")?,
        a.int("normalization")?,
        a.bool("onesided")?,
    )?)
}

pub(crate) fn fft_c2r(a: &OpArgs) -> Results {
    one(complex::fft_c2r(
        a.tensor("self")?,
        &a.ints("dim")?,
        a.int("normalization")?,
        a.int("last_dim_size")?,
    )?)
}

pub(crate) fn fft_c2c(a: &OpArgs) -> Results {
    one(complex::fft_c2c(
        a.tensor("self")?,
        &a.ints("dim")?,
        a.int("normalization")?,
        a.bool("forward")?,
    )?)
}

pub(crate) fn view_as_real(a: &OpArgs) -> Results {
    one(complex::view_as_real(a.tensor("self")?)?)
}

pub(crate) fn view_as_complex(a: &OpArgs) -> Results {
    one(complex::view_as_complex(a.tensor("self")?)?)
}

pub(crate) fn real(a: &OpArgs) -> Results {
    let x = a.tensor("self")?;
    if !x.dtype().is_complex() {
        return one(x.clone());
    }
    one(complex::parts(x)?.0)
}

pub(crate) fn imag(a: &OpArgs) -> Results {
    one(complex::parts(a.tensor("self")?)?.1)
}

pub(crate) fn complex(a: &OpArgs) -> Results {
    one(complex::complex(a.tensor("real")?, a.tensor("imag")?)?)
}

pub(crate) fn conj(a: &OpArgs) -> Results {
    one(complex::conj(a.tensor("self")?))
}

pub(crate) fn abs(a: &OpArgs) -> Results {
    match a.tensor("self")? {
        x if x.dtype().is_complex() => one(complex::abs(x)?),
        _ => same_unary(a, SameUnary::Abs),
    }
}

pub(crate) fn sgn(a: &OpArgs) -> Results {
    match a.tensor("self")? {
        x if x.dtype().is_complex() => one(complex::sgn(x)?),
        _ => same_unary(a, SameUnary::Sign),
    }
}

pub(crate) fn neg(a: &OpArgs) -> Results {
    match a.tensor("self")? {
        x if x.dtype().is_complex() => one(complex::neg(x)),
        _ => same_unary(a, SameUnary::Neg),
    }
}

/// A reduction of `self` by `f`; a complex tensor is reduced part by part.
fn reduction(a: &OpArgs, f: Reduce) -> Results {
    let x = a.tensor("self")?;
    let dims = a.opt_ints_if("dim")?;
    let keepdim = a.bool_if("keepdim")?;
    let dtype = a.dtype("dtype")?;
    if x.dtype().is_complex() {
        let part_dtype = dtype.map(|d| d.to_real());
        return one(complex::by_parts(x, |p| {
            f(p, dims.as_deref(), keepdim, part_dtype)
        })?);
    }
    one(f(x, dims.as_deref(), keepdim, dtype)?)
}

pub(crate) fn sum(a: &OpArgs) -> Results {
    reduction(a, reduce::sum)
}

pub(crate) fn mean(a: &OpArgs) -> Results {
    reduction(a, reduce::mean)
}
