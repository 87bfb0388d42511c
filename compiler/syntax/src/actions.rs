//! Semantic actions of the grammar that can fail: builtin type names, numbers with their
//! types, dense literals, dialect attributes and types, locations. Each returns a
//! [`SyntaxError`] with the span of the offending text.

use crate::ast::{AttrDict, LocSyn, Pos, Symbols};
use crate::lexer::{SyntaxError, Tok};
use crate::literal;
use joinery_ir::{
    AffineExpr, AffineMap, AffineOp, AttrData, AttrParam, Attribute, Context, DenseData,
    DenseScalar, Dim, FloatBits, FloatKind, Location, Type, TypeData,
};
use lalrpop_util::ParseError;

/// The parser's error type.
pub(crate) type PError<'a> = ParseError<usize, Tok<'a>, SyntaxError>;

/// Lifts an action's error into the parser's error type.
pub(crate) fn user<'a, T>(r: Result<T, SyntaxError>) -> Result<T, PError<'a>> {
    r.map_err(|error| ParseError::User { error })
}

fn err<T>(pos: Pos, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError::new(
        pos.start as usize,
        pos.end as usize,
        message,
    ))
}

/// A numeric literal as written.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Num<'a> {
    Int(&'a str),
    Hex(&'a str),
    Float(&'a str),
}

/// A signed numeric literal with its span.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Number<'a> {
    pub(crate) neg: bool,
    pub(crate) num: Num<'a>,
    pub(crate) pos: Pos,
}

/// Decodes a string literal body, borrowing it when it has no escapes.
pub(crate) fn string_cow(raw: &str, pos: Pos) -> Result<std::borrow::Cow<'_, str>, SyntaxError> {
    literal::unescape(raw).or_else(|m| err(pos, m))
}

/// Decodes a string literal body.
pub(crate) fn string(raw: &str, pos: Pos) -> Result<String, SyntaxError> {
    match literal::unescape(raw) {
        Ok(s) => Ok(s.into_owned()),
        Err(m) => err(pos, m),
    }
}

/// A builtin type written as a bare word: `i32`, `index`, `f32`, `none`, ...
pub(crate) fn builtin_type(ctx: &mut Context, id: &str, pos: Pos) -> Result<Type, SyntaxError> {
    let data = match id {
        "index" => TypeData::Index,
        "none" => TypeData::None,
        "f16" => TypeData::Float(FloatKind::F16),
        "bf16" => TypeData::Float(FloatKind::BF16),
        "f32" => TypeData::Float(FloatKind::F32),
        "f64" => TypeData::Float(FloatKind::F64),
        _ => match id.strip_prefix('i').map(str::parse::<u32>) {
            Some(Ok(width)) if (1..=1 << 16).contains(&width) && !id[1..].starts_with('0') => {
                TypeData::Integer { width }
            }
            _ => return err(pos, format!("unknown type '{id}'")),
        },
    };
    Ok(ctx.type_of(data))
}

/// A builtin type with a type parameter: `complex<f32>` (the parts are a float type).
pub(crate) fn parametric_type(
    ctx: &mut Context,
    id: &str,
    pos: Pos,
    element: Type,
) -> Result<Type, SyntaxError> {
    match (id, ctx.type_data(element)) {
        ("complex", TypeData::Float(_)) => Ok(ctx.complex_type(element)),
        ("complex", _) => err(pos, "the parts of a complex type must be a float type"),
        _ => err(pos, format!("unknown type '{id}<...>'")),
    }
}

/// `tensor<2x?xT>` from the dimension prefix `2x?x` (if any) and the element type; a
/// prefix and element seen before give the type made then, without decoding or interning.
pub(crate) fn ranked_tensor<'a>(
    ctx: &mut Context,
    sym: &mut Symbols<'a>,
    dims: Option<(&'a str, Pos)>,
    element: Type,
) -> Result<Type, SyntaxError> {
    let key = (dims.map_or("", |(d, _)| d), element);
    if let Some(&ty) = sym.tensors.get(&key) {
        return Ok(ty);
    }
    let ty = decode_ranked_tensor(ctx, dims, element)?;
    sym.tensors.insert(key, ty);
    Ok(ty)
}

/// A compact `tensor<2x?xT>` token with a bare element type: decoded as the keyword
/// form would be (element first, then dimensions, with the same spans), once per spelling.
pub(crate) fn ranked_tensor_token<'a>(
    ctx: &mut Context,
    sym: &mut Symbols<'a>,
    text: &'a str,
    pos: Pos,
) -> Result<Type, SyntaxError> {
    if let Some(&ty) = sym.tensor_tokens.get(text) {
        return Ok(ty);
    }
    let inner_start = "tensor<".len();
    let inner = &text[inner_start..text.len() - 1];
    let mut dims_len = 0;
    let bytes = inner.as_bytes();
    while bytes
        .get(dims_len)
        .is_some_and(|b| b.is_ascii_digit() || *b == b'?')
    {
        let x = dims_len
            + inner[dims_len..]
                .find('x')
                .expect("the lexer saw `x` after a dimension");
        dims_len = x + 1;
    }
    let at = |from: usize, to: usize| {
        Pos::new(
            pos.start as usize + inner_start + from,
            pos.start as usize + inner_start + to,
        )
    };
    let element = builtin_type(ctx, &inner[dims_len..], at(dims_len, inner.len()))?;
    let dims = (dims_len > 0).then(|| (&inner[..dims_len], at(0, dims_len)));
    let ty = ranked_tensor(ctx, sym, dims, element)?;
    sym.tensor_tokens.insert(text, ty);
    Ok(ty)
}

fn decode_ranked_tensor(
    ctx: &mut Context,
    dims: Option<(&str, Pos)>,
    element: Type,
) -> Result<Type, SyntaxError> {
    let mut shape = Vec::new();
    if let Some((dims, pos)) = dims {
        for d in dims.split('x').filter(|d| !d.is_empty()) {
            shape.push(match d {
                "?" => Dim::Dynamic,
                _ => match d.parse::<u64>() {
                    Ok(n) if n < 1 << 62 => Dim::Static(n),
                    _ => return err(pos, format!("dimension '{d}' is too large")),
                },
            });
        }
    }
    Ok(ctx.tensor_type(shape, element))
}

/// Splits `dialect.name`; `None` for an alias name (no dot).
fn dialect_name(full: &str, sigil: char, pos: Pos) -> Result<Option<(&str, &str)>, SyntaxError> {
    match full.split_once('.') {
        None => Ok(None),
        Some((d, n)) if !d.is_empty() && !n.is_empty() => Ok(Some((d, n))),
        _ => err(
            pos,
            format!("expected '{sigil}dialect.name', found '{sigil}{full}'"),
        ),
    }
}

/// An alias use takes no parameters.
fn no_params<T>(sigil: char, full: &str, params: &Option<(T, Pos)>) -> Result<(), SyntaxError> {
    match params {
        Some((_, ppos)) => err(
            *ppos,
            format!("'{sigil}{full}' is an alias (no '.'), which takes no parameters"),
        ),
        None => Ok(()),
    }
}

/// `!dialect.name<params>`, checked against the dialect when it is registered, or a type
/// alias `!name`.
pub(crate) fn dialect_type(
    ctx: &mut Context,
    sym: &Symbols<'_>,
    full: &str,
    pos: Pos,
    params: Option<(Vec<AttrParam>, Pos)>,
) -> Result<Type, SyntaxError> {
    let Some((dialect, name)) = dialect_name(full, '!', pos)? else {
        no_params('!', full, &params)?;
        return sym.ty(full, pos);
    };
    let params = params.map(|p| p.0).unwrap_or_default();
    match ctx.dialect(dialect) {
        Some(d) if d.type_def(name).is_none() => {
            return err(
                pos,
                format!("dialect '{dialect}' has no type named '{name}'"),
            );
        }
        None if !ctx.allow_unregistered => {
            return err(pos, format!("type of unregistered dialect '{dialect}'"));
        }
        _ => {}
    }
    Ok(ctx.type_of(TypeData::Dialect {
        dialect: dialect.to_string(),
        name: name.to_string(),
        params,
    }))
}

/// `#dialect.name<params>`, checked against the dialect when it is registered, or an
/// attribute alias `#name` (a location alias defined earlier stands for its location).
pub(crate) fn dialect_attr(
    ctx: &mut Context,
    sym: &Symbols<'_>,
    full: &str,
    pos: Pos,
    params: Option<(Vec<AttrParam>, Pos)>,
) -> Result<Attribute, SyntaxError> {
    let Some((dialect, name)) = dialect_name(full, '#', pos)? else {
        no_params('#', full, &params)?;
        if sym.locs.contains_key(full) {
            let loc = sym.loc(&LocSyn::Alias(full, pos))?;
            return Ok(ctx.attr_of(AttrData::Location(loc)));
        }
        return sym.attr(full, pos);
    };
    let params = params.map(|p| p.0).unwrap_or_default();
    match ctx.dialect(dialect) {
        Some(d) if d.attr_def(name).is_none() => {
            return err(
                pos,
                format!("dialect '{dialect}' has no attribute named '{name}'"),
            );
        }
        None if !ctx.allow_unregistered => {
            return err(
                pos,
                format!("attribute of unregistered dialect '{dialect}'"),
            );
        }
        _ => {}
    }
    Ok(ctx.attr_of(AttrData::Dialect {
        dialect: dialect.to_string(),
        name: name.to_string(),
        params,
    }))
}

/// A dictionary attribute; duplicate keys are an error.
pub(crate) fn dictionary(ctx: &mut Context, dict: AttrDict) -> Result<Attribute, SyntaxError> {
    let mut entries: Vec<(String, Attribute, Pos)> = dict;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(w) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
        return err(w[1].2, format!("duplicate key '{}' in dictionary", w[1].0));
    }
    Ok(ctx.attr_of(AttrData::Dictionary(
        entries.into_iter().map(|(k, v, _)| (k, v)).collect(),
    )))
}

/// A bare word where an attribute is expected: `true`, `false`, `unit`, or a builtin type.
pub(crate) fn bare_attr(ctx: &mut Context, id: &str, pos: Pos) -> Result<Attribute, SyntaxError> {
    Ok(match id {
        "true" => ctx.bool_attr(true),
        "false" => ctx.bool_attr(false),
        "unit" => ctx.unit_attr(),
        _ => {
            let ty = builtin_type(ctx, id, pos)
                .or_else(|_| err(pos, format!("unknown attribute or type '{id}'")))?;
            ctx.type_attr(ty)
        }
    })
}

/// A bare word as a dialect parameter: a builtin type, `true`/`false`/`unit`, or a keyword.
pub(crate) fn bare_param(ctx: &mut Context, id: &str, pos: Pos) -> AttrParam {
    match bare_attr(ctx, id, pos) {
        Ok(a) => match ctx.as_type(a) {
            Some(t) => AttrParam::Type(t),
            None => AttrParam::Attr(a),
        },
        Err(_) => AttrParam::Keyword(id.to_string()),
    }
}

fn float_kind(ctx: &Context, ty: Type) -> Option<FloatKind> {
    match ctx.type_data(ty) {
        TypeData::Float(k) => Some(*k),
        _ => None,
    }
}

fn int_value(n: Number<'_>) -> Result<i64, SyntaxError> {
    let (text, hex) = match n.num {
        Num::Int(t) => (t, false),
        Num::Hex(t) => (t, true),
        Num::Float(_) => return err(n.pos, "expected an integer, found a float"),
    };
    literal::parse_uint(text)
        .and_then(|m| literal::signed(n.neg, m, hex))
        .map_or_else(|| err(n.pos, "integer literal does not fit in 64 bits"), Ok)
}

/// An integer literal that must fit in `width` bits, read as signed or unsigned (as MLIR
/// accepts both `255 : i8` and `-1 : i8`).
fn fit_width(n: Number<'_>, width: u32) -> Result<i64, SyntaxError> {
    let value = int_value(n)?;
    if width < 64 {
        let fits = if value < 0 {
            value >= -(1i64 << (width - 1))
        } else {
            (value as u64) < (1u64 << width)
        };
        if !fits {
            return err(
                n.pos,
                format!("integer constant out of range for type i{width}"),
            );
        }
    }
    Ok(value)
}

fn float_value(n: Number<'_>, kind: FloatKind) -> Result<f64, SyntaxError> {
    let v = match n.num {
        Num::Float(t) => t
            .parse::<f64>()
            .map_err(|_| SyntaxError::new(n.pos.start as usize, n.pos.end as usize, "bad float"))?,
        Num::Int(t) => match t.parse::<f64>() {
            Ok(v) => v,
            Err(_) => return err(n.pos, "bad integer"),
        },
        Num::Hex(t) => {
            if n.neg {
                return err(n.pos, "hexadecimal float literal cannot be negative");
            }
            let bits = literal::parse_uint(t);
            return bits.and_then(|b| kind.from_bits(b)).map_or_else(
                || {
                    err(
                        n.pos,
                        format!(
                            "hexadecimal literal does not fit in type {}",
                            kind.keyword()
                        ),
                    )
                },
                Ok,
            );
        }
    };
    Ok(literal::round_to(kind, if n.neg { -v } else { v }))
}

/// A numeric attribute, `42`, `-1 : i32`, `1.5 : f32`, `0x7FC00000 : f32`. Untyped integers
/// are `i64`, untyped floats `f64`.
pub(crate) fn number_attr(
    ctx: &mut Context,
    n: Number<'_>,
    ty: Option<Type>,
) -> Result<Attribute, SyntaxError> {
    let ty = match ty {
        Some(t) => t,
        None => match n.num {
            Num::Float(_) => ctx.float_type(FloatKind::F64),
            _ => ctx.integer_type(64),
        },
    };
    if let Some(kind) = float_kind(ctx, ty) {
        let value = float_value(n, kind)?;
        return Ok(ctx.float_attr(value, ty));
    }
    match *ctx.type_data(ty) {
        TypeData::Integer { width } => {
            let value = fit_width(n, width)?;
            Ok(ctx.attr_of(AttrData::Integer { value, ty }))
        }
        TypeData::Index => {
            let value = int_value(n)?;
            Ok(ctx.attr_of(AttrData::Integer { value, ty }))
        }
        _ => err(
            n.pos,
            "numeric literal needs an integer, index or float type",
        ),
    }
}

/// A numeric dialect parameter: bare integers stay [`AttrParam::Int`], the rest are attributes.
pub(crate) fn number_param(
    ctx: &mut Context,
    n: Number<'_>,
    ty: Option<Type>,
) -> Result<AttrParam, SyntaxError> {
    match (n.num, ty) {
        (Num::Int(_) | Num::Hex(_), None) => Ok(AttrParam::Int(int_value(n)?)),
        _ => Ok(AttrParam::Attr(number_attr(ctx, n, ty)?)),
    }
}

/// One element of a dense literal before its type is known.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DenseLit<'a> {
    Num(Number<'a>),
    Bool(bool, Pos),
}

/// A (possibly nested) dense list, flattened, with the shape its nesting implies.
#[derive(Debug)]
pub(crate) struct DenseList<'a> {
    pub(crate) items: Vec<DenseLit<'a>>,
    pub(crate) shape: Vec<u64>,
    pub(crate) nested: bool,
}

/// A scalar inside `dense<...>`.
pub(crate) fn dense_scalar(lit: DenseLit<'_>) -> DenseList<'_> {
    DenseList {
        items: vec![lit],
        shape: Vec::new(),
        nested: false,
    }
}

/// A bare word inside `dense<...>`: only `true` and `false`.
pub(crate) fn dense_bool<'a>(id: &str, pos: Pos) -> Result<DenseList<'a>, SyntaxError> {
    match id {
        "true" => Ok(dense_scalar(DenseLit::Bool(true, pos))),
        "false" => Ok(dense_scalar(DenseLit::Bool(false, pos))),
        _ => err(
            pos,
            format!("expected a number, 'true' or 'false' in dense literal, found '{id}'"),
        ),
    }
}

/// `[a, b, ...]` inside `dense<...>`: every element must have the same shape.
pub(crate) fn dense_list<'a>(
    children: Vec<DenseList<'a>>,
    pos: Pos,
) -> Result<DenseList<'a>, SyntaxError> {
    let mut shape = vec![children.len() as u64];
    if let Some(first) = children.first() {
        if children.iter().any(|c| c.shape != first.shape) {
            return err(pos, "dense literal has sublists of different shapes");
        }
        shape.extend_from_slice(&first.shape);
    }
    let mut items = Vec::new();
    for c in children {
        items.extend(c.items);
    }
    Ok(DenseList {
        items,
        shape,
        nested: true,
    })
}

/// The payload of `dense<...>`.
#[derive(Debug)]
pub(crate) enum DenseBody<'a> {
    Empty,
    List(DenseList<'a>),
    Hex(&'a str, Pos),
}

/// `dense<body> : T`, checked against the tensor type.
pub(crate) fn dense_attr(
    ctx: &mut Context,
    body: DenseBody<'_>,
    ty: Type,
    pos: Pos,
) -> Result<Attribute, SyntaxError> {
    let Some((shape, element)) = ctx.tensor_parts(ty) else {
        return err(pos, "dense literal needs a ranked tensor type");
    };
    let Some(dims) = shape
        .iter()
        .map(|d| d.extent())
        .collect::<Option<Vec<u64>>>()
    else {
        return err(pos, "dense literal needs a statically shaped tensor type");
    };
    let count: u64 = dims.iter().product();
    let data = match body {
        DenseBody::Empty if count == 0 => DenseData::Elements(Vec::new()),
        DenseBody::Empty => return err(pos, "empty dense literal for a non-empty tensor"),
        DenseBody::Hex(raw, hpos) => {
            let bytes = literal::hex_bytes(raw).map_or_else(
                || err(hpos, "expected a hex string \"0x...\" in dense literal"),
                Ok,
            )?;
            let element = ctx.type_data(element);
            let Some(width) = joinery_ir::dense_element_bytes(element) else {
                return err(pos, "dense hex literal needs a scalar element type");
            };
            if joinery_ir::dense_hex_layout(element, &bytes, count as usize).is_none() {
                let expected = if *element == (TypeData::Integer { width: 1 }) {
                    format!(
                        "{} (i1 elements packed 8 to a byte) or one byte 0x00/0xFF",
                        count.div_ceil(8)
                    )
                } else {
                    format!(
                        "{} ({width} per element) or {width} for a splat",
                        width * count as usize
                    )
                };
                return err(
                    hpos,
                    format!(
                        "dense hex literal has {} bytes; expected {expected} for {count} element(s)",
                        bytes.len()
                    ),
                );
            }
            DenseData::Hex(bytes)
        }
        DenseBody::List(list) => {
            if !list.nested {
                DenseData::Splat(dense_element(ctx, element, list.items[0])?)
            } else {
                if list.shape != dims {
                    return err(
                        pos,
                        format!(
                            "dense literal has shape [{}] but the type has shape [{}]",
                            join(&list.shape),
                            join(&dims)
                        ),
                    );
                }
                let items = list
                    .items
                    .into_iter()
                    .map(|lit| dense_element(ctx, element, lit))
                    .collect::<Result<Vec<_>, _>>()?;
                DenseData::Elements(items)
            }
        }
    };
    Ok(ctx.attr_of(AttrData::DenseElements { ty, data }))
}

fn join(v: &[u64]) -> String {
    v.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
}

fn dense_element(
    ctx: &Context,
    element: Type,
    lit: DenseLit<'_>,
) -> Result<DenseScalar, SyntaxError> {
    match (ctx.type_data(element), lit) {
        (TypeData::Integer { width: 1 }, DenseLit::Bool(b, _)) => Ok(DenseScalar::Bool(b)),
        (TypeData::Integer { width: 1 }, DenseLit::Num(n)) => match int_value(n)? {
            0 => Ok(DenseScalar::Bool(false)),
            1 | -1 => Ok(DenseScalar::Bool(true)),
            _ => err(n.pos, "i1 dense element must be 0, 1, true or false"),
        },
        (TypeData::Integer { width }, DenseLit::Num(n)) => {
            Ok(DenseScalar::Int(fit_width(n, *width)?))
        }
        (TypeData::Index, DenseLit::Num(n)) => Ok(DenseScalar::Int(int_value(n)?)),
        (TypeData::Float(k), DenseLit::Num(n)) => {
            Ok(DenseScalar::Float(FloatBits(float_value(n, *k)?)))
        }
        (_, DenseLit::Bool(_, pos)) => err(pos, "boolean dense element needs element type i1"),
        (_, DenseLit::Num(n)) => err(
            n.pos,
            "dense literal needs an integer, index or float element type",
        ),
    }
}

/// `loc(unknown)`.
pub(crate) fn loc_word(id: &str, pos: Pos) -> Result<Location, SyntaxError> {
    match id {
        "unknown" => Ok(Location::Unknown),
        _ => err(pos, format!("expected a location, found '{id}'")),
    }
}

/// `loc("file":line:col)`.
pub(crate) fn loc_file(
    file: String,
    line: &str,
    col: &str,
    pos: Pos,
) -> Result<Location, SyntaxError> {
    match (line.parse(), col.parse()) {
        (Ok(line), Ok(col)) => Ok(Location::FileLineCol { file, line, col }),
        _ => err(pos, "line or column number too large"),
    }
}

/// `loc(callsite(callee at caller))`.
pub(crate) fn loc_callsite<'a>(
    kw: &str,
    callee: LocSyn<'a>,
    at: &str,
    caller: LocSyn<'a>,
    pos: Pos,
) -> Result<LocSyn<'a>, SyntaxError> {
    if kw != "callsite" || at != "at" {
        return err(pos, "expected 'callsite(callee at caller)'");
    }
    Ok(LocSyn::CallSite(Box::new(callee), Box::new(caller)))
}

/// `loc(fused[a, b])`, or `loc(fused<"meta">[a, b])` with string metadata.
pub(crate) fn loc_fused<'a>(
    kw: &str,
    metadata: Option<String>,
    locs: Vec<LocSyn<'a>>,
    pos: Pos,
) -> Result<LocSyn<'a>, SyntaxError> {
    if kw != "fused" {
        return err(pos, "expected 'fused[...]'");
    }
    Ok(LocSyn::Fused(metadata, locs))
}

/// `@root::@nested`.
pub(crate) fn symbol_ref(ctx: &mut Context, mut names: Vec<String>) -> Attribute {
    let root = names.remove(0);
    ctx.attr_of(AttrData::SymbolRef {
        root,
        nested: names,
    })
}

/// A result def `%r:N`.
pub(crate) fn result_count(text: &str, pos: Pos) -> Result<u32, SyntaxError> {
    match text.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => err(pos, "result group size must be a positive integer"),
    }
}

/// `#N` after a value name.
pub(crate) fn result_index(text: &str, pos: Pos) -> Result<u32, SyntaxError> {
    text.parse::<u32>()
        .map_or_else(|_| err(pos, "result number too large"), Ok)
}

/// `dense_resource<key> : T`: the blob `key` of the file's `dialect_resources` section,
/// read as the raw little-endian elements of `T` (one byte per `i1`). It becomes a
/// `dense<"0x...">` literal: joinery has no resource store.
pub(crate) fn dense_resource(
    ctx: &mut Context,
    sym: &Symbols<'_>,
    key: (&str, Pos),
    ty: Type,
    pos: Pos,
) -> Result<Attribute, SyntaxError> {
    let Some((shape, element)) = ctx.tensor_parts(ty) else {
        return err(pos, "dense_resource needs a ranked tensor type");
    };
    let Some(count) = shape.iter().try_fold(1usize, |n, d| {
        n.checked_mul(usize::try_from(d.extent()?).ok()?)
    }) else {
        return err(pos, "dense_resource needs a statically shaped tensor type");
    };
    let Some((bytes, _)) = sym.resources.get(key.0) else {
        return err(
            key.1,
            format!(
                "unknown resource '{}' (no blob of that name in the file's '{{-# dialect_resources: {{ builtin: {{...}} }} #-}}' section)",
                key.0
            ),
        );
    };
    let element_data = ctx.type_data(element).clone();
    let Some(width) = joinery_ir::dense_element_bytes(&element_data) else {
        return err(pos, "dense_resource needs a scalar element type");
    };
    if bytes.len() != width * count {
        return err(
            key.1,
            format!(
                "resource '{}' has {} bytes; {count} element(s) of {width} byte(s) need {}",
                key.0,
                bytes.len(),
                width * count
            ),
        );
    }
    let data = if element_data == (TypeData::Integer { width: 1 }) {
        DenseData::Elements(bytes.iter().map(|&b| DenseScalar::Bool(b != 0)).collect())
    } else {
        DenseData::Hex(bytes.clone())
    };
    Ok(ctx.attr_of(AttrData::DenseElements { ty, data }))
}

/// `array<T: a, b>`: `T` is `i1`, `i8`, `i16`, `i32`, `i64`, `f32` or `f64`, as MLIR's
/// `DenseArrayAttr` allows.
pub(crate) fn dense_array(
    ctx: &mut Context,
    element: Type,
    items: Vec<DenseLit<'_>>,
    pos: Pos,
) -> Result<Attribute, SyntaxError> {
    let ok = matches!(
        ctx.type_data(element),
        TypeData::Integer {
            width: 1 | 8 | 16 | 32 | 64
        } | TypeData::Float(FloatKind::F32 | FloatKind::F64)
    );
    if !ok {
        return err(
            pos,
            "array<...> elements must be i1, i8, i16, i32, i64, f32 or f64",
        );
    }
    let values = items
        .into_iter()
        .map(|lit| dense_element(ctx, element, lit))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ctx.attr_of(AttrData::DenseArray { element, values }))
}

/// An affine expression as written, names not yet bound to dimensions or symbols.
#[derive(Debug)]
pub(crate) enum AffineSyn<'a> {
    Name(&'a str, Pos),
    Const(i64),
    Neg(Box<AffineSyn<'a>>),
    Binary(AffineOp, Box<AffineSyn<'a>>, Box<AffineSyn<'a>>),
}

impl<'a> AffineSyn<'a> {
    /// `lhs op rhs`.
    pub(crate) fn binary(op: AffineOp, lhs: AffineSyn<'a>, rhs: AffineSyn<'a>) -> AffineSyn<'a> {
        AffineSyn::Binary(op, Box::new(lhs), Box::new(rhs))
    }

    /// `-e`; a negated constant is the negative constant, as MLIR reads `-2`.
    pub(crate) fn neg(e: AffineSyn<'a>) -> AffineSyn<'a> {
        match e {
            AffineSyn::Const(n) => AffineSyn::Const(n.wrapping_neg()),
            e => AffineSyn::Neg(Box::new(e)),
        }
    }

    fn bind(self, dims: &[(&str, Pos)], syms: &[(&str, Pos)]) -> Result<AffineExpr, SyntaxError> {
        Ok(match self {
            AffineSyn::Name(name, pos) => {
                if let Some(i) = dims.iter().position(|d| d.0 == name) {
                    AffineExpr::Dim(i as u32)
                } else if let Some(i) = syms.iter().position(|s| s.0 == name) {
                    AffineExpr::Symbol(i as u32)
                } else {
                    return err(
                        pos,
                        format!("'{name}' is neither a dimension nor a symbol of the affine map"),
                    );
                }
            }
            AffineSyn::Const(n) => AffineExpr::Const(n),
            AffineSyn::Neg(e) => AffineExpr::Neg(Box::new(e.bind(dims, syms)?)),
            AffineSyn::Binary(op, a, b) => AffineExpr::Binary {
                op,
                lhs: Box::new(a.bind(dims, syms)?),
                rhs: Box::new(b.bind(dims, syms)?),
            },
        })
    }
}

/// `floordiv`, `ceildiv` or `mod` between two affine terms.
pub(crate) fn affine_op(word: &str, pos: Pos) -> Result<AffineOp, SyntaxError> {
    match word {
        "floordiv" => Ok(AffineOp::FloorDiv),
        "ceildiv" => Ok(AffineOp::CeilDiv),
        "mod" => Ok(AffineOp::Mod),
        _ => err(
            pos,
            format!("expected '+', '-', '*', 'floordiv', 'ceildiv' or 'mod', found '{word}'"),
        ),
    }
}

/// An integer constant in an affine expression.
pub(crate) fn affine_const<'a>(text: &str, pos: Pos) -> Result<AffineSyn<'a>, SyntaxError> {
    match text.parse::<i64>() {
        Ok(n) => Ok(AffineSyn::Const(n)),
        Err(_) => err(pos, "affine constant does not fit in 64 bits"),
    }
}

/// `affine_map<(d0, ...)[s0, ...] -> (e, ...)>`: binds the names of each expression to
/// the dimension or symbol they declare (distinct names).
pub(crate) fn affine_map(
    ctx: &mut Context,
    dims: Vec<(&str, Pos)>,
    syms: Vec<(&str, Pos)>,
    results: Vec<AffineSyn<'_>>,
) -> Result<Attribute, SyntaxError> {
    for (i, (name, npos)) in dims.iter().chain(&syms).enumerate() {
        if dims.iter().chain(&syms).take(i).any(|(n, _)| n == name) {
            return err(
                *npos,
                format!("'{name}' is declared twice in the affine map"),
            );
        }
    }
    let results = results
        .into_iter()
        .map(|e| e.bind(&dims, &syms))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ctx.attr_of(AttrData::AffineMap(AffineMap {
        dims: dims.len() as u32,
        symbols: syms.len() as u32,
        results,
    })))
}
