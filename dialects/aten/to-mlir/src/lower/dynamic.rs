//! Run-time shapes and numbers. A number (`sym_size.int`, `_local_scalar_dense`) is a 0-d
//! tensor, as the interpreter holds it: `tensor.from_elements` of the scalar. The `sym_*`
//! ops read the operand's layout (contiguous: a stride is the product of the later
//! extents, the storage offset 0), constants where the extents are static and
//! `tensor.dim` where they are known only at run time (`nonzero`'s rows). `nonzero` counts
//! the nonzero elements (a `linalg.generic` reduction), makes a `tensor<?xRxi64>` of that
//! many rows, and fills them in order in an `scf.for` over the flattened input that
//! carries the next row to write.

use super::indexed::indexed;
use super::{Body, LResult, Lowerer, Number, cast, tensor_ty};
use crate::types::{RUN_TIME, TensorTy};
use joinery_ir::{DType, OpId};
use melior::dialect::arith;
use melior::ir::operation::OperationBuilder;
use melior::ir::{Block, BlockLike, Region, RegionLike, Type, Value};

/// Which number of a tensor's (contiguous) layout a `sym_*` op reads.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Layout {
    /// `sym_size.int`: the extent of `dim`.
    Size,
    /// `sym_stride.int`: the product of the extents after `dim`.
    Stride,
    /// `sym_numel`: the product of every extent.
    Numel,
    /// `sym_storage_offset`: 0, a value starts its own storage.
    StorageOffset,
}

impl<'c, 'b> Lowerer<'c, 'b> {
    /// A body writing into the function's block, computing in `dtype`.
    fn outer_body(&self, dtype: DType) -> Body<'c, 'b> {
        Body {
            mlir: self.mlir,
            block: self.block,
            loc: self.loc,
            dtype,
        }
    }

    /// The number `v` (a scalar of dtype `from`) as the 0-d tensor `out`.
    fn number_tensor(
        &self,
        v: Value<'c, 'b>,
        from: DType,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let v = cast(self.mlir, self.block, self.loc, v, from, out.dtype);
        Ok(self.push(
            OperationBuilder::new("tensor.from_elements", self.loc)
                .add_operands(&[v])
                .add_results(&[out.mlir(self.mlir)])
                .build()
                .map_err(|e| e.to_string())?,
        ))
    }

    /// A `sym_*` op: the number `kind` of its operand's layout, as the 0-d tensor `out`.
    pub(super) fn layout_number(
        &mut self,
        op: OpId,
        kind: Layout,
        out: &TensorTy,
    ) -> LResult<Value<'c, 'b>> {
        let x = self.ctx.operand(op, 0);
        let ty = TensorTy::of_run_time(self.ctx, self.ctx.value_type(x))
            .ok_or("the operand is not a tensor of bool, i32, i64, f32 or f64")?;
        let dims = match kind {
            Layout::Size => {
                let d = self.dim_arg(op, &ty)?;
                d..d + 1
            }
            Layout::Stride => self.dim_arg(op, &ty)? + 1..ty.rank(),
            Layout::Numel => 0..ty.rank(),
            Layout::StorageOffset => 0..0,
        };
        let b = self.outer_body(DType::I64);
        let mut known: u64 = u64::from(kind != Layout::StorageOffset);
        let mut run_time: Option<Value<'c, 'b>> = None;
        for d in dims {
            if ty.shape[d] != RUN_TIME {
                known *= ty.shape[d];
                continue;
            }
            let extent = self.push(
                OperationBuilder::new("tensor.dim", self.loc)
                    .add_operands(&[self.value(x)?, b.index(d as i64)])
                    .add_results(&[Type::index(self.mlir)])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
            run_time = Some(match run_time {
                Some(p) => self.push(arith::muli(p, extent, self.loc)),
                None => extent,
            });
        }
        let n = match run_time {
            None => b.number(known as f64),
            Some(p) => {
                let p = b.affine(p, known as i64, 0);
                self.push(arith::index_cast(
                    p,
                    super::element(self.mlir, DType::I64),
                    self.loc,
                ))
            }
        };
        self.number_tensor(n, DType::I64, out)
    }

    /// `_local_scalar_dense`: the single element of its operand as the number `out`.
    pub(super) fn local_scalar(&mut self, op: OpId, out: &TensorTy) -> LResult<Value<'c, 'b>> {
        let x = self.ctx.operand(op, 0);
        let ty = tensor_ty(self.ctx, x)?;
        let count: u64 = ty.shape.iter().product();
        if count != 1 {
            return Err(format!(
                "a tensor of {count} elements is not a number (one element is needed)"
            ));
        }
        let b = self.outer_body(ty.dtype);
        let zeros: Vec<Value> = (0..ty.rank()).map(|_| b.index(0)).collect();
        let v = b.extract(self.value(x)?, ty.dtype, &zeros)?;
        self.number_tensor(v, ty.dtype, out)
    }

    /// `nonzero`: the coordinates of each nonzero element (NaN included), in row-major
    /// order, one row each; the row count is known only at run time.
    pub(super) fn nonzero(&mut self, op: OpId) -> LResult<()> {
        let ctx = self.ctx;
        let x = ctx.operand(op, 0);
        let x_ty = tensor_ty(ctx, x)?;
        let [result] = ctx.results(op) else {
            return Err("nonzero has one result".into());
        };
        let out = TensorTy::of_run_time(ctx, ctx.value_type(*result))
            .filter(|t| t.dtype == DType::I64 && t.shape == [RUN_TIME, x_ty.rank() as u64])
            .ok_or_else(|| {
                format!(
                    "the result must be tensor<?x{}xi64>, one row per nonzero element",
                    x_ty.rank()
                )
            })?;
        let dtype = x_ty.dtype;
        let (flat, flat_ty) = self.storage(self.value(x)?, &x_ty);
        let count_ty = TensorTy {
            shape: vec![],
            dtype: DType::I64,
        };
        let zero = self.splat(Number::Int(0), &count_ty);
        let count_one = indexed(move |b, args| {
            let nonzero = cast(b.mlir, b.block, b.loc, args[0], dtype, DType::Bool);
            let one = cast(b.mlir, b.block, b.loc, nonzero, DType::Bool, DType::I64);
            Ok(b.push(arith::addi(args[1], one, b.loc)))
        });
        let count = self.fold(&[(flat, dtype, vec![0])], zero, &count_ty, &count_one)?;
        let b = self.outer_body(DType::I64);
        let rows = b.to_index(b.extract(count, DType::I64, &[])?);
        let out_mlir = out.mlir(self.mlir);
        let empty = self.push(
            OperationBuilder::new("tensor.empty", self.loc)
                .add_operands(&[rows])
                .add_results(&[out_mlir])
                .build()
                .map_err(|e| e.to_string())?,
        );
        let index = Type::index(self.mlir);
        let (loc, mlir) = (self.loc, self.mlir);
        let step = Block::new(&[(index, loc), (out_mlir, loc), (index, loc)]);
        {
            let sb = Body {
                mlir,
                block: &step,
                loc,
                dtype: DType::I64,
            };
            let arg =
                |i| -> LResult<Value> { Ok(step.argument(i).map_err(|e| e.to_string())?.into()) };
            let (place, rows_so_far, next_row) = (arg(0)?, arg(1)?, arg(2)?);
            let v = sb.extract(flat, dtype, &[place])?;
            let nonzero = cast(mlir, &step, loc, v, dtype, DType::Bool);
            let written = Block::new(&[]);
            {
                let wb = Body {
                    mlir,
                    block: &written,
                    loc,
                    dtype: DType::I64,
                };
                let (mut rest, mut filled) = (place, rows_so_far);
                for d in (0..x_ty.rank()).rev() {
                    let extent = wb.index(x_ty.shape[d] as i64);
                    let coordinate = wb.push(arith::remui(rest, extent, loc));
                    if d > 0 {
                        rest = wb.push(arith::divui(rest, extent, loc));
                    }
                    let coordinate = wb.push(arith::index_cast(
                        coordinate,
                        super::element(mlir, DType::I64),
                        loc,
                    ));
                    filled = wb.push(
                        OperationBuilder::new("tensor.insert", loc)
                            .add_operands(&[coordinate, filled, next_row, wb.index(d as i64)])
                            .add_results(&[out_mlir])
                            .build()
                            .map_err(|e| e.to_string())?,
                    );
                }
                let after = wb.affine(next_row, 1, 1);
                written.append_operation(scf_yield(loc, &[filled, after])?);
            }
            let skipped = Block::new(&[]);
            skipped.append_operation(scf_yield(loc, &[rows_so_far, next_row])?);
            let chosen = step.append_operation(
                OperationBuilder::new("scf.if", loc)
                    .add_operands(&[nonzero])
                    .add_results(&[out_mlir, index])
                    .add_regions([region_of(written), region_of(skipped)])
                    .build()
                    .map_err(|e| e.to_string())?,
            );
            let carried: Vec<Value> = (0..2)
                .map(|i| chosen.result(i).map(Value::from))
                .collect::<Result<_, _>>()
                .map_err(|e| e.to_string())?;
            step.append_operation(scf_yield(loc, &carried)?);
        }
        let places = flat_ty.shape[0] as i64;
        let filled = self.block.append_operation(
            OperationBuilder::new("scf.for", loc)
                .add_operands(&[b.index(0), b.index(places), b.index(1), empty, b.index(0)])
                .add_results(&[out_mlir, index])
                .add_regions([region_of(step)])
                .build()
                .map_err(|e| e.to_string())?,
        );
        let rows = filled.result(0).map_err(|e| e.to_string())?.into();
        self.values.insert(*result, rows);
        Ok(())
    }
}

/// `scf.yield` of `values`.
fn scf_yield<'c>(
    loc: melior::ir::Location<'c>,
    values: &[Value<'c, '_>],
) -> LResult<melior::ir::Operation<'c>> {
    OperationBuilder::new("scf.yield", loc)
        .add_operands(values)
        .build()
        .map_err(|e| e.to_string())
}

/// A region holding `block`.
fn region_of(block: Block<'_>) -> Region<'_> {
    let region = Region::new();
    region.append_block(block);
    region
}
