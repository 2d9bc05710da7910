import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// Writes a minimal valid pure-Python wheel with zipfile: one module whose VALUE is given.
const wheelScript = `
import base64, hashlib, sys, zipfile
out_dir, name, version, value = sys.argv[1:5]
dist = f"{name}-{version}.dist-info"
files = {
    f"{name}/__init__.py": f"VALUE = {value!r}\\n",
    f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
    f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: sa-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
record = []
for path, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record.append(f"{path},sha256={digest},{len(text.encode())}")
record.append(f"{dist}/RECORD,,")
files[f"{dist}/RECORD"] = "\\n".join(record) + "\\n"
wheel = f"{out_dir}/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(wheel, "w") as archive:
    for path, text in files.items():
        archive.writestr(path, text)
print(wheel)
`;

/** Builds a minimal wheel of module `name` (whose `VALUE` is `value`) into `directory`. */
export async function buildWheel(options: {
  directory: string;
  name: string;
  version?: string;
  value?: string;
}): Promise<string> {
  const { stdout } = await execFileAsync('python3', [
    '-c',
    wheelScript,
    options.directory,
    options.name,
    options.version ?? '1.0.0',
    options.value ?? 'hello',
  ]);
  return stdout.trim() || join(options.directory, `${options.name}-1.0.0-py3-none-any.whl`);
}
