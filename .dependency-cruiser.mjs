// The import rules of the tree (docs/architecture.md): `npm run check` runs dependency-cruiser with these, and
// an import that breaks one fails the check. TypeScript 7 has no JS API, so the files are parsed with swc.
//
// apps/server/src, top to bottom (an area imports only areas below it):
//   main.ts, app.ts, startup.ts            the composition root (anything)
//   http | gateway | federation             transports (never each other); federation speaks ActivityPub
//   domain                                  every rule; never fastify, ws or a transport
//   events | state | media | mail | jobs    infrastructure (never the domain or above; jobs may use the store)
//   store                                   the database (none of the above)
//   config.ts                               settings, read by any of the above
//   packages: protocol | permissions        the wire contract and the permission engine (never an app)

const server = '^apps/server/src/';
const root = `${server}(main|app|startup)[.]ts$`;
const transports = `${server}(http|gateway|federation)/`;
const domain = `${server}domain/`;
const infrastructure = `${server}(store|events|state|media|mail|jobs)/`;
const config = `${server}config[.]ts$`;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, directly or through others: split out what both need.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-root-imports',
      severity: 'error',
      comment: 'main, app and startup compose the server; nothing imports them.',
      from: { path: server, pathNot: root },
      to: { path: root },
    },
    {
      name: 'transports-apart',
      severity: 'error',
      comment:
        'http, gateway and federation are separate transports: what two need lives in the domain or below.',
      from: { path: transports },
      to: { path: transports, pathNot: `${server}$1/` },
    },
    {
      name: 'domain-below-transports',
      severity: 'error',
      comment:
        'The domain decides; it never imports a transport (http, gateway, federation) nor the composition root.',
      from: { path: domain },
      to: { path: transports },
    },
    {
      name: 'no-transport-libraries-below-transports',
      severity: 'error',
      comment:
        'Neither the domain nor infrastructure imports fastify or ws: a transport hands them plain values.',
      from: { path: `${server}(domain|store|events|state|media|mail|jobs)/` },
      to: { path: '(^|/)node_modules/(fastify|@fastify/[^/]+|fastify-plugin|ws)/' },
    },
    {
      name: 'infrastructure-below-domain',
      severity: 'error',
      comment:
        'store, events, state, media, mail and jobs serve the domain and the transports; never the reverse.',
      from: { path: infrastructure },
      to: { path: `${server}(domain|http|gateway|federation)/` },
    },
    {
      name: 'infrastructure-apart',
      severity: 'error',
      comment: 'events, state, media and mail stand alone: what they share lives in config or protocol.',
      from: { path: `${server}(events|state|media|mail)/` },
      to: { path: `${server}(events|state|media|mail|jobs)/`, pathNot: `${server}$1/` },
    },
    {
      name: 'store-at-the-bottom',
      severity: 'error',
      comment: 'The store is the bottom of the server: it imports no other area.',
      from: { path: `${server}store/` },
      to: { path: `${server}(events|state|media|mail|jobs)/` },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'config.ts reads settings; it imports nothing of the server.',
      from: { path: config },
      to: { path: server },
    },
    {
      name: 'packages-never-import-apps',
      severity: 'error',
      comment: 'protocol and permissions are below every app.',
      from: { path: '^packages/' },
      to: { path: '^apps/' },
    },
    {
      name: 'permissions-pure',
      severity: 'error',
      comment:
        'The permission engine is pure functions over plain data: no I/O, no other package but protocol.',
      from: { path: '^packages/permissions/src/' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'] },
    },
    {
      name: 'web-imports-only-the-contract',
      severity: 'error',
      comment:
        'The web app is a client of the public API: of this repository it imports only protocol and permissions.',
      from: { path: '^apps/web/src/' },
      to: { path: '^(apps/server|packages/(?!protocol/|permissions/))' },
    },
    {
      name: 'web-protocol-types-only',
      severity: 'error',
      comment:
        "The web app takes protocol's types only (import type), its schemas would add TypeBox to the bundle; channel-kinds and voice-csrc have none.",
      from: { path: '^apps/web/src/' },
      to: {
        path: '^packages/protocol/',
        pathNot: '^packages/protocol/src/(channel-kinds|voice-csrc)[.]ts$',
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'server-never-imports-web',
      severity: 'error',
      comment: 'The server serves the built web app as files; it never imports its code.',
      from: { path: server },
      to: { path: '^apps/web/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^apps/[^/]+/(dist|data)/' },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
