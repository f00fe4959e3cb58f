//! The `convtui` binary: parses the command line and hands off to the library.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

mod cli;

use cli::output::{emit, say};
use cli::source::{Source, parse_input, summarize};

use convtui::analysis::Summary;
use convtui::engine::isa::{self, Fit};
use convtui::engine::simd_path;
use convtui::measure::EngineMeasurer;
use convtui::model::Shape;
use convtui::preset::{self, BUILTINS};
use convtui::report::compare::{CompareReport, Side};
use convtui::report::sheet::{summary_csv, summary_markdown};
use convtui::report::{summary_json::summary_doc, table::summary_table};
use convtui::tui;

/// Explore convolutional building blocks and what a 1×1 convolution buys you.
#[derive(Parser)]
#[command(name = "convtui", version = version(), about, long_about = None, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    source: Source,
}

#[derive(Subcommand)]
enum Command {
    /// Print a block's per-layer table, totals and the comparison without its 1×1 convolutions.
    Summary {
        #[command(flatten)]
        source: Source,
        /// How to print it: a text table, a markdown table, CSV rows or the JSON document.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The same as --format json.
        #[arg(long, conflicts_with = "format")]
        json: bool,
        /// Roll rows up to N levels of nesting: 1 shows the top-level layers, concats and
        /// residuals, each of those with its subtree's params and MACs (the JSON keeps every
        /// row).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        depth: Option<u16>,
    },
    /// Two models side by side: output, params, MACs, activation memory, depth, and the ratios.
    Compare {
        /// A block file or a preset's name.
        #[arg(value_name = "A")]
        a: PathBuf,
        /// A block file or a preset's name.
        #[arg(value_name = "B")]
        b: PathBuf,
        /// Analyse both at this input shape: channels, height, width.
        #[arg(long, value_name = "C,H,W", value_parser = parse_input)]
        input: Option<Shape>,
        /// Print the JSON document instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in presets.
    Presets,
    /// Write a model (an ONNX file, a block file or a preset) as a convtui block file.
    Convert {
        /// An ONNX model, a block file or a preset's name.
        #[arg(value_name = "MODEL")]
        model: PathBuf,
        /// Where to write the block file (JSON).
        #[arg(value_name = "OUT")]
        out: PathBuf,
        /// Write it at this input shape: channels, height, width.
        #[arg(long, value_name = "C,H,W", value_parser = parse_input)]
        input: Option<Shape>,
    },
    /// Time the SIMD engine on a block's 1×1 convolutions, or on one shape.
    Bench(cli::bench::BenchArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Table,
    Markdown,
    Csv,
    Json,
}

/// The version, the engine's path, and what the build leaves behind on this CPU.
fn version() -> &'static str {
    static TEXT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEXT.get_or_init(|| {
        let mut text = format!("{} (engine: {})", env!("CARGO_PKG_VERSION"), simd_path());
        if let Some(note) = isa::this_build().note() {
            text.push_str(&format!("\nnote: {note}"));
        }
        text
    })
}

fn default_threads() -> usize {
    cli::bench::cores()
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Summary {
            source,
            format,
            json,
            depth,
        }) => {
            let (block, summary) = summarize(&source)?;
            let depth = depth.map(usize::from);
            let format = if json { Format::Json } else { format };
            emit(&match format {
                Format::Json => {
                    let doc = summary_doc(&block, &summary);
                    format!("{}\n", serde_json::to_string_pretty(&doc)?)
                }
                Format::Table => summary_table(&block, &summary, depth),
                Format::Markdown => summary_markdown(&block, &summary, depth),
                Format::Csv => summary_csv(&summary, depth),
            })?;
        }
        Some(Command::Compare { a, b, input, json }) => {
            let side = |path: PathBuf| -> Result<Side> {
                let source = Source {
                    file: Some(path),
                    preset: None,
                    input,
                };
                let (block, origin) = source.load()?;
                let summary = Summary::of(&block).with_context(|| origin.clone())?;
                Ok(Side::of(&block, &origin, &summary.block.totals))
            };
            let report = CompareReport::new(side(a)?, side(b)?);
            if json {
                emit(&format!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                emit(&report.to_table())?;
            }
        }
        Some(Command::Convert { model, out, input }) => {
            let source = Source {
                file: Some(model),
                preset: None,
                input,
            };
            let (block, summary) = summarize(&source)?;
            if out.exists() && source.file.as_deref() == Some(out.as_path()) {
                anyhow::bail!(
                    "{}: the output would replace the model it is read from",
                    out.display()
                );
            }
            preset::save(&block, &out)?;
            let t = &summary.block.totals;
            say(&format!(
                "wrote {} ({} layers, {} params, {} MACs)",
                out.display(),
                t.layers,
                t.params(),
                t.macs
            ));
        }
        Some(Command::Presets) => {
            let width = BUILTINS.iter().map(|b| b.name.len()).max().unwrap_or(0);
            let mut list = String::new();
            for builtin in BUILTINS {
                let about = builtin.description();
                list.push_str(&format!("{:<width$}  {about}\n", builtin.name));
            }
            emit(&list)?;
        }
        Some(Command::Bench(args)) => cli::bench::run(args)?,
        None => {
            let (block, _) = cli.source.load()?;
            let engine = EngineMeasurer::new(default_threads());
            tui::run(block, cli.source.origin(), engine)?;
        }
    }
    Ok(())
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

fn main() -> ExitCode {
    // First, before any of the engine's instructions run: a build for features this CPU lacks
    // would die of SIGILL with no word.
    let fit = isa::this_build();
    if let (Fit::Missing { .. }, Some(note)) = (&fit, fit.note()) {
        say(&format!("error: {note}"));
        return ExitCode::FAILURE;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version: print as clap formats them; output that could not be
            // written is a failure, not a success with nothing to show.
            let written = write!(std::io::stdout(), "{}", error.render())
                .and_then(|()| std::io::stdout().flush());
            return if written.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        Err(error) => {
            // One line, as for every other error; `--help` has the rest.
            let text = error.render().to_string();
            let reason = text.lines().next().unwrap_or("invalid arguments");
            let reason = reason.strip_prefix("error: ").unwrap_or(reason);
            let mut args = std::env::args().skip(1);
            let pointer = if args.any(|a| a == "--json") && reason.contains("--json") {
                " (--json goes with a subcommand: `convtui summary --json`)"
            } else {
                " (see `convtui --help`)"
            };
            say(&format!("error: {reason}{pointer}"));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            say(&format!("error: {error:#}"));
            ExitCode::FAILURE
        }
    }
}
