//! Deterministic test data for the engine: the same pseudo-random operands on every run, so a
//! measurement or a comparison with the reference can be repeated exactly.

/// `len` values in [-1, 1) from a 64-bit LCG: deterministic, and not all-equal (which could let
/// a clever kernel or a broken one look right).
pub fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_is_in_range_and_varied() {
        let v = noise(1000, 7);
        assert!(v.iter().all(|x| (-1.0..1.0).contains(x)));
        assert!(v.iter().any(|&x| x > 0.5) && v.iter().any(|&x| x < -0.5));
    }
}
