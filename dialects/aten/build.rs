//! Generates the aten op table from `catalogue.txt`: one `OpDef` per schema (name, traits,
//! functional pretty form, inherent attributes named after the schema's non-tensor
//! arguments) and the matching catalogue entries (schema text and inference rule).

#[allow(dead_code)]
#[path = "src/schema.rs"]
mod schema;

use std::fmt::Write;

fn main() {
    println!("cargo::rerun-if-changed=catalogue.txt");
    println!("cargo::rerun-if-changed=src/schema.rs");
    let text = std::fs::read_to_string("catalogue.txt").expect("read catalogue.txt");
    let mut defs = String::new();
    let mut entries = String::new();
    let mut names = std::collections::HashSet::new();
    let mut count = 0usize;
    for (lineno, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |msg: String| -> ! { panic!("catalogue.txt:{}: {msg}", lineno + 1) };
        let fields: Vec<&str> = line.split('|').map(str::trim).collect();
        let [schema_text, traits, rule] = fields[..] else {
            fail("expected `schema | traits | rule`".into())
        };
        let parsed = schema::parse_schema(schema_text).unwrap_or_else(|e| fail(e));
        let name = parsed.op_name();
        if !names.insert(name.clone()) {
            fail(format!("duplicate op {name}"));
        }
        let mut flags = Vec::new();
        for t in traits.split_whitespace() {
            flags.push(match t {
                "pure" if parsed.is_mutating() => {
                    fail(format!("{name} writes an argument and cannot be pure"))
                }
                "pure" => "PURE",
                "elementwise" => "ELEMENTWISE",
                "commutative" => "COMMUTATIVE",
                other => fail(format!("unknown trait `{other}`")),
            });
        }
        let traits = if flags.is_empty() {
            "Traits::empty()".to_string()
        } else {
            flags
                .iter()
                .map(|f| format!("Traits::{f}"))
                .collect::<Vec<_>>()
                .join(".union(")
                + &")".repeat(flags.len() - 1)
        };
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
        writeln!(
            defs,
            "    OpDef {{ traits: {traits}, format: AsmFormat::Functional, inherent_attrs: &[{inherent}], \
             verify: Some(crate::verify::verify_op), ..OpDef::new({name:?}, {schema_text:?}) }},"
        )
        .unwrap();
        writeln!(
            entries,
            "    CatalogueEntry {{ schema: {schema_text:?}, infer: crate::infer::{rule} }},"
        )
        .unwrap();
        count += 1;
    }
    let extra = ["crate::refs::TO_VALUE_OP", "crate::refs::TO_REF_OP"];
    let all = extra.len() + count;
    let extra_defs: String = extra.iter().map(|e| format!("    {e},\n")).collect();
    let out = format!(
        "/// Every aten op, in catalogue order (generated from `catalogue.txt`).\n\
         pub static OPS: [OpDef; {count}] = [\n{defs}];\n\n\
         /// What the dialect registers: the catalogue's ops, then the reference conversions\n\
         /// of [`refs`].\n\
         static DIALECT_OPS: [OpDef; {all}] = [\n{defs}{extra_defs}];\n\n\
         /// The schema text and inference rule of every op, parallel to [`OPS`].\n\
         pub(crate) static ENTRIES: [CatalogueEntry; {count}] = [\n{entries}];\n"
    );
    let path = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("catalogue.rs");
    std::fs::write(path, out).expect("write catalogue.rs");
}
