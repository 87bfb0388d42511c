//! IR dumps that are already tests (STYLE.md §7): the pass manager writes MLIR's dump
//! headers (`// -----// IR Dump Before CSE (cse) //----- //`); the driver's sink adds a
//! `// RUN:` line under each, so a dump saved to a file runs under lit as it is. Before a
//! pass, the line runs that pass (with its options) on the dumped IR, reproducing the next
//! step; after a pass, it parses, verifies and round-trips the dumped IR.

use joinery_pass::{PassRegistry, Pipeline, PipelineElement};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

const DUMP_PREFIX: &str = "// -----// IR Dump ";

/// What a RUN line needs to know about the invocation.
pub struct RunHeader {
    tool: String,
    /// Flags every RUN line repeats (`--allow-unregistered-dialect`).
    flags: String,
    /// Each pass name with its element text as scheduled (`canonicalize{max-iterations=10}`).
    elements: Vec<(String, String)>,
}

impl RunHeader {
    /// The RUN-line context for dumps of `pipeline` run by `tool`.
    pub fn new(
        tool: &str,
        allow_unregistered: bool,
        passes: &PassRegistry,
        pipeline: &Pipeline,
    ) -> RunHeader {
        let mut elements = Vec::new();
        collect_passes(passes, &pipeline.elements, &mut elements);
        RunHeader {
            tool: tool.to_string(),
            flags: if allow_unregistered {
                " --allow-unregistered-dialect".to_string()
            } else {
                String::new()
            },
            elements,
        }
    }

    /// The RUN line for a dump header line, or `None` when the line is not a header.
    fn run_line(&self, header: &str) -> Option<String> {
        let rest = header.strip_prefix(DUMP_PREFIX)?;
        let open = rest.find(" (")? + 2;
        let close = open + rest[open..].find(')')?;
        let pass = &rest[open..close];
        let op = rest[close..]
            .split_once("('")
            .and_then(|(_, r)| r.split_once('\''))
            .map(|(op, _)| op)
            .filter(|op| *op != "builtin.module");
        let (tool, flags) = (&self.tool, &self.flags);
        if !rest.starts_with("Before ") {
            return Some(format!("// RUN: {tool}{flags} --verify-roundtrip %s"));
        }
        let element = self
            .elements
            .iter()
            .find(|(name, _)| name == pass)
            .map_or(pass, |(_, text)| text.as_str());
        let nested = match op {
            Some(op) => format!("{op}({element})"),
            None => element.to_string(),
        };
        Some(format!(
            "// RUN: {tool}{flags} --pass-pipeline='builtin.module({nested})' %s"
        ))
    }
}

fn collect_passes(
    passes: &PassRegistry,
    elements: &[PipelineElement],
    out: &mut Vec<(String, String)>,
) {
    for e in elements {
        match e {
            PipelineElement::Pass { name, .. } => {
                if passes.pass(name).is_some() && !out.iter().any(|(n, _)| n == name) {
                    out.push((name.clone(), e.to_string()));
                }
            }
            PipelineElement::Nested(p) => collect_passes(passes, &p.elements, out),
        }
    }
}

/// Collects the dumps of a run, shared between the pass manager's sink and the driver,
/// which copies them to stderr in order with its diagnostics.
#[derive(Clone, Default)]
pub struct DumpBuffer {
    text: Rc<RefCell<String>>,
}

impl DumpBuffer {
    /// A sink for the pass manager that adds RUN lines under dump headers.
    pub fn writer(&self, header: RunHeader) -> DumpWriter {
        DumpWriter {
            buffer: self.clone(),
            header,
            pending: Vec::new(),
        }
    }

    /// Everything dumped since the last call.
    pub fn take(&self) -> String {
        std::mem::take(&mut *self.text.borrow_mut())
    }
}

/// The line-buffered sink behind [`DumpBuffer::writer`].
pub struct DumpWriter {
    buffer: DumpBuffer,
    header: RunHeader,
    pending: Vec<u8>,
}

impl DumpWriter {
    fn emit_line(&mut self, line: &[u8]) {
        let line = String::from_utf8_lossy(line);
        let mut text = self.buffer.text.borrow_mut();
        text.push_str(&line);
        if let Some(run) = self.header.run_line(line.trim_end_matches('\n')) {
            text.push_str(&run);
            text.push('\n');
        }
    }
}

impl Write for DumpWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        while let Some(nl) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=nl).collect();
            self.emit_line(&line);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let line = std::mem::take(&mut self.pending);
            self.emit_line(&line);
        }
        Ok(())
    }
}
