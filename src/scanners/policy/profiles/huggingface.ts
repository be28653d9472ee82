import type { Profile } from './types.js';

/**
 * Hugging Face Trainer checkpoints. rng_state.pth, optimizer.pt and scheduler.pt hold only torch/numpy/plain
 * globals (verified, see the torch and numpy profiles); training_args.bin is `torch.save(TrainingArguments)`:
 * the dataclass, its enums and the accelerate state objects it carries. transformers/accelerate are not
 * installable on the fixture machine, so these names come from the peers' lists built from real files
 * (fickling ML_ALLOWLIST, modelaudit ML_SAFE_GLOBALS) checked against the transformers/accelerate sources.
 * Class constructors and enums only: no from_pretrained, no hub download, no tokenizer loading.
 */
export const HUGGINGFACE_TABLE = {
  // dataclasses of hyper-parameters (push_to_hub is a field, not an action) and their enums
  'transformers.training_args': 'TrainingArguments OptimizerNames',
  'transformers.training_args_seq2seq': 'Seq2SeqTrainingArguments',
  'transformers.trainer_utils':
    'IntervalStrategy SchedulerType HubStrategy EvaluationStrategy FSDPOption SaveStrategy ShardedDDPOption',
  'transformers.debug_utils': 'DebugOption',
  'transformers.trainer_pt_utils': 'AcceleratorConfig',
  // DeepSpeed config wrappers: a nested dict (the constructor accepts a dict or a local JSON path)
  'transformers.integrations.deepspeed': 'HfTrainerDeepSpeedConfig HfDeepSpeedConfig',
  'transformers.deepspeed': 'HfTrainerDeepSpeedConfig HfDeepSpeedConfig',
  // accelerate enums/dataclasses and the PartialState singleton TrainingArguments caches (restored by
  // BUILD; its __init__ keyword init_method cannot be passed by REDUCE's positional arguments)
  'accelerate.utils.dataclasses': 'DistributedType DeepSpeedPlugin',
  'accelerate.utils.deepspeed': 'HfDeepSpeedConfig',
  'accelerate.state': 'PartialState',
  // TrainingArguments subclasses of the TRL trainers
  'trl.trainer.sft_config': 'SFTConfig',
  'trl.trainer.dpo_config': 'DPOConfig FDivergenceType',
  'trl.trainer.grpo_config': 'GRPOConfig',
  'trl.trainer.kto_config': 'KTOConfig',
  'trl.trainer.ppov2_config': 'PPOv2Config',
  'sentence_transformers.training_args':
    'SentenceTransformerTrainingArguments BatchSamplers MultiDatasetBatchSamplers',
} as const satisfies Readonly<Record<string, string>>;

export const HUGGINGFACE: Profile = {
  id: 'huggingface',
  description:
    'Hugging Face Trainer files: training_args.bin dataclasses and enums (transformers, accelerate, trl)',
  table: HUGGINGFACE_TABLE,
};
