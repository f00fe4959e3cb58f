//! Instruction sets: what the engine was compiled for against what this CPU has.
//!
//! `wide` fixes its instructions at compile time, so the build decides the speed: a binary built
//! for AVX-512 dies with SIGILL on a CPU without it, and a baseline build (SSE2, what
//! `cargo install` from a registry makes) runs 3–4× slower on a CPU with AVX2+FMA. This module
//! says which, so the program can refuse the first in one line and point out the second.

/// The instruction-set levels the engine's speed depends on, slowest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// SSE2 (every x86-64), f32x4 without FMA.
    Baseline,
    /// AVX2 with FMA (x86-64-v3), f32x8.
    Avx2Fma,
    /// AVX-512F with FMA (x86-64-v4), f32x16.
    Avx512,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Baseline => "SSE2",
            Level::Avx2Fma => "AVX2+FMA",
            Level::Avx512 => "AVX-512F",
        }
    }

    /// The features a build at this level may use, as `is_x86_feature_detected!` names them.
    fn features(self) -> &'static [&'static str] {
        match self {
            Level::Baseline => &["sse2"],
            Level::Avx2Fma => &["sse2", "avx", "avx2", "fma"],
            Level::Avx512 => &["sse2", "avx", "avx2", "fma", "avx512f"],
        }
    }

    /// The highest level all of whose features `has` reports.
    fn of(has: impl Fn(&str) -> bool) -> Level {
        [Level::Avx512, Level::Avx2Fma]
            .into_iter()
            .find(|level| level.features().iter().all(|f| has(f)))
            .unwrap_or(Level::Baseline)
    }
}

/// The features this binary was compiled with (of those [`Level`] cares about).
fn compiled(feature: &str) -> bool {
    let built = [
        ("sse2", cfg!(target_feature = "sse2")),
        ("avx", cfg!(target_feature = "avx")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("fma", cfg!(target_feature = "fma")),
        ("avx512f", cfg!(target_feature = "avx512f")),
    ];
    built.iter().any(|&(name, on)| on && name == feature)
}

/// The features this CPU has.
fn detected(feature: &str) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        match feature {
            "sse2" => std::arch::is_x86_feature_detected!("sse2"),
            "avx" => std::arch::is_x86_feature_detected!("avx"),
            "avx2" => std::arch::is_x86_feature_detected!("avx2"),
            "fma" => std::arch::is_x86_feature_detected!("fma"),
            "avx512f" => std::arch::is_x86_feature_detected!("avx512f"),
            _ => false,
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        compiled(feature)
    }
}

/// What the build and the CPU say to each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// The build uses the best the CPU has.
    Matched,
    /// The build needs features the CPU lacks: running the engine would crash.
    Missing {
        built: Level,
        lacks: Vec<&'static str>,
    },
    /// The CPU could run a faster path than the build uses.
    Slower { built: Level, cpu: Level },
}

/// Compares what was compiled with what is there; pure, so it can be tested with any CPU.
pub fn fit(compiled: impl Fn(&str) -> bool, detected: impl Fn(&str) -> bool) -> Fit {
    let all = Level::Avx512.features();
    let missing: Vec<&'static str> = all
        .iter()
        .copied()
        .filter(|f| compiled(f) && !detected(f))
        .collect();
    let (built, cpu) = (Level::of(&compiled), Level::of(&detected));
    if !missing.is_empty() {
        return Fit::Missing {
            built,
            lacks: missing,
        };
    }
    if cpu > built {
        Fit::Slower { built, cpu }
    } else {
        Fit::Matched
    }
}

/// This binary on this CPU.
pub fn this_build() -> Fit {
    if cfg!(not(target_arch = "x86_64")) {
        return Fit::Matched;
    }
    fit(compiled, detected)
}

/// The command that builds convtui for the CPU it runs on, from a checkout.
pub const REBUILD: &str = "RUSTFLAGS=\"-C target-cpu=native\" cargo install --path .";

impl Fit {
    /// The same in a few words, for a status line: `None` when there is nothing to say.
    pub fn short_note(&self) -> Option<String> {
        match self {
            Fit::Slower { built, cpu } => Some(format!(
                "this build runs {} but the CPU has {}: `convtui --version` says how to rebuild",
                built.name(),
                cpu.name()
            )),
            other => other.note(),
        }
    }

    /// One line for the user, or `None` when there is nothing to say.
    pub fn note(&self) -> Option<String> {
        match self {
            Fit::Matched => None,
            Fit::Missing { built, lacks } => Some(format!(
                "this binary was built for {} but this CPU lacks {}: rebuild it on this machine \
                 with `{REBUILD}`",
                built.name(),
                lacks.join(", ")
            )),
            Fit::Slower { built, cpu } => Some(format!(
                "this build runs the {} path but this CPU has {}, which runs the engine faster: \
                 rebuild with `{REBUILD}`",
                built.name(),
                cpu.name()
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(features: &'static [&'static str]) -> impl Fn(&str) -> bool {
        move |f| features.contains(&f)
    }

    const V2: &[&str] = &["sse2"];
    const V3: &[&str] = &["sse2", "avx", "avx2", "fma"];
    const V4: &[&str] = &["sse2", "avx", "avx2", "fma", "avx512f"];

    #[test]
    fn a_build_for_more_than_the_cpu_has_is_refused_by_name() {
        let refused = fit(set(V4), set(V3));
        assert_eq!(
            refused,
            Fit::Missing {
                built: Level::Avx512,
                lacks: vec!["avx512f"]
            }
        );
        let note = refused.note().unwrap();
        assert!(
            note.contains("built for AVX-512F but this CPU lacks avx512f"),
            "{note}"
        );
        assert_eq!(
            fit(set(V3), set(V2)),
            Fit::Missing {
                built: Level::Avx2Fma,
                lacks: vec!["avx", "avx2", "fma"]
            }
        );
    }

    #[test]
    fn a_build_for_less_says_what_it_leaves_behind() {
        let slower = fit(set(V2), set(V4));
        assert_eq!(
            slower,
            Fit::Slower {
                built: Level::Baseline,
                cpu: Level::Avx512
            }
        );
        let note = slower.note().unwrap();
        assert!(note.contains("SSE2") && note.contains("AVX-512F"), "{note}");
        assert!(note.contains(REBUILD), "{note}");
        let short = slower.short_note().unwrap();
        assert!(
            short.len() < note.len() && short.contains("--version"),
            "{short}"
        );
        assert_eq!(
            fit(set(V3), set(V4)),
            Fit::Slower {
                built: Level::Avx2Fma,
                cpu: Level::Avx512
            }
        );
    }

    #[test]
    fn a_matching_build_says_nothing() {
        for level in [V2, V3, V4] {
            assert_eq!(fit(set(level), set(level)), Fit::Matched);
            assert_eq!(fit(set(level), set(level)).note(), None);
        }
    }

    /// The test binary itself runs, so it cannot need what this CPU lacks.
    #[test]
    fn this_build_runs_here() {
        assert!(!matches!(this_build(), Fit::Missing { .. }));
    }
}
