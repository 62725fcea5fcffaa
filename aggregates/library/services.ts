// The library command service, for the composition root (cli).
export { libraryService, loadDemoLibrary } from './service.js';
