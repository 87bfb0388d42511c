//! joinery types as MLIR types: static-shape tensors of the real dtypes, and numbers
//! (`i64`, `f32`, ...: `sym_size.int`, `_local_scalar_dense`) as 0-d tensors, as the
//! interpreter holds them.

use joinery_ir::{Context, DType, Dim, Type};
use melior::ir::r#type::{IntegerType, RankedTensorType};

/// The extent of a dim known only at run time: MLIR's dynamic extent (`?`,
/// `ShapedType::kDynamic`, `i64::MIN`), as [`TensorTy::mlir`] passes it on.
pub const RUN_TIME: u64 = i64::MIN as u64;

/// A tensor type: its extents (static, or [`RUN_TIME`] where known only at run time) and
/// element dtype.
#[derive(Clone, PartialEq, Debug)]
pub struct TensorTy {
    /// Extents, outermost first; empty for rank 0.
    pub shape: Vec<u64>,
    /// Element type.
    pub dtype: DType,
}

impl TensorTy {
    /// Reads a joinery tensor type, or a number type as a 0-d tensor; `None` for anything
    /// else, a dynamic extent, or a complex or 8/16-bit element type, which the export does
    /// not cover.
    pub fn of(ctx: &Context, ty: Type) -> Option<TensorTy> {
        TensorTy::with_extents(ctx, ty, Dim::extent)
    }

    /// Like [`TensorTy::of`], but a dynamic extent (`nonzero`'s row count) is
    /// [`RUN_TIME`]: the type of a value whose shape is known only at run time.
    pub fn of_run_time(ctx: &Context, ty: Type) -> Option<TensorTy> {
        TensorTy::with_extents(ctx, ty, |d| Some(d.extent().unwrap_or(RUN_TIME)))
    }

    /// Reads a tensor or number type, each dim's extent by `extent`.
    fn with_extents(
        ctx: &Context,
        ty: Type,
        extent: impl Fn(Dim) -> Option<u64>,
    ) -> Option<TensorTy> {
        let (shape, element) = match ctx.tensor_parts(ty) {
            Some((dims, element)) => (
                dims.iter().map(|&d| extent(d)).collect::<Option<_>>()?,
                element,
            ),
            None => (Vec::new(), ty),
        };
        let dtype = ctx.dtype_of(element)?;
        matches!(
            dtype,
            DType::Bool | DType::I32 | DType::I64 | DType::F32 | DType::F64
        )
        .then_some(TensorTy { shape, dtype })
    }

    /// Whether some extent is known only at run time ([`RUN_TIME`]).
    pub fn is_run_time(&self) -> bool {
        self.shape.contains(&RUN_TIME)
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

/// The tensor a joinery tensor type is exported as: itself ([`TensorTy::of`]), or for a
/// static-shape `complex<f32>` / `complex<f64>` tensor its pair form, the shape with a last
/// dim of 2 (real part, imaginary part) of `f32` / `f64`: `aten-complex-to-real`'s layout,
/// and a complex tensor's memory layout.
pub fn exported(ctx: &Context, ty: Type) -> Option<TensorTy> {
    TensorTy::of(ctx, ty).or_else(|| {
        let (dims, element) = ctx.tensor_parts(ty)?;
        let dtype = match ctx.dtype_of(element)? {
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            _ => return None,
        };
        let mut shape = dims
            .iter()
            .map(|d| d.extent())
            .collect::<Option<Vec<u64>>>()?;
        shape.push(2);
        Some(TensorTy { shape, dtype })
    })
}

/// The tensor a function result of joinery type `ty` is exported as: [`exported`], or a
/// tensor with extents known only at run time ([`TensorTy::of_run_time`], `nonzero`'s).
pub fn exported_result(ctx: &Context, ty: Type) -> Option<TensorTy> {
    exported(ctx, ty).or_else(|| TensorTy::of_run_time(ctx, ty))
}

/// Whether `ty` is a tensor of complex numbers (exported in pair form, see [`exported`]).
pub fn is_complex(ctx: &Context, ty: Type) -> bool {
    ctx.tensor_parts(ty)
        .and_then(|(_, element)| ctx.dtype_of(element))
        .is_some_and(|d| matches!(d, DType::C64 | DType::C128))
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
