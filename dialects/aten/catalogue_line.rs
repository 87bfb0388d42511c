//! One line of `catalogue.txt`, split into its columns: `schema | traits | rule | kernel`,
//! and optionally `| canonicalization patterns`.
//!
//! Depends on nothing but `std`: the aten build script (which generates the op table) and
//! the interpreter's build script (which generates its kernel table) both include it, so
//! the two read the catalogue the same way.

/// The columns of one catalogue line.
pub struct CatalogueLine<'a> {
    /// PyTorch's schema string.
    pub schema: &'a str,
    /// The traits, as written (`pure elementwise`).
    pub traits: Vec<&'a str>,
    /// The inference rule, a function of `src/infer.rs`.
    pub rule: &'a str,
    /// The interpreter kernel, a function of the interpreter's `ops` module; `-` for
    /// in-place ops, which the interpreter never runs (functionalization removes them).
    pub kernel: &'a str,
    /// The canonicalization patterns of the op (statics of `src/canon.rs`, written in
    /// kebab case: `same-shape` is `canon::SAME_SHAPE`); empty when the column is absent.
    pub canon: Vec<&'a str>,
}

/// The kernel column of ops the interpreter does not run.
pub const NO_KERNEL: &str = "-";

/// The non-blank, non-comment lines of the catalogue, with their 1-based line numbers.
pub fn catalogue_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
}

/// Splits a catalogue line into its four columns and the optional fifth.
pub fn split_line(line: &str) -> Result<CatalogueLine<'_>, String> {
    let fields: Vec<&str> = line.split('|').map(str::trim).collect();
    let (schema, traits, rule, kernel, canon) = match fields[..] {
        [schema, traits, rule, kernel] => (schema, traits, rule, kernel, ""),
        [schema, traits, rule, kernel, canon] => (schema, traits, rule, kernel, canon),
        _ => return Err("expected `schema | traits | rule | kernel [| patterns]`".into()),
    };
    if rule.is_empty() || kernel.is_empty() {
        return Err("the inference rule and the kernel must be named".into());
    }
    Ok(CatalogueLine {
        schema,
        traits: traits.split_whitespace().collect(),
        rule,
        kernel,
        canon: canon.split_whitespace().collect(),
    })
}
