import { en, type MessageKey } from './en.ts';
import { ja } from './ja.ts';

export type Locale = 'en' | 'ja';
const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, ja };
const STORAGE_KEY = 'station.locale';

function initialLocale(): Locale {
  const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ja') return saved;
  return globalThis.navigator?.language?.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** Fills a text's optional "[…{name}…]" segments and its {name} placeholders; numbers in the locale's format. */
export function fillText(text: string, params: Record<string, string | number>, number: (n: number) => string): string {
  const kept = text.replace(/\[([^\]]*\{\w+\}[^\]]*)\]/g, (_all, inner: string) => {
    const names = [...inner.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    return names.every((n) => params[n] !== undefined && params[n] !== '') ? inner : '';
  });
  return kept.replace(/\{(\w+)\}/g, (all, name: string) => {
    const v = params[name];
    return v === undefined ? all : typeof v === 'number' ? number(v) : v;
  });
}

/** Run-time switchable language; components read i18n.locale through t() so they re-render on change. */
class I18n {
  locale = $state<Locale>(initialLocale());

  setLocale(locale: Locale): void {
    this.locale = locale;
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
    if (globalThis.document) document.documentElement.lang = locale;
  }

  /**
   * The key's text with its params. "[ (line {line})]" is an optional segment: kept only when every
   * param inside it was given, so a code words well with or without its params.
   */
  t = (key: MessageKey, params: Record<string, string | number> = {}): string =>
    fillText(dictionaries[this.locale][key] ?? en[key], params, this.number);

  // Intl constructors cost far more than formatting; the queue formats thousands of cells, so build each once per
  // locale.
  private readonly formats = $derived({
    number: new Intl.NumberFormat(this.locale),
    dateTime: new Intl.DateTimeFormat(this.locale, { dateStyle: 'medium', timeStyle: 'medium' }),
    time: new Intl.DateTimeFormat(this.locale, { timeStyle: 'short' }),
    relative: new Intl.RelativeTimeFormat(this.locale, { numeric: 'auto' }),
    plural: new Intl.PluralRules(this.locale),
  });

  /** A counted phrase: picks `<base>.<rule>` by Intl.PluralRules ("1 file", "2 files"), else `<base>.other`. */
  tn = (base: PluralBase, count: number, params?: Record<string, string | number>): string => {
    const rule = this.formats.plural.select(count);
    const key = (this.has(`${base}.${rule}`) ? `${base}.${rule}` : `${base}.other`) as MessageKey;
    return this.t(key, { count, ...params });
  };

  number = (value: number): string => this.formats.number.format(value);

  dateTime = (iso: string): string => this.formats.dateTime.format(new Date(iso));

  time = (iso: string): string => this.formats.time.format(new Date(iso));

  /** "in 4 minutes" / "4 分後": deadlines read better as a distance than as a clock time. */
  relative = (iso: string, now: number): string => {
    const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
    const rtf = this.formats.relative;
    if (Math.abs(seconds) < 90) return rtf.format(seconds, 'second');
    if (Math.abs(seconds) < 90 * 60) return rtf.format(Math.round(seconds / 60), 'minute');
    return rtf.format(Math.round(seconds / 3600), 'hour');
  };

  /** For keys built at run time (finding codes, error codes): true when the dictionary has it. */
  has = (key: string): key is MessageKey => Object.hasOwn(en, key);
}

/** Keys that come in plural forms: 'import.readingFiles' for 'import.readingFiles.one' / '.other'. */
export type PluralBase = { [K in MessageKey]: K extends `${infer B}.other` ? B : never }[MessageKey];

export const i18n = new I18n();
export const t = i18n.t;
export const tn = i18n.tn;
export type { MessageKey };
