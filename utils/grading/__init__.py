"""Grading learners' notebooks (the machinery behind ``python -m utils.grade``), one concept per module:

- ``notebooks``: find the notebooks under the paths given (one learner per folder or per file), read one
  without trusting it, and recognise its chapter from its exercise tags and check calls (not its file name).
- ``kernel``: run one notebook headlessly in its own kernel under a per-cell and a whole-notebook time limit,
  collecting the checker's verdicts as they are recorded (a hung or crashed kernel keeps what came before).
- ``results``: the status of every exercise of the chapter for one notebook (``grade_notebook``), and the
  gradebook (one row per learner, one column per exercise, a total) with its CSV.
"""
