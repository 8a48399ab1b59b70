import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { loadOutputs } from "@/lib/compare/outputs";
import { outputsInput } from "@/lib/compare/schema";

// POST /api/compare/outputs {variants, keys} — output previews of the rows the case list is showing. POST only
// because a few hundred keys do not fit a URL. A read (workspace.read), named as one instead of a POST opting out of
// the write check: it calls no model, changes nothing, and gives viewers no more than GET /api/compare/case gives
// them in full; loadOutputs refuses variants of another workspace.
export const POST = withWorkspace(
  async ({ request, member }) => {
    const { variants, keys } = await readJson(request, outputsInput);
    return loadOutputs(member.workspace.id, variants, keys);
  },
  { action: "workspace.read" },
);
