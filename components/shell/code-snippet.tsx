"use client";
import { useState } from "react";

// A code snippet to copy (the release's "Call it", a student's "Use it"): the text in a dark block with a Copy
// button; without clipboard access (plain http on another host) it says how to copy by hand.
export function CodeSnippet(props: { snippet: string; testId: string }) {
  const [copied, setCopied] = useState<"yes" | "no" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.snippet);
      setCopied("yes");
    } catch (error) {
      // no clipboard permission (plain http on another host): the snippet stays selectable
      console.warn("clipboard unavailable", error);
      setCopied("no");
    }
  }

  return (
    <>
      <div className="relative">
        <pre className="overflow-x-auto rounded-md bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100" data-testid={props.testId}>{props.snippet}</pre>
        <button type="button" className="btn absolute right-2 top-2 px-2 py-0.5 text-xs" onClick={copy}>{copied === "yes" ? "Copied" : "Copy"}</button>
      </div>
      {copied === "no" && <p className="text-xs text-slate-500">Select the snippet and press Ctrl+C.</p>}
    </>
  );
}
