//! Value parsers of the command-line flags: each refuses what cannot be meant (zero steps,
//! zero threads, a learning rate that is negative, NaN or infinite, a beta of 1) with the
//! reason.

/// A whole number of at least 1 (`--steps`, `--iters`).
pub fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "expected a whole number of at least 1, got '{text}'"
        )),
    }
}

/// A worker-thread count (`--threads`): a whole number from 1 to
/// [`joinery_runtime::MAX_THREADS`].
pub fn thread_count(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .and_then(|n| joinery_runtime::thread_count(n).ok())
        .ok_or_else(|| {
            format!(
                "expected a whole number from 1 to {}, got '{text}'",
                joinery_runtime::MAX_THREADS
            )
        })
}

/// A learning rate: a finite number of at least 0 (PyTorch's SGD refuses a negative one).
pub fn learning_rate(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(lr) if lr.is_finite() && lr >= 0.0 => Ok(lr),
        _ => Err(format!(
            "expected a finite learning rate of at least 0, got '{text}'"
        )),
    }
}

/// Worker threads: `--threads` when given, else `JOINERY_NUM_THREADS`, else all cores.
pub fn threads(flag: Option<usize>) -> Result<usize, String> {
    match flag {
        Some(n) => Ok(n),
        None => joinery_runtime::default_threads().map_err(|e| format!("error: {e}\n")),
    }
}

/// A finite number of at least 0 (`--momentum`, `--weight-decay`, `--eps`), as PyTorch's
/// optimizers require.
pub fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Ok(x),
        _ => Err(format!(
            "expected a finite number of at least 0, got '{text}'"
        )),
    }
}

/// A fraction in `[0, 1)` (`--holdout`): the share of the samples held out for evaluation.
pub fn fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "expected a number from 0 up to (not including) 1, got '{text}'"
        )),
    }
}

/// Adam's `--betas B1,B2`: two numbers in `[0, 1)`, as `torch.optim.Adam` requires.
pub fn betas(text: &str) -> Result<(f64, f64), String> {
    let parse = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|b| b.is_finite() && (0.0..1.0).contains(b))
    };
    match text.split_once(',') {
        Some((a, b)) => parse(a).zip(parse(b)),
        None => None,
    }
    .ok_or_else(|| format!("expected two numbers in [0, 1) as B1,B2, got '{text}'"))
}
