//! Tab in a path prompt, as a shell completes: the entries of the directory typed so far that
//! start with the last part; one fills in (a directory with its `/`, to go on into it),
//! several fill in what they share and a few are listed. The directory shown in the prompt,
//! shortened with `~` and a leading `…`, is where relative paths start.

use std::path::{Path, PathBuf};

/// How many entries of one directory are read at most: a huge directory must not freeze the
/// prompt.
const MAX_ENTRIES: usize = 10_000;

/// How many candidates the prompt lists.
const LISTED: usize = 6;

/// What Tab did: the new text, and the line that says what it found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    pub note: String,
}

/// Completes `text`, a path relative to `base` (or absolute, or from `~/` under `home`).
pub fn complete(text: &str, base: &Path, home: Option<&Path>) -> Completion {
    let (dir_part, prefix) = match text.rfind('/') {
        Some(at) => text.split_at(at + 1),
        None => ("", text),
    };
    let dir = match (dir_part.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ if dir_part.is_empty() => base.to_path_buf(),
        _ => base.join(dir_part),
    };
    let mut names = candidates(&dir, prefix);
    names.sort();
    let unchanged = |note: String| Completion {
        text: text.to_string(),
        note,
    };
    match names.as_slice() {
        [] => unchanged(format!("nothing here starts with \"{prefix}\"")),
        [only] => Completion {
            text: format!("{dir_part}{only}"),
            note: String::new(),
        },
        several => {
            let shared = common_prefix(several);
            let mut listed: Vec<&str> = several.iter().take(LISTED).map(String::as_str).collect();
            let more = several.len().saturating_sub(LISTED);
            let extra = format!("(+{more} more)");
            if more > 0 {
                listed.push(&extra);
            }
            Completion {
                text: format!("{dir_part}{shared}"),
                note: crate::model::printable(&listed.join("  ")).into_owned(),
            }
        }
    }
}

/// The names in `dir` that start with `prefix`, directories ending in `/`; hidden ones only
/// when the prefix asks for them.
fn candidates(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .take(MAX_ENTRIES)
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let wanted =
                name.starts_with(prefix) && (prefix.starts_with('.') || !name.starts_with('.'));
            if !wanted {
                return None;
            }
            // Through a symlink, as opening it would.
            let is_dir = entry.path().is_dir();
            Some(if is_dir { format!("{name}/") } else { name })
        })
        .collect()
}

fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    let mut shared: Vec<char> = first.chars().collect();
    for name in &names[1..] {
        let same = shared
            .iter()
            .zip(name.chars())
            .take_while(|(a, b)| **a == *b)
            .count();
        shared.truncate(same);
    }
    shared.into_iter().collect()
}

/// `dir` as the prompt shows it: under the home directory as `~/…`, and past `width`
/// characters only its last components after a leading `…`.
pub fn shown_dir(dir: &Path, home: Option<&Path>, width: usize) -> String {
    let text = match home.and_then(|home| dir.strip_prefix(home).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Some(rest) => format!("~/{}", rest.display()),
        None => dir.display().to_string(),
    };
    let text = crate::model::printable(&text).into_owned();
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text;
    }
    let tail: String = chars[chars.len() - width.saturating_sub(1)..]
        .iter()
        .collect();
    // Start the tail at a component, so no directory's name is shown cut.
    match tail.find('/') {
        Some(at) if at + 1 < tail.len() => format!("…{}", &tail[at..]),
        _ => format!("…{tail}"),
    }
}

/// The directory relative paths start from, if it can be read.
pub fn current_dir() -> Option<PathBuf> {
    std::env::current_dir().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("convtui-complete-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("models")).unwrap();
        for file in ["resnet.json", "resnet.onnx", "vgg.json", ".hidden.json"] {
            std::fs::write(dir.join(file), "{}").unwrap();
        }
        std::fs::write(dir.join("models/nin.json"), "{}").unwrap();
        dir
    }

    #[test]
    fn one_match_fills_in_and_several_fill_what_they_share() {
        let dir = scratch("fill");
        let done = |text: &str| complete(text, &dir, None);
        assert_eq!(done("v").text, "vgg.json");
        assert_eq!(done("mo").text, "models/");
        assert_eq!(done("models/").text, "models/nin.json");
        let several = done("res");
        assert_eq!(several.text, "resnet.");
        assert_eq!(several.note, "resnet.json  resnet.onnx");
        assert_eq!(done(".h").text, ".hidden.json");
        assert!(
            !done("").note.contains("hidden"),
            "hidden files only when asked for"
        );
        let none = done("zzz");
        assert_eq!(none.text, "zzz");
        assert!(none.note.contains("nothing"));
        assert_eq!(complete("nowhere/x", &dir, None).text, "nowhere/x");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_directory_is_shortened_with_a_tilde_and_a_leading_ellipsis() {
        let home = Path::new("/home/ada");
        let dir = Path::new("/home/ada/work/convtui/models");
        assert_eq!(shown_dir(dir, Some(home), 40), "~/work/convtui/models");
        assert_eq!(shown_dir(home, Some(home), 40), "~");
        assert_eq!(shown_dir(dir, None, 40), "/home/ada/work/convtui/models");
        assert_eq!(shown_dir(dir, Some(home), 16), "…/convtui/models");
    }
}
