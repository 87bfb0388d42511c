//! The one panic guard of joinery, the last line of defence of contract 4 ("user input
//! never panics the compiler"). When a bug panics anyway, [`catch`] turns the panic into an
//! error message (the panic's text and source location) instead of a backtrace on stderr
//! or, across the C ABI, an abort; [`internal_error`] words it for the user. Every C ABI
//! entry point and every entry point of the Python extension runs under [`catch`]; every
//! tool's `main` runs under [`run_tool`] (or [`tool_main`]): on a thread with a large stack
//! (deeply nested input recurses), a panic reported as an internal error with exit status
//! [`INTERNAL_ERROR_EXIT`].
//!
//! Tests prove that a tool goes through the guard with the test-only environment variable
//! [`TEST_PANIC_VAR`]: when it is set (to anything), [`catch`] panics on purpose inside
//! the guarded body.

use std::cell::{Cell, RefCell};
use std::io::Write;
use std::sync::{Once, OnceLock};

/// Stack size of a tool's thread: deep nesting in user input must not overflow it.
const STACK_SIZE: usize = 1 << 30;

/// Exit status of a tool that hit an internal error: `EX_SOFTWARE` of `sysexits.h`.
pub const INTERNAL_ERROR_EXIT: u8 = 70;

/// Test-only: when this environment variable is set, every guarded body panics on
/// purpose, so that a test can check that a tool or entry point reports a panic as an
/// internal error. Read once per process.
pub const TEST_PANIC_VAR: &str = "JOINERY_TEST_PANIC";

thread_local! {
    /// How many [`catch`] calls are active on this thread (they may nest).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// The message of the last panic caught on this thread.
    static MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that records the message of panics inside
/// [`catch`] and defers to the previous hook everywhere else.
fn install_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                return previous(info);
            }
            let location = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let payload = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{payload}{location}")));
        }));
    });
}

/// Whether [`TEST_PANIC_VAR`] is set in this process.
fn test_panic_requested() -> bool {
    static SET: OnceLock<bool> = OnceLock::new();
    *SET.get_or_init(|| std::env::var_os(TEST_PANIC_VAR).is_some())
}

/// Runs `body`; returns its result, or the panic's message and source location when it
/// panicked (nothing is printed).
pub fn catch<T>(body: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if test_panic_requested() {
            panic!("{TEST_PANIC_VAR} is set: a panic on purpose, for tests");
        }
        body()
    }));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.map_err(|_| {
        MESSAGE
            .with(|m| m.borrow_mut().take())
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}

/// The text reporting a caught panic to a user: an internal error, and a request to
/// report the bug.
pub fn internal_error(panic: &str) -> String {
    format!(
        "internal error: {panic}\n  = note: this is a bug in joinery; please report it with the input"
    )
}

/// Runs `body` under [`catch`] on a fresh thread with a large stack. Returns its result,
/// or the panic message (with the panic's source location) when it panicked.
pub fn run_guarded<T: Send>(body: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("joinery-main".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || catch(body));
        match handle {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err("the main thread died".to_string())),
            Err(e) => Err(format!("cannot start the main thread: {e}")),
        }
    })
}

/// The `main` of every tool: runs `body` (given `stderr` for its diagnostics) under
/// [`run_guarded`] and returns its exit status; a panic is written on `stderr` as an
/// internal error and gives [`INTERNAL_ERROR_EXIT`].
pub fn run_tool(
    stderr: &mut (dyn Write + Send),
    body: impl FnOnce(&mut (dyn Write + Send)) -> i32 + Send,
) -> i32 {
    match run_guarded(|| body(&mut *stderr)) {
        Ok(code) => code,
        Err(panic) => {
            let _ = writeln!(stderr, "error: {}", internal_error(&panic));
            i32::from(INTERNAL_ERROR_EXIT)
        }
    }
}

/// [`run_tool`] for a tool whose error is the text to print: `Err(text)` goes to stderr
/// as it is and gives exit status 1.
pub fn tool_main(body: impl FnOnce() -> Result<(), String> + Send) -> i32 {
    run_tool(&mut std::io::stderr(), |stderr| match body() {
        Ok(()) => 0,
        Err(text) => {
            let _ = write!(stderr, "{text}");
            1
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_body_result() {
        assert_eq!(catch(|| 41 + 1), Ok(42));
    }

    #[test]
    fn turns_a_panic_into_its_message_and_location() {
        let err = catch(|| -> i32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.starts_with("boom 7 at "), "{err}");
        assert!(err.contains("lib.rs:"), "{err}");
    }

    #[test]
    fn nested_guards_report_their_own_panic() {
        let outer = catch::<()>(|| {
            let inner = catch::<()>(|| panic!("inner"));
            assert!(inner.unwrap_err().starts_with("inner at "));
            panic!("outer")
        });
        let err = outer.unwrap_err();
        assert!(err.starts_with("outer at "), "{err}");
    }

    #[test]
    fn the_report_asks_for_a_bug_report() {
        let text = internal_error("boom at x.rs:1");
        assert!(
            text.starts_with("internal error: boom at x.rs:1\n"),
            "{text}"
        );
        assert!(
            text.contains("this is a bug in joinery; please report it"),
            "{text}"
        );
    }

    #[test]
    fn a_tool_reports_a_panic_as_an_internal_error_with_status_70() {
        let mut stderr = Vec::new();
        let code = run_tool(&mut stderr, |err| {
            let _ = writeln!(err, "before the bug");
            panic!("the bug")
        });
        let text = String::from_utf8(stderr).expect("utf-8");
        assert_eq!(code, 70);
        assert!(
            text.starts_with("before the bug\nerror: internal error: the bug at "),
            "{text}"
        );
        assert!(text.contains("please report it"), "{text}");
        assert!(!text.contains("RUST_BACKTRACE"), "{text}");
    }

    #[test]
    fn a_tool_returns_its_own_status() {
        let mut stderr = Vec::new();
        assert_eq!(run_tool(&mut stderr, |_| 3), 3);
        assert!(stderr.is_empty());
        assert_eq!(tool_main(|| Ok(())), 0);
        assert_eq!(tool_main(|| Err(String::new())), 1);
    }

    #[test]
    fn deep_recursion_fits_the_stack() {
        fn depth(n: u64) -> u64 {
            let frame = std::hint::black_box([n; 16]);
            if n == 0 {
                0
            } else {
                1 + depth(n - 1) + frame[0] - n
            }
        }
        assert_eq!(run_guarded(|| depth(200_000)), Ok(200_000));
    }
}
