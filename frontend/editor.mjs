// The SPARQL editor of the query page: CodeMirror 6 with the SPARQL mode, bundled by
// hatch_build.py into tcap_kg/web/static/vendor/editor.js (global `TcapEditor`).
// It upgrades a <textarea> in place and keeps it in sync, so the surrounding form still
// submits the query the same way with or without JavaScript.
import { closeBrackets, closeBracketsKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import {
  StreamLanguage,
  bracketMatching,
  defaultHighlightStyle,
  indentOnInput,
  syntaxHighlighting,
} from "@codemirror/language";
import { sparql } from "@codemirror/legacy-modes/mode/sparql";
import { EditorState } from "@codemirror/state";
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from "@codemirror/view";

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
        StreamLanguage.define(sparql),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        keymap.of([...submitKeys, ...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap]),
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
    focus: () => view.focus(),
  };
}

globalThis.TcapEditor = { fromTextarea };
