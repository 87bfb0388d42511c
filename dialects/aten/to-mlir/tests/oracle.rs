//! MLIR as an independent oracle: every interpreter fixture (one aten op on PyTorch's
//! recorded inputs) and every function of the lit inputs, test inputs, native test graphs
//! and examples that the export covers is run through MLIR's own lowering and execution
//! engine and through the reference interpreter, and their results must agree within the
//! interpreter fixtures' tolerance ([`agree`]). The export → import round trip runs on the
//! fixtures too, and `mlir-opt-22` reads every export without `--allow-unregistered-dialect`.
//! Each test prints its coverage (what went through, and why the rest did not).

#[path = "../../interp/tests/support/fixture_cases.rs"]
#[allow(dead_code)] // `build` serves the interpreter's fixture test
mod fixture_cases;

use fixture_cases::{build_into, cases};
use joinery_interp::{RunOptions, RuntimeValue, Tensor, run_function_with};
use joinery_ir::{Context, OpId, SourceMap};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn context() -> Context {
    Context::new(&joinery_all::DIALECTS)
}

/// Whether `got` (MLIR) agrees with `want` (the interpreter): both `none`, or tensors
/// within the interpreter fixtures' tolerance ([`fixture_cases::close`]: exact integers and
/// booleans, f32 within 1e-5 relative plus 1e-6 absolute, f64 within 1e-10).
fn agree(got: &RuntimeValue, want: &RuntimeValue) -> Result<(), String> {
    match (got, want) {
        (RuntimeValue::None, RuntimeValue::None) => Ok(()),
        (RuntimeValue::Tensor(g), RuntimeValue::Tensor(w)) => fixture_cases::close(g, w),
        _ => Err("a tensor against a none".into()),
    }
}

/// What happened to one function.
enum Outcome {
    /// Both ran and agree.
    Agreed,
    /// The interpreter refused the inputs (an index out of range, say): nothing to compare.
    InterpreterRefused,
    /// The export or MLIR's pipeline refused it, with the first line of the reason.
    NotCovered(String),
    /// Both ran and differ.
    Disagreed(String),
}

/// Runs `func` of `module` with the interpreter, then through MLIR (which decomposes the
/// module in place), and compares.
fn check(ctx: &mut Context, module: OpId, func: &str, inputs: &[Tensor]) -> Outcome {
    let options = RunOptions { seed: 0, offset: 0 };
    let Ok(want) = run_function_with(ctx, module, func, inputs.to_vec(), &options) else {
        return Outcome::InterpreterRefused;
    };
    let got = match joinery_aten_to_mlir::exec::run_function(ctx, module, func, inputs, &options) {
        Ok(got) => got,
        Err(d) => return Outcome::NotCovered(d.message.lines().next().unwrap_or("").into()),
    };
    if got.len() != want.len() {
        return Outcome::Disagreed(format!("{} results, interpreter {}", got.len(), want.len()));
    }
    for (j, (g, w)) in got.iter().zip(&want).enumerate() {
        if let Err(e) = agree(g, w) {
            return Outcome::Disagreed(format!("result #{j}: {e}"));
        }
    }
    Outcome::Agreed
}

/// Tallies outcomes by name and prints the coverage; returns the disagreements.
#[derive(Default)]
struct Tally {
    agreed: Vec<String>,
    refused_by_interpreter: usize,
    not_covered: BTreeMap<String, Vec<String>>,
    disagreed: Vec<String>,
}

impl Tally {
    fn add(&mut self, name: String, outcome: Outcome) {
        match outcome {
            Outcome::Agreed => self.agreed.push(name),
            Outcome::InterpreterRefused => self.refused_by_interpreter += 1,
            Outcome::NotCovered(why) => self.not_covered.entry(why).or_default().push(name),
            Outcome::Disagreed(why) => self.disagreed.push(format!("{name}: {why}")),
        }
    }

    fn report(&self, what: &str) {
        let not_covered: usize = self.not_covered.values().map(Vec::len).sum();
        println!(
            "MLIR path, {what}: {} agree with the interpreter, {} disagree, {} not covered, {} refused by the interpreter",
            self.agreed.len(),
            self.disagreed.len(),
            not_covered,
            self.refused_by_interpreter
        );
        for (why, names) in &self.not_covered {
            println!(
                "  not covered ({}): {why} [{}]",
                names.len(),
                names.join(", ")
            );
        }
    }
}

#[test]
fn fixtures_agree_with_the_interpreter() {
    let mut tally = Tally::default();
    let mut ops_agreed = BTreeSet::new();
    let mut ops_all = BTreeSet::new();
    for case in named_cases() {
        ops_all.insert(case.op.clone());
        let mut ctx = context();
        let module = ctx.create_module();
        build_into(&mut ctx, module, &case);
        let outcome = check(&mut ctx, module, &case.name, &case.inputs);
        if matches!(outcome, Outcome::Agreed) {
            ops_agreed.insert(case.op.clone());
        }
        tally.add(format!("{} ({})", case.name, case.op), outcome);
    }
    tally.report("interpreter fixtures");
    println!(
        "MLIR path covers {} of {} fixture ops",
        ops_agreed.len(),
        ops_all.len()
    );
    assert!(
        tally.disagreed.is_empty(),
        "MLIR disagrees with the interpreter:\n{}",
        tally.disagreed.join("\n")
    );
    // Every op with a row in the lowering table goes through on its own fixtures.
    let tabled: Vec<&String> = ops_all
        .iter()
        .filter(|op| joinery_aten_to_mlir::lower::lowering(op).is_some())
        .filter(|op| !ops_agreed.contains(*op))
        .collect();
    assert!(
        tabled.is_empty(),
        "ops with a lowering whose fixtures do not go through: {tabled:?}"
    );
}

/// Every `.mlir` file under `dir`, recursively, sorted.
fn mlir_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            mlir_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "mlir") {
            out.push(path);
        }
    }
    out.sort();
}

/// The seed of a test function's inputs, from its module's label (`path#chunk`) and its
/// name (FNV-1a), so that each function's inputs stay the same when other files or
/// functions are added.
fn seed_of(label: &str, func: &str) -> u64 {
    format!("{label}@{func}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, byte| {
            (h ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Inputs for a function's arguments: floats in [-2, 2), integers in 0..4, random booleans,
/// drawn from the graph generator's splitmix64.
fn inputs(ctx: &Context, func: OpId, rng: &mut joinery_graphgen::Rng) -> Option<Vec<Tensor>> {
    let (args, _) = joinery_func::signature(ctx, func)?;
    args.iter()
        .map(|&ty| {
            let (dims, element) = ctx.tensor_parts(ty)?;
            let shape: Vec<usize> = dims
                .iter()
                .map(|d| d.extent().map(|e| e as usize))
                .collect::<Option<_>>()?;
            let dtype = joinery_interp::tensor::DType::from_aten(ctx.dtype_of(element)?).ok()?;
            let count = shape.iter().product();
            let values: Vec<f64> = (0..count)
                .map(|_| match dtype {
                    joinery_interp::tensor::DType::Bool => rng.below(2) as f64,
                    d if d.is_float() => rng.uniform() * 4.0 - 2.0,
                    _ => rng.below(4) as f64,
                })
                .collect();
            Some(Tensor::from_vec_f64(&shape, values, dtype))
        })
        .collect()
}

/// Each `// -----` chunk of the lit inputs, test inputs, native test graphs and examples
/// that parses and verifies: its label (`path#k`), its source map and file.
fn test_modules() -> Vec<(String, SourceMap, joinery_ir::FileId)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let mut files = Vec::new();
    for dir in [
        "lit-tests",
        "tests/inputs",
        "tools/native/tests/graphs",
        "examples",
    ] {
        mlir_files(&root.join(dir), &mut files);
    }
    let mut modules = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable test file");
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        for (k, chunk) in joinery_driver::split::split_input(&text).iter().enumerate() {
            let mut sources = SourceMap::default();
            let file = sources.add(rel.clone(), chunk.text.clone());
            let mut ctx = context();
            let Ok(module) = joinery_syntax::parse_source(&mut ctx, &sources, file) else {
                continue;
            };
            if joinery_ir::verify::verify(&ctx, module)
                .iter()
                .any(joinery_ir::Diagnostic::is_error)
            {
                continue;
            }
            modules.push((format!("{rel}#{k}"), sources, file));
        }
    }
    modules
}

/// The fixture cases, named `case_<name>`.
fn named_cases() -> impl Iterator<Item = fixture_cases::Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../interp/fixtures");
    cases(&dir).into_iter().map(|mut case| {
        case.name = format!("case_{}", case.name);
        case
    })
}

/// The fixture cases on real tensors (the pair form of a complex argument imports as a
/// real tensor), named `case_<name>`.
fn real_cases() -> impl Iterator<Item = fixture_cases::Case> {
    named_cases().filter(|case| !case.inputs.iter().any(|t| t.dtype().is_complex()))
}

#[test]
fn test_graphs_agree_with_the_interpreter() {
    let mut tally = Tally::default();
    for (label, sources, file) in test_modules() {
        let mut ctx = context();
        let Ok(module) = joinery_syntax::parse_source(&mut ctx, &sources, file) else {
            continue;
        };
        let funcs: Vec<(OpId, String)> = ctx
            .body_block(module)
            .map(|b| ctx.block_ops(b).collect::<Vec<_>>())
            .unwrap_or_default()
            .into_iter()
            .filter(|&f| ctx.name_str(f) == "func.func" && ctx.body_block(f).is_some())
            .filter_map(|f| Some((f, ctx.symbol_name(f)?.to_string())))
            .collect();
        for (f, name) in funcs {
            let mut rng = joinery_graphgen::Rng(seed_of(&label, &name));
            let Some(args) = inputs(&ctx, f, &mut rng) else {
                continue;
            };
            // Each function runs in a fresh copy: the MLIR path decomposes in place.
            let mut fresh = context();
            let Ok(copy) = joinery_syntax::parse_source(&mut fresh, &sources, file) else {
                continue;
            };
            let outcome = check(&mut fresh, copy, &name, &args);
            tally.add(format!("{label}@{name}"), outcome);
        }
    }
    tally.report("test graphs");
    assert!(
        tally.disagreed.is_empty(),
        "MLIR disagrees with the interpreter:\n{}",
        tally.disagreed.join("\n")
    );
    assert!(
        !tally.agreed.is_empty(),
        "no test graph went through the MLIR path"
    );
}

/// What the export → import round trip did to one function.
enum RoundTrip {
    /// The imported function runs and equals the original on the interpreter.
    Agreed,
    /// The export or the import refused it (the first line of the reason).
    NotCovered(String),
    /// The imported text does not parse or verify as joinery IR, or computes another
    /// result: a bug of the import.
    Broken(String),
}

/// Exports `module` (a fresh copy, decomposed in place), imports the MLIR text back, and
/// runs `func` of both on `inputs` with the interpreter; `want` is the original's result.
fn round_trip(
    ctx: &mut Context,
    module: OpId,
    func: &str,
    inputs: &[Tensor],
    want: &[RuntimeValue],
) -> RoundTrip {
    let text = match joinery_aten_to_mlir::to_mlir_text(ctx, module) {
        Ok(text) => text,
        Err(d) => return RoundTrip::NotCovered(d.message.lines().next().unwrap_or("").into()),
    };
    let mut sources = SourceMap::default();
    let file = sources.add("exported.mlir", text.clone());
    let imported = match joinery_aten_to_mlir::import::from_mlir_text(&text, file) {
        Ok(imported) => imported,
        Err(d) => {
            return RoundTrip::NotCovered(format!(
                "import: {}",
                d.message.lines().next().unwrap_or("")
            ));
        }
    };
    let file = sources.add("imported.mlir", imported.clone());
    let mut back = context();
    let Ok(module) = joinery_syntax::parse_source(&mut back, &sources, file) else {
        return RoundTrip::Broken(format!("the import does not parse:\n{imported}"));
    };
    let problems = joinery_ir::verify::verify(&back, module);
    if let Some(d) = problems.iter().find(|d| d.is_error()) {
        return RoundTrip::Broken(format!(
            "the import does not verify: {}\n{imported}",
            d.message
        ));
    }
    let options = RunOptions { seed: 0, offset: 0 };
    let got = match run_function_with(&back, module, func, inputs.to_vec(), &options) {
        Ok(got) => got,
        Err(d) => return RoundTrip::Broken(format!("the import does not run: {}", d.message)),
    };
    if got.len() != want.len() {
        return RoundTrip::Broken(format!(
            "{} results, the original {}",
            got.len(),
            want.len()
        ));
    }
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        if let Err(e) = agree(g, w) {
            return RoundTrip::Broken(format!("result #{j}: {e}"));
        }
    }
    RoundTrip::Agreed
}

#[test]
fn export_then_import_equals_the_original_on_the_interpreter() {
    let mut agreed = BTreeSet::new();
    let mut not_covered: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    let mut all = BTreeSet::new();
    for case in real_cases() {
        all.insert(case.op.clone());
        let mut ctx = context();
        let module = ctx.create_module();
        build_into(&mut ctx, module, &case);
        let options = RunOptions { seed: 0, offset: 0 };
        let Ok(want) = run_function_with(&ctx, module, &case.name, case.inputs.clone(), &options)
        else {
            continue;
        };
        let complex_result = want
            .iter()
            .any(|v| matches!(v, RuntimeValue::Tensor(t) if t.dtype().is_complex()));
        let outcome = if complex_result {
            // Exported in pair form, it imports as a real tensor.
            RoundTrip::NotCovered("a complex result".into())
        } else {
            round_trip(&mut ctx, module, &case.name, &case.inputs, &want)
        };
        match outcome {
            RoundTrip::Agreed => {
                agreed.insert(case.op.clone());
            }
            RoundTrip::NotCovered(why) => {
                not_covered.entry(why).or_default().insert(case.op.clone());
            }
            RoundTrip::Broken(why) => broken.push(format!("{} ({}): {why}", case.name, case.op)),
        }
    }
    println!(
        "export -> import -> interpreter: {} of {} fixture ops round-trip",
        agreed.len(),
        all.len()
    );
    for (why, ops) in &not_covered {
        let ops: Vec<&str> = ops.iter().map(String::as_str).collect();
        println!("  not covered: {why} [{}]", ops.join(", "));
    }
    assert!(
        broken.is_empty(),
        "the round trip broke:\n{}",
        broken.join("\n")
    );
    // The MLP ops: matrix products, broadcast adds, relu, and the reductions of a backward.
    for op in [
        "aten.mm",
        "aten.addmm",
        "aten.relu",
        "aten.add.Tensor",
        "aten.sum.dim_IntList",
        "aten.t",
    ] {
        assert!(agreed.contains(op), "{op} does not round-trip");
    }
}

/// `mlir-opt-22` (the `mlir-22-tools` package `make deps` installs).
const MLIR_OPT: &str = "mlir-opt-22";

/// Every export of a fixture case and of a test-file module that the export covers is
/// read by `mlir-opt-22` *without* `--allow-unregistered-dialect`: the output uses only
/// registered upstream dialects (the `aot.*` attributes are discardable strings). All
/// exports go through one `--split-input-file` run.
#[test]
fn mlir_opt_reads_every_export_without_unregistered_dialects() {
    let mut chunks: Vec<(String, String)> = Vec::new();
    for case in named_cases() {
        let mut ctx = context();
        let module = ctx.create_module();
        build_into(&mut ctx, module, &case);
        if let Ok(text) = joinery_aten_to_mlir::to_mlir_text(&mut ctx, module) {
            chunks.push((case.name.clone(), text));
        }
    }
    let fixtures = chunks.len();
    for (label, sources, file) in test_modules() {
        let mut ctx = context();
        let Ok(module) = joinery_syntax::parse_source(&mut ctx, &sources, file) else {
            continue;
        };
        if let Ok(text) = joinery_aten_to_mlir::to_mlir_text(&mut ctx, module) {
            chunks.push((label, text));
        }
    }
    println!(
        "mlir-opt-22 reads {} exports ({fixtures} fixture cases, {} test-file modules)",
        chunks.len(),
        chunks.len() - fixtures
    );
    assert!(fixtures > 100 && chunks.len() > fixtures);
    let all: Vec<&str> = chunks.iter().map(|(_, text)| text.as_str()).collect();
    if let Err(e) = mlir_opt(&all.join("\n// -----\n")) {
        let rejected: Vec<String> = chunks
            .iter()
            .filter_map(|(label, text)| mlir_opt(text).err().map(|e| format!("{label}: {e}")))
            .collect();
        panic!("{MLIR_OPT} rejected exports: {e}\n{}", rejected.join("\n"));
    }
}

/// Runs `mlir-opt-22 --split-input-file` (no unregistered dialects) on `input`; the error
/// is what it printed.
fn mlir_opt(input: &str) -> Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(MLIR_OPT)
        .arg("--split-input-file")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{MLIR_OPT} did not start ({e}); run `make deps`"));
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input.as_bytes())
        .expect("mlir-opt reads its input");
    let out = child.wait_with_output().expect("mlir-opt runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
