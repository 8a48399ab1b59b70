import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { startSuiteAgreement, suiteAgreementInput } from "@/lib/quantize/suite-agreement";
import { getTradeoff } from "@/lib/quantize/tradeoff-service";

// "Agreement on a suite" for a measured family: one ordinary run of a prompt version × every model of the family on
// the Local models connection; the trade-off view reports, per quantized version, the share of cases whose output
// equals the original's and its pass rate (GET /api/local-models/tradeoff follows it while it runs).
export const POST = withWorkspace(async ({ request, member }) => {
  const body = await readJson(request, suiteAgreementInput);
  await startSuiteAgreement(member.workspace.id, member.user.id, body);
  return Response.json(await getTradeoff(member.workspace.id, body.name), { status: 201, headers: { "cache-control": "no-store" } });
}, { action: "model.call" });
