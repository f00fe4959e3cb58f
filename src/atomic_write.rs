//! Writing a file so that a crash or a full disk never leaves half of it: write a temporary file
//! beside the target, flush it to disk, then rename it over the target. A symlink is written
//! through (its target is replaced, the link kept), an existing file keeps its permissions, a
//! read-only one is refused, and the temporary files of a save that was killed are removed by
//! the next one.

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Marks convtui's temporary files: `.NAME.convtui-PID.tmp`.
const TEMP_MARK: &str = ".convtui-";

pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    let path = &resolve(path)?;
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory; give a file name",
        ));
    }
    let existing = fs::metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.permissions().readonly())
    {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            "the file is read-only; convtui does not replace it (save under another name)",
        ));
    }
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    remove_leftovers(dir, file_name);
    let temp = dir.join(temp_name(file_name, std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&temp)?;
        if let Some(meta) = &existing {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        // The rename itself reaches the disk with the directory.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// The file a path writes to: through symlinks, to the file they point at.
fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..32 {
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let target = fs::read_link(&path)?;
                path = match path.parent() {
                    Some(parent) if target.is_relative() => parent.join(target),
                    _ => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn temp_name(file_name: &std::ffi::OsStr, pid: u32) -> OsString {
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!("{TEMP_MARK}{pid}.tmp"));
    name
}

/// Removes the temporaries an earlier save of this file left when it was killed: those whose
/// process is gone (where that can be told; elsewhere they are left alone).
fn remove_leftovers(dir: &Path, file_name: &std::ffi::OsStr) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut prefix = OsString::from(".");
    prefix.push(file_name);
    prefix.push(TEMP_MARK);
    let prefix = prefix.to_string_lossy().into_owned();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !process_alive(pid) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(target_os = "linux")]
fn process_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

#[cfg(not(target_os = "linux"))]
fn process_alive(_: u32) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("convtui-aw-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn replaces_the_file_and_leaves_no_temporary() {
        let dir = scratch("replace");
        let target = dir.join("out.json");
        write_atomically(&target, b"one").unwrap();
        write_atomically(&target, b"two").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"two");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_directory_is_an_error_not_a_panic() {
        let target = Path::new("/nonexistent-convtui-dir/out.json");
        assert!(write_atomically(target, b"x").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn permissions_links_read_only_files_and_leftovers() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = scratch("unix");
        // A private file stays private.
        let private = dir.join("private.json");
        fs::write(&private, b"old").unwrap();
        fs::set_permissions(&private, fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&private, b"new").unwrap();
        let mode = fs::metadata(&private).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // A symlink is written through: the link stays, its target changes.
        let link = dir.join("link.json");
        symlink("private.json", &link).unwrap();
        write_atomically(&link, b"through").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&private).unwrap(), b"through");
        // A read-only file is refused, and left as it was.
        let read_only = dir.join("ro.json");
        fs::write(&read_only, b"keep").unwrap();
        fs::set_permissions(&read_only, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomically(&read_only, b"x").unwrap_err();
        assert!(err.to_string().contains("read-only"), "{err}");
        assert_eq!(fs::read(&read_only).unwrap(), b"keep");
        // A killed save's temporary (a process that no longer runs) is cleaned up.
        let leftover = dir.join(temp_name(std::ffi::OsStr::new("out.json"), u32::MAX - 1));
        fs::write(&leftover, b"half").unwrap();
        write_atomically(&dir.join("out.json"), b"whole").unwrap();
        assert!(!leftover.exists());
        fs::set_permissions(&read_only, fs::Permissions::from_mode(0o644)).unwrap();
        fs::remove_dir_all(&dir).unwrap();
    }
}
