export {
  XCheckpointSaver,
  type RecordBatcher,
  type XCheckpointSaverOptions,
} from './x-checkpoint-saver.js';
export { checkpointerFor, type SaverContext } from './checkpointer-for.js';
export { reportModelUsage, type ModelUsageOptions, type UsageContext } from './model-usage.js';
