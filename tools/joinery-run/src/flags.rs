//! Value parsers of the command-line flags: each refuses what cannot be meant (zero steps,
//! zero threads, a learning rate that is negative, NaN or infinite) with the reason.

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
pub fn learning_rate(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
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
