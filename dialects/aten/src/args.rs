//! Reading an op's arguments against its schema: attributes (checked and defaulted) and
//! operands (split into one group per tensor argument).

use crate::dtype::DType;
use crate::schema::{ArgKind, Argument, DefaultValue, OpSchema};
use joinery_ir::{AttrData, Attribute, Context, Dim, OpId, Type, TypeData, Value};
use smallvec::SmallVec;

/// The attribute that splits operands among tensor arguments when counting cannot.
pub const SEGMENT_ATTR: &str = "operandSegmentSizes";

/// The value of a non-tensor argument, read from its attribute or its schema default.
#[derive(Clone, PartialEq, Debug)]
pub enum ArgValue {
    /// An optional argument that is absent (`None` in PyTorch).
    None,
    Int(i64),
    Float(f64),
    Bool(bool),
    IntList(Vec<i64>),
    FloatList(Vec<f64>),
    BoolList(Vec<bool>),
    /// `str`, `Layout`, `Device`, `MemoryFormat`.
    Str(String),
    /// `ScalarType`.
    DType(DType),
}

impl ArgValue {
    /// The integer, for `int` (and integral `Scalar`) arguments.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            ArgValue::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The number as `f64`, for `float` and `Scalar` arguments (bools are 0 or 1).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ArgValue::Int(v) => Some(*v as f64),
            ArgValue::Float(v) => Some(*v),
            ArgValue::Bool(b) => Some(f64::from(u8::from(*b))),
            _ => None,
        }
    }

    /// The boolean, for `bool` arguments.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            ArgValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The list, for `int[]` arguments.
    pub fn as_ints(&self) -> Option<&[i64]> {
        match self {
            ArgValue::IntList(v) => Some(v),
            _ => None,
        }
    }

    /// The list, for `bool[]` arguments.
    pub fn as_bools(&self) -> Option<&[bool]> {
        match self {
            ArgValue::BoolList(v) => Some(v),
            _ => None,
        }
    }

    /// The text, for `str`-like arguments.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            ArgValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The dtype, for `ScalarType` arguments.
    pub fn as_dtype(&self) -> Option<DType> {
        match self {
            ArgValue::DType(d) => Some(*d),
            _ => None,
        }
    }

    /// The promotion class of a `Scalar` value: `Bool`, `I64` or `F64`.
    pub fn scalar_dtype(&self) -> Option<DType> {
        match self {
            ArgValue::Bool(_) => Some(DType::Bool),
            ArgValue::Int(_) => Some(DType::I64),
            ArgValue::Float(_) => Some(DType::F64),
            _ => None,
        }
    }
}

/// `ScalarType` names PyTorch uses in defaults (`ScalarType dtype=long`).
fn dtype_by_torch_name(name: &str) -> Option<DType> {
    Some(match name {
        "bool" => DType::Bool,
        "int8" | "char" => DType::I8,
        "int16" | "short" => DType::I16,
        "int32" | "int" => DType::I32,
        "int64" | "long" => DType::I64,
        "float16" | "half" => DType::F16,
        "bfloat16" => DType::BF16,
        "float32" | "float" => DType::F32,
        "float64" | "double" => DType::F64,
        "complex64" | "cfloat" => DType::C64,
        "complex128" | "cdouble" => DType::C128,
        // A schema default written as the `c10::ScalarType` number (`randperm`'s `dtype=4`).
        "1" => DType::I8,
        "2" => DType::I16,
        "3" => DType::I32,
        "4" => DType::I64,
        "5" => DType::F16,
        "6" => DType::F32,
        "7" => DType::F64,
        "11" => DType::Bool,
        "15" => DType::BF16,
        _ => return None,
    })
}

/// The value of a schema default.
pub fn default_value(arg: &Argument, default: &DefaultValue) -> ArgValue {
    match default {
        DefaultValue::None => ArgValue::None,
        DefaultValue::Int(v) => ArgValue::Int(*v),
        DefaultValue::Float(v) => ArgValue::Float(*v),
        DefaultValue::Bool(v) => ArgValue::Bool(*v),
        DefaultValue::IntList(v) => ArgValue::IntList(v.clone()),
        DefaultValue::FloatList(v) => ArgValue::FloatList(v.clone()),
        DefaultValue::BoolList(v) => ArgValue::BoolList(v.clone()),
        DefaultValue::Str(s) if arg.kind == ArgKind::ScalarType => {
            dtype_by_torch_name(s).map_or(ArgValue::Str(s.clone()), ArgValue::DType)
        }
        DefaultValue::Str(s) => ArgValue::Str(s.clone()),
    }
}

/// Converts the attribute given for `arg` to its value, checking its kind. `int[N]`
/// accepts a single integer and repeats it, as PyTorch does; list lengths of `int[N]` are
/// left to the op (`int[1] dim` takes any number of dims), those of `bool[N]` are checked.
pub fn attr_value(ctx: &Context, arg: &Argument, attr: Attribute) -> Result<ArgValue, String> {
    let wrong = || {
        format!(
            "attribute '{}' must be {} for schema type {}, got {}",
            arg.name,
            expected_attr(arg.kind),
            arg.kind.spelling(),
            describe_attr(ctx, attr)
        )
    };
    let int = |a: Attribute| match ctx.attr_data(a) {
        AttrData::Integer { value, .. } => Some(*value),
        _ => None,
    };
    let data = ctx.attr_data(attr);
    let value = match arg.kind {
        ArgKind::Int => ArgValue::Int(int(attr).ok_or_else(wrong)?),
        ArgKind::IntList(fixed) => match (data, fixed) {
            (AttrData::Integer { value, .. }, Some(n)) => ArgValue::IntList(vec![*value; n]),
            (AttrData::Array(items), _) => ArgValue::IntList(
                items
                    .iter()
                    .map(|&a| int(a))
                    .collect::<Option<_>>()
                    .ok_or_else(wrong)?,
            ),
            _ => return Err(wrong()),
        },
        ArgKind::Float => match data {
            AttrData::Float { value, .. } => ArgValue::Float(value.0),
            _ => return Err(wrong()),
        },
        ArgKind::FloatList => match data {
            AttrData::Array(items) => ArgValue::FloatList(
                items
                    .iter()
                    .map(|&a| ctx.as_f64(a))
                    .collect::<Option<_>>()
                    .ok_or_else(wrong)?,
            ),
            _ => return Err(wrong()),
        },
        ArgKind::Bool => ArgValue::Bool(ctx.as_bool(attr).ok_or_else(wrong)?),
        ArgKind::BoolList(fixed) => match (data, fixed) {
            (AttrData::Bool(b), Some(n)) => ArgValue::BoolList(vec![*b; n]),
            (AttrData::Array(items), _) => ArgValue::BoolList(
                items
                    .iter()
                    .map(|&a| ctx.as_bool(a))
                    .collect::<Option<_>>()
                    .ok_or_else(wrong)?,
            ),
            _ => return Err(wrong()),
        },
        ArgKind::Scalar => match data {
            AttrData::Integer { value, .. } => ArgValue::Int(*value),
            AttrData::Float { value, .. } => ArgValue::Float(value.0),
            AttrData::Bool(b) => ArgValue::Bool(*b),
            _ => return Err(wrong()),
        },
        ArgKind::ScalarType => {
            let ty = ctx.as_type(attr).ok_or_else(wrong)?;
            ArgValue::DType(ctx.dtype_of(ty).ok_or_else(wrong)?)
        }
        ArgKind::Str | ArgKind::Layout | ArgKind::Device | ArgKind::MemoryFormat => {
            ArgValue::Str(ctx.as_str(attr).ok_or_else(wrong)?.to_string())
        }
        ArgKind::Generator => return Err(wrong()),
        ArgKind::Tensor | ArgKind::TensorList | ArgKind::OptionalTensorList => {
            return Err(format!(
                "'{}' is a tensor argument and must be an operand, not an attribute",
                arg.name
            ));
        }
    };
    if let (ArgValue::BoolList(v), ArgKind::BoolList(Some(n))) = (&value, arg.kind)
        && v.len() != n
    {
        return Err(format!(
            "attribute '{}' must have {n} elements, got {}",
            arg.name,
            v.len()
        ));
    }
    Ok(value)
}

fn expected_attr(kind: ArgKind) -> &'static str {
    match kind {
        ArgKind::Int => "an integer",
        ArgKind::IntList(Some(_)) => "an array of integers (or one integer)",
        ArgKind::IntList(None) => "an array of integers",
        ArgKind::Float => "a float",
        ArgKind::FloatList => "an array of floats",
        ArgKind::Bool => "a boolean",
        ArgKind::BoolList(_) => "an array of booleans",
        ArgKind::Scalar => "an integer, float or boolean",
        ArgKind::ScalarType => {
            "a dtype (i1, i8, i16, i32, i64, f16, bf16, f32, f64, complex<f32>, complex<f64>)"
        }
        ArgKind::Str | ArgKind::Layout | ArgKind::Device | ArgKind::MemoryFormat => "a string",
        ArgKind::Generator => "absent (generators are not supported)",
        ArgKind::Tensor | ArgKind::TensorList | ArgKind::OptionalTensorList => "an operand",
    }
}

/// A short description of an attribute's kind, for messages.
fn describe_attr(ctx: &Context, attr: Attribute) -> &'static str {
    match ctx.attr_data(attr) {
        AttrData::Unit => "a unit attribute",
        AttrData::Bool(_) => "a boolean",
        AttrData::Integer { .. } => "an integer",
        AttrData::Float { .. } => "a float",
        AttrData::String(_) => "a string",
        AttrData::Array(_) => "an array",
        AttrData::Dictionary(_) => "a dictionary",
        AttrData::Type(_) => "a type",
        AttrData::SymbolRef { .. } => "a symbol reference",
        AttrData::DenseElements { .. } => "a dense elements attribute",
        AttrData::DenseArray { .. } => "a dense array",
        AttrData::AffineMap(_) => "an affine map",
        AttrData::Location(_) => "a location",
        AttrData::Dialect { .. } => "a dialect attribute",
    }
}

/// Resolves every non-tensor argument from `get` (the op's attributes), with defaults;
/// also rejects attributes the schema does not know (names with a `.` belong to other
/// dialects and are left alone). The result is parallel to `schema.args`; tensor
/// arguments get `None`.
pub fn resolve_attrs<'a>(
    ctx: &Context,
    schema: &OpSchema,
    attrs: impl Iterator<Item = (&'a str, Attribute)>,
) -> Result<ArgValues, String> {
    let attrs: SmallVec<[(&str, Attribute); 4]> = attrs.collect();
    for (name, _) in &attrs {
        if *name == SEGMENT_ATTR || name.contains('.') {
            continue;
        }
        match schema.arg(name) {
            Some(arg) if !arg.kind.is_tensor() => {}
            Some(_) => {
                return Err(format!(
                    "'{name}' is a tensor argument and must be an operand, not an attribute"
                ));
            }
            None => {
                let known: Vec<&str> = schema.attr_args().map(|a| a.name.as_str()).collect();
                return Err(format!(
                    "unknown attribute '{name}' (the schema's attributes are: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ));
            }
        }
    }
    let mut values = ArgValues::with_capacity(schema.args.len());
    for arg in &schema.args {
        if arg.kind.is_tensor() {
            values.push(None);
            continue;
        }
        let given = attrs.iter().find(|(n, _)| *n == arg.name).map(|(_, a)| *a);
        let value = match (given, &arg.default) {
            (Some(attr), _) => attr_value(ctx, arg, attr)?,
            (None, Some(d)) => default_value(arg, d),
            (None, None) if arg.optional => ArgValue::None,
            (None, None) => {
                return Err(format!(
                    "requires attribute '{}' ({})",
                    arg.name,
                    arg.kind.spelling()
                ));
            }
        };
        values.push(Some(value));
    }
    Ok(values)
}

/// Splits `count` operands among the tensor arguments of `schema`: one length per tensor
/// argument, in schema order. See the crate docs for the convention.
pub fn operand_segments(
    ctx: &Context,
    schema: &OpSchema,
    count: usize,
    segment_attr: Option<Attribute>,
) -> Result<SmallVec<[usize; 6]>, String> {
    let tensors: SmallVec<[&Argument; 6]> = schema.tensor_args().collect();
    if let Some(attr) = segment_attr {
        let sizes: Vec<i64> = ctx
            .as_array(attr)
            .and_then(|items| items.iter().map(|&a| ctx.as_i64(a)).collect())
            .ok_or_else(|| format!("'{SEGMENT_ATTR}' must be an array of integers"))?;
        if sizes.len() != tensors.len() {
            return Err(format!(
                "'{SEGMENT_ATTR}' has {} entries but the schema has {} tensor argument(s)",
                sizes.len(),
                tensors.len()
            ));
        }
        for (arg, &n) in tensors.iter().zip(&sizes) {
            let ok = match arg.kind {
                ArgKind::Tensor if arg.optional => n == 0 || n == 1,
                ArgKind::Tensor => n == 1,
                _ => n >= 0,
            };
            if !ok {
                return Err(format!(
                    "'{SEGMENT_ATTR}' gives {n} operand(s) to '{}' ({}{})",
                    arg.name,
                    arg.kind.spelling(),
                    if arg.optional { "?" } else { "" }
                ));
            }
        }
        let total: i64 = sizes.iter().sum();
        if total != count as i64 {
            return Err(format!(
                "'{SEGMENT_ATTR}' adds up to {total} operand(s) but the op has {count}"
            ));
        }
        return Ok(sizes.into_iter().map(|n| n as usize).collect());
    }
    let fixed = tensors
        .iter()
        .filter(|a| a.kind == ArgKind::Tensor && !a.optional)
        .count();
    let variable: SmallVec<[usize; 6]> = (0..tensors.len())
        .filter(|&i| tensors[i].optional || tensors[i].kind != ArgKind::Tensor)
        .collect();
    let shape = || {
        tensors
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    if a.optional && a.kind == ArgKind::Tensor {
                        "Tensor?".to_string()
                    } else {
                        a.kind.spelling()
                    },
                    a.name
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sizes: SmallVec<[usize; 6]> = tensors.iter().map(|_| 1).collect();
    match variable.as_slice() {
        [] if count == fixed => Ok(sizes),
        [i] if count >= fixed => {
            let rest = count - fixed;
            let arg = tensors[*i];
            if arg.kind == ArgKind::Tensor && rest > 1 {
                return Err(format!(
                    "expects {}..={} operand(s) ({}), got {count}",
                    fixed,
                    fixed + 1,
                    shape()
                ));
            }
            sizes[*i] = rest;
            Ok(sizes)
        }
        // Several optional tensors and no lists: all present or all absent needs no attribute.
        v if v.iter().all(|&i| tensors[i].kind == ArgKind::Tensor)
            && (count == fixed + v.len() || count == fixed) =>
        {
            if count == fixed {
                for &i in v {
                    sizes[i] = 0;
                }
            }
            Ok(sizes)
        }
        [] => Err(format!(
            "expects {fixed} operand(s) ({}), got {count}",
            shape()
        )),
        _ => Err(format!(
            "has {count} operand(s) for tensor arguments ({}); when only some optional \
             tensors are present, '{SEGMENT_ATTR}' must say which",
            shape()
        )),
    }
}

/// The shape and dtype of a tensor value: what inference reads and produces.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct TensorInfo {
    /// The dims, or `None` for an unranked tensor.
    pub shape: Option<Vec<Dim>>,
    pub dtype: DType,
}

impl TensorInfo {
    /// A ranked tensor.
    pub fn new(shape: Vec<Dim>, dtype: DType) -> TensorInfo {
        TensorInfo {
            shape: Some(shape),
            dtype,
        }
    }

    /// A ranked tensor with static dims.
    pub fn of(shape: &[u64], dtype: DType) -> TensorInfo {
        TensorInfo::new(shape.iter().map(|&n| Dim::Static(n)).collect(), dtype)
    }

    /// Reads a tensor type (or the referent of an `!aten.ref<...>`); `None` if `ty` is no
    /// tensor of a supported dtype.
    pub fn from_type(ctx: &Context, ty: Type) -> Option<TensorInfo> {
        let (shape, dtype) = tensor_view(ctx, ty)?;
        Some(TensorInfo {
            shape: shape.map(<[Dim]>::to_vec),
            dtype,
        })
    }

    /// The IR type of this tensor.
    pub fn to_type(&self, ctx: &mut Context) -> Type {
        let element = ctx.dtype_type(self.dtype);
        match &self.shape {
            Some(shape) => ctx.tensor_type(shape.clone(), element),
            None => ctx.type_of(TypeData::UnrankedTensor { element }),
        }
    }

    /// The rank, if known.
    pub fn rank(&self) -> Option<usize> {
        self.shape.as_ref().map(Vec::len)
    }

    /// Whether `other` describes a tensor this one may be declared as: same dtype, and
    /// shapes that agree wherever both are known (`?` and unranked match anything).
    pub fn is_compatible(&self, other: &TensorInfo) -> bool {
        self.is_compatible_with(other.shape.as_deref(), other.dtype)
    }

    /// [`TensorInfo::is_compatible`] with a tensor given by its parts, as [`tensor_view`]
    /// reads them from a type.
    pub fn is_compatible_with(&self, shape: Option<&[Dim]>, dtype: DType) -> bool {
        self.dtype == dtype
            && match (&self.shape, shape) {
                (Some(a), Some(b)) => {
                    a.len() == b.len()
                        && a.iter().zip(b).all(|(x, y)| match (x, y) {
                            (Dim::Static(x), Dim::Static(y)) => x == y,
                            _ => true,
                        })
                }
                _ => true,
            }
    }
}

/// The shape (`None` for an unranked tensor) and dtype of a tensor type or of the
/// referent of an `!aten.ref<...>`, borrowed from the context; `None` if `ty` is no tensor
/// of a supported dtype.
pub fn tensor_view(ctx: &Context, ty: Type) -> Option<(Option<&[Dim]>, DType)> {
    let ty = crate::refs::value_type(ctx, ty);
    match ctx.type_data(ty) {
        TypeData::RankedTensor { shape, element } => Some((Some(shape), ctx.dtype_of(*element)?)),
        TypeData::UnrankedTensor { element } => Some((None, ctx.dtype_of(*element)?)),
        _ => None,
    }
}

impl std::fmt::Display for TensorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.shape {
            Some(shape) => {
                write!(f, "tensor<")?;
                for d in shape {
                    match d {
                        Dim::Static(n) => write!(f, "{n}x")?,
                        Dim::Dynamic => write!(f, "?x")?,
                    }
                }
                write!(f, "{}>", self.dtype)
            }
            None => write!(f, "tensor<*x{}>", self.dtype),
        }
    }
}

/// The arguments of one op, read against its schema: what inference rules consume.
///
/// Verification reads every op's arguments, so their storage is flat and inline: an op
/// with few arguments allocates nothing here but its operands' shapes.
#[derive(Clone, Debug)]
pub struct Args {
    /// The op's schema.
    pub schema: &'static OpSchema,
    /// The tensor operands, in order (a `None` entry of a `Tensor?[]` list has none).
    tensors: SmallVec<[TensorInfo; 3]>,
    /// Per operand of a tensor argument: whether it is a tensor (`false` for a `None`
    /// entry of a `Tensor?[]` list, an operand of type `none`).
    present: SmallVec<[bool; 4]>,
    /// Per schema argument: where its operands sit in `tensors` and `present` (empty for
    /// a non-tensor argument and an absent optional tensor).
    groups: SmallVec<[OperandGroup; 6]>,
    /// Per schema argument: the value of a non-tensor argument.
    values: ArgValues,
}

/// The operands of one schema argument within [`Args`]: `tensors[tensors.0..tensors.1]`,
/// `present[operands.0..operands.1]`.
#[derive(Clone, Copy, Debug, Default)]
struct OperandGroup {
    tensors: (u32, u32),
    operands: (u32, u32),
}

/// The values of an op's non-tensor arguments, parallel to its schema's arguments
/// (`None` for tensor arguments).
pub type ArgValues = SmallVec<[Option<ArgValue>; 6]>;

impl Args {
    /// Reads operand types and attributes against `schema`.
    pub fn new<'a>(
        ctx: &Context,
        schema: &'static OpSchema,
        operand_types: &[Type],
        attrs: impl Iterator<Item = (&'a str, Attribute)>,
    ) -> Result<Args, String> {
        let attrs: SmallVec<[(&str, Attribute); 4]> = attrs.collect();
        let values = resolve_attrs(ctx, schema, attrs.iter().copied())?;
        let segment_attr = attrs
            .iter()
            .find(|(n, _)| *n == SEGMENT_ATTR)
            .map(|(_, a)| *a);
        let sizes = operand_segments(ctx, schema, operand_types.len(), segment_attr)?;
        let mut next = 0;
        let mut sizes = sizes.into_iter();
        let mut tensors = SmallVec::with_capacity(operand_types.len());
        let mut present = SmallVec::with_capacity(operand_types.len());
        let mut groups = SmallVec::with_capacity(schema.args.len());
        for arg in &schema.args {
            if !arg.kind.is_tensor() {
                groups.push(OperandGroup::default());
                continue;
            }
            let n = sizes.next().unwrap_or(0);
            let first_tensor = tensors.len();
            for (i, &ty) in operand_types[next..next + n].iter().enumerate() {
                let is_none = *ctx.type_data(ty) == TypeData::None;
                present.push(!is_none);
                if is_none && arg.kind == ArgKind::OptionalTensorList {
                    continue;
                }
                let info = TensorInfo::from_type(ctx, ty).ok_or_else(|| {
                    format!(
                        "operand #{} ('{}') must be a tensor of bool, integer or float \
                         elements{}",
                        next + i,
                        arg.name,
                        if is_none {
                            " (a 'none' value stands only for a None entry of a Tensor?[] list)"
                        } else {
                            ""
                        }
                    )
                })?;
                tensors.push(info);
            }
            // Operand counts are `u32` in the IR.
            groups.push(OperandGroup {
                tensors: (first_tensor as u32, tensors.len() as u32),
                operands: (next as u32, (next + n) as u32),
            });
            next += n;
        }
        Ok(Args {
            schema,
            tensors,
            present,
            groups,
            values,
        })
    }

    /// Reads the operands and attributes of `op`.
    pub fn of_op(ctx: &Context, schema: &'static OpSchema, op: OpId) -> Result<Args, String> {
        let types: SmallVec<[Type; 4]> = ctx
            .operands(op)
            .iter()
            .map(|&v| ctx.value_type(v))
            .collect();
        Args::new(ctx, schema, &types, ctx.attrs(op))
    }

    fn index(&self, name: &str) -> usize {
        self.schema
            .args
            .iter()
            .position(|a| a.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "catalogue bug: {} has no argument '{name}'",
                    self.schema.op_name()
                )
            })
    }

    /// Whether the schema has an argument called `name`.
    pub fn has(&self, name: &str) -> bool {
        self.schema.arg(name).is_some()
    }

    /// The tensors of schema argument `name`.
    fn group(&self, name: &str) -> &[TensorInfo] {
        let (start, end) = self.groups[self.index(name)].tensors;
        &self.tensors[start as usize..end as usize]
    }

    /// The tensor argument `name` (required ones are always present).
    pub fn tensor(&self, name: &str) -> &TensorInfo {
        &self.group(name)[0]
    }

    /// The optional tensor argument `name`.
    pub fn opt_tensor(&self, name: &str) -> Option<&TensorInfo> {
        self.group(name).first()
    }

    /// The tensor-list argument `name` (for a `Tensor?[]` list, its present entries).
    pub fn tensor_list(&self, name: &str) -> &[TensorInfo] {
        self.group(name)
    }

    /// The `Tensor?[]` argument `name`, entry by entry (`None` entries are `None`).
    pub fn opt_tensor_list(&self, name: &str) -> Vec<Option<&TensorInfo>> {
        let (start, end) = self.groups[self.index(name)].operands;
        let mut tensors = self.group(name).iter();
        self.present[start as usize..end as usize]
            .iter()
            .map(|&p| if p { tensors.next() } else { None })
            .collect()
    }

    /// Every tensor operand in order.
    pub fn all_tensors(&self) -> impl Iterator<Item = &TensorInfo> {
        self.tensors.iter()
    }

    /// The value of the non-tensor argument `name`; [`ArgValue::None`] when absent or
    /// when the schema has no such argument (rules shared by overloads read optional
    /// arguments some overloads lack).
    pub fn value(&self, name: &str) -> &ArgValue {
        self.schema
            .args
            .iter()
            .position(|a| a.name == name)
            .and_then(|i| self.values[i].as_ref())
            .unwrap_or(&ArgValue::None)
    }

    /// An `int` argument that must be present.
    pub fn int(&self, name: &str) -> Result<i64, String> {
        self.value(name)
            .as_int()
            .ok_or_else(|| format!("'{name}' must not be None"))
    }

    /// An optional `int` argument.
    pub fn opt_int(&self, name: &str) -> Option<i64> {
        self.value(name).as_int()
    }

    /// An `int[]` argument that must be present.
    pub fn ints(&self, name: &str) -> Result<&[i64], String> {
        self.value(name)
            .as_ints()
            .ok_or_else(|| format!("'{name}' must not be None"))
    }

    /// An optional `int[]` argument.
    pub fn opt_ints(&self, name: &str) -> Option<&[i64]> {
        self.value(name).as_ints()
    }

    /// A `bool` argument (absent optional bools read as `None`).
    pub fn opt_bool(&self, name: &str) -> Option<bool> {
        self.value(name).as_bool()
    }

    /// A `float` or `Scalar` argument as `f64`.
    pub fn opt_f64(&self, name: &str) -> Option<f64> {
        self.value(name).as_f64()
    }

    /// A `ScalarType` argument.
    pub fn opt_dtype(&self, name: &str) -> Option<DType> {
        self.value(name).as_dtype()
    }

    /// A `str` argument.
    pub fn opt_str(&self, name: &str) -> Option<&str> {
        self.value(name).as_str()
    }
}

/// The value of non-tensor argument `arg_name` of `op`: its attribute, else the schema
/// default, else [`ArgValue::None`] for an absent optional argument. Errors name the
/// problem (unknown op or argument, wrong attribute kind, required attribute missing).
pub fn attr_or_default(ctx: &Context, op: OpId, arg_name: &str) -> Result<ArgValue, String> {
    let op_name = ctx.name_str(op);
    let schema = crate::schema(op_name).ok_or_else(|| format!("'{op_name}' is not an aten op"))?;
    let arg = schema
        .arg(arg_name)
        .ok_or_else(|| format!("{op_name} has no argument '{arg_name}'"))?;
    if arg.kind.is_tensor() {
        return Err(format!(
            "{op_name}: '{arg_name}' is a tensor argument (an operand)"
        ));
    }
    match (ctx.attr(op, arg_name), &arg.default) {
        (Some(attr), _) => attr_value(ctx, arg, attr).map_err(|e| format!("{op_name}: {e}")),
        (None, Some(d)) => Ok(default_value(arg, d)),
        (None, None) if arg.optional => Ok(ArgValue::None),
        (None, None) => Err(format!(
            "{op_name}: requires attribute '{arg_name}' ({})",
            arg.kind.spelling()
        )),
    }
}

/// The operands of `op` grouped by tensor argument, in schema order: one `(argument,
/// values)` pair per tensor argument (no values for an absent optional tensor).
pub fn operand_groups(
    ctx: &Context,
    op: OpId,
) -> Result<Vec<(&'static Argument, Vec<Value>)>, String> {
    let op_name = ctx.name_str(op);
    let schema = crate::schema(op_name).ok_or_else(|| format!("'{op_name}' is not an aten op"))?;
    let operands = ctx.operands(op);
    let sizes = operand_segments(ctx, schema, operands.len(), ctx.attr(op, SEGMENT_ATTR))
        .map_err(|e| format!("{op_name}: {e}"))?;
    let mut next = 0;
    Ok(schema
        .tensor_args()
        .zip(sizes)
        .map(|(arg, n)| {
            let group = operands[next..next + n].to_vec();
            next += n;
            (arg, group)
        })
        .collect())
}

/// The operands of tensor argument `arg_name` of `op` (empty for an absent optional one).
pub fn operand_group(ctx: &Context, op: OpId, arg_name: &str) -> Result<Vec<Value>, String> {
    operand_groups(ctx, op)?
        .into_iter()
        .find(|(a, _)| a.name == arg_name)
        .map(|(_, v)| v)
        .ok_or_else(|| format!("{} has no tensor argument '{arg_name}'", ctx.name_str(op)))
}
