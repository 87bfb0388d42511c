//! `joinery_fuzz_checks::interp::check` under libFuzzer (the property is documented there).
//! Run with `cargo +nightly fuzz run interp -- -dict=mlir.dict`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| joinery_fuzz_checks::interp::check(data));
