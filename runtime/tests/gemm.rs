//! The runtime's GEMM against a naive f64 reference, for every operand layout the compiler
//! produces (row-major, transposed, zero-stride broadcasts, offset submatrices with padded
//! leading dimensions, batches with a shared operand), accumulating or not, on one and two
//! threads, with sizes of 1, odd sizes and sizes large enough to be split across threads.

use joinery_runtime::gemm::{Dims, Strided, sgemm};
use joinery_runtime::plan::{ArgSpec, BufferSpec, Location, MatRef, Plan, Step};
use joinery_runtime::{DType, Executor, Tensor};

/// How an operand is laid out in its buffer.
#[derive(Clone, Copy, Debug)]
enum Layout {
    /// Row-major, rows `cols` apart.
    N,
    /// Column-major (a transposed row-major matrix).
    T,
    /// Row-major inside a larger matrix: starts at element 5, rows `cols + 3` apart.
    Sub,
    /// Column-major inside a larger buffer: starts at element 7, columns `rows + 2` apart.
    SubT,
    /// Every element is the same one (an expanded scalar: both strides zero).
    Scalar,
    /// Every row is the same row (an expanded vector: row stride zero).
    RowBcast,
    /// Every column is the same column (column stride zero).
    ColBcast,
}

/// A batch of strided matrices in its own buffer.
struct Mat {
    data: Vec<f32>,
    offset: isize,
    bs: isize,
    rs: isize,
    cs: isize,
}

impl Mat {
    /// `batch` matrices of `rows x cols` laid out as `layout`; with `shared`, one matrix
    /// stands for every batch (batch stride 0). Values are small distinct numbers.
    fn new(layout: Layout, batch: usize, rows: usize, cols: usize, shared: bool, seed: u32) -> Mat {
        let (offset, rs, cs, size) = match layout {
            Layout::N => (0, cols, 1, rows * cols),
            Layout::T => (0, 1, rows, rows * cols),
            Layout::Sub => (5, cols + 3, 1, 5 + rows * (cols + 3)),
            Layout::SubT => (7, 1, rows + 2, 7 + cols * (rows + 2)),
            Layout::Scalar => (0, 0, 0, 1),
            Layout::RowBcast => (0, 0, 1, cols),
            Layout::ColBcast => (0, 1, 0, rows),
        };
        let stored = if shared { 1 } else { batch };
        let total = size * stored;
        let data = (0..total)
            .map(|i| {
                let x = (i as u32)
                    .wrapping_mul(2654435761)
                    .wrapping_add(seed.wrapping_mul(97));
                ((x >> 20) % 17) as f32 / 8.0 - 1.0
            })
            .collect();
        Mat {
            data,
            offset: offset as isize,
            bs: if shared { 0 } else { size as isize },
            rs: rs as isize,
            cs: cs as isize,
        }
    }

    fn index(&self, i: usize, r: usize, c: usize) -> usize {
        (self.offset + self.bs * i as isize + self.rs * r as isize + self.cs * c as isize) as usize
    }

    fn get(&self, i: usize, r: usize, c: usize) -> f32 {
        self.data[self.index(i, r, c)]
    }

    fn view(&mut self) -> Strided {
        Strided {
            // SAFETY: the offset lies inside the buffer.
            ptr: unsafe { self.data.as_mut_ptr().offset(self.offset) },
            rs: self.rs,
            cs: self.cs,
            bs: self.bs,
        }
    }
}

/// One product to check.
#[derive(Clone, Copy, Debug)]
struct Case {
    batch: usize,
    m: usize,
    n: usize,
    k: usize,
    a: Layout,
    b: Layout,
    c: Layout,
    a_shared: bool,
    b_shared: bool,
    accumulate: bool,
}

impl Case {
    fn new(m: usize, n: usize, k: usize, a: Layout, b: Layout) -> Case {
        Case {
            batch: 1,
            m,
            n,
            k,
            a,
            b,
            c: Layout::N,
            a_shared: false,
            b_shared: false,
            accumulate: false,
        }
    }
}

/// Runs `case` on `threads` threads and compares every element of c (and the untouched
/// padding around it) with an f64 reference.
fn check(case: Case, threads: usize) {
    let Case { batch, m, n, k, .. } = case;
    let mut a = Mat::new(case.a, batch, m, k, case.a_shared, 1);
    let mut b = Mat::new(case.b, batch, k, n, case.b_shared, 2);
    let mut c = Mat::new(case.c, batch, m, n, false, 3);
    let before = c.data.clone();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let (av, bv, cv) = (a.view(), b.view(), c.view());
    let dims = Dims { batch, m, n, k };
    // SAFETY: every view addresses its buffer within bounds; c does not alias a or b.
    pool.install(|| unsafe { sgemm(dims, av, bv, cv, case.accumulate, threads) });
    let mut inside = vec![false; c.data.len()];
    for i in 0..batch {
        for r in 0..m {
            for col in 0..n {
                let idx = c.index(i, r, col);
                inside[idx] = true;
                let mut want = if case.accumulate {
                    before[idx] as f64
                } else {
                    0.0
                };
                let mut scale = want.abs();
                for kk in 0..k {
                    let p = a.get(i, r, kk) as f64 * b.get(i, kk, col) as f64;
                    want += p;
                    scale += p.abs();
                }
                let got = c.data[idx] as f64;
                assert!(
                    (got - want).abs() <= 1e-5 * scale + 1e-6,
                    "{case:?} threads {threads}: c[{i}][{r}][{col}] = {got}, want {want}"
                );
            }
        }
    }
    for (idx, (&now, &was)) in c.data.iter().zip(&before).enumerate() {
        assert!(
            inside[idx] || now == was,
            "{case:?} threads {threads}: element {idx} outside c changed"
        );
    }
}

fn check_both(case: Case) {
    check(case, 1);
    check(case, 2);
}

const PLAIN: [Layout; 4] = [Layout::N, Layout::T, Layout::Sub, Layout::SubT];

#[test]
fn every_layout_pair_small_and_odd_sizes() {
    for (m, n, k) in [
        (1, 1, 1),
        (3, 5, 7),
        (1, 9, 4),
        (9, 1, 4),
        (6, 6, 1),
        (17, 13, 33),
    ] {
        for a in PLAIN {
            for b in PLAIN {
                check_both(Case::new(m, n, k, a, b));
            }
        }
    }
}

#[test]
fn every_layout_pair_large_enough_to_split() {
    // 131 * 150 * 70 multiply-adds: parallel, with ragged edges.
    for a in PLAIN {
        for b in PLAIN {
            check_both(Case::new(131, 150, 70, a, b));
        }
    }
}

#[test]
fn thin_shapes_of_the_mlp() {
    // [256x10]@[10x1024], [10x256]@[256x1024], [256x1024]@[1024x10] with their layouts.
    check_both(Case::new(256, 1024, 10, Layout::N, Layout::N));
    check_both(Case::new(256, 1024, 10, Layout::N, Layout::T));
    check_both(Case::new(10, 1024, 256, Layout::T, Layout::N));
    check_both(Case::new(256, 10, 1024, Layout::N, Layout::T));
}

#[test]
fn column_major_and_padded_outputs() {
    for c in [Layout::T, Layout::Sub, Layout::SubT] {
        for (m, n, k) in [(5, 7, 3), (131, 150, 70)] {
            let mut case = Case::new(m, n, k, Layout::N, Layout::T);
            case.c = c;
            check_both(case);
            case.accumulate = true;
            check_both(case);
        }
    }
}

#[test]
fn accumulate_adds_to_the_output() {
    for (m, n, k) in [(1, 1, 1), (7, 5, 3), (131, 150, 70)] {
        for a in PLAIN {
            let mut case = Case::new(m, n, k, a, Layout::T);
            case.accumulate = true;
            check_both(case);
        }
    }
}

#[test]
fn broadcast_operands() {
    // The gradient of a sum is an expanded scalar; expanded vectors have row stride 0.
    // The last size is big enough for the broadcast rows to be written in parallel.
    for (m, n, k) in [(1, 1, 1), (6, 5, 4), (131, 150, 70), (256, 200, 3)] {
        for acc in [false, true] {
            for (a, b) in [
                (Layout::Scalar, Layout::N),
                (Layout::Scalar, Layout::T),
                (Layout::N, Layout::Scalar),
                (Layout::RowBcast, Layout::N),
                (Layout::T, Layout::RowBcast),
                (Layout::N, Layout::ColBcast),
                (Layout::ColBcast, Layout::T),
                (Layout::RowBcast, Layout::ColBcast),
            ] {
                let mut case = Case::new(m, n, k, a, b);
                case.accumulate = acc;
                check_both(case);
            }
        }
    }
}

#[test]
fn batches_including_a_shared_operand() {
    for batch in [1, 2, 3, 5, 32] {
        for (m, n, k) in [(4, 3, 5), (33, 17, 9), (64, 128, 32)] {
            for (a, b) in [
                (Layout::N, Layout::N),
                (Layout::T, Layout::N),
                (Layout::N, Layout::T),
            ] {
                for (a_shared, b_shared) in [(false, false), (false, true), (true, false)] {
                    let mut case = Case::new(m, n, k, a, b);
                    case.batch = batch;
                    case.a_shared = a_shared;
                    case.b_shared = b_shared;
                    case.accumulate = batch % 2 == 1;
                    check_both(case);
                }
            }
        }
    }
}

#[test]
fn large_batched_products() {
    // Few batches of products big enough for library parallelism.
    for batch in [2, 3] {
        let mut case = Case::new(130, 140, 90, Layout::T, Layout::N);
        case.batch = batch;
        check_both(case);
    }
}

#[test]
fn empty_inner_dimension() {
    let case = Case::new(4, 5, 0, Layout::N, Layout::N);
    check_both(case);
    check_both(Case {
        accumulate: true,
        ..case
    });
}

/// A GEMM step of a plan runs through the executor with the step's offsets and strides.
#[test]
fn plan_step_through_the_executor() {
    let (batch, m, n, k) = (3usize, 5usize, 4usize, 6usize);
    // a: transposed, at offset 2 of its buffer; b: shared across batches (stride 0).
    let a_len = 2 + batch * m * k;
    let a: Vec<f32> = (0..a_len).map(|i| (i % 7) as f32 - 3.0).collect();
    let b: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.5).collect();
    let c0: Vec<f32> = (0..batch * m * n).map(|i| i as f32).collect();
    let arg = |name: &str, len: usize| ArgSpec {
        name: name.into(),
        desc: String::new(),
        dtype: DType::F32,
        shape: vec![len],
    };
    let plan = Plan {
        name: "gemm".into(),
        inputs: vec![arg("a", a_len), arg("b", k * n), arg("c", batch * m * n)],
        outputs: vec![],
        buffers: [a_len, k * n, batch * m * n]
            .iter()
            .enumerate()
            .map(|(i, &len)| BufferSpec {
                location: Location::Input(i),
                bytes: 4 * len as u64,
            })
            .collect(),
        arena_bytes: 0,
        kernels: vec![],
        steps: vec![Step::Gemm {
            m,
            n,
            k,
            batch,
            a: MatRef {
                buffer: 0,
                offset: 2,
                bs: (m * k) as i64,
                rs: 1,
                cs: m as i64,
            },
            b: MatRef {
                buffer: 1,
                offset: 0,
                bs: 0,
                rs: n as i64,
                cs: 1,
            },
            c: MatRef {
                buffer: 2,
                offset: 0,
                bs: (m * n) as i64,
                rs: n as i64,
                cs: 1,
            },
            accumulate: true,
        }],
        rng: None,
    };
    let inputs = [
        Tensor::from_vec(&[a_len], a.clone()),
        Tensor::from_vec(&[k * n], b.clone()),
        Tensor::from_vec(&[batch * m * n], c0.clone()),
    ];
    Executor::new(2)
        .expect("two threads start")
        .run(&plan, &[], &inputs.iter().collect::<Vec<_>>(), &mut [])
        .expect("runs");
    let got = inputs[2].as_slice::<f32>();
    for i in 0..batch {
        for r in 0..m {
            for col in 0..n {
                let mut want = c0[i * m * n + r * n + col];
                for kk in 0..k {
                    want += a[2 + i * m * k + kk * m + r] * b[kk * n + col];
                }
                assert_eq!(got[i * m * n + r * n + col], want, "c[{i}][{r}][{col}]");
            }
        }
    }
}

#[test]
fn thread_counts_out_of_range_are_errors() {
    for n in [0, joinery_runtime::MAX_THREADS + 1, usize::MAX] {
        let e = Executor::new(n).err().expect("refused");
        assert_eq!(
            e,
            format!(
                "a thread count must be from 1 to {}, got {n}",
                joinery_runtime::MAX_THREADS
            )
        );
    }
    assert_eq!(Executor::new(3).expect("three threads start").threads(), 3);
}
