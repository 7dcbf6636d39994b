// The query page with JavaScript: CodeMirror for the editor, and results fetched from the
// SPARQL endpoint (/sparql) and the named-query API (/api/queries/<name>) without leaving the
// page. The markup built here matches templates/_results.html, which serves the same page
// without JavaScript.
(function () {
  "use strict";
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const config = JSON.parse(document.getElementById("query-config").textContent);
  const strings = config.strings;
  const form = document.getElementById("query-form");
  const textarea = document.getElementById("query-text");
  const section = document.getElementById("results");
  const title = document.getElementById("results-title");
  const body = document.getElementById("results-body");
  const editor = window.TcapEditor ? window.TcapEditor.fromTextarea(textarea, { label: strings.editor_label }) : null;
  if (editor) document.body.classList.add("has-editor");

  function say(key, count) {
    return strings[key].replace("{count}", String(count));
  }

  function make(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    });
    children.forEach((child) => node.append(child));
    return node;
  }

  function localHref(iri) {
    if (iri.startsWith(config.cityBase) && /^[a-z0-9][a-z0-9._-]*$/.test(iri.slice(config.cityBase.length))) {
      return "/city/" + iri.slice(config.cityBase.length);
    }
    if (iri.startsWith(config.idBase)) return "/id/" + iri.slice(config.idBase.length);
    if (iri.startsWith(config.ontologyBase)) return "/ontology#" + iri.slice(config.ontologyBase.length);
    return iri;
  }

  function termCell(term) {
    const cell = make("td");
    if (!term) return cell;
    if (term.type === "uri") {
      cell.append(make("a", { href: localHref(term.value), title: term.value }, term.value));
    } else if (term.type === "bnode") {
      cell.append("_:" + term.value);
    } else if (term.type === "triple") {
      cell.append(JSON.stringify(term.value));
    } else if (term["xml:lang"]) {
      cell.append(make("span", { lang: term["xml:lang"] }, term.value));
    } else {
      cell.append(term.value);
      if (term.datatype && /#(integer|decimal|double|float|long|int)$/.test(term.datatype)) {
        cell.className = "num";
        cell.dataset.sortValue = term.value;
      }
    }
    return cell;
  }

  function downloads(fields) {
    const download = make("form", { class: "downloads", action: config.queryUrl, method: "post" });
    Object.entries(fields).forEach(([name, value]) => {
      download.append(make("input", { type: "hidden", name, value }));
    });
    download.append(
      make("button", { type: "submit", name: "download", value: "csv", class: "button" }, strings.download_csv),
      " ",
      make("button", { type: "submit", name: "download", value: "json", class: "button" }, strings.download_json),
    );
    return download;
  }

  function showError(kind, status, detail) {
    body.replaceChildren(
      make(
        "div",
        { class: "error-box", role: "alert" },
        make("h3", {}, strings.error),
        make("p", {}, make("span", { class: "badge badge-error" }, kind), " ", make("span", { class: "muted" }, "HTTP " + status)),
        make("pre", { class: "error-message" }, detail),
      ),
    );
  }

  function showSelect(data, fields, truncated) {
    const variables = data.head.vars || [];
    const bindings = data.results.bindings;
    const shown = bindings.slice(0, config.pageRows);
    const head = make("div", { class: "results-head" }, make("p", { class: "results-count" }, say("rows", bindings.length)), downloads(fields));
    const parts = [head];
    if (truncated || bindings.length > shown.length) parts.push(make("p", { class: "note" }, say("truncated", shown.length)));
    if (!shown.length) {
      parts.push(make("p", {}, strings.no_rows));
    } else {
      const table = make("table", { class: "data sortable results" });
      table.append(make("thead", {}, make("tr", {}, ...variables.map((name) => make("th", { scope: "col" }, name)))));
      const tbody = make("tbody");
      shown.forEach((binding) => tbody.append(make("tr", {}, ...variables.map((name) => termCell(binding[name])))));
      table.append(tbody);
      parts.push(make("div", { class: "table-scroll" }, table));
      window.Tcap.makeSortable(table);
    }
    body.replaceChildren(...parts);
  }

  function showBoolean(value, fields) {
    body.replaceChildren(
      make("div", { class: "results-head" }, make("p", { class: "results-count" }, value ? strings.ask_true : strings.ask_false), downloads(fields)),
    );
  }

  function showGraph(text, fields) {
    body.replaceChildren(
      make("div", { class: "results-head" }, make("p", { class: "results-count" }, strings.graph), downloads(fields)),
      make("pre", { class: "code-block" }, text),
    );
  }

  async function run(url, options, fields, heading) {
    section.hidden = false;
    title.textContent = heading ? strings.results + ": " + heading : strings.results;
    body.setAttribute("aria-busy", "true");
    body.replaceChildren(make("p", { class: "muted" }, strings.running));
    try {
      const response = await fetch(url, options);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        let problem = {};
        try {
          problem = await response.json();
        } catch (ignored) {
          problem = { detail: await response.text().catch(() => "") };
        }
        showError(problem.kind || problem.title || "error", response.status, problem.detail || response.statusText);
      } else if (type.includes("sparql-results+json") || type.includes("application/json")) {
        const data = await response.json();
        if (typeof data.boolean === "boolean") showBoolean(data.boolean, fields);
        else showSelect(data, fields, (response.headers.get("TCap-Truncated") || "").startsWith("true"));
      } else {
        showGraph(await response.text(), fields);
      }
    } catch (error) {
      showError("network", 0, String(error));
    } finally {
      body.removeAttribute("aria-busy");
      section.scrollIntoView({ block: "start" });
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = editor ? editor.getValue() : textarea.value;
    run(
      config.sparqlUrl,
      {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
        body: new URLSearchParams({ query }),
      },
      { query },
      null,
    );
  });

  document.querySelectorAll("form.named-query").forEach((gallery) => {
    gallery.addEventListener("submit", (event) => {
      event.preventDefault();
      const fields = { name: gallery.dataset.name };
      const params = new URLSearchParams();
      new FormData(gallery).forEach((value, key) => {
        if (key !== "name" && value !== "") {
          params.append(key, value);
          fields[key] = value;
        }
      });
      const url = config.apiUrl + encodeURIComponent(gallery.dataset.name) + (params.toString() ? "?" + params : "");
      run(url, { headers: { Accept: ACCEPT } }, fields, gallery.dataset.title);
    });
  });
})();
