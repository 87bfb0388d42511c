//! Pass registry, pipeline text, pass manager, greedy rewrite driver and generic transforms.
