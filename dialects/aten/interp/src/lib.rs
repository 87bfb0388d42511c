//! The reference interpreter for func, aot and aten: the semantics native code must match.
//!
//! [`run_function`] walks a `func.func` op by op, evaluating every `aten` op with
//! PyTorch's semantics ([`kernels`]) on dense runtime [`Tensor`]s.

pub mod kernels;
pub mod tensor;

pub use tensor::{DType, RuntimeValue, Scalar, Tensor};
