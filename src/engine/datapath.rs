//! How wide this core's floating-point units are, read from CPUID at run time.
//!
//! AMD's first Zen cores (family 17h, models below 30h: Zen and Zen+, EPYC 7001 among them)
//! execute each 256-bit FMA as two 128-bit halves on their two FMA pipes, so one AVX2 FMA
//! issues per cycle where Zen 2 and later, and Intel's cores since Haswell, issue two. The
//! micro-kernel then has twice the cycles per load, which changes what the block sizes must
//! protect (see `Blocking::for_core`).

/// Whether one FMA of the engine's vector width takes the FMA pipes one or two issue slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FmaDatapath {
    /// The units are as wide as the vector: two vector FMAs per cycle on current cores.
    Full,
    /// The units are half as wide: each vector FMA is split in two.
    Half,
}

impl FmaDatapath {
    /// This core's datapath, read once. Only the Zen and Zen+ cores are known to be half
    /// width for AVX2; anything else, or a CPU that cannot be identified, counts as full.
    pub fn detect() -> FmaDatapath {
        static DETECTED: std::sync::OnceLock<FmaDatapath> = std::sync::OnceLock::new();
        *DETECTED.get_or_init(|| match identify() {
            Some(cpu) => FmaDatapath::of(cpu, super::simd::LANES),
            None => FmaDatapath::Full,
        })
    }

    /// The datapath of `cpu` for vectors of `lanes` f32 lanes.
    fn of(cpu: Cpu, lanes: usize) -> FmaDatapath {
        let zen1 = cpu.amd && cpu.family == 0x17 && cpu.model < 0x30;
        if zen1 && lanes == 8 {
            FmaDatapath::Half
        } else {
            FmaDatapath::Full
        }
    }
}

/// The vendor and display family and model CPUID reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cpu {
    amd: bool,
    family: u32,
    model: u32,
}

impl Cpu {
    /// Decodes leaf 0's vendor registers and leaf 1's EAX, as the vendors' manuals define the
    /// extended family and model.
    fn decode(vendor: [u32; 3], signature: u32) -> Cpu {
        let base_family = (signature >> 8) & 0xf;
        let base_model = (signature >> 4) & 0xf;
        let family = if base_family == 0xf {
            base_family + ((signature >> 20) & 0xff)
        } else {
            base_family
        };
        let model = if base_family == 0x6 || base_family == 0xf {
            (((signature >> 16) & 0xf) << 4) | base_model
        } else {
            base_model
        };
        // "AuthenticAMD" in EBX, EDX, ECX order.
        let amd = vendor == [0x6874_7541, 0x6974_6e65, 0x444d_4163];
        Cpu { amd, family, model }
    }
}

#[cfg(target_arch = "x86_64")]
fn identify() -> Option<Cpu> {
    use core::arch::x86_64::__cpuid;
    // Leaves 0 and 1 exist on every x86-64 CPU.
    let leaf0 = __cpuid(0);
    if leaf0.eax < 1 {
        return None;
    }
    let leaf1 = __cpuid(1);
    Some(Cpu::decode([leaf0.ebx, leaf0.edx, leaf0.ecx], leaf1.eax))
}

#[cfg(not(target_arch = "x86_64"))]
fn identify() -> Option<Cpu> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const AMD: [u32; 3] = [0x6874_7541, 0x6974_6e65, 0x444d_4163];
    const INTEL: [u32; 3] = [0x756e_6547, 0x4965_6e69, 0x6c65_746e]; // "GenuineIntel"

    #[test]
    fn signatures_decode_to_family_and_model() {
        // EPYC 7001 (Naples): family 17h model 01h; EPYC 7002 (Rome): 17h model 31h;
        // Zen 4 (Genoa): 19h model 11h; Sapphire Rapids: family 6 model 8Fh.
        let naples = Cpu::decode(AMD, 0x0080_0F12);
        assert_eq!(
            (naples.amd, naples.family, naples.model),
            (true, 0x17, 0x01)
        );
        assert_eq!(Cpu::decode(AMD, 0x0083_0F10).model, 0x31);
        let genoa = Cpu::decode(AMD, 0x00A1_0F11);
        assert_eq!((genoa.family, genoa.model), (0x19, 0x11));
        let spr = Cpu::decode(INTEL, 0x0008_06F8);
        assert_eq!((spr.amd, spr.family, spr.model), (false, 6, 0x8f));
    }

    #[test]
    fn only_zen1_avx2_is_half_width() {
        let naples = Cpu::decode(AMD, 0x0080_0F12);
        assert_eq!(FmaDatapath::of(naples, 8), FmaDatapath::Half);
        // Its SSE path is 128-bit, as wide as the units.
        assert_eq!(FmaDatapath::of(naples, 4), FmaDatapath::Full);
        for full in [
            Cpu::decode(AMD, 0x0083_0F10),
            Cpu::decode(AMD, 0x00A1_0F11),
            Cpu::decode(INTEL, 0x0008_06F8),
        ] {
            assert_eq!(FmaDatapath::of(full, 8), FmaDatapath::Full, "{full:?}");
        }
    }
}
