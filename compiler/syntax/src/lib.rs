//! The MLIR-syntax text format: logos lexer, lalrpop grammar, IR builder and printer.
