"""The database side of measures: stored values, publishing, commentary and action updates.

Reached by the dashboard and the command line only through ``measures.api``
(internal) and ``measures.public`` (the public view).
"""
