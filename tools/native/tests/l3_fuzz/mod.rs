//! Shared by the robustness test (`tests/robustness.rs`) and the cargo-fuzz target
//! (`fuzz/fuzz_targets/l3_pipeline.rs`): structured mutations of L3 text, and the check
//! every mutant must pass. A mutant that parses and verifies goes through the pipeline
//! `joinery-translate` runs (fusion and memory planning when unplanned, runtime plans,
//! LLVM IR); it may end in a diagnostic, but never in a panic (the caller catches those),
//! in IR that a pass left invalid, or in LLVM IR that LLVM's verifier rejects.

#![allow(dead_code)]

use joinery_ir::{Context, Diagnostic, SourceMap};

/// The seeded generator mutations draw from (the differential tests' splitmix64).
pub use joinery_graphgen::Rng;

/// Element types swapped into type positions.
const TYPES: &[&str] = &["f32", "f64", "i64", "i32", "i1", "i8", "f16", "bf16"];

/// Integers swapped into integer positions: small, boundary and overflowing values.
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "5",
    "-1",
    "-2",
    "64",
    "2147483648",
    "4294967296",
    "4611686018427387904",
    "9223372036854775807",
    "-9223372036854775808",
    "3074457345618258603",
    "18446744073709551616",
];

/// String literals swapped into string positions (out kinds, predicates, kernel names).
const STRINGS: &[&str] = &[
    "\"store\"",
    "\"sum\"",
    "\"max\"",
    "\"min\"",
    "\"eq\"",
    "\"lt\"",
    "\"ult\"",
    "\"k\"",
    "\"relu\"",
    "\"\"",
    "\"tanh\"",
    "\"erf\"",
    "\"joinery_bundle\"",
    "\"a b\"",
    "\"k.body\"",
];

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Spans of integer literals: digit runs not part of a name (`f32`, `%0`, `^bb0`), with
/// their sign; digits of a shape (`4x3xf32`) count.
fn int_spans(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i].is_ascii_digit() {
            let mut start = i;
            let prev = if i > 0 { t[i - 1] } else { b' ' };
            let named =
                (is_word(prev) && prev != b'x') || matches!(prev, b'%' | b'#' | b'^' | b'@' | b'.');
            while i < t.len() && t[i].is_ascii_digit() {
                i += 1;
            }
            if !named {
                if prev == b'-' {
                    start -= 1;
                }
                out.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Spans of element type keywords (`f32` alone or in `tensor<4xf32>`).
fn type_spans(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for ty in TYPES {
        let ty = ty.as_bytes();
        for i in 0..t.len().saturating_sub(ty.len() - 1) {
            if &t[i..i + ty.len()] != ty {
                continue;
            }
            let before_ok = i == 0
                || !is_word(t[i - 1])
                || (t[i - 1] == b'x' && i >= 2 && (t[i - 2].is_ascii_digit() || t[i - 2] == b'<'));
            let after_ok = i + ty.len() == t.len() || !is_word(t[i + ty.len()]);
            if before_ok && after_ok {
                out.push((i, i + ty.len()));
            }
        }
    }
    out
}

/// Spans matching `prefix` followed by word characters and dots.
fn prefixed_spans(t: &[u8], prefix: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + prefix.len() <= t.len() {
        if &t[i..i + prefix.len()] == prefix && (i == 0 || !is_word(t[i - 1])) {
            let mut j = i + prefix.len();
            while j < t.len() && (is_word(t[j]) || t[j] == b'$') {
                j += 1;
            }
            out.push((i, j));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Spans of string literals.
fn string_spans(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if t[i] == b'"' {
            let mut j = i + 1;
            while j < t.len() && t[j] != b'"' {
                j += if t[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(t.len());
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// End of the attribute value starting at `i`: the next `,` `}` `>` at bracket depth 0.
fn value_end(t: &[u8], mut i: usize) -> usize {
    let mut depth = 0i32;
    while i < t.len() {
        match t[i] {
            b'(' | b'[' | b'{' | b'<' => depth += 1,
            b')' | b']' | b'}' | b'>' if depth == 0 => return i,
            b')' | b']' | b'}' | b'>' => depth -= 1,
            b',' if depth == 0 => return i,
            b'"' => {
                i += 1;
                while i < t.len() && t[i] != b'"' {
                    i += 1;
                }
            }
            b'-' if t.get(i + 1) == Some(&b'>') => i += 1,
            _ => {}
        }
        i += 1;
    }
    i.min(t.len())
}

/// Spans of whole `name = value` attribute entries.
fn attr_spans(t: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for i in 0..t.len().saturating_sub(3) {
        if &t[i..i + 3] != b" = " || i == 0 || !is_word(t[i - 1]) {
            continue;
        }
        let mut start = i;
        while start > 0 && is_word(t[start - 1]) {
            start -= 1;
        }
        let before = if start > 0 { t[start - 1] } else { b'\n' };
        if matches!(before, b'{' | b' ') && !t[start].is_ascii_digit() {
            out.push((start, value_end(t, i + 3)));
        }
    }
    out
}

/// Removes `start..end` with one adjoining `", "` so lists stay well formed.
fn remove_item(s: &mut String, start: usize, end: usize) {
    let b = s.as_bytes();
    if b[end..].starts_with(b", ") {
        s.replace_range(start..end + 2, "");
    } else if start >= 2 && &b[start - 2..start] == b", " {
        s.replace_range(start - 2..end, "");
    } else {
        s.replace_range(start..end, "");
    }
}

fn char_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One to three structured mutations of L3 text: integers (maps, space, num_inputs,
/// offsets, GEMM sizes, dims, shapes), op names among the kernel ops, dropped attributes,
/// element types, strings, deleted or duplicated body lines and operands, array elements,
/// truncation.
pub fn mutate(rng: &mut Rng, text: &str) -> String {
    let ops: Vec<&str> = joinery_kernel::KERNEL_DIALECT
        .ops
        .iter()
        .map(|d| d.name)
        .collect();
    let mut s = text.to_string();
    // Mostly one mutation: a mutant should often still verify, to reach the passes.
    let count = [1, 1, 1, 1, 1, 2, 2, 2, 3, 3][rng.below(10)];
    for _ in 0..count {
        let t = s.as_bytes();
        match rng.below(12) {
            0 | 1 => {
                let spans = int_spans(t);
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    let old: i128 = s[a..b].parse().unwrap_or(0);
                    let new = match rng.below(4) {
                        0 => (old + 1).to_string(),
                        1 => (old - 1).to_string(),
                        _ => rng.pick(INTS).to_string(),
                    };
                    s.replace_range(a..b, &new);
                }
            }
            2 => {
                let spans = prefixed_spans(t, b"kernel.");
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    s.replace_range(a..b, rng.pick::<&str>(&ops));
                }
            }
            3 => {
                let spans = attr_spans(t);
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    remove_item(&mut s, a, b);
                }
            }
            4 => {
                let spans = type_spans(t);
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    s.replace_range(a..b, rng.pick::<&str>(TYPES));
                }
            }
            5 => {
                let spans = string_spans(t);
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    s.replace_range(a..b, rng.pick::<&str>(STRINGS));
                }
            }
            6 => {
                let mut lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let i = rng.below(lines.len());
                    if rng.below(2) == 0 {
                        lines.remove(i);
                    } else {
                        lines.insert(i, lines[i]);
                    }
                }
                s = lines.join("\n");
            }
            7 => {
                let spans = prefixed_spans(t, b"%");
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    match rng.below(3) {
                        0 => remove_item(&mut s, a, b),
                        1 => {
                            let name = s[a..b].to_string();
                            s.insert_str(b, &format!(", {name}"));
                        }
                        _ => {
                            let other = spans[rng.below(spans.len())];
                            let name = s[other.0..other.1].to_string();
                            s.replace_range(a..b, &name);
                        }
                    }
                }
            }
            8 => {
                // An array element dropped or added (map lengths, space rank).
                let spans = int_spans(t);
                if let Some(&(a, b)) = spans.get(rng.below(spans.len().max(1))) {
                    let in_array = a > 0 && matches!(t[a - 1], b'[' | b' ');
                    if in_array && rng.below(2) == 0 {
                        remove_item(&mut s, a, b);
                    } else if in_array {
                        s.insert_str(b, ", 0");
                    }
                }
            }
            9 => {
                // Two integers exchange places (strides, dims).
                let spans = int_spans(t);
                if spans.len() >= 2 {
                    let (x, y) = (spans[rng.below(spans.len())], spans[rng.below(spans.len())]);
                    let (x, y) = if x.0 <= y.0 { (x, y) } else { (y, x) };
                    if x.1 <= y.0 {
                        let (vx, vy) = (s[x.0..x.1].to_string(), s[y.0..y.1].to_string());
                        s.replace_range(y.0..y.1, &vx);
                        s.replace_range(x.0..x.1, &vy);
                    }
                }
            }
            10 => {
                let at = char_boundary(&s, rng.below(s.len() + 1));
                s.truncate(at);
            }
            _ => {
                // Two lines of one body exchange places (use before definition, a yield
                // in the middle).
                let mut lines: Vec<&str> = s.lines().collect();
                if lines.len() >= 2 {
                    let i = rng.below(lines.len() - 1);
                    lines.swap(i, i + 1);
                }
                s = lines.join("\n");
            }
        }
    }
    s
}

/// How far a mutant got.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A syntax error.
    Unparsed,
    /// The verifier rejected it.
    Rejected,
    /// Verified, then the pipeline reported this error.
    Failed(String),
    /// Verified and translated to LLVM IR that LLVM's verifier accepts.
    Translated,
}

/// Parses `text` with every dialect registered.
pub fn parse(text: &str) -> Option<(Context, joinery_ir::OpId)> {
    let mut sources = SourceMap::default();
    let file = sources.add("mutant.mlir", text.to_string());
    let mut ctx = Context::new(&joinery_all::DIALECTS);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).ok()?;
    Some((ctx, module))
}

fn describe(d: &Diagnostic) -> String {
    let notes: Vec<&str> = d.notes.iter().map(|n| n.message.as_str()).collect();
    format!("{} [{}]", d.message, notes.join("; "))
}

/// Runs a mutant through parse, verify, the native pipeline and the LLVM translation
/// (unoptimised). `Err` is an internal error: a pass left invalid IR, or LLVM rejected
/// the generated module. Panics propagate to the caller.
pub fn check(text: &str) -> Result<Outcome, String> {
    let Some((mut ctx, module)) = parse(text) else {
        return Ok(Outcome::Unparsed);
    };
    if joinery_ir::verify::verify(&ctx, module)
        .iter()
        .any(Diagnostic::is_error)
    {
        return Ok(Outcome::Rejected);
    }
    let native = match joinery_native::compile_module(&mut ctx, module, false) {
        Ok(native) => native,
        Err(d)
            if d.notes
                .iter()
                .any(|n| n.message.contains("is invalid after pass")) =>
        {
            return Err(format!("a pass left invalid IR: {}", describe(&d)));
        }
        Err(d) => return Ok(Outcome::Failed(d.message)),
    };
    match joinery_native::llvm_ir(&ctx, native.l3, false) {
        Ok(_) => Ok(Outcome::Translated),
        Err(d) if d.message.contains("generated LLVM IR is invalid") => {
            Err(format!("LLVM rejected the generated IR: {}", describe(&d)))
        }
        Err(d) => Ok(Outcome::Failed(d.message)),
    }
}
