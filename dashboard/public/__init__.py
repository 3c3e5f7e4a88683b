"""The public, read-only outcome view: its pages and the helpers they share.

`dashboard/public_app.py` is the entry point; its page set is only the page
files in this folder, so no internal page can be reached from the public server.
"""
