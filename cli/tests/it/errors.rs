//! Every way a `filmark content` command can fail: one exact line on stderr, nothing on stdout,
//! exit code 1 (the command failed) or 2 (the command line is wrong).

use std::{
    fs::{File, OpenOptions},
    process::{Command, Stdio},
};

use crate::content::{s, vector_file};

/// One failing run: its arguments, where its stdout goes, the stderr and exit code it must give.
struct Case {
    args: Vec<String>,
    stdout_full: bool,
    stderr: String,
    code: i32,
}

fn case(args: &[&str], stderr: &str, code: i32) -> Case {
    Case {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        stdout_full: false,
        stderr: format!("{stderr}\n"),
        code,
    }
}

/// `case` with stdout on `/dev/full` (every write fails with ENOSPC).
fn full_stdout(args: &[&str], stderr: &str) -> Case {
    Case {
        stdout_full: true,
        ..case(args, stderr, 1)
    }
}

/// Runs the case; returns a description of what differs, if anything.
fn check(c: &Case) -> Option<String> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_filmark"));
    cmd.args(&c.args);
    if c.stdout_full {
        let full = OpenOptions::new().write(true).open("/dev/full").unwrap();
        cmd.stdout(Stdio::from(full));
    }
    let out = cmd.output().expect("run filmark");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let ok = stderr == c.stderr && out.status.code() == Some(c.code) && out.stdout.is_empty();
    (!ok).then(|| {
        format!(
            "{:?}\n  want code {} and {:?}\n  got  {:?} and {:?} (stdout {} bytes)",
            c.args,
            c.code,
            c.stderr,
            out.status.code(),
            stderr,
            out.stdout.len()
        )
    })
}

#[test]
fn every_error_is_one_exact_line_and_a_failure_code() {
    let dir = tempfile::tempdir().unwrap();
    let d = s(dir.path());
    let input = vector_file(dir.path(), 1000);
    let i = s(&input);
    let out = dir.path().join("out.car");
    let o = s(&out);
    let sparse = dir.path().join("sparse");
    // One byte more than a 64 GiB sector holds; sparse, and refused before any read.
    File::create(&sparse)
        .unwrap()
        .set_len((64u64 << 30) / 128 * 127 + 1)
        .unwrap();
    let big = s(&sparse);
    let missing = "/nonexistent/filmark-input";
    let enoent = "No such file or directory (os error 2)";
    let not_dir = format!("{i}/x");
    let too_large = "error: input of 68182605825 bytes is too large for a 64 GiB sector (at most \
                     68182605824 bytes)";
    let is_dir = format!("error: {d} is a directory: a file is expected here");
    let enospc = "No space left on device (os error 28)";

    let cases = [
        // The input cannot be used.
        case(
            &["content", "cid", missing],
            &format!("error: cannot read {missing}: {enoent}"),
            1,
        ),
        case(
            &["content", "commp", missing],
            &format!("error: cannot read {missing}: {enoent}"),
            1,
        ),
        case(
            &["content", "car", missing, "-o", o],
            &format!("error: cannot read {missing}: {enoent}"),
            1,
        ),
        case(
            &["content", "pack", missing, "-o", o],
            &format!("error: cannot read {missing}: {enoent}"),
            1,
        ),
        case(
            &["content", "pack", missing, "-o", "-"],
            &format!("error: cannot read {missing}: {enoent}"),
            1,
        ),
        case(
            &["content", "cid", &not_dir],
            &format!("error: cannot read {not_dir}: Not a directory (os error 20)"),
            1,
        ),
        case(&["content", "commp", d], &is_dir, 1),
        case(&["content", "commp", big], too_large, 1),
        case(&["content", "pack", big, "-o", o], too_large, 1),
        case(&["content", "pack", big, "-o", "-"], too_large, 1),
        // The output cannot be written.
        case(
            &["content", "car", i, "-o", "/nonexistent/dir/out.car"],
            &format!("error: cannot write /nonexistent/dir/out.car: {enoent}"),
            1,
        ),
        case(
            &["content", "pack", i, "-o", d],
            &format!("error: cannot write {d}: Is a directory (os error 21)"),
            1,
        ),
        case(
            &["content", "car", i, "-o", "/dev/full"],
            &format!("error: cannot write /dev/full: {enospc}"),
            1,
        ),
        case(
            &["content", "pack", i, "-o", "/dev/full"],
            &format!("error: cannot write /dev/full: {enospc}"),
            1,
        ),
        full_stdout(
            &["content", "pack", i, "-o", "-"],
            &format!("error: cannot write to stdout: {enospc}"),
        ),
        full_stdout(
            &["content", "cid", i],
            &format!("error: cannot write to stdout: {enospc}"),
        ),
        full_stdout(
            &["content", "commp", i, "--json"],
            &format!("error: cannot write to stdout: {enospc}"),
        ),
        // Values out of range.
        case(
            &["content", "cid", i, "--chunk-size", "0"],
            "error: invalid parameters: chunk size must be at least 1 byte",
            1,
        ),
        case(
            &["content", "cid", i, "--max-links", "1"],
            "error: invalid parameters: a node must hold at least 2 links",
            1,
        ),
        // The command line is wrong.
        case(
            &["content", "cid", i, "--chunk-size", "abc"],
            "error: invalid value 'abc' for '--chunk-size <CHUNK_SIZE>': invalid digit found in \
             string (see --help)",
            2,
        ),
        case(
            &["content", "cid"],
            "error: the following required arguments were not provided: <FILE> (see --help)",
            2,
        ),
        case(
            &["content", "car", i],
            "error: the following required arguments were not provided: --output <OUTPUT> (see \
             --help)",
            2,
        ),
        case(
            &["content", "cid", i, "--bogus"],
            "error: unexpected argument '--bogus' found (see --help)",
            2,
        ),
        case(
            &["content", "bogus"],
            "error: unrecognized subcommand 'bogus' (see --help)",
            2,
        ),
        case(
            &["content"],
            "error: 'filmark content' requires a subcommand but one was not provided \
             [subcommands: cid, car, commp, pack, help] (see --help)",
            2,
        ),
        case(
            &[],
            "error: 'filmark' requires a subcommand but one was not provided [subcommands: \
             content, devnet, keys, deploy, register, escrow, status, demo, help] (see --help)",
            2,
        ),
    ];
    let failures: Vec<String> = cases.iter().filter_map(check).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(
        !out.exists(),
        "no CAR is created when the input is unusable"
    );
}
