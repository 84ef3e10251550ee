//! The address space: tagged addresses and checked regions.
//!
//! Every pointer the program sees is `region id << 32 | (BIAS + offset)`. The high half names a
//! region (a frame's stack, the ctx, the packet, a map value, an object, a ringbuf record, ...);
//! the low half is an offset into it, biased so that pointer arithmetic a little below the start
//! still names the same region and is reported as out of bounds of *that* region. Region 0 is
//! never mapped, so NULL (and small integers used as pointers) fault as NULL dereferences.
//! Region ids are never reused within a run, so a dangling pointer to a released object faults
//! instead of reaching newer memory; only stack regions are recycled, as a real stack is.

use serde::Serialize;

use crate::fault::{Access, FaultKind};

/// The bias added to offsets inside a region.
pub const BIAS: u32 = 0x1000_0000;

/// The stack of each frame, in bytes (`MAX_BPF_STACK`).
pub const STACK_SIZE: u32 = 512;

/// The address of `offset` in region `id`.
#[inline(always)]
pub const fn addr(id: u32, offset: u32) -> u64 {
    ((id as u64) << 32) | (BIAS.wrapping_add(offset) as u64)
}

/// The region id of an address.
#[inline(always)]
pub const fn region_of(addr: u64) -> u32 {
    (addr >> 32) as u32
}

/// The offset of an address inside its region (negative when below its start).
#[inline(always)]
pub const fn offset_of(addr: u64) -> i64 {
    (addr as u32) as i64 - BIAS as i64
}

/// What a region holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RegionKind {
    /// Never mapped: id 0.
    Null,
    /// The stack of the frame at this depth (0 = main).
    Stack {
        depth: u32,
    },
    /// Function addresses (`r2 = my_cb`): not readable, only callable.
    Code,
    /// A map's handle (`r1 = map[m] ll`): not readable, only passed to helpers.
    MapHandle {
        map: u32,
    },
    Ctx,
    Packet,
    /// The raw input memory (`-- mem` of the conformance suite, `raw` programs).
    Input,
    MapValue {
        map: u32,
    },
    Object,
    /// A per-CPU object: no bytes reachable through its own address.
    PercpuObject,
    RingbufRecord {
        map: u32,
    },
    Socket,
    Task,
    Cgroup,
    Cpumask,
}

impl RegionKind {
    /// The region in words, for messages.
    pub fn describe(self) -> String {
        match self {
            RegionKind::Null => "NULL".into(),
            RegionKind::Stack { depth } => format!("the stack of frame {depth}"),
            RegionKind::Code => "program code".into(),
            RegionKind::MapHandle { map } => format!("the handle of map {map}"),
            RegionKind::Ctx => "the ctx".into(),
            RegionKind::Packet => "the packet".into(),
            RegionKind::Input => "the input memory".into(),
            RegionKind::MapValue { map } => format!("a value of map {map}"),
            RegionKind::Object => "an object".into(),
            RegionKind::PercpuObject => {
                "a per-CPU object (reachable only through bpf_this_cpu_ptr)".into()
            }
            RegionKind::RingbufRecord { map } => format!("a ringbuf record of map {map}"),
            RegionKind::Socket => "a socket".into(),
            RegionKind::Task => "a task".into(),
            RegionKind::Cgroup => "a cgroup".into(),
            RegionKind::Cpumask => "a cpumask".into(),
        }
    }
}

/// One mapped (or formerly mapped) range of bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    pub data: Vec<u8>,
    /// For stacks: 1 for every byte the program wrote since the frame started.
    pub written: Vec<u8>,
    pub writable: bool,
    /// False once released (objects, records) or popped (stacks).
    pub live: bool,
    /// Loads must take the slow path (the ctx: its pointer fields).
    pub special_loads: bool,
    /// Lowest offset written since the region was last cleared (stacks clear only that much).
    pub(crate) low_water: u32,
}

impl Region {
    pub fn new(kind: RegionKind, data: Vec<u8>, writable: bool) -> Region {
        let tracked = matches!(kind, RegionKind::Stack { .. });
        Region {
            written: if tracked {
                vec![0; data.len()]
            } else {
                Vec::new()
            },
            low_water: data.len() as u32,
            kind,
            data,
            writable,
            live: true,
            special_loads: false,
        }
    }

    /// A region nothing may read or write (code, map handles, NULL).
    pub fn opaque(kind: RegionKind) -> Region {
        Region::new(kind, Vec::new(), false)
    }
}

/// Every region of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Memory {
    pub regions: Vec<Region>,
    /// Bytes held by all regions.
    pub bytes: u64,
}

impl Memory {
    pub fn add(&mut self, region: Region) -> u32 {
        self.bytes += region.data.len() as u64;
        self.regions.push(region);
        (self.regions.len() - 1) as u32
    }

    pub fn region(&self, id: u32) -> Option<&Region> {
        self.regions.get(id as usize)
    }

    /// Checks an access and returns (region id, offset).
    #[inline(always)]
    pub fn check(&self, addr: u64, size: u32, access: Access) -> Result<(usize, usize), FaultKind> {
        let id = region_of(addr) as usize;
        let off = (addr as u32).wrapping_sub(BIAS) as u64;
        if let Some(r) = self.regions.get(id) {
            let ok = r.live && off + size as u64 <= r.data.len() as u64;
            if ok && (access == Access::Read || r.writable) {
                return Ok((id, off as usize));
            }
        }
        Err(self.fault(addr, size, access))
    }

    /// The fault of a failed access, in the most specific words available.
    #[cold]
    pub fn fault(&self, addr: u64, size: u32, access: Access) -> FaultKind {
        let id = region_of(addr);
        let Some(r) = self.regions.get(id as usize).filter(|_| id != 0) else {
            return if addr < 0x1000 {
                FaultKind::NullDeref { access, addr, size }
            } else {
                FaultKind::Unmapped { access, addr, size }
            };
        };
        if r.data.is_empty() {
            return FaultKind::Unmapped { access, addr, size };
        }
        if !r.live {
            return FaultKind::UseAfterRelease {
                access,
                addr,
                size,
                region: r.kind.describe(),
            };
        }
        let offset = offset_of(addr);
        if offset < 0 || offset as u64 + size as u64 > r.data.len() as u64 {
            return FaultKind::OutOfBounds {
                access,
                addr,
                size,
                region: r.kind.describe(),
                region_size: r.data.len() as u32,
                offset,
            };
        }
        FaultKind::ReadOnly {
            addr,
            size,
            region: r.kind.describe(),
        }
    }

    /// The hot path of a load: `None` when anything is unusual (the caller then takes the
    /// checked path, which says why).
    #[inline(always)]
    pub fn fast_read(&self, addr: u64, size: u32) -> Option<u64> {
        let r = self.regions.get(region_of(addr) as usize)?;
        let off = (addr as u32).wrapping_sub(BIAS) as usize;
        let bytes = r.data.get(off..off.checked_add(size as usize)?)?;
        if !r.live {
            return None;
        }
        Some(read_le(bytes, size))
    }

    /// The hot path of a store: false when the checked path must run. The
    /// size is a constant, so that the copy and the written-bytes marks are plain stores: as
    /// slices of a run-time length they became `memory.copy` and `memory.fill` in wasm, each a
    /// call into the engine, which made a store cost 13 ns in Chromium.
    #[inline(always)]
    pub fn fast_write<const N: usize>(&mut self, addr: u64, bytes: [u8; N]) -> bool {
        let Some(r) = self.regions.get_mut(region_of(addr) as usize) else {
            return false;
        };
        let off = (addr as u32).wrapping_sub(BIAS) as usize;
        if !(r.live && r.writable) {
            return false;
        }
        let Some(data) = r
            .data
            .get_mut(off..off.wrapping_add(N))
            .and_then(|d| <&mut [u8; N]>::try_from(d).ok())
        else {
            return false;
        };
        *data = bytes;
        if let Some(written) = r
            .written
            .get_mut(off..off.wrapping_add(N))
            .and_then(|w| <&mut [u8; N]>::try_from(w).ok())
        {
            *written = [1; N];
            if (off as u32) < r.low_water {
                r.low_water = off as u32;
            }
        }
        true
    }

    /// Reads `size` (1, 2, 4 or 8) bytes, little-endian, zero-extended.
    #[inline(always)]
    pub fn read(&self, addr: u64, size: u32) -> Result<u64, FaultKind> {
        let (id, off) = self.check(addr, size, Access::Read)?;
        Ok(read_le(&self.regions[id].data[off..], size))
    }

    /// Reads bytes into a vector.
    pub fn read_bytes(&self, addr: u64, len: u32) -> Result<Vec<u8>, FaultKind> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let (id, off) = self.check(addr, len, Access::Read)?;
        Ok(self.regions[id].data[off..off + len as usize].to_vec())
    }

    /// Writes bytes.
    #[inline(always)]
    pub fn write(&mut self, addr: u64, bytes: &[u8]) -> Result<(), FaultKind> {
        let size = bytes.len() as u32;
        let (id, off) = self.check(addr, size, Access::Write)?;
        let r = &mut self.regions[id];
        let end = off + bytes.len();
        r.data[off..end].copy_from_slice(bytes);
        if !r.written.is_empty() {
            r.written[off..end].fill(1);
            r.low_water = r.low_water.min(off as u32);
        }
        Ok(())
    }

    /// Clears a stack for a new frame: only what a previous frame dirtied (nothing, and no
    /// call, when it wrote nothing), and marks the stack live.
    #[inline(always)]
    pub fn clear_stack(&mut self, id: u32) {
        if let Some(r) = self.regions.get_mut(id as usize) {
            let from = r.low_water as usize;
            if from < r.data.len() {
                r.data[from..].fill(0);
                r.written[from..].fill(0);
                r.low_water = r.data.len() as u32;
            }
            r.live = true;
        }
    }
}
/// Little-endian read of 1, 2, 4 or 8 bytes.
#[inline(always)]
pub fn read_le(b: &[u8], size: u32) -> u64 {
    match size {
        1 => b[0] as u64,
        2 => u16::from_le_bytes([b[0], b[1]]) as u64,
        4 => u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as u64,
        _ => u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mem() -> Memory {
        let mut m = Memory::default();
        m.add(Region::opaque(RegionKind::Null));
        m.add(Region::new(
            RegionKind::Stack { depth: 0 },
            vec![0; 512],
            true,
        ));
        m.add(Region::new(RegionKind::Ctx, vec![1; 8], false));
        m
    }

    #[test]
    fn addresses_round_trip() {
        let a = addr(3, 16);
        assert_eq!(region_of(a), 3);
        assert_eq!(offset_of(a), 16);
        assert_eq!(offset_of(a.wrapping_sub(32)), -16);
        assert_eq!(region_of(a.wrapping_sub(32)), 3);
    }

    #[test]
    fn checked_accesses() {
        let mut m = mem();
        let top = addr(1, 512);
        assert!(m.write(top - 8, &7u64.to_le_bytes()).is_ok());
        assert_eq!(m.read(top - 8, 8), Ok(7));
        assert_eq!(m.regions[1].written[504..], [1; 8]);
        assert!(matches!(
            m.read(top - 4, 8),
            Err(FaultKind::OutOfBounds { offset: 508, .. })
        ));
        assert!(matches!(
            m.read(addr(1, 0) - 1, 1),
            Err(FaultKind::OutOfBounds { offset: -1, .. })
        ));
        assert!(matches!(m.read(0, 4), Err(FaultKind::NullDeref { .. })));
        assert!(matches!(
            m.read(0xdead_beef, 4),
            Err(FaultKind::Unmapped { .. })
        ));
        assert!(matches!(
            m.write(addr(2, 0), &[0]),
            Err(FaultKind::ReadOnly { .. })
        ));
        m.regions[1].live = false;
        assert!(matches!(
            m.read(top - 8, 8),
            Err(FaultKind::UseAfterRelease { .. })
        ));
    }

    #[test]
    fn a_new_frames_stack_is_cleared_as_far_as_it_was_dirtied() {
        let mut m = mem();
        let top = addr(1, 512);
        m.write(top - 2, &[9, 9]).unwrap();
        assert_eq!(m.regions[1].low_water, 510);
        m.clear_stack(1);
        assert_eq!(m.regions[1].data[510..], [0, 0]);
        assert_eq!(m.regions[1].written[510..], [0, 0]);
        assert_eq!(m.regions[1].low_water, 512);
    }
}
