//! The gather and scatter steps ([`Step::Gather`](crate::plan::Step::Gather),
//! [`Step::Scatter`](crate::plan::Step::Scatter)): element moves through index tensors,
//! every index checked against its dimension's size.

use crate::plan::{IndexRef, Indexed, ScatterReduce};
use crate::tensor::DType;
use rayon::prelude::*;

/// Below this many points a gather runs on the calling thread.
const PARALLEL_POINTS: u64 = 1 << 15;

/// Buffer pointers shared with pool threads (gather tasks write disjoint rows of `out`).
#[derive(Clone, Copy)]
struct Base(*mut u8);
// SAFETY: a gather's out map is injective (checked by the verifier), so tasks over
// disjoint rows write disjoint elements; every other buffer is only read.
unsafe impl Send for Base {}
// SAFETY: as above.
unsafe impl Sync for Base {}

/// Resolved pointers of one step.
struct Buffers {
    src: Base,
    out: Base,
    indices: Vec<Base>,
}

impl Buffers {
    fn of(m: &Indexed, ptrs: &[*mut u8]) -> Buffers {
        Buffers {
            src: Base(ptrs[m.src]),
            out: Base(ptrs[m.out]),
            indices: m.indices.iter().map(|ix| Base(ptrs[ix.buffer])).collect(),
        }
    }
}

/// Element offsets of one row (every dim but the last fixed) and the last dim's strides.
struct Row {
    src: i64,
    out: i64,
    indices: Vec<i64>,
}

fn row_offsets(m: &Indexed, row: u64) -> Row {
    let rank = m.space.len();
    let mut rest = row;
    let mut r = Row {
        src: m.src_map.offset,
        out: m.out_map.offset,
        indices: m.indices.iter().map(|ix| ix.map.offset).collect(),
    };
    for d in (0..rank.saturating_sub(1)).rev() {
        let i = (rest % m.space[d]) as i64;
        rest /= m.space[d];
        r.src += i * m.src_map.strides[d];
        r.out += i * m.out_map.strides[d];
        for (o, ix) in r.indices.iter_mut().zip(&m.indices) {
            *o += i * ix.map.strides[d];
        }
    }
    r
}

/// The offset `sum_j stride_j * wrap(index_j)` for index elements at `at`, or the error
/// naming the op and the bad index.
///
/// # Safety
/// `at[j]` is inside index buffer `j` (checked by `Plan::check`).
unsafe fn index_offset(m: &Indexed, bufs: &Buffers, at: &[i64]) -> Result<i64, String> {
    let mut k = 0i64;
    for ((ix, b), &e) in m.indices.iter().zip(&bufs.indices).zip(at) {
        // SAFETY: the caller's contract.
        let v = unsafe { read_index(ix, b.0, e) };
        let bound = ix.bound as i64;
        let lowest = if m.wrap { -bound } else { 0 };
        if v < lowest || v >= bound {
            return Err(format!(
                "{}: index {v} is out of range for dimension {} of size {}",
                m.source, ix.dim, ix.bound
            ));
        }
        k += ix.stride * if v < 0 { v + bound } else { v };
    }
    Ok(k)
}

/// # Safety
/// Element `e` lies inside the index buffer at `base`.
unsafe fn read_index(ix: &IndexRef, base: *mut u8, e: i64) -> i64 {
    // SAFETY: the caller's contract; index buffers are i64 or i32 (checked by the plan).
    unsafe {
        match ix.dtype {
            DType::I32 => i64::from(base.cast::<i32>().offset(e as isize).read_unaligned()),
            _ => base.cast::<i64>().offset(e as isize).read_unaligned(),
        }
    }
}

/// Runs one row of a gather (`scatter` `None`) or of a scatter (`Some`: stored, or
/// combined by a [`ScatterReduce`]).
///
/// # Safety
/// Every element the step reaches lies in its buffers (`Plan::check`).
unsafe fn run_row(
    m: &Indexed,
    bufs: &Buffers,
    row: u64,
    scatter: Option<Option<ScatterReduce>>,
) -> Result<(), String> {
    let size = m.dtype.size_bytes() as i64;
    let inner = m.space.last().copied().unwrap_or(1);
    let last = |strides: &[i64]| strides.last().copied().unwrap_or(0);
    let r = row_offsets(m, row);
    let (ss, os) = (last(&m.src_map.strides), last(&m.out_map.strides));
    let is: Vec<i64> = m.indices.iter().map(|ix| last(&ix.map.strides)).collect();
    let mut at = r.indices.clone();
    // Indices constant along the row (an embedding row, a selected slice): one lookup,
    // then a contiguous copy when both sides are contiguous.
    let hoisted = is.iter().all(|&s| s == 0);
    let mut k = 0;
    if hoisted {
        // SAFETY: the caller's contract.
        k = unsafe { index_offset(m, bufs, &at)? };
        if scatter.is_none() && ss == 1 && os == 1 {
            // SAFETY: the caller's contract; src and out are distinct buffers.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    bufs.src.0.offset(((r.src + k) * size) as isize),
                    bufs.out.0.offset((r.out * size) as isize),
                    (inner as i64 * size) as usize,
                );
            }
            return Ok(());
        }
    }
    for i in 0..inner as i64 {
        if !hoisted {
            for ((a, &base), &s) in at.iter_mut().zip(&r.indices).zip(&is) {
                *a = base + i * s;
            }
            // SAFETY: the caller's contract.
            k = unsafe { index_offset(m, bufs, &at)? };
        }
        let (s, o) = match scatter {
            None => (r.src + i * ss + k, r.out + i * os),
            Some(_) => (r.src + i * ss, r.out + i * os + k),
        };
        // SAFETY: the caller's contract.
        unsafe {
            let from = bufs.src.0.offset((s * size) as isize);
            let to = bufs.out.0.offset((o * size) as isize);
            match scatter {
                Some(Some(reduce)) => combine(m.dtype, reduce, from, to)?,
                _ => std::ptr::copy_nonoverlapping(from, to, size as usize),
            }
        }
    }
    Ok(())
}

/// The elements a scatter combines.
trait Element: Copy + PartialOrd {
    fn combine(self, v: Self, reduce: ScatterReduce) -> Self;
}

macro_rules! float_element {
    ($t:ty) => {
        impl Element for $t {
            fn combine(self, v: $t, reduce: ScatterReduce) -> $t {
                match reduce {
                    ScatterReduce::Sum => self + v,
                    ScatterReduce::Prod => self * v,
                    // NaN from either side wins, as PyTorch's amax and amin.
                    _ if self.is_nan() || v.is_nan() => <$t>::NAN,
                    ScatterReduce::Max => self.max(v),
                    ScatterReduce::Min => self.min(v),
                }
            }
        }
    };
}

macro_rules! int_element {
    ($t:ty) => {
        impl Element for $t {
            fn combine(self, v: $t, reduce: ScatterReduce) -> $t {
                match reduce {
                    ScatterReduce::Sum => self.wrapping_add(v),
                    ScatterReduce::Prod => self.wrapping_mul(v),
                    ScatterReduce::Max => self.max(v),
                    ScatterReduce::Min => self.min(v),
                }
            }
        }
    };
}

float_element!(f32);
float_element!(f64);
int_element!(i64);
int_element!(i32);

/// `*to = reduce(*to, *from)` for elements of type `T`.
///
/// # Safety
/// Both point to one element of `T`.
unsafe fn combine_as<T: Element>(reduce: ScatterReduce, from: *const u8, to: *mut u8) {
    // SAFETY: the caller's contract.
    unsafe {
        let to = to.cast::<T>();
        to.write_unaligned(
            to.read_unaligned()
                .combine(from.cast::<T>().read_unaligned(), reduce),
        );
    }
}

/// `*to = reduce(*to, *from)` for elements of `dtype`.
///
/// # Safety
/// Both point to one element of `dtype`.
unsafe fn combine(
    dtype: DType,
    reduce: ScatterReduce,
    from: *const u8,
    to: *mut u8,
) -> Result<(), String> {
    // SAFETY: the caller's contract.
    unsafe {
        match dtype {
            DType::F32 => combine_as::<f32>(reduce, from, to),
            DType::F64 => combine_as::<f64>(reduce, from, to),
            DType::I64 => combine_as::<i64>(reduce, from, to),
            DType::I32 => combine_as::<i32>(reduce, from, to),
            other => return Err(format!("a scatter cannot accumulate {other:?} elements")),
        }
    }
    Ok(())
}

fn rows(m: &Indexed) -> u64 {
    let rank = m.space.len();
    m.space[..rank.saturating_sub(1)].iter().product()
}

/// Runs a gather step, split over rows across the pool when it is large.
///
/// # Safety
/// `ptrs` are the plan's buffers and the plan passed `Plan::check`.
pub(crate) unsafe fn gather(m: &Indexed, ptrs: &[*mut u8], threads: usize) -> Result<(), String> {
    if m.space.contains(&0) {
        return Ok(());
    }
    let bufs = Buffers::of(m, ptrs);
    let rows = rows(m);
    let points = rows * m.space.last().copied().unwrap_or(1);
    if points < PARALLEL_POINTS || threads == 1 || rows < 2 {
        // SAFETY: the caller's contract.
        return (0..rows).try_for_each(|r| unsafe { run_row(m, &bufs, r, None) });
    }
    let per_task = rows.div_ceil(threads as u64 * 4).max(1) as usize;
    (0..rows as usize)
        .into_par_iter()
        .with_min_len(per_task)
        // SAFETY: the caller's contract; rows write disjoint elements of out.
        .try_for_each(|r| unsafe { run_row(m, &bufs, r as u64, None) })
}

/// Runs a scatter step on the calling thread (repeated indices make parallel writes race).
///
/// # Safety
/// `ptrs` are the plan's buffers and the plan passed `Plan::check`.
pub(crate) unsafe fn scatter(
    m: &Indexed,
    combine: Option<ScatterReduce>,
    ptrs: &[*mut u8],
) -> Result<(), String> {
    if m.space.contains(&0) {
        return Ok(());
    }
    let bufs = Buffers::of(m, ptrs);
    // SAFETY: the caller's contract.
    (0..rows(m)).try_for_each(|r| unsafe { run_row(m, &bufs, r, Some(combine)) })
}
