//! The lane steps ([`Step::Cumsum`](crate::plan::Step::Cumsum),
//! [`Step::Argsort`](crate::plan::Step::Argsort)): work along the last dim of a space,
//! one lane per task.

use crate::plan::{LaneRef, StridedMap};
use crate::tensor::DType;
use rayon::prelude::*;
use std::cmp::Ordering;

/// Below this many elements a lane step runs on the calling thread.
const PARALLEL_ELEMENTS: u64 = 1 << 15;

/// Buffer pointers shared with pool threads.
#[derive(Clone, Copy)]
struct Base(*mut u8);
// SAFETY: lanes write disjoint elements of `out` (its map is injective, checked by the
// verifier); `src` is only read.
unsafe impl Send for Base {}
// SAFETY: as above.
unsafe impl Sync for Base {}

/// The offset of lane `lane` (row-major over every dim but the last) under `map`.
fn lane_offset(space: &[u64], map: &StridedMap, lane: u64) -> i64 {
    let mut rest = lane;
    let mut off = map.offset;
    for d in (0..space.len() - 1).rev() {
        off += (rest % space[d]) as i64 * map.strides[d];
        rest /= space[d];
    }
    off
}

/// Element `e` of a buffer of `dtype` as f64 (the sort key, as the interpreter's); a
/// complex element's key is its real part (the lowering never sorts complex tensors:
/// PyTorch has no order on them).
///
/// # Safety
/// `e` lies inside the buffer.
unsafe fn key(base: *const u8, dtype: DType, e: i64) -> f64 {
    // SAFETY: the caller's contract.
    unsafe {
        let at = e as isize;
        match dtype {
            DType::F32 => f64::from(base.cast::<f32>().offset(at).read_unaligned()),
            DType::F64 => base.cast::<f64>().offset(at).read_unaligned(),
            DType::C64 => f64::from(base.cast::<[f32; 2]>().offset(at).read_unaligned()[0]),
            DType::C128 => base.cast::<[f64; 2]>().offset(at).read_unaligned()[0],
            DType::I64 => base.cast::<i64>().offset(at).read_unaligned() as f64,
            DType::I32 => f64::from(base.cast::<i32>().offset(at).read_unaligned()),
            DType::I16 => f64::from(base.cast::<i16>().offset(at).read_unaligned()),
            DType::I8 => f64::from(base.cast::<i8>().offset(at).read_unaligned()),
            DType::Bool => f64::from(base.offset(at).read()),
            DType::F16 => {
                half::f16::from_bits(base.cast::<u16>().offset(at).read_unaligned()).to_f64()
            }
            DType::BF16 => {
                half::bf16::from_bits(base.cast::<u16>().offset(at).read_unaligned()).to_f64()
            }
        }
    }
}

/// Runs `each` on every lane, across the pool when the step is large.
fn for_lanes(
    l: &LaneRef,
    threads: usize,
    each: impl Fn(u64) -> Result<(), String> + Sync,
) -> Result<(), String> {
    if l.space.contains(&0) {
        return Ok(());
    }
    let n = *l.space.last().expect("checked: a lane dim");
    let lanes: u64 = l.space[..l.space.len() - 1].iter().product();
    if lanes * n < PARALLEL_ELEMENTS || threads == 1 || lanes < 2 {
        return (0..lanes).try_for_each(each);
    }
    let per_task = lanes.div_ceil(threads as u64 * 4).max(1) as usize;
    (0..lanes as usize)
        .into_par_iter()
        .with_min_len(per_task)
        .try_for_each(|lane| each(lane as u64))
}

/// Runs a cumsum step.
///
/// # Safety
/// `ptrs` are the plan's buffers and the plan passed `Plan::check`.
pub(crate) unsafe fn cumsum(l: &LaneRef, ptrs: &[*mut u8], threads: usize) -> Result<(), String> {
    let (src, out) = (Base(ptrs[l.src]), Base(ptrs[l.out]));
    let n = *l.space.last().expect("checked: a lane dim") as i64;
    let (ss, os) = (
        *l.src_map.strides.last().expect("rank"),
        *l.out_map.strides.last().expect("rank"),
    );
    let dtype = l.dtype;
    for_lanes(l, threads, |lane| {
        let (s0, o0) = (
            lane_offset(&l.space, &l.src_map, lane),
            lane_offset(&l.space, &l.out_map, lane),
        );
        let (src, out) = (src, out);
        // SAFETY: the caller's contract; lanes write disjoint elements.
        unsafe {
            match dtype {
                DType::F32 | DType::F64 => {
                    let mut acc = 0.0f64;
                    for i in 0..n {
                        acc += key(src.0, dtype, s0 + i * ss);
                        let at = (o0 + i * os) as isize;
                        if dtype == DType::F32 {
                            out.0.cast::<f32>().offset(at).write_unaligned(acc as f32);
                        } else {
                            out.0.cast::<f64>().offset(at).write_unaligned(acc);
                        }
                    }
                }
                DType::I64 | DType::I32 => {
                    let mut acc = 0i64;
                    for i in 0..n {
                        let e = (s0 + i * ss) as isize;
                        let v = if dtype == DType::I64 {
                            src.0.cast::<i64>().offset(e).read_unaligned()
                        } else {
                            i64::from(src.0.cast::<i32>().offset(e).read_unaligned())
                        };
                        acc = acc.wrapping_add(v);
                        let at = (o0 + i * os) as isize;
                        if dtype == DType::I64 {
                            out.0.cast::<i64>().offset(at).write_unaligned(acc);
                        } else {
                            out.0.cast::<i32>().offset(at).write_unaligned(acc as i32);
                        }
                    }
                }
                other => return Err(format!("a cumsum cannot sum {other:?} elements")),
            }
        }
        Ok(())
    })
}

/// Ascending order with NaN above every number.
fn nan_last(a: f64, b: f64) -> Ordering {
    a.partial_cmp(&b)
        .unwrap_or_else(|| a.is_nan().cmp(&b.is_nan()))
}

/// Runs an argsort step.
///
/// # Safety
/// `ptrs` are the plan's buffers and the plan passed `Plan::check`.
pub(crate) unsafe fn argsort(
    l: &LaneRef,
    k: u64,
    descending: bool,
    ptrs: &[*mut u8],
    threads: usize,
) -> Result<(), String> {
    let (src, out) = (Base(ptrs[l.src]), Base(ptrs[l.out]));
    let n = *l.space.last().expect("checked: a lane dim") as i64;
    let (ss, os) = (
        *l.src_map.strides.last().expect("rank"),
        *l.out_map.strides.last().expect("rank"),
    );
    for_lanes(l, threads, |lane| {
        let (s0, o0) = (
            lane_offset(&l.space, &l.src_map, lane),
            lane_offset(&l.space, &l.out_map, lane),
        );
        let (src, out) = (src, out);
        // SAFETY: the caller's contract.
        let keys: Vec<f64> = (0..n)
            .map(|i| unsafe { key(src.0, l.dtype, s0 + i * ss) })
            .collect();
        let mut order: Vec<i64> = (0..n).collect();
        order.sort_by(|&i, &j| {
            let o = nan_last(keys[i as usize], keys[j as usize]);
            if descending { o.reverse() } else { o }
        });
        for (i, &p) in order.iter().take(k as usize).enumerate() {
            // SAFETY: the caller's contract; lanes write disjoint elements.
            unsafe {
                out.0
                    .cast::<i64>()
                    .offset((o0 + i as i64 * os) as isize)
                    .write_unaligned(p)
            };
        }
        Ok(())
    })
}
