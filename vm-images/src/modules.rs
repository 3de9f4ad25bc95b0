//! Kernel module dependency resolution.
//!
//! Debian's kernel package ships no `modules.dep` (depmod writes it at install time), so the
//! dependencies are read where depmod reads them: the `depends=` entry of each module's
//! `.modinfo` ELF section. From those this module computes the closure of the modules a guest
//! needs, in load order, and writes a `modules.dep` for the image.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Module names treat `-` and `_` alike; this is the canonical form.
pub fn canonical(name: &str) -> String {
    name.replace('-', "_")
}

/// Reads the NUL-separated `key=value` strings of an ELF64 little-endian object's `.modinfo`.
pub fn modinfo(elf: &[u8]) -> std::result::Result<Vec<(String, String)>, String> {
    let u16_at = |o: usize| elf.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| {
        elf.get(o..o + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    };
    let u64_at = |o: usize| {
        elf.get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    };
    if elf.get(..6) != Some(b"\x7fELF\x02\x01") {
        return Err("not an ELF64 little-endian object".into());
    }
    let bad = || "truncated ELF header".to_string();
    let shoff = u64_at(0x28).ok_or_else(bad)? as usize;
    let shentsize = u16_at(0x3a).ok_or_else(bad)? as usize;
    let shnum = u16_at(0x3c).ok_or_else(bad)? as usize;
    let shstrndx = u16_at(0x3e).ok_or_else(bad)? as usize;
    let section = |i: usize| -> Option<(u32, usize, usize)> {
        let h = shoff.checked_add(i.checked_mul(shentsize)?)?;
        Some((
            u32_at(h)?,
            u64_at(h + 24)? as usize,
            u64_at(h + 32)? as usize,
        ))
    };
    let bytes = |off: usize, size: usize| elf.get(off..off.checked_add(size)?);
    let (_, str_off, str_size) = section(shstrndx).ok_or("bad section string table index")?;
    let names = bytes(str_off, str_size).ok_or("section names out of bounds")?;
    for i in 0..shnum {
        let (name, off, size) = section(i).ok_or("section header out of bounds")?;
        let n = names.get(name as usize..).unwrap_or_default();
        let n = &n[..n.iter().position(|&c| c == 0).unwrap_or(n.len())];
        if n == b".modinfo" {
            let data = bytes(off, size).ok_or(".modinfo out of bounds")?;
            return Ok(data
                .split(|&c| c == 0)
                .filter_map(|kv| {
                    let kv = std::str::from_utf8(kv).ok()?;
                    let (k, v) = kv.split_once('=')?;
                    Some((k.to_string(), v.to_string()))
                })
                .collect());
        }
    }
    Err("no .modinfo section".into())
}

/// The modules of one kernel: where each lives and what it depends on.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    /// Canonical name → path relative to `lib/modules/<version>/`.
    pub paths: BTreeMap<String, PathBuf>,
}

impl ModuleIndex {
    /// Indexes every `.ko` under `moddir` (`lib/modules/<version>`).
    pub fn scan(moddir: &Path) -> Result<ModuleIndex> {
        let mut idx = ModuleIndex::default();
        let mut stack = vec![moddir.join("kernel")];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
            for e in entries {
                let e = e.map_err(|e| Error::io(&dir, e))?;
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else if let Some(stem) = p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .and_then(|n| n.strip_suffix(".ko"))
                {
                    let rel = p.strip_prefix(moddir).expect("under moddir").to_path_buf();
                    idx.paths.insert(canonical(stem), rel);
                }
            }
        }
        if idx.paths.is_empty() {
            return Err(Error::Kernel(format!(
                "no .ko modules under {}",
                moddir.display()
            )));
        }
        Ok(idx)
    }

    /// Resolves the closure of `roots` into load order (dependencies first), reading each
    /// module's dependencies with `deps_of`.
    pub fn closure(
        &self,
        roots: &[&str],
        mut deps_of: impl FnMut(&Path) -> Result<Vec<String>>,
    ) -> Result<Vec<Module>> {
        let mut order = Vec::new();
        let mut done = HashSet::new();
        let mut visiting = Vec::new();
        for root in roots {
            self.visit(
                &canonical(root),
                &mut deps_of,
                &mut done,
                &mut visiting,
                &mut order,
            )?;
        }
        Ok(order)
    }

    fn visit(
        &self,
        name: &str,
        deps_of: &mut impl FnMut(&Path) -> Result<Vec<String>>,
        done: &mut HashSet<String>,
        visiting: &mut Vec<String>,
        order: &mut Vec<Module>,
    ) -> Result<()> {
        if done.contains(name) {
            return Ok(());
        }
        if visiting.iter().any(|v| v == name) {
            return Err(Error::Kernel(format!(
                "module dependency cycle: {} -> {name}",
                visiting.join(" -> ")
            )));
        }
        let path = self
            .paths
            .get(name)
            .ok_or_else(|| {
                Error::Kernel(format!(
                    "module {name} not found (needed by {})",
                    visiting.last().map_or("the image", |s| s)
                ))
            })?
            .clone();
        visiting.push(name.to_string());
        let deps: Vec<String> = deps_of(&path)?.iter().map(|d| canonical(d)).collect();
        for d in &deps {
            self.visit(d, deps_of, done, visiting, order)?;
        }
        visiting.pop();
        done.insert(name.to_string());
        order.push(Module {
            name: name.to_string(),
            path,
            deps,
        });
        Ok(())
    }
}

/// One module of a resolved closure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Module {
    pub name: String,
    /// Relative to `lib/modules/<version>/`.
    pub path: PathBuf,
    pub deps: Vec<String>,
}

/// The `depends=` list of a module file's modinfo.
pub fn depends_of_file(path: &Path) -> Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let info = modinfo(&bytes).map_err(|e| Error::Kernel(format!("{}: {e}", path.display())))?;
    Ok(info
        .into_iter()
        .filter(|(k, _)| k == "depends")
        .flat_map(|(_, v)| {
            v.split(',')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect())
}

/// `modules.dep` text for a closure: `path: dep-path dep-path ...`, as depmod writes it.
pub fn modules_dep(closure: &[Module]) -> String {
    let path_of = |n: &str| {
        closure
            .iter()
            .find(|m| m.name == n)
            .map(|m| m.path.display().to_string())
    };
    let mut out = String::new();
    for m in closure {
        out.push_str(&format!("{}:", m.path.display()));
        // depmod lists the full transitive set, nearest first.
        let mut seen = Vec::new();
        let mut stack: Vec<&str> = m.deps.iter().map(String::as_str).collect();
        while let Some(d) = stack.pop() {
            if seen.contains(&d) {
                continue;
            }
            seen.push(d);
            if let Some(dm) = closure.iter().find(|x| x.name == d) {
                stack.extend(dm.deps.iter().map(String::as_str));
            }
        }
        for d in seen {
            if let Some(p) = path_of(d) {
                out.push(' ');
                out.push_str(&p);
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn index(names: &[&str]) -> ModuleIndex {
        ModuleIndex {
            paths: names
                .iter()
                .map(|n| (canonical(n), PathBuf::from(format!("kernel/{n}.ko"))))
                .collect(),
        }
    }

    fn deps(
        table: &'static [(&'static str, &'static [&'static str])],
    ) -> impl FnMut(&Path) -> Result<Vec<String>> {
        let map: HashMap<String, Vec<String>> = table
            .iter()
            .map(|(k, v)| {
                (
                    format!("kernel/{k}.ko"),
                    v.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect();
        move |p: &Path| {
            Ok(map
                .get(&p.display().to_string())
                .cloned()
                .unwrap_or_default())
        }
    }

    #[test]
    fn closure_is_in_load_order_and_deduplicated() {
        let idx = index(&[
            "virtio",
            "virtio_ring",
            "virtio_pci",
            "virtio-gpu",
            "drm",
            "drm_kms_helper",
            "unrelated",
        ]);
        let order = idx
            .closure(
                &["virtio_pci", "virtio_gpu"],
                deps(&[
                    ("virtio_pci", &["virtio", "virtio_ring"]),
                    ("virtio_ring", &["virtio"]),
                    (
                        "virtio-gpu",
                        &["drm_kms_helper", "drm", "virtio", "virtio_ring"],
                    ),
                    ("drm_kms_helper", &["drm"]),
                ]),
            )
            .unwrap();
        let names: Vec<&str> = order.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "virtio",
                "virtio_ring",
                "virtio_pci",
                "drm",
                "drm_kms_helper",
                "virtio_gpu"
            ]
        );
        let dep = modules_dep(&order);
        assert!(
            dep.contains("kernel/virtio_ring.ko: kernel/virtio.ko\n"),
            "{dep}"
        );
        assert!(dep.starts_with("kernel/virtio.ko:\n"), "{dep}");
    }

    #[test]
    fn missing_and_cyclic_modules_are_errors() {
        let idx = index(&["a", "b"]);
        let e = idx.closure(&["a"], deps(&[("a", &["c"])])).unwrap_err();
        assert_eq!(e.to_string(), "kernel: module c not found (needed by a)");
        let e = idx
            .closure(&["a"], deps(&[("a", &["b"]), ("b", &["a"])]))
            .unwrap_err();
        assert!(e.to_string().contains("cycle: a -> b -> a"), "{e}");
    }

    /// A minimal ELF64 object with a .modinfo section, built by hand.
    fn elf_with_modinfo(info: &[u8]) -> Vec<u8> {
        let shstr = b"\0.shstrtab\0.modinfo\0";
        let mut f = vec![0u8; 64];
        f[..6].copy_from_slice(b"\x7fELF\x02\x01");
        let info_off = f.len();
        f.extend_from_slice(info);
        let str_off = f.len();
        f.extend_from_slice(shstr);
        let shoff = f.len().next_multiple_of(8);
        f.resize(shoff, 0);
        f[0x28..0x30].copy_from_slice(&(shoff as u64).to_le_bytes());
        f[0x3a..0x3c].copy_from_slice(&64u16.to_le_bytes());
        f[0x3c..0x3e].copy_from_slice(&3u16.to_le_bytes());
        f[0x3e..0x40].copy_from_slice(&1u16.to_le_bytes());
        let sh = |name: u32, off: usize, size: usize| {
            let mut h = vec![0u8; 64];
            h[..4].copy_from_slice(&name.to_le_bytes());
            h[24..32].copy_from_slice(&(off as u64).to_le_bytes());
            h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
            h
        };
        f.extend(sh(0, 0, 0));
        f.extend(sh(1, str_off, shstr.len()));
        f.extend(sh(11, info_off, info.len()));
        f
    }

    #[test]
    fn modinfo_reads_depends() {
        let elf = elf_with_modinfo(b"license=GPL\0depends=drm,virtio_ring\0name=virtio_gpu\0");
        let info = modinfo(&elf).unwrap();
        assert!(info.contains(&("depends".into(), "drm,virtio_ring".into())));
        assert!(info.contains(&("name".into(), "virtio_gpu".into())));
    }

    #[test]
    fn modinfo_rejects_garbage_without_panicking() {
        assert!(modinfo(b"not elf").is_err());
        let mut elf = elf_with_modinfo(b"depends=\0");
        elf[0x28..0x30].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(modinfo(&elf).is_err());
        elf.truncate(70);
        assert!(modinfo(&elf).is_err());
    }
}
