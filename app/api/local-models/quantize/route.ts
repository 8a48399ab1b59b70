import { readJson, withWorkspace } from "@/lib/http/with-workspace";
import { quantizeLocalModel } from "@/lib/quantize/quantize-model";
import { quantizeLocalModelInput } from "@/lib/quantize/schema";

// Quantizes a local model with llama.cpp's quantizer (milliseconds to seconds for the project's models) into the
// models folder as <name>-<type>.gguf, where the model server serves it; bad input is a 400 naming the field.
export const POST = withWorkspace(async ({ request, member }) => {
  const body = await readJson(request, quantizeLocalModelInput);
  const result = await quantizeLocalModel(member.workspace.id, { source: body.name, type: body.type });
  return { name: result.name, type: result.type, sizeBytes: result.outputBytes, sourceBytes: result.inputBytes, milliseconds: result.milliseconds };
}, { action: "localModel.manage" });
