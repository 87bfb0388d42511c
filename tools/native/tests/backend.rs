//! The native backend's integration tests that can share a process, in one binary (every
//! test binary links LLVM statically, so each one costs a link of it).

#[path = "fixtures.rs"]
mod fixtures;
#[path = "native.rs"]
mod native;
#[path = "robustness.rs"]
mod robustness;
