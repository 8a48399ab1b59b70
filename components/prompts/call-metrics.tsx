import { formatCount, formatDuration, formatMoney, formatNumber } from "@/lib/format";
import type { CallView } from "./types";

export function CallMetrics({ call }: { call: Pick<CallView, "ttftMs" | "latencyMs" | "inputTokens" | "outputTokens" | "usageEstimated" | "cost" | "finishReason" | "tokensPerSecond"> }) {
  const items: [string, string, string?][] = [
    ["TTFT", formatDuration(call.ttftMs), "time to first token"],
    ["Latency", formatDuration(call.latencyMs), "total time"],
    ["In", formatCount(call.inputTokens), "input tokens"],
    ["Out", formatCount(call.outputTokens), "output tokens"],
    ["Tok/s", call.tokensPerSecond ? formatNumber(call.tokensPerSecond, 1) : "—", "output tokens per second"],
    ["Cost", formatMoney(call.cost)],
    ["Finish", call.finishReason ?? "—", "finish reason"],
  ];
  return (
    <dl className="grid grid-cols-[repeat(auto-fill,minmax(4.5rem,1fr))] gap-x-3 gap-y-1.5 text-xs" data-testid="call-metrics">
      {items.map(([label, value, title]) => (
        <div key={label} title={title}>
          <dt className="text-slate-400">{label}</dt>
          <dd className="whitespace-nowrap font-medium tabular-nums text-slate-800" data-testid={`metric-${label.toLowerCase().replace("/", "")}`}>
            {value}
            {call.usageEstimated && (label === "In" || label === "Out") && <span className="ml-0.5 text-amber-600" title="estimated: the API reported no usage">*</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function ProviderError({ error }: { error: NonNullable<CallView["error"]> }) {
  const title: Record<string, string> = {
    rate_limit: "Rate limited",
    context_length: "Context length exceeded",
    auth: "API key rejected",
    not_found: "Not found",
    bad_request: "Request rejected",
    timeout: "Timed out",
    network: "Could not reach the server",
    server: "Provider error",
    stream_cut: "Stream cut off",
    cancelled: "Stopped",
    invalid_response: "Unexpected answer",
  };
  return (
    <div className={`rounded-md border px-3 py-2 text-sm ${error.kind === "cancelled" ? "border-slate-200 bg-slate-50 text-slate-600" : "border-red-200 bg-red-50 text-red-800"}`} data-testid="provider-error">
      <div className="font-medium">
        {title[error.kind] ?? error.kind}
        {error.status ? ` (${error.status}${error.code ? ` ${error.code}` : ""})` : error.code ? ` (${error.code})` : ""}
      </div>
      <div className="mt-0.5 break-words">{error.message}</div>
    </div>
  );
}
