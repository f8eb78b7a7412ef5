"""The benchmark (issue #12): `python -m bench`, see bench/__main__.py."""
