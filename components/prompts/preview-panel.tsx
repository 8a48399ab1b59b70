"use client";
import { formatCount, formatMoney, formatPercent } from "@/lib/format";
import type { PreviewResult } from "./types";

const ROLE_STYLE: Record<string, string> = {
  system: "border-slate-300 bg-slate-50",
  user: "border-brand-100 bg-brand-50/50",
  assistant: "border-emerald-200 bg-emerald-50/50",
};

export function TokenMeter({ preview, model }: { preview: PreviewResult | null; model: string | null }) {
  if (!preview?.tokens) return <div className="text-xs text-slate-400">Token count appears when the template renders.</div>;
  const share = preview.contextShare;
  const warn = share !== null && share > 0.9;
  return (
    <div className="space-y-1" data-testid="token-meter">
      <div className="flex flex-wrap items-baseline gap-x-4 gap-y-1 text-xs text-slate-600">
        <span>
          <span className="text-base font-semibold text-slate-900" data-testid="token-count">{formatCount(preview.tokens.count)}</span> input tokens
          {preview.tokens.estimated && <span className="ml-1 badge bg-amber-100 text-amber-800" title={`No exact tokenizer for ${model ?? "this model"}; counted with ${preview.tokens.encoding}`}>estimate</span>}
        </span>
        <span className="font-mono text-slate-400">{preview.tokens.encoding}</span>
        <span>input cost ≈ <span className="font-medium text-slate-800">{formatMoney(preview.inputCost)}</span></span>
        {preview.contextWindow && <span>{formatPercent(share)} of {formatCount(preview.contextWindow)}-token context</span>}
      </div>
      {share !== null && (
        <div className="h-1.5 overflow-hidden rounded bg-slate-200">
          <div className={`h-full ${warn ? "bg-red-500" : "bg-brand-500"}`} style={{ width: `${Math.min(100, share * 100)}%` }} />
        </div>
      )}
      {warn && <p className="text-xs font-medium text-red-600" role="alert">Over 90 % of the context window: the reply may be cut short or rejected.</p>}
    </div>
  );
}

export function ProblemsList({ problems }: { problems: PreviewResult["problems"] }) {
  if (problems.length === 0) return null;
  return (
    <ul className="space-y-1 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800" data-testid="template-problems">
      {problems.map((problem, index) => (
        <li key={index}>
          {problem.path && <span className="font-mono text-xs">{problem.path}{problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ""}` : ""} </span>}
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

export function PreviewPanel({ preview, loading }: { preview: PreviewResult | null; loading: boolean }) {
  if (!preview) return <p className="p-4 text-sm text-slate-500">{loading ? "Rendering…" : "Fill in the variables to see the exact messages."}</p>;
  return (
    <div className="space-y-2" data-testid="preview">
      <p className="text-xs text-slate-500">The exact messages that will be sent{loading ? " (updating…)" : ""}:</p>
      {preview.messages.map((message, index) => (
        <div key={index} className={`rounded-md border p-2.5 ${ROLE_STYLE[message.role] ?? ""}`}>
          <div className="mb-1 text-[10px] font-semibold uppercase tracking-wider text-slate-500">{message.role}</div>
          <pre className="whitespace-pre-wrap break-words font-mono text-xs text-slate-800">{message.content}</pre>
        </div>
      ))}
    </div>
  );
}
