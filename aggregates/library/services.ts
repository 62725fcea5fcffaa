// The library command service, for the composition root (cli).
export { DEMO_SETS, libraryService, loadDemoLibrary, type DemoSet } from './service.js';
