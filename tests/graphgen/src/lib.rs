//! Seeded random aten graphs over the whole catalogue, for differential testing.
//!
//! A graph is a `func.func` built op by op from a list of seeds, one seed per op: the seed
//! picks an op of the catalogue ([`eligible_ops`]) and draws its arguments: tensor operands
//! among the values built so far or as new function arguments (random shapes and dtypes,
//! or shapes derived from another operand of the op so that broadcasting, matmuls and
//! concatenations line up), attributes by their schema kind (dims in range for `dim`
//! arguments, permutations, factorizations of the element count for reshapes, small
//! numbers otherwise). Every draw goes through the catalogue's shape and dtype inference
//! ([`joinery_aten::infer_types`]); a draw it rejects is redrawn, so the graph is
//! well-typed by construction and nothing here lists ops one by one beyond the few whose
//! values (not types) have constraints ([`EXCLUDED`]).
//!
//! The same seeds always give the same graph, and dropping a seed keeps the other ops as
//! they were (each op draws from its own seed), which is how a failing graph shrinks
//! ([`shrink`]). Each graph also records its ops as PyTorch calls ([`Step`]), so that
//! PyTorch eager can run the same program (`tests/torch/test_differential.py`).

pub mod fixtures;

use joinery_aten::{ArgKind, Argument, DType, DefaultValue, OpSchema, TensorInfo};
use joinery_interp::Tensor;
use joinery_ir::{Attribute, Builder, Context, Dim, InsertPoint, OpId, OperationState, Value};

/// splitmix64: small, seedable, the same everywhere.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// A float in `[0, 1)`.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One of `items` (not empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Ops of the catalogue the generator leaves out, with the reason. Ops that draw random
/// numbers, write their arguments (the functionalized forms are generated), return
/// numbers, take a `Tensor?[]` or have unspecified contents are left out by their schema
/// and traits ([`eligible_ops`]); these are the ones whose constraints are on values,
/// which inference cannot check.
pub const EXCLUDED: &[(&str, &str)] = &[
    (
        "aten.nonzero",
        "its row count is known only at run time: later ops could not read it natively",
    ),
    ("aten.empty.memory_format", "unspecified contents"),
    ("aten.empty_like", "unspecified contents"),
    ("aten.empty_strided", "unspecified contents"),
    ("aten.new_empty", "unspecified contents"),
    ("aten.new_empty_strided", "unspecified contents"),
    (
        "aten.embedding_bag",
        "offsets must be sorted and start at 0",
    ),
    (
        "aten._embedding_bag",
        "offsets must be sorted and start at 0",
    ),
    (
        "aten._embedding_bag_forward_only",
        "offsets must be sorted and start at 0",
    ),
    (
        "aten._embedding_bag_backward",
        "offsets must be sorted and start at 0",
    ),
    ("aten.as_strided", "strides must stay inside the storage"),
    (
        "aten.as_strided_scatter",
        "strides must stay inside the storage",
    ),
    (
        "aten.masked_scatter",
        "the source must hold as many elements as the mask selects",
    ),
    ("aten.randperm", "random"),
];

/// The ops graphs are drawn from: every catalogue op with an interpreter kernel that is
/// deterministic, functional, returns tensors and is not [`EXCLUDED`].
pub fn eligible_ops() -> Vec<&'static OpSchema> {
    joinery_aten::schemas()
        .iter()
        .filter(|s| {
            let name = s.op_name();
            let traits = joinery_aten::aten_traits(&name);
            !s.is_mutating()
                && !traits.contains(joinery_aten::AtenTraits::RANDOM)
                && !s.name.ends_with("_out")
                && s.overload != "out"
                && !s.returns.iter().any(|r| r.is_number)
                && !s.returns.is_empty()
                && !s.args.iter().any(|a| {
                    a.kind == ArgKind::OptionalTensorList
                        || (a.kind == ArgKind::Generator && a.is_required())
                })
                && !EXCLUDED.iter().any(|(op, _)| *op == name)
        })
        .collect()
}

/// Ops whose results PyTorch eager computes differently from the interpreter for an
/// explained reason: graphs holding one are run through the interpreter and native code
/// but not compared with PyTorch.
pub const PYTORCH_DIFFERS: &[(&str, &str)] = &[
    (
        "aten._softmax_backward_data",
        "the result has dtype input_dtype, as PyTorch's meta function and decomposition (what \
         AOTAutograd traces) say; the CPU kernel ignores input_dtype (torch/_decomp notes it)",
    ),
    (
        "aten._log_softmax_backward_data",
        "the result has dtype input_dtype, as PyTorch's meta function and decomposition (what \
         AOTAutograd traces) say; the CPU kernel ignores input_dtype (torch/_decomp notes it)",
    ),
    (
        "aten._euclidean_dist",
        "PyTorch computes sqrt(|a|² + |b|² - 2a·b) in f32, whose cancellation the square \
         root amplifies (1e-3 for equal rows); the interpreter accumulates in f64",
    ),
    (
        "aten.hardswish_backward",
        "for a NaN input PyTorch's CPU kernel gives NaN in its vectorized body and the \
         gradient in its scalar tail (the interpreter follows the scalar code)",
    ),
    (
        "aten.gelu",
        "for an infinite input PyTorch's CPU kernel gives NaN in its vectorized body (AVX-512 \
         computes inf * 0) and +-inf in its scalar path, as the interpreter does; which path \
         an element takes depends on the CPU's vector width and the tensor's length",
    ),
    (
        "aten.var_mean.correction",
        "with an infinite element PyTorch's Welford update gives a NaN mean where the mean is \
         infinite; joinery's mean is aten.mean's (the sum over the count)",
    ),
];

/// Ops in graphs whose PyTorch results differ from the interpreter's for a reason not yet
/// found: found by differential testing, counted and not compared until fixed.
pub const PYTORCH_OPEN: &[(&str, &str)] = &[(
    "aten.silu_backward",
    "with infinite inputs (an integer division by zero upstream) PyTorch gives NaN where \
     the interpreter gives a number; not investigated yet",
)];

/// Ops whose integer results are positions chosen among equal (or NaN) values, which
/// PyTorch leaves unspecified: those results, and everything computed from them, are not
/// compared with PyTorch (their values are).
const TIE_BREAKING: &[&str] = &[
    "aten.topk",
    "aten.sort",
    "aten.sort.stable",
    "aten.argsort",
    "aten.kthvalue",
    "aten.mode",
    "aten.median.dim",
    "aten.max_pool2d_with_indices",
    "aten.max_pool3d_with_indices",
];

/// One argument of a [`Step`], as PyTorch takes it.
#[derive(Clone, Debug)]
pub enum StepArg {
    /// A tensor: the id of a value of the graph.
    Tensor(usize),
    /// A tensor list.
    Tensors(Vec<usize>),
    /// An absent optional argument (`None`).
    None,
    Int(i64),
    Ints(Vec<i64>),
    Float(f64),
    Floats(Vec<f64>),
    Bool(bool),
    Bools(Vec<bool>),
    /// A `ScalarType`.
    DType(DType),
    /// A `str`, `Layout`, `Device` or `MemoryFormat`.
    Str(String),
}

/// One op of a graph as a PyTorch call: `torch.ops.aten.<name>.<overload>(**args)`.
#[derive(Clone, Debug)]
pub struct Step {
    /// The IR op name (`aten.add.Tensor`).
    pub op: String,
    /// The schema's base name and overload (`default` for none).
    pub name: String,
    pub overload: String,
    /// Every argument given, by schema name (absent ones take PyTorch's defaults).
    pub args: Vec<(String, StepArg)>,
    /// The ids of the op's results.
    pub results: Vec<usize>,
}

/// A generated function and what is needed to run it anywhere.
pub struct Graph {
    /// The function's symbol.
    pub name: String,
    /// The seeds it was built from (one per op attempt).
    pub seeds: Vec<u64>,
    /// Its arguments' values, drawn from the seeds.
    pub inputs: Vec<Tensor>,
    /// The number of function arguments (the first value ids).
    pub num_args: usize,
    /// Its ops as PyTorch calls.
    pub steps: Vec<Step>,
    /// The value ids the function returns.
    pub outputs: Vec<usize>,
    /// The value ids computed from positions among ties (see [`TIE_BREAKING`]).
    pub tie_dependent: Vec<usize>,
}

impl Graph {
    /// Why PyTorch eager computes this graph differently, if it does ([`PYTORCH_DIFFERS`]).
    pub fn pytorch_differs(&self) -> Option<&'static str> {
        PYTORCH_DIFFERS
            .iter()
            .find(|(op, _)| self.steps.iter().any(|s| s.op == *op))
            .map(|(_, why)| *why)
    }

    /// The open disagreement with PyTorch this graph may hit, if any ([`PYTORCH_OPEN`]).
    pub fn pytorch_open(&self) -> Option<&'static str> {
        PYTORCH_OPEN
            .iter()
            .find(|(op, _)| self.steps.iter().any(|s| s.op == *op))
            .map(|(_, why)| *why)
    }

    /// The distinct ops of the graph.
    pub fn ops(&self) -> Vec<&str> {
        let mut ops: Vec<&str> = self.steps.iter().map(|s| s.op.as_str()).collect();
        ops.sort_unstable();
        ops.dedup();
        ops
    }

    /// The relative tolerance for f32 results of this graph: [`RTOL`], or
    /// [`RTOL_TRANSCENDENTAL`] when an op computes an exponential, logarithm, hyperbolic
    /// or error function, or a power (the native backend evaluates those with
    /// polynomials that round differently from PyTorch's and the interpreter's libm).
    pub fn rtol(&self) -> f64 {
        let transcendental = self.steps.iter().any(|s| {
            TRANSCENDENTAL
                .iter()
                .any(|fragment| s.op.contains(fragment))
        });
        if transcendental {
            RTOL_TRANSCENDENTAL
        } else {
            RTOL
        }
    }
}

/// Relative tolerance of f32 results (also the tolerance against PyTorch).
pub const RTOL: f64 = 1e-5;

/// Relative tolerance of f32 results that went through polynomial `exp`/`log`/`tanh`/
/// `erf`: the one `tools/native/tests/fixtures.rs` justifies for the native backend's
/// approximations.
pub const RTOL_TRANSCENDENTAL: f64 = 1e-4;

/// The fraction of a call's largest result below which an element's own scale is rounding
/// noise (a sum of f32 terms that cancels to about zero), as in the native tests.
pub const SCALE_FLOOR: f64 = 1e-2;

/// Name fragments of ops computed through transcendental functions.
const TRANSCENDENTAL: &[&str] = &[
    "exp",
    "log",
    "tanh",
    "erf",
    "sigmoid",
    "softmax",
    "gelu",
    "silu",
    "mish",
    "softplus",
    "elu",
    "pow",
    "sin",
    "cos",
    "tan",
    "norm",
    "rsqrt",
    "var",
    "std",
    "digamma",
    "lgamma",
    "xlogy",
    "polygamma",
    "cdist",
    "dist",
    "entropy",
    "loss",
];

/// The most elements a generated tensor may have.
const MAX_ELEMENTS: u64 = 4096;

/// Draws per op before another op is tried, and ops tried per seed.
const DRAWS: usize = 24;
const OPS_PER_SEED: usize = 6;

/// The dtypes of new arguments, f32 most often.
const ARG_DTYPES: &[DType] = &[
    DType::F32,
    DType::F32,
    DType::F32,
    DType::F32,
    DType::I64,
    DType::I64,
    DType::Bool,
    DType::F64,
    DType::I32,
];

/// The dtypes a graph may hold (the others are other lanes' concern: complex, halves).
const VALUE_DTYPES: &[DType] = &[DType::F32, DType::F64, DType::I64, DType::I32, DType::Bool];

/// Schema argument names whose integer tensors index another operand: their values are
/// drawn in range.
const INDEX_ARGS: &[&str] = &["index", "indices", "target", "offsets"];

/// Strings some ops take, by argument name (other `str` arguments keep their default).
const STRINGS: &[(&str, &[&str])] = &[
    ("rounding_mode", &["trunc", "floor"]),
    ("approximate", &["none", "tanh"]),
    ("reduce", &["sum", "prod", "mean", "amax", "amin"]),
    ("side", &["left", "right"]),
];

/// What a draw of one op produced.
struct Draw {
    attrs: Vec<(String, Attribute)>,
    args: Vec<(String, StepArg)>,
    /// New function arguments the draw asked for: (shape, dtype, index bound).
    new_args: Vec<(Vec<u64>, DType, Option<u64>)>,
}

/// Builds state while a graph grows.
struct Gen<'a> {
    ctx: &'a mut Context,
    block: joinery_ir::BlockId,
    /// Every value of the graph, by id: function arguments and op results.
    values: Vec<Value>,
    /// For function arguments, in order: their index bound (integer values in `0..bound`).
    arg_bounds: Vec<Option<u64>>,
    ops: &'a [&'static OpSchema],
}

fn shape_of(ctx: &Context, v: Value) -> (Vec<u64>, DType) {
    let info = TensorInfo::from_type(ctx, ctx.value_type(v)).expect("a tensor value");
    let shape = info
        .shape
        .expect("ranked")
        .iter()
        .map(|d| d.extent().expect("static"))
        .collect();
    (shape, info.dtype)
}

fn random_shape(rng: &mut Rng) -> Vec<u64> {
    let rank = *rng.pick(&[0usize, 1, 1, 2, 2, 2, 3, 3, 4]);
    (0..rank).map(|_| 1 + rng.below(5) as u64).collect()
}

/// A shape for a new operand, often derived from `reference` (another operand of the
/// op): equal, broadcastable, its matmul partner, or random.
fn derived_shape(rng: &mut Rng, reference: Option<&[u64]>) -> Vec<u64> {
    let Some(r) = reference else {
        return random_shape(rng);
    };
    let mut s = r.to_vec();
    match rng.below(7) {
        0 | 1 => s,
        2 => {
            // A broadcastable partner: some dims 1, maybe fewer leading dims.
            let mut t = s_with(&s, rng);
            let drop = rng.below(t.len() + 1);
            t.drain(..drop);
            t
        }
        3 => {
            // The right operand of a matmul: [.., k] @ [.., k, m].
            let k = s.pop().unwrap_or(1 + rng.below(4) as u64);
            s.push(k);
            s.push(1 + rng.below(5) as u64);
            if rng.chance(0.3) {
                s = vec![k];
            }
            s
        }
        4 => {
            // The same shape with one dim changed (cat, stack along a dim).
            if !s.is_empty() {
                let d = rng.below(s.len());
                s[d] = 1 + rng.below(5) as u64;
            }
            s
        }
        5 => {
            s.reverse();
            s
        }
        _ => random_shape(rng),
    }
}

/// `shape` with some dims set to 1 (a broadcastable partner).
fn s_with(shape: &[u64], rng: &mut Rng) -> Vec<u64> {
    shape
        .iter()
        .map(|&d| if rng.chance(0.4) { 1 } else { d })
        .collect()
}

/// Factors `n` into `parts` positive dims (a reshape target), one of them maybe `-1`.
fn factorization(rng: &mut Rng, n: u64, parts: usize, infer: bool) -> Vec<i64> {
    let mut dims = vec![1i64; parts.max(1)];
    let mut rest = n;
    let mut p = 2;
    while rest > 1 {
        while !rest.is_multiple_of(p) {
            p += 1;
        }
        rest /= p;
        let d = rng.below(dims.len());
        dims[d] *= p as i64;
    }
    if n == 0 {
        dims[0] = 0;
    }
    if infer && n > 0 {
        let d = rng.below(dims.len());
        dims[d] = -1;
    }
    dims
}

impl Gen<'_> {
    fn int_attr(&mut self, v: i64) -> Attribute {
        self.ctx.integer_attr(v, 64)
    }

    fn ints_attr(&mut self, v: &[i64]) -> Attribute {
        let items = v.iter().map(|&x| self.ctx.integer_attr(x, 64)).collect();
        self.ctx.array_attr(items)
    }

    fn float_attr(&mut self, v: f64) -> Attribute {
        let f64t = self.ctx.float_type(joinery_ir::FloatKind::F64);
        self.ctx.float_attr(v, f64t)
    }

    /// The value id of a tensor operand for `arg`: an existing value, or a new argument.
    fn tensor(
        &mut self,
        rng: &mut Rng,
        arg: &Argument,
        reference: Option<&(Vec<u64>, DType)>,
        draw: &mut Draw,
    ) -> usize {
        let index_like = INDEX_ARGS.contains(&arg.name.as_str());
        if !index_like && !self.values.is_empty() && rng.chance(0.6) {
            // Prefer recent values: chains are deeper than fans.
            let n = self.values.len();
            let back = rng.below(n.min(4));
            let id = if rng.chance(0.7) {
                n - 1 - back
            } else {
                rng.below(n)
            };
            return id;
        }
        let shape = derived_shape(rng, reference.map(|r| r.0.as_slice()));
        let dtype = if index_like {
            DType::I64
        } else if let Some(r) = reference.filter(|_| rng.chance(0.7)) {
            r.1
        } else {
            *rng.pick(ARG_DTYPES)
        };
        let bound = index_like.then(|| {
            reference
                .and_then(|r| r.0.iter().copied().filter(|&d| d > 0).min())
                .unwrap_or(1)
        });
        let id = self.values.len() + draw.new_args.len();
        draw.new_args.push((shape, dtype, bound));
        id
    }

    /// One random draw of `schema`'s arguments.
    fn draw(&mut self, rng: &mut Rng, schema: &OpSchema) -> Option<Draw> {
        let mut draw = Draw {
            attrs: Vec::new(),
            args: Vec::new(),
            new_args: Vec::new(),
        };
        // The shape and dtype of the operands so far, for derived shapes and dims.
        let mut seen: Vec<(Vec<u64>, DType)> = Vec::new();
        let mut groups: Vec<i64> = Vec::new();
        for arg in &schema.args {
            let omit = !arg.is_required() && (arg.optional || rng.chance(0.5));
            let reference = if seen.is_empty() {
                None
            } else {
                Some(seen[rng.below(seen.len())].clone())
            };
            let first = seen.first().cloned();
            let value = match arg.kind {
                ArgKind::Tensor if arg.optional && rng.chance(0.5) => {
                    groups.push(0);
                    StepArg::None
                }
                ArgKind::Tensor => {
                    groups.push(1);
                    StepArg::Tensor(self.tensor(rng, arg, reference.as_ref(), &mut draw))
                }
                ArgKind::TensorList => {
                    let n = 1 + rng.below(3);
                    let mut ids = Vec::new();
                    for _ in 0..n {
                        let r = reference.clone().or_else(|| seen.last().cloned());
                        let id = self.tensor(rng, arg, r.as_ref(), &mut draw);
                        ids.push(id);
                        if let Some(s) = self.id_info(id, &draw) {
                            seen.push(s);
                        }
                    }
                    groups.push(ids.len() as i64);
                    StepArg::Tensors(ids)
                }
                ArgKind::OptionalTensorList | ArgKind::Generator => {
                    if arg.is_required() {
                        return None;
                    }
                    continue;
                }
                // PyTorch needs `None` spelled out for an optional without default.
                _ if omit && arg.optional && arg.default.is_none() => StepArg::None,
                _ if omit => continue,
                kind => self.attribute(rng, arg, kind, first.as_ref(), &mut draw)?,
            };
            if let StepArg::Tensor(id) = value
                && let Some(s) = self.id_info(id, &draw)
            {
                seen.push(s);
            }
            draw.args.push((arg.name.clone(), value));
        }
        if schema.has_variadic_groups() {
            let a = self.ints_attr(&groups);
            draw.attrs
                .push((joinery_aten::args::SEGMENT_ATTR.into(), a));
        }
        Some(draw)
    }

    /// The shape and dtype of value `id` (an existing value or a new argument of `draw`).
    fn id_info(&self, id: usize, draw: &Draw) -> Option<(Vec<u64>, DType)> {
        if id < self.values.len() {
            Some(shape_of(self.ctx, self.values[id]))
        } else {
            draw.new_args
                .get(id - self.values.len())
                .map(|(s, d, _)| (s.clone(), *d))
        }
    }

    /// An attribute for `arg` of kind `kind`; `first` is the op's first tensor operand.
    fn attribute(
        &mut self,
        rng: &mut Rng,
        arg: &Argument,
        kind: ArgKind,
        first: Option<&(Vec<u64>, DType)>,
        draw: &mut Draw,
    ) -> Option<StepArg> {
        let rank = first.map_or(0, |f| f.0.len()) as i64;
        let numel: u64 = first.map_or(1, |f| f.0.iter().product());
        let name = arg.name.as_str();
        let dim = |rng: &mut Rng| {
            let r = rank.max(1);
            rng.below(2 * r as usize) as i64 - r
        };
        let (attr, step) = match kind {
            ArgKind::Int => {
                let v = if name.contains("dim") {
                    dim(rng)
                } else {
                    *rng.pick(&[0i64, 1, 1, 2, 2, 3, -1, 4])
                };
                (self.int_attr(v), StepArg::Int(v))
            }
            ArgKind::IntList(len) => {
                let v: Vec<i64> = match (len, rng.below(6)) {
                    (Some(n), _) => (0..n).map(|_| 1 + rng.below(3) as i64).collect(),
                    (None, 0) | (None, 1) if name.contains("dim") || name == "perm" => {
                        // A permutation of the dims, or a subset of them.
                        let mut p: Vec<i64> = (0..rank).collect();
                        for i in (1..p.len()).rev() {
                            p.swap(i, rng.below(i + 1));
                        }
                        if rng.chance(0.5) {
                            p.truncate(rng.below(p.len() + 1));
                        }
                        p
                    }
                    (None, 0) | (None, 1) | (None, 2) => {
                        let parts = 1 + rng.below(3);
                        let infer = rng.chance(0.3);
                        factorization(rng, numel, parts, infer)
                    }
                    (None, 3) => first.map_or(vec![], |f| {
                        // Expand: some size-1 dims grow, maybe a new leading dim.
                        let mut s: Vec<i64> =
                            f.0.iter()
                                .map(|&d| {
                                    if d == 1 {
                                        1 + rng.below(3) as i64
                                    } else {
                                        d as i64
                                    }
                                })
                                .collect();
                        if rng.chance(0.3) {
                            s.insert(0, 2);
                        }
                        s
                    }),
                    _ => (0..rng.below(4)).map(|_| rng.below(4) as i64).collect(),
                };
                (self.ints_attr(&v), StepArg::Ints(v))
            }
            ArgKind::Float => {
                let v = if name.contains("eps") {
                    1e-5
                } else {
                    *rng.pick(&[0.5, -1.5, 2.0, 0.1, 1.0, 0.0])
                };
                (self.float_attr(v), StepArg::Float(v))
            }
            ArgKind::FloatList => {
                let v: Vec<f64> = (0..rank).map(|_| *rng.pick(&[0.5, 1.0, 2.0])).collect();
                let items = v.iter().map(|&x| self.float_attr(x)).collect();
                (self.ctx.array_attr(items), StepArg::Floats(v))
            }
            ArgKind::Bool => {
                let v = rng.chance(0.5);
                (self.ctx.bool_attr(v), StepArg::Bool(v))
            }
            ArgKind::BoolList(len) => {
                let v: Vec<bool> = (0..len.unwrap_or(3)).map(|_| rng.chance(0.5)).collect();
                let items = v.iter().map(|&x| self.ctx.bool_attr(x)).collect();
                (self.ctx.array_attr(items), StepArg::Bools(v))
            }
            ArgKind::Scalar => match rng.below(3) {
                0 => {
                    let v = *rng.pick(&[0i64, 1, 2, -1, 3]);
                    (self.int_attr(v), StepArg::Int(v))
                }
                1 => {
                    let v = *rng.pick(&[0.5, -1.5, 2.0, 0.25]);
                    (self.float_attr(v), StepArg::Float(v))
                }
                _ => {
                    let v = rng.chance(0.5);
                    (self.ctx.bool_attr(v), StepArg::Bool(v))
                }
            },
            ArgKind::ScalarType => {
                let d = *rng.pick(VALUE_DTYPES);
                let ty = self.ctx.dtype_type(d);
                (self.ctx.type_attr(ty), StepArg::DType(d))
            }
            ArgKind::Str | ArgKind::Layout | ArgKind::Device | ArgKind::MemoryFormat => {
                let choices = STRINGS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c);
                let v = match (choices, &arg.default) {
                    (Some(c), _) => rng.pick(c).to_string(),
                    (None, Some(DefaultValue::Str(s))) => s.clone(),
                    _ => return None,
                };
                (self.ctx.string_attr(v.clone()), StepArg::Str(v))
            }
            ArgKind::Tensor
            | ArgKind::TensorList
            | ArgKind::OptionalTensorList
            | ArgKind::Generator => return None,
        };
        draw.attrs.push((arg.name.clone(), attr));
        Some(step)
    }

    /// Tries to add one op drawn from `rng`; returns its step, or `None` when no draw of
    /// the ops tried was well-typed.
    fn add_op(&mut self, rng: &mut Rng) -> Option<Step> {
        for _ in 0..OPS_PER_SEED {
            let schema = *rng.pick(self.ops);
            let op = schema.op_name();
            for _ in 0..DRAWS {
                let Some(draw) = self.draw(rng, schema) else {
                    break;
                };
                if let Some(step) = self.accept(&op, schema, draw) {
                    return Some(step);
                }
            }
        }
        None
    }

    /// Builds the op of `draw` if inference accepts it and its results are small static
    /// tensors of a supported dtype.
    fn accept(&mut self, op: &str, schema: &OpSchema, draw: Draw) -> Option<Step> {
        // Types of the operands, new arguments in their positions.
        let mut operand_ids: Vec<usize> = Vec::new();
        for (_, a) in &draw.args {
            match a {
                StepArg::Tensor(id) => operand_ids.push(*id),
                StepArg::Tensors(ids) => operand_ids.extend(ids),
                _ => {}
            }
        }
        let mut types = Vec::new();
        for &id in &operand_ids {
            let ty = if id < self.values.len() {
                self.ctx.value_type(self.values[id])
            } else {
                let (shape, dtype, _) = &draw.new_args[id - self.values.len()];
                if shape.iter().product::<u64>() > MAX_ELEMENTS {
                    return None;
                }
                let el = self.ctx.dtype_type(*dtype);
                self.ctx.static_tensor_type(shape, el)
            };
            types.push(ty);
        }
        let infos = joinery_aten::infer_types(
            self.ctx,
            op,
            &types,
            draw.attrs.iter().map(|(k, v)| (k.as_str(), *v)),
        )
        .ok()?;
        for info in &infos {
            let shape = info.shape.as_ref()?;
            let dims: Option<Vec<u64>> = shape.iter().map(|d: &Dim| d.extent()).collect();
            let n: u64 = dims?.iter().product();
            if n > MAX_ELEMENTS || !VALUE_DTYPES.contains(&info.dtype) {
                return None;
            }
        }
        if infos.is_empty() {
            return None;
        }
        for (shape, dtype, bound) in &draw.new_args {
            let el = self.ctx.dtype_type(*dtype);
            let ty = self.ctx.static_tensor_type(shape, el);
            let v = self.ctx.add_block_argument(self.block, ty);
            self.values.push(v);
            self.arg_bounds.push(*bound);
        }
        let operands: Vec<Value> = operand_ids.iter().map(|&id| self.values[id]).collect();
        let result_types: Vec<_> = infos.iter().map(|t| t.to_type(self.ctx)).collect();
        let built = Builder::new(self.ctx, InsertPoint::End(self.block)).build(
            op,
            &operands,
            &result_types,
            draw.attrs,
        );
        let mut results = Vec::new();
        for &r in self.ctx.results(built) {
            results.push(self.values.len());
            self.values.push(r);
        }
        Some(Step {
            op: op.to_string(),
            name: schema.name.clone(),
            overload: if schema.overload.is_empty() {
                "default".into()
            } else {
                schema.overload.clone()
            },
            args: draw.args,
            results,
        })
    }
}

/// Random values for an argument: floats in `[-1, 1)`, integers in `-4..5` (in
/// `0..bound` for index arguments), booleans.
fn random_tensor(rng: &mut Rng, shape: &[u64], dtype: DType, bound: Option<u64>) -> Tensor {
    let shape: Vec<usize> = shape.iter().map(|&d| d as usize).collect();
    let n: usize = shape.iter().product();
    let values: Vec<f64> = (0..n)
        .map(|_| match (dtype, bound) {
            (_, Some(b)) => rng.below(b.max(1) as usize) as f64,
            (DType::Bool, _) => rng.below(2) as f64,
            (d, _) if d.is_integral() => rng.below(9) as f64 - 4.0,
            _ => ((2.0 * rng.uniform() - 1.0) as f32) as f64,
        })
        .collect();
    let a = ndarray::ArrayD::from_shape_vec(ndarray::IxDyn(&shape), values).expect("shape");
    let dtype = joinery_interp::DType::from_aten(dtype).expect("a dtype the interpreter holds");
    Tensor::from_f64(a, dtype)
}

/// Builds function `@name` from `seeds` (one op attempt each) into `module` and returns
/// its description. The function is well-typed by construction (the module verifies).
pub fn generate_into(ctx: &mut Context, module: OpId, name: &str, seeds: &[u64]) -> Graph {
    let ops = eligible_ops();
    let region = ctx.create_region();
    let block = ctx.create_block(&[]);
    ctx.append_block(region, block);
    let mut g = Gen {
        ctx,
        block,
        values: Vec::new(),
        arg_bounds: Vec::new(),
        ops: &ops,
    };
    let mut steps = Vec::new();
    for &seed in seeds {
        let mut rng = Rng(seed);
        if let Some(step) = g.add_op(&mut rng) {
            steps.push(step);
        }
    }
    // Arguments come first: renumber results after the last argument.
    let arg_ids: Vec<usize> = (0..g.values.len())
        .filter(|&i| g.ctx.block_args(block).contains(&g.values[i]))
        .collect();
    let mut renumber = vec![0usize; g.values.len()];
    let mut next = 0;
    for &i in &arg_ids {
        renumber[i] = next;
        next += 1;
    }
    for (i, slot) in renumber.iter_mut().enumerate() {
        if !arg_ids.contains(&i) {
            *slot = next;
            next += 1;
        }
    }
    let num_args = arg_ids.len();
    // Arguments in block order are the ids 0..num_args in creation order.
    let bounds = g.arg_bounds.clone();
    let mut input_rng = Rng(seeds.iter().fold(0x5eed, |h, &s| h ^ s.rotate_left(17)));
    let inputs: Vec<Tensor> = arg_ids
        .iter()
        .zip(&bounds)
        .map(|(&i, &b)| {
            let (shape, dtype) = shape_of(g.ctx, g.values[i]);
            random_tensor(&mut input_rng, &shape, dtype, b)
        })
        .collect();
    for s in &mut steps {
        for (_, a) in &mut s.args {
            match a {
                StepArg::Tensor(id) => *id = renumber[*id],
                StepArg::Tensors(ids) => ids.iter_mut().for_each(|id| *id = renumber[*id]),
                _ => {}
            }
        }
        s.results.iter_mut().for_each(|id| *id = renumber[*id]);
    }
    let mut tie_dependent: Vec<usize> = Vec::new();
    for s in &steps {
        let reads_tainted = s.args.iter().any(|(_, a)| match a {
            StepArg::Tensor(id) => tie_dependent.contains(id),
            StepArg::Tensors(ids) => ids.iter().any(|id| tie_dependent.contains(id)),
            _ => false,
        });
        for &r in &s.results {
            let integral = g.ctx.value_type(g.values[r_of(&renumber, r)]);
            let is_index =
                TensorInfo::from_type(g.ctx, integral).is_some_and(|t| t.dtype == DType::I64);
            // `topk(sorted=False)` leaves the order of its values unspecified too.
            let unsorted = s.op == "aten.topk"
                && s.args
                    .iter()
                    .any(|(n, a)| n == "sorted" && matches!(a, StepArg::Bool(false)));
            if reads_tainted || unsorted || (TIE_BREAKING.contains(&s.op.as_str()) && is_index) {
                tie_dependent.push(r);
            }
        }
    }
    // Results: every unused op result, and some used ones.
    let mut out_rng = Rng(input_rng.next_u64());
    let mut outputs = Vec::new();
    let mut out_values = Vec::new();
    for (i, &v) in g.values.iter().enumerate() {
        if arg_ids.contains(&i) {
            continue;
        }
        if g.ctx.is_unused(v) || out_rng.chance(0.25) {
            outputs.push(renumber[i]);
            out_values.push(v);
        }
    }
    let ctx = g.ctx;
    let arg_types: Vec<_> = ctx
        .block_args(block)
        .iter()
        .map(|&a| ctx.value_type(a))
        .collect();
    let result_types: Vec<_> = out_values.iter().map(|&v| ctx.value_type(v)).collect();
    Builder::new(ctx, InsertPoint::End(block)).build("func.return", &out_values, &[], vec![]);
    let fty = ctx.function_type(arg_types, result_types);
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.regions.push(region);
    state.attrs = vec![
        ("sym_name".into(), ctx.string_attr(name)),
        ("function_type".into(), ctx.type_attr(fty)),
    ];
    let f = ctx.create_op(state);
    let mb = ctx.body_block(module).expect("module body");
    ctx.append_op(mb, f);
    Graph {
        name: name.to_string(),
        seeds: seeds.to_vec(),
        inputs,
        num_args,
        steps,
        outputs,
        tie_dependent,
    }
}

/// The original id of the value renumbered `new`.
fn r_of(renumber: &[usize], new: usize) -> usize {
    renumber
        .iter()
        .position(|&n| n == new)
        .expect("a renumbered id")
}

/// The most ops a graph has by default.
pub const MAX_OPS: usize = 8;

/// The seeds of graph number `index` of a run seeded `seed`: 1 to `max_ops` op attempts.
pub fn graph_seeds(seed: u64, index: u64, max_ops: usize) -> Vec<u64> {
    let mut rng = Rng(seed ^ index.wrapping_mul(0xa076_1d64_78bd_642f));
    let n = 1 + rng.below(max_ops.max(1));
    (0..n).map(|_| rng.next_u64()).collect()
}

thread_local! {
    /// Whether this thread is inside [`catch`], and where its last panic happened.
    static CATCHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static PANIC_AT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Runs `f`, turning a panic into its message and location (`index out of bounds ... at
/// file:line:col`) without printing a backtrace: the differential tests report panics of
/// the compiler as findings, with the graph that caused them. Panics outside `catch` are
/// printed as before.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.get() {
                let at = info.location().map(|l| l.to_string()).unwrap_or_default();
                PANIC_AT.with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }))
    });
    let outer = CATCHING.replace(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.set(outer);
    result.map_err(|p| {
        let message = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without message".into());
        format!("{message} at {}", PANIC_AT.with(|p| p.borrow().clone()))
    })
}

/// Greedy shrinking: drops seeds (ops) one at a time while `fails` still holds, and
/// returns the smallest failing list found.
pub fn shrink(seeds: &[u64], mut fails: impl FnMut(&[u64]) -> bool) -> Vec<u64> {
    let mut best = seeds.to_vec();
    let mut i = 0;
    while i < best.len() && best.len() > 1 {
        let mut candidate = best.clone();
        candidate.remove(i);
        if fails(&candidate) {
            best = candidate;
        } else {
            i += 1;
        }
    }
    best
}
