//! Constant folding through the interpreter's kernels: the evaluator the aten dialect's
//! folder (`joinery_aten::canon::fold`) runs an op on constant operands with, so that a
//! folded constant is exactly what the interpreter would compute.

use crate::eval::{RngState, eval_aten};
use crate::interp::constant_tensor;
use crate::tensor::{DType, RuntimeValue, Tensor};
use joinery_ir::{AttrData, Attribute, Context, DenseData, DenseScalar, FloatBits, OpId, Type};

/// Runs aten op `op`, whose operands are all `arith.constant`s, with its kernel and gives
/// each result as a `dense<...>` attribute of the result's type; `None` when an operand is
/// not a constant, the kernel fails, or a result is not a static tensor of the declared
/// shape and dtype (complex results included: `dense` holds no complex numbers here).
pub fn fold_constant(ctx: &mut Context, op: OpId) -> Option<Vec<Attribute>> {
    let operands: Vec<RuntimeValue> = ctx
        .operands(op)
        .iter()
        .map(|&v| {
            let c = ctx.defining_op(v)?;
            constant_tensor(ctx, c).ok().map(RuntimeValue::Tensor)
        })
        .collect::<Option<_>>()?;
    let refs: Vec<&RuntimeValue> = operands.iter().collect();
    let mut rng = RngState {
        seed: 0,
        counter: 0,
    };
    let results = eval_aten(ctx, op, &refs, &mut rng).ok()?;
    let types: Vec<Type> = ctx.results(op).iter().map(|&r| ctx.value_type(r)).collect();
    if results.len() != types.len() {
        return None;
    }
    results
        .iter()
        .zip(types)
        .map(|(r, ty)| dense_attr(ctx, r.as_tensor()?, ty))
        .collect()
}

/// `t` as a `dense<...>` attribute of type `ty` (a splat when every element is equal).
fn dense_attr(ctx: &mut Context, t: &Tensor, ty: Type) -> Option<Attribute> {
    let (dims, element) = ctx.tensor_parts(ty)?;
    let shape: Vec<usize> = dims
        .iter()
        .map(|d| d.extent().map(|n| n as usize))
        .collect::<Option<_>>()?;
    if shape != t.shape() || DType::from_element_type(ctx, element).ok()? != t.dtype() {
        return None;
    }
    let elements: Vec<DenseScalar> = match t.dtype() {
        DType::C64 | DType::C128 => return None,
        DType::Bool => t.to_bool().iter().map(|&b| DenseScalar::Bool(b)).collect(),
        d if d.is_float() => t
            .to_f64()
            .iter()
            .map(|&v| DenseScalar::Float(FloatBits(v)))
            .collect(),
        _ => t.to_i64().iter().map(|&v| DenseScalar::Int(v)).collect(),
    };
    let data = match elements.first() {
        Some(&first) if elements.iter().all(|&e| e == first) => DenseData::Splat(first),
        _ => DenseData::Elements(elements),
    };
    Some(ctx.attr_of(AttrData::DenseElements { ty, data }))
}
