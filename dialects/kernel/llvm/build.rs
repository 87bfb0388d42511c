//! Hashes the sources that decide the generated machine code and the plan format (this
//! crate, the kernel dialect, the runtime's plans) into `JOINERY_CODEGEN_HASH`, part of
//! the compile cache's key: a changed code generator never reuses a stale library. Reads
//! only the project's own files, never the machine.

use std::hash::{Hash, Hasher};
use std::path::Path;

fn hash_dir(dir: &Path, h: &mut std::collections::hash_map::DefaultHasher) {
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            hash_dir(&path, h);
        } else if path.extension().is_some_and(|e| e == "rs") {
            path.file_name().hash(h);
            std::fs::read(&path).unwrap_or_default().hash(h);
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for dir in ["src", "../src", "../../../runtime/src"] {
        hash_dir(&root.join(dir), &mut h);
    }
    println!("cargo::rustc-env=JOINERY_CODEGEN_HASH={:016x}", h.finish());
}
