//! The [`PassManager`]: runs a pipeline over an op. A nested pipeline runs, op by op, on
//! every op with its anchor name directly inside the current op (MLIR's op-to-op adaptor).
//! After each pass that changed the IR the verifier runs on the op the pass ran on
//! (`verify_each`, on by default). Instrumentation: IR dumps before/after passes on a sink
//! (stderr by default), per-pass wall time and statistics, reported in MLIR's formats.

use crate::options::PassOptions;
use crate::pass::{Pass, PassInfo, PassState};
use crate::pipeline::{Pipeline, PipelineElement, parse_pipeline, parse_pipeline_elements};
use crate::progress::Progress;
use crate::registry::{PassRegistry, Registered, reject_pipeline_options, unknown_name};
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_syntax::{PrintOptions, print_op};
use std::io::Write;
use std::time::{Duration, Instant};

/// Which passes an IR dump applies to.
#[derive(Clone, Default, PartialEq, Eq, Debug)]
pub enum PassFilter {
    /// No pass.
    #[default]
    None,
    /// Every pass.
    All,
    /// Passes with these names (`cse`, `canonicalize`).
    Only(Vec<String>),
}

impl PassFilter {
    fn matches(&self, name: &str) -> bool {
        match self {
            PassFilter::None => false,
            PassFilter::All => true,
            PassFilter::Only(names) => names.iter().any(|n| n == name),
        }
    }
}

/// IR dump settings (MLIR's `--mlir-print-ir-*` flags).
#[derive(Clone, Default, Debug)]
pub struct IrPrinting {
    /// Dump before these passes (`--print-ir-before=P`, `--print-ir-before-all`).
    pub before: PassFilter,
    /// Dump after these passes (`--print-ir-after=P`, `--print-ir-after-all`).
    pub after: PassFilter,
    /// Only dump after a pass that changed the IR (`--print-ir-after-change`); alone (with
    /// `after` at `None`) it means "after every pass that changed the IR".
    pub after_change: bool,
    /// Dump after a pass that failed (`--print-ir-after-failure`).
    pub after_failure: bool,
    /// Dump the whole top-level op, not just the op the pass ran on.
    pub module_scope: bool,
    /// Printer settings for the dumps.
    pub print: PrintOptions,
}

impl IrPrinting {
    fn after_filter(&self) -> &PassFilter {
        if self.after_change && self.after == PassFilter::None {
            &PassFilter::All
        } else {
            &self.after
        }
    }
}

/// One scheduled pass with its counters.
struct PassSlot {
    info: &'static PassInfo,
    options: PassOptions,
    pass: Box<dyn Pass>,
    statistics: Vec<u64>,
    time: Duration,
}

/// A pipeline of entries run on ops named `anchor` (`None`: any op).
struct OpPipeline {
    anchor: Option<String>,
    entries: Vec<Entry>,
    time: Duration,
}

enum Entry {
    Pass(PassSlot),
    Nested(OpPipeline),
}

/// Runs a pipeline of passes; see the module docs.
///
/// ```text
/// let mut pm = PassManager::parse(&registry, "builtin.module(func.func(cse),symbol-dce)")?;
/// pm.ir_printing.after = PassFilter::All;
/// let warnings = pm.run(&mut ctx, module)?;
/// eprint!("{}", pm.timing_report(&[], &[]));
/// ```
pub struct PassManager {
    root: OpPipeline,
    /// Verify the op a pass ran on after each pass that changed it (default `true`).
    pub verify_each: bool,
    /// IR dump settings.
    pub ir_printing: IrPrinting,
    /// Where IR dumps go (stderr by default).
    pub dump_sink: Box<dyn Write>,
    /// Progress lines for the top-level entries of the pipeline (off by default).
    pub progress: Progress,
    total_time: Duration,
}

impl PassManager {
    /// An empty manager for ops named `anchor` (`builtin.module`, or `any`).
    pub fn new(anchor: &str) -> PassManager {
        PassManager {
            root: OpPipeline {
                anchor: (anchor != "any").then(|| anchor.to_string()),
                entries: Vec::new(),
                time: Duration::ZERO,
            },
            verify_each: true,
            ir_printing: IrPrinting::default(),
            dump_sink: Box::new(std::io::stderr()),
            progress: Progress::default(),
            total_time: Duration::ZERO,
        }
    }

    /// A manager for a parsed pipeline; every name is resolved in `registry` and every
    /// option validated.
    pub fn from_pipeline(
        registry: &PassRegistry,
        pipeline: &Pipeline,
    ) -> Result<PassManager, Diagnostic> {
        let mut pm = PassManager::new(&pipeline.anchor);
        add_elements(registry, &mut pm.root, &pipeline.elements, &mut Vec::new())?;
        Ok(pm)
    }

    /// A manager for pipeline text (`builtin.module(cse)`).
    pub fn parse(registry: &PassRegistry, text: &str) -> Result<PassManager, Diagnostic> {
        PassManager::from_pipeline(registry, &parse_pipeline(text)?)
    }

    /// Appends elements written without an anchor (`cse,func.func(canonicalize)`) at the
    /// top level, e.g. from the text of a named pipeline.
    pub fn add_text(&mut self, registry: &PassRegistry, text: &str) -> Result<(), Diagnostic> {
        let elements = parse_pipeline_elements(text)?;
        add_elements(registry, &mut self.root, &elements, &mut Vec::new())
    }

    /// The pipeline as scheduled: named pipelines expanded and every option of every pass
    /// spelled out (`--dump-pass-pipeline`). Its text parses back to the same manager.
    pub fn pipeline(&self) -> Pipeline {
        self.root.to_pipeline()
    }

    /// Runs the pipeline on `op`. `Ok` holds the non-fatal diagnostics passes emitted;
    /// `Err` holds everything emitted up to and including the errors that stopped the run
    /// (a failing pass, or the verifier after a pass).
    pub fn run(&mut self, ctx: &mut Context, op: OpId) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        if let Some(anchor) = &self.root.anchor
            && ctx.name_str(op) != anchor
        {
            return Err(vec![
                Diagnostic::error(format!(
                    "can't run a '{anchor}' pass manager on a '{}' op",
                    ctx.name_str(op)
                ))
                .with_span(ctx.span(op)),
            ]);
        }
        let mut env = RunEnv {
            verify_each: self.verify_each,
            printing: &self.ir_printing,
            sink: &mut *self.dump_sink,
            root: op,
            diagnostics: Vec::new(),
        };
        let start = Instant::now();
        let ok = self.root.run(ctx, op, &mut env, self.progress);
        self.total_time += start.elapsed();
        let _ = env.sink.flush();
        if ok {
            Ok(env.diagnostics)
        } else {
            Err(env.diagnostics)
        }
    }

    /// MLIR's `--mlir-timing` report of every run so far, in seconds to the microsecond (MLIR
    /// prints four decimals, too coarse for a cheap pass on a 10,000-op function). `before`/
    /// `after` are extra phases the caller timed (e.g. `("Parser", t)` and `("Output", t)`),
    /// listed around the passes.
    pub fn timing_report(&self, before: &[(&str, Duration)], after: &[(&str, Duration)]) -> String {
        let mut rows: Vec<(usize, String, Duration)> = Vec::new();
        rows.extend(before.iter().map(|(n, d)| (0, n.to_string(), *d)));
        let mut passes_time = Duration::ZERO;
        for e in &self.root.entries {
            passes_time += e.time();
            e.timing_rows(0, &mut rows);
        }
        rows.extend(after.iter().map(|(n, d)| (0, n.to_string(), *d)));
        let total = self.total_time
            + before.iter().map(|p| p.1).sum::<Duration>()
            + after.iter().map(|p| p.1).sum::<Duration>();
        rows.push((
            0,
            "Rest".into(),
            self.total_time.saturating_sub(passes_time),
        ));
        rows.push((0, "Total".into(), total));
        let mut out = report_header("... Execution time report ...");
        out += &format!(
            "  Total Execution Time: {:.6} seconds\n\n",
            total.as_secs_f64()
        );
        out += "  ------Wall Time------  ----Name----\n";
        let total_secs = total.as_secs_f64();
        for (depth, name, d) in rows {
            let pct = if total_secs > 0.0 {
                100.0 * d.as_secs_f64() / total_secs
            } else {
                0.0
            };
            out += &format!(
                "  {:10.6} ({:5.1}%)  {}{name}\n",
                d.as_secs_f64(),
                pct,
                "  ".repeat(depth)
            );
        }
        out
    }

    /// MLIR's `--mlir-pass-statistics` report (pipeline view) of every run so far.
    pub fn statistics_report(&self) -> String {
        let mut out = report_header("... Pass statistics report ...");
        for e in &self.root.entries {
            e.statistics_rows(0, &mut out);
        }
        out
    }
}

fn report_header(title: &str) -> String {
    let rule = format!("==={}===\n", "-".repeat(73));
    let pad = (80usize.saturating_sub(title.len())) / 2;
    format!("{rule}{}{title}\n{rule}", " ".repeat(pad))
}

/// Resolves pipeline elements into `target`; `expanding` holds the named pipelines being
/// expanded, to reject cycles.
fn add_elements(
    registry: &PassRegistry,
    target: &mut OpPipeline,
    elements: &[PipelineElement],
    expanding: &mut Vec<&'static str>,
) -> Result<(), Diagnostic> {
    for element in elements {
        match element {
            PipelineElement::Nested(p) => {
                let mut nested = OpPipeline {
                    anchor: (p.anchor != "any").then(|| p.anchor.clone()),
                    entries: Vec::new(),
                    time: Duration::ZERO,
                };
                add_elements(registry, &mut nested, &p.elements, expanding)?;
                target.entries.push(Entry::Nested(nested));
            }
            PipelineElement::Pass { name, options } => match registry.lookup(name) {
                Some(Registered::Pass(info)) => {
                    if let Some(a) = info.anchor
                        && target.anchor.as_deref() != Some(a)
                    {
                        let here = target.anchor.as_deref().unwrap_or("any");
                        return Err(Diagnostic::error(format!(
                            "pass '{name}' runs on '{a}' ops but is scheduled on '{here}'; \
                             nest it as '{a}({name})'"
                        )));
                    }
                    let options = PassOptions::parse(info, options)?;
                    target.entries.push(Entry::Pass(PassSlot {
                        info,
                        pass: (info.constructor)(&options),
                        options,
                        statistics: vec![0; info.statistics.len()],
                        time: Duration::ZERO,
                    }));
                }
                Some(Registered::Pipeline(info)) => {
                    reject_pipeline_options(info, options)?;
                    if expanding.contains(&info.name) {
                        return Err(Diagnostic::error(format!(
                            "named pipeline '{}' expands to itself",
                            info.name
                        )));
                    }
                    let inner = parse_pipeline_elements(info.pipeline)?;
                    expanding.push(info.name);
                    add_elements(registry, target, &inner, expanding)?;
                    expanding.pop();
                }
                None => return Err(unknown_name(registry, name)),
            },
        }
    }
    Ok(())
}

/// What a run threads through the pipeline.
struct RunEnv<'a> {
    verify_each: bool,
    printing: &'a IrPrinting,
    sink: &'a mut dyn Write,
    root: OpId,
    diagnostics: Vec<Diagnostic>,
}

impl RunEnv<'_> {
    fn dump(&mut self, ctx: &Context, when: &str, info: &PassInfo, op: OpId) {
        let target = if self.printing.module_scope {
            self.root
        } else {
            op
        };
        let mut header = format!("// -----// IR Dump {when} {} ({})", info.title, info.name);
        if ctx.parent_op(target).is_some() {
            header += &format!(" ('{}' operation", ctx.name_str(target));
            if let Some(sym) = ctx.symbol_name(target) {
                header += &format!(": @{sym}");
            }
            header += ")";
        }
        let text = print_op(ctx, target, &self.printing.print);
        let _ = write!(
            self.sink,
            "{header} //----- //\n{}\n\n",
            text.trim_end_matches('\n')
        );
    }
}

impl OpPipeline {
    /// Runs every entry on `op`, each a step of `progress`; false when a pass or the
    /// verifier failed.
    fn run(
        &mut self,
        ctx: &mut Context,
        op: OpId,
        env: &mut RunEnv<'_>,
        progress: Progress,
    ) -> bool {
        let n = self.entries.len();
        for (i, entry) in self.entries.iter_mut().enumerate() {
            let name = match entry {
                Entry::Pass(slot) => slot.info.name.to_string(),
                Entry::Nested(nested) => nested.to_pipeline().to_string(),
            };
            if !progress.step("pass", i + 1, n, &name, || entry.run(ctx, op, env)) {
                return false;
            }
        }
        true
    }

    fn to_pipeline(&self) -> Pipeline {
        Pipeline {
            anchor: self.anchor.clone().unwrap_or_else(|| "any".into()),
            elements: self
                .entries
                .iter()
                .map(|e| match e {
                    Entry::Pass(slot) => PipelineElement::Pass {
                        name: slot.info.name.to_string(),
                        options: slot.options.to_raw(),
                    },
                    Entry::Nested(p) => PipelineElement::Nested(p.to_pipeline()),
                })
                .collect(),
        }
    }
}

impl PassSlot {
    fn run(&mut self, ctx: &mut Context, op: OpId, env: &mut RunEnv<'_>) -> bool {
        let name = self.info.name;
        if env.printing.before.matches(name) {
            env.dump(ctx, "Before", self.info, op);
        }
        let start = Instant::now();
        let mut state = PassState::new(self.info, &mut self.statistics);
        let result = self.pass.run(ctx, op, &mut state);
        self.time += start.elapsed();
        env.diagnostics.append(&mut state.diagnostics);
        let changed = match result {
            Ok(changed) => changed,
            Err(errors) => {
                env.diagnostics.extend(errors);
                if env.printing.after_failure {
                    env.dump(ctx, "After Failed", self.info, op);
                }
                return false;
            }
        };
        if env.verify_each && changed {
            let problems = joinery_ir::verify::verify(ctx, op);
            if !problems.is_empty() {
                env.diagnostics.extend(
                    problems.into_iter().map(|d| {
                        d.with_note(format!("the IR is invalid after pass '{name}'"), None)
                    }),
                );
                if env.printing.after_failure {
                    env.dump(ctx, "After Failed", self.info, op);
                }
                return false;
            }
        }
        if env.printing.after_filter().matches(name) && (changed || !env.printing.after_change) {
            env.dump(ctx, "After", self.info, op);
        }
        true
    }
}

impl Entry {
    /// Runs the entry on `op` (a nested pipeline on each of its matching children);
    /// false when a pass or the verifier failed.
    fn run(&mut self, ctx: &mut Context, op: OpId, env: &mut RunEnv<'_>) -> bool {
        let nested = match self {
            Entry::Pass(slot) => return slot.run(ctx, op, env),
            Entry::Nested(nested) => nested,
        };
        let start = Instant::now();
        let children: Vec<OpId> = ctx
            .regions(op)
            .iter()
            .flat_map(|&r| ctx.region_blocks(r).iter())
            .flat_map(|&b| ctx.block_ops(b))
            .filter(|&c| {
                nested
                    .anchor
                    .as_deref()
                    .is_none_or(|a| ctx.name_str(c) == a)
            })
            .collect();
        let mut ok = true;
        for child in children {
            if !ctx.is_erased(child) && !nested.run(ctx, child, env, Progress::default()) {
                ok = false;
                break;
            }
        }
        nested.time += start.elapsed();
        ok
    }

    fn time(&self) -> Duration {
        match self {
            Entry::Pass(slot) => slot.time,
            Entry::Nested(p) => p.time,
        }
    }

    fn timing_rows(&self, depth: usize, rows: &mut Vec<(usize, String, Duration)>) {
        match self {
            Entry::Pass(slot) => rows.push((depth, slot.info.title.to_string(), slot.time)),
            Entry::Nested(p) => {
                rows.push((depth, p.title(), p.time));
                for e in &p.entries {
                    e.timing_rows(depth + 1, rows);
                }
            }
        }
    }

    fn statistics_rows(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        match self {
            Entry::Nested(p) => {
                *out += &format!("{pad}{}\n", p.title());
                for e in &p.entries {
                    e.statistics_rows(indent + 2, out);
                }
            }
            Entry::Pass(slot) => {
                *out += &format!("{pad}{}\n", slot.info.title);
                let mut stats: Vec<(&str, &str, u64)> = slot
                    .info
                    .statistics
                    .iter()
                    .zip(&slot.statistics)
                    .map(|((n, d), v)| (*n, *d, *v))
                    .collect();
                stats.sort_by(|a, b| a.0.cmp(b.0));
                let name_w = stats.iter().map(|s| s.0.len()).max().unwrap_or(0);
                let value_w = stats
                    .iter()
                    .map(|s| s.2.to_string().len())
                    .max()
                    .unwrap_or(0);
                for (n, d, v) in stats {
                    *out += &format!("{pad}  (S) {v:>value_w$} {n:<name_w$} - {d}\n");
                }
            }
        }
    }
}

impl OpPipeline {
    fn title(&self) -> String {
        format!("'{}' Pipeline", self.anchor.as_deref().unwrap_or("any"))
    }
}
