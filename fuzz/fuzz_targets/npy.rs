//! `joinery_fuzz_checks::npy::check` under libFuzzer (the property is documented there).

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| joinery_fuzz_checks::npy::check(data));
