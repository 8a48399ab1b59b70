import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { open, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// llama.cpp's own quantizer (`llama_model_quantize`, the code `llama-quantize` runs) called through koffi on
// node-llama-cpp's prebuilt libllama. The params struct layout is the one of this build (64 bytes); the binding
// checks the library's defaults at start and refuses to run if they differ from what it was written for.

const require = createRequire(import.meta.url);

/** ggml file types (llama_ftype) by name, as `llama-quantize` accepts them. */
export const QUANT_TYPES = {
  Q4_0: 2,
  Q4_1: 3,
  Q8_0: 7,
  Q5_0: 8,
  Q5_1: 9,
  Q2_K: 10,
  Q3_K_M: 12,
  Q4_K_M: 15,
  Q5_K_M: 17,
  Q6_K: 18,
} as const;
export type QuantType = keyof typeof QUANT_TYPES;

export class QuantizeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "QuantizeError";
  }
}

export function parseQuantType(value: string): QuantType {
  const upper = value.trim().toUpperCase();
  if (!(upper in QUANT_TYPES)) {
    throw new QuantizeError(
      "type",
      `Unknown quantization type "${value}": use one of ${Object.keys(QUANT_TYPES).join(", ")}`,
    );
  }
  return upper as QuantType;
}

/** What the binding was written for (checked against llama_model_quantize_default_params). */
const EXPECTED_DEFAULTS = {
  ftype: 7,
  output_tensor_type: 43,
  token_embedding_type: 43,
  allow_requantize: false,
  quantize_output_tensor: true,
  only_copy: false,
  pure: false,
  keep_split: false,
  dry_run: false,
} as const;
const PARAMS_SIZE = 64;

interface Binding {
  defaults(): Record<string, unknown>;
  quantize(input: string, output: string, params: Record<string, unknown>): number;
}

let binding: Binding | undefined;

function libraryFolder(): string {
  // The package exports only its index (dist/index.js); the binaries sit beside dist/. Resolved with a require made
  // at run time: in the built web app the bundler turns `require.resolve("…")` into a module id (a number).
  const { createRequire: runtimeCreateRequire } = process.getBuiltinModule("node:module") as typeof import("node:module");
  const name = ["@node-llama-cpp", "linux-x64"].join("/");
  const bases = [import.meta.url, path.join(process.cwd(), "package.json")];
  let index: string | undefined;
  const failures: string[] = [];
  for (const base of bases) {
    try {
      index = runtimeCreateRequire(base).resolve(name);
      break;
    } catch (error) {
      failures.push(`from ${base}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (!index) throw new QuantizeError("library", `Cannot find ${name} (node-llama-cpp's binaries): ${failures.join("; ")}`);
  return path.join(path.dirname(index), "..", "bins", "linux-x64");
}

function loadBinding(): Binding {
  if (binding) return binding;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new QuantizeError("platform", `Quantization needs node-llama-cpp's linux-x64 binaries (this is ${process.platform}-${process.arch})`);
  }
  const koffi = require("koffi") as typeof import("koffi");
  const folder = libraryFolder();
  const libraryPath = path.join(folder, "libllama.v0.5.0.so");
  if (!existsSync(libraryPath)) {
    throw new QuantizeError("library", `llama.cpp library not found at ${libraryPath}: the binding was written for node-llama-cpp 3.22 (libllama v0.5.0)`);
  }
  // libggml-base is loaded by libllama through its RUNPATH; load it first so the dynamic loader finds it.
  koffi.load(path.join(folder, "libggml-base.so"));
  koffi.load(path.join(folder, "libggml.v0.5.0.so"));
  const lib = koffi.load(libraryPath);
  const Params = koffi.struct("llama_model_quantize_params_assay", {
    nthread: "int32",
    ftype: "int32",
    output_tensor_type: "int32",
    token_embedding_type: "int32",
    allow_requantize: "bool",
    quantize_output_tensor: "bool",
    only_copy: "bool",
    pure: "bool",
    keep_split: "bool",
    dry_run: "bool",
    imatrix: "void *",
    kv_overrides: "void *",
    tt_overrides: "void *",
    prune_layers: "void *",
    max_buf_size: "size_t",
  });
  if (koffi.sizeof(Params) !== PARAMS_SIZE) {
    throw new QuantizeError("library", `llama_model_quantize_params binding is ${koffi.sizeof(Params)} bytes, expected ${PARAMS_SIZE}`);
  }
  const backendInit = lib.func("void llama_backend_init()");
  const defaults = lib.func("llama_model_quantize_params_assay llama_model_quantize_default_params()");
  const quantize = lib.func(
    "uint32 llama_model_quantize(const char *fname_inp, const char *fname_out, const llama_model_quantize_params_assay *params)",
  );
  backendInit();
  binding = {
    defaults: () => defaults() as Record<string, unknown>,
    quantize: (input, output, params) => quantize(input, output, params) as number,
  };
  checkDefaults(binding.defaults());
  return binding;
}

/** Refuses a library whose defaults differ from what this binding was written for (a different build, layout). */
export function checkDefaults(actual: Record<string, unknown>): void {
  const differences: string[] = [];
  for (const [key, expected] of Object.entries(EXPECTED_DEFAULTS)) {
    if (actual[key] !== expected) differences.push(`${key}: expected ${String(expected)}, got ${String(actual[key])}`);
  }
  for (const pointer of ["imatrix", "kv_overrides", "tt_overrides", "prune_layers"]) {
    if (actual[pointer] !== null) differences.push(`${pointer}: expected null`);
  }
  if (differences.length > 0) {
    throw new QuantizeError(
      "library",
      `llama.cpp's quantize defaults differ from what the binding was written for (${differences.join("; ")}): refusing to quantize`,
    );
  }
}

export function quantizeDefaults(): Record<string, unknown> {
  return loadBinding().defaults();
}

const GGUF_MAGIC = Buffer.from("GGUF");

async function checkGguf(file: string): Promise<number> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new QuantizeError("file", `${file} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof QuantizeError) throw error;
    throw new QuantizeError("file", `Cannot read ${file}: ${(error as Error).message}`);
  }
  const handle = await open(file, "r");
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    if (!head.equals(GGUF_MAGIC)) throw new QuantizeError("file", `${file} is not a GGUF file (no GGUF header)`);
  } finally {
    await handle.close();
  }
  return size;
}

export interface QuantizeOptions {
  input: string;
  output: string;
  type: QuantType;
  threads?: number;
  /** Bytes the quantizer may use; it reads the whole F32 model and writes the result, so ≈ 1.5 × input. */
  memoryBudgetBytes?: number;
}

export interface QuantizeResult {
  output: string;
  type: QuantType;
  inputBytes: number;
  outputBytes: number;
  milliseconds: number;
}

export function defaultMemoryBudget(): number {
  return Math.floor(os.freemem() * 0.5);
}

/** Quantizes a GGUF file; writes a temporary name next to the output and renames it, so a failure leaves nothing. */
export async function quantizeGguf(options: QuantizeOptions): Promise<QuantizeResult> {
  const inputBytes = await checkGguf(options.input);
  const budget = options.memoryBudgetBytes ?? defaultMemoryBudget();
  const needed = Math.ceil(inputBytes * 1.5);
  if (needed > budget) {
    throw new QuantizeError(
      "file",
      `${path.basename(options.input)} needs about ${needed} bytes to quantize, more than the memory budget of ${budget} bytes`,
    );
  }
  if (existsSync(options.output)) throw new QuantizeError("out", `${options.output} already exists`);
  const lib = loadBinding();
  const temporary = path.join(path.dirname(options.output), `.${path.basename(options.output)}.${process.pid}.partial`);
  const params = { ...lib.defaults(), ftype: QUANT_TYPES[options.type], nthread: options.threads ?? 1 };
  const started = performance.now();
  try {
    const status = lib.quantize(options.input, temporary, params);
    if (status !== 0) throw new QuantizeError("file", `llama.cpp failed to quantize ${options.input} (status ${status})`);
    await rename(temporary, options.output);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  const milliseconds = performance.now() - started;
  return { output: options.output, type: options.type, inputBytes, outputBytes: (await stat(options.output)).size, milliseconds };
}
