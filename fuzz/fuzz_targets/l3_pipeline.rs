//! L3 text through what `joinery-translate` runs: parse, verify and, when it verifies,
//! kernel-fuse, kernel-plan-memory, runtime plans and LLVM IR (unoptimised). A panic, IR
//! a pass left invalid or IR LLVM's verifier rejects is a crash. Half of the mutations
//! are the robustness test's structured ones (integers, op names, attributes, types,
//! lines, operands), half libFuzzer's own byte-level ones. Seed the corpus with
//! `fuzz/seed.sh` and run `cargo +nightly fuzz run l3_pipeline`.

#![no_main]

#[path = "../../tools/native/tests/l3_fuzz/mod.rs"]
mod l3_fuzz;

use libfuzzer_sys::{fuzz_mutator, fuzz_target, fuzzer_mutate};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Err(internal) = l3_fuzz::check(text)
    {
        panic!("{internal}");
    }
});

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    if seed % 2 == 0 {
        return fuzzer_mutate(data, size, max_size);
    }
    let text = String::from_utf8_lossy(&data[..size]).into_owned();
    let mutant = l3_fuzz::mutate(&mut l3_fuzz::Rng(u64::from(seed)), &text);
    let n = mutant.len().min(max_size);
    data[..n].copy_from_slice(&mutant.as_bytes()[..n]);
    n
});
