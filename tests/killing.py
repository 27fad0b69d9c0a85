"""Test helper: start a command and SIGKILL it at a chosen moment (for kill-and-resume tests)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable

import pytest


def kill_when_ready(
    cmd: list[str], env: dict, ready: Callable[[], bool], *, timeout: float, what: str
) -> None:
    """Run ``cmd`` and SIGKILL it as soon as ``ready()`` is true.

    Fails the test when the command ends before it could be killed (with the tail of its stderr) or
    when ``ready()`` is still false after ``timeout`` seconds.
    """
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(
                    f"{what} ended before it could be killed:\n" + proc.stderr.read().decode()[-2000:]
                )
            if time.monotonic() > deadline:
                pytest.fail(f"{what} was not ready to be killed within {timeout} s")
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
