// The orders command services (shop, saga, notifiers), for the composition root (cli).
export { ordersShopService } from './service/shopService.js';
export { ordersSagaService } from './service/sagaService.js';
export { notifierService } from './service/notifierService.js';
