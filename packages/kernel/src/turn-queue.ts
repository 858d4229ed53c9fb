import { Turn, type TurnHandle, type TurnOutcome } from './turn.js';

/**
 * The turns of one run: those waiting, in submission order, and the one running. Bounded:
 * at most `maxQueued` wait; a turn submitted beyond that ends at once with status `error`.
 * A turn that ends while waiting (cancelled by its caller) leaves the queue at once.
 */
export class TurnQueue {
  readonly #waiting: Turn[] = [];
  #running: Turn | undefined;
  #submitted = 0;

  /**
   * @param maxQueued most turns that may wait (maxQueuedTurns).
   * @param ended told of every turn's end, whether it ran or not (`turn_result`).
   */
  constructor(
    private readonly maxQueued: number,
    private readonly ended: (outcome: TurnOutcome) => void,
  ) {}

  /** How many turns wait. */
  get length(): number {
    return this.#waiting.length;
  }

  /** The turn running now, if any. */
  get running(): Turn | undefined {
    return this.#running;
  }

  /**
   * Makes a turn of `input` and queues it, or ends it at once: `refusal` (the loop's reason
   * it takes no turn: cancelled when the run is stopping or over, error when the agent has
   * no `turn`), a turn id already queued or running, a full queue (all `error`).
   * @returns the turn, and whether it was queued.
   */
  submit<I, O>(
    input: I,
    turnId: string | undefined,
    refusal: { status: 'error' | 'cancelled'; why: string } | undefined,
  ): { turn: TurnHandle<O>; queued: boolean } {
    this.#submitted += 1;
    const id = turnId ?? `t-${this.#submitted}`;
    const turn = new Turn<I, O>(id, input, (done, outcome) =>
      this.#onEnded(done as unknown as Turn, outcome),
    );
    if (refusal?.status === 'cancelled') {
      turn.cancel(refusal.why);
    } else if (refusal !== undefined) {
      turn.fail('error', refusal.why);
    } else if (this.find(id) !== undefined) {
      turn.fail('error', `turn id ${id} is already queued or running; turn ids must be unique`);
    } else if (this.#waiting.length >= this.maxQueued) {
      turn.fail(
        'error',
        `the turn queue is full (${this.maxQueued} turns waiting, maxQueuedTurns); retry when earlier turns have finished`,
      );
    } else {
      this.#waiting.push(turn as unknown as Turn);
      return { turn, queued: true };
    }
    return { turn, queued: false };
  }

  /** Takes the next waiting turn to run (see {@link started}), if any. */
  next(): Turn | undefined {
    return this.#waiting.shift();
  }

  /** `turn` runs now (or, with undefined, the running one ended). */
  started(turn: Turn | undefined): void {
    this.#running = turn;
  }

  /** The waiting or running turn `turnId` that has not ended, if any. */
  find(turnId: string): Turn | undefined {
    if (this.#running?.turnId === turnId && !this.#running.ended) {
      return this.#running;
    }
    return this.#waiting.find((turn) => turn.turnId === turnId);
  }

  /** Cancels every waiting turn with `reason`. */
  cancelWaiting(reason: string): void {
    // Each cancel removes its turn from the queue (#onEnded), so iterate over a copy.
    for (const turn of [...this.#waiting]) {
      turn.cancel(reason);
    }
  }

  #onEnded(turn: Turn, outcome: TurnOutcome): void {
    const index = this.#waiting.indexOf(turn);
    if (index !== -1) {
      this.#waiting.splice(index, 1);
    }
    this.ended(outcome);
  }
}
