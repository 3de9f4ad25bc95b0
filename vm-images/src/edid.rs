//! An EDID 1.3 block offering exactly one display mode, for the guest kernel to use in place of
//! the one QEMU generates (`drm.edid_firmware=edid/NAME.bin`, the file under
//! `/lib/firmware/edid/` in the image).
//!
//! QEMU's EDID lists modes up to 5120x2160 and prefers the size of its window, and the
//! virtio-gpu driver drops a preferred mode that differs from the window's size; programs that
//! take the largest mode (glmark2 2023.01) then run at a size nobody chose. This block has one
//! detailed timing, not marked preferred (EDID 1.3 lets the feature bit say so, and the driver
//! checks only a preferred mode against the window), no established or standard timings, so
//! the connector offers that one mode.

/// A display timing: pixel clock and, for each direction, active, front porch, sync and back
/// porch lengths (pixels, or lines). Sync is taken as positive in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub clock_khz: u32,
    pub h: [u16; 4],
    pub v: [u16; 4],
}

/// VESA DMT 800x600 at 60 Hz (40 MHz).
pub const VESA_800X600_60: Timing = Timing {
    clock_khz: 40_000,
    h: [800, 40, 128, 88],
    v: [600, 1, 4, 23],
};

/// VESA DMT 640x480 at 60 Hz (25.175 MHz).
pub const VESA_640X480_60: Timing = Timing {
    clock_khz: 25_175,
    h: [640, 16, 96, 48],
    v: [480, 10, 2, 33],
};

/// An 18-byte display descriptor of `kind` (0xfc: monitor name; 0x10: unused) holding `text`,
/// ended by a newline and padded with spaces as EDID wants.
fn descriptor(kind: u8, text: &str) -> [u8; 18] {
    let mut d = [0u8; 18];
    d[3] = kind;
    if kind != 0x10 {
        let mut body = [b' '; 13];
        let t = &text.as_bytes()[..text.len().min(12)];
        body[..t.len()].copy_from_slice(t);
        body[t.len()] = b'\n';
        d[5..].copy_from_slice(&body);
    }
    d
}

/// The 18-byte detailed timing descriptor of `t`, with a 270 x 200 mm image size.
pub fn detailed_timing(t: &Timing) -> [u8; 18] {
    let [ha, hf, hs, hb] = t.h;
    let [va, vf, vs, vb] = t.v;
    let (hblank, vblank) = (hf + hs + hb, vf + vs + vb);
    let (hmm, vmm): (u16, u16) = (270, 200);
    let clock = (t.clock_khz / 10) as u16;
    let lo = |v: u16| (v & 0xff) as u8;
    [
        lo(clock),
        (clock >> 8) as u8,
        lo(ha),
        lo(hblank),
        ((ha >> 8) << 4 | (hblank >> 8)) as u8,
        lo(va),
        lo(vblank),
        ((va >> 8) << 4 | (vblank >> 8)) as u8,
        lo(hf),
        lo(hs),
        ((vf & 0xf) << 4 | (vs & 0xf)) as u8,
        ((hf >> 8) << 6 | (hs >> 8) << 4 | (vf >> 4) << 2 | (vs >> 4)) as u8,
        lo(hmm),
        lo(vmm),
        ((hmm >> 8) << 4 | (vmm >> 8)) as u8,
        0,
        0,
        // Digital separate sync, both positive.
        0x1e,
    ]
}

/// The EDID block: vendor `VRG`, product 1, digital RGB input, one detailed timing `t` (not
/// preferred), monitor name `name`, checksum.
pub fn one_mode(t: &Timing, name: &str) -> [u8; 128] {
    let mut e = [0u8; 128];
    e[..8].copy_from_slice(&[0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]);
    // "VRG": three 5-bit letters, 'A' = 1, big-endian.
    let id: u16 = [b'V', b'R', b'G']
        .iter()
        .fold(0, |acc, c| acc << 5 | u16::from(c - b'A' + 1));
    e[8..10].copy_from_slice(&id.to_be_bytes());
    e[10..12].copy_from_slice(&1u16.to_le_bytes());
    e[17] = 34; // 2024
    e[18] = 1;
    e[19] = 3;
    e[20] = 0x80; // digital input
    e[21] = 27; // cm
    e[22] = 20;
    e[23] = 120; // gamma 2.2
    e[24] = 0x08; // RGB colour; no preferred timing mode, no power management
                  // Chromaticity of sRGB.
    e[25..35].copy_from_slice(&[0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54]);
    // No established timings (35..38); standard timings unused.
    for s in e[38..54].chunks_exact_mut(2) {
        s.copy_from_slice(&[0x01, 0x01]);
    }
    e[54..72].copy_from_slice(&detailed_timing(t));
    e[72..90].copy_from_slice(&descriptor(0xfc, name));
    e[90..108].copy_from_slice(&descriptor(0x10, ""));
    e[108..126].copy_from_slice(&descriptor(0x10, ""));
    let sum = e[..127].iter().fold(0u8, |a, b| a.wrapping_add(*b));
    e[127] = sum.wrapping_neg();
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_800x600_timing_is_the_kernels_own() {
        // drivers/gpu/drm/drm_edid_load.c (Linux 6.1), the built-in edid/800x600.bin's
        // first detailed timing, up to its image size.
        let kernel = [
            0xa0, 0x0f, 0x20, 0x00, 0x31, 0x58, 0x1c, 0x20, 0x28, 0x80, 0x14, 0x00,
        ];
        assert_eq!(detailed_timing(&VESA_800X600_60)[..12], kernel);
        // 640x480, encoded by hand: 25.17 MHz, 640 + 160 blank, 480 + 45 blank, front porch
        // and sync 16/96 and 10/2.
        let vga = [
            0xd5, 0x09, 0x80, 0xa0, 0x20, 0xe0, 0x2d, 0x10, 0x10, 0x60, 0xa2, 0x00,
        ];
        assert_eq!(detailed_timing(&VESA_640X480_60)[..12], vga);
    }

    #[test]
    fn the_block_is_well_formed_with_one_mode_not_preferred() {
        let e = one_mode(&VESA_800X600_60, "virgl");
        assert_eq!(e.iter().fold(0u8, |a, b| a.wrapping_add(*b)), 0);
        assert_eq!(&e[..8], &[0, 255, 255, 255, 255, 255, 255, 0]);
        assert_eq!((e[18], e[19]), (1, 3));
        assert_eq!(e[24] & 0x02, 0, "preferred timing bit");
        assert_eq!(&e[35..38], &[0, 0, 0], "established timings");
        assert!(e[38..54].iter().all(|&b| b == 1), "standard timings unused");
        // Decode the detailed timing back.
        let d = &e[54..72];
        let clock = u16::from_le_bytes([d[0], d[1]]);
        let hactive = u16::from(d[2]) | u16::from(d[4] >> 4) << 8;
        let hblank = u16::from(d[3]) | u16::from(d[4] & 0xf) << 8;
        let vactive = u16::from(d[5]) | u16::from(d[7] >> 4) << 8;
        let vblank = u16::from(d[6]) | u16::from(d[7] & 0xf) << 8;
        assert_eq!(
            (clock, hactive, hblank, vactive, vblank),
            (4000, 800, 256, 600, 28)
        );
        // Only the name descriptor besides it: "virgl\n" padded with spaces.
        assert_eq!(&e[72..77], &[0, 0, 0, 0xfc, 0]);
        assert_eq!(&e[77..90], b"virgl\n       ");
        assert_eq!(&e[90..95], &[0, 0, 0, 0x10, 0]);
        assert_eq!(e[126], 0, "extensions");
        assert_eq!(&e[8..10], &[0x5a, 0x47], "VRG");
    }
}
