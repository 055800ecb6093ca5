/**
 * The Queue screen: the rows the station now writes say what happened, in English and
 * Japanese: an 806 whose group tag was kept or changed, a throttled import with the time it is sent
 * again (the deadline column), and a captive portal.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/svelte';
import QueueTable from '../../src-renderer/lib/components/QueueTable.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import type { QueueRow } from '../../src-main/contract/types.ts';
import { withActions } from './seedQueue.ts';

const now = Date.now();
function row(id: string, patch: Partial<QueueRow>): QueueRow {
  return withActions(
    {
      id,
      serialNumber: id,
      groupTag: 'Bench',
      assignedUser: '',
      state: 'queued',
      stateSince: new Date(now).toISOString(),
      source: { kind: 'file', path: 'a.csv', line: 2 },
      capturedAt: new Date(now).toISOString(),
      flags: [],
      ...patch,
    },
    now,
  );
}
const rows = [
  row('KEPT1', { state: 'already-registered', errorCode: 806, errorName: 'GROUP_TAG_KEPT' }),
  row('CHANGED1', { state: 'already-registered', errorCode: 806, errorName: 'GROUP_TAG_CHANGED' }),
  row('THROTTLED1', {
    state: 'queued',
    errorName: 'GRAPH_THROTTLED',
    deadline: new Date(now + 3600_000).toISOString(),
  }),
  row('PORTAL1', { state: 'importing', errorName: 'GRAPH_NOT_JSON' }),
];

afterEach(() => cleanup());

function shown(locale: 'en' | 'ja'): Record<string, string> {
  i18n.setLocale(locale);
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
  return Object.fromEntries(
    screen.getAllByTestId('queue-row').map((r) => [r.id.replace('qrow-', ''), r.textContent ?? '']),
  );
}

describe('Queue rows that say what happened', () => {
  it('English: the kept tag, the changed tag, throttled with its time, a captive portal', () => {
    const text = shown('en');
    expect(text.KEPT1).toContain(i18n.t('code.GROUP_TAG_KEPT'));
    expect(text.KEPT1).toMatch(/not applied/);
    expect(text.CHANGED1).toMatch(/was changed to the one queued/);
    expect(text.THROTTLED1).toMatch(/slow down/);
    expect(text.THROTTLED1).toContain(i18n.relative(new Date(now + 3600_000).toISOString(), now));
    expect(text.PORTAL1).toMatch(/captive portal/);
  });

  it('Japanese: the same rows in Japanese words', () => {
    const text = shown('ja');
    expect(text.KEPT1).toContain('適用していない');
    expect(text.CHANGED1).toContain('変更しました');
    expect(text.PORTAL1).toContain('キャプティブ ポータル');
    expect(text.THROTTLED1).toContain(i18n.t('code.GRAPH_THROTTLED'));
  });
});
