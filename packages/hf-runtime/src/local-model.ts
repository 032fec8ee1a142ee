/**
 * What the cross-encoder and the embedding model share: one loaded ONNX model with its tokenizer,
 * padded batches, and model calls queued one at a time (see serial-queue.ts).
 */
import type { PreTrainedModel, Tensor } from "@huggingface/transformers";
import type { ResolvedDevice } from "./device.js";
import { toBatchTensors, type BatchTensors, type EncodedSequence } from "./encoding.js";
import {
  loadPretrained,
  modelMaxLength,
  type LocalModelOptions,
  type ModelKind,
  type Pretrained,
} from "./pretrained.js";
import { SerialQueue } from "./serial-queue.js";

export abstract class LocalModel {
  readonly device: ResolvedDevice;
  /** The most tokens one sequence can have with this model. */
  readonly maxLength: number;
  readonly usesTokenTypes: boolean;
  private readonly padId: number;
  private readonly queue = new SerialQueue();
  /** Model calls made over this instance's life (tests read it to check batching). */
  modelCalls = 0;

  protected constructor(
    protected readonly provider: string,
    protected readonly loaded: Pretrained,
  ) {
    this.device = loaded.device;
    this.maxLength = modelMaxLength(loaded);
    this.usesTokenTypes = loaded.inputNames.includes("token_type_ids");
    const pad = loaded.tokenizer.pad_token_id;
    this.padId = typeof pad === "number" ? pad : 0;
  }

  /** Token ids of `text` alone, without special tokens. */
  tokenize(text: string): number[] {
    return this.loaded.tokenizer.encode(text, { add_special_tokens: false });
  }

  /** The padded tensors for a batch of encoded sequences. */
  batchTensors(sequences: readonly EncodedSequence[]): BatchTensors {
    return toBatchTensors(sequences, this.padId, this.usesTokenTypes);
  }

  /** One model call on a padded batch, queued behind this model's other calls. */
  protected forward(feeds: BatchTensors): Promise<Record<string, Tensor | undefined>> {
    return this.queue.run(async () => {
      this.modelCalls += 1;
      return (await (this.loaded.model as PreTrainedModel).forward(
        feeds as unknown as Record<string, Tensor>,
      )) as Record<string, Tensor | undefined>;
    });
  }

  async dispose(): Promise<void> {
    await this.loaded.model.dispose();
  }
}

/** Loads a model and wraps it, freeing the model when the wrapper refuses it (wrong head, …). */
export async function loadLocalModel<T>(
  kind: ModelKind,
  options: LocalModelOptions,
  wrap: (loaded: Pretrained) => T,
): Promise<T> {
  const loaded = await loadPretrained(kind, options);
  try {
    return wrap(loaded);
  } catch (err) {
    await loaded.model.dispose();
    throw err;
  }
}
