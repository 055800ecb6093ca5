import type { StationApi } from '../api.ts';
import type { Attention } from '../../../src-main/contract/types.ts';
import { wordAdvice } from '../codes.ts';
import { t, tn } from '../i18n/i18n.svelte.ts';

export interface Toast {
  id: number;
  kind: Attention['kind'] | 'info' | 'error';
  text: string;
  /** The station's event: worded again in the current language whenever the toast is drawn. */
  attention?: Attention;
  /** Or the way to word it (an action's answer): worded again when the language changes. */
  words?: () => string;
}

/** What a toast says now, in the current language. */
export function toastText(x: Toast): string {
  return x.attention ? attentionText(x.attention) : x.words ? x.words() : x.text;
}

/** An attention event in the technician's language; the station's English text when no wording fits. */
export function attentionText(a: Attention): string {
  // Worded from the event's facts only: its English message never reaches the screen. "Processed", not
  // "sent to Intune": the same words are true in training mode.
  if (a.kind === 'batch-finished')
    return a.count !== undefined ? tn('notify.batchProcessed', a.count) : t('notify.batchEnded');
  const hasError = a.errorCode !== undefined || !!a.errorName;
  if (a.serialNumber)
    return t('notify.deviceError', {
      serial: a.serialNumber,
      advice: hasError ? wordAdvice(a.errorCode, a.errorName, a.params) : t('notify.openQueue'),
    });
  // Devices that wait to be imported (not signed in, tenant check failed, throttled): how many, and why.
  if (a.waiting)
    return tn('notify.importWaiting', a.deviceIds.length, {
      advice: hasError ? wordAdvice(a.errorCode, a.errorName, a.params) : t('notify.openQueue'),
    });
  return hasError ? wordAdvice(a.errorCode, a.errorName, a.params) : t('notify.attentionGeneric');
}

/** What makes two attention events the same news: kind, devices and cause. */
function attentionKey(a: Attention): string {
  return JSON.stringify([
    a.kind,
    [...a.deviceIds].sort(),
    a.serialNumber ?? '',
    a.errorCode ?? '',
    a.errorName ?? '',
    a.count ?? '',
    a.message,
  ]);
}

/**
 * Tells the technician across the room: a generated chime (no audio files), an OS notification where
 * the host allows it, and always an in-app toast (Electron denies notification permission requests).
 */
export class Notifier {
  toasts = $state<Toast[]>([]);
  private next = 1;
  private audio: AudioContext | undefined;
  private readonly off: () => void;

  constructor(api: StationApi) {
    this.off = api.on('attention', (a) => this.attention(a));
  }

  dispose(): void {
    this.off();
  }

  attention(a: Attention): void {
    // The worker repeats the same attention at every retry (an import waiting for a sign-in): while
    // one for the same devices and the same cause is still in the stack, it is not stacked, rung or
    // notified again.
    const key = attentionKey(a);
    if (
      a.kind === 'device-needs-attention' &&
      this.toasts.some((x) => x.attention && attentionKey(x.attention) === key)
    )
      return;
    const text = attentionText(a);
    this.chime(a.kind === 'batch-finished' ? [660, 880] : [440, 330, 440]);
    this.osNotification(text);
    this.show(a.kind, text, a.kind === 'batch-finished' ? 8000 : 0, a);
  }

  /** Shows a toast; sticky when ms is 0 (attention stays until dismissed). */
  show(kind: Toast['kind'], text: string | (() => string), ms = 5000, attention?: Attention): number {
    const id = this.next++;
    const words = typeof text === 'function' ? text : undefined;
    // The stack shows the newest and counts the rest; a flood of events keeps the last 50.
    this.toasts = [
      ...this.toasts.slice(-49),
      {
        id,
        kind,
        text: words ? words() : (text as string),
        ...(words ? { words } : {}),
        ...(attention ? { attention } : {}),
      },
    ];
    if (ms > 0) setTimeout(() => this.dismiss(id), ms);
    return id;
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((x) => x.id !== id);
  }

  dismissAll(): void {
    this.toasts = [];
  }

  private chime(freqs: number[]): void {
    try {
      const Ctor = globalThis.AudioContext;
      if (!Ctor) return;
      this.audio ??= new Ctor();
      const ctx = this.audio;
      freqs.forEach((f, i) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        const start = ctx.currentTime + i * 0.18;
        osc.frequency.value = f;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.25, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.16);
        osc.connect(gain).connect(ctx.destination);
        osc.start(start);
        osc.stop(start + 0.17);
      });
    } catch {
      // No sound device: the toast still shows.
    }
  }

  private osNotification(body: string): void {
    const N = globalThis.Notification;
    if (!N) return;
    try {
      if (N.permission === 'granted') new N(t('notify.title'), { body });
      else if (N.permission === 'default') void N.requestPermission().catch(() => undefined);
    } catch {
      // Some hosts throw on construction; the toast is the fallback.
    }
  }
}
