"""Batch review (``formcheck batch``): many clips -> one report folder each + an index.

inputs.py finds the clips, job.py analyses one clip into its folder (the unit of work, the
same for every engine), engines.py runs jobs in local processes or as Ray tasks, index.py
writes summary.csv/json, reps.csv/json and index.html, run.py ties them together with resume.
"""
