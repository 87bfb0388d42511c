//! Checks every aten kernel against PyTorch: each line of `fixtures/manifest.tsv` (written
//! by `fixtures/gen_fixtures.py`) becomes a one-op `func.func`, run by the interpreter on
//! the recorded inputs and compared with PyTorch's recorded outputs: within 1e-5 relative
//! (plus 1e-6 absolute, for values that cancel to about zero) for f32, 1e-10 for f64, and
//! exactly for integers and bools.

#[path = "support/fixture_cases.rs"]
mod fixture_cases;

use fixture_cases::{build, cases, close, tensor_type};
use joinery_interp::{RuntimeValue, run_function};
use joinery_ir::Context;
use std::path::Path;

#[test]
fn every_fixture_matches_pytorch() {
    let cases = cases(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
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
        // The aten dialect's inference agrees with PyTorch's result types (a dynamic
        // inferred dim, as `nonzero`'s row count, stands for whatever extent PyTorch gives).
        match joinery_aten::infer_op(&ctx, op) {
            Ok(inferred) => {
                for (j, (info, want)) in inferred.iter().zip(&case.outputs).enumerate() {
                    let Some(want) = want else { continue };
                    let ty = tensor_type(&mut ctx, want);
                    let want = joinery_aten::TensorInfo::from_type(&ctx, ty);
                    if !want.as_ref().is_some_and(|w| info.is_compatible(w)) {
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
