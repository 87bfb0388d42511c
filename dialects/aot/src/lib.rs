//! The aot dialect: AOTAutograd descriptors as attributes, their verification and fx_utils queries.
