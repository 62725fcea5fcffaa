// The bookshelf command services, for the composition root (cli).
export { newBookService, type NewBookOptions } from './newBookService.js';
export { readBookService, type ReadBookOptions } from './readBookService.js';
