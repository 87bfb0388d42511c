//! The native backend's op coverage, checked against PyTorch: every interpreter fixture
//! (one aten op on PyTorch's recorded inputs, `dialects/aten/interp/fixtures`) is compiled
//! natively and its results compared with PyTorch's recorded outputs; an op the backend
//! refuses must be listed in [`NOT_NATIVE`] (which only shrinks), and a wrong number is a
//! failure whatever the list says.

#[path = "../../../dialects/aten/interp/tests/support/fixture_cases.rs"]
#[allow(dead_code)] // `build` and `close` serve the interpreter's fixture test
mod fixture_cases;

use fixture_cases::{Case, build_into, cases};
use joinery_interp::Tensor as ITensor;
use joinery_interp::runtime::to_runtime;
use joinery_ir::Context;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Ops with a fixture case the native backend refuses (a compile-time diagnostic; the
/// test prints why), `(complex)` after the name for its cases on complex tensors. Remove an
/// op when it becomes native: the test fails until then.
const NOT_NATIVE: &[&str] = &[];

/// Native results within this relative tolerance of PyTorch's: the backend's polynomial
/// `exp`/`log`/`tanh`/`erf` and reassociated reductions round differently from PyTorch's
/// kernels.
const RTOL: f64 = 1e-4;

/// The fraction of a result's largest magnitude that is the floor of the relative error's
/// scale, for values that cancel to about zero (a sum of f32 terms with any sign).
const SCALE_FLOOR: f64 = 1e-2;

fn context() -> Context {
    Context::new(&[
        &joinery_func::FUNC_DIALECT,
        &joinery_arith::ARITH_DIALECT,
        &joinery_aot::AOT_DIALECT,
        &joinery_aten::ATEN_DIALECT,
        &joinery_native::KERNEL_DIALECT,
    ])
}

/// The symbol of a case's function (case names may be those of C math functions).
fn symbol(case: &Case) -> String {
    format!("case_{}", case.name)
}

fn compare(got: &joinery_runtime::Tensor<'_>, want: &ITensor) -> Result<(), String> {
    if got.shape() != want.shape() {
        return Err(format!(
            "shape {:?}, PyTorch {:?}",
            got.shape(),
            want.shape()
        ));
    }
    let g = got.to_f64_vec();
    let w: Vec<f64> = if want.dtype().is_complex() {
        want.to_c128().iter().flat_map(|z| [z.re, z.im]).collect()
    } else {
        want.to_f64().iter().copied().collect()
    };
    let scale = w
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, (a, b)) in g.iter().zip(w.iter()).enumerate() {
        let ok = a == b
            || (a.is_nan() && b.is_nan())
            || (a - b).abs() <= RTOL * (b.abs() + SCALE_FLOOR * scale);
        if !ok {
            return Err(format!("element {i}: native {a}, PyTorch {b}"));
        }
    }
    Ok(())
}

/// The op of a case as [`NOT_NATIVE`] names it: with `(complex)` when a tensor of the case
/// is complex.
fn op_key(case: &Case) -> String {
    let complex = case
        .inputs
        .iter()
        .chain(case.outputs.iter().flatten())
        .any(|t| t.dtype().is_complex());
    if complex {
        format!("{} (complex)", case.op)
    } else {
        case.op.clone()
    }
}

#[test]
fn every_fixture_runs_natively_or_its_op_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dialects/aten/interp/fixtures");
    let mut cases = cases(&dir);
    for c in &mut cases {
        c.name = symbol(c);
    }
    let mut ctx = context();
    let module = ctx.create_module();
    for c in &cases {
        build_into(&mut ctx, module, c);
    }
    // Which cases lower (no machine code yet), and why the others do not.
    let mut refused: BTreeMap<String, String> = BTreeMap::new();
    let mut native = Vec::new();
    let mut wrong = Vec::new();
    for c in &cases {
        let lowered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            joinery_native::compile(&mut ctx, module, std::slice::from_ref(&c.name)).map(|_| ())
        }));
        match lowered {
            Ok(Ok(())) => native.push(c),
            Ok(Err(d)) => {
                refused.entry(op_key(c)).or_insert(d.message);
            }
            Err(_) => wrong.push(format!("{} ({}): the compiler panicked", c.name, c.op)),
        }
    }
    let names: Vec<String> = native.iter().map(|c| c.name.clone()).collect();
    let (modules, _) = joinery_native::compile_and_load(&mut ctx, module, &names, 1)
        .unwrap_or_else(|d| panic!("compiling the native cases together: {}", d.message));
    for (c, m) in native.iter().zip(&modules) {
        let mut args: Vec<_> = c.inputs.iter().map(to_runtime).collect();
        match m.call(&mut args) {
            Err(e) => wrong.push(format!("{} ({}): {}", c.name, c.op, e.0)),
            Ok(got) => {
                for (j, (g, w)) in got.iter().zip(&c.outputs).enumerate() {
                    let problem = match (g, w) {
                        (Some(g), Some(w)) => compare(g, w).err(),
                        (None, None) => None,
                        _ => Some("none against a tensor".into()),
                    };
                    if let Some(p) = problem {
                        wrong.push(format!("{} ({}) result #{j}: {p}", c.name, c.op));
                    }
                }
            }
        }
    }
    let ops: BTreeSet<String> = cases.iter().map(op_key).collect();
    println!(
        "native coverage: {} of {} fixture cases, {} of {} ops",
        native.len(),
        cases.len(),
        ops.len() - refused.len(),
        ops.len()
    );
    assert!(
        wrong.is_empty(),
        "{} native results differ from PyTorch:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    for (op, why) in &refused {
        println!("refused {op}: {why}");
    }
    let listed: BTreeSet<&str> = NOT_NATIVE.iter().copied().collect();
    let newly_refused: Vec<String> = refused
        .iter()
        .filter(|(op, _)| !listed.contains(op.as_str()))
        .map(|(op, why)| format!("{op}: {}", why.lines().next().unwrap_or("")))
        .collect();
    let now_native: Vec<&str> = listed
        .iter()
        .filter(|op| !refused.contains_key(**op))
        .copied()
        .collect();
    assert!(
        newly_refused.is_empty() && now_native.is_empty(),
        "NOT_NATIVE is out of date.\nRefused but not listed:\n{}\nListed but native now (remove them): {now_native:?}",
        newly_refused.join("\n")
    );
}
