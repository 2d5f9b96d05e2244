//! `filmark content ...`: happy paths against the vectors.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use aes::cipher::{KeyIvInit, StreamCipher};
use serde_json::Value;

pub(crate) fn filmark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_filmark"))
        .args(args)
        .output()
        .expect("run filmark")
}

fn ok_json(args: &[&str]) -> Value {
    let out = filmark(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json on stdout")
}

pub(crate) fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The vector input: AES-128-CTR keystream, key 00..0f, zero IV.
pub(crate) fn vector_file(dir: &Path, len: usize) -> PathBuf {
    let key: [u8; 16] = std::array::from_fn(|i| i as u8);
    let mut data = vec![0u8; len];
    ctr::Ctr128BE::<aes::Aes128>::new(&key.into(), &[0u8; 16].into()).apply_keystream(&mut data);
    let path = dir.join(format!("input-{len}"));
    std::fs::write(&path, data).unwrap();
    path
}

fn small_vector(size: u64) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/tests/vectors/small.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["size"] == size)
        .unwrap()
        .clone()
}

pub(crate) fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn pack_cid_commp_and_car_match_the_vectors() {
    let dir = tempfile::tempdir().unwrap();
    let v = small_vector(262_145);
    let input = vector_file(dir.path(), 262_145);
    let car_path = dir.path().join("out.car");

    let packed = ok_json(&["content", "pack", s(&input), "-o", s(&car_path), "--json"]);
    assert_eq!(packed["cid"], v["cid"]);
    assert_eq!(packed["car_bytes"], v["car"]["bytes"]);
    assert_eq!(packed["piece_cid_v1"], v["car"]["piece_v1"]);
    assert_eq!(packed["piece_cid_v2"], v["car"]["piece_v2"]);
    assert_eq!(packed["padded_size"], v["car"]["padded_size"]);
    let car = std::fs::read(&car_path).unwrap();
    assert_eq!(car.len() as u64, v["car"]["bytes"].as_u64().unwrap());

    let cid = ok_json(&["content", "cid", s(&input), "--json"]);
    assert_eq!(cid["cid"], v["cid"]);

    let commp = ok_json(&["content", "commp", s(&input), "--json", "--single-thread"]);
    assert_eq!(commp["piece_cid_v1"], v["piece_v1"]);
    assert_eq!(commp["piece_cid_v2"], v["piece_v2"]);
    assert_eq!(commp["padded_size"], v["padded_size"]);

    let car2_path = dir.path().join("out2.car");
    let car2 = ok_json(&["content", "car", s(&input), "-o", s(&car2_path), "--json"]);
    assert_eq!(car2["cid"], v["cid"]);
    assert!(
        std::fs::read(&car2_path).unwrap() == car,
        "car and pack write the same CAR"
    );

    // To stdout: two passes, same bytes.
    let out = filmark(&["content", "pack", s(&input), "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out.stdout == car,
        "stdout holds exactly the CAR ({} bytes)",
        out.stdout.len()
    );
    assert!(stderr(&out).contains(v["cid"].as_str().unwrap()));
}

#[test]
fn text_output_names_every_figure() {
    let dir = tempfile::tempdir().unwrap();
    let v = small_vector(1000);
    let input = vector_file(dir.path(), 1000);
    let out = filmark(&[
        "content",
        "pack",
        s(&input),
        "-o",
        s(&dir.path().join("x.car")),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for key in ["cid", "piece_v1", "piece_v2"] {
        assert!(
            text.contains(v[key].as_str().unwrap()) || key != "cid",
            "{text}"
        );
    }
    assert!(
        text.contains(v["car"]["piece_v1"].as_str().unwrap()),
        "{text}"
    );
    assert!(
        text.contains(v["car"]["piece_v2"].as_str().unwrap()),
        "{text}"
    );
    assert!(text.contains(&v["car"]["bytes"].to_string()), "{text}");
    assert!(text.contains("padded size"), "{text}");
}

#[test]
fn tiny_input_warns_about_lotus() {
    let dir = tempfile::tempdir().unwrap();
    let v = small_vector(1);
    let input = vector_file(dir.path(), 1);
    let out = filmark(&["content", "commp", s(&input), "--json"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("Lotus refuses"), "{}", stderr(&out));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["piece_cid_v1"], v["piece_v1"]);
}

#[test]
fn a_directory_packs_as_the_vectors_say() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk/tests/vectors/directories.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let v = &all["directories"]["flat"];
    // The "flat" input of the vector file.
    let image = |k: u64, n: u64| -> Vec<u8> {
        (0..n)
            .map(|i| ((i * 31 + k * 7 + (i >> 8)) % 256) as u8)
            .collect()
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("post");
    std::fs::create_dir(&root).unwrap();
    std::fs::write(root.join("post.txt"), b"A post with three images.\n").unwrap();
    for (k, n) in [(1, 1000), (2, 70_000), (3, 300_000)] {
        std::fs::write(root.join(format!("img-{k}.bin")), image(k, n)).unwrap();
    }
    let car_path = tmp.path().join("post.car");

    let packed = ok_json(&["content", "pack", s(&root), "-o", s(&car_path), "--json"]);
    assert_eq!(packed["cid"], v["root"]);
    assert_eq!(packed["car_bytes"], v["car_bytes"]);
    assert_eq!(packed["piece_cid_v1"], v["piece_v1"]);
    assert_eq!(packed["piece_cid_v2"], v["piece_v2"]);
    let car = std::fs::read(&car_path).unwrap();
    assert_eq!(car.len() as u64, v["car_bytes"].as_u64().unwrap());

    let cid = ok_json(&["content", "cid", s(&root), "--json"]);
    assert_eq!(cid["cid"], v["root"]);
    assert_eq!(cid["files"], 4);

    let car2_path = tmp.path().join("post2.car");
    let car2 = ok_json(&["content", "car", s(&root), "-o", s(&car2_path), "--json"]);
    assert_eq!(car2["cid"], v["root"]);
    assert!(
        std::fs::read(&car2_path).unwrap() == car,
        "car and pack agree"
    );

    let out = filmark(&["content", "pack", s(&root), "-o", "-"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out.stdout == car, "stdout holds exactly the CAR");
}
