//! A builder for shaders written in Rust: items are appended in order and `END` closes them.

use super::ir::*;
use super::names::{Processor, PropertyName};
use super::opcode::Opcode;

/// Builds a [`Shader`] item by item.
pub struct Builder {
    shader: Shader,
    immediates: u32,
    instructions: usize,
}

impl Builder {
    /// An empty shader for `processor`.
    pub fn new(processor: Processor) -> Builder {
        Builder {
            shader: Shader {
                processor,
                items: Vec::new(),
            },
            immediates: 0,
            instructions: 0,
        }
    }

    /// `PROPERTY NAME value`.
    ///
    /// # Panics
    /// If the value is not of the kind the property takes.
    pub fn property(mut self, name: PropertyName, value: PropertyValue) -> Builder {
        assert_eq!(value.kind(), name.kind(), "value of {name}");
        self.shader
            .items
            .push(Item::Property(Property { name, value }));
        self
    }

    /// A declaration.
    ///
    /// # Panics
    /// After the first instruction, where the host rejects declarations.
    pub fn declare(mut self, declaration: Declaration) -> Builder {
        assert_eq!(self.instructions, 0, "declaration after an instruction");
        self.shader.items.push(Item::Declaration(declaration));
        self
    }

    /// An immediate; also returns its `IMM` register number.
    ///
    /// # Panics
    /// After the first instruction, where the host rejects immediates.
    pub fn immediate(mut self, immediate: Immediate) -> (Builder, u32) {
        assert_eq!(self.instructions, 0, "immediate after an instruction");
        let index = self.immediates;
        self.immediates += 1;
        self.shader.items.push(Item::Immediate(immediate));
        (self, index)
    }

    /// Four float immediates; also returns the `IMM` register number.
    pub fn immediate_f32(self, values: [f32; 4]) -> (Builder, u32) {
        self.immediate(Immediate::f32(values))
    }

    /// An instruction.
    pub fn instruction(mut self, instruction: Instruction) -> Builder {
        self.instructions += 1;
        self.shader.items.push(Item::Instruction(instruction));
        self
    }

    /// `opcode dst..., src...`.
    ///
    /// # Panics
    /// If the operand counts are not the opcode's.
    pub fn op(self, opcode: Opcode, dst: &[Dst], src: &[Src]) -> Builder {
        self.instruction(Instruction::new(opcode, dst, src))
    }

    /// Appends `END` and returns the shader.
    pub fn end(self) -> Shader {
        self.op(Opcode::End, &[], &[]).shader
    }
}
