/** A shared "now" for countdowns, ticking once a second only while something reads it. */
class Clock {
  now = $state(Date.now());
  private timer: ReturnType<typeof setInterval> | undefined;
  private users = 0;

  use(): () => void {
    if (this.users++ === 0) this.timer = setInterval(() => (this.now = Date.now()), 1000);
    return () => {
      if (--this.users === 0) clearInterval(this.timer);
    };
  }
}

export const clock = new Clock();
