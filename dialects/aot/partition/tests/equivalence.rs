//! `backward(forward(x))` equals the joint in the reference interpreter, bit for bit, for
//! every test joint (lit inputs, the repository's examples, the conformance zoo and a
//! generated residual stack), both strategies and several memory budgets. Every partition
//! also verifies (the aot verifier checks the pair as the joint it came from).

use joinery_aot::{FuncDescriptors, JointPair, Slot, joint_pairs};
use joinery_graphgen::fixtures::{context, inputs, parse};
use joinery_interp::{RuntimeValue, Tensor, run_function};
use joinery_ir::{Context, OpId, Traits};
use joinery_partition::residual::ResidualStack;
use joinery_partition::{Partition, PartitionOptions, Strategy, partition_joint};
use std::path::Path;

/// The joint functions of a module: function-like ops with a body and descriptors.
fn joints(ctx: &Context, module: OpId) -> Vec<String> {
    let body = ctx.body_block(module).expect("module body");
    ctx.block_ops(body)
        .filter(|&op| ctx.has_traits(op, Traits::FUNCTION_LIKE) && ctx.body_block(op).is_some())
        .filter(|&op| FuncDescriptors::read(ctx, op).is_some_and(|d| d.has_any()))
        .filter_map(|op| ctx.symbol_name(op).map(str::to_string))
        .collect()
}

/// Partitions every joint of `text` with `options` and checks the interpreter equality.
fn check(name: &str, text: &str, options: PartitionOptions) -> Vec<Partition> {
    let mut reference = context();
    let ref_module = parse(&mut reference, name, text);
    let mut ctx = context();
    let module = parse(&mut ctx, name, text);
    let mut partitions = Vec::new();
    for joint in joints(&reference, ref_module) {
        let joint_func = reference
            .lookup_symbol(ref_module, &joint)
            .expect("the joint");
        let joint_inputs = inputs(&reference, joint_func, 0);
        let expected = run_function(&reference, ref_module, &joint, joint_inputs.clone())
            .unwrap_or_else(|d| panic!("{name}: @{joint} does not run: {d:?}"));
        let func = ctx.lookup_symbol(module, &joint).expect("same module");
        let p = partition_joint(&mut ctx, func, &options)
            .unwrap_or_else(|d| panic!("{name}: @{joint} does not partition: {d:?}"));
        let diags = joinery_ir::verify::verify(&ctx, module);
        assert!(
            diags.is_empty(),
            "{name} ({options:?}): invalid IR: {diags:?}"
        );

        let pair = joint_pairs(&ctx, module)
            .into_iter()
            .map(|(_, p)| p)
            .find(|p| p.forward == format!("{joint}_forward"))
            .expect("the pair op names the forward");
        let got = run_pair(
            &ctx,
            module,
            &pair,
            &reference,
            ref_module,
            &joint,
            &joint_inputs,
        );
        assert_eq!(
            got.len(),
            expected.len(),
            "{name} ({options:?}): result count"
        );
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert!(
                same(g, e),
                "{name} ({options:?}): result {i} of @{joint} differs after partitioning"
            );
        }
        partitions.push(p);
    }
    partitions
}

/// Bitwise equality (NaN payloads included).
fn same(a: &RuntimeValue, b: &RuntimeValue) -> bool {
    match (a, b) {
        (RuntimeValue::None, RuntimeValue::None) => true,
        (RuntimeValue::Tensor(x), RuntimeValue::Tensor(y)) => {
            x.dtype() == y.dtype()
                && x.shape() == y.shape()
                && x.to_f64()
                    .iter()
                    .zip(y.to_f64().iter())
                    .all(|(p, q)| p.to_bits() == q.to_bits())
        }
        _ => false,
    }
}

/// Runs forward then backward, feeding each argument from the joint's inputs by descriptor,
/// and returns the joint's results: forward outputs, then the backward's.
fn run_pair(
    ctx: &Context,
    module: OpId,
    pair: &JointPair,
    reference: &Context,
    ref_module: OpId,
    joint: &str,
    joint_inputs: &[Tensor],
) -> Vec<RuntimeValue> {
    let joint_func = reference.lookup_symbol(ref_module, joint).unwrap();
    let joint_descs = FuncDescriptors::read(reference, joint_func).unwrap();
    let by_desc = |slot: &Slot<joinery_aot::AotInput>| -> Tensor {
        let d = slot.desc().expect("described argument");
        let i = joint_descs
            .args
            .iter()
            .position(|s| s.desc() == Some(d))
            .expect("joint argument");
        joint_inputs[i].clone()
    };
    let fwd = ctx.lookup_symbol(module, &pair.forward).unwrap();
    let fwd_inputs: Vec<Tensor> = FuncDescriptors::read(ctx, fwd)
        .unwrap()
        .args
        .iter()
        .map(by_desc)
        .collect();
    let mut fwd_out = run_function(ctx, module, &pair.forward, fwd_inputs).expect("forward runs");
    let saved = fwd_out.split_off(pair.num_fwd_outputs);
    let bwd = ctx.lookup_symbol(module, &pair.backward).unwrap();
    let bwd_descs = FuncDescriptors::read(ctx, bwd).unwrap();
    let mut bwd_inputs: Vec<Tensor> = saved
        .into_iter()
        .map(|v| v.as_tensor().expect("saved values are tensors").clone())
        .collect();
    bwd_inputs.extend(bwd_descs.args[pair.num_saved..].iter().map(by_desc));
    let bwd_out = run_function(ctx, module, &pair.backward, bwd_inputs).expect("backward runs");
    fwd_out.extend(bwd_out);
    fwd_out
}

const STRATEGIES: &[(Strategy, f64)] = &[
    (Strategy::Default, 1.0),
    (Strategy::MinCut, 1.0),
    (Strategy::MinCut, 0.5),
    (Strategy::MinCut, 0.1),
    (Strategy::MinCut, 0.0),
];

fn check_all(name: &str, text: &str) {
    for &(strategy, memory_budget) in STRATEGIES {
        check(
            name,
            text,
            PartitionOptions {
                strategy,
                memory_budget,
            },
        );
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(3)
        .unwrap()
}

#[test]
fn lit_inputs_partition_to_the_joint() {
    let text =
        std::fs::read_to_string(repo().join("lit-tests/partition/aot-partition.mlir")).unwrap();
    for (k, chunk) in text.split("// -----").enumerate() {
        check_all(&format!("aot-partition.mlir chunk {k}"), chunk);
    }
}

#[test]
fn repository_examples_partition_to_the_joint() {
    for file in [
        "tests/inputs/linear_relu_joint.mlir",
        "examples/linear_relu_joint.mlir",
    ] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        check_all(file, &text);
    }
}

#[test]
fn conformance_zoo_partitions_to_the_joint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/zoo");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the zoo has its cases");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        check_all(&path.display().to_string(), &text);
    }
}

#[test]
fn constants_are_never_saved_but_rebuilt_in_the_backward() {
    for case in ["constants.mlir", "wrapped_number_core.mlir"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/zoo")
            .join(case);
        let text = std::fs::read_to_string(&path).unwrap();
        for &(strategy, memory_budget) in STRATEGIES {
            let options = PartitionOptions {
                strategy,
                memory_budget,
            };
            check(case, &text, options);
            let mut ctx = context();
            let module = parse(&mut ctx, case, &text);
            let func = ctx.lookup_symbol(module, "joint").unwrap();
            partition_joint(&mut ctx, func, &options).unwrap();
            let (_, pair) = joint_pairs(&ctx, module).into_iter().next().unwrap();
            let fwd = ctx.lookup_symbol(module, &pair.forward).unwrap();
            let ret = ctx.block_ops(ctx.body_block(fwd).unwrap()).last().unwrap();
            for &v in &ctx.operands(ret)[pair.num_fwd_outputs..] {
                let def = ctx.defining_op(v).map(|op| ctx.name_str(op));
                assert_ne!(
                    def,
                    Some("arith.constant"),
                    "{case} ({options:?}): a constant is saved"
                );
            }
            let bwd = ctx.lookup_symbol(module, &pair.backward).unwrap();
            let rebuilt = ctx
                .block_ops(ctx.body_block(bwd).unwrap())
                .filter(|&op| ctx.name_str(op) == "arith.constant")
                .count();
            assert!(
                rebuilt > 0,
                "{case} ({options:?}): the backward rebuilds its constants"
            );
        }
    }
}

#[test]
fn residual_stack_partitions_to_the_joint() {
    let stack = ResidualStack {
        layers: 3,
        batch: 2,
        width: 4,
    };
    for &(strategy, memory_budget) in STRATEGIES {
        let mut ctx = context();
        let module = stack.build(&mut ctx, "joint");
        let text = joinery_syntax::print_op(&ctx, module, &Default::default());
        let ps = check(
            "residual stack",
            &text,
            PartitionOptions {
                strategy,
                memory_budget,
            },
        );
        assert_eq!(ps.len(), 1);
    }
}

#[test]
fn a_lower_budget_saves_less_and_recomputes_more() {
    let stack = ResidualStack {
        layers: 4,
        batch: 8,
        width: 16,
    };
    let mut ctx = context();
    let module = stack.build(&mut ctx, "joint");
    let text = joinery_syntax::print_op(&ctx, module, &Default::default());
    let run = |strategy, memory_budget| {
        check(
            "residual stack",
            &text,
            PartitionOptions {
                strategy,
                memory_budget,
            },
        )
        .remove(0)
    };
    let default = run(Strategy::Default, 1.0);
    let full = run(Strategy::MinCut, 1.0);
    let half = run(Strategy::MinCut, 0.5);
    let none = run(Strategy::MinCut, 0.0);
    assert_eq!(default.recomputed_ops, 0);
    assert!(full.saved_bytes <= default.saved_bytes);
    assert!(half.saved_bytes <= full.saved_bytes);
    assert!(none.saved_bytes < full.saved_bytes, "{none:?} vs {full:?}");
    assert!(none.recomputed_ops > full.recomputed_ops);
}

#[test]
fn the_linear_relu_example_saves_what_pytorch_saves() {
    let text = std::fs::read_to_string(repo().join("tests/inputs/linear_relu_joint.mlir")).unwrap();
    let p = check("linear_relu_joint.mlir", &text, PartitionOptions::default()).remove(0);
    // {primals_4: 4x3 f32, relu: 4x2 f32}
    assert_eq!(
        (p.saved_tensors, p.saved_bytes, p.recomputed_ops),
        (2, 80, 0)
    );
}

/// A random op is never recomputed, at any memory budget: the backward draws nothing and
/// receives the forward's draws (a dropout mask) as saved values, so forward and backward
/// agree on them.
#[test]
fn random_ops_are_never_recomputed() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/zoo/dropout.mlir");
    let text = std::fs::read_to_string(&path).unwrap();
    let random = |ctx: &Context, func: OpId| {
        ctx.walk(func)
            .into_iter()
            .filter(|&op| {
                joinery_aten::aten_traits(ctx.name_str(op))
                    .contains(joinery_aten::AtenTraits::RANDOM)
            })
            .count()
    };
    for &(strategy, memory_budget) in STRATEGIES {
        let options = PartitionOptions {
            strategy,
            memory_budget,
        };
        let mut ctx = context();
        let module = parse(&mut ctx, "dropout.mlir", &text);
        let func = ctx.lookup_symbol(module, "joint").unwrap();
        let in_joint = random(&ctx, func);
        assert!(in_joint > 0, "the case draws random numbers");
        partition_joint(&mut ctx, func, &options).unwrap();
        let (_, pair) = joint_pairs(&ctx, module).into_iter().next().unwrap();
        let fwd = ctx.lookup_symbol(module, &pair.forward).unwrap();
        let bwd = ctx.lookup_symbol(module, &pair.backward).unwrap();
        assert_eq!(
            random(&ctx, fwd),
            in_joint,
            "{options:?}: the forward draws"
        );
        assert_eq!(random(&ctx, bwd), 0, "{options:?}: the backward redraws");
    }
}
