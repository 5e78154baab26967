/**
 * The streams and working directory the CLI uses, injectable so `main()` runs in-process in
 * tests.
 */

/**
 * Where the CLI reads and writes. `process` streams by default; tests pass string sinks and a
 * readable for stdin.
 *
 * @example
 * ```ts
 * let out = '';
 * const io: CliIo = { stdout: { write: (s) => (out += s) }, stderr: { write: () => true } };
 * await main(['simulate', '--units', '3'], io);
 * ```
 */
export interface CliIo {
  /** Results (tables, CSV, JSON). */
  readonly stdout: { write(chunk: string): unknown };
  /** Errors and, on a terminal, progress bars. */
  readonly stderr: { write(chunk: string): unknown; readonly isTTY?: boolean };
  /** Data when no file (or `-`) is given. */
  readonly stdin?: AsyncIterable<string | Uint8Array> & { readonly isTTY?: boolean };
  /** Directory relative paths are resolved against (default `process.cwd()`). */
  readonly cwd?: string;
}

/**
 * The process's own streams and working directory.
 *
 * @example
 * ```ts
 * const code = await main(process.argv.slice(2), processIo());
 * ```
 */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() };
}
