"use client";
import CodeMirror from "@uiw/react-codemirror";
import { Decoration, EditorView, MatchDecorator, ViewPlugin, type DecorationSet, type ViewUpdate } from "@codemirror/view";
import { useMemo } from "react";

// {{ variables }} and {% tags %} stand out in the editor, so a template's inputs are visible at a glance.
const variableMark = Decoration.mark({ class: "cm-template-variable" });
const tagMark = Decoration.mark({ class: "cm-template-tag" });

const variableDecorator = new MatchDecorator({
  regexp: /\{\{-?[^}]*-?\}\}|\{%-?[^%]*-?%\}/g,
  decoration: (match) => (match[0].startsWith("{%") ? tagMark : variableMark),
});

const templateHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = variableDecorator.createDeco(view);
    }
    update(update: ViewUpdate) {
      this.decorations = variableDecorator.updateDeco(update, this.decorations);
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const theme = EditorView.theme({
  "&": { fontSize: "13px", backgroundColor: "white" },
  ".cm-content": { fontFamily: "var(--font-mono)", padding: "6px 0" },
  ".cm-gutters": { backgroundColor: "#f8fafc", borderRight: "1px solid #e2e8f0", color: "#94a3b8" },
  "&.cm-focused": { outline: "none" },
  ".cm-template-variable": { color: "#1b47a8", backgroundColor: "#d9eaff", borderRadius: "3px", fontWeight: "600" },
  ".cm-template-tag": { color: "#7c3aed", backgroundColor: "#ede9fe", borderRadius: "3px" },
});

export function TemplateEditor(props: {
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  minHeight?: string;
  testId?: string;
  readOnly?: boolean;
}) {
  const extensions = useMemo(() => [templateHighlight, theme, EditorView.lineWrapping], []);
  return (
    <div className="overflow-hidden rounded-md border border-slate-300 focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-100" data-testid={props.testId}>
      <CodeMirror
        value={props.value}
        onChange={props.onChange}
        extensions={extensions}
        placeholder={props.placeholder}
        readOnly={props.readOnly}
        minHeight={props.minHeight ?? "72px"}
        basicSetup={{ lineNumbers: true, foldGutter: false, highlightActiveLine: false, highlightActiveLineGutter: false, autocompletion: false }}
      />
    </div>
  );
}
