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
#[serde(deny_unknown_fields)]
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
    /// The random ops' state, when the runtime supplies it: the last two inputs are then
    /// not the caller's but the module's seed and offset ([`crate::module::RngState`]).
    #[serde(default)]
    pub rng: Option<RngSpec>,
}

/// How a plan draws random numbers: its random ops read the seed and the first stream
/// from its last two inputs (0-d i64 tensors) that the runtime fills from the module's
/// state; op `k` (from 0) draws from stream `offset + k`, so one call uses `streams`
/// streams and the next call starts after them.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RngSpec {
    /// Streams one call draws from (its number of random ops).
    pub streams: u64,
}

impl Plan {
    /// The arguments the caller passes: every input but the random state the runtime
    /// supplies ([`Plan::rng`]).
    pub fn caller_inputs(&self) -> &[ArgSpec] {
        let hidden = if self.rng.is_some() { 2 } else { 0 };
        &self.inputs[..self.inputs.len().saturating_sub(hidden)]
    }
}

/// One argument: what the caller must pass.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct ResultTensor {
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// The buffer (a [`Location::Output`]) that holds the result.
    pub buffer: usize,
}

/// Where a buffer lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct BufferSpec {
    pub location: Location,
    pub bytes: u64,
}

/// A generated kernel: `void symbol(uint8_t **buffers, int64_t lo, int64_t hi)` runs
/// iterations `[lo, hi)` of its outermost loop.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KernelSpec {
    pub symbol: String,
    /// The source ops fused into it, for profiles and messages.
    pub sources: Vec<String>,
}

/// How a reduction combines values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ReduceKind {
    Sum,
    Max,
}

/// A kernel argument that is a reduction over the outermost (split) loop: each task
/// accumulates into its own copy, combined into the buffer afterwards.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Partial {
    /// Position in the step's `args`.
    pub arg: usize,
    pub kind: ReduceKind,
    /// Elements of the reduced buffer (f32).
    pub elements: u64,
}

/// A strided matrix operand of a GEMM step, in elements.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
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
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub plans: Vec<Plan>,
    pub diffs: Vec<DiffSpec>,
}

impl Bundle {
    /// The bundle as JSON (what a shared library embeds).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plans serialize")
    }

    /// Parses a bundle from JSON and checks it ([`Bundle::check`]).
    pub fn from_json(text: &str) -> Result<Bundle, String> {
        let bundle: Bundle =
            serde_json::from_str(text).map_err(|e| format!("malformed plan bundle: {e}"))?;
        bundle
            .check()
            .map_err(|e| format!("malformed plan bundle: {e}"))?;
        Ok(bundle)
    }

    /// Checks every plan ([`Plan::check`]) and that pairs name plans of the bundle.
    pub fn check(&self) -> Result<(), String> {
        for p in &self.plans {
            p.check()?;
        }
        for d in &self.diffs {
            if d.forward >= self.plans.len() || d.backward >= self.plans.len() {
                return Err(format!("pair {} names a plan that is not there", d.name));
            }
        }
        Ok(())
    }
}

impl Plan {
    /// Checks what running the plan relies on, so that a damaged plan is an error rather
    /// than memory corruption: every index names an existing argument, result, buffer or
    /// kernel; buffers have the bytes of their tensors and arena slots lie inside the
    /// arena; fills, partial reductions and GEMM operands stay inside their buffers.
    /// (What a kernel touches is in its code, checked when it was compiled.)
    pub fn check(&self) -> Result<(), String> {
        let at = |what: &str| format!("@{}: {what}", self.name);
        if self.rng.is_some() {
            let n = self.inputs.len();
            let scalar_i64 = |a: &ArgSpec| a.dtype == DType::I64 && a.shape.is_empty();
            if n < 2 || !self.inputs[n - 2..].iter().all(scalar_i64) {
                return Err(at(
                    "its random state must be its last two inputs, 0-d i64 tensors",
                ));
            }
        }
        let bytes_of = |dtype: DType, shape: &[usize]| {
            shape.iter().try_fold(dtype.size_bytes() as u64, |acc, &d| {
                acc.checked_mul(d as u64)
            })
        };
        for (b, buf) in self.buffers.iter().enumerate() {
            let expect = match buf.location {
                Location::Input(i) => {
                    let a = self
                        .inputs
                        .get(i)
                        .ok_or_else(|| at(&format!("buffer {b} is missing argument #{i}")))?;
                    bytes_of(a.dtype, &a.shape)
                }
                Location::Output(j) => {
                    let t = self
                        .outputs
                        .get(j)
                        .and_then(|r| r.tensor.as_ref())
                        .ok_or_else(|| {
                            at(&format!(
                                "buffer {b} is result #{j}, which is not a tensor result"
                            ))
                        })?;
                    bytes_of(t.dtype, &t.shape)
                }
                Location::Arena { offset } => {
                    if offset
                        .checked_add(buf.bytes)
                        .is_none_or(|end| end > self.arena_bytes)
                    {
                        return Err(at(&format!("buffer {b} lies outside the arena")));
                    }
                    Some(buf.bytes)
                }
            };
            if expect != Some(buf.bytes) {
                return Err(at(&format!(
                    "buffer {b} has {} bytes, not its tensor's",
                    buf.bytes
                )));
            }
        }
        let buffer = |b: usize| {
            self.buffers
                .get(b)
                .ok_or_else(|| at(&format!("a step names buffer {b}, which is not there")))
        };
        for (j, r) in self.outputs.iter().enumerate() {
            if let Some(t) = &r.tensor
                && buffer(t.buffer)?.location != Location::Output(j)
            {
                return Err(at(&format!("result #{j} is not read from its own buffer")));
            }
            if let Some(i) = r.mutates {
                let same = match (self.inputs.get(i), &r.tensor) {
                    (Some(a), Some(t)) => a.dtype == t.dtype && a.shape == t.shape,
                    _ => false,
                };
                if !same {
                    return Err(at(&format!(
                        "result #{j} cannot be written back to argument #{i}"
                    )));
                }
            }
        }
        let inside = |b: usize, elements: u64, size: u64| -> Result<(), String> {
            let bytes = buffer(b)?.bytes;
            if elements.checked_mul(size).is_none_or(|n| n > bytes) {
                return Err(at(&format!("a step reaches past the end of buffer {b}")));
            }
            Ok(())
        };
        for step in &self.steps {
            match step {
                Step::Kernel {
                    kernel,
                    args,
                    partial,
                    ..
                } => {
                    if *kernel >= self.kernels.len() {
                        return Err(at(&format!(
                            "a step runs kernel {kernel}, which is not there"
                        )));
                    }
                    for &b in args {
                        buffer(b)?;
                    }
                    for p in partial {
                        let b = *args
                            .get(p.arg)
                            .ok_or_else(|| at("a partial reduction names no argument"))?;
                        inside(b, p.elements, 4)?;
                    }
                }
                Step::Fill {
                    buffer: b,
                    dtype,
                    elements,
                    ..
                } => inside(*b, *elements, dtype.size_bytes() as u64)?,
                Step::Gemm {
                    m,
                    n,
                    k,
                    batch,
                    a,
                    b,
                    c,
                    ..
                } => {
                    for (r, rows, cols) in [(a, m, k), (b, k, n), (c, m, n)] {
                        let elements = buffer(r.buffer)?.bytes / 4;
                        if !matrix_inside(r, *batch, *rows, *cols, elements) {
                            return Err(at(&format!(
                                "a GEMM operand reaches outside buffer {}",
                                r.buffer
                            )));
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// Whether every element `offset + bs*i + rs*r + cs*c` of a `batch` x `rows` x `cols`
/// view lies in `0..elements`.
fn matrix_inside(r: &MatRef, batch: usize, rows: usize, cols: usize, elements: u64) -> bool {
    if batch == 0 || rows == 0 || cols == 0 {
        return true;
    }
    let reach = |stride: i64, extent: usize| -> Option<(i64, i64)> {
        let v = stride.checked_mul(i64::try_from(extent - 1).ok()?)?;
        Some((v.min(0), v.max(0)))
    };
    let range = [(r.bs, batch), (r.rs, rows), (r.cs, cols)]
        .into_iter()
        .try_fold((r.offset, r.offset), |(lo, hi), (s, e)| {
            let (dl, dh) = reach(s, e)?;
            Some((lo.checked_add(dl)?, hi.checked_add(dh)?))
        });
    range.is_some_and(|(lo, hi)| lo >= 0 && (hi as u64) < elements)
}
