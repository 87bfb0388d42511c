//! Checks every aten kernel against PyTorch: each line of `fixtures/manifest.tsv` (written
//! by `fixtures/gen_fixtures.py`) becomes a one-op `func.func`, run by the interpreter on
//! the recorded inputs and compared with PyTorch's recorded outputs: within 1e-5 relative
//! (plus 1e-6 absolute, for values that cancel to about zero) for f32, 1e-10 for f64, and
//! exactly for integers and bools.

use joinery_interp::{RuntimeValue, Tensor, run_function};
use joinery_ir::{Attribute, Builder, Context, InsertPoint, OpId, OperationState, Type};
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn load(file: &str) -> Tensor {
    let bytes = std::fs::read(fixtures().join("npy").join(file)).expect("fixture file");
    Tensor::read_npy(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn tensor_type(ctx: &mut Context, t: &Tensor) -> Type {
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
            let ty = match value {
                "f32" => ctx.float_type(joinery_ir::FloatKind::F32),
                "f64" => ctx.float_type(joinery_ir::FloatKind::F64),
                "i64" => ctx.integer_type(64),
                "i32" => ctx.integer_type(32),
                "i1" => ctx.integer_type(1),
                other => panic!("unknown dtype {other}"),
            };
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

struct Case {
    name: String,
    op: String,
    attrs: Vec<(String, String, String)>,
    inputs: Vec<Tensor>,
    outputs: Vec<Option<Tensor>>,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixtures().join("manifest.tsv")).expect("manifest");
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
                .map(|i| load(i.split_once(':').expect("arg:file").1))
                .collect();
            let outputs = cols[4]
                .split(',')
                .map(|o| (o != "-").then(|| load(o)))
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
fn build(ctx: &mut Context, case: &Case) -> (OpId, OpId) {
    let module = ctx.create_module();
    let arg_types: Vec<Type> = case.inputs.iter().map(|t| tensor_type(ctx, t)).collect();
    let result_types: Vec<Type> = case
        .outputs
        .iter()
        .map(|o| match o {
            Some(t) => tensor_type(ctx, t),
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
    let attrs: Vec<(String, Attribute)> = case
        .attrs
        .iter()
        .map(|(n, k, v)| (n.clone(), attribute(ctx, k, v)))
        .collect();
    let args = ctx.block_args(entry).to_vec();
    let mut b = Builder::new(ctx, InsertPoint::End(entry));
    let op = b.build(&case.op, &args, &result_types, attrs);
    let results = b.ctx.results(op).to_vec();
    b.build("func.return", &results, &[], Vec::new());
    (module, op)
}

fn close(got: &Tensor, want: &Tensor) -> Result<(), String> {
    if got.dtype() != want.dtype() || got.shape() != want.shape() {
        return Err(format!("got {}, want {}", got.describe(), want.describe()));
    }
    if !want.dtype().is_float() {
        return if got.to_i64() == want.to_i64() {
            Ok(())
        } else {
            Err(format!("got {:?}, want {:?}", got.to_i64(), want.to_i64()))
        };
    }
    let (rtol, atol) = if want.dtype() == joinery_interp::DType::F32 {
        (1e-5, 1e-6)
    } else {
        (1e-10, 1e-12)
    };
    for (i, (g, w)) in got.to_f64().iter().zip(want.to_f64().iter()).enumerate() {
        let ok = (g.is_nan() && w.is_nan()) || g == w || (g - w).abs() <= atol + rtol * w.abs();
        if !ok {
            return Err(format!("element {i}: got {g}, want {w}"));
        }
    }
    Ok(())
}

#[test]
fn every_fixture_matches_pytorch() {
    let cases = cases();
    assert!(cases.len() > 150, "the manifest lost cases");
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(
        names.len(),
        before,
        "two fixture cases share a name (and files)"
    );
    let mut failures = Vec::new();
    for case in &cases {
        let mut ctx = Context::new(&[&joinery_func::FUNC_DIALECT, &joinery_aten::ATEN_DIALECT]);
        let (module, op) = build(&mut ctx, case);
        // The aten dialect's inference agrees with PyTorch's result types.
        match joinery_aten::infer_op(&ctx, op) {
            Ok(inferred) => {
                for (j, (info, want)) in inferred.iter().zip(&case.outputs).enumerate() {
                    let Some(want) = want else { continue };
                    let ty = tensor_type(&mut ctx, want);
                    let want = joinery_aten::TensorInfo::from_type(&ctx, ty);
                    if want.as_ref() != Some(info) {
                        failures.push(format!(
                            "{} ({}) result #{j}: inferred {info:?}, PyTorch gives {want:?}",
                            case.name, case.op
                        ));
                    }
                }
            }
            Err(e) => failures.push(format!("{} ({}): inference: {e}", case.name, case.op)),
        }
        let got = match run_function(&ctx, module, &case.name, case.inputs.clone()) {
            Ok(got) => got,
            Err(d) => {
                failures.push(format!("{} ({}): {}", case.name, case.op, d.message));
                continue;
            }
        };
        for (j, (g, w)) in got.iter().zip(&case.outputs).enumerate() {
            let problem = match (g, w) {
                (RuntimeValue::Tensor(g), Some(w)) => close(g, w).err(),
                (RuntimeValue::None, None) => None,
                (g, w) => Some(format!(
                    "got {}, want {}",
                    if matches!(g, RuntimeValue::None) {
                        "None"
                    } else {
                        "a tensor"
                    },
                    if w.is_none() { "None" } else { "a tensor" }
                )),
            };
            if let Some(p) = problem {
                failures.push(format!("{} ({}) result #{j}: {p}", case.name, case.op));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from PyTorch:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
