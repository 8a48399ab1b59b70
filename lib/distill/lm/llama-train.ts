import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import path from "node:path";

// llama.cpp's own training functions (llama_opt_init / llama_opt_epoch, the code examples/training/finetune.cpp runs)
// and ggml's dataset and result objects, called through koffi on node-llama-cpp's prebuilt libllama (v0.5.0, the
// llama.cpp source bundled in node_modules/node-llama-cpp/llama/gitRelease.bundle). The struct layouts below are the
// ones of that build: sizes and defaults were read from its llama.h compiled against the shipped library
// (llama_model_params 80 bytes, llama_context_params 160, llama_opt_params 48, ggml_opt_optimizer_params 28). The
// binding checks sizes and defaults at start and refuses to train if they differ (a different build, a different
// layout). Long calls (model load, an epoch, save) run with koffi's `.async`, on a libuv worker thread, so the event
// loop stays free.

const require = createRequire(import.meta.url);

export class LmTrainError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "LmTrainError";
  }
}

const GGML_TYPE_F32 = 0;
const GGML_TYPE_I32 = 26;
const LLAMA_LOAD_MODE_NONE = 0;
const LLAMA_FLASH_ATTN_TYPE_DISABLED = 0;
export const OPTIMIZER_ADAMW = 0;

const SIZES = { model: 80, context: 160, opt: 48, optimizer: 28, batch: 56 } as const;

/** What the binding was written for (llama_model_default_params / llama_context_default_params of v0.5.0). */
const EXPECTED_MODEL_DEFAULTS = {
  n_gpu_layers: -1,
  split_mode: 1,
  load_mode: -1,
  lazy_mode: 1,
  main_gpu: 0,
  vocab_only: false,
  check_tensors: false,
  use_extra_bufts: true,
  no_host: false,
  no_alloc: false,
  load_mtp: false,
} as const;
const EXPECTED_CONTEXT_DEFAULTS = {
  n_ctx: 512,
  n_batch: 2048,
  n_ubatch: 512,
  n_seq_max: 1,
  n_rs_seq: 0,
  n_outputs_max: 0,
  n_outputs_max_per_seq: 1,
  ctx_type: 0,
  flash_attn_type: -1,
  type_k: 1,
  type_v: 1,
  embeddings: false,
  offload_kqv: true,
  kv_unified: false,
  n_samplers: 0,
} as const;

type Pointer = unknown;
type AsyncCall = (...args: unknown[]) => void;
interface KoffiFn {
  (...args: unknown[]): unknown;
  async: AsyncCall;
}

export interface TrainBinding {
  modelDefaults(): Record<string, unknown>;
  contextDefaults(): Record<string, unknown>;
  loadModel(file: string, params: Record<string, unknown>): Promise<Pointer>;
  freeModel(model: Pointer): void;
  initContext(model: Pointer, params: Record<string, unknown>): Promise<Pointer>;
  freeContext(context: Pointer): void;
  contextLength(context: Pointer): number;
  /**
   * One llama_decode of one token: llama_opt_epoch computes through the context's scheduler without setting the CPU
   * backend's thread count (its default is 4, which on 2 cores spins the cores against each other); a decode sets it
   * to the context's n_threads, where it stays.
   */
  warmUp(context: Pointer, token: number): Promise<void>;
  vocabSize(model: Pointer): number;
  optInit(context: Pointer, model: Pointer, nCtxTrain: number, optimizerParams: Pointer): void;
  epoch(context: Pointer, dataset: Pointer, result: Pointer, idataSplit: number): Promise<void>;
  save(model: Pointer, file: string): Promise<void>;
  datasetInit(datapointLength: number, count: number): Pointer;
  datasetFree(dataset: Pointer): void;
  /** writes tokens (data) and next-token labels into the dataset's tensors */
  datasetSet(dataset: Pointer, data: Int32Array, labels: Int32Array): void;
  resultInit(): Pointer;
  resultFree(result: Pointer): void;
  resultReset(result: Pointer): void;
  resultLoss(result: Pointer): number;
  /** a ggml_opt_optimizer_params in C memory, read by ggml_opt_get_constant_optimizer_params before every step */
  optimizerParams(): { pointer: Pointer; set(learningRate: number, weightDecay: number): void; free(): void };
}

let binding: TrainBinding | undefined;

function libraryFolder(): string {
  const index = require.resolve("@node-llama-cpp/linux-x64");
  return path.join(path.dirname(index), "..", "bins", "linux-x64");
}

function promise<T>(fn: KoffiFn, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => {
    fn.async(...args, (error: unknown, value: T) => (error ? reject(error as Error) : resolve(value)));
  });
}

export function loadTrainBinding(): TrainBinding {
  if (binding) return binding;
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new LmTrainError("platform", `LM training needs node-llama-cpp's linux-x64 binaries (this is ${process.platform}-${process.arch})`);
  }
  const koffi = require("koffi") as typeof import("koffi");
  const folder = libraryFolder();
  const libraryPath = path.join(folder, "libllama.v0.5.0.so");
  if (!existsSync(libraryPath)) {
    throw new LmTrainError("library", `llama.cpp library not found at ${libraryPath}: the binding was written for node-llama-cpp 3.22 (libllama v0.5.0)`);
  }
  const base = koffi.load(path.join(folder, "libggml-base.so"));
  const ggml = koffi.load(path.join(folder, "libggml.v0.5.0.so"));
  const lib = koffi.load(libraryPath);

  const ModelParams = koffi.struct("llama_model_params_assay_train", {
    devices: "void *",
    tensor_buft_overrides: "void *",
    n_gpu_layers: "int32",
    split_mode: "int32",
    load_mode: "int32",
    lazy_mode: "int32",
    main_gpu: "int32",
    tensor_split: "void *",
    progress_callback: "void *",
    progress_callback_user_data: "void *",
    kv_overrides: "void *",
    vocab_only: "bool",
    check_tensors: "bool",
    use_extra_bufts: "bool",
    no_host: "bool",
    no_alloc: "bool",
    load_mtp: "bool",
  });
  const ContextParams = koffi.struct("llama_context_params_assay_train", {
    n_ctx: "uint32",
    n_batch: "uint32",
    n_ubatch: "uint32",
    n_seq_max: "uint32",
    n_rs_seq: "uint32",
    n_outputs_max: "uint32",
    n_outputs_max_per_seq: "uint32",
    n_threads: "int32",
    n_threads_batch: "int32",
    ctx_type: "int32",
    rope_scaling_type: "int32",
    pooling_type: "int32",
    attention_type: "int32",
    flash_attn_type: "int32",
    rope_freq_base: "float",
    rope_freq_scale: "float",
    yarn_ext_factor: "float",
    yarn_attn_factor: "float",
    yarn_beta_fast: "float",
    yarn_beta_slow: "float",
    yarn_orig_ctx: "uint32",
    defrag_thold: "float",
    cb_eval: "void *",
    cb_eval_user_data: "void *",
    type_k: "int32",
    type_v: "int32",
    abort_callback: "void *",
    abort_callback_data: "void *",
    embeddings: "bool",
    offload_kqv: "bool",
    no_perf: "bool",
    op_offload: "bool",
    swa_full: "bool",
    kv_unified: "bool",
    samplers: "void *",
    n_samplers: "size_t",
    ctx_other: "void *",
  });
  const OptParams = koffi.struct("llama_opt_params_assay_train", {
    n_ctx_train: "uint32",
    param_filter: "void *",
    param_filter_ud: "void *",
    get_opt_pars: "void *",
    get_opt_pars_ud: "void *",
    optimizer_type: "int32",
  });
  const OptimizerParams = koffi.struct("ggml_opt_optimizer_params_assay_train", {
    adamw_alpha: "float",
    adamw_beta1: "float",
    adamw_beta2: "float",
    adamw_eps: "float",
    adamw_wd: "float",
    sgd_alpha: "float",
    sgd_wd: "float",
  });
  const Batch = koffi.struct("llama_batch_assay_train", {
    n_tokens: "int32",
    token: "void *",
    embd: "void *",
    pos: "void *",
    n_seq_id: "void *",
    seq_id: "void *",
    logits: "void *",
  });
  const sizes = {
    model: koffi.sizeof(ModelParams),
    context: koffi.sizeof(ContextParams),
    opt: koffi.sizeof(OptParams),
    optimizer: koffi.sizeof(OptimizerParams),
    batch: koffi.sizeof(Batch),
  };
  for (const key of Object.keys(SIZES) as (keyof typeof SIZES)[]) {
    if (sizes[key] !== SIZES[key]) {
      throw new LmTrainError("library", `the ${key} params binding is ${sizes[key]} bytes, expected ${SIZES[key]}: refusing to train`);
    }
  }

  const fn = (library: typeof lib, signature: string) => library.func(signature) as unknown as KoffiFn;
  const regCount = fn(ggml, "size_t ggml_backend_reg_count()");
  const loadAll = fn(ggml, "void ggml_backend_load_all_from_path(const char *dir_path)");
  const backendInit = fn(lib, "void llama_backend_init()");
  const modelDefaults = fn(lib, "llama_model_params_assay_train llama_model_default_params()");
  const contextDefaults = fn(lib, "llama_context_params_assay_train llama_context_default_params()");
  const loadModel = fn(lib, "void *llama_model_load_from_file(const char *path, llama_model_params_assay_train params)");
  const freeModel = fn(lib, "void llama_model_free(void *model)");
  const initContext = fn(lib, "void *llama_init_from_model(void *model, llama_context_params_assay_train params)");
  const freeContext = fn(lib, "void llama_free(void *ctx)");
  const nCtx = fn(lib, "uint32 llama_n_ctx(void *ctx)");
  const getVocab = fn(lib, "void *llama_model_get_vocab(void *model)");
  const nTokens = fn(lib, "int32 llama_vocab_n_tokens(void *vocab)");
  const optInit = fn(lib, "void llama_opt_init(void *ctx, void *model, llama_opt_params_assay_train params)");
  const epoch = fn(
    lib,
    "void llama_opt_epoch(void *ctx, void *dataset, void *result_train, void *result_eval, int64 idata_split, void *callback_train, void *callback_eval)",
  );
  const batchGetOne = fn(lib, "llama_batch_assay_train llama_batch_get_one(_Inout_ int32 *tokens, int32 n_tokens)");
  const decode = fn(lib, "int32 llama_decode(void *ctx, llama_batch_assay_train batch)");
  const memoryClear = fn(lib, "void llama_memory_clear(void *mem, bool data)");
  const getMemory = fn(lib, "void *llama_get_memory(void *ctx)");
  const save = fn(lib, "void llama_model_save_to_file(void *model, const char *path)");
  const datasetInit = fn(
    base,
    "void *ggml_opt_dataset_init(int32 type_data, int32 type_label, int64 ne_datapoint, int64 ne_label, int64 ndata, int64 ndata_shard)",
  );
  const datasetFree = fn(base, "void ggml_opt_dataset_free(void *dataset)");
  const datasetData = fn(base, "void *ggml_opt_dataset_data(void *dataset)");
  const datasetLabels = fn(base, "void *ggml_opt_dataset_labels(void *dataset)");
  const tensorSet = fn(base, "void ggml_backend_tensor_set(void *tensor, const void *data, size_t offset, size_t size)");
  const resultInit = fn(base, "void *ggml_opt_result_init()");
  const resultFree = fn(base, "void ggml_opt_result_free(void *result)");
  const resultReset = fn(base, "void ggml_opt_result_reset(void *result)");
  const resultLoss = fn(base, "void ggml_opt_result_loss(void *result, _Out_ double *loss, _Out_ double *unc)");
  // Function pointers llama_opt_init is given: the "train every tensor" filter and the "constant optimizer params
  // read from userdata" callback, both plain C functions of the libraries (no JavaScript callback on the trainer's thread).
  const paramFilterAll = lib.symbol("llama_opt_param_filter_all") as unknown;
  const constantParams = base.symbol("ggml_opt_get_constant_optimizer_params") as unknown;
  if (!paramFilterAll || !constantParams) {
    throw new LmTrainError("library", "libllama lacks llama_opt_param_filter_all or ggml_opt_get_constant_optimizer_params: refusing to train");
  }

  // node-llama-cpp loads the CPU backend when it starts; in a process where it has not, load it here.
  if (Number(regCount()) === 0) loadAll(folder);
  backendInit();

  const built: TrainBinding = {
    modelDefaults: () => modelDefaults() as Record<string, unknown>,
    contextDefaults: () => contextDefaults() as Record<string, unknown>,
    loadModel: (file, params) => promise(loadModel, file, params),
    freeModel: (model) => void freeModel(model),
    initContext: (model, params) => promise(initContext, model, params),
    freeContext: (context) => void freeContext(context),
    contextLength: (context) => nCtx(context) as number,
    warmUp: async (context, token) => {
      const tokens = new Int32Array([token]);
      const status = await promise<number>(decode, context, batchGetOne(tokens, 1));
      memoryClear(getMemory(context), true);
      if (status !== 0) throw new LmTrainError("base", `llama.cpp could not evaluate the base model (llama_decode status ${status})`);
    },
    vocabSize: (model) => nTokens(getVocab(model)) as number,
    optInit: (context, model, nCtxTrain, optimizerParams) =>
      void optInit(context, model, {
        n_ctx_train: nCtxTrain,
        param_filter: paramFilterAll,
        param_filter_ud: null,
        get_opt_pars: constantParams,
        get_opt_pars_ud: optimizerParams,
        optimizer_type: OPTIMIZER_ADAMW,
      }),
    epoch: (context, dataset, result, idataSplit) => promise(epoch, context, dataset, result, null, idataSplit, null, null),
    save: (model, file) => promise(save, model, file),
    datasetInit: (datapointLength, count) => datasetInit(GGML_TYPE_I32, GGML_TYPE_I32, datapointLength, datapointLength, count, 1),
    datasetFree: (dataset) => void datasetFree(dataset),
    datasetSet: (dataset, data, labels) => {
      tensorSet(datasetData(dataset), data, 0, data.byteLength);
      tensorSet(datasetLabels(dataset), labels, 0, labels.byteLength);
    },
    resultInit: () => resultInit(),
    resultFree: (result) => void resultFree(result),
    resultReset: (result) => void resultReset(result),
    resultLoss: (result) => {
      const loss = [0];
      const unc = [0];
      resultLoss(result, loss, unc);
      return loss[0]!;
    },
    optimizerParams: () => {
      const pointer = koffi.alloc(OptimizerParams, 1);
      return {
        pointer,
        set: (learningRate, weightDecay) =>
          koffi.encode(pointer, OptimizerParams, {
            // ggml_opt_get_default_optimizer_params' AdamW moments and epsilon
            adamw_alpha: learningRate,
            adamw_beta1: 0.9,
            adamw_beta2: 0.999,
            adamw_eps: 1e-8,
            adamw_wd: weightDecay,
            sgd_alpha: learningRate,
            sgd_wd: weightDecay,
          }),
        free: () => koffi.free(pointer),
      };
    },
  };
  checkTrainDefaults(built.modelDefaults(), built.contextDefaults());
  binding = built;
  return built;
}

/** Refuses a library whose defaults differ from what this binding was written for (a different build, layout). */
export function checkTrainDefaults(model: Record<string, unknown>, context: Record<string, unknown>): void {
  const differences: string[] = [];
  for (const [key, expected] of Object.entries(EXPECTED_MODEL_DEFAULTS)) {
    if (model[key] !== expected) differences.push(`llama_model_params.${key}: expected ${String(expected)}, got ${String(model[key])}`);
  }
  for (const [key, expected] of Object.entries(EXPECTED_CONTEXT_DEFAULTS)) {
    const actual = typeof context[key] === "bigint" ? Number(context[key]) : context[key];
    if (actual !== expected) differences.push(`llama_context_params.${key}: expected ${String(expected)}, got ${String(actual)}`);
  }
  if (differences.length > 0) {
    throw new LmTrainError(
      "library",
      `llama.cpp's defaults differ from what the training binding was written for (${differences.join("; ")}): refusing to train`,
    );
  }
}

/** Context parameters for training: F32 KV cache, no flash attention, n_ctx = n_batch = n_ubatch. */
export function trainingContextParams(
  defaults: Record<string, unknown>,
  contextLength: number,
  threads: number,
): Record<string, unknown> {
  return {
    ...defaults,
    n_ctx: contextLength,
    n_batch: contextLength,
    n_ubatch: contextLength,
    n_seq_max: 1,
    n_threads: threads,
    n_threads_batch: threads,
    flash_attn_type: LLAMA_FLASH_ATTN_TYPE_DISABLED,
    type_k: GGML_TYPE_F32,
    type_v: GGML_TYPE_F32,
    no_perf: true,
  };
}

/** Model parameters for training: weights read into writable memory (no mmap), CPU only. */
export function trainingModelParams(defaults: Record<string, unknown>): Record<string, unknown> {
  return { ...defaults, load_mode: LLAMA_LOAD_MODE_NONE, n_gpu_layers: 0, use_extra_bufts: false };
}
