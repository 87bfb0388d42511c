//! joinery's runtime: what compiled code runs against, with nothing of the compiler.
//!
//! - [`tensor`]: dense tensors with owned (aligned) or borrowed storage.
//! - [`plan`]: the data a compilation produces — buffers, memory plan, kernel and GEMM
//!   steps, signatures with descriptors — serialised as JSON inside a shared library.
//! - [`exec`]: runs a plan on a rayon thread pool.
//! - [`conv`]: f32 convolutions (forward, backward data, backward weights) through oneDNN.
//! - [`fft`]: PyTorch's discrete Fourier transforms (`_fft_r2c`, `_fft_c2r`, `_fft_c2c`),
//!   shared with the reference interpreter.
//! - [`gemm`]: f32 GEMM on strided, batched operands (the `gemm` crate underneath).
//! - [`module`]: [`CompiledModule`] (checked calls, input-mutation write-back, the
//!   [`RngState`] its random ops draw from, advanced by every call),
//!   [`DifferentiableFn`] (forward → outputs + opaque saved; backward), [`Library`]
//!   (`dlopen` of an ahead-of-time compiled library).
//! - [`capi`]: the C ABI over DLPack tensors (`include/joinery.h`).

pub mod capi;
pub mod conv;
pub mod exec;
pub mod fft;
pub mod gemm;
mod indexed;
mod lanes;
pub mod module;
mod nonzero;
pub mod plan;
pub mod tensor;

pub use exec::{Executor, KernelFn};
pub use module::{
    BUNDLE_SYMBOL, CallError, CodeOwner, CompiledModule, DifferentiableFn, Library, MAX_THREADS,
    RngState, Saved, default_threads, thread_count,
};
pub use plan::{Bundle, Plan};
pub use tensor::{DType, Tensor};
