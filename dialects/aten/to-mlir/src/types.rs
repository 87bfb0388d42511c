//! joinery types as MLIR types: static-shape tensors of the real dtypes.

use joinery_ir::{Context, DType, Type};
use melior::ir::r#type::{IntegerType, RankedTensorType};

/// A static-shape tensor type: its extents and element dtype.
#[derive(Clone, PartialEq, Debug)]
pub struct TensorTy {
    /// Extents, outermost first; empty for rank 0.
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: DType,
}

impl TensorTy {
    /// Reads a joinery tensor type; `None` for anything else, a dynamic extent, or a
    /// complex or 8/16-bit element type, which the export does not cover.
    pub fn of(ctx: &Context, ty: Type) -> Option<TensorTy> {
        let (dims, element) = ctx.tensor_parts(ty)?;
        let shape = dims
            .iter()
            .map(|d| d.extent())
            .collect::<Option<Vec<u64>>>()?;
        let dtype = ctx.dtype_of(element)?;
        matches!(
            dtype,
            DType::Bool | DType::I32 | DType::I64 | DType::F32 | DType::F64
        )
        .then_some(TensorTy { shape, dtype })
    }

    /// Rank.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The MLIR `tensor<...>` type.
    pub fn mlir<'c>(&self, mlir: &'c melior::Context) -> melior::ir::Type<'c> {
        RankedTensorType::new(&self.shape, element(mlir, self.dtype), None).into()
    }
}

/// The MLIR scalar type of a dtype (`i1`, `i32`, `i64`, `f32`, `f64`).
pub fn element(mlir: &melior::Context, dtype: DType) -> melior::ir::Type<'_> {
    match dtype {
        DType::Bool => IntegerType::new(mlir, 1).into(),
        DType::I32 => IntegerType::new(mlir, 32).into(),
        DType::F32 => melior::ir::Type::float32(mlir),
        DType::F64 => melior::ir::Type::float64(mlir),
        _ => IntegerType::new(mlir, 64).into(),
    }
}
