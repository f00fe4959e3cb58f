//! The binary's choice of block: a file (a block file or an ONNX model), a preset by name,
//! or the default preset, at the `--input` shape if one is given; and, for a name that is
//! neither, the subcommand or preset it was probably meant to be.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use convtui::analysis::Summary;
use convtui::model::{Block, MAX_CHANNELS, MAX_SPATIAL, Shape, edit_distance};
use convtui::preset::{self, BUILTINS, DEFAULT_PRESET};
use convtui::tui;

/// Which block to open: a file, a built-in preset, or the default preset.
#[derive(Args, Clone, Default)]
pub struct Source {
    /// A block file in the convtui-block JSON format, or a preset's name.
    #[arg(value_name = "FILE", conflicts_with = "preset")]
    pub file: Option<PathBuf>,
    /// A built-in preset (see `convtui presets`).
    #[arg(long, value_name = "NAME")]
    pub preset: Option<String>,
    /// Analyse at another input shape: channels, height, width (e.g. 3,112,112).
    #[arg(long, value_name = "C,H,W", value_parser = parse_input)]
    pub input: Option<Shape>,
}

pub fn parse_input(text: &str) -> Result<Shape, String> {
    let dims: Vec<usize> = text
        .split([',', 'x', '×'])
        .map(|part| part.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("expected three positive integers C,H,W: {e}"))?;
    let [c, h, w] = dims[..] else {
        return Err(format!(
            "expected three positive integers C,H,W, got {}",
            dims.len()
        ));
    };
    if c == 0 || h == 0 || w == 0 {
        return Err("C, H and W must each be at least 1".into());
    }
    if c > MAX_CHANNELS || h > MAX_SPATIAL || w > MAX_SPATIAL {
        return Err(format!(
            "at most {MAX_CHANNELS} channels and {MAX_SPATIAL}×{MAX_SPATIAL} pixels"
        ));
    }
    Ok(Shape::new(c, h, w))
}

impl Source {
    /// A bare name that is no file but a preset's means the preset (`convtui summary resnet50`).
    fn preset_name(&self) -> Option<&str> {
        match (&self.file, &self.preset) {
            (Some(path), _) if !path.exists() => {
                let name = path.to_str()?;
                BUILTINS.iter().any(|b| b.name == name).then_some(name)
            }
            (Some(_), _) => None,
            (None, name) => Some(name.as_deref().unwrap_or(DEFAULT_PRESET)),
        }
    }

    /// The block (at the `--input` shape, if given), and how messages name where it came from.
    pub fn load(&self) -> Result<(Block, String)> {
        let (mut block, origin) = match (self.preset_name(), &self.file) {
            (None, Some(path)) if !path.exists() => {
                anyhow::bail!(
                    "{}: cannot read: No such file, nor a preset of that name{}",
                    path.display(),
                    suggest(path)
                )
            }
            (None, Some(path)) => (preset::load(path)?, path.display().to_string()),
            (name, _) => {
                let name = name.unwrap_or(DEFAULT_PRESET);
                (preset::builtin(name)?, format!("preset {name}"))
            }
        };
        if let Some(input) = self.input {
            block.input = input;
        }
        Ok((block, origin))
    }

    /// Where the TUI says the block came from, and where it saves it by default.
    pub fn origin(&self) -> tui::Origin {
        match (self.preset_name(), &self.file) {
            (Some(name), _) => tui::Origin::Preset(name.into()),
            (None, Some(path)) => tui::Origin::File(path.clone()),
            (None, None) => tui::Origin::Preset(DEFAULT_PRESET.into()),
        }
    }
}

/// For a name that is no file: the subcommand or preset it is one or two letters away from.
fn suggest(path: &std::path::Path) -> String {
    let Some(name) = path.to_str() else {
        return String::new();
    };
    const COMMANDS: [&str; 5] = ["summary", "presets", "bench", "compare", "convert"];
    if let Some(command) = COMMANDS.iter().find(|c| edit_distance(c, name) <= 2) {
        return format!("; did you mean `convtui {command}`?");
    }
    match BUILTINS.iter().find(|b| edit_distance(b.name, name) <= 2) {
        Some(b) => format!("; did you mean the preset {}?", b.name),
        None => " (`convtui presets` lists the presets)".into(),
    }
}

pub fn summarize(source: &Source) -> Result<(Block, Summary)> {
    let (block, origin) = source.load()?;
    let summary = Summary::of(&block).with_context(|| origin.clone())?;
    Ok((block, summary))
}
