//! Rules of the complex-number and FFT ops (`_fft_r2c`, `_fft_c2r`, `_fft_c2c`,
//! `view_as_real`, `view_as_complex`, `real`, `imag`, `complex`, `abs`), after PyTorch's
//! meta functions.

use super::{Inferred, broadcast, norm_dim};
use crate::args::{Args, TensorInfo};
use crate::dtype::DType;
use joinery_ir::Dim;

/// Requires a complex tensor.
fn require_complex(t: &TensorInfo, what: &str) -> Result<(), String> {
    if t.dtype.is_complex() {
        Ok(())
    } else {
        Err(format!("{what} must have a complex dtype, got {}", t.dtype))
    }
}

/// The complex dtype of a float tensor's FFT or `view_as_complex` (`f32` → `complex<f32>`).
fn complex_of(t: &TensorInfo, what: &str) -> Result<DType, String> {
    match t.dtype {
        DType::F32 | DType::F64 => Ok(t.dtype.to_complex().expect("f32 and f64 have one")),
        d => Err(format!("{what} must be an f32 or f64 tensor, got {d}")),
    }
}

/// The `dim` list of an FFT op normalized against `rank`: non-empty, distinct.
fn fft_dims(a: &Args, rank: usize) -> Result<Vec<usize>, String> {
    let dims = a.ints("dim")?;
    if rank == 0 && !dims.is_empty() {
        // `norm_dim` wraps dim 0 of a scalar as PyTorch's reductions do; an FFT has no
        // dim to transform.
        return Err("an FFT needs a tensor of at least one dimension, got a 0-d tensor".into());
    }
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let d = norm_dim(d, rank)?;
        if out.contains(&d) {
            return Err(format!("dim {d} appears more than once in 'dim'"));
        }
        out.push(d);
    }
    Ok(out)
}

/// Checks `normalization` is one of PyTorch's `fft_norm_mode`s (0, 1, 2).
fn check_norm(a: &Args) -> Result<(), String> {
    match a.int("normalization")? {
        0..=2 => Ok(()),
        m => Err(format!("normalization must be 0, 1 or 2, got {m}")),
    }
}

/// `_fft_r2c`: a float tensor to its complex spectrum, the last transformed dim
/// `n / 2 + 1` when `onesided`.
pub fn fft_r2c(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let dtype = complex_of(this, "self")?;
    check_norm(a)?;
    let mut shape = this.shape.clone();
    if let Some(s) = &mut shape {
        let dims = fft_dims(a, s.len())?;
        let last = *dims.last().ok_or("_fft_r2c needs at least one dim")?;
        if a.opt_bool("onesided") == Some(true)
            && let Dim::Static(n) = s[last]
        {
            s[last] = Dim::Static(n / 2 + 1);
        }
    }
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `_fft_c2r`: a one-sided complex spectrum to the real signal whose last transformed
/// dim has `last_dim_size` points.
pub fn fft_c2r(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_complex(this, "self")?;
    check_norm(a)?;
    let size = a.int("last_dim_size")?;
    if size < 1 {
        return Err(format!("last_dim_size must be positive, got {size}"));
    }
    let mut shape = this.shape.clone();
    if let Some(s) = &mut shape {
        let dims = fft_dims(a, s.len())?;
        let last = *dims.last().ok_or("_fft_c2r needs at least one dim")?;
        let half = size as u64 / 2 + 1;
        if let Dim::Static(n) = s[last]
            && n < half
        {
            return Err(format!(
                "a signal of {size} points needs {half} complex entries along dim {last}, \
                 self has {n}"
            ));
        }
        s[last] = Dim::Static(size as u64);
    }
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype.to_real(),
    }])
}

/// `_fft_c2c`: a complex tensor to one of the same shape and dtype.
pub fn fft_c2c(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_complex(this, "self")?;
    check_norm(a)?;
    if let Some(s) = &this.shape {
        fft_dims(a, s.len())?;
    }
    Ok(vec![this.clone()])
}

/// `view_as_real`: a complex tensor as its parts, in a new last dim of 2.
pub fn view_as_real(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_complex(this, "self")?;
    let shape = this.shape.clone().map(|mut s| {
        s.push(Dim::Static(2));
        s
    });
    Ok(vec![TensorInfo {
        shape,
        dtype: this.dtype.to_real(),
    }])
}

/// `view_as_complex`: a float tensor whose last dim is 2 as complex numbers.
pub fn view_as_complex(a: &Args) -> Inferred {
    let this = a.tensor("self");
    let dtype = complex_of(this, "self")?;
    let mut shape = this.shape.clone();
    if let Some(s) = &mut shape {
        match s.pop() {
            Some(Dim::Static(2) | Dim::Dynamic) => {}
            _ => return Err("view_as_complex needs a last dim of size 2".into()),
        }
    }
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `real`: the real parts of a complex tensor (a real tensor is its own).
pub fn real_part(a: &Args) -> Inferred {
    let this = a.tensor("self");
    Ok(vec![TensorInfo {
        shape: this.shape.clone(),
        dtype: this.dtype.to_real(),
    }])
}

/// `imag`: the imaginary parts of a complex tensor.
pub fn imag_part(a: &Args) -> Inferred {
    let this = a.tensor("self");
    require_complex(this, "self")?;
    real_part(a)
}

/// `complex`: real and imaginary parts of one float dtype, broadcast together.
pub fn complex(a: &Args) -> Inferred {
    let (re, im) = (a.tensor("real"), a.tensor("imag"));
    let dtype = complex_of(re, "real")?;
    if im.dtype != re.dtype {
        return Err(format!(
            "real and imag must have the same dtype, got {} and {}",
            re.dtype, im.dtype
        ));
    }
    let shape = broadcast(&[&re.shape, &im.shape])?;
    Ok(vec![TensorInfo { shape, dtype }])
}

/// `abs`: the same shape and dtype, except that complex numbers give their real magnitude.
pub fn abs(a: &Args) -> Inferred {
    real_part(a)
}
