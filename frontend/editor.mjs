// The SPARQL editor of the query page: CodeMirror 6 with the SPARQL mode, bundled by
// hatch_build.py into tcap_kg/web/static/vendor/editor.js (global `TcapEditor`).
// It upgrades a <textarea> in place and keeps it in sync, so the surrounding form still
// submits the query the same way with or without JavaScript. It completes prefixes and the
// ontology's terms (adding the PREFIX line a completed name needs), and marks the line of a
// syntax error the endpoint reports.
import {
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
} from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  StreamLanguage,
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { EditorState, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";

const setError = StateEffect.define();

// The line of the last syntax error, as a line decoration; any edit clears it.
const errorLine = StateField.define({
  create: () => Decoration.none,
  update(marks, transaction) {
    if (transaction.docChanged) return Decoration.none;
    for (const effect of transaction.effects) {
      if (effect.is(setError)) {
        if (effect.value === null) return Decoration.none;
        const line = transaction.state.doc.line(effect.value.line);
        return Decoration.set([
          Decoration.line({
            attributes: { class: "cm-error-line", title: effect.value.message },
          }).range(line.from),
        ]);
      }
    }
    return marks;
  },
  provide: (field) => EditorView.decorations.from(field),
});

// PREFIX lines the text lacks for the prefixed names it uses (of the known prefixes only).
export function missingPrefixes(text, prefixes) {
  const declared = new Set();
  for (const match of text.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:/gi)) declared.add(match[1] || "");
  // Names outside IRIs, strings and comments: drop those first.
  const code = text
    .replace(/#[^\n]*/g, " ")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, " ")
    .replace(/<[^<>\s]*>/g, " ");
  const used = new Set();
  for (const match of code.matchAll(/(?:^|[\s(){}.;,/^|!*+?=])([A-Za-z][\w-]*):(?=[A-Za-z0-9_]|\s)/g)) {
    used.add(match[1]);
  }
  return [...used]
    .filter((name) => !declared.has(name) && Object.prototype.hasOwnProperty.call(prefixes, name))
    .sort()
    .map((name) => `PREFIX ${name}: <${prefixes[name]}>`);
}

function completionSource(terms, prefixes) {
  const prefixOptions = Object.entries(prefixes).map(([name, iri]) => ({
    label: `PREFIX ${name}: <${iri}>`,
    type: "keyword",
    apply: `PREFIX ${name}: <${iri}>\n`,
  }));
  const termOptions = terms.map((term) => ({
    label: term.name,
    detail: term.label,
    type: term.kind === "class" ? "class" : term.kind === "concept" ? "constant" : "property",
    apply: (view, completion, from, to) => {
      const prefix = term.name.split(":")[0];
      const changes = [{ from, to, insert: term.name }];
      const text = view.state.doc.toString();
      if (missingPrefixes(`${text.slice(0, from)}${term.name} ${text.slice(to)}`, prefixes).includes(`PREFIX ${prefix}: <${prefixes[prefix]}>`)) {
        changes.push({ from: 0, insert: `PREFIX ${prefix}: <${prefixes[prefix]}>\n` });
      }
      view.dispatch({ changes });
    },
  }));
  return (context) => {
    const line = context.matchBefore(/PREFIX\s+\w*$/i);
    if (line) return { from: line.from, options: prefixOptions, validFor: /^PREFIX\s+\w*$/i };
    const word = context.matchBefore(/[A-Za-z][\w-]*:[\w-]*/);
    if (word) return { from: word.from, options: termOptions, validFor: /^[A-Za-z][\w-]*:[\w-]*$/ };
    if (!context.explicit) return null;
    return { from: context.pos, options: [...termOptions, ...prefixOptions] };
  };
}

function fromTextarea(textarea, options = {}) {
  const onSubmit = options.onSubmit || (() => textarea.form && textarea.form.requestSubmit());
  const submitKeys = [
    { key: "Mod-Enter", run: () => { onSubmit(); return true; } },
  ];
  const view = new EditorView({
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        closeBrackets(),
        autocompletion({ override: [completionSource(options.terms || [], options.prefixes || {})] }),
        errorLine,
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        keymap.of([...submitKeys, ...closeBracketsKeymap, ...completionKeymap, ...defaultKeymap, ...historyKeymap]),
        EditorView.lineWrapping,
        EditorView.updateListener.of((update) => {
          if (update.docChanged) textarea.value = update.state.doc.toString();
        }),
        EditorView.contentAttributes.of({
          "aria-label": options.label || textarea.getAttribute("aria-label") || "SPARQL query",
          "aria-multiline": "true",
        }),
      ],
    }),
  });
  textarea.parentNode.insertBefore(view.dom, textarea);
  textarea.hidden = true;
  return {
    view,
    getValue: () => view.state.doc.toString(),
    setValue: (text) => {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
    markError: (line, message) => {
      const number = Math.min(Math.max(1, line), view.state.doc.lines);
      view.dispatch({ effects: setError.of({ line: number, message: message || "" }) });
    },
    clearError: () => view.dispatch({ effects: setError.of(null) }),
    focus: () => view.focus(),
  };
}

globalThis.TcapEditor = { fromTextarea, missingPrefixes };
