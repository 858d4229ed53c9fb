import { getHeapStatistics } from 'node:v8';
import { isMainThread, workerData, type MessagePort } from 'node:worker_threads';
import {
  isCodecName,
  getCodec,
  validateSupervisorMessage,
  type CodecName,
  type RunnerMessage,
  type SupervisorMessage,
} from '@x/ipc';
import { createMessagePortChannel } from '@x/ipc/node';
import { EX_USAGE } from './constants.js';
import { hostRunner } from './host-runner.js';

/**
 * What the supervisor passes as `workerData` to a threaded runner: one end of a
 * `MessageChannel` (also listed in `transferList`) and the codec spoken on it.
 */
export interface RunnerWorkerData {
  port: MessagePort;
  codec: CodecName;
  /**
   * Optional: one `Int32Array` element over a `SharedArrayBuffer`. The entry stores 1 in it
   * when the thread ends on its own (`process` `exit` event; `worker.terminate()` does not
   * emit it), so the supervisor can tell that exit from one by `terminate()`.
   */
  exitFlag?: Int32Array;
  /**
   * Optional: one `Float64Array` element over a `SharedArrayBuffer`. The entry stores the
   * thread's V8 heap in use (`v8.getHeapStatistics().used_heap_size`, bytes) in it now and
   * every {@link HEAP_REPORT_MS} ms (an unref'd timer), so the supervisor can show the thread's
   * memory without asking it.
   */
  heapUsed?: Float64Array;
}

/** How often a threaded runner stores its heap in use in `heapUsed`: 1000 ms. */
export const HEAP_REPORT_MS = 1000;

/** Options of {@link runWorker}: the defaults are what the worker entry uses. */
export interface RunWorkerOptions {
  /** The channel's port and codec. @default `workerData` */
  data?: unknown;
  /** How long to wait for `init`, in ms. @default 10 000 (INIT_TIMEOUT_MS) */
  initTimeoutMs?: number;
}

/**
 * The body of a threaded runner (`@x/kernel/worker`, the daemon's fallback when it runs an
 * agent in a worker thread instead of a process). Speaks runner protocol v1 over the
 * `MessagePort` in `workerData.port`, exactly as `x runner --pipe` does over fd 3 (same
 * messages, same exit codes: 0, 1, 64, 76, 78), except that `ready` carries no `pid`.
 * `process.exit(code)` in a worker ends only that thread, with that exit code.
 *
 * The supervisor starts it with
 * `new Worker(import.meta.resolve('@x/kernel/worker'), { workerData: { port, codec },
 * transferList: [port], env, stdout: true, stderr: true, resourceLimits })`.
 * When the port closes (the supervisor side is gone) the agent is stopped and the thread
 * exits within about a second. Loading this module in a worker thread starts the runner;
 * loading it in the main thread does nothing but export.
 */
export async function runWorker(options: RunWorkerOptions = {}): Promise<never> {
  // Bind what we need before user code can replace it.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with process as this below
  const realExit = process.exit;
  const exit = (code: number): never => realExit.call(process, code);
  const writeErr = (text: string) => void process.stderr.write(text);

  const data = (options.data ?? workerData) as Partial<RunnerWorkerData> | null | undefined;
  const port = data?.port;
  const codec = data?.codec ?? 'jsonl';
  if (
    typeof port !== 'object' ||
    port === null ||
    typeof port.postMessage !== 'function' ||
    !isCodecName(codec)
  ) {
    writeErr(
      `x runner: the worker entry needs workerData { port: MessagePort, codec: 'jsonl' | 'msgpack' } (got ${describe(data)}); it is started by the x daemon's thread launcher\n`,
    );
    return exit(EX_USAGE);
  }
  const exitFlag = data?.exitFlag;
  if (exitFlag instanceof Int32Array && exitFlag.buffer instanceof SharedArrayBuffer) {
    // Registered before user code loads.
    process.on('exit', () => Atomics.store(exitFlag, 0, 1));
  }
  const heapUsed = data?.heapUsed;
  if (heapUsed instanceof Float64Array && heapUsed.buffer instanceof SharedArrayBuffer) {
    const report = () => (heapUsed[0] = getHeapStatistics().used_heap_size);
    report();
    setInterval(report, HEAP_REPORT_MS).unref();
  }
  const channel = createMessagePortChannel<SupervisorMessage, RunnerMessage>({
    port,
    codec: getCodec(codec),
    validate: validateSupervisorMessage,
  });
  return hostRunner(channel, {
    codec,
    exit,
    writeErr,
    channelName: 'the worker port',
    initTimeoutMs: options.initTimeoutMs,
    flush: () => {
      // Messages posted before close() are delivered before the peer sees 'close'.
      channel.close();
      return Promise.resolve();
    },
  });
}

function describe(data: unknown): string {
  if (typeof data !== 'object' || data === null) {
    return data === null ? 'null' : typeof data;
  }
  return `{ ${Object.keys(data).join(', ')} }`;
}

if (!isMainThread) {
  await runWorker();
}
