"use client";
import Link from "next/link";
import { useCallback, useEffect, useRef, useState } from "react";
import type { ReviewItem, StoredVote } from "@/lib/compare/votes";
import { api, errorText } from "@/lib/ui/api";

// Blind review: one case at a time, the two outputs in an order the server drew at random, with no variant names.
// ← / 1 picks the left one, → / 2 the right one, ↓ / 3 calls a tie; U or Backspace takes the last vote back.

type Choice = "left" | "right" | "tie";

function formatVariables(variables: unknown): [string, string][] {
  if (!variables || typeof variables !== "object" || Array.isArray(variables)) return [["input", JSON.stringify(variables)]];
  return Object.entries(variables as Record<string, unknown>).map(([name, value]) => [name, typeof value === "string" ? value : JSON.stringify(value, null, 2)]);
}

export function ReviewMode({ a, b, backHref }: { a: string; b: string; backHref: string }) {
  const [item, setItem] = useState<ReviewItem | null>(null);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(true);
  const [saving, setSaving] = useState<Choice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showReference, setShowReference] = useState(false);
  const [history, setHistory] = useState<{ vote: StoredVote; item: ReviewItem }[]>([]);
  const [count, setCount] = useState(0);
  const busy = useRef(false);

  const load = useCallback(async () => {
    setLoading(true);
    setError(null);
    try {
      const { item: next } = await api<{ item: ReviewItem | null }>(`/api/votes/next?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
      setItem(next);
      setDone(next === null);
      setShowReference(false);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setLoading(false);
    }
  }, [a, b]);

  useEffect(() => {
    void load();
  }, [load]);

  const vote = useCallback(
    async (choice: Choice) => {
      if (!item || busy.current) return;
      busy.current = true;
      setSaving(choice);
      try {
        const stored = await api<StoredVote>("/api/votes", {
          body: { variantAId: a, variantBId: b, caseId: item.caseId, repeat: item.repeat, leftVariantId: item.leftVariantId, choice },
        });
        setHistory((current) => [...current.slice(-49), { vote: stored, item }]);
        setCount((value) => value + 1);
        await load();
      } catch (caught) {
        setError(errorText(caught));
      } finally {
        busy.current = false;
        setSaving(null);
      }
    },
    [a, b, item, load],
  );

  const undo = useCallback(async () => {
    const last = history.at(-1);
    if (!last || busy.current) return;
    busy.current = true;
    try {
      await api(`/api/votes/${last.vote.id}`, { method: "DELETE" });
      setHistory((current) => current.slice(0, -1));
      setCount((value) => Math.max(0, value - 1));
      // The same case comes back with the same sides, so the reviewer sees exactly what they voted on.
      setItem({ ...last.item, progress: { ...last.item.progress } });
      setDone(false);
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      busy.current = false;
    }
  }, [history]);

  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement) return;
      const map: Record<string, Choice> = { ArrowLeft: "left", "1": "left", ArrowRight: "right", "2": "right", ArrowDown: "tie", "3": "tie" };
      const choice = map[event.key];
      if (choice) {
        event.preventDefault();
        void vote(choice);
      } else if (event.key === "u" || event.key === "Backspace") {
        event.preventDefault();
        void undo();
      } else if (event.key === "r") {
        setShowReference((value) => !value);
      }
    }
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [vote, undo]);

  const progress = item?.progress;
  return (
    <div className="mx-auto max-w-7xl space-y-4 p-6" data-testid="review-mode">
      <div className="flex flex-wrap items-center gap-3">
        <div className="min-w-[240px] flex-1">
          <div className="mb-1 flex justify-between text-xs text-slate-600">
            <span data-testid="review-progress">{progress ? `${progress.voted.toLocaleString("en-US")} of ${progress.total.toLocaleString("en-US")} cases reviewed` : done ? "All cases reviewed" : "…"}</span>
            <span>{count} this session</span>
          </div>
          <div className="h-1.5 overflow-hidden rounded-full bg-slate-200">
            <div className="h-full bg-brand-600 transition-all" style={{ width: `${progress && progress.total > 0 ? (progress.voted / progress.total) * 100 : done ? 100 : 0}%` }} />
          </div>
        </div>
        <div className="flex items-center gap-3 text-xs text-slate-500" aria-label="Keyboard shortcuts">
          {[["←", "1", "left"], ["→", "2", "right"], ["↓", "3", "tie"], ["U", null, "undo"]].map(([arrow, digit, label]) => (
            <span key={label} className="inline-flex items-center gap-1">
              <kbd className="rounded border border-slate-300 bg-white px-1.5 py-0.5 font-mono text-xs text-slate-700 shadow-xs">{arrow}</kbd>
              {digit && <kbd className="rounded border border-slate-300 bg-white px-1.5 py-0.5 font-mono text-xs text-slate-700 shadow-xs">{digit}</kbd>}
              {label}
            </span>
          ))}
        </div>
        <button className="btn px-2 py-1 text-xs" onClick={() => void undo()} disabled={history.length === 0}>Undo last vote</button>
        <Link className="btn px-2 py-1 text-xs" href={backHref}>Back to the comparison</Link>
      </div>

      {error && <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{error}</p>}

      {done && !item && (
        <div className="card p-8 text-center" data-testid="review-done">
          <h2 className="text-base font-semibold">Every case has your vote</h2>
          <p className="mt-1 text-sm text-slate-600">The win rate with its interval and sign test is on the comparison. Undo brings back the last case if you want to change it.</p>
          <Link className="btn-primary mt-4" href={backHref}>See the result</Link>
        </div>
      )}

      {item && (
        <>
          <section className="card p-4" data-testid="review-input">
            <div className="mb-1 flex items-center justify-between">
              <h2 className="text-xs font-medium uppercase tracking-wide text-slate-500">Input</h2>
              {item.expected !== null && (
                <button className="text-xs text-brand-700 hover:underline" onClick={() => setShowReference((value) => !value)}>
                  {showReference ? "Hide" : "Show"} the reference answer <span className="kbd">R</span>
                </button>
              )}
            </div>
            <dl className="max-h-48 space-y-2 overflow-auto text-sm">
              {formatVariables(item.variables).map(([name, value]) => (
                <div key={name} className="grid grid-cols-[120px_1fr] items-baseline gap-2">
                  <dt className="truncate font-mono text-xs text-slate-500">{name}</dt>
                  <dd className="whitespace-pre-wrap break-words text-slate-800">{value}</dd>
                </div>
              ))}
            </dl>
            {showReference && item.expected !== null && (
              <div className="mt-2 rounded bg-slate-50 p-2 text-sm">
                <div className="text-xs font-medium text-slate-500">Reference answer</div>
                <div className="whitespace-pre-wrap break-words text-slate-800">{item.expected}</div>
              </div>
            )}
          </section>
          <div className={`grid grid-cols-2 gap-4 ${loading ? "opacity-60" : ""}`}>
            {(["left", "right"] as const).map((side) => (
              <button
                key={side}
                onClick={() => void vote(side)}
                disabled={loading || saving !== null}
                className={`card flex min-h-[260px] flex-col p-0 text-left transition hover:border-brand-500 hover:ring-2 hover:ring-brand-100 ${saving === side ? "border-brand-600 ring-2 ring-brand-200" : ""}`}
                data-testid={`review-${side}`}
              >
                <div className="flex items-center justify-between border-b border-slate-100 px-4 py-2 text-xs text-slate-500">
                  <span className="font-semibold uppercase tracking-wide">{side === "left" ? "Left" : "Right"}</span>
                  <span><span className="kbd">{side === "left" ? "←" : "→"}</span> or <span className="kbd">{side === "left" ? "1" : "2"}</span></span>
                </div>
                <div className="max-h-[55vh] flex-1 overflow-auto whitespace-pre-wrap break-words px-4 py-3 text-sm leading-relaxed text-slate-900">
                  {(side === "left" ? item.left : item.right) || <span className="italic text-slate-400">(empty output)</span>}
                </div>
              </button>
            ))}
          </div>
          <div className="flex justify-center">
            <button className={`btn px-6 ${saving === "tie" ? "border-brand-600" : ""}`} onClick={() => void vote("tie")} disabled={loading || saving !== null} data-testid="review-tie">
              Tie — equally good or equally bad <span className="kbd">↓</span> <span className="kbd">3</span>
            </button>
          </div>
          <p className="text-center text-xs text-slate-400">Case {item.key} · sides drawn at random for each case; the variants are not named until you go back.</p>
        </>
      )}
    </div>
  );
}
