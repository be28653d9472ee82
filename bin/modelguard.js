#!/usr/bin/env node
import { existsSync } from 'node:fs';

const main = new URL('../dist/bundle/modelguard.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('modelguard: not built yet; run `npm install` (or `npm run build`) in the package folder first\n');
  process.exit(2);
}
const { run } = await import(main.href);
// Exit as soon as the command is done (its output is flushed by then): helpers started lazily for some
// formats (the HDF5 worker thread, wasm runtimes) must not keep the process alive.
process.exit(await run(process.argv));
