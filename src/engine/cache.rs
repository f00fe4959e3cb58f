//! This CPU's data caches, read at run time, so block sizes follow the chip the engine runs on
//! rather than the one it was tuned on.
//!
//! Linux describes each cache of a CPU in sysfs (`/sys/devices/system/cpu/cpu0/cache/indexN/`:
//! `level`, `type`, `size`). Where that is missing (another OS, a sandbox), the sizes fall back
//! to the smallest common in current x86 cores: 32 KiB L1d, 512 KiB L2, 8 MiB L3.

use std::path::Path;
use std::sync::OnceLock;

/// Sizes in bytes of the data caches one core sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caches {
    pub l1d: usize,
    pub l2: usize,
    pub l3: usize,
}

impl Caches {
    pub const FALLBACK: Caches = Caches {
        l1d: 32 << 10,
        l2: 512 << 10,
        l3: 8 << 20,
    };

    /// This machine's caches, read once.
    pub fn detect() -> Caches {
        static DETECTED: OnceLock<Caches> = OnceLock::new();
        *DETECTED.get_or_init(|| read_sysfs(Path::new("/sys/devices/system/cpu/cpu0/cache")))
    }
}

/// Reads the `indexN` directories under `dir`; a level not described keeps its fallback.
pub fn read_sysfs(dir: &Path) -> Caches {
    let mut caches = Caches::FALLBACK;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return caches;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let read = |name: &str| std::fs::read_to_string(path.join(name)).unwrap_or_default();
        let (level, kind) = (read("level"), read("type"));
        let Some(size) = parse_size(read("size").trim()) else {
            continue;
        };
        match (level.trim(), kind.trim()) {
            ("1", "Data" | "Unified") => caches.l1d = size,
            ("2", "Data" | "Unified") => caches.l2 = size,
            ("3", "Data" | "Unified") => caches.l3 = size,
            _ => {}
        }
    }
    caches
}

/// `"32K"`, `"1024K"`, `"16M"` or a plain byte count, as sysfs writes sizes.
fn parse_size(text: &str) -> Option<usize> {
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let n: usize = digits.parse().ok()?;
    let scale = match unit {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return None,
    };
    n.checked_mul(scale).filter(|&bytes| bytes > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_sysfs_writes_them() {
        assert_eq!(parse_size("32K"), Some(32 << 10));
        assert_eq!(parse_size("16M"), Some(16 << 20));
        assert_eq!(parse_size("65536"), Some(65536));
        assert_eq!(parse_size("0K"), None);
        assert_eq!(parse_size("lots"), None);
        assert_eq!(parse_size(""), None);
    }

    #[test]
    fn a_sysfs_tree_is_read_and_a_missing_one_falls_back() {
        let dir = std::env::temp_dir().join(format!("convtui-caches-{}", std::process::id()));
        for (index, level, kind, size) in [
            ("index0", "1", "Data", "48K"),
            ("index1", "1", "Instruction", "32K"),
            ("index2", "2", "Unified", "2048K"),
        ] {
            let d = dir.join(index);
            std::fs::create_dir_all(&d).unwrap();
            std::fs::write(d.join("level"), format!("{level}\n")).unwrap();
            std::fs::write(d.join("type"), format!("{kind}\n")).unwrap();
            std::fs::write(d.join("size"), format!("{size}\n")).unwrap();
        }
        let caches = read_sysfs(&dir);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            caches,
            Caches {
                l1d: 48 << 10,
                l2: 2 << 20,
                l3: Caches::FALLBACK.l3,
            }
        );
        assert_eq!(read_sysfs(Path::new("/no/such/dir")), Caches::FALLBACK);
    }
}
