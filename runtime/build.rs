//! Links OpenBLAS for GEMM steps when Debian's libopenblas-dev is installed (it measured
//! faster than the `gemm` crate here, see README/bench); otherwise the runtime uses the
//! `gemm` crate. `JOINERY_GEMM=gemm` forces the crate.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(joinery_openblas)");
    println!("cargo::rerun-if-env-changed=JOINERY_GEMM");
    if std::env::var("JOINERY_GEMM").is_ok_and(|v| v == "gemm") {
        return;
    }
    let found = [
        "/usr/lib/x86_64-linux-gnu",
        "/usr/lib/aarch64-linux-gnu",
        "/usr/lib",
        "/usr/local/lib",
    ]
    .iter()
    .find(|d| std::path::Path::new(d).join("libopenblas.so").exists());
    if let Some(dir) = found {
        println!("cargo::rustc-link-search=native={dir}");
        println!("cargo::rustc-link-lib=openblas");
        println!("cargo::rustc-cfg=joinery_openblas");
    }
}
