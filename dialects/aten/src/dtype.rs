//! Tensor element types (PyTorch's `ScalarType`) and PyTorch's type promotion.

use joinery_ir::{Context, FloatKind, Type, TypeData};

/// A tensor element type. Integers are signed (MLIR's signless `iN` read as PyTorch's
/// signed types); `Bool` is `i1`. Unsigned and complex types are not supported.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DType {
    Bool,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
}

/// The type of a float without a dtype (PyTorch's default dtype).
pub const DEFAULT_FLOAT: DType = DType::F32;

impl DType {
    /// The element type of `ty` (a scalar type), if it is one PyTorch has.
    pub fn from_type(ctx: &Context, ty: Type) -> Option<DType> {
        Some(match ctx.type_data(ty) {
            TypeData::Integer { width: 1 } => DType::Bool,
            TypeData::Integer { width: 8 } => DType::I8,
            TypeData::Integer { width: 16 } => DType::I16,
            TypeData::Integer { width: 32 } => DType::I32,
            TypeData::Integer { width: 64 } => DType::I64,
            TypeData::Float(FloatKind::F16) => DType::F16,
            TypeData::Float(FloatKind::BF16) => DType::BF16,
            TypeData::Float(FloatKind::F32) => DType::F32,
            TypeData::Float(FloatKind::F64) => DType::F64,
            _ => return None,
        })
    }

    /// The IR scalar type of this dtype.
    pub fn to_type(self, ctx: &mut Context) -> Type {
        match self {
            DType::Bool => ctx.integer_type(1),
            DType::I8 => ctx.integer_type(8),
            DType::I16 => ctx.integer_type(16),
            DType::I32 => ctx.integer_type(32),
            DType::I64 => ctx.integer_type(64),
            DType::F16 => ctx.float_type(FloatKind::F16),
            DType::BF16 => ctx.float_type(FloatKind::BF16),
            DType::F32 => ctx.float_type(FloatKind::F32),
            DType::F64 => ctx.float_type(FloatKind::F64),
        }
    }

    /// The MLIR spelling: `i1`, `i64`, `f32`, ...
    pub fn keyword(self) -> &'static str {
        match self {
            DType::Bool => "i1",
            DType::I8 => "i8",
            DType::I16 => "i16",
            DType::I32 => "i32",
            DType::I64 => "i64",
            DType::F16 => "f16",
            DType::BF16 => "bf16",
            DType::F32 => "f32",
            DType::F64 => "f64",
        }
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// Whether this is an integer type (not bool).
    pub fn is_integral(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// `bool < integral < floating`, PyTorch's promotion categories.
    fn category(self) -> u8 {
        if self == DType::Bool {
            0
        } else if self.is_float() {
            2
        } else {
            1
        }
    }

    /// The float type integer inputs compute in (`exp` of an `i64` tensor is `f32`).
    pub fn to_float(self) -> DType {
        if self.is_float() { self } else { DEFAULT_FLOAT }
    }

    /// The dtype arithmetic on this dtype runs in (PyTorch's `get_computation_dtype`,
    /// the "opmath" type): `f16` and `bf16` compute in `f32`, every other dtype in itself.
    pub fn computation(self) -> DType {
        match self {
            DType::F16 | DType::BF16 => DType::F32,
            d => d,
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.keyword())
    }
}

/// `torch.promote_types(a, b)`.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (a.category(), b.category()) {
        (x, y) if x != y => {
            if x > y {
                a
            } else {
                b
            }
        }
        // Both floats: f16 and bf16 meet at f32; otherwise the wider one.
        (2, 2) => match (a, b) {
            (F16, BF16) | (BF16, F16) => F32,
            _ if float_rank(a) > float_rank(b) => a,
            _ => b,
        },
        // Both integral (bool == bool was handled above).
        _ => {
            if int_rank(a) > int_rank(b) {
                a
            } else {
                b
            }
        }
    }
}

fn float_rank(d: DType) -> u8 {
    match d {
        DType::F16 | DType::BF16 => 0,
        DType::F32 => 1,
        _ => 2,
    }
}

fn int_rank(d: DType) -> u8 {
    match d {
        DType::I8 => 0,
        DType::I16 => 1,
        DType::I32 => 2,
        _ => 3,
    }
}

/// `torch.can_cast(from, to)`: no float to integral, no non-bool to bool.
pub fn can_cast(from: DType, to: DType) -> bool {
    from.category() <= to.category()
}

/// One input to [`result_type`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Participant {
    /// A tensor of rank > 0 (or of unknown rank).
    Tensor(DType),
    /// A rank-0 tensor: it only promotes across categories.
    ZeroDim(DType),
    /// A Python number (a `Scalar` argument): `Bool`, `I64` or `F64` by its kind.
    Scalar(DType),
}

/// `torch.result_type` over tensors, zero-dim tensors and Python scalars: the highest
/// category wins, and lower-priority participants (zero-dim tensors, then scalars) only
/// matter when they are of a higher category; a float scalar then contributes the default
/// float dtype, an integer scalar `i64`.
pub fn result_type(inputs: &[Participant]) -> Option<DType> {
    let fold = |pick: fn(&Participant) -> Option<DType>| {
        inputs.iter().filter_map(pick).reduce(promote_types)
    };
    let dim = fold(|p| match p {
        Participant::Tensor(d) => Some(*d),
        _ => None,
    });
    let zero = fold(|p| match p {
        Participant::ZeroDim(d) => Some(*d),
        _ => None,
    });
    let wrapped = fold(|p| match p {
        Participant::Scalar(d) if d.is_float() => Some(DEFAULT_FLOAT),
        Participant::Scalar(d) => Some(*d),
        _ => None,
    });
    combine(dim, combine(zero, wrapped))
}

/// c10's `combine_categories`: the higher-priority result unless the lower one is of a
/// higher category.
fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    match (higher, lower) {
        (Some(h), Some(l)) if l.category() > h.category() => Some(promote_types(h, l)),
        (Some(h), _) => Some(h),
        (None, l) => l,
    }
}

#[cfg(test)]
mod tests {
    use super::DType::*;
    use super::*;

    #[test]
    fn promote_types_follows_torch() {
        assert_eq!(promote_types(I32, I64), I64);
        assert_eq!(promote_types(Bool, I8), I8);
        assert_eq!(promote_types(I64, F16), F16);
        assert_eq!(promote_types(F16, BF16), F32);
        assert_eq!(promote_types(F32, F64), F64);
        assert_eq!(promote_types(BF16, BF16), BF16);
    }

    #[test]
    fn result_type_ranks_tensors_over_zero_dim_over_scalars() {
        use Participant::*;
        assert_eq!(result_type(&[Tensor(F16), ZeroDim(F64)]), Some(F16));
        assert_eq!(result_type(&[Tensor(I32), ZeroDim(I64)]), Some(I32));
        assert_eq!(result_type(&[Tensor(I32), ZeroDim(F64)]), Some(F64));
        assert_eq!(result_type(&[Tensor(I32), Scalar(F64)]), Some(F32));
        assert_eq!(result_type(&[Tensor(Bool), Scalar(I64)]), Some(I64));
        assert_eq!(result_type(&[ZeroDim(I32), Scalar(F64)]), Some(F32));
        assert_eq!(result_type(&[Scalar(I64)]), Some(I64));
        assert_eq!(result_type(&[]), None);
    }

    #[test]
    fn can_cast_forbids_lowering_the_category() {
        assert!(can_cast(I64, F16) && can_cast(Bool, I8) && can_cast(F64, F16));
        assert!(!can_cast(F32, I64) && !can_cast(I8, Bool));
    }
}
