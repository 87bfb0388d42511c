//! Diagnostics as data. Every error the compiler reports is a [`Diagnostic`] with a
//! severity, a message, an optional source span and notes; rendering (codespan-reporting)
//! lives in `joinery-diagnostics`, so this core stays free of presentation.

use crate::location::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Severity {
    Remark,
    Note,
    Warning,
    Error,
}

impl Severity {
    /// The lowercase word MLIR prints (`error`, `warning`, `note`, `remark`).
    pub fn word(self) -> &'static str {
        match self {
            Severity::Remark => "remark",
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A secondary message attached to a diagnostic.
#[derive(Clone, PartialEq, Debug)]
pub struct Note {
    pub message: String,
    pub span: Option<Span>,
}

/// One reported problem (or remark) with where it happened.
#[derive(Clone, PartialEq, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub notes: Vec<Note>,
}

impl Diagnostic {
    /// A diagnostic of the given severity with no span yet.
    pub fn new(severity: Severity, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            span: None,
            notes: Vec::new(),
        }
    }

    /// An error with no span yet.
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, message)
    }

    /// A warning with no span yet.
    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message)
    }

    /// A remark with no span yet.
    pub fn remark(message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Remark, message)
    }

    /// Sets the span (builder style).
    pub fn with_span(mut self, span: Option<Span>) -> Diagnostic {
        self.span = span;
        self
    }

    /// Sets the span unless one is already set.
    pub fn or_span(mut self, span: Option<Span>) -> Diagnostic {
        if self.span.is_none() {
            self.span = span;
        }
        self
    }

    /// Adds a note (builder style).
    pub fn with_note(mut self, message: impl Into<String>, span: Option<Span>) -> Diagnostic {
        self.notes.push(Note {
            message: message.into(),
            span,
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.severity.word(), self.message)
    }
}

impl std::error::Error for Diagnostic {}
