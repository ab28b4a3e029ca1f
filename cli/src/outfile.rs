//! `--outfile`: a streamed response body written so that the path holds either the whole,
//! verified body or nothing new. The bytes go to a temporary file in the same directory (same
//! file system, so the final rename is atomic), which is renamed over the path only when the body
//! ended complete and matched its checksum; on any failure the temporary file is removed and the
//! path is left as it was.

use std::io;
use std::path::{Path, PathBuf};

use sansboto_core::{Error, TransportError};

use crate::output::Failure;

/// Write `body` to `path` through a temporary sibling file.
pub(crate) fn write_outfile(body: &mut impl io::Read, path: &str) -> Result<(), Failure> {
    let target = Path::new(path);
    let (temp, mut file) = create_temp_beside(target)
        .map_err(|e| Failure::client("OutputError", format!("--outfile {path}: {e}")))?;
    // io::copy moves the body through a fixed buffer: constant memory.
    let copied = io::copy(body, &mut file).and_then(|_| file.sync_all());
    drop(file);
    let outcome = match copied {
        Ok(()) => std::fs::rename(&temp, target)
            .map_err(|e| Failure::client("OutputError", format!("--outfile {path}: {e}"))),
        Err(e) => Err(read_failure(e, path)),
    };
    if outcome.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    outcome
}

/// A new, empty temporary file next to `target` (never one that exists already).
fn create_temp_beside(target: &Path) -> io::Result<(PathBuf, std::fs::File)> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?
        .to_string_lossy();
    let mut attempt = 0u32;
    loop {
        let temp = dir.join(format!(
            ".{name}.sansboto-{}-{attempt}.part",
            std::process::id()
        ));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
        {
            Ok(file) => return Ok((temp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}

/// The failure of reading (or writing) the body: the transport's own error when the body broke
/// (cut off, checksum mismatch), so the command reports it as it reports any call error.
fn read_failure(e: io::Error, path: &str) -> Failure {
    let message = e.to_string();
    match e
        .into_inner()
        .map(|inner| inner.downcast::<TransportError>())
    {
        Some(Ok(transport)) => Failure::from(Error::from(*transport)),
        _ => Failure::client("OutputError", format!("writing {path}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Broken(usize);

    impl io::Read for Broken {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    TransportError::new(sansboto_core::TransportErrorKind::Io, "body cut off"),
                ));
            }
            let n = self.0.min(buf.len());
            buf[..n].fill(b'x');
            self.0 -= n;
            Ok(n)
        }
    }

    fn dir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("sansboto-outfile-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_complete_body_replaces_the_file() {
        let d = dir("ok");
        let path = d.join("out.bin");
        std::fs::write(&path, b"old").unwrap();
        write_outfile(&mut &b"new bytes"[..], path.to_str().unwrap()).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new bytes");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_broken_body_leaves_the_old_file_and_no_temporary() {
        let d = dir("broken");
        let path = d.join("out.bin");
        std::fs::write(&path, b"old").unwrap();
        let err = write_outfile(&mut Broken(100_000), path.to_str().unwrap()).unwrap_err();
        assert!(format!("{err:?}").contains("body cut off"), "{err:?}");
        assert!(format!("{err:?}").contains("HttpError"), "{err:?}");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary file left"
        );
    }
}
