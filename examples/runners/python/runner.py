#!/usr/bin/env python3
"""A runner for x written in Python, with the standard library only.

It speaks runner protocol v1 as JSON lines on fd 3, the socket the x daemon hands it:
init -> ready, then an iteration every `intervalMs` (iteration_start, iteration_done with
a one-line summary), until `stop` (exit {reason: stopped}, exit 0), `maxIterations`
(exit {reason: max_iterations}, exit 0) or the end of fd 3 (the supervisor went away:
exit 0). Its stdout and stderr go to the run log as text.

    x agent start --command 'python3 examples/runners/python/runner.py' --name py
    x agent start --command 'python3 examples/runners/python/runner.py' --name files \
        --params '{"report": "files", "dir": "/tmp"}'

Params (init.params, all optional):
    report  "loadavg" (default): the 1-, 5- and 15-minute load averages;
            "files": the number of entries in `dir`.
    dir     the directory that report "files" counts (default: the working directory).

Exit codes (as `x runner --pipe`, from sysexits.h): 0 after a stop, the last iteration or
the end of fd 3; 64 (EX_USAGE) when fd 3 is not a socket or X_IPC_CODEC is not jsonl;
76 (EX_PROTOCOL) when the handshake fails; 78 (EX_CONFIG) when params are invalid.
Nothing is written on fd 3 before `ready`: a failure before it goes to stderr only.

Protocol reference: apps/docs/reference/protocol.md and wire-format.md in the x repository.
"""

import collections
import json
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
EX_USAGE = 64
EX_PROTOCOL = 76
EX_CONFIG = 78
REPORTS = ('loadavg', 'files')


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


def check_params(params):
    """The params this runner accepts, with defaults; exits 78 (EX_CONFIG) when they are invalid."""
    usage = 'expected {"report": "loadavg" | "files", "dir": "<directory>"}, both optional'
    unknown = sorted(set(params) - {'report', 'dir'})
    if unknown:
        fail(EX_CONFIG, f'invalid params: unknown {", ".join(map(repr, unknown))}; {usage}')
    report = params.get('report', 'loadavg')
    if report not in REPORTS:
        fail(EX_CONFIG, f'invalid params: report is {report!r}; {usage}')
    directory = params.get('dir', '.')
    if not isinstance(directory, str) or not os.path.isdir(directory):
        fail(EX_CONFIG, f'invalid params: dir {directory!r} is not a directory; {usage}')
    return {'report': report, 'dir': directory}


def measure(params):
    """One iteration's work: a one-line summary."""
    if params['report'] == 'files':
        return f"{len(os.listdir(params['dir']))} entries in {os.path.abspath(params['dir'])}"
    one, five, fifteen = os.getloadavg()
    return f'load average {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)'


def iterate(channel, iteration, params):
    """Runs one iteration and reports it; returns its summary (or None if it failed)."""
    started = time.monotonic()
    channel.send({'type': 'iteration_start', 'iteration': iteration, 'startedAt': int(time.time() * 1000)})
    report = {'type': 'iteration_done', 'iteration': iteration}
    try:
        summary = measure(params)
        report.update(status='ok', summary=summary)
    except OSError as error:
        summary = None
        report.update(status='error', error=str(error))
    report['durationMs'] = int((time.monotonic() - started) * 1000)
    channel.send(report)
    return summary


def run(channel, init, params):
    """The iteration loop; returns when the runner should exit 0."""
    interval_s = as_int(init['intervalMs']) / 1000
    max_iterations = as_int(init.get('maxIterations'))
    heartbeat_ms = as_int(init.get('heartbeatIntervalMs'))
    iterations = 0
    last_summary = None
    next_iteration = time.monotonic()  # the first iteration starts at once
    next_heartbeat = time.monotonic() + heartbeat_ms / 1000 if heartbeat_ms else None

    def exit_message(reason):
        message = {'type': 'exit', 'reason': reason, 'iterations': iterations}
        if last_summary is not None:
            message['summary'] = last_summary
        return message

    while True:
        now = time.monotonic()
        if now >= next_iteration:
            iterations += 1
            last_summary = iterate(channel, iterations, params) or last_summary
            if max_iterations is not None and iterations >= max_iterations:
                channel.send(exit_message('max_iterations'))
                return
            next_iteration = time.monotonic() + interval_s
        if next_heartbeat is not None and now >= next_heartbeat:
            channel.send({'type': 'heartbeat', 'at': int(time.time() * 1000)})
            next_heartbeat += heartbeat_ms / 1000
        wake = min(next_iteration, next_heartbeat if next_heartbeat is not None else next_iteration)
        message = channel.read(wake - time.monotonic())
        while message is not None:
            kind = message['type']
            if kind == 'stop':
                # Iterations here are short and synchronous: none is in progress, exit now.
                channel.send(exit_message('stopped'))
                return
            if kind == 'turn' and isinstance(message.get('turnId'), str):
                # Every turn gets exactly one turn_result; this runner announced turns: false.
                channel.send({'type': 'turn_result', 'turnId': message['turnId'], 'status': 'error',
                              'error': 'this runner does not accept turns', 'durationMs': 0})
            elif kind not in ('turn_cancel', 'permission_response'):
                note(f'ignored a {kind} message')
            message = channel.read(0)


def main():
    channel = open_channel()
    init = handshake(channel)
    params = check_params(init['params'])
    try:
        channel.send({'type': 'ready', 'protocolVersion': PROTOCOL_VERSION, 'codec': CODEC,
                      'pid': os.getpid(), 'capabilities': {'steps': True, 'turns': False}})
        print(f"python runner {os.getpid()}: run {init.get('runId')}, report {params['report']} "
              f"every {init['intervalMs']} ms", flush=True)
        channel.send({'type': 'log', 'level': 'info', 'message': f"reporting {params['report']}"})
        run(channel, init, params)
    except SupervisorGone:
        pass  # nobody to report to: exit quietly
    channel.sock.close()
    sys.exit(0)


if __name__ == '__main__':
    main()
