//! "Did you mean ...?": the declared name closest to a misspelled one.
//!
//! The distance is the optimal string alignment distance (Levenshtein with the swap of two
//! neighbouring characters as one edit), so `alloc_isnt` finds `alloc_inst`. A name of fewer
//! than three characters gets no suggestion: against short names almost anything is close.

/// The edits (insertion, deletion, substitution, swap of two neighbours) from `a` to `b`.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the dynamic programme: the two before the current one are needed for swaps.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The candidate closest to `name`, if one is close enough to be a likely misspelling: at most
/// one edit per three characters of `name`. Ties go to the alphabetically first, so the answer
/// does not depend on the candidates' order.
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = name.chars().count() / 3;
    if limit == 0 {
        return None;
    }
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// `did you mean `x`?` for the closest candidate, if any.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits_and_swaps() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "ab"), 2);
        assert_eq!(distance("alloc", "alloc"), 0);
        assert_eq!(distance("alloc", "aloc"), 1);
        assert_eq!(distance("alloc", "allocs"), 1);
        assert_eq!(distance("alloc", "alluc"), 1);
        assert_eq!(distance("alloc_isnt", "alloc_inst"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("ab", "ba"), 1);
    }

    #[test]
    fn closest_is_within_the_limit_and_deterministic() {
        let names = ["inst_lock", "mig_lock", "usage"];
        assert_eq!(closest("inst_lok", names), Some("inst_lock"));
        assert_eq!(closest("usaeg", names), Some("usage"));
        assert_eq!(closest("quota", names), None);
        // Short names get no suggestion.
        assert_eq!(closest("x", ["y"]), None);
        assert_eq!(closest("ab", ["ac"]), None);
        // A tie goes to the alphabetically first, whatever the order given.
        assert_eq!(closest("abcx", ["abcz", "abcy"]), Some("abcy"));
        assert_eq!(closest("abcx", ["abcy", "abcz"]), Some("abcy"));
        // The name itself is no suggestion.
        assert_eq!(closest("usage", ["usage"]), None);
        assert_eq!(
            did_you_mean("Staus", ["Status"]).as_deref(),
            Some("did you mean `Status`?")
        );
    }
}
