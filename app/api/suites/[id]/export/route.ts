import { withWorkspace } from "@/lib/http/with-workspace";
import { exportCasesHandler } from "../../_handlers/transfer";
import type { SuiteParams } from "../../_handlers/suites";

export const dynamic = "force-dynamic";

// GET ?format=csv|jsonl|json: the cases as a download, in the formats the importer reads back.
export const GET = withWorkspace<SuiteParams>(exportCasesHandler, { action: "workspace.read" });
