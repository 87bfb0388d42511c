//! Any bytes through the parser: it returns a module or located errors, never panics.
//! Run with `cargo +nightly fuzz run parse -- -dict=fuzz/mlir.dict`.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(text) = common::text(data) {
        common::parse(&text);
    }
});
