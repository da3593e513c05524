// Runs a Python script under pyodide as `python3 script.py args…` would:
// stdin/stdout/stderr are the process's own, the script's folder is mounted
// at the same path, and the exit status is the script's.
//   node runner.mjs --pyodide FLAVOUR SCRIPT [ARGS…]
//   node runner.mjs --pyodide FLAVOUR -c CODE
//   node runner.mjs --pyodide FLAVOUR - < SCRIPT
// FLAVOUR names an npm package `pyodide<FLAVOUR>` of the repo's node_modules (package.json
// installs each pinned pyodide line under such an alias: pyodide314, pyodide0264, …).
import fs from "node:fs";
import path from "node:path";

import { readInto, readLine, writeAll } from "../node/stdio.mjs";

const argv = process.argv.slice(2);
if (argv[0] !== "--pyodide" || argv.length < 3) {
  process.stderr.write("usage: runner.mjs --pyodide FLAVOUR (SCRIPT | -c CODE | -) [ARGS…]\n");
  process.exit(2);
}
const flavour = argv[1];
if (!/^[0-9A-Za-z._-]+$/.test(flavour)) {
  process.stderr.write(`runner.mjs: bad pyodide flavour '${flavour}'\n`);
  process.exit(2);
}
let loadPyodide;
try {
  ({ loadPyodide } = await import(`pyodide${flavour}`));
} catch (e) {
  process.stderr.write(`runner.mjs: no npm package pyodide${flavour} (${e && e.message})\n`);
  process.exit(2);
}

const writer = (fd) => ({ write: (buf) => writeAll(fd, buf) });

const py = await loadPyodide();
// Bytes, not lines: a line-returning stdin loses what is beyond one read of a long line.
py.setStdin({ read: readInto });
py.setStdout(writer(1));
py.setStderr(writer(2));
// A private channel for a line protocol (the oracle worker, oracle/PROTOCOL.md §1): once
// the program calls privatise(), what it reads from its stdin is empty and what it writes
// to its stdout goes to stderr, so only read_line/write reach the process's stdin/stdout.
py.registerJsModule("monsim_stdio", {
  privatise() {
    py.setStdin({ read: () => 0 });
    py.setStdout(writer(2));
  },
  read_line: () => readLine(),
  write: (s) => writeAll(1, s),
});

let code;
let scriptArgv;
if (argv[2] === "-c") {
  code = argv[3] ?? "";
  scriptArgv = ["-c", ...argv.slice(4)];
} else if (argv[2] === "-") {
  // The program on stdin, as `python3 -` reads it (monsim's vetting probe does this).
  code = fs.readFileSync(0, "utf8");
  scriptArgv = ["-", ...argv.slice(3)];
} else {
  const script = path.resolve(argv[2]);
  const dir = path.dirname(script);
  py.FS.mkdirTree(dir);
  py.FS.mount(py.FS.filesystems.NODEFS, { root: dir }, dir);
  scriptArgv = [script, ...argv.slice(3)];
  code = `import runpy, sys\nsys.path.insert(0, ${JSON.stringify(dir)})\nrunpy.run_path(${JSON.stringify(script)}, run_name="__main__")\n`;
}
py.globals.get("__import__")("sys").argv = py.toPy(scriptArgv);

let status = 0;
try {
  py.runPython(code);
} catch (e) {
  // SystemExit surfaces as a PythonError whose type is SystemExit.
  if (e && e.type === "SystemExit") {
    const m = /SystemExit: (\d+)/.exec(String(e.message));
    status = m ? Number(m[1]) : 0;
    if (!m && !/SystemExit\s*$/.test(String(e.message).trim())) status = 1;
  } else {
    process.stderr.write(String(e && e.message ? e.message : e) + "\n");
    status = 1;
  }
}
try { py.runPython("import sys; sys.stdout.flush(); sys.stderr.flush()"); } catch {}
process.exit(status);
