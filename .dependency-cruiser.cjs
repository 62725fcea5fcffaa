// The direction of imports (README "Layout"): libraries <- platform <- domains <- gateway <- cli. Domains meet
// each other only through `aggregates/<domain>/contract.ts`; the cli reaches a domain's services through its
// `services.ts`. `npm run lint` checks it; test/unit/layers.test.ts shows each rule failing on a wrong import.
const LIBRARIES = '(eventlib|discolib|restlib)';
const ABOVE_LIBRARIES = '^(platform|aggregates|views|gateway|cli|docker|test|bench)/';
// restlib/errors.ts, restlib/text.ts and platform/errors.ts are pure (no transport, no server): the domain cores'
// error catalogues and input schemas import them directly, so a decide function loads nothing else.
const BARREL = `^(${LIBRARIES}/(index\\.ts$|testing/)|restlib/(errors|text)\\.ts$)`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'libraries-stay-below',
      comment: 'eventlib, discolib and restlib know nothing of the platform, the domains or the apps',
      severity: 'error',
      from: { path: `^${LIBRARIES}/` },
      to: { path: ABOVE_LIBRARIES },
    },
    {
      name: 'libraries-through-barrels',
      comment: 'outside a library, import it through its index.ts (or testing/), never a file inside it',
      severity: 'error',
      from: { path: '^(eventlib|discolib|restlib|platform|aggregates|views|gateway|cli)/' },
      to: { path: `^${LIBRARIES}/`, pathNot: [BARREL, '^$1/'] },
    },
    {
      name: 'platform-below-domains',
      comment: 'platform/ serves every domain, so it imports none of them (nor the gateway or the cli)',
      severity: 'error',
      from: { path: '^platform/' },
      to: { path: '^(aggregates|views|gateway|cli)/' },
    },
    {
      name: 'domains-through-the-platform-barrel',
      comment: 'domains and the gateway import platform/index.ts (error catalogues: platform/errors.ts, which is pure)',
      severity: 'error',
      from: { path: '^(aggregates|views|gateway|cli)/' },
      to: { path: '^platform/', pathNot: '^platform/(index|errors)\\.ts$' },
    },
    {
      name: 'domains-below-gateway',
      comment: 'aggregates and views do not know the gateway or the cli that host them',
      severity: 'error',
      from: { path: '^(aggregates|views)/' },
      to: { path: '^(gateway|cli)/' },
    },
    {
      name: 'gateway-below-cli',
      severity: 'error',
      from: { path: '^gateway/' },
      to: { path: '^cli/' },
    },
    {
      name: 'aggregates-meet-through-contracts',
      comment: 'another domain is imported only through its contract.ts',
      severity: 'error',
      from: { path: '^aggregates/([^/]+)/' },
      to: { path: '^aggregates/', pathNot: ['^aggregates/$1/', '^aggregates/[^/]+/contract\\.ts$'] },
    },
    {
      name: 'views-and-gateway-read-contracts',
      comment: "views and the gateway import a domain's contract.ts, never its internals",
      severity: 'error',
      from: { path: '^(views|gateway)/' },
      to: { path: '^aggregates/', pathNot: '^aggregates/[^/]+/contract\\.ts$' },
    },
    {
      name: 'views-stay-apart',
      comment: 'a view does not import another view; the gateway reaches views over HTTP',
      severity: 'error',
      from: { path: '^(views/([^/]+)/|gateway/)' },
      to: { path: '^views/', pathNot: '^views/$2/' },
    },
    {
      name: 'cli-through-contracts-and-services',
      comment: "the composition root takes a domain's services.ts (factories) and contract.ts, not its files",
      severity: 'error',
      from: { path: '^cli/' },
      to: {
        path: '^(aggregates|views)/',
        pathNot: ['^aggregates/[^/]+/(contract|services)\\.ts$', '^views/[^/]+/services\\.ts$'],
      },
    },
    {
      name: 'examples-use-the-public-subpaths',
      comment: "an example is what a user writes: it imports bookshelf/eventlib, discolib, restlib, platform, testing",
      severity: 'error',
      from: { path: '^examples/' },
      to: {
        path: '^(eventlib|discolib|restlib|platform|aggregates|views|gateway|cli|docker|test|bench)/',
        pathNot: '^((eventlib|discolib|restlib|platform)/index|platform/testing/index)\\.ts$',
      },
    },
    {
      name: 'products-never-import-tests',
      severity: 'error',
      from: { path: '^(eventlib|discolib|restlib|platform|aggregates|views|gateway|cli)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
