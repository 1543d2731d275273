//! Checkpoints of a breadth-first search, to stop it (SIGINT, SIGTERM) and go on later.
//!
//! A checkpoint is taken at the start of the level being expanded when the search was stopped:
//! every state stored up to and including that level (the explored set, the level's own states
//! last, in breadth-first order: the frontier), each state's parent, and the figures as the level
//! began. What the search did in the level before it stopped is dropped and done again on resume,
//! which makes a resumed search take exactly the steps of an uninterrupted one: the same verdict,
//! schedule and figures. The sequential and the parallel explorer write the same checkpoints and
//! each resumes the other's.
//!
//! The encoding is this module's own: little-endian words behind a magic line and a version, with
//! a checksum, so that a truncated or altered file is refused rather than half read. Which model
//! a checkpoint belongs to is the caller's to record and check (the CLI stores a hash of the
//! model's text beside it); [`Checkpoint::fits`] still refuses one whose shape cannot be this
//! model's.

use migcheck_lang::ir::Model;

use crate::explore::Stats;
use crate::fast::analysis::Analysis;
use crate::fast::pack::Packer;
use crate::state::Layout;

/// The magic bytes at the start of a checkpoint.
const MAGIC: &[u8; 8] = b"MIGCKPT\n";

/// Bumped whenever the encoding changes, the form in which states are stored, or the reduction
/// that chose which states were expanded in full: a search resumed from a checkpoint goes on with
/// this migcheck's reduction, and two sound reductions mixed in one search need not be sound. Bit
/// 1 of the second word records whether the search merged symmetric states (since version 2).
/// Version 3 stores states with the dead locals reset and lost-update marks only where a task may
/// both read and write the slot (states of versions 1 and 2 are in another form: a search resumed
/// from them would store some states twice). Version 4 has the static cycle proviso
/// ([`crate::fast::por`]): a reduced search of version 3 expanded in full the states with a step
/// back to their level or an earlier one, and a cycle whose states the two provisos each left
/// reduced could hide a violation.
const VERSION: u64 = 4;

/// A stopped breadth-first search (see the module's documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Whether partial-order reduction was off (the reduced and full searches differ).
    pub no_reduction: bool,
    /// Whether symmetry reduction was on (its states are representatives of their orbits).
    pub symmetric: bool,
    /// The width of each field of the packing the states are in.
    pub widths: Vec<u32>,
    /// Words per packed state.
    pub words: usize,
    /// The packed states, end to end.
    pub states: Vec<u64>,
    /// Per state, its parent's number (`u32::MAX` for the initial state).
    pub parents: Vec<u32>,
    /// The number of the first state of the level to expand; the states from it on are the level.
    pub frontier: usize,
    /// The depth of that level.
    pub depth: usize,
    /// The states, transitions and depth counted when the level began.
    pub states_counted: u64,
    pub transitions_counted: u64,
    pub depth_counted: usize,
}

impl Checkpoint {
    /// The number of states.
    pub fn len(&self) -> usize {
        self.parents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parents.is_empty()
    }

    /// The packed state numbered `i`.
    pub fn state(&self, i: usize) -> &[u64] {
        &self.states[i * self.words..(i + 1) * self.words]
    }

    /// The figures as the level began.
    pub fn stats(&self) -> Stats {
        Stats {
            states: self.states_counted,
            transitions: self.transitions_counted,
            depth: self.depth_counted,
            ..Stats::default()
        }
    }

    /// Why the checkpoint cannot be `model`'s, if it cannot.
    pub fn fits(&self, model: &Model) -> Result<(), String> {
        self.packer(model).map(|_| ())
    }

    /// The packing of `model` the states are in, or why the checkpoint cannot be this model's.
    pub(crate) fn packer(&self, model: &Model) -> Result<Packer, String> {
        let layout = Layout::new(model);
        let analysis = Analysis::new(model);
        let packer = Packer::new(model, &layout, &analysis).with_widths(&self.widths)?;
        if packer.words != self.words {
            return Err(format!(
                "its states take {} words, this model's {}",
                self.words, packer.words
            ));
        }
        Ok(packer)
    }

    /// The checkpoint as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut words: Vec<u64> = vec![
            VERSION,
            u64::from(self.no_reduction) | u64::from(self.symmetric) << 1,
            self.widths.len() as u64,
            self.words as u64,
            self.parents.len() as u64,
            self.frontier as u64,
            self.depth as u64,
            self.states_counted,
            self.transitions_counted,
            self.depth_counted as u64,
        ];
        words.extend(self.widths.iter().map(|&w| u64::from(w)));
        words.extend(self.parents.iter().map(|&p| u64::from(p)));
        words.extend_from_slice(&self.states);
        words.push(checksum(&words));
        let mut out = Vec::with_capacity(MAGIC.len() + words.len() * 8);
        out.extend_from_slice(MAGIC);
        for w in words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Reads a checkpoint written by [`Checkpoint::to_bytes`], or says what is wrong with it.
    pub fn from_bytes(bytes: &[u8]) -> Result<Checkpoint, String> {
        let body = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or("it is not a migcheck checkpoint")?;
        if body.len() % 8 != 0 || body.len() < 8 * 11 {
            return Err("it is truncated".into());
        }
        let words: Vec<u64> = body
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("eight bytes")))
            .collect();
        let (sum, words) = words.split_last().expect("not empty");
        if words[0] != VERSION {
            return Err(format!(
                "it is of version {} and this migcheck reads version {VERSION} only",
                words[0]
            ));
        }
        if *sum != checksum(words) {
            return Err("it is damaged (its checksum does not match)".into());
        }
        let n = |i: usize| usize::try_from(words[i]).map_err(|_| "a count is too large");
        let (fields, per_state, count) = (n(2)?, n(3)?, n(4)?);
        let header = 10;
        let need = fields
            .checked_add(count)
            .and_then(|x| count.checked_mul(per_state)?.checked_add(x))
            .and_then(|x| x.checked_add(header))
            .ok_or("a count is too large")?;
        if need != words.len() {
            return Err("its counts do not match its length".into());
        }
        let widths: Vec<u32> = words[header..header + fields]
            .iter()
            .map(|&w| u32::try_from(w).ok().filter(|w| (1..=64).contains(w)))
            .collect::<Option<_>>()
            .ok_or("a field width is not between 1 and 64")?;
        let parents: Vec<u32> = words[header + fields..header + fields + count]
            .iter()
            .enumerate()
            .map(|(i, &p)| {
                u32::try_from(p)
                    .ok()
                    .filter(|&p| (p == u32::MAX) == (i == 0) && (p == u32::MAX || (p as usize) < i))
            })
            .collect::<Option<_>>()
            .ok_or("a state's parent is not an earlier state")?;
        let (frontier, depth) = (n(5)?, n(6)?);
        if count == 0 || frontier >= count || per_state == 0 {
            return Err("it holds no level to expand".into());
        }
        Ok(Checkpoint {
            no_reduction: words[1] & 1 != 0,
            symmetric: words[1] & 2 != 0,
            widths,
            words: per_state,
            states: words[header + fields + count..].to_vec(),
            parents,
            frontier,
            depth,
            states_counted: words[7],
            transitions_counted: words[8],
            depth_counted: n(9)?,
        })
    }
}

/// FNV-1a over the words, mixed: enough to tell a damaged file.
fn checksum(words: &[u64]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &w in words {
        h = (h ^ w).wrapping_mul(0x0000_0100_0000_01b3);
        h ^= h >> 29;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            no_reduction: true,
            symmetric: false,
            widths: vec![1, 8, 3],
            words: 1,
            states: vec![0, 5, 9, 12],
            parents: vec![u32::MAX, 0, 0, 1],
            frontier: 3,
            depth: 2,
            states_counted: 4,
            transitions_counted: 6,
            depth_counted: 2,
        }
    }

    #[test]
    fn a_checkpoint_reads_back_as_written() {
        let c = sample();
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Ok(c));
        let symmetric = Checkpoint {
            no_reduction: false,
            symmetric: true,
            ..sample()
        };
        assert_eq!(Checkpoint::from_bytes(&symmetric.to_bytes()), Ok(symmetric));
    }

    #[test]
    fn a_checkpoint_of_an_older_version_is_refused() {
        for old in [1u64, 2, 3] {
            // An older version's file: the same layout, with its version.
            let mut words: Vec<u64> = sample().to_bytes()[MAGIC.len()..]
                .chunks_exact(8)
                .map(|w| u64::from_le_bytes(w.try_into().expect("eight bytes")))
                .collect();
            words.pop();
            words[0] = old;
            words.push(checksum(&words));
            let mut bytes = MAGIC.to_vec();
            bytes.extend(words.iter().flat_map(|w| w.to_le_bytes()));
            assert_eq!(
                Checkpoint::from_bytes(&bytes),
                Err(format!(
                    "it is of version {old} and this migcheck reads version 4 only"
                ))
            );
        }
    }

    #[test]
    fn damaged_files_are_refused_with_what_is_wrong() {
        let bytes = sample().to_bytes();
        let err = |b: &[u8]| Checkpoint::from_bytes(b).expect_err("refused");
        assert_eq!(err(b"{\"json\": 1}"), "it is not a migcheck checkpoint");
        assert_eq!(
            err(&bytes[..bytes.len() - 8]),
            "it is damaged (its checksum does not match)"
        );
        assert_eq!(err(&bytes[..bytes.len() - 3]), "it is truncated");
        let mut flipped = bytes.clone();
        flipped[60] ^= 1;
        assert_eq!(err(&flipped), "it is damaged (its checksum does not match)");
        let mut newer = sample();
        newer.parents[2] = 3;
        assert_eq!(
            err(&newer.to_bytes()),
            "a state's parent is not an earlier state"
        );
        let mut version = bytes.clone();
        version[8] = 9;
        assert!(err(&version).starts_with("it is of version 9"));
    }
}
