import { formatTime } from "@/lib/format";
import type { SharedVersion } from "@/lib/share-links/content";

// A prompt version as a shared page shows it: its messages, examples, counterexamples and model parameters, to
// read. No editor, no playground, no labels to move.

const ROLE_STYLE: Record<string, string> = {
  system: "bg-violet-100 text-violet-800",
  user: "bg-sky-100 text-sky-800",
  assistant: "bg-emerald-100 text-emerald-800",
};

function Variables({ values }: { values: Record<string, string> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <span className="text-slate-400">no variables</span>;
  return (
    <dl className="space-y-1">
      {entries.map(([name, value]) => (
        <div key={name} className="flex gap-2">
          <dt className="shrink-0 font-mono text-xs text-slate-500">{name}</dt>
          <dd className="min-w-0 whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function paramText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : JSON.stringify(value);
}

export function SharedVersionView({ version }: { version: SharedVersion }) {
  const params = Object.entries(version.params).filter(([, value]) => value !== undefined && value !== null);
  return (
    <div className="grid gap-4 p-6 xl:grid-cols-[minmax(0,8fr)_minmax(0,4fr)]" data-testid="shared-version">
      <div className="min-w-0 space-y-4">
        <section className="card p-4">
          <h2 className="mb-3 text-sm font-semibold text-slate-800">Messages</h2>
          <ol className="space-y-3">
            {version.messages.map((message, index) => (
              <li key={index} className="rounded-md border border-slate-200">
                <div className="border-b border-slate-100 px-3 py-1.5">
                  <span className={`badge ${ROLE_STYLE[message.role] ?? "bg-slate-100 text-slate-700"}`}>{message.role}</span>
                </div>
                <pre className="whitespace-pre-wrap break-words px-3 py-2 font-mono text-[13px] leading-relaxed text-slate-800" data-testid="shared-message">{message.content}</pre>
              </li>
            ))}
          </ol>
        </section>
        <section className="card p-4" data-testid="shared-examples">
          <h2 className="mb-1 text-sm font-semibold text-slate-800">Examples</h2>
          <p className="mb-3 text-xs text-slate-500">Assembled {version.exampleMode === "inline" ? "inline in the user message" : "as chat turns (user → assistant)"}.</p>
          {version.examples.length === 0 ? (
            <p className="text-sm text-slate-400">No examples.</p>
          ) : (
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr><th className="w-1/2 pb-1 pr-3 font-medium">Input</th><th className="pb-1 font-medium">Output</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {version.examples.map((example, index) => (
                  <tr key={index}>
                    <td className="py-2 pr-3"><Variables values={example.variables} /></td>
                    <td className="whitespace-pre-wrap break-words py-2 font-mono text-xs text-slate-800">{example.output}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2 className="mb-2 mt-5 text-sm font-semibold text-slate-800">Counterexamples</h2>
          {version.counterexamples.length === 0 ? (
            <p className="text-sm text-slate-400">No counterexamples.</p>
          ) : (
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-slate-500">
                <tr><th className="w-1/3 pb-1 pr-3 font-medium">Input</th><th className="w-1/3 pb-1 pr-3 font-medium">Wrong output</th><th className="pb-1 font-medium">Why it is wrong</th></tr>
              </thead>
              <tbody className="divide-y divide-slate-100 align-top">
                {version.counterexamples.map((example, index) => (
                  <tr key={index}>
                    <td className="py-2 pr-3"><Variables values={example.variables} /></td>
                    <td className="whitespace-pre-wrap break-words py-2 pr-3 font-mono text-xs text-red-800">{example.output}</td>
                    <td className="py-2 text-xs text-slate-700">{example.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
      <aside className="min-w-0 space-y-4">
        <section className="card p-4 text-sm" data-testid="shared-params">
          <h2 className="mb-3 text-sm font-semibold text-slate-800">Model and parameters</h2>
          <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1.5">
            <dt className="text-slate-500">Model</dt>
            <dd className="truncate font-mono text-xs leading-5">{version.model ?? "not set"}</dd>
            <dt className="text-slate-500">Connection</dt>
            <dd className="truncate">{version.connectionName ?? "not set"}</dd>
            {params.map(([name, value]) => (
              <div key={name} className="contents">
                <dt className="text-slate-500">{name}</dt>
                <dd className="break-words font-mono text-xs leading-5">{paramText(value)}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card p-4 text-sm">
          <h2 className="mb-2 text-sm font-semibold text-slate-800">Version {version.number}</h2>
          <p className="text-slate-700">{version.commitMessage || <em className="text-slate-400">no message</em>}</p>
          <p className="mt-2 text-xs text-slate-500">
            saved {formatTime(version.createdAt)}
            {version.authorName ? ` by ${version.authorName}` : ""}
          </p>
          {version.labels.length > 0 && (
            <p className="mt-2 flex flex-wrap gap-1">
              {version.labels.map((label) => <span key={label} className="badge bg-brand-50 text-brand-700">{label}</span>)}
            </p>
          )}
        </section>
      </aside>
    </div>
  );
}
