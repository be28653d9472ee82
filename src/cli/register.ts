import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from './errors.js';

/** Adds one command to the program; the action reports its exit code through `setExit`. */
export type Register = (program: Command, setExit: (code: number) => void) => void;

/** Writes and waits until the stream has taken the text, so the caller may exit right after. */
export function writeAll(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
}

/**
 * Writes a report: to `output` (a file the user named; a failure is a usage error) with a one-line
 * `summary` and "Report written to …" on stderr, or to stdout when no file is named.
 */
export async function writeReport(
  text: string,
  output: string | undefined,
  summary: () => string,
): Promise<void> {
  if (output === undefined) {
    await writeAll(process.stdout, text);
    return;
  }
  try {
    writeFileSync(output, text);
  } catch (e) {
    throw new UsageError(`cannot write ${output}: ${(e as Error).message}`);
  }
  process.stderr.write(`${summary()}\nReport written to ${output}\n`);
}
