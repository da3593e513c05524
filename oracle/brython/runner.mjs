// Runs a Python script under Brython (npm `brython`, Python in JavaScript) as
// `python3 script.py args…` would: stdin/stdout/stderr are the process's own,
// modules beside the script import, and the exit status is the script's.
//   node runner.mjs SCRIPT [ARGS…]
//   node runner.mjs -c CODE
//   node runner.mjs - < SCRIPT
// Brython is written for browsers: jsdom gives it the window it expects, and its
// own debug output (console.log) goes to stderr so that stdout carries only what
// the Python program writes.
import fs from "node:fs";
import path from "node:path";
import vm from "node:vm";
import { createRequire } from "node:module";

import { readLine, writeAll } from "../node/stdio.mjs";

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
if (argv.length < 1) {
  process.stderr.write("usage: runner.mjs (SCRIPT | -c CODE | -) [ARGS…]\n");
  process.exit(2);
}

let brythonDir, JSDOM;
try {
  brythonDir = path.dirname(require.resolve("brython/package.json"));
  ({ JSDOM } = require("jsdom"));
} catch (e) {
  process.stderr.write(`runner.mjs: npm packages brython and jsdom are needed (${e && e.message})\n`);
  process.exit(2);
}

// The browser globals Brython reads while it loads.
const dom = new JSDOM("<!doctype html><html><body></body></html>", {
  url: "file://" + process.cwd() + "/",
});
const win = dom.window;
for (const k of ["window", "document", "navigator", "location", "HTMLElement", "Node",
                 "MutationObserver", "customElements", "CustomEvent"])
  globalThis[k] = win[k];
globalThis.self = globalThis;
globalThis.addEventListener = win.addEventListener.bind(win);
// Brython's own fallback for a missing Set.prototype.difference (Node < 22) takes
// its arguments in the wrong order; give it the standard method instead.
if (!Set.prototype.difference)
  Object.defineProperty(Set.prototype, "difference", {
    value: function (other) {
      const out = new Set();
      for (const x of this) if (!other.has(x)) out.add(x);
      return out;
    },
    writable: true,
    configurable: true,
  });
globalThis.__BRYTHON__ = { brython_path: "file://" + brythonDir + "/" };
globalThis.module = { exports: {} };  // brython.js ends with a CommonJS export
const toStderr = (...a) => writeAll(2, a.map(String).join(" ") + "\n");
for (const f of ["brython.js", "brython_stdlib.js"])
  vm.runInThisContext(fs.readFileSync(path.join(brythonDir, f), "utf8"), { filename: f });
console.log = console.info = console.warn = console.error = console.debug = toStderr;
const B = globalThis.__BRYTHON__;

// The process's streams, as a JavaScript module the Python side wraps.
globalThis.__monsim_host = {
  write: (fd, s) => {
    writeAll(fd, s);
    return B.builtins.None;
  },
  readline: () => readLine() ?? "",
  exit: (n) => {
    exitStatus = n;
    return B.builtins.None;
  },
};
let exitStatus = 0;
const modules = {
  _monsim_host: [".js",
    "(function($B){const h = globalThis.__monsim_host; $B.addToImported('_monsim_host'," +
    " {write: h.write, readline: h.readline, exit: h.exit})})(__BRYTHON__)", []],
};

// Python files beside the script (and packages below it) import as they would
// from sys.path[0]: Brython imports from its virtual file system.
function addTree(dir, prefix, depth) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const full = path.join(dir, e.name);
    if (e.isFile() && e.name.endsWith(".py")) {
      const stem = e.name.slice(0, -3);
      const src = fs.readFileSync(full, "utf8");
      if (stem === "__init__" && prefix) modules[prefix] = [".py", src, [], 1];
      else if (stem !== "__init__") modules[prefix ? `${prefix}.${stem}` : stem] = [".py", src, []];
    } else if (e.isDirectory() && depth < 4 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name) &&
               fs.existsSync(path.join(full, "__init__.py"))) {
      addTree(full, prefix ? `${prefix}.${e.name}` : e.name, depth + 1);
    }
  }
}

let code, scriptArgv, filename;
if (argv[0] === "-c") {
  code = argv[1] ?? "";
  scriptArgv = ["-c", ...argv.slice(2)];
  filename = "<string>";
} else if (argv[0] === "-") {
  code = fs.readFileSync(0, "utf8");
  scriptArgv = ["-", ...argv.slice(1)];
  filename = "<stdin>";
} else {
  const script = path.resolve(argv[0]);
  try {
    code = fs.readFileSync(script, "utf8");
  } catch (e) {
    process.stderr.write(`runner.mjs: can't open file '${argv[0]}': ${e.message}\n`);
    process.exit(2);
  }
  addTree(path.dirname(script), "", 0);
  scriptArgv = [script, ...argv.slice(1)];
  filename = script;
}
B.update_VFS(modules);

// The prelude points sys's streams at the process and runs the program as
// __main__; SystemExit becomes the exit status as in CPython.
const prelude = `
import sys, _monsim_host
class _Out:
    def __init__(self, fd, name):
        self.fd, self.name = fd, name
    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not " + type(s).__name__)
        _monsim_host.write(self.fd, s)
        return len(s)
    def flush(self):
        pass
    def isatty(self):
        return False
class _In:
    name = "<stdin>"
    def readline(self, size=-1):
        return _monsim_host.readline()
    def __iter__(self):
        return self
    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line
    def read(self):
        return "".join(iter(self.readline, ""))
sys.stdout = sys.__stdout__ = _Out(1, "<stdout>")
sys.stderr = sys.__stderr__ = _Out(2, "<stderr>")
sys.stdin = sys.__stdin__ = _In()
class _Empty(_In):
    def readline(self, size=-1):
        return ""
class _Channel:
    """monsim_stdio: a private channel for a line protocol (oracle/PROTOCOL.md §1), as
    the pyodide runner offers: after privatise() the program's stdin is empty and its
    stdout goes to stderr."""
    def privatise(self):
        sys.stdout = sys.__stdout__ = _Out(2, "<stdout>")
        sys.stdin = sys.__stdin__ = _Empty()
    def read_line(self):
        return _monsim_host.readline() or None
    def write(self, s):
        _monsim_host.write(1, s)
sys.modules["monsim_stdio"] = _Channel()
sys.argv = ${JSON.stringify(scriptArgv)}
def _exit(status=None):
    # Brython's sys.exit raises SystemExit without the status.
    raise SystemExit(status)
sys.exit = _exit
_status = 0
try:
    exec(compile(${JSON.stringify(code)}, ${JSON.stringify(filename)}, "exec"),
         {"__name__": "__main__", "__file__": ${JSON.stringify(filename)},
          "__builtins__": __builtins__})
except SystemExit as e:
    # Brython's SystemExit has no .code: its argument is the code.
    c = e.args[0] if e.args else None
    if c is None:
        _status = 0
    elif isinstance(c, int):
        _status = c
    else:
        sys.stderr.write(str(c) + "\\n")
        _status = 1
except BaseException:
    import traceback
    traceback.print_exc()
    _status = 1
_monsim_host.exit(_status)
`;

let status = 0;
try {
  B.runPythonSource(prelude, { name: "__monsim_runner__" });
  status = Number(exitStatus);
} catch (e) {
  writeAll(2, `runner.mjs: Brython failed: ${e && e.message ? e.message : e}\n`);
  status = 1;
}
process.exit(Number.isFinite(status) ? status & 0xff : 1);
