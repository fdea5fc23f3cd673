"""ipywidgets pieces: imported only when a panel or form is shown, never at load."""
