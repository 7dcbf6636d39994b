// Charts and the map: Vega-Lite specs built by the server (tcap_kg/web/pages/charts.py),
// drawn here by vega-embed as SVG. Bundled by hatch_build.py into
// tcap_kg/web/static/vendor/charts.js (global `TcapCharts`). Expressions run through
// vega-interpreter, so the pages need no 'unsafe-eval' in their Content-Security-Policy.
import * as vega from "vega";
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";
import * as vegaLite from "vega-lite";

function render(element, spec) {
  return embed(element, spec, {
    renderer: "svg",
    actions: false,
    ast: true,
    expr: expressionInterpreter,
    tooltip: true,
  });
}

globalThis.TcapCharts = { render, vega, vegaLite };
