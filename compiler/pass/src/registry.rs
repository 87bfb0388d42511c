//! The [`PassRegistry`]: every pass and named pipeline a tool knows, by name. It feeds the
//! `--<pass>` flags, `--list-passes`, and pipeline instantiation.

use crate::options::{PassOptions, RawOption};
use crate::pass::PassInfo;
use crate::pipeline::{Pipeline, PipelineElement, parse_pipeline_elements};
use joinery_ir::Diagnostic;
use std::collections::BTreeMap;

/// A named pipeline, registered like a pass: using its name in a pipeline (or as a flag)
/// stands for the elements of its text.
#[derive(Debug)]
pub struct PipelineInfo {
    /// kebab-case name.
    pub name: &'static str,
    /// One line for `--list-passes`.
    pub summary: &'static str,
    /// Why each step sits where it does.
    pub description: &'static str,
    /// The element list it expands to: `func.func(cse,canonicalize),symbol-dce`.
    pub pipeline: &'static str,
}

/// What a name in a pipeline refers to.
#[derive(Clone, Copy, Debug)]
pub enum Registered {
    Pass(&'static PassInfo),
    Pipeline(&'static PipelineInfo),
}

/// Passes and named pipelines by name (kept sorted for listing).
#[derive(Debug, Default)]
pub struct PassRegistry {
    passes: BTreeMap<&'static str, &'static PassInfo>,
    pipelines: BTreeMap<&'static str, &'static PipelineInfo>,
}

impl PassRegistry {
    /// An empty registry.
    pub fn new() -> PassRegistry {
        PassRegistry::default()
    }

    /// Registers a pass. Panics on a name clash or on a default option value that does not
    /// parse: both are bugs in the declarations, found by any test that builds the registry.
    pub fn register(&mut self, info: &'static PassInfo) {
        assert!(
            self.lookup(info.name).is_none(),
            "'{}' is registered twice",
            info.name
        );
        PassOptions::defaults(info);
        self.passes.insert(info.name, info);
    }

    /// Registers a named pipeline. Its text must parse; names inside it are resolved when it
    /// is used, so it may refer to passes registered later.
    pub fn register_pipeline(&mut self, info: &'static PipelineInfo) -> Result<(), Diagnostic> {
        if self.lookup(info.name).is_some() {
            return Err(Diagnostic::error(format!(
                "'{}' is registered twice",
                info.name
            )));
        }
        parse_pipeline_elements(info.pipeline).map_err(|d| {
            Diagnostic::error(format!("in named pipeline '{}': {}", info.name, d.message))
        })?;
        self.pipelines.insert(info.name, info);
        Ok(())
    }

    /// A pass or named pipeline by name.
    pub fn lookup(&self, name: &str) -> Option<Registered> {
        if let Some(p) = self.passes.get(name) {
            return Some(Registered::Pass(p));
        }
        self.pipelines.get(name).map(|p| Registered::Pipeline(p))
    }

    /// A pass by name.
    pub fn pass(&self, name: &str) -> Option<&'static PassInfo> {
        self.passes.get(name).copied()
    }

    /// A named pipeline by name.
    pub fn named_pipeline(&self, name: &str) -> Option<&'static PipelineInfo> {
        self.pipelines.get(name).copied()
    }

    /// All passes, sorted by name.
    pub fn passes(&self) -> impl Iterator<Item = &'static PassInfo> + '_ {
        self.passes.values().copied()
    }

    /// All named pipelines, sorted by name.
    pub fn pipelines(&self) -> impl Iterator<Item = &'static PipelineInfo> + '_ {
        self.pipelines.values().copied()
    }

    /// The `--list-passes` text: every pass with its summary and options, then every named
    /// pipeline, sorted by name.
    pub fn list_text(&self) -> String {
        let mut out = String::from("Passes:\n");
        let width = self
            .passes
            .keys()
            .chain(self.pipelines.keys())
            .map(|n| n.len())
            .max()
            .unwrap_or(0);
        for info in self.passes() {
            out += &format!("  --{:<width$} - {}\n", info.name, info.summary);
            if let Some(anchor) = info.anchor {
                out += &format!("      (runs on '{anchor}')\n");
            }
            for o in info.options {
                let default = if o.default.is_empty() {
                    String::new()
                } else {
                    format!(" (default: {})", o.default)
                };
                out += &format!(
                    "      {}={} - {}{default}\n",
                    o.name,
                    o.kind.placeholder(),
                    o.help
                );
            }
        }
        if !self.pipelines.is_empty() {
            out += "Pass Pipelines:\n";
            for info in self.pipelines() {
                out += &format!("  --{:<width$} - {}\n", info.name, info.summary);
                out += &format!("      = {}\n", info.pipeline);
            }
        }
        out
    }

    /// Builds a pipeline anchored on `root` from `--<pass>[=options]` flags in order, as
    /// mlir-opt does: a pass anchored on another op (say `func.func`) is nested as
    /// `func.func(pass)`, and consecutive passes with that anchor share one nested pipeline.
    /// Op-agnostic passes (`cse`, `canonicalize`, ... anchor `None`) run on the root op
    /// itself and reach nested ops by walking. Each flag is (name, option text).
    pub fn pipeline_from_flags(
        &self,
        root: &str,
        flags: &[(String, String)],
    ) -> Result<Pipeline, Diagnostic> {
        let mut pipeline = Pipeline {
            anchor: root.to_string(),
            elements: Vec::new(),
        };
        for (name, options_text) in flags {
            let options = crate::options::parse_option_list(options_text, 0)
                .map_err(|e| Diagnostic::error(format!("in the options of '--{name}': {e}")))?;
            let anchor = match self.lookup(name) {
                Some(Registered::Pass(info)) => info.anchor,
                Some(Registered::Pipeline(_)) => None,
                None => return Err(unknown_name(self, name)),
            };
            let element = PipelineElement::Pass {
                name: name.clone(),
                options,
            };
            match anchor {
                Some(a) if a != root => match pipeline.elements.last_mut() {
                    Some(PipelineElement::Nested(nested)) if nested.anchor == a => {
                        nested.elements.push(element)
                    }
                    _ => pipeline.elements.push(PipelineElement::Nested(Pipeline {
                        anchor: a.to_string(),
                        elements: vec![element],
                    })),
                },
                _ => pipeline.elements.push(element),
            }
        }
        Ok(pipeline)
    }
}

/// The error for a name that is neither a pass nor a named pipeline, with a suggestion.
pub(crate) fn unknown_name(registry: &PassRegistry, name: &str) -> Diagnostic {
    let suggestion = registry
        .passes
        .keys()
        .chain(registry.pipelines.keys())
        .map(|k| (edit_distance(k, name), *k))
        .filter(|(d, _)| *d <= 2)
        .min();
    let d = Diagnostic::error(format!(
        "'{name}' does not refer to a registered pass or pass pipeline"
    ));
    match suggestion {
        Some((_, k)) => d.with_note(format!("did you mean '{k}'?"), None),
        None => d,
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// Raw options given to a named pipeline are an error: it takes none.
pub(crate) fn reject_pipeline_options(
    info: &PipelineInfo,
    options: &[RawOption],
) -> Result<(), Diagnostic> {
    if options.is_empty() {
        Ok(())
    } else {
        Err(Diagnostic::error(format!(
            "named pipeline '{}' takes no options",
            info.name
        )))
    }
}
