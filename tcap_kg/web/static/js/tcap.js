// Progressive enhancement shared by every page: sortable tables and the Vega-Lite charts.
// Without this script the tables are still there (unsorted) and every chart's data is in a table.
(function () {
  "use strict";

  function sortKey(cell) {
    if (!cell) return { text: "" };
    const raw = cell.dataset.sortValue !== undefined ? cell.dataset.sortValue : cell.textContent.trim();
    const number = Number(raw);
    return raw !== "" && !Number.isNaN(number) ? { number } : { text: raw.toLocaleLowerCase() };
  }

  function compareKeys(a, b) {
    if (a.number !== undefined && b.number !== undefined) return a.number - b.number;
    if (a.number !== undefined) return -1;
    if (b.number !== undefined) return 1;
    // The page's language picks the collation: Chinese sorts by pinyin.
    return a.text.localeCompare(b.text, document.documentElement.lang || undefined);
  }

  function sortBy(table, index, header) {
    const ascending = header.getAttribute("aria-sort") !== "ascending";
    Array.from(table.tHead.rows[0].cells).forEach((cell) => cell.removeAttribute("aria-sort"));
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    rows.sort((r1, r2) => {
      const order = compareKeys(sortKey(r1.cells[index]), sortKey(r2.cells[index]));
      return ascending ? order : -order;
    });
    rows.forEach((row) => body.appendChild(row));
  }

  function makeSortable(table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.from(table.tHead.rows[0].cells).forEach((header, index) => {
      if (header.querySelector("button.sort")) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (header.firstChild) button.appendChild(header.firstChild);
      header.appendChild(button);
      button.addEventListener("click", () => sortBy(table, index, header));
    });
  }

  // Charts sized to their container get the container's width in pixels from here, not from
  // Vega: Vega measures the container once, and a container still 0 px wide at that moment (layout
  // not settled under load) fits the map's projection to nothing and draws NaN paths. A chart
  // waits until its container has a width, and is drawn again when a window resize changes it.
  const drawn = new Map();

  function whenSized(element, draw) {
    if (element.clientWidth > 0 || !window.ResizeObserver) {
      draw();
      return;
    }
    const observer = new ResizeObserver(() => {
      if (element.clientWidth > 0) {
        observer.disconnect();
        draw();
      }
    });
    observer.observe(element);
  }

  function renderCharts() {
    const charts = window.TcapCharts;
    if (!charts) return;
    document.querySelectorAll("[data-chart-spec]").forEach((element) => {
      const source = document.getElementById(element.dataset.chartSpec);
      if (!source) return;
      whenSized(element, () => renderChart(charts, element, source));
    });
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => {
        drawn.forEach((chart, element) => {
          if (element.clientWidth > 0 && Math.abs(element.clientWidth - chart.width) > 8) {
            chart.result.finalize();
            renderChart(charts, element, chart.source);
          }
        });
      }, 200);
    });
  }

  function renderChart(charts, element, source) {
    const spec = JSON.parse(source.textContent);
    const width = element.clientWidth;
    if (spec.width === "container") {
      spec.width = width;
      spec.autosize = Object.assign({ type: "fit", contains: "padding" }, spec.autosize);
    }
    // On narrow screens long axis labels would leave no room for the marks: charts that have a
    // compact form (notations instead of names) use it, the others cut their labels.
    const narrow = width < 560;
    if (narrow && spec.usermeta && spec.usermeta.compact) {
      Object.entries(spec.usermeta.compact).forEach(([channel, encoding]) => {
        spec.encoding[channel] = Object.assign({}, spec.encoding[channel], encoding);
      });
    }
    const labelRoom = Math.max(70, Math.round(width * 0.38));
    spec.config = spec.config || {};
    spec.config.axisY = Object.assign({ labelLimit: labelRoom }, spec.config.axisY);
    spec.config.legend = Object.assign({}, spec.config.legend, { labelLimit: Math.max(120, width - 60) });
    charts
      .render(element, spec)
      .then((result) => {
        drawn.set(element, { source, width, result });
        // Vega draws the marks; the chart as a whole gets its accessible name here.
        const svg = element.querySelector("svg");
        if (svg) {
          svg.setAttribute("role", "graphics-document document");
          svg.setAttribute("aria-label", spec.description || "");
        }
        element.classList.add("rendered");
        // Tests and curious readers can see when the page's charts were all drawn.
        if (!document.querySelector("[data-chart-spec]:not(.rendered)") && window.performance) {
          performance.mark("tcap-charts-drawn");
        }
      })
      .catch((error) => {
        element.classList.add("failed");
        console.error("chart", element.id, error);
      });
  }

  window.Tcap = { makeSortable };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("table.sortable").forEach(makeSortable);
    renderCharts();
  });
})();
