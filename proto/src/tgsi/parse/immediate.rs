//! Immediates: `IMM[n] TYPE {values}`, each value read the way virglrenderer's
//! `parse_immediate_data` reads it for the type.

use super::{is_white, Parser};
use crate::error::Result;
use crate::tgsi::ir::Immediate;
use crate::tgsi::names::ImmType;

impl Parser<'_> {
    /// After `IMM`: an optional `[n]`, where n must be the count so far (the host checks
    /// that immediates are sorted), the type and its values in braces.
    pub(super) fn immediate(&mut self) -> Result<Immediate> {
        if self.peek() == b'[' {
            self.pos += 1;
            self.opt_white();
            let at = self.pos;
            let n = self.uint("an immediate number")?;
            if n != self.immediates {
                return self.err(
                    at,
                    format!(
                        "immediate numbered {n} where {} was due: immediates are numbered in \
                         order from 0",
                        self.immediates
                    ),
                );
            }
            self.expect(b']', "after the immediate number")?;
        }
        if !self.white() {
            return self.err(self.pos, "expected a space before the immediate type");
        }
        let at = self.pos;
        let Some(ty) = self.lookup(ImmType::from_name) else {
            return self.err(at, format!("unknown immediate type {}", self.found(at)));
        };
        self.expect(b'{', &format!("after {ty}"))?;
        let count = match ty {
            ImmType::Flt64 | ImmType::Uint64 | ImmType::Int64 => 2,
            _ => 4,
        };
        let mut v32 = [0u32; 4];
        let mut v64 = [0u64; 2];
        for i in 0..count {
            let before = self.pos;
            self.opt_white();
            if i > 0 {
                if self.peek() != b',' {
                    return self.err(
                        before,
                        format!(
                            "expected `,`: a {ty} immediate has {count} values, found {}",
                            self.found(self.pos)
                        ),
                    );
                }
                self.pos += 1;
                self.opt_white();
            }
            match ty {
                ImmType::Flt32 => v32[i] = self.flt32()?,
                ImmType::Uint32 => v32[i] = self.uint("a UINT32 value")?,
                ImmType::Int32 => v32[i] = self.int("an INT32 value")? as u32,
                ImmType::Flt64 => v64[i] = self.flt64()?,
                ImmType::Uint64 | ImmType::Int64 => v64[i] = self.int64(ty)?,
            }
        }
        let before = self.pos;
        self.opt_white();
        if self.peek() != b'}' {
            return self.err(
                before,
                format!(
                    "expected `}}`: a {ty} immediate has {count} values, found {}",
                    self.found(self.pos)
                ),
            );
        }
        self.pos += 1;
        self.immediates += 1;
        Ok(match ty {
            ImmType::Flt32 => Immediate::Flt32(v32),
            ImmType::Uint32 => Immediate::Uint32(v32),
            ImmType::Int32 => Immediate::Int32(v32.map(|v| v as i32)),
            ImmType::Flt64 => Immediate::Flt64(v64),
            ImmType::Uint64 => Immediate::Uint64(v64),
            ImmType::Int64 => Immediate::Int64(v64.map(|v| v as i64)),
        })
    }

    /// `0x` and exactly eight hex digits at the cursor, as `parse_float` skips ten characters.
    fn hex8(&mut self) -> Option<u32> {
        let s = self.s.get(self.pos..)?;
        if !s.starts_with(b"0x")
            || s.len() < 10
            || !s[2..10].iter().all(u8::is_ascii_hexdigit)
            || s.get(10).is_some_and(u8::is_ascii_hexdigit)
        {
            return None;
        }
        let v = u32::from_str_radix(&self.text[self.pos + 2..self.pos + 10], 16).ok()?;
        self.pos += 10;
        Some(v)
    }

    /// The end of a decimal float at the cursor, in `parse_float`'s syntax:
    /// `[+-]digits[.digits][(e|E)[+-]digits]`, with digits before or after the point.
    fn decimal_end(&self) -> Option<usize> {
        let s = self.s;
        let mut i = self.pos;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let int = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += int;
        let mut frac = 0;
        if s.get(i) == Some(&b'.') {
            i += 1;
            frac = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            i += frac;
        }
        if int + frac == 0 {
            return None;
        }
        if matches!(s.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(s.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let exp = s[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            if exp == 0 {
                return None;
            }
            i += exp;
        }
        Some(i)
    }

    /// A FLT32 value: `0x` and eight hex digits of bits, or a decimal the host reads with
    /// `atof` and narrows to float (so rounded twice, as here).
    fn flt32(&mut self) -> Result<u32> {
        let at = self.pos;
        if self.s[at..].starts_with(b"0x") {
            return self
                .hex8()
                .map_or_else(|| self.err(at, "expected 0x and exactly 8 hex digits"), Ok);
        }
        let Some(end) = self.decimal_end() else {
            return self.err(
                at,
                format!("expected a FLT32 value, found {}", self.found(at)),
            );
        };
        let v: f64 = self.text[at..end].parse().unwrap_or(f64::NAN);
        self.pos = end;
        Ok((v as f32).to_bits())
    }

    /// A FLT64 value: a decimal (or `inf`/`nan`) the host reads with `strtod`, or the bits as
    /// two 32-bit words, low first, `0xLLLLLLLL,0xHHHHHHHH` and one whitespace character,
    /// which `parse_double` reads by skipping 11 characters after each word.
    fn flt64(&mut self) -> Result<u64> {
        let at = self.pos;
        if self.s[at..].starts_with(b"0x") {
            let pair = (|| {
                let lo = self.hex8()?;
                (self.peek() == b',').then_some(())?;
                self.pos += 1;
                let hi = self.hex8()?;
                is_white(self.peek()).then_some(())?;
                self.pos += 1;
                Some(u64::from(hi) << 32 | u64::from(lo))
            })();
            return pair.map_or_else(
                || {
                    self.err(
                        at,
                        "a hex FLT64 is two words, low first, and a space: \
                         0xLLLLLLLL,0xHHHHHHHH ",
                    )
                },
                Ok,
            );
        }
        let end = self.decimal_end().or_else(|| {
            let mut i = at;
            if matches!(self.s.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let (w, end) = self.word_at(i);
            ["inf", "infinity", "nan"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(w))
                .then_some(end)
        });
        let Some(end) = end else {
            return self.err(
                at,
                format!("expected a FLT64 value, found {}", self.found(at)),
            );
        };
        let v: f64 = self.text[at..end].parse().unwrap_or(f64::NAN);
        self.pos = end;
        Ok(v.to_bits())
    }

    /// A UINT64 or INT64 value as `strtoull`/`strtoll` read it with base 0: decimal, `0x` hex
    /// or `0` octal.
    fn int64(&mut self, ty: ImmType) -> Result<u64> {
        let at = self.pos;
        let neg = match self.peek() {
            b'-' => {
                self.pos += 1;
                true
            }
            b'+' => {
                self.pos += 1;
                false
            }
            _ => false,
        };
        let rest = &self.s[self.pos..];
        let (radix, skip) = if (rest.starts_with(b"0x") || rest.starts_with(b"0X"))
            && rest.get(2).is_some_and(u8::is_ascii_hexdigit)
        {
            (16, 2)
        } else if rest.starts_with(b"0") {
            (8, 0)
        } else {
            (10, 0)
        };
        self.pos += skip;
        let start = self.pos;
        while self.peek().is_ascii_digit() && (self.peek() - b'0') < radix as u8
            || radix == 16 && self.peek().is_ascii_hexdigit()
        {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err(
                at,
                format!("expected a {ty} value, found {}", self.found(at)),
            );
        }
        let magnitude = u128::from_str_radix(&self.text[start..self.pos], radix).ok();
        let value = match (ty, neg, magnitude) {
            (ImmType::Uint64, false, Some(m)) => u64::try_from(m).ok(),
            (ImmType::Int64, false, Some(m)) => i64::try_from(m).ok().map(|v| v as u64),
            (ImmType::Int64, true, Some(m)) => i128::try_from(m)
                .ok()
                .and_then(|m| i64::try_from(-m).ok())
                .map(|v| v as u64),
            _ => None,
        };
        value.map_or_else(
            || {
                self.err(
                    at,
                    format!("{ty} value {} is out of range", &self.text[at..self.pos]),
                )
            },
            Ok,
        )
    }
}
