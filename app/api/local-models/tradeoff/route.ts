import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { measureTradeoffInput } from "@/lib/quantize/schema";
import { listTradeoffs, measureTradeoff } from "@/lib/quantize/tradeoff-service";

// The stored trade-offs of the workspace's model families, and "Measure trade-off": loads the base model and each
// <base>-<type> in this process (one thread; seconds for the project's models) and stores size, bits/weight,
// tokens/s, top-1 agreement and KL over the held-out text.
export const GET = withWorkspace(async ({ member }) => ({ tradeoffs: await listTradeoffs(member.workspace.id) }), { action: "workspace.read" });

export const POST = withWorkspace(async ({ request, member }) => {
  const body = await readJson(request, measureTradeoffInput);
  return measureTradeoff(member.workspace.id, body.name);
}, { action: "localModel.manage" });
