import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

// `assay quantize <file.gguf | local model name> --type Q8_0 [--out file] [--threads N]`: llama.cpp's own quantizer
// on the file, then the trade-off table against the original (size, bits per weight, tokens/s, top-1 agreement and
// KL over a held-out text). A name is a .gguf of the models folder; without --out the result goes into that folder,
// where the model server serves it. Exit codes: 0 ok, 2 invalid input (unknown type, not a GGUF, too large, …).

const HELP = `Usage:
  assay quantize <file.gguf | model name> --type TYPE [--out FILE] [--threads N] [--no-table]

  TYPE  Q8_0, Q6_K, Q5_K_M, Q5_0, Q5_1, Q4_K_M, Q4_0, Q4_1, Q3_K_M, Q2_K
`;

export { quantize as run };

function fail(message: string): number {
  process.stderr.write(`assay quantize: ${message}\n`);
  return 2;
}

async function quantize(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { type: { type: "string" }, out: { type: "string" }, threads: { type: "string" }, "no-table": { type: "boolean" }, help: { type: "boolean", short: "h" } },
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length !== 1) return fail(`give one model file or name\n\n${HELP}`);
  if (!values.type) return fail(`--type: give a quantization type\n\n${HELP}`);
  const threads = values.threads === undefined ? 1 : Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1) return fail(`--threads: "${values.threads}" is not a positive integer`);

  const { parseQuantType, quantizeGguf, QuantizeError } = await import("../../lib/quantize/llama-quantize.ts");
  const { env } = await import("../../lib/env.ts");
  const modelsDir = path.resolve(env.ASSAY_MODELS_DIR);
  const source = positionals[0]!;
  try {
    const type = parseQuantType(values.type);
    const input = source.toLowerCase().endsWith(".gguf") || source.includes("/") ? path.resolve(source) : path.join(modelsDir, `${source}.gguf`);
    if (!existsSync(input)) throw new QuantizeError("file", `No file ${input} (a name means a .gguf in the models folder ${modelsDir})`);
    const output = path.resolve(values.out ?? path.join(modelsDir, `${path.basename(input, ".gguf")}-${type}.gguf`));
    const result = await quantizeGguf({ input, output, type, threads });
    process.stdout.write(`Quantized ${input} to ${type}: ${output} (${result.outputBytes} bytes, ${(100 * result.outputBytes / result.inputBytes).toFixed(1)} % of the original) in ${Math.round(result.milliseconds)} ms\n`);
    if (!values["no-table"]) {
      const { getLlama } = await import("node-llama-cpp");
      const { tradeoffTable } = await import("../../lib/quantize/tradeoff.ts");
      const { tradeoffText } = await import("../../lib/quantize/table-text.ts");
      const llama = await getLlama({ build: "never", gpu: false });
      const rows = await tradeoffTable({ llama, original: { label: "original", path: input }, variants: [{ label: type, path: output }], threads });
      process.stdout.write(tradeoffText(rows));
    }
    return 0;
  } catch (error) {
    if (error instanceof QuantizeError) return fail(error.message);
    throw error;
  }
}
