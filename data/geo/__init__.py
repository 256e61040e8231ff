"""Geographic reference files of ``sahelmap.data`` (sources and licences: README.md here)."""
