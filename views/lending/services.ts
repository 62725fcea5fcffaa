// The lending status view, for the composition root (cli).
export { lendingViewService } from './lendingViewService.js';
