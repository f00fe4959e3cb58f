//! Every built-in preset small enough for the f64 reference, as edited and without its 1×1
//! convolutions, on one and two threads.

use convtui::analysis::Summary;
use convtui::measure::whole::{Prepared, TOLERANCE, expected, verify_against};
use convtui::preset::{self, BUILTINS};

/// The scalar reference runs a few hundred million MACs a second: whole networks above this
/// are left to `bench --whole --verify`.
const REFERENCE_MACS: u64 = 2_000_000_000;

#[test]
fn every_preset_and_counterpart_matches_the_reference() {
    let mut ran = 0;
    for builtin in BUILTINS {
        let block = preset::builtin(builtin.name).expect("presets load");
        let summary = Summary::of(&block).expect("presets fit");
        let counterpart = summary
            .counterpart
            .as_ref()
            .expect("presets have counterparts");
        for (what, analysis) in [("block", &summary.block), ("counterpart", counterpart)] {
            if analysis.totals.macs > REFERENCE_MACS {
                continue;
            }
            ran += 1;
            // The reference is slow on purpose: computed once, compared on both thread counts.
            let mut want = None;
            for threads in [1, 2] {
                let mut prepared = Prepared::new(&block, analysis, threads)
                    .unwrap_or_else(|e| panic!("{} {what}: {e}", builtin.name));
                assert_eq!(
                    prepared.lowered.macs, analysis.totals.macs,
                    "{} {what}: the engine runs the MACs the analysis counts",
                    builtin.name
                );
                let want =
                    want.get_or_insert_with(|| expected(&mut prepared).expect("reference runs"));
                let v = verify_against(&mut prepared, want).expect("runs");
                assert!(
                    v.max_rel_error <= TOLERANCE,
                    "{} {what} on {threads} threads: error {v:?}",
                    builtin.name
                );
            }
        }
    }
    // Every preset under the reference's budget runs, each layer kind included: LRN and
    // ceil-mode pools in GoogLeNet, ReLU6 in MobileNet v2.
    assert!(ran >= 23, "ran {ran}");
}
