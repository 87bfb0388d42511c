//! What tests over hand-written and exported joints share: a context with the dialects
//! joints use, parsing that panics with the diagnostic, and deterministic inputs for a
//! function's arguments.

use joinery_interp::{DType, Tensor};
use joinery_ir::{Context, OpId, SourceMap};

/// A context with func, arith, aot and aten.
pub fn context() -> Context {
    Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
    ])
}

/// Parses `text` into `ctx`, panicking with the diagnostic on failure.
pub fn parse(ctx: &mut Context, name: &str, text: &str) -> OpId {
    let mut sources = SourceMap::default();
    let file = sources.add(name, text);
    joinery_syntax::parse_source(ctx, &sources, file)
        .unwrap_or_else(|d| panic!("{name} does not parse: {d:?}"))
}

/// Deterministic inputs for the arguments of `func` (statically shaped tensors), the same
/// for the same `seed`: floats in about [-0.9, 1.1] (none exactly 0), integers in `[0, 2)`
/// (valid indices and class targets for every zoo model), alternating booleans.
pub fn inputs(ctx: &Context, func: OpId, seed: u64) -> Vec<Tensor> {
    let (types, _) = joinery_func::signature(ctx, func).expect("function type");
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15 ^ seed;
    types
        .iter()
        .map(|&ty| {
            let (dims, element) = ctx.tensor_parts(ty).expect("tensor argument");
            let shape: Vec<usize> = dims
                .iter()
                .map(|d| d.extent().expect("a static dim") as usize)
                .collect();
            let dtype = DType::from_element_type(ctx, element).expect("element type");
            let n: usize = shape.iter().product();
            let values = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    let r = (state >> 33) as f64 / (1u64 << 31) as f64;
                    match dtype {
                        DType::Bool => (r > 0.5) as u8 as f64,
                        d if d.is_float() => r * 2.0 - 0.9 + 1e-3,
                        _ => (r * 2.0).floor(),
                    }
                })
                .collect();
            Tensor::from_vec_f64(&shape, values, dtype)
        })
        .collect()
}
