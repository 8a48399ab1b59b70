import type { Llama } from "node-llama-cpp";
import { db } from "../db.ts";
import { AppError } from "../errors.ts";
import { listLocalModels } from "../local-models/catalog.ts";
import { modelFamilies } from "./families.ts";
import { suiteAgreementOf, type StoredSuite, type SuiteAgreementView } from "./suite-agreement.ts";
import { tradeoffTable, type TradeoffRow } from "./tradeoff.ts";

// The trade-off of a model family on the Models page: a base local model (F32/F16) and its quantized versions named
// <base>-<type> (what the Quantize action writes). "Measure trade-off" computes lib/quantize/tradeoff.ts's figures
// for all of them in this process (one thread, the held-out text) and stores them, one row per family.

export type StoredTradeoffRow = Omit<TradeoffRow, "path"> & { name: string };

export interface TradeoffView {
  baseName: string;
  rows: StoredTradeoffRow[];
  threads: number;
  positions: number;
  measuredAt: string;
  /** the family run on a chosen suite, when one was started */
  suite: SuiteAgreementView | null;
}

async function toView(row: { baseName: string; rows: unknown; threads: number; positions: number; measuredAt: Date; suite: unknown }): Promise<TradeoffView> {
  const suite = row.suite ? await suiteAgreementOf(row.suite as StoredSuite) : null;
  return { baseName: row.baseName, rows: row.rows as StoredTradeoffRow[], threads: row.threads, positions: row.positions, measuredAt: row.measuredAt.toISOString(), suite };
}

export async function listTradeoffs(workspaceId: string): Promise<TradeoffView[]> {
  const rows = await db.quantTradeoff.findMany({ where: { workspaceId }, orderBy: { baseName: "asc" } });
  return Promise.all(rows.map(toView));
}

export async function getTradeoff(workspaceId: string, baseName: string): Promise<TradeoffView> {
  const row = await db.quantTradeoff.findUnique({ where: { workspaceId_baseName: { workspaceId, baseName } } });
  if (!row) throw new AppError("not_found", "model", `No trade-off measured for "${baseName}"`);
  return toView(row);
}

let llamaPromise: Promise<Llama> | undefined;
const measuring = new Set<string>();

export interface MeasureTradeoffOptions {
  llama?: Llama;
  threads?: number;
}

export async function measureTradeoff(workspaceId: string, baseName: string, options: MeasureTradeoffOptions = {}): Promise<TradeoffView> {
  const page = await listLocalModels(workspaceId, "owner");
  const family = modelFamilies(page.models).find((candidate) => candidate.base === baseName);
  if (!family) {
    const exists = page.models.some((model) => model.name === baseName);
    const message = exists
      ? `"${baseName}" has no quantized versions yet: quantize it first (they are named ${baseName}-<type>)`
      : `No local model named "${baseName}"`;
    throw new AppError("bad_request", "model", message, [{ path: "name", message }]);
  }
  const key = `${workspaceId}:${baseName}`;
  if (measuring.has(key)) throw new AppError("conflict", "model", `The trade-off of "${baseName}" is already being measured`);
  measuring.add(key);
  try {
    const pathOf = (name: string) => {
      const model = page.models.find((candidate) => candidate.name === name && !candidate.shadowed);
      if (!model?.path) throw new AppError("not_found", "model", `No file for local model "${name}"`);
      return model.path;
    };
    const llama = options.llama ?? (await (llamaPromise ??= import("node-llama-cpp").then(({ getLlama }) => getLlama({ build: "never", gpu: false }))));
    const threads = options.threads ?? 1;
    const table = await tradeoffTable({
      llama,
      threads,
      original: { label: page.models.find((model) => model.name === baseName)?.quantization ?? "original", path: pathOf(baseName) },
      variants: family.variants.map((variant) => ({ label: variant.type, path: pathOf(variant.name) })),
    });
    const names = [baseName, ...family.variants.map((variant) => variant.name)];
    const rows: StoredTradeoffRow[] = table.map(({ path: _path, ...row }, index) => ({ ...row, name: names[index]! }));
    const positions = table[0]!.positions;
    const stored = await db.quantTradeoff.upsert({
      where: { workspaceId_baseName: { workspaceId, baseName } },
      create: { workspaceId, baseName, rows, threads, positions },
      update: { rows, threads, positions, measuredAt: new Date() },
    });
    return toView(stored);
  } finally {
    measuring.delete(key);
  }
}
