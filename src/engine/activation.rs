//! What a store applies last. ReLU and ReLU6 are one clamp each, so every kernel's store takes
//! either the same way and MobileNet's ReLU6 costs what a ReLU costs.

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Activation {
    #[default]
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `min(max(x, 0), 6)`.
    Relu6,
}

impl Activation {
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Identity => x,
            Activation::Relu => x.max(0.0),
            Activation::Relu6 => x.clamp(0.0, 6.0),
        }
    }

    pub fn apply_all(self, xs: &mut [f32]) {
        if self != Activation::Identity {
            xs.iter_mut().for_each(|x| *x = self.apply(*x));
        }
    }

    /// This clamp followed by `next`, as one: a ReLU after a ReLU6 changes nothing, a ReLU6
    /// after a ReLU is the ReLU6.
    pub fn then(self, next: Activation) -> Activation {
        self.max(next)
    }
}

impl PartialOrd for Activation {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// From the widest range to the narrowest: each one's range lies inside the one before, so
/// of two clamps in a row the greater is the one that counts.
impl Ord for Activation {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

#[cfg(test)]
mod tests {
    use super::Activation::*;

    #[test]
    fn composing_two_clamps_is_the_narrower() {
        for a in [Identity, Relu, Relu6] {
            for b in [Identity, Relu, Relu6] {
                for x in [-3.0, 0.0, 2.5, 6.0, 9.0] {
                    assert_eq!(
                        a.then(b).apply(x),
                        b.apply(a.apply(x)),
                        "{a:?} then {b:?} on {x}"
                    );
                }
            }
        }
    }
}
