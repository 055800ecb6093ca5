import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import QueueTable from '../../src-renderer/lib/components/QueueTable.svelte';
import { i18n } from '../../src-renderer/lib/i18n/i18n.svelte.ts';
import { seedQueue } from './seedQueue.ts';

const rows = seedQueue(10_000, Date.parse('2026-11-23T10:00:00Z')).map((d) => d.row);

function setup(selected = new Set<string>()) {
  i18n.setLocale('en');
  const onToggle = vi.fn();
  const onOpen = vi.fn();
  const onSelectAll = vi.fn();
  render(QueueTable, {
    props: { rows, selected, rowHeight: 50, overscan: 5, fallbackHeight: 500, onToggle, onOpen, onSelectAll },
  });
  return { onToggle, onOpen, onSelectAll };
}

describe('QueueTable (virtualized)', () => {
  it('renders only the rows in view plus overscan, in a spacer as tall as all rows', () => {
    setup();
    const shown = screen.getAllByTestId('queue-row');
    // 500 px / 50 px = 10 rows in view, + 5 overscan below (none above at the top).
    expect(shown).toHaveLength(15);
    expect(shown[0]!.textContent).toContain(rows[0]!.serialNumber);
    const spacer = screen.getByTestId('queue-viewport').firstElementChild as HTMLElement;
    expect(spacer.style.height).toBe(`${10_000 * 50}px`);
    expect(screen.getByTestId('queue-table').getAttribute('aria-rowcount')).toBe('10001');
  });

  it('scrolling renders a different window, positioned by transform', async () => {
    setup();
    const viewport = screen.getByTestId('queue-viewport');
    viewport.scrollTop = 250_000; // row 5000
    await fireEvent.scroll(viewport);
    const shown = screen.getAllByTestId('queue-row');
    expect(shown.length).toBeLessThanOrEqual(21);
    expect(shown.map((r) => r.getAttribute('aria-rowindex'))).toContain(String(5000 + 2));
    expect(shown[0]!.textContent).toContain(rows[4995]!.serialNumber);
    const windowEl = shown[0]!.parentElement as HTMLElement;
    expect(windowEl.style.transform).toBe(`translateY(${4995 * 50}px)`);
  });

  it('is operated from the keyboard: arrows move, Space selects, Enter opens, Ctrl+A selects all', async () => {
    const { onToggle, onOpen, onSelectAll } = setup();
    const grid = screen.getByTestId('queue-table');
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    await fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(`qrow-${rows[2]!.id}`);
    await fireEvent.keyDown(grid, { key: ' ' });
    expect(onToggle).toHaveBeenCalledWith(rows[2]!.id);
    await fireEvent.keyDown(grid, { key: 'Enter' });
    expect(onOpen).toHaveBeenCalledWith(rows[2]!.id);
    await fireEvent.keyDown(grid, { key: 'End' });
    expect(grid.getAttribute('aria-activedescendant')).toBe(`qrow-${rows[9999]!.id}`);
    expect(screen.getAllByTestId('queue-row').some((r) => r.id === `qrow-${rows[9999]!.id}`)).toBe(true);
    await fireEvent.keyDown(grid, { key: 'a', ctrlKey: true });
    expect(onSelectAll).toHaveBeenCalled();
  });

  it('shows translated advice by error code, and unknown codes as code + name', () => {
    setup();
    const viewport = screen.getByTestId('queue-viewport');
    const failed808 = rows.findIndex((r) => r.errorCode === 808);
    viewport.scrollTop = failed808 * 50;
    return fireEvent.scroll(viewport).then(() => {
      const row = screen.getAllByTestId('queue-row').find((r) => r.id === `qrow-${rows[failed808]!.id}`)!;
      expect(row.textContent).toContain('Error 808 ZtdDeviceAssignedToOtherTenant');
      expect(row.textContent).toContain('Registered to another tenant');
    });
  });
});
