// The bookshelf views (last-read books, book list), for the composition root (cli).
export { lastReadService } from './lastReadService.js';
export { bookListService } from './bookListService.js';
