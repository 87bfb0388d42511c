//! Robustness of the native pipeline on L3 text (issue 10): thousands of structured
//! mutants of the kernel lit inputs and of the L3 the pipeline makes from `examples/`,
//! each parsed, verified and, when it verifies, fused, memory-planned, turned into
//! runtime plans and LLVM IR. Diagnostics are fine; a panic, IR a pass left invalid, or
//! LLVM IR that LLVM's verifier rejects fails the test with the mutant. Deterministic:
//! `JOINERY_ROBUSTNESS_SEED` and `JOINERY_ROBUSTNESS_MUTANTS` change the run.

mod l3_fuzz;

use joinery_ir::Context;
use joinery_pass::PassManager;
use l3_fuzz::{Outcome, Rng, check, mutate, parse};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Text of `module` after `pipeline`, or `None` if it fails.
fn lowered(text: &str, pipelines: &[&str]) -> Option<String> {
    let (mut ctx, module): (Context, _) = parse(text)?;
    let passes = joinery_all::passes();
    for p in pipelines {
        let mut pm = PassManager::parse(&passes, p).ok()?;
        pm.run(&mut ctx, module).ok()?;
    }
    Some(joinery_syntax::print_op(&ctx, module, &Default::default()))
}

/// The chunks of the kernel lit tests and their inputs, the L3 of the aten chunks and of
/// the examples (unplanned, and planned by the whole pipeline).
fn corpus() -> Vec<String> {
    let mut texts = Vec::new();
    let mut files: Vec<PathBuf> = ["lit-tests/kernel", "lit-tests/kernel/Inputs"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(root().join(dir)).expect("lit inputs"))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mlir"))
        .collect();
    files.sort();
    let convert = joinery_native::CONVERT_PIPELINE;
    let plan = "builtin.module(func.func(kernel-fuse,kernel-plan-memory))";
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for chunk in text.split("\n// -----\n") {
            texts.push(chunk.to_string());
            if chunk.contains("aten.")
                && let Some(l3) = lowered(chunk, &[convert])
            {
                texts.push(l3);
            }
        }
    }
    let mut examples = 0;
    for name in ["linear_relu_joint.mlir", "mlp_joint.mlir"] {
        let text = std::fs::read_to_string(root().join("examples").join(name)).expect("read");
        let partition = "builtin.module(aot-partition)";
        let unplanned = lowered(&text, &[partition, convert]).expect("example lowers");
        let planned = lowered(&unplanned, &[plan]).expect("example plans");
        texts.push(unplanned);
        texts.push(planned);
        examples += 2;
    }
    assert!(examples > 0 && texts.len() > 20, "corpus too small");
    texts
}

/// `check`, with a panic turned into `Err` naming it (and its source location).
fn guarded_check(text: &str) -> Result<Outcome, String> {
    joinery_guard::catch(|| check(text)).unwrap_or_else(|panic| Err(format!("panic: {panic}")))
}

/// The failure key: the message without numbers, so one bug is reported once.
fn key(failure: &str) -> String {
    failure
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .take(160)
        .collect()
}

#[test]
fn mutated_l3_never_panics_nor_reaches_an_internal_error() {
    let corpus = corpus();
    for (i, text) in corpus.iter().enumerate() {
        if let Err(e) = guarded_check(text) {
            panic!("corpus entry #{i} fails: {e}\n{text}");
        }
    }
    let seed = env_or("JOINERY_ROBUSTNESS_SEED", 10);
    let mutants = env_or("JOINERY_ROBUSTNESS_MUTANTS", 2_500) as usize;
    let mut rng = Rng(seed);
    let (mut parsed, mut verified, mut translated) = (0, 0, 0);
    let mut failures: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let start = std::time::Instant::now();
    for case in 0..mutants {
        let text = mutate(&mut rng, &corpus[case % corpus.len()]);
        match guarded_check(&text) {
            Ok(Outcome::Unparsed) => {}
            Ok(Outcome::Rejected) => parsed += 1,
            Ok(Outcome::Failed(message)) => {
                parsed += 1;
                verified += 1;
                *errors.entry(key(&message)).or_default() += 1;
            }
            Ok(Outcome::Translated) => {
                parsed += 1;
                verified += 1;
                translated += 1;
            }
            Err(failure) => {
                let entry = failures
                    .entry(key(&failure))
                    .or_insert_with(|| (failure.clone(), text.clone()));
                if text.len() < entry.1.len() {
                    *entry = (failure, text);
                }
            }
        }
    }
    eprintln!(
        "{mutants} mutants in {:.1} s: {parsed} parsed, {verified} verified, {translated} translated",
        start.elapsed().as_secs_f64()
    );
    for (message, count) in &errors {
        eprintln!("  pipeline error x{count}: {message}");
    }
    if !failures.is_empty() {
        let report: Vec<String> = failures
            .values()
            .map(|(failure, text)| format!("{failure}\n--- mutant ---\n{text}\n--------------"))
            .collect();
        panic!(
            "{} distinct failures (seed {seed}):\n{}",
            failures.len(),
            report.join("\n")
        );
    }
    // Floors well below what the default seed reaches (about 43%, 9% and 7%): a
    // mutator or pipeline change that stops mutants getting through shows here.
    let share = |n: usize, percent: usize| n * 100 >= mutants * percent;
    assert!(
        share(parsed, 30),
        "only {parsed} of {mutants} mutants parsed"
    );
    assert!(
        share(verified, 5),
        "only {verified} of {mutants} mutants verified"
    );
    assert!(
        share(translated, 4),
        "only {translated} of {mutants} mutants translated"
    );
}

/// Edge cases that are valid and must translate: a reduction over a 2^80-point space
/// (its work count saturates instead of overflowing), an empty space, a rank-0 kernel.
#[test]
fn extreme_spaces_translate() {
    let kernel = |space: &str, maps: &str, ty: &str| {
        format!(
            r#"func.func @f(%x: {ty}) -> {ty} {{
  %o = kernel.alloc {{output = 0 : i64}} : () -> {ty}
  kernel.fill %o {{value = 0.0 : f64}} : ({ty}) -> ()
  "kernel.fused"(%x, %o) <{{in_maps = [{maps}], name = "k", num_inputs = 1 : i64, out_kinds = ["sum"], out_maps = [{maps}], sources = [], space = {space}}}> ({{
  ^bb0(%a: f32):
    "kernel.yield"(%a) : (f32) -> ()
  }}) : ({ty}, {ty}) -> ()
  func.return %o : {ty}
}}"#
        )
    };
    for text in [
        kernel(
            "[1099511627776, 1099511627776]",
            "[0, 0, 0]",
            "tensor<1xf32>",
        ),
        kernel("[0, 4]", "[0, 0, 1]", "tensor<4xf32>"),
        kernel("[]", "[0]", "tensor<f32>"),
    ] {
        assert_eq!(guarded_check(&text), Ok(Outcome::Translated), "{text}");
    }
}
