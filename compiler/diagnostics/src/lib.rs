//! Renders diagnostics with codespan-reporting and checks expected-* comments.
