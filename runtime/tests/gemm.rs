//! The runtime's GEMM against a naive f64 reference, for every operand layout the compiler
//! produces (row-major, transposed, zero-stride broadcasts, offset submatrices with padded
//! leading dimensions, batches with a shared operand), accumulating or not, on one and two
//! threads, with sizes of 1, odd sizes and sizes large enough to be split across threads.

use joinery_runtime::gemm::{Dims, Strided, sgemm};
use joinery_runtime::plan::{ArgSpec, BufferSpec, Location, MatRef, PatchDim, Patches, Plan, Step};
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
    let plain = Patches::default();
    pool.install(|| unsafe { sgemm(dims, av, bv, &plain, cv, case.accumulate, threads) });
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
            b_patches: Patches::default(),
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

/// A convolution's patch view of `batch` zero-padded images of `c` channels and `h x w`
/// pixels (kernel `kh x kw`, `stride`, `dilation`), as a GEMM operand: with `weight_grad`
/// its rows are the output positions and its columns the taps (`cols^T`), else the
/// reverse (`cols`). Returns the buffer, the operand's dims, view and patches.
#[allow(clippy::too_many_arguments)]
fn patch_operand(
    batch: usize,
    c: usize,
    (h, w): (usize, usize),
    (kh, kw): (usize, usize),
    stride: usize,
    dilation: usize,
    weight_grad: bool,
) -> (Vec<f32>, usize, usize, isize, Patches, (isize, isize)) {
    let (oh, ow) = (
        (h - dilation * (kh - 1) - 1) / stride + 1,
        (w - dilation * (kw - 1) - 1) / stride + 1,
    );
    let image = c * h * w;
    let data: Vec<f32> = (0..batch * image)
        .map(|i| ((i as u32).wrapping_mul(2654435761) >> 20) as f32 % 13.0 / 4.0 - 1.5)
        .collect();
    let dim = |size: usize, stride: usize| PatchDim {
        size: size as u64,
        stride: stride as i64,
    };
    let taps = vec![dim(c, h * w), dim(kh, dilation * w)];
    let positions = vec![dim(oh, stride * w)];
    let (tap_inner, pos_inner) = (dilation as isize, stride as isize);
    let (k, n) = (c * kh * kw, oh * ow);
    if weight_grad {
        let p = Patches {
            rows: positions,
            cols: taps,
        };
        (data, n, k, image as isize, p, (pos_inner, tap_inner))
    } else {
        let p = Patches {
            rows: taps,
            cols: positions,
        };
        (data, k, n, image as isize, p, (tap_inner, pos_inner))
    }
}

/// Element `(i, r, col)` of an operand read through patches (outer dims row-major over an
/// inner dim of stride `inner`).
fn patch_at(
    data: &[f32],
    bs: isize,
    p: &Patches,
    strides: (isize, isize),
    rows: usize,
    cols: usize,
    at: (usize, usize, usize),
) -> f32 {
    let offset = |outer: &[PatchDim], total: usize, inner: isize, mut idx: usize| {
        let inner_size = total / outer.iter().map(|d| d.size as usize).product::<usize>();
        let mut o = (idx % inner_size) as isize * inner;
        idx /= inner_size;
        for d in outer.iter().rev() {
            o += (idx % d.size as usize) as isize * d.stride as isize;
            idx /= d.size as usize;
        }
        o
    };
    let (i, r, col) = at;
    data[(bs * i as isize
        + offset(&p.rows, rows, strides.0, r)
        + offset(&p.cols, cols, strides.1, col)) as usize]
}

/// `b` as a convolution's patch view (im2col, and its transpose for the weight gradient),
/// packed tile by tile: every element against an f64 reference, with `k` split into
/// chunks, columns cut into tiles, strides, dilations, accumulating or not, 1 and 2 threads.
#[test]
fn patch_operands_are_packed_tile_by_tile() {
    // (batch, channels, image, kernel, stride, dilation)
    let shapes = [
        (2, 3, (9, 11), (3, 3), 1, 1),
        (3, 130, (10, 10), (3, 3), 1, 1),
        (1, 5, (16, 13), (3, 2), 2, 1),
        (2, 4, (12, 12), (3, 3), 1, 2),
        (1, 2, (40, 40), (1, 1), 2, 1),
    ];
    for (batch, ch, image, kernel, stride, dilation) in shapes {
        for weight_grad in [false, true] {
            for accumulate in [false, true] {
                for threads in [1, 2] {
                    let (mut data, k, n, bs, patches, (rs, cs)) =
                        patch_operand(batch, ch, image, kernel, stride, dilation, weight_grad);
                    let m = 7;
                    let mut a = Mat::new(Layout::N, batch, m, k, false, 5);
                    let mut c = Mat::new(Layout::N, batch, m, n, false, 6);
                    let before = c.data.clone();
                    let bv = Strided {
                        ptr: data.as_mut_ptr(),
                        rs,
                        cs,
                        bs,
                    };
                    let (av, cv) = (a.view(), c.view());
                    let pool = rayon::ThreadPoolBuilder::new()
                        .num_threads(threads)
                        .build()
                        .unwrap();
                    let dims = Dims { batch, m, n, k };
                    // SAFETY: the patch view stays inside the images; c aliases nothing.
                    pool.install(|| unsafe {
                        sgemm(dims, av, bv, &patches, cv, accumulate, threads)
                    });
                    for i in 0..batch {
                        for r in 0..m {
                            for col in 0..n {
                                let idx = c.index(i, r, col);
                                let mut want = if accumulate { before[idx] as f64 } else { 0.0 };
                                let mut scale = want.abs();
                                for kk in 0..k {
                                    let b =
                                        patch_at(&data, bs, &patches, (rs, cs), k, n, (i, kk, col));
                                    let p = a.get(i, r, kk) as f64 * b as f64;
                                    want += p;
                                    scale += p.abs();
                                }
                                let got = c.data[idx] as f64;
                                assert!(
                                    (got - want).abs() <= 1e-5 * scale + 1e-6,
                                    "{:?} weight_grad {weight_grad} acc {accumulate} threads \
                                     {threads}: c[{i}][{r}][{col}] = {got}, want {want}",
                                    (batch, ch, image, kernel, stride, dilation)
                                );
                            }
                        }
                    }
                }
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
