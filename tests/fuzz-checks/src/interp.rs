//! Verified IR through the reference interpreter: the first function with a body runs on
//! small deterministic inputs built from its signature. The run returns results of the
//! declared types or a located error; a panic, a result of another shape or dtype, or an
//! error without a location is a finding. Functions whose values (arguments, op results)
//! are not static tensors or numbers of at most `MAX_ELEMENTS` elements are skipped
//! before running, so the fuzzer cannot ask for more memory than a small graph needs.

use crate::text;
use joinery_interp::{DType, RuntimeValue, Tensor};
use joinery_ir::{Context, OpId, Type};

/// The largest value, in elements, a fuzzed function may declare.
const MAX_ELEMENTS: u64 = 4096;

/// The static shape and dtype of a value of type `ty`, if it is small enough to run.
fn small_static(ctx: &Context, ty: Type) -> Option<(Vec<usize>, DType)> {
    let (dims, element) = match ctx.tensor_parts(ty) {
        Some((dims, element)) => (dims.to_vec(), element),
        None => (Vec::new(), ty),
    };
    let dtype = DType::from_element_type(ctx, element).ok()?;
    let mut elements: u64 = 1;
    let mut shape = Vec::with_capacity(dims.len());
    for d in dims {
        let e = d.extent()?;
        elements = elements.checked_mul(e)?;
        shape.push(usize::try_from(e).ok()?);
    }
    (elements <= MAX_ELEMENTS).then_some((shape, dtype))
}

/// Whether every value of `func` (its signature, block arguments and op results) is
/// small.
fn runnable(ctx: &Context, func: OpId, signature: &[Type]) -> bool {
    let small = |ty: Type| small_static(ctx, ty).is_some();
    signature.iter().all(|&ty| small(ty))
        && ctx.walk(func).into_iter().all(|op| {
            let results = ctx.results(op).iter();
            let args = ctx
                .regions(op)
                .iter()
                .flat_map(|&r| ctx.region_blocks(r))
                .flat_map(|&b| ctx.block_args(b));
            results.chain(args).all(|&v| small(ctx.value_type(v)))
        })
}

/// Inputs for `types`: small floats of both signs, and integers in 0..3 (valid class
/// labels and indices for most small shapes, so runs get past index checks).
fn inputs(ctx: &Context, types: &[Type]) -> Vec<Tensor> {
    types
        .iter()
        .map(|&ty| {
            let (shape, dtype) = small_static(ctx, ty).expect("checked by runnable");
            let n: usize = shape.iter().product();
            let values = (0..n)
                .map(|i| {
                    if dtype.is_float() || dtype.is_complex() {
                        (i % 7) as f64 * 0.25 - 0.75
                    } else {
                        (i % 3) as f64
                    }
                })
                .collect();
            Tensor::from_vec_f64(&shape, values, dtype)
        })
        .collect()
}

/// Verified IR through the reference interpreter: the first function with a body runs on
/// small deterministic inputs built from its signature, and returns results of the
/// declared types or a located error.
pub fn check(data: &[u8]) {
    let Some(text) = text::text(data) else {
        return;
    };
    let Some((ctx, module)) = text::parse_verified(&text) else {
        return;
    };
    let Some(func) = ctx.body_block(module).and_then(|body| {
        ctx.block_ops(body)
            .find(|&op| ctx.name_str(op) == "func.func" && ctx.body_block(op).is_some())
    }) else {
        return;
    };
    let Some((arg_types, result_types)) = joinery_func::signature(&ctx, func) else {
        return;
    };
    let signature: Vec<Type> = arg_types.iter().chain(&result_types).copied().collect();
    if !runnable(&ctx, func, &signature) {
        return;
    }
    let name = ctx
        .symbol_name(func)
        .expect("a verified func.func has a name")
        .to_string();
    match joinery_interp::run_function(&ctx, module, &name, inputs(&ctx, &arg_types)) {
        Ok(results) => {
            assert_eq!(
                results.len(),
                result_types.len(),
                "@{name} returned a wrong count"
            );
            for (i, (value, &ty)) in results.iter().zip(&result_types).enumerate() {
                if let RuntimeValue::Tensor(t) = value {
                    let (shape, dtype) = small_static(&ctx, ty).expect("checked by runnable");
                    assert_eq!(
                        (t.shape(), t.dtype()),
                        (shape.as_slice(), dtype),
                        "result #{i} of @{name} is not of its declared type"
                    );
                }
            }
        }
        Err(d) => text::assert_refusal("the interpreter", &[d], true),
    }
}
