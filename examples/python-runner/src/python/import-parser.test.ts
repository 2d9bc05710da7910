import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseImports } from './import-parser';
import { probePython } from './interpreter';

describe('parseImports', () => {
  let stdlibModuleNames: ReadonlySet<string>;
  beforeAll(async () => {
    ({ stdlibModuleNames } = await probePython('python3'));
  });

  it.each([
    ['import yaml', ['PyYAML']],
    ['from PIL import Image', ['pillow']],
    ['import cv2, sklearn.linear_model as lm', ['opencv-python', 'scikit-learn']],
    ['from bs4 import BeautifulSoup', ['beautifulsoup4']],
    ['import requests\nimport requests.adapters', ['requests']],
    ['from __future__ import annotations\nimport os, sys, json, asyncio', []],
    ['from . import sibling\nfrom .. import parent\nfrom .pkg import thing', []],
    ['def f():\n    import numpy as np\n    return np', ['numpy']],
    ['text = """\nimport notreal\n"""', []],
    ['this is not python (', []],
  ])('%j needs %j', async (source, expected) => {
    await expect(parseImports(source, { python: 'python3', stdlibModuleNames })).resolves.toEqual(
      expected,
    );
  });

  it('leaves out modules that live beside the script', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sa-imports-'));
    await writeFile(join(directory, 'helpers.py'), '');
    await expect(
      parseImports('import helpers\nimport rich', {
        python: 'python3',
        stdlibModuleNames,
        directory,
      }),
    ).resolves.toEqual(['rich']);
  });
});
