import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';

/** A Kubernetes object read from a manifest, with the file it came from. */
export interface LoadedObject {
  readonly obj: any;
  readonly source?: string;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Objects of a parsed document: `kind: List` (and `*List`) documents are flattened. */
function flatten(doc: any): any[] {
  if (Array.isArray(doc?.items) && typeof doc.kind === 'string' && doc.kind.endsWith('List')) {
    return doc.items.flatMap(flatten);
  }
  return doc && typeof doc === 'object' && !Array.isArray(doc) ? [doc] : [];
}

/** Every object of one manifest file (multi-document YAML or JSON). */
export function loadManifestFile(file: string, source: string = file): LoadedObject[] {
  return Yaml.load(file).flatMap(flatten).map(obj => ({ obj, source }));
}

/**
 * Every manifest file under a directory (recursively, in name order, skipping hidden directories and
 * node_modules), or one file.
 */
export function loadManifestPath(dirOrFile: string): LoadedObject[] {
  if (!fs.existsSync(dirOrFile)) {
    throw new Error(`'${dirOrFile}' does not exist: give the directory (or file) of rendered manifests, e.g. dist/`);
  }
  if (fs.statSync(dirOrFile).isFile()) return loadManifestFile(dirOrFile);
  const out: LoadedObject[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (MANIFEST_FILE.test(entry.name)) out.push(...loadManifestFile(full));
    }
  };
  walk(dirOrFile);
  return out;
}

/**
 * Every manifest file of a directory (or one file) as a git revision holds it, e.g.
 * `origin/main:dist`. The path is relative to `cwd`, as `git show` reads `<rev>:./<path>`.
 */
export function loadGitRevision(spec: string, cwd: string = process.cwd()): LoadedObject[] {
  const colon = spec.indexOf(':');
  if (colon <= 0) {
    throw new Error(`'${spec}' is not a git revision and path: write <revision>:<path>, e.g. origin/main:dist`);
  }
  const rev = spec.slice(0, colon);
  const rel = spec.slice(colon + 1) || '.';
  const git = (args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
  let files: string[];
  try {
    // -z: names as they are (without it, git quotes names with non-ASCII characters)
    files = git(['ls-tree', '-r', '-z', '--name-only', '--full-name', rev, '--', rel]).split('\0').filter(f => MANIFEST_FILE.test(f)).sort();
  } catch (e: any) {
    throw new Error(`git cannot read '${spec}' in ${cwd}: ${String(e.stderr ?? e.message).trim()}`);
  }
  if (files.length === 0) {
    throw new Error(`git revision '${rev}' has no manifest files (.yaml, .yml, .json) under '${rel}'`);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-stateful-guard-'));
  try {
    return files.flatMap((file, i) => {
      const local = path.join(tmp, `${i}${path.extname(file)}`);
      fs.writeFileSync(local, git(['show', `${rev}:${file}`]));
      return loadManifestFile(local, `${rev}:${file}`);
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
