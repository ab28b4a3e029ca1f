//! The local file work every transport does for the core's machines, written once: writing a
//! file the way a credential cache must be written (`Transport::write_file`: never half-written,
//! readable by its owner only), and the file operations of S3 transfers (`Transport::file_job`,
//! `Transport::write_file_at`), and opening a request body's file range for one sending
//! ([`open_range`]). All blocking; async transports call them on a thread that may block.

/// Create the directory, write a temporary file beside `path` (readable by its owner only, like
/// botocore's `mkstemp`), flush it to disk, and rename it over `path`; on failure the temporary
/// file is removed and `path` is left as it was.
pub fn write_file_atomically(path: &std::path::Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no file name"))?;
    // Unique in the process too: two writers of one file (two sessions saving one cached
    // role) must not share a temporary file.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(".{}.{n}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temp).and_then(|mut file| {
        file.write_all(contents)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Do a local file operation an S3 transfer asks for (`Transport::file_job`); a file that is not
/// there is an answer (`None`, or done for a removal), not an error. Blocking.
pub fn run_file_job(
    job: sansboto_core::transfer::FileJob,
) -> std::io::Result<sansboto_core::transfer::FileOutput> {
    use sansboto_core::transfer::{FileJob, FileOutput};
    use std::io::ErrorKind::NotFound;
    Ok(match job {
        FileJob::Len(path) => match std::fs::metadata(path) {
            Ok(m) => FileOutput::Len(Some(m.len())),
            Err(e) if e.kind() == NotFound => FileOutput::Len(None),
            Err(e) => return Err(e),
        },
        FileJob::Read(path) => match std::fs::read(path) {
            Ok(b) => FileOutput::Contents(Some(b.into())),
            Err(e) if e.kind() == NotFound => FileOutput::Contents(None),
            Err(e) => return Err(e),
        },
        FileJob::Write(path, contents) => {
            write_file_atomically(&path, &contents)?;
            FileOutput::Done
        }
        FileJob::SetLen(path, len) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)?;
            file.set_len(len)?;
            FileOutput::Done
        }
        FileJob::Rename(from, to) => {
            std::fs::rename(from, to)?;
            FileOutput::Done
        }
        FileJob::Remove(path) => match std::fs::remove_file(path) {
            Ok(()) => FileOutput::Done,
            Err(e) if e.kind() == NotFound => FileOutput::Done,
            Err(e) => return Err(e),
        },
        FileJob::Checksum(path, offset, len, algorithm) => {
            let hasher = sansboto_core::Checksum::new(algorithm);
            FileOutput::Checksum(checksum_range(&path, offset, len, hasher)?)
        }
        FileJob::Md5(path, offset, len) => {
            let hasher = sansboto_core::Checksum::md5();
            FileOutput::Checksum(checksum_range(&path, offset, len, hasher)?)
        }
        _ => return Err(std::io::ErrorKind::Unsupported.into()),
    })
}

/// `hasher` over `len` bytes of the file at `path` from `offset`, read a piece at a time; a
/// file shorter than that is an `UnexpectedEof` error.
fn checksum_range(
    path: &std::path::Path,
    offset: u64,
    len: u64,
    mut hasher: sansboto_core::Checksum,
) -> std::io::Result<sansboto_core::ChecksumValue> {
    use std::io::{Read, Seek};
    let mut file = std::fs::File::open(path)?;
    file.seek(std::io::SeekFrom::Start(offset))?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut left = len;
    while left > 0 {
        let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let n = file.read(&mut buf[..want])?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        hasher.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(hasher.finalize())
}

/// Write `data` into the existing file at `path` at `offset` (a downloaded range:
/// `Transport::write_file_at`). Blocking.
pub fn write_at(path: &std::path::Path, offset: u64, data: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.seek(std::io::SeekFrom::Start(offset))?;
    file.write_all(data)
}

/// The file of a request body's `range`, opened afresh and positioned at its start (the caller
/// reads `range.len` bytes of it): each sending of a file body, and each read ahead to hash it,
/// opens it so. An error says which file (a [`TransportErrorKind::Request`] error).
///
/// [`TransportErrorKind::Request`]: sansboto_core::TransportErrorKind::Request
pub fn open_range(
    range: &sansboto_core::FileRange,
) -> Result<std::fs::File, sansboto_core::TransportError> {
    use std::io::Seek;
    let open = || -> std::io::Result<std::fs::File> {
        let mut file = std::fs::File::open(&range.path)?;
        file.seek(std::io::SeekFrom::Start(range.offset))?;
        Ok(file)
    };
    open().map_err(|e| sansboto_core::request_body::file_error(range, e))
}
