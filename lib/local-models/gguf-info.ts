import { open, type FileHandle } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../errors.ts";

// Reads what the Models page shows from a GGUF header: metadata and tensor infos, never the weights. A hand-written
// parser (≈ a page) instead of node-llama-cpp's reader, so the web app can call it without loading the native
// bindings; it reads only the header, which is a few MB at most (the token list) even for multi-GB models.

export interface GgufInfo {
  file: string;
  sizeBytes: number;
  architecture: string;
  /** the file type, e.g. F32, F16, Q8_0, Q4_K_M */
  quantization: string;
  parameterCount: number;
  contextLength: number | null;
  name?: string;
  chatTemplate?: string;
  embeddingLength?: number;
  blockCount?: number;
  headCount?: number;
  headCountKv?: number;
  vocabSize?: number;
  ggufVersion: number;
  /** each tensor's name and ggml type (e.g. blk.0.attn_q.weight Q4_K): shows which tensors a quantizer left or fell back */
  tensors: Array<{ name: string; type: string }>;
}

/** llama.cpp's llama_ftype, named as in the file names people download (…-Q4_K_M.gguf). */
const FILE_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M",
  13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 19: "IQ2_XXS", 20: "IQ2_XS",
  21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL", 26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S",
  29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16", 36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
};

/** ggml_type, for files without general.file_type: the type holding most parameters names the quantization. */
const TENSOR_TYPES: Record<number, string> = {
  0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 6: "Q5_0", 7: "Q5_1", 8: "Q8_0", 9: "Q8_1", 10: "Q2_K", 11: "Q3_K",
  12: "Q4_K", 13: "Q5_K", 14: "Q6_K", 15: "Q8_K", 16: "IQ2_XXS", 17: "IQ2_XS", 18: "IQ3_XXS", 19: "IQ1_S",
  20: "IQ4_NL", 21: "IQ3_S", 22: "IQ2_S", 23: "IQ4_XS", 24: "I8", 25: "I16", 26: "I32", 27: "I64", 28: "F64",
  29: "IQ1_M", 30: "BF16", 34: "TQ1_0", 35: "TQ2_0", 39: "MXFP4",
};

const SCALAR_SIZES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING_TYPE = 8;
const ARRAY_TYPE = 9;
const CHUNK_SIZE = 1 << 20;

type Scalar = number | bigint | boolean | string;

/** Sequential little-endian reads over a file handle, one MB at a time. */
class HeaderReader {
  private buffer = Buffer.alloc(0);
  private bufferStart = 0;
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    private readonly fileSize: number,
    private readonly file: string,
  ) {}

  private async ensure(length: number): Promise<Buffer> {
    const offset = this.position - this.bufferStart;
    if (offset + length <= this.buffer.length) return this.buffer.subarray(offset, offset + length);
    if (this.position + length > this.fileSize) throw truncated(this.file);
    const size = Math.max(length, CHUNK_SIZE);
    const chunk = Buffer.alloc(Math.min(size, this.fileSize - this.position));
    await this.handle.read(chunk, 0, chunk.length, this.position);
    this.buffer = chunk;
    this.bufferStart = this.position;
    return chunk.subarray(0, length);
  }

  async u32(): Promise<number> {
    const value = (await this.ensure(4)).readUInt32LE(0);
    this.position += 4;
    return value;
  }

  async u64(): Promise<number> {
    const value = (await this.ensure(8)).readBigUInt64LE(0);
    this.position += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw truncated(this.file);
    return Number(value);
  }

  async string(): Promise<string> {
    const length = await this.u64();
    const value = (await this.ensure(length)).toString("utf8");
    this.position += length;
    return value;
  }

  skip(length: number): void {
    if (this.position + length > this.fileSize) throw truncated(this.file);
    this.position += length;
  }

  async scalar(type: number): Promise<Scalar> {
    if (type === STRING_TYPE) return this.string();
    const size = SCALAR_SIZES[type];
    if (size === undefined) throw new AppError("bad_request", "model", `${path.basename(this.file)}: unknown GGUF value type ${type}`);
    const bytes = await this.ensure(size);
    this.position += size;
    switch (type) {
      case 0: return bytes.readUInt8(0);
      case 1: return bytes.readInt8(0);
      case 2: return bytes.readUInt16LE(0);
      case 3: return bytes.readInt16LE(0);
      case 4: return bytes.readUInt32LE(0);
      case 5: return bytes.readInt32LE(0);
      case 6: return bytes.readFloatLE(0);
      case 7: return bytes.readUInt8(0) !== 0;
      case 10: return bytes.readBigUInt64LE(0);
      case 11: return bytes.readBigInt64LE(0);
      default: return bytes.readDoubleLE(0);
    }
  }

  /** Skips an array (the token list can hold 150,000 strings), returning its length. */
  async skipArray(): Promise<number> {
    const itemType = await this.u32();
    const length = await this.u64();
    if (itemType === STRING_TYPE) {
      for (let index = 0; index < length; index++) this.skip(await this.u64());
    } else if (itemType === ARRAY_TYPE) {
      for (let index = 0; index < length; index++) await this.skipArray();
    } else {
      const size = SCALAR_SIZES[itemType];
      if (size === undefined) throw new AppError("bad_request", "model", `${path.basename(this.file)}: unknown GGUF array type ${itemType}`);
      this.skip(size * length);
    }
    return length;
  }
}

function truncated(file: string): AppError {
  return new AppError("bad_request", "model", `${path.basename(file)} is truncated or not a GGUF file`);
}

function asNumber(value: Scalar | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}

/** Reads a GGUF file's header: architecture, quantization, parameter count, context length, name, chat template. */
export async function readGgufInfo(filePath: string): Promise<GgufInfo> {
  let handle: FileHandle;
  try {
    handle = await open(filePath, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new AppError("not_found", "model", `No model file at ${filePath}`);
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const reader = new HeaderReader(handle, size, filePath);
    if (size < 24 || (await reader.u32()) !== 0x46554747) {
      throw new AppError("bad_request", "model", `${path.basename(filePath)} is not a GGUF file (no "GGUF" magic)`);
    }
    const version = await reader.u32();
    if (version !== 2 && version !== 3) {
      throw new AppError("bad_request", "model", `${path.basename(filePath)}: GGUF version ${version} is not supported (2 or 3)`);
    }
    const tensorCount = await reader.u64();
    const metadataCount = await reader.u64();
    const metadata = new Map<string, Scalar>();
    const arrayLengths = new Map<string, number>();
    for (let index = 0; index < metadataCount; index++) {
      const key = await reader.string();
      const type = await reader.u32();
      if (type === ARRAY_TYPE) arrayLengths.set(key, await reader.skipArray());
      else metadata.set(key, await reader.scalar(type));
    }
    let parameterCount = 0;
    const parametersByType = new Map<number, number>();
    const tensors: GgufInfo["tensors"] = [];
    for (let index = 0; index < tensorCount; index++) {
      const tensorName = await reader.string();
      const dimensionCount = await reader.u32();
      let elements = 1;
      for (let dimension = 0; dimension < dimensionCount; dimension++) elements *= await reader.u64();
      const type = await reader.u32();
      await reader.u64(); // data offset
      parameterCount += elements;
      tensors.push({ name: tensorName, type: TENSOR_TYPES[type] ?? `type ${type}` });
      parametersByType.set(type, (parametersByType.get(type) ?? 0) + elements);
    }

    const architecture = String(metadata.get("general.architecture") ?? "unknown");
    const fileType = asNumber(metadata.get("general.file_type"));
    const dominantType = [...parametersByType].sort((a, b) => b[1] - a[1])[0]?.[0];
    const quantization =
      (fileType !== undefined ? FILE_TYPES[fileType] : undefined) ??
      (dominantType !== undefined ? TENSOR_TYPES[dominantType] : undefined) ??
      "unknown";
    const name = metadata.get("general.name");
    const chatTemplate = metadata.get("tokenizer.chat_template");
    const info: GgufInfo = {
      file: filePath,
      sizeBytes: size,
      architecture,
      quantization,
      parameterCount,
      contextLength: asNumber(metadata.get(`${architecture}.context_length`)) ?? null,
      ggufVersion: version,
      tensors,
    };
    if (typeof name === "string") info.name = name;
    if (typeof chatTemplate === "string") info.chatTemplate = chatTemplate;
    const embeddingLength = asNumber(metadata.get(`${architecture}.embedding_length`));
    if (embeddingLength !== undefined) info.embeddingLength = embeddingLength;
    const blockCount = asNumber(metadata.get(`${architecture}.block_count`));
    if (blockCount !== undefined) info.blockCount = blockCount;
    const headCount = asNumber(metadata.get(`${architecture}.attention.head_count`));
    if (headCount !== undefined) info.headCount = headCount;
    const headCountKv = asNumber(metadata.get(`${architecture}.attention.head_count_kv`));
    if (headCountKv !== undefined) info.headCountKv = headCountKv;
    const vocabSize = arrayLengths.get("tokenizer.ggml.tokens") ?? asNumber(metadata.get(`${architecture}.vocab_size`));
    if (vocabSize !== undefined) info.vocabSize = vocabSize;
    return info;
  } finally {
    await handle.close();
  }
}
