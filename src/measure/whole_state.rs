//! What an interactive session knows of the whole block's measured time: the block as edited
//! against its counterpart without 1×1 convolutions, re-measured on the worker after each edit.
//! Pure state, like `history`; the worker runs the job.

use crate::analysis::Summary;
use crate::model::Block;

use super::whole::WholeRun;

/// The most MACs either side may count to be timed between keystrokes: ~40 ms a run at
/// 100 GFLOP/s, a few runs each. Larger blocks are `convtui bench --whole`'s.
pub const INTERACTIVE_MAX_MACS: u64 = 2_000_000_000;

/// The most memory (f32 weights and every layer's output, as counted) either side may need to
/// be run between keystrokes: an editor should not take gigabytes behind the user's back.
pub const INTERACTIVE_MAX_BYTES: u64 = 512 << 20;

#[derive(Debug, Clone, PartialEq)]
pub enum WholeStatus {
    /// Nothing asked yet (no block has fitted).
    NotYet,
    /// Too large to time between keystrokes, and why.
    Skipped(String),
    /// Asked for, not back yet.
    Running,
    Done(Box<WholeRun>),
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct WholeState {
    pub status: WholeStatus,
    /// The last result, shown dimmed while the next one runs.
    pub previous: Option<Box<WholeRun>>,
    /// The block the status is about.
    block: Option<Block>,
    /// The generation of the job that asked for it.
    generation: u64,
}

impl Default for WholeState {
    fn default() -> Self {
        WholeState {
            status: WholeStatus::NotYet,
            previous: None,
            block: None,
            generation: 0,
        }
    }
}

impl WholeState {
    /// The block to run whole in the next job, if it is not measured (or skipped) yet; a job
    /// replaces the one before it, so a run still pending is asked for again.
    pub fn wanted(&mut self, block: &Block, summary: &Summary) -> Option<Block> {
        let same = self.block.as_ref() == Some(block);
        if same && matches!(self.status, WholeStatus::Done(_) | WholeStatus::Skipped(_)) {
            return None;
        }
        self.block = Some(block.clone());
        let sides = [Some(&summary.block), summary.counterpart.as_ref().ok()];
        let most = |f: fn(&crate::analysis::Totals) -> u64| {
            sides
                .iter()
                .flatten()
                .map(|a| f(&a.totals))
                .max()
                .unwrap_or(0)
        };
        let macs = most(|t| t.macs);
        let bytes = most(|t| {
            t.params()
                .saturating_mul(4)
                .saturating_add(t.activation_bytes())
        });
        let too_much = if macs > INTERACTIVE_MAX_MACS {
            Some(format!("{:.1} GMACs is", macs as f64 / 1e9))
        } else if bytes > INTERACTIVE_MAX_BYTES {
            Some(format!("{:.1} GiB is", bytes as f64 / (1u64 << 30) as f64))
        } else {
            None
        };
        if let Some(what) = too_much {
            self.status = WholeStatus::Skipped(format!(
                "{what} too much to run between keystrokes: `convtui bench --whole` runs it"
            ));
            return None;
        }
        if let WholeStatus::Done(run) = std::mem::replace(&mut self.status, WholeStatus::Running) {
            self.previous = Some(run);
        }
        Some(block.clone())
    }

    /// The job of `generation` carries the request.
    pub fn asked(&mut self, generation: u64) {
        self.generation = generation;
    }

    /// Forgets the result so the next plan measures again.
    pub fn forget(&mut self) {
        self.block = None;
    }

    /// Takes the worker's result in, unless a newer job asked for another.
    pub fn record(&mut self, generation: u64, result: Result<Box<WholeRun>, String>) {
        if generation != self.generation {
            return;
        }
        self.status = match result {
            Ok(run) => WholeStatus::Done(run),
            Err(e) => WholeStatus::Failed(e),
        };
    }

    pub fn is_running(&self) -> bool {
        self.status == WholeStatus::Running
    }

    /// The result to show: the current one, or the previous one while the next runs.
    pub fn shown(&self) -> Option<(&WholeRun, bool)> {
        match &self.status {
            WholeStatus::Done(run) => Some((run, false)),
            WholeStatus::Running => self.previous.as_deref().map(|run| (run, true)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset;

    #[test]
    fn asks_once_per_block_and_again_after_an_edit() {
        let mut block = preset::builtin("inception3a").unwrap();
        let summary = Summary::of(&block).unwrap();
        let mut state = WholeState::default();
        assert_eq!(state.wanted(&block, &summary), Some(block.clone()));
        state.asked(1);
        // A newer job replaces a pending one: it asks again until a result arrives.
        assert!(state.wanted(&block, &summary).is_some());
        state.asked(2);
        state.record(1, Err("stale".into()));
        assert!(state.is_running(), "a result for an older job is dropped");
        state.record(2, Err("engine said no".into()));
        assert_eq!(state.status, WholeStatus::Failed("engine said no".into()));
        block.name.push('!');
        assert!(
            state.wanted(&block, &summary).is_some(),
            "an edited block runs again"
        );
    }

    #[test]
    fn too_much_work_is_skipped_with_the_command_that_does_it() {
        let block = preset::builtin("resnet_bottleneck").unwrap();
        let mut summary = Summary::of(&block).unwrap();
        summary.block.totals.macs = INTERACTIVE_MAX_MACS + 1;
        let mut state = WholeState::default();
        assert_eq!(state.wanted(&block, &summary), None);
        let WholeStatus::Skipped(why) = &state.status else {
            panic!("{:?}", state.status)
        };
        assert!(why.contains("convtui bench --whole"), "{why}");
    }
}
