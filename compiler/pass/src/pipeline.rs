//! Pipeline text, MLIR's syntax:
//! `builtin.module(func.func(cse,canonicalize{max-iterations=10}),symbol-dce)`.
//!
//! ```text
//! pipeline := op-name '(' elements? ')'          -- `any` as op-name runs on any op
//! elements := element (',' element)*
//! element  := name '(' elements? ')'              -- a nested pipeline on ops named `name`
//!           | name ('{' option-list '}')?          -- a pass or a named pipeline
//! ```
//!
//! This module is syntax only: [`Pipeline`] is what was written, checked against the
//! registry when a [`crate::PassManager`] is built from it. Printing a parsed pipeline
//! gives canonical text (no spaces, options as written), and parsing that text back
//! prints it again unchanged.

use crate::options::{RawOption, parse_option_list};
use joinery_ir::Diagnostic;
use std::fmt;

/// A pipeline anchored on an op name (`builtin.module(...)`, `func.func(...)`, `any(...)`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Pipeline {
    /// The op name the elements run on, or `any`.
    pub anchor: String,
    pub elements: Vec<PipelineElement>,
}

/// One element of a pipeline.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum PipelineElement {
    /// A pass or a named pipeline, with options as written.
    Pass {
        name: String,
        options: Vec<RawOption>,
    },
    /// A pipeline run on every op with the anchor's name directly inside the current op.
    Nested(Pipeline),
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.anchor)?;
        write_elements(f, &self.elements)?;
        f.write_str(")")
    }
}

impl fmt::Display for PipelineElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PipelineElement::Pass { name, options } => {
                f.write_str(name)?;
                if !options.is_empty() {
                    let opts: Vec<String> = options.iter().map(RawOption::to_text).collect();
                    write!(f, "{{{}}}", opts.join(" "))?;
                }
                Ok(())
            }
            PipelineElement::Nested(p) => write!(f, "{p}"),
        }
    }
}

/// Prints elements separated by commas (the body of a pipeline, or a named pipeline's text).
pub fn elements_to_text(elements: &[PipelineElement]) -> String {
    struct Elements<'a>(&'a [PipelineElement]);
    impl fmt::Display for Elements<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write_elements(f, self.0)
        }
    }
    Elements(elements).to_string()
}

fn write_elements(f: &mut fmt::Formatter<'_>, elements: &[PipelineElement]) -> fmt::Result {
    for (i, e) in elements.iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}

/// Parses an anchored pipeline: `builtin.module(cse,func.func(canonicalize))`.
pub fn parse_pipeline(text: &str) -> Result<Pipeline, Diagnostic> {
    let mut p = Parser::new(text);
    let anchor = p.name("an op name to anchor the pipeline (e.g. 'builtin.module')")?;
    p.expect('(', &format!("'(' after the pipeline anchor '{anchor}'"))?;
    let elements = p.elements_until_close()?;
    p.end()?;
    Ok(Pipeline { anchor, elements })
}

/// Parses a comma-separated element list without an anchor: `cse,func.func(canonicalize)`
/// (the text of a named pipeline).
pub fn parse_pipeline_elements(text: &str) -> Result<Vec<PipelineElement>, Diagnostic> {
    let mut p = Parser::new(text);
    p.skip_ws();
    if p.at_end() {
        return Ok(Vec::new());
    }
    let mut elements = vec![p.element()?];
    loop {
        p.skip_ws();
        match p.peek() {
            None => return Ok(elements),
            Some(',') => {
                p.pos += 1;
                elements.push(p.element()?);
            }
            Some(_) => return Err(p.error("',' or the end of the pipeline")),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn new(text: &str) -> Parser {
        Parser {
            chars: text.chars().collect(),
            pos: 0,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn error(&self, expected: &str) -> Diagnostic {
        let found = match self.peek() {
            Some(c) => format!("'{c}'"),
            None => "the end of the pipeline".to_string(),
        };
        Diagnostic::error(format!(
            "expected {expected} at column {} of the pass pipeline, found {found}",
            self.pos + 1
        ))
    }

    fn expect(&mut self, c: char, what: &str) -> Result<(), Diagnostic> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn end(&mut self) -> Result<(), Diagnostic> {
        self.skip_ws();
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error("the end of the pipeline"))
        }
    }

    fn name(&mut self, what: &str) -> Result<String, Diagnostic> {
        self.skip_ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        {
            self.pos += 1;
        }
        if start == self.pos {
            return Err(self.error(what));
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    /// Elements up to and including the closing `)`; an empty list is allowed.
    fn elements_until_close(&mut self) -> Result<Vec<PipelineElement>, Diagnostic> {
        self.skip_ws();
        let mut elements = Vec::new();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(elements);
        }
        loop {
            elements.push(self.element()?);
            self.skip_ws();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some(')') => {
                    self.pos += 1;
                    return Ok(elements);
                }
                _ => return Err(self.error("',' or ')'")),
            }
        }
    }

    fn element(&mut self) -> Result<PipelineElement, Diagnostic> {
        let name = self.name("a pass name or a nested pipeline 'op.name(...)'")?;
        self.skip_ws();
        match self.peek() {
            Some('(') => {
                self.pos += 1;
                let elements = self.elements_until_close()?;
                Ok(PipelineElement::Nested(Pipeline {
                    anchor: name,
                    elements,
                }))
            }
            Some('{') => {
                let open = self.pos;
                let close = self.matching_brace(open)?;
                let inner: String = self.chars[open + 1..close].iter().collect();
                let options = parse_option_list(&inner, open + 1).map_err(|e| {
                    Diagnostic::error(format!(
                        "in the options of '{name}' in the pass pipeline: {e}"
                    ))
                })?;
                self.pos = close + 1;
                Ok(PipelineElement::Pass { name, options })
            }
            _ => Ok(PipelineElement::Pass {
                name,
                options: Vec::new(),
            }),
        }
    }

    /// The index of the `}` closing the `{` at `open`, skipping quoted text.
    fn matching_brace(&self, open: usize) -> Result<usize, Diagnostic> {
        let (mut depth, mut quoted) = (0usize, false);
        for i in open..self.chars.len() {
            match self.chars[i] {
                '"' => quoted = !quoted,
                '{' if !quoted => depth += 1,
                '}' if !quoted => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(i);
                    }
                }
                _ => {}
            }
        }
        Err(Diagnostic::error(format!(
            "expected '}}' to close the options opened at column {} of the pass pipeline",
            open + 1
        )))
    }
}
