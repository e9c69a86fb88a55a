//! Attachment content, inline and detached, checked against the signed manifest.

mod package_support;

use std::io::{Cursor, Read};

use edoc::{hash_stream, AttachmentEntry, Detached, Limits, Package, PackageError};
use package_support::*;
use serde_json::json;
use sha2::{Digest, Sha256};

fn sha(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[test]
fn digests_follow_manifest_order_after_checking_inline_and_detached_content() {
    let p = Package::parse(&full_package().to_json(), &Limits::default()).expect("parses");
    assert_eq!(p.inline_content("ke-hoach.pdf"), Some(PLAN));
    assert!(p.is_detached("scan.tiff"));
    assert!(!p.is_detached("ke-hoach.pdf"));
    assert!(!p.is_detached("absent.pdf"));
    let mut detached = Detached::none().add_reader("scan.tiff", Cursor::new(SCAN));
    let digests = p
        .attachment_digests(&mut detached)
        .expect("content matches");
    let got: Vec<_> = digests
        .iter()
        .map(|d| (d.name.as_str(), d.sha256))
        .collect();
    assert_eq!(got, [("ke-hoach.pdf", sha(PLAN)), ("scan.tiff", sha(SCAN))]);
}

#[test]
fn tampered_inline_attachment_is_a_digest_failure() {
    let mut v = package_value();
    let mut tampered = PLAN.to_vec();
    tampered[0] ^= 1;
    v["attachments"][0]["data"] = json!(base64_standard(&tampered));
    let p = parse_value(&v).expect("parses: content is checked later");
    let mut detached = Detached::none().add_reader("scan.tiff", Cursor::new(SCAN));
    assert!(matches!(
        p.attachment_digests(&mut detached),
        Err(PackageError::DigestMismatch { ref name }) if name == "ke-hoach.pdf"
    ));
}

#[test]
fn truncated_inline_attachment_is_a_size_failure() {
    let mut v = package_value();
    v["attachments"][0]["data"] = json!(base64_standard(&PLAN[..10]));
    let p = parse_value(&v).expect("parses");
    assert!(matches!(
        p.attachment_digests(&mut Detached::none()),
        Err(PackageError::SizeMismatch { ref name, expected: 52, actual: 10 }) if name == "ke-hoach.pdf"
    ));
}

#[test]
fn tampered_detached_attachment_is_a_digest_failure() {
    let p = full_package();
    let mut bytes = SCAN.to_vec();
    bytes[5] ^= 0x20;
    let mut detached = Detached::none().add_reader("scan.tiff", Cursor::new(bytes));
    assert!(matches!(
        p.attachment_digests(&mut detached),
        Err(PackageError::DigestMismatch { ref name }) if name == "scan.tiff"
    ));
}

#[test]
fn longer_detached_stream_is_refused_without_reading_it_all() {
    let p = full_package();
    let endless = std::io::repeat(b'x');
    let mut detached = Detached::none().add_reader("scan.tiff", endless);
    let expected = SCAN.len() as u64;
    match p.attachment_digests(&mut detached) {
        Err(PackageError::SizeMismatch {
            name,
            expected: e,
            actual,
        }) => {
            assert_eq!(name, "scan.tiff");
            assert_eq!((e, actual), (expected, expected + 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_detached_content_is_named() {
    let p = full_package();
    assert!(matches!(
        p.attachment_digests(&mut Detached::none()),
        Err(PackageError::DetachedMissing { ref name }) if name == "scan.tiff"
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    assert!(matches!(
        p.attachment_digests(&mut Detached::from_dir(dir.path())),
        Err(PackageError::DetachedMissing { ref name }) if name == "scan.tiff"
    ));
}

#[test]
fn detached_content_is_read_from_a_folder_or_a_path() {
    let p = full_package();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("scan.tiff"), SCAN).expect("write");
    assert_eq!(
        p.attachment_digests(&mut Detached::from_dir(dir.path()))
            .expect("matches")
            .len(),
        2
    );
    let other = dir.path().join("elsewhere.bin");
    std::fs::write(&other, SCAN).expect("write");
    let mut d = Detached::none().add_path("scan.tiff", &other);
    assert!(p.attachment_digests(&mut d).is_ok());
    std::fs::write(&other, b"changed").expect("write");
    let mut d = Detached::none().add_path("scan.tiff", &other);
    assert!(matches!(
        p.attachment_digests(&mut d),
        Err(PackageError::SizeMismatch { .. })
    ));
}

#[test]
fn new_package_refuses_content_that_does_not_match_or_is_not_in_the_manifest() {
    let h = full_header();
    assert!(matches!(
        Package::new(h.clone(), [("ke-hoach.pdf".to_owned(), b"other".to_vec())]),
        Err(PackageError::SizeMismatch { .. })
    ));
    let mut same_size = PLAN.to_vec();
    same_size[3] = b'!';
    assert!(matches!(
        Package::new(h.clone(), [("ke-hoach.pdf".to_owned(), same_size)]),
        Err(PackageError::DigestMismatch { .. })
    ));
    assert!(matches!(
        Package::new(h, [("nope.pdf".to_owned(), PLAN.to_vec())]),
        Err(PackageError::NotInManifest { ref name }) if name == "nope.pdf"
    ));
}

#[test]
fn hash_stream_matches_the_fips_180_vector_and_counts_bytes() {
    // FIPS 180-2 appendix B.1: SHA-256("abc").
    let (size, digest) = hash_stream(Cursor::new(b"abc")).expect("hash");
    assert_eq!(size, 3);
    assert_eq!(
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    // Across several 64 KiB buffers, streaming agrees with hashing in one piece.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    assert_eq!(
        hash_stream(Cursor::new(&big)).expect("hash"),
        (big.len() as u64, sha(&big))
    );
}

#[test]
fn entry_from_a_reader_equals_entry_from_bytes() {
    let a = AttachmentEntry::for_reader("s.tiff", "image/tiff", Cursor::new(SCAN)).expect("entry");
    let b = AttachmentEntry::for_bytes("s.tiff", "image/tiff", SCAN).expect("entry");
    assert_eq!(a, b);
    struct Failing;
    impl Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk gone"))
        }
    }
    assert!(matches!(
        AttachmentEntry::for_reader("s.tiff", "image/tiff", Failing),
        Err(PackageError::Io(_))
    ));
}

fn base64_standard(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn a_manifest_entry_checks_a_reader_or_a_file_directly() {
    let entry = AttachmentEntry::for_bytes("s.tiff", "image/tiff", SCAN).expect("entry");
    assert!(entry.check_reader(Cursor::new(SCAN)).is_ok());
    assert!(matches!(
        entry.check_reader(Cursor::new(&SCAN[1..])),
        Err(PackageError::SizeMismatch { .. })
    ));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("s.tiff");
    let mut flipped = SCAN.to_vec();
    flipped[0] ^= 1;
    std::fs::write(&path, &flipped).expect("write");
    assert!(matches!(
        entry.check_file(&path),
        Err(PackageError::DigestMismatch { ref name }) if name == "s.tiff"
    ));
    assert!(matches!(
        entry.check_file(dir.path().join("absent")),
        Err(PackageError::Io(_))
    ));
}

/// A package folder (`inbox/`) beside another folder (`outside/`) holding the real scan.
struct Folders {
    _tmp: tempfile::TempDir,
    inbox: std::path::PathBuf,
    outside: std::path::PathBuf,
}

fn folders() -> Folders {
    let tmp = tempfile::tempdir().expect("tempdir");
    let inbox = tmp.path().join("inbox");
    let outside = tmp.path().join("outside");
    std::fs::create_dir(&inbox).expect("mkdir");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.tiff"), SCAN).expect("write");
    Folders {
        _tmp: tmp,
        inbox,
        outside,
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_leaving_the_package_folder_is_refused() {
    use std::os::unix::fs::symlink;
    let p = full_package();
    // Relative with `..`, and absolute: both lead out of the folder. The content matches the
    // manifest, so only the folder rule can refuse it (a file-content oracle otherwise).
    for target in ["relative", "absolute"] {
        let f = folders();
        let link = f.inbox.join("scan.tiff");
        match target {
            "relative" => symlink("../outside/secret.tiff", &link),
            _ => symlink(f.outside.join("secret.tiff"), &link),
        }
        .expect("symlink");
        assert!(
            matches!(
                p.attachment_digests(&mut Detached::from_dir(&f.inbox)),
                Err(PackageError::DetachedOutsideFolder { ref name }) if name == "scan.tiff"
            ),
            "{target} link"
        );
    }
    // A link to a folder outside, then the file inside it.
    let f = folders();
    symlink(&f.outside, f.inbox.join("sub")).expect("symlink");
    symlink("sub/secret.tiff", f.inbox.join("scan.tiff")).expect("symlink");
    assert!(matches!(
        p.attachment_digests(&mut Detached::from_dir(&f.inbox)),
        Err(PackageError::DetachedOutsideFolder { .. })
    ));
}

#[cfg(unix)]
#[test]
fn a_symlink_inside_the_package_folder_and_a_symlinked_package_folder_are_read() {
    use std::os::unix::fs::symlink;
    let p = full_package();
    let f = folders();
    std::fs::create_dir(f.inbox.join("scans")).expect("mkdir");
    std::fs::write(f.inbox.join("scans/2025-07.tiff"), SCAN).expect("write");
    symlink("scans/2025-07.tiff", f.inbox.join("scan.tiff")).expect("symlink");
    p.attachment_digests(&mut Detached::from_dir(&f.inbox))
        .expect("a link that stays inside the folder is followed");
    // The folder itself reached through a link (e.g. /var/mail → /srv/mail).
    let via = f.outside.join("inbox-link");
    symlink(&f.inbox, &via).expect("symlink");
    p.attachment_digests(&mut Detached::from_dir(&via))
        .expect("the folder is judged by where it really is");
}

#[cfg(unix)]
#[test]
fn a_fifo_planted_as_an_attachment_is_refused_without_blocking() {
    let p = full_package();
    let f = folders();
    let fifo = f.inbox.join("scan.tiff");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let (tx, rx) = std::sync::mpsc::channel();
    let inbox = f.inbox.clone();
    std::thread::spawn(move || {
        let _ = tx.send(p.attachment_digests(&mut Detached::from_dir(&inbox)));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("refused at once, not blocked on the FIFO");
    assert!(
        matches!(
            result,
            Err(PackageError::DetachedMissing { .. } | PackageError::DetachedNotAFile { .. })
        ),
        "{result:?}"
    );
}

#[test]
fn a_sparse_file_of_another_size_than_the_manifest_is_refused_before_hashing() {
    // The manifest may declare up to 2^53 − 1 bytes; a sparse file of 1 TiB costs no disk.
    let entry = AttachmentEntry::new("scan.tiff", "image/tiff", (1u64 << 53) - 1, [0u8; 32])
        .expect("entry");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("scan.tiff");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(1 << 40))
        .expect("sparse file");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(entry.check_file(&path));
    });
    let result = rx
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("refused at once, without hashing a terabyte");
    assert!(
        matches!(
            result,
            Err(PackageError::SizeMismatch { expected, actual, .. })
                if expected == (1 << 53) - 1 && actual == 1 << 40
        ),
        "{result:?}"
    );
}
