"""Streamlit pages and the widgets they share."""
