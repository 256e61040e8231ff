"""sahelmap: explore armed-conflict events in Mali."""

import os

# Arrow allocates with the C library's malloc (as numpy does) unless the environment names another pool.
# Arrow's default (mimalloc) keeps the memory each chunk of an upload frees, much of it on Arrow's worker
# threads where release_unused does not reach: 50 MB of bad rows peaked at about 495 MB with it and
# 418 MB with malloc, in the same time (BENCHMARKS.md, issue 9 item 11). Arrow reads this variable when
# it is first imported, so it only counts when sahelmap is imported first (the CLI, `sahelmap app`);
# `streamlit run app.py` imports Arrow before the page: deploy/systemd sets the variable itself.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
