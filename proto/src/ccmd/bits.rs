//! Packed dwords. Each layout is declared once, as a table of fields with their bit positions,
//! and the encoder and the decoder both go through it, so a misplaced bit cannot hide on both
//! sides. Bits no field claims are reserved: the decoder rejects them when set.

use crate::format::Format;
use crate::pipe::{BlitMask, ClearBuffers, CopyTransferFlags};

/// A value that can occupy a bit field.
pub(crate) trait BitValue: Copy {
    /// The raw bits, not yet shifted.
    fn to_bits(self) -> u32;
    /// The value for raw bits, if they name one.
    fn from_bits(raw: u32) -> Option<Self>;
}

impl BitValue for bool {
    fn to_bits(self) -> u32 {
        u32::from(self)
    }
    fn from_bits(raw: u32) -> Option<Self> {
        match raw {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

macro_rules! bit_value_int {
    ($($t:ty),+) => {$(
        impl BitValue for $t {
            fn to_bits(self) -> u32 {
                u32::from(self)
            }
            fn from_bits(raw: u32) -> Option<Self> {
                <$t>::try_from(raw).ok()
            }
        }
    )+};
}
bit_value_int!(u8, u16, u32);

impl BitValue for Format {
    fn to_bits(self) -> u32 {
        self.to_wire()
    }
    fn from_bits(raw: u32) -> Option<Self> {
        Format::from_wire(raw)
    }
}

macro_rules! bit_value_flags {
    ($($t:ty),+) => {$(
        impl BitValue for $t {
            fn to_bits(self) -> u32 {
                self.bits()
            }
            fn from_bits(raw: u32) -> Option<Self> {
                <$t>::from_bits(raw)
            }
        }
    )+};
}
bit_value_flags!(ClearBuffers, BlitMask, CopyTransferFlags);

/// One field of a packed dword: its name in errors, first bit and width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldSpec {
    pub name: &'static str,
    pub lo: u32,
    pub width: u32,
}

impl FieldSpec {
    /// The field's bits within the dword.
    pub const fn mask(&self) -> u32 {
        let ones = if self.width >= 32 {
            u32::MAX
        } else {
            (1 << self.width) - 1
        };
        ones << self.lo
    }
}

/// The bits any field of `fields` claims.
pub(crate) const fn used_mask(fields: &[FieldSpec]) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < fields.len() {
        m |= fields[i].mask();
        i += 1;
    }
    m
}

/// True when no two fields share a bit and every field lies inside the dword.
pub(crate) const fn well_formed(fields: &[FieldSpec]) -> bool {
    let mut seen = 0u32;
    let mut i = 0;
    while i < fields.len() {
        let f = &fields[i];
        if f.width == 0 || f.lo + f.width > 32 || seen & f.mask() != 0 {
            return false;
        }
        seen |= f.mask();
        i += 1;
    }
    true
}

/// Why a packed dword could not be packed or unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldError {
    /// Bits that name no value of the field's type.
    Invalid { field: &'static str, value: u32 },
    /// Set bits that no field claims.
    Reserved { bits: u32 },
    /// A value wider than its field (encoding only).
    TooWide { field: &'static str, value: u32 },
}

/// Reads field `f` of `raw` as a `T`.
pub(crate) fn get<T: BitValue>(raw: u32, f: &FieldSpec) -> Result<T, FieldError> {
    let value = (raw & f.mask()) >> f.lo;
    T::from_bits(value).ok_or(FieldError::Invalid {
        field: f.name,
        value,
    })
}

/// `v` shifted into field `f`, or an error when it does not fit.
pub(crate) fn put<T: BitValue>(v: T, f: &FieldSpec) -> Result<u32, FieldError> {
    let value = v.to_bits();
    let shifted = value.checked_shl(f.lo).unwrap_or(0);
    if shifted >> f.lo != value || shifted & !f.mask() != 0 {
        return Err(FieldError::TooWide {
            field: f.name,
            value,
        });
    }
    Ok(shifted)
}

/// A packed dword whose fields live in a `T`.
pub(crate) trait Layout<T> {
    /// The dword's name in errors.
    const NAME: &'static str;
    /// The fields, in declaration order.
    const FIELDS: &'static [FieldSpec];
    /// Bits no field claims.
    const RESERVED: u32;
    /// Packs the fields of `v`.
    fn pack(v: &T) -> Result<u32, FieldError>;
    /// Checks the reserved bits, then stores each field of `raw` into `v`.
    fn unpack_into(raw: u32, v: &mut T) -> Result<(), FieldError>;

    /// The field named `name`.
    fn field(name: &str) -> &'static FieldSpec {
        Self::FIELDS
            .iter()
            .find(|f| f.name == name)
            .expect("a field of this layout")
    }
}

/// The place a field lives in: `v.field`, or the explicit path given after `=>`.
macro_rules! field_place {
    ($v:ident, $field:ident,) => {
        $v.$field
    };
    ($v:ident, $field:ident, $($path:tt)+) => {
        $v.$($path)+
    };
}
pub(crate) use field_place;

/// Declares a packed dword over the fields of a type:
///
/// ```ignore
/// bits! {
///     /// Doc.
///     pub(crate) struct DsaS0("s0") for Dsa {
///         depth_enabled: bool = 0..1 => (depth.enabled),
///         alpha_func: CompareFunc = 9..12,
///     }
/// }
/// ```
///
/// Each field has a type implementing [`BitValue`], a bit range, and optionally the place it
/// lives in (by default the field of the same name). The result implements [`Layout`].
macro_rules! bits {
    (
        $(#[$meta:meta])*
        $vis:vis struct $layout:ident($wire:literal) for $ty:ty {
            $($field:ident: $fty:ty = $lo:literal..$hi:literal $(=> ($($path:tt)+))?,)+
        }
    ) => {
        $(#[$meta])*
        $vis struct $layout;

        impl $layout {
            const CHECKED: () = assert!(
                $crate::ccmd::bits::well_formed(
                    <$layout as $crate::ccmd::bits::Layout<$ty>>::FIELDS
                ),
                concat!(stringify!($layout), ": fields overlap or overflow the dword")
            );
        }

        impl $crate::ccmd::bits::Layout<$ty> for $layout {
            const NAME: &'static str = $wire;
            const FIELDS: &'static [$crate::ccmd::bits::FieldSpec] = &[$(
                $crate::ccmd::bits::FieldSpec { name: stringify!($field), lo: $lo, width: $hi - $lo },
            )+];
            const RESERVED: u32 = !$crate::ccmd::bits::used_mask(Self::FIELDS);

            #[allow(unused_assignments)]
            fn pack(v: &$ty) -> Result<u32, $crate::ccmd::bits::FieldError> {
                #[allow(clippy::let_unit_value)]
                let () = Self::CHECKED;
                let mut out = 0u32;
                let mut i = 0;
                $(
                    let value: $fty = $crate::ccmd::bits::field_place!(v, $field, $($($path)+)?);
                    out |= $crate::ccmd::bits::put(value, &Self::FIELDS[i])?;
                    i += 1;
                )+
                Ok(out)
            }

            // Layouts that fill the dword have no reserved bits to test.
            #[allow(unused_assignments, clippy::bad_bit_mask)]
            fn unpack_into(raw: u32, v: &mut $ty) -> Result<(), $crate::ccmd::bits::FieldError> {
                if raw & Self::RESERVED != 0 {
                    return Err($crate::ccmd::bits::FieldError::Reserved {
                        bits: raw & Self::RESERVED,
                    });
                }
                let mut i = 0;
                $(
                    let slot: &mut $fty = &mut $crate::ccmd::bits::field_place!(v, $field, $($($path)+)?);
                    *slot = $crate::ccmd::bits::get(raw, &Self::FIELDS[i])?;
                    i += 1;
                )+
                Ok(())
            }
        }
    };
}
pub(crate) use bits;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default, Debug, PartialEq)]
    struct Inner {
        b: bool,
    }

    #[derive(Default, Debug, PartialEq)]
    struct Demo {
        a: u8,
        inner: Inner,
        arr: [u8; 2],
    }

    bits! {
        struct DemoBits("demo") for Demo {
            a: u8 = 0..4,
            b: bool = 4..5 => (inner.b),
            second: u8 = 8..16 => (arr[1]),
        }
    }

    #[test]
    fn packs_unpacks_and_masks() {
        let d = Demo {
            a: 9,
            inner: Inner { b: true },
            arr: [0, 0xab],
        };
        let raw = DemoBits::pack(&d).unwrap();
        assert_eq!(raw, 9 | 1 << 4 | 0xab << 8);
        assert_eq!(DemoBits::RESERVED, !0xff1f);
        let mut back = Demo::default();
        DemoBits::unpack_into(raw, &mut back).unwrap();
        assert_eq!(back, d);
        assert_eq!(
            DemoBits::unpack_into(raw | 1 << 5, &mut back),
            Err(FieldError::Reserved { bits: 1 << 5 })
        );
        let wide = Demo {
            a: 16,
            ..Demo::default()
        };
        assert_eq!(
            DemoBits::pack(&wide),
            Err(FieldError::TooWide {
                field: "a",
                value: 16
            })
        );
    }

    #[test]
    fn overlapping_fields_are_caught() {
        let f = |lo, width| FieldSpec {
            name: "f",
            lo,
            width,
        };
        assert!(well_formed(&[f(0, 4), f(4, 28)]));
        assert!(!well_formed(&[f(0, 4), f(3, 2)]));
        assert!(!well_formed(&[f(30, 4)]));
        assert!(!well_formed(&[f(3, 0)]));
    }
}
