//! The tensor-expression graph: an aten function (L1 joint or L2 forward/backward) read
//! into nodes the kernel lowering understands, with composite ops decomposed.
//!
//! Every aten value becomes an [`Operand`]: a node (a function input, a pointwise
//! expression, a reduction or a GEMM) seen through a strided [`Map`]. View ops (`t`,
//! `transpose`, `permute`, `expand`, `view` of contiguous data, `unsqueeze`, `squeeze`,
//! `slice`, `select`, `split`, `detach`, `clone`, ...) only compose maps: they never copy.
//! A reshape that no strides can express materialises a copy node. Composite ops
//! (`_log_softmax`, `_softmax` and their backwards, `nll_loss_*`, `native_layer_norm`
//! and its backward, `gelu` and its backward, `mean`) become pointwise and reduction
//! nodes, as inductor's decompositions do. Anything else is a diagnostic naming the op.

use joinery_aten::{ArgValue, attr_or_default, operand_group};
use joinery_ir::{Context, DType, Diagnostic, OpId, Value};
pub use joinery_kernel::{Map, Predicate, ScalarOp, contiguous, static_info};
use rustc_hash::FxHashMap;

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
    /// The index along iteration dimension `d` (i64).
    Iota(usize),
    /// A one-operand [`ScalarOp`].
    Un(ScalarOp, Box<Expr>),
    /// A two-operand [`ScalarOp`].
    Bin(ScalarOp, Box<Expr>, Box<Expr>),
    Cmp(Predicate, Box<Expr>, Box<Expr>),
    /// `cond ? a : b`.
    Select(Box<Expr>, Box<Expr>, Box<Expr>),
    Cast(DType, Box<Expr>),
}

/// How a reduction combines.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Reduce {
    Sum,
    Max,
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
    /// `cat(parts, dim)`: each part copied into its slice of the node's buffer.
    Concat { parts: Vec<Operand>, dim: usize },
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
}

fn err(ctx: &Context, op: OpId, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(message).with_span(ctx.span(op))
}

/// A dimension index normalized for a tensor of `rank`, or an error at `op`.
fn norm_dim(ctx: &Context, op: OpId, d: i64, rank: usize) -> Result<usize, Diagnostic> {
    joinery_aten::norm_dim(d, rank).map_err(|m| err(ctx, op, m))
}

struct Builder<'c> {
    ctx: &'c Context,
    g: Graph,
    values: FxHashMap<Value, Operand>,
}

/// Reads `func` (a `func.func` of aten ops) into a graph.
pub fn build(ctx: &Context, func: OpId) -> Result<Graph, Diagnostic> {
    let body = ctx
        .body_block(func)
        .ok_or_else(|| err(ctx, func, "the native backend needs a function with a body"))?;
    let mut b = Builder {
        ctx,
        g: Graph::default(),
        values: FxHashMap::default(),
    };
    for (i, &arg) in ctx.block_args(body).iter().enumerate() {
        let (shape, dtype) = static_info(ctx, ctx.value_type(arg)).ok_or_else(|| {
            err(
                ctx,
                func,
                format!(
                    "argument #{i} of the function has type that the native backend does \
                     not support (it needs statically shaped tensors)"
                ),
            )
        })?;
        let node = b.push(NodeKind::Input(i), shape, dtype, "argument");
        let o = b.whole(node);
        b.values.insert(arg, o);
    }
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
        let results = b.lower_op(op)?;
        for (&r, o) in ctx.results(op).iter().zip(results) {
            b.values.insert(r, o);
        }
    }
    Ok(b.g)
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

    /// Zeros shaped as result `i` of `op` (a gradient the op was told not to compute).
    fn zeros(&mut self, op: OpId, i: usize, src: &str) -> Result<Operand, Diagnostic> {
        let (shape, dt) = self.result_info(op, i)?;
        Ok(self.pointwise(Pw::new(&shape), c(0.0, dt), dt, src))
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
        let c = self.copy(o, source);
        self.reshape(&c, shape, source)
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
        let src = full.as_str();
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
        let src = self.ctx.name_str(op).to_string();
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
            "view" | "_unsafe_view" | "reshape" | "squeeze" | "unsqueeze" | "flatten" => {
                let x = self.operand(op, "self")?;
                let (shape, _) = self.result_info(op, 0)?;
                one(self.reshape(&x, &shape, &src))
            }
            "slice" | "select" => {
                let x = self.operand(op, "self")?;
                let rank = x.shape.len();
                let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, rank)?;
                let size = x.shape[dim] as i64;
                let fix = |i: i64| {
                    if i < 0 {
                        (i + size).max(0)
                    } else {
                        i.min(size)
                    }
                };
                let mut o = x.clone();
                if base == "select" {
                    let idx = self.int_attr(op, "index")?;
                    let idx = if idx < 0 { idx + size } else { idx };
                    o.map.offset += idx * x.map.strides[dim];
                    o.shape.remove(dim);
                    o.map.strides.remove(dim);
                } else {
                    let start = match self.attr(op, "start")? {
                        ArgValue::Int(i) => fix(i),
                        _ => 0,
                    };
                    let end = match self.attr(op, "end")? {
                        ArgValue::Int(i) => fix(i),
                        _ => size,
                    }
                    .max(start);
                    let step = self.int_attr(op, "step")?.max(1);
                    o.map.offset += start * x.map.strides[dim];
                    o.shape[dim] = ((end - start + step - 1) / step) as u64;
                    o.map.strides[dim] *= step;
                }
                one(o)
            }
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

    fn lower_pointwise(
        &mut self,
        op: OpId,
        base: &str,
        overload: &str,
        src: &str,
    ) -> Result<Option<Operand>, Diagnostic> {
        let unary = match base {
            "neg" => Some(ScalarOp::Neg),
            "abs" => Some(ScalarOp::Abs),
            "exp" => Some(ScalarOp::Exp),
            "log" => Some(ScalarOp::Log),
            "tanh" => Some(ScalarOp::Tanh),
            "sigmoid" => Some(ScalarOp::Sigmoid),
            "sqrt" => Some(ScalarOp::Sqrt),
            "rsqrt" => Some(ScalarOp::Rsqrt),
            "reciprocal" => Some(ScalarOp::Recip),
            "erf" => Some(ScalarOp::Erf),
            "sin" => Some(ScalarOp::Sin),
            "cos" => Some(ScalarOp::Cos),
            "log1p" => Some(ScalarOp::Log1p),
            "expm1" => Some(ScalarOp::Expm1),
            "sign" => Some(ScalarOp::Sign),
            _ => None,
        };
        let is_pointwise = unary.is_some()
            || matches!(
                base,
                "add"
                    | "sub"
                    | "rsub"
                    | "mul"
                    | "div"
                    | "maximum"
                    | "minimum"
                    | "pow"
                    | "where"
                    | "clamp"
                    | "masked_fill"
                    | "threshold_backward"
                    | "tanh_backward"
                    | "sigmoid_backward"
                    | "gelu"
                    | "gelu_backward"
                    | "relu"
                    | "eq"
                    | "ne"
                    | "lt"
                    | "le"
                    | "gt"
                    | "ge"
                    | "logical_not"
                    | "_to_copy"
                    | "fill"
                    | "zeros_like"
                    | "ones_like"
                    | "full_like"
                    | "zeros"
                    | "ones"
                    | "full"
                    | "scalar_tensor"
                    | "arange"
                    | "copy"
            );
        if !is_pointwise {
            return Ok(None);
        }
        let (shape, out_dt) = self.result_info(op, 0)?;
        let mut pw = Pw::new(&shape);
        // The dtype the arithmetic runs in: the result's, or for comparisons the
        // promoted operand type.
        let ty = if out_dt == DType::Bool && base != "where" && base != "masked_fill" {
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
        let expr = if let Some(u) = unary {
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
                    if let Ok(ArgValue::Str(_)) = self.attr(op, "rounding_mode") {
                        return Err(err(
                            self.ctx,
                            op,
                            format!(
                                "the native backend does not support '{src}' with a rounding mode"
                            ),
                        ));
                    }
                    bin(ScalarOp::Div, a, b)
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
                "clamp" => {
                    let mut x = input(self, &mut pw, "self")?;
                    if let Some(lo) = self.attr(op, "min")?.as_f64() {
                        x = bin(ScalarOp::Max, x, c(lo, ty));
                    }
                    if let Some(hi) = self.attr(op, "max")?.as_f64() {
                        x = bin(ScalarOp::Min, x, c(hi, ty));
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
                "threshold_backward" => {
                    let g = input(self, &mut pw, "grad_output")?;
                    let x = input(self, &mut pw, "self")?;
                    let t = scalar(self, "threshold")?;
                    select(cmp(Predicate::Le, x, t), c(0.0, ty), g)
                }
                "tanh_backward" => {
                    let g = input(self, &mut pw, "grad_output")?;
                    let y = input(self, &mut pw, "output")?;
                    bin(
                        ScalarOp::Mul,
                        g,
                        bin(ScalarOp::Sub, c(1.0, ty), bin(ScalarOp::Mul, y.clone(), y)),
                    )
                }
                "sigmoid_backward" => {
                    let g = input(self, &mut pw, "grad_output")?;
                    let y = input(self, &mut pw, "output")?;
                    bin(
                        ScalarOp::Mul,
                        g,
                        bin(ScalarOp::Mul, y.clone(), bin(ScalarOp::Sub, c(1.0, ty), y)),
                    )
                }
                "gelu" | "gelu_backward" => {
                    let approx = match self.attr(op, "approximate")? {
                        ArgValue::Str(s) => s,
                        _ => "none".into(),
                    };
                    if approx != "none" {
                        return Err(err(
                            self.ctx,
                            op,
                            format!(
                                "the native backend does not support '{src}' with approximate='{approx}'"
                            ),
                        ));
                    }
                    let x = input(self, &mut pw, "self")?;
                    let cdf = bin(
                        ScalarOp::Mul,
                        c(0.5, ty),
                        bin(
                            ScalarOp::Add,
                            c(1.0, ty),
                            un(
                                ScalarOp::Erf,
                                bin(
                                    ScalarOp::Mul,
                                    x.clone(),
                                    c(std::f64::consts::FRAC_1_SQRT_2, ty),
                                ),
                            ),
                        ),
                    );
                    if base == "gelu" {
                        bin(ScalarOp::Mul, x, cdf)
                    } else {
                        let g = input(self, &mut pw, "grad_output")?;
                        let pdf = bin(
                            ScalarOp::Mul,
                            c(
                                0.5 * std::f64::consts::FRAC_2_SQRT_PI
                                    * std::f64::consts::FRAC_1_SQRT_2,
                                ty,
                            ),
                            un(
                                ScalarOp::Exp,
                                bin(
                                    ScalarOp::Mul,
                                    c(-0.5, ty),
                                    bin(ScalarOp::Mul, x.clone(), x.clone()),
                                ),
                            ),
                        );
                        bin(
                            ScalarOp::Mul,
                            g,
                            bin(ScalarOp::Add, cdf, bin(ScalarOp::Mul, x, pdf)),
                        )
                    }
                }
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
                _ => {
                    // fill / zeros / ones / full / *_like / scalar_tensor: a constant.
                    let v = match base {
                        "zeros" | "zeros_like" => 0.0,
                        "ones" | "ones_like" => 1.0,
                        "fill" => self.f64_attr(op, "value")?,
                        "scalar_tensor" => self.f64_attr(op, "s")?,
                        _ => self.f64_attr(op, "fill_value")?,
                    };
                    c(v, ty)
                }
            }
        };
        Ok(Some(self.pointwise(pw, expr, out_dt, src)))
    }

    fn lower_other(&mut self, op: OpId, base: &str, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        match base {
            "sum" | "mean" | "amax" => {
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
                let kind = if base == "amax" {
                    Reduce::Max
                } else {
                    Reduce::Sum
                };
                let mut r = self.reduce(&x, &dims, kind, src);
                if base == "mean" {
                    let n: u64 = dims.iter().map(|&d| x.shape[d]).product();
                    let mut pw = Pw::new(&r.shape);
                    let e = pw.input(&r, out_dt, out_dt);
                    r = self.pointwise(pw, bin(ScalarOp::Div, e, c(n as f64, out_dt)), out_dt, src);
                }
                Ok(vec![self.squeeze_dims(r, &dims, keepdim)])
            }
            "mm" | "bmm" | "addmm" => {
                let (a, b) = if base == "addmm" {
                    (self.operand(op, "mat1")?, self.operand(op, "mat2")?)
                } else {
                    (self.operand(op, "self")?, self.operand(op, "mat2")?)
                };
                let (shape, dt) = self.result_info(op, 0)?;
                if dt != DType::F32 || self.dtype(&a) != DType::F32 || self.dtype(&b) != DType::F32
                {
                    return Err(err(
                        self.ctx,
                        op,
                        format!("the native backend supports '{src}' on f32 tensors only"),
                    ));
                }
                let bias = if base == "addmm" {
                    let beta = self.f64_attr(op, "beta")?;
                    let alpha = self.f64_attr(op, "alpha")?;
                    if beta != 1.0 || alpha != 1.0 {
                        return Err(err(
                            self.ctx,
                            op,
                            format!(
                                "the native backend supports '{src}' with alpha = beta = 1 only"
                            ),
                        ));
                    }
                    Some(broadcast(&self.operand(op, "self")?, &shape))
                } else {
                    None
                };
                let (batch, m, k, n) = if base == "bmm" {
                    (a.shape[0], a.shape[1], a.shape[2], b.shape[2])
                } else {
                    (1, a.shape[0], a.shape[1], b.shape[1])
                };
                let node = self.push(
                    NodeKind::Gemm {
                        a,
                        b,
                        bias,
                        batch,
                        m,
                        n,
                        k,
                    },
                    shape,
                    dt,
                    src,
                );
                Ok(vec![self.whole(node)])
            }
            "_softmax" | "_log_softmax" | "softmax" | "log_softmax" => {
                let x = self.operand(op, "self")?;
                let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, x.shape.len())?;
                let (_, dt) = self.result_info(op, 0)?;
                let m = self.reduce(&x, &[dim], Reduce::Max, src);
                let mut pw = Pw::new(&x.shape);
                let xe = pw.input(&x, dt, dt);
                let me = pw.input(&m, dt, dt);
                let shifted = bin(ScalarOp::Sub, xe, me);
                let e = self.pointwise(pw, un(ScalarOp::Exp, shifted), dt, src);
                let s = self.reduce(&e, &[dim], Reduce::Sum, src);
                let mut pw = Pw::new(&x.shape);
                let out = if base.contains("log") {
                    let xe = pw.input(&x, dt, dt);
                    let me = pw.input(&m, dt, dt);
                    let se = pw.input(&s, dt, dt);
                    bin(
                        ScalarOp::Sub,
                        bin(ScalarOp::Sub, xe, me),
                        un(ScalarOp::Log, se),
                    )
                } else {
                    let ee = pw.input(&e, dt, dt);
                    let se = pw.input(&s, dt, dt);
                    bin(ScalarOp::Div, ee, se)
                };
                Ok(vec![self.pointwise(pw, out, dt, src)])
            }
            "_softmax_backward_data" | "_log_softmax_backward_data" => {
                let g = self.operand(op, "grad_output")?;
                let y = self.operand(op, "output")?;
                let dim = norm_dim(self.ctx, op, self.int_attr(op, "dim")?, g.shape.len())?;
                let (_, dt) = self.result_info(op, 0)?;
                if base.contains("log") {
                    // g - exp(y) * sum(g)
                    let s = self.reduce(&g, &[dim], Reduce::Sum, src);
                    let mut pw = Pw::new(&g.shape);
                    let ge = pw.input(&g, dt, dt);
                    let ye = pw.input(&y, dt, dt);
                    let se = pw.input(&s, dt, dt);
                    let e = bin(
                        ScalarOp::Sub,
                        ge,
                        bin(ScalarOp::Mul, un(ScalarOp::Exp, ye), se),
                    );
                    Ok(vec![self.pointwise(pw, e, dt, src)])
                } else {
                    // y * (g - sum(g * y))
                    let mut pw = Pw::new(&g.shape);
                    let ge = pw.input(&g, dt, dt);
                    let ye = pw.input(&y, dt, dt);
                    let gy = self.pointwise(pw, bin(ScalarOp::Mul, ge, ye), dt, src);
                    let s = self.reduce(&gy, &[dim], Reduce::Sum, src);
                    let mut pw = Pw::new(&g.shape);
                    let ge = pw.input(&g, dt, dt);
                    let ye = pw.input(&y, dt, dt);
                    let se = pw.input(&s, dt, dt);
                    let e = bin(ScalarOp::Mul, ye, bin(ScalarOp::Sub, ge, se));
                    Ok(vec![self.pointwise(pw, e, dt, src)])
                }
            }
            "nll_loss_forward" | "nll_loss_backward" => self.lower_nll(op, base, src),
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
                if parts.iter().any(|p| self.dtype(p) != dt) {
                    return Err(err(
                        self.ctx,
                        op,
                        format!("the native backend supports '{src}' of same-dtype tensors only"),
                    ));
                }
                let node = self.push(NodeKind::Concat { parts, dim }, shape, dt, src);
                Ok(vec![self.whole(node)])
            }
            "native_layer_norm" => self.lower_layer_norm(op, src),
            "native_layer_norm_backward" => self.lower_layer_norm_backward(op, src),
            _ => Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend does not support '{src}' yet (the reference \
                     interpreter runs it: joinery-run --interpret)"
                ),
            )),
        }
    }

    fn lower_nll(&mut self, op: OpId, base: &str, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "self")?;
        let target = self.operand(op, "target")?;
        if self.opt_operand(op, "weight")?.is_some() || x.shape.len() != 2 {
            return Err(err(
                self.ctx,
                op,
                format!(
                    "the native backend supports '{src}' on [N, C] inputs without class weights only"
                ),
            ));
        }
        let reduction = self.int_attr(op, "reduction")?;
        let ignore = self.int_attr(op, "ignore_index")?;
        let dt = self.dtype(&x);
        let tdt = self.dtype(&target);
        let (n, cl) = (x.shape[0], x.shape[1]);
        let t2 = Operand {
            node: target.node,
            shape: vec![n, 1],
            map: Map {
                offset: target.map.offset,
                strides: vec![target.map.strides[0], 0],
            },
        };
        // hit[i, j] = target[i] == j && target[i] != ignore_index
        let hit = |pw: &mut Pw| {
            let t = pw.input(&t2, tdt, DType::I64);
            let eq = cmp(Predicate::Eq, t.clone(), Expr::Iota(1));
            let valid = cmp(Predicate::Ne, t, c(ignore as f64, DType::I64));
            bin(ScalarOp::And, eq, valid)
        };
        // total_weight = count of valid targets
        let mut pw = Pw::new(&[n]);
        let t = pw.input(&target, tdt, DType::I64);
        let valid = cast(
            cmp(Predicate::Ne, t, c(ignore as f64, DType::I64)),
            DType::Bool,
            dt,
        );
        let v = self.pointwise(pw, valid, dt, src);
        let tw = self.reduce(&v, &[0], Reduce::Sum, src);
        let tw = self.squeeze_dims(tw, &[0], false);
        if base == "nll_loss_forward" {
            if reduction == 0 {
                return Err(err(
                    self.ctx,
                    op,
                    format!("the native backend does not support '{src}' with reduction='none'"),
                ));
            }
            let mut pw = Pw::new(&[n, cl]);
            let h = hit(&mut pw);
            let xe = pw.input(&x, dt, dt);
            let picked = self.pointwise(pw, select(h, xe, c(0.0, dt)), dt, src);
            let total = self.reduce(&picked, &[0, 1], Reduce::Sum, src);
            let total = self.squeeze_dims(total, &[0, 1], false);
            let mut pw = Pw::new(&[]);
            let te = pw.input(&total, dt, dt);
            let loss = if reduction == 1 {
                let we = pw.input(&tw, dt, dt);
                un(ScalarOp::Neg, bin(ScalarOp::Div, te, we))
            } else {
                un(ScalarOp::Neg, te)
            };
            let out = self.pointwise(pw, loss, dt, src);
            Ok(vec![out, tw])
        } else {
            let g = self.operand(op, "grad_output")?;
            let w = self.operand(op, "total_weight")?;
            let mut pw = Pw::new(&[n, cl]);
            let h = hit(&mut pw);
            let ge = pw.input(&g, dt, dt);
            let scale = if reduction == 1 {
                let we = pw.input(&w, dt, dt);
                bin(ScalarOp::Div, ge, we)
            } else {
                ge
            };
            let e = select(h, un(ScalarOp::Neg, scale), c(0.0, dt));
            Ok(vec![self.pointwise(pw, e, dt, src)])
        }
    }

    fn lower_layer_norm(&mut self, op: OpId, src: &str) -> Result<Vec<Operand>, Diagnostic> {
        let x = self.operand(op, "input")?;
        let nshape = self.ints_attr(op, "normalized_shape")?;
        let rank = x.shape.len();
        let dims: Vec<usize> = (rank - nshape.len()..rank).collect();
        let count: u64 = dims.iter().map(|&d| x.shape[d]).product();
        let eps = self.f64_attr(op, "eps")?;
        let dt = self.dtype(&x);
        let w = self.opt_operand(op, "weight")?;
        let bias = self.opt_operand(op, "bias")?;
        let s = self.reduce(&x, &dims, Reduce::Sum, src);
        let mut pw = Pw::new(&s.shape);
        let se = pw.input(&s, dt, dt);
        let mean = self.pointwise(pw, bin(ScalarOp::Div, se, c(count as f64, dt)), dt, src);
        let mut pw = Pw::new(&x.shape);
        let xe = pw.input(&x, dt, dt);
        let me = pw.input(&mean, dt, dt);
        let d = bin(ScalarOp::Sub, xe, me);
        let sq = self.pointwise(pw, bin(ScalarOp::Mul, d.clone(), d), dt, src);
        let v = self.reduce(&sq, &dims, Reduce::Sum, src);
        let mut pw = Pw::new(&v.shape);
        let ve = pw.input(&v, dt, dt);
        let rstd = self.pointwise(
            pw,
            un(
                ScalarOp::Rsqrt,
                bin(
                    ScalarOp::Add,
                    bin(ScalarOp::Div, ve, c(count as f64, dt)),
                    c(eps, dt),
                ),
            ),
            dt,
            src,
        );
        let mut pw = Pw::new(&x.shape);
        let xe = pw.input(&x, dt, dt);
        let me = pw.input(&mean, dt, dt);
        let re = pw.input(&rstd, dt, dt);
        let mut y = bin(ScalarOp::Mul, bin(ScalarOp::Sub, xe, me), re);
        if let Some(w) = &w {
            y = bin(ScalarOp::Mul, y, pw.input(w, dt, dt));
        }
        if let Some(b) = &bias {
            y = bin(ScalarOp::Add, y, pw.input(b, dt, dt));
        }
        let out = self.pointwise(pw, y, dt, src);
        let (mshape, _) = self.result_info(op, 1)?;
        let mean = self.reshape(&mean, &mshape, src);
        let rstd = self.reshape(&rstd, &mshape, src);
        Ok(vec![out, mean, rstd])
    }

    fn lower_layer_norm_backward(
        &mut self,
        op: OpId,
        src: &str,
    ) -> Result<Vec<Operand>, Diagnostic> {
        let go = self.operand(op, "grad_out")?;
        let x = self.operand(op, "input")?;
        let nshape = self.ints_attr(op, "normalized_shape")?;
        let rank = x.shape.len();
        let dims: Vec<usize> = (rank - nshape.len()..rank).collect();
        let batch_dims: Vec<usize> = (0..rank - nshape.len()).collect();
        let count: u64 = dims.iter().map(|&d| x.shape[d]).product();
        let dt = self.dtype(&x);
        let mut kshape = x.shape.clone();
        for &d in &dims {
            kshape[d] = 1;
        }
        let mean = self.operand(op, "mean")?;
        let mean = self.reshape(&mean, &kshape, src);
        let rstd = self.operand(op, "rstd")?;
        let rstd = self.reshape(&rstd, &kshape, src);
        let w = self.opt_operand(op, "weight")?;
        let mask: Vec<bool> = match self.attr(op, "output_mask")? {
            ArgValue::BoolList(v) => v,
            _ => vec![true, true, true],
        };
        // xhat = (x - mean) * rstd; g = grad_out * w
        let mut pw = Pw::new(&x.shape);
        let xe = pw.input(&x, dt, dt);
        let me = pw.input(&mean, dt, dt);
        let re = pw.input(&rstd, dt, dt);
        let xhat = self.pointwise(
            pw,
            bin(ScalarOp::Mul, bin(ScalarOp::Sub, xe, me), re),
            dt,
            src,
        );
        let mut pw = Pw::new(&x.shape);
        let mut ge = pw.input(&go, dt, dt);
        if let Some(w) = &w {
            ge = bin(ScalarOp::Mul, ge, pw.input(w, dt, dt));
        }
        let g = self.pointwise(pw, ge, dt, src);
        let sum_g = self.reduce(&g, &dims, Reduce::Sum, src);
        let mut pw = Pw::new(&x.shape);
        let a = pw.input(&g, dt, dt);
        let b = pw.input(&xhat, dt, dt);
        let gx = self.pointwise(pw, bin(ScalarOp::Mul, a, b), dt, src);
        let sum_gx = self.reduce(&gx, &dims, Reduce::Sum, src);
        // dx = rstd / N * (N * g - sum(g) - xhat * sum(g * xhat))
        let mut pw = Pw::new(&x.shape);
        let ge = pw.input(&g, dt, dt);
        let sg = pw.input(&sum_g, dt, dt);
        let xh = pw.input(&xhat, dt, dt);
        let sgx = pw.input(&sum_gx, dt, dt);
        let re = pw.input(&rstd, dt, dt);
        let inner = bin(
            ScalarOp::Sub,
            bin(
                ScalarOp::Sub,
                bin(ScalarOp::Mul, c(count as f64, dt), ge),
                sg,
            ),
            bin(ScalarOp::Mul, xh, sgx),
        );
        let dx = self.pointwise(
            pw,
            bin(
                ScalarOp::Mul,
                bin(ScalarOp::Div, re, c(count as f64, dt)),
                inner,
            ),
            dt,
            src,
        );
        let mut outs = vec![dx];
        let wshape: Vec<u64> = dims.iter().map(|&d| x.shape[d]).collect();
        // dw = sum over batch dims of grad_out * xhat; db = sum over batch dims of grad_out
        if mask.get(1).copied().unwrap_or(true) && w.is_some() {
            let mut pw = Pw::new(&x.shape);
            let a = pw.input(&go, dt, dt);
            let b = pw.input(&xhat, dt, dt);
            let p = self.pointwise(pw, bin(ScalarOp::Mul, a, b), dt, src);
            let r = self.reduce(&p, &batch_dims, Reduce::Sum, src);
            outs.push(self.reshape(&r, &wshape, src));
        } else {
            outs.push(self.zeros(op, 1, src)?);
        }
        if mask.get(2).copied().unwrap_or(true) && self.opt_operand(op, "bias")?.is_some() {
            let r = self.reduce(&go, &batch_dims, Reduce::Sum, src);
            outs.push(self.reshape(&r, &wshape, src));
        } else {
            outs.push(self.zeros(op, 2, src)?);
        }
        Ok(outs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
