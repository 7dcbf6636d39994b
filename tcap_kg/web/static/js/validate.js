// The validate page with JavaScript: post the form as it is (the chosen files, or the pasted
// text with its format) to POST /validate and show the HTML report in this page, so findings
// name each file by its own name. Without JavaScript the form posts the same to the same URL.
(function () {
  "use strict";
  const TYPES = {
    ttl: "text/turtle", trig: "application/trig", nt: "application/n-triples", nq: "application/n-quads",
    jsonld: "application/ld+json", json: "application/ld+json", rdf: "application/rdf+xml",
    owl: "application/rdf+xml", xml: "application/rdf+xml", csv: "text/csv",
  };
  const form = document.getElementById("validate-form");
  const fileInput = document.getElementById("validate-file");
  const format = document.getElementById("validate-format");
  const report = document.getElementById("validate-report");
  const target = report.querySelector(".report-body");

  fileInput.addEventListener("change", () => {
    const file = fileInput.files[0];
    const extension = file ? file.name.split(".").pop().toLowerCase() : "";
    const type = TYPES[extension];
    if (!type) return;
    Array.from(format.options).forEach((option, index) => {
      if (option.dataset.mediaType === type) format.selectedIndex = index;
    });
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData(form);
    if (fileInput.files.length) body.delete("text");
    report.hidden = false;
    report.setAttribute("aria-busy", "true");
    target.replaceChildren(document.createTextNode("…"));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { Accept: "text/html" },
        body: body,
      });
      const type = response.headers.get("Content-Type") || "";
      if (type.includes("text/html")) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const main = page.querySelector(".validation-report") || page.querySelector("main") || page.body;
        if (main.matches(".validation-report")) main.removeAttribute("aria-labelledby");
        const nodes = main.matches(".validation-report") ? [main] : Array.from(main.childNodes);
        target.replaceChildren(...nodes.map((node) => document.importNode(node, true)));
      } else {
        let detail = await response.text();
        try {
          const problem = JSON.parse(detail);
          detail = [problem.detail || detail, problem.excerpt].filter(Boolean).join("\n");
        } catch (ignored) {
          // not JSON: show the text as it is
        }
        const box = document.createElement("div");
        box.className = "error-box";
        box.setAttribute("role", "alert");
        const pre = document.createElement("pre");
        pre.className = "error-message";
        pre.textContent = "HTTP " + response.status + ": " + detail;
        box.append(pre);
        target.replaceChildren(box);
      }
    } catch (error) {
      target.replaceChildren(document.createTextNode(String(error)));
    } finally {
      report.removeAttribute("aria-busy");
      report.scrollIntoView({ block: "start" });
    }
  });
})();
