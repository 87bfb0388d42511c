//! f32 GEMM on strided operands: `c[i] (+)= a[i] @ b[i]` for each batch `i`.
//!
//! A `b` read as patches ([`Patches`], a convolution's im2col view of its input) is packed
//! tile by tile into a buffer that stays in the L2 cache, each tile multiplied as soon as
//! it is packed, instead of the whole patch matrix being written to memory and read back.

use crate::plan::Patches;

/// A (batch of) strided f32 matrices: element `(i, r, c)` is at
/// `ptr + i * bs + r * rs + c * cs` (elements, not bytes). Any stride may be zero
/// (a broadcast) or transposed (`rs == 1`).
#[derive(Clone, Copy, Debug)]
pub struct Strided {
    pub ptr: *mut f32,
    pub rs: isize,
    pub cs: isize,
    pub bs: isize,
}

// SAFETY: a view is an address and strides; whoever dereferences it (`sgemm`, under its
// contract) is responsible for the accesses, and tasks of one GEMM write disjoint blocks.
unsafe impl Send for Strided {}
// SAFETY: as above.
unsafe impl Sync for Strided {}

impl Strided {
    /// Matrix `i` of the batch.
    ///
    /// # Safety
    /// `i` must lie within the batch the view was made for.
    unsafe fn at(self, i: usize) -> *mut f32 {
        // SAFETY: the caller keeps `i` inside the batch.
        unsafe { self.ptr.offset(self.bs * i as isize) }
    }
}

/// Sizes of a batched product: `batch` products of `[m x k] @ [k x n]`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Dims {
    pub batch: usize,
    pub m: usize,
    pub n: usize,
    pub k: usize,
}

/// Below this many multiply-adds a GEMM runs on one thread.
const PARALLEL_GEMM: usize = 1 << 18;

/// Fewest columns of `c` per thread when a product is split by columns.
const MIN_SPLIT_COLUMNS: usize = 32;

/// Below this many output elements a broadcast row is written on one thread.
const PARALLEL_COPY: usize = 1 << 15;

impl Dims {
    /// The sizes of the transposed product `c^T = b^T a^T`.
    fn transposed(self) -> Dims {
        Dims {
            m: self.n,
            n: self.m,
            ..self
        }
    }
}

/// The three operands of one GEMM.
#[derive(Clone, Copy)]
struct Operands {
    a: Strided,
    b: Strided,
    c: Strided,
}

impl Strided {
    /// The same memory read as the transposed matrix.
    fn t(self) -> Strided {
        Strided {
            rs: self.cs,
            cs: self.rs,
            ..self
        }
    }
}

impl Operands {
    /// Operands of the transposed product `c^T = b^T a^T`.
    fn transposed(self) -> Operands {
        Operands {
            a: self.b.t(),
            b: self.a.t(),
            c: self.c.t(),
        }
    }
}

/// `c[i] = (accumulate ? c[i] : 0) + a[i] @ b[i]` for every batch `i`, `b` read through
/// `b_patches`, on `threads` workers of the current rayon pool (call it inside the pool
/// that has them).
///
/// # Safety
/// Every view must address `dims` valid f32 elements (`b` through its patches, whose
/// outer sizes divide `k` and `n`); the output matrices must not overlap each other or
/// the inputs.
pub unsafe fn sgemm(
    dims: Dims,
    a: Strided,
    b: Strided,
    b_patches: &Patches,
    c: Strided,
    accumulate: bool,
    threads: usize,
) {
    let Dims { batch, m, n, k } = dims;
    if batch == 0 || m == 0 || n == 0 {
        return;
    }
    let ops = Operands { a, b, c };
    if !b_patches.is_plain() && k > 0 {
        // SAFETY: the caller's contract.
        return unsafe { packed(dims, ops, b_patches, accumulate, threads) };
    }
    if a.rs == 0 && m > 1 {
        // SAFETY: the caller's contract.
        return unsafe { repeated_rows(dims, ops, accumulate, threads) };
    }
    if b.cs == 0 && n > 1 {
        // c^T = b^T a^T, whose first operand has equal rows.
        // SAFETY: the caller's contract, for the transposed views of the same memory.
        return unsafe { repeated_rows(dims.transposed(), ops.transposed(), accumulate, threads) };
    }
    if batch > 1 && threads > 1 && batch_parallel(batch, m * n * k, threads) {
        // Whole products per thread: no synchronisation inside a product.
        let per = batch.div_ceil(threads);
        rayon::scope(|s| {
            for t in 0..threads {
                s.spawn(move |_| {
                    for i in t * per..((t + 1) * per).min(batch) {
                        // SAFETY: batches write disjoint output matrices.
                        unsafe { product(dims, ops, i, accumulate, 1) }
                    }
                });
            }
        });
    } else {
        for i in 0..batch {
            // SAFETY: the caller's contract.
            unsafe { product(dims, ops, i, accumulate, threads) }
        }
    }
}

/// Whether `batch` products of `work` multiply-adds each run one per thread (rather than
/// one after another, each on every thread): when the batches divide evenly among the
/// threads, when there are many, or when each is too small to split.
fn batch_parallel(batch: usize, work: usize, threads: usize) -> bool {
    batch.is_multiple_of(threads) || batch >= 4 * threads || work < PARALLEL_GEMM
}

/// Floats of one packed tile of `b`: with the library's own packing of it, it stays in
/// the L2 cache.
const TILE_FLOATS: usize = 96 << 10;

/// Most rows (of `k`) in one packed tile; a longer `k` is split into even chunks whose
/// products are added up.
const TILE_ROWS: usize = 1024;

/// Fewest tiles per thread, so that uneven tiles still balance.
const TILES_PER_THREAD: usize = 4;

/// One run of a tile's packing: `len` source elements `step` apart from `src` (relative
/// to the row's or column's offset) to consecutive positions from `dst` of the tile's
/// contiguous side.
#[derive(Clone, Copy)]
struct Run {
    dst: usize,
    src: isize,
    step: isize,
    len: usize,
}

/// The runs of evenly spaced elements among `offsets`: a memory copy when they are
/// consecutive, else a strided loop (a strided convolution's patches: a call per element
/// would cost more than the copy).
fn runs(offsets: &[isize]) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    for (j, &o) in offsets.iter().enumerate() {
        match out.last_mut() {
            Some(r) if r.len == 1 => {
                r.step = o - r.src;
                r.len = 2;
            }
            Some(r) if r.src + r.len as isize * r.step == o => r.len += 1,
            _ => out.push(Run {
                dst: j,
                src: o,
                step: 1,
                len: 1,
            }),
        }
    }
    out
}

/// Copies run `r` from `from` to `to`.
///
/// # Safety
/// The run's source elements must be readable from `from` and its destination writable.
unsafe fn copy_run(r: &Run, from: *const f32, to: *mut f32) {
    // SAFETY: the caller's contract.
    unsafe {
        if r.step == 1 {
            std::ptr::copy_nonoverlapping(from.offset(r.src), to.add(r.dst), r.len);
        } else {
            let (src, dst) = (from.offset(r.src), to.add(r.dst));
            for j in 0..r.len {
                *dst.add(j) = *src.offset(j as isize * r.step);
            }
        }
    }
}

/// The product with `b` read through `patches`: the columns of every product are cut into
/// tiles spread over the threads (whole tiles per thread, no synchronisation inside one);
/// each tile of `b` (`kc` rows by `nc` columns, `k` in chunks of at most [`TILE_ROWS`]) is
/// packed from the patches into a per-thread buffer, contiguous along the side that copies
/// in fewer runs, and multiplied by the library on one thread.
unsafe fn packed(dims: Dims, ops: Operands, patches: &Patches, accumulate: bool, threads: usize) {
    let Dims { batch, m, n, k } = dims;
    let row_offsets = Patches::offsets(&patches.rows, k, ops.b.rs as i64);
    let col_offsets = Patches::offsets(&patches.cols, n, ops.b.cs as i64);
    let chunks = k.div_ceil(TILE_ROWS).max(1);
    let kc = k.div_ceil(chunks).max(1);
    let fit = (TILE_FLOATS / kc).max(16) / 16 * 16;
    // One thread needs no balance: tiles as wide as fit (each narrower tile has the
    // library pack the whole of `a` again).
    let balanced = if threads < 2 {
        n
    } else {
        (batch * n)
            .div_ceil(TILES_PER_THREAD * threads)
            .next_multiple_of(16)
            .max(MIN_SPLIT_COLUMNS)
    };
    let nc = fit.min(balanced).min(n).max(1);
    let per_product = n.div_ceil(nc);
    let tiles = batch * per_product;
    // Contiguous along the columns when the first tile's rows then copy in fewer runs
    // than its columns would (a strided convolution's columns still form runs, strided
    // ones, as long as an output row, where its rows' runs are only a kernel row long).
    let by_rows = runs(&col_offsets[..nc]).len() * kc <= runs(&row_offsets[..kc]).len() * nc;
    let (row_offsets, col_offsets) = (&row_offsets, &col_offsets);
    let work = move |range: std::ops::Range<usize>| {
        let mut tile = vec![0f32; kc * nc];
        for t in range {
            let (i, cols) = (t / per_product, t % per_product * nc);
            let cols = cols..(cols + nc).min(n);
            let width = cols.len();
            for k0 in (0..k).step_by(kc) {
                let rows = k0..(k0 + kc).min(k);
                let height = rows.len();
                // SAFETY: the caller's contract; the tile holds height x width floats.
                unsafe {
                    let base = ops.b.at(i);
                    let (outer, inner) = if by_rows {
                        (&row_offsets[rows.clone()], &col_offsets[cols.clone()])
                    } else {
                        (&col_offsets[cols.clone()], &row_offsets[rows.clone()])
                    };
                    let line = inner.len();
                    let runs = runs(inner);
                    for (o, &off) in outer.iter().enumerate() {
                        let from = base.offset(off);
                        let to = tile.as_mut_ptr().add(o * line);
                        for r in &runs {
                            copy_run(r, from, to);
                        }
                    }
                    let (b_rs, b_cs) = if by_rows {
                        (width as isize, 1)
                    } else {
                        (1, height as isize)
                    };
                    let first = cols.start as isize;
                    gemm::gemm(
                        m,
                        width,
                        height,
                        ops.c.at(i).offset(first * ops.c.cs),
                        ops.c.cs,
                        ops.c.rs,
                        accumulate || k0 > 0,
                        ops.a.at(i).offset(k0 as isize * ops.a.cs),
                        ops.a.cs,
                        ops.a.rs,
                        tile.as_ptr(),
                        b_cs,
                        b_rs,
                        1.0f32,
                        1.0f32,
                        false,
                        false,
                        false,
                        gemm::Parallelism::None,
                    );
                }
            }
        }
    };
    if threads < 2 || tiles < 2 {
        return work(0..tiles);
    }
    let per = tiles.div_ceil(threads);
    rayon::scope(|s| {
        for t in 0..threads {
            let work = &work;
            s.spawn(move |_| work(t * per..((t + 1) * per).min(tiles)));
        }
    });
}

/// A product whose `a` has row stride 0 (an expanded vector or scalar, as the gradient of a
/// sum is): every row of `a[i] @ b[i]` is `a[i][0] @ b[i]`, so that row is computed once and
/// written to (or added to) each row of `c[i]` — `k*n + m*n` work instead of `m*n*k`.
unsafe fn repeated_rows(dims: Dims, ops: Operands, accumulate: bool, threads: usize) {
    let Dims { batch, m, n, k } = dims;
    let Operands { a, b, c } = ops;
    let mut row = vec![0f32; n];
    for i in 0..batch {
        // SAFETY: the caller's contract; `row` holds n elements.
        unsafe {
            gemm::gemm(
                1,
                n,
                k,
                row.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.at(i),
                a.cs,
                0,
                b.at(i),
                b.cs,
                b.rs,
                1.0f32,
                1.0f32,
                false,
                false,
                false,
                gemm::Parallelism::None,
            )
        };
        let row = &row;
        // Outer loop over rows when c's rows are contiguous runs, else over columns.
        let by_rows = c.cs.abs() <= c.rs.abs();
        let outer = if by_rows { m } else { n };
        let write = move |range: std::ops::Range<usize>| {
            for o in range {
                // SAFETY: every (r, j) lies inside c[i].
                unsafe {
                    if by_rows {
                        let out = c.at(i).offset(o as isize * c.rs);
                        for (j, &v) in row.iter().enumerate() {
                            let e = out.offset(j as isize * c.cs);
                            *e = if accumulate { *e + v } else { v };
                        }
                    } else {
                        let (out, v) = (c.at(i).offset(o as isize * c.cs), row[o]);
                        for r in 0..m {
                            let e = out.offset(r as isize * c.rs);
                            *e = if accumulate { *e + v } else { v };
                        }
                    }
                }
            }
        };
        if threads > 1 && m * n >= PARALLEL_COPY {
            let chunk = outer.div_ceil(threads);
            rayon::scope(|s| {
                for t in 0..threads {
                    s.spawn(move |_| write(t * chunk..((t + 1) * chunk).min(outer)));
                }
            });
        } else {
            write(0..outer);
        }
    }
}

/// Product `i` of the batch through the `gemm` crate, on `threads` threads of the current
/// pool when it is big enough to split.
///
/// The library computes a row-major `c` as `c^T = b^T a^T` and splits the rows of `c`
/// among threads; each thread then packs every panel of `b` it multiplies with, and
/// packs (transposing) them all on one thread when `c` has few columns. When `b` is not
/// row-major that packing is a strided gather worth splitting, so the columns of `c` (and
/// of `b`) are divided among the threads instead, each a single-threaded product.
unsafe fn product(dims: Dims, ops: Operands, i: usize, accumulate: bool, threads: usize) {
    let Dims { m, n, k, .. } = dims;
    if threads < 2 || m * n * k < PARALLEL_GEMM {
        // SAFETY: the caller's contract.
        return unsafe { columns(dims, ops, i, 0..n, accumulate, gemm::Parallelism::None) };
    }
    // c^T = b^T a^T: the same product with a row-major output.
    let (dims, ops) = if ops.c.cs.abs() > ops.c.rs.abs() {
        (dims.transposed(), ops.transposed())
    } else {
        (dims, ops)
    };
    let n = dims.n;
    if ops.b.cs.abs() != 1 && n >= MIN_SPLIT_COLUMNS * threads {
        let chunk = n.div_ceil(threads).next_multiple_of(16);
        rayon::scope(|s| {
            for t in 0..threads {
                let cols = (t * chunk).min(n)..((t + 1) * chunk).min(n);
                s.spawn(move |_| {
                    // SAFETY: threads write disjoint columns of c[i].
                    unsafe { columns(dims, ops, i, cols, accumulate, gemm::Parallelism::None) }
                });
            }
        });
    } else {
        let all = gemm::Parallelism::Rayon(threads);
        // SAFETY: the caller's contract.
        unsafe { columns(dims, ops, i, 0..n, accumulate, all) }
    }
}

/// Columns `cols` of product `i` through the `gemm` crate.
unsafe fn columns(
    dims: Dims,
    ops: Operands,
    i: usize,
    cols: std::ops::Range<usize>,
    accumulate: bool,
    parallelism: gemm::Parallelism,
) {
    let Dims { m, k, .. } = dims;
    let Operands { a, b, c } = ops;
    let first = cols.start as isize;
    // SAFETY: the caller's contract; the columns lie inside the product.
    unsafe {
        gemm::gemm(
            m,
            cols.len(),
            k,
            c.at(i).offset(first * c.cs),
            c.cs,
            c.rs,
            accumulate,
            a.at(i),
            a.cs,
            a.rs,
            b.at(i).offset(first * b.cs),
            b.cs,
            b.rs,
            1.0f32,
            1.0f32,
            false,
            false,
            false,
            parallelism,
        )
    }
}
