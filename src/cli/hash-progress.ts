import { isToolError } from '../provenance/oms/index.js';
import { UsageError } from './errors.js';
import { Progress } from './progress.js';

/**
 * Runs a sign or verify job with a "MB hashed" progress bar on a terminal's stderr; the signing layer's
 * tool errors (unreadable key, bad model path …) become usage errors (exit 2).
 */
export async function withHashProgress<T>(
  show: boolean,
  work: (onProgress: (done: number, total: number) => void) => Promise<T>,
): Promise<T> {
  const progress = new Progress(process.stderr, show && process.stderr.isTTY === true);
  try {
    return await work((done, total) =>
      progress.update(Math.round(done / 1e6), Math.round(total / 1e6), 'MB hashed'),
    );
  } catch (e) {
    if (isToolError(e)) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
}
