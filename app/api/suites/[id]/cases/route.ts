import { withWorkspace } from "@/lib/http/with-workspace";
import { addCaseHandler, listCasesHandler } from "../../_handlers/cases";
import type { SuiteParams } from "../../_handlers/suites";

export const GET = withWorkspace<SuiteParams>(listCasesHandler, { action: "workspace.read" });
export const POST = withWorkspace<SuiteParams>(addCaseHandler, { action: "suite.edit" });
