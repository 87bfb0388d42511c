//! Generates the aten op table from `catalogue.txt`: one `OpDef` per schema (name, IR
//! traits, functional pretty form, inherent attributes named after the schema's non-tensor
//! arguments) and the matching catalogue entries (schema text, inference rule, aten
//! traits). Checks what a line may claim: a `Tensor(a!)` op is not `pure` and has no
//! interpreter kernel (`-`), every other op names one; `random` ops are not `pure`; `view`
//! and `metadata` ops are; nothing random or impure is `recomputable`.
//!
//! The optional fifth column names the op's canonicalization patterns (statics of
//! `src/canon.rs`); every pure op (pure ops draw no random numbers and have a kernel)
//! gets the constant folder `canon::fold`.

#[allow(dead_code)]
#[path = "src/schema.rs"]
mod schema;

#[path = "catalogue_line.rs"]
mod catalogue_line;

use catalogue_line::{NO_KERNEL, catalogue_lines, split_line};
use std::fmt::Write;

/// The IR trait (`joinery_ir::Traits`) a catalogue trait stands for, if it is one.
fn ir_trait(name: &str) -> Option<&'static str> {
    Some(match name {
        "pure" => "PURE",
        "elementwise" => "ELEMENTWISE",
        "commutative" => "COMMUTATIVE",
        _ => return None,
    })
}

/// The `AtenTraits` flags a catalogue trait sets, if it is one.
fn aten_trait(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "view" => &["VIEW", "RECOMPUTABLE"],
        "recomputable" => &["RECOMPUTABLE"],
        "compute" => &["COMPUTE_INTENSIVE"],
        "random" => &["RANDOM"],
        "metadata" => &["METADATA"],
        "concat" => &["CONCAT"],
        _ => return None,
    })
}

/// `Type::A.union(Type::B)...`, or `Type::empty()`.
fn flags_expr(ty: &str, flags: &[&str]) -> String {
    match flags {
        [] => format!("{ty}::empty()"),
        [first, rest @ ..] => rest.iter().fold(format!("{ty}::{first}"), |acc, f| {
            format!("{acc}.union({ty}::{f})")
        }),
    }
}

fn main() {
    println!("cargo::rerun-if-changed=catalogue.txt");
    println!("cargo::rerun-if-changed=catalogue_line.rs");
    println!("cargo::rerun-if-changed=src/schema.rs");
    let text = std::fs::read_to_string("catalogue.txt").expect("read catalogue.txt");
    let mut defs = String::new();
    let mut entries = String::new();
    let mut names = std::collections::HashSet::new();
    let mut count = 0usize;
    for (lineno, line) in catalogue_lines(&text) {
        let fail = |msg: String| -> ! { panic!("catalogue.txt:{lineno}: {msg}") };
        let line = split_line(line).unwrap_or_else(|e| fail(e));
        let parsed = schema::parse_schema(line.schema).unwrap_or_else(|e| fail(e));
        let name = parsed.op_name();
        if !names.insert(name.clone()) {
            fail(format!("duplicate op {name}"));
        }
        let has = |t: &str| line.traits.contains(&t);
        let mut ir = Vec::new();
        let mut aten = Vec::new();
        for &t in &line.traits {
            match (ir_trait(t), aten_trait(t)) {
                (Some(f), _) => ir.push(f),
                (_, Some(fs)) => aten.extend_from_slice(fs),
                _ => fail(format!("unknown trait `{t}`")),
            }
        }
        let pure = has("pure");
        let problem = if pure && parsed.is_mutating() {
            Some("writes an argument and cannot be pure")
        } else if has("random") && pure {
            Some("draws random numbers and cannot be pure")
        } else if (has("view") || has("metadata")) && !pure {
            Some("is a view or metadata op and must be pure")
        } else if has("recomputable") && !pure {
            Some("is not pure and cannot be recomputable")
        } else if parsed.is_mutating() != (line.kernel == NO_KERNEL) {
            Some("names an interpreter kernel if and only if it writes no argument (else `-`)")
        } else {
            None
        };
        if let Some(p) = problem {
            fail(format!("{name} {p}"));
        }
        // PyTorch's partitioner recomputes every pointwise op; `elementwise` is our
        // pointwise tag.
        if pure && has("elementwise") && !aten.contains(&"RECOMPUTABLE") {
            aten.push("RECOMPUTABLE");
        }
        aten.dedup();
        let traits = flags_expr("Traits", &ir);
        let aten_traits = flags_expr("AtenTraits", &aten);
        let mut inherent: Vec<String> = parsed.attr_args().map(|a| a.name.clone()).collect();
        if parsed.has_variadic_groups() {
            inherent.push("operandSegmentSizes".into());
        }
        inherent.sort();
        let inherent = inherent
            .iter()
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let schema_text = line.schema;
        let rule = line.rule;
        let fold = if pure {
            "Some(crate::canon::fold)"
        } else {
            "None"
        };
        let canon = line
            .canon
            .iter()
            .map(|p| format!("&crate::canon::{}", p.to_uppercase().replace('-', "_")))
            .collect::<Vec<_>>()
            .join(", ");
        if !line.canon.is_empty() && !pure {
            fail(format!(
                "{name} is not pure and cannot have canonicalization patterns"
            ));
        }
        writeln!(
            defs,
            "    OpDef {{ traits: {traits}, format: AsmFormat::Functional, inherent_attrs: &[{inherent}], \
             verify: Some(crate::verify::verify_op), fold: {fold}, canonicalize: &[{canon}], \
             ..OpDef::new({name:?}, {schema_text:?}) }},"
        )
        .unwrap();
        writeln!(
            entries,
            "    CatalogueEntry {{ schema: {schema_text:?}, infer: crate::infer::{rule}, traits: {aten_traits} }},"
        )
        .unwrap();
        count += 1;
    }
    let extra = ["crate::refs::TO_VALUE_OP", "crate::refs::TO_REF_OP"];
    let all = extra.len() + count;
    let extra_defs: String = extra.iter().map(|e| format!("    {e},\n")).collect();
    let out = format!(
        "/// The number of catalogue ops (the length of [`OPS`]).\n\
         pub const OP_COUNT: usize = {count};\n\n\
         /// Every aten op, in catalogue order (generated from `catalogue.txt`).\n\
         pub static OPS: [OpDef; OP_COUNT] = [\n{defs}];\n\n\
         /// What the dialect registers: the catalogue's ops, then the reference conversions\n\
         /// of [`refs`].\n\
         static DIALECT_OPS: [OpDef; {all}] = [\n{defs}{extra_defs}];\n\n\
         /// The schema text, inference rule and aten traits of every op, parallel to [`OPS`].\n\
         pub(crate) static ENTRIES: [CatalogueEntry; OP_COUNT] = [\n{entries}];\n"
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    std::fs::write(path, out).expect("write catalogue.rs");
}
