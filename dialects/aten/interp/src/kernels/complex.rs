//! Complex numbers: the FFTs (through `joinery_runtime::fft`, the native runtime's own),
//! views of a complex tensor's parts, and the complex arithmetic of the elementwise ops.
//! Complex math runs in `complex<f64>` and rounds to the result dtype once, as the real
//! kernels run in f64.

use super::map2;
use super::pointwise::Operand;
use crate::tensor::{Complex64, DType, KResult, Tensor, kerr};
use joinery_runtime::fft::{self, Norm};
use ndarray::{ArrayD, Axis, IxDyn};

/// The complex dtype of a real one (`f32` → `complex<f32>`), or an error naming `what`.
fn complex_of(dtype: DType, what: &str) -> KResult<DType> {
    match dtype {
        DType::F32 => Ok(DType::C64),
        DType::F64 => Ok(DType::C128),
        d => kerr(format!("{what} must be an f32 or f64 tensor, got {d}")),
    }
}

/// Requires a complex tensor.
fn expect_complex(t: &Tensor, what: &str) -> KResult<()> {
    if t.dtype().is_complex() {
        Ok(())
    } else {
        kerr(format!(
            "{what} must be a complex tensor, got {}",
            t.describe()
        ))
    }
}

/// The transformed dims, normalized against `rank`.
fn dims_of(dims: &[i64], rank: usize) -> KResult<Vec<usize>> {
    super::norm_dims(dims, rank)
}

fn values<T: Clone>(a: &ArrayD<T>) -> Vec<T> {
    a.iter().cloned().collect()
}

fn array<T>(shape: &[usize], v: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), v).expect("the transform keeps the element count")
}

/// `_fft_r2c`: the spectrum of a real f32/f64 tensor along `dims`.
pub fn fft_r2c(x: &Tensor, dims: &[i64], norm: i64, onesided: bool) -> KResult<Tensor> {
    let dtype = complex_of(x.dtype(), "self")?;
    let dims = dims_of(dims, x.ndim())?;
    let norm = Norm::from_mode(norm).or_else(kerr)?;
    let out = fft::r2c(&values(&x.to_f64()), x.shape(), &dims, norm, onesided).or_else(kerr)?;
    let shape = fft::r2c_shape(x.shape(), &dims, onesided);
    Ok(Tensor::from_c128(array(&shape, out), dtype))
}

/// `_fft_c2r`: the real signal of `last_dim_size` points along the last of `dims` whose
/// one-sided spectrum is `x`.
pub fn fft_c2r(x: &Tensor, dims: &[i64], norm: i64, last_dim_size: i64) -> KResult<Tensor> {
    expect_complex(x, "self")?;
    let dims = dims_of(dims, x.ndim())?;
    let norm = Norm::from_mode(norm).or_else(kerr)?;
    let size = usize::try_from(last_dim_size).or_else(|_| {
        kerr(format!(
            "last_dim_size must be positive, got {last_dim_size}"
        ))
    })?;
    let out = fft::c2r(&values(&x.to_c128()), x.shape(), &dims, norm, size).or_else(kerr)?;
    let shape = fft::c2r_shape(x.shape(), &dims, size);
    Ok(Tensor::from_f64(array(&shape, out), x.dtype().to_real()))
}

/// `_fft_c2c`: the forward or backward transform of a complex tensor along `dims`.
pub fn fft_c2c(x: &Tensor, dims: &[i64], norm: i64, forward: bool) -> KResult<Tensor> {
    expect_complex(x, "self")?;
    let dims = dims_of(dims, x.ndim())?;
    let norm = Norm::from_mode(norm).or_else(kerr)?;
    let mut data = values(&x.to_c128());
    fft::c2c(&mut data, x.shape(), &dims, forward, norm).or_else(kerr)?;
    Ok(Tensor::from_c128(array(x.shape(), data), x.dtype()))
}

/// The real and imaginary parts of a complex tensor, each of its real dtype.
pub fn parts(x: &Tensor) -> KResult<(Tensor, Tensor)> {
    expect_complex(x, "self")?;
    let c = x.to_c128();
    let real = x.dtype().to_real();
    Ok((
        Tensor::from_f64(c.mapv(|z| z.re), real),
        Tensor::from_f64(c.mapv(|z| z.im), real),
    ))
}

/// `view_as_real`: the parts in a new last dim of 2.
pub fn view_as_real(x: &Tensor) -> KResult<Tensor> {
    let (re, im) = parts(x)?;
    super::shape::stack(&[&re, &im], -1)
}

/// `view_as_complex`: an f32/f64 tensor whose last dim is 2 as complex numbers.
pub fn view_as_complex(x: &Tensor) -> KResult<Tensor> {
    let dtype = complex_of(x.dtype(), "self")?;
    if x.shape().last() != Some(&2) {
        return kerr(format!(
            "view_as_complex needs a last dim of size 2, got {}",
            x.describe()
        ));
    }
    let v = x.to_f64();
    let last = Axis(x.ndim() - 1);
    let (re, im) = (v.index_axis(last, 0), v.index_axis(last, 1));
    let z = ndarray::Zip::from(&re)
        .and(&im)
        .map_collect(|&r, &i| Complex64::new(r, i));
    Ok(Tensor::from_c128(z, dtype))
}

/// `complex`: a complex tensor from real and imaginary parts of one f32/f64 dtype.
pub fn complex(re: &Tensor, im: &Tensor) -> KResult<Tensor> {
    let dtype = complex_of(re.dtype(), "real")?;
    if im.dtype() != re.dtype() {
        return kerr(format!(
            "real and imag must have the same dtype, got {} and {}",
            re.describe(),
            im.describe()
        ));
    }
    let z = map2(&re.to_f64(), &im.to_f64(), Complex64::new)?;
    Ok(Tensor::from_c128(z, dtype))
}

/// `_conj`: the complex conjugate (a real tensor is its own).
pub fn conj(x: &Tensor) -> Tensor {
    match x.dtype().is_complex() {
        true => Tensor::from_c128(x.to_c128().mapv(|z| z.conj()), x.dtype()),
        false => x.clone(),
    }
}

/// `abs` of a complex tensor: the magnitudes, of its real dtype.
pub fn abs(x: &Tensor) -> KResult<Tensor> {
    expect_complex(x, "self")?;
    Ok(Tensor::from_f64(
        x.to_c128().mapv(Complex64::norm),
        x.dtype().to_real(),
    ))
}

/// `sgn` of a complex tensor: `z / |z|`, and 0 where `z` is 0.
pub fn sgn(x: &Tensor) -> KResult<Tensor> {
    expect_complex(x, "self")?;
    let z = x.to_c128().mapv(|z| {
        let r = z.norm();
        if r == 0.0 {
            Complex64::new(0.0, 0.0)
        } else {
            z / r
        }
    });
    Ok(Tensor::from_c128(z, x.dtype()))
}

/// `neg` of a complex tensor.
pub fn neg(x: &Tensor) -> Tensor {
    Tensor::from_c128(x.to_c128().mapv(|z| -z), x.dtype())
}

/// `x / y` as `c10::complex::operator/=` divides (Smith's algorithm, numpy's): no
/// intermediate overflows where the quotient does not, and a zero divisor gives the
/// infinities and nans of `x.re / |y.re|` and `x.im / |y.im|`, as PyTorch's.
pub fn div(x: Complex64, y: Complex64) -> Complex64 {
    let (a, b, c, d) = (x.re, x.im, y.re, y.im);
    if c.abs() >= d.abs() {
        if c == 0.0 && d == 0.0 {
            return Complex64::new(a / c.abs(), b / d.abs());
        }
        let rat = d / c;
        let scl = 1.0 / (c + d * rat);
        Complex64::new((a + b * rat) * scl, (b - a * rat) * scl)
    } else {
        let rat = c / d;
        let scl = 1.0 / (d + c * rat);
        Complex64::new((a * rat + b) * scl, (b * rat - a) * scl)
    }
}

/// An operand of a complex elementwise op, rounded to `dtype` first.
pub fn operand_in(x: Operand, dtype: DType) -> ArrayD<Complex64> {
    match x {
        Operand::Tensor(t) => t.cast(dtype).to_c128(),
        Operand::Scalar(s) => s.to_tensor(dtype).to_c128(),
    }
}

/// A binary elementwise op whose common dtype `dtype` is complex: `f` on the broadcast
/// operands in `complex<f64>`, rounded to `dtype`.
pub fn binary(
    a: Operand,
    b: Operand,
    dtype: DType,
    f: impl Fn(Complex64, Complex64) -> Complex64,
) -> KResult<Tensor> {
    let z = map2(&operand_in(a, dtype), &operand_in(b, dtype), f)?;
    Ok(Tensor::from_c128(z, dtype))
}

/// A reduction of a complex tensor: `reduce` applied to its real and imaginary parts
/// (sums and means are linear), the results put back together.
pub fn by_parts(x: &Tensor, reduce: impl Fn(&Tensor) -> KResult<Tensor>) -> KResult<Tensor> {
    let (re, im) = parts(x)?;
    complex(&reduce(&re)?, &reduce(&im)?)
}
