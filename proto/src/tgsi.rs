//! TGSI text, as Mesa's `tgsi_dump` writes it and virglrenderer's `tgsi_text_translate` reads
//! it: a typed syntax tree, a parser, a printer and a builder.
//!
//! Guest drivers send shaders to virgl hosts as this text. A shader is a header naming the
//! stage (`VERT`, `FRAG`, ...) followed by properties, declarations, immediates and
//! numbered instructions, one per line. Every name in it (opcodes, register files,
//! semantics, properties, texture targets, ...) is an enum here, defined once in a table of
//! name, number and facts ([`names`], [`opcode`]).
//!
//! [`parse`] rejects what the host would reject, with the line and column; printing a
//! [`Shader`] gives text that parses back to the same tree.
//!
//! ```
//! use virgl_proto::tgsi::{parse, Builder, Declaration, Dst, File, Opcode, Processor, SemanticName, Src};
//!
//! let shader = Builder::new(Processor::Frag)
//!     .declare(Declaration::new(File::Out, 0, 0).semantic(SemanticName::Color, 0))
//!     .declare(Declaration::new(File::Const, 0, 0))
//!     .op(Opcode::Mov, &[Dst::reg(File::Out, 0)], &[Src::reg(File::Const, 0)])
//!     .end();
//! let text = shader.to_string();
//! assert_eq!(text, "FRAG\nDCL OUT[0], COLOR\nDCL CONST[0]\n  0: MOV OUT[0], CONST[0]\n  1: END\n");
//! assert_eq!(parse(&text).unwrap(), shader);
//! ```

mod build;
mod ir;
pub mod names;
pub mod opcode;
mod parse;
mod print;

pub use build::Builder;
pub use ir::*;
pub use names::*;
pub use opcode::{Opcode, OpcodeInfo, OutputMode};
pub use parse::parse;

#[cfg(test)]
mod tests;
