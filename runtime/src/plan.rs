//! The execution plan: what a compiled function is once its kernels are machine code.
//!
//! A [`Plan`] lists the function's arguments and results (with their descriptors), the
//! buffers it touches (caller inputs, caller-visible outputs, or slots of one arena laid
//! out by the compiler's memory planner) and the steps to run in order: generated kernels,
//! GEMM calls and fills. It is plain data (JSON), so a shared library carries it as a
//! string and the runtime runs it without the compiler.

use crate::tensor::DType;
use serde::{Deserialize, Serialize};

/// A compiled function.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Plan {
    /// The source function's symbol name.
    pub name: String,
    pub inputs: Vec<ArgSpec>,
    pub outputs: Vec<ResultSpec>,
    pub buffers: Vec<BufferSpec>,
    /// Size of the scratch arena holding every [`Location::Arena`] buffer.
    pub arena_bytes: u64,
    pub kernels: Vec<KernelSpec>,
    pub steps: Vec<Step>,
}

/// One argument: what the caller must pass.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ArgSpec {
    /// The SSA name in the source (`primals_1`), for messages.
    pub name: String,
    /// The argument's descriptor as text (`#aot.param<"fc1.weight">`), or empty.
    pub desc: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
}

/// One result.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ResultSpec {
    /// The result's descriptor as text, or empty.
    pub desc: String,
    /// The tensor type and the buffer holding it; `None` for a `none` result.
    pub tensor: Option<ResultTensor>,
    /// For an `#aot.input_mutation` result: the argument written back with its value.
    pub mutates: Option<usize>,
}

/// Type and storage of a tensor result.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ResultTensor {
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// The buffer (a [`Location::Output`]) that holds the result.
    pub buffer: usize,
}

/// Where a buffer lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Location {
    /// The storage of argument `i`.
    Input(usize),
    /// A fresh tensor returned as result `j`.
    Output(usize),
    /// Bytes `[offset, offset + bytes)` of the arena.
    Arena { offset: u64 },
}

/// A buffer: contiguous bytes somewhere.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct BufferSpec {
    pub location: Location,
    pub bytes: u64,
}

/// A generated kernel: `void symbol(uint8_t **buffers, int64_t lo, int64_t hi)` runs
/// iterations `[lo, hi)` of its outermost loop.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct KernelSpec {
    pub symbol: String,
    /// The source ops fused into it, for profiles and messages.
    pub sources: Vec<String>,
}

/// How a reduction combines values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum ReduceKind {
    Sum,
    Max,
}

/// A kernel argument that is a reduction over the outermost (split) loop: each task
/// accumulates into its own copy, combined into the buffer afterwards.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Partial {
    /// Position in the step's `args`.
    pub arg: usize,
    pub kind: ReduceKind,
    /// Elements of the reduced buffer (f32).
    pub elements: u64,
}

/// A strided matrix operand of a GEMM step, in elements.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct MatRef {
    pub buffer: usize,
    pub offset: i64,
    /// Row, column and batch strides.
    pub rs: i64,
    pub cs: i64,
    pub bs: i64,
}

/// One step of a plan.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub enum Step {
    /// Run kernel `kernel` over `extent` outer iterations with these buffers.
    Kernel {
        kernel: usize,
        args: Vec<usize>,
        extent: u64,
        /// Total loop iterations (all dims), to decide whether splitting pays.
        work: u64,
        partial: Vec<Partial>,
    },
    /// `c[b] = (accumulate ? c[b] : 0) + a[b] @ b[b]` for each batch `b` (f32).
    Gemm {
        m: usize,
        n: usize,
        k: usize,
        batch: usize,
        a: MatRef,
        b: MatRef,
        c: MatRef,
        accumulate: bool,
    },
    /// Fill a buffer of `elements` values of `dtype` with `value`.
    Fill {
        buffer: usize,
        dtype: DType,
        elements: u64,
        /// Stored as IEEE bits: JSON has no infinities (a max-reduction starts at -inf).
        #[serde(with = "f64_bits")]
        value: f64,
    },
}

/// Serde for an `f64` as its bit pattern.
mod f64_bits {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the bits.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(v.to_bits())
    }

    /// Reads the bits.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        u64::deserialize(d).map(f64::from_bits)
    }
}

/// A forward/backward pair of plans forming a differentiable function.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct DiffSpec {
    /// The joint function's name.
    pub name: String,
    /// Index of the forward plan in the bundle.
    pub forward: usize,
    pub backward: usize,
    /// How many leading forward results are user outputs (the rest are saved values).
    pub num_fwd_outputs: usize,
    pub num_saved: usize,
}

/// Everything one compilation produced: plans and differentiable pairs.
#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct Bundle {
    pub plans: Vec<Plan>,
    pub diffs: Vec<DiffSpec>,
}

impl Bundle {
    /// The bundle as JSON (what a shared library embeds).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plans serialize")
    }

    /// Parses a bundle from JSON.
    pub fn from_json(text: &str) -> Result<Bundle, String> {
        serde_json::from_str(text).map_err(|e| format!("malformed plan bundle: {e}"))
    }
}
