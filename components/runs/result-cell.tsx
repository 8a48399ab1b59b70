import { formatCount, formatDuration, formatMoney } from "@/lib/format";
import type { ResultCell } from "./types";

export function Verdict({ cell }: { cell: ResultCell | null }) {
  if (!cell) return <span className="badge bg-slate-100 text-slate-500">pending</span>;
  if (cell.error) return <span className="badge bg-red-600 text-white">ERROR</span>;
  if (cell.pass === true) return <span className="badge bg-emerald-100 text-emerald-800">PASS</span>;
  if (cell.pass === false) return <span className="badge bg-amber-100 text-amber-900">FAIL</span>;
  return <span className="badge bg-slate-100 text-slate-600">no assertions</span>;
}

/** "1.2 s · TTFT 140 ms · 120→48 tok · $0.0004" */
export function CellFigures({ cell }: { cell: ResultCell }) {
  return (
    <div className="flex flex-wrap gap-x-2 text-[11px] tabular-nums text-slate-500">
      <span title="total latency">{cell.cached ? "cached" : formatDuration(cell.latencyMs)}</span>
      {!cell.cached && cell.ttftMs !== null && <span title="time to first token">TTFT {formatDuration(cell.ttftMs)}</span>}
      <span title="input → output tokens">{formatCount(cell.inputTokens)}→{formatCount(cell.outputTokens)} tok</span>
      {cell.cost !== null && <span>{formatMoney(cell.cost)}</span>}
      {cell.retries > 0 && <span className="text-amber-700">{cell.retries} retr{cell.retries === 1 ? "y" : "ies"}</span>}
    </div>
  );
}

/** One variant's answer to one case, compact enough for a fixed-height grid row. */
export function ResultCellView({ cell }: { cell: ResultCell | null }) {
  if (!cell) {
    return (
      <div className="flex h-full items-start gap-2 p-2.5">
        <Verdict cell={null} />
      </div>
    );
  }
  const reason = cell.reason;
  return (
    <div className="flex h-full flex-col gap-1 overflow-hidden p-2.5" data-testid="result-cell">
      <div className="flex items-center gap-2">
        <Verdict cell={cell} />
        {cell.score !== null && !cell.error && <span className="text-[11px] tabular-nums text-slate-500">score {cell.score.toFixed(2)}</span>}
        {cell.cached && <span className="badge bg-sky-50 text-sky-700">cached</span>}
      </div>
      {reason && (
        <div className={`line-clamp-2 text-xs ${cell.error ? "text-red-700" : "text-amber-800"}`} title={reason} data-testid="result-reason">
          {reason}
        </div>
      )}
      <div className={`min-h-0 flex-1 overflow-hidden whitespace-pre-wrap break-words font-mono text-xs text-slate-800 ${reason ? "line-clamp-2" : "line-clamp-4"}`}>
        {cell.output ?? <span className="italic text-slate-400">no output</span>}
      </div>
      <CellFigures cell={cell} />
    </div>
  );
}
