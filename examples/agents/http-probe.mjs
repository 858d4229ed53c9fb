// Probes an HTTP(S) URL each iteration and reports its status code and latency.
//   x agent start examples/agents/http-probe.mjs --name probe --param url=http://127.0.0.1:8080/health
// Params: url (required), timeoutMs (default 5000), expectStatus (default: any 2xx).
// A failed probe fails its iteration (status `error`); the run goes on.
import { defineAgent } from '@x/kernel';

export default defineAgent({
  setup(ctx) {
    if (typeof ctx.params.url !== 'string') {
      throw new Error('http-probe needs a url: --param url=http://host:port/path');
    }
    return {
      url: new URL(ctx.params.url),
      timeoutMs: Number(ctx.params.timeoutMs ?? 5000),
      ok: 0,
      failed: 0,
    };
  },
  async step(ctx) {
    const { state } = ctx;
    const started = performance.now();
    const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(state.timeoutMs)]);
    let response;
    try {
      response = await fetch(state.url, { signal, redirect: 'manual' });
      await response.arrayBuffer();
    } catch (error) {
      state.failed += 1;
      throw new Error(`${state.url.href}: ${error.cause?.code ?? error.name}: ${error.message}`);
    }
    const latencyMs = Math.round(performance.now() - started);
    const expected = ctx.params.expectStatus;
    const healthy =
      expected === undefined
        ? response.status >= 200 && response.status < 300
        : response.status === Number(expected);
    if (!healthy) {
      state.failed += 1;
      throw new Error(`${state.url.href}: HTTP ${response.status} in ${latencyMs} ms`);
    }
    state.ok += 1;
    ctx.notify({ url: state.url.href, status: response.status, latencyMs });
    return {
      summary: `HTTP ${response.status} in ${latencyMs} ms (ok ${state.ok}, failed ${state.failed})`,
    };
  },
});
