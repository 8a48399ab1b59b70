import { withRequestGuard } from "@/lib/http/guard-request";
import { withWorkspace } from "@/lib/http/with-workspace";
import { importCasesHandler } from "../../_handlers/transfer";
import type { SuiteParams } from "../../_handlers/suites";

export const dynamic = "force-dynamic";
// A 100,000-row upload streams through the parser inside one transaction; give it time.
export const maxDuration = 1800;

// POST the file as the raw body: ?format=csv|jsonl|json (or ?filename=cases.csv), &mode=append|replace,
// &discardResults=true to let replace delete stored results. A bad row answers 400 naming it; nothing is written.
// proxy.ts skips this route (it would buffer the upload), so the cross-site check and headers are applied here.
export const POST = withRequestGuard(withWorkspace<SuiteParams>(importCasesHandler, { action: "suite.edit" }));
