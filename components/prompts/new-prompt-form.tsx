"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { api, errorText } from "@/lib/ui/api";
import { useWorkspacePath } from "@/components/shell/use-workspace-path";

/** Name + description; the server creates version 1 from a starter template the user edits next. */
export function NewPromptForm(props: { onCancel: () => void }) {
  const inWorkspace = useWorkspacePath();
  const router = useRouter();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api<{ prompt: { id: string } }>("/api/prompts", { body: { name, description } });
      router.push(inWorkspace(`/prompts/${result.prompt.id}`));
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="card space-y-3 p-4" data-testid="new-prompt-form">
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <label className="block text-sm">
          <span className="font-medium text-slate-700">Name</span>
          <input className="input mt-1 w-full" value={name} onChange={(event) => setName(event.target.value)} placeholder="classify-ticket" autoFocus required aria-label="Prompt name" />
        </label>
        <label className="block text-sm">
          <span className="font-medium text-slate-700">Description</span>
          <input className="input mt-1 w-full" value={description} onChange={(event) => setDescription(event.target.value)} placeholder="What the prompt is for (optional)" aria-label="Description" />
        </label>
      </div>
      {error && <p role="alert" className="text-sm text-red-600">{error}</p>}
      <div className="flex gap-2">
        <button className="btn-primary" disabled={busy}>{busy ? "Creating…" : "Create prompt"}</button>
        <button type="button" className="btn" onClick={props.onCancel}>Cancel</button>
      </div>
    </form>
  );
}
