//! The tensor-expression graph: an aten function (L1 joint or L2 forward/backward, after
//! `aten-decompose`) read into nodes the kernel lowering understands.
//!
//! Every aten value becomes an [`Operand`]: a node (a function input, a pointwise
//! expression, a reduction or a GEMM) seen through a strided [`Map`]. View ops (`t`,
//! `transpose`, `permute`, `expand`, `view` of contiguous data, `unsqueeze`, `squeeze`,
//! `slice`, `select`, `split`, `detach`, `clone`, `flip`, ...) only compose maps: they never
//! copy; pads and the backwards and scatters of slices and selects are placements
//! (`graph/layout.rs`).
//! A reshape that no strides can express materialises a copy node. Primitive pointwise
//! ops become expression nodes, `sum` and `amax` reductions, `mm`/`bmm`/`addmm` GEMMs,
//! `cat` a concatenation; convolutions (`graph/conv.rs`) and max and average pooling
//! (`graph/pool.rs`) placements, strided window views, GEMMs and reductions; pads, flips,
//! triangles and scatter placements (`graph/layout.rs`); random ops (`graph/random.rs`)
//! pointwise nodes drawing from the interpreter's counter-based generator; embedding,
//! gather, advanced indexing and scatters (`graph/index.rs`) gathers and scatters through
//! index tensors, and `_embedding_bag` and its backward on them (`graph/bag.rs`); `cumsum`,
//! `sort` and `topk` lane steps (`graph/lanes.rs`); the FFT ops `kernel.fft` steps, complex
//! tensors held as (real, imaginary) pairs (`graph/fft.rs`); `nonzero` a node sized for
//! every element with a run-time row count beside it ([`Graph::rows`]), which only a
//! function result and `sym_size.int` may read. Composite ops (softmax, losses, norms,
//! gelu, mean...) are
//! `aten-decompose`'s job: here, like anything else unsupported, they are a diagnostic
//! naming the op.

mod bag;
mod conv;
mod fft;
mod index;
mod lanes;
mod layout;
mod matmul;
mod pool;
mod random;
mod upsample;

use joinery_aten::{ArgValue, attr_or_default, operand_group};
use joinery_ir::{Context, DType, Diagnostic, Dim, Location, OpId, Traits, Value};
pub use joinery_kernel::{Map, Predicate, ScalarOp, ScatterReduce, contiguous, static_info};
use rustc_hash::{FxHashMap, FxHashSet};

/// The most elements a constant may have to be baked into code (a splat of any size is
/// one constant; others become a bisection over their elements).
pub const MAX_BAKED_ELEMENTS: usize = 1024;

/// A node index in [`Graph::nodes`].
pub type NodeId = usize;

/// A node's value seen through a view.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Operand {
    pub node: NodeId,
    pub shape: Vec<u64>,
    pub map: Map,
}

impl Operand {
    /// Whether this is the node's whole buffer in row-major order.
    pub fn is_identity(&self, node_shape: &[u64]) -> bool {
        self.shape == node_shape
            && self.map.offset == 0
            && self
                .map
                .strides
                .iter()
                .zip(contiguous(&self.shape))
                .zip(&self.shape)
                .all(|((&s, c), &d)| d == 1 || s == c)
    }
}

/// A scalar expression evaluated at every point of a pointwise node's shape.
#[derive(Clone, PartialEq, Debug)]
pub enum Expr {
    /// Operand `i` of the node, loaded through its map.
    In(usize),
    Const(f64, DType),
    /// An exact i64 constant (a 64-bit hash multiplier is not an f64).
    Int(i64),
    /// The index along iteration dimension `d` (i64).
    Iota(usize),
    /// A one-operand [`ScalarOp`].
    Un(ScalarOp, Box<Expr>),
    /// A two-operand [`ScalarOp`].
    Bin(ScalarOp, Box<Expr>, Box<Expr>),
    Cmp(Predicate, Box<Expr>, Box<Expr>),
    /// `cond ? a : b`.
    Select(Box<Expr>, Box<Expr>, Box<Expr>),
    /// An integer [`ScalarOp::Div`] (toward zero) or [`ScalarOp::Rem`]: a zero divisor is
    /// a run-time error naming `site` (the aten op and its position), as PyTorch raises.
    IntDivision {
        op: ScalarOp,
        a: Box<Expr>,
        b: Box<Expr>,
        site: String,
    },
    Cast(DType, Box<Expr>),
    /// The random ops' counter-based uniform in `[0, 1)` (f64,
    /// [`joinery_aten::random::uniform`]) of element `index` of stream `stream` under
    /// `seed` (all three i64).
    Uniform {
        seed: Box<Expr>,
        stream: Box<Expr>,
        index: Box<Expr>,
    },
}

/// How a reduction combines.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reduce {
    Sum,
    Max,
    Prod,
}

/// What a node computes.
#[derive(Clone, Debug)]
pub enum NodeKind {
    /// Function argument `i`.
    Input(usize),
    /// `expr` over `operands`, each viewed with the node's shape.
    Pointwise { operands: Vec<Operand>, expr: Expr },
    /// Reduces `operand` (of shape `space`) over `dims`; the node has `space`'s shape with
    /// those dims set to 1.
    Reduce {
        operand: Operand,
        dims: Vec<usize>,
        kind: Reduce,
    },
    /// The results of an op the backend cannot lower: a stand-in so that the ops after
    /// it are still checked; a graph holding one is never lowered.
    Unlowered,
    /// The node's buffer filled with `fill`, then each part copied (or with `accumulate`
    /// added) into it through its map (over the part's shape), in order: a padding, a
    /// spreading out by a stride, or the sum of shifted patches (col2im). No fill (`None`)
    /// when the parts cover every element (a convolution's output regions).
    Place {
        fill: Option<f64>,
        parts: Vec<(Operand, Map)>,
        accumulate: bool,
    },
    /// `cat(parts, dim)`: each part copied into its slice of the node's buffer.
    Concat { parts: Vec<Operand>, dim: usize },
    /// At each point `p` of the node's shape: `src`'s node at `src.map(p) + sum_j
    /// stride_j * index_j(p)`. With `wrap`, negative indices count from the end; an index
    /// out of range is a run-time error naming `site` (the aten op and its position).
    Gather {
        src: Operand,
        indices: Vec<IndexSel>,
        wrap: bool,
        site: String,
    },
    /// The node's buffer set to `init`, then at each point `p` of `src`'s shape `src(p)`
    /// stored (combined by `accumulate` when it is some) at element `at(p) + sum_j
    /// stride_j * index_j(p)` of it; indices checked as a [`NodeKind::Gather`]'s.
    Scatter {
        init: Init,
        src: Operand,
        at: Map,
        indices: Vec<IndexSel>,
        accumulate: Option<ScatterReduce>,
        wrap: bool,
        site: String,
    },
    /// Along the lanes of `src` (a view whose last dim is the lane), `k` elements per
    /// lane written to the node's buffer through `out_map` (over `src`'s shape with `k`
    /// as its last extent).
    Lanes {
        src: Operand,
        out_map: Map,
        k: u64,
        kind: LaneKind,
    },
    /// `[bias +] a @ b` per batch; `a` is `[batch, m, k]`, `b` `[batch, k, n]`, `bias`
    /// broadcast to the node's `[batch, m, n]` (the node's shape drops `batch` for mm).
    Gemm {
        a: Operand,
        b: Operand,
        bias: Option<Operand>,
        batch: u64,
        m: u64,
        n: u64,
        k: u64,
    },
    /// A discrete Fourier transform of `src` (dense, row-major) into the node's buffer;
    /// a complex side holds (real, imaginary) pairs in an extra last dim of 2.
    Fft {
        src: Operand,
        fft: joinery_kernel::Fft,
    },
    /// One pass of an f32 convolution (`kernel.conv`, run by oneDNN) of dense row-major
    /// `operands` in [`joinery_kernel::Conv::operand_shapes`]' order, the written one
    /// being the node's buffer.
    Conv {
        operands: Vec<Operand>,
        conv: joinery_kernel::Conv,
    },
    /// `aten.nonzero`: a row of indices per nonzero element of `src` (NaN counts), in
    /// row-major order, into the node's buffer sized for every element; how many rows
    /// there are goes to node `count` (a [`NodeKind::RowCount`]). The node's leading
    /// extent is known only at run time ([`Graph::rows`]).
    Nonzero { src: Operand, count: NodeId },
    /// The number of rows of `rows` (a [`NodeKind::Nonzero`]), a 0-d i64 that node writes.
    RowCount { rows: Operand },
}

/// One index tensor of a [`NodeKind::Gather`] or [`NodeKind::Scatter`]: `index` viewed
/// over the node's space of moves, selecting along a dimension of stride `stride` (in the
/// indexed buffer) and size `bound`, which is dimension `dim` of the indexed tensor.
#[derive(Clone, PartialEq, Debug)]
pub struct IndexSel {
    pub index: Operand,
    pub stride: i64,
    pub bound: u64,
    pub dim: u64,
}

/// What a [`NodeKind::Scatter`]'s buffer holds before the scatter.
#[derive(Clone, PartialEq, Debug)]
pub enum Init {
    /// A copy of an operand of the node's shape.
    Copy(Operand),
    /// Every element set to a value.
    Fill(f64),
}

/// What a [`NodeKind::Lanes`] computes along each lane.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LaneKind {
    /// Running sums.
    Cumsum,
    /// The positions of the lane's first `k` elements in sorted order (i64).
    Argsort { descending: bool },
}

/// One node.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub shape: Vec<u64>,
    pub dtype: DType,
    /// The aten op(s) it comes from, for comments and kernel names.
    pub source: String,
}

/// One result of the function: an operand, or `none`.
pub type Output = Option<Operand>;

/// The graph of one function.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub nodes: Vec<Node>,
    pub outputs: Vec<Output>,
    /// Where the random ops read their seed and first stream, if the function has any.
    pub rng: Option<RngArgs>,
    /// The nodes whose leading extent is known only at run time, each with the
    /// [`NodeKind::RowCount`] node holding it; their buffers are sized for the upper bound.
    /// Only a function result and `sym_size.int` / `sym_stride.int` may read them.
    pub rows: FxHashMap<NodeId, NodeId>,
}

/// The random state of a function's random ops: random op `k` (from 0, in op order)
/// draws from stream `offset + k` under `seed`, as in the reference interpreter.
#[derive(Clone, Debug)]
pub struct RngArgs {
    /// The seed, a 0-d i64 argument.
    pub seed: Operand,
    /// The first stream, a 0-d i64 argument.
    pub offset: Operand,
    /// Whether the two are arguments lowering appends to the function (they are its last
    /// two; the runtime supplies them) rather than the function's own Philox seed and
    /// offset arguments (`#aot.philox_fwd_seed`, ...), which the caller passes.
    pub appended: bool,
    /// Random ops read so far: streams one call draws from.
    pub streams: u64,
}

/// Why the native backend cannot lower `op` when it reads or produces a tensor of an
/// element type kernels do not handle (i8, u8, i16, f16, bf16, ...).
fn refuse_element_type(ctx: &Context, op: OpId) -> Option<Diagnostic> {
    let dtype = ctx
        .operands(op)
        .iter()
        .chain(ctx.results(op))
        .filter_map(|&v| static_info(ctx, ctx.value_type(v)).map(|(_, dtype)| dtype))
        .find(|dtype| !joinery_kernel::KERNEL_DTYPES.contains(dtype))?;
    Some(err(
        ctx,
        op,
        format!(
            "'{}' works on {dtype} tensors; the native backend handles f32, f64, i64, i32 \
             and i1",
            source_name(ctx, op)
        ),
    ))
}

fn err(ctx: &Context, op: OpId, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(message).with_span(ctx.span(op))
}

/// The aten op `op` stands for in kernel names, comments and profiles: the composite op
/// it was decomposed from (its `loc("aten....")`), else its own name.
fn source_name(ctx: &Context, op: OpId) -> String {
    match ctx.loc(op) {
        Some(Location::Name { name, .. }) if name.starts_with("aten.") => name.clone(),
        _ => ctx.name_str(op).to_string(),
    }
}

/// A dimension index normalized for a tensor of `rank`, or an error at `op`.
/// A dim of a tensor of rank `rank` as an index into its shape. PyTorch lets dim 0 (or -1)
/// name the single element of a 0-d tensor, which has no shape entry to index: that is a
/// diagnostic here rather than an index out of bounds.
fn norm_dim(ctx: &Context, op: OpId, d: i64, rank: usize) -> Result<usize, Diagnostic> {
    if rank == 0 {
        return Err(err(
            ctx,
            op,
            format!("dim {d} of a 0-d tensor is not supported by the native backend yet"),
        ));
    }
    joinery_aten::norm_dim(d, rank).map_err(|m| err(ctx, op, m))
}

struct Builder<'c> {
    ctx: &'c Context,
    /// The function being read.
    func: OpId,
    g: Graph,
    values: FxHashMap<Value, Operand>,
}

/// Reads `func` (a `func.func` of aten ops) into a graph.
pub fn build(ctx: &Context, func: OpId) -> Result<Graph, Diagnostic> {
    let body = ctx
        .body_block(func)
        .ok_or_else(|| err(ctx, func, "the native backend needs a function with a body"))?;
    if let Some(op) = joinery_aten::first_reference_op(ctx, func) {
        return Err(joinery_aten::references_refused(
            ctx,
            op,
            "the native backend",
        ));
    }
    let mut b = Builder {
        ctx,
        func,
        g: Graph::default(),
        values: FxHashMap::default(),
    };
    for (i, &arg) in ctx.block_args(body).iter().enumerate() {
        let (shape, dtype) = static_info(ctx, ctx.value_type(arg)).ok_or_else(|| {
            let info = joinery_aten::TensorInfo::from_type(ctx, ctx.value_type(arg));
            let dynamic = |t: &joinery_aten::TensorInfo| {
                t.shape
                    .as_ref()
                    .is_some_and(|s| s.contains(&joinery_ir::Dim::Dynamic))
            };
            let why = if let Some(t) = info.filter(dynamic) {
                format!(
                    "an extent only known at run time ({t}), which the native backend takes \
                     as a function result only, never as an argument (a backward cannot \
                     take it as a saved value)"
                )
            } else {
                "a type that the native backend does not support (it needs statically \
                 shaped tensors)"
                    .to_string()
            };
            err(
                ctx,
                func,
                format!("argument #{i} of the function has {why}"),
            )
        })?;
        let node = b.push(NodeKind::Input(i), shape, dtype, "argument");
        let o = b.whole(node);
        b.values.insert(arg, o);
    }
    // Every op is tried, so that one diagnostic names all the ops the backend cannot
    // lower: the results of one that fails stand in as `Unlowered` nodes (or, without a
    // static type, poison the ops that read them, which are then skipped silently).
    let mut failed: Vec<(OpId, Diagnostic)> = Vec::new();
    let mut poisoned: FxHashSet<Value> = FxHashSet::default();
    for op in ctx.block_ops(body) {
        let name = ctx.name_str(op);
        if name == "func.return" {
            let outs = ctx
                .operands(op)
                .iter()
                .map(|v| b.values.get(v).cloned())
                .collect();
            b.g.outputs = outs;
            continue;
        }
        if name == "aot.none" {
            continue;
        }
        if ctx.operands(op).iter().any(|v| poisoned.contains(v)) {
            poisoned.extend(ctx.results(op).iter().copied());
            continue;
        }
        let lowered = if let Err(d) = fft::refuse_complex(ctx, op) {
            Err(d)
        } else if let Some(d) = refuse_element_type(ctx, op) {
            Err(d)
        } else if let Some(d) = b.refuse_run_time_extent(op) {
            Err(d)
        } else if name == joinery_arith::CONSTANT_OP.name {
            b.lower_constant(op).map(|o| vec![o])
        } else {
            b.lower_op(op)
        };
        match lowered {
            Ok(results) => {
                // A `none` result (a gradient an `output_mask` turns off) has no value.
                for (&r, o) in ctx.results(op).iter().zip(results) {
                    if static_info(ctx, ctx.value_type(r)).is_some()
                        || b.g.rows.contains_key(&o.node)
                    {
                        b.values.insert(r, o);
                    }
                }
            }
            Err(d) => {
                failed.push((op, d));
                for &r in ctx.results(op) {
                    match static_info(ctx, ctx.value_type(r)) {
                        Some((shape, dtype)) => {
                            let node = b.push(NodeKind::Unlowered, shape, dtype, name);
                            let o = b.whole(node);
                            b.values.insert(r, o);
                        }
                        None => {
                            poisoned.insert(r);
                        }
                    }
                }
            }
        }
    }
    if failed.is_empty() {
        Ok(b.g)
    } else {
        Err(unsupported_ops(ctx, func, failed))
    }
}

/// The one diagnostic for every op of `func` the backend could not lower: a single
/// failure as it is, several as an error at the first naming them all, with a note at
/// each op saying why.
fn unsupported_ops(ctx: &Context, func: OpId, mut failed: Vec<(OpId, Diagnostic)>) -> Diagnostic {
    if failed.len() == 1 {
        return failed.remove(0).1;
    }
    let mut names: Vec<String> = Vec::new();
    for (op, _) in &failed {
        let name = format!("'{}'", source_name(ctx, *op));
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let func_name = ctx.symbol_name(func).unwrap_or("function");
    let first = failed[0].1.span.or_else(|| ctx.span(failed[0].0));
    let mut d = Diagnostic::error(format!(
        "the native backend does not support {} ops of @{func_name}: {}",
        failed.len(),
        names.join(", ")
    ))
    .with_span(first);
    for (op, e) in failed {
        d = d.with_note(e.message, e.span.or_else(|| ctx.span(op)));
    }
    d
}

/// Builds the typed scalar expression of one pointwise node.
struct Pw {
    operands: Vec<Operand>,
    dtypes: Vec<DType>,
    shape: Vec<u64>,
}

impl Pw {
    fn new(shape: &[u64]) -> Pw {
        Pw {
            operands: Vec::new(),
            dtypes: Vec::new(),
            shape: shape.to_vec(),
        }
    }

    /// Adds an operand broadcast to the node's shape, as an expression of dtype `ty`.
    fn input(&mut self, o: &Operand, dt: DType, ty: DType) -> Expr {
        let o = broadcast(o, &self.shape);
        let i = match self.operands.iter().position(|x| *x == o) {
            Some(i) => i,
            None => {
                self.operands.push(o);
                self.dtypes.push(dt);
                self.operands.len() - 1
            }
        };
        cast(Expr::In(i), self.dtypes[i], ty)
    }
}

fn cast(e: Expr, from: DType, to: DType) -> Expr {
    if from == to {
        e
    } else {
        Expr::Cast(to, Box::new(e))
    }
}

fn c(v: f64, ty: DType) -> Expr {
    Expr::Const(v, ty)
}

/// The element of `values` (which start at flat index `start`) at flat index `flat`: a
/// balanced tree of `select`s on `flat < middle`, with one constant per run of equal
/// values.
fn pick(values: &[f64], start: usize, flat: &Expr, ty: DType) -> Expr {
    let first = values.first().copied().unwrap_or(0.0);
    if values.iter().all(|v| v.to_bits() == first.to_bits()) {
        return c(first, ty);
    }
    let mid = values.len() / 2;
    let below = cmp(
        Predicate::Lt,
        flat.clone(),
        c((start + mid) as f64, DType::I64),
    );
    select(
        below,
        pick(&values[..mid], start, flat, ty),
        pick(&values[mid..], start + mid, flat, ty),
    )
}
/// The row-major flat index (i64) of the iteration point of a node of `shape`.
fn flat_index(shape: &[u64]) -> Expr {
    contiguous(shape)
        .iter()
        .enumerate()
        .map(|(d, &s)| bin(ScalarOp::Mul, Expr::Iota(d), c(s as f64, DType::I64)))
        .reduce(|a, b| bin(ScalarOp::Add, a, b))
        .unwrap_or(c(0.0, DType::I64))
}

fn bin(op: ScalarOp, a: Expr, b: Expr) -> Expr {
    Expr::Bin(op, Box::new(a), Box::new(b))
}
fn un(op: ScalarOp, a: Expr) -> Expr {
    Expr::Un(op, Box::new(a))
}
fn cmp(p: Predicate, a: Expr, b: Expr) -> Expr {
    Expr::Cmp(p, Box::new(a), Box::new(b))
}
fn select(cond: Expr, a: Expr, b: Expr) -> Expr {
    Expr::Select(Box::new(cond), Box::new(a), Box::new(b))
}

/// Broadcasts an operand to `shape` (NumPy rules: align right, size-1 dims stride 0).
pub fn broadcast(o: &Operand, shape: &[u64]) -> Operand {
    if o.shape == shape {
        return o.clone();
    }
    let lead = shape.len().saturating_sub(o.shape.len());
    let mut strides = vec![0i64; shape.len()];
    for (i, (&d, &s)) in o.shape.iter().zip(&o.map.strides).enumerate() {
        let j = lead + i;
        if j < shape.len() {
            strides[j] = if d == 1 && shape[j] != 1 { 0 } else { s };
        }
    }
    Operand {
        node: o.node,
        shape: shape.to_vec(),
        map: Map {
            offset: o.map.offset,
            strides,
        },
    }
}

/// Strides of a reshape of a strided view, when no copy is needed (PyTorch's
/// `computeStride`): each run of merged/split dims must be contiguous within itself.
fn reshape_strides(old: &[u64], old_strides: &[i64], new: &[u64]) -> Option<Vec<i64>> {
    let numel: u64 = old.iter().product();
    if numel == 0 {
        return Some(contiguous(new));
    }
    let mut out = vec![0i64; new.len()];
    let mut view_d = new.len() as i64 - 1;
    let mut chunk_base = *old_strides.last().unwrap_or(&1);
    let mut tensor_numel = 1u64;
    let mut view_numel = 1u64;
    for td in (0..old.len()).rev() {
        tensor_numel *= old[td];
        if td == 0
            || (old[td - 1] != 1 && old_strides[td - 1] != (tensor_numel as i64) * chunk_base)
        {
            while view_d >= 0 && (view_numel < tensor_numel || new[view_d as usize] == 1) {
                out[view_d as usize] = view_numel as i64 * chunk_base;
                view_numel *= new[view_d as usize];
                view_d -= 1;
            }
            if view_numel != tensor_numel {
                return None;
            }
            if td > 0 {
                chunk_base = old_strides[td - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    // Trailing size-1 dims of the view (all of them when `old` is 0-d) take any stride.
    while view_d >= 0 && new[view_d as usize] == 1 {
        out[view_d as usize] = chunk_base;
        view_d -= 1;
    }
    if view_d != -1 {
        return None;
    }
    Some(out)
}

impl<'c> Builder<'c> {
    fn push(&mut self, kind: NodeKind, shape: Vec<u64>, dtype: DType, source: &str) -> NodeId {
        self.g.nodes.push(Node {
            kind,
            shape,
            dtype,
            source: source.to_string(),
        });
        self.g.nodes.len() - 1
    }

    /// An `arith.constant` baked into the code: a splat is one constant over the node's
    /// shape (free to fuse into its readers); any other constant of up to
    /// [`MAX_BAKED_ELEMENTS`] elements picks its element by bisecting the flat index
    /// (runs of equal elements are one leaf).
    fn lower_constant(&mut self, op: OpId) -> Result<Operand, Diagnostic> {
        let ctx = self.ctx;
        let malformed = || {
            err(
                ctx,
                op,
                "'arith.constant' has no dense<...> value of its type",
            )
        };
        let (ty, elements) = joinery_arith::constant_elements(ctx, op).ok_or_else(malformed)?;
        let (shape, dtype) = static_info(ctx, ty).ok_or_else(malformed)?;
        let values: Vec<f64> = elements.iter().map(|e| e.as_f64()).collect();
        if values.len() > MAX_BAKED_ELEMENTS {
            return Err(err(
                ctx,
                op,
                format!(
                    "the native backend does not support '{}' of more than \
                     {MAX_BAKED_ELEMENTS} elements (this one has {}): it bakes constants \
                     into code",
                    joinery_arith::CONSTANT_OP.name,
                    values.len()
                ),
            ));
        }
        let expr = pick(&values, 0, &flat_index(&shape), dtype);
        let kind = NodeKind::Pointwise {
            operands: Vec::new(),
            expr,
        };
        let node = self.push(kind, shape, dtype, joinery_arith::CONSTANT_OP.name);
        Ok(self.whole(node))
    }

    fn whole(&self, node: NodeId) -> Operand {
        let shape = self.g.nodes[node].shape.clone();
        Operand {
            node,
            map: Map {
                offset: 0,
                strides: contiguous(&shape),
            },
            shape,
        }
    }

    fn dtype(&self, o: &Operand) -> DType {
        self.g.nodes[o.node].dtype
    }

    fn pointwise(&mut self, pw: Pw, expr: Expr, dtype: DType, source: &str) -> Operand {
        let shape = pw.shape.clone();
        let n = self.push(
            NodeKind::Pointwise {
                operands: pw.operands,
                expr,
            },
            shape,
            dtype,
            source,
        );
        self.whole(n)
    }

    /// `x ** n` in the integer dtype `ty` by square-and-multiply: the squares `x^(2^b)`
    /// are pointwise nodes, the product of those of `n`'s set bits an expression of `pw`.
    fn int_power(&mut self, pw: &mut Pw, x: Operand, n: u64, ty: DType, src: &str) -> Expr {
        let mut square = x;
        let mut square_dt = self.dtype(&square);
        let mut factors = Vec::new();
        let mut rest = n;
        loop {
            if rest & 1 == 1 {
                factors.push(pw.input(&square, square_dt, ty));
            }
            rest >>= 1;
            if rest == 0 {
                break;
            }
            let mut p = Pw::new(&square.shape);
            let s = p.input(&square, square_dt, ty);
            square = self.pointwise(p, bin(ScalarOp::Mul, s.clone(), s), ty, src);
            square_dt = ty;
        }
        factors
            .into_iter()
            .reduce(|a, b| bin(ScalarOp::Mul, a, b))
            .unwrap_or(c(1.0, ty))
    }

    /// Reduces `o` over `dims` (keepdim shape).
    fn reduce(&mut self, o: &Operand, dims: &[usize], kind: Reduce, source: &str) -> Operand {
        let mut shape = o.shape.clone();
        for &d in dims {
            shape[d] = 1;
        }
        let dtype = self.dtype(o);
        let n = self.push(
            NodeKind::Reduce {
                operand: o.clone(),
                dims: dims.to_vec(),
                kind,
            },
            shape,
            dtype,
            source,
        );
        self.whole(n)
    }

    /// A copy of `o` into a fresh contiguous node.
    fn copy(&mut self, o: &Operand, source: &str) -> Operand {
        let dt = self.dtype(o);
        let mut pw = Pw::new(&o.shape);
        let e = pw.input(o, dt, dt);
        self.pointwise(pw, e, dt, source)
    }

    /// Reshapes `o` to `shape`, copying only when no strides express it.
    fn reshape(&mut self, o: &Operand, shape: &[u64], source: &str) -> Operand {
        if let Some(strides) = reshape_strides(&o.shape, &o.map.strides, shape) {
            return Operand {
                node: o.node,
                shape: shape.to_vec(),
                map: Map {
                    offset: o.map.offset,
                    strides,
                },
            };
        }
        // A contiguous copy takes any shape of its element count (verified view ops keep it).
        let c = self.copy(o, source);
        Operand {
            node: c.node,
            shape: shape.to_vec(),
            map: Map {
                offset: c.map.offset,
                strides: contiguous(shape),
            },
        }
    }

    fn operand(&self, op: OpId, arg: &str) -> Result<Operand, Diagnostic> {
        let vals = operand_group(self.ctx, op, arg).map_err(|e| err(self.ctx, op, e))?;
        let v = vals.first().ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!("'{}': missing operand '{arg}'", self.ctx.name_str(op)),
            )
        })?;
        self.values.get(v).cloned().ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!(
                    "'{}': operand '{arg}' is not a tensor",
                    self.ctx.name_str(op)
                ),
            )
        })
    }

    fn opt_operand(&self, op: OpId, arg: &str) -> Result<Option<Operand>, Diagnostic> {
        let vals = operand_group(self.ctx, op, arg).map_err(|e| err(self.ctx, op, e))?;
        Ok(vals.first().and_then(|v| self.values.get(v).cloned()))
    }

    fn attr(&self, op: OpId, name: &str) -> Result<ArgValue, Diagnostic> {
        attr_or_default(self.ctx, op, name).map_err(|e| err(self.ctx, op, e))
    }

    fn f64_attr(&self, op: OpId, name: &str) -> Result<f64, Diagnostic> {
        let v = self.attr(op, name)?;
        v.as_f64().ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!(
                    "'{}': attribute '{name}' must be a number",
                    self.ctx.name_str(op)
                ),
            )
        })
    }

    fn int_attr(&self, op: OpId, name: &str) -> Result<i64, Diagnostic> {
        self.attr(op, name)?.as_int().ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!(
                    "'{}': attribute '{name}' must be an integer",
                    self.ctx.name_str(op)
                ),
            )
        })
    }

    fn ints_attr(&self, op: OpId, name: &str) -> Result<Vec<i64>, Diagnostic> {
        match self.attr(op, name)? {
            ArgValue::IntList(v) => Ok(v),
            ArgValue::Int(i) => Ok(vec![i]),
            ArgValue::None => Ok(Vec::new()),
            _ => Err(err(
                self.ctx,
                op,
                format!(
                    "'{}': attribute '{name}' must be a list of integers",
                    self.ctx.name_str(op)
                ),
            )),
        }
    }

    /// An error naming `src` unless every one of `dtypes` is f32 (the only element type
    /// the GEMM and window lowerings handle).
    fn require_f32(&self, op: OpId, src: &str, dtypes: &[DType]) -> Result<(), Diagnostic> {
        if dtypes.iter().all(|&d| d == DType::F32) {
            return Ok(());
        }
        Err(err(
            self.ctx,
            op,
            format!("the native backend supports '{src}' on f32 tensors only"),
        ))
    }

    fn result_info(&self, op: OpId, i: usize) -> Result<(Vec<u64>, DType), Diagnostic> {
        let r = self.ctx.result(op, i);
        static_info(self.ctx, self.ctx.value_type(r)).ok_or_else(|| {
            err(
                self.ctx,
                op,
                format!(
                    "'{}': the native backend needs statically shaped tensor results",
                    self.ctx.name_str(op)
                ),
            )
        })
    }

    /// The number `sym_size.int`, `sym_stride.int`, `sym_numel` or `sym_storage_offset`
    /// reads from `self`'s static shape (a value is contiguous and starts at offset 0); of
    /// a value with a run-time row count, every number but that count (read elsewhere),
    /// whose upper bound stands in the operand's shape, is static.
    fn shape_number(&self, op: OpId, base: &str) -> Result<u64, Diagnostic> {
        let shape = self.operand(op, "self")?.shape;
        // The verifier has checked that `dim` names a dimension (`self` is not 0-d).
        let dim = || norm_dim(self.ctx, op, self.int_attr(op, "dim")?, shape.len());
        Ok(match base {
            "sym_size" => shape.get(dim()?).copied().unwrap_or(1),
            "sym_stride" => shape.iter().skip(dim()? + 1).product(),
            "sym_numel" => shape.iter().product(),
            _ => 0,
        })
    }

    /// `aten.nonzero`: a [`NodeKind::Nonzero`] node sized for every element of `self`
    /// nonzero, and the [`NodeKind::RowCount`] node that says how many are.
    fn nonzero(&mut self, op: OpId, src: &str) -> Result<Operand, Diagnostic> {
        let declared = self.ctx.value_type(self.ctx.result(op, 0));
        if let Some((dims, _)) = self.ctx.tensor_parts(declared)
            && let Some(&Dim::Static(n)) = dims.first()
        {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "'aten.nonzero' declares {n} rows, but its row count is known only at run \
                     time: the native backend takes its result typed with a dynamic leading \
                     dim ('?'), as the exporter writes it"
                ),
            ));
        }
        let x = self.operand(op, "self")?;
        let points: u64 = x.shape.iter().product();
        let rank = x.shape.len() as u64;
        let rows = self.g.nodes.len();
        let count = rows + 1;
        self.push(
            NodeKind::Nonzero { src: x, count },
            vec![points, rank],
            DType::I64,
            src,
        );
        let whole = self.whole(rows);
        self.push(
            NodeKind::RowCount {
                rows: whole.clone(),
            },
            Vec::new(),
            DType::I64,
            src,
        );
        self.g.rows.insert(rows, count);
        Ok(whole)
    }

    /// Why the native backend cannot lower `op`, when it reads a value whose leading
    /// extent is known only at run time: every op but `sym_size.int` and `sym_stride.int`
    /// (which read that extent or a static number) would need the extent to size its loops.
    fn refuse_run_time_extent(&self, op: OpId) -> Option<Diagnostic> {
        let ctx = self.ctx;
        if matches!(
            ctx.name_str(op),
            "aten.sym_size.int" | "aten.sym_stride.int"
        ) {
            return None;
        }
        let v = *ctx.operands(op).iter().find(|v| {
            self.values
                .get(v)
                .is_some_and(|o| self.g.rows.contains_key(&o.node))
        })?;
        let name = ctx
            .value_name(v)
            .map_or_else(|| "a value".to_string(), |n| format!("%{n}"));
        let producer = ctx
            .defining_op(v)
            .map_or_else(|| "an argument".to_string(), |d| source_name(ctx, d));
        Some(err(
            ctx,
            op,
            format!(
                "'{}' reads {name}, the result of '{producer}', whose extent along dim 0 is \
                 only known at run time; the native backend takes such a value only as a \
                 function result or in 'aten.sym_size.int'",
                source_name(ctx, op)
            ),
        ))
    }

    fn dims_of(&self, op: OpId, name: &str, rank: usize) -> Result<Vec<usize>, Diagnostic> {
        let dims = self.ints_attr(op, name)?;
        let mut out: Vec<usize> = if dims.is_empty() {
            (0..rank).collect()
        } else {
            dims.iter()
                .map(|&d| norm_dim(self.ctx, op, d, rank))
                .collect::<Result<_, _>>()?
        };
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    /// Drops the reduced dims of a keepdim result when `keepdim` is false.
    fn squeeze_dims(&mut self, o: Operand, dims: &[usize], keepdim: bool) -> Operand {
        if keepdim {
            return o;
        }
        let (shape, strides): (Vec<u64>, Vec<i64>) = o
            .shape
            .iter()
            .zip(&o.map.strides)
            .enumerate()
            .filter(|(i, _)| !dims.contains(i))
            .map(|(_, (&d, &s))| (d, s))
            .unzip();
        Operand {
            node: o.node,
            shape,
            map: Map {
                offset: o.map.offset,
                strides,
            },
        }
    }

    /// Lowers one aten op to nodes; returns one operand per result.
    fn lower_op(&mut self, op: OpId) -> Result<Vec<Operand>, Diagnostic> {
        let ctx = self.ctx;
        let full = ctx.name_str(op).to_string();
        let Some(rest) = full.strip_prefix("aten.") else {
            return Err(err(
                ctx,
                op,
                format!("the native backend does not support '{full}'"),
            ));
        };
        let (base, overload) = rest.split_once('.').unwrap_or((rest, ""));
        let source = source_name(ctx, op);
        let src = source.as_str();
        if base == "nonzero" {
            return Ok(vec![self.nonzero(op, src)?]);
        }
        if base == "sym_size" {
            let x = self.operand(op, "self")?;
            if let Some(&count) = self.g.rows.get(&x.node) {
                let dim = norm_dim(ctx, op, self.int_attr(op, "dim")?, x.shape.len())?;
                if dim == 0 {
                    return Ok(vec![self.whole(count)]);
                }
            }
        }
        if let Some(v) = self.lower_fft(op, base, src)? {
            return Ok(v);
        }
        if let Some(v) = self.lower_view(op, base, overload)? {
            return Ok(v);
        }
        if let Some(v) = self.lower_pointwise(op, base, overload, src)? {
            return Ok(vec![v]);
        }
        self.lower_other(op, base, src)
    }

    fn lower_view(
        &mut self,
        op: OpId,
        base: &str,
        overload: &str,
    ) -> Result<Option<Vec<Operand>>, Diagnostic> {
        let src = source_name(self.ctx, op);
        let one = |o: Operand| Ok(Some(vec![o]));
        match base {
            "detach" | "alias" | "clone" | "lift_fresh_copy" | "contiguous" => {
                one(self.operand(op, "self")?)
            }
            "t" | "transpose" | "permute" => {
                let x = self.operand(op, "self")?;
                let rank = x.shape.len();
                let perm: Vec<usize> = match base {
                    "t" if rank < 2 => (0..rank).collect(),
                    "t" => vec![1, 0],
                    "transpose" => {
                        let a = norm_dim(self.ctx, op, self.int_attr(op, "dim0")?, rank)?;
                        let b = norm_dim(self.ctx, op, self.int_attr(op, "dim1")?, rank)?;
                        let mut p: Vec<usize> = (0..rank).collect();
                        p.swap(a, b);
                        p
                    }
                    _ => self
                        .ints_attr(op, "dims")?
                        .iter()
                        .map(|&d| norm_dim(self.ctx, op, d, rank))
                        .collect::<Result<_, _>>()?,
                };
                one(Operand {
                    node: x.node,
                    shape: perm.iter().map(|&p| x.shape[p]).collect(),
                    map: Map {
                        offset: x.map.offset,
                        strides: perm.iter().map(|&p| x.map.strides[p]).collect(),
                    },
                })
            }
            "expand" => {
                let x = self.operand(op, "self")?;
                let (shape, _) = self.result_info(op, 0)?;
                one(broadcast(&x, &shape))
            }
            "view"
            | "_unsafe_view"
            | "reshape"
            | "squeeze"
            | "unsqueeze"
            | "flatten"
            | "_local_scalar_dense" => {
                let x = self.operand(op, "self")?;
                let (shape, _) = self.result_info(op, 0)?;
                one(self.reshape(&x, &shape, &src))
            }
            "slice" | "select" => {
                let x = self.operand(op, "self")?;
                one(self.view_of(op, &x, base == "select")?)
            }
            "flip" => one(self.flip(op)?),
            "split" | "split_with_sizes" => {
                let x = self.operand(op, "self")?;
                let rank = x.shape.len();
                let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, rank)?;
                let size = x.shape[dim];
                let sizes: Vec<u64> = if base == "split_with_sizes" || overload == "sizes" {
                    self.ints_attr(op, "split_sizes")?
                        .iter()
                        .map(|&s| s as u64)
                        .collect()
                } else {
                    let s = self.int_attr(op, "split_size")?.max(1) as u64;
                    (0..size.div_ceil(s)).map(|i| s.min(size - i * s)).collect()
                };
                let mut start = 0u64;
                let mut outs = Vec::new();
                for s in sizes {
                    let mut o = x.clone();
                    o.map.offset += start as i64 * x.map.strides[dim];
                    o.shape[dim] = s;
                    outs.push(o);
                    start += s;
                }
                Ok(Some(outs))
            }
            _ => Ok(None),
        }
    }

    /// `fmod(a, b)`, the remainder toward zero, in `ty`: for integers a checked
    /// [`Expr::IntDivision`] at `op`.
    fn remainder(&self, op: OpId, src: &str, ty: DType, a: Expr, b: Expr) -> Expr {
        if ty.is_float() {
            bin(ScalarOp::Rem, a, b)
        } else {
            int_division(ScalarOp::Rem, a, b, &self.site(op, src))
        }
    }

    /// `aten.op at file:line:col` for run-time errors (the op alone when it was not
    /// parsed from a file), followed by the user's source line its location names:
    /// `aten.embedding at joint.mlir:4:3 (from model.py:12:9)`.
    fn site(&self, op: OpId, src: &str) -> String {
        let mut site = match self.ctx.span(op).and_then(|s| self.ctx.position(s)) {
            Some(at) => format!("{src} at {at}"),
            None => src.to_string(),
        };
        match self.ctx.loc(op).and_then(Location::source_position) {
            Some(p) if p.backward => site.push_str(&format!(" (in {p})")),
            Some(p) => site.push_str(&format!(" (from {p})")),
            None => {}
        }
        site
    }

    fn lower_pointwise(
        &mut self,
        op: OpId,
        base: &str,
        overload: &str,
        src: &str,
    ) -> Result<Option<Operand>, Diagnostic> {
        let elementwise = self.ctx.has_traits(op, Traits::ELEMENTWISE);
        let unary = if elementwise {
            unary_scalar_op(base)
        } else {
            None
        };
        // Besides `elementwise` ops, casts and factories are one pointwise node each.
        let is_pointwise = elementwise
            || matches!(
                base,
                "rsub"
                    | "_to_copy"
                    | "copy"
                    | "zeros_like"
                    | "ones_like"
                    | "full_like"
                    | "zeros"
                    | "ones"
                    | "full"
                    | "scalar_tensor"
                    | "arange"
                    | "linspace"
                    | "triu"
                    | "tril"
                    | "empty"
                    | "empty_like"
                    | "empty_strided"
                    | "new_empty_strided"
                    | "sym_size"
                    | "sym_stride"
                    | "sym_numel"
                    | "sym_storage_offset"
            );
        if !is_pointwise {
            return Ok(None);
        }
        let (shape, out_dt) = self.result_info(op, 0)?;
        let mut pw = Pw::new(&shape);
        // The dtype the arithmetic runs in: the result's, or for comparisons the
        // promoted operand type.
        let compares = matches!(
            base,
            "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "isnan" | "isinf"
        );
        let ty = if compares {
            let mut t = DType::Bool;
            for name in ["self", "other"] {
                if let Ok(Some(o)) = self.opt_operand(op, name) {
                    t = joinery_aten::dtype::promote_types(t, self.dtype(&o));
                }
            }
            if overload == "Scalar" && t == DType::Bool {
                t = DType::I64;
            }
            if matches!(self.attr(op, "other"), Ok(ArgValue::Float(_))) && !t.is_float() {
                t = DType::F32;
            }
            t
        } else {
            out_dt
        };
        let input = |b: &Self, pw: &mut Pw, name: &str| -> Result<Expr, Diagnostic> {
            let o = b.operand(op, name)?;
            let dt = b.dtype(&o);
            Ok(pw.input(&o, dt, ty))
        };
        let scalar =
            |b: &Self, name: &str| -> Result<Expr, Diagnostic> { Ok(c(b.f64_attr(op, name)?, ty)) };
        let other = |b: &Self, pw: &mut Pw| -> Result<Expr, Diagnostic> {
            if overload.starts_with("Scalar") {
                scalar(b, "other")
            } else {
                let o = b.operand(op, "other")?;
                let dt = b.dtype(&o);
                Ok(pw.input(&o, dt, ty))
            }
        };
        let rounds = matches!(base, "floor" | "ceil" | "round" | "trunc");
        let expr = if rounds && !ty.is_float() {
            // Integers are already whole.
            input(self, &mut pw, "self")?
        } else if let Some(u) = unary {
            un(u, input(self, &mut pw, "self")?)
        } else {
            match base {
                "add" | "sub" | "rsub" => {
                    let a = input(self, &mut pw, "self")?;
                    let b = other(self, &mut pw)?;
                    let alpha = self.f64_attr(op, "alpha")?;
                    let scale = |e: Expr| {
                        if alpha == 1.0 {
                            e
                        } else {
                            bin(ScalarOp::Mul, e, c(alpha, ty))
                        }
                    };
                    match base {
                        // On bools, `self + alpha * other` is `self or (alpha and other)`:
                        // a false alpha leaves `self`.
                        "add" if ty == DType::Bool && alpha == 0.0 => a,
                        "add" if ty == DType::Bool => bin(ScalarOp::Or, a, b),
                        "add" => bin(ScalarOp::Add, a, scale(b)),
                        "sub" => bin(ScalarOp::Sub, a, scale(b)),
                        // rsub: other - alpha * self
                        _ => bin(ScalarOp::Sub, b, scale(a)),
                    }
                }
                "mul" => {
                    let a = input(self, &mut pw, "self")?;
                    bin(ScalarOp::Mul, a, other(self, &mut pw)?)
                }
                "div" => {
                    let a = input(self, &mut pw, "self")?;
                    let b = other(self, &mut pw)?;
                    match self.attr(op, "rounding_mode") {
                        Ok(ArgValue::Str(mode)) if !ty.is_float() => {
                            let site = self.site(op, src);
                            if mode == "trunc" {
                                int_division(ScalarOp::Div, a, b, &site)
                            } else {
                                floor_int_division(a, b, ty, &site)
                            }
                        }
                        Ok(ArgValue::Str(mode)) if mode == "trunc" => {
                            un(ScalarOp::Trunc, bin(ScalarOp::Div, a, b))
                        }
                        Ok(ArgValue::Str(_)) => floor_divide(a, b, ty),
                        _ => bin(ScalarOp::Div, a, b),
                    }
                }
                "maximum" | "minimum" => {
                    let a = input(self, &mut pw, "self")?;
                    let b = input(self, &mut pw, "other")?;
                    bin(
                        if base == "maximum" {
                            ScalarOp::Max
                        } else {
                            ScalarOp::Min
                        },
                        a,
                        b,
                    )
                }
                // Integer powers wrap like PyTorch's square-and-multiply (`powi`).
                "pow" if ty.is_integral() && overload == "Scalar" => {
                    let a = self.int_attr(op, "self")?;
                    let e = self.operand(op, "exponent")?;
                    let ed = self.dtype(&e);
                    let e = pw.input(&e, ed, DType::I64);
                    cast(int_power_of(a, e), DType::I64, ty)
                }
                "pow" if ty.is_integral() && overload == "Tensor_Scalar" => {
                    let n = self.int_attr(op, "exponent")?;
                    let Ok(n) = u64::try_from(n) else {
                        return Err(err(
                            self.ctx,
                            op,
                            format!(
                                "'{src}': integers to negative integer powers ({n}) are not \
                                 allowed"
                            ),
                        ));
                    };
                    let x = self.operand(op, "self")?;
                    self.int_power(&mut pw, x, n, ty, src)
                }
                "pow" if overload == "Scalar" => {
                    let base = scalar(self, "self")?;
                    bin(ScalarOp::Pow, base, input(self, &mut pw, "exponent")?)
                }
                "pow" => {
                    let a = input(self, &mut pw, "self")?;
                    if overload == "Tensor_Scalar" {
                        let e = self.f64_attr(op, "exponent")?;
                        if e == 2.0 {
                            bin(ScalarOp::Mul, a.clone(), a)
                        } else if e == 1.0 {
                            a
                        } else if e == 0.5 {
                            un(ScalarOp::Sqrt, a)
                        } else {
                            bin(ScalarOp::Pow, a, c(e, ty))
                        }
                    } else {
                        bin(ScalarOp::Pow, a, input(self, &mut pw, "exponent")?)
                    }
                }
                "where" => {
                    let cnd = self.operand(op, "condition")?;
                    let cdt = self.dtype(&cnd);
                    let cond = pw.input(&cnd, cdt, DType::Bool);
                    let a = input(self, &mut pw, "self")?;
                    let b = input(self, &mut pw, "other")?;
                    select(cond, a, b)
                }
                // `min(max(x, lo), hi)`, each bound a scalar or (clamp.Tensor) a tensor.
                "clamp" | "clamp_min" => {
                    let mut x = input(self, &mut pw, "self")?;
                    let bounds: &[(&str, ScalarOp)] = if base == "clamp_min" {
                        &[("min", ScalarOp::Max)]
                    } else {
                        &[("min", ScalarOp::Max), ("max", ScalarOp::Min)]
                    };
                    for &(name, f) in bounds {
                        let bound = if overload == "Tensor" {
                            self.opt_operand(op, name)?.map(|o| {
                                let dt = self.dtype(&o);
                                pw.input(&o, dt, ty)
                            })
                        } else {
                            self.attr(op, name)?.as_f64().map(|v| c(v, ty))
                        };
                        if let Some(b) = bound {
                            x = bin(f, x, b);
                        }
                    }
                    x
                }
                "masked_fill" => {
                    let x = input(self, &mut pw, "self")?;
                    let m = self.operand(op, "mask")?;
                    let mdt = self.dtype(&m);
                    let cond = pw.input(&m, mdt, DType::Bool);
                    select(cond, scalar(self, "value")?, x)
                }
                "relu" => bin(ScalarOp::Max, input(self, &mut pw, "self")?, c(0.0, ty)),
                "eq" | "ne" | "lt" | "le" | "gt" | "ge" => {
                    let p = match base {
                        "eq" => Predicate::Eq,
                        "ne" => Predicate::Ne,
                        "lt" => Predicate::Lt,
                        "le" => Predicate::Le,
                        "gt" => Predicate::Gt,
                        _ => Predicate::Ge,
                    };
                    let a = input(self, &mut pw, "self")?;
                    cmp(p, a, other(self, &mut pw)?)
                }
                "atan2" => {
                    let a = input(self, &mut pw, "self")?;
                    bin(ScalarOp::Atan2, a, input(self, &mut pw, "other")?)
                }
                // `isnan(y) ? NaN : x == 0 ? 0 : x * log(y)`.
                "xlogy" => {
                    let x = input(self, &mut pw, "self")?;
                    let y = input(self, &mut pw, "other")?;
                    let product = bin(ScalarOp::Mul, x.clone(), un(ScalarOp::Log, y.clone()));
                    let zero_x = cmp(Predicate::Eq, x, c(0.0, ty));
                    let finite = select(zero_x, c(0.0, ty), product);
                    select(cmp(Predicate::Ne, y.clone(), y.clone()), y, finite)
                }
                "fmod" => {
                    let a = input(self, &mut pw, "self")?;
                    let b = other(self, &mut pw)?;
                    self.remainder(op, src, ty, a, b)
                }
                "remainder" => {
                    // Python's modulo: fmod, moved into the divisor's sign when the signs
                    // differ: `m = fmod(a, b); (m != 0 && (m < 0) ^ (b < 0)) ? m + b : m`.
                    let a = input(self, &mut pw, "self")?;
                    let b = other(self, &mut pw)?;
                    let m = self.remainder(op, src, ty, a, b.clone());
                    let fix = toward_divisor_sign(m.clone(), b.clone(), ty);
                    select(fix, bin(ScalarOp::Add, m.clone(), b), m)
                }
                "bitwise_and" | "bitwise_or" | "bitwise_xor" => {
                    let a = input(self, &mut pw, "self")?;
                    let f = match base {
                        "bitwise_and" => ScalarOp::And,
                        "bitwise_or" => ScalarOp::Or,
                        _ => ScalarOp::Xor,
                    };
                    bin(f, a, other(self, &mut pw)?)
                }
                "logical_and" | "logical_or" | "logical_xor" => {
                    let mut as_bool = |name: &str| -> Result<Expr, Diagnostic> {
                        let o = self.operand(op, name)?;
                        let dt = self.dtype(&o);
                        Ok(pw.input(&o, dt, DType::Bool))
                    };
                    let (a, b) = (as_bool("self")?, as_bool("other")?);
                    let f = match base {
                        "logical_and" => ScalarOp::And,
                        "logical_or" => ScalarOp::Or,
                        _ => ScalarOp::Xor,
                    };
                    bin(f, a, b)
                }
                // NaN is the one value unequal to itself.
                "isnan" => {
                    let x = input(self, &mut pw, "self")?;
                    cmp(Predicate::Ne, x.clone(), x)
                }
                // Infinite: beyond the largest finite value of the dtype (NaN is not).
                "isinf" if ty.is_float() => {
                    let x = input(self, &mut pw, "self")?;
                    let max = if ty == DType::F64 {
                        f64::MAX
                    } else {
                        f64::from(f32::MAX)
                    };
                    cmp(Predicate::Gt, un(ScalarOp::Abs, x), c(max, ty))
                }
                "isinf" => c(0.0, DType::Bool),
                "logical_not" => {
                    let o = self.operand(op, "self")?;
                    let dt = self.dtype(&o);
                    un(ScalarOp::Not, pw.input(&o, dt, DType::Bool))
                }
                "_to_copy" | "copy" => {
                    let name = if base == "copy" { "src" } else { "self" };
                    let o = self.operand(op, name)?;
                    let dt = self.dtype(&o);
                    pw.input(&o, dt, out_dt)
                }
                "arange" => {
                    let start = self
                        .attr(op, "start")
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0);
                    let step = self
                        .attr(op, "step")
                        .ok()
                        .and_then(|v| v.as_f64())
                        .unwrap_or(1.0);
                    let i = cast(Expr::Iota(0), DType::I64, ty);
                    bin(
                        ScalarOp::Add,
                        c(start, ty),
                        bin(ScalarOp::Mul, i, c(step, ty)),
                    )
                }
                // `i < max(steps / 2, 1) ? start + i * step : end - (steps - 1 - i) * step`
                // in f64, as PyTorch's kernel fills from both ends.
                "linspace" => {
                    let (start, end) = (self.f64_attr(op, "start")?, self.f64_attr(op, "end")?);
                    let n = shape[0];
                    let step = if n > 1 {
                        (end - start) / (n - 1) as f64
                    } else {
                        0.0
                    };
                    let i = Expr::Iota(0);
                    let fi = cast(i.clone(), DType::I64, DType::F64);
                    let from_start = bin(
                        ScalarOp::Add,
                        c(start, DType::F64),
                        bin(ScalarOp::Mul, c(step, DType::F64), fi.clone()),
                    );
                    let left = bin(ScalarOp::Sub, c((n as f64) - 1.0, DType::F64), fi);
                    let from_end = bin(
                        ScalarOp::Sub,
                        c(end, DType::F64),
                        bin(ScalarOp::Mul, c(step, DType::F64), left),
                    );
                    let first_half = cmp(Predicate::Lt, i, c((n / 2).max(1) as f64, DType::I64));
                    cast(select(first_half, from_start, from_end), DType::F64, ty)
                }
                // Keeps `x[.., i, j]` where `j - i >= diagonal` (triu) or `<= diagonal`
                // (tril), zero elsewhere.
                "triu" | "tril" => {
                    let rank = shape.len();
                    if rank < 2 {
                        return Err(err(
                            self.ctx,
                            op,
                            format!("'{src}' needs a tensor of at least 2 dims"),
                        ));
                    }
                    let x = input(self, &mut pw, "self")?;
                    let diagonal = self.int_attr(op, "diagonal")?;
                    let j_minus_i = bin(ScalarOp::Sub, Expr::Iota(rank - 1), Expr::Iota(rank - 2));
                    let p = if base == "triu" {
                        Predicate::Ge
                    } else {
                        Predicate::Le
                    };
                    let keep = cmp(p, j_minus_i, c(diagonal as f64, DType::I64));
                    select(keep, x, c(0.0, ty))
                }
                // An empty tensor's elements are unspecified: zeros, as the interpreter's.
                "zeros" | "zeros_like" | "zero" | "empty" | "empty_like" | "empty_strided"
                | "new_empty_strided" => c(0.0, ty),
                "ones" | "ones_like" => c(1.0, ty),
                "fill" => c(self.f64_attr(op, "value")?, ty),
                "scalar_tensor" => c(self.f64_attr(op, "s")?, ty),
                "full" | "full_like" => c(self.f64_attr(op, "fill_value")?, ty),
                "sym_size" | "sym_stride" | "sym_numel" | "sym_storage_offset" => {
                    c(self.shape_number(op, base)? as f64, ty)
                }
                // Other elementwise ops are composite (decomposed first) or not lowered yet.
                _ => return Ok(None),
            }
        };
        Ok(Some(self.pointwise(pw, expr, out_dt, src)))
    }

    fn lower_other(&mut self, op: OpId, base: &str, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        if let Some(v) = self.lower_indexing(op, base, src)? {
            return Ok(v);
        }
        if let Some(v) = self.lower_lanes(op, base, src)? {
            return Ok(v);
        }
        if let Some(v) = self.lower_bags(op, base, src)? {
            return Ok(v);
        }
        match base {
            "sum" | "amax" | "prod" => {
                let x = self.operand(op, "self")?;
                let rank = x.shape.len();
                let dims = if self.ctx.attr(op, "dim").is_some() || base == "amax" {
                    self.dims_of(op, "dim", rank)?
                } else {
                    (0..rank).collect()
                };
                let keepdim = matches!(self.attr(op, "keepdim"), Ok(ArgValue::Bool(true)));
                let (_, out_dt) = self.result_info(op, 0)?;
                let x = if self.dtype(&x) != out_dt {
                    let mut pw = Pw::new(&x.shape);
                    let xd = self.dtype(&x);
                    let e = pw.input(&x, xd, out_dt);
                    self.pointwise(pw, e, out_dt, src)
                } else {
                    x
                };
                let kind = match base {
                    "amax" => Reduce::Max,
                    "prod" => Reduce::Prod,
                    _ => Reduce::Sum,
                };
                let r = self.reduce(&x, &dims, kind, src);
                Ok(vec![self.squeeze_dims(r, &dims, keepdim)])
            }
            // `any`: some element is nonzero, a count of them above 0; `all`: none is zero.
            // The count is an f32 sum (exact well past any flag count that decides it).
            "any" | "all" => {
                let x = self.operand(op, "self")?;
                let rank = x.shape.len();
                let dims = if self.ctx.attr(op, "dim").is_some() {
                    self.dims_of(op, "dim", rank)?
                } else {
                    (0..rank).collect()
                };
                let keepdim = matches!(self.attr(op, "keepdim"), Ok(ArgValue::Bool(true)));
                let (counted, decides) = if base == "any" {
                    (Predicate::Ne, Predicate::Gt)
                } else {
                    (Predicate::Eq, Predicate::Eq)
                };
                let xd = self.dtype(&x);
                let mut pw = Pw::new(&x.shape);
                let e = pw.input(&x, xd, xd);
                let flag = cast(cmp(counted, e, c(0.0, xd)), DType::Bool, DType::F32);
                let flags = self.pointwise(pw, flag, DType::F32, src);
                let count = self.reduce(&flags, &dims, Reduce::Sum, src);
                let mut pw = Pw::new(&count.shape);
                let n = pw.input(&count, DType::F32, DType::F32);
                let out = self.pointwise(pw, cmp(decides, n, c(0.0, DType::F32)), DType::Bool, src);
                Ok(vec![self.squeeze_dims(out, &dims, keepdim)])
            }
            "mm" | "bmm" | "addmm" => self.matmul(op, base, src),
            "diagonal" => Ok(vec![self.diagonal(op)?]),
            "as_strided" => Ok(vec![self.as_strided(op, src)?]),
            "as_strided_scatter" => self.as_strided_scatter(op, src),
            "repeat" => Ok(vec![self.repeat(op, src)?]),
            "reflection_pad1d" | "reflection_pad2d" | "reflection_pad3d" => {
                Ok(vec![self.edge_pad(op, true, src)?])
            }
            "replication_pad1d" | "replication_pad2d" | "replication_pad3d" => {
                Ok(vec![self.edge_pad(op, false, src)?])
            }
            "upsample_nearest2d" | "upsample_bilinear2d" => Ok(vec![self.upsample2d(
                op,
                base == "upsample_bilinear2d",
                src,
            )?]),
            "_adaptive_avg_pool2d" | "_adaptive_avg_pool3d" => {
                Ok(vec![self.adaptive_avg_pool(op, src)?])
            }
            "_adaptive_avg_pool2d_backward" | "_adaptive_avg_pool3d_backward" => {
                Ok(vec![self.adaptive_avg_pool_backward(op, src)?])
            }
            "convolution" => self.convolution(op, src),
            "convolution_backward" => self.convolution_backward(op, src),
            "max_pool2d_with_indices" | "max_pool3d_with_indices" => self.max_pool(op, src),
            "max_pool2d_with_indices_backward" | "max_pool3d_with_indices_backward" => {
                self.max_pool_backward(op, src)
            }
            "avg_pool2d" | "avg_pool3d" => self.avg_pool(op, src),
            "avg_pool2d_backward" | "avg_pool3d_backward" => self.avg_pool_backward(op, src),
            "im2col" => Ok(vec![self.im2col_op(op, src)?]),
            "col2im" => Ok(vec![self.col2im_op(op, src)?]),
            "constant_pad_nd" => self.constant_pad_nd(op, src),
            "slice_backward" | "select_backward" | "slice_scatter" | "select_scatter" => {
                self.place_into_view(op, base, src)
            }
            "native_dropout" => self.native_dropout(op, src),
            "bernoulli" => Ok(vec![self.bernoulli(op, src)?]),
            "rand" | "randn" | "rand_like" | "randn_like" => {
                Ok(vec![self.rand(op, base.starts_with("randn"), src)?])
            }
            "cat" => {
                let (shape, dt) = self.result_info(op, 0)?;
                let vals =
                    operand_group(self.ctx, op, "tensors").map_err(|e| err(self.ctx, op, e))?;
                let parts = vals
                    .iter()
                    .filter_map(|v| self.values.get(v).cloned())
                    .filter(|o| o.shape.iter().product::<u64>() > 0)
                    .collect::<Vec<_>>();
                let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, shape.len())?;
                // Parts of another dtype are cast to the promoted result's first.
                let parts = parts
                    .into_iter()
                    .map(|p| {
                        let pd = self.dtype(&p);
                        if pd == dt {
                            return p;
                        }
                        let mut pw = Pw::new(&p.shape);
                        let e = pw.input(&p, pd, dt);
                        self.pointwise(pw, e, dt, src)
                    })
                    .collect::<Vec<_>>();
                let node = self.push(NodeKind::Concat { parts, dim }, shape, dt, src);
                Ok(vec![self.whole(node)])
            }
            _ => Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend does not support '{src}' yet (composite ops are \
                     decomposed first by aten-decompose; the reference interpreter runs it: \
                     joinery-run --interpret)"
                ),
            )),
        }
    }
}

/// The i64 constant `v` as an expression: a constant is an f64, exact below 2^53, so a
/// larger one is `hi * 2^32 + lo` (wrapping i64 arithmetic, folded by LLVM).
fn i64_const(v: i64) -> Expr {
    if v.unsigned_abs() < 1 << 53 {
        return c(v as f64, DType::I64);
    }
    let (hi, lo) = (v >> 32, v & 0xffff_ffff);
    bin(
        ScalarOp::Add,
        bin(
            ScalarOp::Mul,
            c(hi as f64, DType::I64),
            c(4_294_967_296.0, DType::I64),
        ),
        c(lo as f64, DType::I64),
    )
}

/// `a ** e` for the integer constant `a` and the i64 expression `e`, as PyTorch's `powi`:
/// a negative `e` gives 1 for `a = 1`, ±1 for `a = -1`, else 0; otherwise the product
/// of `a^(2^b)` (wrapping, computed here) over the set bits `b` of `e`.
fn int_power_of(a: i64, e: Expr) -> Expr {
    let n = |v: i64| c(v as f64, DType::I64);
    let negative = match a {
        1 => n(1),
        -1 => {
            let odd = cmp(Predicate::Ne, bin(ScalarOp::And, e.clone(), n(1)), n(0));
            select(odd, n(-1), n(1))
        }
        _ => n(0),
    };
    let mut power = a;
    let mut terms = Vec::new();
    for b in 0..63 {
        let high = bin(ScalarOp::Shr, e.clone(), n(b));
        if power == 1 {
            break;
        }
        if power == 0 {
            // Any set bit from here on makes the product 0.
            terms.push(select(cmp(Predicate::Ne, high, n(0)), n(0), n(1)));
            break;
        }
        let bit = cmp(Predicate::Ne, bin(ScalarOp::And, high, n(1)), n(0));
        terms.push(select(bit, i64_const(power), n(1)));
        power = power.wrapping_mul(power);
    }
    let positive = terms
        .into_iter()
        .reduce(|x, y| bin(ScalarOp::Mul, x, y))
        .unwrap_or(n(1));
    select(cmp(Predicate::Lt, e, n(0)), negative, positive)
}

/// An integer division or remainder ([`Expr::IntDivision`]) reporting a zero divisor at
/// `site`.
fn int_division(op: ScalarOp, a: Expr, b: Expr, site: &str) -> Expr {
    Expr::IntDivision {
        op,
        a: Box::new(a),
        b: Box::new(b),
        site: site.to_string(),
    }
}

/// Integer `a / b` rounded toward -inf in `ty`: the truncating quotient, one less when
/// the remainder is nonzero and its sign differs from the divisor's; a zero divisor is a
/// run-time error naming `site`.
fn floor_int_division(a: Expr, b: Expr, ty: DType, site: &str) -> Expr {
    let q = int_division(ScalarOp::Div, a.clone(), b.clone(), site);
    let r = int_division(ScalarOp::Rem, a, b.clone(), site);
    let below = toward_divisor_sign(r, b, ty);
    select(below, bin(ScalarOp::Sub, q.clone(), c(1.0, ty)), q)
}

/// Whether remainder `r` (of a division by `b`) is nonzero and of the other sign than `b`:
/// where Python's floor division is one below the truncating one and its modulo is
/// `r + b`.
fn toward_divisor_sign(r: Expr, b: Expr, ty: DType) -> Expr {
    let zero = c(0.0, ty);
    let signs_differ = bin(
        ScalarOp::Xor,
        cmp(Predicate::Lt, r.clone(), zero.clone()),
        cmp(Predicate::Lt, b, zero.clone()),
    );
    bin(ScalarOp::And, cmp(Predicate::Ne, r, zero), signs_differ)
}

/// Python's floor division of floats as PyTorch computes it (`div_floor_floating`): from
/// `m = fmod(a, b)`, `q = (a - m) / b`, one less when `m` and `b` differ in sign, rounded
/// to the nearest integer above `floor(q)` by more than 0.5; `a / b` when `b` is 0, and a
/// zero quotient keeps the sign of `a / b`.
fn floor_divide(a: Expr, b: Expr, ty: DType) -> Expr {
    let zero = c(0.0, ty);
    let m = bin(ScalarOp::Rem, a.clone(), b.clone());
    let q = bin(
        ScalarOp::Div,
        bin(ScalarOp::Sub, a.clone(), m.clone()),
        b.clone(),
    );
    let adjust = toward_divisor_sign(m, b.clone(), ty);
    let q = select(adjust, bin(ScalarOp::Sub, q.clone(), c(1.0, ty)), q);
    let fl = un(ScalarOp::Floor, q.clone());
    let up = cmp(
        Predicate::Gt,
        bin(ScalarOp::Sub, q.clone(), fl.clone()),
        c(0.5, ty),
    );
    let rounded = select(up, bin(ScalarOp::Add, fl.clone(), c(1.0, ty)), fl);
    let quotient = bin(ScalarOp::Div, a, b.clone());
    // copysign(0, a / b): a / b times 0 keeps its sign.
    let signed_zero = bin(ScalarOp::Mul, quotient.clone(), zero.clone());
    let nonzero = select(cmp(Predicate::Eq, q, zero.clone()), signed_zero, rounded);
    select(cmp(Predicate::Eq, b, zero), quotient, nonzero)
}

/// The [`ScalarOp`] computing a one-operand elementwise aten op: the kernel op of the
/// same name (`aten.exp` → `kernel.exp`), with a rename where the names differ.
fn unary_scalar_op(base: &str) -> Option<ScalarOp> {
    let name = match base {
        "reciprocal" => "recip",
        "sgn" => "sign",
        "bitwise_not" => "not",
        other => other,
    };
    ScalarOp::from_name(&format!("kernel.{name}")).filter(|op| op.arity() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unary_ops_map_by_name() {
        assert_eq!(unary_scalar_op("exp"), Some(ScalarOp::Exp));
        assert_eq!(unary_scalar_op("reciprocal"), Some(ScalarOp::Recip));
        assert_eq!(unary_scalar_op("add"), None);
        assert_eq!(unary_scalar_op("gelu"), None);
    }

    #[test]
    fn reshape_of_transpose_needs_a_copy() {
        // [2,3] transposed to [3,2] (strides [1,3]) cannot be flattened without a copy.
        assert_eq!(reshape_strides(&[3, 2], &[1, 3], &[6]), None);
        assert_eq!(reshape_strides(&[2, 3], &[3, 1], &[3, 2]), Some(vec![2, 1]));
        assert_eq!(
            reshape_strides(&[8, 128, 768], &[98304, 768, 1], &[1024, 768]),
            Some(vec![768, 1])
        );
    }

    #[test]
    fn broadcast_sets_zero_strides() {
        let o = Operand {
            node: 0,
            shape: vec![1, 4],
            map: Map {
                offset: 0,
                strides: vec![4, 1],
            },
        };
        assert_eq!(broadcast(&o, &[3, 2, 4]).map.strides, vec![0, 0, 1]);
    }
}
