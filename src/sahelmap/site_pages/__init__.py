"""Pages beside the dashboard (place profiles, methodology): Streamlit scripts that app.py registers."""
