//! Loop hints on the generated back edges: a loop with a long constant trip count is not
//! unrolled whole (the hint survives `default<O3>`), a short one gets no hint.

use joinery_ir::{Context, SourceMap};
use joinery_kernel_llvm::codegen::MAX_FULL_UNROLL_TRIPS;

/// The LLVM IR of a kernel copying a `2 x cols` tensor, optimised or not.
fn copy_kernel_ir(cols: u64, optimize: bool) -> String {
    let text = format!(
        r#"func.func @f(%x: tensor<2x{cols}xf32>) -> tensor<2x{cols}xf32> {{
  %a = kernel.alloc {{output = 0 : i64}} : () -> tensor<2x{cols}xf32>
  "kernel.fused"(%x, %a) <{{in_maps = [[0, {cols}, 1]], name = "copy", num_inputs = 1 : i64, out_kinds = ["store"], out_maps = [[0, {cols}, 1]], sources = [], space = [2, {cols}]}}> ({{
  ^bb0(%v: f32):
    "kernel.yield"(%v) : (f32) -> ()
  }}) : (tensor<2x{cols}xf32>, tensor<2x{cols}xf32>) -> ()
  func.return %a : tensor<2x{cols}xf32>
}}"#
    );
    let mut ctx = Context::new(&[&joinery_func::FUNC_DIALECT, &joinery_kernel::KERNEL_DIALECT]);
    let mut sources = SourceMap::default();
    let file = sources.add("loop_hints.mlir", text);
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    joinery_kernel_llvm::llvm_ir(&ctx, module, optimize).expect("translates")
}

/// The definition of metadata node `id` (`!N`) in `ir`.
fn node<'a>(ir: &'a str, id: &str) -> &'a str {
    ir.lines()
        .find_map(|l| l.strip_prefix(&format!("{id} = ")))
        .unwrap_or_else(|| panic!("no node {id} in\n{ir}"))
}

/// The operands of a node's definition `!{a, b}` (LLVM prints nested nodes as references).
fn operands(def: &str) -> Vec<&str> {
    def.trim_start_matches("distinct ")
        .strip_prefix("!{")
        .and_then(|d| d.strip_suffix('}'))
        .unwrap_or_else(|| panic!("not a node: {def}"))
        .split(", ")
        .collect()
}

/// Node `id` written out with every node it references in place: `!{!"name", !{...}}`.
fn expand(ir: &str, id: &str) -> String {
    let ops: Vec<String> = operands(node(ir, id))
        .into_iter()
        .map(|op| {
            if op.starts_with('!') && !op.starts_with("!\"") {
                expand(ir, op)
            } else {
                op.to_string()
            }
        })
        .collect();
    format!("!{{{}}}", ops.join(", "))
}

/// The hints of every loop ID on a back edge of `ir`, each written out in full; checks
/// that each ID is distinct and names itself first, as LLVM requires.
fn loop_hints(ir: &str) -> Vec<Vec<String>> {
    ir.lines()
        .filter(|l| l.contains("br i1"))
        .filter_map(|l| l.split("!llvm.loop ").nth(1))
        .map(|id| {
            let def = node(ir, id.trim());
            assert!(def.starts_with("distinct "), "{def}");
            let ops = operands(def);
            assert_eq!(ops[0], id.trim(), "{def}");
            ops[1..].iter().map(|op| expand(ir, op)).collect()
        })
        .collect()
}

#[test]
fn a_long_constant_loop_is_vectorized_but_not_unrolled() {
    let cols = 8 * MAX_FULL_UNROLL_TRIPS + 6;
    let ir = copy_kernel_ir(cols, false);
    assert_eq!(
        loop_hints(&ir),
        vec![vec![
            r#"!{!"llvm.loop.vectorize.followup_all", !{!"llvm.loop.unroll.disable"}}"#.to_string()
        ]],
        "{ir}"
    );
    // Optimised, the vector loop is still a loop, and it carries the hint.
    let optimized = copy_kernel_ir(cols, true);
    assert!(
        loop_hints(&optimized)
            .iter()
            .any(|hints| hints.contains(&r#"!{!"llvm.loop.unroll.disable"}"#.to_string())),
        "{optimized}"
    );
}

#[test]
fn a_short_constant_loop_has_no_hint() {
    let ir = copy_kernel_ir(MAX_FULL_UNROLL_TRIPS, false);
    assert!(loop_hints(&ir).is_empty(), "{ir}");
}
