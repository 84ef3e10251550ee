//! A frame's stack: 8-byte slots, each with a kind per byte (`slot_type[8]`) and the register
//! spilled there (`struct bpf_stack_state`). Byte index 7 of a slot is its lowest address
//! (fp-8 for slot 0), as in the kernel.

use serde::Serialize;

use super::reg::RegState;

/// `STACK_INVALID`, `STACK_SPILL`, `STACK_MISC`, `STACK_ZERO`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    Invalid,
    Spill,
    Misc,
    Zero,
}

impl SlotKind {
    pub fn ch(self) -> char {
        match self {
            SlotKind::Invalid => '?',
            SlotKind::Spill => 'r',
            SlotKind::Misc => 'm',
            SlotKind::Zero => '0',
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct StackSlot {
    pub kinds: [SlotKind; 8],
    pub spilled: RegState,
}

impl Default for StackSlot {
    fn default() -> Self {
        StackSlot {
            kinds: [SlotKind::Invalid; 8],
            spilled: RegState::NOT_INIT,
        }
    }
}

impl StackSlot {
    /// `is_spilled_reg`: the slot's lowest byte holds a spill.
    pub fn is_spill(&self) -> bool {
        self.kinds[7] == SlotKind::Spill
    }

    /// How many bytes, from the lowest, the spill covers.
    pub fn spill_size(&self) -> u32 {
        let mut n = 0;
        for i in (0..8).rev() {
            if self.kinds[i] == SlotKind::Spill {
                n += 1;
            } else {
                break;
            }
        }
        n
    }

    pub fn is_valid(&self) -> bool {
        self.kinds.iter().any(|k| *k != SlotKind::Invalid)
    }

    /// The kinds as the log prints them (`mmmm????`), for a spill only the bytes above it.
    pub fn kinds_str(&self) -> String {
        let mut s: String = self.kinds.iter().map(|k| k.ch()).collect();
        if self.is_spill() {
            let j = self
                .kinds
                .iter()
                .position(|k| *k == SlotKind::Spill)
                .unwrap_or(8);
            s.truncate(j);
        }
        s
    }
}
