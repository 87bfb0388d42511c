//! The native side of `joinery-run`: compiling with the LLVM backend, moving tensors
//! between the interpreter's `.npy` tensors and the runtime's, and `train`.

use joinery_interp::Tensor as ITensor;
use joinery_ir::{Context, OpId, SourceMap};
use joinery_runtime::{DType, Tensor};

/// Parses and verifies a module at any level with every dialect registered; errors are
/// rendered diagnostics.
pub fn load(path: &std::path::Path) -> Result<(Context, SourceMap, OpId), String> {
    let loaded = joinery_driver::load_module(path, &joinery_all::DIALECTS)?;
    Ok((loaded.ctx, loaded.sources, loaded.module))
}

/// An interpreter tensor as a runtime tensor.
pub fn to_runtime(t: &ITensor) -> Result<Tensor<'static>, String> {
    let shape = t.shape().to_vec();
    Ok(match t {
        ITensor::F32(a) => Tensor::from_vec(&shape, a.iter().copied().collect::<Vec<f32>>()),
        ITensor::F64(a) => Tensor::from_vec(&shape, a.iter().copied().collect::<Vec<f64>>()),
        ITensor::I64(a) => Tensor::from_vec(&shape, a.iter().copied().collect::<Vec<i64>>()),
        ITensor::I32(a) => Tensor::from_vec(&shape, a.iter().copied().collect::<Vec<i32>>()),
        ITensor::Bool(a) => Tensor::from_bools(&shape, &a.iter().copied().collect::<Vec<bool>>()),
    })
}

/// A runtime tensor as an interpreter tensor (for `.npy` output).
pub fn to_interp(t: &Tensor<'_>) -> Result<ITensor, String> {
    let shape = ndarray::IxDyn(t.shape());
    let arr = |v: Vec<f64>| ndarray::ArrayD::from_shape_vec(shape.clone(), v).expect("sizes match");
    Ok(match t.dtype() {
        DType::F32 => ITensor::F32(arr(t.to_f64_vec()).mapv(|x| x as f32)),
        DType::F64 => ITensor::F64(arr(t.to_f64_vec())),
        DType::I64 => ITensor::I64(arr(t.to_f64_vec()).mapv(|x| x as i64)),
        DType::I32 => ITensor::I32(arr(t.to_f64_vec()).mapv(|x| x as i32)),
        DType::Bool => ITensor::Bool(arr(t.to_f64_vec()).mapv(|x| x != 0.0)),
        other => return Err(format!("error: cannot write a {other} tensor as .npy")),
    })
}
