//! `joinery_fuzz_checks::pass::check` under libFuzzer (the property is documented there).
//! Run with `cargo +nightly fuzz run pass -- -dict=mlir.dict`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| joinery_fuzz_checks::pass::check(data));
