//! Maps: array and hash (lookup, update, delete) with values in real memory regions, and the
//! ringbuf's space accounting. Errors are the kernel's negative errnos.

use unwind_kernel::MapType;

use crate::fault::FaultKind;
use crate::machine::{Machine, Store, MAP_REGION_BASE};
use crate::memory::{addr, offset_of, region_of, Region, RegionKind};

pub const EINVAL: i64 = 22;
pub const ENOENT: i64 = 2;
pub const EEXIST: i64 = 17;
pub const E2BIG: i64 = 7;
pub const ENOMEM: i64 = 12;

const BPF_NOEXIST: u64 = 1;
const BPF_EXIST: u64 = 2;

pub fn errno(e: i64) -> u64 {
    (-e) as u64
}

impl Machine {
    /// The map a handle argument names.
    pub(crate) fn map_arg(&self, function: &'static str, v: u64) -> Result<u32, FaultKind> {
        let id = region_of(v);
        let index = id.wrapping_sub(MAP_REGION_BASE);
        if id >= MAP_REGION_BASE && (index as usize) < self.kernel.maps.len() && offset_of(v) == 0 {
            Ok(index)
        } else {
            Err(FaultKind::BadArgument {
                function,
                reason: format!("R1 ({v:#x}) is not a map"),
            })
        }
    }

    /// The region of an array element, created on first use (elements start zeroed).
    pub(crate) fn array_elem(&mut self, map: u32, index: u32) -> Option<u32> {
        let state = &self.kernel.maps[map as usize];
        let Store::Array { elems } = &state.store else {
            return None;
        };
        if index >= state.def.max_entries {
            return None;
        }
        if let Some(&r) = elems.get(&index) {
            return Some(r);
        }
        let size = state.def.value_size as usize;
        if !self.can_allocate(size) {
            return None;
        }
        let region = self.add_region(Region::new(
            RegionKind::MapValue { map },
            vec![0; size],
            true,
        ));
        if let Store::Array { elems } = &mut self.kernel.maps[map as usize].store {
            elems.insert(index, region);
        }
        Some(region)
    }

    fn key(&self, map: u32, ptr: u64) -> Result<Vec<u8>, FaultKind> {
        let size = self.kernel.maps[map as usize].def.key_size;
        self.mem.read_bytes(ptr, size)
    }

    pub(crate) fn map_lookup(&mut self, map: u32, key_ptr: u64) -> Result<u64, FaultKind> {
        let key = self.key(map, key_ptr)?;
        Ok(match &self.kernel.maps[map as usize].store {
            Store::Array { .. } => {
                let i = array_index(&key);
                self.array_elem(map, i).map_or(0, |r| addr(r, 0))
            }
            Store::Hash { entries } => entries.get(&key).map_or(0, |&r| addr(r, 0)),
            _ => 0,
        })
    }

    pub(crate) fn map_update(
        &mut self,
        map: u32,
        key_ptr: u64,
        value_ptr: u64,
        flags: u64,
    ) -> Result<u64, FaultKind> {
        let key = self.key(map, key_ptr)?;
        let def = self.kernel.maps[map as usize].def.clone();
        let value = self.mem.read_bytes(value_ptr, def.value_size)?;
        if flags > BPF_EXIST {
            return Ok(errno(EINVAL));
        }
        match &self.kernel.maps[map as usize].store {
            Store::Array { .. } => {
                let i = array_index(&key);
                if i >= def.max_entries {
                    return Ok(errno(E2BIG));
                }
                if flags == BPF_NOEXIST {
                    return Ok(errno(EEXIST));
                }
                let r = self.array_elem(map, i).expect("index checked");
                self.write_bytes(addr(r, 0), &value)?;
                Ok(0)
            }
            Store::Hash { entries } => {
                if let Some(&r) = entries.get(&key) {
                    if flags == BPF_NOEXIST {
                        return Ok(errno(EEXIST));
                    }
                    self.write_bytes(addr(r, 0), &value)?;
                    return Ok(0);
                }
                if flags == BPF_EXIST {
                    return Ok(errno(ENOENT));
                }
                if entries.len() as u32 >= def.max_entries {
                    return Ok(errno(E2BIG));
                }
                if !self.can_allocate(value.len()) {
                    return Ok(errno(ENOMEM));
                }
                let r = self.add_region(Region::new(RegionKind::MapValue { map }, value, true));
                if let Store::Hash { entries } = &mut self.kernel.maps[map as usize].store {
                    entries.insert(key.clone(), r);
                }
                Ok(0)
            }
            _ => Ok(errno(EINVAL)),
        }
    }

    pub(crate) fn map_delete(&mut self, map: u32, key_ptr: u64) -> Result<u64, FaultKind> {
        let key = self.key(map, key_ptr)?;
        let Store::Hash { entries } = &mut self.kernel.maps[map as usize].store else {
            return Ok(errno(EINVAL));
        };
        match entries.remove(&key) {
            // The value stays readable until the program ends, as under RCU in the kernel.
            Some(_) => Ok(0),
            None => Ok(errno(ENOENT)),
        }
    }

    /// Reserves ringbuf space: each record takes its size plus an 8-byte header, rounded up
    /// to 8, as the kernel's ring buffer lays records out. Nothing consumes during a run.
    pub(crate) fn ringbuf_take(&mut self, map: u32, size: u64) -> bool {
        let state = &mut self.kernel.maps[map as usize];
        if state.def.map_type != MapType::Ringbuf {
            return false;
        }
        let capacity = state.def.max_entries as u64;
        let Store::Ringbuf { used } = &mut state.store else {
            return false;
        };
        let need = (size + 8 + 7) & !7;
        if *used as u64 + need > capacity {
            return false;
        }
        *used += need as u32;
        true
    }
}

fn array_index(key: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    let n = key.len().min(4);
    b[..n].copy_from_slice(&key[..n]);
    u32::from_le_bytes(b)
}
