"""Every way a learner's answer can break, tried on one exercise, each in a fresh process.

    python -m tests.broken_answers activations.sigmoid     # prints one JSON report

The driver loads the exercise's reference once, then forks one child per broken answer (a fresh process that
shares nothing with the others). Each child checks the broken answer with ``check`` — what a learner runs —
then checks the reference answer in the same process ("the next check works"), with its standard output and
error sent to a file. The driver waits for each child with a deadline (a child still running then is a hang,
and is killed) and reports, per answer: the child's exit code, both verdicts' statuses, and everything the
child printed. ``tests/test_checker_survives.py`` asserts on the reports: no hang, no crash, no traceback, no
flood, no pass, and the next check passes.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import time

import numpy as np

SHORT_LIMIT = 0.3  # seconds: the children's time limit (a learner gets max(5 s, 20× the reference))
DEADLINE = 60.0  # seconds a child may take in all before it counts as a hang


def _first_array(args):
    return next((a for a in args if isinstance(a, np.ndarray)), None)


def returns_none(*args, **kwargs):
    return None


def raises(*args, **kwargs):
    raise ValueError("something went wrong in the answer")


def returns_a_list(*args, **kwargs):
    return [1.0, 2.0, 3.0]


def returns_nan(*args, **kwargs):
    x = _first_array(args)
    return np.full(x.shape, np.nan) if x is not None else float("nan")


def mutates_its_input(*args, **kwargs):
    for a in args:
        if isinstance(a, np.ndarray) and a.flags.writeable:
            a[...] = 0
    return args[0] if args else 0.0


def returns_a_view_of_its_input(*args, **kwargs):
    x = _first_array(args)
    return x[...] if x is not None else (args[0] if args else 0.0)


def recurses_forever(*args, **kwargs):
    return recurses_forever(*args, **kwargs)


def loops_forever(*args, **kwargs):
    while True:
        pass


def swallows_every_exception(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except BaseException:  # noqa: BLE001 - what a learner might write
            continue


def prints_a_flood(*args, **kwargs):
    for i in range(200_000):
        print("debug", i)
    return None


def allocates_far_too_much(*args, **kwargs):
    return np.ones((200_000, 200_000))  # 298 GiB


def grows_memory_until_stopped(*args, **kwargs):
    blocks = []
    while True:
        blocks.append(np.empty(10**8))  # 800 MB of address space a step: the memory cap stops it at once


def changes_numpy_globals(*args, **kwargs):
    np.random.seed(0)
    np.set_printoptions(precision=1)
    np.seterr(all="ignore")
    return None


BROKEN = {f.__name__: f for f in (
    returns_none, raises, returns_a_list, returns_nan, mutates_its_input, returns_a_view_of_its_input,
    recurses_forever, loops_forever, swallows_every_exception, prints_a_flood, allocates_far_too_much,
    grows_memory_until_stopped, changes_numpy_globals)}


def _child(exercise_id: str, name: str, reference, out_path: str, result_path: str) -> None:
    """In the forked child: check the broken answer, then the reference; record the statuses; never return."""
    code = 1
    try:
        fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        sys.stderr = os.fdopen(2, "w", buffering=1, closefd=False)
        from utils.checks import check, last_verdict

        check(exercise_id, BROKEN[name])
        broken = last_verdict().status
        check(exercise_id, reference)
        after = last_verdict().status
        with open(result_path, "w") as result:
            json.dump({"broken": broken, "after": after}, result)
        code = 0
    except BaseException:  # noqa: BLE001 - a traceback in the output file is what the test looks for
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run(exercise_id: str, names=None) -> dict:
    """{answer name: {"exit", "seconds", "broken", "after", "output"}} for one exercise."""
    import torch

    torch.set_num_threads(1)  # no thread pools in the parent: forking stays safe
    from utils.checks import limits
    from utils.checks.registry import get

    limits.MIN_SECONDS = SHORT_LIMIT
    exercise = get(exercise_id)
    reference = exercise.load()
    exercise.validate_reference()  # warms up what the check imports and computes (oracles, torch)
    if hasattr(exercise, "_time_reference"):  # a property's time limit, calibrated once for every child
        exercise._reference_seconds = exercise._time_reference()
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or BROKEN:
            out_path, result_path = os.path.join(tmp, f"{name}.out"), os.path.join(tmp, f"{name}.json")
            start = time.monotonic()
            pid = os.fork()
            if pid == 0:
                _child(exercise_id, name, reference, out_path, result_path)
            status, hung = None, False
            while status is None:
                done, wait_status = os.waitpid(pid, os.WNOHANG)
                if done:
                    status = os.waitstatus_to_exitcode(wait_status)
                elif time.monotonic() - start > DEADLINE:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    status, hung = -9, True
                else:
                    time.sleep(0.01)
            result = {}
            if os.path.exists(result_path):
                with open(result_path) as f:
                    result = json.load(f)
            with open(out_path, errors="replace") as f:
                output = f.read(20_000)
            report[name] = {"exit": status, "hung": hung, "seconds": round(time.monotonic() - start, 2),
                            "output": output, **result}
    return report


if __name__ == "__main__":
    print(json.dumps(run(sys.argv[1], sys.argv[2:] or None)))
