//! The values of the budget and sharding flags: `--time-limit 20m`, `--max-memory 6G`,
//! `--shard 2/4`. Each parser gives clap a plain message for a value that does not read.

use std::time::Duration;

/// `90s`, `20m`, `1h`, `500ms`, `1.5h`; a bare number is seconds.
pub fn duration(text: &str) -> Result<Duration, String> {
    let (value, unit) = number_and_unit(text)
        .ok_or_else(|| format!("`{text}` is not a duration (write 90s, 20m, 1h or 500ms)"))?;
    let seconds = match unit {
        "" | "s" | "sec" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        other => {
            return Err(format!(
                "unknown unit `{other}` in `{text}` (use ms, s, m or h)"
            ))
        }
    };
    if !seconds.is_finite() || seconds <= 0.0 {
        return Err(format!("`{text}`: a time limit must be more than zero"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// `512M`, `6G`, `1.5GiB`, `800MB`, `2T`: powers of 1024 whatever the spelling; a bare number is
/// bytes.
pub fn size(text: &str) -> Result<u64, String> {
    let (value, unit) = number_and_unit(text)
        .ok_or_else(|| format!("`{text}` is not a size (write 512M, 6G or 1.5GiB)"))?;
    let upper = unit.to_ascii_uppercase();
    let scale: f64 = match upper.trim_end_matches("IB").trim_end_matches('B') {
        "" => 1.0,
        "K" => 1024.0,
        "M" => 1024.0 * 1024.0,
        "G" => 1024.0 * 1024.0 * 1024.0,
        "T" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "unknown unit `{unit}` in `{text}` (use K, M, G or T)"
            ))
        }
    };
    let bytes = value * scale;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!(
            "`{text}`: a memory limit must be at least one byte"
        ));
    }
    Ok(bytes as u64)
}

/// `1.5h` as `(1.5, "h")`: a decimal number, then what follows it, trimmed.
fn number_and_unit(text: &str) -> Option<(f64, &str)> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    Some((number.parse().ok()?, unit.trim()))
}

/// This job's share of a CI matrix: the `index`-th (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether model number `k` (0-based, in the order they are checked) is this shard's.
    pub fn has_model(self, k: usize) -> bool {
        k as u64 % self.count == self.index - 1
    }

    /// This shard's runs of a sampling of `runs` runs: the first run's number and how many.
    pub fn runs(self, runs: u64) -> (u64, u64) {
        let at = |i: u64| (u128::from(runs) * u128::from(i) / u128::from(self.count)) as u64;
        let (start, end) = (at(self.index - 1), at(self.index));
        (start, end - start)
    }
}

/// `I/N` with `1 <= I <= N`.
pub fn shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("`{text}` is not a shard: write I/N, as in 2/4 (the 2nd of 4 jobs)");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let index: u64 = i.trim().parse().map_err(|_| bad())?;
    let count: u64 = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index == 0 || index > count {
        return Err(format!(
            "`{text}`: the shard number must be between 1 and the number of shards"
        ));
    }
    Ok(Shard { index, count })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_or_without_a_unit() {
        assert_eq!(duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("7"), Ok(Duration::from_secs(7)));
        assert!(duration("soon").unwrap_err().contains("not a duration"));
        assert!(duration("5d").unwrap_err().contains("unknown unit `d`"));
        assert!(duration("0s").unwrap_err().contains("more than zero"));
    }

    #[test]
    fn sizes_are_powers_of_1024_whatever_the_spelling() {
        assert_eq!(size("512M"), Ok(512 << 20));
        assert_eq!(size("6G"), Ok(6 << 30));
        assert_eq!(size("6GB"), Ok(6 << 30));
        assert_eq!(size("1.5GiB"), Ok(3 << 29));
        assert_eq!(size("4096"), Ok(4096));
        assert_eq!(size("2k"), Ok(2048));
        assert!(size("lots").unwrap_err().contains("not a size"));
        assert!(size("3X").unwrap_err().contains("unknown unit `X`"));
    }

    #[test]
    fn shards_cover_every_model_and_run_exactly_once() {
        assert_eq!(shard("2/4"), Ok(Shard { index: 2, count: 4 }));
        assert!(shard("0/4").is_err() && shard("5/4").is_err() && shard("1/0").is_err());
        assert!(shard("two").unwrap_err().contains("not a shard"));
        for count in 1..6 {
            let shards: Vec<Shard> = (1..=count).map(|index| Shard { index, count }).collect();
            for k in 0..17 {
                assert_eq!(shards.iter().filter(|s| s.has_model(k)).count(), 1);
            }
            for runs in [0, 1, 7, 1000] {
                let mut next = 0;
                for s in &shards {
                    let (first, n) = s.runs(runs);
                    assert_eq!(first, next, "{count} shards, {runs} runs");
                    next = first + n;
                }
                assert_eq!(next, runs);
            }
        }
    }
}
