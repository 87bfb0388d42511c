//! Property: printing random well-formed IR is a fixed point of parse-then-print, in the
//! pretty and the generic form, and parsing keeps every op.

mod syntax_common;

use proptest::prelude::*;
use syntax_common::{IrGen, assert_roundtrip};

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_ir_round_trips(seed in any::<u64>(), funcs in 1usize..4, ops in 1usize..10, depth in 0usize..3) {
        let mut generator = IrGen::new(seed, ops, depth);
        let text = generator.module(funcs);
        let r = assert_roundtrip(&text);
        prop_assert_eq!(r.ops, generator.ops, "op count differs for:\n{}", text);
    }
}
