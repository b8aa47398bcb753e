"""`make run` starts the report worker through bin/keep-running: a worker that dies is started again."""

import os
import signal
import subprocess
import time

from tests.helpers import ROOT


def test_a_command_that_dies_is_started_again_until_the_loop_is_stopped(tmp_path):
    starts = tmp_path / "starts"
    loop = subprocess.Popen(
        [str(ROOT / "bin" / "keep-running"), "sh", "-c", f"echo started >> {starts}; exit 3"],
        env={**os.environ, "RESTART_SECONDS": "0.05"},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        for _ in range(400):  # until the command has been started three times (well under a second)
            if starts.exists() and len(starts.read_text().splitlines()) >= 3:
                break
            time.sleep(0.01)
        assert len(starts.read_text().splitlines()) >= 3
    finally:
        loop.send_signal(signal.SIGTERM)
        _, err = loop.communicate(timeout=10)
    assert loop.returncode == 0
    assert "stopped (exit status 3); starting it again" in err
