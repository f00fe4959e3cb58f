//! The SIMD pointwise-convolution engine (to be written).
