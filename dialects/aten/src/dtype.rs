//! Tensor element types (PyTorch's `ScalarType`) and PyTorch's type promotion.

pub use joinery_dtype::DEFAULT_FLOAT;
pub use joinery_ir::DType;

/// `bool < integral < floating < complex`, PyTorch's promotion categories.
fn category(d: DType) -> u8 {
    if d == DType::Bool {
        0
    } else if d.is_complex() {
        3
    } else if d.is_float() {
        2
    } else {
        1
    }
}

/// `torch.promote_types(a, b)`.
pub fn promote_types(a: DType, b: DType) -> DType {
    use DType::*;
    if a == b {
        return a;
    }
    match (category(a), category(b)) {
        // A complex type with a float or complex one: the complex type of their parts'
        // promotion (`complex<f32>` with `f64` is `complex<f64>`).
        (3, 2) | (2, 3) | (3, 3) => promote_types(a.to_real(), b.to_real())
            .to_complex()
            .unwrap_or(C64),
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
    category(from) <= category(to)
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
        (Some(h), Some(l)) if category(l) > category(h) => Some(promote_types(h, l)),
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
        assert_eq!(promote_types(C64, F64), C128);
        assert_eq!(promote_types(F16, C64), C64);
        assert_eq!(promote_types(I64, C64), C64);
        assert_eq!(promote_types(C128, C64), C128);
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
