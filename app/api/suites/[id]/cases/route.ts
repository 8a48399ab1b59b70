import { withWorkspace } from "@/lib/http/with-workspace";
import { addCaseHandler, listCasesHandler } from "../../_handlers/cases";
import type { SuiteParams } from "../../_handlers/suites";

export const GET = withWorkspace<SuiteParams>(listCasesHandler);
export const POST = withWorkspace<SuiteParams>(addCaseHandler);
