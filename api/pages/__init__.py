"""The API's HTML pages: its documentation (`docs`) and the page where a user manages their personal API
tokens (`tokens`, with its form)."""
