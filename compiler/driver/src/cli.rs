//! The command line of an opt tool: MLIR's `mlir-opt` flag set (STYLE.md's table), built
//! with clap at run time so that every registered pass is also a `--<pass-name>` flag.

use clap::{Arg, ArgAction, ArgMatches, Command};
use joinery_pass::PassRegistry;

/// Flags of the driver itself; a pass whose name is one of these cannot be a flag.
const DRIVER_FLAGS: &[&str] = &[
    "output",
    "pass-pipeline",
    "split-input-file",
    "verify-diagnostics",
    "allow-unregistered-dialect",
    "verify-each",
    "verify-roundtrip",
    "print-ir-after-all",
    "print-ir-before-all",
    "print-ir-before",
    "print-ir-after",
    "print-ir-after-change",
    "timing",
    "progress",
    "pass-statistics",
    "print-op-generic",
    "print-debuginfo",
    "dump-pass-pipeline",
    "list-passes",
    "show-dialects",
    "help",
    "version",
];

/// Where the passes to run come from.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PipelineSource {
    /// `--pass-pipeline` / `-p`: textual pipeline.
    Text(String),
    /// `--<pass-name>[=options]` flags in command-line order: (pass name, option list).
    Flags(Vec<(String, String)>),
}

/// Everything the command line asks for.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Options {
    /// Input file, `-` for stdin.
    pub input: String,
    /// Output file, `-` for stdout.
    pub output: String,
    pub pipeline: PipelineSource,
    pub split_input_file: bool,
    pub verify_diagnostics: bool,
    pub allow_unregistered_dialect: bool,
    pub verify_each: bool,
    pub verify_roundtrip: bool,
    pub print_ir_before_all: bool,
    pub print_ir_after_all: bool,
    pub print_ir_before: Vec<String>,
    pub print_ir_after: Vec<String>,
    pub print_ir_after_change: bool,
    pub timing: bool,
    /// `--progress`: a line per top-level pass on stderr even off a terminal.
    pub progress: bool,
    pub pass_statistics: bool,
    pub print_op_generic: bool,
    pub print_debuginfo: bool,
    pub dump_pass_pipeline: bool,
    pub list_passes: bool,
    pub show_dialects: bool,
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name)
        .long(name)
        .help(help)
        .action(ArgAction::SetTrue)
}

/// The clap command for a tool named `tool` with the passes of `passes` as flags.
pub fn command(tool: &str, passes: &PassRegistry) -> Command {
    let mut cmd = Command::new("joinery-opt")
        .bin_name(tool.to_string())
        .about("Parses joinery IR (MLIR syntax), verifies it, runs passes and prints the result.")
        .arg(
            Arg::new("input")
                .value_name("INPUT")
                .default_value("-")
                .help("Input file; `-` reads standard input"),
        )
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .default_value("-")
                .help("Output file; `-` writes standard output"),
        )
        .arg(
            Arg::new("pass-pipeline")
                .short('p')
                .long("pass-pipeline")
                .value_name("PIPELINE")
                .help("Textual pass pipeline, e.g. 'builtin.module(func.func(cse,canonicalize{max-iterations=4}))'"),
        )
        .arg(flag("split-input-file", "Split the input on `// -----` lines and process each chunk on its own; outputs are joined with `// -----`"))
        .arg(flag("verify-diagnostics", "Check that the diagnostics match the `expected-error/warning/note/remark` comments of the input"))
        .arg(flag("allow-unregistered-dialect", "Accept ops, attributes and types of dialects that are not registered"))
        .arg(
            Arg::new("verify-each")
                .long("verify-each")
                .value_name("BOOL")
                .num_args(0..=1)
                .require_equals(true)
                .default_value("true")
                .default_missing_value("true")
                .value_parser(clap::value_parser!(bool))
                .help("Run the verifier after every pass (default: true; `--verify-each=false` disables)"),
        )
        .arg(flag("verify-roundtrip", "Check that printing, parsing and printing again gives the same text, in generic and pretty form"))
        .arg(flag("print-ir-before-all", "Print the IR before every pass (stderr)"))
        .arg(flag("print-ir-after-all", "Print the IR after every pass (stderr)"))
        .arg(
            Arg::new("print-ir-before")
                .long("print-ir-before")
                .value_name("PASS")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Print the IR before each run of the named passes (stderr)"),
        )
        .arg(
            Arg::new("print-ir-after")
                .long("print-ir-after")
                .value_name("PASS")
                .value_delimiter(',')
                .action(ArgAction::Append)
                .help("Print the IR after each run of the named passes (stderr)"),
        )
        .arg(flag("print-ir-after-change", "With the --print-ir-after* flags, print only after passes that changed the IR"))
        .arg(flag("timing", "Report the wall time of parsing, each pass, verification and printing (stderr)"))
        .arg(flag("progress", "Print each top-level pass with its wall time as it runs (stderr; the default on a terminal)"))
        .arg(flag("pass-statistics", "Report the statistics of every pass that ran (stderr)"))
        .arg(flag("print-op-generic", "Print every op in the generic form"))
        .arg(flag("print-debuginfo", "Print op locations (`loc(...)`)"))
        .arg(flag("dump-pass-pipeline", "Print the pass pipeline that will run (stderr), in text that --pass-pipeline accepts"))
        .arg(flag("list-passes", "List every registered pass with its summary and options, then exit"))
        .arg(flag("show-dialects", "List the registered dialects, then exit"));
    for (name, summary) in pass_flags(passes) {
        cmd = cmd.arg(
            Arg::new(name)
                .long(name)
                .value_name("OPTIONS")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("")
                .action(ArgAction::Append)
                .help_heading("Passes (run in flag order)")
                .help(summary),
        );
    }
    cmd
}

/// (name, summary) of every pass and named pipeline that gets a flag: all of them but those
/// whose name is a driver flag (they stay reachable through `--pass-pipeline`).
fn pass_flags(passes: &PassRegistry) -> Vec<(&'static str, &'static str)> {
    passes
        .passes()
        .map(|p| (p.name, p.summary))
        .chain(passes.pipelines().map(|p| (p.name, p.summary)))
        .filter(|(name, _)| !DRIVER_FLAGS.contains(name))
        .collect()
}

/// Reads the options out of parsed matches; `Err` is a usage error message.
pub fn options(matches: &ArgMatches, passes: &PassRegistry) -> Result<Options, String> {
    let string = |id: &str| matches.get_one::<String>(id).cloned().unwrap_or_default();
    let list = |id: &str| -> Vec<String> {
        matches
            .get_many::<String>(id)
            .map(|v| v.cloned().collect())
            .unwrap_or_default()
    };
    let mut flags: Vec<(usize, String, String)> = Vec::new();
    for (name, _) in pass_flags(passes) {
        if let (Some(indices), Some(values)) =
            (matches.indices_of(name), matches.get_many::<String>(name))
        {
            for (i, v) in indices.zip(values) {
                flags.push((i, name.to_string(), v.clone()));
            }
        }
    }
    flags.sort_by_key(|(i, _, _)| *i);
    let pipeline = match matches.get_one::<String>("pass-pipeline") {
        Some(_) if !flags.is_empty() => {
            return Err(
                "'--pass-pipeline' cannot be combined with individual pass flags".to_string(),
            );
        }
        Some(text) => PipelineSource::Text(text.clone()),
        None => PipelineSource::Flags(flags.into_iter().map(|(_, n, o)| (n, o)).collect()),
    };
    Ok(Options {
        input: string("input"),
        output: string("output"),
        pipeline,
        split_input_file: matches.get_flag("split-input-file"),
        verify_diagnostics: matches.get_flag("verify-diagnostics"),
        allow_unregistered_dialect: matches.get_flag("allow-unregistered-dialect"),
        verify_each: matches
            .get_one::<bool>("verify-each")
            .copied()
            .unwrap_or(true),
        verify_roundtrip: matches.get_flag("verify-roundtrip"),
        print_ir_before_all: matches.get_flag("print-ir-before-all"),
        print_ir_after_all: matches.get_flag("print-ir-after-all"),
        print_ir_before: list("print-ir-before"),
        print_ir_after: list("print-ir-after"),
        print_ir_after_change: matches.get_flag("print-ir-after-change"),
        timing: matches.get_flag("timing"),
        progress: matches.get_flag("progress"),
        pass_statistics: matches.get_flag("pass-statistics"),
        print_op_generic: matches.get_flag("print-op-generic"),
        print_debuginfo: matches.get_flag("print-debuginfo"),
        dump_pass_pipeline: matches.get_flag("dump-pass-pipeline"),
        list_passes: matches.get_flag("list-passes"),
        show_dialects: matches.get_flag("show-dialects"),
    })
}
