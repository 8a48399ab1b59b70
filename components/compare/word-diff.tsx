"use client";
import { diffWordsWithSpace } from "diff";

// Word-level difference between the two outputs of a case: each side shows its own text, with the words the other
// side lacks marked (red on A's side, green on B's side).

export interface DiffPart {
  kind: "equal" | "removed" | "added";
  text: string;
}

/** Long outputs can make a word diff slow; past the budget the texts are shown without marks. */
const TIMEOUT_MS = 40;

export function wordDiff(a: string, b: string): DiffPart[] | null {
  if (a === b) return [{ kind: "equal", text: a }];
  const changes = diffWordsWithSpace(a, b, { timeout: TIMEOUT_MS });
  if (!changes) return null;
  return changes.map((change) => ({ kind: change.added ? "added" : change.removed ? "removed" : "equal", text: change.value }));
}

export function DiffText({ parts, side, fallback }: { parts: DiffPart[] | null; side: "a" | "b"; fallback: string }) {
  if (!parts) return <>{fallback}</>;
  return (
    <>
      {parts.map((part, index) => {
        if (part.kind === "equal") return <span key={index}>{part.text}</span>;
        if (side === "a" && part.kind === "removed") {
          return <span key={index} className="rounded-sm bg-red-100 text-red-900 decoration-red-400">{part.text}</span>;
        }
        if (side === "b" && part.kind === "added") {
          return <span key={index} className="rounded-sm bg-emerald-100 text-emerald-900">{part.text}</span>;
        }
        return null;
      })}
    </>
  );
}
