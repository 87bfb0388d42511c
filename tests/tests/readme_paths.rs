//! Every path a README names exists: each `README.md` of the repository is read, and
//! every repository path in it (in `code spans`, link targets and fenced code blocks) must
//! name a file or directory of the checkout, relative to the repository root or to the
//! README's own directory.
//!
//! A word counts as a repository path when it holds a `/` and either its first component
//! is an entry of the root or of the README's directory (`bench/workloads.py`,
//! `src/lib.rs`) or it ends in a source file extension (`graph/index.rs` must exist too);
//! placeholders (`lit-tests/<area>/<pass>.mlir`), variables, globs, home paths and build
//! outputs (`target/`, `.venv/`, which a fresh checkout lacks) are not paths to check. A
//! `:suffix` (`model.py:make_model`, `file.rs:12`) and a `#anchor` are cut off.

use std::path::{Path, PathBuf};

/// File extensions that make a word with a `/` a path wherever it points.
const SOURCE_EXTENSIONS: &[&str] = &[
    ".rs", ".py", ".mlir", ".md", ".toml", ".txt", ".h", ".c", ".sh", ".svg", ".lalrpop",
];

/// Top-level directories a checkout does not hold until something is built or installed.
const GENERATED: &[&str] = &["target", ".venv", ".git"];

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Every README.md under `dir`, skipping generated directories and lit's `Output`.
fn readmes(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("readable directory")
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if !GENERATED.contains(&name) && name != "Output" && name != "node_modules" {
                readmes(&path, out);
            }
        } else if name == "README.md" {
            out.push(path);
        }
    }
}

/// The words of a README that may be paths: code spans and link targets outside fenced
/// blocks, whitespace-separated words inside them; each with its line number.
fn candidates(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut fenced = false;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            found.extend(line.split_whitespace().map(|w| {
                (
                    line_no,
                    w.trim_matches(|c: char| c == '\'' || c == '"').to_string(),
                )
            }));
            continue;
        }
        for (k, span) in line.split('`').enumerate() {
            if k % 2 == 1 {
                found.extend(span.split_whitespace().map(|w| (line_no, w.to_string())));
            }
        }
        let mut rest = line;
        while let Some(start) = rest.find("](") {
            rest = &rest[start + 2..];
            if let Some(end) = rest.find(')') {
                found.push((line_no, rest[..end].to_string()));
                rest = &rest[end..];
            }
        }
    }
    found
}

/// The path a word names, when it looks like one: cut at `:` or `#`, trailing
/// punctuation trimmed, no placeholders, variables, globs or URLs.
fn as_path(word: &str) -> Option<&str> {
    if word.contains("://") {
        return None;
    }
    let word = word.split([':', '#']).next()?;
    let word = word.trim_end_matches([',', '.', ';', ')', '(']);
    let odd = |c: char| "<>{}[]*$~=|\\()".contains(c);
    if !word.contains('/') || word.starts_with('/') || word.chars().any(odd) {
        return None;
    }
    Some(word)
}

/// Whether the first component of `path` is an entry of `base` (not a generated one).
fn starts_in(base: &Path, path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    !first.is_empty() && first != "." && !GENERATED.contains(&first) && base.join(first).exists()
}

#[test]
fn every_path_named_in_a_readme_exists() {
    let root = repo_root();
    let mut files = Vec::new();
    readmes(&root, &mut files);
    assert!(
        files.iter().any(|f| f == &root.join("README.md")),
        "the top-level README was not found under {}",
        root.display()
    );
    let mut missing = Vec::new();
    let mut checked = 0;
    for file in &files {
        let dir = file.parent().expect("a README has a directory");
        let text = std::fs::read_to_string(file).expect("readable README");
        for (line, word) in candidates(&text) {
            let Some(path) = as_path(&word) else {
                continue;
            };
            let mut bases: Vec<&Path> = [root.as_path(), dir]
                .into_iter()
                .filter(|b| starts_in(b, path))
                .collect();
            if bases.is_empty() && SOURCE_EXTENSIONS.iter().any(|e| path.ends_with(e)) {
                bases = vec![root.as_path(), dir];
            }
            if bases.is_empty() {
                continue;
            }
            checked += 1;
            if !bases.iter().any(|b| b.join(path).exists()) {
                let shown = file.strip_prefix(&root).unwrap_or(file);
                missing.push(format!("{}:{line}: `{path}`", shown.display()));
            }
        }
    }
    assert!(checked > 50, "only {checked} paths were found to check");
    assert!(
        missing.is_empty(),
        "paths named in READMEs that do not exist:\n{}",
        missing.join("\n")
    );
}

#[test]
fn words_that_are_not_paths_are_left_alone() {
    assert_eq!(as_path("bench/workloads.py,"), Some("bench/workloads.py"));
    assert_eq!(
        as_path("tools/torch/x.py:make_model"),
        Some("tools/torch/x.py")
    );
    assert_eq!(as_path("lit-tests/<area>/<pass>.mlir"), None);
    assert_eq!(as_path("$JOINERY_CACHE_DIR/torch"), None);
    assert_eq!(as_path("~/.cache/joinery"), None);
    assert_eq!(as_path("https://example.org/a/b"), None);
    assert_eq!(as_path("cse"), None);
    let spans = candidates("see `a/b` and [c](d/e.md)\n```\nrun x/y\n```\n");
    let words: Vec<&str> = spans.iter().map(|(_, w)| w.as_str()).collect();
    assert_eq!(words, ["a/b", "d/e.md", "run", "x/y"]);
}
