import { withWorkspace } from "@/lib/http/with-workspace";
import { deleteCaseHandler, updateCaseHandler, type CaseParams } from "../../../_handlers/cases";

export const PATCH = withWorkspace<CaseParams>(updateCaseHandler, { action: "suite.edit" });
export const DELETE = withWorkspace<CaseParams>(deleteCaseHandler, { action: "suite.edit" });
