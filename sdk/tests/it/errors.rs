//! Typed errors of the by-path API.

use std::path::Path;

use filmark_sdk::{
    Error,
    content::{MAX_PAYLOAD_SIZE, NoProgress, Options, file},
};

#[test]
fn missing_path_is_unreadable_with_the_path() {
    let path = Path::new("/nonexistent/filmark/input");
    let err = file::import(path, &Options::default(), NoProgress).unwrap_err();
    assert!(
        matches!(&err, Error::Unreadable { path: p, .. } if p == path),
        "{err:?}"
    );
}

#[test]
fn directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = file::commp(dir.path(), &Options::default(), NoProgress).unwrap_err();
    assert!(
        matches!(&err, Error::IsDirectory { path } if path == dir.path()),
        "{err:?}"
    );
}

#[test]
fn oversized_input_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sparse");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_PAYLOAD_SIZE + 1)
        .unwrap();
    let out = dir.path().join("out.car");
    for err in [
        file::commp(&path, &Options::default(), NoProgress).unwrap_err(),
        file::pack(&path, &out, &Options::default(), NoProgress).unwrap_err(),
    ] {
        assert!(
            matches!(err, Error::TooLarge { size, max } if size == MAX_PAYLOAD_SIZE + 1 && max == MAX_PAYLOAD_SIZE),
            "{err:?}"
        );
    }
}

#[test]
fn progress_reaches_the_total() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    std::fs::write(&path, crate::input::bytes(3_000_000)).unwrap();
    let mut last = (0, None);
    let mut calls = 0;
    file::import(&path, &Options::default(), |done, total| {
        assert!(done >= last.0);
        last = (done, total);
        calls += 1;
    })
    .unwrap();
    assert_eq!(last, (3_000_000, Some(3_000_000)));
    assert!(calls >= 3, "one call per read, {calls}");
}
