//! What the dynamic loader reads of an ELF64 little-endian object: its interpreter
//! (`PT_INTERP`), and from its dynamic section (`PT_DYNAMIC`) the `DT_NEEDED` sonames, its own
//! `DT_SONAME` and its library search path (`DT_RUNPATH`, else `DT_RPATH`).
//!
//! Like the loader, this reads program headers, not section headers: the dynamic section's
//! strings are found through `DT_STRTAB`, a virtual address, mapped to a file offset by the
//! `PT_LOAD` segment that holds it. Every offset is bounds-checked; garbage is an error, never
//! a panic.

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;

const DT_NULL: u64 = 0;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;
const DT_SONAME: u64 = 14;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

/// The dynamic-linking facts of one object. A static executable has none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dynamic {
    /// `PT_INTERP`: the dynamic loader's path, e.g. `/lib64/ld-linux-x86-64.so.2`.
    pub interp: Option<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_NEEDED`, in order.
    pub needed: Vec<String>,
    /// `DT_RUNPATH` (or `DT_RPATH` where there is no `DT_RUNPATH`), split at `:`.
    pub runpath: Vec<String>,
}

/// One program header: (type, file offset, virtual address, size in the file).
struct Segment {
    kind: u32,
    offset: u64,
    vaddr: u64,
    filesz: u64,
}

/// Reads the dynamic-linking facts of `elf`, a whole ELF64 little-endian file.
pub fn dynamic(elf: &[u8]) -> Result<Dynamic, String> {
    if elf.get(..4) != Some(b"\x7fELF") {
        return Err("not an ELF file".into());
    }
    if elf.get(4..6) != Some(b"\x02\x01") {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let u16_at = |o: usize| elf.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: u64| {
        let o = usize::try_from(o).ok()?;
        elf.get(o..o.checked_add(4)?)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
    };
    let u64_at = |o: u64| {
        let o = usize::try_from(o).ok()?;
        elf.get(o..o.checked_add(8)?)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
    };
    let bad = || "truncated ELF header".to_string();
    let phoff = u64_at(0x20).ok_or_else(bad)?;
    let phentsize = u64::from(u16_at(0x36).ok_or_else(bad)?);
    let phnum = u64::from(u16_at(0x38).ok_or_else(bad)?);
    if phnum > 0 && phentsize < 56 {
        return Err(format!("program header entries of {phentsize} bytes"));
    }
    let mut segments = Vec::new();
    for i in 0..phnum {
        let h = phoff
            .checked_add(i * phentsize)
            .ok_or("program header offset overflows")?;
        let field = |at: u64| u64_at(h + at).ok_or("program header out of bounds");
        segments.push(Segment {
            kind: u32_at(h).ok_or("program header out of bounds")?,
            offset: field(8)?,
            vaddr: field(16)?,
            filesz: field(32)?,
        });
    }
    let bytes = |offset: u64, size: u64| -> Option<&[u8]> {
        let start = usize::try_from(offset).ok()?;
        let end = start.checked_add(usize::try_from(size).ok()?)?;
        elf.get(start..end)
    };
    let mut out = Dynamic::default();
    if let Some(s) = segments.iter().find(|s| s.kind == PT_INTERP) {
        let b = bytes(s.offset, s.filesz).ok_or("PT_INTERP out of bounds")?;
        out.interp = Some(c_string(b).ok_or("PT_INTERP is not a NUL-terminated string")?);
    }
    let Some(dynseg) = segments.iter().find(|s| s.kind == PT_DYNAMIC) else {
        return Ok(out);
    };
    let table = bytes(dynseg.offset, dynseg.filesz).ok_or("PT_DYNAMIC out of bounds")?;
    let mut entries = Vec::new();
    for e in table.chunks_exact(16) {
        let tag = u64::from_le_bytes(e[..8].try_into().expect("8 bytes"));
        let val = u64::from_le_bytes(e[8..].try_into().expect("8 bytes"));
        if tag == DT_NULL {
            break;
        }
        entries.push((tag, val));
    }
    let value = |tag| entries.iter().find(|(t, _)| *t == tag).map(|(_, v)| *v);
    let has_strings = [DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH]
        .iter()
        .any(|t| value(*t).is_some());
    if !has_strings {
        return Ok(out);
    }
    let strtab = value(DT_STRTAB).ok_or("dynamic section without DT_STRTAB")?;
    let strsz = value(DT_STRSZ).ok_or("dynamic section without DT_STRSZ")?;
    let load = segments
        .iter()
        .find(|s| s.kind == PT_LOAD && strtab >= s.vaddr && strtab - s.vaddr < s.filesz)
        .ok_or_else(|| format!("DT_STRTAB {strtab:#x} is in no PT_LOAD segment"))?;
    let strings = bytes(strtab - load.vaddr + load.offset, strsz)
        .ok_or("dynamic string table out of bounds")?;
    let string = |off: u64| -> Result<String, String> {
        usize::try_from(off)
            .ok()
            .and_then(|o| strings.get(o..))
            .and_then(c_string)
            .ok_or_else(|| format!("dynamic string at {off} is not in the string table"))
    };
    let mut rpath = None;
    let mut runpath = None;
    for &(tag, val) in &entries {
        match tag {
            DT_NEEDED => out.needed.push(string(val)?),
            DT_SONAME => out.soname = Some(string(val)?),
            DT_RPATH => rpath = Some(string(val)?),
            DT_RUNPATH => runpath = Some(string(val)?),
            _ => {}
        }
    }
    out.runpath = runpath
        .or(rpath)
        .map(|p| {
            p.split(':')
                .filter(|d| !d.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(out)
}

/// The UTF-8 string up to the first NUL; `None` without a NUL or when not UTF-8.
fn c_string(b: &[u8]) -> Option<String> {
    let end = b.iter().position(|&c| c == 0)?;
    String::from_utf8(b[..end].to_vec()).ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal ELF64 shared object: a header, `PT_INTERP` (when given), one `PT_LOAD`
    /// mapping the whole file at virtual address `0x400000`, and `PT_DYNAMIC` with `needed`,
    /// `soname` and `runpath`.
    pub(crate) fn crafted(
        interp: Option<&str>,
        soname: Option<&str>,
        needed: &[&str],
        runpath: Option<&str>,
    ) -> Vec<u8> {
        const BASE: u64 = 0x40_0000;
        let phnum: u64 = 3;
        let phoff = 64u64;
        let interp_off = phoff + 56 * phnum;
        let interp_bytes: Vec<u8> = interp
            .map(|s| [s.as_bytes(), b"\0"].concat())
            .unwrap_or_default();
        // The string table: a leading NUL, then each string.
        let mut strtab = vec![0u8];
        let mut add = |s: &str| {
            let at = strtab.len() as u64;
            strtab.extend_from_slice(s.as_bytes());
            strtab.push(0);
            at
        };
        let mut dynamic: Vec<(u64, u64)> = Vec::new();
        for n in needed {
            dynamic.push((DT_NEEDED, add(n)));
        }
        if let Some(s) = soname {
            dynamic.push((DT_SONAME, add(s)));
        }
        if let Some(r) = runpath {
            dynamic.push((DT_RUNPATH, add(r)));
        }
        let str_off = interp_off + interp_bytes.len() as u64;
        let dyn_off = (str_off + strtab.len() as u64).next_multiple_of(8);
        dynamic.push((DT_STRTAB, BASE + str_off));
        dynamic.push((DT_STRSZ, strtab.len() as u64));
        dynamic.push((DT_NULL, 0));
        let total = dyn_off + 16 * dynamic.len() as u64;

        let mut f = Vec::new();
        f.extend_from_slice(b"\x7fELF\x02\x01\x01\0");
        f.resize(16, 0);
        f.extend_from_slice(&3u16.to_le_bytes()); // ET_DYN
        f.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
        f.extend_from_slice(&1u32.to_le_bytes());
        f.extend_from_slice(&0u64.to_le_bytes()); // e_entry
        f.extend_from_slice(&phoff.to_le_bytes());
        f.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
        f.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        f.extend_from_slice(&64u16.to_le_bytes()); // e_ehsize
        f.extend_from_slice(&56u16.to_le_bytes());
        f.extend_from_slice(&(phnum as u16).to_le_bytes());
        f.extend_from_slice(&[0; 6]); // no section headers
        assert_eq!(f.len(), 64);
        let mut ph = |kind: u32, off: u64, size: u64| {
            f.extend_from_slice(&kind.to_le_bytes());
            f.extend_from_slice(&4u32.to_le_bytes());
            for v in [off, BASE + off, BASE + off, size, size, 8] {
                f.extend_from_slice(&v.to_le_bytes());
            }
        };
        // An absent PT_INTERP is a PT_NULL entry.
        ph(
            if interp.is_some() { PT_INTERP } else { 0 },
            interp_off,
            interp_bytes.len() as u64,
        );
        ph(PT_LOAD, 0, total);
        ph(PT_DYNAMIC, dyn_off, total - dyn_off);
        f.extend_from_slice(&interp_bytes);
        f.extend_from_slice(&strtab);
        f.resize(dyn_off as usize, 0);
        for (t, v) in dynamic {
            f.extend_from_slice(&t.to_le_bytes());
            f.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(f.len() as u64, total);
        f
    }

    #[test]
    fn crafted_object_reads_back() {
        let elf = crafted(
            Some("/lib64/ld-linux-x86-64.so.2"),
            Some("libfoo.so.1"),
            &["libbar.so.2", "libc.so.6"],
            Some("$ORIGIN/../lib::/opt/x"),
        );
        assert_eq!(
            dynamic(&elf).unwrap(),
            Dynamic {
                interp: Some("/lib64/ld-linux-x86-64.so.2".into()),
                soname: Some("libfoo.so.1".into()),
                needed: vec!["libbar.so.2".into(), "libc.so.6".into()],
                runpath: vec!["$ORIGIN/../lib".into(), "/opt/x".into()],
            }
        );
        let plain = crafted(None, None, &[], None);
        assert_eq!(dynamic(&plain).unwrap(), Dynamic::default());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(dynamic(b"").is_err());
        assert!(dynamic(b"#!/bin/sh\n").is_err());
        assert!(dynamic(b"\x7fELF\x01\x01\x01\0").is_err()); // ELF32
        let elf = crafted(Some("/lib/ld.so"), Some("a"), &["b", "c"], None);
        // Every truncation, and every single corrupted byte, ends in Ok or Err.
        for n in 0..elf.len() {
            let _ = dynamic(&elf[..n]);
        }
        for i in 0..elf.len() {
            for v in [0u8, 0x7f, 0xff] {
                let mut e = elf.clone();
                e[i] = v;
                let _ = dynamic(&e);
            }
        }
        // A string offset past the table: the first dynamic entry (needed "b") of six.
        let mut e = elf.clone();
        let first = e.len() - 16 * 6;
        e[first + 8..first + 16].copy_from_slice(&1000u64.to_le_bytes());
        assert!(dynamic(&e).unwrap_err().contains("not in the string table"));
    }

    /// What readelf says of `path`: its NEEDED, SONAME and RUNPATH/RPATH strings and its
    /// interpreter.
    fn readelf(path: &std::path::Path) -> Dynamic {
        let out = std::process::Command::new("readelf")
            .args(["-d", "-l", "-W"])
            .arg(path)
            .output()
            .expect("readelf (binutils)");
        let text = String::from_utf8_lossy(&out.stdout);
        let bracketed = |kind: &str| -> Vec<String> {
            text.lines()
                .filter(|l| l.contains(&format!("({kind})")))
                .filter_map(|l| Some(l.split_once('[')?.1.split_once(']')?.0.to_string()))
                .collect()
        };
        let runpath = [bracketed("RUNPATH"), bracketed("RPATH")]
            .into_iter()
            .find(|v| !v.is_empty())
            .map(|v| {
                v[0].split(':')
                    .filter(|d| !d.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        Dynamic {
            interp: text.lines().find_map(|l| {
                let p = l.split_once("Requesting program interpreter: ")?.1;
                Some(p.trim_end_matches(']').to_string())
            }),
            soname: bracketed("SONAME").pop(),
            needed: bracketed("NEEDED"),
            runpath,
        }
    }

    /// Real objects, read by us and by binutils' readelf: the host's libEGL.so.1 (libglvnd,
    /// which `cargo xtask test` installs) and, once `cargo xtask vm-test` has unpacked the
    /// guest's Debian packages, Mesa's EGL driver, its DRI driver and kmscube from that tree.
    #[test]
    fn real_objects_match_readelf() {
        let tree = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/vm/mesa/root");
        let paths = [
            "/usr/lib/x86_64-linux-gnu/libEGL.so.1".to_string(),
            format!("{tree}/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0"),
            format!("{tree}/usr/lib/x86_64-linux-gnu/dri/virtio_gpu_dri.so"),
            format!("{tree}/usr/bin/kmscube"),
        ];
        let mut read = 0;
        for path in &paths {
            let path = std::path::Path::new(path);
            let Ok(bytes) = std::fs::read(path) else {
                eprintln!("skipped: no {}", path.display());
                continue;
            };
            let ours = dynamic(&bytes).unwrap();
            assert_eq!(ours, readelf(path), "{}", path.display());
            assert!(!ours.needed.is_empty(), "{}", path.display());
            read += 1;
        }
        if read > 0 && std::path::Path::new(&paths[0]).exists() {
            let egl = dynamic(&std::fs::read(&paths[0]).unwrap()).unwrap();
            assert_eq!(egl.soname.as_deref(), Some("libEGL.so.1"));
            assert!(egl.needed.contains(&"libGLdispatch.so.0".to_string()));
        }
    }
}
