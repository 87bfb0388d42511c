//! The aten dialect: PyTorch ATen tensor ops with inferred and verified shapes.
