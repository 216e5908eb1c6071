/** Work a server must let finish before what it uses closes (payloads being handled, sessions being loaded). */
export class InFlight {
  private readonly work = new Set<Promise<unknown>>();

  /** Keeps `work` in flight until it settles. */
  add<T>(work: Promise<T>): Promise<T> {
    this.work.add(work);
    const done = () => this.work.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves once everything in flight now has settled, or after `ms`, whichever is first. */
  async settle(ms: number): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.work]),
      new Promise((resolve) => setTimeout(resolve, ms).unref()),
    ]);
  }
}
