//! f32 GEMM on strided operands: `c[i] (+)= a[i] @ b[i]` for each batch `i`.

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

/// `c[i] = (accumulate ? c[i] : 0) + a[i] @ b[i]` for every batch `i`, on `threads`
/// workers of the current rayon pool (call it inside the pool that has them).
///
/// # Safety
/// Every view must address `dims` valid f32 elements; the output matrices must not
/// overlap each other or the inputs.
pub unsafe fn sgemm(
    dims: Dims,
    a: Strided,
    b: Strided,
    c: Strided,
    accumulate: bool,
    threads: usize,
) {
    let Dims { batch, m, n, k } = dims;
    if batch == 0 || m == 0 || n == 0 {
        return;
    }
    let ops = Operands { a, b, c };
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
