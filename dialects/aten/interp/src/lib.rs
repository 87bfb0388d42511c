//! The reference interpreter for func, aot and aten: the semantics native code must match.
//!
//! [`run_function`] walks a `func.func` op by op, evaluating every `aten` op with
//! PyTorch's semantics ([`kernels`]) on dense runtime [`Tensor`]s; operands and attributes
//! are read through the aten dialect's schemas, so attribute defaults come from the
//! catalogue. Every failure is a [`joinery_ir::Diagnostic`] carrying the op's span.
//!
//! Randomness (`native_dropout`, `bernoulli.p`, `rand`, `randn`) is deterministic: random
//! op `k` of a run (from 0) draws from the counter-based stream keyed by
//! `(seed, offset + k)` ([`RunOptions`]), or by the op's own `interp.seed` attribute;
//! element `i` of a stream is [`kernels::nn::uniform`]`(seed, stream, i)`. The native
//! backend generates the same function into its kernels, so native code draws exactly
//! these numbers (a compiled module keeps `(seed, offset)` and advances the offset by its
//! random ops per call). PyTorch's generator is not reproduced; what matters is that a
//! dropout mask is a value: the backward op receives the forward's mask, so forward and
//! backward always agree.

pub mod eval;
pub mod fold;
pub mod interp;
pub mod kernels;
mod ops;
pub mod runtime;
pub mod tensor;

pub use fold::fold_constant;
pub use interp::{RunOptions, run_function, run_function_with};
pub use tensor::{DType, RuntimeValue, Scalar, Tensor};
