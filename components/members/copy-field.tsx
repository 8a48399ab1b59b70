"use client";
import { useRef, useState } from "react";

/** A read-only field with a Copy button: the invitation link, shown once after it is made. */
export function CopyField(props: { value: string; testId: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "select" | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied("yes");
    } catch (error) {
      // No clipboard permission (an http:// address other than localhost): select the text for Ctrl+C instead.
      console.warn("clipboard unavailable", error);
      input.current?.select();
      setCopied("select");
    }
  }

  return (
    <div className="flex items-center gap-2">
      <input ref={input} className="input font-mono text-xs" readOnly value={props.value} onFocus={(event) => event.target.select()} data-testid={props.testId} />
      <button type="button" className="btn shrink-0" onClick={copy} data-testid={`${props.testId}-copy`}>
        {copied === "yes" ? "Copied" : "Copy"}
      </button>
      {copied === "select" && <span className="text-xs text-slate-500">Press Ctrl+C</span>}
    </div>
  );
}
