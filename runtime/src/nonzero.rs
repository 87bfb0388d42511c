//! The [`Step::Nonzero`](crate::plan::Step::Nonzero) step: the multi-index of every
//! nonzero element of a strided view, in row-major order, as `i64` rows, and how many
//! there are. Its result is sized for the upper bound (every element nonzero); the count
//! it records is the real number of rows, which the runtime gives the result as its
//! leading extent ([`ResultTensor::rows`](crate::plan::ResultTensor::rows)).

use crate::plan::NonzeroRef;
use crate::tensor::DType;

/// Whether element `e` of a buffer of `dtype` is nonzero (NaN is; a complex element is
/// when either part is), as `torch.nonzero` decides.
///
/// # Safety
/// `e` lies inside the buffer.
unsafe fn is_nonzero(base: *const u8, dtype: DType, e: i64) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let at = e as isize;
        match dtype {
            DType::F32 => base.cast::<f32>().offset(at).read_unaligned() != 0.0,
            DType::F64 => base.cast::<f64>().offset(at).read_unaligned() != 0.0,
            DType::C64 => base.cast::<[f32; 2]>().offset(at).read_unaligned() != [0.0; 2],
            DType::C128 => base.cast::<[f64; 2]>().offset(at).read_unaligned() != [0.0; 2],
            DType::I64 => base.cast::<i64>().offset(at).read_unaligned() != 0,
            DType::I32 => base.cast::<i32>().offset(at).read_unaligned() != 0,
            DType::I16 => base.cast::<i16>().offset(at).read_unaligned() != 0,
            DType::I8 => base.cast::<i8>().offset(at).read_unaligned() != 0,
            DType::Bool => base.offset(at).read() != 0,
            DType::F16 => {
                half::f16::from_bits(base.cast::<u16>().offset(at).read_unaligned())
                    != half::f16::ZERO
            }
            DType::BF16 => {
                half::bf16::from_bits(base.cast::<u16>().offset(at).read_unaligned())
                    != half::bf16::ZERO
            }
        }
    }
}

/// Runs a nonzero step on one thread (the rows' order is the elements' order): writes a
/// row of `space.len()` indices per nonzero element into `out`, then their number into
/// `count` (one `i64`).
///
/// # Safety
/// The plan was checked ([`Plan::check`](crate::plan::Plan::check)): `src_map` stays
/// inside `src` over `space`, `out` holds a row per point and `count` one `i64`.
pub(crate) unsafe fn nonzero(x: &NonzeroRef, ptrs: &[*mut u8]) {
    let (src, out, count) = (ptrs[x.src], ptrs[x.out].cast::<i64>(), ptrs[x.count]);
    let rank = x.space.len();
    let points: u64 = x.space.iter().product();
    let mut index = vec![0u64; rank];
    let mut rows = 0usize;
    for _ in 0..points {
        let e = x.src_map.offset
            + index
                .iter()
                .zip(&x.src_map.strides)
                .map(|(&i, &s)| i as i64 * s)
                .sum::<i64>();
        // SAFETY: the point lies in the space, whose reach the plan check bounded.
        if unsafe { is_nonzero(src, x.dtype, e) } {
            for (d, &i) in index.iter().enumerate() {
                // SAFETY: at most `points` rows of `rank` indices fit in `out`.
                unsafe { out.add(rows * rank + d).write_unaligned(i as i64) };
            }
            rows += 1;
        }
        // The next point in row-major order.
        for (i, &extent) in index.iter_mut().zip(&x.space).rev() {
            *i += 1;
            if *i < extent {
                break;
            }
            *i = 0;
        }
    }
    // SAFETY: `count` holds one i64.
    unsafe { count.cast::<i64>().write_unaligned(rows as i64) };
}

#[cfg(test)]
mod tests {
    use crate::exec::Executor;
    use crate::plan::*;
    use crate::tensor::{DType, Tensor};

    /// `nonzero` of an f32 argument of `shape`, its rows returned with their count.
    fn plan(shape: &[usize]) -> Plan {
        let points: usize = shape.iter().product();
        let rank = shape.len();
        let space: Vec<u64> = shape.iter().map(|&d| d as u64).collect();
        let mut strides = vec![0i64; rank];
        let mut s = 1i64;
        for (stride, &d) in strides.iter_mut().zip(shape).rev() {
            *stride = s;
            s *= d as i64;
        }
        Plan {
            name: "nz".into(),
            rng: None,
            inputs: vec![ArgSpec {
                name: "x".into(),
                desc: String::new(),
                dtype: DType::F32,
                shape: shape.to_vec(),
            }],
            outputs: vec![ResultSpec {
                desc: String::new(),
                tensor: Some(ResultTensor {
                    dtype: DType::I64,
                    shape: vec![points, rank],
                    buffer: 1,
                    rows: Some(2),
                }),
                mutates: None,
            }],
            buffers: vec![
                BufferSpec {
                    location: Location::Input(0),
                    bytes: 4 * points as u64,
                },
                BufferSpec {
                    location: Location::Output(0),
                    bytes: 8 * (points * rank) as u64,
                },
                BufferSpec {
                    location: Location::Arena { offset: 0 },
                    bytes: 8,
                },
            ],
            arena_bytes: 64,
            kernels: Vec::new(),
            steps: vec![Step::Nonzero(NonzeroRef {
                src: 0,
                dtype: DType::F32,
                space,
                src_map: StridedMap { offset: 0, strides },
                out: 1,
                count: 2,
            })],
        }
    }

    /// Runs `plan(shape)` on `values`: the result's shape and elements.
    fn run(shape: &[usize], values: Vec<f32>) -> (Vec<usize>, Vec<i64>) {
        let p = plan(shape);
        p.check().expect("a well-formed plan");
        let x = Tensor::from_vec(shape, values);
        let mut outs = vec![Some(Tensor::zeros(
            DType::I64,
            &p.outputs[0].tensor.as_ref().unwrap().shape,
        ))];
        Executor::new(1)
            .unwrap()
            .run(&p, &[], &[&x], &mut outs)
            .expect("runs");
        let t = outs.remove(0).expect("a tensor result");
        (t.shape().to_vec(), t.as_slice::<i64>().to_vec())
    }

    #[test]
    fn rows_of_nonzero_elements_in_row_major_order_nan_included() {
        let (shape, rows) = run(&[2, 3], vec![0.0, 1.5, 0.0, f32::NAN, 0.0, -2.0]);
        assert_eq!(shape, [3, 2]);
        assert_eq!(rows, [0, 1, 1, 0, 1, 2]);
    }

    #[test]
    fn all_zeros_give_no_rows_and_a_0d_input_one_empty_row_or_none() {
        assert_eq!(run(&[4], vec![0.0; 4]), (vec![0, 1], vec![]));
        assert_eq!(run(&[], vec![3.0]), (vec![1, 0], vec![]));
        assert_eq!(run(&[], vec![0.0]), (vec![0, 0], vec![]));
        assert_eq!(run(&[0, 3], vec![]), (vec![0, 2], vec![]));
    }

    #[test]
    fn a_count_that_is_not_a_buffer_of_its_own_is_refused() {
        let mut p = plan(&[4]);
        p.outputs[0].tensor.as_mut().unwrap().rows = Some(1);
        let e = p.check().expect_err("the count is the result's own buffer");
        assert!(e.contains("row count of result #0"), "{e}");
        let mut p = plan(&[4]);
        if let Step::Nonzero(x) = &mut p.steps[0] {
            x.space = vec![5];
        }
        let e = p.check().expect_err("5 points in a 4-element buffer");
        assert!(e.contains("nonzero step reaches outside buffer 0"), "{e}");
    }
}
