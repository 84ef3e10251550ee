//! RFC 9669 semantics, instruction class by instruction class, including the edge cases the
//! ISA defines (division by zero, shift masking, 32-bit zero extension, INT_MIN / -1, ...).

mod common;
use common::{r0, run};
use unwind_vm::Status;

#[test]
fn alu64_division_and_modulo_by_zero() {
    // RFC 9669 §4.1: dst / 0 = 0; dst % 0 = dst.
    assert_eq!(r0("r0 = 7\nr1 = 0\nr0 /= r1\nexit"), 0);
    assert_eq!(r0("r0 = 7\nr1 = 0\nr0 %= r1\nexit"), 7);
    assert_eq!(r0("r0 = -7\nr1 = 0\nr0 s/= r1\nexit"), 0);
    assert_eq!(r0("r0 = -7\nr1 = 0\nr0 s%= r1\nexit"), -7i64 as u64);
}

#[test]
fn alu32_results_zero_extend_and_modulo_by_zero_keeps_the_low_half() {
    assert_eq!(r0("r0 = -1\nw0 += 1\nexit"), 0);
    assert_eq!(r0("r0 = -1\nw0 = w0\nexit"), 0xffff_ffff);
    assert_eq!(r0("r0 = -1\nw1 = 0\nw0 %= w1\nexit"), 0xffff_ffff);
    assert_eq!(r0("r0 = -1\nw1 = 0\nw0 /= w1\nexit"), 0);
    assert_eq!(r0("r0 = -1\nw0 = -w0\nexit"), 1);
    assert_eq!(r0("r0 = 0x100000005 ll\nw0 *= 3\nexit"), 15);
}

#[test]
fn signed_division_and_modulo() {
    let min = "r0 = 0x8000000000000000 ll\nr1 = -1\n";
    assert_eq!(r0(&format!("{min}r0 s/= r1\nexit")), i64::MIN as u64);
    assert_eq!(r0(&format!("{min}r0 s%= r1\nexit")), 0);
    assert_eq!(r0("r0 = -7\nr0 s%= 2\nexit"), -1i64 as u64);
    assert_eq!(r0("r0 = 7\nr0 s%= -2\nexit"), 1);
    assert_eq!(r0("r0 = -7\nr0 s/= 2\nexit"), -3i64 as u64);
    assert_eq!(r0("w0 = 0x80000000\nw1 = -1\nw0 s/= w1\nexit"), 0x8000_0000);
    assert_eq!(r0("w0 = 0x80000000\nw1 = -1\nw0 s%= w1\nexit"), 0);
    // Unsigned division sees the sign-extended immediate as a huge number.
    assert_eq!(r0("r0 = 100\nr0 /= -1\nexit"), 0);
}

#[test]
fn shifts_are_masked() {
    assert_eq!(r0("r0 = 1\nr1 = 65\nr0 <<= r1\nexit"), 2);
    assert_eq!(r0("w0 = 1\nw1 = 33\nw0 <<= w1\nexit"), 2);
    assert_eq!(r0("r0 = 4\nr1 = 66\nr0 >>= r1\nexit"), 1);
    assert_eq!(r0("r0 = -16\nr0 s>>= 2\nexit"), -4i64 as u64);
    assert_eq!(r0("w0 = -16\nw0 s>>= 2\nexit"), 0xffff_fffc);
    assert_eq!(r0("r0 = -16\nr1 = 0x42\nr0 s>>= r1\nexit"), -4i64 as u64);
}

#[test]
fn sign_extending_moves() {
    assert_eq!(r0("r1 = 0x80\nr0 = (s8)r1\nexit"), -128i64 as u64);
    assert_eq!(r0("r1 = 0x18000\nw0 = (s16)w1\nexit"), 0xffff_8000);
    assert_eq!(
        r0("r1 = 0x80000000 ll\nr0 = (s32)r1\nexit"),
        0xffff_ffff_8000_0000
    );
    assert_eq!(r0("r1 = 0x7f\nr0 = (s8)r1\nexit"), 0x7f);
}

#[test]
fn byte_swaps_are_host_independent() {
    let v = "r0 = 0x1122334455667788 ll\n";
    assert_eq!(r0(&format!("{v}r0 = be16 r0\nexit")), 0x8877);
    assert_eq!(r0(&format!("{v}r0 = be32 r0\nexit")), 0x8877_6655);
    assert_eq!(r0(&format!("{v}r0 = be64 r0\nexit")), 0x8877_6655_4433_2211);
    assert_eq!(r0(&format!("{v}r0 = le16 r0\nexit")), 0x7788);
    assert_eq!(r0(&format!("{v}r0 = le32 r0\nexit")), 0x5566_7788);
    assert_eq!(r0(&format!("{v}r0 = le64 r0\nexit")), 0x1122_3344_5566_7788);
    assert_eq!(r0(&format!("{v}r0 = bswap16 r0\nexit")), 0x8877);
    assert_eq!(r0(&format!("{v}r0 = bswap32 r0\nexit")), 0x8877_6655);
    assert_eq!(
        r0(&format!("{v}r0 = bswap64 r0\nexit")),
        0x8877_6655_4433_2211
    );
}

#[test]
fn loads_and_stores_of_every_size() {
    let src = "r1 = 0x1122334455667788 ll
*(u64 *)(r10 - 8) = r1
*(u8 *)(r10 - 9) = 0xff
*(u16 *)(r10 - 12) = -2
*(u32 *)(r10 - 16) = r1
r0 = *(u32 *)(r10 - 8)
r2 = *(u16 *)(r10 - 6)
r0 += r2
r2 = *(u8 *)(r10 - 1)
r0 += r2
r3 = *(s8 *)(r10 - 9)
r4 = *(s16 *)(r10 - 12)
r5 = *(s32 *)(r10 - 16)
exit";
    let m = run(src);
    assert_eq!(m.regs[0], 0x5566_7788 + 0x5566 + 0x11);
    assert_eq!(m.regs[3], -1i64 as u64);
    assert_eq!(m.regs[4], -2i64 as u64);
    assert_eq!(m.regs[5], 0x5566_7788);
    // The stack remembers which bytes were written.
    let snap = m.snapshot();
    assert_eq!(&snap.frames[0].written[496..], "1111110111111111");
    assert_eq!(&snap.frames[0].written[494..496], "00");
    assert_eq!(
        r0("*(u64 *)(r10 - 8) = -1\nr0 = *(u64 *)(r10 - 8)\nexit"),
        u64::MAX
    );
}

#[test]
fn atomics_return_the_old_value() {
    let pre = "r1 = 10\n*(u64 *)(r10 - 8) = r1\n";
    assert_eq!(
        r0(&format!("{pre}r2 = 5\nr2 = atomic_fetch_add((u64 *)(r10 - 8), r2)\nr0 = *(u64 *)(r10 - 8)\nr0 <<= 8\nr0 |= r2\nexit")),
        (15 << 8) | 10
    );
    assert_eq!(
        r0(&format!(
            "{pre}r2 = 6\nlock *(u64 *)(r10 - 8) &= r2\nr0 = *(u64 *)(r10 - 8)\nexit"
        )),
        2
    );
    assert_eq!(
        r0(&format!("{pre}r2 = 3\nr2 = atomic_fetch_or((u64 *)(r10 - 8), r2)\nr0 = *(u64 *)(r10 - 8)\nr0 -= r2\nexit")),
        1
    );
    assert_eq!(
        r0(&format!("{pre}r2 = 7\nr2 = atomic_fetch_xor((u64 *)(r10 - 8), r2)\nr0 = *(u64 *)(r10 - 8)\nr0 *= r2\nexit")),
        130
    );
    assert_eq!(
        r0(&format!(
            "{pre}r2 = 99\nr2 = xchg_64(r10 - 8, r2)\nr0 = *(u64 *)(r10 - 8)\nr0 += r2\nexit"
        )),
        109
    );
    // cmpxchg: swaps when R0 equals memory; R0 gets the old value either way.
    let m = run(&format!(
        "{pre}r0 = 10\nr2 = 20\nr0 = cmpxchg_64(r10 - 8, r0, r2)\nr3 = *(u64 *)(r10 - 8)\nexit"
    ));
    assert_eq!((m.regs[0], m.regs[3]), (10, 20));
    let m = run(&format!(
        "{pre}r0 = 11\nr2 = 20\nr0 = cmpxchg_64(r10 - 8, r0, r2)\nr3 = *(u64 *)(r10 - 8)\nexit"
    ));
    assert_eq!((m.regs[0], m.regs[3]), (10, 10));
    // 32-bit: compares R0's low half, and the fetched value is zero-extended.
    let m = run("r1 = -1\n*(u64 *)(r10 - 8) = r1\nr0 = 0x1ffffffff ll\nw2 = 5\nw0 = cmpxchg32_32(r10 - 8, w0, w2)\nr3 = *(u64 *)(r10 - 8)\nexit");
    assert_eq!((m.regs[0], m.regs[3]), (0xffff_ffff, 0xffff_ffff_0000_0005));
    let m = run("r1 = -1\n*(u64 *)(r10 - 8) = r1\nw2 = 1\nw2 = atomic_fetch_add((u32 *)(r10 - 8), w2)\nr3 = *(u64 *)(r10 - 8)\nexit");
    assert_eq!((m.regs[2], m.regs[3]), (0xffff_ffff, 0xffff_ffff_0000_0000));
}

#[test]
fn jumps_signed_unsigned_and_32_bit() {
    assert_eq!(
        r0("r0 = 0\nr1 = -1\nif r1 > 0 goto +1\nexit\nr0 = 1\nexit"),
        1
    );
    assert_eq!(
        r0("r0 = 0\nr1 = -1\nif r1 s> 0 goto +1\nexit\nr0 = 1\nexit"),
        0
    );
    assert_eq!(
        r0("r0 = 0\nr1 = 0x100000000 ll\nif w1 == 0 goto +1\nexit\nr0 = 1\nexit"),
        1
    );
    assert_eq!(
        r0("r0 = 0\nr1 = 0xffffffff\nif w1 s< 0 goto +1\nexit\nr0 = 1\nexit"),
        1
    );
    assert_eq!(
        r0("r0 = 0\nr1 = 6\nif r1 & 4 goto +1\nexit\nr0 = 1\nexit"),
        1
    );
    assert_eq!(
        r0("r0 = 0\nr1 = 6\nr2 = 1\nif r1 & r2 goto +1\nexit\nr0 = 1\nexit"),
        0
    );
    assert_eq!(r0("r0 = 1\ngotol +1\nr0 = 2\nexit"), 1);
    assert_eq!(r0("r0 = 1\ngoto l\nr0 = 2\nl:\nexit"), 1);
}

#[test]
fn may_goto_falls_through_until_the_frame_budget_is_spent() {
    // The per-frame budget is 8M (BPF_MAX_LOOPS); shrink it to observe the end.
    let p = common::program("r0 = 0\nl:\nmay_goto +2\nr0 += 1\ngoto l\nexit");
    let mut m = unwind_vm::Machine::new(&p, &Default::default(), Default::default()).unwrap();
    m.frames[0].may_goto_left = 5;
    m.run();
    assert_eq!(m.status, Status::Exited { return_value: 5 });
    assert_eq!(unwind_vm::MAY_GOTO_BUDGET, 8 * 1024 * 1024);
}

#[test]
fn ld_imm64_loads_all_64_bits() {
    assert_eq!(
        r0("r0 = 0x1122334455667788 ll\nexit"),
        0x1122_3344_5566_7788
    );
}

#[test]
fn legacy_packet_loads_are_big_endian_and_end_the_program_when_out_of_bounds() {
    let world = unwind_vm::World {
        packet: Some("0102030405060708".into()),
        ..Default::default()
    };
    let m = common::machine_with(
        ".ctx socket\nr6 = r1\nr0 = *(u16 *)skb[2]\nr7 = r0\nr1 = 4\nr0 = *(u32 *)skb[r1 + 0]\nexit",
        &world,
        Default::default(),
    );
    assert_eq!(m.regs[7], 0x0304);
    assert_eq!(
        m.status,
        Status::Exited {
            return_value: 0x0506_0708
        }
    );
    let m = common::machine_with(
        ".ctx socket\nr6 = r1\nr0 = *(u32 *)skb[6]\nr0 = 7\nexit",
        &world,
        Default::default(),
    );
    assert_eq!(m.status, Status::Exited { return_value: 0 });
}

/// `bpf_gen_ld_abs`: the failure path is a hidden `exit` with R0 = 0 in the function that
/// made the load, so a subprogram returns 0 to its caller, which goes on.
#[test]
fn an_out_of_bounds_legacy_packet_load_returns_0_from_the_current_function() {
    let world = unwind_vm::World {
        packet: Some("0102030405060708".into()),
        ..Default::default()
    };
    let src = ".ctx socket
r6 = r1
call load
r7 = r0
r0 = r7
r0 += 100
exit
load:
r6 = r1
r0 = *(u32 *)skb[OFF]
r0 = 1
exit";
    let m = common::machine_with(&src.replace("OFF", "6"), &world, Default::default());
    // The subprogram returned 0 (not the program): the caller added 100.
    assert_eq!(m.status, Status::Exited { return_value: 100 });
    let m = common::machine_with(&src.replace("OFF", "0"), &world, Default::default());
    assert_eq!(m.status, Status::Exited { return_value: 101 });
}

/// The index register and imm are added in 64 bits and the helper takes the sum as an `int`.
#[test]
fn a_legacy_indirect_load_offset_is_a_32_bit_int() {
    let world = unwind_vm::World {
        packet: Some("0102030405060708".into()),
        ..Default::default()
    };
    let m = common::machine_with(
        ".ctx socket\nr6 = r1\nr1 = 0xffffffff ll\nr0 = *(u8 *)skb[r1 + 4]\nexit",
        &world,
        Default::default(),
    );
    assert_eq!(m.status, Status::Exited { return_value: 4 });
}

/// In a `bpf_loop` callback the hidden `exit` returns 0 to the loop, which goes on.
#[test]
fn an_out_of_bounds_legacy_packet_load_in_a_callback_continues_the_loop() {
    let world = unwind_vm::World {
        packet: Some("0102030405060708".into()),
        ..Default::default()
    };
    let src = ".ctx socket
*(u64 *)(r10 - 8) = r1
r1 = 3
r2 = cb ll
r3 = r10
r3 += -8
r4 = 0
call bpf_loop
exit
cb:
r6 = *(u64 *)(r2 + 0)
r0 = *(u32 *)skb[6]
r0 = 1
exit";
    let m = common::machine_with(src, &world, Default::default());
    // Every iteration returned 0: bpf_loop made all 3.
    assert_eq!(m.status, Status::Exited { return_value: 3 });
}

/// As the kernel's `bpf_prog_test_run_skb` and `bpf_prog_test_run_xdp` do with 64 zero bytes:
/// tc and xdp see the whole frame; socket and cgroup_skb programs start after the Ethernet
/// header that `eth_type_trans` pulled (only tc pushes it back, `is_l2`), so they see 50 bytes.
#[test]
fn packet_ctx_fields_follow_the_kernels_test_run() {
    for (ty, data, end, len, expected) in [
        ("tc", 76, 80, Some(0), 64),
        ("xdp", 0, 4, None, 64),
        ("socket", 76, 80, Some(0), 50),
        ("cgroup_skb", 76, 80, Some(0), 50),
    ] {
        let len_load = len
            .map(|o| format!("r5 = *(u32 *)(r1 + {o})\n"))
            .unwrap_or_default();
        let m = run(&format!(".ctx {ty}\n{len_load}r2 = *(u32 *)(r1 + {data})\nr3 = *(u32 *)(r1 + {end})\nr0 = *(u8 *)(r3 - 1)\nr4 = r3\nr4 -= r2\nexit"));
        assert_eq!(m.status, Status::Exited { return_value: 0 }, "{ty}");
        assert_eq!(m.regs[4], expected, "{ty}");
        if len.is_some() {
            assert_eq!(m.regs[5], expected, "{ty}");
        }
    }
    // __sk_buff: ifindex 1 (loopback), protocol ETH_P_802_2 in network order (h_proto 0 is a
    // length), pkt_type PACKET_HOST; xdp_md: ingress_ifindex 1.
    let m = run(".ctx tc\nr2 = *(u32 *)(r1 + 40)\nr3 = *(u32 *)(r1 + 16)\nr4 = *(u32 *)(r1 + 4)\nr0 = 0\nexit");
    assert_eq!((m.regs[2], m.regs[3], m.regs[4]), (1, 0x0400, 0));
    assert_eq!(run(".ctx xdp\nr0 = *(u32 *)(r1 + 12)\nexit").regs[0], 1);
    // An IPv4 frame to a broadcast address.
    let world = unwind_vm::World {
        packet: Some(format!(
            "ffffffffffff 000000000000 0800 {}",
            "00".repeat(50)
        )),
        ..Default::default()
    };
    let m = common::machine_with(
        ".ctx tc\nr3 = *(u32 *)(r1 + 16)\nr4 = *(u32 *)(r1 + 4)\nr0 = 0\nexit",
        &world,
        Default::default(),
    );
    assert_eq!((m.regs[3], m.regs[4]), (0x0008, 1));
}

/// What the kernel's skb test run (no ctx given) shows beyond the packet, checked with
/// `unwind run --compare-kernel` on Linux 6.18: `wire_len` 0 (`qdisc_skb_cb->pkt_len` is only
/// set from a given ctx), `skb->sk` the run's dummy socket (unbound, TCP_CLOSE, no receive
/// queue), and narrow loads reading a field's bytes in place, as `convert_ctx_accesses`'
/// shift and mask do on a little-endian machine.
#[test]
fn skb_test_run_ctx_matches_the_kernels_conversion() {
    assert_eq!(run(".ctx tc\nr0 = *(u32 *)(r1 + 160)\nexit").regs[0], 0);
    let sk = ".ctx socket\nr2 = *(u64 *)(r1 + 168)\nr0 = 99\nif r2 == 0 goto out\nr3 = *(u32 *)(r2 + 72)\nr4 = *(u32 *)(r2 + 76)\nr0 = *(u32 *)(r2 + 4)\nout:\nexit";
    let m = run(sk);
    assert_eq!((m.regs[0], m.regs[3], m.regs[4]), (0, 7, 0xffff_ffff));
    // protocol is 0x0400 (ETH_P_802_2 in network order): its second byte is 4, also signed
    let m = run(".ctx tc\nr2 = *(u16 *)(r1 + 16)\nr3 = *(u8 *)(r1 + 17)\nr4 = *(s8 *)(r1 + 17)\nr5 = *(u8 *)(r1 + 0)\nr0 = 0\nexit");
    assert_eq!(
        (m.regs[2], m.regs[3], m.regs[4], m.regs[5]),
        (0x400, 4, 4, 64)
    );
}
