//! [`Emitter`]: builds the primitive aten ops of one decomposition right before the op
//! they replace, with result types from the aten dialect's own inference.

use joinery_aten::{DType, TensorInfo};
use joinery_ir::{Attribute, Builder, Context, Dim, FloatKind, InsertPoint, Location, OpId, Value};

/// Why a decomposition did not apply to one op.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Refusal {
    /// The op uses something the decomposition cannot express (a dynamic size it needs, an
    /// unsupported option): the op is left alone, or reported under `strict`.
    Unsupported(String),
    /// The ops built do not type-check or do not give the op's result types: a bug in a
    /// rule, always reported.
    Internal(String),
}

impl From<&str> for Refusal {
    fn from(reason: &str) -> Refusal {
        Refusal::Unsupported(reason.to_string())
    }
}

impl From<String> for Refusal {
    fn from(reason: String) -> Refusal {
        Refusal::Unsupported(reason)
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Unsupported(reason) => f.write_str(reason),
            Refusal::Internal(reason) => write!(f, "internal error: {reason}"),
        }
    }
}

/// Creates aten ops before `anchor` (each takes the anchor's span, as the [`Builder`] gives
/// every op built before another); every new op is recorded, so a failed rewrite can be
/// undone and a finished one cleaned of dead ops.
pub struct Emitter<'c> {
    pub ctx: &'c mut Context,
    anchor: OpId,
    /// `loc("<decomposed op>"(its loc))`: every op made carries the name of the op it
    /// came from, as MLIR's rewrites keep their root's location.
    loc: Location,
    /// The ops created so far, in creation order.
    pub created: Vec<OpId>,
}

impl<'c> Emitter<'c> {
    /// An emitter inserting before `anchor`.
    pub fn new(ctx: &'c mut Context, anchor: OpId) -> Emitter<'c> {
        let loc = Location::Name {
            name: ctx.name_str(anchor).to_string(),
            child: ctx.loc(anchor).cloned().map(Box::new),
        };
        Emitter {
            ctx,
            anchor,
            loc,
            created: Vec::new(),
        }
    }

    /// Gives the ops built from now on the location `loc` instead of the anchor's name
    /// (autodiff marks each backward op with the forward op it differentiates).
    pub fn set_loc(&mut self, loc: Location) {
        self.loc = loc;
    }

    /// Builds `name(operands) {attrs}` and returns its results. An inference error here
    /// means the decomposition itself is wrong for this input, and undoes the rewrite.
    pub fn op(
        &mut self,
        name: &str,
        operands: &[Value],
        attrs: Vec<(&str, Attribute)>,
    ) -> Result<Vec<Value>, Refusal> {
        let attrs = attrs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        let mut b = Builder::new(self.ctx, InsertPoint::Before(self.anchor));
        let op = joinery_aten::build(&mut b, name, operands, attrs)
            .map_err(|e| Refusal::Internal(format!("building '{name}': {e}")))?;
        self.ctx.set_loc(op, Some(self.loc.clone()));
        self.created.push(op);
        Ok(self.ctx.results(op).to_vec())
    }

    /// An `aot.none` value (what a `none` result is replaced with).
    pub fn none_value(&mut self) -> Value {
        let none = self.ctx.none_type();
        let mut b = Builder::new(self.ctx, InsertPoint::Before(self.anchor));
        let op = b.build("aot.none", &[], &[none], Vec::new());
        self.created.push(op);
        self.ctx.result(op, 0)
    }

    /// [`Emitter::op`] for single-result ops.
    pub fn op1(
        &mut self,
        name: &str,
        operands: &[Value],
        attrs: Vec<(&str, Attribute)>,
    ) -> Result<Value, Refusal> {
        Ok(self.op(name, operands, attrs)?[0])
    }

    // ----- attributes -------------------------------------------------------------------

    /// An `int` / integral `Scalar` attribute.
    pub fn int(&mut self, v: i64) -> Attribute {
        self.ctx.integer_attr(v, 64)
    }

    /// A `float` / floating `Scalar` attribute.
    pub fn float(&mut self, v: f64) -> Attribute {
        let f64_ty = self.ctx.float_type(FloatKind::F64);
        self.ctx.float_attr(v, f64_ty)
    }

    /// An `int[]` attribute.
    pub fn ints(&mut self, v: &[i64]) -> Attribute {
        let items = v.iter().map(|&i| self.int(i)).collect();
        self.ctx.array_attr(items)
    }

    /// A `bool` attribute.
    pub fn boolean(&mut self, v: bool) -> Attribute {
        self.ctx.bool_attr(v)
    }

    /// A `ScalarType` attribute.
    pub fn dtype_attr(&mut self, d: DType) -> Attribute {
        let ty = self.ctx.dtype_type(d);
        self.ctx.type_attr(ty)
    }

    // ----- what values are --------------------------------------------------------------

    /// The shape and dtype of a tensor value (every operand and result of an aten op is one).
    pub fn info(&self, v: Value) -> TensorInfo {
        TensorInfo::from_type(self.ctx, self.ctx.value_type(v)).expect("aten operands are tensors")
    }

    /// The dtype of a tensor value.
    pub fn dtype(&self, v: Value) -> DType {
        self.info(v).dtype
    }

    // ----- ops ----------------------------------------------------------------------------

    /// A one-operand op without attributes: `aten.exp`, `aten.neg`, ...
    pub fn unary(&mut self, name: &str, x: Value) -> Result<Value, Refusal> {
        self.op1(name, &[x], Vec::new())
    }

    /// A two-operand op without attributes: `aten.mul.Tensor`, `aten.eq.Tensor`, ...
    pub fn binary(&mut self, name: &str, a: Value, b: Value) -> Result<Value, Refusal> {
        self.op1(name, &[a, b], Vec::new())
    }

    /// `a * b`.
    pub fn mul(&mut self, a: Value, b: Value) -> Result<Value, Refusal> {
        self.binary("aten.mul.Tensor", a, b)
    }

    /// `a + b`.
    pub fn add(&mut self, a: Value, b: Value) -> Result<Value, Refusal> {
        self.binary("aten.add.Tensor", a, b)
    }

    /// `a - b`.
    pub fn sub(&mut self, a: Value, b: Value) -> Result<Value, Refusal> {
        self.binary("aten.sub.Tensor", a, b)
    }

    /// `a / b`.
    pub fn div(&mut self, a: Value, b: Value) -> Result<Value, Refusal> {
        self.binary("aten.div.Tensor", a, b)
    }

    /// `op.Scalar(x, other)` with a floating scalar: `aten.mul.Scalar`, `aten.add.Scalar`, ...
    pub fn with_float(&mut self, name: &str, x: Value, other: f64) -> Result<Value, Refusal> {
        let other = self.float(other);
        self.op1(name, &[x], vec![("other", other)])
    }

    /// `op.Scalar(x, other)` with an integral scalar (`aten.ne.Scalar`, `aten.div.Scalar`).
    pub fn with_int(&mut self, name: &str, x: Value, other: i64) -> Result<Value, Refusal> {
        let other = self.int(other);
        self.op1(name, &[x], vec![("other", other)])
    }

    /// `sum(x, dims, keepdim)` (`aten.sum.dim_IntList`); an empty `dims` reduces every dim.
    pub fn sum(&mut self, x: Value, dims: &[i64], keepdim: bool) -> Result<Value, Refusal> {
        let dim = self.ints(dims);
        let keepdim = self.boolean(keepdim);
        self.op1(
            "aten.sum.dim_IntList",
            &[x],
            vec![("dim", dim), ("keepdim", keepdim)],
        )
    }

    /// `sum(x)` over every element, accumulated and returned in `dtype`.
    pub fn sum_all(&mut self, x: Value, dtype: Option<DType>) -> Result<Value, Refusal> {
        let attrs = match dtype {
            Some(d) => vec![("dtype", self.dtype_attr(d))],
            None => Vec::new(),
        };
        self.op1("aten.sum", &[x], attrs)
    }

    /// `amax(x, dims, keepdim)`.
    pub fn amax(&mut self, x: Value, dims: &[i64], keepdim: bool) -> Result<Value, Refusal> {
        let dim = self.ints(dims);
        let keepdim = self.boolean(keepdim);
        self.op1("aten.amax", &[x], vec![("dim", dim), ("keepdim", keepdim)])
    }

    /// `unsqueeze(x, dim)`.
    pub fn unsqueeze(&mut self, x: Value, dim: i64) -> Result<Value, Refusal> {
        let dim = self.int(dim);
        self.op1("aten.unsqueeze", &[x], vec![("dim", dim)])
    }

    /// `view(x, size)` (one `-1` entry is inferred).
    pub fn view(&mut self, x: Value, size: &[i64]) -> Result<Value, Refusal> {
        let size = self.ints(size);
        self.op1("aten.view", &[x], vec![("size", size)])
    }

    /// `where(cond, a, b)`.
    pub fn select(&mut self, cond: Value, a: Value, b: Value) -> Result<Value, Refusal> {
        self.op1("aten.where.self", &[cond, a, b], Vec::new())
    }

    /// A rank-0 constant of `dtype` (`aten.scalar_tensor`), broadcast by its users.
    pub fn constant(&mut self, v: f64, dtype: DType) -> Result<Value, Refusal> {
        let s = self.float(v);
        let d = self.dtype_attr(dtype);
        self.op1("aten.scalar_tensor", &[], vec![("s", s), ("dtype", d)])
    }

    /// `arange(n)`: the `i64` indices `0..n`.
    pub fn arange(&mut self, n: u64) -> Result<Value, Refusal> {
        let end = self.int(n as i64);
        self.op1("aten.arange", &[], vec![("end", end)])
    }

    /// Zeros of a static tensor type.
    pub fn zeros(&mut self, info: &TensorInfo) -> Result<Value, Refusal> {
        let size = static_dims(info).ok_or("a zero result of dynamic shape")?;
        let size: Vec<i64> = size.iter().map(|&n| n as i64).collect();
        let size = self.ints(&size);
        let d = self.dtype_attr(info.dtype);
        self.op1("aten.zeros", &[], vec![("size", size), ("dtype", d)])
    }

    /// `x` converted to `dtype` (`aten._to_copy`), or `x` itself when it has that dtype.
    pub fn cast(&mut self, x: Value, dtype: DType) -> Result<Value, Refusal> {
        if self.dtype(x) == dtype {
            return Ok(x);
        }
        let d = self.dtype_attr(dtype);
        self.op1("aten._to_copy", &[x], vec![("dtype", d)])
    }
}

/// The dims of a ranked tensor when all are static.
pub fn static_dims(info: &TensorInfo) -> Option<Vec<u64>> {
    info.shape
        .as_ref()?
        .iter()
        .map(|d| match d {
            Dim::Static(n) => Some(*n),
            Dim::Dynamic => None,
        })
        .collect()
}
