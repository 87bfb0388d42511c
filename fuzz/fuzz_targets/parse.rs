//! `joinery_fuzz_checks::parse` under libFuzzer (the property is documented there).
//! Run with `cargo +nightly fuzz run parse -- -dict=mlir.dict`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| joinery_fuzz_checks::parse(data));
