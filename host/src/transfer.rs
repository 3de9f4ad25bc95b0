//! Moving texels between a guest's linear buffers and a backend's resources.
//!
//! Every path checks its [`TransferLayout`] against the buffer before a byte moves, then hands
//! the backend the box tightly packed: the backend never sees a guest stride.

use virgl_proto::ccmd::TransferTarget;
use virgl_proto::transfer::TransferLayout;

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::resource::{Backing, Resource};

/// The box of `layout` out of `bytes`, tightly packed; `layout` was checked against
/// `bytes.len()`.
pub fn gather_slice(layout: &TransferLayout, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![0; layout.packed_len() as usize];
    let n = layout.row_bytes() as usize;
    for (at, to) in layout.rows() {
        out[to as usize..to as usize + n].copy_from_slice(&bytes[at as usize..at as usize + n]);
    }
    out
}

/// Puts `packed` rows back into `bytes` where `layout` says.
pub fn scatter_slice(layout: &TransferLayout, packed: &[u8], bytes: &mut [u8]) {
    let n = layout.row_bytes() as usize;
    for (at, from) in layout.rows() {
        bytes[at as usize..at as usize + n]
            .copy_from_slice(&packed[from as usize..from as usize + n]);
    }
}

fn gather_backing(layout: &TransferLayout, backing: &dyn Backing) -> Vec<u8> {
    let mut out = vec![0; layout.packed_len() as usize];
    let n = layout.row_bytes() as usize;
    for (at, to) in layout.rows() {
        backing.read_at(at, &mut out[to as usize..to as usize + n]);
    }
    out
}

fn scatter_backing(layout: &TransferLayout, packed: &[u8], backing: &mut dyn Backing) {
    let n = layout.row_bytes() as usize;
    for (at, from) in layout.rows() {
        backing.write_at(at, &packed[from as usize..from as usize + n]);
    }
}

fn memory_layout(
    res: &Resource,
    t: &TransferTarget,
    len: u64,
    offset: u64,
) -> Result<TransferLayout> {
    let layout = res.layout(t.level, t.region, offset, t.stride, t.layer_stride)?;
    layout.check_within(len).map_err(|source| Error::Transfer {
        id: res.id,
        level: t.level,
        source,
    })?;
    Ok(layout)
}

fn no_backing(res: &Resource) -> Error {
    Error::Resource {
        id: res.id,
        detail: "has no backing attached".into(),
    }
}

/// Guest memory → host: the box of `t` from `mem` at `offset` (memory a transfer names itself,
/// such as the iovecs of `virgl_renderer_transfer_write_iov`).
pub fn write_from_memory(
    res: &Resource,
    t: &TransferTarget,
    mem: &dyn Backing,
    offset: u64,
    backend: &mut dyn Backend,
) -> Result<()> {
    let layout = memory_layout(res, t, mem.len(), offset)?;
    backend.write(res, t.level, t.region, &gather_backing(&layout, mem))
}

/// Host → guest memory: the box of `t` into `mem` at `offset`.
pub fn read_to_memory(
    res: &Resource,
    t: &TransferTarget,
    mem: &mut dyn Backing,
    offset: u64,
    backend: &mut dyn Backend,
) -> Result<()> {
    let layout = memory_layout(res, t, mem.len(), offset)?;
    let mut packed = vec![0; layout.packed_len() as usize];
    backend.read(res, t.level, t.region, &mut packed)?;
    scatter_backing(&layout, &packed, mem);
    Ok(())
}

/// Guest backing → host: the box of `t` from the resource's backing at `offset`.
pub fn write_from_backing(
    res: &Resource,
    t: &TransferTarget,
    offset: u64,
    backend: &mut dyn Backend,
) -> Result<()> {
    let mem = res.backing.as_deref().ok_or_else(|| no_backing(res))?;
    write_from_memory(res, t, mem, offset, backend)
}

/// Host → guest backing: the box of `t` into the resource's backing at `offset`.
pub fn read_to_backing(
    res: &mut Resource,
    t: &TransferTarget,
    offset: u64,
    backend: &mut dyn Backend,
) -> Result<()> {
    let mut mem = res.backing.take().ok_or_else(|| no_backing(res))?;
    let done = read_to_memory(res, t, mem.as_mut(), offset, backend);
    res.backing = Some(mem);
    done
}

/// Guest bytes (vtest's inline TRANSFER_PUT) → host.
pub fn write_from_slice(
    res: &Resource,
    t: &TransferTarget,
    bytes: &[u8],
    backend: &mut dyn Backend,
) -> Result<()> {
    let layout = res.layout(t.level, t.region, 0, t.stride, t.layer_stride)?;
    layout
        .check_within(bytes.len() as u64)
        .map_err(|source| Error::Transfer {
            id: res.id,
            level: t.level,
            source,
        })?;
    backend.write(res, t.level, t.region, &gather_slice(&layout, bytes))
}

/// Host → guest bytes: the box of `t` into `dst` at offset 0, `stride` and `layer_stride`
/// apart as asked; bytes between rows are left alone.
pub fn read_to_slice(
    res: &Resource,
    t: &TransferTarget,
    dst: &mut [u8],
    backend: &mut dyn Backend,
) -> Result<()> {
    let layout = res.layout(t.level, t.region, 0, t.stride, t.layer_stride)?;
    layout
        .check_within(dst.len() as u64)
        .map_err(|source| Error::Transfer {
            id: res.id,
            level: t.level,
            source,
        })?;
    let mut packed = vec![0; layout.packed_len() as usize];
    backend.read(res, t.level, t.region, &mut packed)?;
    scatter_slice(&layout, &packed, dst);
    Ok(())
}

/// Host → a new buffer (vtest's inline TRANSFER_GET): as [`read_to_slice`], into a buffer
/// that ends with the transfer's last byte.
pub fn read_to_vec(
    res: &Resource,
    t: &TransferTarget,
    backend: &mut dyn Backend,
) -> Result<Vec<u8>> {
    let layout = res.layout(t.level, t.region, 0, t.stride, t.layer_stride)?;
    let mut out = vec![0; layout.span().end as usize];
    read_to_slice(res, t, &mut out, backend)?;
    Ok(out)
}
