// Image work (sharp) runs on libuv's thread pool, the same 4 threads (UV_THREADPOOL_SIZE) that hash passwords
// (@node-rs/argon2), read and write files and resolve host names. Unbounded, four slow images held all four threads
// and logins waited for them. The lane lets a few image jobs run at once and a bounded number wait; the rest are
// refused at once, so the other threads stay free for authentication and storage (ADR 0016).

/** The lane is full or a job waited too long: the caller answers "busy, try again" (or skips a preview). */
export class ImageLaneBusy extends Error {
  constructor() {
    super('image processing is busy');
  }
}

export interface ImageLaneOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Jobs waiting for a turn; one more is refused. */
  maxWaiting: number;
  /** How long a job may wait for its turn before it is refused. */
  maxWaitMs: number;
}

interface Waiter {
  start: () => void;
  timer: NodeJS.Timeout;
}

/** A bounded queue in front of a fixed number of concurrent jobs. */
export class ImageLane {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(readonly options: ImageLaneOptions) {}

  /** Runs `job` when a slot is free; rejects with ImageLaneBusy when the queue is full or the wait too long. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  /** Jobs running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.maxWaiting) return Promise.reject(new ImageLaneBusy());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        start: () => {
          clearTimeout(waiter.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(waiter), 1);
          reject(new ImageLaneBusy());
        }, this.options.maxWaitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter: `running` stays the same.
    if (next) next.start();
    else this.running--;
  }
}

/**
 * The process's lane: one job per 4 libuv threads (1 by default), so raising UV_THREADPOOL_SIZE also allows more
 * image jobs at once while at least three quarters of the pool stay free for everything else.
 */
export const imageLane = new ImageLane({
  concurrency: Math.max(1, Math.floor((Number(process.env.UV_THREADPOOL_SIZE) || 4) / 4)),
  maxWaiting: 8,
  maxWaitMs: 15_000,
});
