import { createRegistry } from '../../../discolib/index.js';
import { describeRegistry } from '../../../discolib/testing/index.js';

describeRegistry('memory (health probes)', () => createRegistry({ kind: 'memory' }), {
  checkInterval: '100ms',
  healthTimeoutMs: 5000,
});
