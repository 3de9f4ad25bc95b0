//! virgl-dump: decodes raw virgl command-stream dwords (one or more submits concatenated).
//!
//! One line per command with its decoded fields; `--stats` counts commands and their dwords
//! (header included) per command, object commands per object kind (`CREATE_OBJECT(BLEND)`);
//! `--roundtrip` re-encodes every command and fails unless the bytes are identical, and
//! reassembles every shader and fails unless its TGSI parses and prints back to the same tree;
//! `--shaders DIR` writes each complete shader's text to `DIR/STEM-NNN.tgsi` (a fuzzing seed
//! corpus). Exits non-zero at the first undecodable command, naming its dword offset (or, for a
//! ragged tail, its byte offset).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use virgl_proto::ccmd::{AssembledShader, Command, Decoder, ShaderAssembler};
use virgl_proto::tgsi;

/// Decodes a virgl command stream file.
#[derive(Parser, Debug)]
#[command(name = "virgl-dump", version)]
struct Args {
    /// Raw little-endian command dwords.
    file: PathBuf,
    /// Print a count and the dwords per command (per object kind) instead of each command.
    #[arg(long)]
    stats: bool,
    /// Re-encode every decoded command and fail unless the bytes are identical; parse every
    /// shader and fail unless it prints back to the same tree.
    #[arg(long)]
    roundtrip: bool,
    /// Write each complete shader's TGSI text into DIR.
    #[arg(long, value_name = "DIR")]
    shaders: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let bytes = match std::fs::read(&args.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("virgl-dump: error: {}: {e}", args.file.display());
            return ExitCode::from(2);
        }
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut stats: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut decoder = Decoder::new(&bytes);
    let mut count = 0usize;
    let mut scratch = Vec::new();
    let mut assembler = ShaderAssembler::default();
    let mut shaders = 0usize;
    let mut verbatim = 0usize;
    if let Some(dir) = &args.shaders {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("virgl-dump: error: {}: {e}", dir.display());
            return ExitCode::from(2);
        }
    }
    loop {
        let offset = decoder.offset();
        let cmd = match decoder.next() {
            None => break,
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                let _ = out.flush();
                eprintln!("virgl-dump: error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let len = decoder.offset() - offset;
        if args.roundtrip {
            scratch.clear();
            if let Err(e) = cmd.encode(&mut scratch) {
                eprintln!(
                    "virgl-dump: error: command {count} at dword {offset}: re-encoding failed: {e}"
                );
                return ExitCode::FAILURE;
            }
            let original = &bytes[offset * 4..(offset + len) * 4];
            let again = virgl_proto::ccmd::to_bytes(&scratch);
            if again != original {
                let at = again
                    .iter()
                    .zip(original)
                    .position(|(a, b)| a != b)
                    .unwrap_or(again.len().min(original.len()))
                    / 4;
                eprintln!(
                    "virgl-dump: error: command {count} at dword {offset} ({}): re-encoding differs at dword {} of the command ({} vs {} dwords)",
                    cmd.name(),
                    at,
                    again.len() / 4,
                    original.len() / 4
                );
                return ExitCode::FAILURE;
            }
        }
        if let (Command::CreateShader(packet), true) =
            (&cmd, args.roundtrip || args.shaders.is_some())
        {
            let done = match assembler.push(packet) {
                Ok(done) => done,
                Err(e) => {
                    eprintln!("virgl-dump: error: command {count} at dword {offset}: {e}");
                    return ExitCode::FAILURE;
                }
            };
            if let Some(shader) = done {
                if let Err(e) = check_shader(&args, &shader, shaders, &mut verbatim) {
                    eprintln!("virgl-dump: error: command {count} at dword {offset}: {e}");
                    return ExitCode::FAILURE;
                }
                shaders += 1;
            }
        }
        if args.stats {
            let e = stats.entry(cmd.name()).or_default();
            e.0 += 1;
            e.1 += len;
        } else if !args.roundtrip {
            let _ = writeln!(out, "{offset:>8} {}", describe(&cmd));
        }
        count += 1;
    }
    if args.stats {
        let _ = writeln!(out, "{:<32} {:>10} {:>12}", "command", "count", "dwords");
        for (name, (n, dw)) in &stats {
            let _ = writeln!(out, "{name:<32} {n:>10} {dw:>12}");
        }
    }
    if args.roundtrip {
        let _ = writeln!(
            out,
            "{count} commands, {} dwords: re-encoded byte-identical",
            bytes.len() / 4
        );
        let _ = writeln!(
            out,
            "{shaders} shaders: each parses and prints back to the same tree ({verbatim} print \
             byte-identical to the text sent)"
        );
    }
    if let Some(dir) = &args.shaders {
        let _ = writeln!(out, "{shaders} shaders written to {}", dir.display());
    }
    ExitCode::SUCCESS
}

/// Parses a complete shader and prints it back (with `--roundtrip`), and saves its text (with
/// `--shaders`). `index` numbers the shader within the file.
fn check_shader(
    args: &Args,
    shader: &AssembledShader,
    index: usize,
    verbatim: &mut usize,
) -> Result<(), String> {
    let text = std::str::from_utf8(&shader.text)
        .map_err(|e| format!("shader {}: text is not UTF-8: {e}", shader.handle))?;
    if let Some(dir) = &args.shaders {
        let stem = args.file.file_stem().unwrap_or_default().to_string_lossy();
        let path = dir.join(format!("{stem}-{index:03}.tgsi"));
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if args.roundtrip {
        let tree = tgsi::parse(text).map_err(|e| format!("shader {}: {e}", shader.handle))?;
        let printed = tree.to_string();
        let again = tgsi::parse(&printed)
            .map_err(|e| format!("shader {}: its print does not parse: {e}", shader.handle))?;
        if again != tree {
            return Err(format!(
                "shader {}: prints back to a different tree:\n{printed}",
                shader.handle
            ));
        }
        *verbatim += usize::from(printed == text);
    }
    Ok(())
}

/// One line: the command's name and its fields (shader text summarised).
fn describe(cmd: &Command<'_>) -> String {
    match cmd {
        Command::CreateShader(s) => {
            let text = String::from_utf8_lossy(s.text_bytes());
            let first = text.lines().next().unwrap_or("");
            format!(
                "CREATE_OBJECT(SHADER) handle={} type={:?} offset={:?} num_tokens={} so={:?} req_local_mem={} text={:?}... ({} bytes)",
                s.handle,
                s.shader_type,
                s.offset,
                s.num_tokens,
                s.stream_output,
                s.req_local_mem,
                first,
                s.text_bytes().len()
            )
        }
        other => format!("{} {:?}", other.name(), other),
    }
}
