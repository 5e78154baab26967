/**
 * A progress bar on stderr for bootstrap replicates and outcomes, drawn only when stderr is a
 * terminal (so pipes, files and tests see nothing).
 */
import cliProgress from 'cli-progress';
import type { CliIo } from './cli-io.js';

/**
 * A progress reporter: `update(done, total)` from the library's `onProgress` callbacks,
 * `stop()` when the work is over (also after errors).
 *
 * @example
 * ```ts
 * const progress = createProgress(io, 'bootstrap');
 * try { compare(data, formula, { intervals: { n: 500, onProgress: progress.update } }); }
 * finally { progress.stop(); }
 * ```
 */
export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly stop: () => void;
}

const SILENT: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A progress bar titled `title` on `io.stderr` when it is a terminal; otherwise a reporter that
 * does nothing.
 *
 * @example
 * ```ts
 * const progress = createProgress(processIo(), 'bootstrap');
 * progress.update(10, 200);
 * progress.stop();
 * ```
 */
export function createProgress(io: CliIo, title: string): Progress {
  if (!io.stderr.isTTY) return SILENT;
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total) {
      if (bar === null) {
        bar = new cliProgress.SingleBar(
          {
            stream: io.stderr as unknown as NodeJS.WritableStream,
            format: `${title} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
