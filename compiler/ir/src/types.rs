//! Builtin and dialect types. Types are interned in the [`Context`]: a [`Type`] is a
//! copyable handle, and two handles are equal exactly when the types are structurally equal.

use crate::attributes::AttrParam;
use crate::context::Context;
pub use joinery_dtype::DType;

/// A handle to an interned type.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Type(pub(crate) u32);

/// Floating-point element kinds.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum FloatKind {
    F16,
    BF16,
    F32,
    F64,
}

impl FloatKind {
    /// The MLIR spelling (`f32`, `bf16`, ...).
    pub fn keyword(self) -> &'static str {
        match self {
            FloatKind::F16 => "f16",
            FloatKind::BF16 => "bf16",
            FloatKind::F32 => "f32",
            FloatKind::F64 => "f64",
        }
    }

    /// Width in bits.
    pub fn bits(self) -> u32 {
        match self {
            FloatKind::F16 | FloatKind::BF16 => 16,
            FloatKind::F32 => 32,
            FloatKind::F64 => 64,
        }
    }

    /// The value whose bit pattern is `bits` (the low [`FloatKind::bits`] bits); `None`
    /// when `bits` has more bits than the kind.
    pub fn from_bits(self, bits: u64) -> Option<f64> {
        match self {
            FloatKind::F64 => Some(f64::from_bits(bits)),
            FloatKind::F32 => Some(f32::from_bits(u32::try_from(bits).ok()?) as f64),
            FloatKind::BF16 => {
                Some(f32::from_bits(u32::from(u16::try_from(bits).ok()?) << 16) as f64)
            }
            FloatKind::F16 => Some(f16_to_f32(u16::try_from(bits).ok()?) as f64),
        }
    }
}

/// Widens IEEE half-precision bits to `f32` (exact).
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h & 0x8000) as u32) << 16;
    let exp = ((h >> 10) & 0x1f) as u32;
    let man = (h & 0x3ff) as u32;
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, _) => {
            let mut e = 127 - 15 + 1;
            let mut m = man;
            while m & 0x400 == 0 {
                m <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((m & 0x3ff) << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (man << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (man << 13),
    };
    f32::from_bits(bits)
}

/// One dimension of a ranked tensor: a static extent or `?`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Dim {
    Static(u64),
    Dynamic,
}

impl Dim {
    /// The static extent, if known.
    pub fn extent(self) -> Option<u64> {
        match self {
            Dim::Static(n) => Some(n),
            Dim::Dynamic => None,
        }
    }
}

/// The structure of a type.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum TypeData {
    /// Signless integer `iN` (`i1` is the boolean type).
    Integer { width: u32 },
    /// `index`.
    Index,
    /// `f16`, `bf16`, `f32`, `f64`.
    Float(FloatKind),
    /// `complex<f32>`: a complex number whose parts have the float type `element`.
    Complex { element: Type },
    /// `none`.
    None,
    /// `tensor<2x?x4xf32>`; an empty shape is a rank-0 tensor `tensor<f32>`.
    RankedTensor { shape: Vec<Dim>, element: Type },
    /// `tensor<*xf32>`.
    UnrankedTensor { element: Type },
    /// `(i32, f32) -> f32`.
    Function {
        inputs: Vec<Type>,
        results: Vec<Type>,
    },
    /// `!dialect.name<params>`: a dialect type, opaque when its dialect is not registered.
    Dialect {
        dialect: String,
        name: String,
        params: Vec<AttrParam>,
    },
}

impl Context {
    /// Interns `data` and returns its handle.
    pub fn type_of(&mut self, data: TypeData) -> Type {
        Type(self.types.intern(data))
    }

    /// The structure behind a type handle.
    pub fn type_data(&self, ty: Type) -> &TypeData {
        self.types.get(ty.0)
    }

    /// `iN`.
    pub fn integer_type(&mut self, width: u32) -> Type {
        self.type_of(TypeData::Integer { width })
    }

    /// A float type.
    pub fn float_type(&mut self, kind: FloatKind) -> Type {
        self.type_of(TypeData::Float(kind))
    }

    /// The element type `ty` (a builtin scalar type) stands for, if PyTorch has it.
    pub fn dtype_of(&self, ty: Type) -> Option<DType> {
        Some(match self.type_data(ty) {
            TypeData::Integer { width: 1 } => DType::Bool,
            TypeData::Integer { width: 8 } => DType::I8,
            TypeData::Integer { width: 16 } => DType::I16,
            TypeData::Integer { width: 32 } => DType::I32,
            TypeData::Integer { width: 64 } => DType::I64,
            TypeData::Float(FloatKind::F16) => DType::F16,
            TypeData::Float(FloatKind::BF16) => DType::BF16,
            TypeData::Float(FloatKind::F32) => DType::F32,
            TypeData::Float(FloatKind::F64) => DType::F64,
            TypeData::Complex { element } => match self.type_data(*element) {
                TypeData::Float(FloatKind::F32) => DType::C64,
                TypeData::Float(FloatKind::F64) => DType::C128,
                _ => return None,
            },
            _ => return None,
        })
    }

    /// The builtin scalar type of `dtype` (`i1`, `f32`, ...).
    pub fn dtype_type(&mut self, dtype: DType) -> Type {
        match dtype {
            DType::Bool => self.integer_type(1),
            DType::I8 => self.integer_type(8),
            DType::I16 => self.integer_type(16),
            DType::I32 => self.integer_type(32),
            DType::I64 => self.integer_type(64),
            DType::F16 => self.float_type(FloatKind::F16),
            DType::BF16 => self.float_type(FloatKind::BF16),
            DType::F32 => self.float_type(FloatKind::F32),
            DType::F64 => self.float_type(FloatKind::F64),
            DType::C64 | DType::C128 => {
                let element = self.dtype_type(dtype.to_real());
                self.complex_type(element)
            }
        }
    }

    /// `complex<element>`.
    pub fn complex_type(&mut self, element: Type) -> Type {
        self.type_of(TypeData::Complex { element })
    }

    /// `index`.
    pub fn index_type(&mut self) -> Type {
        self.type_of(TypeData::Index)
    }

    /// `none`.
    pub fn none_type(&mut self) -> Type {
        self.type_of(TypeData::None)
    }

    /// A ranked tensor type.
    pub fn tensor_type(&mut self, shape: Vec<Dim>, element: Type) -> Type {
        self.type_of(TypeData::RankedTensor { shape, element })
    }

    /// A ranked tensor type with static extents.
    pub fn static_tensor_type(&mut self, shape: &[u64], element: Type) -> Type {
        let shape = shape.iter().map(|&n| Dim::Static(n)).collect();
        self.tensor_type(shape, element)
    }

    /// A function type.
    pub fn function_type(&mut self, inputs: Vec<Type>, results: Vec<Type>) -> Type {
        self.type_of(TypeData::Function { inputs, results })
    }

    /// The inputs and results of a function type, or `None` for any other type.
    pub fn function_signature(&self, ty: Type) -> Option<(&[Type], &[Type])> {
        match self.type_data(ty) {
            TypeData::Function { inputs, results } => Some((inputs, results)),
            _ => None,
        }
    }

    /// Shape and element type of a ranked tensor, or `None` for any other type.
    pub fn tensor_parts(&self, ty: Type) -> Option<(&[Dim], Type)> {
        match self.type_data(ty) {
            TypeData::RankedTensor { shape, element } => Some((shape, *element)),
            _ => None,
        }
    }

    /// Whether a type is a (ranked or unranked) tensor.
    pub fn is_tensor(&self, ty: Type) -> bool {
        matches!(
            self.type_data(ty),
            TypeData::RankedTensor { .. } | TypeData::UnrankedTensor { .. }
        )
    }

    /// Whether a type is a scalar usable as a tensor element (integer, index, float,
    /// complex).
    pub fn is_scalar(&self, ty: Type) -> bool {
        matches!(
            self.type_data(ty),
            TypeData::Integer { .. }
                | TypeData::Index
                | TypeData::Float(_)
                | TypeData::Complex { .. }
        )
    }
}
