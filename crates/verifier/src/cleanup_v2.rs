//! `cleanup-v2`: instead of refusing a program whose paths put different things in one
//! location at a throw, give each conflicting acquisition site (one acquiring call) its own
//! stack slot, zeroed at function entry and written right after the acquisition, and let the
//! descriptor name that slot and treat the resource's other copies as copies (the plan
//! Dwivedi described for the RFC's next revision; reference §4.11).
//!
//! The algorithm ([`verify`] drives it, a [`Pass`] is what each verification is given and
//! learns):
//! 1. verify the original program collecting conflicts: a failed descriptor merge notes the
//!    acquiring pcs on either side and exploration goes on;
//! 2. if there are none, that is the verdict; otherwise rewrite the program with a dedicated
//!    slot per conflicting site (and clear it after each release in the acquiring function);
//! 3. verify the rewrite collecting again; while it finds new sites or releases, add them and
//!    rewrite the original again (at most [`MAX_ROUNDS`] times);
//! 4. a last, ordinary pass over the rewrite gives the verdict (with the merge failure if a
//!    conflict remains, e.g. in a frame that has already returned). No room on the stack for
//!    the slots: `cleanup`'s verdict on the original.
//!
//! The rewrite is real code, verified like any other: the verifier sees the zeroing, the
//! spill and the clearing, so the descriptors it then generates describe the program that
//! runs. A release in the acquiring function is followed by clearing the slot, so that a
//! later throw does not release the resource a second time (the slot would otherwise hold a
//! stale pointer, which the verifier sees as an unknown scalar and refuses to merge).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use unwind_isa::{CallTarget, Insn, JmpOp, Operand, Reg, Size, Slot, Width};
use unwind_kernel::{helper_name, kfunc_name};
use unwind_program::disasm::{disassemble_with_notes, Style};
use unwind_program::{Patch, PatchError, PcMap, Program};

use crate::check::{verify_pass, Observer};
use crate::verdict::{DedicatedSlot, Rewrite};
use crate::{Cancelled, Options, Verdict};

const NO_ROOM: &str =
    "cleanup-v2: no room for a slot per conflicting acquisition within the 512-byte stack\n";

/// Rewrites are repeated at most this many times (each adds at least one site).
const MAX_ROUNDS: usize = 16;

/// What one verification pass is given by [`verify`] and what it learns for it (the checker
/// holds it as `Env::v2`). The default is an ordinary pass: no dedicated slots, and a failed
/// merge rejects.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pass {
    /// Per function, the offsets of its dedicated slots: visited first when a descriptor is
    /// generated, so that the copy there is the one released and the others are copies.
    dedicated: Vec<Vec<i16>>,
    /// Record merge failures and carry on instead of rejecting.
    collect: bool,
    /// The acquiring pcs of the resources on either side of a failed merge.
    conflict_sites: BTreeSet<usize>,
    /// (release call pc, acquiring pc) for every release seen in the acquiring function.
    releases: BTreeSet<(usize, usize)>,
    /// The rewrite's `if r0 != rN` before a release shared by several sites: there, two
    /// referenced pointers are known equal when they own the same reference and unequal when
    /// they own different ones (distinct live objects have distinct addresses). Only at these
    /// pcs: the kernel's `is_branch_taken` does not decide pointer comparisons.
    identity_pcs: HashSet<usize>,
}

impl Pass {
    /// The dedicated slots of `function` (none outside a rewrite).
    pub(crate) fn dedicated_slots(&self, function: usize) -> &[i16] {
        self.dedicated.get(function).map_or(&[], |v| &v[..])
    }

    /// Whether a failed merge is noted (and exploration goes on) rather than a rejection.
    pub(crate) fn collects_conflicts(&self) -> bool {
        self.collect
    }

    /// A resource acquired at `acquired_at` is on one side of a failed merge.
    pub(crate) fn record_conflict(&mut self, acquired_at: usize) {
        self.conflict_sites.insert(acquired_at);
    }

    /// The call at `release_pc` releases, in the acquiring function, a resource acquired at
    /// `acquired_at`.
    pub(crate) fn record_release(&mut self, release_pc: usize, acquired_at: usize) {
        self.releases.insert((release_pc, acquired_at));
    }

    /// Whether the pointer compare at `pc` is one of the rewrite's, decided by reference
    /// identity (see `identity_pcs`).
    pub(crate) fn decides_identity(&self, pc: usize) -> bool {
        self.identity_pcs.contains(&pc)
    }
}

/// Why the rewrite could not be made.
#[derive(Debug)]
enum RewriteError {
    /// The slot of the site at `pc` would be at `off`, beyond the 512-byte stack.
    NoRoom { pc: usize, off: i32 },
    /// Patching failed (a jump over the inserted code out of range).
    Patch(PatchError),
}

/// One site's slot.
#[derive(Clone, Debug)]
struct Site {
    /// The acquiring call (original pc).
    pc: usize,
    function: usize,
    off: i16,
}

/// Verifies `program` in the cleanup-v2 mode (the algorithm in the module doc). Every pass
/// reports to the observer; `Err` when it stopped one.
pub(crate) fn verify(
    program: &Program,
    opts: &Options,
    mut observer: Observer,
) -> Result<Verdict, Cancelled> {
    let collect = Pass {
        collect: true,
        ..Pass::default()
    };
    let (first, learned) = verify_pass(program, opts, collect, reborrow(&mut observer))?;
    if learned.conflict_sites.is_empty() {
        return Ok(first);
    }
    let decoded = program.decode();
    let depths: Vec<usize> = (0..program.functions.len())
        .map(|i| {
            first
                .functions
                .get(i)
                .map_or(0, |f| f.stack_depth)
                .max(static_stack_bound(program, &decoded, i))
        })
        .collect();
    let mut sites: BTreeSet<usize> = learned.conflict_sites;
    let mut releases: BTreeSet<(usize, usize)> = learned.releases;
    let mut round = 0;
    let (rewritten, map, placed, identity_pcs) = loop {
        let (rewritten, map, placed, identity_pcs) = match rewrite(
            program, &sites, &releases, &depths,
        ) {
            Ok(r) => r,
            // The rewrite cannot be made: the conflict stands, with cleanup's verdict and
            // what failed, in the kernel's words for it.
            Err(failure) => {
                let mut v = verify_pass(program, opts, Pass::default(), observer)?.0;
                let mut head = String::new();
                let reason = match failure {
                    // The slot's store would be `check_stack_access_within_bounds`'s refusal.
                    RewriteError::NoRoom { pc, off } => {
                        head.push_str(NO_ROOM);
                        format!(
                            "no room on the stack for the slot of the {} at line {}: invalid write to stack R10 off={off} size=8",
                            call_name(program, pc),
                            program.spans.get(pc).map_or(0, |s| s.line)
                        )
                    }
                    // `bpf_patch_insn_data`'s -ERANGE: a jump over the inserted code no
                    // longer fits its 16-bit offset.
                    RewriteError::Patch(PatchError::OffsetOverflow { pc }) => {
                        format!("insn {pc} cannot be patched due to 16-bit range")
                    }
                    RewriteError::Patch(e) => e.to_string(),
                };
                head.push_str(&format!("cleanup-v2: the rewrite failed: {reason}\n"));
                v.log.insert_str(0, &head);
                if let Some(e) = v.errors.first_mut() {
                    e.message.push_str(&format!(" (cleanup-v2: {reason})"));
                }
                return Ok(v);
            }
        };
        round += 1;
        if round == MAX_ROUNDS {
            break (rewritten, map, placed, identity_pcs);
        }
        let back = inverse(&map);
        let pass = Pass {
            collect: true,
            dedicated: dedicated_by_function(&rewritten, &map, &placed),
            identity_pcs: identity_pcs.iter().copied().collect(),
            ..Pass::default()
        };
        // Only what the pass learns matters: no log, no states (the level-1 log is the slow
        // part of a verification).
        let quiet = Options {
            log_level: 0,
            record_states: false,
            ..opts.clone()
        };
        let (_, learned) = verify_pass(&rewritten, &quiet, pass, reborrow(&mut observer))?;
        // Sets built by inserting (`extend`), not `collect` (which sorts first): no sort
        // instances in the wasm module.
        let mut new_sites = BTreeSet::new();
        new_sites.extend(
            learned
                .conflict_sites
                .iter()
                .filter_map(|pc| back.get(pc).copied()),
        );
        let mut new_releases = BTreeSet::new();
        new_releases.extend(
            learned
                .releases
                .iter()
                .filter_map(|(r, a)| Some((*back.get(r)?, *back.get(a)?))),
        );
        if new_sites.is_subset(&sites) && new_releases.is_subset(&releases) {
            break (rewritten, map, placed, identity_pcs);
        }
        sites.extend(new_sites);
        releases.extend(new_releases);
    };
    let pass = Pass {
        dedicated: dedicated_by_function(&rewritten, &map, &placed),
        identity_pcs: identity_pcs.iter().copied().collect(),
        ..Pass::default()
    };
    let (mut verdict, _) = verify_pass(&rewritten, opts, pass, observer)?;
    let dedicated: Vec<DedicatedSlot> = placed
        .iter()
        .map(|s| DedicatedSlot {
            acquire_pc: s.pc,
            line: program.spans.get(s.pc).map_or(0, |sp| sp.line),
            acquired_by: call_name(program, s.pc),
            function: program.functions[s.function].name.clone(),
            slot: format!("fp{}", s.off),
            cleared_after: releases
                .iter()
                .filter(|(_, a)| *a == s.pc)
                .map(|(r, _)| *r)
                .collect(),
        })
        .collect();
    // The slots deepen their functions' stacks: if that is what the rewrite fails on
    // (`check_max_stack_depth`'s message), say so.
    if let Some(e) = verdict.errors.first_mut() {
        if e.message.starts_with("combined stack size of") {
            let slots: Vec<String> = dedicated
                .iter()
                .map(|d| format!("{} in {}()", d.slot, d.function))
                .collect();
            e.message.push_str(&format!(
                " (cleanup-v2: with the dedicated slots {})",
                slots.join(", ")
            ));
        }
    }
    let notes = inserted_notes(program, &rewritten, &map, &placed);
    let mut head = String::new();
    for d in dedicated.iter().filter(|_| opts.log_level > 0) {
        // Lines, not pcs: the log below has the rewritten program's pcs.
        head += &format!(
            "cleanup-v2: the {} at line {} conflicts: its resource gets slot {} in {}()\n",
            d.acquired_by, d.line, d.slot, d.function
        );
    }
    if !head.is_empty() {
        head += "cleanup-v2: the log below is of the rewritten program (its pcs)\n";
    }
    verdict.log = head + &verdict.log;
    verdict.rewrite = Some(Rewrite {
        dedicated,
        disassembly: disassemble_with_notes(&rewritten, Style::Source, |pc| {
            notes.get(&pc).cloned()
        }),
        pc_map: map.insn.clone(),
        program: rewritten,
    });
    Ok(verdict)
}

/// The observer again, for one more pass.
fn reborrow<'a>(observer: &'a mut Observer<'_>) -> Observer<'a> {
    match observer {
        Some(o) => Some(&mut **o),
        None => None,
    }
}

/// The program with a dedicated slot per site: `*(u64 *)(r10 + off) = 0` in the function's
/// prologue (reached by calls, not by a back-edge to the first instruction), `*(u64 *)(r10 + off) = r0` after the acquiring call, and
/// `*(u64 *)(r10 + off) = 0` after each release of that site's resource in the function.
fn rewrite(
    program: &Program,
    sites: &BTreeSet<usize>,
    releases: &BTreeSet<(usize, usize)>,
    depths: &[usize],
) -> Result<(Program, PcMap, Vec<Site>, Vec<usize>), RewriteError> {
    let mut next_off: HashMap<usize, i16> = HashMap::new();
    let mut placed = Vec::new();
    for &pc in sites {
        let Some(function) = program.function_index_at(pc) else {
            continue;
        };
        let off = next_off.entry(function).or_insert_with(|| {
            let depth = depths.get(function).copied().unwrap_or(0);
            -(depth.div_ceil(8) as i16 * 8)
        });
        let want = i32::from(*off) - 8;
        if want < -crate::state::MAX_BPF_STACK {
            return Err(RewriteError::NoRoom { pc, off: want });
        }
        *off = want as i16;
        placed.push(Site {
            pc,
            function,
            off: *off,
        });
    }
    let store = |off: i16, src: Option<Reg>| match src {
        Some(src) => Insn::StoreReg {
            size: Size::DW,
            dst: Reg::R10,
            off,
            src,
        },
        None => Insn::StoreImm {
            size: Size::DW,
            dst: Reg::R10,
            off,
            imm: 0,
        },
    };
    let mut patches: BTreeMap<usize, Patch> = BTreeMap::new();
    fn at(patches: &mut BTreeMap<usize, Patch>, pc: usize) -> &mut Patch {
        patches.entry(pc).or_insert_with(|| Patch {
            pc,
            ..Patch::default()
        })
    }
    // Per release call, the sites whose resources it released in their own function.
    let mut released_at: BTreeMap<usize, Vec<&Site>> = BTreeMap::new();
    for s in &placed {
        let start = program.functions[s.function].start;
        // In the prologue: a back-edge to the function's first instruction (a loop whose head
        // it is) must not zero the slot again, while the slot may hold a live resource.
        at(&mut patches, start).prologue.push(store(s.off, None));
        at(&mut patches, s.pc)
            .after
            .push(store(s.off, Some(Reg::R0)));
        for &(release, acquire) in releases {
            if acquire == s.pc && program.function_index_at(release) == Some(s.function) {
                released_at.entry(release).or_default().push(s);
            }
        }
    }
    // One site: clear its slot after the call. Several: before the call, clear the slot that
    // holds the pointer being released (`if r0 != rN goto +1`, decided by the verifier at these
    // compares, see `Pass::decides_identity`); the others may hold live resources.
    let mut compares: Vec<(usize, usize)> = Vec::new();
    for (release, sites) in released_at {
        match release_arg(program, release) {
            Some(arg) if sites.len() > 1 => {
                let before = &mut at(&mut patches, release).before;
                for s in &sites {
                    compares.push((release, before.len() + 1));
                    before.push(Insn::Load {
                        size: Size::DW,
                        signed: false,
                        dst: Reg::R0,
                        src: Reg::R10,
                        off: s.off,
                    });
                    before.push(Insn::Jump {
                        width: Width::W64,
                        op: JmpOp::Ne,
                        dst: Reg::R0,
                        src: Operand::Reg(arg),
                        off: 1,
                    });
                    before.push(store(s.off, None));
                }
            }
            _ => {
                for s in &sites {
                    at(&mut patches, release).after.push(store(s.off, None));
                }
            }
        }
    }
    let patches: Vec<Patch> = patches.into_values().collect();
    let (rewritten, map) = program.patch(&patches, &[]).map_err(RewriteError::Patch)?;
    let identity_pcs = compares
        .into_iter()
        .map(|(release, k)| map.start[release] + k)
        .collect();
    Ok((rewritten, map, placed, identity_pcs))
}

/// The register a release call takes its pointer in.
fn release_arg(program: &Program, pc: usize) -> Option<Reg> {
    let func = match program.insn(pc)? {
        Insn::Call(CallTarget::Helper(id)) => unwind_kernel::helper_by_id(id)?,
        Insn::Call(CallTarget::Kfunc(id)) => unwind_kernel::kfunc_by_btf_id(id)?,
        _ => return None,
    };
    let i = func
        .args
        .iter()
        .position(|a| matches!(a, unwind_kernel::ArgKind::Release(_)))?;
    Reg::new(i as u8 + 1)
}

/// What each inserted instruction is for, for the rewritten program's text.
fn inserted_notes(
    original: &Program,
    rewritten: &Program,
    map: &PcMap,
    placed: &[Site],
) -> HashMap<usize, String> {
    let mut originals = BTreeSet::new();
    originals.extend(map.insn.iter().copied());
    let mut notes = HashMap::new();
    for pc in 0..rewritten.slots.len() {
        if originals.contains(&pc) {
            continue;
        }
        enum Kind {
            Zero,
            Spill,
            Compare,
        }
        let (off, kind) = match rewritten.insn(pc) {
            Some(Insn::StoreImm { off, .. }) => (off, Kind::Zero),
            Some(Insn::StoreReg { off, .. }) => (off, Kind::Spill),
            Some(Insn::Load { off, .. }) => (off, Kind::Compare),
            _ => continue,
        };
        let Some(f) = rewritten.function_index_at(pc) else {
            continue;
        };
        let at_entry = pc < map.insn[original.functions[f].start];
        let Some(site) = placed.iter().find(|s| s.function == f && s.off == off) else {
            continue;
        };
        let what = format!(
            "{} at line {}",
            call_name(original, site.pc),
            original.spans.get(site.pc).map_or(0, |s| s.line)
        );
        let note = match (kind, at_entry) {
            (Kind::Spill, _) => format!("cleanup-v2: the slot of {what}"),
            (Kind::Zero, true) => format!("cleanup-v2: NULL until {what}"),
            (Kind::Zero, false) => format!("cleanup-v2: released: clear the slot of {what}"),
            (Kind::Compare, _) => {
                format!("cleanup-v2: does the slot of {what} hold the pointer released here?")
            }
        };
        notes.insert(pc, note);
    }
    notes
}

/// Per function of the rewritten program, its dedicated slots.
fn dedicated_by_function(rewritten: &Program, map: &PcMap, placed: &[Site]) -> Vec<Vec<i16>> {
    let mut out = vec![Vec::new(); rewritten.functions.len()];
    for s in placed {
        if let Some(f) = rewritten.function_index_at(map.insn[s.pc]) {
            out[f].push(s.off);
        }
    }
    out
}

/// New pc -> original pc, for the original instructions.
fn inverse(map: &PcMap) -> HashMap<usize, usize> {
    map.insn
        .iter()
        .enumerate()
        .map(|(old, &new)| (new, old))
        .collect()
}

/// The deepest fixed stack offset a function's instructions name directly through r10, as
/// a floor for the dedicated slots' placement when verification stopped early.
fn static_stack_bound(program: &Program, decoded: &[Slot], function: usize) -> usize {
    let f = &program.functions[function];
    let mut deepest = 0usize;
    for slot in decoded.get(f.start..f.end).unwrap_or(&[]) {
        let Slot::Insn(insn) = slot else { continue };
        let off = match *insn {
            Insn::Load { src, off, .. } if src == Reg::R10 => off,
            Insn::StoreImm { dst, off, .. }
            | Insn::StoreReg { dst, off, .. }
            | Insn::Atomic { dst, off, .. }
                if dst == Reg::R10 =>
            {
                off
            }
            _ => continue,
        };
        if off < 0 {
            deepest = deepest.max(off.unsigned_abs() as usize);
        }
    }
    deepest
}

/// The name of the helper or kfunc called at `pc`.
fn call_name(program: &Program, pc: usize) -> String {
    match program.insn(pc) {
        Some(Insn::Call(CallTarget::Helper(id))) => helper_name(id).unwrap_or("helper").into(),
        Some(Insn::Call(CallTarget::Kfunc(id))) => kfunc_name(id).unwrap_or("kfunc").into(),
        _ => "call".into(),
    }
}
