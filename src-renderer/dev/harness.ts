/**
 * Dev-only entry (vite.harness.config.ts; never in the production build): mounts the real App on an
 * in-memory station seeded with devices in every state, so the screens can be looked at and measured
 * without the main process. Options come from the URL fragment, e.g.
 * #screen=queue&lang=ja&theme=dark&n=10000&mode=tenant&device=dev-5&locked=tenantId,cloud&corp=1
 */
import { flushSync, mount } from 'svelte';
import App from '../App.svelte';
import '../app.css';
import { i18n } from '../lib/i18n/i18n.svelte.ts';
import { clock } from '../lib/stores/clock.svelte.ts';
import { FakeStationApi } from '../../test/renderer/fakeStationApi.ts';
import { seedQueue } from '../../test/renderer/seedQueue.ts';
import { fakeHash } from '../../test/renderer/fakeHash.ts';
import type { CorporateRegistration } from '../../src-main/contract/types.ts';

type Screen = 'capture' | 'import' | 'queue' | 'settings';
const params = new URLSearchParams(location.hash.slice(1));
const now = Date.parse(params.get('now') ?? '2026-11-23T10:00:00Z');
const n = Number(params.get('n') ?? 10_000);
const mode = params.get('mode') === 'tenant' ? 'tenant' : 'training';

clock.source = () => now;
localStorage.clear();
sessionStorage.clear();
i18n.setLocale(params.get('lang') === 'ja' ? 'ja' : 'en');
const theme = params.get('theme');
if (theme === 'dark' || theme === 'light') localStorage.setItem('station.theme', theme);

const devices = seedQueue(n, now);
// #corp=1: every device also carries a corporate identifier registration, states cycling.
if (params.get('corp')) {
  const states = ['done', 'already-present', 'sending', 'queued', 'failed', 'unavailable', 'done'] as const;
  devices.forEach((d, i) => {
    const state = states[i % states.length]!;
    const [manufacturer, model] = [d.detail.hash.manufacturer ?? 'Contoso', d.detail.hash.model ?? 'Surface Laptop 6'];
    const corporate: CorporateRegistration = {
      state,
      identifier: `${manufacturer},${model},${d.row.serialNumber}`,
      requestIds: state === 'queued' ? [] : [`a1b2c3d4-0000-4000-8000-${String(i).padStart(12, '0')}`],
      ...(state === 'failed'
        ? { errorCode: 'CORP_REFUSED', params: { identifier: `${manufacturer},${model},${d.row.serialNumber}` } }
        : {}),
      ...(state === 'unavailable' ? { errorCode: 'CORP_MISSING_VALUES', params: { missing: 'model' } } : {}),
    };
    d.row.corporate = corporate;
    d.detail.row.corporate = corporate;
  });
}

const fake = new FakeStationApi({
  now: () => now,
  devices,
  info: mode === 'tenant' ? { mode, tenant: { tenantId: 'contoso.onmicrosoft.com', cloud: 'global' } } : { mode },
  settings: {
    ...(mode === 'tenant'
      ? { tenantId: 'contoso.onmicrosoft.com', clientId: '0c1a6b9e-6f4e-4b7a-9c4d-2f1e3a5b7c9d' }
      : {}),
    authMode: params.get('auth') === 'device-code' ? 'device-code' : 'browser',
    defaultGroupTag: 'Sales-Tokyo',
    dropFolder: 'D:\\Autopilot\\Drop',
    locked: (params.get('locked') ?? '').split(',').filter(Boolean),
  },
  auth:
    mode === 'tenant'
      ? params.get('signedIn')
        ? { state: 'signed-in', account: { username: 'tech@contoso.com', tenantId: 'contoso.onmicrosoft.com' } }
        : { state: 'signed-out' }
      : { state: 'training' },
  ...(params.get('noserial')
    ? { thisDevice: { serial: { problem: 'placeholder', raw: 'To be filled by O.E.M.' }, needsSerial: true } }
    : {}),
  files: {
    'D:\\Autopilot\\Drop\\OA3.xml': `<?xml version="1.0"?><Key><HardwareHash>${fakeHash('Contoso', 'Surface Laptop 6', 'PF4XK2QZ')}</HardwareHash></Key>`,
  },
});

const target = document.getElementById('app')!;
const started = performance.now();
mount(App, {
  target,
  props: {
    api: fake.api,
    initialScreen: (params.get('screen') as Screen | null) ?? 'capture',
    ...(params.get('device') ? { initialDevice: params.get('device')! } : {}),
  },
});

/** Resolves when the first queue rows are on screen: the render time the benchmark reports. */
const ready = new Promise<number>((resolve) => {
  const done = () => requestAnimationFrame(() => resolve(performance.now() - started));
  if (target.querySelector('[data-testid="queue-row"]')) return done();
  const mo = new MutationObserver(() => {
    if (target.querySelector('[data-testid="queue-row"]')) {
      mo.disconnect();
      done();
    }
  });
  mo.observe(target, { childList: true, subtree: true });
});

Object.assign(window, { __harness: { fake, flushSync, ready, fakeHash } });
