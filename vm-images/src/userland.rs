//! A Debian userland for the guest, without installing anything on the host.
//!
//! The packages a set of root packages depends on (`apt-cache depends --recurse`, hard
//! dependencies only) are fetched with `apt-get download` into a cache and unpacked with
//! `dpkg-deb -x` into one tree, which is kept until the set of `.deb` files changes (apt is
//! asked which files those are again only when its package lists change). From that
//! tree [`pick`] takes what a set of programs needs at run time: each ELF object's `DT_NEEDED`
//! sonames, found where the dynamic loader looks for them (the object's `DT_RUNPATH`, then the
//! standard library directories), recursively, symlinks followed inside the tree, the
//! interpreter (`PT_INTERP`) in place, plus the libraries programs `dlopen` and data files.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{elf, run, Error, Result};

/// Where the dynamic loader looks for a soname that no `DT_RUNPATH` names (Debian's glibc,
/// without an `ld.so.cache`), relative to the root.
pub const LIBRARY_DIRS: &[&str] = &[
    "lib/x86_64-linux-gnu",
    "usr/lib/x86_64-linux-gnu",
    "lib",
    "usr/lib",
];

/// The package names in `apt-cache depends --recurse` output: its unindented lines, without
/// virtual packages (`<name>`), sorted.
pub fn parse_recursive_depends(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with(char::is_whitespace))
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('<'))
        .map(str::to_string)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// `roots` and every package they depend on (Depends and Pre-Depends, recursively), as apt's
/// candidate versions say.
pub fn package_closure(roots: &[&str]) -> Result<Vec<String>> {
    let mut cmd = Command::new("apt-cache");
    cmd.args([
        "depends",
        "--recurse",
        "--no-recommends",
        "--no-suggests",
        "--no-conflicts",
        "--no-breaks",
        "--no-replaces",
        "--no-enhances",
    ])
    .args(roots);
    let text = run(&mut cmd, "apt-cache depends --recurse")?;
    let packages = parse_recursive_depends(&text);
    if let Some(r) = roots.iter().find(|r| !packages.iter().any(|p| p == *r)) {
        return Err(Error::Command(format!(
            "apt-cache depends does not know package {r} (run apt-get update)"
        )));
    }
    Ok(packages)
}

/// The `.deb` file names `apt-get download --print-uris` would fetch: the second field of each
/// `'URI' FILE SIZE HASH` line.
pub fn parse_print_uris(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with('\''))
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter(|f| f.ends_with(".deb") && !f.contains('/'))
        .map(str::to_string)
        .collect()
}

/// The package a `.deb` file name is of: `libc6_2.36-9_amd64.deb` → `libc6`.
pub fn deb_package(file: &str) -> &str {
    file.split('_').next().unwrap_or(file)
}

/// An unpacked set of packages.
#[derive(Clone, Debug)]
pub struct Tree {
    /// The root every package was unpacked into.
    pub root: PathBuf,
    /// The `.deb` files, by name (package, version, architecture).
    pub debs: Vec<String>,
    /// How many `.deb` files were downloaded this time.
    pub downloaded: usize,
    /// Whether the tree was unpacked this time.
    pub unpacked: bool,
}

/// Where apt keeps its package lists; `apt-get update` replaces files in it.
const APT_LISTS: &str = "/var/lib/apt/lists";

/// The `.deb` file names (candidate versions) of `roots` and every package they depend on
/// ([`package_closure`], then `apt-get download --print-uris`), sorted. apt is asked again only
/// when its package lists changed since the answer kept in `cache/debs.list`.
pub fn candidate_debs(cache: &Path, roots: &[&str]) -> Result<Vec<String>> {
    let lists = std::fs::metadata(APT_LISTS)
        .and_then(|m| m.modified())
        .map(|t| format!("{t:?}"))
        .unwrap_or_default();
    let key = format!("roots {} lists {lists}", roots.join(" "));
    let kept = cache.join("debs.list");
    if let Ok(text) = std::fs::read_to_string(&kept) {
        if let Some((first, rest)) = text.split_once('\n') {
            if first == key && !rest.is_empty() {
                return Ok(rest.lines().map(str::to_string).collect());
            }
        }
    }
    let packages = package_closure(roots)?;
    // In an empty directory, so that it lists every file, fetched or not.
    let probe = cache.join("uris");
    let _ = std::fs::remove_dir_all(&probe);
    std::fs::create_dir_all(&probe).map_err(|e| Error::io(&probe, e))?;
    let text = run(
        Command::new("apt-get")
            .args(["download", "--print-uris"])
            .args(&packages)
            .current_dir(&probe),
        "apt-get download --print-uris",
    )?;
    let mut debs = parse_print_uris(&text);
    debs.sort();
    if debs.len() != packages.len() {
        return Err(Error::Command(format!(
            "apt-get download --print-uris names {} files for {} packages",
            debs.len(),
            packages.len()
        )));
    }
    std::fs::write(&kept, format!("{key}\n{}\n", debs.join("\n")))
        .map_err(|e| Error::io(&kept, e))?;
    Ok(debs)
}

/// Downloads the `.deb` files `debs` (from [`candidate_debs`]) into `cache/debs`, only those
/// not already there, and unpacks them all into `cache/root`, unless it already holds exactly
/// these files.
pub fn fetch_tree(cache: &Path, debs: &[String]) -> Result<Tree> {
    let debs_dir = cache.join("debs");
    std::fs::create_dir_all(&debs_dir).map_err(|e| Error::io(&debs_dir, e))?;
    let mut debs = debs.to_vec();
    debs.sort();
    let missing: Vec<&str> = debs
        .iter()
        .filter(|f| !debs_dir.join(f).is_file())
        .map(|f| deb_package(f))
        .collect();
    if !missing.is_empty() {
        run(
            Command::new("apt-get")
                .args(["download", "-q"])
                .args(&missing)
                .current_dir(&debs_dir),
            &format!("apt-get download ({} packages)", missing.len()),
        )?;
        if let Some(f) = debs.iter().find(|f| !debs_dir.join(f).is_file()) {
            return Err(Error::Command(format!(
                "apt-get download left no {f} in {}",
                debs_dir.display()
            )));
        }
    }
    // Older versions go.
    for e in std::fs::read_dir(&debs_dir).map_err(|e| Error::io(&debs_dir, e))? {
        let e = e.map_err(|e| Error::io(&debs_dir, e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if !debs.contains(&name) {
            let _ = std::fs::remove_file(e.path());
        }
    }
    let root = cache.join("root");
    let stamp_path = cache.join("root.debs");
    let stamp = debs.join("\n") + "\n";
    let unpacked =
        !(root.is_dir() && std::fs::read_to_string(&stamp_path).ok().as_deref() == Some(&stamp));
    if unpacked {
        let tmp = cache.join("root.partial");
        let _ = std::fs::remove_dir_all(&tmp);
        for f in &debs {
            run(
                Command::new("dpkg-deb")
                    .arg("-x")
                    .arg(debs_dir.join(f))
                    .arg(&tmp),
                &format!("dpkg-deb -x {f}"),
            )?;
        }
        let _ = std::fs::remove_dir_all(&root);
        std::fs::rename(&tmp, &root).map_err(|e| Error::io(&root, e))?;
        std::fs::write(&stamp_path, stamp).map_err(|e| Error::io(&stamp_path, e))?;
    }
    let downloaded = missing.len();
    Ok(Tree {
        root,
        debs,
        downloaded,
        unpacked,
    })
}

/// `path` (relative to `root`, or absolute as the guest sees it) with every symlink on the way
/// followed inside `root`, as the guest would follow it; `None` if it does not exist or a
/// symlink chain is longer than 40.
pub fn resolve(root: &Path, path: &str) -> Option<PathBuf> {
    let split = |p: &str| -> VecDeque<String> {
        p.split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .map(str::to_string)
            .collect()
    };
    let mut todo = split(path);
    let mut at: Vec<String> = Vec::new();
    let mut links = 0;
    while let Some(c) = todo.pop_front() {
        if c == ".." {
            at.pop();
            continue;
        }
        let p = at
            .iter()
            .fold(root.to_path_buf(), |p, c| p.join(c))
            .join(&c);
        let meta = std::fs::symlink_metadata(&p).ok()?;
        if meta.file_type().is_symlink() {
            links += 1;
            if links > 40 {
                return None;
            }
            let target = std::fs::read_link(&p).ok()?;
            let target = target.to_str()?;
            if target.starts_with('/') {
                at.clear();
            }
            let mut next = split(target);
            next.extend(todo);
            todo = next;
        } else {
            at.push(c);
        }
    }
    Some(at.iter().fold(root.to_path_buf(), |p, c| p.join(c)))
}

/// What to take from a tree.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// ELF programs and libraries: (path in the tree, path in the image).
    pub objects: Vec<(String, String)>,
    /// Sonames the programs `dlopen`, found like `DT_NEEDED` entries.
    pub dlopen: Vec<String>,
    /// Files or directories (with everything under them) taken as they are, at their path.
    pub data: Vec<String>,
    /// ELF programs built on this machine against the tree's libraries: (file, path in the
    /// image); what they need is found in the tree like the rest.
    pub built: Vec<(PathBuf, String)>,
}

/// A file of the image, taken from the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picked {
    /// Path in the image, relative to its root.
    pub path: String,
    /// The file in the tree, symlinks followed.
    pub source: PathBuf,
    /// Permission bits.
    pub mode: u32,
    /// Who asked for it: `program`, `built`, `dlopen`, `data`, or the object whose `DT_NEEDED` or
    /// `PT_INTERP` names it.
    pub why: String,
}

/// The `library_path` of a glvnd vendor file (`usr/share/glvnd/egl_vendor.d/*.json`), the
/// library libglvnd `dlopen`s.
pub fn glvnd_library(json: &str) -> Option<String> {
    let rest = &json[json.find("\"library_path\"")? + "\"library_path\"".len()..];
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

/// The files of `sel` and everything their ELF objects need, sorted by image path. Fails
/// naming every soname that is not in the tree and who needs it.
pub fn pick(root: &Path, sel: &Selection) -> Result<Vec<Picked>> {
    let mut picked: BTreeMap<String, Picked> = BTreeMap::new();
    let mut sonames: HashSet<String> = HashSet::new();
    let mut missing: Vec<String> = Vec::new();
    let mut queue: VecDeque<String> = VecDeque::new();

    let mode_of = |source: &Path| -> Result<u32> {
        Ok(std::fs::metadata(source)
            .map_err(|e| Error::io(source, e))?
            .permissions()
            .mode()
            & 0o7777)
    };
    let add = |picked: &mut BTreeMap<String, Picked>,
               path: String,
               source: PathBuf,
               why: &str|
     -> Result<bool> {
        if picked.contains_key(&path) {
            return Ok(false);
        }
        if !source.is_file() {
            return Err(Error::Command(format!(
                "{path}: {} is not a file",
                source.display()
            )));
        }
        let mode = mode_of(&source)?;
        picked.insert(
            path.clone(),
            Picked {
                path,
                source,
                mode,
                why: why.to_string(),
            },
        );
        Ok(true)
    };
    // Where a soname is found: the first of `dirs` holding it.
    let find = |soname: &str, dirs: &[String]| -> Option<(String, PathBuf)> {
        dirs.iter().find_map(|d| {
            let path = format!("{}/{soname}", d.trim_matches('/'));
            resolve(root, &path)
                .filter(|p| p.is_file())
                .map(|s| (path, s))
        })
    };
    let standard: Vec<String> = LIBRARY_DIRS.iter().map(|d| d.to_string()).collect();

    for (tree, image) in &sel.objects {
        let source = resolve(root, tree).filter(|p| p.is_file()).ok_or_else(|| {
            Error::Command(format!(
                "{tree} is not in the unpacked packages ({})",
                root.display()
            ))
        })?;
        let image = image.trim_start_matches('/').to_string();
        if add(&mut picked, image.clone(), source, "program")? {
            queue.push_back(image);
        }
    }
    for (source, image) in &sel.built {
        let image = image.trim_start_matches('/').to_string();
        if add(&mut picked, image.clone(), source.clone(), "built")? {
            queue.push_back(image);
        }
    }
    for soname in &sel.dlopen {
        match find(soname, &standard) {
            Some((path, source)) => {
                sonames.insert(soname.clone());
                if add(&mut picked, path.clone(), source, "dlopen")? {
                    queue.push_back(path);
                }
            }
            None => missing.push(format!("{soname} (dlopen)")),
        }
    }
    while let Some(path) = queue.pop_front() {
        let source = picked[&path].source.clone();
        let bytes = std::fs::read(&source).map_err(|e| Error::io(&source, e))?;
        let d = elf::dynamic(&bytes)
            .map_err(|e| Error::Command(format!("{path} ({}): {e}", source.display())))?;
        if let Some(soname) = &d.soname {
            sonames.insert(soname.clone());
        }
        if let Some(interp) = &d.interp {
            match resolve(root, interp).filter(|p| p.is_file()) {
                Some(s) => {
                    let image = interp.trim_start_matches('/').to_string();
                    if add(&mut picked, image.clone(), s, &path)? {
                        queue.push_back(image);
                    }
                }
                None => missing.push(format!("{interp} (interpreter of {path})")),
            }
        }
        let origin = Path::new(&path)
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let mut dirs: Vec<String> = d
            .runpath
            .iter()
            .map(|r| r.replace("$ORIGIN", &origin).replace("${ORIGIN}", &origin))
            .collect();
        dirs.extend(standard.iter().cloned());
        for needed in &d.needed {
            if sonames.contains(needed) {
                continue;
            }
            let found = if needed.contains('/') {
                resolve(root, needed)
                    .filter(|p| p.is_file())
                    .map(|s| (needed.trim_start_matches('/').to_string(), s))
            } else {
                find(needed, &dirs)
            };
            match found {
                Some((image, source)) => {
                    sonames.insert(needed.clone());
                    if add(&mut picked, image.clone(), source, &path)? {
                        queue.push_back(image);
                    }
                }
                None => missing.push(format!("{needed} (needed by {path})")),
            }
        }
    }
    if !missing.is_empty() {
        missing.dedup();
        return Err(Error::Command(format!(
            "not in the unpacked packages under {}: {}; add the Debian package that ships each \
             (dpkg -S NAME on a machine that has it) to the image's package list",
            root.display(),
            missing.join(", ")
        )));
    }
    for data in &sel.data {
        let top = resolve(root, data).ok_or_else(|| {
            Error::Command(format!(
                "{data} is not in the unpacked packages ({})",
                root.display()
            ))
        })?;
        let mut stack = vec![(data.trim_matches('/').to_string(), top)];
        while let Some((path, source)) = stack.pop() {
            if source.is_dir() {
                for e in std::fs::read_dir(&source).map_err(|e| Error::io(&source, e))? {
                    let e = e.map_err(|e| Error::io(&source, e))?;
                    let name = e.file_name().to_string_lossy().into_owned();
                    let child = format!("{path}/{name}");
                    let real = resolve(root, &child).ok_or_else(|| {
                        Error::Command(format!("{child}: a dangling symlink in the tree"))
                    })?;
                    stack.push((child, real));
                }
            } else {
                add(&mut picked, path, source, "data")?;
            }
        }
    }
    Ok(picked.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::elf::tests::crafted;

    #[test]
    fn recursive_depends_are_the_unindented_real_packages() {
        let text = "kmscube\n  Depends: libc6\n  Depends: <libgl1>\n    libgl1-mesa\nlibc6\n  \
                    PreDepends: libgcc-s1\n<libgl1>\nlibgcc-s1\nlibc6\n";
        assert_eq!(
            parse_recursive_depends(text),
            ["kmscube", "libc6", "libgcc-s1"]
        );
    }

    #[test]
    fn print_uris_names_the_files() {
        let text = "'http://deb.debian.org/debian/pool/main/g/glibc/libc6_2.36-9%2bdeb12u14_amd64.deb' \
                    libc6_2.36-9+deb12u14_amd64.deb 2759320 SHA256:ba4f\n\
                    'http://deb.debian.org/debian/pool/main/k/kmscube/kmscube_0.0.0%7egit20210103-1_amd64.deb' \
                    kmscube_0.0.0~git20210103-1_amd64.deb 78632 SHA256:c3ca\n\
                    W: some warning\n";
        let files = parse_print_uris(text);
        assert_eq!(
            files,
            [
                "libc6_2.36-9+deb12u14_amd64.deb",
                "kmscube_0.0.0~git20210103-1_amd64.deb"
            ]
        );
        assert_eq!(deb_package(&files[0]), "libc6");
        assert_eq!(deb_package(&files[1]), "kmscube");
    }

    #[test]
    fn candidate_debs_are_kept_until_apts_lists_change() {
        let cache = scratch("candidates");
        let lists = std::fs::metadata(APT_LISTS)
            .and_then(|m| m.modified())
            .map(|t| format!("{t:?}"))
            .unwrap_or_default();
        // No such package: apt would fail, so the answer must come from the file.
        let roots = ["virgl-no-such-package"];
        std::fs::write(
            cache.join("debs.list"),
            format!("roots virgl-no-such-package lists {lists}\na_1_all.deb\nb_2_amd64.deb\n"),
        )
        .unwrap();
        assert_eq!(
            candidate_debs(&cache, &roots).unwrap(),
            ["a_1_all.deb", "b_2_amd64.deb"]
        );
        // Other lists: apt is asked, and knows no such package.
        std::fs::write(
            cache.join("debs.list"),
            "roots virgl-no-such-package lists then\na_1_all.deb\n",
        )
        .unwrap();
        assert!(candidate_debs(&cache, &roots).is_err());
    }

    #[test]
    fn glvnd_vendor_files_name_their_library() {
        let json = "{\n    \"file_format_version\" : \"1.0.0\",\n    \"ICD\" : {\n        \
                    \"library_path\" : \"libEGL_mesa.so.0\"\n    }\n}\n";
        assert_eq!(glvnd_library(json).as_deref(), Some("libEGL_mesa.so.0"));
        assert_eq!(glvnd_library("{}"), None);
    }

    /// A scratch tree under the target directory, emptied first.
    fn scratch(name: &str) -> PathBuf {
        let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../target/tmp/vm-images-tests")
            .join(name);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn put(root: &Path, path: &str, data: &[u8]) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, data).unwrap();
    }

    fn link(root: &Path, path: &str, target: &str) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, p).unwrap();
    }

    #[test]
    fn symlinks_resolve_inside_the_root() {
        let r = scratch("resolve");
        put(&r, "lib/x86_64-linux-gnu/ld-2.so", b"ld");
        link(&r, "lib64/ld.so", "/lib/x86_64-linux-gnu/ld-2.so");
        link(
            &r,
            "usr/lib/libz.so.1",
            "../../lib/x86_64-linux-gnu/ld-2.so",
        );
        link(&r, "usr/lib64", "../lib64");
        link(&r, "loop", "loop");
        link(&r, "escape", "/../../../etc/passwd");
        let real = r.join("lib/x86_64-linux-gnu/ld-2.so");
        assert_eq!(resolve(&r, "/lib64/ld.so"), Some(real.clone()));
        assert_eq!(resolve(&r, "usr/lib/libz.so.1"), Some(real.clone()));
        assert_eq!(resolve(&r, "usr/lib64/ld.so"), Some(real));
        assert_eq!(resolve(&r, "loop"), None);
        assert_eq!(resolve(&r, "lib64/none"), None);
        // `..` stops at the root: the guest's /etc/passwd, which the tree does not have.
        assert_eq!(resolve(&r, "escape"), None);
    }

    #[test]
    fn pick_follows_needed_interp_runpath_and_dlopen() {
        let r = scratch("pick");
        let interp = "/lib64/ld-linux-x86-64.so.2";
        put(
            &r,
            "usr/bin/prog.x86_64",
            &crafted(Some(interp), None, &["libA.so.1", "libc.so.6"], None),
        );
        put(
            &r,
            "lib/x86_64-linux-gnu/ld-2.36.so",
            &crafted(None, Some("ld-linux-x86-64.so.2"), &[], None),
        );
        link(
            &r,
            "lib64/ld-linux-x86-64.so.2",
            "/lib/x86_64-linux-gnu/ld-2.36.so",
        );
        put(
            &r,
            "lib/x86_64-linux-gnu/libc.so.6",
            &crafted(Some(interp), Some("libc.so.6"), &[], None),
        );
        put(
            &r,
            "usr/lib/x86_64-linux-gnu/libA.so.1.2.3",
            &crafted(
                None,
                Some("libA.so.1"),
                &["libB.so.2", "libc.so.6"],
                Some("$ORIGIN/private"),
            ),
        );
        link(&r, "usr/lib/x86_64-linux-gnu/libA.so.1", "libA.so.1.2.3");
        put(
            &r,
            "usr/lib/x86_64-linux-gnu/private/libB.so.2",
            &crafted(None, Some("libB.so.2"), &["libc.so.6"], None),
        );
        // A libB.so.2 on the standard path loses to the one DT_RUNPATH names.
        put(&r, "usr/lib/x86_64-linux-gnu/libB.so.2", b"not this one");
        put(
            &r,
            "usr/lib/x86_64-linux-gnu/libD.so.0",
            &crafted(None, Some("libD.so.0"), &["libc.so.6"], None),
        );
        put(&r, "usr/share/data/a.txt", b"a");
        put(&r, "usr/share/data/sub/b.txt", b"b");
        link(&r, "usr/share/data/sub/c.txt", "../a.txt");
        let outside = r.with_extension("built");
        std::fs::write(
            &outside,
            crafted(Some(interp), None, &["libA.so.1", "libc.so.6"], None),
        )
        .unwrap();
        let sel = Selection {
            objects: vec![("usr/bin/prog.x86_64".into(), "usr/bin/prog".into())],
            dlopen: vec!["libD.so.0".into()],
            data: vec!["usr/share/data".into()],
            // Built here, outside the tree, needing a library only the tree has.
            built: vec![(outside.clone(), "usr/bin/built".into())],
        };
        let got = pick(&r, &sel).unwrap();
        let summary: Vec<(&str, String, &str)> = got
            .iter()
            .map(|p| {
                (
                    p.path.as_str(),
                    p.source
                        .strip_prefix(&r)
                        .unwrap_or(&p.source)
                        .display()
                        .to_string(),
                    p.why.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "lib/x86_64-linux-gnu/libc.so.6",
                    "lib/x86_64-linux-gnu/libc.so.6".into(),
                    "usr/bin/prog"
                ),
                (
                    "lib64/ld-linux-x86-64.so.2",
                    "lib/x86_64-linux-gnu/ld-2.36.so".into(),
                    "usr/bin/prog"
                ),
                ("usr/bin/built", outside.display().to_string(), "built"),
                ("usr/bin/prog", "usr/bin/prog.x86_64".into(), "program"),
                (
                    "usr/lib/x86_64-linux-gnu/libA.so.1",
                    "usr/lib/x86_64-linux-gnu/libA.so.1.2.3".into(),
                    "usr/bin/prog"
                ),
                (
                    "usr/lib/x86_64-linux-gnu/libD.so.0",
                    "usr/lib/x86_64-linux-gnu/libD.so.0".into(),
                    "dlopen"
                ),
                (
                    "usr/lib/x86_64-linux-gnu/private/libB.so.2",
                    "usr/lib/x86_64-linux-gnu/private/libB.so.2".into(),
                    "usr/lib/x86_64-linux-gnu/libA.so.1"
                ),
                (
                    "usr/share/data/a.txt",
                    "usr/share/data/a.txt".into(),
                    "data"
                ),
                (
                    "usr/share/data/sub/b.txt",
                    "usr/share/data/sub/b.txt".into(),
                    "data"
                ),
                (
                    "usr/share/data/sub/c.txt",
                    "usr/share/data/a.txt".into(),
                    "data"
                ),
            ]
        );
    }

    #[test]
    fn pick_names_every_missing_soname() {
        let r = scratch("missing");
        put(
            &r,
            "usr/bin/p",
            &crafted(None, None, &["libX.so.1", "libY.so.2"], None),
        );
        let sel = Selection {
            objects: vec![("usr/bin/p".into(), "usr/bin/p".into())],
            dlopen: vec!["libZ.so.3".into()],
            ..Selection::default()
        };
        let e = pick(&r, &sel).unwrap_err().to_string();
        for s in [
            "libX.so.1 (needed by usr/bin/p)",
            "libY.so.2 (needed by usr/bin/p)",
            "libZ.so.3 (dlopen)",
        ] {
            assert!(e.contains(s), "{e}");
        }
        let sel = Selection {
            objects: vec![("usr/bin/none".into(), "usr/bin/none".into())],
            ..Selection::default()
        };
        assert!(pick(&r, &sel)
            .unwrap_err()
            .to_string()
            .contains("usr/bin/none is not in"));
    }
}
