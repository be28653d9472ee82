/**
 * Input and output formats of common Hugging Face pipeline tasks (`pipeline_tag`), in the words of
 * CycloneDX's `modelParameters.inputs/outputs[].format` (`string`, `image`, `audio` …).
 */
const TASK_IO: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
  'text-generation': [['string'], ['string']],
  'text2text-generation': [['string'], ['string']],
  'text-classification': [['string'], ['string']],
  'token-classification': [['string'], ['string']],
  'question-answering': [['string'], ['string']],
  'fill-mask': [['string'], ['string']],
  summarization: [['string'], ['string']],
  translation: [['string'], ['string']],
  'zero-shot-classification': [['string'], ['string']],
  'feature-extraction': [['string'], ['vector']],
  'sentence-similarity': [['string'], ['number']],
  'image-classification': [['image'], ['string']],
  'object-detection': [['image'], ['string']],
  'image-segmentation': [['image'], ['image']],
  'image-to-text': [['image'], ['string']],
  'text-to-image': [['string'], ['image']],
  'automatic-speech-recognition': [['audio'], ['string']],
  'text-to-speech': [['string'], ['audio']],
  'audio-classification': [['audio'], ['string']],
  'time-series-forecasting': [['time-series'], ['time-series']],
};

export function taskIo(task: string | undefined): { inputs: readonly string[]; outputs: readonly string[] } {
  const io = task !== undefined && Object.hasOwn(TASK_IO, task) ? TASK_IO[task] : undefined;
  return { inputs: io?.[0] ?? [], outputs: io?.[1] ?? [] };
}
