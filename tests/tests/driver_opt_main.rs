//! End-to-end tests of `opt_main` over in-memory streams: the flags, exit codes, splitting,
//! expected-diagnostics checking and the panic guard.

use joinery_driver::opt_main_with_io;
use joinery_ir::{Context, OpId};
use joinery_pass::{Pass, PassInfo, PassRegistry, PassResult, PassState};

/// A pass that panics, to exercise the guard.
static PANIC_PASS: PassInfo = PassInfo {
    name: "test-panic",
    title: "TestPanic",
    summary: "Panics (tests the driver's guard)",
    description: "Panics on any op.",
    anchor: None,
    options: &[],
    statistics: &[],
    constructor: |_| Box::new(Panics),
};

struct Panics;

impl Pass for Panics {
    fn run(&mut self, _: &mut Context, _: OpId, _: &mut PassState) -> PassResult {
        panic!("the test pass panicked on purpose")
    }
}

fn registry() -> PassRegistry {
    let mut passes = PassRegistry::new();
    joinery_pass::register_generic_passes(&mut passes);
    passes.register(&PANIC_PASS);
    passes
}

/// Runs the driver on `input` (stdin) with `args`; returns (exit code, stdout, stderr).
fn run(args: &[&str], input: &str) -> (i32, String, String) {
    let mut argv = vec!["joinery-opt".to_string()];
    argv.extend(args.iter().map(|s| s.to_string()));
    let mut stdin = input.as_bytes();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = opt_main_with_io(
        argv,
        &[&joinery_func::FUNC_DIALECT],
        &registry(),
        &mut stdin,
        &mut out,
        &mut err,
    );
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

const FUNC: &str = "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n  %b = \"test.op\"(%a) : (tensor<4xf32>) -> tensor<4xf32>\n  func.return %b : tensor<4xf32>\n}\n";

#[test]
fn prints_valid_input_and_exits_zero() {
    let (code, out, err) = run(&["--allow-unregistered-dialect"], FUNC);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("func.func @f(%a: tensor<4xf32>)"), "{out}");
    assert!(out.contains("%b = \"test.op\"(%a)"), "{out}");
}

#[test]
fn unregistered_ops_need_the_flag() {
    let (code, _, err) = run(&[], FUNC);
    assert_eq!(code, 1);
    assert!(err.contains("test.op"), "{err}");
}

#[test]
fn help_mentions_every_flag_and_pass() {
    let (code, out, _) = run(&["--help"], "");
    assert_eq!(code, 0);
    for flag in [
        "--output",
        "--pass-pipeline",
        "--split-input-file",
        "--verify-diagnostics",
        "--allow-unregistered-dialect",
        "--verify-each",
        "--verify-roundtrip",
        "--print-ir-after-all",
        "--print-ir-before",
        "--print-ir-after",
        "--print-ir-after-change",
        "--timing",
        "--pass-statistics",
        "--print-op-generic",
        "--print-debuginfo",
        "--dump-pass-pipeline",
        "--list-passes",
        "--show-dialects",
        "--help",
        "--canonicalize",
        "--cse",
        "--dce",
        "--symbol-dce",
        "--inline",
        "--test-panic",
    ] {
        assert!(out.contains(flag), "--help lacks {flag}:\n{out}");
    }
}

#[test]
fn list_passes_shows_each_pass_with_its_summary() {
    let (code, out, _) = run(&["--list-passes"], "");
    assert_eq!(code, 0);
    for info in registry().passes() {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("--{} ", info.name)))
            .unwrap_or_else(|| panic!("no line for {}:\n{out}", info.name));
        assert!(line.ends_with(info.summary), "{line}");
    }
}

#[test]
fn show_dialects_lists_registered_dialects() {
    let (code, out, _) = run(&["--show-dialects"], "");
    assert_eq!(code, 0);
    assert!(out.contains("builtin") && out.contains("func"), "{out}");
}

#[test]
fn pass_flags_run_in_command_line_order() {
    let (code, _, err) = run(&["--dce", "--cse", "--dce", "--dump-pass-pipeline"], "");
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.lines().next(), Some("builtin.module(dce,cse,dce)"));
}

#[test]
fn pipeline_and_pass_flags_do_not_mix() {
    let (code, _, err) = run(&["-p", "builtin.module(cse)", "--dce"], "");
    assert_eq!(code, 1);
    assert!(err.contains("cannot be combined"), "{err}");
}

#[test]
fn usage_errors_exit_one() {
    let (code, _, err) = run(&["--no-such-flag"], "");
    assert_eq!(code, 1);
    assert!(err.contains("--no-such-flag"), "{err}");
}

#[test]
fn a_panicking_pass_is_an_internal_error() {
    let (code, _, err) = run(&["--test-panic"], "");
    assert_eq!(code, 70);
    assert!(
        err.contains("internal error: the test pass panicked on purpose"),
        "{err}"
    );
}

#[test]
fn split_input_file_keeps_whole_file_line_numbers() {
    let input = "func.func @a() {\n  func.return\n}\n// -----\nfunc.func @b() {\n  func.return %x : f32\n}\n";
    let (code, out, err) = run(&["--split-input-file"], input);
    assert_eq!(code, 1);
    assert!(err.contains("<stdin>:6:"), "{err}");
    assert!(out.contains("@a") && out.contains("// -----"), "{out}");
}

#[test]
fn verify_diagnostics_matches_expectations() {
    let good =
        "func.func @b() {\n  // expected-error@+1 {{undefined}}\n  func.return %x : f32\n}\n";
    let (code, _, err) = run(&["--verify-diagnostics"], good);
    assert_eq!(code, 0, "{err}");
    let unmet = "func.func @b() {\n  // expected-error@+1 {{no such message}}\n  func.return\n}\n";
    let (code, _, err) = run(&["--verify-diagnostics"], unmet);
    assert_eq!(code, 1);
    assert!(err.contains("no such message"), "{err}");
}

#[test]
fn verify_roundtrip_accepts_valid_ir() {
    let (code, _, err) = run(
        &["--allow-unregistered-dialect", "--verify-roundtrip"],
        FUNC,
    );
    assert_eq!(code, 0, "{err}");
}

#[test]
fn ir_dumps_carry_a_run_line() {
    let (code, _, err) = run(
        &[
            "--allow-unregistered-dialect",
            "--print-ir-before=cse",
            "--cse",
        ],
        FUNC,
    );
    assert_eq!(code, 0, "{err}");
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some("// -----// IR Dump Before CSE (cse) //----- //")
    );
    assert_eq!(
        lines.next(),
        Some(
            "// RUN: joinery-opt --allow-unregistered-dialect --pass-pipeline='builtin.module(cse)' %s"
        )
    );
}

#[test]
fn non_utf8_input_is_an_error() {
    let mut argv = vec!["joinery-opt".to_string()];
    argv.push("-".into());
    let bytes: Vec<u8> = vec![b'a', 0xff, 0xfe, b'\n'];
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = opt_main_with_io(
        argv,
        &[],
        &registry(),
        &mut bytes.as_slice(),
        &mut out,
        &mut err,
    );
    assert_eq!(code, 1);
    assert!(
        String::from_utf8_lossy(&err).contains("not valid UTF-8"),
        "{}",
        String::from_utf8_lossy(&err)
    );
}

/// The module is printed straight into the output file, which holds what stdout would,
/// and a failing input leaves an existing file as it was.
#[test]
fn output_file_gets_the_text_only_on_success() {
    let dir = std::env::temp_dir().join(format!("joinery-opt-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("out.mlir");
    let out = path.to_str().unwrap();
    let (code, to_stdout, _) = run(&["--allow-unregistered-dialect"], FUNC);
    assert_eq!(code, 0);
    let (code, stdout, err) = run(&["--allow-unregistered-dialect", "-o", out], FUNC);
    assert_eq!((code, stdout.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), to_stdout);
    let (code, _, err) = run(&["-o", out], FUNC);
    assert_eq!(code, 1, "unregistered ops without the flag fail: {err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), to_stdout);
    let missing = dir.join("no-such-dir").join("out.mlir");
    let (code, _, err) = run(
        &[
            "--allow-unregistered-dialect",
            "-o",
            missing.to_str().unwrap(),
        ],
        FUNC,
    );
    assert_eq!(code, 1);
    assert!(err.contains("cannot write output file"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// An input file large enough to be mapped (twice the size from which files are), whose
/// pages the parser gives back behind it, prints and reports exactly as the same text read
/// from stdin: a diagnostic near its end
/// and one at its start (reported after the whole file is parsed) show their lines, and a
/// byte that is not UTF-8 is still a located error.
#[test]
fn a_mapped_input_file_reads_as_the_same_text_from_stdin() {
    let dir = std::env::temp_dir().join(format!("joinery-opt-mapped-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let functions = (2 * joinery_ir::SourceText::MAP_THRESHOLD as usize).div_ceil(FUNC.len());
    let many: String = (0..functions)
        .map(|i| FUNC.replace("@f(", &format!("@f{i}(")))
        .collect();
    let undefined_first = many.replacen("(%a)", "(%z)", 1);
    let cases = [
        many.clone(),
        undefined_first,
        format!("{many}func.func @g( {{\n"),
        format!("{many}\"test.op\"() : () -> (tensor<4xf32>, i1)\n// \u{0}\n"),
    ];
    for (i, text) in cases.iter().enumerate() {
        let path = dir.join(format!("input{i}.mlir"));
        std::fs::write(&path, text).unwrap();
        let name = path.to_str().unwrap();
        let from_file = run(&["--allow-unregistered-dialect", name], "");
        let (code, out, err) = run(&["--allow-unregistered-dialect"], text);
        assert_eq!(
            from_file,
            (code, out, err.replace("<stdin>", name)),
            "case {i}"
        );
    }
    let mut bytes = many.into_bytes();
    bytes.extend_from_slice(b"// \xff\n");
    let path = dir.join("not-utf8.mlir");
    std::fs::write(&path, &bytes).unwrap();
    let name = path.to_str().unwrap();
    let (code, _, err) = run(&[name], "");
    assert_eq!(code, 1);
    let line = FUNC.lines().count() * functions + 1;
    assert!(
        err.contains(&format!(
            "{name}:{line}:4: error: the input is not valid UTF-8 text"
        )),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
