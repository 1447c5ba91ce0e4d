// Ctrl-C for the whole run, not only while k6 runs: k6 gets exactly one signal per keypress (it
// has its own process group) so it can still write its summary, and any other phase notes the
// interrupt and winds down, so the target is always stopped.
import type { ChildProcess } from 'node:child_process';

export class Interrupts {
  interrupted = false;
  private child: ChildProcess | null = null;
  private readonly relay = (signal: NodeJS.Signals) => {
    this.interrupted = true;
    if (this.child && this.child.exitCode === null) this.child.kill(signal);
  };

  constructor() {
    process.on('SIGINT', this.relay);
    process.on('SIGTERM', this.relay);
  }

  /** While set, signals go to this child instead of only being noted. */
  forwardTo(child: ChildProcess | null): void {
    this.child = child;
  }

  dispose(): void {
    process.off('SIGINT', this.relay);
    process.off('SIGTERM', this.relay);
  }
}
