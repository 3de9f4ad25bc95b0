//! Per-owner limits on what a guest may make the host hold, so that one guest cannot exhaust
//! the host's memory.
//!
//! A [`Quota`] has three [`Limit`]s, each naming what set it (a command-line flag, an
//! environment variable) so that a refusal says how to raise it:
//! - **objects**: what one context holds: the `CREATE_OBJECT` handles of all its sub-contexts,
//!   and every sub-context beyond the first (each carries a full pipeline state). The
//!   [`Renderer`](crate::Renderer) applies it to every context
//!   ([`Renderer::set_object_limit`](crate::Renderer::set_object_limit)); a create over it puts
//!   the context in error like any other failing command.
//! - **resources** and **resource bytes**: what one owner (a vtest client; a C ABI caller may
//!   keep one per context) holds, counted by a [`ResourceAccount`] the owner keeps beside its
//!   resource ids. A resource's bytes are [`resource_bytes`] of its description (every level,
//!   layer and sample), or its guest memory where that is larger.

use std::collections::HashMap;

use virgl_proto::pipe::TextureTarget;
use virgl_proto::vtest::ResourceDesc;

use crate::error::{Error, Result};

/// One limit: the most an owner may hold, and what set it (named in refusals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub max: u64,
    /// The flag or setting that sets it, such as `--max-objects`.
    pub set_by: &'static str,
}

impl Limit {
    /// Whether holding `held` stays within the limit.
    pub fn admits(&self, held: u64) -> bool {
        held <= self.max
    }

    /// The refusal of `what` (such as `resource 7`) that would make the holding `held` of
    /// `unit` (such as `resources`).
    pub fn refusal(&self, what: impl Into<String>, held: u64, unit: &'static str) -> Error {
        Error::OverLimit {
            what: what.into(),
            held,
            unit,
            max: self.max,
            set_by: self.set_by,
        }
    }
}

/// The limits of one owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    /// Objects and extra sub-contexts per context.
    pub objects: Limit,
    /// Resources per owner.
    pub resources: Limit,
    /// Bytes of resources per owner.
    pub resource_bytes: Limit,
}

impl Quota {
    /// 65536 objects per context: Mesa's busiest programs hold a few thousand.
    pub const DEFAULT_OBJECTS: u64 = 65536;
    /// 16384 resources per owner.
    pub const DEFAULT_RESOURCES: u64 = 16384;
    /// 2 GiB of resources per owner.
    pub const DEFAULT_RESOURCE_BYTES: u64 = 2 << 30;

    /// The defaults, each named as set by `setters` (objects, resources, bytes).
    pub fn defaults(setters: [&'static str; 3]) -> Quota {
        Quota {
            objects: Limit {
                max: Self::DEFAULT_OBJECTS,
                set_by: setters[0],
            },
            resources: Limit {
                max: Self::DEFAULT_RESOURCES,
                set_by: setters[1],
            },
            resource_bytes: Limit {
                max: Self::DEFAULT_RESOURCE_BYTES,
                set_by: setters[2],
            },
        }
    }
}

/// The bytes resource `desc` stands for: every mip level, with its layers (or cube faces) and
/// samples, in whole blocks of its format; a buffer's width. Formats without a simple block
/// layout (planar YUV) count 16 bytes a texel, more than any of them has. Saturates at
/// `u64::MAX`, which no limit admits.
pub fn resource_bytes(desc: &ResourceDesc) -> u64 {
    if desc.target == TextureTarget::Buffer {
        return u64::from(desc.width);
    }
    let (bw, bh, bytes) = desc
        .format
        .block()
        .map_or((1, 1, 16), |b| (b.width.max(1), b.height.max(1), b.bytes));
    let base = desc.extent();
    let minify_depth = desc.target == TextureTarget::Texture3D;
    let samples = u64::from(desc.nr_samples.max(1));
    let mut total: u64 = 0;
    for level in 0..=desc.last_level.min(31) {
        let e = base.level(level, minify_depth);
        let level_bytes = u64::from(e.width.max(1).div_ceil(bw))
            .saturating_mul(u64::from(e.height.div_ceil(bh)))
            .saturating_mul(u64::from(e.depth))
            .saturating_mul(u64::from(bytes))
            .saturating_mul(samples);
        total = total.saturating_add(level_bytes);
    }
    total
}

/// The resources one owner holds, with their bytes, counted against a [`Quota`].
#[derive(Debug, Default)]
pub struct ResourceAccount {
    held: HashMap<u32, u64>,
    bytes: u64,
}

impl ResourceAccount {
    /// An empty account.
    pub fn new() -> ResourceAccount {
        ResourceAccount::default()
    }

    /// Whether `quota` lets the owner add resource `id` of `bytes` bytes; the error names the
    /// limit it would break and what sets it.
    pub fn admit(&self, quota: &Quota, id: u32, bytes: u64) -> Result<()> {
        let count = self.held.len() as u64 + 1;
        if !quota.resources.admits(count) {
            return Err(quota
                .resources
                .refusal(format!("resource {id}"), count, "resources"));
        }
        let total = self.bytes.saturating_add(bytes);
        if !quota.resource_bytes.admits(total) {
            return Err(quota.resource_bytes.refusal(
                format!("resource {id} of {bytes} bytes"),
                total,
                "bytes of resources",
            ));
        }
        Ok(())
    }

    /// Records resource `id` of `bytes` bytes (after [`admit`](Self::admit)).
    pub fn insert(&mut self, id: u32, bytes: u64) {
        if let Some(old) = self.held.insert(id, bytes) {
            self.bytes -= old;
        }
        self.bytes = self.bytes.saturating_add(bytes);
    }

    /// Forgets resource `id`; whether the owner held it.
    pub fn remove(&mut self, id: u32) -> bool {
        match self.held.remove(&id) {
            Some(b) => {
                self.bytes -= b;
                true
            }
            None => false,
        }
    }

    /// Whether the owner holds resource `id`.
    pub fn contains(&self, id: u32) -> bool {
        self.held.contains_key(&id)
    }

    /// How many resources the owner holds.
    pub fn len(&self) -> usize {
        self.held.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Their bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Their ids, in no order.
    pub fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        self.held.keys().copied()
    }
}

#[cfg(test)]
mod tests {
    use virgl_proto::format::Format;
    use virgl_proto::pipe::bind;

    use super::*;

    fn tex(target: TextureTarget, format: Format, w: u32, h: u32, d: u32) -> ResourceDesc {
        ResourceDesc {
            target,
            format,
            bind: bind::SAMPLER_VIEW,
            width: w,
            height: h,
            depth: d,
            array_size: 1,
            last_level: 0,
            nr_samples: 0,
        }
    }

    #[test]
    fn bytes_count_every_level_layer_and_sample() {
        use TextureTarget as T;
        let rgba = Format::R8G8B8A8_UNORM;
        assert_eq!(
            resource_bytes(&tex(T::Texture2D, rgba, 64, 32, 1)),
            64 * 32 * 4
        );
        let buffer = ResourceDesc {
            format: Format::R8_UNORM,
            bind: bind::VERTEX_BUFFER,
            ..tex(T::Buffer, Format::R8_UNORM, 1000, 1, 1)
        };
        assert_eq!(resource_bytes(&buffer), 1000);
        // 8x8, 4x4, 2x2, 1x1.
        let mips = ResourceDesc {
            last_level: 3,
            ..tex(T::Texture2D, rgba, 8, 8, 1)
        };
        assert_eq!(resource_bytes(&mips), (64 + 16 + 4 + 1) * 4);
        // A 3D texture's depth is minified; an array's layers are not.
        let vol = ResourceDesc {
            last_level: 1,
            ..tex(T::Texture3D, rgba, 4, 4, 4)
        };
        assert_eq!(resource_bytes(&vol), (64 + 8) * 4);
        let array = ResourceDesc {
            array_size: 5,
            last_level: 1,
            ..tex(T::Texture2DArray, rgba, 4, 4, 1)
        };
        assert_eq!(resource_bytes(&array), (16 + 4) * 5 * 4);
        let cube = ResourceDesc {
            array_size: 6,
            ..tex(T::Cube, rgba, 16, 16, 1)
        };
        assert_eq!(resource_bytes(&cube), 16 * 16 * 6 * 4);
        let msaa = ResourceDesc {
            nr_samples: 4,
            ..tex(T::Texture2D, rgba, 10, 10, 1)
        };
        assert_eq!(resource_bytes(&msaa), 10 * 10 * 4 * 4);
        // Compressed blocks round up: a 5x5 DXT1 texture is 2x2 blocks of 8 bytes.
        let dxt = tex(T::Texture2D, Format::DXT1_RGB, 5, 5, 1);
        assert_eq!(resource_bytes(&dxt), 4 * 8);
    }

    #[test]
    fn bytes_saturate_instead_of_overflowing() {
        let huge = ResourceDesc {
            array_size: u32::MAX,
            nr_samples: 32,
            ..tex(
                TextureTarget::Texture2DArray,
                Format::R32G32B32A32_FLOAT,
                u32::MAX,
                u32::MAX,
                1,
            )
        };
        assert_eq!(resource_bytes(&huge), u64::MAX);
    }

    fn quota(resources: u64, bytes: u64) -> Quota {
        Quota {
            resources: Limit {
                max: resources,
                set_by: "--max-resources",
            },
            resource_bytes: Limit {
                max: bytes,
                set_by: "--max-resource-bytes",
            },
            ..Quota::defaults(["--max-objects", "", ""])
        }
    }

    #[test]
    fn the_account_refuses_past_each_limit_and_frees_room() {
        let q = quota(2, 100);
        let mut a = ResourceAccount::new();
        a.admit(&q, 1, 60).unwrap();
        a.insert(1, 60);
        let e = a.admit(&q, 2, 41).unwrap_err().to_string();
        assert_eq!(
            e,
            "resource 2 of 41 bytes: 101 bytes of resources would be over the limit of 100 \
             (--max-resource-bytes)"
        );
        a.admit(&q, 2, 40).unwrap();
        a.insert(2, 40);
        assert_eq!((a.len(), a.bytes()), (2, 100));
        let e = a.admit(&q, 3, 0).unwrap_err().to_string();
        assert_eq!(
            e,
            "resource 3: 3 resources would be over the limit of 2 (--max-resources)"
        );
        assert!(a.remove(1));
        assert!(!a.remove(1));
        assert_eq!((a.len(), a.bytes()), (1, 40));
        a.admit(&q, 3, 60).unwrap();
        assert!(a.contains(2) && !a.contains(1));
    }

    #[test]
    fn defaults_are_documented_values() {
        let q = Quota::defaults(["a", "b", "c"]);
        assert_eq!(q.objects.max, 65536);
        assert_eq!(q.resources.max, 16384);
        assert_eq!(q.resource_bytes.max, 2 * 1024 * 1024 * 1024);
        assert_eq!(
            (
                q.objects.set_by,
                q.resources.set_by,
                q.resource_bytes.set_by
            ),
            ("a", "b", "c")
        );
    }
}
