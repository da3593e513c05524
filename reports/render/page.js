// index.html of `monsim report`: filters and live counts, inlined into the page.
// The state lives in the URL fragment (#interp=a,b&verdict=fail&feature=disable&
// level=must&q=text&scenario=id), so a filtered view can be linked to and a
// headless browser can open one; the controls and the fragment stay in sync.
// MONSIM_VOCAB (the verdict and level tables of spec/vocab) is defined in front of
// this file by reports/render/embed.py.
(function () {
  "use strict";
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const LEVELS = MONSIM_VOCAB.levels; // [name, short name]
  // The score column each verdict counts in (pass, xpass, known, fail, error, skipped).
  const TALLY = new Map(MONSIM_VOCAB.verdicts.map((v) => [v.name, v.tally]));
  const scenarios = $$("details.scenario");
  const allInterps = $$("#f-interp input").map((i) => i.value);
  const allVerdicts = $$("#f-verdict input").map((i) => i.value);

  function percent(passed, total) {
    if (total <= 0) return "—";
    if (passed >= total) return "100%";
    const tenths = Math.floor((1000 * passed) / total);
    return tenths % 10 === 0 ? tenths / 10 + "%" : Math.floor(tenths / 10) + "." + (tenths % 10) + "%";
  }

  function verdictsOf(el) {
    const out = {};
    for (const pair of el.dataset.verdicts.split(" ")) {
      if (!pair) continue;
      const at = pair.lastIndexOf("=");
      out[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return out;
  }

  function readState() {
    const s = { interp: null, verdict: null, feature: "", level: "", q: "", scenario: "" };
    for (const part of location.hash.replace(/^#/, "").split("&")) {
      const at = part.indexOf("=");
      if (at < 0) continue;
      const key = part.slice(0, at);
      const value = decodeURIComponent(part.slice(at + 1));
      if (key === "interp" || key === "verdict") s[key] = value ? value.split(",") : [];
      else if (key in s) s[key] = value;
    }
    return s;
  }

  function stateFromControls() {
    const checked = (id) => $$(id + " input").filter((i) => i.checked).map((i) => i.value);
    return {
      interp: checked("#f-interp"),
      verdict: checked("#f-verdict"),
      feature: $("#f-feature").value,
      level: $("#f-level").value,
      q: $("#f-text").value.trim(),
      scenario: "",
    };
  }

  function writeHash(s) {
    const parts = [];
    if (s.interp.length !== allInterps.length) parts.push("interp=" + s.interp.join(","));
    if (s.verdict.length !== allVerdicts.length) parts.push("verdict=" + s.verdict.join(","));
    for (const key of ["feature", "level", "q"]) if (s[key]) parts.push(key + "=" + encodeURIComponent(s[key]));
    const hash = parts.length ? "#" + parts.join("&") : " ";
    history.replaceState(null, "", hash === " " ? location.pathname + location.search : hash);
  }

  function toControls(s) {
    for (const i of $$("#f-interp input")) i.checked = !s.interp || s.interp.includes(i.value);
    for (const i of $$("#f-verdict input")) i.checked = !s.verdict || s.verdict.includes(i.value);
    $("#f-feature").value = s.feature;
    if ($("#f-feature").value !== s.feature) $("#f-feature").value = "";
    $("#f-level").value = s.level;
    $("#f-text").value = s.q;
  }

  // As score.h's Tally: xpass passes; skipped does not apply.
  const passed = (t) => t.pass + t.xpass;
  const applicable = (t) => passed(t) + t.known + t.fail + t.error;

  function cellHtml(t) {
    const n = applicable(t);
    if (n === 0) return '<span class="na">—</span>';
    const w = (k) => ((100 * k) / n).toFixed(2) + "%";
    let h = '<div class="bar">' +
      '<span style="width:' + w(passed(t)) + ';background:var(--pass)"></span>' +
      '<span style="width:' + w(t.known) + ';background:var(--known-deviation)"></span>' +
      '<span style="width:' + w(t.fail) + ';background:var(--fail)"></span>' +
      '<span style="width:' + w(t.error) + ';background:var(--error)"></span></div>';
    h += '<span class="score">' + passed(t) + "/" + n + '</span> <span class="pct">' + percent(passed(t), n) + "</span>";
    const lv = LEVELS.filter(([l]) => t.levels[l][1] > 0).map(([l, short]) => short + " " + t.levels[l][0] + "/" + t.levels[l][1]);
    if (lv.length) h += '<div class="lv">' + lv.join(" · ") + "</div>";
    const flags = [];
    if (t.known) flags.push('<span style="color:var(--known-deviation)">' + t.known + " known</span>");
    if (t.fail) flags.push('<span style="color:var(--fail)">' + t.fail + " failing</span>");
    if (t.error) flags.push('<span style="color:var(--error)">' + t.error + " error" + (t.error > 1 ? "s" : "") + "</span>");
    if (flags.length) h += '<div class="flags">' + flags.join(" · ") + "</div>";
    return h;
  }

  // A count per score column, and [passed, applicable] per level.
  function tally() {
    const t = { levels: {} };
    for (const column of TALLY.values()) t[column] = 0;
    for (const [level] of LEVELS) t.levels[level] = [0, 0];
    return t;
  }

  function add(t, verdict, level) {
    const column = TALLY.get(verdict);
    if (!column) return;
    t[column]++;
    if (column === "skipped" || !t.levels[level]) return;
    t.levels[level][1]++;
    if (column === "pass" || column === "xpass") t.levels[level][0]++;
  }

  function apply(s) {
    const interps = new Set(s.interp || allInterps);
    const verdicts = new Set(s.verdict || allVerdicts);
    const q = s.q.toLowerCase();
    const cells = {};
    let shown = 0;
    const areasShown = new Set();
    for (const el of scenarios) {
      const features = el.dataset.features.split(" ");
      const scoped = (!s.feature || features.includes(s.feature)) &&
        (!s.level || el.dataset.level === s.level) &&
        (!q || el.dataset.text.includes(q));
      const v = verdictsOf(el);
      let match = false;
      for (const [interp, verdict] of Object.entries(v)) {
        if (!interps.has(interp)) continue;
        if (verdicts.has(verdict)) match = true;
        if (!scoped) continue;
        for (const key of [el.dataset.area + "|" + interp, "|" + interp]) {
          add((cells[key] = cells[key] || tally()), verdict, el.dataset.level);
        }
      }
      const visible = scoped && match;
      el.hidden = !visible;
      if (visible) {
        shown++;
        areasShown.add(el.dataset.area);
      }
    }
    for (const td of $$(".matrix td.cell")) {
      const html = cellHtml(cells[td.dataset.area + "|" + td.dataset.interp] || tally());
      td.innerHTML = '<a href="' + td.dataset.href + '">' + html + "</a>";
    }
    // Areas the feature, level or search filter leaves empty drop out of the matrix.
    for (const tr of $$(".matrix tbody tr:not(.total)")) {
      const area = tr.querySelector("td.cell") ? tr.querySelector("td.cell").dataset.area : "";
      const any = Array.from(interps).some((i) => {
        const t = cells[area + "|" + i];
        return t && applicable(t) > 0;
      });
      tr.hidden = !any && (s.feature || s.level || q) !== "";
    }
    for (const el of $$("[data-interp]")) {
      if (el.closest("#f-interp")) continue;
      el.hidden = !interps.has(el.dataset.interp);
    }
    for (const el of $$("[data-group]")) {
      const members = el.dataset.group.split(" ");
      const n = members.filter((m) => interps.has(m)).length;
      el.hidden = n === 0;
      el.colSpan = Math.max(1, n);
    }
    for (const h of $$("h3[data-area-head]")) h.hidden = !areasShown.has(h.dataset.areaHead);
    document.documentElement.style.setProperty("--cols", String(Math.max(1, interps.size)));
    $("#shown-count").textContent = String(shown);
    document.body.dataset.filtered = shown === scenarios.length ? "no" : "yes";
    if (s.scenario) {
      const el = document.getElementById("s-" + s.scenario);
      if (el) {
        el.hidden = false;
        el.open = true;
        el.scrollIntoView();
      }
    }
  }

  function fromHash() {
    const s = readState();
    toControls(s);
    apply(s);
  }

  function fromControls() {
    const s = stateFromControls();
    writeHash(s);
    apply(s);
  }

  for (const el of $$("#filters input, #filters select")) {
    el.addEventListener(el.type === "search" ? "input" : "change", fromControls);
  }
  $("#f-reset").addEventListener("click", () => {
    toControls({ interp: null, verdict: null, feature: "", level: "", q: "" });
    fromControls();
  });
  $("#expand").addEventListener("click", () => {
    for (const el of scenarios) if (!el.hidden) el.open = true;
  });
  $("#collapse").addEventListener("click", () => {
    for (const el of scenarios) el.open = false;
  });
  // "only" links next to each chip: that value alone.
  for (const a of $$("a.only")) {
    a.addEventListener("click", (e) => {
      e.preventDefault();
      for (const i of $$(a.dataset.scope + " input")) i.checked = i.value === a.dataset.value;
      fromControls();
    });
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
  document.body.dataset.ready = "yes";
})();
