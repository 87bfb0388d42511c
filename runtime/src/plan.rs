//! The execution plan: what a compiled function is once its kernels are machine code.
//!
//! A [`Plan`] lists the function's arguments and results (with their descriptors), the
//! buffers it touches (caller inputs, caller-visible outputs, or slots of one arena laid
//! out by the compiler's memory planner) and the steps to run in order: generated kernels,
//! GEMM calls, fills, gathers and scatters through index tensors, and cumsums and
//! argsorts along lanes. It is plain data (JSON), so a shared library carries it as a
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

    /// Whether the steps write every byte of buffer `b` whatever it held before, so that
    /// it need not start zeroed: the passes of convolution steps write every element of
    /// their results (the other steps are not counted: a kernel may fill only part of its
    /// buffer, or accumulate into it).
    pub fn overwrites(&self, b: usize) -> bool {
        let mut written: Vec<std::ops::Range<u64>> = self
            .steps
            .iter()
            .filter_map(|step| match step {
                Step::Conv(c) => Some(c.buffers()),
                _ => None,
            })
            .flatten()
            .filter(|&(buffer, _, writes)| writes && buffer == b)
            .map(|(_, elements, _)| 4 * elements.start..4 * elements.end)
            .collect();
        written.sort_by_key(|r| r.start);
        let covered = written
            .iter()
            .try_fold(0, |end, r| (r.start <= end).then_some(end.max(r.end)));
        self.buffers
            .get(b)
            .is_some_and(|spec| covered.is_some_and(|end| end >= spec.bytes))
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
    /// For a result whose leading extent is known only at run time (`tensor<?x2xi64>` of
    /// `aten.nonzero`): the buffer holding that extent, one `i64` a step writes. `shape`
    /// is then the upper bound the buffer is sized for, and the caller receives the
    /// first `rows` entries along dim 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<usize>,
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
    /// The sites (aten op and position) of its integer divisions, when it has any: then
    /// `buffers` holds one more pointer, after the step's `args`, to an `i32` status word
    /// that starts at 0; a zero divisor sets it to `1 + ` its site's index, and the step
    /// fails naming that site (PyTorch raises `ZeroDivisionError`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
}

/// How a reduction combines values.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ReduceKind {
    Sum,
    Max,
}

/// How an accumulating [`Step::Scatter`] combines an element with the one in `out`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum ScatterReduce {
    #[default]
    Sum,
    Prod,
    /// The larger; NaN from either side wins.
    Max,
    /// The smaller; NaN from either side wins.
    Min,
}

impl ScatterReduce {
    /// Whether this is the default, [`ScatterReduce::Sum`] (left out of a plan's JSON, so
    /// that plans without other reductions read as before).
    pub fn is_sum(&self) -> bool {
        *self == ScatterReduce::Sum
    }
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

/// Elements `offset + sum(strides[d] * p[d])` of a buffer at the points `p` of a space.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StridedMap {
    pub offset: i64,
    pub strides: Vec<i64>,
}

/// One index tensor of a [`Step::Gather`] or [`Step::Scatter`].
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexRef {
    pub buffer: usize,
    /// [`DType::I64`] or [`DType::I32`].
    pub dtype: DType,
    /// Where the index of each point is read.
    pub map: StridedMap,
    /// The stride, in the indexed buffer, of the dimension the index selects along.
    pub stride: i64,
    /// That dimension's size: indices lie in `[0, bound)`, or with [`Indexed::wrap`] in
    /// `[-bound, bound)`.
    pub bound: u64,
    /// That dimension's number, for messages.
    pub dim: u64,
}

/// What a [`Step::Gather`] or [`Step::Scatter`] moves: for every point `p` of `space`,
/// with `k = sum_j indices[j].stride * wrap(index_j(p))`, a gather sets
/// `out[out_map(p)] = src[src_map(p) + k]`, a scatter `out[out_map(p) + k] (+)=
/// src[src_map(p)]`. With `wrap` a negative index counts from the end of its dimension;
/// an index out of range stops the call with an error naming `source`.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indexed {
    pub src: usize,
    pub out: usize,
    /// Element type of `src` and `out`.
    pub dtype: DType,
    pub space: Vec<u64>,
    pub src_map: StridedMap,
    pub out_map: StridedMap,
    pub indices: Vec<IndexRef>,
    pub wrap: bool,
    /// The aten op and its position in the source, for errors.
    pub source: String,
}

/// What a [`Step::Cumsum`] or [`Step::Argsort`] works on: the lanes along the last dim
/// of `space` (the other dims pick the lane).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaneRef {
    pub src: usize,
    pub out: usize,
    /// Element type of `src`.
    pub dtype: DType,
    pub space: Vec<u64>,
    pub src_map: StridedMap,
    /// Over `space` with the last extent replaced by the elements written per lane.
    pub out_map: StridedMap,
}

/// What a [`Step::Nonzero`] reads and writes.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonzeroRef {
    pub src: usize,
    /// Element type of `src`.
    pub dtype: DType,
    /// The shape of the tensor searched (empty for a 0-d tensor).
    pub space: Vec<u64>,
    pub src_map: StridedMap,
    /// An `i64` buffer of one row of `space.len()` indices per point of `space`.
    pub out: usize,
    /// One `i64`: the number of rows written.
    pub count: usize,
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
    /// Copy elements of `src` at indexed positions into `out` ([`Indexed`]).
    Gather(Indexed),
    /// Store (or with `accumulate`, combine by `reduce`) elements of `src` into `out` at
    /// indexed positions ([`Indexed`]); runs on one thread, since indices may repeat.
    Scatter {
        moves: Indexed,
        accumulate: bool,
        #[serde(default, skip_serializing_if = "ScatterReduce::is_sum")]
        reduce: ScatterReduce,
    },
    /// Running sums along each lane, `out` of `src`'s type (floats summed in f64,
    /// integers in wrapping i64).
    Cumsum(LaneRef),
    /// For each lane, the i64 positions of its first `k` elements in ascending (or
    /// `descending`) order: stable, NaN above every number, as PyTorch sorts.
    Argsort {
        lanes: LaneRef,
        k: u64,
        descending: bool,
    },
    /// A discrete Fourier transform ([`crate::fft::FftRef`]).
    Fft(crate::fft::FftRef),
    /// An f32 convolution, forward or backward, through oneDNN ([`crate::conv::ConvRef`]).
    Conv(crate::conv::ConvRef),
    /// The multi-index of every nonzero element of `src` (NaN counts), in row-major
    /// order, as rows of `out`, and their number in `count` ([`NonzeroRef`]).
    Nonzero(NonzeroRef),
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
    /// arena; fills, partial reductions, GEMM operands, FFT operands and every element a
    /// gather or scatter reads or writes (for any index in range), and a nonzero step's
    /// reads, rows and count, stay inside their buffers; a result's run-time row count
    /// is an `i64` of another buffer.
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
            if let Some(t) = &r.tensor
                && let Some(b) = t.rows
            {
                if t.shape.is_empty() || r.mutates.is_some() {
                    return Err(at(&format!(
                        "result #{j} has a run-time leading extent, so it must be a tensor \
                         of rank 1 or more that is not written back to an argument"
                    )));
                }
                if b == t.buffer || buffer(b)?.bytes < 8 {
                    return Err(at(&format!(
                        "the row count of result #{j} is not one i64 of another buffer"
                    )));
                }
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
        let elements_of = |b: usize, dtype: DType| -> Result<u64, String> {
            Ok(buffer(b)?.bytes / dtype.size_bytes() as u64)
        };
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
                Step::Gather(moves) => moves.check(&buffer, false).map_err(|e| at(&e))?,
                Step::Fft(f) => {
                    if f.src == f.out || !matches!(f.dtype, DType::F32 | DType::F64) {
                        return Err(at("an FFT step needs two f32 or f64 buffers"));
                    }
                    if f.dims.is_empty() || f.dims.iter().any(|&d| d >= f.shape.len()) {
                        return Err(at("an FFT step's dims are not dims of its shape"));
                    }
                    let (ns, no) = f.elements();
                    let size = f.dtype.size_bytes() as u64;
                    inside(f.src, ns as u64, size)?;
                    inside(f.out, no as u64, size)?;
                }
                Step::Conv(c) => {
                    c.check().map_err(|e| at(&e))?;
                    let buffers = c.buffers();
                    let written = |b: usize| buffers.iter().any(|&(w, _, writes)| writes && w == b);
                    if buffers.iter().any(|&(b, _, writes)| !writes && written(b)) {
                        return Err(at("a convolution step writes a buffer it reads"));
                    }
                    for (b, elements, _) in buffers {
                        inside(b, elements.end, 4)?;
                    }
                }
                Step::Nonzero(x) => {
                    if x.src_map.strides.len() != x.space.len()
                        || !map_inside(&x.src_map, &x.space, elements_of(x.src, x.dtype)?)
                    {
                        return Err(at(&format!(
                            "a nonzero step reaches outside buffer {}",
                            x.src
                        )));
                    }
                    let points = x.space.iter().try_fold(1u64, |n, &d| n.checked_mul(d));
                    let entries = points.and_then(|p| p.checked_mul(x.space.len() as u64));
                    inside(
                        x.out,
                        entries.ok_or_else(|| at("a nonzero step overflows"))?,
                        8,
                    )?;
                    inside(x.count, 1, 8)?;
                    if x.out == x.src || x.count == x.src || x.count == x.out {
                        return Err(at("a nonzero step writes a buffer it reads"));
                    }
                }
                Step::Cumsum(lanes) => {
                    let n = lanes.space.last().copied().unwrap_or(0);
                    lanes.check(&buffer, n, lanes.dtype).map_err(|e| at(&e))?;
                }
                Step::Argsort { lanes, k, .. } => {
                    if lanes.space.last().is_none_or(|&n| *k > n) {
                        return Err(at("an argsort takes more elements than a lane has"));
                    }
                    lanes.check(&buffer, *k, DType::I64).map_err(|e| at(&e))?;
                }
                Step::Scatter {
                    moves, accumulate, ..
                } => {
                    moves.check(&buffer, true).map_err(|e| at(&e))?;
                    if *accumulate && moves.dtype == DType::Bool {
                        return Err(at("a scatter accumulates bools"));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Indexed {
    /// Checks the step's buffers and that every element it may touch lies inside them
    /// (`scatter`: the indices offset `out`, else `src`).
    fn check<'p>(
        &self,
        buffer: &impl Fn(usize) -> Result<&'p BufferSpec, String>,
        scatter: bool,
    ) -> Result<(), String> {
        let elements = |b: usize, dtype: DType| -> Result<u64, String> {
            Ok(buffer(b)?.bytes / dtype.size_bytes() as u64)
        };
        let rank = self.space.len();
        let outside = |b: usize| format!("a gather or scatter reaches outside buffer {b}");
        for ix in &self.indices {
            if !matches!(ix.dtype, DType::I64 | DType::I32) || ix.map.strides.len() != rank {
                return Err(format!(
                    "index buffer {} is not an i64 or i32 map over the space",
                    ix.buffer
                ));
            }
            if !map_inside(&ix.map, &self.space, elements(ix.buffer, ix.dtype)?) {
                return Err(outside(ix.buffer));
            }
        }
        if self.src == self.out || self.indices.iter().any(|ix| ix.buffer == self.out) {
            return Err("a gather or scatter writes a buffer it reads".into());
        }
        let (direct, direct_buf, indexed, indexed_buf) = if scatter {
            (&self.src_map, self.src, &self.out_map, self.out)
        } else {
            (&self.out_map, self.out, &self.src_map, self.src)
        };
        if direct.strides.len() != rank || indexed.strides.len() != rank {
            return Err("a gather or scatter map does not match its space".into());
        }
        if !map_inside(direct, &self.space, elements(direct_buf, self.dtype)?) {
            return Err(outside(direct_buf));
        }
        let mut reach = indexed.clone();
        let mut space = self.space.clone();
        for ix in &self.indices {
            reach.strides.push(ix.stride);
            space.push(ix.bound);
        }
        if !map_inside(&reach, &space, elements(indexed_buf, self.dtype)?) {
            return Err(outside(indexed_buf));
        }
        Ok(())
    }
}

impl LaneRef {
    /// Checks the buffers and that both maps stay inside them (`k` elements written per
    /// lane, of `out_dtype`).
    fn check<'p>(
        &self,
        buffer: &impl Fn(usize) -> Result<&'p BufferSpec, String>,
        k: u64,
        out_dtype: DType,
    ) -> Result<(), String> {
        let rank = self.space.len();
        if rank == 0 || self.src_map.strides.len() != rank || self.out_map.strides.len() != rank {
            return Err("a lane step's maps do not match its space".into());
        }
        if self.src == self.out {
            return Err("a lane step writes the buffer it reads".into());
        }
        let mut out_space = self.space.clone();
        out_space[rank - 1] = k;
        let inside = |b: usize, map: &StridedMap, space: &[u64], dtype: DType| {
            let elements = buffer(b)?.bytes / dtype.size_bytes() as u64;
            if map_inside(map, space, elements) {
                Ok(())
            } else {
                Err(format!("a lane step reaches outside buffer {b}"))
            }
        };
        inside(self.src, &self.src_map, &self.space, self.dtype)?;
        inside(self.out, &self.out_map, &out_space, out_dtype)
    }
}

/// Whether every element a map reaches over `space` lies in `0..elements`.
fn map_inside(map: &StridedMap, space: &[u64], elements: u64) -> bool {
    if space.contains(&0) {
        return true;
    }
    let range =
        map.strides
            .iter()
            .zip(space)
            .try_fold((map.offset, map.offset), |(lo, hi), (&s, &d)| {
                let v = s.checked_mul(i64::try_from(d - 1).ok()?)?;
                Some((lo.checked_add(v.min(0))?, hi.checked_add(v.max(0))?))
            });
    range.is_some_and(|(lo, hi)| lo >= 0 && (hi as u64) < elements)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An embedding of 3 indices into a 10 x 4 table, with index bound `bound`.
    fn embedding_plan(bound: u64) -> Plan {
        let arg = |name: &str, dtype, shape: Vec<usize>| ArgSpec {
            name: name.into(),
            desc: String::new(),
            dtype,
            shape,
        };
        let map = |offset, strides: Vec<i64>| StridedMap { offset, strides };
        Plan {
            name: "embedding".into(),
            rng: None,
            inputs: vec![
                arg("w", DType::F32, vec![10, 4]),
                arg("i", DType::I64, vec![3]),
            ],
            outputs: vec![ResultSpec {
                desc: String::new(),
                tensor: Some(ResultTensor {
                    dtype: DType::F32,
                    shape: vec![3, 4],
                    buffer: 2,
                    rows: None,
                }),
                mutates: None,
            }],
            buffers: vec![
                BufferSpec {
                    location: Location::Input(0),
                    bytes: 160,
                },
                BufferSpec {
                    location: Location::Input(1),
                    bytes: 24,
                },
                BufferSpec {
                    location: Location::Output(0),
                    bytes: 48,
                },
            ],
            arena_bytes: 0,
            kernels: Vec::new(),
            steps: vec![Step::Gather(Indexed {
                src: 0,
                out: 2,
                dtype: DType::F32,
                space: vec![3, 4],
                src_map: map(0, vec![0, 1]),
                out_map: map(0, vec![4, 1]),
                indices: vec![IndexRef {
                    buffer: 1,
                    dtype: DType::I64,
                    map: map(0, vec![1, 0]),
                    stride: 4,
                    bound,
                    dim: 0,
                }],
                wrap: false,
                source: "aten.embedding".into(),
            })],
        }
    }

    #[test]
    fn gathers_that_could_reach_past_a_buffer_are_refused() {
        assert_eq!(embedding_plan(10).check(), Ok(()));
        let e = embedding_plan(11)
            .check()
            .expect_err("row 10 is past the table");
        assert!(e.contains("reaches outside buffer 0"), "{e}");
    }

    #[test]
    fn fft_steps_past_a_buffer_or_with_stray_dims_are_refused() {
        use crate::fft::{FftRef, Norm, Transform};
        let with_fft = |shape: Vec<usize>, dims: Vec<usize>, out: usize| {
            let mut p = embedding_plan(10);
            p.steps = vec![Step::Fft(FftRef {
                src: 0,
                out,
                dtype: DType::F32,
                shape,
                dims,
                norm: Norm::None,
                transform: Transform::R2c { onesided: true },
            })];
            p.check()
        };
        // 3 real points in 40 floats, their 2 complex entries in 12.
        assert_eq!(with_fft(vec![3], vec![0], 2), Ok(()));
        let e = with_fft(vec![3, 4], vec![0], 2).expect_err("12 complex entries > 12 floats");
        assert!(e.contains("reaches past the end of buffer 2"), "{e}");
        let e = with_fft(vec![3], vec![1], 2).expect_err("dim 1 of a 1-d signal");
        assert!(e.contains("dims are not dims of its shape"), "{e}");
        let e = with_fft(vec![3], vec![0], 0).expect_err("in place");
        assert!(e.contains("two f32 or f64 buffers"), "{e}");
    }
}
