//! Conformance with upstream MLIR: what `mlir-opt-22` prints of joinery's text reads back
//! in joinery and means the same.
//!
//! Samples: every lit input (`lit-tests/**/*.mlir`, each `// -----` chunk of a file whose
//! RUN lines split) that parses and verifies, and the output of every `joinery-opt`
//! RUN line on it (the flags of the line, run in process; lines that expect errors are
//! left out). Each sample is printed by joinery in the generic form with locations (the
//! form `mlir-opt` reads), then by `mlir-opt-22 --allow-unregistered-dialect` three ways:
//! pretty (default dialects, aliases, `%arg0`/`%cst` names), `--mlir-print-op-generic`,
//! and `--mlir-print-debuginfo` (location aliases `#loc3 = loc(...)` after the module,
//! `loc(...)` on arguments). Each must parse in joinery.
//!
//! The comparison is joinery's print of the sample against joinery's print of what
//! `mlir-opt` wrote, after removing what MLIR legitimately changes:
//! - SSA value names and block labels (MLIR renumbers them): every name is cleared on both
//!   sides before printing, so both print with fresh numbers;
//! - the form of `dense<...>` payloads (MLIR writes an all-equal list as a splat and more
//!   than 100 elements as hex): every elements attribute is rewritten to its full list;
//! - locations MLIR adds to ops that had none (`loc("-":3:5)`): with debug info, an op
//!   whose sample has no location has the one `mlir-opt` gave it cleared; every location
//!   the sample had must come back equal. (Argument locations are read and dropped: joinery
//!   values carry no location.)
//!
//! `mlir-opt` runs once per mode over all distinct samples, as `// -----` chunks of one
//! `--split-input-file` input. A sample `mlir-opt` rejects is a failure (contract 1 of
//! ARCHITECTURE.md), except one using the `test` namespace: `mlir-opt-22` registers MLIR's
//! own test dialect, whose ops, attributes and types are not the unregistered `test.*`
//! stand-ins the lit tests use.
//!
//! `mlir-opt-22` comes with `make deps` (the `mlir-22-tools` package), which `make test`
//! runs first; when it is missing the test fails.

use joinery_ir::{AttrData, AttrParam, Attribute, Context, DenseData, OpId};
use joinery_syntax::{PrintOptions, parse_source, print_op};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MLIR_OPT: &str = "mlir-opt-22";

/// One text to send through `mlir-opt`, and where it came from.
struct Sample {
    origin: String,
    text: String,
    allow_unregistered: bool,
}

fn lit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lit-tests")
}

fn mlir_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "Output") {
                mlir_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "mlir") {
            out.push(path);
        }
    }
}

/// The RUN lines of a lit file, continuation lines (`\` at the end) joined.
fn run_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let Some((_, rest)) = line.split_once("RUN:") else {
            continue;
        };
        let rest = rest.trim();
        match rest.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(rest);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    lines
}

/// Shell words of the first command of a pipeline (quotes removed).
fn first_command(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '|') => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// A `joinery-opt` RUN line on `%s` that expects success: its flags, and whether it splits.
struct OptRun {
    flags: Vec<String>,
    split: bool,
}

fn opt_runs(text: &str) -> Vec<OptRun> {
    let mut runs = Vec::new();
    for line in run_lines(text) {
        let words = first_command(&line);
        let expects_success = words.first().is_some_and(|w| w == "joinery-opt")
            && words.iter().any(|w| w == "%s")
            && !words
                .iter()
                .any(|w| w == "--verify-diagnostics" || w == "-o" || w.starts_with('<'));
        if !expects_success {
            continue;
        }
        let split = words.iter().any(|w| w == "--split-input-file");
        let flags = words[1..]
            .iter()
            .filter(|w| *w != "%s" && *w != "--split-input-file")
            .cloned()
            .collect();
        runs.push(OptRun { flags, split });
    }
    runs
}

fn chunks(text: &str, split: bool) -> Vec<String> {
    if !split {
        return vec![text.to_string()];
    }
    let mut out = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "// -----" {
            out.push(String::new());
        } else {
            out.last_mut().expect("one chunk").push_str(line);
        }
    }
    out
}

/// Parses and verifies `text`; the error is the rendered diagnostics.
fn load(text: &str, allow_unregistered: bool) -> Result<(Context, OpId), String> {
    let mut ctx = Context::new(&joinery_all::DIALECTS);
    ctx.allow_unregistered = allow_unregistered;
    let mut sources = joinery_ir::SourceMap::default();
    let file = sources.add("input.mlir", text);
    let module = parse_source(&mut ctx, &sources, file)
        .map_err(|d| joinery_diagnostics::render(&sources, &d))?;
    let problems = joinery_ir::verify::verify(&ctx, module);
    if problems.iter().any(joinery_ir::Diagnostic::is_error) {
        return Err(joinery_diagnostics::render(&sources, &problems));
    }
    Ok((ctx, module))
}

/// Runs `joinery-opt` in process with `flags` on `input`; its output on success.
fn joinery_opt(flags: &[String], input: &str) -> Option<String> {
    let passes = joinery_all::passes();
    let mut args = vec!["joinery-opt".to_string()];
    args.extend(flags.iter().cloned());
    args.push("-".to_string());
    let mut stdin = input.as_bytes();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let status = joinery_driver::opt_main_with_io(
        args,
        &joinery_all::DIALECTS,
        &passes,
        &mut stdin,
        &mut stdout,
        &mut stderr,
    );
    (status == 0).then(|| String::from_utf8(stdout).expect("joinery-opt writes UTF-8"))
}

/// Every sample of one lit file.
fn samples_of(path: &Path) -> Vec<Sample> {
    let text = std::fs::read_to_string(path).expect("lit files are UTF-8");
    let name = path
        .strip_prefix(lit_dir())
        .unwrap_or(path)
        .display()
        .to_string();
    let runs = opt_runs(&text);
    let split = runs.iter().any(|r| r.split);
    let allow = runs
        .iter()
        .any(|r| r.flags.iter().any(|f| f == "--allow-unregistered-dialect"))
        || runs.is_empty();
    let mut samples = Vec::new();
    for (i, chunk) in chunks(&text, split).into_iter().enumerate() {
        if load(&chunk, allow).is_err() {
            continue;
        }
        let origin = format!("{name} (chunk {i})");
        for run in &runs {
            if let Some(out) = joinery_opt(&run.flags, &chunk) {
                samples.push(Sample {
                    origin: format!("{origin}, output of joinery-opt {}", run.flags.join(" ")),
                    text: out,
                    allow_unregistered: allow,
                });
            }
        }
        samples.push(Sample {
            origin,
            text: chunk,
            allow_unregistered: allow,
        });
    }
    samples
}

/// Runs `mlir-opt-22 --allow-unregistered-dialect` with `flags` on `input`: its output,
/// or its diagnostics when it fails.
fn mlir_opt(flags: &[&str], input: &str) -> Result<String, String> {
    let out = run_mlir_opt(flags, input);
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("mlir-opt writes UTF-8"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// What `mlir-opt` printed on stdout, whatever its status (with `--split-input-file` a
/// failing chunk leaves its part empty and the others printed).
fn mlir_opt_output(flags: &[&str], input: &str) -> String {
    String::from_utf8(run_mlir_opt(flags, input).stdout).expect("mlir-opt writes UTF-8")
}

fn run_mlir_opt(flags: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(MLIR_OPT)
        .arg("--allow-unregistered-dialect")
        .args(flags)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot run {MLIR_OPT} ({e}); `make deps` installs it (package mlir-22-tools)")
        });
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("mlir-opt runs");
    writer
        .join()
        .expect("the writer thread ends")
        .expect("mlir-opt reads its input");
    out
}

/// `attr` with every elements attribute inside it written as its full element list.
fn full_lists(ctx: &mut Context, attr: Attribute) -> Attribute {
    match ctx.attr_data(attr).clone() {
        AttrData::DenseElements { ty, .. } => match ctx.dense_elements(attr) {
            Some((_, items)) => ctx.attr_of(AttrData::DenseElements {
                ty,
                data: DenseData::Elements(items),
            }),
            None => attr,
        },
        AttrData::Array(items) => {
            let items = items.into_iter().map(|a| full_lists(ctx, a)).collect();
            ctx.array_attr(items)
        }
        AttrData::Dictionary(entries) => {
            let entries = entries
                .into_iter()
                .map(|(k, a)| (k, full_lists(ctx, a)))
                .collect();
            ctx.attr_of(AttrData::Dictionary(entries))
        }
        AttrData::Dialect {
            dialect,
            name,
            params,
        } => {
            let params = params
                .into_iter()
                .map(|p| match p {
                    AttrParam::Attr(a) => AttrParam::Attr(full_lists(ctx, a)),
                    other => other,
                })
                .collect();
            ctx.attr_of(AttrData::Dialect {
                dialect,
                name,
                params,
            })
        }
        _ => attr,
    }
}

/// Clears every value name and block label and writes dense payloads in full.
fn normalize(ctx: &mut Context, module: OpId) {
    for op in ctx.walk(module) {
        for v in ctx.results(op).to_vec() {
            ctx.set_value_name(v, None);
        }
        for region in ctx.regions(op).to_vec() {
            for block in ctx.region_blocks(region).to_vec() {
                ctx.set_block_name(block, None);
                for v in ctx.block_args(block).to_vec() {
                    ctx.set_value_name(v, None);
                }
            }
        }
        let attrs: Vec<(String, Attribute)> =
            ctx.attrs(op).map(|(k, a)| (k.to_string(), a)).collect();
        for (k, a) in attrs {
            let full = full_lists(ctx, a);
            if full != a {
                ctx.set_attr(op, &k, full);
            }
        }
    }
}

/// How `mlir-opt` is asked to print, and whether locations are compared.
const MODES: [(&str, &[&str], bool); 3] = [
    ("pretty", &[], false),
    ("generic", &["--mlir-print-op-generic"], false),
    ("debuginfo", &["--mlir-print-debuginfo"], true),
];

/// The line `mlir-opt --split-input-file` reads and writes between chunks.
const SPLIT: &str = "// -----";

/// Whether a sample uses the `test` namespace, which `mlir-opt-22` registers as MLIR's own
/// test dialect (its ops, attributes and types have their own syntax and verifiers, so
/// joinery's unregistered `test.*` stand-ins need not read there).
fn uses_upstream_test_dialect(text: &str) -> bool {
    ["\"test.", "#test.", "!test."]
        .iter()
        .any(|p| text.contains(p))
}

/// A loaded sample: its generic text for `mlir-opt` and its normalized IR.
struct Loaded<'s> {
    sample: &'s Sample,
    generic: String,
    ctx: Context,
    module: OpId,
}

/// Compares what `mlir-opt` printed of one sample with the sample; returns the problem.
fn compare(loaded: &Loaded<'_>, mode: &str, debug_info: bool, printed: &str) -> Option<String> {
    let origin = &loaded.sample.origin;
    let (ctx, module) = (&loaded.ctx, loaded.module);
    let (mut ctx2, module2) = match load(printed, loaded.sample.allow_unregistered) {
        Ok(m) => m,
        Err(e) => {
            return Some(format!(
                "{origin} [{mode}]: joinery cannot read what mlir-opt printed:\n{e}\n{printed}"
            ));
        }
    };
    normalize(&mut ctx2, module2);
    if debug_info {
        let mut ours = vec![module];
        ours.extend(ctx.walk(module));
        let mut theirs = vec![module2];
        theirs.extend(ctx2.walk(module2));
        if ours.len() == theirs.len() {
            for (&a, &b) in ours.iter().zip(&theirs) {
                if ctx.loc(a).is_none() {
                    ctx2.set_loc(b, None);
                }
            }
        }
    }
    let opts = PrintOptions {
        generic: false,
        debug_info,
    };
    let expected = print_op(ctx, module, &opts);
    let got = print_op(&ctx2, module2, &opts);
    (got != expected).then(|| {
        format!(
            "{origin} [{mode}]: the round trip through mlir-opt changed the IR\n--- joinery:\n{expected}--- through mlir-opt:\n{got}--- mlir-opt printed:\n{printed}"
        )
    })
}

#[test]
fn mlir_opt_output_of_every_lit_input_reads_back_the_same() {
    let mut files = Vec::new();
    mlir_files(&lit_dir(), &mut files);
    assert!(files.len() > 50, "found only {} lit files", files.len());
    let samples: Vec<Sample> = files.iter().flat_map(|f| samples_of(f)).collect();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut loaded = Vec::new();
    for sample in &samples {
        let Ok((mut ctx, module)) = load(&sample.text, sample.allow_unregistered) else {
            problems.push(format!(
                "{}: joinery-opt's output does not parse back:\n{}",
                sample.origin, sample.text
            ));
            continue;
        };
        let generic = print_op(
            &ctx,
            module,
            &PrintOptions {
                generic: true,
                debug_info: true,
            },
        );
        if !seen.insert(generic.clone()) {
            continue;
        }
        normalize(&mut ctx, module);
        loaded.push(Loaded {
            sample,
            generic,
            ctx,
            module,
        });
    }
    assert!(loaded.len() > 100, "only {} distinct samples", loaded.len());
    let joined = loaded
        .iter()
        .map(|l| l.generic.as_str())
        .collect::<Vec<_>>()
        .join(&format!("{SPLIT}\n"));
    let mut skipped = 0;
    for (mode, flags, debug_info) in MODES {
        // One mlir-opt run per mode: with --split-input-file it prints one part per chunk,
        // empty for a chunk it rejects.
        let mut split_flags = vec!["--split-input-file"];
        split_flags.extend_from_slice(flags);
        let out = mlir_opt_output(&split_flags, &joined);
        let mut parts = vec![String::new()];
        for line in out.split_inclusive('\n') {
            if line.trim_end() == SPLIT {
                parts.push(String::new());
            } else {
                parts.last_mut().expect("one part").push_str(line);
            }
        }
        assert_eq!(
            parts.len(),
            loaded.len(),
            "mlir-opt printed {} parts for {} chunks",
            parts.len(),
            loaded.len()
        );
        for (l, printed) in loaded.iter().zip(&parts) {
            if printed.trim().is_empty() {
                if uses_upstream_test_dialect(&l.generic) {
                    skipped += 1;
                    continue;
                }
                let error = mlir_opt(flags, &l.generic).err().unwrap_or_default();
                problems.push(format!(
                    "{} [{mode}]: mlir-opt rejects joinery's generic form:\n{error}\n{}",
                    l.sample.origin, l.generic
                ));
                continue;
            }
            problems.extend(compare(l, mode, debug_info, printed));
        }
    }
    eprintln!(
        "{} distinct samples from {} lit files x {} modes; {skipped} rejected by mlir-opt's own test dialect",
        loaded.len(),
        files.len(),
        MODES.len()
    );
    assert!(
        problems.is_empty(),
        "{} problems over {} distinct samples x {} modes:\n\n{}",
        problems.len(),
        loaded.len(),
        MODES.len(),
        problems.join("\n\n")
    );
}
