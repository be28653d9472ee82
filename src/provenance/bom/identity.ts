/**
 * Who the model is: a Hugging Face cache snapshot (`…/models--<ns>--<name>/snapshots/<commit>`) gives
 * its repository id and commit, hence a purl `pkg:huggingface/<ns>/<name>@<commit>`; otherwise the name
 * is the card's or the folder's.
 */
import { basename, resolve, sep } from 'node:path';

export interface ModelIdentity {
  readonly name: string;
  /** Hugging Face namespace (user or organisation). */
  readonly group: string | undefined;
  /** The snapshot's commit. */
  readonly version: string | undefined;
  readonly purl: string | undefined;
  /** The repository's page on the Hub. */
  readonly website: string | undefined;
}

const REPO_PART = /^[A-Za-z0-9][\w.-]{0,95}$/;
const COMMIT = /^[0-9a-f]{40}$/i;

/** `models--ns--name` → { ns, name }; `models--name` → { name } (repositories without a namespace). */
function hubRepo(folder: string): { ns: string | undefined; name: string } | undefined {
  if (!folder.startsWith('models--')) return undefined;
  const parts = folder.slice('models--'.length).split('--');
  if (parts.length === 1 && REPO_PART.test(parts[0] as string))
    return { ns: undefined, name: parts[0] as string };
  if (parts.length === 2 && parts.every((p) => REPO_PART.test(p)))
    return { ns: parts[0], name: parts[1] as string };
  return undefined;
}

/** The identity of the model at `modelPath`; `cardName` is the card's own name for it, if any. */
export function modelIdentity(modelPath: string, cardName: string | undefined): ModelIdentity {
  const abs = resolve(modelPath);
  const segments = abs.split(sep);
  // …/models--ns--name/snapshots/<commit>[/file]
  for (let i = segments.length - 1; i >= 2; i--) {
    const commit = segments[i] as string;
    if (segments[i - 1] !== 'snapshots' || !COMMIT.test(commit)) continue;
    const repo = hubRepo(segments[i - 2] as string);
    if (repo === undefined) break;
    const id = repo.ns === undefined ? repo.name : `${repo.ns}/${repo.name}`;
    const sha = commit.toLowerCase();
    return {
      name: repo.name,
      group: repo.ns,
      version: sha,
      purl: `pkg:huggingface/${id}@${sha}`,
      website: `https://huggingface.co/${id}`,
    };
  }
  return {
    name: cardName ?? basename(abs),
    group: undefined,
    version: undefined,
    purl: undefined,
    website: undefined,
  };
}
