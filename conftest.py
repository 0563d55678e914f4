"""Loaded by pytest for any path it is given (tests/, solutions/, chapters/, one notebook).

One BLAS thread in pytest and in the notebook kernels nbval starts (they inherit this environment): on a
loaded 2-core machine OpenBLAS's default two threads made a (256, 64) @ (64, 64) product 20-70x slower
(measured), and the course's products are small enough that one thread loses nothing. Stored outputs are
rounded, so they do not depend on it. An explicit OPENBLAS_NUM_THREADS wins.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
