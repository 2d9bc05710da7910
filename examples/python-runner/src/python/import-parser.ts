import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SaError } from '@sa/core';

const execFileAsync = promisify(execFile);

/** Import names whose distribution (what pip installs) has another name. */
export const distributionNames: Readonly<Record<string, string>> = {
  PIL: 'pillow',
  yaml: 'PyYAML',
  cv2: 'opencv-python',
  sklearn: 'scikit-learn',
  skimage: 'scikit-image',
  bs4: 'beautifulsoup4',
  dateutil: 'python-dateutil',
  dotenv: 'python-dotenv',
  jwt: 'PyJWT',
  Crypto: 'pycryptodome',
  OpenSSL: 'pyOpenSSL',
  serial: 'pyserial',
  usb: 'pyusb',
  magic: 'python-magic',
  docx: 'python-docx',
  pptx: 'python-pptx',
  attr: 'attrs',
  MySQLdb: 'mysqlclient',
  zmq: 'pyzmq',
  gi: 'PyGObject',
  git: 'GitPython',
  fitz: 'PyMuPDF',
  Levenshtein: 'python-Levenshtein',
  telegram: 'python-telegram-bot',
  discord: 'discord.py',
  win32api: 'pywin32',
  googleapiclient: 'google-api-python-client',
};

// Reads the script on stdin and prints the top-level names of its absolute imports.
const parserScript = `
import ast, json, sys
names = set()
try:
    tree = ast.parse(sys.stdin.read())
except SyntaxError:
    tree = None
for node in ast.walk(tree) if tree is not None else []:
    if isinstance(node, ast.Import):
        for alias in node.names:
            names.add(alias.name.split(".")[0])
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names.add(node.module.split(".")[0])
print(json.dumps({"ok": tree is not None, "names": sorted(names)}))
`;

/** Options for `parseImports`. */
export interface ParseImportsOptions {
  /** The interpreter that parses (its own `ast`, so syntax matches what will run). */
  python: string;
  /** Its `sys.stdlib_module_names`. */
  stdlibModuleNames: ReadonlySet<string>;
  /** The script's directory: modules found there are local, not dependencies. */
  directory?: string;
}

/**
 * The distributions a script's imports need: absolute imports only, no `__future__`, no
 * standard library, no local modules, import names mapped to distribution names.
 *
 * @example
 * await parseImports('import yaml\nfrom PIL import Image', { python: 'python3', stdlibModuleNames });
 * // ['PyYAML', 'pillow']
 */
export async function parseImports(
  source: string,
  options: ParseImportsOptions,
): Promise<string[]> {
  const pending = execFileAsync(options.python, ['-c', parserScript], { timeout: 15_000 });
  pending.child.stdin?.end(source);
  let stdout: string;
  try {
    ({ stdout } = await pending);
  } catch (error) {
    throw new SaError('INTERNAL', `Parsing imports with ${options.python} failed`, {
      cause: error,
    });
  }
  const { names } = JSON.parse(stdout) as { ok: boolean; names: string[] };
  const distributions = new Set<string>();
  for (const name of names) {
    if (!name || name === '__future__' || name.startsWith('_')) continue;
    if (options.stdlibModuleNames.has(name)) continue;
    if (options.directory && (await isLocalModule(options.directory, name))) continue;
    distributions.add(distributionNames[name] ?? name);
  }
  return [...distributions];
}

async function isLocalModule(directory: string, name: string): Promise<boolean> {
  for (const candidate of [`${name}.py`, name]) {
    try {
      await access(join(directory, candidate));
      return true;
    } catch {
      // Not here.
    }
  }
  return false;
}
