"""How long a learner's answer may run, how much memory it may take and how much it may print while checked.

A check must end with a short verdict whatever the answer does: loop forever, allocate gigabytes, print
200,000 lines. ``limited_call(fn, args, kwargs, seconds=..., memory=...)`` runs the answer under three guards
and says what happened in an ``Outcome``:

- **Time.** On the main thread of a POSIX process (a Jupyter kernel, pytest, a grading process) an interval
  timer (``signal.setitimer``) raises ``AnswerTimeout`` in the answer's code after ``seconds`` and again every
  ``REFIRE`` seconds, so a bare ``except:`` in the answer cannot swallow it for good. ``AnswerTimeout`` derives
  from ``BaseException``: ``except Exception`` does not catch it either. Elsewhere (Windows, another thread) a
  watchdog thread raises it in the answer's thread with ``PyThreadState_SetAsyncExc``. Either way the
  exception is only raised while the answer runs, never in the checker's own code around it (the handler
  looks at the frame it interrupts), and the timer is disarmed and the previous handler restored before the
  call returns. A long C call (a huge matrix product) cannot be interrupted: it ends first, which is why
  memory is capped too.
- **Memory.** On Linux the address space may grow by at most ``memory`` bytes during the call
  (``RLIMIT_AS``, restored afterwards): a runaway allocation raises ``MemoryError`` in the answer instead of
  swapping the laptop to a halt or waking the out-of-memory killer.
- **Output** is captured by ``CapturedOutput`` (a context manager around a whole check): it counts the lines
  the answer printed and keeps the first few, for the verdict to show.

``time_limit_for(reference_seconds)`` calibrates the limit to the reference: ``max(MIN_SECONDS, FACTOR ×
reference_seconds)``, so a correct but slower answer on a busy laptop still passes, capped at ``MAX_SECONDS`` so that
an answer that never ends is stopped within half a minute even where the reference itself trains a model for seconds
(Chapter 06's Auto MPG property: 20 × ~2 s on a busy machine would keep a learner waiting 40 s and more).
``MIN_SECONDS`` can be lowered with the environment variable ``COURSE_CHECK_MIN_SECONDS`` (the tests use 0.2 s).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

MIN_SECONDS = float(os.environ.get("COURSE_CHECK_MIN_SECONDS", "5"))
"""No answer is stopped before this many seconds."""
FACTOR = 20.0
"""An answer may take this many times as long as the reference (and at least ``MIN_SECONDS``)."""
MAX_SECONDS = 30.0
"""No answer runs longer than this, however slow the reference (unless ``MIN_SECONDS`` is set higher)."""
REFIRE = 0.01
"""Seconds between two ticks of the timer: time spent importing is measured at this resolution, and once the
limit is reached the timeout is raised again at every tick (a bare ``except:`` cannot hold on)."""
MEMORY_BYTES = 2 * 2**30
"""How much the address space may grow while an answer runs (Linux): far above what any exercise needs."""
SHOWN_LINES, LINE_CHARS = 3, 200
"""How much of what an answer printed a verdict shows."""

_THIS_FILE = __file__  # what this module's code objects carry as co_filename


class AnswerTimeout(BaseException):  # noqa: N818 - a BaseException, like KeyboardInterrupt, is not an "Error"
    """Raised inside a learner's answer that runs past its time limit (not an ``Exception``: a learner's
    ``except Exception:`` must not catch it).

    Creating one in a thread whose answer has a timer turns that timer's tracing on there (see ``_Timer``):
    a watchdog thread can raise an exception in another thread, but only code that runs in that thread can
    turn tracing on for it, and CPython builds the exception object in the thread it is raised in.
    """

    def __init__(self, *args):
        super().__init__(*args)
        timer = _TIMERS.get(threading.get_ident())
        if timer is not None:
            timer.escalate(sys._getframe(1))


_TIMERS: dict[int, _Timer] = {}
"""The timer of the answer running in each thread (a thread id -> its ``_Timer``), while one is armed."""


def format_seconds(seconds: float) -> str:
    """A limit as a learner reads it: 5 s, 12 s, 0.2 s, 0.33 s."""
    return f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.2g}"


def time_limit_for(reference_seconds: float | None = None) -> float:
    """The time an answer gets: ``max(MIN_SECONDS, min(MAX_SECONDS, FACTOR × reference_seconds))`` (``MIN_SECONDS``
    when unknown)."""
    if reference_seconds is None:
        return MIN_SECONDS
    return max(MIN_SECONDS, min(MAX_SECONDS, FACTOR * float(reference_seconds)))


@dataclass
class Outcome:
    """What happened in a ``limited_call``: a ``value``, or an ``exception``; ``timed_out`` after the limit
    (then ``exception`` is the ``AnswerTimeout``); ``out_of_memory`` when it raised ``MemoryError``."""

    value: Any = None
    exception: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0

    @property
    def out_of_memory(self) -> bool:
        return isinstance(self.exception, MemoryError)


class _Guard:
    """The state a timer shares with the call it limits: whether the answer is running now, and whether the
    limit has passed."""

    def __init__(self):
        self.inside = False
        self.expired = False

    def should_raise(self, frame) -> bool:
        """Raise only while the answer runs, never in this module's own frames (the call's wrapper), and never
        while a module is being imported: an exception in the middle of an import leaves a half-made module
        behind (measured: PyTorch's first autograd call imports modules for about a second; stopped there, every
        later use of torch in the kernel failed). The timer fires again once the import is done."""
        if not self.inside:
            return False
        if frame is None:
            return True
        if frame.f_code.co_filename == _THIS_FILE:
            return False
        return not self.importing(frame)

    @staticmethod
    def importing(frame) -> bool:
        """True when ``frame`` runs inside an import started by the answer (below ``_run``)."""
        while frame is not None and frame.f_code is not _run.__code__:
            if frame.f_code.co_filename.startswith("<frozen importlib"):
                return True
            frame = frame.f_back
        return False


def _run(guard: _Guard, fn, args, kwargs):
    """The one frame around the answer: the guard marks it running exactly while ``fn`` runs."""
    guard.inside = True
    try:
        return fn(*args, **kwargs)
    finally:
        guard.inside = False


def limited_call(fn, args: tuple = (), kwargs: dict | None = None, *, seconds: float | None = None,
                 memory: int | None = MEMORY_BYTES) -> Outcome:
    """Call ``fn(*args, **kwargs)`` for at most ``seconds`` (``MIN_SECONDS`` when None) with the address space
    allowed to grow by ``memory`` bytes (None: no cap). Every exception of the answer is caught and reported,
    except ``KeyboardInterrupt`` (Kernel → Interrupt), which passes through once the guards are removed."""
    kwargs = kwargs or {}
    seconds = time_limit_for() if seconds is None else float(seconds)
    guard, outcome = _Guard(), Outcome()
    timer = _SignalTimer(guard, seconds) if _signal_timer_works() else _ThreadTimer(guard, seconds)
    start = time.perf_counter()
    with _memory_cap(memory), _quiet_timeouts_in_finalizers():
        timer.arm()
        try:
            # A timeout raised while a handler of the answer's own exception runs still lands here: loop until
            # the timer is disarmed, after which nothing is raised any more.
            while True:
                try:
                    if not timer.armed:
                        break
                    try:
                        outcome.value = _run(guard, fn, args, kwargs)
                    except AnswerTimeout as exc:
                        outcome.timed_out, outcome.exception = True, exc
                    except KeyboardInterrupt:
                        raise
                    except BaseException as exc:  # noqa: BLE001 - any failure of the answer becomes a verdict
                        outcome.exception = exc
                    timer.disarm()
                except AnswerTimeout as exc:
                    outcome.timed_out, outcome.exception = True, exc
                    timer.disarm()
        finally:
            timer.disarm()
    outcome.seconds = time.perf_counter() - start
    if guard.expired and outcome.exception is None and outcome.seconds >= seconds:
        # it returned just as the limit passed, before the timer could stop it: still too slow
        outcome.timed_out, outcome.value = True, None
        outcome.exception = AnswerTimeout(f"still running after {format_seconds(seconds)} s")
    return outcome


@contextlib.contextmanager
def _quiet_timeouts_in_finalizers():
    """A timeout that lands in a finalizer (a generator closed by the garbage collector, a ``__del__``) cannot
    propagate; Python would print "Exception ignored in ..." and a traceback. Drop those; report the rest."""
    previous = sys.unraisablehook

    def hook(unraisable):
        if not isinstance(unraisable.exc_value, AnswerTimeout):
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def _signal_timer_works() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


class _Timer:
    """What both timers share: once the limit has passed, ``AnswerTimeout`` is raised where the answer is.

    That place is most often inside the body of a ``try`` whose ``except BaseException:`` would swallow it, so
    the first timeout also turns on a trace function for the answer's frames (``escalate``), which raises again
    at the next line the answer starts: the ``except`` line or a loop's head, outside the ``try`` body. CPython
    switches a trace function off once it has raised; the next firing (every ``REFIRE`` s) turns it on again.
    The caller's own trace function (a debugger, coverage) is put back when the timer is disarmed.
    """

    def __init__(self, guard: _Guard, seconds: float):
        self.guard, self.seconds, self.armed = guard, seconds, False
        self.thread = threading.get_ident()
        self.previous_trace = None
        self.escalated = False
        self.started = self.last_tick = time.monotonic()
        self.import_seconds = 0.0

    def tick(self, frame) -> bool:
        """Called every ``REFIRE`` seconds from the start: True once the answer has run for ``seconds``, not
        counting the time spent importing modules (``import torch`` inside an answer can take seconds on a
        busy laptop; that is not the answer being slow)."""
        now = time.monotonic()
        if self.guard.inside and self.guard.importing(frame):
            self.import_seconds += now - self.last_tick
        self.last_tick = now
        if now - self.started - self.import_seconds < self.seconds:
            return False
        self.guard.expired = True
        return True

    def timeout(self) -> AnswerTimeout:
        return AnswerTimeout(f"still running after {format_seconds(self.seconds)} s")

    def escalate(self, frame) -> None:
        """Trace the answer's frames, from ``frame`` (past the timer's own frames: the signal handler, this
        exception's constructor) up to ``_run``: every line or call they start then raises."""
        if not (self.armed and self.guard.inside) or threading.get_ident() != self.thread:
            return
        answer_frames = []
        while frame is not None and frame.f_code is not _run.__code__:
            if frame.f_code.co_filename != _THIS_FILE:
                answer_frames.append(frame)
            frame = frame.f_back
        if frame is None or not answer_frames:  # not inside the answer (e.g. already back in ``_run``)
            return
        self.escalated = True
        for answer_frame in answer_frames:
            answer_frame.f_trace, answer_frame.f_trace_lines = self._on_line, True
        sys.settrace(self._on_call)

    def _on_call(self, frame, event, arg):
        if self.armed and self.guard.should_raise(frame):
            raise self.timeout()
        return None

    def _on_line(self, frame, event, arg):
        if event == "line" and self.armed and self.guard.should_raise(frame):
            raise self.timeout()
        return self._on_line

    def arm(self) -> None:
        self.previous_trace = sys.gettrace()
        self.armed = True
        _TIMERS[self.thread] = self
        self._start()

    def disarm(self) -> None:
        if not self.armed:
            return
        self.armed = False  # from here on nothing raises, even if a handler or a tracer still runs once
        self._stop()
        _TIMERS.pop(self.thread, None)
        if self.escalated:
            sys.settrace(self.previous_trace)


class _SignalTimer(_Timer):
    """``signal.setitimer``: fires at ``seconds``, then every ``REFIRE`` seconds, until disarmed; the handler
    runs between two bytecodes of the answer, in its thread (the main thread)."""

    def _on_alarm(self, signum, frame):
        if self.tick(frame) and self.armed and self.guard.should_raise(frame):
            raise self.timeout()  # escalates (AnswerTimeout.__init__); a loop on one line has no line events

    def _start(self) -> None:
        self.previous_handler = signal.signal(signal.SIGALRM, self._on_alarm)
        signal.setitimer(signal.ITIMER_REAL, REFIRE, REFIRE)  # ticks from the start: imports are not counted

    def _stop(self) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous_handler if self.previous_handler is not None else signal.SIG_DFL)


class _ThreadTimer(_Timer):
    """A watchdog thread that raises ``AnswerTimeout`` in the answer's thread (``PyThreadState_SetAsyncExc``):
    for Windows and for checks run off the main thread."""

    def _watch(self) -> None:
        while not self.stopped:
            time.sleep(REFIRE)
            with self.lock:
                frame = sys._current_frames().get(self.thread)
                if self.tick(frame) and self.armed and not self.stopped and self.guard.should_raise(frame):
                    _async_raise(self.thread, AnswerTimeout)

    def _start(self) -> None:
        self.lock, self.stopped = threading.Lock(), False
        threading.Thread(target=self._watch, name="answer-time-limit", daemon=True).start()

    def _stop(self) -> None:
        with self.lock:  # the watchdog cannot raise after this
            self.stopped = True
        # A timeout the watchdog raised just before may still be on its way: it arrives at this thread's next
        # call at the latest, so make that call here. (Cancelling it with PyThreadState_SetAsyncExc(id, NULL)
        # instead leaves CPython 3.11 re-running the main thread's signal handlers: measured, the next check
        # on the main thread recursed in its SIGALRM handler until the stack ran out.)
        while True:
            try:
                _arrive()
                break
            except AnswerTimeout:
                continue


def _arrive() -> None:
    """Nothing: calling it lets a pending asynchronous exception be raised (a function call checks for one)."""


def _async_raise(thread_id: int, exc_type) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc_type))


@contextlib.contextmanager
def _memory_cap(extra: int | None):
    """Cap the address space at its current size + ``extra`` bytes (Linux; elsewhere nothing is capped)."""
    if extra is None or not sys.platform.startswith("linux"):
        yield
        return
    try:
        import resource

        with open("/proc/self/statm") as statm:
            now = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = now + int(extra)
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY and soft <= cap:
            yield  # already capped tighter by the environment
            return
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (OSError, ValueError, ImportError):
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class CapturedOutput(io.TextIOBase):
    """What the answer printed during a check: the number of lines and the first ``SHOWN_LINES`` of them
    (each cut at ``LINE_CHARS`` characters). Nothing else is kept, so a flood costs no memory.

    Use it around a whole check: ``with CapturedOutput() as printed: ...``; stdout and stderr both go to it.
    """

    def __init__(self):
        super().__init__()
        self.lines = 0
        self.head: list[str] = []
        self._partial = ""
        self._stack = contextlib.ExitStack()

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        pieces = (self._partial + text).split("\n")
        self._partial = pieces.pop()[: LINE_CHARS + 1]
        for line in pieces:
            self._keep(line)
        return len(text)

    def _keep(self, line: str) -> None:
        self.lines += 1
        if len(self.head) < SHOWN_LINES:
            self.head.append(line if len(line) <= LINE_CHARS else line[:LINE_CHARS] + "…")

    def finish(self) -> None:
        if self._partial:
            self._keep(self._partial)
            self._partial = ""

    def __enter__(self) -> CapturedOutput:
        self._stack.enter_context(contextlib.redirect_stdout(self))
        self._stack.enter_context(contextlib.redirect_stderr(self))
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()
        self.finish()

    def summary(self) -> tuple[str, ...]:
        """The verdict's lines about it: none when nothing was printed."""
        if not self.lines:
            return ()
        lines = "1 line" if self.lines == 1 else f"{self.lines:,} lines"
        shown = f"the first {len(self.head)}" if self.lines > len(self.head) else "here"
        return (f"your code printed {lines} while being checked ({shown}):",
                *(f"| {line}" for line in self.head))


__all__ = ["FACTOR", "MAX_SECONDS", "MEMORY_BYTES", "MIN_SECONDS", "AnswerTimeout", "CapturedOutput", "Outcome",
           "format_seconds", "limited_call", "time_limit_for"]
