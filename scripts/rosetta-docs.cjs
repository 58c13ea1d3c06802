#!/usr/bin/env node
// The guides in docs/*.md, compiled and translated as `rosetta:extract --strict` does for the README
// (`npx projen rosetta:docs`, run by post-compile after rosetta:extract):
//
//   node scripts/rosetta-docs.cjs              every docs/*.md page
//   node scripts/rosetta-docs.cjs docs/x.md    these pages only
//
// jsii puts only README.md into the assembly, so jsii-rosetta's own commands never see docs/. This
// script runs rosetta's pipeline on each page: every ```ts block (with its ` fixture=<name>`, fixtures
// in rosetta/) is compiled in strict mode against the compiled library (lib/, .jsii: run after
// `npx projen compile`) and its peer dependencies, and translated; any compile error fails with
// rosetta's diagnostics. Each page is then written with its snippets in Python to
// dist/docs/python/<page>.md, where a snippet missing from the translations fails too (no
// TypeScript is ever left in a ```python block; .ci/run checks the files). Translations are cached in
// dist/docs/docs.tabl.json (reused while a snippet and the types it uses are unchanged).
//
// jsii-rosetta exports its translator and tablet reader, not the markdown extraction, fixtures and
// dependency resolution its `extract` command uses: those are loaded from its lib/ by path (the
// version is pinned by package-lock.json; a change there fails this script loudly, not silently).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const rosetta = require('jsii-rosetta');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'docs');
const CACHE = path.join(OUT, 'docs.tabl.json');
const rosettaLib = file => require(path.join(path.dirname(require.resolve('jsii-rosetta/package.json')), 'lib', file));
const { extractTypescriptSnippetsFromMarkdown } = rosettaLib('markdown/extract-snippets.js');
const { fixturize } = rosettaLib('fixtures.js');
const { resolveDependenciesFromPackageJson } = rosettaLib('snippet-dependencies.js');

/** Where a page's snippets live for rosetta (part of each snippet's key in the tablet). */
const locationOf = page => ({ api: 'file', fileName: page });

async function main() {
  const args = process.argv.slice(2);
  const pages = args.length > 0
    ? args
    : fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).sort().map(f => `docs/${f}`);
  const assemblyFile = path.join(ROOT, '.jsii');
  if (!fs.existsSync(assemblyFile)) throw new Error('.jsii not found: run `npx projen compile` first');
  const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf-8'));
  const packageJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf-8'));

  // what a snippet compiles against: the library itself and its dependencies (as `extract` does)
  const compilationDependencies = {
    [assembly.name]: { type: 'concrete', resolvedDirectory: fs.realpathSync(ROOT) },
    ...await resolveDependenciesFromPackageJson(packageJson, ROOT),
  };
  const markdown = new Map(pages.map(page => [page, fs.readFileSync(path.join(ROOT, page), 'utf-8')]));
  const snippets = pages.flatMap(page => extractTypescriptSnippetsFromMarkdown(markdown.get(page), locationOf(page), true))
    .map(snippet => fixturize({
      ...rosetta.updateParameters(snippet, { [rosetta.SnippetParameters.$PROJECT_DIRECTORY]: ROOT }),
      strict: true,
      compilationDependencies,
    }));

  const translator = new rosetta.RosettaTranslator({ assemblies: [assembly], includeCompilerDiagnostics: true });
  if (fs.existsSync(CACHE)) await translator.addToCache(CACHE);
  const cached = translator.readFromCache(snippets, true, true);
  const diagnostics = [];
  if (cached.remaining.length > 0) {
    const result = await translator.translateAll(cached.remaining, { addToTablet: true });
    diagnostics.push(...result.diagnostics);
  }
  // strict, as `extract --strict`: any diagnostic (a compile error, or a construct rosetta cannot translate) fails
  if (diagnostics.length > 0) {
    for (const d of diagnostics) process.stderr.write(`${d.formattedMessage}\n`);
    throw new Error(`${diagnostics.length} diagnostic(s) in the snippets of ${pages.join(', ')}`);
  }
  fs.mkdirSync(path.join(OUT, 'python'), { recursive: true });
  await translator.tablet.save(CACHE);

  const reader = new rosetta.RosettaTabletReader({ unknownSnippets: rosetta.UnknownSnippetMode.FAIL });
  reader.addTablet(translator.tablet);
  for (const page of pages) {
    const python = reader.translateSnippetsInMarkdown(locationOf(page), markdown.get(page), rosetta.TargetLanguage.PYTHON, true);
    const file = path.join(OUT, 'python', path.basename(page));
    fs.writeFileSync(file, python);
  }
  console.log(`rosetta-docs: ${snippets.length} snippets of ${pages.length} pages compiled (strict) and translated `
    + `(${cached.translations.length} from ${path.relative(ROOT, CACHE)}); Python pages in ${path.relative(ROOT, path.join(OUT, 'python'))}/`);
}

main().catch(err => {
  process.stderr.write(`rosetta-docs: ${err.stack ?? err}\n`);
  process.exit(1);
});
