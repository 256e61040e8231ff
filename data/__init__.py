"""sahelmap's bundled tables, installed as the package data ``sahelmap.data`` (see pyproject.toml).

Read them through ``sahelmap.paths``, never by a path relative to the source tree.
"""
