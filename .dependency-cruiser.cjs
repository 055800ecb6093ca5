/**
 * The layers of docs/architecture.md#layers-and-their-rules as rules the build enforces
 * (test/main/dependencyRules.test.ts runs them in
 * `npm test`; a violation fails it). Each rule says in one line why it exists. Paths are relative to
 * the repository root; "type-only" imports vanish at build time and are allowed where a rule says so.
 *
 *   contract ← kernel ← services (capture, queue, graph, auth, tenant, check, net, sim) ← transports (ipc, host)
 * ← app (composition) ← entry points
 *
 * Adding a folder or an adapter: add it to the rule it belongs to, with the reason, not an exception.
 * @type {import('dependency-cruiser').IConfiguration}
 */
const SERVICES = '^src-main/(capture|queue|graph|auth|tenant|check|sim|net)/';
const ENTRY_POINTS = '^src-main/(main\\.ts|cli\\.ts|cli/|app/)';

module.exports = {
  forbidden: [
    {
      name: 'contract-imports-nothing',
      comment:
        'The contract is shared by main, preload and renderer: anything it imports is bundled into all three (zod only).',
      severity: 'error',
      from: { path: '^src-main/contract/' },
      to: { pathNot: ['^src-main/contract/', '(^|/)node_modules/zod/'] },
    },
    {
      name: 'kernel-imports-only-the-contract',
      comment:
        'Clock, logger and event bus are used by every layer: importing any of them must never pull in a service or a package.',
      severity: 'error',
      from: { path: '^src-main/kernel/' },
      to: { path: '^src-|(^|/)node_modules/', pathNot: '^src-main/(kernel|contract)/' },
    },
    {
      name: 'kernel-names-the-contract-as-types-only',
      comment:
        'The contract carries zod at run time: the kernel only names its types (event names and payloads), so the logger stays free of it.',
      severity: 'error',
      from: { path: '^src-main/kernel/' },
      to: { path: '^src-main/contract/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sim-never-imports-the-station',
      comment:
        'The simulator stands for Microsoft: sharing the queue, sign-in or composition would make it confirm the station instead of testing it.',
      severity: 'error',
      from: { path: '^src-main/sim/' },
      to: { path: '^src-main/(queue|auth|tenant|app|ipc|host|cli)/|^src-main/(main|preload|window|cli)\\.ts$' },
    },
    {
      name: 'electron-only-in-the-electron-shell',
      comment:
        'Loading electron outside the Electron app crashes browser mode and the CLI; elsewhere only its types may be named.',
      severity: 'error',
      from: { pathNot: '^src-main/(main|preload)\\.ts$' },
      to: { path: '(^|/)node_modules/electron/|^electron$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sqlite-only-in-the-queue-store',
      comment:
        'better-sqlite3 is a native module rebuilt per runtime: the adapters behind the QueueStore and CorporateStore ports keep it swappable and testable.',
      severity: 'error',
      from: { pathNot: '^src-main/queue/sqlite(Queue|Corporate)Store\\.ts$' },
      to: { path: '(^|/)node_modules/better-sqlite3/|^better-sqlite3$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'systeminformation-only-in-its-serial-port',
      comment:
        'systeminformation shells out to WMI and dmidecode: one adapter behind SystemSerialPort so tests and other platforms pass a fake.',
      severity: 'error',
      from: { pathNot: '^src-main/capture/systeminformationSerialPort\\.ts$' },
      to: { path: '(^|/)node_modules/systeminformation/|^systeminformation$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'http-servers-only-in-the-host-and-the-sim',
      comment:
        'Only browser mode and the simulated tenant listen on a port; a server anywhere else is a door nobody reviewed.',
      severity: 'error',
      from: { pathNot: '^src-main/(host/browserHost|sim/startSimulatedTenant)\\.ts$' },
      to: { path: '^(node:)?(http|https|http2)$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'outbound-http-only-through-the-network-port',
      comment:
        'Every request to Microsoft goes through the network port (proxy, trusted roots, keep-alive): its Node adapter is the only undici user; a second client would bypass the proxy, the CA file and the test CA.',
      severity: 'error',
      from: { pathNot: '^src-main/net/nodeNetwork\\.ts$' },
      to: { path: '(^|/)node_modules/undici/|^undici$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'renderer-imports-only-contract-types',
      comment:
        'The renderer runs sandboxed in Chromium: node code must never be bundled into it; it shares the contract as types only.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/', pathNot: '^src-main/contract/' },
    },
    {
      name: 'renderer-contract-without-zod',
      comment:
        'contract.ts and schemas.ts carry zod: the renderer names their types (import type) so the schemas stay in main.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/contract/(contract|schemas|define)\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-do-not-reach-up-into-composition',
      comment:
        'app/ builds everything; a service that imports it at run time depends on every other service (and on Electron or HTTP through them).',
      severity: 'error',
      from: { pathNot: ENTRY_POINTS },
      to: { path: '^src-main/app/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'services-do-not-import-transports',
      comment:
        'Services answer plain calls; IPC, HTTP and the window are the transports that call them, never the other way round.',
      severity: 'error',
      from: { path: SERVICES },
      to: { path: '^src-main/(ipc|host)/|^src-main/(main|preload|window|appProtocol)\\.ts$' },
    },
    {
      name: 'transports-reach-services-through-the-contract',
      comment:
        "ipc/ and host/ dispatch the contract's handlers; importing a service directly would skip the sender check and the input schema.",
      severity: 'error',
      from: { path: '^src-main/(ipc|host)/' },
      to: { path: SERVICES },
    },
    {
      name: 'no-runtime-cycles',
      comment: 'A cycle makes load order decide behaviour and the layers meaningless.',
      severity: 'error',
      from: { path: '^src-(main|renderer)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    // Type-only imports are kept in the graph (marked "type-only") so rules can tell them apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The screenshot harness is a development page that reuses the renderer tests' fake api.
    exclude: { path: '^src-renderer/dev/' },
  },
};
