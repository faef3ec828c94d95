/** A caller who already has `maxQueuedPerOwner` acquisitions waiting. */
export class QueueFull extends Error {
  constructor(readonly maxQueuedPerOwner: number) {
    super(`at most ${maxQueuedPerOwner} waiting per owner`);
  }
}

interface Waiter {
  owner: string;
  start: () => void;
}

/**
 * At most `max` holders at once, and at most `perOwner` of them for one owner (a user), so one owner
 * cannot hold every slot: another owner's acquisition starts as soon as any slot is free. Waiters are
 * served in order among those whose owner is under its share; an owner with `maxQueuedPerOwner` waiting
 * already is refused at once (QueueFull). `acquire` gives up when the signal aborts.
 */
export class Limiter {
  private active = 0;
  private readonly held = new Map<string, number>();
  private readonly queued = new Map<string, number>();
  private readonly waiting: Waiter[] = [];
  private readonly perOwner: number;

  constructor(
    private readonly max: number,
    perOwner = max,
    private readonly maxQueuedPerOwner = Number.POSITIVE_INFINITY,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new TypeError("Limiter needs a max of at least 1");
    if (!Number.isInteger(perOwner) || perOwner < 1) throw new TypeError("Limiter needs perOwner ≥ 1");
    if (!(maxQueuedPerOwner >= 0)) throw new TypeError("Limiter needs maxQueuedPerOwner ≥ 0");
    this.perOwner = Math.min(perOwner, max);
  }

  async acquire(signal: AbortSignal, owner = ""): Promise<() => void> {
    signal.throwIfAborted();
    if (this.canStart(owner)) {
      this.take(owner);
    } else {
      const queued = this.queued.get(owner) ?? 0;
      if (queued >= this.maxQueuedPerOwner) throw new QueueFull(this.maxQueuedPerOwner);
      this.queued.set(owner, queued + 1);
      try {
        await new Promise<void>((resolve, reject) => {
          const waiter: Waiter = {
            owner,
            start: () => {
              signal.removeEventListener("abort", onAbort);
              resolve();
            },
          };
          const onAbort = () => {
            const at = this.waiting.indexOf(waiter);
            if (at >= 0) this.waiting.splice(at, 1);
            reject(signal.reason);
          };
          this.waiting.push(waiter);
          signal.addEventListener("abort", onAbort, { once: true });
        });
      } finally {
        const left = (this.queued.get(owner) ?? 1) - 1;
        if (left > 0) this.queued.set(owner, left);
        else this.queued.delete(owner);
      }
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const left = (this.held.get(owner) ?? 1) - 1;
      if (left > 0) this.held.set(owner, left);
      else this.held.delete(owner);
      this.dispatch();
    };
  }

  /** Holders now, in all and of one owner (for tests and metrics). */
  holders(owner?: string): number {
    return owner === undefined ? this.active : (this.held.get(owner) ?? 0);
  }

  private canStart(owner: string): boolean {
    return this.active < this.max && (this.held.get(owner) ?? 0) < this.perOwner;
  }

  private take(owner: string): void {
    this.active++;
    this.held.set(owner, (this.held.get(owner) ?? 0) + 1);
  }

  /** Starts the first waiters that may start now (a slot is taken here, before their promise settles). */
  private dispatch(): void {
    for (let i = 0; i < this.waiting.length && this.active < this.max; ) {
      const waiter = this.waiting[i]!;
      if (this.canStart(waiter.owner)) {
        this.waiting.splice(i, 1);
        this.take(waiter.owner);
        waiter.start();
      } else {
        i++;
      }
    }
  }
}
