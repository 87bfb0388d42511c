//! The reference interpreter for func, aot and aten: the semantics native code must match.
