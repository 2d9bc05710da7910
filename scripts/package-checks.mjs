// The checks `pnpm check-packages` runs on each unpacked tarball. Each returns problems as
// readable lines; none throws for a problem it finds.
//
// 1. Every plain `files` entry is in the tarball. `CHANGELOG.md` may be missing only while a
//    pending changeset (or a changeset of its fixed group) will make `changeset version` write
//    it before `changeset publish`; when it exists, it is shipped.
// 2. No build or test leftovers: `__pycache__`, `*.pyc`, test and bench files, `.tsbuildinfo`.
// 3. Every `exports` target under every condition (`import`, `require`, `types`, `default`,
//    `@sa/source`, nested ones too), `main`, `module`, `types` and `bin` is in the tarball.
// 4. Node resolves every export by the package name from a consumer folder for `import`,
//    `require` and `--conditions=@sa/source`; TypeScript resolves its types as ESM and as CJS
//    (node16 rules) and, with `customConditions: ["@sa/source"]`, its sources.
// 5. From each resolved file, every relative import is in the tarball (followed to the end),
//    and every package import is a declared dependency, peer dependency or Node built-in.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import ts from 'typescript';

const leftovers = [
  [/(^|\/)__pycache__\//, 'a Python bytecode cache folder'],
  [/\.py[co]$/, 'a Python bytecode file'],
  [/\.(test|spec)(-d)?\.[cm]?[jt]sx?$/, 'a test file'],
  [/\.bench\.[cm]?[jt]sx?$/, 'a benchmark file'],
  [/\.tsbuildinfo$/, 'a TypeScript build-info file'],
  [/(^|\/)\.DS_Store$/, 'a .DS_Store file'],
];

/** The packages `changeset version` will bump (and give a CHANGELOG.md) from the pending changesets. */
export function pendingReleases(root) {
  const directory = join(root, '.changeset');
  const names = new Set();
  if (!existsSync(directory)) return names;
  for (const file of readdirSync(directory)) {
    if (!file.endsWith('.md') || file === 'README.md') continue;
    const frontMatter = /^---\r?\n([\s\S]*?)\r?\n---/.exec(
      readFileSync(join(directory, file), 'utf8'),
    );
    for (const line of frontMatter?.[1].split(/\r?\n/) ?? []) {
      const match = /^\s*["']?([^"':]+)["']?\s*:\s*(major|minor|patch)\s*$/.exec(line);
      if (match) names.add(match[1]);
    }
  }
  const config = JSON.parse(readFileSync(join(directory, 'config.json'), 'utf8'));
  for (const group of config.fixed ?? [])
    if (group.some((name) => names.has(name))) for (const name of group) names.add(name);
  return names;
}

function listFiles(directory, base = directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory()
      ? listFiles(path, base)
      : [relative(base, path).split(sep).join('/')];
  });
}

function exportTargets(value, conditions = []) {
  if (typeof value === 'string') return [{ conditions, target: value }];
  if (Array.isArray(value)) return value.flatMap((item) => exportTargets(item, conditions));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, item]) =>
      exportTargets(item, [...conditions, key]),
    );
  return [];
}

function subpathTargets(exports) {
  if (exports === undefined) return [];
  if (
    typeof exports === 'string' ||
    Array.isArray(exports) ||
    !Object.keys(exports)[0]?.startsWith('.')
  )
    return [['.', exports]];
  return Object.entries(exports);
}

/** Resolves each specifier with Node from `consumer`, as `import` and as `require`. */
function resolveWithNode(consumer, specifiers, conditions) {
  const script = [
    "import { createRequire } from 'node:module';",
    "import { fileURLToPath, pathToFileURL } from 'node:url';",
    `const base = pathToFileURL(${JSON.stringify(join(consumer, 'index.mjs'))}).href;`,
    `const requireFrom = createRequire(${JSON.stringify(join(consumer, 'index.cjs'))});`,
    'const attempt = (resolve) => { try { return { path: resolve() }; } catch (error) { return { error: String(error.message).split("\\n")[0] }; } };',
    'const results = {};',
    `for (const specifier of ${JSON.stringify(specifiers)}) results[specifier] = {`,
    '  import: attempt(() => fileURLToPath(import.meta.resolve(specifier, base))),',
    '  require: attempt(() => requireFrom.resolve(specifier)),',
    '};',
    'process.stdout.write(JSON.stringify(results));',
  ].join('\n');
  const output = execFileSync(
    process.execPath,
    [
      ...conditions.map((condition) => `--conditions=${condition}`),
      '--input-type=module',
      '-e',
      script,
    ],
    { cwd: consumer, encoding: 'utf8' },
  );
  return JSON.parse(output);
}

const typeSettings = {
  'types (ESM)': {
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
    mode: ts.ModuleKind.ESNext,
  },
  'types (CJS)': {
    options: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
    mode: ts.ModuleKind.CommonJS,
  },
  '@sa/source (TypeScript)': {
    options: {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      customConditions: ['@sa/source'],
      allowImportingTsExtensions: true,
      noEmit: true,
    },
    mode: ts.ModuleKind.ESNext,
  },
};

function resolveTypes(specifier, fromFile, setting) {
  const { resolvedModule } = ts.resolveModuleName(
    specifier,
    fromFile,
    setting.options,
    ts.sys,
    undefined,
    undefined,
    setting.mode,
  );
  return resolvedModule?.resolvedFileName;
}

const isBuiltin = (name) => name.startsWith('node:') || builtinModules.includes(name);
const packageName = (specifier) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

/** Checks one unpacked tarball; returns the problems found (one readable line each) and how many files it followed. */
export function checkUnpackedPackage({ folder, manifest, consumer, unpacked, willWriteChangelog }) {
  const problems = [];
  const shipped = new Set(listFiles(unpacked));
  const isShipped = (path) => {
    const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
    return shipped.has(clean) || [...shipped].some((file) => file.startsWith(`${clean}/`));
  };
  const inside = (path) => !relative(unpacked, path).startsWith('..');

  // 1. files entries.
  for (const entry of manifest.files ?? []) {
    if (entry.startsWith('!') || /[*?[\]{}]/.test(entry)) continue;
    if (isShipped(entry)) continue;
    if (/^changelog\.md$/i.test(entry) && !existsSync(join(folder, entry))) {
      if (!willWriteChangelog)
        problems.push(
          `files names ${entry}, which does not exist, and no pending changeset will make \`changeset version\` write it`,
        );
      continue;
    }
    problems.push(
      existsSync(join(folder, entry))
        ? `files names ${entry}, which exists but is not in the tarball`
        : `files names ${entry}, which does not exist`,
    );
  }

  // 2. leftovers.
  for (const file of shipped) {
    const found = leftovers.find(([pattern]) => pattern.test(file));
    if (found) problems.push(`ships ${file} (${found[1]})`);
  }

  // 3. every target named by the manifest.
  const named = [
    ...subpathTargets(manifest.exports).flatMap(([subpath, value]) =>
      exportTargets(value).map(({ conditions, target }) => ({
        where: `exports["${subpath}"]${conditions.map((key) => `.${key}`).join('')}`,
        target,
      })),
    ),
    ...['main', 'module', 'types', 'typings']
      .filter((key) => typeof manifest[key] === 'string')
      .map((key) => ({ where: key, target: manifest[key] })),
    ...(typeof manifest.bin === 'string'
      ? [{ where: 'bin', target: manifest.bin }]
      : Object.entries(manifest.bin ?? {}).map(([name, target]) => ({
          where: `bin.${name}`,
          target,
        }))),
  ];
  for (const { where, target } of named) {
    if (target.includes('*')) problems.push(`${where}: pattern ${target} is not checked`);
    else if (!shipped.has(target.replace(/^\.\//, '')))
      problems.push(`${where} points at ${target}, which is not in the tarball`);
  }

  // 4. real resolution, by the package name.
  const subpaths = subpathTargets(manifest.exports)
    .map(([subpath]) => subpath)
    .filter((subpath) => !subpath.includes('*'));
  const specifiers = subpaths.map((subpath) =>
    subpath === '.' ? manifest.name : `${manifest.name}/${subpath.slice(2)}`,
  );
  const entries = []; // [file, how] to follow in step 5
  const record = (specifier, how, path, error) => {
    if (!path) problems.push(`${specifier} does not resolve (${how})${error ? `: ${error}` : ''}`);
    else if (!inside(path))
      problems.push(`${specifier} resolves outside the package (${how}): ${path}`);
    else if (!existsSync(path))
      problems.push(`${specifier} resolves to a missing file (${how}): ${path}`);
    else entries.push([path, how]);
  };
  const sourceCondition = exportTargets(manifest.exports).some(({ conditions }) =>
    conditions.includes('@sa/source'),
  );
  const nodeRuns = [
    ['', []],
    ...(sourceCondition ? [[' --conditions=@sa/source', ['@sa/source']]] : []),
  ];
  for (const [label, conditions] of nodeRuns) {
    const results = resolveWithNode(consumer, specifiers, conditions);
    for (const specifier of specifiers)
      for (const kind of ['import', 'require']) {
        const { path, error } = results[specifier][kind];
        record(specifier, `node ${kind}${label}`, path, error);
      }
  }
  const fromFile = join(consumer, 'index.ts');
  for (const [how, setting] of Object.entries(typeSettings)) {
    if (how.startsWith('@sa/source') && !sourceCondition) continue;
    for (const specifier of specifiers) {
      if (specifier.endsWith('/package.json')) continue;
      const path = resolveTypes(specifier, fromFile, setting);
      record(specifier, how, path);
      const declaration = path !== undefined && /\.d\.[cm]?ts$/.test(path);
      if (path && how.startsWith('@sa/source') && declaration)
        problems.push(`${specifier} resolves to ${path} for ${how}, not to its source`);
      if (path && !how.startsWith('@sa/source') && !declaration)
        problems.push(`${specifier} resolves to ${path} for ${how}, not a declaration file`);
    }
  }

  // 5. follow imports from every resolved file.
  const dependencies = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const seen = new Set();
  const queue = [...entries];
  while (queue.length > 0) {
    const [file, how] = queue.pop();
    if (seen.has(file) || file.endsWith('.json')) continue;
    seen.add(file);
    const isTypeScript = /\.[cm]?tsx?$/.test(file);
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      const shown = `${relative(unpacked, file)} imports ${specifier}`;
      if (!specifier.startsWith('.')) {
        const name = packageName(specifier);
        if (!isBuiltin(specifier) && !dependencies.has(name))
          problems.push(`${shown}, which is not a dependency or peer dependency`);
        continue;
      }
      let target;
      if (isTypeScript) {
        const setting = how.startsWith('@sa/source')
          ? typeSettings['@sa/source (TypeScript)']
          : file.endsWith('.d.cts') || file.endsWith('.cts')
            ? typeSettings['types (CJS)']
            : typeSettings['@sa/source (TypeScript)'];
        target = resolveTypes(specifier, file, setting);
      } else {
        const base = join(dirname(file), specifier);
        target = [base, `${base}.js`, `${base}.cjs`, join(base, 'index.js')].find(
          (path) => existsSync(path) && statSync(path).isFile(),
        );
      }
      if (!target || !inside(target) || !existsSync(target))
        problems.push(`${shown}, which is not in the tarball`);
      else queue.push([target, how]);
    }
  }
  return { problems, followed: seen.size };
}
