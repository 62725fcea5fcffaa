// The orders report and notifications view, for the composition root (cli).
export { ordersViewService } from './ordersViewService.js';
