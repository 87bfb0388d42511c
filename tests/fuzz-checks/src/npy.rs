//! `.npy` reading.

use joinery_interp::Tensor;

/// Any bytes as a `.npy` file: the reader returns a tensor whose element count matches
/// its shape, or an error; it never panics nor allocates more than the file describes.
pub fn check(data: &[u8]) {
    if let Ok(tensor) = Tensor::read_npy(data) {
        let elements: usize = tensor.shape().iter().product();
        assert_eq!(tensor.len(), elements);
        let bytes = tensor
            .write_npy()
            .expect("a tensor read from .npy writes back");
        let again = Tensor::read_npy(&bytes).expect("written .npy reads back");
        assert_eq!(again.shape(), tensor.shape());
        assert_eq!(again.dtype(), tensor.dtype());
    }
}
