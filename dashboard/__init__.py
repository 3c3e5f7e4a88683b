"""The Streamlit dashboard (internal) and the public outcome view."""
