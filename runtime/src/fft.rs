//! Discrete Fourier transforms as PyTorch's `_fft_c2c`, `_fft_r2c` and `_fft_c2r` compute
//! them, over dense row-major buffers: written once for the reference interpreter and the
//! native runtime's FFT steps (the `rustfft` crate underneath).
//!
//! A transform over several dims is a one-dimensional transform along each in turn. The
//! real transforms go through the complex one: `r2c` transforms the input as complex
//! numbers and keeps the first `n / 2 + 1` entries of the last dim when one-sided; `c2r`
//! transforms every dim but the last backward, extends the last dim to the Hermitian
//! spectrum of `last_dim_size` points and keeps the real part of its backward transform,
//! so, as pocketfft's `c2r`, it reads only the first `last_dim_size / 2 + 1` entries of
//! the last dim and ignores the imaginary parts of the zero (and even-size Nyquist) bins.

use rustfft::num_complex::Complex;
use rustfft::{FftNum, FftPlanner};
use serde::{Deserialize, Serialize};

/// PyTorch's `fft_norm_mode`: the factor every output is scaled by, from the product `n`
/// of the signal sizes along the transformed dims.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Norm {
    /// `0`: no scaling.
    None,
    /// `1`: `1 / sqrt(n)` (`"ortho"`).
    ByRootN,
    /// `2`: `1 / n`.
    ByN,
}

impl Norm {
    /// The mode of the ops' `normalization` argument (0, 1 or 2).
    pub fn from_mode(mode: i64) -> Result<Norm, String> {
        match mode {
            0 => Ok(Norm::None),
            1 => Ok(Norm::ByRootN),
            2 => Ok(Norm::ByN),
            m => Err(format!(
                "normalization must be 0, 1 or 2 (fft_norm_mode), got {m}"
            )),
        }
    }

    /// The factor for `n` signal points.
    pub fn factor(self, n: usize) -> f64 {
        match self {
            Norm::None => 1.0,
            Norm::ByRootN => 1.0 / (n as f64).sqrt(),
            Norm::ByN => 1.0 / n as f64,
        }
    }
}

/// Checks `dims` against `shape`: in range, distinct, none of extent zero (PyTorch: "Invalid
/// number of data points (0) specified").
fn check_dims(shape: &[usize], dims: &[usize]) -> Result<(), String> {
    for (i, &d) in dims.iter().enumerate() {
        if d >= shape.len() {
            return Err(format!(
                "dim {d} is out of range for a tensor of rank {}",
                shape.len()
            ));
        }
        if dims[..i].contains(&d) {
            return Err(format!(
                "dim {d} appears more than once in the transformed dims"
            ));
        }
        if shape[d] == 0 {
            return Err(format!("invalid number of data points (0) along dim {d}"));
        }
    }
    Ok(())
}

/// The product of the extents of `dims`.
fn signal_size(shape: &[usize], dims: &[usize]) -> usize {
    dims.iter().map(|&d| shape[d]).product()
}

/// Transforms every lane along `dim` of the row-major `data` in place (unscaled).
fn along<T: FftNum>(
    planner: &mut FftPlanner<T>,
    data: &mut [Complex<T>],
    shape: &[usize],
    dim: usize,
    forward: bool,
) {
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    let outer: usize = shape[..dim].iter().product();
    let fft = if forward {
        planner.plan_fft_forward(n)
    } else {
        planner.plan_fft_inverse(n)
    };
    let mut lane = vec![Complex::new(T::zero(), T::zero()); n];
    let mut scratch = vec![Complex::new(T::zero(), T::zero()); fft.get_inplace_scratch_len()];
    for o in 0..outer {
        for i in 0..inner {
            let at = |k: usize| (o * n + k) * inner + i;
            for (k, x) in lane.iter_mut().enumerate() {
                *x = data[at(k)];
            }
            fft.process_with_scratch(&mut lane, &mut scratch);
            for (k, x) in lane.iter().enumerate() {
                data[at(k)] = *x;
            }
        }
    }
}

/// Multiplies every element by `factor` (skipped when it is 1).
fn scale<T: FftNum>(data: &mut [Complex<T>], factor: f64) {
    if factor != 1.0 {
        let f = T::from_f64(factor).expect("a float type holds the factor");
        for x in data {
            *x = *x * f;
        }
    }
}

/// `_fft_c2c`: `data` (row-major, `shape`) transformed in place along `dims`, forward
/// (`e^{-2πi jk/n}`) or backward, scaled by `norm`.
pub fn c2c<T: FftNum>(
    data: &mut [Complex<T>],
    shape: &[usize],
    dims: &[usize],
    forward: bool,
    norm: Norm,
) -> Result<(), String> {
    check_dims(shape, dims)?;
    let mut planner = FftPlanner::new();
    for &d in dims {
        along(&mut planner, data, shape, d, forward);
    }
    scale(data, norm.factor(signal_size(shape, dims)));
    Ok(())
}

/// The shape of `_fft_r2c`'s result: the input's, with the last transformed dim halved
/// (`n / 2 + 1`) when `onesided`.
pub fn r2c_shape(shape: &[usize], dims: &[usize], onesided: bool) -> Vec<usize> {
    let mut out = shape.to_vec();
    if let (true, Some(&last)) = (onesided, dims.last()) {
        out[last] = out[last] / 2 + 1;
    }
    out
}

/// `_fft_r2c`: the forward transform of the real `input` along `dims`, scaled by `norm`;
/// its shape is [`r2c_shape`].
pub fn r2c<T: FftNum>(
    input: &[T],
    shape: &[usize],
    dims: &[usize],
    norm: Norm,
    onesided: bool,
) -> Result<Vec<Complex<T>>, String> {
    let mut full: Vec<Complex<T>> = input.iter().map(|&x| Complex::new(x, T::zero())).collect();
    c2c(&mut full, shape, dims, true, norm)?;
    let out_shape = r2c_shape(shape, dims, onesided);
    Ok(match dims.last() {
        Some(&last) if out_shape[last] != shape[last] => crop(&full, shape, last, out_shape[last]),
        _ => full,
    })
}

/// The first `keep` entries along `dim` of the row-major `data`.
fn crop<T: Copy>(data: &[T], shape: &[usize], dim: usize, keep: usize) -> Vec<T> {
    let n = shape[dim];
    let inner: usize = shape[dim + 1..].iter().product();
    data.chunks(n * inner)
        .flat_map(|block| &block[..keep * inner])
        .copied()
        .collect()
}

/// The shape of `_fft_c2r`'s result: the input's with the last transformed dim
/// `last_dim_size`.
pub fn c2r_shape(shape: &[usize], dims: &[usize], last_dim_size: usize) -> Vec<usize> {
    let mut out = shape.to_vec();
    if let Some(&last) = dims.last() {
        out[last] = last_dim_size;
    }
    out
}

/// `_fft_c2r`: the real backward transform of the one-sided Hermitian `input` along
/// `dims`, whose last dim has `last_dim_size` points in the result; scaled by `norm`
/// over the result's sizes. The input's last transformed dim must hold at least
/// `last_dim_size / 2 + 1` entries.
pub fn c2r<T: FftNum>(
    input: &[Complex<T>],
    shape: &[usize],
    dims: &[usize],
    norm: Norm,
    last_dim_size: usize,
) -> Result<Vec<T>, String> {
    let Some((&last, rest)) = dims.split_last() else {
        return Err("_fft_c2r needs at least one dim".into());
    };
    check_dims(shape, dims)?;
    let half = last_dim_size / 2 + 1;
    if last_dim_size == 0 || shape[last] < half {
        return Err(format!(
            "a real signal of {last_dim_size} points along dim {last} needs at least {half} \
             complex entries there, the input has {}",
            shape[last]
        ));
    }
    let mut data = input.to_vec();
    let mut planner = FftPlanner::new();
    for &d in rest {
        along(&mut planner, &mut data, shape, d, false);
    }
    let out_shape = c2r_shape(shape, dims, last_dim_size);
    let n = shape[last];
    let inner: usize = shape[last + 1..].iter().product();
    let mut full = Vec::with_capacity(out_shape.iter().product());
    for block in data.chunks(n * inner) {
        for k in 0..last_dim_size {
            for i in 0..inner {
                full.push(if k < half {
                    block[k * inner + i]
                } else {
                    block[(last_dim_size - k) * inner + i].conj()
                });
            }
        }
    }
    along(&mut planner, &mut full, &out_shape, last, false);
    scale(&mut full, norm.factor(signal_size(&out_shape, dims)));
    Ok(full.into_iter().map(|x| x.re).collect())
}

/// Which transform a plan's FFT step runs, with its own argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Transform {
    /// [`r2c`].
    R2c { onesided: bool },
    /// [`c2r`].
    C2r { last_dim_size: usize },
    /// [`c2c`].
    C2c { forward: bool },
}

/// A plan's FFT step: `src` transformed into `out`, both dense row-major buffers of
/// `dtype` (f32 or f64); a complex side holds (real, imaginary) pairs.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FftRef {
    pub src: usize,
    pub out: usize,
    pub dtype: crate::DType,
    /// The transformed tensor's shape (complex numbers counted once).
    pub shape: Vec<usize>,
    pub dims: Vec<usize>,
    pub norm: Norm,
    pub transform: Transform,
}

impl FftRef {
    /// The floats `src` and `out` hold.
    pub fn elements(&self) -> (usize, usize) {
        let n = |shape: &[usize], complex: bool| {
            shape.iter().product::<usize>() * if complex { 2 } else { 1 }
        };
        match self.transform {
            Transform::R2c { onesided } => (
                n(&self.shape, false),
                n(&r2c_shape(&self.shape, &self.dims, onesided), true),
            ),
            Transform::C2r { last_dim_size } => (
                n(&self.shape, true),
                n(&c2r_shape(&self.shape, &self.dims, last_dim_size), false),
            ),
            Transform::C2c { .. } => (n(&self.shape, true), n(&self.shape, true)),
        }
    }

    /// Runs the step on the plan's buffers.
    ///
    /// # Safety
    /// `ptrs[src]` and `ptrs[out]` hold [`FftRef::elements`] values of `dtype` each, and
    /// do not overlap (the plan was checked).
    pub(crate) unsafe fn run(&self, ptrs: &[*mut u8]) -> Result<(), String> {
        // SAFETY: the caller's contract.
        unsafe {
            match self.dtype {
                crate::DType::F32 => self.run_in::<f32>(ptrs),
                crate::DType::F64 => self.run_in::<f64>(ptrs),
                d => Err(format!("an FFT step of {d} (f32 and f64 only)")),
            }
        }
    }

    /// [`FftRef::run`] in the float type `T`.
    unsafe fn run_in<T: FftNum>(&self, ptrs: &[*mut u8]) -> Result<(), String> {
        let (ns, no) = self.elements();
        // SAFETY: the caller's contract: both buffers hold these many `T`s, apart; a
        // complex number is two `T`s in a row (`Complex` is `repr(C)`).
        let (src, out) = unsafe {
            (
                std::slice::from_raw_parts(ptrs[self.src].cast::<T>(), ns),
                std::slice::from_raw_parts_mut(ptrs[self.out].cast::<T>(), no),
            )
        };
        let as_complex = |v: &[T]| -> Vec<Complex<T>> {
            v.chunks_exact(2)
                .map(|p| Complex::new(p[0], p[1]))
                .collect()
        };
        let result: Vec<T> = match self.transform {
            Transform::R2c { onesided } => r2c(src, &self.shape, &self.dims, self.norm, onesided)?
                .into_iter()
                .flat_map(|z| [z.re, z.im])
                .collect(),
            Transform::C2r { last_dim_size } => c2r(
                &as_complex(src),
                &self.shape,
                &self.dims,
                self.norm,
                last_dim_size,
            )?,
            Transform::C2c { forward } => {
                let mut data = as_complex(src);
                c2c(&mut data, &self.shape, &self.dims, forward, self.norm)?;
                data.into_iter().flat_map(|z| [z.re, z.im]).collect()
            }
        };
        out.copy_from_slice(&result);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dft(x: &[Complex<f64>], sign: f64) -> Vec<Complex<f64>> {
        let n = x.len();
        (0..n)
            .map(|k| {
                x.iter()
                    .enumerate()
                    .fold(Complex::new(0.0, 0.0), |acc, (j, &v)| {
                        let a = sign * 2.0 * std::f64::consts::PI * (j * k) as f64 / n as f64;
                        acc + v * Complex::new(a.cos(), a.sin())
                    })
            })
            .collect()
    }

    fn close(a: &[Complex<f64>], b: &[Complex<f64>]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).norm() < 1e-9)
    }

    #[test]
    fn r2c_is_the_naive_dft_cropped_and_scaled() {
        let x = [1.0, -2.0, 0.5, 3.0, 4.0];
        let want = dft(&x.map(|v| Complex::new(v, 0.0)), -1.0);
        let got = r2c(&x, &[5], &[0], Norm::ByRootN, true).unwrap();
        let scaled: Vec<_> = want[..3].iter().map(|v| v / 5f64.sqrt()).collect();
        assert!(close(&got, &scaled), "{got:?}");
    }

    #[test]
    fn c2r_inverts_r2c_on_two_dims_for_odd_and_even_sizes() {
        for cols in [4usize, 5] {
            let x: Vec<f64> = (0..3 * cols).map(|i| (i as f64 * 0.7).sin()).collect();
            let spec = r2c(&x, &[3, cols], &[0, 1], Norm::None, true).unwrap();
            let back = c2r(&spec, &[3, cols / 2 + 1], &[0, 1], Norm::ByN, cols).unwrap();
            assert!(
                x.iter().zip(&back).all(|(a, b)| (a - b).abs() < 1e-12),
                "{back:?}"
            );
        }
    }

    #[test]
    fn c2c_along_the_first_dim_of_a_matrix() {
        let x: Vec<Complex<f64>> = (0..6)
            .map(|i| Complex::new(i as f64, 1.0 - i as f64))
            .collect();
        let mut got = x.clone();
        c2c(&mut got, &[3, 2], &[0], false, Norm::ByN).unwrap();
        for col in 0..2 {
            let lane: Vec<_> = (0..3).map(|r| x[r * 2 + col]).collect();
            let want: Vec<_> = dft(&lane, 1.0).iter().map(|v| v / 3.0).collect();
            let have: Vec<_> = (0..3).map(|r| got[r * 2 + col]).collect();
            assert!(close(&have, &want), "{have:?}");
        }
    }

    #[test]
    fn bad_arguments_are_errors() {
        assert!(Norm::from_mode(3).is_err());
        assert!(r2c(&[1.0f32; 4], &[4], &[1], Norm::None, true).is_err());
        assert!(r2c::<f32>(&[], &[0], &[0], Norm::None, true).is_err());
        let spec = [Complex::new(1.0f64, 0.0); 2];
        assert!(c2r(&spec, &[2], &[0], Norm::None, 8).is_err());
        assert!(c2r(&spec, &[2], &[], Norm::None, 2).is_err());
    }
}
