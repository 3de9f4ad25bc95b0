//! A transport decorator that makes a correct host look wrong in one known way, so the
//! conformance catalogue can prove it notices: every [`Corruption`] must make at least one
//! case fail.
//!
//! It damages how the host stores texels (rows flipped, texels mirrored, red and blue
//! exchanged: applied to what goes up and to what comes back, so plain round trips still
//! match and only what the host itself renders or samples shows it), what the host is asked
//! to create (one format silently replaced by another of the same size), the connection (one
//! dropped), or the host's judgement (malformed commands skipped, the rest of their stream run).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use virgl_proto::ccmd::Decoder;
use virgl_proto::format::Format;
use virgl_proto::texel::Source;

use crate::error::{Error, Result};
use crate::transport::{Caps, Fence, ResourceDesc, ResourceId, TransferRegion, Transport};

/// One way of being wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// The host stores every transfer's rows in reverse order (a vertically flipped host).
    RowsReversed,
    /// The host stores every transfer's texels in reverse order within each row.
    Mirrored,
    /// The host stores red in blue and blue in red.
    RedBlueSwapped,
    /// Resources of the first format are created in the second (same texel size), so bytes
    /// round-trip but their meaning changes.
    FormatReplaced(Format, Format),
    /// The connection opened `n`-th (from 0) fails every call, as if the host dropped it.
    DropConnection(usize),
    /// A lenient host: commands that do not decode are skipped and the rest of their stream
    /// runs, with no error.
    AcceptMalformed,
}

impl Corruption {
    /// The corruptions the catalogue is checked against.
    pub const ALL: [Corruption; 6] = [
        Corruption::RowsReversed,
        Corruption::Mirrored,
        Corruption::RedBlueSwapped,
        Corruption::FormatReplaced(Format::R16G16_UNORM, Format::B8G8R8A8_UNORM),
        Corruption::DropConnection(3),
        Corruption::AcceptMalformed,
    ];
}

/// Counts the connections made through one [`Corruption`], for
/// [`Corruption::DropConnection`].
#[derive(Clone, Default)]
pub struct Connections(Arc<AtomicUsize>);

/// A transport whose results are damaged by one [`Corruption`].
pub struct Corrupting<T> {
    inner: T,
    corruption: Corruption,
    dropped: bool,
    descs: Vec<(ResourceId, ResourceDesc)>,
}

impl<T: Transport> Corrupting<T> {
    /// Wraps the connection `inner`; `connections` counts the connections made so far.
    pub fn new(inner: T, corruption: Corruption, connections: &Connections) -> Corrupting<T> {
        let n = connections.0.fetch_add(1, Ordering::SeqCst);
        Corrupting {
            inner,
            corruption,
            dropped: corruption == Corruption::DropConnection(n),
            descs: Vec::new(),
        }
    }

    fn alive(&self, call: &'static str) -> Result<()> {
        if self.dropped {
            return Err(Error::Disconnected { call });
        }
        Ok(())
    }

    fn desc(&self, id: ResourceId) -> Option<ResourceDesc> {
        self.descs.iter().find(|(i, _)| *i == id).map(|(_, d)| *d)
    }

    /// Damages the bytes of `t` in the backing; doing it twice restores them.
    fn damage(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        let Some(desc) = self.desc(id) else {
            return Ok(());
        };
        let Ok(layout) = t.layout(&desc) else {
            return Ok(());
        };
        let corruption = self.corruption;
        let texel = layout.block().bytes as usize;
        let len = layout.row_bytes() as usize;
        let per_layer = (t.region.h.div_ceil(layout.block().height)) as usize;
        let rows: Vec<usize> = layout.rows().map(|(at, _)| at as usize).collect();
        let backing = self.inner.backing(id)?;
        match corruption {
            Corruption::RowsReversed => {
                for layer in rows.chunks(per_layer.max(1)) {
                    for i in 0..layer.len() / 2 {
                        let (a, b) = (layer[i], layer[layer.len() - 1 - i]);
                        let top = backing[a..a + len].to_vec();
                        backing.copy_within(b..b + len, a);
                        backing[b..b + len].copy_from_slice(&top);
                    }
                }
            }
            Corruption::Mirrored => {
                for &at in &rows {
                    let row = &mut backing[at..at + len];
                    let texels: Vec<Vec<u8>> =
                        row.chunks(texel).rev().map(<[u8]>::to_vec).collect();
                    row.copy_from_slice(&texels.concat());
                }
            }
            Corruption::RedBlueSwapped => {
                // Channels of whole bytes only: swap the byte ranges of red and blue.
                let Some(ch) = desc.format.channels() else {
                    return Ok(());
                };
                let (Source::Channel(r), Source::Channel(b)) = (ch.swizzle[0], ch.swizzle[2])
                else {
                    return Ok(());
                };
                let (r, b) = (ch.list[r], ch.list[b]);
                if r.bits != b.bits || r.bits % 8 != 0 || r.shift % 8 != 0 || b.shift % 8 != 0 {
                    return Ok(());
                }
                let (n, ro, bo) = (
                    (r.bits / 8) as usize,
                    (r.shift / 8) as usize,
                    (b.shift / 8) as usize,
                );
                for &at in &rows {
                    for px in backing[at..at + len].chunks_mut(texel) {
                        for k in 0..n {
                            px.swap(ro + k, bo + k);
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl<T: Transport> Transport for Corrupting<T> {
    fn describe(&self) -> String {
        format!("{} with {:?}", self.inner.describe(), self.corruption)
    }

    fn caps(&self) -> &Caps {
        self.inner.caps()
    }

    fn create_resource(&mut self, desc: &ResourceDesc) -> Result<ResourceId> {
        self.alive("create resource")?;
        let mut asked = *desc;
        if let Corruption::FormatReplaced(from, to) = self.corruption {
            if asked.format == from {
                asked.format = to;
            }
        }
        let id = self.inner.create_resource(&asked)?;
        self.descs.push((id, *desc));
        Ok(id)
    }

    fn destroy_resource(&mut self, id: ResourceId) -> Result<()> {
        self.alive("destroy resource")?;
        self.descs.retain(|(i, _)| *i != id);
        self.inner.destroy_resource(id)
    }

    fn backing(&mut self, id: ResourceId) -> Result<&mut [u8]> {
        self.alive("backing")?;
        self.inner.backing(id)
    }

    fn transfer_to_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.alive("transfer to host")?;
        // The host receives the damaged bytes; the guest's backing is restored once the host
        // has read it.
        self.damage(id, t)?;
        self.inner.transfer_to_host(id, t)?;
        self.inner.wait(id)?;
        self.damage(id, t)
    }

    fn transfer_from_host(&mut self, id: ResourceId, t: &TransferRegion) -> Result<()> {
        self.alive("transfer from host")?;
        self.inner.transfer_from_host(id, t)?;
        // The damage must land after the host wrote the backing.
        self.inner.wait(id)?;
        self.damage(id, t)
    }

    fn submit(&mut self, stream: &[u32], resources: &[ResourceId]) -> Result<Fence> {
        self.alive("submit")?;
        if self.corruption == Corruption::AcceptMalformed {
            return self.inner.submit(&lenient(stream), resources);
        }
        self.inner.submit(stream, resources)
    }

    fn wait(&mut self, id: ResourceId) -> Result<()> {
        self.alive("wait")?;
        self.inner.wait(id)
    }

    fn wait_fence(&mut self, fence: Fence) -> Result<()> {
        self.alive("wait fence")?;
        self.inner.wait_fence(fence)
    }

    fn drm_fd(&self) -> Option<std::os::fd::BorrowedFd<'_>> {
        self.inner.drm_fd()
    }

    fn gem_handle(&self, id: ResourceId) -> Option<u32> {
        self.inner.gem_handle(id)
    }
}

/// `stream` without the commands that do not decode on their own, each skipped by the length
/// its header declares.
fn lenient(stream: &[u32]) -> Vec<u32> {
    let mut kept = Vec::new();
    let mut at = 0;
    while at < stream.len() {
        let len = (stream[at] >> 16) as usize;
        let end = (at + 1 + len).min(stream.len());
        let bytes: Vec<u8> = stream[at..end]
            .iter()
            .flat_map(|d| d.to_le_bytes())
            .collect();
        if Decoder::new(&bytes).all(|c| c.is_ok()) {
            kept.extend_from_slice(&stream[at..end]);
        }
        at = end;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::null::NullTransport;
    use virgl_proto::ccmd::Box3;

    /// A 3x2 RGBA8 resource written with texels 0..6 (byte k of texel i = 10*i + k) through
    /// `c`: what the host holds, and what the guest reads back.
    fn host_and_read_back(c: Corruption) -> (Vec<u8>, Vec<u8>) {
        let mut t = Corrupting::new(NullTransport::default(), c, &Connections::default());
        let desc = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 3, 2, 0);
        let id = t.create_resource(&desc).unwrap();
        let bytes: Vec<u8> = (0..6u8)
            .flat_map(|i| [10 * i, 10 * i + 1, 10 * i + 2, 10 * i + 3])
            .collect();
        let region = Box3 {
            x: 0,
            y: 0,
            z: 0,
            w: 3,
            h: 2,
            d: 1,
        };
        let tr = TransferRegion {
            level: 0,
            region,
            offset: 0,
            stride: 12,
            layer_stride: 24,
        };
        t.backing(id).unwrap().copy_from_slice(&bytes);
        t.transfer_to_host(id, &tr).unwrap();
        assert_eq!(
            t.backing(id).unwrap(),
            &bytes[..],
            "the guest's backing is restored"
        );
        let host = t.inner.host_bytes(id).unwrap().to_vec();
        t.backing(id).unwrap().fill(0);
        t.transfer_from_host(id, &tr).unwrap();
        (host, t.backing(id).unwrap().to_vec())
    }

    fn texel_order(bytes: &[u8]) -> Vec<u8> {
        bytes.chunks(4).map(|p| p[0] / 10).collect()
    }

    #[test]
    fn storage_corruptions_damage_the_host_copy_and_round_trip() {
        let (host, back) = host_and_read_back(Corruption::AcceptMalformed);
        assert_eq!(texel_order(&host), [0, 1, 2, 3, 4, 5]);
        assert_eq!(texel_order(&back), [0, 1, 2, 3, 4, 5]);
        for (c, order) in [
            (Corruption::RowsReversed, [3, 4, 5, 0, 1, 2]),
            (Corruption::Mirrored, [2, 1, 0, 5, 4, 3]),
        ] {
            let (host, back) = host_and_read_back(c);
            assert_eq!(texel_order(&host), order, "{c:?}");
            assert_eq!(texel_order(&back), [0, 1, 2, 3, 4, 5], "{c:?}");
        }
        let (host, back) = host_and_read_back(Corruption::RedBlueSwapped);
        assert_eq!(&host[..8], &[2, 1, 0, 3, 12, 11, 10, 13]);
        assert_eq!(&back[..8], &[0, 1, 2, 3, 10, 11, 12, 13]);
    }

    #[test]
    fn only_the_named_connection_drops() {
        let conns = Connections::default();
        let c = Corruption::DropConnection(1);
        let mut open: Vec<_> = (0..3)
            .map(|_| Corrupting::new(NullTransport::default(), c, &conns))
            .collect();
        let desc = ResourceDesc::texture_2d(Format::R8G8B8A8_UNORM, 1, 1, 0);
        assert!(open[0].create_resource(&desc).is_ok());
        assert!(matches!(
            open[1].create_resource(&desc),
            Err(Error::Disconnected { .. })
        ));
        assert!(open[2].create_resource(&desc).is_ok());
    }

    #[test]
    fn malformed_commands_are_skipped_and_the_rest_runs() {
        let mut t = Corrupting::new(
            NullTransport::default(),
            Corruption::AcceptMalformed,
            &Connections::default(),
        );
        // SET_SUB_CTX(1), a DRAW_VBO with 3 payload dwords (malformed), a NOP.
        t.submit(&[0x0001_001c, 1, 0x0003_0008, 0, 3, 4, 0], &[])
            .unwrap();
        // A header claiming 5 payload dwords with none following.
        t.submit(&[5 << 16], &[]).unwrap();
        assert_eq!(t.inner.submitted.concat(), [0x0001_001c, 1, 0]);
    }
}
