import { createInterface } from 'node:readline/promises';

/** Where a command writes; the tests capture it, the binary writes to the process streams. */
export interface Io {
  out(...lines: string[]): void;
  err(line: string): void;
  /** Whether a person can answer a question: a terminal on both stdin and stdout. */
  readonly interactive?: boolean;
  /** Asks a question on the terminal and answers the line typed. */
  ask?(question: string): Promise<string>;
}

export const processIo: Io = {
  out: (...lines) => {
    for (const line of lines) process.stdout.write(`${line}\n`);
  },
  err: (line) => process.stderr.write(`${line}\n`),
  get interactive() {
    return process.stdin.isTTY === true && process.stdout.isTTY === true;
  },
  ask: async (question) => {
    // The question goes to stderr, so that stdout stays the command's output.
    const terminal = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await terminal.question(question);
    } finally {
      terminal.close();
    }
  },
};

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
