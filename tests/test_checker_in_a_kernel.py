"""The checker's limits where learners meet them: in a real Jupyter kernel. A check cell with an answer that
loops forever ends with a verdict; one that prints a flood shows a count; Kernel → Interrupt during a check
ends the cell with one line, as an error (so "Run All" stops there), and the kernel goes on checking.
Slow (~6 s, a kernel): ``make check-all`` (CI) and plain ``pytest`` run it, ``make test`` does not."""

from __future__ import annotations

import queue
import time

import pytest

SETUP = "import numpy as np\nfrom utils.checks import check, limits\nlimits.MIN_SECONDS = 1.0"
RIGHT = "check('activations.sigmoid', lambda x: 0.5 * (1 + np.tanh(0.5 * x)))"


@pytest.fixture
def kernel(root):
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3", cwd=str(root / "chapters"),
                                       transport_encryption="auto")
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def run(kernel, code: str, interrupt_when=None, timeout: float = 60.0):
    """(outputs, reply status) of one cell: outputs as ("stream", text) or ("error", ename, traceback lines).
    ``interrupt_when``: a path; once the cell has created it, the kernel is interrupted (Kernel → Interrupt)."""
    manager, client = kernel
    msg_id = client.execute(code)
    start, outputs, interrupted = time.monotonic(), [], False
    while True:
        if interrupt_when is not None and not interrupted and interrupt_when.exists():
            manager.interrupt_kernel()
            interrupted = True
        assert time.monotonic() - start < timeout, f"the cell was still running after {timeout} s"
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            outputs.append(("stream", content["text"]))
        elif kind == "error":
            outputs.append(("error", content["ename"], content["traceback"]))
        elif kind == "status" and content["execution_state"] == "idle":
            break
    reply = client.get_shell_msg(timeout=10)
    return outputs, reply["content"]["status"]


@pytest.mark.slow
def test_limits_and_interrupts_in_a_real_kernel(kernel, tmp_path):
    assert run(kernel, SETUP) == ([], "ok")

    loop = "def sigmoid(x):\n    while True:\n        pass\ncheck('activations.sigmoid', sigmoid)"
    outputs, status = run(kernel, loop)
    assert status == "ok" and len(outputs) == 1
    assert "was still running after 1 s: is there a loop that never ends?" in outputs[0][1]

    outputs, status = run(kernel, "def sigmoid(x):\n    for i in range(10**5):\n        print(i)\n"
                                  "    return 0.5 * (1 + np.tanh(0.5 * x))\ncheck('activations.sigmoid', sigmoid)")
    text = "".join(o[1] for o in outputs)
    assert status == "ok" and "✓ activations.sigmoid" in text and "printed 600,000 lines" in text
    assert len(text.splitlines()) == 5

    started = tmp_path / "the answer is running"
    looping = (f"limits.MIN_SECONDS = 60\ndef sigmoid(x):\n    open({str(started)!r}, 'w').close()\n"
               "    while True:\n        pass\ncheck('activations.sigmoid', sigmoid)")
    outputs, status = run(kernel, looping, interrupt_when=started)
    assert status == "error"  # Run All stops here
    assert outputs == [("error", "CheckInterrupted", [
        "✗ activations.sigmoid: interrupted (Kernel → Interrupt) before the check finished; run this cell again "
        "to check your answer"])]

    outputs, status = run(kernel, RIGHT)
    assert status == "ok" and outputs[0][1].startswith("✓ activations.sigmoid: all 6 cases passed.")
