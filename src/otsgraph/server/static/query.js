// The query page: runs the editor's query against /sparql and shows the answer as a table.
// Every value is put in the page with textContent (never innerHTML), and only http(s) IRIs
// become links, so a literal in the data cannot inject markup or a javascript: link.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("client-data").textContent);
  const S = data.strings;
  const editor = document.getElementById("query");
  const form = document.getElementById("query-form");
  const statusLine = document.getElementById("status");
  const results = document.getElementById("results");
  const downloads = document.getElementById("downloads");
  const permalink = document.getElementById("permalink");
  const MAX_ROWS = 2000;
  const RESULT_FORMATS = ["json", "xml", "csv", "tsv"];
  const GRAPH_FORMATS = ["turtle", "ntriples", "jsonld", "rdfxml"];
  const initial = editor.value;
  let ran = false;

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, key) => String(values[key]));
  }

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function compact(iri) {
    for (const [prefix, ns] of Object.entries(data.prefixes)) {
      if (iri.startsWith(ns) && iri.length > ns.length) return prefix + ":" + iri.slice(ns.length);
    }
    return iri;
  }

  function safeHref(iri) {
    return /^https?:\/\//i.test(iri) ? iri : null;
  }

  function queryUrl(params) {
    return data.root + "/?" + new URLSearchParams(params).toString();
  }

  // ---- N-Triples, for CONSTRUCT and DESCRIBE answers
  const TERM = /\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)/y;
  function unescape(text) {
    return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, e) => {
      if (e[0] === "u" || e[0] === "U") return String.fromCodePoint(parseInt(e.slice(1), 16));
      return { t: "\t", n: "\n", r: "\r", b: "\b", f: "\f" }[e] || e;
    });
  }
  function ntTerm(text) {
    if (text[0] === "<") return { type: "uri", value: unescape(text.slice(1, -1)) };
    if (text.startsWith("_:")) return { type: "bnode", value: text.slice(2) };
    const end = text.lastIndexOf('"');
    const term = { type: "literal", value: unescape(text.slice(1, end)) };
    const rest = text.slice(end + 1);
    if (rest.startsWith("@")) term["xml:lang"] = rest.slice(1);
    else if (rest.startsWith("^^")) term.datatype = rest.slice(3, -1);
    return term;
  }
  function parseNTriples(body) {
    const bindings = [];
    for (const line of body.split("\n")) {
      if (!line.trim() || line.trim().startsWith("#")) continue;
      TERM.lastIndex = 0;
      const terms = [];
      for (let i = 0; i < 3; i++) {
        const match = TERM.exec(line);
        if (!match) break;
        terms.push(ntTerm(match[1]));
      }
      if (terms.length === 3) bindings.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
    return { head: { vars: ["subject", "predicate", "object"] }, results: { bindings } };
  }

  // ---- labels for the IRIs of a table, in the page's language
  async function fetchLabels(iris) {
    if (!iris.length) return {};
    try {
      const response = await fetch(data.root + "/api/labels", {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ lang: data.lang, iris: iris.slice(0, 5000) }),
      });
      if (!response.ok) return {};
      return (await response.json()).labels || {};
    } catch (err) {
      return {};
    }
  }

  function cell(term, labels) {
    const td = el("td");
    if (!term) return td;
    if (term.type === "uri") {
      const known = labels[term.value];
      const href = known ? known.href : safeHref(term.value);
      const text = known ? known.label : compact(term.value);
      const node = href ? el("a", text) : el("span", text);
      if (href) node.href = href;
      node.title = term.value;
      td.appendChild(node);
    } else if (term.type === "literal" || term.type === "typed-literal") {
      td.appendChild(el("span", term.value, "literal"));
      const note = term["xml:lang"] || (term.datatype && !term.datatype.endsWith("#string") ? compact(term.datatype) : "");
      if (note) {
        td.appendChild(document.createTextNode(" "));
        td.appendChild(el("small", note, "note"));
      }
    } else {
      td.appendChild(el("span", "_:" + term.value, "bnode"));
    }
    return td;
  }

  async function showTable(answer) {
    const vars = answer.head.vars || [];
    const rows = answer.results.bindings;
    const shown = rows.slice(0, MAX_ROWS);
    const iris = new Set();
    for (const row of shown) for (const v of vars) if (row[v] && row[v].type === "uri") iris.add(row[v].value);
    const labels = await fetchLabels([...iris]);
    const table = el("table", null, "results");
    const head = table.createTHead().insertRow();
    for (const v of vars) head.appendChild(el("th", v));
    const body = table.createTBody();
    for (const row of shown) {
      const tr = body.insertRow();
      for (const v of vars) tr.appendChild(cell(row[v], labels));
    }
    results.replaceChildren(table);
    if (!rows.length) results.replaceChildren(el("p", S.no_results));
    if (rows.length > MAX_ROWS) results.appendChild(el("p", fill(S.truncated, { n: MAX_ROWS }), "help"));
    return rows.length;
  }

  function showDownloads(query, formats) {
    downloads.replaceChildren(document.createTextNode(S.download + ": "));
    for (const format of formats) {
      const a = el("a", format.toUpperCase());
      a.href = data.root + "/sparql?" + new URLSearchParams({ query, format }).toString();
      a.setAttribute("download", "");
      downloads.appendChild(a);
    }
    downloads.hidden = false;
  }

  async function run() {
    ran = true;
    const query = editor.value;
    const link = queryUrl({ query, lang: data.lang });
    permalink.href = link;
    history.replaceState(null, "", link);
    statusLine.className = "status";
    statusLine.textContent = S.running;
    downloads.hidden = true;
    const started = performance.now();
    let response;
    try {
      response = await fetch(data.root + "/sparql", {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/sparql-results+json, application/n-triples;q=0.9",
        },
        body: new URLSearchParams({ query }).toString(),
      });
    } catch (err) {
      statusLine.className = "status error";
      statusLine.textContent = S.error + ": " + err;
      return;
    }
    const type = response.headers.get("Content-Type") || "";
    const body = await response.text();
    if (!response.ok) {
      let message = body;
      try { message = JSON.parse(body).message || body; } catch (err) { /* plain text */ }
      statusLine.className = "status error";
      statusLine.textContent = S.error + " " + response.status + ": " + message;
      results.replaceChildren();
      return;
    }
    const ms = Math.round(performance.now() - started);
    if (type.includes("application/n-triples")) {
      const count = await showTable(parseNTriples(body));
      showDownloads(query, GRAPH_FORMATS);
      statusLine.textContent = fill(S.rows, { n: count, ms });
      return;
    }
    const answer = JSON.parse(body);
    showDownloads(query, RESULT_FORMATS);
    if (typeof answer.boolean === "boolean") {
      results.replaceChildren(el("p", answer.boolean ? S.yes : S.no, "boolean"));
      statusLine.textContent = fill(S.rows, { n: 1, ms });
      return;
    }
    const count = await showTable(answer);
    statusLine.textContent = fill(S.rows, { n: count, ms });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });

  // keyboard: Ctrl/Cmd+Enter runs; Tab indents; Esc then Tab leaves the editor (no keyboard trap)
  let escaped = false;
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Escape") {
      escaped = true;
    } else if (event.key === "Tab" && !escaped && !event.shiftKey) {
      event.preventDefault();
      const { selectionStart: start, selectionEnd: end } = editor;
      editor.setRangeText("  ", start, end, "end");
    } else {
      escaped = false;
    }
  });
  editor.addEventListener("blur", () => { escaped = false; });

  // examples load into the editor without leaving the page
  for (const link of document.querySelectorAll("[data-example]")) {
    link.addEventListener("click", (event) => {
      const text = data.examples[link.dataset.example];
      if (text === undefined) return;
      event.preventDefault();
      editor.value = text;
      for (const other of document.querySelectorAll("[data-example]")) other.removeAttribute("aria-current");
      link.setAttribute("aria-current", "true");
      permalink.href = queryUrl({ query: text, lang: data.lang });
      editor.focus();
    });
  }

  // the language switch keeps the query being edited, and re-runs it in the new language
  for (const link of document.querySelectorAll(".languages a[data-lang]")) {
    link.addEventListener("click", (event) => {
      if (editor.value === initial && !data.autorun && !ran) return;
      event.preventDefault();
      location.href = queryUrl({ query: editor.value, lang: link.dataset.lang });
    });
  }

  // show the chosen example in its list, without scrolling the page itself
  const current = document.querySelector("[data-example][aria-current]");
  const list = document.querySelector(".examples ul");
  if (current && list) list.scrollTop = current.offsetTop - list.offsetTop - 40;
  if (data.autorun) run();
})();
