export type Theme = 'system' | 'light' | 'dark';
const KEY = 'station.theme';

/** Light, dark or the system's choice (prefers-color-scheme); stored per machine. */
export class ThemeStore {
  theme = $state<Theme>('system');

  constructor() {
    const saved = globalThis.localStorage?.getItem(KEY);
    if (saved === 'light' || saved === 'dark' || saved === 'system') this.theme = saved;
    this.apply();
  }

  set(theme: Theme): void {
    this.theme = theme;
    globalThis.localStorage?.setItem(KEY, theme);
    this.apply();
  }

  private apply(): void {
    if (!globalThis.document) return;
    if (this.theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = this.theme;
  }
}
