//! `canonicalize`: the greedy driver with every op's canonicalization patterns, folders and
//! removal of dead pure ops.

use crate::greedy::{GreedyConfig, PatternSet, apply_patterns_greedily};
use crate::options::{OptionKind, PassOptionInfo, PassOptions};
use crate::pass::{Pass, PassInfo, PassResult, PassState};
use joinery_ir::{Context, Diagnostic, OpId};

/// The declaration of `canonicalize`.
pub static CANONICALIZE: PassInfo = PassInfo {
    name: "canonicalize",
    title: "Canonicalizer",
    summary: "Canonicalize operations",
    description: "Applies, to a fixed point, the canonicalization patterns every op declares \
        (OpDef::canonicalize), folds ops through OpDef::fold (constants are built by the \
        dialect's materialize_constant hook; without one a constant fold is skipped) and \
        erases pure ops whose results are unused. Runs on any op and rewrites everything \
        nested in it.\n\
        Needs: nothing. Guarantees: no applicable pattern, folder or dead pure op is left \
        when it converges. A run that does not converge within max-iterations scans is \
        reported as a warning (an error with test-convergence).\n\
        Known gaps: equal constants are not deduplicated (run cse), no region \
        simplification (dead blocks, block-argument elimination).",
    anchor: None,
    options: &[
        PassOptionInfo {
            name: "max-iterations",
            kind: OptionKind::Int,
            default: "10",
            help: "Max. full scans of the IR before giving up",
        },
        PassOptionInfo {
            name: "max-num-rewrites",
            kind: OptionKind::Int,
            default: "-1",
            help: "Max. pattern applications and folds (-1: no limit)",
        },
        PassOptionInfo {
            name: "top-down",
            kind: OptionKind::Bool,
            default: "true",
            help: "Seed the worklist in program order",
        },
        PassOptionInfo {
            name: "test-convergence",
            kind: OptionKind::Bool,
            default: "false",
            help: "Fail (instead of warning) when the rewrites do not converge",
        },
        PassOptionInfo {
            name: "disable-patterns",
            kind: OptionKind::List(&OptionKind::String),
            default: "",
            help: "Pattern names never applied",
        },
        PassOptionInfo {
            name: "enable-patterns",
            kind: OptionKind::List(&OptionKind::String),
            default: "",
            help: "Only apply patterns with these names (empty: all)",
        },
    ],
    statistics: &[
        ("num-rewrites", "Number of pattern applications"),
        ("num-folded", "Number of ops folded"),
        ("num-erased", "Number of dead ops erased"),
    ],
    constructor: |o| Box::new(Canonicalize::new(o)),
};

/// The `canonicalize` pass.
pub struct Canonicalize {
    config: GreedyConfig,
    test_convergence: bool,
    patterns: PatternSet<'static>,
}

impl Canonicalize {
    /// Builds the pass from its options.
    pub fn new(options: &PassOptions) -> Canonicalize {
        let max_rewrites = options.int("max-num-rewrites");
        Canonicalize {
            config: GreedyConfig {
                max_iterations: options.int("max-iterations").max(0) as usize,
                max_rewrites: u64::try_from(max_rewrites).ok(),
                fold: true,
                top_down: options.bool("top-down"),
            },
            test_convergence: options.bool("test-convergence"),
            patterns: PatternSet {
                generic: Vec::new(),
                canonicalization: true,
                disabled: strings(options, "disable-patterns"),
                enabled: strings(options, "enable-patterns"),
            },
        }
    }
}

fn strings(options: &PassOptions, name: &str) -> Vec<String> {
    options
        .strings(name)
        .into_iter()
        .map(str::to_string)
        .collect()
}

impl Pass for Canonicalize {
    fn run(&mut self, ctx: &mut Context, op: OpId, state: &mut PassState) -> PassResult {
        let outcome = apply_patterns_greedily(ctx, op, &self.patterns, &self.config);
        state.add_statistic("num-rewrites", outcome.rewrites);
        state.add_statistic("num-folded", outcome.folds);
        state.add_statistic("num-erased", outcome.erased);
        if !outcome.converged {
            let d = Diagnostic::new(
                if self.test_convergence {
                    joinery_ir::Severity::Error
                } else {
                    joinery_ir::Severity::Warning
                },
                match self.config.max_rewrites {
                    Some(max) if outcome.rewrites + outcome.folds >= max => {
                        format!("canonicalization stopped after max-num-rewrites={max} rewrites")
                    }
                    _ => format!(
                        "canonicalization did not converge within {} iterations",
                        self.config.max_iterations
                    ),
                },
            )
            .with_span(ctx.span(op));
            if self.test_convergence {
                return Err(vec![d]);
            }
            state.emit(d);
        }
        Ok(outcome.changed())
    }
}
