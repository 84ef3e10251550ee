//! The 8-byte instruction slot exactly as it sits in memory (RFC 9669 §3, little-endian).

use serde::Serialize;

/// Size of one instruction slot in bytes. `ld_imm64` takes two slots.
pub const SLOT_SIZE: usize = 8;

/// One 64-bit instruction slot: `opcode:8 | src:4 dst:4 | off:16 | imm:32`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct RawInsn {
    pub code: u8,
    /// Destination register field (low nibble of byte 1 on little-endian).
    pub dst: u8,
    /// Source register field (high nibble of byte 1 on little-endian).
    pub src: u8,
    pub off: i16,
    pub imm: i32,
}

impl RawInsn {
    pub const fn new(code: u8, dst: u8, src: u8, off: i16, imm: i32) -> Self {
        Self {
            code,
            dst,
            src,
            off,
            imm,
        }
    }

    pub fn to_bytes(self) -> [u8; SLOT_SIZE] {
        let mut b = [0u8; SLOT_SIZE];
        b[0] = self.code;
        b[1] = (self.dst & 0x0f) | (self.src << 4);
        b[2..4].copy_from_slice(&self.off.to_le_bytes());
        b[4..8].copy_from_slice(&self.imm.to_le_bytes());
        b
    }

    pub fn from_bytes(b: [u8; SLOT_SIZE]) -> Self {
        Self {
            code: b[0],
            dst: b[1] & 0x0f,
            src: b[1] >> 4,
            off: i16::from_le_bytes([b[2], b[3]]),
            imm: i32::from_le_bytes([b[4], b[5], b[6], b[7]]),
        }
    }

    /// The slot as one little-endian 64-bit word (the form some tools print).
    pub fn to_word(self) -> u64 {
        u64::from_le_bytes(self.to_bytes())
    }

    pub fn from_word(word: u64) -> Self {
        Self::from_bytes(word.to_le_bytes())
    }
}

/// Splits a byte buffer into slots. Fails when the length is not a multiple of 8.
pub fn slots_from_bytes(bytes: &[u8]) -> Result<Vec<RawInsn>, crate::DecodeError> {
    if !bytes.len().is_multiple_of(SLOT_SIZE) {
        return Err(crate::DecodeError::TrailingBytes { len: bytes.len() });
    }
    Ok(bytes
        .chunks_exact(SLOT_SIZE)
        .map(|c| RawInsn::from_bytes(c.try_into().expect("chunk of 8")))
        .collect())
}

/// Concatenates slots into their byte form.
pub fn slots_to_bytes(slots: &[RawInsn]) -> Vec<u8> {
    slots.iter().flat_map(|s| s.to_bytes()).collect()
}
