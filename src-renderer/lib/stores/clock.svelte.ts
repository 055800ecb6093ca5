/** A shared "now" for countdowns, ticking once a second only while something reads it. */
class Clock {
  /** Replaceable so the screen harness and tests can pin time. */
  source: () => number = Date.now;
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | undefined;
  private users = 0;

  use(): () => void {
    if (this.users++ === 0) this.timer = setInterval(() => (this.now = this.source()), 1000);
    this.now = this.source();
    return () => {
      if (--this.users === 0) clearInterval(this.timer);
    };
  }
}

export const clock = new Clock();
