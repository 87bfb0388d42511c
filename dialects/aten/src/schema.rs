//! PyTorch operator schemas, as written in ATen's `native_functions.yaml`:
//! `add.Tensor(Tensor self, Tensor other, *, Scalar alpha=1) -> Tensor`.
//!
//! This module depends on nothing but `std`: the build script includes it too, to name the
//! ops and their inherent attributes at compile time, while the crate parses the catalogue
//! once at run time to serve [`crate::schema`].

/// What an argument of a schema holds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ArgKind {
    /// `Tensor`: one operand (none when the argument is optional and absent).
    Tensor,
    /// `Tensor[]`: any number of operands.
    TensorList,
    /// `Tensor?[]`: any number of operands; absent elements are not representable yet.
    OptionalTensorList,
    /// `int` / `SymInt`: an `i64` integer attribute.
    Int,
    /// `int[]` / `int[N]` / `SymInt[]`: an array of `i64`; `N` is the fixed length, if any.
    IntList(Option<usize>),
    /// `float`: an `f64` float attribute.
    Float,
    /// `float[]`: an array of `f64`.
    FloatList,
    /// `bool`: a boolean attribute.
    Bool,
    /// `bool[N]`: an array of booleans.
    BoolList(Option<usize>),
    /// `Scalar`: an `i64`, `f64` or boolean attribute.
    Scalar,
    /// `ScalarType`: a type attribute (`f32`, `i64`, `i1`, ...).
    ScalarType,
    /// `str`: a string attribute.
    Str,
    /// `Layout`: a string attribute (`"strided"`).
    Layout,
    /// `Device`: a string attribute (`"cpu"`).
    Device,
    /// `MemoryFormat`: a string attribute (`"contiguous_format"`, `"preserve_format"`, ...).
    MemoryFormat,
    /// `Generator`: not representable; the argument must be absent.
    Generator,
}

impl ArgKind {
    /// Whether arguments of this kind are operands (as opposed to attributes).
    pub fn is_tensor(self) -> bool {
        matches!(
            self,
            ArgKind::Tensor | ArgKind::TensorList | ArgKind::OptionalTensorList
        )
    }

    /// The schema spelling of the kind, for messages.
    pub fn spelling(self) -> String {
        match self {
            ArgKind::Tensor => "Tensor".into(),
            ArgKind::TensorList => "Tensor[]".into(),
            ArgKind::OptionalTensorList => "Tensor?[]".into(),
            ArgKind::Int => "int".into(),
            ArgKind::IntList(None) => "int[]".into(),
            ArgKind::IntList(Some(n)) => format!("int[{n}]"),
            ArgKind::Float => "float".into(),
            ArgKind::FloatList => "float[]".into(),
            ArgKind::Bool => "bool".into(),
            ArgKind::BoolList(None) => "bool[]".into(),
            ArgKind::BoolList(Some(n)) => format!("bool[{n}]"),
            ArgKind::Scalar => "Scalar".into(),
            ArgKind::ScalarType => "ScalarType".into(),
            ArgKind::Str => "str".into(),
            ArgKind::Layout => "Layout".into(),
            ArgKind::Device => "Device".into(),
            ArgKind::MemoryFormat => "MemoryFormat".into(),
            ArgKind::Generator => "Generator".into(),
        }
    }
}

/// A default value written in a schema (`=1`, `=[]`, `=None`, `='none'`, `=Mean`).
#[derive(Clone, PartialEq, Debug)]
pub enum DefaultValue {
    /// `None`: the optional argument is absent.
    None,
    Int(i64),
    Float(f64),
    Bool(bool),
    IntList(Vec<i64>),
    FloatList(Vec<f64>),
    BoolList(Vec<bool>),
    /// A quoted string or a bare identifier (`contiguous_format`, `long`).
    Str(String),
}

/// An alias annotation: `Tensor(a)` (a view of alias set `a`) or `Tensor(a!)` (written).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Alias {
    /// The alias set, `a`.
    pub set: String,
    /// Whether the op writes through it (`!`).
    pub is_write: bool,
}

/// One argument of a schema.
#[derive(Clone, PartialEq, Debug)]
pub struct Argument {
    /// PyTorch's argument name; also the attribute name for non-tensor arguments.
    pub name: String,
    pub kind: ArgKind,
    /// Written with `?`: may be `None` (absent).
    pub optional: bool,
    /// The default, if the schema gives one.
    pub default: Option<DefaultValue>,
    /// Declared after `*`.
    pub kwarg_only: bool,
    pub alias: Option<Alias>,
}

impl Argument {
    /// Whether the argument must be given: not optional and without default.
    pub fn is_required(&self) -> bool {
        !self.optional && self.default.is_none()
    }
}

/// One result of a schema.
#[derive(Clone, PartialEq, Debug)]
pub struct Return {
    /// The result's name, when the schema gives one (`values`, `running_mean_out`).
    pub name: Option<String>,
    /// `Tensor` (one result) or `Tensor[]` (a variable number of results).
    pub is_list: bool,
    /// `Scalar` or `SymInt`: a number, whose IR type is a builtin scalar type (`i64`,
    /// `f32`, `i1`) rather than a tensor.
    pub is_number: bool,
    pub alias: Option<Alias>,
}

/// A parsed schema.
#[derive(Clone, PartialEq, Debug)]
pub struct OpSchema {
    /// The base name, `add`.
    pub name: String,
    /// The overload name, `Tensor`; empty for the default overload.
    pub overload: String,
    pub args: Vec<Argument>,
    pub returns: Vec<Return>,
}

impl OpSchema {
    /// The IR op name: `aten.<name>.<overload>`, or `aten.<name>` for the default overload.
    pub fn op_name(&self) -> String {
        if self.overload.is_empty() {
            format!("aten.{}", self.name)
        } else {
            format!("aten.{}.{}", self.name, self.overload)
        }
    }

    /// The argument called `name`.
    pub fn arg(&self, name: &str) -> Option<&Argument> {
        self.args.iter().find(|a| a.name == name)
    }

    /// The number of spatial dims of a pooling op: the `N` of `poolNd` in its name
    /// (`avg_pool3d_backward` → 3), `None` for other ops.
    pub fn pool_dims(&self) -> Option<usize> {
        let rest = &self.name[self.name.find("pool")? + 4..];
        rest.split('d')
            .next()?
            .parse()
            .ok()
            .filter(|n| (1..=3).contains(n))
    }

    /// The arguments that become operands, in schema order.
    pub fn tensor_args(&self) -> impl Iterator<Item = &Argument> {
        self.args.iter().filter(|a| a.kind.is_tensor())
    }

    /// The arguments that become attributes, in schema order.
    pub fn attr_args(&self) -> impl Iterator<Item = &Argument> {
        self.args.iter().filter(|a| !a.kind.is_tensor())
    }

    /// Whether the op writes to one of its arguments (`Tensor(a!)`).
    pub fn is_mutating(&self) -> bool {
        self.args
            .iter()
            .any(|a| a.alias.as_ref().is_some_and(|x| x.is_write))
    }

    /// Whether some result aliases an input (`-> Tensor(a)`): a view or an in-place op.
    pub fn returns_alias(&self) -> bool {
        self.returns.iter().any(|r| r.alias.is_some())
    }

    /// Whether the operands cannot always be split among the tensor arguments by count
    /// alone, so that the op carries an `operandSegmentSizes` attribute when an optional
    /// tensor is absent: true when more than one tensor argument is optional or a list.
    pub fn has_variadic_groups(&self) -> bool {
        self.tensor_args()
            .filter(|a| a.optional || a.kind != ArgKind::Tensor)
            .count()
            > 1
    }
}

/// Parses one schema string.
pub fn parse_schema(text: &str) -> Result<OpSchema, String> {
    let text = text.trim();
    let open = text
        .find('(')
        .ok_or_else(|| format!("schema `{text}` has no argument list"))?;
    let (full_name, rest) = text.split_at(open);
    let (name, overload) = full_name.split_once('.').unwrap_or((full_name, ""));
    if name.is_empty() || !is_ident(name) || !(overload.is_empty() || is_ident(overload)) {
        return Err(format!("schema `{text}` has a bad op name `{full_name}`"));
    }
    let close = matching_paren(rest)
        .ok_or_else(|| format!("schema `{text}` has an unbalanced argument list"))?;
    let args_text = &rest[1..close];
    let ret_text = rest[close + 1..]
        .trim()
        .strip_prefix("->")
        .ok_or_else(|| format!("schema `{text}` has no `->`"))?
        .trim();
    let mut args = Vec::new();
    let mut kwarg_only = false;
    for piece in split_top_level(args_text) {
        if piece == "*" {
            kwarg_only = true;
            continue;
        }
        let arg = parse_argument(piece, kwarg_only).map_err(|e| format!("schema `{text}`: {e}"))?;
        if args.iter().any(|a: &Argument| a.name == arg.name) {
            return Err(format!(
                "schema `{text}`: duplicate argument `{}`",
                arg.name
            ));
        }
        args.push(arg);
    }
    let returns = parse_returns(ret_text).map_err(|e| format!("schema `{text}`: {e}"))?;
    Ok(OpSchema {
        name: name.to_string(),
        overload: overload.to_string(),
        args,
        returns,
    })
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The index of the `)` closing the `(` at the start of `s`.
fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Splits on commas outside brackets, parentheses and quotes; trims the pieces.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut quote, mut start) = (0i32, None, 0);
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '(' | '[') => depth += 1,
            (None, ')' | ']') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = s[start..].trim();
    if !last.is_empty() {
        out.push(last);
    }
    out
}

/// A parsed type: base kind, alias annotation, optionality.
struct ParsedType {
    kind: ArgKind,
    optional: bool,
    alias: Option<Alias>,
}

fn parse_type(ty: &str) -> Result<ParsedType, String> {
    let base_end = ty
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(ty.len());
    let (base, mut rest) = ty.split_at(base_end);
    let mut alias = None;
    if let Some(r) = rest.strip_prefix('(') {
        let end = r
            .find(')')
            .ok_or_else(|| format!("unclosed alias annotation in `{ty}`"))?;
        let annot = r[..end].trim();
        let set = annot.split("->").next().unwrap_or("").trim();
        let (set, is_write) = match set.strip_suffix('!') {
            Some(s) => (s, true),
            None => (set, false),
        };
        alias = Some(Alias {
            set: set.to_string(),
            is_write,
        });
        rest = &r[end + 1..];
    }
    // Suffixes in order: `?` before `[]` makes optional elements; `?` after makes the list optional.
    let mut list: Option<Option<usize>> = None;
    let (mut elem_optional, mut optional) = (false, false);
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('?') {
            if list.is_some() {
                optional = true;
            } else {
                elem_optional = true;
            }
            rest = r;
        } else if let Some(r) = rest.strip_prefix('[') {
            let end = r
                .find(']')
                .ok_or_else(|| format!("unclosed `[` in `{ty}`"))?;
            let len = r[..end].trim();
            list = Some(if len.is_empty() {
                None
            } else {
                Some(
                    len.parse()
                        .map_err(|_| format!("bad list length `{len}` in `{ty}`"))?,
                )
            });
            rest = &r[end + 1..];
        } else {
            return Err(format!("unexpected `{rest}` in type `{ty}`"));
        }
    }
    let kind = match (base, list) {
        ("Tensor", None) => ArgKind::Tensor,
        ("Tensor", Some(_)) if elem_optional => ArgKind::OptionalTensorList,
        ("Tensor", Some(_)) => ArgKind::TensorList,
        ("int" | "SymInt", None) => ArgKind::Int,
        ("int" | "SymInt", Some(n)) => ArgKind::IntList(n),
        ("float", None) => ArgKind::Float,
        ("float", Some(_)) => ArgKind::FloatList,
        ("bool", None) => ArgKind::Bool,
        ("bool", Some(n)) => ArgKind::BoolList(n),
        ("Scalar", None) => ArgKind::Scalar,
        ("ScalarType", None) => ArgKind::ScalarType,
        ("str", None) => ArgKind::Str,
        ("Layout", None) => ArgKind::Layout,
        ("Device", None) => ArgKind::Device,
        ("MemoryFormat", None) => ArgKind::MemoryFormat,
        ("Generator", None) => ArgKind::Generator,
        _ => return Err(format!("unsupported type `{ty}`")),
    };
    let optional = optional || (elem_optional && list.is_none());
    Ok(ParsedType {
        kind,
        optional,
        alias,
    })
}

fn parse_argument(piece: &str, kwarg_only: bool) -> Result<Argument, String> {
    let (decl, default) = match top_level_eq(piece) {
        Some(i) => (piece[..i].trim(), Some(piece[i + 1..].trim())),
        None => (piece, None),
    };
    let split = decl
        .rfind(char::is_whitespace)
        .ok_or_else(|| format!("argument `{piece}` has no name"))?;
    let (ty, name) = (decl[..split].trim(), decl[split + 1..].trim());
    if !is_ident(name) {
        return Err(format!("bad argument name `{name}`"));
    }
    let parsed = parse_type(ty)?;
    let default = default
        .map(|d| parse_default(d, parsed.kind))
        .transpose()
        .map_err(|e| format!("argument `{name}`: {e}"))?;
    Ok(Argument {
        name: name.to_string(),
        kind: parsed.kind,
        optional: parsed.optional,
        default,
        kwarg_only,
        alias: parsed.alias,
    })
}

/// The `=` of `name=default`, outside parentheses (alias annotations hold none, but be safe).
fn top_level_eq(s: &str) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            '=' if depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

fn parse_default(text: &str, kind: ArgKind) -> Result<DefaultValue, String> {
    let bad = || format!("bad default `{text}` for {}", kind.spelling());
    if text == "None" {
        return Ok(DefaultValue::None);
    }
    let int = |s: &str| -> Result<i64, String> {
        match s.trim() {
            // at::Reduction: None = 0, Mean = 1, Sum = 2.
            "Mean" => Ok(1),
            "Sum" => Ok(2),
            s => s.parse().map_err(|_| bad()),
        }
    };
    let boolean = |s: &str| match s.trim() {
        "True" => Ok(true),
        "False" => Ok(false),
        _ => Err(bad()),
    };
    let items = |s: &str| -> Result<Vec<String>, String> {
        let inner = s
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .ok_or_else(bad)?;
        Ok(split_top_level(inner)
            .into_iter()
            .map(str::to_string)
            .collect())
    };
    match kind {
        ArgKind::Int => Ok(DefaultValue::Int(int(text)?)),
        ArgKind::IntList(n) => {
            if text.starts_with('[') {
                let v = items(text)?
                    .iter()
                    .map(|s| int(s))
                    .collect::<Result<_, _>>()?;
                Ok(DefaultValue::IntList(v))
            } else {
                // `int[2] padding=0` repeats the value to the fixed length.
                Ok(DefaultValue::IntList(vec![int(text)?; n.unwrap_or(1)]))
            }
        }
        ArgKind::Float => text.parse().map(DefaultValue::Float).map_err(|_| bad()),
        ArgKind::FloatList => {
            let v = items(text)?
                .iter()
                .map(|s| s.parse().map_err(|_| bad()))
                .collect::<Result<_, _>>()?;
            Ok(DefaultValue::FloatList(v))
        }
        ArgKind::Bool => Ok(DefaultValue::Bool(boolean(text)?)),
        ArgKind::BoolList(n) => {
            if text.starts_with('[') {
                let v = items(text)?
                    .iter()
                    .map(|s| boolean(s))
                    .collect::<Result<_, _>>()?;
                Ok(DefaultValue::BoolList(v))
            } else {
                Ok(DefaultValue::BoolList(vec![boolean(text)?; n.unwrap_or(1)]))
            }
        }
        ArgKind::Scalar => {
            if let Ok(b) = boolean(text) {
                Ok(DefaultValue::Bool(b))
            } else if let Ok(i) = text.parse() {
                Ok(DefaultValue::Int(i))
            } else {
                text.parse().map(DefaultValue::Float).map_err(|_| bad())
            }
        }
        ArgKind::Str
        | ArgKind::ScalarType
        | ArgKind::Layout
        | ArgKind::Device
        | ArgKind::MemoryFormat => {
            let unquoted = text
                .strip_prefix('\'')
                .and_then(|s| s.strip_suffix('\''))
                .or_else(|| text.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                .unwrap_or(text);
            Ok(DefaultValue::Str(unquoted.to_string()))
        }
        ArgKind::Tensor
        | ArgKind::TensorList
        | ArgKind::OptionalTensorList
        | ArgKind::Generator => Err(bad()),
    }
}

fn parse_returns(text: &str) -> Result<Vec<Return>, String> {
    let inner = match text.strip_prefix('(') {
        Some(r) => r
            .strip_suffix(')')
            .ok_or_else(|| format!("unbalanced returns `{text}`"))?,
        None => text,
    };
    split_top_level(inner)
        .into_iter()
        .map(|piece| {
            let (ty, name) = match piece.rfind(char::is_whitespace) {
                Some(i) if !piece[..i].trim().ends_with("->") && !piece.ends_with(')') => {
                    (piece[..i].trim(), Some(piece[i + 1..].trim().to_string()))
                }
                _ => (piece, None),
            };
            let parsed = parse_type(ty)?;
            let (is_list, is_number) = match parsed.kind {
                ArgKind::Tensor => (false, false),
                ArgKind::TensorList => (true, false),
                ArgKind::Int | ArgKind::Scalar if !parsed.optional => (false, true),
                _ => return Err(format!("unsupported return type `{ty}`")),
            };
            Ok(Return {
                name,
                is_list,
                is_number,
                alias: parsed.alias,
            })
        })
        .collect()
}
