//! The checked arithmetic on a pointwise shape: every buffer length and the MAC count, or the
//! dimension that makes them impossible. Sizes come from users, so every product is checked and
//! reported rather than wrapped.

use super::error::EngineError;
use super::shape::PointwiseShape;

/// A validated shape: every product below fits in memory's address range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckedShape {
    pub shape: PointwiseShape,
    /// N = H·W.
    pub pixels: usize,
    /// `C_out · C_in` (W, row-major by output channel).
    pub weight_len: usize,
    /// `C_in · H · W` (CHW).
    pub input_len: usize,
    /// `C_out · H · W` (CHW).
    pub output_len: usize,
    /// `C_in · C_out · H · W` multiply-accumulates.
    pub macs: u64,
}

impl CheckedShape {
    /// FLOPs, counting a multiply-accumulate as two.
    pub fn flops(&self) -> f64 {
        2.0 * self.macs as f64
    }
}

impl PointwiseShape {
    /// Checks that no dimension is zero and every buffer length and the MAC count fit.
    pub fn check(self) -> Result<CheckedShape, EngineError> {
        for (dimension, value) in [
            ("C_in", self.c_in),
            ("C_out", self.c_out),
            ("H", self.h),
            ("W", self.w),
        ] {
            if value == 0 {
                return Err(EngineError::ZeroDimension {
                    dimension,
                    shape: self,
                });
            }
        }
        let pixels = self.product("H·W", self.h, self.w)?;
        let weight_len = self.product("weight length C_out·C_in", self.c_out, self.c_in)?;
        let input_len = self.product("input length C_in·H·W", self.c_in, pixels)?;
        let output_len = self.product("output length C_out·H·W", self.c_out, pixels)?;
        // A slice of f32 may span at most isize::MAX bytes.
        let limit = isize::MAX as usize / size_of::<f32>();
        for (quantity, len) in [
            ("weights", weight_len),
            ("input", input_len),
            ("output", output_len),
        ] {
            if len > limit {
                return Err(EngineError::TooLarge {
                    quantity,
                    shape: self,
                    detail: format!("{len} f32 values exceed the largest possible slice ({limit})"),
                });
            }
        }
        let macs = (weight_len as u64)
            .checked_mul(pixels as u64)
            .ok_or_else(|| EngineError::TooLarge {
                quantity: "MAC count",
                shape: self,
                detail: format!("{weight_len} · {pixels} does not fit in 64 bits"),
            })?;
        Ok(CheckedShape {
            shape: self,
            pixels,
            weight_len,
            input_len,
            output_len,
            macs,
        })
    }

    fn product(self, quantity: &'static str, a: usize, b: usize) -> Result<usize, EngineError> {
        a.checked_mul(b).ok_or_else(|| EngineError::TooLarge {
            quantity,
            shape: self,
            detail: format!("{a} · {b} does not fit in {} bits", usize::BITS),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inception_reduce_counts() {
        // 192 · 64 · 28 · 28 = 9,633,792 MACs; FLOPs are twice that.
        let c = PointwiseShape::new(192, 64, 28, 28)
            .check()
            .expect("valid shape");
        assert_eq!(
            (c.pixels, c.weight_len, c.input_len, c.output_len),
            (784, 12_288, 150_528, 50_176)
        );
        assert_eq!(c.macs, 9_633_792);
        assert_eq!(c.flops(), 19_267_584.0);
    }

    #[test]
    fn zero_dimension_is_named() {
        let err = PointwiseShape::new(3, 0, 4, 4).check().unwrap_err();
        assert!(matches!(
            err,
            EngineError::ZeroDimension {
                dimension: "C_out",
                ..
            }
        ));
        assert!(err.to_string().contains("C_out is 0 in 3→0 @ 4×4"), "{err}");
    }

    #[test]
    fn overflow_is_reported() {
        let err = PointwiseShape::new(1, 1, usize::MAX, 2)
            .check()
            .unwrap_err();
        assert!(
            matches!(
                err,
                EngineError::TooLarge {
                    quantity: "H·W",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn sizes_past_the_address_space_are_reported() {
        // 2³² · 2³² weights overflow usize.
        let err = PointwiseShape::new(1 << 32, 1 << 32, 1, 1)
            .check()
            .unwrap_err();
        assert!(
            matches!(
                err,
                EngineError::TooLarge {
                    quantity: "weight length C_out·C_in",
                    ..
                }
            ),
            "{err}"
        );
        // 2³¹ · 2³¹ = 2⁶² floats fit usize but not a slice (at most isize::MAX bytes).
        let err = PointwiseShape::new(1 << 31, 1 << 31, 1, 1)
            .check()
            .unwrap_err();
        assert!(
            matches!(
                err,
                EngineError::TooLarge {
                    quantity: "weights",
                    ..
                }
            ),
            "{err}"
        );
        // Every buffer fits, but 2²⁹ · 2²⁹ · 2³¹ = 2⁸⁹ MACs do not fit in u64.
        let err = PointwiseShape::new(1 << 29, 1 << 29, 1 << 31, 1)
            .check()
            .unwrap_err();
        assert!(
            matches!(
                err,
                EngineError::TooLarge {
                    quantity: "MAC count",
                    ..
                }
            ),
            "{err}"
        );
    }
}
