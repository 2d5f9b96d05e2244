//! `filmark content ...`: CID, CAR and piece commitment of a file or a directory.

use std::path::Path;

use filmark_sdk::{
    Error,
    content::{LOTUS_MIN_PAYLOAD_SIZE, Options, Packed, Piece, UnixFsParams, file},
};
use serde_json::{Value, json};

use crate::{
    args::{CarArgs, CidArgs, CommonArgs, ContentCommand},
    output::{Bar, emit as print, print_to},
};

/// Runs one content command.
pub(crate) fn run(cmd: ContentCommand) -> anyhow::Result<()> {
    match cmd {
        ContentCommand::Cid(args) => cid(&args),
        ContentCommand::Car(args) => car(&args),
        ContentCommand::Commp(args) => commp(&args),
        ContentCommand::Pack(args) => pack(&args),
    }
}

fn options(common: &CommonArgs) -> Options {
    Options::default().with_parallel(!common.single_thread)
}

fn cid(args: &CidArgs) -> anyhow::Result<()> {
    let params = UnixFsParams::KUBO
        .with_chunk_size(args.chunk_size)
        .with_max_links(args.max_links);
    let opts = options(&args.common).with_unixfs(params);
    let bar = Bar::new("cid");
    let path = &args.common.file;
    if path.is_dir() {
        let d = file::import_dir(path, &opts, bar.callback())?;
        drop(bar);
        return print(
            args.common.json,
            json!({
                "cid": d.root.to_string(),
                "file_size": d.file_size,
                "files": d.files,
                "blocks": d.blocks,
            }),
            || d.root.to_string(),
        );
    }
    let imported = file::import(path, &opts, bar.callback())?;
    drop(bar);
    print(
        args.common.json,
        json!({
            "cid": imported.root.to_string(),
            "file_size": imported.file_size,
            "blocks": imported.blocks,
        }),
        || imported.root.to_string(),
    )
}

fn car(args: &CarArgs) -> anyhow::Result<()> {
    let opts = options(&args.common);
    let bar = Bar::new("car");
    let (input, dir) = (&args.common.file, args.common.file.is_dir());
    let (root, info) = if is_stdout(&args.output) {
        let packed = to_stdout(if dir {
            file::pack_dir_to_writer(input, std::io::stdout().lock(), &opts, bar.callback())
        } else {
            file::pack_to_writer(input, std::io::stdout().lock(), &opts, bar.callback())
        })?;
        (packed.root, packed.car)
    } else if dir {
        file::write_dir_car(input, &args.output, &opts, bar.callback())?
    } else {
        file::write_car(input, &args.output, &opts, bar.callback())?
    };
    drop(bar);
    print_to(
        args.common.json,
        is_stdout(&args.output),
        json!({
            "cid": root.to_string(),
            "car_bytes": info.bytes,
            "blocks": info.blocks,
            "output": args.output.display().to_string(),
        }),
        || {
            format!(
                "{root}\n{} bytes, {} blocks -> {}",
                info.bytes,
                info.blocks,
                args.output.display()
            )
        },
    )
}

fn commp(args: &CommonArgs) -> anyhow::Result<()> {
    let opts = options(args);
    let bar = Bar::new("commp");
    let piece = file::commp(&args.file, &opts, bar.callback())?;
    drop(bar);
    warn_tiny(piece.payload_size);
    print(args.json, piece_json(&piece), || piece_text(&piece))
}

fn pack(args: &CarArgs) -> anyhow::Result<()> {
    let opts = options(&args.common);
    let bar = Bar::new("pack");
    let (input, dir) = (&args.common.file, args.common.file.is_dir());
    let packed: Packed = if is_stdout(&args.output) {
        to_stdout(if dir {
            file::pack_dir_to_writer(input, std::io::stdout().lock(), &opts, bar.callback())
        } else {
            file::pack_to_writer(input, std::io::stdout().lock(), &opts, bar.callback())
        })?
    } else if dir {
        file::pack_dir(input, &args.output, &opts, bar.callback())?
    } else {
        file::pack(input, &args.output, &opts, bar.callback())?
    };
    drop(bar);
    warn_tiny(packed.piece.payload_size);
    let mut j = json!({
        "cid": packed.root.to_string(),
        "file_size": packed.file_size,
        "car_bytes": packed.car.bytes,
        "blocks": packed.car.blocks,
        "output": args.output.display().to_string(),
    });
    merge(&mut j, piece_json(&packed.piece));
    print_to(args.common.json, is_stdout(&args.output), j, || {
        format!(
            "cid          {}\ncar bytes    {}\n{}",
            packed.root,
            packed.car.bytes,
            piece_text(&packed.piece)
        )
    })
}

/// Names stdout in the error of a CAR written there (the input's errors name its path).
fn to_stdout(r: filmark_sdk::Result<Packed>) -> anyhow::Result<Packed> {
    r.map_err(|e| match e {
        Error::Io(io) => anyhow::Error::new(io).context("cannot write to stdout"),
        e => e.into(),
    })
}

fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

fn warn_tiny(payload: u64) {
    if payload < LOTUS_MIN_PAYLOAD_SIZE {
        eprintln!(
            "warning: {payload}-byte payload: Lotus refuses pieces under {LOTUS_MIN_PAYLOAD_SIZE} \
             bytes (the commitment is zero-padded to one 127-byte quad)"
        );
    }
}

fn piece_json(p: &Piece) -> Value {
    json!({
        "piece_cid_v1": p.cid_v1().to_string(),
        "piece_cid_v2": p.cid_v2().to_string(),
        "payload_size": p.payload_size,
        "unpadded_size": p.unpadded_size(),
        "padded_size": p.padded_size,
    })
}

fn piece_text(p: &Piece) -> String {
    format!(
        "piece cid v1 {}\npiece cid v2 {}\npadded size  {}",
        p.cid_v1(),
        p.cid_v2(),
        p.padded_size
    )
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b);
    }
}
