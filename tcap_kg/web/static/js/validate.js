// The validate page with JavaScript: send the file or the pasted text as the request body with
// its media type (what POST /validate expects) and show the HTML report in this page.
// Without JavaScript the form posts multipart/form-data to the same URL.
(function () {
  "use strict";
  const TYPES = {
    ttl: "text/turtle", trig: "application/trig", nt: "application/n-triples", nq: "application/n-quads",
    jsonld: "application/ld+json", json: "application/ld+json", rdf: "application/rdf+xml",
    owl: "application/rdf+xml", xml: "application/rdf+xml", csv: "text/csv",
  };
  const form = document.getElementById("validate-form");
  const fileInput = document.getElementById("validate-file");
  const text = document.getElementById("validate-text");
  const format = document.getElementById("validate-format");
  const report = document.getElementById("validate-report");
  const target = report.querySelector(".report-body");

  function chosenType() {
    return format.options[format.selectedIndex].dataset.mediaType;
  }

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
    const file = fileInput.files[0];
    const content = file || text.value;
    report.hidden = false;
    report.setAttribute("aria-busy", "true");
    target.replaceChildren(document.createTextNode("…"));
    try {
      const response = await fetch(form.action, {
        method: "POST",
        headers: { "Content-Type": chosenType(), Accept: "text/html" },
        body: content,
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
          detail = JSON.parse(detail).detail || detail;
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
