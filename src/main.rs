//! The `convtui` binary: parses the command line and hands off to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use convtui::analysis::Summary;
use convtui::model::Block;
use convtui::preset::{self, BUILTINS, DEFAULT_PRESET};
use convtui::report::{summary_json::summary_doc, table::summary_table};
use convtui::tui;

/// Explore convolutional building blocks and what a 1×1 convolution buys you.
#[derive(Parser)]
#[command(name = "convtui", version, about, long_about = None)]
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
        /// Print the JSON summary document instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// List the built-in presets.
    Presets,
}

/// Which block to open: a file, a built-in preset, or the default preset.
#[derive(Args, Clone, Default)]
struct Source {
    /// A block file in the convtui-block JSON format.
    #[arg(value_name = "FILE", conflicts_with = "preset")]
    file: Option<PathBuf>,
    /// A built-in preset (see `convtui presets`).
    #[arg(long, value_name = "NAME")]
    preset: Option<String>,
}

impl Source {
    fn load(&self) -> Result<(Block, String)> {
        match (&self.file, &self.preset) {
            (Some(path), _) => Ok((preset::load(path)?, path.display().to_string())),
            (None, name) => {
                let name = name.as_deref().unwrap_or(DEFAULT_PRESET);
                Ok((preset::builtin(name)?, format!("preset {name}")))
            }
        }
    }
}

impl Source {
    /// Where the TUI says the block came from, and where it saves it by default.
    fn origin(&self) -> tui::Origin {
        match (&self.file, &self.preset) {
            (Some(path), _) => tui::Origin::File(path.clone()),
            (None, name) => tui::Origin::Preset(name.as_deref().unwrap_or(DEFAULT_PRESET).into()),
        }
    }
}

fn summarize(source: &Source) -> Result<(Block, Summary)> {
    let (block, origin) = source.load()?;
    let summary = Summary::of(&block).with_context(|| origin.clone())?;
    Ok((block, summary))
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Some(Command::Summary { source, json }) => {
            let (block, summary) = summarize(&source)?;
            if json {
                let doc = summary_doc(&block, &summary);
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                print!("{}", summary_table(&block, &summary));
            }
        }
        Some(Command::Presets) => {
            for builtin in BUILTINS {
                let block = preset::builtin(builtin.name)?;
                println!("{:<20} {}", builtin.name, block.description);
            }
        }
        None => {
            let (block, _) = cli.source.load()?;
            // The engine is plugged in here: replace `MissingEngine` with the real `Measurer`.
            tui::run(block, cli.source.origin(), tui::MissingEngine)?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("convtui: error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
