//! Moving tensors between the interpreter and the native runtime (`joinery-run`, tests that
//! compare native code with the interpreter).

use crate::tensor::{Complex64, Tensor};
use joinery_runtime::{DType, Tensor as RtTensor};

/// An interpreter tensor as a runtime tensor (same dtype, shape and values).
pub fn to_runtime(t: &Tensor) -> RtTensor<'static> {
    let shape = t.shape().to_vec();
    match t {
        Tensor::F32(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<f32>>()),
        Tensor::F64(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<f64>>()),
        Tensor::I64(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<i64>>()),
        Tensor::I32(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<i32>>()),
        Tensor::Bool(a) => RtTensor::from_bools(&shape, &a.iter().copied().collect::<Vec<bool>>()),
        Tensor::C64(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<_>>()),
        Tensor::C128(a) => RtTensor::from_vec(&shape, a.iter().copied().collect::<Vec<_>>()),
    }
}

/// A runtime tensor as an interpreter tensor; the interpreter has no 8/16-bit dtypes.
pub fn from_runtime(t: &RtTensor<'_>) -> Result<Tensor, String> {
    let shape = ndarray::IxDyn(t.shape());
    let arr = |v: Vec<f64>| ndarray::ArrayD::from_shape_vec(shape.clone(), v).expect("sizes match");
    let arr_c =
        |v: Vec<Complex64>| ndarray::ArrayD::from_shape_vec(shape.clone(), v).expect("sizes match");
    Ok(match t.dtype() {
        DType::F32 => Tensor::F32(arr(t.to_f64_vec()).mapv(|x| x as f32)),
        DType::F64 => Tensor::F64(arr(t.to_f64_vec())),
        DType::I64 => Tensor::I64(arr(t.to_f64_vec()).mapv(|x| x as i64)),
        DType::I32 => Tensor::I32(arr(t.to_f64_vec()).mapv(|x| x as i32)),
        DType::Bool => Tensor::Bool(arr(t.to_f64_vec()).mapv(|x| x != 0.0)),
        DType::C64 | DType::C128 => {
            let v = t.to_f64_vec();
            let z = v.chunks(2).map(|p| Complex64::new(p[0], p[1])).collect();
            let dtype = crate::tensor::DType::from_aten(t.dtype()).map_err(|d| d.message)?;
            Tensor::from_c128(arr_c(z), dtype)
        }
        other => return Err(format!("the interpreter has no {other} tensors")),
    })
}
