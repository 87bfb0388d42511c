//! The interpreter's fixtures (`fixtures/manifest.tsv`, written by
//! `fixtures/gen_fixtures.py`): one-op cases with PyTorch's inputs and outputs, each built
//! into a `func.func`. Shared by the interpreter's and the native backend's fixture tests.

use joinery_interp::Tensor;
use joinery_ir::{Attribute, Builder, Context, Dim, InsertPoint, OpId, OperationState, Type};
use std::path::Path;

fn load(dir: &Path, file: &str) -> Tensor {
    let bytes = std::fs::read(dir.join("npy").join(file)).expect("fixture file");
    Tensor::read_npy(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// The tensor type of `t`.
pub fn tensor_type(ctx: &mut Context, t: &Tensor) -> Type {
    let element = ctx.dtype_type(t.dtype().to_aten());
    let shape: Vec<u64> = t.shape().iter().map(|&d| d as u64).collect();
    ctx.static_tensor_type(&shape, element)
}

/// Decodes one `name=kind:value` attribute of the manifest.
fn attribute(ctx: &mut Context, kind: &str, value: &str) -> Attribute {
    let list = |v: &str| -> Vec<String> {
        v.split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    };
    match kind {
        "i" => ctx.integer_attr(value.parse().expect("int"), 64),
        "f" => {
            let f64_ty = ctx.float_type(joinery_ir::FloatKind::F64);
            ctx.float_attr(value.parse().expect("float"), f64_ty)
        }
        "b" => ctx.bool_attr(value == "1"),
        "s" => ctx.string_attr(value),
        "t" => {
            let dtype = joinery_ir::DType::from_keyword(value)
                .unwrap_or_else(|| panic!("unknown dtype {value}"));
            let ty = ctx.dtype_type(dtype);
            ctx.type_attr(ty)
        }
        "ints" => {
            let items = list(value)
                .iter()
                .map(|v| ctx.integer_attr(v.parse().expect("int"), 64))
                .collect();
            ctx.array_attr(items)
        }
        "floats" => {
            let f64_ty = ctx.float_type(joinery_ir::FloatKind::F64);
            let items = list(value)
                .iter()
                .map(|v| ctx.float_attr(v.parse().expect("float"), f64_ty))
                .collect();
            ctx.array_attr(items)
        }
        "bools" => {
            let items = list(value)
                .iter()
                .map(|v| ctx.bool_attr(v == "1"))
                .collect();
            ctx.array_attr(items)
        }
        other => panic!("unknown attribute kind {other}"),
    }
}

/// One fixture: an op applied to recorded inputs, and PyTorch's outputs (`None` slots).
pub struct Case {
    pub name: String,
    pub op: String,
    pub attrs: Vec<(String, String, String)>,
    pub inputs: Vec<Tensor>,
    pub outputs: Vec<Option<Tensor>>,
}

/// The cases of `dir/manifest.tsv` with their `.npy` inputs and outputs.
pub fn cases(dir: &Path) -> Vec<Case> {
    let text = std::fs::read_to_string(dir.join("manifest.tsv")).expect("manifest");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 5, "bad manifest line: {line}");
            let attrs = cols[2]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|a| {
                    let (name, rest) = a.split_once('=').expect("name=kind:value");
                    let (kind, value) = rest.split_once(':').expect("kind:value");
                    (name.to_string(), kind.to_string(), value.to_string())
                })
                .collect();
            let inputs = cols[3]
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|i| load(dir, i.split_once(':').expect("arg:file").1))
                .collect();
            let outputs = cols[4]
                .split(',')
                .map(|o| (o != "-").then(|| load(dir, o)))
                .collect();
            Case {
                name: cols[0].to_string(),
                op: cols[1].to_string(),
                attrs,
                inputs,
                outputs,
            }
        })
        .collect()
}

/// A module holding `func.func @case` that applies the case's op to its arguments, and
/// that op.
pub fn build(ctx: &mut Context, case: &Case) -> (OpId, OpId) {
    let module = ctx.create_module();
    let op = build_into(ctx, module, case);
    (module, op)
}

/// Appends `func.func @case` to `module`; returns the case's op.
pub fn build_into(ctx: &mut Context, module: OpId, case: &Case) -> OpId {
    let arg_types: Vec<Type> = case.inputs.iter().map(|t| tensor_type(ctx, t)).collect();
    let attrs: Vec<(String, Attribute)> = case
        .attrs
        .iter()
        .map(|(n, k, v)| (n.clone(), attribute(ctx, k, v)))
        .collect();
    let returns = joinery_aten::schema(&case.op).map_or(&[][..], |s| &s.returns[..]);
    // A dim inference leaves dynamic (`nonzero`'s row count) depends on the values: it is
    // declared dynamic, as the exporter writes it, with PyTorch's extents elsewhere.
    let inferred = joinery_aten::infer_types(
        ctx,
        &case.op,
        &arg_types,
        attrs.iter().map(|(k, v)| (k.as_str(), *v)),
    )
    .unwrap_or_default();
    let result_types: Vec<Type> = (case.outputs.iter().enumerate())
        .map(|(i, o)| match o {
            // A number result (`sym_size.int`): PyTorch's number, saved as a 0-d array.
            Some(t) if returns.get(i).is_some_and(|r| r.is_number) => {
                ctx.dtype_type(t.dtype().to_aten())
            }
            Some(t) => {
                let inferred = inferred.get(i).and_then(|info| info.shape.as_deref());
                let dims = (t.shape().iter().enumerate())
                    .map(|(d, &n)| match inferred.and_then(|dims| dims.get(d)) {
                        Some(Dim::Dynamic) => Dim::Dynamic,
                        _ => Dim::Static(n as u64),
                    })
                    .collect();
                let element = ctx.dtype_type(t.dtype().to_aten());
                ctx.tensor_type(dims, element)
            }
            None => ctx.none_type(),
        })
        .collect();
    let region = ctx.create_region();
    let entry = ctx.create_block(&arg_types);
    ctx.append_block(region, entry);
    let fn_type = ctx.function_type(arg_types, result_types.clone());
    let fn_type = ctx.type_attr(fn_type);
    let sym = ctx.string_attr(case.name.clone());
    let mut state = OperationState::new(ctx.op_name("func.func"));
    state.attrs = vec![("sym_name".into(), sym), ("function_type".into(), fn_type)];
    state.regions.push(region);
    let func = ctx.create_op(state);
    let body = ctx.body_block(module).expect("module body");
    ctx.append_op(body, func);
    let args = ctx.block_args(entry).to_vec();
    let mut b = Builder::new(ctx, InsertPoint::End(entry));
    let op = b.build(&case.op, &args, &result_types, attrs);
    let results = b.ctx.results(op).to_vec();
    b.build("func.return", &results, &[], Vec::new());
    op
}

/// Every value of a float or complex tensor (a complex number as its two parts).
fn parts(t: &Tensor) -> Vec<f64> {
    if t.dtype().is_complex() {
        t.to_c128().iter().flat_map(|z| [z.re, z.im]).collect()
    } else {
        t.to_f64().iter().copied().collect()
    }
}

/// Whether `got` is `want` within the fixtures' tolerance: 1e-5 relative (plus 1e-6
/// absolute) for f32 and the parts of complex<f32>, 1e-10 for f64 and complex<f64>, exact
/// for integers and bools; NaN matches NaN.
pub fn close(got: &Tensor, want: &Tensor) -> Result<(), String> {
    if got.dtype() != want.dtype() || got.shape() != want.shape() {
        return Err(format!("got {}, want {}", got.describe(), want.describe()));
    }
    if !want.dtype().is_float() && !want.dtype().is_complex() {
        return if got.to_i64() == want.to_i64() {
            Ok(())
        } else {
            Err(format!("got {:?}, want {:?}", got.to_i64(), want.to_i64()))
        };
    }
    let (rtol, atol) = if want.dtype().to_real() == joinery_interp::DType::F32 {
        (1e-5, 1e-6)
    } else {
        (1e-10, 1e-12)
    };
    for (i, (g, w)) in parts(got).iter().zip(parts(want).iter()).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= atol + rtol * w.abs();
        if !ok {
            return Err(format!("element {i}: got {g}, want {w}"));
        }
    }
    Ok(())
}
