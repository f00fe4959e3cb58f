//! Errors reading and writing block files, each naming the file and, for syntax, line:column.

use std::io;

#[derive(Debug, thiserror::Error)]
pub enum PresetError {
    // The I/O error is part of the message, not a `source`, so that a cause chain printed
    // with it (anyhow's `{:#}`) does not say it twice.
    #[error("{file}: cannot read: {error}")]
    Read { file: String, error: io::Error },
    #[error("{file}:{line}:{column}: {message}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Invalid { file: String, message: String },
    #[error("{file}: larger than {limit} bytes, the most a block file may be")]
    TooLarge { file: String, limit: u64 },
    #[error("{file}: cannot write: {error}")]
    Write { file: String, error: io::Error },
    #[error("no preset named \"{name}\"; the built-in presets are {known}")]
    UnknownPreset { name: String, known: String },
}

impl PresetError {
    pub fn from_json(file: &str, error: &serde_json::Error) -> PresetError {
        let text = error.to_string();
        // serde_json appends " at line L column C"; the location goes in front instead.
        let mut message = match text.rfind(" at line ") {
            Some(at) => text[..at].to_string(),
            None => text,
        };
        if message == "recursion limit exceeded" {
            message = format!(
                "nested too deeply (at most {} concats or residuals inside each other)",
                crate::model::MAX_NESTING
            );
        }
        // serde quotes unknown keys and values as they are in the file, control characters
        // and all: escaped, and cut where a key runs for megabytes.
        let message = crate::model::printable_within(&message, 1_000).into_owned();
        PresetError::Json {
            file: file.to_string(),
            line: error.line(),
            column: error.column(),
            message,
        }
    }
}
