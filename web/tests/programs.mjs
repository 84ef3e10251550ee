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
