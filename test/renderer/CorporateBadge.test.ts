import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/svelte';
import QueueTable from '../../src-renderer/lib/components/QueueTable.svelte';
import HeaderCounts from '../../src-renderer/lib/components/HeaderCounts.svelte';
import { QueueStore } from '../../src-renderer/lib/stores/queue.svelte.ts';
import type { StationApi } from '../../src-renderer/lib/api.ts';
import CorporateBadge from '../../src-renderer/lib/components/CorporateBadge.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { en } from '../../src-renderer/lib/i18n/en.ts';
import { ja } from '../../src-renderer/lib/i18n/ja.ts';
import { REGISTRATION_TARGETS, type QueueRow } from '../../src-main/contract/types.ts';
import { withActions } from './seedQueue.ts';

const row = (id: string, extra: Partial<QueueRow>): QueueRow =>
  withActions({
    id,
    serialNumber: id,
    groupTag: 'Lab',
    assignedUser: '',
    state: 'registered',
    stateSince: '2026-11-23T10:00:00Z',
    source: { kind: 'file', path: 'a.csv' },
    capturedAt: '2026-11-23T09:00:00Z',
    flags: [],
    ...extra,
  });

describe('corporate identifier on screen', () => {
  it('the queue shows both registrations; a corporate-only device shows only its corporate state', () => {
    i18n.setLocale('en');
    const rows = [
      row('BOTH1', { corporate: { state: 'done', identifier: 'Contoso,Bench 1,BOTH1', requestIds: ['r1'] } }),
      row('ONLY1', {
        state: 'queued',
        flags: ['corporate-only'],
        corporate: { state: 'already-present', requestIds: [] },
      }),
      row('AP1', { corporate: { state: 'not-requested', requestIds: [] } }),
    ];
    render(QueueTable, {
      props: {
        rows,
        selected: new Set<string>(),
        rowHeight: 50,
        overscan: 5,
        fallbackHeight: 500,
        onToggle: () => {},
        onOpen: () => {},
        onSelectAll: () => {},
      },
    });
    const [both, only, ap] = screen.getAllByTestId('queue-row');
    expect(both!.textContent).toContain('Registered');
    expect(both!.querySelector('[data-corporate-state="done"]')!.textContent).toContain('Added');
    expect(only!.textContent).not.toContain('Queued');
    expect(only!.textContent).toContain('Already in Intune');
    expect(ap!.querySelector('[data-testid="corporate-badge"]')).toBeNull();
  });

  it('words the reason in English and Japanese with its params', () => {
    const corporate = {
      state: 'unavailable' as const,
      errorCode: 'CORP_MISSING_VALUES',
      params: { missing: 'model' },
      requestIds: [],
    };
    i18n.setLocale('ja');
    const { unmount } = render(CorporateBadge, { props: { corporate } });
    expect(screen.getByTestId('corporate-badge').textContent).toContain('登録できません');
    expect(screen.getByTestId('corporate-badge').textContent).toContain('企業識別子に必要な値 (モデル) がない');
    unmount();
    i18n.setLocale('en');
    render(CorporateBadge, { props: { corporate } });
    expect(screen.getByTestId('corporate-badge').textContent).toContain('The hardware hash has no model');
  });

  it("every corporate key has an English and a Japanese text, and Japanese uses Microsoft's 企業識別子", () => {
    const keys = Object.keys(en).filter(
      (k) => k.startsWith('corporate.') || k.startsWith('code.CORP_') || k.startsWith('registrationTargets.'),
    );
    expect(keys.length).toBeGreaterThan(20);
    for (const k of keys) expect(ja[k as keyof typeof ja]).toBeTruthy();
    // Every registration target of the contract has its words (Settings shows one box per target).
    for (const r of REGISTRATION_TARGETS) expect(keys).toContain(`registrationTargets.${r}`);
    expect(ja['corporate.title']).toBe('企業識別子');
  });

  it('the header counts corporate identifiers only when the station registers them', async () => {
    i18n.setLocale('en');
    const rows = [
      row('A', { corporate: { state: 'done', requestIds: [] } }),
      row('B', { corporate: { state: 'already-present', requestIds: [] } }),
      row('C', { corporate: { state: 'sending', requestIds: [] } }),
      row('D', { corporate: { state: 'unavailable', requestIds: [] } }),
    ];
    const api = {
      listQueue: async () => ({ total: rows.length, offset: 0, rows, counts: { registered: 4 } }),
      on: () => () => {},
    } as unknown as StationApi;
    const queue = new QueueStore(api);
    await queue.load();
    render(HeaderCounts, { props: { queue } });
    expect(screen.getByTestId('count-corporate').textContent!.replace(/\s+/g, ' ')).toBe(
      'Corp. ID: 2 Added · 1 Waiting · 1 Failed',
    );
  });
});
