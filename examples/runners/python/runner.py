#!/usr/bin/env python3
"""A runner for x written in Python, with the standard library only.

It speaks runner protocol v1 as JSON lines on fd 3, the socket the x daemon hands it:
init -> ready, then an iteration every `intervalMs` (iteration_start, iteration_done with
a one-line summary), until `stop` (exit {reason: stopped}, exit 0), `maxIterations`
(exit {reason: max_iterations}, exit 0) or the end of fd 3 (the supervisor went away:
exit 0). Its stdout and stderr go to the run log as text.

It is also a durable agent (protocol.md, "Durable agents"): its state is the number of
iterations done. After each iteration it sends that state as a `checkpoint` and reports the
iteration only once the `checkpoint_ack` is in, so an iteration the run log shows is one a
restart will not redo; a restarted attempt resumes from `init.restored`. It obeys `pause`
and `resume`, and can report `usage` (params below).

    x agent start --command 'python3 examples/runners/python/runner.py' --name py
    x agent start --command 'python3 examples/runners/python/runner.py' --name files \
        --params '{"report": "files", "dir": "/tmp"}'

Params (init.params, all optional):
    report  "loadavg" (default): the 1-, 5- and 15-minute load averages;
            "files": the number of entries in `dir`.
    dir     the directory that report "files" counts (default: the working directory).
    usage   {"inputTokens", "outputTokens", "costUsd", "model"}, all optional: usage to
            report in a `usage` message each iteration, as if it had made one model call
            (default: none, so no `usage` is sent). A way to try budgets without a model.

Exit codes (as `x runner --pipe`, from sysexits.h): 0 after a stop, the last iteration or
the end of fd 3; 64 (EX_USAGE) when fd 3 is not a socket or X_IPC_CODEC is not jsonl;
76 (EX_PROTOCOL) when the handshake fails; 78 (EX_CONFIG) when params are invalid or
init.restored holds a state this runner did not save.
Nothing is written on fd 3 before `ready`: a failure before it goes to stderr only.

Protocol reference: apps/docs/reference/protocol.md and wire-format.md in the x repository;
apps/docs/guide/other-languages.md walks through this file.
"""

import collections
import json
import math
import os
import select
import socket
import stat
import sys
import time

PROTOCOL_VERSION = 1
IPC_FD = 3
CODEC = 'jsonl'
INIT_TIMEOUT_S = 10.0  # as `x runner --pipe` (INIT_TIMEOUT_MS = 10 000)
MAX_FRAME_BYTES = 8 * 1024 * 1024  # DEFAULT_MAX_FRAME_BYTES of @x/ipc
CHECKPOINT_MAX_BYTES = 1024 * 1024  # when init has no checkpointMaxBytes (protocol.md, init)
# The docs give no limit: a supervisor that does not know `checkpoint` never answers it
# (protocol.md, "Checkpoints and restore"), so past this the iteration is reported without
# its ack rather than never.
CHECKPOINT_ACK_TIMEOUT_S = 30.0
# After a `stop`, the ack still awaited gets the stop's graceMs less this, which is left for
# sending the report and `exit` (as `x runner --pipe` gives an iteration graceMs - 250 ms).
STOP_MARGIN_S = 0.25
EX_USAGE = 64
EX_PROTOCOL = 76
EX_CONFIG = 78
REPORTS = ('loadavg', 'files')
USAGE_FIELDS = ('inputTokens', 'outputTokens', 'costUsd', 'model')


def note(message):
    print(f'python runner: {message}', file=sys.stderr, flush=True)


def fail(code, message):
    note(message)
    sys.exit(code)


class SupervisorGone(Exception):
    """fd 3 reached its end, or writing to it failed: nobody is left to report to."""


class Channel:
    """JSON lines over a socket. Bad lines are reported on stderr and skipped, never fatal."""

    def __init__(self, sock):
        self.sock = sock
        self.partial = bytearray()
        self.discarding = False  # skipping the rest of an oversized line
        self.queue = collections.deque()

    def send(self, message):
        line = json.dumps(message, ensure_ascii=False, separators=(',', ':'), allow_nan=False)
        try:
            self.sock.sendall(line.encode('utf-8') + b'\n')
        except OSError as error:  # EPIPE, ECONNRESET: the supervisor is gone
            raise SupervisorGone() from error

    def read(self, timeout):
        """The next message, or None if none arrived within `timeout` seconds."""
        if not self.queue:
            readable, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
            if readable:
                try:
                    chunk = self.sock.recv(65536)
                except OSError as error:
                    raise SupervisorGone() from error
                if not chunk:
                    raise SupervisorGone()
                self._split(chunk)
        return self.queue.popleft() if self.queue else None

    def _split(self, chunk):
        start = 0
        while start < len(chunk):
            newline = chunk.find(b'\n', start)
            end = len(chunk) if newline == -1 else newline
            if not self.discarding:
                if len(self.partial) + end - start > MAX_FRAME_BYTES:
                    note(f'skipped a line longer than {MAX_FRAME_BYTES} bytes')
                    self.partial.clear()
                    self.discarding = True
                else:
                    self.partial += chunk[start:end]
            if newline == -1:
                return
            if not self.discarding:
                self._line(bytes(self.partial))
            self.partial.clear()
            self.discarding = False
            start = newline + 1

    def _line(self, line):
        if not line.strip(b' \t\r'):
            return  # blank lines are not frames
        try:
            value = json.loads(line.decode('utf-8'))
        except ValueError as error:  # UnicodeDecodeError is a ValueError too
            note(f'skipped a malformed frame: {error}')
            return
        if not isinstance(value, dict) or not isinstance(value.get('type'), str):
            note('skipped a frame that is not a message object')
            return
        self.queue.append(value)


def as_int(value):
    """An integer field: any number without a fractional part (2000, 2000.0), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def open_channel():
    codec = os.environ.get('X_IPC_CODEC', CODEC)
    if codec != CODEC:
        fail(EX_USAGE, f'X_IPC_CODEC is {codec!r}; this runner speaks jsonl only: start it with --codec jsonl')
    try:
        if not stat.S_ISSOCK(os.fstat(IPC_FD).st_mode):
            raise OSError('not a socket')
        return Channel(socket.socket(fileno=IPC_FD))
    except OSError:
        fail(EX_USAGE, f'fd {IPC_FD} is not an IPC socket; this runner is started by the x daemon: '
             "x agent start --command 'python3 runner.py'")


def handshake(channel):
    """Waits for init and checks it; exits 76 on a protocol failure. Returns init."""
    deadline = time.monotonic() + INIT_TIMEOUT_S
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                fail(EX_PROTOCOL, f'handshake failed: no init on fd {IPC_FD} within {INIT_TIMEOUT_S:.0f} s')
            init = channel.read(remaining)
            if init is not None:
                break
    except SupervisorGone:
        fail(EX_PROTOCOL, 'handshake failed: the supervisor closed fd 3 before sending init')
    if init['type'] != 'init':
        fail(EX_PROTOCOL, f"handshake failed: first message was {init['type']}, expected init")
    version = init.get('protocolVersion')
    if version != PROTOCOL_VERSION:
        fail(EX_PROTOCOL, f'handshake failed: the supervisor speaks protocol version {version!r}, '
             f'this runner speaks version {PROTOCOL_VERSION}')
    if init.get('codec') != CODEC:
        fail(EX_PROTOCOL, f"handshake failed: init says codec {init.get('codec')!r} but fd 3 is read as jsonl")
    interval = as_int(init.get('intervalMs'))
    if interval is None or interval < 0 or not isinstance(init.get('params'), dict):
        fail(EX_PROTOCOL, 'handshake failed: init needs intervalMs (an integer >= 0) and params (an object)')
    return init


def check_usage(usage):
    """The `usage` param, checked against the schema of a `usage` message; None when absent."""
    if usage is None:
        return None
    if not isinstance(usage, dict) or set(usage) - set(USAGE_FIELDS):
        return 'usage must be an object of inputTokens, outputTokens, costUsd, model'
    for key in ('inputTokens', 'outputTokens'):
        value = usage.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            return f'usage.{key} is {value!r}; expected an integer >= 0'
    cost = usage.get('costUsd', 0)
    if isinstance(cost, bool) or not isinstance(cost, (int, float)) or not math.isfinite(cost) or cost < 0:
        return f'usage.costUsd is {cost!r}; expected a number >= 0 (US dollars)'
    if 'model' in usage and not (isinstance(usage['model'], str) and 1 <= len(usage['model']) <= 256):
        return f"usage.model is {usage['model']!r}; expected a string of 1 to 256 characters"
    return None


def check_params(params):
    """The params this runner accepts, with defaults; exits 78 (EX_CONFIG) when they are invalid."""
    usage = ('expected {"report": "loadavg" | "files", "dir": "<directory>", '
             '"usage": {"inputTokens", "outputTokens", "costUsd", "model"}}, all optional')
    unknown = sorted(set(params) - {'report', 'dir', 'usage'})
    if unknown:
        fail(EX_CONFIG, f'invalid params: unknown {", ".join(map(repr, unknown))}; {usage}')
    report = params.get('report', 'loadavg')
    if report not in REPORTS:
        fail(EX_CONFIG, f'invalid params: report is {report!r}; {usage}')
    directory = params.get('dir', '.')
    if not isinstance(directory, str) or not os.path.isdir(directory):
        fail(EX_CONFIG, f'invalid params: dir {directory!r} is not a directory; {usage}')
    problem = check_usage(params.get('usage'))
    if problem:
        fail(EX_CONFIG, f'invalid params: {problem}; {usage}')
    return {'report': report, 'dir': directory, 'usage': params.get('usage')}


def check_restored(init):
    """The state to resume from (protocol.md, init.restored): {completed, summary}.

    Absent: start afresh. A state this runner did not save (a run started `--from` another
    agent's checkpoint, say) exits 78: a restart would be handed the same state again.
    """
    restored = init.get('restored')
    if restored is None:
        return {'completed': 0, 'summary': None}
    state = restored.get('state') if isinstance(restored, dict) else None
    completed = as_int(state.get('completed')) if isinstance(state, dict) else None
    summary = state.get('summary') if isinstance(state, dict) else None
    if completed is None or completed < 0 or not (summary is None or isinstance(summary, str)):
        fail(EX_CONFIG, f'init.restored.state is {json.dumps(state)[:200]}, not a state this runner saves '
             '({"completed": <iterations done>, "summary": <string or null>}); start the run afresh')
    return {'completed': completed, 'summary': summary}


def measure(params):
    """One iteration's work: a one-line summary."""
    if params['report'] == 'files':
        return f"{len(os.listdir(params['dir']))} entries in {os.path.abspath(params['dir'])}"
    one, five, fifteen = os.getloadavg()
    return f'load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)'


def now_ms():
    return int(time.time() * 1000)


# The states of the loop, and the moves between them. `stop` or the last iteration ends any
# state in `exited`, terminal; a `pause` during `checkpointing` takes effect once the
# iteration is reported (protocol.md, "Pause and resume": the iteration in progress finishes).
#   waiting        between iterations: the next starts when it falls due
#   checkpointing  the iteration's work is done, its checkpoint sent, its ack awaited
#   paused         no iteration starts until `resume`; heartbeats and messages go on
#   stopping       `stop` came while checkpointing: the ack gets the rest of graceMs
TRANSITIONS = {
    'waiting': {'checkpointing', 'paused', 'exited'},
    'checkpointing': {'waiting', 'paused', 'stopping', 'exited'},
    'paused': {'waiting', 'exited'},
    'stopping': {'exited'},
    'exited': set(),
}


class Loop:
    """Iterations, checkpoints, pause and stop, driven by one `select` on fd 3 (see `run`)."""

    def __init__(self, channel, init, params, restored):
        self.channel = channel
        self.params = params
        self.interval_s = as_int(init['intervalMs']) / 1000
        self.max_iterations = as_int(init.get('maxIterations'))
        self.checkpoint_max_bytes = as_int(init.get('checkpointMaxBytes')) or CHECKPOINT_MAX_BYTES
        heartbeat_ms = as_int(init.get('heartbeatIntervalMs'))
        self.heartbeat_s = heartbeat_ms / 1000 if heartbeat_ms else None
        self.next_heartbeat = time.monotonic() + self.heartbeat_s if self.heartbeat_s else None
        self.next_iteration = time.monotonic()  # the first iteration starts at once
        # Iterations are numbered within the run, so a restored attempt goes on from there.
        self.completed = restored['completed']
        self.completed_at_start = self.completed
        self.last_summary = restored['summary']
        self.checkpoints_sent = 0
        self.pending = None  # the iteration whose checkpoint_ack is awaited
        self.pause_reason = None
        self.stop_deadline = None
        self.state = 'waiting'

    def move(self, state):
        if state != self.state:
            assert state in TRANSITIONS[self.state], f'no move from {self.state} to {state}'
            self.state = state

    def log(self, level, message):
        self.channel.send({'type': 'log', 'level': level, 'message': message})

    def run(self):
        """Returns once `exit` is sent; SupervisorGone when fd 3 ends first."""
        if self.max_iterations is not None and self.completed >= self.max_iterations:
            self.finish('max_iterations')  # restored past the last iteration
        while self.state != 'exited':
            now = time.monotonic()
            if self.next_heartbeat is not None and now >= self.next_heartbeat:
                # other-languages.md, step 6; in every state, paused too ("a pause is not a hang")
                self.channel.send({'type': 'heartbeat', 'at': now_ms()})
                self.next_heartbeat += self.heartbeat_s
            if self.state == 'waiting' and now >= self.next_iteration:
                self.iterate()
            elif self.pending is not None and now >= self.ack_deadline():
                self.report(None)
            if self.state == 'exited':
                break  # the iteration just reported was the last
            message = self.channel.read(self.wake() - time.monotonic())
            while message is not None and self.state != 'exited':
                self.handle(message)
                message = self.channel.read(0)

    def wake(self):
        """When the loop next has something to do unprompted (a message may come sooner)."""
        times = [time.monotonic() + 3600]
        if self.next_heartbeat is not None:
            times.append(self.next_heartbeat)
        if self.state == 'waiting':
            times.append(self.next_iteration)
        if self.pending is not None:
            times.append(self.ack_deadline())
        return min(times)

    def ack_deadline(self):
        deadline = self.pending['deadline']
        return deadline if self.stop_deadline is None else min(deadline, self.stop_deadline)

    def iterate(self):
        """One iteration up to its checkpoint; `report` sends iteration_done once it is acked."""
        iteration = self.completed + 1
        self.channel.send({'type': 'iteration_start', 'iteration': iteration, 'startedAt': now_ms()})
        started = time.monotonic()
        done = {'type': 'iteration_done', 'iteration': iteration}
        try:
            done.update(status='ok', summary=measure(self.params))
        except OSError as error:
            done.update(status='error', error=str(error))
        if self.params['usage']:
            # protocol.md, "Usage at any moment": sent as it is spent, and so not repeated in
            # iteration_done.usage (the supervisor adds up both).
            self.channel.send({'type': 'usage', **self.params['usage']})
        self.completed = iteration
        self.last_summary = done.get('summary', self.last_summary)
        self.pending = {'iteration': iteration, 'done': done, 'started': started,
                        'requestId': None, 'deadline': time.monotonic() + CHECKPOINT_ACK_TIMEOUT_S}
        if self.checkpoint({'completed': iteration, 'summary': self.last_summary}, iteration):
            self.move('checkpointing')
        else:
            self.report(None)

    def checkpoint(self, state, iteration):
        """protocol.md, "Checkpoints and restore": sends one; False if it is too large to send."""
        size = len(json.dumps(state, ensure_ascii=False, separators=(',', ':')).encode('utf-8'))
        if size > self.checkpoint_max_bytes:
            self.log('warn', f'checkpoint of iteration {iteration} not sent: its state is {size} bytes '
                     f'of JSON, over checkpointMaxBytes {self.checkpoint_max_bytes}')
            return False
        self.checkpoints_sent += 1
        self.pending['requestId'] = f'c-{self.checkpoints_sent}'  # unique within the attempt
        self.channel.send({'type': 'checkpoint', 'requestId': self.pending['requestId'],
                           'state': state, 'iteration': iteration})
        return True

    def report(self, ack):
        """Sends the pending iteration's iteration_done: after its ack, or without one (None)."""
        pending, self.pending = self.pending, None
        request_id, iteration = pending['requestId'], pending['iteration']
        if ack is None and request_id is not None:
            why = 'the stop grace ran out' if self.state == 'stopping' else \
                f'none came within {CHECKPOINT_ACK_TIMEOUT_S:.0f} s'
            self.log('warn', f'checkpoint {request_id} of iteration {iteration} unconfirmed ({why}); '
                     'a restart may redo this iteration')
        elif ack is not None and ack.get('ok') is not True:
            # ok: false: not stored, the run goes on (protocol.md, "Checkpoints and restore")
            self.log('warn', f"checkpoint {request_id} of iteration {iteration} refused: "
                     f"{ack.get('error', 'no reason given')}; a restart resumes from the last stored one")
        done = pending['done']
        done['durationMs'] = int((time.monotonic() - pending['started']) * 1000)
        self.channel.send(done)
        if self.state == 'stopping':
            self.finish('stopped')
        elif self.max_iterations is not None and self.completed >= self.max_iterations:
            self.finish('max_iterations')
        else:
            self.next_iteration = time.monotonic() + self.interval_s
            self.move('paused' if self.pause_reason is not None else 'waiting')

    def finish(self, reason):
        message = {'type': 'exit', 'reason': reason, 'iterations': self.completed - self.completed_at_start}
        if self.last_summary is not None:
            message['summary'] = self.last_summary
        self.channel.send(message)
        self.move('exited')

    def handle(self, message):
        kind = message['type']
        if kind == 'stop':
            self.on_stop(message)
        elif kind == 'checkpoint_ack':
            # Matched by requestId; an ack it does not wait for is ignored.
            if self.pending is not None and message.get('requestId') == self.pending['requestId']:
                self.report(message)
            else:
                note(f"ignored a checkpoint_ack for {message.get('requestId')!r}: none such is awaited")
        elif kind == 'pause':
            self.on_pause(str(message.get('reason', '')))
        elif kind == 'resume':
            self.on_resume()
        elif kind == 'turn' and isinstance(message.get('turnId'), str):
            # Every turn gets exactly one turn_result; this runner announced turns: false.
            self.channel.send({'type': 'turn_result', 'turnId': message['turnId'], 'status': 'error',
                               'error': 'this runner does not accept turns', 'durationMs': 0})
        elif kind not in ('turn_cancel', 'permission_response'):
            note(f'ignored a {kind} message')

    def on_stop(self, message):
        """protocol.md, "Stopping": iterations here are short, but an ack may still be awaited."""
        if self.state == 'checkpointing':
            # The supervisor answers checkpoints until the runner exits: wait for it, within graceMs.
            grace_s = (as_int(message.get('graceMs')) or 0) / 1000
            self.stop_deadline = time.monotonic() + max(0.0, grace_s - STOP_MARGIN_S)
            self.move('stopping')
        elif self.state != 'stopping':
            self.finish('stopped')  # paused too: a stop does not wait for a resume

    def on_pause(self, reason):
        """protocol.md, "Pause and resume": a pause while paused only replaces the reason."""
        if self.state == 'stopping':
            return
        self.log('info', f'paused ({reason}): no iteration starts until resume')
        self.pause_reason = reason
        if self.state == 'waiting':
            self.move('paused')

    def on_resume(self):
        if self.pause_reason is None:
            return  # a resume while not paused does nothing
        self.pause_reason = None
        self.log('info', 'resumed')
        if self.state == 'paused':
            self.move('waiting')  # next_iteration is kept: one that fell due starts at once


def main():
    channel = open_channel()
    init = handshake(channel)
    params = check_params(init['params'])
    restored = check_restored(init)
    try:
        # other-languages.md, step 5; "Durable agents": checkpoints and pause are announced here.
        channel.send({'type': 'ready', 'protocolVersion': PROTOCOL_VERSION, 'codec': CODEC,
                      'pid': os.getpid(),
                      'capabilities': {'steps': True, 'turns': False, 'checkpoints': True, 'pause': True}})
        print(f"python runner {os.getpid()}: run {init.get('runId')}, report {params['report']} "
              f"every {init['intervalMs']} ms", flush=True)
        channel.send({'type': 'log', 'level': 'info', 'message': f"reporting {params['report']}"})
        if init.get('restored') is not None:
            seq, attempt = init['restored'].get('seq'), init['restored'].get('attempt')
            channel.send({'type': 'log', 'level': 'info', 'message':
                          f"resuming after iteration {restored['completed']} "
                          f'(checkpoint seq {seq}, saved by attempt {attempt})'})
        Loop(channel, init, params, restored).run()
    except SupervisorGone:
        pass  # nobody to report to: exit quietly
    channel.sock.close()
    sys.exit(0)


if __name__ == '__main__':
    main()
