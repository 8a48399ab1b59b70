"use client";
import Link from "next/link";
import { useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import type { StartHereStep } from "@/lib/workspaces/start-here";
import { useWorkspacePath } from "./use-workspace-path";

// Shown on the prompts page until the member closes it (remembered on their membership, so it stays closed on every
// device): the four steps of the loop, each a link to where the step is done.

export function StartHerePanel(props: { steps: StartHereStep[] }) {
  const inWorkspace = useWorkspacePath();
  const [open, setOpen] = useState(true);
  const [error, setError] = useState<string | null>(null);
  if (!open) return null;

  async function dismiss() {
    setError(null);
    try {
      await api("/api/start-here", { method: "DELETE" });
      setOpen(false);
    } catch (caught) {
      setError(errorText(caught));
    }
  }

  return (
    <section className="card mx-6 mt-6 p-5" data-testid="start-here" aria-labelledby="start-here-title">
      <div className="flex items-start justify-between gap-4">
        <div>
          <h2 id="start-here-title" className="text-base font-semibold">Start here</h2>
          <p className="mt-0.5 text-sm text-slate-500">The whole loop in four steps, on the demo workspace and the local models: nothing leaves this machine.</p>
        </div>
        <button type="button" className="text-sm text-slate-500 hover:text-slate-800" onClick={() => void dismiss()} data-testid="start-here-dismiss">
          Close
        </button>
      </div>
      {error && <p role="alert" className="mt-2 text-sm text-red-600">{error}</p>}
      <ol className="mt-4 grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-4">
        {props.steps.map((step, index) => (
          <li key={step.key}>
            <Link
              href={inWorkspace(step.href)}
              className="flex h-full flex-col rounded-md border border-slate-200 p-3 hover:border-brand-500 hover:bg-brand-50/40"
              data-testid={`start-here-${step.key}`}
            >
              <span className="flex items-center gap-2 text-sm font-medium text-brand-700">
                <span className="flex h-5 w-5 items-center justify-center rounded-full bg-brand-600 text-xs text-white">{index + 1}</span>
                {step.title}
              </span>
              <span className="mt-1 text-xs text-slate-600">{step.description}</span>
            </Link>
          </li>
        ))}
      </ol>
    </section>
  );
}
