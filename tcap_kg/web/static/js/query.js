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
  const editor = window.TcapEditor
    ? window.TcapEditor.fromTextarea(textarea, { label: strings.editor_label, terms: config.terms, prefixes: config.prefixes })
    : null;
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
    if (iri.startsWith(config.idBase)) return "/doc/" + iri.slice(config.idBase.length);
    if (iri.startsWith(config.ontologyBase)) return "/ontology.html#" + iri.slice(config.ontologyBase.length);
    return iri;
  }

  function termCell(term) {
    const cell = make("td");
    if (!term) return cell;
    if (term.type === "uri") {
      cell.append(make("a", { href: localHref(term.value), title: term.value, "data-iri": term.value }, term.value));
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

  function showError(kind, status, detail, line, column) {
    const where = line ? make("p", { class: "error-where" }, say("error_at", line).replace("{column}", String(column || 1))) : "";
    body.replaceChildren(
      make(
        "div",
        { class: "error-box", role: "alert" },
        make("h3", {}, strings.error),
        make("p", {}, make("span", { class: "badge badge-error" }, kind), " ", make("span", { class: "muted" }, "HTTP " + status)),
        where,
        make("pre", { class: "error-message" }, detail),
      ),
    );
    if (editor && line) editor.markError(line, detail);
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
      const tableView = make("div", { class: "table-scroll", id: "results-table" }, table);
      const views = resultViews(variables, shown, tableView);
      if (views) parts.push(views);
      parts.push(tableView);
      window.Tcap.makeSortable(table);
      addLabels(table);
    }
    body.replaceChildren(...parts);
    if (pendingView) {
      const button = body.querySelector(`[data-view="${pendingView}"]`);
      pendingView = null;
      if (button) button.click();
    }
  }

  // Labels for the IRIs in a result table, asked of the endpoint in one query; the IRI stays
  // the link's target and title.
  async function addLabels(table) {
    const links = Array.from(table.querySelectorAll("a[data-iri]"));
    const iris = [...new Set(links.map((link) => link.dataset.iri))].slice(0, 500);
    if (!iris.length) return;
    const query =
      "SELECT ?n ?label WHERE { VALUES ?n { " + iris.map((iri) => "<" + iri + ">").join(" ") + " } " +
      "?n <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel>|<http://purl.org/dc/terms/title> ?label }";
    try {
      const response = await fetch(config.sparqlUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
        body: new URLSearchParams({ query }),
      });
      if (!response.ok) return;
      const data = await response.json();
      const best = new Map();
      const rank = (tag) => (tag && tag.toLowerCase().startsWith(config.lang) ? 0 : tag && tag.toLowerCase().startsWith("en") ? 1 : !tag ? 2 : 3);
      data.results.bindings.forEach((row) => {
        const iri = row.n.value;
        const tag = row.label["xml:lang"] || "";
        const found = best.get(iri);
        if (!found || rank(tag) < rank(found.tag)) best.set(iri, { text: row.label.value, tag });
      });
      links.forEach((link) => {
        const label = best.get(link.dataset.iri);
        if (label) {
          link.textContent = label.text;
          if (label.tag) link.setAttribute("lang", label.tag);
        }
      });
    } catch (ignored) {
      // labels are a courtesy: the IRIs stay readable as they are
    }
  }

  // A bar chart (a name and a number per row) or a map (latitude and longitude per row) of a
  // SELECT result, drawn with the charts bundle, loaded only when a reader asks for a view.
  let pendingView = null;

  function columns(variables, rows) {
    const numeric = (name) => rows.length > 0 && rows.every((row) => !row[name] || (row[name].type === "literal" && row[name].value !== "" && !Number.isNaN(Number(row[name].value))));
    const lat = variables.find((name) => /^(lat|latitude)$/i.test(name) && numeric(name));
    const long = variables.find((name) => /^(long|lon|lng|longitude)$/i.test(name) && numeric(name));
    const number = variables.find((name) => name !== lat && name !== long && numeric(name));
    const label = variables.find((name) => name !== number && !numeric(name) && rows.some((row) => row[name] && row[name].type === "literal"))
      || variables.find((name) => name !== number && !numeric(name));
    return { lat, long, number, label };
  }

  function resultViews(variables, rows, tableView) {
    const found = columns(variables, rows);
    const views = [];
    if (found.number && found.label) views.push(["bar", strings.view_bar]);
    if (found.lat && found.long) views.push(["map", strings.view_map]);
    if (!views.length) return null;
    const canvas = make("div", { class: "chart-canvas result-chart", id: "result-chart", hidden: "" });
    const bar = make("div", { class: "view-switch", role: "group", "aria-label": strings.views });
    const buttons = [["table", strings.view_table], ...views].map(([view, text]) => {
      const button = make("button", { type: "button", class: "button", "data-view": view, "aria-pressed": view === "table" ? "true" : "false" }, text);
      button.addEventListener("click", () => {
        buttons.forEach((other) => other.setAttribute("aria-pressed", other === button ? "true" : "false"));
        tableView.hidden = view !== "table";
        canvas.hidden = view === "table";
        if (view !== "table") drawView(view, found, rows, canvas);
      });
      return button;
    });
    bar.append(...buttons);
    return make("div", { class: "result-views" }, bar, canvas);
  }

  function chartsLoaded() {
    if (window.TcapCharts) return Promise.resolve(window.TcapCharts);
    return new Promise((resolve, reject) => {
      const script = make("script", { src: config.chartsUrl });
      script.addEventListener("load", () => resolve(window.TcapCharts));
      script.addEventListener("error", reject);
      document.head.append(script);
    });
  }

  function text(term) {
    return term ? term.value : "";
  }

  async function drawView(view, found, rows, canvas) {
    const charts = await chartsLoaded();
    const values = rows.map((row) => ({
      label: text(row[found.label]),
      number: found.number ? Number(text(row[found.number])) : 0,
      lat: found.lat ? Number(text(row[found.lat])) : 0,
      long: found.long ? Number(text(row[found.long])) : 0,
    }));
    const width = Math.max(280, canvas.clientWidth || body.clientWidth);
    const spec = view === "bar"
      ? {
          description: strings.view_bar,
          width, height: { step: 22 },
          data: { values },
          mark: "bar",
          encoding: {
            y: { field: "label", type: "nominal", sort: "-x", title: found.label },
            x: { field: "number", type: "quantitative", title: found.number },
            tooltip: [{ field: "label" }, { field: "number" }],
          },
        }
      : {
          description: strings.view_map,
          width, height: 420,
          projection: { type: "mercator" },
          layer: [
            { data: { url: config.landUrl, format: { type: "topojson", feature: "land" } }, mark: { type: "geoshape", fill: "#f4f1ea", stroke: "#9fb0c0", aria: false } },
            { data: { values }, mark: { type: "circle", size: 90, color: "#b84c00" }, encoding: { longitude: { field: "long", type: "quantitative" }, latitude: { field: "lat", type: "quantitative" }, tooltip: [{ field: "label" }] } },
            { data: { values }, mark: { type: "text", align: "left", dx: 8, fontSize: 12 }, encoding: { longitude: { field: "long", type: "quantitative" }, latitude: { field: "lat", type: "quantitative" }, text: { field: "label" } } },
          ],
        };
    if (view === "map") {
      const longs = values.map((v) => v.long), lats = values.map((v) => v.lat);
      const pad = 4;
      spec.projection.fit = { type: "Feature", geometry: { type: "MultiPoint", coordinates: [[Math.min(...longs) - pad, Math.min(...lats) - pad], [Math.max(...longs) + pad, Math.max(...lats) + pad]] } };
    }
    canvas.replaceChildren();
    const result = await charts.render(canvas, spec);
    const svg = canvas.querySelector("svg");
    if (svg) svg.setAttribute("aria-label", spec.description);
    canvas.classList.add("rendered");
    return result;
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
    if (editor) editor.clearError();
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
        const line = fields.query && Number.isInteger(problem.line) ? problem.line : null;
        showError(problem.kind || problem.title || "error", response.status, problem.detail || response.statusText, line, problem.column);
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

  // Every run gets its own address (the query or the named query with its parameters), so a
  // result can be bookmarked, shared, and reached again with the back button.
  function remember(fields) {
    const address = config.queryUrl + "?" + new URLSearchParams(fields) + "#results";
    if (location.pathname + location.search + location.hash !== address) {
      history.pushState(fields, "", address);
    }
  }

  function runText(query, push) {
    if (editor && window.TcapEditor) {
      const missing = window.TcapEditor.missingPrefixes(query, config.prefixes);
      if (missing.length) {
        query = missing.join("\n") + "\n" + query;
        editor.setValue(query);
      }
    }
    pendingView = (query.match(/#\s*defaultView:\s*(BarChart|Map)/i) || [])[1];
    pendingView = pendingView ? (pendingView.toLowerCase() === "map" ? "map" : "bar") : null;
    if (push) remember({ query });
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
  }

  function runNamed(gallery, push) {
    const fields = { name: gallery.dataset.name };
    const params = new URLSearchParams();
    new FormData(gallery).forEach((value, key) => {
      if (key !== "name" && value !== "") {
        params.append(key, value);
        fields[key] = value;
      }
    });
    if (push) remember(fields);
    const url = config.apiUrl + encodeURIComponent(gallery.dataset.name) + (params.toString() ? "?" + params : "");
    run(url, { headers: { Accept: ACCEPT } }, fields, gallery.dataset.title);
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    runText(editor ? editor.getValue() : textarea.value, true);
  });

  document.querySelectorAll("form.named-query").forEach((gallery) => {
    gallery.addEventListener("submit", (event) => {
      event.preventDefault();
      runNamed(gallery, true);
    });
  });

  // Back and forward: show what the address asks for again.
  window.addEventListener("popstate", () => {
    const params = new URLSearchParams(location.search);
    const name = params.get("name");
    const gallery = name && document.querySelector(`form.named-query[data-name="${CSS.escape(name)}"]`);
    if (gallery) {
      Array.from(gallery.elements).forEach((field) => {
        if (field.name && field.name !== "name") field.value = params.get(field.name) || "";
      });
      runNamed(gallery, false);
    } else if (params.get("query")) {
      if (editor) editor.setValue(params.get("query"));
      runText(params.get("query"), false);
    } else {
      section.hidden = true;
    }
  });
})();
