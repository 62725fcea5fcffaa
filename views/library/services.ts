// The library catalog and patrons view, for the composition root (cli).
export { libraryViewService } from './libraryViewService.js';
