"""One module per page: TITLE, ICON, ORDER, ROLES and render()."""
