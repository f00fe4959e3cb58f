//! Blocks as JSON: the file format, the built-in presets (embedded from `presets/`), and loading
//! and saving with errors that say what and where.

mod convert;
mod error;
mod format;
mod kind_json;
mod layer_json;
mod object_json;
mod pair_json;

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

pub use error::PresetError;
pub use format::{FORMAT, VERSION};

use crate::atomic_write::write_atomically;
use crate::import::onnx;
use crate::model::Block;

/// A block that ships with convtui.
#[derive(Debug, Clone, Copy)]
pub struct Builtin {
    pub name: &'static str,
    pub json: &'static str,
}

/// The blocks first, then whole networks.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "inception3a",
        json: include_str!("../../presets/inception3a.json"),
    },
    Builtin {
        name: "resnet_bottleneck",
        json: include_str!("../../presets/resnet_bottleneck.json"),
    },
    Builtin {
        name: "nin",
        json: include_str!("../../presets/nin.json"),
    },
    Builtin {
        name: "resnet_downsample",
        json: include_str!("../../presets/resnet_downsample.json"),
    },
    Builtin {
        name: "mobilenet_separable",
        json: include_str!("../../presets/mobilenet_separable.json"),
    },
    Builtin {
        name: "squeezenet_fire",
        json: include_str!("../../presets/squeezenet_fire.json"),
    },
    Builtin {
        name: "googlenet",
        json: include_str!("../../presets/googlenet.json"),
    },
    Builtin {
        name: "alexnet",
        json: include_str!("../../presets/alexnet.json"),
    },
    Builtin {
        name: "vgg16",
        json: include_str!("../../presets/vgg16.json"),
    },
    Builtin {
        name: "resnet50",
        json: include_str!("../../presets/resnet50.json"),
    },
    Builtin {
        name: "resnet152",
        json: include_str!("../../presets/resnet152.json"),
    },
    Builtin {
        name: "squeezenet1_0",
        json: include_str!("../../presets/squeezenet1_0.json"),
    },
    Builtin {
        name: "mobilenet_v1",
        json: include_str!("../../presets/mobilenet_v1.json"),
    },
    Builtin {
        name: "mobilenet_v2",
        json: include_str!("../../presets/mobilenet_v2.json"),
    },
    Builtin {
        name: "nin_cifar10",
        json: include_str!("../../presets/nin_cifar10.json"),
    },
];

impl Builtin {
    /// The preset's one-line description, read from its JSON once per process (the picker
    /// shows them on every frame it is open).
    pub fn description(&self) -> &'static str {
        static DESCRIPTIONS: OnceLock<Vec<String>> = OnceLock::new();
        let all = DESCRIPTIONS.get_or_init(|| {
            BUILTINS
                .iter()
                .map(|b| parse(b.json, b.name).map_or_else(|e| e.to_string(), |b| b.description))
                .collect()
        });
        BUILTINS
            .iter()
            .position(|b| b.name == self.name)
            .and_then(|i| all.get(i))
            .map_or("", String::as_str)
    }
}

/// The preset `convtui` opens when given nothing.
pub const DEFAULT_PRESET: &str = "inception3a";

pub fn builtin(name: &str) -> Result<Block, PresetError> {
    let found = BUILTINS.iter().find(|b| b.name == name).ok_or_else(|| {
        let known: Vec<_> = BUILTINS.iter().map(|b| b.name).collect();
        PresetError::UnknownPreset {
            name: name.to_string(),
            known: known.join(", "),
        }
    })?;
    parse(found.json, &format!("preset {}", found.name))
}

/// Parses a block from JSON text; `source` names it in errors (a path, or "preset NAME").
pub fn parse(text: &str, source: &str) -> Result<Block, PresetError> {
    // Editors on Windows often start UTF-8 files with a byte-order mark, which JSON forbids.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let object_json::Object::<format::BlockJson>(json) =
        serde_json::from_str(text).map_err(|e| PresetError::from_json(source, &e))?;
    // The reader's messages quote what the file says (its format string, a kind): escaped.
    convert::block_from_json(json).map_err(|message| PresetError::Invalid {
        file: source.to_string(),
        message: crate::model::printable_within(&message, 1_000).into_owned(),
    })
}

/// The largest block file read: a hand-written block is a few KiB and a whole network a few
/// hundred; the limit keeps `/dev/zero` or a wrong multi-gigabyte file from eating memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

pub fn load(path: &Path) -> Result<Block, PresetError> {
    let file = path.display().to_string();
    let read_error = |error| PresetError::Read {
        file: file.clone(),
        error,
    };
    // Only a regular file: opening a FIFO would block until something writes to it (the TUI
    // froze on one), and a directory or a device is no block file either.
    let kind = std::fs::metadata(path).map_err(read_error)?.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a directory"
        } else if is_fifo(&kind) {
            "a FIFO (named pipe)"
        } else {
            "not a regular file"
        };
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{what}; a block file is a regular JSON file"),
        )));
    }
    let mut file_handle = std::fs::File::open(path).map_err(read_error)?;
    let mut head = [0u8; 16];
    let got = read_head(&mut file_handle, &mut head).map_err(read_error)?;
    let extension = path.extension().and_then(|e| e.to_str());
    if got > 0 && onnx::looks_like_onnx(&head[..got], extension) {
        return load_onnx(&file_handle, path, &file);
    }
    let mut bytes = head[..got].to_vec();
    file_handle
        .take(MAX_FILE_BYTES + 1 - got as u64)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(PresetError::TooLarge {
            file,
            limit: MAX_FILE_BYTES,
        });
    }
    parse_bytes(&bytes, &file)
}

/// Parses a block from the bytes of a block file; `source` names it in errors.
pub fn parse_bytes(bytes: &[u8], source: &str) -> Result<Block, PresetError> {
    let text = std::str::from_utf8(bytes).map_err(|e| not_utf8(source, bytes, e))?;
    parse(text, source)
}

/// Where the first byte that is not UTF-8 stands, as line:column like any other syntax error.
fn not_utf8(file: &str, bytes: &[u8], error: std::str::Utf8Error) -> PresetError {
    let valid = &bytes[..error.valid_up_to()];
    let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    // Everything before the fault is valid, so its characters can be counted.
    let column = String::from_utf8_lossy(&valid[line_start..])
        .chars()
        .count()
        + 1;
    PresetError::Json {
        file: file.to_string(),
        line: valid.iter().filter(|&&b| b == b'\n').count() + 1,
        column,
        message: format!(
            "byte 0x{:02x} is not UTF-8; a block file is UTF-8 JSON text",
            bytes[error.valid_up_to()]
        ),
    }
}

/// Reads up to `head.len()` bytes, fewer only at the end of the file.
fn read_head(file: &mut std::fs::File, head: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < head.len() {
        match file.read(&mut head[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

/// An ONNX model, mapped rather than read: the weights it holds are never copied, and only
/// the pages the decoder walks over are touched.
fn load_onnx(handle: &std::fs::File, path: &Path, file: &str) -> Result<Block, PresetError> {
    // SAFETY: the map is read while the model is decoded, then dropped with the bytes that
    // borrow it (every `raw_data` slice is dropped with the decoded model). A file changed by
    // another process meanwhile could give garbage that fails to decode, as any read could.
    let map = unsafe { memmap2::Mmap::map(handle) }.map_err(|error| PresetError::Read {
        file: file.to_string(),
        error,
    })?;
    let stem = path
        .file_stem()
        .map_or_else(|| "model".into(), |s| s.to_string_lossy().into_owned());
    onnx::read(bytes::Bytes::from_owner(map), &stem).map_err(|error| PresetError::Invalid {
        file: file.to_string(),
        message: error.to_string(),
    })
}

#[cfg(unix)]
fn is_fifo(kind: &std::fs::FileType) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(kind)
}

#[cfg(not(unix))]
fn is_fifo(_: &std::fs::FileType) -> bool {
    false
}

/// The block as pretty-printed JSON in the block format, ending with a newline.
pub fn to_json(block: &Block) -> String {
    let mut text = serde_json::to_string_pretty(&convert::block_to_json(block))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}

pub fn save(block: &Block, path: &Path) -> Result<(), PresetError> {
    write_atomically(path, to_json(block).as_bytes()).map_err(|error| PresetError::Write {
        file: path.display().to_string(),
        error,
    })
}
