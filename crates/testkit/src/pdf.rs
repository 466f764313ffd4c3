//! Reading a PDF as a reader would: its text, through poppler's `pdftotext` (Debian's
//! `poppler-utils`, which `.ci/run` installs), so a test checks what a person opening the
//! document reads, not the bytes a generator happened to write.

use std::{
    io::Write,
    process::{Command, Stdio},
};

/// The text of the PDF `bytes`, in reading order (`pdftotext -layout` is not used: names
/// in columns stay whole lines).
pub fn pdf_text(bytes: &[u8]) -> String {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let mut child = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("pdftotext (apt-get install poppler-utils)");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// How many pages the PDF `bytes` has, by `pdfinfo`.
pub fn pdf_pages(bytes: &[u8]) -> usize {
    let mut child = Command::new("pdfinfo")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdfinfo (apt-get install poppler-utils)");
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .expect("pdfinfo gives the page count")
}
