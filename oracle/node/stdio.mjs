// The process's stdin and stdout as a Python program under Node needs them for a line
// protocol (oracle/PROTOCOL.md): blocking reads of one line at a time, and blocking
// writes. Shared by the runners of implementations hosted in Node (pyodide, Brython).
import fs from "node:fs";

// Pipes may be non-blocking under Node: a full pipe throws EAGAIN on write and an empty
// one on read. A descriptor of its own for the same pipe (Linux: /proc/self/fd/N opens
// a new description, blocking) lets reads and writes wait in the kernel; polling every
// 2 ms instead cost a worker up to 2 ms a request and ~100 ms a 3.7 MB reply. Where that
// does not work, wait briefly and retry instead of losing or truncating a line.
const pause = new Int32Array(new SharedArrayBuffer(4));

function ownBlocking(fd, flags) {
  try {
    if (fs.fstatSync(fd).isFIFO()) return fs.openSync(`/proc/self/fd/${fd}`, flags);
  } catch {
    // not Linux, or not a pipe that can be opened again: the polling below
  }
  return fd;
}
const own = [ownBlocking(0, "r"), ownBlocking(1, "w"), ownBlocking(2, "w")];

// Writes all of `data` (a string, as UTF-8, or bytes) to `fd`.
export function writeAll(fd, data) {
  fd = own[fd] ?? fd;
  const buf = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if (e.code !== "EAGAIN") throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
  return buf.length;
}

let pending = Buffer.alloc(0);
let eof = false;

// Reads one more chunk of stdin into `pending` (blocking), or notes the end.
function fill() {
  const chunk = Buffer.alloc(65536);
  for (;;) {
    let n = 0;
    try {
      n = fs.readSync(own[0], chunk, 0, chunk.length, null);
    } catch (e) {
      if (e.code === "EAGAIN") {
        Atomics.wait(pause, 0, 0, 2);
        continue;
      }
      if (e.code !== "EOF") throw e;
    }
    if (n === 0) eof = true;
    else pending = Buffer.concat([pending, chunk.subarray(0, n)]);
    return;
  }
}

// The next line of stdin with its newline, what is left before the end without one, or
// null at the end: blocks like CPython's sys.stdin.readline().
export function readLine() {
  for (;;) {
    const nl = pending.indexOf(10);
    if (nl >= 0) {
      const line = pending.subarray(0, nl + 1);
      pending = pending.subarray(nl + 1);
      return line.toString("utf8");
    }
    if (eof) {
      const rest = pending.toString("utf8");
      pending = Buffer.alloc(0);
      return rest.length ? rest : null;
    }
    fill();
  }
}

// Fills `buffer` with the next stdin bytes (blocking until there is one), 0 at the end:
// a byte-level reader for pyodide's stdin (`setStdin({read})`), which, unlike one that
// returns lines, never splits a line longer than the interpreter's read size.
export function readInto(buffer) {
  while (pending.length === 0 && !eof) fill();
  const n = Math.min(buffer.length, pending.length);
  buffer.set(pending.subarray(0, n));
  pending = pending.subarray(n);
  return n;
}
