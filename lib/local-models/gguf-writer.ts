import { open } from "node:fs/promises";

// A GGUF v3 writer for llama-architecture models with F32 tensors. No model hub is reachable here, so the project
// writes its own models: random ones for the serving path and an exact n-gram model for checkable output.
// Layout: header, metadata key/values, tensor infos, padding to the alignment, tensor data (each tensor aligned).

export const GGUF_ALIGNMENT = 32;

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
const GGUF_VERSION = 3;

enum ValueType {
  Uint32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
}

/** A metadata value with its GGUF type made explicit: numbers alone do not say u32 or f32. */
export type GgufValue =
  | { type: "u32"; value: number }
  | { type: "i32"; value: number }
  | { type: "f32"; value: number }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "string[]"; value: readonly string[] }
  | { type: "f32[]"; value: ArrayLike<number> }
  | { type: "i32[]"; value: ArrayLike<number> };

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] is the contiguous (innermost) dimension, e.g. [n_embd, n_vocab] for token_embd */
  dims: readonly number[];
  /** Called once, when the tensor is written, so large models never sit in memory whole. */
  data: () => Float32Array;
}

export interface GgufContent {
  metadata: ReadonlyArray<readonly [string, GgufValue]>;
  tensors: readonly GgufTensor[];
}

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;

  private push(buffer: Buffer): void {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }

  u32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeUInt32LE(value);
    this.push(buffer);
  }

  i32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeInt32LE(value);
    this.push(buffer);
  }

  u64(value: number): void {
    const buffer = Buffer.alloc(8);
    buffer.writeBigUInt64LE(BigInt(value));
    this.push(buffer);
  }

  f32(value: number): void {
    const buffer = Buffer.alloc(4);
    buffer.writeFloatLE(value);
    this.push(buffer);
  }

  u8(value: number): void {
    this.push(Buffer.from([value]));
  }

  string(value: string): void {
    const bytes = Buffer.from(value, "utf8");
    this.u64(bytes.length);
    this.push(bytes);
  }

  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    if (padding > 0) this.push(Buffer.alloc(padding));
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function writeValue(writer: ByteWriter, value: GgufValue): void {
  switch (value.type) {
    case "u32":
      writer.u32(ValueType.Uint32);
      writer.u32(value.value);
      return;
    case "i32":
      writer.u32(ValueType.Int32);
      writer.i32(value.value);
      return;
    case "f32":
      writer.u32(ValueType.Float32);
      writer.f32(value.value);
      return;
    case "bool":
      writer.u32(ValueType.Bool);
      writer.u8(value.value ? 1 : 0);
      return;
    case "string":
      writer.u32(ValueType.String);
      writer.string(value.value);
      return;
    case "string[]":
      writer.u32(ValueType.Array);
      writer.u32(ValueType.String);
      writer.u64(value.value.length);
      for (const item of value.value) writer.string(item);
      return;
    case "f32[]":
      writer.u32(ValueType.Array);
      writer.u32(ValueType.Float32);
      writer.u64(value.value.length);
      for (let index = 0; index < value.value.length; index++) writer.f32(value.value[index] ?? 0);
      return;
    case "i32[]":
      writer.u32(ValueType.Array);
      writer.u32(ValueType.Int32);
      writer.u64(value.value.length);
      for (let index = 0; index < value.value.length; index++) writer.i32(value.value[index] ?? 0);
      return;
  }
}

function elementCount(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

function alignUp(value: number, alignment: number): number {
  return Math.ceil(value / alignment) * alignment;
}

/** Writes a GGUF file. Deterministic: the same content gives the same bytes. */
export async function writeGguf(filePath: string, content: GgufContent): Promise<{ sizeBytes: number }> {
  const header = new ByteWriter();
  header.u32(GGUF_MAGIC);
  header.u32(GGUF_VERSION);
  header.u64(content.tensors.length);
  header.u64(content.metadata.length);
  for (const [key, value] of content.metadata) {
    header.string(key);
    writeValue(header, value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of content.tensors) {
    header.string(tensor.name);
    header.u32(tensor.dims.length);
    for (const dim of tensor.dims) header.u64(dim);
    header.u32(0); // GGML_TYPE_F32
    header.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + elementCount(tensor.dims) * 4, GGUF_ALIGNMENT);
  }
  header.padTo(GGUF_ALIGNMENT);

  const handle = await open(filePath, "w");
  try {
    const headerBytes = header.toBuffer();
    await handle.write(headerBytes);
    let written = 0;
    for (const [index, tensor] of content.tensors.entries()) {
      const expected = elementCount(tensor.dims);
      const data = tensor.data();
      if (data.length !== expected) {
        throw new Error(`tensor ${tensor.name}: ${data.length} values for dims [${tensor.dims.join(", ")}] (${expected} expected)`);
      }
      const start = offsets[index] ?? 0;
      if (start > written) {
        await handle.write(Buffer.alloc(start - written));
        written = start;
      }
      // Float32Array is little-endian on every platform node-llama-cpp ships binaries for.
      await handle.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      written += data.byteLength;
    }
    const end = alignUp(written, GGUF_ALIGNMENT);
    if (end > written) await handle.write(Buffer.alloc(end - written));
    return { sizeBytes: headerBytes.length + end };
  } finally {
    await handle.close();
  }
}

export interface LlamaHyperparameters {
  name: string;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  rmsEpsilon: number;
  ropeFreqBase: number;
}

export interface LlamaVocabulary {
  tokens: readonly string[];
  scores: ArrayLike<number>;
  tokenTypes: ArrayLike<number>;
  bosId: number;
  eosId: number;
  unknownId: number;
  chatTemplate?: string;
}

/** The metadata llama.cpp needs to load a llama-architecture model with a SentencePiece (`llama`) tokenizer. */
export function llamaMetadata(hyper: LlamaHyperparameters, vocabulary: LlamaVocabulary): Array<readonly [string, GgufValue]> {
  const headDim = hyper.embeddingLength / hyper.headCount;
  const metadata: Array<readonly [string, GgufValue]> = [
    ["general.architecture", { type: "string", value: "llama" }],
    ["general.name", { type: "string", value: hyper.name }],
    ["general.file_type", { type: "u32", value: 0 }], // LLAMA_FTYPE_ALL_F32
    ["general.alignment", { type: "u32", value: GGUF_ALIGNMENT }],
    ["llama.context_length", { type: "u32", value: hyper.contextLength }],
    ["llama.embedding_length", { type: "u32", value: hyper.embeddingLength }],
    ["llama.block_count", { type: "u32", value: hyper.blockCount }],
    ["llama.feed_forward_length", { type: "u32", value: hyper.feedForwardLength }],
    ["llama.attention.head_count", { type: "u32", value: hyper.headCount }],
    ["llama.attention.head_count_kv", { type: "u32", value: hyper.headCountKv }],
    ["llama.rope.dimension_count", { type: "u32", value: headDim }],
    ["llama.rope.freq_base", { type: "f32", value: hyper.ropeFreqBase }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: hyper.rmsEpsilon }],
    ["llama.vocab_size", { type: "u32", value: vocabulary.tokens.length }],
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "string[]", value: vocabulary.tokens }],
    ["tokenizer.ggml.scores", { type: "f32[]", value: vocabulary.scores }],
    ["tokenizer.ggml.token_type", { type: "i32[]", value: vocabulary.tokenTypes }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: vocabulary.bosId }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: vocabulary.eosId }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", value: vocabulary.unknownId }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
  ];
  if (vocabulary.chatTemplate) metadata.push(["tokenizer.chat_template", { type: "string", value: vocabulary.chatTemplate }]);
  return metadata;
}

export interface LlamaWeights {
  /** [n_embd, n_vocab] */
  tokenEmbedding: () => Float32Array;
  /** [n_embd, n_vocab] */
  output: () => Float32Array;
  outputNorm: () => Float32Array;
  /** per block, in the order attn_norm, attn_q, attn_k, attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down */
  block: (index: number, tensor: BlockTensorName, size: number) => Float32Array;
}

export type BlockTensorName =
  | "attn_norm"
  | "attn_q"
  | "attn_k"
  | "attn_v"
  | "attn_output"
  | "ffn_norm"
  | "ffn_gate"
  | "ffn_up"
  | "ffn_down";

/** The tensor list of a llama model, in llama.cpp's names and shapes. */
export function llamaTensors(hyper: LlamaHyperparameters, vocabSize: number, weights: LlamaWeights): GgufTensor[] {
  const embd = hyper.embeddingLength;
  const kvDim = (embd / hyper.headCount) * hyper.headCountKv;
  const ff = hyper.feedForwardLength;
  const tensors: GgufTensor[] = [{ name: "token_embd.weight", dims: [embd, vocabSize], data: weights.tokenEmbedding }];
  const shapes: Array<[BlockTensorName, number[]]> = [
    ["attn_norm", [embd]],
    ["attn_q", [embd, embd]],
    ["attn_k", [embd, kvDim]],
    ["attn_v", [embd, kvDim]],
    ["attn_output", [embd, embd]],
    ["ffn_norm", [embd]],
    ["ffn_gate", [embd, ff]],
    ["ffn_up", [embd, ff]],
    ["ffn_down", [ff, embd]],
  ];
  for (let block = 0; block < hyper.blockCount; block++) {
    for (const [name, dims] of shapes) {
      tensors.push({ name: `blk.${block}.${name}.weight`, dims, data: () => weights.block(block, name, elementCount(dims)) });
    }
  }
  tensors.push({ name: "output_norm.weight", dims: [embd], data: weights.outputNorm });
  tensors.push({ name: "output.weight", dims: [embd, vocabSize], data: weights.output });
  return tensors;
}

/** Parameters of a llama model with these hyperparameters (what readGgufInfo reports back). */
export function llamaParameterCount(hyper: LlamaHyperparameters, vocabSize: number): number {
  return llamaTensors(hyper, vocabSize, {
    tokenEmbedding: () => new Float32Array(0),
    output: () => new Float32Array(0),
    outputNorm: () => new Float32Array(0),
    block: () => new Float32Array(0),
  }).reduce((sum, tensor) => sum + elementCount(tensor.dims), 0);
}
