"""The pure domain: catalogue, areas, computation, targets, SPC, disclosure control.

Functions of data frames and configuration only: nothing here imports
SQLAlchemy or ``carers_impact.db`` (import-linter checks), so all of it is
tested with small tables and no database.
"""
