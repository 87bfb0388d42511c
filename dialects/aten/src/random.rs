//! The random stream of the aten random ops (`native_dropout`, `bernoulli.p`, `rand`,
//! `randn` and their kin): a counter-based generator, so a draw depends only on
//! `(seed, stream, index)` and any element can be computed on its own, in any order or in
//! parallel. The key `seed + stream * STREAM_MULTIPLIER + index * INDEX_MULTIPLIER`
//! (arithmetic modulo 2^64) goes through the SplitMix64 finalizer ([`MIX`]) and its top
//! 53 bits become an f64 in `[0, 1)`.
//!
//! The reference interpreter evaluates [`uniform`]; the native backend emits the same
//! steps from these constants as integer kernel ops, so both draw the same numbers.

/// The attribute pinning one random op's stream to `(its value, 0)` whatever the run's
/// seed (the interpreter's fixtures and tests use it; the native backend honours it).
pub const SEED_ATTR: &str = "interp.seed";

/// The multiplier of the stream in the key.
pub const STREAM_MULTIPLIER: u64 = 0xD1B5_4A32_D192_ED03;

/// The multiplier of the element index in the key.
pub const INDEX_MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// The finalizer's steps: `z = z ^ (z >> shift)`, then `z = z * multiplier` when there is
/// one.
pub const MIX: [(u64, Option<u64>); 3] = [
    (30, Some(0xBF58_476D_1CE4_E5B9)),
    (27, Some(0x94D0_49BB_1331_11EB)),
    (31, None),
];

/// The low bits of the mixed word dropped before it becomes a float: `(z >> 11) / 2^53`.
pub const DROPPED_BITS: u64 = 11;

/// Element `index` of stream `stream` under `seed`: a uniform number in `[0, 1)`.
pub fn uniform(seed: u64, stream: u64, index: u64) -> f64 {
    let mut z = seed
        .wrapping_add(stream.wrapping_mul(STREAM_MULTIPLIER))
        .wrapping_add(index.wrapping_mul(INDEX_MULTIPLIER));
    for (shift, multiplier) in MIX {
        z ^= z >> shift;
        if let Some(m) = multiplier {
            z = z.wrapping_mul(m);
        }
    }
    (z >> DROPPED_BITS) as f64 / (1u64 << (64 - DROPPED_BITS)) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_in_the_unit_interval_and_depend_on_every_key_part() {
        let u = uniform(1, 2, 3);
        assert!((0.0..1.0).contains(&u));
        assert_eq!(u, uniform(1, 2, 3));
        assert_ne!(u, uniform(0, 2, 3));
        assert_ne!(u, uniform(1, 0, 3));
        assert_ne!(u, uniform(1, 2, 0));
        // The largest draw stays below 1: the top 53 bits over 2^53.
        assert!((0..10_000).all(|i| uniform(7, 0, i) < 1.0));
    }
}
