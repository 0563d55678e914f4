"""Loaded by pytest for any path it is given (tests/, solutions/, chapters/, one notebook).

One BLAS thread in pytest and in the notebook kernels nbval starts (they inherit this environment): on a
loaded 2-core machine OpenBLAS's default two threads made a (256, 64) @ (64, 64) product 20-70x slower
(measured), and the course's products are small enough that one thread loses nothing. Stored outputs are
rounded, so they do not depend on it. An explicit OPENBLAS_NUM_THREADS wins.

Parallel runs (``make test`` runs ``pytest -n 2``, pytest-xdist): every cell of a notebook is one nbval test
item, and the cells must run in order in one kernel, so ``pytest_xdist_make_scheduler`` below hands each
notebook to one worker as a whole, while unit tests are handed out one by one to whichever worker is free.
(xdist's own ``--dist loadgroup`` would do this with ``xdist_group`` markers, but under pytest 9 its renamed
node ids are ignored and the cells scatter; ``--dist loadfile`` keeps notebooks whole but balances the unit
tests badly, one worker idle while the other finishes a large test file.) Without ``-n`` (plain
``pytest --nbval``, as an instructor may run it) nothing here applies.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def pytest_xdist_make_scheduler(config, log):
    """Notebooks whole, unit tests one at a time; the largest units of work (the notebooks) first."""
    from xdist.scheduler import LoadScopeScheduling

    class NotebookScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(".ipynb") else nodeid

    return NotebookScheduling(config, log)


def pytest_addoption(parser):
    parser.addoption("--browser", action="store_true",
                     help="run tests/browser: every notebook in JupyterLab in headless Chromium (make test-browser)")


def pytest_ignore_collect(collection_path, config):
    """tests/browser only with --browser: `make test` and plain `pytest` stay browser-free."""
    if collection_path.name == "browser" and collection_path.parent.name == "tests" \
            and not config.getoption("--browser"):
        return True
    return None
