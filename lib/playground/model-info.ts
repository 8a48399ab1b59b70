import { db } from "../db.ts";

export interface ModelInfo {
  contextWindow: number | null;
  inputPricePerM: number | null;
  outputPricePerM: number | null;
}

/** Context window and prices of a connection's model, as the workspace configured them. */
export async function modelInfo(workspaceId: string, connectionId: string | null | undefined, model: string | null | undefined): Promise<ModelInfo | null> {
  if (!connectionId || !model) return null;
  const row = await db.connectionModel.findFirst({
    where: { name: model, connection: { id: connectionId, workspaceId } },
    select: { contextWindow: true, inputPricePerM: true, outputPricePerM: true },
  });
  return row ?? null;
}
