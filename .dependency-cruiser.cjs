// The floors of govmon (docs/architecture.md), checked on every import by `npm run boundaries` and
// in CI. From the bottom up:
//   core/        the ground: error types, time, SQL quoting, the log, the package's paths
//   metrics/     definitions only: metrics, conditions, labels, SQL models, profiles — no I/O
//   pipelines/   the store, ingest, connectors, the runs of a month and a year
//   dashboards/  outputs: exports, documents, the site — reading pipelines/ only through read.ts
//   apps/        the entry layer: jobs (one function per job), then the daemon, portal, demo,
//                bench and sample city, then the CLI on top of them all
// An import may only go down (or stay on its floor); no circle anywhere. There are no exceptions.

const FLOORS = ['core', 'metrics', 'pipelines', 'dashboards', 'apps'];
const above = (floor) => FLOORS.slice(FLOORS.indexOf(floor) + 1);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A circle of imports: two modules that need each other are one idea, or need a third below both.',
      from: {},
      to: { circular: true },
    },
    ...FLOORS.filter((f) => above(f).length).map((floor) => ({
      name: `${floor}-not-up`,
      severity: 'error',
      comment: `${floor}/ imports only from its own floor and below (${FLOORS.slice(0, FLOORS.indexOf(floor) + 1).join(' < ')}).`,
      from: { path: `^${floor}/` },
      to: { path: `^(${above(floor).join('|')})/` },
    })),
    {
      name: 'metrics-no-io',
      severity: 'error',
      comment: 'metrics/ holds definitions: no file system, process, network or database.',
      from: { path: '^metrics/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg'],
        pathNot: '^(node_modules/zod/|node:crypto$|crypto$)',
      },
    },
    {
      name: 'core-no-packages',
      severity: 'error',
      comment: 'core/ is the ground: Node built-ins only.',
      from: { path: '^core/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'] },
    },
    {
      name: 'dashboards-read-api-only',
      severity: 'error',
      comment: 'Outputs read the pipeline through pipelines/read.ts only, never the store or the runs themselves.',
      from: { path: '^dashboards/' },
      to: { path: '^pipelines/', pathNot: '^pipelines/read\\.ts$' },
    },
    {
      name: 'jobs-below-the-apps',
      severity: 'error',
      comment: 'apps/jobs/ is the one function per job every app calls; it calls no app.',
      from: { path: '^apps/jobs/' },
      to: { path: '^apps/(?!jobs/)' },
    },
    {
      name: 'apps-below-the-cli',
      severity: 'error',
      comment: 'The CLI dispatches to every app; no app imports the CLI.',
      from: { path: '^apps/(?!cli/)' },
      to: { path: '^apps/cli/' },
    },
    {
      name: 'apps-side-by-side',
      severity: 'error',
      comment:
        'The daemon, portal, demo and bench stand side by side: they share apps/jobs/, not each other (the demo may use the sample city).',
      from: { path: '^apps/(daemon|portal|bench|sample)/' },
      to: { path: '^apps/(daemon|portal|demo|bench|sample)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'demo-side-by-side',
      severity: 'error',
      comment: 'The demo uses the sample city and the jobs, no other app.',
      from: { path: '^apps/demo/' },
      to: { path: '^apps/(daemon|portal|bench)/' },
    },
    {
      name: 'source-not-tests',
      severity: 'error',
      comment: 'The product never imports test code.',
      from: { pathNot: '^tests/' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    // packages and Node built-ins are seen (the I/O rules need them) but not walked into
    doNotFollow: {
      path: 'node_modules',
      dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-bundled', 'npm-no-pkg', 'core'],
    },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
