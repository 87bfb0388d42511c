//! Tensor element types (PyTorch's `ScalarType`), written once for every layer: the IR
//! maps its builtin scalar types to them, the `aten` dialect adds PyTorch's type
//! promotion, the `kernel` dialect and the runtime size buffers with them.

use serde::{Deserialize, Serialize};

/// A tensor element type. Integers are signed (MLIR's signless `iN` read as PyTorch's
/// signed types); `Bool` is `i1`, stored as one byte; complex types are MLIR's
/// `complex<f32>` and `complex<f64>` (PyTorch's `complex64` and `complex128`), stored as
/// the real part then the imaginary part. Unsigned types are not supported.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
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
    C64,
    C128,
}

/// The type of a float without a dtype (PyTorch's default dtype).
pub const DEFAULT_FLOAT: DType = DType::F32;

impl DType {
    /// Every dtype, in promotion order within each category.
    pub const ALL: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::F16,
        DType::BF16,
        DType::F32,
        DType::F64,
        DType::C64,
        DType::C128,
    ];

    /// Bytes per element in memory (`Bool` takes one byte).
    pub fn size_bytes(self) -> usize {
        match self {
            DType::Bool | DType::I8 => 1,
            DType::I16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::F32 => 4,
            DType::I64 | DType::F64 | DType::C64 => 8,
            DType::C128 => 16,
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
            DType::C64 => "complex<f32>",
            DType::C128 => "complex<f64>",
        }
    }

    /// The dtype spelled `keyword` in MLIR (`f32` → `F32`).
    pub fn from_keyword(keyword: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.keyword() == keyword)
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64)
    }

    /// Whether this is a complex type.
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C64 | DType::C128)
    }

    /// The type of a complex type's parts (`complex<f32>` → `f32`); every other dtype is
    /// its own (PyTorch's `toRealValueType`).
    pub fn to_real(self) -> DType {
        match self {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            d => d,
        }
    }

    /// The complex type whose parts are this float type (`f32` → `complex<f32>`, PyTorch's
    /// `toComplexType`; `f16`/`bf16` have none here), or `None`.
    pub fn to_complex(self) -> Option<DType> {
        match self {
            DType::F32 | DType::C64 => Some(DType::C64),
            DType::F64 | DType::C128 => Some(DType::C128),
            _ => None,
        }
    }

    /// Whether this is an integer type (not bool).
    pub fn is_integral(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    /// The dtype arithmetic on this dtype runs in (PyTorch's `get_computation_dtype`, the
    /// "opmath" type): `f16` and `bf16` compute in `f32`, every other dtype in itself.
    pub fn computation(self) -> DType {
        match self {
            DType::F16 | DType::BF16 => DType::F32,
            d => d,
        }
    }

    /// The float type integer inputs compute in (`exp` of an `i64` tensor is `f32`);
    /// float and complex types are their own.
    pub fn to_float(self) -> DType {
        if self.is_float() || self.is_complex() {
            self
        } else {
            DEFAULT_FLOAT
        }
    }
}

impl std::fmt::Display for DType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.keyword())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip_and_sizes_match_the_bit_widths() {
        for d in DType::ALL {
            assert_eq!(DType::from_keyword(d.keyword()), Some(d));
            let (parts, keyword) = match d.keyword().strip_prefix("complex<") {
                Some(k) => (2, k.trim_end_matches('>')),
                None => (1, d.keyword()),
            };
            let bits: usize = keyword.trim_start_matches(['b', 'f', 'i']).parse().unwrap();
            assert_eq!(d.size_bytes(), parts * bits.div_ceil(8), "{d}");
        }
        assert_eq!(DType::from_keyword("u8"), None);
        assert_eq!(DType::C64.to_real(), DType::F32);
        assert_eq!(DType::F64.to_complex(), Some(DType::C128));
    }
}
