//! Direct f32 convolutions with unit stride ([`ConvEngine::Direct`](super::ConvEngine)):
//! the forward and the input gradient of a convolution with few channels per group (a
//! depthwise one), one written plane (`[n, channel]`) at a time, with no border case.
//!
//! Each plane the result plane reads is copied into a zeroed scratch plane with a zero
//! border of the padding, its rows `pitch` apart; the result's rows are then computed
//! `pitch` apart too, as one flat run of positions: the input position of a tap is then
//! the output position plus the tap's constant offset, whatever the row, so the run is cut
//! into blocks of [`BLOCK`] positions and every tap is one vector multiply-add per block,
//! with no masks. The `pitch - width` positions past each output row are computed from the
//! zeros and dropped when the rows are copied out. Rows share their zero gap (the end
//! padding of one row is the start padding of the next), so the pitch is the input width
//! plus the larger padding, not both: a 7-wide 3x3 convolution padded by 1 computes 8
//! positions per output row.
//!
//! The input gradient of a unit-stride convolution is the convolution of the output
//! gradient by the flipped weight, padded by `(kernel - 1) * dilation - padding` (negative:
//! the output gradient's border is never read), summed over the output channels of the
//! group; the forward sums over the input channels of the group.
//!
//! The weight gradient goes one weight plane (`[o, i]`) at a time, over the images: the
//! input plane the forward reads is padded as the forward pads it, the output gradient
//! plane laid out as the forward computes it (rows `pitch` apart, zeros past each row),
//! and each tap's gradient is the dot product of the two from the tap's offset, summed in
//! vectors over the images. The bias gradient sums the output gradient in f64, as the
//! oneDNN path does.
//!
//! The planes are split over the rayon pool's threads; each thread keeps its scratch. The
//! loop is compiled for AVX-512, for AVX2 with FMA and for the baseline, and picked by the
//! CPU's features on each call.

use super::{ConvPass, ConvShape};
use rayon::prelude::*;
use std::cell::RefCell;
use std::ops::Range;

/// Positions computed together: four 16-float vectors, enough independent sums to hide the
/// latency of a multiply-add.
const BLOCK: usize = 64;

/// Positions of one vector: the result is computed in whole vectors, the last ones (after
/// the whole [`BLOCK`]s) one at a time.
const LANES: usize = 16;

/// Why the direct engine cannot run `pass` of `s`, if it cannot: it runs unit-stride
/// convolutions with 1 or 2 spatial dims and at most [`MAX_TAPS`] taps.
pub(super) fn check(pass: ConvPass, s: &ConvShape) -> Result<(), String> {
    if !(3..=4).contains(&s.input.len())
        || s.stride.iter().any(|&st| st != 1)
        || s.weight[2..].iter().product::<u64>() > MAX_TAPS as u64
    {
        return Err(format!(
            "the direct convolution engine runs unit-stride convolutions with 1 or 2 \
             spatial dims and at most {MAX_TAPS} taps, not {pass:?} of input {:?} by \
             weight {:?} with stride {:?}",
            s.input, s.weight, s.stride
        ));
    }
    Ok(())
}

/// One spatial dim of the flat computation: the plane read (`input`) and the plane written
/// (`output`) along it, the kernel's taps, and where the read plane lies in the scratch.
#[derive(Clone, Copy, Debug)]
struct Dim {
    input: usize,
    output: usize,
    kernel: usize,
    dilation: usize,
    /// Padding before the read plane (negative: its first elements are never read).
    lo: i64,
}

impl Dim {
    /// Positions of the padded read plane that some tap reads: `0..span`.
    fn span(&self) -> usize {
        self.output + (self.kernel - 1) * self.dilation
    }

    /// The read plane's elements copied (those some tap reads) and where the first lands
    /// in the padded plane: `(first element, count, scratch position)`.
    fn copied(&self) -> (usize, usize, usize) {
        let first = (-self.lo).max(0) as usize;
        let end = (self.span() as i64 - self.lo).clamp(0, self.input as i64) as usize;
        let at = (first as i64 + self.lo) as usize;
        (first, end.saturating_sub(first), at)
    }
}

/// The flat computation of one written plane: rows `pitch` apart in the scratch and the
/// result block, taps at constant offsets.
struct Flat {
    rows: Dim,
    cols: Dim,
    pitch: usize,
    /// Positions computed per plane, whole vectors.
    computed: usize,
    /// The scratch plane's length: every position a tap reads.
    scratch: usize,
    /// Scratch offset of each tap, row-major over the kernel.
    offsets: Vec<usize>,
    /// When the copied elements of a read plane are contiguous (whole rows): the first
    /// 16-float chunk of the scratch they land in, and from there the positions of each
    /// chunk they fill, in order.
    fill_masks: Option<(usize, Vec<Lanes>)>,
    /// The positions of each 16-float chunk of the result that hold the written plane's
    /// elements, in order.
    out_masks: Vec<Lanes>,
}

/// Some positions of a 16-float chunk, which hold the elements `first..first + count` of
/// a contiguous run of elements.
#[derive(Clone, Copy, Debug)]
struct Lanes {
    mask: u16,
    /// The mask of the first `count` lanes.
    leading: u16,
    first: usize,
}

/// The positions below `end` where `keep` holds, per 16-position chunk from chunk
/// `first` to the one holding `end - 1`, as [`Lanes`] of one run of elements.
fn chunk_masks(first: usize, end: usize, keep: impl Fn(usize) -> bool) -> Vec<Lanes> {
    let mut next = 0;
    (first..end.div_ceil(16))
        .map(|chunk| {
            let mask = (0..16)
                .filter(|&lane| chunk * 16 + lane < end && keep(chunk * 16 + lane))
                .fold(0u16, |m, lane| m | 1 << lane);
            let lanes = Lanes {
                mask,
                leading: ((1u32 << mask.count_ones()) - 1) as u16,
                first: next,
            };
            next += mask.count_ones() as usize;
            lanes
        })
        .collect()
}

impl Flat {
    /// Copies the elements some tap reads of the read plane at `x` into their places in
    /// the padded plane `padded`, whose other positions it leaves as they are.
    ///
    /// # Safety
    /// `x` points to a read plane; with `MASKED`, the CPU has AVX-512F.
    #[inline(always)]
    unsafe fn fill<const MASKED: bool>(&self, x: *const f32, padded: &mut [f32]) {
        let (row0, rows, row_at) = self.rows.copied();
        let (col0, cols, col_at) = self.cols.copied();
        #[cfg(target_arch = "x86_64")]
        if let (true, Some((first, masks))) = (MASKED, &self.fill_masks) {
            // SAFETY: the read plane's rows `row0..row0 + rows` are contiguous; the CPU
            // has AVX-512F (`MASKED`).
            unsafe {
                expand(
                    x.wrapping_add(row0 * self.cols.input),
                    masks,
                    &mut padded[first * 16..],
                )
            };
            return;
        }
        for r in 0..rows {
            let from = x.wrapping_add((row0 + r) * self.cols.input + col0);
            let to = &mut padded[(row_at + r) * self.pitch + col_at..][..cols];
            // SAFETY: `cols` elements of row `row0 + r` of the read plane.
            unsafe { copy::<MASKED>(from, to) };
        }
    }

    /// Lays the written plane at `y` out in `flat` as the computed positions hold it:
    /// rows `pitch` apart, leaving the positions past each row as they are.
    ///
    /// # Safety
    /// `y` points to a written plane; with `MASKED`, the CPU has AVX-512F.
    #[inline(always)]
    unsafe fn lay_out<const MASKED: bool>(&self, y: *const f32, flat: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        if MASKED {
            // SAFETY: the written plane's elements; the CPU has AVX-512F.
            unsafe { expand(y, &self.out_masks, flat) };
            return;
        }
        for r in 0..self.rows.output {
            let to = &mut flat[r * self.pitch..][..self.cols.output];
            // SAFETY: row `r` of the written plane.
            unsafe { copy::<MASKED>(y.wrapping_add(r * self.cols.output), to) };
        }
    }

    fn new(rows: Dim, cols: Dim) -> Flat {
        let (_, count, at) = cols.copied();
        // A tap reading past the end of a row reads the zeros before the next row's data,
        // so the pitch needs to cover the data and the larger zero gap of the two ends.
        let pitch = (cols.span() - at).max(at + count).max(cols.output).max(1);
        let computed = (rows.output * pitch).div_ceil(LANES) * LANES;
        let offsets: Vec<usize> = (0..rows.kernel * cols.kernel)
            .map(|t| (t / cols.kernel) * rows.dilation * pitch + (t % cols.kernel) * cols.dilation)
            .collect();
        let (_, row_count, row_at) = rows.copied();
        let reach = computed + offsets.last().copied().unwrap_or(0);
        let data = (row_at * pitch + at, (row_at + row_count) * pitch);
        let fill_masks = (count == cols.input && row_count > 0 && count > 0).then(|| {
            let first = data.0 / 16;
            let masks = chunk_masks(first, data.1, |p| {
                p >= data.0 && (at..at + count).contains(&(p % pitch))
            });
            (first, masks)
        });
        let out_masks = chunk_masks(0, rows.output * pitch, |q| q % pitch < cols.output);
        Flat {
            rows,
            cols,
            pitch,
            computed,
            // Whole chunks, for the chunked copies.
            scratch: reach.max(data.1).div_ceil(16) * 16,
            offsets,
            fill_masks,
            out_masks,
        }
    }
}

/// Buffer addresses shared with the pool's threads.
#[derive(Clone, Copy)]
struct Ptrs {
    src: *const f32,
    weights: *mut f32,
    bias: *mut f32,
    dst: *mut f32,
}
// SAFETY: the tasks write disjoint planes of `dst` (of `weights` and `bias` in the weight
// gradient) and only read the others.
unsafe impl Send for Ptrs {}
// SAFETY: as above.
unsafe impl Sync for Ptrs {}

thread_local! {
    /// This thread's padded read planes and result planes.
    static SCRATCH: RefCell<(Vec<Chunk>, Vec<Chunk>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// One vector of scratch, aligned to a cache line (so that the scratch planes, whole
/// vectors long, are too).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Chunk([f32; LANES]);

/// `v` as `len` zeroed floats (`len` a multiple of [`LANES`]).
fn zeroed(v: &mut Vec<Chunk>, len: usize) -> &mut [f32] {
    v.clear();
    v.resize(len / LANES, Chunk([0.0; LANES]));
    // SAFETY: `Chunk` is `LANES` floats with no padding; `v` holds `len / LANES` of them.
    unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<f32>(), len) }
}

/// One call: the flat computation and which planes each written plane sums.
struct Job {
    flat: Flat,
    ptrs: Ptrs,
    pass: ConvPass,
    images: usize,
    /// Input and output channels per group.
    cg: usize,
    og: usize,
    /// Channels of the read and the written tensor (in the weight gradient: of the input
    /// and of the output gradient).
    read_channels: usize,
    written_channels: usize,
}

impl Job {
    /// Elements of a read and of a written plane.
    fn plane_sizes(&self) -> (usize, usize) {
        let f = &self.flat;
        (f.rows.input * f.cols.input, f.rows.output * f.cols.output)
    }

    /// Where read plane `channel` of image `b` starts (inside the read tensor when both
    /// are in range).
    fn read_plane(&self, b: usize, channel: usize) -> *const f32 {
        let (read_plane, _) = self.plane_sizes();
        (self.ptrs.src).wrapping_add((b * self.read_channels + channel) * read_plane)
    }

    /// The planes written: the weight planes of the weight gradient, else the written
    /// tensor's.
    fn planes(&self) -> usize {
        if self.pass == ConvPass::BackwardWeights {
            self.written_channels * self.cg
        } else {
            self.images * self.written_channels
        }
    }
}

impl Job {
    /// The job of [`run`]'s arguments.
    fn new(
        pass: ConvPass,
        s: &ConvShape,
        src: *mut f32,
        weights: *mut f32,
        bias: *mut f32,
        dst: *mut f32,
    ) -> Job {
        let spatial = s.input.len() - 2;
        let (n, groups) = (s.input[0] as usize, s.groups as usize);
        let (cg, og) = (s.input[1] as usize / groups, s.weight[0] as usize / groups);
        let backward = pass == ConvPass::BackwardData;
        // Dim `i` of the flat computation (0: rows, 1: columns) is spatial dim
        // `i + spatial - 2`; a 1-d convolution has a single row.
        let dim = |i: usize| {
            let Some(d) = (i + spatial).checked_sub(2) else {
                return Dim {
                    input: 1,
                    output: 1,
                    kernel: 1,
                    dilation: 1,
                    lo: 0,
                };
            };
            let (input, output) = (s.input[2 + d] as usize, s.output[2 + d] as usize);
            let (kernel, dilation, padding) =
                (s.weight[2 + d] as usize, s.dilation[d], s.padding[d]);
            let span = (kernel as i64 - 1) * dilation;
            Dim {
                input: if backward { output } else { input },
                output: if backward { input } else { output },
                kernel,
                dilation: dilation as usize,
                lo: if backward { span - padding } else { padding },
            }
        };
        Job {
            flat: Flat::new(dim(0), dim(1)),
            ptrs: Ptrs {
                src: if backward {
                    dst.cast_const()
                } else {
                    src.cast_const()
                },
                weights,
                bias: if backward { std::ptr::null_mut() } else { bias },
                dst: if backward { src } else { dst },
            },
            pass,
            images: n,
            cg,
            og,
            read_channels: groups * if backward { og } else { cg },
            written_channels: groups * if backward { cg } else { og },
        }
    }
}

/// Runs `pass` ([`check`]) of `s` on the current rayon pool: the forward reads `src`
/// (`[N, C, S..]`), `weights` and `bias` (`[O]`, may be null) and writes `dst`
/// (`[N, O, S'..]`); the input gradient reads `dst` and `weights` and writes `src`; the
/// weight gradient reads `src` and `dst` and writes `weights` and `bias` (if not null).
///
/// # Safety
/// The buffers hold the elements of their shapes in `s`, the written one apart from the
/// others; `s` passed [`ConvShape::check`] and [`check`].
pub(super) unsafe fn run(
    pass: ConvPass,
    s: &ConvShape,
    src: *mut f32,
    weights: *mut f32,
    bias: *mut f32,
    dst: *mut f32,
) {
    let job = Job::new(pass, s, src, weights, bias, dst);
    let planes = job.planes();
    // The weight gradient of an empty batch or output is zeros, still to be written.
    if planes == 0 || (pass != ConvPass::BackwardWeights && job.plane_sizes().1 == 0) {
        return;
    }
    let per_task = planes.div_ceil(rayon::current_num_threads() * 4).max(1);
    (0..planes.div_ceil(per_task))
        .into_par_iter()
        .for_each(|task| {
            SCRATCH.with(|cell| {
                let (padded, result) = &mut *cell.borrow_mut();
                let together = job.together();
                let padded = zeroed(padded, together * job.flat.scratch);
                let result = zeroed(result, together * job.flat.computed);
                let planes = task * per_task..((task + 1) * per_task).min(planes);
                // SAFETY: the caller's contract; each task writes its own planes.
                unsafe { job.run(planes, padded, result) }
            })
        });
}

impl Job {
    /// Computes the written planes `planes`, with the zeroed scratch `padded` and
    /// `result`, on the best instructions the CPU has.
    ///
    /// # Safety
    /// As [`run`]'s; no other task writes `planes`.
    unsafe fn run(&self, planes: Range<usize>, padded: &mut [f32], result: &mut [f32]) {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX-512F and FMA; the rest is the caller's.
                return unsafe { self.run_avx512(planes, padded, result) };
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has AVX2 and FMA; the rest is the caller's.
                return unsafe { self.run_avx2(planes, padded, result) };
            }
        }
        // SAFETY: the caller's contract.
        unsafe { self.compute::<false, false>(planes, padded, result) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,fma")]
    unsafe fn run_avx512(&self, planes: Range<usize>, padded: &mut [f32], result: &mut [f32]) {
        // SAFETY: the caller's contract; the CPU has AVX-512F.
        unsafe { self.compute::<true, true>(planes, padded, result) }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2(&self, planes: Range<usize>, padded: &mut [f32], result: &mut [f32]) {
        // SAFETY: the caller's contract.
        unsafe { self.compute::<true, false>(planes, padded, result) }
    }

    /// [`Job::run`]'s work, inlined into each instruction set's copy: `FUSED`, with fused
    /// multiply-adds; `MASKED`, rows copied with AVX-512 masked loads and stores. The
    /// planes go [`Job::together`] at a time through each phase (copy in, compute, copy
    /// out), so that a plane's stores are done before its loads (a load that overlaps
    /// stores still in flight waits for them).
    ///
    /// # Safety
    /// As [`Job::run`]'s; with `MASKED`, the CPU has AVX-512F.
    #[inline(always)]
    unsafe fn compute<const FUSED: bool, const MASKED: bool>(
        &self,
        planes: Range<usize>,
        padded: &mut [f32],
        result: &mut [f32],
    ) {
        if self.pass == ConvPass::BackwardWeights {
            // SAFETY: the caller's contract.
            return unsafe { self.weight_gradient::<FUSED, MASKED>(planes, padded, result) };
        }
        let backward = self.pass == ConvPass::BackwardData;
        let f = &self.flat;
        let (_, written_plane) = self.plane_sizes();
        let taps = f.offsets.len();
        let terms = if backward { self.og } else { self.cg };
        let mut tap_weights = [[0.0f32; MAX_TAPS]; MAX_TOGETHER];
        let together = self.together();
        for first in planes.clone().step_by(together) {
            let group = first..(first + together).min(planes.end);
            let scratch = |i: usize| (i - first) * f.scratch..(i - first + 1) * f.scratch;
            let computed = |i: usize| (i - first) * f.computed..(i - first + 1) * f.computed;
            let start = |plane: usize| {
                if self.ptrs.bias.is_null() {
                    0.0
                } else {
                    // SAFETY: `[O]` elements of bias.
                    unsafe { *self.ptrs.bias.add(plane % self.written_channels) }
                }
            };
            if terms == 0 {
                for plane in group.clone() {
                    result[computed(plane)].fill(start(plane));
                }
            }
            for term in 0..terms {
                for plane in group.clone() {
                    let (b, channel) =
                        (plane / self.written_channels, plane % self.written_channels);
                    let (read, weight) = if backward {
                        // dx[c] += gy[g * og + j] by w[g * og + j, c % cg], flipped.
                        let o = channel / self.cg * self.og + term;
                        (o, o * self.cg + channel % self.cg)
                    } else {
                        // y[o] += x[g * cg + i] by w[o, i].
                        (channel / self.og * self.cg + term, channel * self.cg + term)
                    };
                    for (t, w) in tap_weights[plane - first][..taps].iter_mut().enumerate() {
                        let k = if backward { taps - 1 - t } else { t };
                        // SAFETY: weight plane `weight` has `taps` elements.
                        *w = unsafe { *self.ptrs.weights.add(weight * taps + k) };
                    }
                    let x = self.read_plane(b, read);
                    // SAFETY: read plane `read` of image `b` lies inside the read tensor;
                    // with `MASKED`, the CPU has AVX-512F.
                    unsafe { f.fill::<MASKED>(x, &mut padded[scratch(plane)]) };
                }
                for plane in group.clone() {
                    let init = (term == 0).then(|| start(plane));
                    let (padded, result) = (&padded[scratch(plane)], &mut result[computed(plane)]);
                    let weights = &tap_weights[plane - first][..taps];
                    match taps {
                        9 => accumulate::<FUSED, 9>(padded, &f.offsets, weights, init, result),
                        25 => accumulate::<FUSED, 25>(padded, &f.offsets, weights, init, result),
                        _ => accumulate::<FUSED, 0>(padded, &f.offsets, weights, init, result),
                    }
                }
            }
            for plane in group {
                // SAFETY: written plane `plane` lies inside the written tensor.
                let y = unsafe { self.ptrs.dst.add(plane * written_plane) };
                let result = &result[computed(plane)];
                #[cfg(target_arch = "x86_64")]
                if MASKED {
                    // SAFETY: the written plane's elements; the CPU has AVX-512F.
                    unsafe { compress(result, &f.out_masks, y) };
                    continue;
                }
                for r in 0..f.rows.output {
                    let to = y.wrapping_add(r * f.cols.output);
                    // SAFETY: row `r` of the written plane, written by this task only.
                    let to = unsafe { std::slice::from_raw_parts_mut(to, f.cols.output) };
                    // SAFETY: the result's row is `f.cols.output <= f.pitch` long.
                    unsafe { copy::<MASKED>(result[r * f.pitch..].as_ptr(), to) };
                }
            }
        }
    }

    /// [`Job::compute`] of the weight gradient: weight planes `planes` (`[o, i]`, with the
    /// bias gradient of `o` with plane `[o, 0]`), the padded input plane in `padded` and
    /// the laid-out output gradient plane in `result`.
    ///
    /// # Safety
    /// As [`Job::compute`]'s.
    #[inline(always)]
    unsafe fn weight_gradient<const FUSED: bool, const MASKED: bool>(
        &self,
        planes: Range<usize>,
        padded: &mut [f32],
        result: &mut [f32],
    ) {
        let f = &self.flat;
        let (_, written_plane) = self.plane_sizes();
        let taps = f.offsets.len();
        let (padded, gy) = (&mut padded[..f.scratch], &mut result[..f.computed]);
        for plane in planes {
            let (o, i) = (plane / self.cg, plane % self.cg);
            let read = o / self.og * self.cg + i;
            let with_bias = i == 0 && !self.ptrs.bias.is_null();
            let mut sums = [[0.0f32; LANES]; MAX_TAPS];
            let mut bias = 0.0f64;
            for b in 0..self.images {
                let x = self.read_plane(b, read);
                let y = self
                    .ptrs
                    .dst
                    .wrapping_add((b * self.written_channels + o) * written_plane);
                // SAFETY: input plane `read` and output gradient plane `o` of image `b`
                // lie inside their tensors; with `MASKED`, the CPU has AVX-512F.
                unsafe {
                    f.fill::<MASKED>(x, padded);
                    f.lay_out::<MASKED>(y, gy);
                }
                for (sum, &offset) in sums[..taps].iter_mut().zip(&f.offsets) {
                    dot::<FUSED>(gy, &padded[offset..][..gy.len()], sum);
                }
                if with_bias {
                    // The positions past the rows hold zeros.
                    bias += gy.iter().map(|&v| f64::from(v)).sum::<f64>();
                }
            }
            for (t, sum) in sums[..taps].iter().enumerate() {
                let sum = sum.iter().map(|&v| f64::from(v)).sum::<f64>();
                // SAFETY: weight plane `plane` has `taps` elements, written by this task.
                unsafe { *self.ptrs.weights.add(plane * taps + t) = sum as f32 };
            }
            if with_bias {
                // SAFETY: `[O]` elements of bias; `o` is written with plane `[o, 0]` only.
                unsafe { *self.ptrs.bias.add(o) = bias as f32 };
            }
        }
    }

    /// How many planes go through each phase together: as many as keep their scratch
    /// within [`TOGETHER_FLOATS`], at most [`MAX_TOGETHER`].
    fn together(&self) -> usize {
        let per_plane = self.flat.scratch + self.flat.computed;
        (TOGETHER_FLOATS / per_plane).clamp(1, MAX_TOGETHER)
    }
}

/// Most planes [`Job::compute`] takes through a phase together.
const MAX_TOGETHER: usize = 8;

/// The scratch floats of the planes that go together: 32 KiB, within the first-level
/// cache.
const TOGETHER_FLOATS: usize = 8192;

/// Most taps the direct engine takes per kernel plane ([`check`]).
const MAX_TAPS: usize = 64;

/// Copies `to.len()` floats from `from` into `to`: with `MASKED`, 16 at a time with
/// AVX-512 loads and stores, the last ones masked (a short row is two instructions, not a
/// call to `memcpy`).
///
/// # Safety
/// `from` points to `to.len()` floats apart from `to`; with `MASKED`, the CPU has
/// AVX-512F.
#[inline(always)]
unsafe fn copy<const MASKED: bool>(from: *const f32, to: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if MASKED {
        use std::arch::x86_64::{_mm512_mask_storeu_ps, _mm512_maskz_loadu_ps};
        let n = to.len();
        let mut i = 0;
        while i < n {
            let k = (n - i).min(16);
            let mask = ((1u32 << k) - 1) as u16;
            // SAFETY: the first `k` floats at `i` of both (the caller's contract); the
            // masked lanes are not touched.
            unsafe {
                let v = _mm512_maskz_loadu_ps(mask, from.add(i));
                _mm512_mask_storeu_ps(to.as_mut_ptr().add(i), mask, v);
            }
            i += 16;
        }
        return;
    }
    // SAFETY: the caller's contract.
    to.copy_from_slice(unsafe { std::slice::from_raw_parts(from, to.len()) });
}

/// Fills `to` 16 floats at a time: chunk `i` with the floats of `from` that `chunks[i]`
/// names, in its lanes, zeros in the others.
///
/// # Safety
/// `from` points to as many floats as the chunks name; `to` holds `16 * chunks.len()`
/// floats; the CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn expand(from: *const f32, chunks: &[Lanes], to: &mut [f32]) {
    use std::arch::x86_64::{_mm512_maskz_expand_ps, _mm512_maskz_loadu_ps, _mm512_storeu_ps};
    assert!(to.len() >= 16 * chunks.len());
    for (i, c) in chunks.iter().enumerate() {
        // SAFETY: the floats chunk `i` names (the caller's contract) and chunk `i` of
        // `to` (the assert).
        unsafe {
            let v = _mm512_maskz_loadu_ps(c.leading, from.add(c.first));
            _mm512_storeu_ps(
                to.as_mut_ptr().add(16 * i),
                _mm512_maskz_expand_ps(c.mask, v),
            );
        }
    }
}

/// Writes the lanes of each 16-float chunk `i` of `from` that `chunks[i]` names to the
/// floats of `to` it names.
///
/// # Safety
/// `to` holds as many floats as the chunks name; `from` holds `16 * chunks.len()`
/// floats; the CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
unsafe fn compress(from: &[f32], chunks: &[Lanes], to: *mut f32) {
    use std::arch::x86_64::{_mm512_loadu_ps, _mm512_mask_storeu_ps, _mm512_maskz_compress_ps};
    assert!(from.len() >= 16 * chunks.len());
    for (i, c) in chunks.iter().enumerate() {
        // SAFETY: chunk `i` of `from` (the assert) and the floats of `to` chunk `i` names
        // (the caller's contract).
        unsafe {
            let v = _mm512_loadu_ps(from.as_ptr().add(16 * i));
            let v = _mm512_maskz_compress_ps(c.mask, v);
            _mm512_mask_storeu_ps(to.add(c.first), c.leading, v);
        }
    }
}

/// `result[q] = (init or result[q]) + sum over taps t of weights[t] * padded[q + offsets[t]]`
/// for every computed position `q`, block by block, the sums of a block kept in registers
/// across the taps; `FUSED`: with fused multiply-adds (a CPU that has them); `TAPS`: the
/// number of taps when known at compile time (the loop over them unrolled and their
/// weights kept in registers), or 0.
#[inline(always)]
fn accumulate<const FUSED: bool, const TAPS: usize>(
    padded: &[f32],
    offsets: &[usize],
    weights: &[f32],
    init: Option<f32>,
    result: &mut [f32],
) {
    let taps = if TAPS == 0 { offsets.len() } else { TAPS };
    let (offsets, weights) = (&offsets[..taps], &weights[..taps]);
    // Every read below lies inside `padded` (the offsets ascend).
    assert!(
        offsets
            .last()
            .is_none_or(|&o| o + result.len() <= padded.len())
    );
    let blocks = result.len() / BLOCK * BLOCK;
    let (whole, rest) = result.split_at_mut(blocks);
    for (b, out) in whole.chunks_exact_mut(BLOCK).enumerate() {
        // SAFETY: the assert.
        unsafe {
            accumulate_block::<FUSED, BLOCK>(&padded[b * BLOCK..], offsets, weights, init, out)
        };
    }
    for (v, out) in rest.chunks_exact_mut(LANES).enumerate() {
        let padded = &padded[blocks + v * LANES..];
        // SAFETY: the assert.
        unsafe { accumulate_block::<FUSED, LANES>(padded, offsets, weights, init, out) };
    }
}

/// Adds `a[q] * b[q]` to `sum[q % LANES]` for every position `q` (`a` and `b` of the same
/// length, whole vectors), [`BLOCK`] positions at a time in independent sums; `FUSED`:
/// with fused multiply-adds.
#[inline(always)]
fn dot<const FUSED: bool>(a: &[f32], b: &[f32], sum: &mut [f32; LANES]) {
    let mut sums = [[0.0f32; LANES]; BLOCK / LANES];
    let whole = a.len() / BLOCK * BLOCK;
    let blocks = a[..whole]
        .chunks_exact(BLOCK)
        .zip(b[..whole].chunks_exact(BLOCK));
    for (a, b) in blocks {
        for (v, s) in sums.iter_mut().enumerate() {
            multiply_add::<FUSED>(&a[v * LANES..], &b[v * LANES..], s);
        }
    }
    let rest = a[whole..]
        .chunks_exact(LANES)
        .zip(b[whole..].chunks_exact(LANES));
    for (a, b) in rest {
        multiply_add::<FUSED>(a, b, &mut sums[0]);
    }
    for s in sums {
        for (sum, v) in sum.iter_mut().zip(s) {
            *sum += v;
        }
    }
}

/// Adds `a[l] * b[l]` to `sum[l]` for the [`LANES`] lanes `l`.
#[inline(always)]
fn multiply_add<const FUSED: bool>(a: &[f32], b: &[f32], sum: &mut [f32; LANES]) {
    let (a, b): (&[f32; LANES], &[f32; LANES]) = (
        a[..LANES].try_into().expect("a vector"),
        b[..LANES].try_into().expect("a vector"),
    );
    for ((s, &x), &y) in sum.iter_mut().zip(a).zip(b) {
        *s = if FUSED { x.mul_add(y, *s) } else { *s + x * y };
    }
}

/// [`accumulate`] of the `N` positions of `out`, read from `padded` on.
///
/// # Safety
/// `padded` holds `N` floats from each offset.
#[inline(always)]
unsafe fn accumulate_block<const FUSED: bool, const N: usize>(
    padded: &[f32],
    offsets: &[usize],
    weights: &[f32],
    init: Option<f32>,
    out: &mut [f32],
) {
    let out: &mut [f32; N] = out.try_into().expect("a whole block");
    let mut sum = match init {
        Some(v) => [v; N],
        None => *out,
    };
    for (&offset, &w) in offsets.iter().zip(weights) {
        // SAFETY: the caller's contract.
        let x = unsafe { &*padded.as_ptr().add(offset).cast::<[f32; N]>() };
        for (s, &v) in sum.iter_mut().zip(x) {
            *s = if FUSED { v.mul_add(w, *s) } else { *s + v * w };
        }
    }
    *out = sum;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One instruction set's copy of [`Job::compute`].
    type Compute = unsafe fn(&Job, Range<usize>, &mut [f32], &mut [f32]);

    /// `pass` of `s` computed by `compute` (one instruction set's copy of
    /// [`Job::compute`]) on every plane at once, from deterministic buffers: the written
    /// tensor (the weight gradient followed by the bias gradient).
    fn written(pass: ConvPass, s: &ConvShape, compute: Compute) -> Vec<f32> {
        let (ns, nw, nd) = s.elements();
        let fill = |n: u64, seed: u64| -> Vec<f32> {
            (0..n)
                .map(|i| ((i * 37 + seed * 11) % 23) as f32 / 7.0 - 1.5)
                .collect()
        };
        let (mut src, mut w, mut b, mut dst) =
            (fill(ns, 1), fill(nw, 2), fill(s.weight[0], 3), fill(nd, 4));
        let job = Job::new(
            pass,
            s,
            src.as_mut_ptr(),
            w.as_mut_ptr(),
            b.as_mut_ptr(),
            dst.as_mut_ptr(),
        );
        let together = job.together();
        let (mut padded, mut result) = (Vec::new(), Vec::new());
        let padded = zeroed(&mut padded, together * job.flat.scratch);
        let result = zeroed(&mut result, together * job.flat.computed);
        // SAFETY: the buffers hold the elements of their shapes; one task writes all.
        unsafe { compute(&job, 0..job.planes(), padded, result) };
        match pass {
            ConvPass::Forward => dst,
            ConvPass::BackwardData => src,
            ConvPass::BackwardWeights => [w, b].concat(),
        }
    }

    /// The portable copy, and the AVX2 one where the CPU has it, give what the copy
    /// picked for this CPU gives (checked against the definition in `conv.rs`), to
    /// rounding: every path of [`Job::compute`] (row copies or masked chunks, 9 taps,
    /// 25 or any other count, whole blocks and single vectors) on each instruction set.
    #[test]
    fn every_instruction_set_computes_the_same() {
        let shape = |input: &[u64], weight: &[u64], output: &[u64], padding: i64, groups| {
            let spatial = input.len() - 2;
            ConvShape {
                input: input.to_vec(),
                weight: weight.to_vec(),
                output: output.to_vec(),
                stride: vec![1; spatial],
                padding: vec![padding; spatial],
                dilation: vec![1; spatial],
                groups,
            }
        };
        let shapes = [
            shape(&[2, 3, 7, 9], &[3, 1, 3, 3], &[2, 3, 7, 9], 1, 3),
            shape(&[1, 4, 14, 13], &[4, 1, 5, 5], &[1, 4, 14, 13], 2, 4),
            shape(&[1, 4, 9, 14], &[4, 2, 5, 5], &[1, 4, 9, 14], 2, 2),
            shape(&[1, 4, 9, 30], &[4, 2, 1, 3], &[1, 4, 11, 30], 1, 2),
            shape(&[2, 2, 6, 6], &[2, 1, 3, 3], &[2, 2, 10, 10], 3, 2),
        ];
        let picked = |job: &Job, planes, padded: &mut [f32], result: &mut [f32]| {
            // SAFETY: `written`'s buffers.
            unsafe { job.run(planes, padded, result) }
        };
        let portable = |job: &Job, planes, padded: &mut [f32], result: &mut [f32]| {
            // SAFETY: `written`'s buffers.
            unsafe { job.compute::<false, false>(planes, padded, result) }
        };
        #[cfg(target_arch = "x86_64")]
        let avx2 = |job: &Job, planes, padded: &mut [f32], result: &mut [f32]| {
            // SAFETY: `written`'s buffers; called only where the CPU has AVX2 and FMA.
            unsafe { job.run_avx2(planes, padded, result) }
        };
        let mut others: Vec<Compute> = vec![portable];
        #[cfg(target_arch = "x86_64")]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            others.push(avx2);
        }
        for s in &shapes {
            for pass in [
                ConvPass::Forward,
                ConvPass::BackwardData,
                ConvPass::BackwardWeights,
            ] {
                let want = written(pass, s, picked);
                for (i, &other) in others.iter().enumerate() {
                    let got = written(pass, s, other);
                    for (e, (&g, &w)) in got.iter().zip(&want).enumerate() {
                        assert!(
                            (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                            "copy {i}, {pass:?} of {s:?}: element {e} is {g}, not {w}"
                        );
                    }
                }
            }
        }
    }
}
