//! The world behind the simulated kernel: deterministic and editable. It is plain data with
//! serde (JSON) both ways, so the CLI and the page can load, edit and save it.
//!
//! The default world is SPEC §3's: pid 1 (init) exists, cgroup 1 (the root) exists, no sockets,
//! allocations up to 4096 bytes succeed, maps start empty (array values zero), packet programs
//! get 64 zero bytes of packet.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

/// Everything a run starts from besides the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct World {
    /// Tasks `bpf_task_from_pid` finds.
    pub tasks: Vec<Task>,
    /// Cgroup ids `bpf_cgroup_from_id` finds.
    pub cgroups: Vec<u64>,
    /// Sockets `bpf_sk_lookup_tcp`/`_udp` find.
    pub sockets: Vec<Socket>,
    /// Initial map contents by map name: array entries by index, hash entries by key.
    pub maps: BTreeMap<String, Vec<MapEntry>>,
    /// The ctx bytes in hex; shorter is zero-filled to the ctx size, longer is an error.
    pub ctx: Option<String>,
    /// The packet bytes in hex (packet programs; default 64 zero bytes).
    pub packet: Option<String>,
    /// Raw input memory in hex: R1 points to it and R2 holds its length (programs without a
    /// ctx layout, such as `raw` and the conformance suite's).
    pub mem: Option<String>,
    /// Seed of `bpf_get_prandom_u32`.
    pub prandom_seed: u64,
    /// `bpf_ktime_get_ns` at the first instruction; it then advances 1 ns per instruction.
    pub ktime_start_ns: u64,
    /// The largest `bpf_obj_new` that succeeds.
    pub max_alloc: u32,
    /// What `bpf_get_current_pid_tgid` reports.
    pub current_pid: u32,
}

impl Default for World {
    fn default() -> World {
        World {
            tasks: vec![Task {
                pid: 1,
                comm: "init".into(),
            }],
            cgroups: vec![1],
            sockets: Vec::new(),
            maps: BTreeMap::new(),
            ctx: None,
            packet: None,
            mem: None,
            prandom_seed: 0x5eed,
            ktime_start_ns: 1_000_000_000,
            max_alloc: 4096,
            current_pid: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub pid: u32,
    #[serde(default)]
    pub comm: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protocol {
    Tcp,
    Udp,
}

/// A socket: its local address, and for a connected one its remote address. A lookup's
/// tuple names the packet's source (`saddr:sport`, the socket's remote side) and destination
/// (`daddr:dport`, the local side); a socket without `remote` is listening and matches any
/// source, and an unspecified local IP (`0.0.0.0`, `::`) matches any destination IP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Socket {
    pub protocol: Protocol,
    /// `10.0.0.1:80` or `[::1]:80`.
    pub local: String,
    #[serde(default)]
    pub remote: Option<String>,
}

/// One initial map entry: key and value in hex. For an array map the key is the index as a
/// little-endian u32, as the kernel's key is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapEntry {
    pub key: String,
    pub value: String,
}

impl MapEntry {
    /// The single entry (key 0) of a global-data map (`.data`, `.rodata`) holding `value`, as
    /// libbpf fills the map from the object's section when it creates it.
    pub fn global_data(value: &[u8]) -> MapEntry {
        MapEntry {
            key: "00000000".to_string(),
            value: value.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}

/// Problems with a world, reported before a run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorldError {
    #[error("{what}: invalid hex: {reason}")]
    Hex { what: String, reason: String },
    #[error("ctx is {given} bytes but {layout} is only {size}")]
    CtxTooLong {
        given: usize,
        size: usize,
        layout: &'static str,
    },
    #[error("map '{0}' is not declared by the program")]
    UnknownMap(String),
    #[error("map '{map}': {reason}")]
    BadMapEntry { map: String, reason: String },
    #[error("socket {index}: invalid address '{addr}': expected IP:PORT")]
    BadSocket { index: usize, addr: String },
    #[error("the program is empty")]
    EmptyProgram,
}

/// Parses hex bytes: pairs of digits, with optional whitespace, `0x` prefixes and `:`/`,`
/// separators (`"de ad be ef"`, `"0xdeadbeef"`).
pub fn parse_hex(what: &str, text: &str) -> Result<Vec<u8>, WorldError> {
    let mut digits = String::new();
    for tok in text.split(|c: char| c.is_whitespace() || c == ',' || c == ':') {
        let tok = tok
            .strip_prefix("0x")
            .or_else(|| tok.strip_prefix("0X"))
            .unwrap_or(tok);
        digits.push_str(tok);
    }
    let err = |reason: String| WorldError::Hex {
        what: what.to_string(),
        reason,
    };
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(err(format!("'{c}' is not a hex digit")));
    }
    if digits.len() % 2 != 0 {
        return Err(err(format!(
            "{} hex digits: expected an even number (two per byte)",
            digits.len()
        )));
    }
    Ok((0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).expect("checked hex"))
        .collect())
}

/// A socket's addresses, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketAddrs {
    pub protocol: Protocol,
    pub local: SocketAddr,
    pub remote: Option<SocketAddr>,
}

impl World {
    /// Reads a world from JSON.
    pub fn from_json(text: &str) -> Result<World, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub(crate) fn socket_addrs(&self) -> Result<Vec<SocketAddrs>, WorldError> {
        self.sockets
            .iter()
            .enumerate()
            .map(|(index, s)| {
                let parse = |a: &str| {
                    a.parse::<SocketAddr>().map_err(|_| WorldError::BadSocket {
                        index,
                        addr: a.to_string(),
                    })
                };
                Ok(SocketAddrs {
                    protocol: s.protocol,
                    local: parse(&s.local)?,
                    remote: s.remote.as_deref().map(parse).transpose()?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_forms() {
        assert_eq!(
            parse_hex("x", "de ad\nBE:ef").unwrap(),
            [0xde, 0xad, 0xbe, 0xef]
        );
        assert_eq!(parse_hex("x", "0x0102").unwrap(), [1, 2]);
        assert!(parse_hex("x", "abc").is_err());
        assert!(parse_hex("x", "zz").is_err());
    }

    #[test]
    fn world_round_trips_through_json() {
        let mut w = World::default();
        w.sockets.push(Socket {
            protocol: Protocol::Tcp,
            local: "10.0.0.1:80".into(),
            remote: None,
        });
        w.maps.insert(
            "counts".into(),
            vec![MapEntry {
                key: "00000000".into(),
                value: "2a000000".into(),
            }],
        );
        let text = serde_json::to_string(&w).unwrap();
        assert_eq!(World::from_json(&text).unwrap(), w);
        assert_eq!(World::from_json("{}").unwrap(), World::default());
        assert!(World::from_json("{\"pids\": []}").is_err());
    }
}
