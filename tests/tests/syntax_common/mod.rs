//! Shared helpers of the text-format tests: parsing with the test dialects, simple
//! diagnostic rendering, the round-trip check, and a generator of random well-formed IR.

#![allow(dead_code)]

use joinery_ir::{Context, OpId, SourceMap};
use joinery_syntax::{PrintOptions, parse_source, print_op};
use std::fmt::Write;

/// Parses `src` with builtin and func registered and unregistered dialects allowed;
/// errors are rendered as `line:col: error: message` lines.
pub fn parse(src: &str) -> Result<(Context, OpId), String> {
    let mut ctx = Context::new(&[&joinery_func::FUNC_DIALECT]);
    ctx.allow_unregistered = true;
    let mut sources = SourceMap::default();
    let file = sources.add("input.mlir", src);
    parse_source(&mut ctx, &sources, file)
        .map(|m| (ctx, m))
        .map_err(|diags| {
            let mut out = String::new();
            for d in diags {
                let (line, col) = match d.span {
                    Some(s) => sources.file(s.file).line_col(s.start as usize),
                    None => (0, 0),
                };
                let _ = writeln!(out, "{line}:{col}: {}", d);
            }
            out
        })
}

fn print_both(ctx: &Context, m: OpId) -> (String, String) {
    let opts = |generic| PrintOptions {
        generic,
        debug_info: true,
    };
    (
        print_op(ctx, m, &opts(false)),
        print_op(ctx, m, &opts(true)),
    )
}

/// What [`assert_roundtrip`] found.
pub struct Roundtrip {
    pub pretty: String,
    pub generic: String,
    /// Ops nested in the parsed module.
    pub ops: usize,
}

/// Checks that printing is a fixed point in both forms and that the generic form keeps
/// everything the pretty form shows.
pub fn assert_roundtrip(src: &str) -> Roundtrip {
    let (ctx, m) = parse(src).unwrap_or_else(|e| panic!("{e}\nin:\n{src}"));
    let (pretty, generic) = print_both(&ctx, m);
    let (ctx2, m2) = parse(&pretty).unwrap_or_else(|e| panic!("{e}\nin:\n{pretty}"));
    assert_eq!(
        print_both(&ctx2, m2).0,
        pretty,
        "pretty form is not a fixed point; input:\n{src}"
    );
    let (ctx3, m3) = parse(&generic).unwrap_or_else(|e| panic!("{e}\nin:\n{generic}"));
    let (pretty3, generic3) = print_both(&ctx3, m3);
    assert_eq!(
        generic3, generic,
        "generic form is not a fixed point; input:\n{src}"
    );
    assert_eq!(
        pretty3, pretty,
        "generic and pretty forms differ; input:\n{src}"
    );
    Roundtrip {
        pretty,
        generic,
        ops: ctx.walk(m).len(),
    }
}

/// The example inputs in `tests/inputs/syntax`, by file name.
pub fn inputs() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/inputs/syntax");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("inputs exist")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "mlir"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// A small deterministic random number generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Generates random well-formed IR text: functions in pretty form with random generic
/// ops, names, types, attributes, locations, calls and nested multi-block regions.
pub struct IrGen {
    rng: Rng,
    max_ops: usize,
    max_depth: usize,
    /// Ops written so far (every op, including functions and returns).
    pub ops: usize,
    counter: usize,
    /// Signatures of the functions written so far: (name, inputs, results).
    funcs: Vec<(String, Vec<String>, Vec<String>)>,
}

const SCALARS: &[&str] = &[
    "i1", "i8", "i32", "i64", "index", "f16", "bf16", "f32", "f64",
];
const WORDS: &[&str] = &[
    "x",
    "arg",
    "primals_1",
    "tangents",
    "v.a",
    "$t",
    "_w-1",
    "out",
];

impl IrGen {
    /// A generator with the given seed and size limits.
    pub fn new(seed: u64, max_ops: usize, max_depth: usize) -> IrGen {
        IrGen {
            rng: Rng::new(seed),
            max_ops: max_ops.max(1),
            max_depth,
            ops: 0,
            counter: 0,
            funcs: Vec::new(),
        }
    }

    /// A module with `n` functions.
    pub fn module(&mut self, n: usize) -> String {
        let mut out = String::new();
        let explicit = self.rng.one_in(2);
        if explicit {
            out.push_str("module {\n");
        }
        for i in 0..n {
            self.function(&mut out, i);
        }
        if explicit {
            out.push_str("}\n");
        }
        out
    }

    fn fresh_name(&mut self) -> String {
        self.counter += 1;
        match self.rng.below(3) {
            0 => format!("{}", self.counter),
            _ => format!("{}{}", self.rng.pick(WORDS), self.counter),
        }
    }

    /// A random type; `depth` bounds nesting.
    pub fn ty(&mut self, depth: usize) -> String {
        match self.rng.below(if depth == 0 { 3 } else { 5 }) {
            0 | 1 => self.rng.pick(SCALARS).to_string(),
            2 => {
                let rank = self.rng.below(4);
                let mut s = "tensor<".to_string();
                for _ in 0..rank {
                    match self.rng.below(4) {
                        0 => s.push_str("?x"),
                        _ => {
                            let _ = write!(s, "{}x", self.rng.below(5));
                        }
                    }
                }
                s.push_str(self.rng.pick::<&str>(SCALARS));
                s.push('>');
                s
            }
            3 => match self.rng.below(3) {
                0 => format!("tensor<*x{}>", self.rng.pick(SCALARS)),
                1 => "!d.t".to_string(),
                _ => format!("!d.t<{}, {}>", self.rng.below(9), self.ty(depth - 1)),
            },
            _ => "none".to_string(),
        }
    }

    fn string_lit(&mut self) -> String {
        let pieces = [
            "a",
            "B",
            " ",
            "\\\"",
            "\\\\",
            "\\0A",
            "\\09",
            "é",
            "x.y",
            "\\E2\\82\\AC",
        ];
        let mut s = "\"".to_string();
        for _ in 0..self.rng.below(5) {
            s.push_str(self.rng.pick::<&str>(&pieces));
        }
        s.push('"');
        s
    }

    fn float_lit(&mut self) -> String {
        let sign = if self.rng.one_in(3) { "-" } else { "" };
        let exp = if self.rng.one_in(3) {
            format!("e{}", self.rng.below(40) as i64 - 20)
        } else {
            String::new()
        };
        format!(
            "{sign}{}.{}{exp}",
            self.rng.below(1000),
            self.rng.below(100000)
        )
    }

    /// A random attribute; `depth` bounds nesting.
    pub fn attr(&mut self, depth: usize) -> String {
        let kinds = if depth == 0 { 9 } else { 14 };
        match self.rng.below(kinds) {
            0 => format!(
                "{} : {}",
                self.rng.below(200) as i64 - 100,
                self.rng.pick(&["i8", "i32", "i64", "index"])
            ),
            1 => format!(
                "{} : {}",
                self.float_lit(),
                self.rng.pick(&["f16", "bf16", "f32", "f64"])
            ),
            2 => self
                .rng
                .pick(&[
                    "0x7FC00000 : f32",
                    "0x7FF0000000000000 : f64",
                    "0xFC00 : f16",
                    "0x7FC0 : bf16",
                ])
                .to_string(),
            3 => self.string_lit(),
            4 => self.rng.pick(&["true", "false", "unit"]).to_string(),
            5 => self.ty(1),
            6 => match self.rng.below(3) {
                0 => "@f0".to_string(),
                1 => "@\"sym bol\"::@inner".to_string(),
                _ => "@a.b::@c::@d".to_string(),
            },
            7 => {
                let loc = self.loc();
                format!("loc({loc})")
            }
            8 => format!("{}", self.rng.below(100)),
            9 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n).map(|_| self.attr(depth - 1)).collect();
                format!("[{}]", items.join(", "))
            }
            10 => self.dict(depth - 1),
            11 => self.dense(),
            12 => {
                let n = self.rng.below(4);
                let params: Vec<String> = (0..n)
                    .map(|_| match self.rng.below(4) {
                        0 => format!("{}", self.rng.below(50)),
                        1 => self.rng.pick(&["fast", "f32", "kw_2"]).to_string(),
                        2 => self.ty(0),
                        _ => self.attr(depth - 1),
                    })
                    .collect();
                if params.is_empty() {
                    "#d.a".to_string()
                } else {
                    format!("#d.a<{}>", params.join(", "))
                }
            }
            _ => format!("#aot.param<{}>", self.string_lit()),
        }
    }

    fn dense(&mut self) -> String {
        let elem = *self.rng.pick(&["i1", "i32", "f32", "f64", "bf16"]);
        let scalar = |g: &mut IrGen| match elem {
            "i1" => g.rng.pick(&["true", "false"]).to_string(),
            "i32" => format!("{}", g.rng.below(100) as i64 - 50),
            _ => g.float_lit(),
        };
        let rows = 1 + self.rng.below(3);
        let cols = 1 + self.rng.below(3);
        match self.rng.below(3) {
            0 => format!("dense<{}> : tensor<{rows}x{cols}x{elem}>", scalar(self)),
            1 => {
                let body: Vec<String> = (0..rows)
                    .map(|_| {
                        let row: Vec<String> = (0..cols).map(|_| scalar(self)).collect();
                        format!("[{}]", row.join(", "))
                    })
                    .collect();
                format!(
                    "dense<[{}]> : tensor<{rows}x{cols}x{elem}>",
                    body.join(", ")
                )
            }
            _ => "dense<\"0x0000803F0000C03F\"> : tensor<2xf32>".to_string(),
        }
    }

    fn dict(&mut self, depth: usize) -> String {
        let n = self.rng.below(4);
        let mut keys: Vec<String> = (0..n)
            .map(|i| match self.rng.below(4) {
                0 => format!("\"key {i}\""),
                _ => format!("{}{i}", self.rng.pick(&["k", "aot.desc", "dim", "alpha_"])),
            })
            .collect();
        keys.sort();
        keys.dedup();
        let entries: Vec<String> = keys
            .into_iter()
            .map(|k| {
                if self.rng.one_in(4) {
                    k
                } else {
                    format!("{k} = {}", self.attr(depth))
                }
            })
            .collect();
        format!("{{{}}}", entries.join(", "))
    }

    fn loc(&mut self) -> String {
        match self.rng.below(4) {
            0 => "unknown".to_string(),
            1 => format!(
                "\"model.py\":{}:{}",
                self.rng.below(500),
                self.rng.below(80)
            ),
            2 => "\"name\"(\"f.py\":1:2)".to_string(),
            _ => "callsite(\"a\" at fused[\"b\", unknown])".to_string(),
        }
    }

    fn function(&mut self, out: &mut String, index: usize) {
        let n_args = self.rng.below(4);
        let mut visible: Vec<(String, String)> = Vec::new();
        let mut args = Vec::new();
        for _ in 0..n_args {
            let name = self.fresh_name();
            let ty = self.ty(1);
            let attrs = if self.rng.one_in(2) {
                format!(" {{aot.desc = {}}}", self.attr(1))
            } else {
                String::new()
            };
            args.push(format!("%{name}: {ty}{attrs}"));
            visible.push((name, ty));
        }
        let inputs: Vec<String> = visible.iter().map(|(_, t)| t.clone()).collect();
        let mut body = String::new();
        let n_ops = self.rng.below(self.max_ops);
        self.block_ops(&mut body, &mut visible, n_ops, self.max_depth, 4);
        let n_res = self.rng.below(3).min(visible.len());
        let mut returned = Vec::new();
        for _ in 0..n_res {
            returned.push(self.rng.pick(&visible).clone());
        }
        let results: Vec<String> = returned.iter().map(|(_, t)| t.clone()).collect();
        let vis = if self.rng.one_in(4) { "private " } else { "" };
        let _ = write!(out, "func.func {vis}@f{index}({})", args.join(", "));
        if !results.is_empty() {
            let items: Vec<String> = results
                .iter()
                .map(|t| {
                    if self.rng.one_in(3) {
                        format!("{t} {{aot.desc = #aot.plain_out<{}>}}", self.rng.below(3))
                    } else {
                        t.clone()
                    }
                })
                .collect();
            let _ = write!(out, " -> ({})", items.join(", "));
        }
        if self.rng.one_in(4) {
            let _ = write!(out, " attributes {}", self.dict(1));
        }
        out.push_str(" {\n");
        out.push_str(&body);
        let names: Vec<String> = returned.iter().map(|(n, _)| format!("%{n}")).collect();
        if returned.is_empty() {
            out.push_str("  func.return\n");
        } else {
            let _ = writeln!(
                out,
                "  func.return {} : {}",
                names.join(", "),
                results.join(", ")
            );
        }
        out.push_str("}\n");
        self.ops += 2;
        self.funcs.push((format!("f{index}"), inputs, results));
    }

    fn operands(&mut self, visible: &[(String, String)]) -> Vec<(String, String)> {
        let n = if visible.is_empty() {
            0
        } else {
            self.rng.below(4)
        };
        (0..n).map(|_| self.rng.pick(visible).clone()).collect()
    }

    fn block_ops(
        &mut self,
        out: &mut String,
        visible: &mut Vec<(String, String)>,
        n: usize,
        depth: usize,
        indent: usize,
    ) {
        let pad = " ".repeat(indent);
        for _ in 0..n {
            self.ops += 1;
            if !self.funcs.is_empty() && self.rng.one_in(8) {
                let (callee, inputs, results) = self.rng.pick(&self.funcs).clone();
                let mut args = Vec::new();
                for t in &inputs {
                    let name = self.fresh_name();
                    let _ = writeln!(out, "{pad}%{name} = \"d.make\"() : () -> {t}");
                    self.ops += 1;
                    args.push(format!("%{name}"));
                }
                let defs = self.defs(visible, &results);
                let _ = writeln!(
                    out,
                    "{pad}{defs}func.call @{callee}({}) : ({}) -> ({})",
                    args.join(", "),
                    inputs.join(", "),
                    results.join(", ")
                );
                continue;
            }
            let operands = self.operands(visible);
            let n_results = self.rng.below(3);
            let result_types: Vec<String> = (0..n_results).map(|_| self.ty(1)).collect();
            let mut line = String::new();
            let name = *self
                .rng
                .pick(&["d.op", "aten.add.Tensor", "d.x$y", "some.yield"]);
            let _ = write!(
                line,
                "\"{name}\"({})",
                operands
                    .iter()
                    .map(|(n, _)| format!("%{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if self.rng.one_in(3) {
                let _ = write!(line, " {}", self.dict(2));
            }
            let mut inner = Vec::new();
            if depth > 0 && self.rng.one_in(4) {
                let n_regions = 1 + self.rng.below(2);
                for _ in 0..n_regions {
                    inner.push(self.region(visible, depth - 1, indent));
                }
                let _ = write!(line, " ({})", inner.join(", "));
            }
            let _ = write!(
                line,
                " : ({}) -> ({})",
                operands
                    .iter()
                    .map(|(_, t)| t.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                result_types.join(", ")
            );
            if self.rng.one_in(5) {
                let _ = write!(line, " loc({})", self.loc());
            }
            let defs = self.defs(visible, &result_types);
            let _ = writeln!(out, "{pad}{defs}{line}");
        }
    }

    /// The `%a, %g:2 = ` prefix binding values of `types`; the values become visible.
    fn defs(&mut self, visible: &mut Vec<(String, String)>, types: &[String]) -> String {
        if types.is_empty() {
            return String::new();
        }
        let mut parts = Vec::new();
        let mut i = 0;
        while i < types.len() {
            let left = types.len() - i;
            let group = if left > 1 && self.rng.one_in(2) {
                left
            } else {
                1
            };
            let name = self.fresh_name();
            if group == 1 && !self.rng.one_in(5) {
                parts.push(format!("%{name}"));
                visible.push((name, types[i].clone()));
            } else {
                parts.push(format!("%{name}:{group}"));
                for k in 0..group {
                    visible.push((format!("{name}#{k}"), types[i + k].clone()));
                }
            }
            i += group;
        }
        format!("{} = ", parts.join(", "))
    }

    fn region(&mut self, visible: &[(String, String)], depth: usize, indent: usize) -> String {
        let pad = " ".repeat(indent + 2);
        let mut out = "{\n".to_string();
        let mut scope = visible.to_vec();
        let n_blocks = 1 + self.rng.below(3);
        let labels: Vec<String> = (0..n_blocks)
            .map(|_| format!("bb{}", self.fresh_name()))
            .collect();
        for (b, label) in labels.iter().enumerate() {
            let n_args = if b == 0 && self.rng.one_in(2) {
                0
            } else {
                self.rng.below(3)
            };
            if b > 0 || n_args > 0 {
                let mut args = Vec::new();
                for _ in 0..n_args {
                    let name = self.fresh_name();
                    let ty = self.ty(0);
                    args.push(format!("%{name}: {ty}"));
                    scope.push((name, ty));
                }
                let _ = writeln!(out, "{}^{label}({}):", " ".repeat(indent), args.join(", "));
            }
            let n = self.rng.below(3);
            self.block_ops(&mut out, &mut scope, n, depth, indent + 2);
            if n_blocks > 1 {
                let target = self.rng.pick(&labels[1..]).clone();
                let _ = writeln!(out, "{pad}\"d.br\"()[^{target}] : () -> ()");
                self.ops += 1;
            }
        }
        out.push_str(&" ".repeat(indent));
        out.push('}');
        out
    }
}
