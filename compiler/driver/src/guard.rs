//! The last line of defence of contract 4 ("user input never panics the compiler"): the
//! driver runs on a thread with a large stack (deeply nested input recurses) and turns a
//! panic into an "internal error" diagnostic instead of a crash with a backtrace.

use std::cell::{Cell, RefCell};
use std::sync::Once;

/// Stack size of the driver thread: deep nesting in user input must not overflow it.
const STACK_SIZE: usize = 1 << 30;

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static PANIC_MESSAGE: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL_HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that records the message of panics on guarded
/// threads and defers to the previous hook everywhere else.
fn install_hook() {
    INSTALL_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                let location = info
                    .location()
                    .map(|l| format!(" at {}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                let payload = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_string());
                PANIC_MESSAGE.with(|m| *m.borrow_mut() = Some(format!("{payload}{location}")));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `body` on a fresh thread with a large stack. Returns its result, or the panic
/// message (with the panic's source location) when it panicked.
pub fn run_guarded<T: Send>(body: impl FnOnce() -> T + Send) -> Result<T, String> {
    install_hook();
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("joinery-opt".into())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, || {
                GUARDED.with(|g| g.set(true));
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(body));
                result.map_err(|_| {
                    PANIC_MESSAGE
                        .with(|m| m.borrow_mut().take())
                        .unwrap_or_else(|| "unknown panic".to_string())
                })
            });
        match handle {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|_| Err("the driver thread died".to_string())),
            Err(e) => Err(format!("cannot start the driver thread: {e}")),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_body_result() {
        assert_eq!(run_guarded(|| 41 + 1), Ok(42));
    }

    #[test]
    fn turns_a_panic_into_its_message() {
        let err = run_guarded(|| -> i32 { panic!("boom {}", 7) }).unwrap_err();
        assert!(err.starts_with("boom 7 at "), "{err}");
        assert!(err.contains("guard.rs"), "{err}");
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
