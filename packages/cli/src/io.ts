/** Where a command writes; the tests capture it, the binary writes to the process streams. */
export interface Io {
  out(...lines: string[]): void;
  err(line: string): void;
}

export const processIo: Io = {
  out: (...lines) => {
    for (const line of lines) process.stdout.write(`${line}\n`);
  },
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
