//! The text of a source file: owned, or a read-only mapping of the file whose pages the
//! parser gives back behind it, so that a large input is not resident whole while the IR
//! built from it is (the mapping reads the pages again when a diagnostic needs them).

use std::ops::Range;

/// The UTF-8 text of a [`crate::SourceFile`], read as a `str`.
pub struct SourceText(Storage);

enum Storage {
    Owned(String),
    Mapped(MappedFile),
}

impl SourceText {
    /// Files from this size on are mapped rather than read ([`SourceText::map`]).
    pub const MAP_THRESHOLD: u64 = 1 << 20;

    /// The text of `file`, `len` bytes long, as a private read-only mapping, when the file
    /// is at least [`SourceText::MAP_THRESHOLD`] bytes and valid UTF-8; `None` when it is
    /// not, or it cannot be mapped (the caller then reads it). The file must not change
    /// while the text lives: as with any mapped input (LLVM's `MemoryBuffer` maps large
    /// files too), a file truncated meanwhile faults when its pages are read again.
    pub fn map(file: &std::fs::File, len: u64) -> Option<SourceText> {
        if len < Self::MAP_THRESHOLD {
            return None;
        }
        let mapped = MappedFile::new(file, usize::try_from(len).ok()?)?;
        std::str::from_utf8(mapped.bytes()).ok()?;
        Some(SourceText(Storage::Mapped(mapped)))
    }

    /// Gives the pages of a mapped text from the one holding `range.start` to the last one
    /// `range` ends after back to the system; reading them again maps them again from
    /// the file, so the text reads the same. An owned text keeps its memory.
    pub fn release(&self, range: Range<usize>) {
        if let Storage::Mapped(mapped) = &self.0 {
            mapped.release(range);
        }
    }

    /// Whether the text is a mapping of its file.
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Storage::Mapped(_))
    }
}

impl From<String> for SourceText {
    fn from(text: String) -> SourceText {
        SourceText(Storage::Owned(text))
    }
}

impl std::ops::Deref for SourceText {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Storage::Owned(text) => text,
            // SAFETY: `map` checked the mapped bytes are UTF-8, and the mapping is private
            // and read-only (the file is required not to change while it lives).
            Storage::Mapped(mapped) => unsafe { std::str::from_utf8_unchecked(mapped.bytes()) },
        }
    }
}

impl std::fmt::Debug for SourceText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A private read-only mapping of a whole file.
struct MappedFile {
    start: std::ptr::NonNull<u8>,
    len: usize,
    page: usize,
}

// SAFETY: the mapping is read-only and owned by this value alone; shared reads from any
// thread are reads of immutable memory.
unsafe impl Send for MappedFile {}
unsafe impl Sync for MappedFile {}

impl MappedFile {
    fn new(file: &std::fs::File, len: usize) -> Option<MappedFile> {
        use std::os::fd::AsRawFd;
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).ok()?;
        // SAFETY: a fresh mapping of `len` bytes of an open file; the result is checked.
        let start = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if start == libc::MAP_FAILED {
            return None;
        }
        Some(MappedFile {
            start: std::ptr::NonNull::new(start.cast())?,
            len,
            page,
        })
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `start` is a live mapping of `len` readable bytes.
        unsafe { std::slice::from_raw_parts(self.start.as_ptr(), self.len) }
    }

    fn release(&self, range: Range<usize>) {
        let first = range.start / self.page * self.page;
        let end = range.end.min(self.len) / self.page * self.page;
        if first < end {
            // SAFETY: `first..end` is whole pages of the mapping; for a private file
            // mapping never written, MADV_DONTNEED drops the pages and a later read maps
            // them from the file again, so no `&str` into the text changes.
            unsafe {
                libc::madvise(
                    self.start.as_ptr().add(first).cast(),
                    end - first,
                    libc::MADV_DONTNEED,
                );
            }
        }
    }
}

impl Drop for MappedFile {
    fn drop(&mut self) {
        // SAFETY: the mapping is this value's own and no borrow of it outlives it.
        unsafe {
            libc::munmap(self.start.as_ptr().cast(), self.len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp_file(bytes: &[u8]) -> (std::fs::File, u64) {
        let path = std::env::temp_dir().join(format!(
            "joinery-source-text-{}-{}",
            std::process::id(),
            bytes.len()
        ));
        std::fs::File::create(&path)
            .and_then(|mut f| f.write_all(bytes))
            .expect("a temporary file");
        let file = std::fs::File::open(&path).expect("the temporary file");
        std::fs::remove_file(&path).expect("removed");
        (file, bytes.len() as u64)
    }

    #[test]
    fn a_large_file_is_mapped_and_reads_the_same_after_its_pages_are_released() {
        let text: String = (0..100_000).map(|i| format!("line {i}\n")).collect();
        assert!(text.len() as u64 >= SourceText::MAP_THRESHOLD);
        let (file, len) = temp_file(text.as_bytes());
        let mapped = SourceText::map(&file, len).expect("mapped");
        assert!(mapped.is_mapped());
        assert_eq!(&*mapped, text);
        mapped.release(0..text.len());
        mapped.release(10..20);
        assert_eq!(&*mapped, text);
    }

    #[test]
    fn small_files_and_files_not_utf8_are_not_mapped() {
        let (file, len) = temp_file(b"func.func @f() {}\n");
        assert!(SourceText::map(&file, len).is_none());
        let mut bytes = vec![b'a'; SourceText::MAP_THRESHOLD as usize + 1];
        bytes[4096] = 0xff;
        let (file, len) = temp_file(&bytes);
        assert!(SourceText::map(&file, len).is_none());
    }

    #[test]
    fn an_owned_text_keeps_its_bytes_when_released() {
        let owned = SourceText::from("abc".repeat(5000));
        assert!(!owned.is_mapped());
        owned.release(0..15_000);
        assert_eq!(&*owned, "abc".repeat(5000));
    }
}
