//! The [`Pass`] trait and the declarative record every pass is registered with
//! ([`PassInfo`]): one value feeds the `--<pass>` flags, `--list-passes`, pipeline parsing,
//! option validation and the statistics report, as MLIR's pass declarations do.

use crate::options::{PassOptionInfo, PassOptions};
use joinery_ir::{Context, Diagnostic, OpId};

/// What a pass run returns: `Ok(changed)` says whether the IR was modified (this drives
/// `--print-ir-after-change`); `Err` carries the errors that made the pass fail.
pub type PassResult = Result<bool, Vec<Diagnostic>>;

/// A transformation or analysis over one op (the anchor) and everything nested in it.
pub trait Pass {
    /// Runs on `op`. Non-fatal diagnostics (warnings, remarks) go to `state`; statistics
    /// are bumped through `state`. A pass changes IR only under `op`.
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult;
}

/// Builds a pass from its validated options.
pub type PassConstructor = fn(&PassOptions) -> Box<dyn Pass>;

/// The declaration of a pass: everything the registry, the flags and the docs show.
#[derive(Debug)]
pub struct PassInfo {
    /// The kebab-case flag and pipeline name (`cse`, `symbol-dce`).
    pub name: &'static str,
    /// The name reports and IR dump headers show, as MLIR's pass class name (`CSE`).
    pub title: &'static str,
    /// One line for `--list-passes`.
    pub summary: &'static str,
    /// What the pass needs, what it guarantees, and its known gaps.
    pub description: &'static str,
    /// The op name the pass runs on (`func.func`), or `None` when it runs on any op.
    pub anchor: Option<&'static str>,
    /// Typed options, settable as `name{key=value ...}`.
    pub options: &'static [PassOptionInfo],
    /// Counters the pass bumps: (name, description).
    pub statistics: &'static [(&'static str, &'static str)],
    /// Builds the pass from parsed options.
    pub constructor: PassConstructor,
}

impl PassInfo {
    /// The declaration of option `name`.
    pub fn option(&self, name: &str) -> Option<&'static PassOptionInfo> {
        self.options.iter().find(|o| o.name == name)
    }
}

/// What a running pass reports besides its result: statistics and non-fatal diagnostics.
#[derive(Debug)]
pub struct PassState<'a> {
    info: &'static PassInfo,
    statistics: &'a mut [u64],
    /// Warnings and remarks the pass emitted; the manager returns them with the result.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'a> PassState<'a> {
    /// A state for one run of the pass declared by `info`, counting into `statistics`
    /// (one slot per declared statistic).
    pub fn new(info: &'static PassInfo, statistics: &'a mut [u64]) -> PassState<'a> {
        assert_eq!(
            info.statistics.len(),
            statistics.len(),
            "one counter per statistic of '{}'",
            info.name
        );
        PassState {
            info,
            statistics,
            diagnostics: Vec::new(),
        }
    }

    /// Adds `n` to statistic `name`, which must be declared in the pass's [`PassInfo`].
    pub fn add_statistic(&mut self, name: &str, n: u64) {
        let i = self
            .info
            .statistics
            .iter()
            .position(|(s, _)| *s == name)
            .unwrap_or_else(|| {
                panic!(
                    "statistic '{name}' is not declared by pass '{}'",
                    self.info.name
                )
            });
        self.statistics[i] += n;
    }

    /// Records a non-fatal diagnostic.
    pub fn emit(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }
}
