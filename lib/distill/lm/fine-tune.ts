// Placeholder with the final signature: the LM student's fine-tuning (issue #12), implemented in its own branch.
// Full fine-tuning of a GGUF (F32) with llama.cpp's own training functions (llama_opt_init / llama_opt_epoch) through
// koffi, saved with llama_model_save_to_file.

export interface FineTunePair {
  /** the text the model is given (the rendered prompt as the model server would format it) */
  input: string;
  /** the text it must learn to answer */
  output: string;
}

export interface FineTuneOptions {
  /** the F32 GGUF to start from */
  baseFile: string;
  pairs: FineTunePair[];
  /** written complete or not at all (a temporary file renamed at the end) */
  outFile: string;
  epochs: number;
  learningRate: number;
  threads?: number;
  seed?: number;
  /** called after every epoch (and may be called more often) with the training loss */
  onLoss?: (point: { step: number; epoch: number; loss: number }) => void;
  /** stops after the current epoch; the output file is not written */
  signal?: AbortSignal;
}

export interface FineTuneResult {
  finalLoss: number;
  epochs: number;
  trainTokens: number;
  milliseconds: number;
  sizeBytes: number;
}

export async function fineTune(options: FineTuneOptions): Promise<FineTuneResult> {
  void options;
  throw new Error("LM fine-tuning is not built yet");
}
