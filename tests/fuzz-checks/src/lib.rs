//! The properties the fuzz targets check, as plain functions of the fuzzer's bytes: each
//! returns normally on an input that keeps its property and panics on a finding. The
//! cargo-fuzz targets in `fuzz/` call them under libFuzzer with coverage and sanitizers;
//! `tests/replay.rs` calls them on the seed corpus, the committed findings and seeded
//! mutations of both with the stable toolchain, on every `make test`.

pub mod interp;
pub mod npy;
pub mod pass;
pub mod text;

/// Any bytes through the parser: it returns a module or located errors, never panics.
pub fn parse(data: &[u8]) {
    if let Some(text) = text::text(data) {
        text::parse(&text);
    }
}

/// Any bytes through the parser and the verifier: a module the verifier accepts prints to
/// text that parses and verifies again and prints the same (the printer's round trip); a
/// module it rejects gets located errors.
pub fn verify(data: &[u8]) {
    let Some(text) = text::text(data) else {
        return;
    };
    let Some((ctx, module)) = text::parse_verified(&text) else {
        return;
    };
    let printed = text::print(&ctx, module);
    let Some((ctx2, module2)) = text::parse(&printed) else {
        panic!("verified IR printed to text that does not parse:\n{printed}");
    };
    let problems = joinery_ir::verify::verify(&ctx2, module2);
    assert!(
        problems.is_empty(),
        "verified IR printed to text that does not verify: {problems:?}\n{printed}"
    );
    let reprinted = text::print(&ctx2, module2);
    assert_eq!(printed, reprinted, "printing is not a fixed point");
}
