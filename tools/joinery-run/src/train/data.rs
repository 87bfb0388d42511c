//! What training reads and writes: parameters and buffers as `.npy` files named by their
//! descriptors (`--params`, `--save`), the user's samples (`--inputs`) and their shuffled
//! mini-batches, and the synthetic samples used when no data is given.

use joinery_runtime::tensor::describe;
use joinery_runtime::{DType, Tensor};
use std::path::{Path, PathBuf};

/// A small deterministic generator (SplitMix64): shuffles, synthetic data, initial weights.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn uniform(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// A standard normal (Box-Muller).
    pub fn normal(&mut self) -> f32 {
        let u1 = self.uniform().max(1e-7);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle(&mut self, items: &mut [usize]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// Reads a `.npy` file as a runtime tensor.
pub fn read_npy(path: &Path) -> Result<Tensor<'static>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let t =
        joinery_interp::Tensor::read_npy(&bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(joinery_interp::runtime::to_runtime(&t))
}

/// Writes a runtime tensor as a `.npy` file.
pub fn write_npy(path: &Path, t: &Tensor<'_>) -> Result<(), String> {
    let bytes = joinery_interp::runtime::from_runtime(t)
        .and_then(|t| t.write_npy())
        .map_err(|e| format!("cannot encode {}: {e}", path.display()))?;
    std::fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The file of a parameter or buffer in a `--params`/`--save` directory:
/// `DIR/<target>.npy`, `target` being the descriptor's name (`fc1.weight`).
pub fn state_file(dir: &Path, target: &str) -> Result<PathBuf, String> {
    let plain =
        !target.is_empty() && !target.starts_with('.') && !target.contains(['/', '\\', '\0']);
    if !plain {
        return Err(format!(
            "the name '{target}' cannot be a file name in {}",
            dir.display()
        ));
    }
    Ok(dir.join(format!("{target}.npy")))
}

/// Checks that `t`, read from `path` for `what`, has the `shape` and `dtype` it needs.
pub fn check_tensor(
    t: &Tensor<'_>,
    shape: &[usize],
    dtype: DType,
    path: &Path,
    what: &str,
) -> Result<(), String> {
    if t.shape() != shape || t.dtype() != dtype {
        return Err(format!(
            "{}: {what} needs {}, the file holds {}",
            path.display(),
            describe(dtype, shape),
            t.describe()
        ));
    }
    Ok(())
}

/// One user input of the joint as the data feeds it.
#[derive(Clone, Debug)]
pub struct InputSlot {
    /// Position among the joint's arguments.
    pub arg: usize,
    /// `#aot.plain<idx>`: the user input's index, which names its file `input<idx>.npy`.
    pub idx: usize,
    /// The argument's shape: the batch size, then one sample's shape.
    pub shape: Vec<usize>,
    /// The argument's element type, which its file must have.
    pub dtype: DType,
}

impl InputSlot {
    /// Elements of one sample.
    fn sample_len(&self) -> usize {
        self.shape[1..].iter().product()
    }
}

/// Samples of every user input, each held as one tensor with a leading sample dimension.
pub struct Dataset {
    /// The user inputs the samples feed.
    pub slots: Vec<InputSlot>,
    /// One tensor per slot, in the same order.
    pub columns: Vec<Tensor<'static>>,
    /// The number of samples.
    pub len: usize,
}

impl Dataset {
    /// Reads `DIR/input<idx>.npy` for every slot: `N` samples of the slot's sample shape
    /// and dtype, the same `N` for every file.
    pub fn load(dir: &Path, slots: &[InputSlot]) -> Result<Dataset, String> {
        if slots.is_empty() {
            return Err(format!(
                "--inputs {}: the joint has no user inputs to read",
                dir.display()
            ));
        }
        let mut columns = Vec::new();
        let mut len: Option<(usize, PathBuf)> = None;
        for slot in slots {
            let path = dir.join(format!("input{}.npy", slot.idx));
            if !path.is_file() {
                return Err(format!(
                    "--inputs {}: missing input{}.npy, the samples of user input {} (argument #{} of the joint, {} per batch)",
                    dir.display(),
                    slot.idx,
                    slot.idx,
                    slot.arg,
                    describe(slot.dtype, &slot.shape)
                ));
            }
            let t = read_npy(&path)?;
            let n = t.shape().first().copied().unwrap_or(0);
            let mut want = slot.shape.clone();
            want[0] = n;
            let what = format!(
                "user input {} (argument #{}, batches of {})",
                slot.idx,
                slot.arg,
                describe(slot.dtype, &slot.shape)
            );
            if t.shape().is_empty() {
                return Err(format!(
                    "{}: {what} needs samples along a leading dimension, the file holds {}",
                    path.display(),
                    t.describe()
                ));
            }
            check_tensor(&t, &want, slot.dtype, &path, &what)?;
            match &len {
                Some((m, first)) if *m != n => {
                    return Err(format!(
                        "{}: holds {n} samples, {} holds {m}: every input file needs the same count",
                        path.display(),
                        first.display()
                    ));
                }
                Some(_) => {}
                None => len = Some((n, path.clone())),
            }
            columns.push(t);
        }
        Ok(Dataset {
            slots: slots.to_vec(),
            columns,
            len: len.map_or(0, |(n, _)| n),
        })
    }

    /// The joint's batch size (1 without user inputs).
    pub fn batch(&self) -> usize {
        self.slots.first().map_or(1, |s| s.shape[0])
    }

    /// Copies the samples `indices` (one batch) into the joint's user-input arguments.
    pub fn fill(&self, indices: &[usize], args: &mut [Tensor<'static>]) {
        for (slot, column) in self.slots.iter().zip(&self.columns) {
            let size = slot.sample_len() * slot.dtype.size_bytes();
            let src = column.bytes();
            let dst = args[slot.arg].bytes_mut();
            for (k, &i) in indices.iter().enumerate() {
                dst[k * size..(k + 1) * size].copy_from_slice(&src[i * size..(i + 1) * size]);
            }
        }
    }

    /// `batches` batches of synthetic samples (`batches` empty samples without user
    /// inputs): float inputs are standard normals; an
    /// integer input is a class label out of `classes`, given by a fixed random linear
    /// teacher over the first float input (argmax of `x @ T`), so there is something to
    /// learn.
    pub fn synthetic(
        slots: &[InputSlot],
        batches: usize,
        classes: usize,
        rng: &mut Rng,
    ) -> Dataset {
        let rows_of = |slot: &InputSlot| slot.shape[0] * batches;
        let first_x = slots.iter().position(|s| s.dtype == DType::F32);
        let features = first_x.map_or(1, |i| slots[i].sample_len());
        let teacher: Vec<f32> = (0..features * classes).map(|_| rng.normal()).collect();
        let mut columns: Vec<Option<Tensor<'static>>> = slots
            .iter()
            .map(|slot| {
                let mut shape = slot.shape.clone();
                shape[0] = rows_of(slot);
                (slot.dtype == DType::F32).then(|| {
                    let n = shape.iter().product();
                    Tensor::from_vec(&shape, (0..n).map(|_| rng.normal()).collect())
                })
            })
            .collect();
        let x: Vec<f32> = first_x
            .and_then(|i| columns[i].as_ref())
            .map(|t| t.as_slice::<f32>().to_vec())
            .unwrap_or_default();
        for (slot, column) in slots.iter().zip(&mut columns) {
            if column.is_some() {
                continue;
            }
            let mut shape = slot.shape.clone();
            shape[0] = rows_of(slot);
            let count: usize = shape.iter().product();
            let labels: Vec<i64> = (0..count)
                .map(|r| {
                    let row = x.get(r * features..(r + 1) * features).unwrap_or(&[]);
                    let score = |c: usize| -> f32 {
                        row.iter()
                            .enumerate()
                            .map(|(k, &v)| v * teacher[k * classes + c])
                            .sum()
                    };
                    (0..classes)
                        .max_by(|&a, &b| score(a).total_cmp(&score(b)))
                        .unwrap_or(0) as i64
                })
                .collect();
            let t = Tensor::from_vec(&shape, labels);
            *column = Some(if slot.dtype == DType::I64 {
                t
            } else {
                Tensor::zeros(slot.dtype, &shape)
            });
        }
        let len = slots.first().map_or(batches, rows_of);
        Dataset {
            slots: slots.to_vec(),
            columns: columns.into_iter().flatten().collect(),
            len,
        }
    }
}

/// Which samples train and which are held out for evaluation.
pub struct Split {
    /// The samples trained on, in their first order.
    pub train: Vec<usize>,
    /// The held-out samples, evaluated after every epoch.
    pub eval: Vec<usize>,
}

impl Split {
    /// Holds out `fraction` of `len` samples (rounded down; a random subset when
    /// `shuffle`, else the last ones); both parts must fill at least one batch.
    pub fn new(
        len: usize,
        fraction: f64,
        batch: usize,
        shuffle: bool,
        rng: &mut Rng,
    ) -> Result<Split, String> {
        let mut order: Vec<usize> = (0..len).collect();
        if shuffle {
            rng.shuffle(&mut order);
        }
        let held = (len as f64 * fraction).floor() as usize;
        let eval = order.split_off(len - held);
        if fraction > 0.0 && held < batch {
            return Err(format!(
                "--holdout {fraction} holds out {held} of {len} samples, fewer than one batch of {batch}"
            ));
        }
        if order.len() < batch {
            return Err(format!(
                "{} samples to train on, fewer than one batch of {batch}",
                order.len()
            ));
        }
        Ok(Split { train: order, eval })
    }
}
