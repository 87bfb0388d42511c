//! Any bytes through the parser and the verifier: a module the verifier accepts prints
//! to text that parses and verifies again and prints the same (the printer's round trip);
//! a module it rejects gets located errors. A panic or a failed round trip is a finding.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = common::text(data) else {
        return;
    };
    let Some((ctx, module)) = common::parse_verified(&text) else {
        return;
    };
    let printed = common::print(&ctx, module);
    let Some((ctx2, module2)) = common::parse(&printed) else {
        panic!("verified IR printed to text that does not parse:\n{printed}");
    };
    let problems = joinery_ir::verify::verify(&ctx2, module2);
    assert!(
        problems.is_empty(),
        "verified IR printed to text that does not verify: {problems:?}\n{printed}"
    );
    let reprinted = common::print(&ctx2, module2);
    assert_eq!(printed, reprinted, "printing is not a fixed point");
});
