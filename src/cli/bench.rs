//! `convtui bench`: the 1×1 layers (or one shape) timed, and with `--whole` the block and its
//! counterpart; long runs say how far they have got on stderr.

use anyhow::{Context, Result};
use clap::Args;

use convtui::engine::PointwiseShape;
use convtui::measure::whole::run_whole;
use convtui::measure::{BenchShape, Budget, block_shapes, run_bench};
use convtui::report::bench::BenchReport;
use convtui::report::whole::{VerifyReport, WholeReport};

use super::output::{emit, say};
use super::progress::Ticker;
use super::source::{Source, summarize};

#[derive(Args)]
pub struct BenchArgs {
    #[command(flatten)]
    source: Source,
    /// One shape instead of a block: input channels, output channels, height, width.
    #[arg(
            long,
            value_name = "C_IN,C_OUT,H,W",
            value_parser = parse_pointwise,
            allow_hyphen_values = true,
            conflicts_with_all = ["file", "preset"]
        )]
    pointwise: Option<PointwiseShape>,
    /// Threads to run the engine on (default: every core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,
    /// Print the JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Also run the whole block and its counterpart without 1×1 convolutions, and time
    /// them side by side.
    #[arg(long, conflicts_with = "pointwise")]
    whole: bool,
    /// With --whole: print each layer's share of the time.
    #[arg(long, requires = "whole")]
    layers: bool,
    /// With --whole: also run the scalar reference on the same input and print the largest
    /// error.
    #[arg(long, requires = "whole")]
    verify: bool,
}

pub fn run(args: BenchArgs) -> Result<()> {
    let BenchArgs {
        source,
        pointwise,
        threads,
        json,
        whole,
        layers,
        verify,
    } = args;
    let threads = threads.map_or_else(cores, usize::from);
    if let Some(warning) = threads_warning(threads, cores()) {
        say(&format!("warning: {warning}"));
    }
    let shapes = match pointwise {
        Some(shape) => vec![BenchShape { name: None, shape }],
        // A block without 1×1 layers still runs whole.
        None if whole => bench_shapes(&source).unwrap_or_default(),
        None => bench_shapes(&source)?,
    };
    let ticker = Ticker::start("probing this machine's FMA peak");
    let run = run_bench(&shapes, threads, Budget::default(), &|p| {
        let name = match &p.shape.name {
            Some(name) => format!("{name} ({})", p.shape.shape),
            None => p.shape.shape.to_string(),
        };
        let step = match p.runs {
            0 => "warming up".to_string(),
            n => format!("{n} run{} timed", if n == 1 { "" } else { "s" }),
        };
        ticker.doing(format!(
            "timing {name}, shape {} of {}: {step}",
            p.index, p.of
        ));
    })?;
    drop(ticker);
    if let Some(note) = &run.build_note {
        say(&format!("note: {note}"));
    }
    for warning in run.above_peak() {
        say(&format!("warning: {warning}"));
    }
    let mut report = BenchReport::of(&run);
    if whole {
        let (block, summary) = summarize(&source)?;
        let _ticker = Ticker::start(&format!(
            "timing {} whole and without its 1×1 convolutions",
            block.name
        ));
        let measured = run_whole(&block, &summary, threads, Budget::whole(), verify, &|| {
            false
        })
        .with_context(|| format!("running {} whole", block.name))?;
        report.whole = Some(WholeReport::of(&measured, run.peak.gflops));
        report.verify = VerifyReport::of(&measured);
    }
    if json {
        emit(&format!("{}\n", report.to_json()?))?;
    } else {
        let mut text = report.to_table();
        if let Some(w) = &report.whole {
            text.push_str(&w.to_table(layers));
        }
        if let Some(v) = &report.verify {
            text.push_str(&v.to_table());
        }
        emit(&text)?;
    }
    if let Some(v) = &report.verify
        && v.max_rel_error > v.tolerance
    {
        anyhow::bail!(
            "the engine's output differs from the reference by {:.3e} (relative), over the tolerance {:.0e}",
            v.max_rel_error,
            v.tolerance
        );
    }
    Ok(())
}

fn parse_pointwise(text: &str) -> Result<PointwiseShape, String> {
    let dims: Vec<usize> = text
        .split(',')
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected four positive integers C_IN,C_OUT,H,W: {e}"))?;
    let [c_in, c_out, h, w] = dims[..] else {
        return Err(format!(
            "expected four positive integers C_IN,C_OUT,H,W, got {}",
            dims.len()
        ));
    };
    let shape = PointwiseShape::new(c_in, c_out, h, w);
    shape.check().map_err(|e| e.to_string())?;
    Ok(shape)
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// More threads than cores time the cores sharing them out, not a faster engine.
fn threads_warning(threads: usize, cores: usize) -> Option<String> {
    (threads > cores).then(|| {
        format!(
            "--threads {threads} is more than the {cores} core{} this machine gives convtui: \
             the threads take turns on them, so the figures are no faster, and the peak is \
             probed on {cores}",
            if cores == 1 { "" } else { "s" }
        )
    })
}

/// The 1×1 layers of a block, as the engine will time them; those left out are named on stderr.
fn bench_shapes(source: &Source) -> Result<Vec<BenchShape>> {
    let (block, summary) = summarize(source)?;
    let (shapes, note) =
        block_shapes(&block.name, &summary.block.pointwise_layers()).map_err(anyhow::Error::msg)?;
    if let Some(note) = note {
        say(&note);
    }
    Ok(shapes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_past_the_cores_are_warned_about() {
        assert_eq!(threads_warning(2, 2), None);
        let warning = threads_warning(1024, 2).unwrap();
        assert!(
            warning.starts_with("--threads 1024 is more than the 2 cores"),
            "{warning}"
        );
        assert!(threads_warning(2, 1).unwrap().contains("the 1 core this"));
    }
}
