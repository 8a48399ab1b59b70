"use client";
import Link from "next/link";
import { useMemo, useState } from "react";
import { formatTime } from "@/lib/format";
import type { PromptSummaryView } from "@/lib/prompts/views";
import { NewPromptForm } from "./new-prompt-form";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

export function PromptList(props: { prompts: PromptSummaryView[]; canWrite: boolean }) {
  const inWorkspace = useWorkspacePath();
  const [creating, setCreating] = useState(false);
  const [query, setQuery] = useState("");
  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return needle ? props.prompts.filter((prompt) => `${prompt.name} ${prompt.description}`.toLowerCase().includes(needle)) : props.prompts;
  }, [props.prompts, query]);

  return (
    <div className="space-y-4 p-6">
      <div className="flex items-center gap-3">
        <input className="input max-w-sm" placeholder="Filter prompts" value={query} onChange={(event) => setQuery(event.target.value)} aria-label="Filter prompts" />
        <span className="shrink-0 whitespace-nowrap text-sm text-slate-500">{shown.length} of {props.prompts.length}</span>
        <div className="flex-1" />
        {props.canWrite && !creating && <button className="btn-primary shrink-0 whitespace-nowrap" onClick={() => setCreating(true)}>New prompt</button>}
      </div>
      {creating && <NewPromptForm onCancel={() => setCreating(false)} />}
      {props.prompts.length === 0 ? (
        <div className="card p-8 text-center text-sm text-slate-500">
          No prompts yet. Create one, then add messages with <code className="font-mono">{"{{ variables }}"}</code>, examples and counterexamples.
        </div>
      ) : (
        <table className="card w-full overflow-hidden text-sm">
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th className="px-4 py-2 font-medium">Prompt</th>
              <th className="px-4 py-2 font-medium">Latest</th>
              <th className="px-4 py-2 font-medium">Labels</th>
              <th className="px-4 py-2 font-medium">Updated</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {shown.map((prompt) => (
              <tr key={prompt.id} className="hover:bg-slate-50" data-testid="prompt-row">
                <td className="px-4 py-3">
                  <Link href={inWorkspace(`/prompts/${prompt.id}`)} className="font-medium text-brand-700 hover:underline">{prompt.name}</Link>
                  {prompt.description && <div className="mt-0.5 max-w-xl truncate text-xs text-slate-500">{prompt.description}</div>}
                </td>
                <td className="px-4 py-3 font-mono text-xs">{prompt.latestVersion ? `v${prompt.latestVersion.number}` : "—"}</td>
                <td className="px-4 py-3">
                  <div className="flex flex-wrap gap-1">
                    {prompt.labels.map((label) => (
                      <span key={label.name} className={`badge ${label.name === "production" ? "bg-emerald-100 text-emerald-800" : label.name === "staging" ? "bg-amber-100 text-amber-800" : "bg-slate-100 text-slate-700"}`}>
                        {label.name} → v{label.versionNumber}
                      </span>
                    ))}
                  </div>
                </td>
                <td className="px-4 py-3 text-xs text-slate-500">{formatTime(prompt.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
