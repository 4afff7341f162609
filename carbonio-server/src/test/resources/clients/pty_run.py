#!/usr/bin/env python3
"""Runs a full-screen program (mutt) on a pseudo-terminal of its own, without a person.

usage: pty_run.py SECONDS SCREEN_LOG PROGRAM [ARG...]
The program gets a new session whose controlling terminal is a pty of 200x50 cells with
TERM=xterm (the test JVM has no terminal: its stdin is closed and TERM is usually unset, and a
curses program then stops or loses the keys it was given). Everything the program draws is read
and appended to SCREEN_LOG (so the pty never fills up and blocks it); nothing is ever typed, the
program must drive itself (mutt: -e 'push ...'). Exits with the program's exit code, or 128+N when
a signal N ended it. When the program has not finished within SECONDS, its whole process group is
killed, the last 4,000 bytes of the screen are printed to stderr, and the exit code is 124.
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def main():
    seconds = float(sys.argv[1])
    log_path = sys.argv[2]
    argv = sys.argv[3:]
    env = dict(os.environ, TERM="xterm", COLUMNS="200", LINES="50")
    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
    deadline = time.monotonic() + seconds
    tail = b""
    with open(log_path, "ab") as log:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.killpg(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                sys.stderr.write(
                    "%s did not finish within %s s; last screen output:\n%s\n"
                    % (argv[0], seconds, tail.decode("utf-8", "replace"))
                )
                sys.exit(124)
            ready, _, _ = select.select([fd], [], [], min(left, 1.0))
            if not ready:
                continue
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the program ended and closed the terminal
                data = b""
            if not data:
                break
            log.write(data)
            tail = (tail + data)[-4000:]
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sys.exit(128 + os.WTERMSIG(status))
    sys.exit(os.WEXITSTATUS(status))


if __name__ == "__main__":
    main()
