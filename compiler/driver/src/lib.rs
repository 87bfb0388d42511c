//! The opt-style driver as a library: opt_main.
