//! For every joint PyTorch traced in the conformance zoo (`dialects/aot/partition/tests/zoo`),
//! the repository's examples and two TwoTensor models (`tests/subclass_joints`, whose
//! tangents and gradients come in subclass pieces): its forward part (the joint without tangents, gradient
//! slots and the ops only they use), differentiated by `aot-make-joint`, has exactly the
//! joint's descriptors, in order, and computes the same forward outputs and gradients in
//! the interpreter (1e-5 relative, f32).

use joinery_aot::{AotInput, AotOutput, FuncDescriptors};
use joinery_autodiff::{JointOptions, make_joint};
use joinery_graphgen::fixtures::{context, inputs, parse};
use joinery_interp::{RuntimeValue, run_function};
use joinery_ir::{Context, OpId, Traits};
use std::path::{Path, PathBuf};

/// Turns the joint `func` into its forward part in place; returns the plain inputs that
/// get a gradient in the joint (PyTorch's `requires_grad=True` user inputs).
fn forward_part(ctx: &mut Context, func: OpId) -> Vec<i64> {
    let descs = FuncDescriptors::read(ctx, func).expect("descriptors");
    let mut requires = Vec::new();
    for (i, slot) in descs.results.iter().enumerate().rev() {
        match slot.desc().map(AotOutput::root) {
            Some(AotOutput::Grad { grad_of }) => {
                if let AotInput::Plain { idx } = grad_of.as_ref()
                    && !requires.contains(&(*idx as i64))
                {
                    requires.push(*idx as i64);
                }
                joinery_func::edit::erase_result(ctx, func, i);
            }
            Some(AotOutput::NoneGrad { .. }) => joinery_func::edit::erase_result(ctx, func, i),
            _ => {}
        }
    }
    let body = ctx.body_block(func).expect("body");
    let ret = ctx.last_op(body).expect("terminator");
    let ops: Vec<OpId> = ctx.block_ops(body).filter(|&op| op != ret).collect();
    for op in ops.into_iter().rev() {
        if ctx.results(op).iter().all(|&r| ctx.is_unused(r)) {
            ctx.erase_op(op);
        }
    }
    for (i, slot) in descs.args.iter().enumerate().rev() {
        if slot.desc().is_some_and(AotInput::is_tangent) {
            joinery_func::edit::erase_argument(ctx, func, i);
        }
    }
    requires
}

fn joint_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["../partition/tests/zoo", "tests/subclass_joints"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root.join(dir)).expect("zoo directory"))
        .map(|e| e.expect("entry").path())
        .collect();
    files.push(root.join("../../../examples/mlp_joint.mlir"));
    files.push(root.join("../../../examples/linear_relu_joint.mlir"));
    files.sort();
    files
}

fn functions(ctx: &Context, module: OpId) -> Vec<OpId> {
    let body = ctx.body_block(module).expect("module body");
    ctx.block_ops(body)
        .filter(|&op| ctx.has_traits(op, Traits::FUNCTION_LIKE) && ctx.body_block(op).is_some())
        .collect()
}

fn close(got: &RuntimeValue, want: &RuntimeValue) -> Result<(), String> {
    match (got, want) {
        (RuntimeValue::None, RuntimeValue::None) => Ok(()),
        (RuntimeValue::Tensor(g), RuntimeValue::Tensor(w)) => {
            if g.shape() != w.shape() || g.dtype() != w.dtype() {
                return Err(format!("{} vs {}", g.describe(), w.describe()));
            }
            let (g, w) = (g.to_f64(), w.to_f64());
            let scale = w.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-3);
            for (a, b) in g.iter().zip(w.iter()) {
                if (a - b).abs() > 1e-5 * scale {
                    return Err(format!("{a} vs {b} (scale {scale})"));
                }
            }
            Ok(())
        }
        _ => Err("a tensor against None".to_string()),
    }
}

#[test]
fn forward_parts_of_the_zoo_differentiate_to_pytorchs_joints() {
    let mut checked = 0;
    for path in joint_files() {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut reference = context();
        let ref_module = parse(&mut reference, &name, &text);
        let mut ctx = context();
        let module = parse(&mut ctx, &name, &text);
        for (joint, func) in functions(&reference, ref_module)
            .into_iter()
            .zip(functions(&ctx, module))
        {
            let fname = ctx.symbol_name(func).unwrap_or("?").to_string();
            let plain_requires_grad = forward_part(&mut ctx, func);
            make_joint(
                &mut ctx,
                func,
                &JointOptions {
                    plain_requires_grad,
                },
            )
            .unwrap_or_else(|d| panic!("{name} @{fname}: {d:?}"));
            let diags = joinery_ir::verify::verify(&ctx, module);
            assert!(
                diags.is_empty(),
                "{name} @{fname}: invalid joint: {diags:?}"
            );
            assert_eq!(
                FuncDescriptors::read(&ctx, func),
                FuncDescriptors::read(&reference, joint),
                "{name} @{fname}: the made joint's descriptors differ from PyTorch's"
            );
            let args = inputs(&reference, joint, 1);
            let want = run_function(&reference, ref_module, &fname, args.clone())
                .unwrap_or_else(|d| panic!("{name} @{fname}: PyTorch's joint fails: {d:?}"));
            let got = run_function(&ctx, module, &fname, args)
                .unwrap_or_else(|d| panic!("{name} @{fname}: the made joint fails: {d:?}"));
            assert_eq!(got.len(), want.len());
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                if let Err(e) = close(g, w) {
                    panic!("{name} @{fname}: result {i} differs: {e}");
                }
            }
            checked += 1;
        }
    }
    eprintln!("{checked} joints differentiate to PyTorch's grads");
    assert!(checked >= 17, "only {checked} joints checked");
}
