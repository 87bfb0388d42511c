//! Compiles the oneDNN convolution wrapper (`dnnl/conv.c`) and links oneDNN (`libdnnl`,
//! Debian's `libdnnl-dev`) and the OpenMP runtime it threads with (`libgomp`).

fn main() {
    println!("cargo:rerun-if-changed=dnnl/conv.c");
    println!("cargo:rerun-if-changed=dnnl/conv.h");
    cc::Build::new()
        .file("dnnl/conv.c")
        .flag("-std=gnu11")
        .flag("-fopenmp")
        .warnings(true)
        .extra_warnings(true)
        .compile("joinery_dnnl_conv");
    println!("cargo:rustc-link-lib=dylib=dnnl");
    println!("cargo:rustc-link-lib=dylib=gomp");
}
