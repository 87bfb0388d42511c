//! Robustness: mutated, truncated, garbage and deeply nested inputs never panic the
//! parser; inputs that are invalid by construction are errors; whatever still parses
//! round-trips.

mod syntax_common;

use syntax_common::{IrGen, Rng, assert_roundtrip, inputs, parse};

const TOKENS: &[&str] = &[
    "%",
    "%x",
    "%0#9",
    "^bb",
    "@",
    "@\"",
    "#",
    "#d.a<",
    "!d.t",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "<",
    ">",
    ",",
    ":",
    "::",
    "=",
    "->",
    "*x",
    "?",
    "-",
    "0x",
    "1.5e",
    "\"",
    "\\",
    "dense<",
    "tensor<",
    "loc(",
    "func.func",
    "module",
    "attributes",
    "private",
    "2x?x",
    "\n",
    "//",
    "\u{0}",
    "é",
];

fn corpus() -> Vec<String> {
    let mut texts: Vec<String> = inputs().into_iter().map(|(_, t)| t).collect();
    for seed in 0..40 {
        texts.push(IrGen::new(seed, 8, 2).module(2));
    }
    texts
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..1 + rng.below(3) {
        let at = char_boundary(&s, rng.below(s.len() + 1));
        match rng.below(4) {
            0 => {
                let end = char_boundary(&s, (at + 1 + rng.below(8)).min(s.len()));
                s.replace_range(at..end, "");
            }
            1 => s.insert_str(at, rng.pick::<&str>(TOKENS)),
            2 => {
                let mut bytes = s.into_bytes();
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
                s = String::from_utf8_lossy(&bytes).into_owned();
            }
            _ => s.truncate(at),
        }
    }
    s
}

/// Parses without panicking; when the text parses it must also round-trip.
fn check(text: &str) -> bool {
    match std::panic::catch_unwind(|| parse(text).is_ok()) {
        Ok(true) => {
            assert_roundtrip(text);
            true
        }
        Ok(false) => false,
        Err(_) => panic!("parser panicked on:\n{text}"),
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let corpus = corpus();
    let mut rng = Rng::new(7);
    let mut parsed = 0;
    for case in 0..6_000 {
        let base = &corpus[case % corpus.len()];
        let text = mutate(&mut rng, base);
        if check(&text) {
            parsed += 1;
        }
    }
    assert!(
        parsed < 6_000,
        "every mutation parsed: the mutations do nothing"
    );
}

#[test]
fn invalid_by_construction_is_an_error() {
    let corpus = corpus();
    let mut rng = Rng::new(11);
    for case in 0..4_000 {
        let base = &corpus[case % corpus.len()];
        let text = match case % 4 {
            // A lone `%` on its own line is never a token, whatever precedes it.
            0 => format!("{}\n%", mutate(&mut rng, base)),
            // Cutting inside a function leaves a bracket open.
            1 => {
                let open = base.find('{').unwrap_or(0) + 1;
                let at = char_boundary(base, open + rng.below(base.len() - open + 1) / 2);
                format!("{}\n\"d.unterminated\"(", &base[..at])
            }
            // Binary garbage.
            2 => {
                let bytes: Vec<u8> = (0..1 + rng.below(200)).map(|_| rng.next() as u8).collect();
                format!("\u{1}{}", String::from_utf8_lossy(&bytes))
            }
            // Tokens thrown in, then an op that cannot end.
            _ => {
                let mut s = base.clone();
                for _ in 0..1 + rng.below(4) {
                    let at = char_boundary(&s, rng.below(s.len() + 1));
                    s.insert_str(at, rng.pick::<&str>(TOKENS));
                }
                s.push_str("\n\"d.op\"() : () ->");
                s
            }
        };
        assert!(!check(&text), "expected an error for:\n{text}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for open in [
        "(",
        "[",
        "{",
        "<",
        "tensor<",
        "{a = ",
        "\"d.op\"() ({\n",
        "#d.a<",
        "dense<[",
    ] {
        let text = format!(
            "\"d.op\"() {{a = {}}} : () -> ()",
            open.repeat((1 << 20) / open.len())
        );
        assert!(!check(&text), "nesting with {open:?} parsed");
    }
    // Just under the limit: nested regions parse and print without overflowing the stack.
    let depth = 250;
    let mut text = String::new();
    for _ in 0..depth {
        text.push_str("\"d.op\"() ({\n");
    }
    for _ in 0..depth {
        text.push_str("}) : () -> ()\n");
    }
    assert!(check(&text));
}
