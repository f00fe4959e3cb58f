//! Buffers by liveness: every value that is written gets a place in one arena, and two values
//! share floats only when one is dead before the other is first written.

use super::Value;
use super::fuse::{Place, Step};

/// Buffers start at a multiple of this many floats (a cache line).
const ALIGN: usize = 16;

pub(super) struct Layout {
    /// Where each value starts in the arena, for the values that are stored.
    pub offset: Vec<Option<usize>>,
    /// Floats of the arena.
    pub len: usize,
}

/// The buffer a value lives in, and where inside it.
fn root(places: &[Option<Place>], mut v: Value) -> (Value, usize) {
    let mut offset = 0;
    while let Some(place) = places[v] {
        offset += place.offset;
        v = place.within;
    }
    (v, offset)
}

/// Lays out the values `steps` write and read; `sizes` are floats per value; `input` and
/// `output` are kept for the whole run.
pub(super) fn layout(
    steps: &[Step],
    places: &[Option<Place>],
    sizes: &[usize],
    input: Value,
    output: Value,
) -> Layout {
    let n = sizes.len();
    // First and last step at which each buffer's floats matter (inclusive).
    let mut span: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut touch = |v: Value, at: usize| {
        let (r, _) = root(places, v);
        let s = span[r].get_or_insert((at, at));
        s.0 = s.0.min(at);
        s.1 = s.1.max(at);
    };
    // The input is filled once and read by every run, so nothing may reuse its floats.
    touch(input, 0);
    touch(input, steps.len());
    for (i, step) in steps.iter().enumerate() {
        touch(step.out, i);
        for v in step.reads() {
            touch(v, i);
        }
    }
    touch(output, steps.len());
    let mut roots: Vec<(usize, usize, Value)> = span
        .iter()
        .enumerate()
        .filter_map(|(r, s)| s.map(|(a, b)| (a, b, r)))
        .collect();
    roots.sort_unstable();
    // Buffers: size, and the step after which their current owner is dead.
    let mut buffers: Vec<(usize, usize)> = Vec::new();
    let mut owner = vec![usize::MAX; n];
    for &(start, end, r) in &roots {
        let need = sizes[r].div_ceil(ALIGN) * ALIGN;
        let free = |b: &(usize, usize)| b.1 < start;
        let fit = (0..buffers.len())
            .filter(|&b| free(&buffers[b]) && buffers[b].0 >= need)
            .min_by_key(|&b| buffers[b].0);
        let grow = || {
            (0..buffers.len())
                .filter(|&b| free(&buffers[b]))
                .max_by_key(|&b| buffers[b].0)
        };
        let b = match fit.or_else(grow) {
            Some(b) => b,
            None => {
                buffers.push((0, 0));
                buffers.len() - 1
            }
        };
        buffers[b] = (buffers[b].0.max(need), end);
        owner[r] = b;
    }
    let mut starts = Vec::with_capacity(buffers.len());
    let mut len = 0;
    for &(size, _) in &buffers {
        starts.push(len);
        len += size;
    }
    let offset = (0..n)
        .map(|v| {
            let (r, within) = root(places, v);
            (owner[r] != usize::MAX).then(|| starts[owner[r]] + within)
        })
        .collect();
    Layout { offset, len }
}
