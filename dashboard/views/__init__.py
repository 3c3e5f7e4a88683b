"""The internal dashboard's pages, one file each, run by Streamlit from `dashboard/app.py`."""
