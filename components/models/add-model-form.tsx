"use client";
import { useState, type FormEvent } from "react";
import { api, ApiError } from "@/lib/ui/api";
import type { LocalModelView } from "@/lib/local-models/catalog";

function suggestedName(filePath: string): string {
  const base = filePath.trim().split("/").pop() ?? "";
  return base.replace(/\.gguf$/i, "").replace(/[^A-Za-z0-9._:@+-]+/g, "-").replace(/^[^A-Za-z0-9]+/, "");
}

export function AddModelForm(props: { allowedFolders: string[] | null; onAdded: (model: LocalModelView) => void }) {
  const [filePath, setFilePath] = useState("");
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ path?: string; name?: string; form?: string }>({});

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      const model = await api<LocalModelView>("/api/local-models", {
        body: { path: filePath, ...(name.trim() ? { name: name.trim() } : {}) },
      });
      setFilePath("");
      setName("");
      props.onAdded(model);
    } catch (caught) {
      if (caught instanceof ApiError && caught.details.length > 0) {
        const next: typeof errors = {};
        for (const detail of caught.details) {
          if (detail.path === "path" || detail.path === "name") next[detail.path] ??= detail.message;
          else next.form ??= detail.message;
        }
        if (!next.path && !next.name) next.form ??= caught.message;
        setErrors(next);
      } else {
        setErrors({ form: caught instanceof Error ? caught.message : String(caught) });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="card p-4" data-testid="add-model-form">
      <h2 className="text-sm font-semibold">Add a GGUF file by path</h2>
      <p className="mt-0.5 text-xs text-slate-500">
        A .gguf file on the machine Assay runs on (for example a Llama 3.2 1B, Qwen2.5 0.5B or SmolLM2 quantized to Q4_K_M). The file stays where it is; the model server loads it on the first request.
        {props.allowedFolders && (
          <>
            {" "}Files can be added from <span className="font-mono" data-testid="allowed-folders">{props.allowedFolders.join(", ")}</span> (
            <span className="font-mono">ASSAY_MODELS_DIR</span> and <span className="font-mono">ASSAY_MODEL_PATHS</span>).
          </>
        )}
      </p>
      <div className="mt-3 grid grid-cols-1 gap-3 md:grid-cols-[minmax(0,3fr)_minmax(0,1fr)_auto] md:items-start">
        <div>
          <label className="label" htmlFor="model-path">Path</label>
          <input
            id="model-path"
            className={`input font-mono ${errors.path ? "border-red-400" : ""}`}
            placeholder="/home/me/models/qwen2.5-0.5b-instruct-q4_k_m.gguf"
            value={filePath}
            onChange={(event) => setFilePath(event.target.value)}
            aria-invalid={errors.path ? true : undefined}
            data-testid="model-path"
            required
          />
          {errors.path && <p className="mt-1 text-xs text-red-700" data-testid="model-path-error">{errors.path}</p>}
        </div>
        <div>
          <label className="label" htmlFor="model-name">Name <span className="font-normal text-slate-400">(the `model` in requests)</span></label>
          <input
            id="model-name"
            className={`input font-mono ${errors.name ? "border-red-400" : ""}`}
            placeholder={suggestedName(filePath) || "from the file name"}
            value={name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={errors.name ? true : undefined}
            data-testid="model-name"
          />
          {errors.name && <p className="mt-1 text-xs text-red-700" data-testid="model-name-error">{errors.name}</p>}
        </div>
        <div className="md:pt-5">
          <button type="submit" className="btn-primary w-full md:w-auto" disabled={busy || filePath.trim() === ""} data-testid="add-model">
            {busy ? "Checking…" : "Add model"}
          </button>
        </div>
      </div>
      {errors.form && <p role="alert" className="mt-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{errors.form}</p>}
    </form>
  );
}
