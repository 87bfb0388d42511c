//! Builtin and dialect attributes. Like types, attributes are interned: an [`Attribute`]
//! is a copyable handle and equal handles mean structurally equal attributes.

use crate::context::Context;
use crate::location::Location;
use crate::types::{Type, TypeData};

/// A handle to an interned attribute.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Attribute(pub(crate) u32);

/// A float value with bitwise equality, so attributes can be hashed and interned.
#[derive(Clone, Copy, Debug)]
pub struct FloatBits(pub f64);

impl PartialEq for FloatBits {
    fn eq(&self, other: &Self) -> bool {
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for FloatBits {}
impl std::hash::Hash for FloatBits {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.to_bits().hash(state)
    }
}

/// One element of a `dense<...>` literal.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DenseScalar {
    Int(i64),
    Float(FloatBits),
    Bool(bool),
}

/// The payload of a `dense<...>` elements attribute.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum DenseData {
    /// One value repeated over the whole shape: `dense<1.0>`.
    Splat(DenseScalar),
    /// Every element in row-major order (nesting is implied by the type's shape).
    Elements(Vec<DenseScalar>),
    /// Raw little-endian bytes, as MLIR writes large constants: `dense<"0x0000803F">`.
    /// Each element takes its width in whole bytes, except `i1`, packed 8 to a byte
    /// (element `k` in bit `k % 8` of byte `k / 8`); one element's bytes are a splat (for
    /// `i1`, a single byte `0x00` or `0xFF`).
    Hex(Vec<u8>),
}

impl DenseScalar {
    /// The value as `f64` (booleans are 0 or 1).
    pub fn as_f64(self) -> f64 {
        match self {
            DenseScalar::Int(v) => v as f64,
            DenseScalar::Float(v) => v.0,
            DenseScalar::Bool(b) => f64::from(u8::from(b)),
        }
    }
}

impl DenseData {
    /// The `count` elements of type `element` in row-major order, splats repeated and hex
    /// bytes decoded; `None` when the payload does not hold `count` elements of that type.
    pub fn scalars(&self, element: &TypeData, count: usize) -> Option<Vec<DenseScalar>> {
        match self {
            DenseData::Splat(s) => Some(vec![*s; count]),
            DenseData::Elements(items) => (items.len() == count).then(|| items.clone()),
            DenseData::Hex(bytes) => decode_hex(bytes, element, count),
        }
    }
}

/// The bytes one element of `element` takes in a hex payload (`i1` counts 1: it is
/// packed, see [`DenseData::Hex`]).
pub fn dense_element_bytes(element: &TypeData) -> Option<usize> {
    match element {
        TypeData::Integer { width } => Some(width.div_ceil(8) as usize),
        TypeData::Index => Some(8),
        TypeData::Float(k) => Some((k.bits() / 8) as usize),
        _ => None,
    }
}

/// How `bytes` hold `count` elements of `element`, `None` when they cannot (MLIR's
/// `DenseElementsAttr::isValidRawBuffer`).
pub fn dense_hex_layout(element: &TypeData, bytes: &[u8], count: usize) -> Option<HexLayout> {
    let width = dense_element_bytes(element)?;
    let len = bytes.len();
    if *element == (TypeData::Integer { width: 1 }) {
        return if matches!(bytes, [0x00] | [0xFF]) {
            Some(HexLayout::Splat)
        } else if len == count.div_ceil(8) {
            Some(HexLayout::Packed)
        } else {
            None
        };
    }
    if len == width * count {
        Some(HexLayout::Elements)
    } else if len == width {
        Some(HexLayout::Splat)
    } else {
        None
    }
}

/// How the bytes of a `dense<"0x...">` payload map onto elements.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HexLayout {
    /// One element repeated.
    Splat,
    /// Every element, each in its width of bytes.
    Elements,
    /// `i1` elements, 8 to a byte.
    Packed,
}

fn decode_hex(bytes: &[u8], element: &TypeData, count: usize) -> Option<Vec<DenseScalar>> {
    let layout = dense_hex_layout(element, bytes, count)?;
    let width = dense_element_bytes(element)?;
    let read = |chunk: &[u8]| -> Option<DenseScalar> {
        let mut raw = [0u8; 8];
        raw[..chunk.len()].copy_from_slice(chunk);
        let bits = u64::from_le_bytes(raw);
        Some(match element {
            TypeData::Integer { width: 1 } => DenseScalar::Bool(bits & 1 != 0),
            TypeData::Integer { width } => {
                let shift = 64 - *width.min(&64);
                DenseScalar::Int(((bits << shift) as i64) >> shift)
            }
            TypeData::Index => DenseScalar::Int(bits as i64),
            TypeData::Float(k) => DenseScalar::Float(FloatBits(k.from_bits(bits)?)),
            _ => return None,
        })
    };
    match layout {
        HexLayout::Splat => Some(vec![read(bytes)?; count]),
        HexLayout::Elements => bytes.chunks(width).map(read).collect(),
        HexLayout::Packed => Some(
            (0..count)
                .map(|k| DenseScalar::Bool(bytes[k / 8] >> (k % 8) & 1 != 0))
                .collect(),
        ),
    }
}

/// An affine map `(d0, d1)[s0] -> (d1, d0 floordiv 2 + s0)`: dimension and symbol counts
/// and one expression per result. Expressions are kept as written (MLIR simplifies them
/// when it builds a map; joinery does not, so text round-trips exactly).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct AffineMap {
    pub dims: u32,
    pub symbols: u32,
    pub results: Vec<AffineExpr>,
}

/// One expression of an [`AffineMap`].
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AffineExpr {
    /// Dimension `d{n}`.
    Dim(u32),
    /// Symbol `s{n}`.
    Symbol(u32),
    /// An integer constant.
    Const(i64),
    /// `-e`.
    Neg(Box<AffineExpr>),
    /// `lhs op rhs`.
    Binary {
        op: AffineOp,
        lhs: Box<AffineExpr>,
        rhs: Box<AffineExpr>,
    },
}

/// The binary operators of affine expressions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum AffineOp {
    Add,
    Sub,
    Mul,
    FloorDiv,
    CeilDiv,
    Mod,
}

impl AffineOp {
    /// The operator as written: `+`, `-`, `*`, `floordiv`, `ceildiv`, `mod`.
    pub fn spelling(self) -> &'static str {
        match self {
            AffineOp::Add => "+",
            AffineOp::Sub => "-",
            AffineOp::Mul => "*",
            AffineOp::FloorDiv => "floordiv",
            AffineOp::CeilDiv => "ceildiv",
            AffineOp::Mod => "mod",
        }
    }

    /// Binding strength: additive operators 1, multiplicative ones 2.
    pub fn precedence(self) -> u8 {
        match self {
            AffineOp::Add | AffineOp::Sub => 1,
            _ => 2,
        }
    }
}

/// A parameter of a dialect attribute or type: `#d.name<p0, p1>` / `!d.name<p0, p1>`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AttrParam {
    /// Any attribute: `"fc1.weight"`, `#aot.plain<0>`, `[1, 2]`, `3 : i64`.
    Attr(Attribute),
    /// A type: `f32`, `tensor<2xf32>`.
    Type(Type),
    /// A bare integer written without a type, as in `#aot.plain<0>`.
    Int(i64),
    /// A bare keyword: `#d.mode<fast>`.
    Keyword(String),
}

/// The structure of an attribute.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum AttrData {
    /// `unit`.
    Unit,
    /// `true` / `false`.
    Bool(bool),
    /// `42 : i64`.
    Integer { value: i64, ty: Type },
    /// `1.5 : f32`.
    Float { value: FloatBits, ty: Type },
    /// `"text"`.
    String(String),
    /// `[a, b]`.
    Array(Vec<Attribute>),
    /// `{a = 1, b}`, kept sorted by name.
    Dictionary(Vec<(String, Attribute)>),
    /// A type used as an attribute.
    Type(Type),
    /// `@root::@nested`.
    SymbolRef { root: String, nested: Vec<String> },
    /// `dense<...> : tensor<...>`.
    DenseElements { ty: Type, data: DenseData },
    /// `array<i64: 1, 2>`: a flat array of scalars of one element type (MLIR's
    /// `DenseArrayAttr`, which upstream ops use for static sizes and permutations).
    DenseArray {
        element: Type,
        values: Vec<DenseScalar>,
    },
    /// `affine_map<(d0, d1)[s0] -> (d1, d0 + s0)>`.
    AffineMap(AffineMap),
    /// `loc(...)`.
    Location(Location),
    /// `#dialect.name<params>`: a dialect attribute, opaque when its dialect is not registered.
    Dialect {
        dialect: String,
        name: String,
        params: Vec<AttrParam>,
    },
}

impl Context {
    /// Interns `data` and returns its handle.
    pub fn attr_of(&mut self, data: AttrData) -> Attribute {
        Attribute(self.attrs.intern(data))
    }

    /// The structure behind an attribute handle.
    pub fn attr_data(&self, attr: Attribute) -> &AttrData {
        self.attrs.get(attr.0)
    }

    /// `unit`.
    pub fn unit_attr(&mut self) -> Attribute {
        self.attr_of(AttrData::Unit)
    }

    /// A string attribute.
    pub fn string_attr(&mut self, s: impl Into<String>) -> Attribute {
        self.attr_of(AttrData::String(s.into()))
    }

    /// An integer attribute of type `iN`.
    pub fn integer_attr(&mut self, value: i64, width: u32) -> Attribute {
        let ty = self.integer_type(width);
        self.attr_of(AttrData::Integer { value, ty })
    }

    /// A float attribute of the given type.
    pub fn float_attr(&mut self, value: f64, ty: Type) -> Attribute {
        self.attr_of(AttrData::Float {
            value: FloatBits(value),
            ty,
        })
    }

    /// A boolean attribute.
    pub fn bool_attr(&mut self, value: bool) -> Attribute {
        self.attr_of(AttrData::Bool(value))
    }

    /// A type attribute.
    pub fn type_attr(&mut self, ty: Type) -> Attribute {
        self.attr_of(AttrData::Type(ty))
    }

    /// An array attribute.
    pub fn array_attr(&mut self, items: Vec<Attribute>) -> Attribute {
        self.attr_of(AttrData::Array(items))
    }

    /// A dictionary attribute; entries are sorted by name as MLIR does.
    pub fn dictionary_attr(&mut self, mut entries: Vec<(String, Attribute)>) -> Attribute {
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.attr_of(AttrData::Dictionary(entries))
    }

    /// A flat symbol reference `@name`.
    pub fn symbol_ref_attr(&mut self, name: impl Into<String>) -> Attribute {
        self.attr_of(AttrData::SymbolRef {
            root: name.into(),
            nested: Vec::new(),
        })
    }

    /// The string of a string attribute.
    pub fn as_str(&self, attr: Attribute) -> Option<&str> {
        match self.attr_data(attr) {
            AttrData::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value of an integer attribute.
    pub fn as_i64(&self, attr: Attribute) -> Option<i64> {
        match self.attr_data(attr) {
            AttrData::Integer { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The value of a float attribute (integers convert).
    pub fn as_f64(&self, attr: Attribute) -> Option<f64> {
        match self.attr_data(attr) {
            AttrData::Float { value, .. } => Some(value.0),
            AttrData::Integer { value, .. } => Some(*value as f64),
            _ => None,
        }
    }

    /// The value of a boolean attribute.
    pub fn as_bool(&self, attr: Attribute) -> Option<bool> {
        match self.attr_data(attr) {
            AttrData::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The elements of an array attribute.
    pub fn as_array(&self, attr: Attribute) -> Option<&[Attribute]> {
        match self.attr_data(attr) {
            AttrData::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The type and row-major elements of a `dense<...>` attribute (splats and hex
    /// expanded); `None` for other attributes or a payload that does not fit its type.
    pub fn dense_elements(&self, attr: Attribute) -> Option<(Type, Vec<DenseScalar>)> {
        let AttrData::DenseElements { ty, data } = self.attr_data(attr) else {
            return None;
        };
        let (shape, element) = self.tensor_parts(*ty)?;
        let count = shape.iter().try_fold(1usize, |n, d| {
            n.checked_mul(usize::try_from(d.extent()?).ok()?)
        })?;
        Some((*ty, data.scalars(self.type_data(element), count)?))
    }

    /// The type of a typed attribute (integers, floats, `dense<...>`), as MLIR's
    /// `TypedAttr`; `None` for the others.
    pub fn attr_type(&self, attr: Attribute) -> Option<Type> {
        match self.attr_data(attr) {
            AttrData::Integer { ty, .. }
            | AttrData::Float { ty, .. }
            | AttrData::DenseElements { ty, .. } => Some(*ty),
            _ => None,
        }
    }

    /// The entries of a dictionary attribute.
    pub fn as_dictionary(&self, attr: Attribute) -> Option<&[(String, Attribute)]> {
        match self.attr_data(attr) {
            AttrData::Dictionary(entries) => Some(entries),
            _ => None,
        }
    }

    /// The type held by a type attribute.
    pub fn as_type(&self, attr: Attribute) -> Option<Type> {
        match self.attr_data(attr) {
            AttrData::Type(ty) => Some(*ty),
            _ => None,
        }
    }

    /// The name of a flat symbol reference.
    pub fn as_symbol_ref(&self, attr: Attribute) -> Option<&str> {
        match self.attr_data(attr) {
            AttrData::SymbolRef { root, nested } if nested.is_empty() => Some(root),
            _ => None,
        }
    }

    /// Looks up `key` in a dictionary attribute.
    pub fn dictionary_get(&self, dict: Attribute, key: &str) -> Option<Attribute> {
        let entries = self.as_dictionary(dict)?;
        entries
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| entries[i].1)
    }
}
