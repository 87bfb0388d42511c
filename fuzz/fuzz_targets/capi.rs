//! The C ABI with mutated calls: module and differentiable-function calls on DLTensors of
//! any shape, dtype, device, stride, offset and (well-formed but wrong) contents, result
//! arrays of the wrong length or null, null handles, unknown names. Every call must
//! return 0 or -1 with a message; a panic, an abort or a sanitizer report is a finding.
//! Each DLTensor honours the DLPack contract (its data covers what it describes), so any
//! bad access is the runtime's.
//!
//! It calls two libraries `fuzz/seed.sh` compiles into `fuzz/target/capi/`:
//! `indexed.so` (`fuzz/capi.mlir`: embedding and a classification loss, so labels and
//! indices reach native bounds checks) and `linear_relu.so` (the partitioned
//! `examples/linear_relu_joint.mlir`, for the forward/backward pair).
//!
//! Input layout (missing bytes read as 0): a header `[call, n_in, n_out, flags]`, then per
//! input tensor `[flags, ndim, dtype code, bits, extents.., strides.., byte_offset]`
//! (strides and offset only when flagged), then the bytes that fill every tensor's
//! elements in turn (one byte per element, as a small signed value).

#![no_main]

use joinery_runtime::capi::*;
use joinery_runtime::{CompiledModule, DifferentiableFn};
use libfuzzer_sys::fuzz_target;
use std::ffi::{CStr, CString, c_void};
use std::ptr::{null, null_mut};
use std::sync::LazyLock;

/// The largest tensor, in bytes, an input may describe.
const MAX_BYTES: usize = 1 << 16;

/// The libraries and what the target takes from them; created once per process.
struct Handles {
    indexed_lib: *mut JoineryLibrary,
    indexed: *mut CompiledModule,
    joint: *mut DifferentiableFn,
}

// SAFETY: the handles are only read, and the C ABI's objects may be used from any thread.
unsafe impl Send for Handles {}
unsafe impl Sync for Handles {}

fn open(name: &str) -> *mut JoineryLibrary {
    let path = format!("{}/target/capi/{name}", env!("CARGO_MANIFEST_DIR"));
    let c = CString::new(path.clone()).expect("a path without NUL");
    // SAFETY: a C string.
    let lib = unsafe { joinery_library_open(c.as_ptr()) };
    assert!(
        !lib.is_null(),
        "cannot open {path} (run fuzz/seed.sh): {}",
        last_error()
    );
    lib
}

static HANDLES: LazyLock<Handles> = LazyLock::new(|| {
    let indexed_lib = open("indexed.so");
    let joint_lib = open("linear_relu.so");
    // SAFETY: live libraries and C strings.
    let (indexed, joint) = unsafe {
        (
            joinery_module_get(indexed_lib, c"indexed".as_ptr()),
            joinery_diff_get(joint_lib, c"joint".as_ptr()),
        )
    };
    assert!(!indexed.is_null() && !joint.is_null(), "{}", last_error());
    // What was taken stays valid after its library is closed; `indexed_lib` stays open
    // for the name lookups.
    // SAFETY: a live library, not used afterwards.
    unsafe { joinery_library_close(joint_lib) };
    Handles {
        indexed_lib,
        indexed,
        joint,
    }
});

fn last_error() -> String {
    // SAFETY: joinery_last_error returns a live C string.
    unsafe { CStr::from_ptr(joinery_last_error()) }
        .to_string_lossy()
        .into_owned()
}

/// Reads the input front to back; past its end every byte is 0.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
}

/// One input tensor: the DLTensor and the memory it points into.
struct Input {
    shape: Vec<i64>,
    strides: Vec<i64>,
    data: Vec<u128>,
    /// Null data, null shape, strides, another device, a byte offset.
    flags: u8,
    ndim: i32,
    dtype: DLDataType,
    byte_offset: u64,
}

impl Input {
    fn read(r: &mut Reader) -> Option<Input> {
        let flags = r.byte();
        let ndim_byte = r.byte();
        let ndim = if ndim_byte == 0xff {
            -1
        } else {
            i32::from(ndim_byte % 5)
        };
        let code = r.byte();
        let bits = match r.byte() {
            0 => 32,
            1 => 64,
            2 => 8,
            3 => 1,
            4 => 16,
            5 => 128,
            b => b,
        };
        let lanes = if flags & 0x40 != 0 { 2 } else { 1 };
        let rank = usize::try_from(ndim).unwrap_or(0);
        // Extents 0..=239, or small negative ones.
        let shape: Vec<i64> = (0..rank)
            .map(|_| match r.byte() {
                b @ 0xf0.. => 0xef - i64::from(b),
                b => i64::from(b),
            })
            .collect();
        let strides = if flags & 0x04 != 0 {
            (0..rank).map(|_| i64::from(r.byte() % 16)).collect()
        } else {
            Vec::new()
        };
        let byte_offset = if flags & 0x10 != 0 {
            u64::from(r.byte() % 16)
        } else {
            0
        };
        // The bytes the DLTensor describes (element size times extents, plus the offset);
        // a description the runtime must refuse (negative extents) gets a little memory.
        let elem = (usize::from(bits) * usize::from(lanes)).div_ceil(8);
        let bytes = shape.iter().try_fold(elem, |acc, &d| {
            usize::try_from(d)
                .ok()
                .map_or(Some(acc), |d| acc.checked_mul(d))
        })?;
        if bytes > MAX_BYTES {
            return None;
        }
        let total = bytes + byte_offset as usize;
        Some(Input {
            shape,
            strides,
            data: vec![0; total.div_ceil(16)],
            flags,
            ndim,
            dtype: DLDataType { code, bits, lanes },
            byte_offset,
        })
    }

    /// Fills the elements from `r`: one byte per element, as a small signed number of the
    /// tensor's dtype (so indices and labels are often in range, sometimes not).
    fn fill(&mut self, r: &mut Reader) {
        let elem = (usize::from(self.dtype.bits) * usize::from(self.dtype.lanes)).div_ceil(8);
        let offset = self.byte_offset as usize;
        // SAFETY: `data` has at least `offset + n * elem` bytes, and u128 is plain data.
        let bytes = unsafe {
            std::slice::from_raw_parts_mut(
                self.data.as_mut_ptr().cast::<u8>(),
                self.data.len() * 16,
            )
        };
        let n = (bytes.len() - offset) / elem.max(1);
        for i in 0..n {
            let v = r.byte() as i8;
            let at = &mut bytes[offset + i * elem..offset + (i + 1) * elem];
            match (self.dtype.code, elem) {
                (2, 4) => at.copy_from_slice(&(f32::from(v) / 16.0).to_le_bytes()),
                (2, 8) => at.copy_from_slice(&(f64::from(v) / 16.0).to_le_bytes()),
                (6, _) => at[0] = (v & 1) as u8,
                _ => {
                    let wide = i128::from(v).to_le_bytes();
                    let n = elem.min(16);
                    at[..n].copy_from_slice(&wide[..n]);
                }
            }
        }
    }

    fn dl(&mut self) -> DLTensor {
        DLTensor {
            data: if self.flags & 0x01 != 0 {
                null_mut()
            } else {
                self.data.as_mut_ptr().cast::<c_void>()
            },
            device: DLDevice {
                device_type: if self.flags & 0x08 != 0 { 2 } else { KDL_CPU },
                device_id: 0,
            },
            ndim: self.ndim,
            dtype: self.dtype,
            shape: if self.flags & 0x02 != 0 {
                null_mut()
            } else {
                self.shape.as_mut_ptr()
            },
            strides: if self.strides.is_empty() {
                null_mut()
            } else {
                self.strides.as_mut_ptr()
            },
            byte_offset: self.byte_offset,
        }
    }
}

/// Reads `n` tensors, then fills them; `None` if one is too large.
fn tensors(r: &mut Reader, n: usize) -> Option<(Vec<Input>, Vec<DLTensor>)> {
    let mut inputs = (0..n).map(|_| Input::read(r)).collect::<Option<Vec<_>>>()?;
    for input in &mut inputs {
        input.fill(r);
    }
    let dls = inputs.iter_mut().map(Input::dl).collect();
    Some((inputs, dls))
}

/// Checks a return code and frees the results a successful call wrote.
fn finish(rc: i32, outputs: &[*mut DLManagedTensor]) {
    match rc {
        0 => {
            for &m in outputs.iter().filter(|m| !m.is_null()) {
                // SAFETY: a managed tensor the call handed over.
                unsafe {
                    let deleter = (*m).deleter.expect("a managed tensor has a deleter");
                    deleter(m);
                }
            }
        }
        -1 => assert!(!last_error().is_empty(), "a failed call left no message"),
        rc => panic!("a C ABI call returned {rc}"),
    }
}

/// The output slots for a call: `n` of them, or a null array when `null` is set.
fn out_ptr(slots: &mut [*mut DLManagedTensor], null: bool) -> *mut *mut DLManagedTensor {
    if null { null_mut() } else { slots.as_mut_ptr() }
}

fuzz_target!(|data: &[u8]| {
    let h = &*HANDLES;
    let mut r = Reader(data);
    let call = r.byte() % 4;
    let n_in = usize::from(r.byte() % 8);
    let n_out = usize::from(r.byte() % 8);
    let flags = r.byte();
    let null_inputs = flags & 0x01 != 0;
    let null_outputs = flags & 0x02 != 0;
    match call {
        0 => {
            let Some((_memory, dls)) = tensors(&mut r, n_in) else {
                return;
            };
            let mut slots = vec![null_mut(); n_out];
            // SAFETY: n_in DLTensors (or null), n_out slots (or null).
            let rc = unsafe {
                joinery_module_call(
                    h.indexed,
                    if null_inputs { null() } else { dls.as_ptr() },
                    n_in,
                    out_ptr(&mut slots, null_outputs),
                    n_out,
                )
            };
            finish(rc, &slots);
        }
        1 => {
            let Some((_memory, dls)) = tensors(&mut r, n_in) else {
                return;
            };
            let mut slots = vec![null_mut(); n_out];
            let mut saved = null_mut();
            // SAFETY: as above; `saved` is writable unless flagged null.
            let rc = unsafe {
                joinery_diff_forward(
                    h.joint,
                    if null_inputs { null() } else { dls.as_ptr() },
                    n_in,
                    out_ptr(&mut slots, null_outputs),
                    n_out,
                    if flags & 0x04 != 0 {
                        null_mut()
                    } else {
                        &mut saved
                    },
                )
            };
            finish(rc, &slots);
            if rc != 0 {
                return;
            }
            let n_tangents = usize::from(r.byte() % 4);
            let n_grads = usize::from(r.byte() % 8);
            let Some((_memory, tangents)) = tensors(&mut r, n_tangents) else {
                // SAFETY: a saved handle no backward will take.
                unsafe { joinery_saved_free(saved) };
                return;
            };
            let mut grads = vec![null_mut(); n_grads];
            // SAFETY: `saved` came from this function's forward; the arrays are sized.
            let rc = unsafe {
                joinery_diff_backward(
                    if flags & 0x08 != 0 { null() } else { h.joint },
                    saved,
                    tangents.as_ptr(),
                    n_tangents,
                    out_ptr(&mut grads, flags & 0x10 != 0),
                    n_grads,
                )
            };
            finish(rc, &grads);
        }
        2 => {
            // Null handles and out-pointers everywhere they are accepted.
            let (mut a, mut b) = (7usize, 7usize);
            // SAFETY: every pointer is null or valid.
            unsafe {
                finish(joinery_module_call(null(), null(), 0, null_mut(), 0), &[]);
                joinery_module_arity(null(), &mut a, &mut b);
                joinery_module_arity(h.indexed, null_mut(), &mut b);
                assert!(joinery_module_get(null(), c"indexed".as_ptr()).is_null());
                assert!(joinery_module_get(h.indexed_lib, null()).is_null());
                assert!(joinery_diff_get(null(), c"joint".as_ptr()).is_null());
                assert!(joinery_library_open(null()).is_null());
                finish(
                    joinery_diff_forward(null(), null(), 0, null_mut(), 0, null_mut()),
                    &[],
                );
                finish(
                    joinery_diff_backward(h.joint, null_mut(), null(), 0, null_mut(), 0),
                    &[],
                );
                finish(joinery_module_set_rng_state(null(), 1, 2), &[]);
                finish(joinery_diff_set_rng_state(null(), 1, 2), &[]);
                finish(
                    joinery_module_rng_state(h.indexed, null_mut(), null_mut()),
                    &[],
                );
            }
            assert_eq!((a, b), (7, 7), "arity wrote through a null module");
        }
        _ => {
            // A name from the input: unknown names are errors, never crashes.
            let name: Vec<u8> = r.0.iter().copied().filter(|&b| b != 0).take(64).collect();
            let name = CString::new(name).expect("no NUL");
            // SAFETY: a live library and a C string.
            let m = unsafe { joinery_module_get(h.indexed_lib, name.as_ptr()) };
            if m.is_null() {
                assert!(
                    !last_error().is_empty(),
                    "joinery_module_get failed without a message"
                );
            } else {
                // SAFETY: a module just taken.
                unsafe { joinery_module_free(m) };
            }
        }
    }
});
