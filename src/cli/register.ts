import type { Command } from 'commander';

/** Adds one command to the program; the action reports its exit code through `setExit`. */
export type Register = (program: Command, setExit: (code: number) => void) => void;

/** Writes and waits until the stream has taken the text, so the caller may exit right after. */
export function writeAll(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
}
