"use client";
import type { ModelRow } from "./types";

function numberOrNull(value: string): number | null {
  if (value.trim() === "") return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

export function ModelsTable({ rows, onChange }: { rows: ModelRow[]; onChange: (rows: ModelRow[]) => void }) {
  const update = (index: number, patch: Partial<ModelRow>) => onChange(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="models-table">
        <thead>
          <tr className="text-left text-xs text-slate-500">
            <th className="py-1 pr-2 font-medium">Model id</th>
            <th className="py-1 pr-2 font-medium">Context window</th>
            <th className="py-1 pr-2 font-medium">Input $ / 1M tokens</th>
            <th className="py-1 pr-2 font-medium">Output $ / 1M tokens</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index}>
              <td className="py-1 pr-2">
                <input className="input font-mono" value={row.name} aria-label="Model id" onChange={(event) => update(index, { name: event.target.value })} />
              </td>
              <td className="py-1 pr-2">
                <input className="input" inputMode="numeric" aria-label="Context window" value={row.contextWindow ?? ""} onChange={(event) => update(index, { contextWindow: numberOrNull(event.target.value) })} placeholder="unknown" />
              </td>
              <td className="py-1 pr-2">
                <input className="input" inputMode="decimal" aria-label="Input price" value={row.inputPricePerM ?? ""} onChange={(event) => update(index, { inputPricePerM: numberOrNull(event.target.value) })} placeholder="unknown" />
              </td>
              <td className="py-1 pr-2">
                <input className="input" inputMode="decimal" aria-label="Output price" value={row.outputPricePerM ?? ""} onChange={(event) => update(index, { outputPricePerM: numberOrNull(event.target.value) })} placeholder="unknown" />
              </td>
              <td className="py-1 text-right">
                <button type="button" className="text-xs text-slate-500 hover:text-red-600" onClick={() => onChange(rows.filter((_, i) => i !== index))}>Remove</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" className="btn mt-2" onClick={() => onChange([...rows, { name: "", contextWindow: null, inputPricePerM: null, outputPricePerM: null }])} data-testid="add-model">
        + Add model
      </button>
    </div>
  );
}
