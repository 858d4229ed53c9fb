import type { StopPhase } from './classify-exit.js';
import type { StopBudget } from './run-spec.js';

/** What a 3-phase stop of one attempt needs: its runner, its timers and its log. */
export interface PhasedStop {
  /** A worker thread: no signals; its last phase is `worker.terminate()`. */
  thread: boolean;
  /** An agent whose handshake completed and whose channel is open: phase 1 (IPC `stop`) applies. */
  ipc: boolean;
  budget: StopBudget;
  reason: string;
  log(line: string): void;
  /** Records the phase the stop reached (the exit is classified by it). */
  enter(phase: StopPhase): void;
  sendStop(graceMs: number, reason: string): void;
  /** To the process group (a thread: SIGKILL terminates the worker). */
  signal(signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Runs `fn` after `ms` unless the attempt exited first. */
  after(ms: number, fn: () => void): void;
}

/**
 * Stops an attempt in up to three phases, s6/systemd style: IPC `stop` (the runner finishes
 * its iteration and exits), after `budget.ipcMs` SIGTERM to the process group, after
 * `budget.sigtermMs` more SIGKILL. A runner without the IPC phase (a service, a runner before
 * its handshake, a closed channel) starts at SIGTERM; a thread's SIGTERM phase is
 * `worker.terminate()`, which interrupts its JavaScript, and it has no third.
 */
export function stopInPhases(stop: PhasedStop): void {
  const { budget, thread } = stop;
  stop.log(
    thread
      ? `stopping: ${stop.reason} (budget: IPC ${budget.ipcMs} ms, then worker.terminate())`
      : `stopping: ${stop.reason} (budget: IPC ${budget.ipcMs} ms, SIGTERM ${budget.sigtermMs} ms)`,
  );
  const sigkill = () => {
    stop.enter('sigkill');
    stop.log('stop: SIGKILL to the process group');
    stop.signal('SIGKILL');
  };
  const sigterm = () => {
    if (thread) {
      stop.enter('terminate');
      stop.log('stop: worker.terminate()');
      stop.signal('SIGKILL');
      return;
    }
    stop.enter('sigterm');
    stop.log('stop: SIGTERM to the process group');
    stop.signal('SIGTERM');
    stop.after(budget.sigtermMs, sigkill);
  };
  if (stop.ipc) {
    stop.enter('ipc');
    stop.sendStop(budget.ipcMs, stop.reason);
    stop.after(budget.ipcMs, sigterm);
  } else {
    sigterm();
  }
}
