import { Readable } from 'node:stream';
import { main, type CliIo } from '../../src/cli/main.js';

/** Run the CLI in-process on `argv` with `stdin`, from `cwd`; returns the exit status and output. */
export async function runCli(argv: string[], stdin = '', cwd = process.cwd()): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: Readable.from([stdin]),
    cwd,
  };
  return { code: await main(argv, io), stdout, stderr };
}
