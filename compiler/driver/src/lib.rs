//! The opt-style driver as a library, as MLIR's `MlirOptMain`: a tool's `main` registers
//! its dialects and passes and calls [`opt_main`], which implements the whole command line
//! of STYLE.md (input or stdin, `-o`, `--pass-pipeline` and one flag per pass,
//! `--split-input-file`, `--verify-diagnostics`, verification and round-trip checks, IR
//! dumps, timing, statistics, printer controls and introspection).
//!
//! Every error is a diagnostic rendered on stderr and makes the exit status 1; a panic
//! anywhere below is caught and reported as an internal error with exit status 70 (see
//! [`guard`], which every tool's `main` goes through).

pub mod cli;
mod dump;
pub mod split;

/// The panic guard every tool's `main` runs under (re-exported for the tools).
pub use joinery_guard as guard;

use cli::{Options, PipelineSource};
use dump::{DumpBuffer, RunHeader};
use joinery_ir::{Context, Diagnostic, Dialect, FileId, OpId, SourceMap, SourceText};
use joinery_pass::{IrPrinting, PassFilter, PassManager, PassRegistry, Progress};
use joinery_syntax::{PrintOptions, parse_source, print_op, print_op_to};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// The op every pipeline of the driver is anchored on.
const ROOT_OP: &str = "builtin.module";

/// A parsed and verified module, with the sources its diagnostics point into.
pub struct LoadedModule {
    pub ctx: Context,
    pub sources: SourceMap,
    pub module: OpId,
}

impl LoadedModule {
    /// `diagnostics` rendered against the module's sources, each naming the user's source
    /// line of the op it points at ([`joinery_diagnostics::add_source_notes`]).
    pub fn render(&mut self, diagnostics: &[Diagnostic]) -> String {
        render_located(&self.ctx, &mut self.sources, diagnostics)
    }
}

/// `diagnostics` rendered against `sources`, each with a note naming the user's source line
/// of the op it points at when that op's location has one.
pub fn render_located(
    ctx: &Context,
    sources: &mut SourceMap,
    diagnostics: &[Diagnostic],
) -> String {
    let mut diagnostics = diagnostics.to_vec();
    joinery_diagnostics::add_source_notes(ctx, sources, &mut diagnostics);
    joinery_diagnostics::render(sources, &diagnostics)
}

/// The text of an input file, or a diagnostic at its first byte that is not UTF-8 (the
/// file, decoded lossily, is then added to `sources` so that the error shows the line).
pub fn utf8_text(
    sources: &mut SourceMap,
    name: &str,
    bytes: Vec<u8>,
) -> Result<String, Diagnostic> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let file = sources.add(name.to_string(), lossy);
        let span = joinery_ir::Span::new(file, offset, offset + 1);
        Diagnostic::error("the input is not valid UTF-8 text").with_span(Some(span))
    })
}

/// The text of the file at `path` (`-` is stdin), added to `sources`: a regular file of
/// [`SourceText::MAP_THRESHOLD`] bytes or more is mapped, so that the parser can give its
/// pages back as it passes them. The error is the I/O error or the located non-UTF-8
/// diagnostic, rendered and ready to print.
pub fn read_source(path: &std::path::Path, sources: &mut SourceMap) -> Result<FileId, String> {
    let name = path.display().to_string();
    if name != "-"
        && let Some(text) = mapped_text(path)
    {
        return Ok(sources.add_text(name, text));
    }
    let bytes = if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("error: cannot read stdin: {e}\n"))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| format!("error: cannot read {name}: {e}\n"))?
    };
    let text =
        utf8_text(sources, &name, bytes).map_err(|d| joinery_diagnostics::render(sources, &[d]))?;
    Ok(sources.add(name, text))
}

/// The text of the regular file at `path` as a mapping ([`SourceText::map`]), or `None`
/// when it is small, not UTF-8 or cannot be opened or mapped (it is then read, and a
/// failure reported as such).
fn mapped_text(path: &std::path::Path) -> Option<SourceText> {
    let file = std::fs::File::open(path).ok()?;
    let metadata = file.metadata().ok()?;
    if !metadata.is_file() {
        return None;
    }
    SourceText::map(&file, metadata.len())
}

/// Parses `file` of `sources` with `dialects` registered and verifies it. The error is the
/// rendered diagnostics, ready to print.
pub fn parse_verified(
    sources: SourceMap,
    file: FileId,
    dialects: &[&'static Dialect],
) -> Result<LoadedModule, String> {
    let mut sources = sources;
    let mut ctx = Context::new(dialects);
    let module = parse_source(&mut ctx, &sources, file)
        .map_err(|diags| joinery_diagnostics::render(&sources, &diags))?;
    let problems = joinery_ir::verify::verify(&ctx, module);
    if problems.iter().any(Diagnostic::is_error) {
        return Err(render_located(&ctx, &mut sources, &problems));
    }
    Ok(LoadedModule {
        ctx,
        sources,
        module,
    })
}

/// The prologue of every tool but the opt driver: reads `path` (`-` is stdin), parses it
/// with `dialects` registered and verifies it ([`read_source`], [`parse_verified`]).
pub fn load_module(
    path: &std::path::Path,
    dialects: &[&'static Dialect],
) -> Result<LoadedModule, String> {
    let mut sources = SourceMap::default();
    let file = read_source(path, &mut sources)?;
    parse_verified(sources, file, dialects)
}

/// Runs the opt tool on the process's stdin/stdout/stderr; returns the exit status.
/// `args[0]` is the tool name.
pub fn opt_main(args: Vec<String>, dialects: &[&'static Dialect], passes: &PassRegistry) -> i32 {
    let mut stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    opt_main_with_io(args, dialects, passes, &mut stdin, &mut stdout, &mut stderr)
}

/// [`opt_main`] over explicit streams (for tests and embedding).
pub fn opt_main_with_io(
    args: Vec<String>,
    dialects: &[&'static Dialect],
    passes: &PassRegistry,
    stdin: &mut (dyn Read + Send),
    stdout: &mut (dyn Write + Send),
    stderr: &mut (dyn Write + Send),
) -> i32 {
    guard::run_tool(stderr, |stderr| {
        let mut driver = Driver {
            dialects,
            passes,
            stdout: &mut *stdout,
            stderr,
        };
        driver.main(args, stdin)
    })
}

/// One invocation of the tool.
struct Driver<'a> {
    dialects: &'a [&'static Dialect],
    passes: &'a PassRegistry,
    stdout: &'a mut (dyn Write + Send),
    stderr: &'a mut (dyn Write + Send),
}

/// What processing one input (or one `--split-input-file` chunk) gave.
struct ChunkOutcome {
    /// The printed result, when the chunk succeeded and was not streamed to the output.
    output: Option<String>,
    /// Whether the chunk counts as a success (for `--verify-diagnostics`: every
    /// expectation met).
    ok: bool,
}

/// Wall time of the phases around the passes, for `--timing`.
#[derive(Default)]
struct PhaseTimes {
    parse: Duration,
    verify: Duration,
    print: Duration,
}

impl Driver<'_> {
    fn main(&mut self, args: Vec<String>, stdin: &mut (dyn Read + Send)) -> i32 {
        let tool = args
            .first()
            .and_then(|a| std::path::Path::new(a).file_name())
            .map_or_else(
                || "joinery-opt".to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
        let matches = match cli::command(&tool, self.passes).try_get_matches_from(&args) {
            Ok(m) => m,
            Err(e) => {
                let text = e.render().to_string();
                let code = if e.use_stderr() {
                    let _ = write!(self.stderr, "{text}");
                    1
                } else {
                    let _ = write!(self.stdout, "{text}");
                    0
                };
                return code;
            }
        };
        let opts = match cli::options(&matches, self.passes) {
            Ok(o) => o,
            Err(message) => return self.fail(&SourceMap::default(), &[Diagnostic::error(message)]),
        };
        if opts.list_passes {
            let _ = write!(self.stdout, "{}", self.passes.list_text());
            return 0;
        }
        if opts.show_dialects {
            let ctx = Context::new(self.dialects);
            let _ = writeln!(self.stdout, "Available Dialects:");
            for d in ctx.registry().dialects() {
                let _ = writeln!(self.stdout, "  {:<10} - {}", d.name, d.summary);
            }
            return 0;
        }
        self.run(&tool, &opts, stdin)
    }

    /// Renders diagnostics on stderr and returns exit status 1.
    fn fail(&mut self, sources: &SourceMap, diags: &[Diagnostic]) -> i32 {
        self.report(sources, diags);
        1
    }

    fn report(&mut self, sources: &SourceMap, diags: &[Diagnostic]) {
        if !diags.is_empty() {
            let _ = write!(
                self.stderr,
                "{}",
                joinery_diagnostics::render(sources, diags)
            );
        }
    }

    fn print_options(opts: &Options) -> PrintOptions {
        PrintOptions {
            generic: opts.print_op_generic,
            debug_info: opts.print_debuginfo,
        }
    }

    /// Builds the pass manager the options ask for, with instrumentation set up.
    fn pass_manager(
        &self,
        tool: &str,
        opts: &Options,
        dumps: &DumpBuffer,
    ) -> Result<PassManager, Diagnostic> {
        let mut pm = match &opts.pipeline {
            PipelineSource::Text(text) => PassManager::parse(self.passes, text)
                .map_err(|d| d.with_note(format!("in the pass pipeline '{text}'"), None))?,
            PipelineSource::Flags(flags) => {
                let pipeline = self.passes.pipeline_from_flags(ROOT_OP, flags)?;
                PassManager::from_pipeline(self.passes, &pipeline)?
            }
        };
        pm.verify_each = opts.verify_each;
        pm.progress = Progress::new(opts.progress);
        let filter = |all: bool, names: &[String]| {
            if all {
                PassFilter::All
            } else if names.is_empty() {
                PassFilter::None
            } else {
                PassFilter::Only(names.to_vec())
            }
        };
        for name in opts.print_ir_before.iter().chain(&opts.print_ir_after) {
            if self.passes.pass(name).is_none() {
                return Err(Diagnostic::error(format!(
                    "'{name}' given to --print-ir-before/--print-ir-after is not a registered pass"
                )));
            }
        }
        pm.ir_printing = IrPrinting {
            before: filter(opts.print_ir_before_all, &opts.print_ir_before),
            after: filter(opts.print_ir_after_all, &opts.print_ir_after),
            after_change: opts.print_ir_after_change,
            after_failure: false,
            module_scope: false,
            print: Self::print_options(opts),
        };
        let header = RunHeader::new(
            tool,
            opts.allow_unregistered_dialect,
            self.passes,
            &pm.pipeline(),
        );
        pm.dump_sink = Box::new(dumps.writer(header));
        Ok(pm)
    }

    fn run(&mut self, tool: &str, opts: &Options, stdin: &mut (dyn Read + Send)) -> i32 {
        let mut sources = SourceMap::default();
        let (name, text) = match input_text(&mut sources, &opts.input, stdin) {
            Ok(x) => x,
            Err(d) => return self.fail(&sources, &[d]),
        };
        let dumps = DumpBuffer::default();
        let mut pm = match self.pass_manager(tool, opts, &dumps) {
            Ok(pm) => pm,
            Err(d) => return self.fail(&sources, &[d]),
        };
        if opts.dump_pass_pipeline {
            let _ = writeln!(self.stderr, "{}", pm.pipeline());
        }
        let chunks = if opts.split_input_file {
            split::split_input(&text)
                .into_iter()
                .map(|chunk| SourceText::from(chunk.text))
                .collect()
        } else {
            vec![text]
        };
        let mut times = PhaseTimes::default();
        let mut outputs = Vec::with_capacity(chunks.len());
        let mut ok = true;
        for chunk in chunks {
            let mut sources = SourceMap::default();
            let file = sources.add_text(name.clone(), chunk);
            let outcome = self.process(opts, &mut pm, &mut sources, file, &mut times, &dumps);
            ok &= outcome.ok;
            outputs.push(outcome.output.unwrap_or_default());
        }
        let start = Instant::now();
        let joined = if opts.split_input_file {
            split::join_outputs(&outputs)
        } else {
            // A single chunk: its text is the output, moved rather than copied.
            outputs.pop().unwrap_or_default()
        };
        if !streams_output(opts)
            && let Err(d) = self.write_output(&opts.output, &joined, ok)
        {
            ok = false;
            self.report(&sources, &[d]);
        }
        times.print += start.elapsed();
        if opts.pass_statistics {
            let _ = write!(self.stderr, "{}", pm.statistics_report());
        }
        if opts.timing {
            let report = pm.timing_report(
                &[("Parser", times.parse), ("Verifier", times.verify)],
                &[("Output", times.print)],
            );
            let _ = write!(self.stderr, "{report}");
        }
        i32::from(!ok)
    }

    /// Parses, verifies, runs the passes on and prints one chunk.
    fn process(
        &mut self,
        opts: &Options,
        pm: &mut PassManager,
        sources: &mut SourceMap,
        file: FileId,
        times: &mut PhaseTimes,
        dumps: &DumpBuffer,
    ) -> ChunkOutcome {
        let mut ctx = Context::new(self.dialects);
        ctx.allow_unregistered = opts.allow_unregistered_dialect;
        let mut diags = Vec::new();
        let result = self.transform(opts, pm, &mut ctx, sources, file, times, &mut diags);
        let dumped = dumps.take();
        let _ = self.stderr.write_all(dumped.as_bytes());
        let printable = result.filter(|_| !diags.iter().any(Diagnostic::is_error));
        if opts.verify_diagnostics {
            let output = printable.map(|module| {
                let start = Instant::now();
                let text = print_op(&ctx, module, &Self::print_options(opts));
                times.print += start.elapsed();
                text
            });
            let problems = joinery_diagnostics::check_expected(sources, file, &diags);
            let ok = problems.is_empty();
            self.report(sources, &problems);
            return ChunkOutcome { output, ok };
        }
        // Diagnostics first, then the text.
        joinery_diagnostics::add_source_notes(&ctx, sources, &mut diags);
        self.report(sources, &diags);
        let Some(module) = printable else {
            return ChunkOutcome {
                output: None,
                ok: false,
            };
        };
        let start = Instant::now();
        let outcome = if streams_output(opts) {
            let written = self.stream_output(opts, &ctx, module);
            ChunkOutcome {
                output: None,
                ok: written.map_err(|d| self.report(sources, &[d])).is_ok(),
            }
        } else {
            ChunkOutcome {
                output: Some(print_op(&ctx, module, &Self::print_options(opts))),
                ok: true,
            }
        };
        times.print += start.elapsed();
        outcome
    }

    /// Parse, verify, passes and the round-trip check; `None` when the IR could not be
    /// built or the pipeline failed. Every diagnostic goes to `diags`.
    #[allow(clippy::too_many_arguments)]
    fn transform(
        &mut self,
        opts: &Options,
        pm: &mut PassManager,
        ctx: &mut Context,
        sources: &mut SourceMap,
        file: FileId,
        times: &mut PhaseTimes,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<OpId> {
        let start = Instant::now();
        let parsed = parse_source(ctx, sources, file);
        times.parse += start.elapsed();
        let module = match parsed {
            Ok(m) => m,
            Err(errors) => {
                diags.extend(errors);
                return None;
            }
        };
        let start = Instant::now();
        let problems = joinery_ir::verify::verify(ctx, module);
        times.verify += start.elapsed();
        if !problems.is_empty() {
            diags.extend(problems);
            return None;
        }
        match pm.run(ctx, module) {
            Ok(emitted) => diags.extend(emitted),
            Err(emitted) => {
                diags.extend(emitted);
                return None;
            }
        }
        if opts.verify_roundtrip {
            for generic in [true, false] {
                let print = PrintOptions {
                    generic,
                    debug_info: opts.print_debuginfo,
                };
                if let Err(d) = self.check_roundtrip(ctx, module, print, sources, opts) {
                    diags.push(d);
                    return None;
                }
            }
        }
        Some(module)
    }

    /// `--verify-roundtrip`: print, parse the text in a fresh context, print again; the two
    /// texts must be identical.
    fn check_roundtrip(
        &self,
        ctx: &Context,
        module: OpId,
        print: PrintOptions,
        sources: &mut SourceMap,
        opts: &Options,
    ) -> Result<(), Diagnostic> {
        let form = if print.generic { "generic" } else { "pretty" };
        let first = print_op(ctx, module, &print);
        let mut ctx2 = Context::new(self.dialects);
        ctx2.allow_unregistered = opts.allow_unregistered_dialect;
        let file = sources.add(format!("<{form} round trip>"), first.clone());
        let module2 = parse_source(&mut ctx2, sources, file).map_err(|errors| {
            let mut d = Diagnostic::error(format!(
                "round trip failed: the {form} form of the IR does not parse back"
            ));
            for e in errors {
                d = d.with_note(e.message, e.span);
            }
            d
        })?;
        let second = print_op(&ctx2, module2, &print);
        match first_difference(&first, &second) {
            None => Ok(()),
            Some((line, a, b)) => Err(Diagnostic::error(format!(
                "round trip failed: the {form} form prints differently after parsing it back"
            ))
            .with_note(format!("line {line} printed first:  {a}"), None)
            .with_note(format!("line {line} printed again: {b}"), None)),
        }
    }

    /// Prints a module that passed straight to the output as its text is made (the file is
    /// created only now, as a failed run leaves it untouched).
    fn stream_output(
        &mut self,
        opts: &Options,
        ctx: &Context,
        module: OpId,
    ) -> Result<(), Diagnostic> {
        let print = Self::print_options(opts);
        if opts.output == "-" {
            return print_op_to(ctx, module, &print, &mut *self.stdout)
                .and_then(|()| self.stdout.flush())
                .map_err(|e| Diagnostic::error(format!("cannot write the output: {e}")));
        }
        std::fs::File::create(&opts.output)
            .and_then(|mut file| print_op_to(ctx, module, &print, &mut file))
            .map_err(|e| {
                Diagnostic::error(format!("cannot write output file '{}': {e}", opts.output))
            })
    }

    /// Writes the result; a file is written only when everything succeeded (as mlir-opt
    /// keeps its output file only on success), stdout always gets what was produced.
    fn write_output(&mut self, output: &str, text: &str, ok: bool) -> Result<(), Diagnostic> {
        if output == "-" {
            return self
                .stdout
                .write_all(text.as_bytes())
                .and_then(|()| self.stdout.flush())
                .map_err(|e| Diagnostic::error(format!("cannot write the output: {e}")));
        }
        if !ok {
            return Ok(());
        }
        std::fs::write(output, text)
            .map_err(|e| Diagnostic::error(format!("cannot write output file '{output}': {e}")))
    }
}

/// Whether the printed module goes straight to the output as it is made: with one chunk
/// and no expected diagnostics to check, nothing decides after printing whether to write it.
fn streams_output(opts: &Options) -> bool {
    !opts.split_input_file && !opts.verify_diagnostics
}

/// The name and text of the input (`-` is stdin): a large regular file mapped
/// ([`mapped_text`]), any other read whole; a text that is not UTF-8 is a located
/// diagnostic.
fn input_text(
    sources: &mut SourceMap,
    input: &str,
    stdin: &mut (dyn Read + Send),
) -> Result<(String, SourceText), Diagnostic> {
    if input != "-"
        && let Some(text) = mapped_text(std::path::Path::new(input))
    {
        return Ok((input.to_string(), text));
    }
    let (name, bytes) = read_input(input, stdin)?;
    let text = utf8_text(sources, &name, bytes)?;
    Ok((name, SourceText::from(text)))
}

/// Reads the input file, or stdin for `-`; returns its display name and bytes.
fn read_input(input: &str, stdin: &mut (dyn Read + Send)) -> Result<(String, Vec<u8>), Diagnostic> {
    let mut bytes = Vec::new();
    if input == "-" {
        stdin
            .read_to_end(&mut bytes)
            .map_err(|e| Diagnostic::error(format!("cannot read standard input: {e}")))?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    std::fs::File::open(input)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(|e| Diagnostic::error(format!("cannot open input file '{input}': {e}")))?;
    Ok((input.to_string(), bytes))
}

/// The first line where two texts differ: (1-based line, line of `a`, line of `b`).
fn first_difference<'t>(a: &'t str, b: &'t str) -> Option<(usize, &'t str, &'t str)> {
    let mut la = a.lines();
    let mut lb = b.lines();
    for line in 1.. {
        match (la.next(), lb.next()) {
            (None, None) => return None,
            (x, y) if x == y => continue,
            (x, y) => {
                return Some((
                    line,
                    x.unwrap_or("<end of text>"),
                    y.unwrap_or("<end of text>"),
                ));
            }
        }
    }
    None
}
