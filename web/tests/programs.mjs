// Programs more than one browser test uses.

/** The verifier walks this loop until the kernel's 1,000,000-instruction limit. */
export const LIMIT_PROGRAM = [
  "r1 = 0",
  "loop:",
  "r1 += 1",
  "if r1 < 10000000 goto loop",
  "r0 = 0",
  "exit",
].join("\n");

/** The unwinding of callee-saved.s (R6-R9 across three frames) in cleanup mode: its events'
 * kinds from the throw on, one per Next event. */
export const CALLEE_SAVED_UNWINDING = [
  "throw",
  "unwind_frame", // the trampoline
  "restore_regs", // level2's R6-R9
  "unwind_frame", // level2
  "release", // its object, from r8
  "restore_regs",
  "unwind_frame", // level1
  "release",
  "restore_regs",
  "unwind_frame", // main
  "release",
  "exception_callback",
  "exit",
];
