// usage: node runpy.mjs 314|315 script.py   (the npm packages of the repo, `npm ci`)
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';
import { fileURLToPath } from 'url';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const require = createRequire(path.join(root, 'package.json'));
const ver = process.argv[2];
const dir = path.join(root, 'node_modules', `pyodide${ver}`);
const { loadPyodide } = require(path.join(dir, 'pyodide.js'));
const py = await loadPyodide({ indexURL: dir + '/', stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
const src = fs.readFileSync(process.argv[3], 'utf8');
try { py.runPython(src); } catch (e) { console.log(String(e)); }
