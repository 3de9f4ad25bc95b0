//! The two ends every command goes through: [`Payload`] reads a decoded command's dwords and
//! turns problems into errors naming the command and the dword; [`Writer`] appends an encoded
//! command's dwords and turns problems into errors naming the command and the field.

use std::borrow::Cow;

use super::bits::{BitValue, FieldError, Layout};
use super::header::Header;
use super::rules::{Check, Violation};
use super::Dwords;
use crate::error::{Error, LenRule, Result};

/// The payload of one command being decoded, with its position for errors.
pub(crate) struct Payload<'a> {
    /// Payload bytes, header excluded.
    pub bytes: &'a [u8],
    /// Index of the command in the stream.
    pub index: usize,
    /// Dword offset of the header in the stream.
    pub offset: usize,
    pub header: Header,
    /// The command's name, object included.
    pub name: &'static str,
}

impl<'a> Payload<'a> {
    /// Payload length in dwords.
    pub fn len(&self) -> usize {
        self.bytes.len() / 4
    }

    /// Dword `i`, counted from the header (so payload dwords are 1..=len).
    pub fn u32(&self, i: usize) -> u32 {
        let b = &self.bytes[(i - 1) * 4..i * 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    pub fn f32(&self, i: usize) -> f32 {
        f32::from_bits(self.u32(i))
    }

    /// Dwords `i..=len`, borrowed.
    pub fn rest(&self, i: usize) -> Dwords<'a> {
        Dwords(Cow::Borrowed(self.bytes_from(i)))
    }

    /// The bytes of dwords `i..=len`.
    pub fn bytes_from(&self, i: usize) -> &'a [u8] {
        &self.bytes[(i - 1) * 4..]
    }

    /// `n` dwords from dword `i`.
    pub fn dwords(&self, i: usize, n: usize) -> impl Iterator<Item = u32> + '_ {
        (i..i + n).map(|k| self.u32(k))
    }

    /// Six dwords from `i` as a box.
    pub fn region(&self, i: usize) -> super::Box3 {
        super::Box3 {
            x: self.u32(i),
            y: self.u32(i + 1),
            z: self.u32(i + 2),
            w: self.u32(i + 3),
            h: self.u32(i + 4),
            d: self.u32(i + 5),
        }
    }

    /// An error naming `field` at dword `i`, whose value is not one the field takes.
    pub fn invalid(&self, field: &'static str, i: usize, value: u32) -> Error {
        Error::InvalidField {
            index: self.index,
            offset: self.offset,
            name: self.name,
            field,
            field_offset: self.offset + i,
            value,
        }
    }

    /// A whole dword holding a value of `T` (an enum, a flag set, a bool).
    pub fn value<T: BitValue>(&self, field: &'static str, i: usize) -> Result<T> {
        let v = self.u32(i);
        T::from_bits(v).ok_or_else(|| self.invalid(field, i, v))
    }

    /// Unpacks dword `i` through layout `L` into `v`.
    pub fn unpack<L: Layout<T>, T>(&self, i: usize, v: &mut T) -> Result<()> {
        self.unpack_raw::<L, T>(i, self.u32(i), v)
    }

    /// Unpacks `raw`, read from dword `i`, through layout `L` into `v`.
    pub fn unpack_raw<L: Layout<T>, T>(&self, i: usize, raw: u32, v: &mut T) -> Result<()> {
        L::unpack_into(raw, v).map_err(|e| match e {
            FieldError::Invalid { field, value } => self.invalid(field, i, value),
            FieldError::Reserved { bits } => Error::ReservedBits {
                index: self.index,
                offset: self.offset,
                name: self.name,
                field: L::NAME,
                field_offset: self.offset + i,
                bits,
            },
            FieldError::TooWide { field, value } => self.invalid(field, i, value),
        })
    }

    /// Unpacks dword `i` through layout `L` into a fresh `T`.
    pub fn unpacked<L: Layout<T>, T: Default>(&self, i: usize) -> Result<T> {
        let mut v = T::default();
        self.unpack::<L, T>(i, &mut v)?;
        Ok(v)
    }

    /// Turns a rule violation into an error at this command.
    pub fn check(&self, c: Check) -> Result<()> {
        c.map_err(|v| self.violation(v))
    }

    pub fn violation(&self, v: Violation) -> Error {
        Error::FieldRule {
            index: self.index,
            offset: self.offset,
            name: self.name,
            field: v.field,
            field_offset: self.offset + v.dword,
            value: v.value,
            rule: v.rule,
        }
    }

    /// A length error: the payload is not one `expected` allows.
    pub fn bad_length(&self, expected: LenRule) -> Error {
        Error::BadLength {
            index: self.index,
            offset: self.offset,
            id: self.header.id,
            name: self.name,
            expected,
            actual: self.header.len,
        }
    }

    /// Fails unless the payload length satisfies `rule`.
    pub fn expect(&self, rule: LenRule) -> Result<()> {
        if rule.allows(self.header.len) {
            Ok(())
        } else {
            Err(self.bad_length(rule))
        }
    }
}

/// The dwords of one command being encoded.
pub(crate) struct Writer<'w> {
    pub out: &'w mut Vec<u32>,
    /// The command's name, object included.
    pub name: &'static str,
}

impl Writer<'_> {
    pub fn push(&mut self, v: u32) {
        self.out.push(v);
    }

    pub fn extend(&mut self, v: impl IntoIterator<Item = u32>) {
        self.out.extend(v);
    }

    pub fn f32s(&mut self, v: &[f32]) {
        self.out.extend(v.iter().map(|f| f.to_bits()));
    }

    /// Six dwords of a box.
    pub fn region(&mut self, b: &super::Box3) {
        self.out.extend([b.x, b.y, b.z, b.w, b.h, b.d]);
    }

    /// Packs `v` through layout `L` and appends it.
    pub fn pack<L: Layout<T>, T>(&mut self, v: &T) -> Result<()> {
        let raw = self.packed::<L, T>(v)?;
        self.out.push(raw);
        Ok(())
    }

    /// Packs `v` through layout `L`.
    pub fn packed<L: Layout<T>, T>(&self, v: &T) -> Result<u32> {
        L::pack(v).map_err(|e| self.field_error(e))
    }

    pub fn field_error(&self, e: FieldError) -> Error {
        let (field, value) = match e {
            FieldError::TooWide { field, value } | FieldError::Invalid { field, value } => {
                (field, value)
            }
            FieldError::Reserved { bits } => ("reserved", bits),
        };
        Error::InvalidCommand {
            name: self.name,
            field,
            value,
            rule: "does not fit its bit field",
        }
    }

    /// Turns a rule violation into an error for this command.
    pub fn check(&self, c: Check) -> Result<()> {
        c.map_err(|v| Error::InvalidCommand {
            name: self.name,
            field: v.field,
            value: v.value,
            rule: v.rule,
        })
    }
}
