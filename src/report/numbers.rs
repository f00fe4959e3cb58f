//! How counts are written for people: exact with thousands separators, or short with a unit.

/// 163328 → "163,328".
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// 128049152 → "128.0M"; below ten thousand the number itself.
pub fn short(n: u64) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")];
    if n < 10_000 {
        return n.to_string();
    }
    let x = n as f64;
    for (scale, unit) in UNITS {
        if x >= scale {
            return format!("{:.1}{unit}", x / scale);
        }
    }
    n.to_string()
}

/// Bytes as KiB/MiB/GiB with one decimal.
pub fn bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (scale, unit) in UNITS {
        if n >= scale {
            return format!("{:.1} {unit}", n as f64 / scale as f64);
        }
    }
    format!("{n} B")
}

/// A ratio to four decimals, or "—" when undefined.
pub fn ratio(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |r| format!("{r:.4}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(387_072), "387,072");
        assert_eq!(grouped(128_049_152), "128,049,152");
    }

    #[test]
    fn shortens_with_units() {
        assert_eq!(short(9_999), "9999");
        assert_eq!(short(163_328), "163.3K");
        assert_eq!(short(128_049_152), "128.0M");
        assert_eq!(bytes(3 * 1024 * 1024), "3.0 MiB");
    }
}
