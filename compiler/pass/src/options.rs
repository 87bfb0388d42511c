//! Typed pass options. A pass declares its options once ([`PassOptionInfo`]); users set them
//! as MLIR's space-separated list `{max-iterations=10 strategy=min-cut}` (in a pipeline) or
//! `--canonicalize="max-iterations=10"` (as a flag). Values are validated against the
//! declared kind and every error names the pass and the option.

use crate::pass::PassInfo;
use joinery_ir::Diagnostic;

/// The type of a pass option.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum OptionKind {
    /// `true`/`false` (also `1`/`0`); a bare `key` means `true`.
    Bool,
    /// A signed 64-bit integer.
    Int,
    /// A 64-bit float.
    Float,
    /// Any text; quote it (`"a b"`) or brace it (`{a b}`) when it holds spaces or `,{}=`.
    String,
    /// One of a fixed set of keywords.
    Enum(&'static [&'static str]),
    /// Comma-separated values of one kind: `disable-patterns=a,b`.
    List(&'static OptionKind),
}

impl OptionKind {
    /// How `--list-passes` shows a value of this kind (`<int>`, `<min-cut|greedy>`).
    pub fn placeholder(&self) -> String {
        match self {
            OptionKind::Bool => "<bool>".into(),
            OptionKind::Int => "<int>".into(),
            OptionKind::Float => "<float>".into(),
            OptionKind::String => "<string>".into(),
            OptionKind::Enum(choices) => format!("<{}>", choices.join("|")),
            OptionKind::List(item) => format!("{},...", item.placeholder()),
        }
    }

    fn describe(&self) -> String {
        match self {
            OptionKind::Bool => "a boolean (true or false)".into(),
            OptionKind::Int => "an integer".into(),
            OptionKind::Float => "a number".into(),
            OptionKind::String => "a string".into(),
            OptionKind::Enum(choices) => format!("one of {}", choices.join(", ")),
            OptionKind::List(item) => format!("a comma-separated list of {}", item.describe()),
        }
    }
}

/// The declaration of one pass option.
#[derive(Debug)]
pub struct PassOptionInfo {
    /// kebab-case key (`max-iterations`).
    pub name: &'static str,
    pub kind: OptionKind,
    /// The default, written as a user would write the value (`"10"`, `"min-cut"`, `""`).
    pub default: &'static str,
    /// One line for `--list-passes`.
    pub help: &'static str,
}

/// A parsed option value.
#[derive(Clone, PartialEq, Debug)]
pub enum OptionValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string or an enum keyword.
    String(String),
    List(Vec<OptionValue>),
}

impl OptionValue {
    /// The canonical text of the value: parsing it back gives the same value.
    pub fn to_text(&self) -> String {
        match self {
            OptionValue::Bool(b) => b.to_string(),
            OptionValue::Int(i) => i.to_string(),
            OptionValue::Float(f) => f.to_string(),
            OptionValue::String(s) => quote_if_needed(s),
            OptionValue::List(items) => items
                .iter()
                .map(OptionValue::to_text)
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

fn quote_if_needed(s: &str) -> String {
    let special = |c: char| c.is_whitespace() || matches!(c, '{' | '}' | ',' | '=' | '"');
    if !s.is_empty() && !s.contains(special) {
        s.to_string()
    } else if s.contains('"') {
        format!("{{{s}}}")
    } else {
        format!("\"{s}\"")
    }
}

/// One `key[=value]` entry as written, before typing; `value` keeps its quotes or braces.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RawOption {
    pub key: String,
    pub value: Option<String>,
}

impl RawOption {
    /// `key=value` or `key`.
    pub fn to_text(&self) -> String {
        match &self.value {
            Some(v) => format!("{}={v}", self.key),
            None => self.key.clone(),
        }
    }
}

/// Splits an option list (`max-iterations=10 strategy="a b"`) into entries. `base` is the
/// 0-based character column of `text` inside a larger string (the pipeline), so errors say
/// where in that string the problem is.
pub fn parse_option_list(text: &str, base: usize) -> Result<Vec<RawOption>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        if i == chars.len() {
            return Ok(out);
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' {
            if matches!(chars[i], '{' | '}' | '"' | ',') {
                return Err(format!(
                    "expected an option name at column {}, found '{}'",
                    base + i + 1,
                    chars[i]
                ));
            }
            i += 1;
        }
        let key: String = chars[start..i].iter().collect();
        if key.is_empty() {
            return Err(format!(
                "expected an option name before '=' at column {}",
                base + i + 1
            ));
        }
        let value = if i < chars.len() && chars[i] == '=' {
            i += 1;
            let vstart = i;
            i = scan_value(&chars, i, base)?;
            Some(chars[vstart..i].iter().collect())
        } else {
            None
        };
        out.push(RawOption { key, value });
    }
}

/// Scans one option value starting at `i` up to the next top-level whitespace; quotes and
/// braces may contain spaces. Returns the index after the value.
fn scan_value(chars: &[char], mut i: usize, base: usize) -> Result<usize, String> {
    let mut depth = 0usize;
    while i < chars.len() {
        match chars[i] {
            '"' => {
                let open = i;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    i += 1;
                }
                if i == chars.len() {
                    return Err(format!(
                        "unterminated string starting at column {}",
                        base + open + 1
                    ));
                }
            }
            '{' => depth += 1,
            '}' => {
                if depth == 0 {
                    return Err(format!("unbalanced '}}' at column {}", base + i + 1));
                }
                depth -= 1;
            }
            c if c.is_whitespace() && depth == 0 => return Ok(i),
            _ => {}
        }
        i += 1;
    }
    if depth > 0 {
        return Err(format!(
            "expected '}}' to close an option value at column {}",
            base + chars.len() + 1
        ));
    }
    Ok(i)
}

/// Splits at commas outside quotes and braces.
fn split_top_level_commas(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0usize, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '{' if !quoted => depth += 1,
            '}' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn unwrap_string(text: &str) -> &str {
    let stripped = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .or_else(|| text.strip_prefix('{').and_then(|t| t.strip_suffix('}')));
    stripped.unwrap_or(text)
}

/// Parses one value of `kind`; the error says what was expected.
pub fn parse_value(kind: &OptionKind, text: &str) -> Result<OptionValue, String> {
    let bad = || format!("expects {}, got '{text}'", kind.describe());
    match kind {
        OptionKind::Bool => match text {
            "true" | "1" => Ok(OptionValue::Bool(true)),
            "false" | "0" => Ok(OptionValue::Bool(false)),
            _ => Err(bad()),
        },
        OptionKind::Int => text.parse().map(OptionValue::Int).map_err(|_| bad()),
        OptionKind::Float => text.parse().map(OptionValue::Float).map_err(|_| bad()),
        OptionKind::String => Ok(OptionValue::String(unwrap_string(text).to_string())),
        OptionKind::Enum(choices) => {
            if choices.contains(&text) {
                Ok(OptionValue::String(text.to_string()))
            } else {
                Err(bad())
            }
        }
        OptionKind::List(item) => {
            if text.is_empty() {
                return Ok(OptionValue::List(Vec::new()));
            }
            split_top_level_commas(text)
                .into_iter()
                .map(|t| parse_value(item, t.trim()))
                .collect::<Result<_, _>>()
                .map(OptionValue::List)
        }
    }
}

/// The validated values of every option of one pass (defaults filled in).
#[derive(Clone, Debug)]
pub struct PassOptions {
    info: &'static PassInfo,
    values: Vec<OptionValue>,
}

impl PassOptions {
    /// The defaults of every option. Panics when a declared default does not parse: that
    /// is a bug in the pass declaration, caught by [`crate::PassRegistry::register`].
    pub fn defaults(info: &'static PassInfo) -> PassOptions {
        let values = info
            .options
            .iter()
            .map(|o| {
                parse_value(&o.kind, o.default).unwrap_or_else(|e| {
                    panic!("default of option '{}' of pass '{}' {e}", o.name, info.name)
                })
            })
            .collect();
        PassOptions { info, values }
    }

    /// Validates raw entries against the pass's declarations.
    pub fn parse(info: &'static PassInfo, raw: &[RawOption]) -> Result<PassOptions, Diagnostic> {
        let mut options = PassOptions::defaults(info);
        let mut seen: Vec<&str> = Vec::new();
        for entry in raw {
            let Some(i) = info.options.iter().position(|o| o.name == entry.key) else {
                let known: Vec<&str> = info.options.iter().map(|o| o.name).collect();
                let hint = if known.is_empty() {
                    "it takes no options".to_string()
                } else {
                    format!("its options are {}", known.join(", "))
                };
                return Err(Diagnostic::error(format!(
                    "pass '{}' has no option '{}'; {hint}",
                    info.name, entry.key
                )));
            };
            let decl = &info.options[i];
            if seen.contains(&decl.name) {
                return Err(Diagnostic::error(format!(
                    "option '{}' of pass '{}' is given more than once",
                    decl.name, info.name
                )));
            }
            seen.push(decl.name);
            let value = match (&entry.value, decl.kind) {
                (None, OptionKind::Bool) => OptionValue::Bool(true),
                (None, _) => {
                    return Err(Diagnostic::error(format!(
                        "option '{}' of pass '{}' needs a value: {}={}",
                        decl.name,
                        info.name,
                        decl.name,
                        decl.kind.placeholder()
                    )));
                }
                (Some(text), kind) => parse_value(&kind, text).map_err(|e| {
                    Diagnostic::error(format!(
                        "option '{}' of pass '{}' {e}",
                        decl.name, info.name
                    ))
                })?,
            };
            options.values[i] = value;
        }
        Ok(options)
    }

    /// Parses an option list as written after a flag (`--canonicalize="max-iterations=3"`).
    pub fn parse_text(info: &'static PassInfo, text: &str) -> Result<PassOptions, Diagnostic> {
        let raw = parse_option_list(text, 0).map_err(|e| {
            Diagnostic::error(format!("in the options of pass '{}': {e}", info.name))
        })?;
        PassOptions::parse(info, &raw)
    }

    /// The pass these options belong to.
    pub fn info(&self) -> &'static PassInfo {
        self.info
    }

    fn value(&self, name: &str) -> &OptionValue {
        let i = self
            .info
            .options
            .iter()
            .position(|o| o.name == name)
            .unwrap_or_else(|| panic!("pass '{}' declares no option '{name}'", self.info.name));
        &self.values[i]
    }

    /// A `Bool` option. Panics if the pass declares no such option (a pass bug).
    pub fn bool(&self, name: &str) -> bool {
        match self.value(name) {
            OptionValue::Bool(b) => *b,
            other => panic!("option '{name}' is not a bool: {other:?}"),
        }
    }

    /// An `Int` option.
    pub fn int(&self, name: &str) -> i64 {
        match self.value(name) {
            OptionValue::Int(i) => *i,
            other => panic!("option '{name}' is not an int: {other:?}"),
        }
    }

    /// A `Float` option.
    pub fn float(&self, name: &str) -> f64 {
        match self.value(name) {
            OptionValue::Float(f) => *f,
            other => panic!("option '{name}' is not a float: {other:?}"),
        }
    }

    /// A `String` or `Enum` option.
    pub fn string(&self, name: &str) -> &str {
        match self.value(name) {
            OptionValue::String(s) => s,
            other => panic!("option '{name}' is not a string: {other:?}"),
        }
    }

    /// A `List` of strings or enum keywords.
    pub fn strings(&self, name: &str) -> Vec<&str> {
        match self.value(name) {
            OptionValue::List(items) => items
                .iter()
                .map(|v| match v {
                    OptionValue::String(s) => s.as_str(),
                    other => panic!("option '{name}' holds a non-string item: {other:?}"),
                })
                .collect(),
            other => panic!("option '{name}' is not a list: {other:?}"),
        }
    }

    /// A `List` of integers.
    pub fn ints(&self, name: &str) -> Vec<i64> {
        match self.value(name) {
            OptionValue::List(items) => items
                .iter()
                .map(|v| match v {
                    OptionValue::Int(i) => *i,
                    other => panic!("option '{name}' holds a non-integer item: {other:?}"),
                })
                .collect(),
            other => panic!("option '{name}' is not a list: {other:?}"),
        }
    }

    /// Every option as `key=value`, sorted by key (MLIR prints options that way).
    pub fn to_raw(&self) -> Vec<RawOption> {
        let mut raw: Vec<RawOption> = self
            .info
            .options
            .iter()
            .zip(&self.values)
            .map(|(o, v)| RawOption {
                key: o.name.to_string(),
                value: Some(v.to_text()),
            })
            .collect();
        raw.sort_by(|a, b| a.key.cmp(&b.key));
        raw
    }
}
