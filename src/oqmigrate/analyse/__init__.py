"""analyse: what the code means, computed once and read by both the checks and the codemods.

`worker.analyse_worker` decides whether (and how) a worker class becomes an Oqtane job, without generating code.
"""
