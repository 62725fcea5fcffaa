// The lending services and worker, for the composition root (cli).
export { lendingCommandService } from './service/commandService.js';
export { shelvingService } from './service/shelvingService.js';
export { ensureLendingTopics, queueLending } from './service/queue.js';
export { lendingWorkerService } from './worker/workerService.js';
export { runLendingWorker } from './worker/runWorker.js';
export type { RedisTarget } from './redis/connection.js';
