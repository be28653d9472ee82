import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

/**
 * The yaml package, loaded on first use: it is CommonJS and costs ~25 ms to load, which every scan
 * would otherwise pay at start-up whether or not it meets a YAML file.
 */
export function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return lib;
}
