//! Progress lines on stderr for the steps of a tool that can take over a second (the passes
//! of a pipeline, the phases of a compile): `pass 2/5 cse ... 1.2 s`. On when the user
//! asks (`--progress`) or stderr is a terminal; off otherwise, so pipes and tests see
//! nothing.

use std::io::{IsTerminal, Write};
use std::time::Instant;

/// Whether progress lines are printed; see the module docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Progress {
    on: bool,
}

impl Progress {
    /// On when `asked` (the `--progress` flag) or when stderr is a terminal.
    pub fn new(asked: bool) -> Progress {
        Progress {
            on: asked || std::io::stderr().is_terminal(),
        }
    }

    /// Whether lines are printed.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Runs `f` as step `i` of `n` (counted from 1) of kind `kind` named `name`; when on,
    /// prints `kind i/n name ...` before it and its wall time after it on the same line.
    pub fn step<T>(&self, kind: &str, i: usize, n: usize, name: &str, f: impl FnOnce() -> T) -> T {
        if !self.on {
            return f();
        }
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{kind} {i}/{n} {name} ... ");
        let _ = err.flush();
        drop(err);
        let start = Instant::now();
        let result = f();
        eprintln!("{:.1} s", start.elapsed().as_secs_f64());
        result
    }

    /// The `total` steps of one tool run, numbered as they run: `step 2/3 compile @f ... 1.2 s`.
    pub fn steps(self, total: usize) -> Steps {
        Steps {
            progress: self,
            done: 0,
            total,
        }
    }
}

/// A fixed sequence of named steps of one tool run (made by [`Progress::steps`]).
#[derive(Debug)]
pub struct Steps {
    progress: Progress,
    done: usize,
    total: usize,
}

impl Steps {
    /// Runs `f` as the next step, named `name`.
    pub fn run<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        self.done += 1;
        self.progress.step("step", self.done, self.total, name, f)
    }
}
