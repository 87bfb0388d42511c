//! Each registered pass on verified IR.

use crate::text;
use joinery_pass::{PassManager, PassRegistry};
use std::sync::LazyLock;

/// The registry and its pass names, sorted so a byte always picks the same pass.
static PASSES: LazyLock<(PassRegistry, Vec<&'static str>)> = LazyLock::new(|| {
    let registry = joinery_all::passes();
    let mut names: Vec<&'static str> = registry.passes().map(|p| p.name).collect();
    names.sort_unstable();
    (registry, names)
});

/// The registered passes' names, in the order the selector byte of [`check`] picks them.
pub fn names() -> &'static [&'static str] {
    &PASSES.1
}

/// The first byte picks the pass (in name order, modulo their count), the rest is the
/// module text. With its default options the pass either leaves IR that verifies and
/// round-trips through text, or refuses with an error. A panic, IR left invalid or a
/// failure without an error is a finding.
pub fn check(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (registry, names) = &*PASSES;
    let name = names[usize::from(selector) % names.len()];
    let Some(text) = text::text(rest) else {
        return;
    };
    let Some((mut ctx, module)) = text::parse_verified(&text) else {
        return;
    };
    let pipeline = registry
        .pipeline_from_flags("builtin.module", &[(name.to_string(), String::new())])
        .expect("a registered pass with default options");
    let mut pm = PassManager::from_pipeline(registry, &pipeline).expect("a valid pipeline");
    pm.dump_sink = Box::new(std::io::sink());
    match pm.run(&mut ctx, module) {
        Ok(_) => {
            let problems = joinery_ir::verify::verify(&ctx, module);
            assert!(
                problems.is_empty(),
                "'{name}' left invalid IR: {problems:?}"
            );
            let printed = text::print(&ctx, module);
            let Some((ctx2, module2)) = text::parse(&printed) else {
                panic!("'{name}' left IR that prints to text that does not parse:\n{printed}");
            };
            let problems = joinery_ir::verify::verify(&ctx2, module2);
            assert!(
                problems.is_empty(),
                "'{name}' left IR whose text does not verify: {problems:?}\n{printed}"
            );
        }
        Err(diagnostics) => {
            let invalid = diagnostics.iter().find(|d| {
                d.notes
                    .iter()
                    .any(|n| n.message.contains("is invalid after pass"))
            });
            assert!(invalid.is_none(), "'{name}' left invalid IR: {invalid:?}");
            text::assert_refusal(name, &diagnostics, false);
        }
    }
}
