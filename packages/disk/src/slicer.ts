import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Cuts a long synchronous loop (reading 100k headers, unlinking 100k files) into slices of
 * at most `sliceMs`, giving the event loop a turn between them, so background work never
 * delays the app's own callbacks by more than one slice.
 */
export class Slicer {
  readonly #sliceMs: number;
  #deadline: number;

  constructor(sliceMs = 2) {
    this.#sliceMs = sliceMs;
    this.#deadline = performance.now() + sliceMs;
  }

  /** True when the current slice is used up: call `pause()`. Cheap enough to ask per item. */
  due(): boolean {
    return performance.now() >= this.#deadline;
  }

  /** Yields one event-loop turn and starts a new slice. */
  async pause(): Promise<void> {
    await nextTurn();
    this.#deadline = performance.now() + this.#sliceMs;
  }
}
