//! Walks `func.func` bodies: binds arguments, evaluates ops in order, follows `func.call`
//! and returns the operands of `func.return`.

use crate::eval::{RngState, eval_aten};
use crate::tensor::{DType, RuntimeValue, Tensor, describe};
use joinery_aot::FuncDescriptors;
use joinery_ir::{
    AttrData, AttrParam, Attribute, Context, DenseScalar, Diagnostic, Dim, OpId, Type, TypeData,
};
use rustc_hash::FxHashMap;

/// The op that makes PyTorch's `None` (a gradient slot without a gradient).
const NONE_OP: &str = "aot.none";

/// How deep `func.call`s may nest before the interpreter reports runaway recursion.
const MAX_CALL_DEPTH: usize = 256;

/// Options of a run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// The seed of random ops (`native_dropout`, `rand`, ...). The `k`-th random op of the
    /// run (from 0) draws from the stream `(seed, offset + k)`, unless the op pins its own
    /// stream with an `interp.seed` attribute (`(that seed, 0)`; it still counts). A
    /// function with Philox seed and offset arguments takes both from those instead.
    pub seed: u64,
    /// The first stream of the run: a compiled module advances it by its number of random
    /// ops per call, so that call `c` of a native module draws what a run with offset
    /// `c * ops` draws here.
    pub offset: u64,
}

/// Runs function `func_name` of `module` on `inputs` (one per argument, checked against
/// the signature) and returns its results; `RuntimeValue::None` marks results that an op
/// left absent (a masked-out gradient).
pub fn run_function(
    ctx: &Context,
    module: OpId,
    func_name: &str,
    inputs: Vec<Tensor>,
) -> Result<Vec<RuntimeValue>, Diagnostic> {
    run_function_with(ctx, module, func_name, inputs, &RunOptions::default())
}

/// [`run_function`] with explicit [`RunOptions`].
pub fn run_function_with(
    ctx: &Context,
    module: OpId,
    func_name: &str,
    inputs: Vec<Tensor>,
    options: &RunOptions,
) -> Result<Vec<RuntimeValue>, Diagnostic> {
    let func = lookup_func(ctx, module, func_name, ctx.span(module))?;
    if let Some(op) = joinery_aten::first_reference_op(ctx, func) {
        return Err(joinery_aten::references_refused(ctx, op, "the interpreter"));
    }
    let (arg_types, _) = joinery_func::signature(ctx, func).ok_or_else(|| {
        Diagnostic::error(format!("@{func_name} has no function type")).with_span(ctx.span(func))
    })?;
    if inputs.len() != arg_types.len() {
        return Err(Diagnostic::error(format!(
            "@{func_name} takes {} argument(s) but {} input(s) were given",
            arg_types.len(),
            inputs.len()
        ))
        .with_span(ctx.span(func)));
    }
    let args: Vec<RuntimeValue> = inputs.into_iter().map(RuntimeValue::Tensor).collect();
    for (i, (value, &ty)) in args.iter().zip(&arg_types).enumerate() {
        if let Err(problem) = check_value(ctx, ty, value) {
            let desc = arg_descriptor(ctx, func, i).map_or_else(String::new, |d| format!(" ({d})"));
            return Err(
                Diagnostic::error(format!("input #{i}{desc} of @{func_name}: {problem}"))
                    .with_span(ctx.span(func)),
            );
        }
    }
    let rng = philox_state(ctx, func, &args).unwrap_or(RngState {
        seed: options.seed,
        counter: options.offset,
    });
    let mut interp = Interp {
        ctx,
        module,
        rng,
        depth: 0,
    };
    interp.call(func, args)
}

/// The random state given by the function's own Philox seed and base offset arguments
/// (`#aot.philox_fwd_seed` and `#aot.philox_fwd_base_offset`, else the backward's pair;
/// one-element integer tensors), if it has them: PyTorch's functionalized RNG state,
/// which then replaces [`RunOptions`]' (the native backend reads the same arguments).
fn philox_state(ctx: &Context, func: OpId, args: &[RuntimeValue]) -> Option<RngState> {
    let (seed, offset) = FuncDescriptors::read(ctx, func)?.philox_args()?;
    let value = |i: usize| {
        let t = args.get(i)?.as_tensor()?;
        (t.len() == 1 && !t.dtype().is_float() && t.dtype() != DType::Bool)
            .then(|| t.to_i64().iter().next().copied())
            .flatten()
    };
    Some(RngState {
        seed: value(seed)? as u64,
        counter: value(offset)? as u64,
    })
}

fn lookup_func(
    ctx: &Context,
    module: OpId,
    name: &str,
    span: Option<joinery_ir::Span>,
) -> Result<OpId, Diagnostic> {
    match ctx.lookup_symbol(module, name) {
        Some(f) if ctx.name_str(f) == joinery_func::FUNC_OP.name => Ok(f),
        Some(f) => Err(Diagnostic::error(format!(
            "@{name} is a '{}', not a 'func.func'",
            ctx.name_str(f)
        ))
        .with_span(ctx.span(f))),
        None => Err(
            Diagnostic::error(format!("no function named @{name} in the module")).with_span(span),
        ),
    }
}

/// Whether a runtime value fits a declared type; the error says how it does not.
fn check_value(ctx: &Context, ty: Type, value: &RuntimeValue) -> Result<(), String> {
    match (ctx.type_data(ty), value) {
        (TypeData::None, RuntimeValue::None) => Ok(()),
        (TypeData::RankedTensor { shape, element }, RuntimeValue::Tensor(t)) => {
            let dtype = DType::from_element_type(ctx, *element).map_err(|d| d.message)?;
            let dims_ok = shape.len() == t.ndim()
                && shape
                    .iter()
                    .zip(t.shape())
                    .all(|(d, &n)| d.extent().is_none_or(|e| e == n as u64));
            if dtype != t.dtype() || !dims_ok {
                return Err(format!(
                    "expected {}, got {}",
                    type_text(shape, dtype),
                    t.describe()
                ));
            }
            Ok(())
        }
        (TypeData::UnrankedTensor { element }, RuntimeValue::Tensor(t)) => {
            let dtype = DType::from_element_type(ctx, *element).map_err(|d| d.message)?;
            if dtype != t.dtype() {
                return Err(format!("expected {dtype} elements, got {}", t.describe()));
            }
            Ok(())
        }
        (TypeData::Integer { .. } | TypeData::Float(_), RuntimeValue::Tensor(t)) => {
            // A number (`sym_size.int`, `_local_scalar_dense`) is held as a rank-0 tensor.
            let dtype = DType::from_element_type(ctx, ty).map_err(|d| d.message)?;
            if dtype != t.dtype() || t.ndim() != 0 {
                return Err(format!(
                    "expected a number of type {dtype}, got {}",
                    t.describe()
                ));
            }
            Ok(())
        }
        (_, RuntimeValue::None) => Err("expected a tensor, got None".into()),
        (_, RuntimeValue::Tensor(t)) => Err(format!(
            "expected a value of a non-tensor type, got a tensor {}",
            t.describe()
        )),
    }
}

/// The tensor an `arith.constant` holds.
pub(crate) fn constant_tensor(ctx: &Context, op: OpId) -> Result<Tensor, Diagnostic> {
    let malformed = || {
        Diagnostic::error("'arith.constant' has no dense<...> value of its result type")
            .with_span(ctx.span(op))
    };
    let (ty, elements) = joinery_arith::constant_elements(ctx, op).ok_or_else(malformed)?;
    let (dims, element) = ctx.tensor_parts(ty).ok_or_else(malformed)?;
    let dtype = DType::from_element_type(ctx, element).map_err(|d| d.with_span(ctx.span(op)))?;
    let shape: Vec<usize> = dims
        .iter()
        .map(|d| d.extent().map(|n| n as usize))
        .collect::<Option<_>>()
        .ok_or_else(malformed)?;
    let dims = ndarray::IxDyn(&shape);
    Ok(if dtype.is_float() {
        let floats = elements.iter().map(|e| e.as_f64()).collect();
        Tensor::from_f64(
            ndarray::ArrayD::from_shape_vec(dims, floats).map_err(|_| malformed())?,
            dtype,
        )
    } else {
        let ints = elements
            .iter()
            .map(|e| match *e {
                DenseScalar::Int(v) => v,
                DenseScalar::Bool(b) => i64::from(b),
                DenseScalar::Float(f) => f.0 as i64,
            })
            .collect();
        Tensor::from_i64(
            ndarray::ArrayD::from_shape_vec(dims, ints).map_err(|_| malformed())?,
            dtype,
        )
    })
}

fn type_text(shape: &[Dim], dtype: DType) -> String {
    let dims: Vec<String> = shape
        .iter()
        .map(|d| d.extent().map_or("?".into(), |e| e.to_string()))
        .collect();
    format!("{dtype}[{}]", dims.join(", "))
}

/// The `aot.desc` descriptor of argument `i` of a function, as text.
fn arg_descriptor(ctx: &Context, func: OpId, i: usize) -> Option<String> {
    let attrs = ctx.as_array(ctx.attr(func, "arg_attrs")?)?;
    let desc = ctx.dictionary_get(*attrs.get(i)?, "aot.desc")?;
    Some(attr_text(ctx, desc))
}

/// A compact rendering of an attribute for messages (descriptors, mostly).
fn attr_text(ctx: &Context, attr: Attribute) -> String {
    match ctx.attr_data(attr) {
        AttrData::String(s) => format!("{s:?}"),
        AttrData::Integer { value, .. } => value.to_string(),
        AttrData::Float { value, .. } => value.0.to_string(),
        AttrData::Bool(b) => b.to_string(),
        AttrData::Unit => "unit".into(),
        AttrData::Array(items) => {
            let parts: Vec<String> = items.iter().map(|&a| attr_text(ctx, a)).collect();
            format!("[{}]", parts.join(", "))
        }
        AttrData::Dialect {
            dialect,
            name,
            params,
        } => {
            let parts: Vec<String> = params
                .iter()
                .map(|p| match p {
                    AttrParam::Attr(a) => attr_text(ctx, *a),
                    AttrParam::Int(n) => n.to_string(),
                    AttrParam::Keyword(k) => k.clone(),
                    AttrParam::Type(_) => "<type>".into(),
                })
                .collect();
            if parts.is_empty() {
                format!("#{dialect}.{name}")
            } else {
                format!("#{dialect}.{name}<{}>", parts.join(", "))
            }
        }
        other => format!("{other:?}"),
    }
}

struct Interp<'c> {
    ctx: &'c Context,
    module: OpId,
    rng: RngState,
    depth: usize,
}

impl Interp<'_> {
    fn call(
        &mut self,
        func: OpId,
        args: Vec<RuntimeValue>,
    ) -> Result<Vec<RuntimeValue>, Diagnostic> {
        let ctx = self.ctx;
        let Some(body) = ctx.body_block(func) else {
            return Err(Diagnostic::error(format!(
                "@{} is a declaration without a body",
                ctx.symbol_name(func).unwrap_or("?")
            ))
            .with_span(ctx.span(func)));
        };
        if ctx.region_blocks(ctx.regions(func)[0]).len() > 1 {
            return Err(
                Diagnostic::error("the interpreter runs single-block functions only")
                    .with_span(ctx.span(func)),
            );
        }
        let mut env: FxHashMap<joinery_ir::Value, RuntimeValue> = FxHashMap::default();
        for (&param, value) in ctx.block_args(body).iter().zip(args) {
            env.insert(param, value);
        }
        for op in ctx.block_ops(body) {
            let span = ctx.span(op);
            let name = ctx.name_str(op);
            let operands: Vec<&RuntimeValue> = ctx
                .operands(op)
                .iter()
                .map(|v| {
                    env.get(v).ok_or_else(|| {
                        Diagnostic::error(format!(
                            "'{name}' uses a value that has not been computed"
                        ))
                        .with_span(span)
                    })
                })
                .collect::<Result<_, _>>()?;
            if name == joinery_func::RETURN_OP.name {
                return Ok(operands.into_iter().cloned().collect());
            }
            let results = if name == NONE_OP {
                vec![RuntimeValue::None]
            } else if name == joinery_arith::CONSTANT_OP.name {
                vec![RuntimeValue::Tensor(constant_tensor(ctx, op)?)]
            } else if name == joinery_func::CALL_OP.name {
                let args = operands.into_iter().cloned().collect();
                self.eval_call(op, args)?
            } else if name.starts_with("aten.") {
                eval_aten(ctx, op, &operands, &mut self.rng).map_err(|d| {
                    let message = format!("'{name}': {}", d.message);
                    Diagnostic { message, ..d }.or_span(span)
                })?
            } else {
                return Err(Diagnostic::error(format!(
                    "the interpreter does not know the op '{name}'"
                ))
                .with_span(span));
            };
            let declared = ctx.results(op);
            if results.len() != declared.len() {
                return Err(Diagnostic::error(format!(
                    "'{name}' produced {} result(s) but the op declares {}",
                    results.len(),
                    declared.len()
                ))
                .with_span(span));
            }
            for (i, (&v, r)) in declared.iter().zip(results).enumerate() {
                if let RuntimeValue::Tensor(t) = &r
                    && let Err(problem) = check_value(ctx, ctx.value_type(v), &r)
                {
                    return Err(Diagnostic::error(format!(
                        "result #{i} of '{name}' does not match its declared type: {problem}"
                    ))
                    .with_span(span)
                    .with_note(
                        format!("the kernel computed {}", describe(t.dtype(), t.shape())),
                        None,
                    ));
                }
                env.insert(v, r);
            }
        }
        Err(Diagnostic::error("function body ends without 'func.return'").with_span(ctx.span(func)))
    }

    fn eval_call(
        &mut self,
        op: OpId,
        args: Vec<RuntimeValue>,
    ) -> Result<Vec<RuntimeValue>, Diagnostic> {
        let ctx = self.ctx;
        let span = ctx.span(op);
        let Some(callee) = ctx.attr(op, "callee").and_then(|a| ctx.as_symbol_ref(a)) else {
            return Err(Diagnostic::error("'func.call' needs a 'callee' symbol").with_span(span));
        };
        let func = lookup_func(ctx, self.module, callee, span)?;
        if self.depth >= MAX_CALL_DEPTH {
            return Err(Diagnostic::error(format!(
                "calls nest deeper than {MAX_CALL_DEPTH} levels (unbounded recursion?)"
            ))
            .with_span(span));
        }
        self.depth += 1;
        let out = self.call(func, args);
        self.depth -= 1;
        out
    }
}
