// index.html in a real headless browser: `monsim report` renders the fixture, Chromium
// (Debian package `chromium`) loads the page, the test clicks filters with real mouse
// events, checks that the scenario list, the matrix and the URL fragment follow, opens
// a drill-down, and saves a screenshot (test-results/report-html*.png). Chromium is
// driven over the DevTools protocol on a pipe (--remote-debugging-pipe), so nothing
// beyond node and chromium is needed. Exit 77 (meson: skipped) when chromium is missing.
// usage: node html_browser_test.mjs MONSIM SOURCE_ROOT SCREENSHOT_DIR
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [monsim, root, shotDir] = process.argv.slice(2);
const fixture = path.join(root, "tests/reports/fixtures/small.jsonl");
let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
  if (!ok) failures++;
}

function findChromium() {
  const names = [process.env.CHROMIUM, "chromium", "chromium-browser", "google-chrome"];
  for (const name of names.filter(Boolean)) {
    const r = spawnSync("sh", ["-c", `command -v "${name}"`], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

// A DevTools protocol client over chromium's pipe (fd 3 in, fd 4 out; NUL-separated).
class Cdp {
  constructor(child) {
    this.out = child.stdio[3];
    this.next = 1;
    this.pending = new Map();
    this.waiters = [];
    let buf = "";
    child.stdio[4].on("data", (chunk) => {
      buf += chunk.toString("utf8");
      let at;
      while ((at = buf.indexOf("\0")) >= 0) {
        const msg = JSON.parse(buf.slice(0, at));
        buf = buf.slice(at + 1);
        if (msg.id && this.pending.has(msg.id)) {
          const { resolve, reject } = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.error) reject(new Error(JSON.stringify(msg.error)));
          else resolve(msg.result);
        } else if (msg.method) {
          this.waiters = this.waiters.filter((w) => !(w.method === msg.method && (w.resolve(msg.params), true)));
        }
      }
    });
  }
  send(method, params = {}, sessionId) {
    const id = this.next++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    this.out.write(JSON.stringify(msg) + "\0");
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }
  once(method) {
    return new Promise((resolve) => this.waiters.push({ method, resolve }));
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

async function main() {
  const chromium = findChromium();
  if (!chromium) {
    console.log("SKIP: chromium is not installed (Debian: apt-get install chromium; ./run setup does it)");
    process.exit(77);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "monsim-html-"));
  const outDir = path.join(tmp, "report");
  const r = spawnSync(monsim, ["report", fixture, "-o", outDir, "--only", "html"], { encoding: "utf8" });
  check(r.status === 0, `monsim report renders the fixture (${r.stderr.trim() || "no errors"})`);
  const page = path.join(outDir, "index.html");
  const html = fs.readFileSync(page, "utf8");
  check(!/(src|href)="https?:/.test(html.replace(/<a [^>]*href="https?:[^"]*"/g, "")),
        "the page loads nothing from the network");

  // What the fixture should show, straight from the stream.
  const rows = fs.readFileSync(fixture, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const results = rows.filter((x) => x.kind === "result");
  const scenarios = new Set(results.map((x) => x.scenario));
  const withKnown = new Set(results.filter((x) => x.verdict === "known-deviation").map((x) => x.scenario));

  const profile = path.join(tmp, "profile");
  const child = spawn(chromium, [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
    `--user-data-dir=${profile}`, "--window-size=1400,1000", "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const cdp = new Cdp(child);
  try {
    const { targetId } = await withTimeout(cdp.send("Target.createTarget", { url: "about:blank" }), 30000, "chromium start");
    const { sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true });
    const call = (m, p) => cdp.send(m, p, sessionId);
    const js = async (expression) => {
      const res = await call("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
      if (res.exceptionDetails) throw new Error(`${expression}: ${JSON.stringify(res.exceptionDetails)}`);
      return res.result.value;
    };
    await call("Page.enable");
    await call("Runtime.enable");
    await call("Emulation.setDeviceMetricsOverride", { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false });
    const loaded = cdp.once("Page.loadEventFired");
    await call("Page.navigate", { url: pathToFileURL(page).href });
    await withTimeout(loaded, 30000, "page load");
    check((await js("document.body.dataset.ready")) === "yes", "the page's script ran");
    // Unfiltered, the script's counts (MONSIM_VOCAB's tally columns) redraw every matrix
    // cell exactly as the renderer (score.h) drew it.
    const served = new Map([...html.matchAll(/<td class="cell" data-area="([^"]*)" data-interp="([^"]*)"[^>]*>(.*?)<\/td>/g)]
      .map((m) => [m[1] + "|" + m[2], m[3]]));
    const drawn = await js(`Array.from(document.querySelectorAll('.matrix td.cell'))
      .map(td => [td.dataset.area + "|" + td.dataset.interp, td.innerHTML])`);
    const redrawn = drawn.filter(([key, cell]) => served.get(key) !== cell);
    check(served.size > 0 && drawn.length === served.size && redrawn.length === 0,
          `the script redraws the ${served.size} matrix cells as rendered` +
          (redrawn.length ? ` (differs: ${redrawn[0][0]}: ${redrawn[0][1]} vs ${served.get(redrawn[0][0])})` : ""));
    const shown = () => js("Number(document.getElementById('shown-count').textContent)");
    const visible = () => js("Array.from(document.querySelectorAll('details.scenario')).filter(e => !e.hidden).map(e => e.id.slice(2))");
    check((await shown()) === scenarios.size, `all ${scenarios.size} scenarios shown at first`);

    // A real click: mouse events at the centre of the element.
    const click = async (selector) => {
      const box = await js(`(() => { const e = document.querySelector(${JSON.stringify(selector)});
        e.scrollIntoView({block: "center"}); const r = e.getBoundingClientRect();
        return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()`);
      for (const type of ["mouseMoved", "mousePressed", "mouseReleased"])
        await call("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", clickCount: 1 });
    };

    // 1. Verdict filter: "only" known-deviation.
    await click('a.only[data-scope="#f-verdict"][data-value="known-deviation"]');
    const onlyKnown = await visible();
    check(onlyKnown.length === withKnown.size && onlyKnown.every((s) => withKnown.has(s)),
          `verdict "only known-deviation" shows exactly the ${withKnown.size} scenarios with one (${onlyKnown.join(", ")})`);
    check((await js("location.hash")) === "#verdict=known-deviation", "the filter is in the URL fragment");
    check((await js("document.getElementById('f-verdict-pass').checked")) === false, "the pass checkbox is unticked");

    // 2. Interpreter filter: untick pyodide-3.15.0rc1 by clicking its checkbox.
    await click("#f-interp-pyodide-3\\.15\\.0rc1");
    const hiddenCells = await js(`Array.from(document.querySelectorAll('.matrix [data-interp="pyodide-3.15.0rc1"]')).every(e => e.hidden)`);
    check(hiddenCells, "unticking an interpreter hides its matrix column");
    const without315 = results.filter((x) => x.verdict === "known-deviation" && x.interpreter !== "pyodide-3.15.0rc1");
    const expect2 = new Set(without315.map((x) => x.scenario));
    const now = await visible();
    check(now.length === expect2.size && now.every((s) => expect2.has(s)),
          `and the list keeps the scenarios known-deviating elsewhere (${now.join(", ")})`);
    check((await js("location.hash")).includes("interp=cpython-3.12.1,cpython-3.13.0,pyodide-3.14.2,model-"),
          "the interpreter filter is in the URL fragment");

    // 3. Feature filter narrows the matrix counts too.
    await click("#f-reset");
    check((await shown()) === scenarios.size, "Reset shows everything again");
    const before = await js(`document.querySelector('.matrix tr.total td[data-interp="cpython-3.13.0"] .score').textContent`);
    await js(`(() => { const s = document.getElementById('f-feature'); s.value = 'restart';
      s.dispatchEvent(new Event('change')); })()`);
    const restart = new Set(results.filter((x) => x.file.includes("/restart/") || x.features.includes("restart")).map((x) => x.scenario));
    check((await shown()) === restart.size, `feature "restart" shows its ${restart.size} scenarios`);
    const after = await js(`document.querySelector('.matrix tr.total td[data-interp="cpython-3.13.0"] .score').textContent`);
    check(before !== after, `the matrix total follows the feature filter (${before} -> ${after})`);

    // 4. Drill-down: open the failing scenario by a link in the fragment and by a click.
    await click("#f-reset");
    await js("location.hash = '#scenario=highest-tool-id-first'");
    await new Promise((res) => setTimeout(res, 200));
    const open = await js("document.getElementById('s-highest-tool-id-first').open");
    check(open === true, "#scenario=ID opens that scenario");
    const pre = await js(`document.querySelector('#s-highest-tool-id-first section[data-interp="pyodide-3.14.2"] pre').textContent`);
    check(pre.startsWith("first divergence (reordered)"), "the drill-down shows the aligned divergence report");
    await click("#s-restart-reenables-local-lines > summary");
    check((await js("document.getElementById('s-restart-reenables-local-lines').open")) === true,
          "clicking a scenario row opens it");

    // 5. Screenshots: the filtered view and the whole page.
    fs.mkdirSync(shotDir, { recursive: true });
    await click('a.only[data-scope="#f-verdict"][data-value="fail"]');
    const shots = [["report-html-filtered.png", false], ["report-html.png", true]];
    for (const [name, full] of shots) {
      if (full) await click("#f-reset");
      await js(full ? "window.scrollTo(0, 0)" : "document.getElementById('matrix').scrollIntoView()");
      const shot = await call("Page.captureScreenshot", { format: "png", captureBeyondViewport: full });
      const png = Buffer.from(shot.data, "base64");
      fs.writeFileSync(path.join(shotDir, name), png);
      check(png.subarray(1, 4).toString() === "PNG" && png.length > 20000,
            `screenshot ${path.join(shotDir, name)} (${png.length} bytes)`);
    }
    const exited = new Promise((res) => child.once("exit", res));
    await cdp.send("Browser.close").catch(() => {});
    await withTimeout(exited, 10000, "chromium exit").catch(() => child.kill("SIGKILL"));
  } catch (e) {
    check(false, `${e.message}\nchromium stderr:\n${stderr.slice(-2000)}`);
    child.kill("SIGKILL");
  }
  try {
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  } catch (e) {
    console.log(`note: could not remove ${tmp}: ${e.message}`);
  }
  console.log(failures ? `FAILED: ${failures} check(s)` : "ok: every check passed");
  process.exit(failures ? 1 : 0);
}

main();
