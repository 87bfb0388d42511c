//! f32 convolutions: the plan's [`Step::Conv`](crate::plan::Step::Conv) steps run on one
//! of two engines ([`ConvEngine`]): joinery's direct kernel for unit-stride convolutions
//! with few channels per group ([`direct`]), or oneDNN's convolution primitives (forward
//! with an optional bias, backward data, backward weights) over the plan's dense row-major buffers, through the small C
//! wrapper `dnnl/conv.c` (oneDNN's C API). oneDNN picks its own layouts; the reorders
//! from and to the plain buffers run inside each call, into a per-thread scratch buffer
//! this module keeps. The primitives of one convolution are created on its first call and
//! kept for the process (one set per distinct [`ConvShape`] and [`ConvPass`]). oneDNN
//! threads with OpenMP: each call runs on the executor's thread count.

use crate::tensor::AlignedBuf;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_void};
use std::ops::Range;
use std::sync::{Arc, Mutex};

mod direct;

/// Which of a convolution's computations a step runs.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvPass {
    /// `dst = conv(src, weights) [+ bias]`.
    Forward,
    /// `src` = the input gradient from `dst` (the output gradient) and `weights`.
    BackwardData,
    /// `weights` = the weight gradient from `src` (the input) and `dst` (the output
    /// gradient).
    BackwardWeights,
}

/// What runs a convolution step.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConvEngine {
    /// oneDNN's primitives.
    #[default]
    Onednn,
    /// joinery's direct kernel: the forward, the input gradient and the weight gradient of
    /// a unit-stride convolution with 1 or 2 spatial dims, per written plane on a
    /// zero-padded copy of each read plane ([`direct`]); meant for few channels per group.
    Direct,
}

/// The shapes and parameters of one convolution, PyTorch's conventions: `input`
/// `[N, C, S..]`, `weight` `[O, C / groups, K..]`, `output` `[N, O, S'..]`, 1 to 3
/// spatial dims; `padding` at the start of each spatial dim (the end's follows from the
/// output size), dilation 1 dense.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvShape {
    pub input: Vec<u64>,
    pub weight: Vec<u64>,
    pub output: Vec<u64>,
    pub stride: Vec<i64>,
    pub padding: Vec<i64>,
    pub dilation: Vec<i64>,
    pub groups: u64,
}

impl ConvShape {
    /// Why oneDNN cannot run this convolution as given, if it cannot: ranks, signs, group
    /// counts, or an output size PyTorch's convolutions do not make: the end padding that
    /// gives it (`(out - 1) * stride + (kernel - 1) * dilation + 1 - in - padding`) must lie
    /// in `(padding - max(stride, dilation), padding]` (below `padding` by what the
    /// output's rounding drops, or a transposed convolution's `output_padding`).
    pub fn check(&self) -> Result<(), String> {
        let rank = self.input.len();
        let spatial = rank.wrapping_sub(2);
        if !(3..=5).contains(&rank)
            || self.weight.len() != rank
            || self.output.len() != rank
            || [&self.stride, &self.padding, &self.dilation]
                .iter()
                .any(|v| v.len() != spatial)
        {
            return Err(format!(
                "a convolution of input {:?}, weight {:?} and output {:?} needs 1 to 3 \
                 spatial dims and a stride, padding and dilation for each",
                self.input, self.weight, self.output
            ));
        }
        let (groups, c, o) = (self.groups, self.input[1], self.weight[0]);
        if groups == 0
            || !c.is_multiple_of(groups)
            || !o.is_multiple_of(groups)
            || self.weight[1] * groups != c
            || self.output[1] != o
            || self.output[0] != self.input[0]
        {
            return Err(format!(
                "a convolution of {groups} groups cannot take input {:?} and weight {:?} to \
                 output {:?}",
                self.input, self.weight, self.output
            ));
        }
        for i in 0..spatial {
            let (s, p, d) = (self.stride[i], self.padding[i], self.dilation[i]);
            let (x, k, y) = (
                self.input[i + 2] as i64,
                self.weight[i + 2] as i64,
                self.output[i + 2] as i64,
            );
            // The end padding that makes the output `y` long.
            let end = (y - 1) * s + (k - 1) * d + 1 - x - p;
            if s < 1 || d < 1 || p < 0 || (y > 0 && !(p - s.max(d) < end && end <= p)) {
                return Err(format!(
                    "spatial dim {i} of a convolution: input {x}, kernel {k}, stride {s}, \
                     padding {p} and dilation {d} do not give an output of {y}"
                ));
            }
        }
        Ok(())
    }

    /// The elements of the input, the weight and the output.
    pub fn elements(&self) -> (u64, u64, u64) {
        let n = |v: &[u64]| v.iter().product();
        (n(&self.input), n(&self.weight), n(&self.output))
    }
}

/// A plan's convolution step: `pass` of the convolution `shape` over the f32 buffers
/// `src` (the input or its gradient), `weights` (the weight or its gradient), `dst` (the
/// output or its gradient) and `bias` (`[O]`, from element `bias_offset` of its buffer):
/// a forward's bias, or the bias gradient a backward-weights pass writes too. The pass
/// writes `dst`, `src` or `weights` (and the bias gradient) and reads the others.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvRef {
    pub pass: ConvPass,
    #[serde(default, skip_serializing_if = "is_onednn")]
    pub engine: ConvEngine,
    pub shape: ConvShape,
    pub src: usize,
    pub weights: usize,
    pub dst: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bias: Option<usize>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub bias_offset: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_onednn(e: &ConvEngine) -> bool {
    *e == ConvEngine::Onednn
}

impl ConvRef {
    /// The buffers the step touches, with the range of f32 elements it touches in each
    /// and whether it writes them (it then writes every element of the range).
    pub fn buffers(&self) -> Vec<(usize, Range<u64>, bool)> {
        let (src, weights, dst) = self.shape.elements();
        let writes = |pass| self.pass == pass;
        let mut v = vec![
            (self.src, 0..src, writes(ConvPass::BackwardData)),
            (self.weights, 0..weights, writes(ConvPass::BackwardWeights)),
            (self.dst, 0..dst, writes(ConvPass::Forward)),
        ];
        v.extend(self.bias.map(|b| {
            let range = self.bias_offset..self.bias_offset + self.shape.weight[0];
            (b, range, writes(ConvPass::BackwardWeights))
        }));
        v
    }

    /// Why the step cannot run, if it cannot: its shape makes no convolution
    /// ([`ConvShape::check`]) or its engine does not run its pass of it.
    pub fn check(&self) -> Result<(), String> {
        self.shape.check()?;
        match self.engine {
            ConvEngine::Onednn => Ok(()),
            ConvEngine::Direct => direct::check(self.pass, &self.shape),
        }
    }

    /// Runs the step on `threads` threads (the direct engine: on the current rayon
    /// pool's).
    ///
    /// # Safety
    /// `ptrs` holds the step's buffers with the f32 elements [`ConvRef::buffers`] gives
    /// each (the plan was checked), the written ones apart from the others.
    pub(crate) unsafe fn run(&self, ptrs: &[*mut u8], threads: usize) -> Result<(), String> {
        let f = |b: usize| ptrs[b].cast::<f32>();
        if self.engine == ConvEngine::Direct {
            // SAFETY: inside the bias buffer (the caller's contract).
            let bias = self.bias.map_or(std::ptr::null_mut(), |b| unsafe {
                f(b).add(self.bias_offset as usize)
            });
            // SAFETY: the caller's contract; the plan check ran `ConvRef::check`.
            unsafe {
                direct::run(
                    self.pass,
                    &self.shape,
                    f(self.src),
                    f(self.weights),
                    bias,
                    f(self.dst),
                )
            };
            return Ok(());
        }
        let threads = threads.clamp(1, c_int::MAX as usize) as c_int;
        let primitives = primitives(self.pass, &self.shape, self.bias.is_some(), threads)?;
        let scratch_bytes = primitives.scratch_bytes();
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            if scratch.len() < scratch_bytes {
                *scratch = AlignedBuf::try_zeroed(scratch_bytes).ok_or_else(|| {
                    format!("cannot allocate {scratch_bytes} bytes of convolution scratch")
                })?;
            }
            // SAFETY: inside the bias buffer (the caller's contract).
            let bias = self.bias.map_or(std::ptr::null_mut(), |b| unsafe {
                f(b).add(self.bias_offset as usize)
            });
            let mut err = [0 as c_char; 256];
            // SAFETY: the buffers hold what the primitives read and write (the caller's
            // contract), the scratch at least `scratch_bytes`, 64-byte aligned.
            let status = unsafe {
                joinery_dnnl_conv_execute(
                    primitives.0,
                    f(self.src),
                    f(self.weights),
                    bias,
                    f(self.dst),
                    scratch.as_ptr().cast(),
                    err.as_mut_ptr(),
                    err.len(),
                )
            };
            if status != 0 {
                return Err(message(&err));
            }
            Ok(())
        })
    }
}

thread_local! {
    /// The reordered copies and oneDNN scratchpad of the convolutions this thread runs,
    /// grown to the largest.
    static SCRATCH: RefCell<AlignedBuf> = RefCell::new(AlignedBuf::zeroed(0));
}

/// One convolution's oneDNN primitives (`joinery_dnnl_conv` of `dnnl/conv.c`).
struct Primitives(*mut c_void);

// SAFETY: the wrapper's context holds only oneDNN primitives, which may execute from any
// thread, several at once; it is never changed after creation.
unsafe impl Send for Primitives {}
// SAFETY: as above.
unsafe impl Sync for Primitives {}

impl Primitives {
    fn scratch_bytes(&self) -> usize {
        // SAFETY: a live context.
        unsafe { joinery_dnnl_conv_scratch_size(self.0) }
    }
}

impl Drop for Primitives {
    fn drop(&mut self) {
        // SAFETY: created by joinery_dnnl_conv_create, dropped once.
        unsafe { joinery_dnnl_conv_destroy(self.0) }
    }
}

/// Primitives created so far, by pass, shape, whether there is a bias and thread count
/// (oneDNN splits the work for the threads there are when it creates a primitive).
type Created = HashMap<(ConvPass, ConvShape, bool, c_int), Arc<Primitives>>;

static CREATED: Mutex<Option<Created>> = Mutex::new(None);

/// The primitives of `pass` of `shape` (with a bias) on `threads` threads, created on
/// first use.
fn primitives(
    pass: ConvPass,
    shape: &ConvShape,
    bias: bool,
    threads: c_int,
) -> Result<Arc<Primitives>, String> {
    let key = (pass, shape.clone(), bias, threads);
    let mut created = CREATED.lock().unwrap_or_else(|e| e.into_inner());
    let created = created.get_or_insert_with(HashMap::new);
    if let Some(p) = created.get(&key) {
        return Ok(p.clone());
    }
    shape.check()?;
    let spatial = shape.input.len() - 2;
    let mut desc = Desc {
        spatial_rank: spatial as c_int,
        src: [0; 5],
        weights: [0; 5],
        dst: [0; 5],
        stride: [0; 3],
        padding: [0; 3],
        dilation: [0; 3],
        groups: shape.groups as i64,
        with_bias: c_int::from(bias),
    };
    for (to, from) in [
        (&mut desc.src, &shape.input),
        (&mut desc.weights, &shape.weight),
        (&mut desc.dst, &shape.output),
    ] {
        for (t, &f) in to.iter_mut().zip(from) {
            *t = f as i64;
        }
    }
    desc.stride[..spatial].copy_from_slice(&shape.stride);
    desc.padding[..spatial].copy_from_slice(&shape.padding);
    desc.dilation[..spatial].copy_from_slice(&shape.dilation);
    let kind = match pass {
        ConvPass::Forward => 0,
        ConvPass::BackwardData => 1,
        ConvPass::BackwardWeights => 2,
    };
    let mut err = [0 as c_char; 256];
    // SAFETY: a filled descriptor and a message buffer of the given length.
    let raw =
        unsafe { joinery_dnnl_conv_create(kind, &desc, threads, err.as_mut_ptr(), err.len()) };
    if raw.is_null() {
        return Err(message(&err));
    }
    let p = Arc::new(Primitives(raw));
    created.insert(key, p.clone());
    Ok(p)
}

/// The wrapper's message in `err`.
fn message(err: &[c_char]) -> String {
    CStr::from_bytes_until_nul(&err.iter().map(|&c| c as u8).collect::<Vec<u8>>()).map_or_else(
        |_| "oneDNN failed".into(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// `joinery_dnnl_conv_desc` of `dnnl/conv.h`.
#[repr(C)]
struct Desc {
    spatial_rank: c_int,
    src: [i64; 5],
    weights: [i64; 5],
    dst: [i64; 5],
    stride: [i64; 3],
    padding: [i64; 3],
    dilation: [i64; 3],
    groups: i64,
    with_bias: c_int,
}

unsafe extern "C" {
    fn joinery_dnnl_conv_create(
        kind: c_int,
        desc: *const Desc,
        threads: c_int,
        err: *mut c_char,
        err_len: usize,
    ) -> *mut c_void;
    fn joinery_dnnl_conv_scratch_size(c: *const c_void) -> usize;
    fn joinery_dnnl_conv_execute(
        c: *const c_void,
        src: *mut f32,
        weights: *mut f32,
        bias: *mut f32,
        dst: *mut f32,
        scratch: *mut c_void,
        err: *mut c_char,
        err_len: usize,
    ) -> c_int;
    fn joinery_dnnl_conv_destroy(c: *mut c_void);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1).
    fn values(n: u64, seed: u64) -> Vec<f32> {
        (0..n)
            .map(|i| {
                let h = (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ seed.wrapping_mul(0xBF58);
                ((h >> 40) % 2000) as f32 / 1000.0 - 1.0
            })
            .collect()
    }

    /// Calls `visit(x_index, w_index, y_index)` for every product of the convolution
    /// `s`: the definition the three passes are checked against.
    fn each_product(s: &ConvShape, mut visit: impl FnMut(usize, usize, usize)) {
        let spatial = s.input.len() - 2;
        let (n, c, o, g) = (s.input[0], s.input[1], s.weight[0], s.groups);
        let (cg, og) = (c / g, o / g);
        let positions = |v: &[u64]| -> Vec<Vec<u64>> {
            v.iter().fold(vec![vec![]], |acc, &d| {
                acc.into_iter()
                    .flat_map(|p| (0..d).map(move |i| [p.clone(), vec![i]].concat()))
                    .collect()
            })
        };
        let flat =
            |dims: &[u64], idx: &[u64]| idx.iter().zip(dims).fold(0, |a, (&i, &d)| a * d + i);
        for b in 0..n {
            for oc in 0..o {
                let group = oc / og;
                for out in positions(&s.output[2..]) {
                    for ic in 0..cg {
                        'taps: for k in positions(&s.weight[2..]) {
                            let mut at = Vec::new();
                            for i in 0..spatial {
                                let p = out[i] as i64 * s.stride[i] + k[i] as i64 * s.dilation[i]
                                    - s.padding[i];
                                if p < 0 || p >= s.input[i + 2] as i64 {
                                    continue 'taps;
                                }
                                at.push(p as u64);
                            }
                            let x = flat(&s.input, &[&[b, group * cg + ic][..], &at].concat());
                            let w = flat(&s.weight, &[&[oc, ic][..], &k].concat());
                            let y = flat(&s.output, &[&[b, oc][..], &out].concat());
                            visit(x as usize, w as usize, y as usize);
                        }
                    }
                }
            }
        }
    }

    /// Runs `pass` of `s` on `engine` on two threads over buffers `[src, weights, dst,
    /// bias]` and compares the written one with the definition.
    fn check_on(engine: ConvEngine, s: &ConvShape, pass: ConvPass, bias: bool) {
        let (ns, nw, nd) = s.elements();
        let mut bufs = [
            values(ns, 1),
            values(nw, 2),
            values(nd, 3),
            values(s.weight[0], 4),
        ];
        let mut want = match pass {
            ConvPass::Forward => vec![0.0f64; nd as usize],
            ConvPass::BackwardData => vec![0.0; ns as usize],
            ConvPass::BackwardWeights => vec![0.0; nw as usize],
        };
        each_product(s, |x, w, y| {
            let [src, weights, dst, _] = &bufs;
            match pass {
                ConvPass::Forward => want[y] += (src[x] * weights[w]) as f64,
                ConvPass::BackwardData => want[x] += (dst[y] * weights[w]) as f64,
                ConvPass::BackwardWeights => want[w] += (src[x] * dst[y]) as f64,
            }
        });
        let per_channel = s.output[2..].iter().product::<u64>() as usize;
        let channel = |i: usize| (i / per_channel) % s.output[1] as usize;
        let mut want_bias = vec![0.0f64; s.weight[0] as usize];
        match pass {
            ConvPass::Forward if bias => {
                for (i, v) in want.iter_mut().enumerate() {
                    *v += bufs[3][channel(i)] as f64;
                }
            }
            ConvPass::BackwardWeights => {
                for (i, &g) in bufs[2].iter().enumerate() {
                    want_bias[channel(i)] += g as f64;
                }
            }
            _ => {}
        }
        let ptrs: Vec<*mut u8> = bufs.iter_mut().map(|b| b.as_mut_ptr().cast()).collect();
        let step = ConvRef {
            pass,
            engine,
            shape: s.clone(),
            src: 0,
            weights: 1,
            dst: 2,
            bias: bias.then_some(3),
            bias_offset: 0,
        };
        step.check().expect("a valid convolution its engine runs");
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("a pool");
        // The addresses cross into the pool as numbers (pointers are not `Send`).
        let addresses: Vec<usize> = ptrs.iter().map(|&p| p as usize).collect();
        pool.install(|| {
            let ptrs: Vec<*mut u8> = addresses.iter().map(|&a| a as *mut u8).collect();
            // SAFETY: each buffer holds the elements of its shape.
            unsafe { step.run(&ptrs, 2) }
        })
        .expect("the engine runs");
        let mut got = match pass {
            ConvPass::Forward => bufs[2].clone(),
            ConvPass::BackwardData => bufs[0].clone(),
            ConvPass::BackwardWeights => bufs[1].clone(),
        };
        if pass == ConvPass::BackwardWeights && bias {
            got.extend(&bufs[3]);
            want.extend(want_bias);
        }
        assert_eq!(got.len(), want.len());
        for (i, (&g, &w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g as f64 - w).abs() <= 1e-4 * (1.0 + w.abs()),
                "{pass:?} of {s:?}: element {i} is {g}, not {w}"
            );
        }
    }

    /// [`check_on`] oneDNN.
    fn check(s: &ConvShape, pass: ConvPass, bias: bool) {
        check_on(ConvEngine::Onednn, s, pass, bias)
    }

    fn shape(
        input: &[u64],
        weight: &[u64],
        stride: i64,
        padding: i64,
        dilation: i64,
        groups: u64,
    ) -> ConvShape {
        let spatial = input.len() - 2;
        let output = (0..spatial).map(|i| {
            let span = dilation as u64 * (weight[i + 2] - 1) + 1;
            (input[i + 2] + 2 * padding as u64 - span) / stride as u64 + 1
        });
        ConvShape {
            input: input.to_vec(),
            weight: weight.to_vec(),
            output: [input[0], weight[0]].into_iter().chain(output).collect(),
            stride: vec![stride; spatial],
            padding: vec![padding; spatial],
            dilation: vec![dilation; spatial],
            groups,
        }
    }

    #[test]
    fn every_pass_matches_the_definition() {
        let shapes = [
            // 2-d, strided and padded, the end padding negative (rounded output)
            shape(&[2, 4, 8, 7], &[6, 4, 3, 3], 2, 1, 1, 1),
            // grouped and dilated
            shape(&[2, 6, 9, 9], &[4, 3, 3, 2], 1, 2, 2, 2),
            // depthwise
            shape(&[1, 5, 6, 6], &[5, 1, 3, 3], 1, 1, 1, 5),
            // 1-d and 3-d
            shape(&[3, 2, 11], &[4, 2, 4], 3, 1, 1, 1),
            shape(&[1, 2, 5, 4, 6], &[3, 2, 2, 3, 2], 1, 1, 1, 1),
            // an empty batch
            shape(&[0, 3, 5, 5], &[2, 3, 3, 3], 1, 1, 1, 1),
        ];
        for s in &shapes {
            for pass in [
                ConvPass::Forward,
                ConvPass::BackwardData,
                ConvPass::BackwardWeights,
            ] {
                check(s, pass, false);
            }
            check(s, ConvPass::Forward, true);
            check(s, ConvPass::BackwardWeights, true);
        }
    }

    #[test]
    fn the_direct_engine_matches_the_definition() {
        let shapes = [
            // depthwise, "same" padding, odd sizes, one row shorter than a block
            shape(&[2, 3, 7, 5], &[3, 1, 3, 3], 1, 1, 1, 3),
            shape(&[1, 2, 14, 13], &[2, 1, 5, 5], 1, 2, 1, 2),
            // rows one vector apart (14 wide, 5x5: a pitch of 16)
            shape(&[2, 2, 9, 14], &[2, 1, 5, 5], 1, 2, 1, 2),
            // padding larger than the kernel's half width (the input gradient then
            // leaves the output gradient's border unread), and none
            shape(&[1, 2, 6, 9], &[2, 1, 3, 3], 1, 3, 1, 2),
            shape(&[2, 2, 9, 6], &[2, 1, 3, 3], 1, 0, 1, 2),
            // dilated
            shape(&[1, 2, 11, 10], &[2, 1, 3, 3], 1, 2, 2, 2),
            // two output channels per group, two input channels per group
            shape(&[2, 3, 8, 8], &[6, 1, 3, 3], 1, 1, 1, 3),
            shape(&[1, 4, 7, 9], &[2, 2, 3, 3], 1, 1, 1, 2),
            // an image larger than a block, a kernel wider than tall, 1-d
            shape(&[1, 1, 20, 33], &[1, 1, 1, 3], 1, 1, 1, 1),
            shape(&[3, 2, 19], &[2, 1, 5], 1, 2, 1, 2),
            // an empty batch, a 1x1 output
            shape(&[0, 3, 5, 5], &[3, 1, 3, 3], 1, 1, 1, 3),
            shape(&[1, 2, 3, 3], &[2, 1, 3, 3], 1, 0, 1, 2),
        ];
        for s in &shapes {
            check_on(ConvEngine::Direct, s, ConvPass::Forward, false);
            check_on(ConvEngine::Direct, s, ConvPass::Forward, true);
            check_on(ConvEngine::Direct, s, ConvPass::BackwardData, false);
            check_on(ConvEngine::Direct, s, ConvPass::BackwardWeights, false);
            check_on(ConvEngine::Direct, s, ConvPass::BackwardWeights, true);
        }
    }

    #[test]
    fn the_direct_engine_refuses_what_it_does_not_run() {
        let step = |pass, s: ConvShape| ConvRef {
            pass,
            engine: ConvEngine::Direct,
            shape: s,
            src: 0,
            weights: 1,
            dst: 2,
            bias: None,
            bias_offset: 0,
        };
        let depthwise = shape(&[1, 2, 8, 8], &[2, 1, 3, 3], 1, 1, 1, 2);
        let strided = shape(&[1, 2, 8, 8], &[2, 1, 3, 3], 2, 1, 1, 2);
        let e = step(ConvPass::BackwardWeights, strided).check();
        let e = e.unwrap_err();
        assert!(
            e.contains("BackwardWeights") && e.contains("stride [2, 2]"),
            "{e}"
        );
        let large = shape(&[1, 2, 16, 16], &[2, 1, 9, 9], 1, 4, 1, 2);
        assert!(
            step(ConvPass::Forward, large)
                .check()
                .unwrap_err()
                .contains("at most 64 taps")
        );
        let volume = shape(&[1, 2, 4, 4, 4], &[2, 1, 3, 3, 3], 1, 1, 1, 2);
        assert!(step(ConvPass::Forward, volume).check().is_err());
        assert!(
            step(ConvPass::BackwardData, depthwise.clone())
                .check()
                .is_ok()
        );
        assert!(step(ConvPass::BackwardWeights, depthwise).check().is_ok());
    }

    /// A plan of one `pass` of `s`: its arguments are the two tensors the pass reads (of
    /// src, weights, dst) and a bias (buffers 0 to 2), its result buffer 3 of
    /// `result_elements`, which holds the bias gradient at `bias_offset` for a
    /// backward-weights pass.
    fn one_step_plan(
        s: &ConvShape,
        pass: ConvPass,
        result_elements: u64,
        bias_offset: u64,
    ) -> crate::plan::Plan {
        use crate::plan::*;
        let (ns, nw, nd) = s.elements();
        let tensors = [(ns, &s.input), (nw, &s.weight), (nd, &s.output)];
        let written = [
            ConvPass::BackwardData,
            ConvPass::BackwardWeights,
            ConvPass::Forward,
        ]
        .iter()
        .position(|&p| p == pass)
        .expect("a pass");
        let mut inputs = Vec::new();
        let mut buffers = Vec::new();
        let mut index = [3; 3];
        for (i, (elements, shape)) in tensors.iter().enumerate().filter(|&(i, _)| i != written) {
            index[i] = buffers.len();
            buffers.push(BufferSpec {
                location: Location::Input(inputs.len()),
                bytes: 4 * elements,
            });
            inputs.push(ArgSpec {
                name: format!("a{i}"),
                desc: String::new(),
                dtype: crate::tensor::DType::F32,
                shape: shape.iter().map(|&d| d as usize).collect(),
            });
        }
        buffers.push(BufferSpec {
            location: Location::Input(inputs.len()),
            bytes: 4 * s.weight[0],
        });
        inputs.push(ArgSpec {
            name: "bias".into(),
            desc: String::new(),
            dtype: crate::tensor::DType::F32,
            shape: vec![s.weight[0] as usize],
        });
        buffers.push(BufferSpec {
            location: Location::Output(0),
            bytes: 4 * result_elements,
        });
        let backward_weights = pass == ConvPass::BackwardWeights;
        Plan {
            name: "conv".into(),
            rng: None,
            inputs,
            outputs: vec![ResultSpec {
                desc: String::new(),
                tensor: Some(ResultTensor {
                    dtype: crate::tensor::DType::F32,
                    shape: vec![result_elements as usize],
                    buffer: 3,
                    rows: None,
                }),
                mutates: None,
            }],
            buffers,
            arena_bytes: 0,
            kernels: Vec::new(),
            steps: vec![Step::Conv(ConvRef {
                pass,
                engine: ConvEngine::Onednn,
                shape: s.clone(),
                src: index[0],
                weights: index[1],
                dst: index[2],
                bias: Some(if backward_weights { 3 } else { 2 }),
                bias_offset: if backward_weights { bias_offset } else { 0 },
            })],
        }
    }

    #[test]
    fn a_result_the_step_writes_entirely_is_not_zeroed_and_comes_out_right() {
        // 1 050 000 bytes of result: large enough for the allocation to be kept for reuse.
        let s = shape(&[1, 1, 250, 350], &[3, 1, 3, 3], 1, 1, 1, 1);
        let (ns, nw, nd) = s.elements();
        let plan = one_step_plan(&s, ConvPass::Forward, nd, 0);
        plan.check().expect("a well-formed plan");
        assert!(plan.overwrites(3));
        assert!(!plan.overwrites(0), "an input");
        let (x, w, b) = (values(ns, 1), values(nw, 2), values(3, 3));
        let mut want = vec![0.0f64; nd as usize];
        each_product(&s, |xi, wi, yi| want[yi] += (x[xi] * w[wi]) as f64);
        let per_channel = (nd / 3) as usize;
        let mut inputs = [
            crate::tensor::Tensor::from_vec(&[1, 1, 250, 350], x),
            crate::tensor::Tensor::from_vec(&[3, 1, 3, 3], w),
            crate::tensor::Tensor::from_vec(&[3], b.clone()),
        ];
        // SAFETY: the plan has no kernels.
        let module = unsafe { crate::CompiledModule::new(plan, Vec::new(), Arc::new(()), 2) }
            .expect("a module");
        let mut reused = None;
        for call in 0..2 {
            let mut out = module.call(&mut inputs).expect("runs");
            let y = out.remove(0).expect("a tensor result");
            if let Some(address) = reused {
                assert_eq!(y.as_ptr() as usize, address, "the freed result is reused");
            }
            for (i, (&g, &w)) in y.as_slice::<f32>().iter().zip(&want).enumerate() {
                let w = w + b[i / per_channel] as f64;
                assert!(
                    (g as f64 - w).abs() <= 1e-4 * (1.0 + w.abs()),
                    "call {call}: {i}"
                );
            }
            // Freed holding garbage, the next call's result reuses it.
            let mut y = y;
            y.bytes_mut().fill(0xff);
            reused = Some(y.as_ptr() as usize);
        }
    }

    #[test]
    fn a_result_written_only_in_part_is_zeroed() {
        let s = shape(&[1, 2, 6, 6], &[4, 2, 3, 3], 1, 1, 1, 1);
        let (_, nw, _) = s.elements();
        // The bias gradient right after the weight gradient: every element is written.
        assert!(one_step_plan(&s, ConvPass::BackwardWeights, nw + 4, nw).overwrites(3));
        // One element between them, and one after them, are not.
        let gap = one_step_plan(&s, ConvPass::BackwardWeights, nw + 5, nw + 1);
        assert!(!gap.overwrites(3));
        assert!(!one_step_plan(&s, ConvPass::BackwardWeights, nw + 5, nw).overwrites(3));
        assert!(!one_step_plan(&s, ConvPass::BackwardData, 73, 0).overwrites(3));
    }

    #[test]
    fn a_shape_no_convolution_makes_is_refused() {
        let mut s = shape(&[1, 2, 8, 8], &[2, 2, 3, 3], 1, 1, 1, 1);
        s.output[3] = 5;
        let e = s.check().expect_err("output 5 of 8 by 3 padded by 1");
        assert!(e.contains("spatial dim 1"), "{e}");
        let mut s = shape(&[1, 4, 8, 8], &[2, 2, 3, 3], 1, 1, 1, 1);
        s.groups = 3;
        assert!(s.check().unwrap_err().contains("3 groups"));
    }
}
