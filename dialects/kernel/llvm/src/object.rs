//! Machine code for an L3 module: its kernels translated, optimised at `default<O3>` and
//! compiled to object code on every core at once, linked into a shared library with the
//! plan bundle, and cached on disk.
//!
//! The LLVM IR of each share of the kernels is built on the calling thread (cheap) and
//! handed over as bitcode; each worker thread parses it into its own LLVM context,
//! optimises it and emits an object file (the expensive part). `cc -shared` links the
//! objects. The library lands in the cache directory under a key hashing the L3 text, the
//! host CPU and its features, the LLVM version and this compiler's build (see
//! `build.rs`), so the same kernels compiled again are a `dlopen` away.

use crate::{codegen_module, host_machine};
use inkwell::context::Context as LlContext;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Module;
use inkwell::passes::PassBuilderOptions;
use inkwell::targets::{FileType, RelocMode, TargetMachine};
use joinery_ir::{Context, Diagnostic, OpId};
use joinery_runtime::plan::Bundle;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// What this build of the compiler is, for cache keys: the crate version and a hash of the
/// sources that decide the generated code (written by `build.rs`).
const COMPILER_BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("JOINERY_CODEGEN_HASH"));

/// The environment variable naming the cache directory.
pub const CACHE_DIR_VAR: &str = "JOINERY_CACHE_DIR";

/// The directory compiled libraries are cached in: `$JOINERY_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/joinery`, else `~/.cache/joinery`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(CACHE_DIR_VAR) {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("joinery")
}

/// The cache key of an L3 module's compiled library: SHA-256 of everything the machine
/// code depends on.
pub fn cache_key(l3_text: &str, bundle_json: &str) -> String {
    let (major, minor, patch) = inkwell::support::get_llvm_version();
    let mut h = Sha256::new();
    for part in [
        COMPILER_BUILD,
        &format!("llvm {major}.{minor}.{patch}"),
        &TargetMachine::get_default_triple().to_string(),
        &TargetMachine::get_host_cpu_name().to_string(),
        &TargetMachine::get_host_cpu_features().to_string(),
        l3_text,
        bundle_json,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn llvm_error(what: &str) -> impl Fn(inkwell::support::LLVMString) -> Diagnostic + '_ {
    move |e| Diagnostic::error(format!("{what}: {e}"))
}

/// The `kernel.fused` ops of `l3`, dealt into at most `shares` groups of similar size.
fn shares_of(ctx: &Context, l3: OpId, shares: usize) -> Vec<Vec<OpId>> {
    let mut kernels: Vec<(usize, OpId)> = crate::kernels_of(ctx, l3)
        .into_iter()
        .map(|op| (ctx.walk(op).len(), op))
        .collect();
    kernels.sort_by_key(|k| std::cmp::Reverse(k.0));
    let mut groups: Vec<(usize, Vec<OpId>)> = vec![(0, Vec::new()); shares.max(1)];
    for (size, op) in kernels {
        let lightest = groups
            .iter_mut()
            .min_by_key(|g| g.0)
            .expect("at least one share");
        lightest.0 += size;
        lightest.1.push(op);
    }
    groups
        .into_iter()
        .map(|g| g.1)
        .filter(|g| !g.is_empty())
        .collect()
}

/// Optimises the bitcode of one share and compiles it to an object file (on any thread).
fn compile_share(bitcode: &[u8]) -> Result<Vec<u8>, Diagnostic> {
    let tm = host_machine(RelocMode::PIC)?;
    let ll = LlContext::create();
    let buffer = MemoryBuffer::create_from_memory_range_copy(bitcode, "share");
    let module = Module::parse_bitcode_from_buffer(&buffer, &ll)
        .map_err(llvm_error("cannot read generated bitcode"))?;
    module
        .run_passes("default<O3>", &tm, PassBuilderOptions::create())
        .map_err(llvm_error("LLVM optimisation failed"))?;
    let object = tm
        .write_to_memory_buffer(&module, FileType::Object)
        .map_err(llvm_error("LLVM code generation failed"))?;
    Ok(object.as_slice().to_vec())
}

/// Object files of every kernel of `l3` plus one holding the plan bundle, compiled on
/// `threads` threads.
pub fn compile_objects(
    ctx: &Context,
    l3: OpId,
    bundle: &Bundle,
    threads: usize,
) -> Result<Vec<Vec<u8>>, Diagnostic> {
    crate::check_symbols(ctx, l3)?;
    let tm = host_machine(RelocMode::PIC)?;
    let mut bitcodes = Vec::new();
    for share in shares_of(ctx, l3, threads) {
        let ll = LlContext::create();
        let cg = codegen_module(ctx, &share, &ll, &tm)?;
        bitcodes.push(cg.module.write_bitcode_to_memory().as_slice().to_vec());
    }
    let mut objects: Vec<Vec<u8>> = std::thread::scope(|scope| {
        let workers: Vec<_> = bitcodes
            .iter()
            .map(|bc| scope.spawn(move || compile_share(bc)))
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(Diagnostic::error("an LLVM compile thread panicked")))
            })
            .collect::<Result<_, _>>()
    })?;
    let ll = LlContext::create();
    let module = ll.create_module("joinery_bundle");
    module.set_triple(&tm.get_triple());
    module.set_data_layout(&tm.get_target_data().get_data_layout());
    let json = ll.const_string(bundle.to_json().as_bytes(), true);
    let global = module.add_global(json.get_type(), None, joinery_runtime::BUNDLE_SYMBOL);
    global.set_initializer(&json);
    global.set_constant(true);
    let object = tm
        .write_to_memory_buffer(&module, FileType::Object)
        .map_err(llvm_error("LLVM code generation failed"))?;
    objects.push(object.as_slice().to_vec());
    Ok(objects)
}

/// Links object files into the shared library `lib` with the system C compiler (`$CC`,
/// else `cc`). The objects are written next to it and removed afterwards.
pub fn link_shared_library(objects: &[Vec<u8>], lib: &Path) -> Result<(), Diagnostic> {
    let io = |what: &str, path: &Path, e: std::io::Error| {
        Diagnostic::error(format!("cannot {what} {}: {e}", path.display()))
    };
    let mut paths = Vec::new();
    for (i, bytes) in objects.iter().enumerate() {
        let path = lib.with_extension(format!("{i}.o"));
        std::fs::write(&path, bytes).map_err(|e| io("write", &path, e))?;
        paths.push(path);
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let output = std::process::Command::new(&cc)
        .arg("-shared")
        .arg("-o")
        .arg(lib)
        .args(&paths)
        .arg("-lm")
        .output()
        .map_err(|e| Diagnostic::error(format!("cannot run the linker ({cc}): {e}")))?;
    for path in &paths {
        let _ = std::fs::remove_file(path);
    }
    if !output.status.success() {
        return Err(Diagnostic::error(format!(
            "linking {} failed ({}): {}",
            lib.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(())
}

/// Where a compiled library came from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CacheOutcome {
    /// Found in the cache.
    Hit,
    /// Compiled now (and stored).
    Miss,
}

/// The shared library of `l3` with `bundle` inside: from the cache when it is there, else
/// compiled on `threads` threads and stored there (written under a temporary name and
/// renamed, so concurrent compilers never see half a file; the name is unique per process
/// and call, so two threads compiling the same module do not share it).
pub fn cached_library(
    ctx: &Context,
    l3: OpId,
    l3_text: &str,
    bundle: &Bundle,
    threads: usize,
) -> Result<(PathBuf, CacheOutcome), Diagnostic> {
    let dir = cache_dir();
    let key = cache_key(l3_text, &bundle.to_json());
    let lib = dir.join(format!("{key}.so"));
    if lib.is_file() {
        return Ok((lib, CacheOutcome::Hit));
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        Diagnostic::error(format!(
            "cannot create the compile cache {} (set {CACHE_DIR_VAR}): {e}",
            dir.display()
        ))
    })?;
    let objects = compile_objects(ctx, l3, bundle, threads)?;
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let partial = dir.join(format!("{key}.{}.{call}.tmp.so", std::process::id()));
    link_shared_library(&objects, &partial)?;
    std::fs::rename(&partial, &lib).map_err(|e| {
        Diagnostic::error(format!(
            "cannot store {} in the compile cache: {e}",
            lib.display()
        ))
    })?;
    Ok((lib, CacheOutcome::Miss))
}
