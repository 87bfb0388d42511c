//! The compile cache: the same kernels compiled twice are served from disk the second
//! time, give the same results, and a different module misses. One test in its own
//! binary, because it points `JOINERY_CACHE_DIR` at a fresh directory for the process.

use joinery_ir::{Context, SourceMap};
use joinery_native::CacheOutcome;
use joinery_runtime::Tensor;

fn compile(text: &str) -> (Vec<f64>, CacheOutcome) {
    let mut ctx = Context::new(&joinery_all::DIALECTS);
    let mut sources = SourceMap::default();
    let file = sources.add("cache.mlir", text.to_string());
    let module = joinery_syntax::parse_source(&mut ctx, &sources, file).expect("parses");
    let (modules, native) =
        joinery_native::compile_and_load(&mut ctx, module, &["f".to_string()], 2)
            .expect("compiles");
    let mut args = vec![Tensor::from_vec(
        &[2, 3],
        vec![0.5f32, -1.0, 2.0, 3.0, -0.25, 1.5],
    )];
    let out = modules[0].call(&mut args).expect("runs");
    let values = out[0].as_ref().expect("a tensor").to_f64_vec();
    (values, native.timings.cache.expect("loaded"))
}

#[test]
fn a_second_compile_of_the_same_kernels_is_a_cache_hit() {
    let dir = std::env::temp_dir().join(format!("joinery-cache-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: this binary's only test sets the variable before any thread reads it.
    unsafe { std::env::set_var(joinery_native::CACHE_DIR_VAR, &dir) };
    assert_eq!(joinery_native::cache_dir(), dir);
    let tanh = r#"func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %t = "aten.tanh"(%x) : (tensor<2x3xf32>) -> tensor<2x3xf32>
      func.return %t : tensor<2x3xf32>
    }"#;
    let (cold, first) = compile(tanh);
    let (warm, second) = compile(tanh);
    assert_eq!(first, CacheOutcome::Miss);
    assert_eq!(second, CacheOutcome::Hit);
    assert_eq!(cold, warm);
    let want: Vec<f64> = [0.5f32, -1.0, 2.0, 3.0, -0.25, 1.5]
        .iter()
        .map(|x| x.tanh() as f64)
        .collect();
    for (g, w) in warm.iter().zip(&want) {
        assert!((g - w).abs() < 1e-6, "{warm:?} vs {want:?}");
    }
    let (_, other) = compile(&tanh.replace("aten.tanh", "aten.exp"));
    assert_eq!(other, CacheOutcome::Miss);
    let libraries = std::fs::read_dir(&dir).expect("cache dir").count();
    assert_eq!(libraries, 2, "one library per distinct module");
    let _ = std::fs::remove_dir_all(&dir);
}
