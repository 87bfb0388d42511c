//! The fuzz targets' properties on every change, with the stable toolchain: each check of
//! `joinery_fuzz_checks` runs on the corpus `fuzz/seed.sh` seeds libFuzzer with (the
//! `.mlir` chunks of the lit tests, examples, test inputs, stored zoo graphs and native
//! test graphs; the interpreter's `.npy` fixtures), on the committed minimized findings
//! (`fuzz/regressions/<target>`), and on seeded mutations of the corpus: byte flips, cuts,
//! repeated spans, tokens of the fuzz dictionary (`fuzz/mlir.dict`) and numbers replaced
//! by extreme ones. No coverage guidance: this is the short pass CI runs; `make fuzz` is
//! the campaign.
//!
//! `JOINERY_FUZZ_SEED=S` draws other mutations (the default is fixed, so a run is
//! reproducible), `JOINERY_FUZZ_MUTATIONS=N` sets how many per corpus entry. A finding
//! is written to `target/fuzz-findings/<target>-<n>` and named in the failure, ready to
//! replay with `cargo +nightly fuzz run <target> <file>` or to commit as a regression.

use joinery_graphgen::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A number from the environment, or `default`; a malformed value is an error.
fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a non-negative integer")),
        Err(_) => default,
    }
}

/// The mutations drawn per corpus entry of each target.
fn mutations() -> u64 {
    env_number("JOINERY_FUZZ_MUTATIONS", 8)
}

/// Files under `dir` (recursively) whose name ends with `suffix`, sorted.
fn files(dir: &Path, suffix: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("a readable directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(suffix) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The text corpus, read once for every test.
static TEXT_CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(read_text_corpus);

/// The fuzz dictionary's tokens, read once for every test.
static DICTIONARY: LazyLock<Vec<Vec<u8>>> = LazyLock::new(read_dictionary);

/// Every `// -----` chunk of the `.mlir` files `fuzz/seed.sh` seeds with.
fn read_text_corpus() -> Vec<Vec<u8>> {
    let root = root();
    let dirs = [
        "lit-tests",
        "examples",
        "tests/inputs",
        "dialects/aot/partition/tests/zoo",
        "tools/native/tests/graphs",
    ];
    let mut chunks = Vec::new();
    for dir in dirs {
        let found = files(&root.join(dir), ".mlir");
        assert!(!found.is_empty(), "no .mlir file under {dir}");
        for file in found {
            let text = std::fs::read_to_string(&file).expect("a readable corpus file");
            let mut chunk = String::new();
            for line in text.lines() {
                if line == "// -----" {
                    chunks.push(std::mem::take(&mut chunk).into_bytes());
                } else {
                    chunk.push_str(line);
                    chunk.push('\n');
                }
            }
            chunks.push(chunk.into_bytes());
        }
    }
    chunks
}

/// The committed minimized findings of `target`.
fn regressions(target: &str) -> Vec<Vec<u8>> {
    files(&root().join("fuzz/regressions").join(target), "")
        .iter()
        .map(|f| std::fs::read(f).expect("a readable regression"))
        .collect()
}

/// The tokens of `fuzz/mlir.dict` (libFuzzer's format: one quoted string per line, with
/// `\\`, `\"` and `\xNN` escapes).
fn read_dictionary() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(root().join("fuzz/mlir.dict")).expect("fuzz/mlir.dict");
    let mut tokens = Vec::new();
    for line in text.lines() {
        let Some(quoted) = line
            .trim()
            .strip_prefix('"')
            .and_then(|l| l.strip_suffix('"'))
        else {
            continue;
        };
        let mut token = Vec::new();
        let mut bytes = quoted.bytes();
        while let Some(b) = bytes.next() {
            if b != b'\\' {
                token.push(b);
                continue;
            }
            match bytes.next() {
                Some(b'x') => {
                    let hex: Vec<u8> = bytes.by_ref().take(2).collect();
                    let hex = std::str::from_utf8(&hex).expect("ASCII hex digits");
                    token.push(u8::from_str_radix(hex, 16).expect("a \\xNN escape"));
                }
                Some(escaped) => token.push(escaped),
                None => panic!("a dictionary line ends in a backslash: {line}"),
            }
        }
        tokens.push(token);
    }
    assert!(
        tokens.len() > 100,
        "fuzz/mlir.dict has {} tokens",
        tokens.len()
    );
    tokens
}

/// Numbers that sit on the edges of what types, shapes and indices can hold.
const EXTREMES: &[&str] = &[
    "0",
    "-1",
    "1",
    "65536",
    "2147483648",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551616",
    "1e308",
    "-0.0",
    "0x7FC00000",
];

/// One to four mutations of `input`.
fn mutate(rng: &mut Rng, input: &[u8], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 if at < data.len() => data[at] ^= 1 << rng.below(8),
            1 => {
                let end = (at + 1 + rng.below(16)).min(data.len());
                data.drain(at..end);
            }
            2 => {
                let end = (at + 1 + rng.below(64)).min(data.len());
                let span = data[at..end].to_vec();
                data.splice(at..at, span);
            }
            3 => {
                let token = rng.pick(dict).clone();
                data.splice(at..at, token);
            }
            4 => {
                // The number starting at or after `at`, replaced by an extreme one.
                let Some(start) = (at..data.len()).find(|&i| data[i].is_ascii_digit()) else {
                    continue;
                };
                let end = (start..data.len())
                    .find(|&i| !data[i].is_ascii_digit())
                    .unwrap_or(data.len());
                let number = rng.pick(EXTREMES).as_bytes().to_vec();
                data.splice(start..end, number);
            }
            _ => data.truncate(at),
        }
    }
    data
}

/// Runs `check` on every input; a panic is a finding, written out and reported with the
/// count of findings once every input ran. Returns how many inputs ran.
fn run(target: &str, inputs: impl Iterator<Item = Vec<u8>>, check: fn(&[u8])) -> usize {
    let findings_dir = root().join("target/fuzz-findings");
    let mut findings = Vec::new();
    let mut count = 0;
    for input in inputs {
        count += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| check(&input))) {
            std::fs::create_dir_all(&findings_dir).expect("target/fuzz-findings");
            let file = findings_dir.join(format!("{target}-{}", findings.len()));
            std::fs::write(&file, &input).expect("a writable finding file");
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            findings.push(format!("{}: {message}", file.display()));
        }
    }
    assert!(
        findings.is_empty(),
        "{} of {count} `{target}` inputs are findings:\n{}",
        findings.len(),
        findings.join("\n")
    );
    count
}

/// The corpus and `mutations()` mutations of each entry, each prefixed by what `prefix`
/// gives for its index, then the committed findings of `target` as they are.
fn text_inputs(target: &str, prefix: impl Fn(usize) -> Vec<u8>) -> Vec<Vec<u8>> {
    let corpus = &*TEXT_CORPUS;
    let dict = &*DICTIONARY;
    let mut rng = Rng(env_number("JOINERY_FUZZ_SEED", 0x6a6f_696e) ^ target.len() as u64);
    let mut inputs: Vec<Vec<u8>> = corpus.clone();
    for entry in corpus {
        for _ in 0..mutations() {
            inputs.push(mutate(&mut rng, entry, dict));
        }
    }
    let mut inputs: Vec<Vec<u8>> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| [prefix(i), input].concat())
        .collect();
    inputs.extend(regressions(target));
    inputs
}

#[test]
fn parse_and_verify_keep_their_properties() {
    let inputs = text_inputs("verify", |_| Vec::new());
    let ran = run("parse", inputs.iter().cloned(), joinery_fuzz_checks::parse);
    run("verify", inputs.into_iter(), joinery_fuzz_checks::verify);
    assert!(ran > 1000, "only {ran} inputs: the corpus is missing");
}

#[test]
fn every_pass_keeps_ir_valid_or_refuses() {
    // Entry i goes through pass i modulo their count, so each pass sees every part of the
    // corpus across entries and their mutations.
    let passes = joinery_fuzz_checks::pass::names().len();
    assert!(passes > 10, "only {passes} registered passes");
    let inputs = text_inputs("pass", |i| vec![(i % passes) as u8]);
    run("pass", inputs.into_iter(), joinery_fuzz_checks::pass::check);
}

#[test]
fn the_interpreter_returns_declared_types_or_located_errors() {
    let inputs = text_inputs("interp", |_| Vec::new());
    run(
        "interp",
        inputs.into_iter(),
        joinery_fuzz_checks::interp::check,
    );
}

#[test]
fn npy_reading_is_consistent_or_an_error() {
    let fixtures = files(&root().join("dialects/aten/interp/fixtures/npy"), ".npy");
    assert!(
        fixtures.len() > 100,
        "only {} .npy fixtures",
        fixtures.len()
    );
    let mut rng = Rng(env_number("JOINERY_FUZZ_SEED", 0x006e_7079));
    let mut inputs = regressions("npy");
    // The header is where a reader goes wrong: mutations land in the first 128 bytes.
    let dict: Vec<Vec<u8>> = ["(", ")", ",", "'<f8'", "'|b1'", "True", "99999999999", "-1"]
        .iter()
        .map(|t| t.as_bytes().to_vec())
        .collect();
    for file in fixtures.iter().step_by(4) {
        let bytes = std::fs::read(file).expect("a readable fixture");
        let (header, body) = bytes.split_at(bytes.len().min(128));
        inputs.push(bytes.clone());
        for _ in 0..mutations() {
            inputs.push([mutate(&mut rng, header, &dict), body.to_vec()].concat());
        }
    }
    run("npy", inputs.into_iter(), joinery_fuzz_checks::npy::check);
}
