"""sahelmap: explore armed-conflict events in Mali."""

import pyarrow as pa

# Arrow allocates with the C library's malloc, as numpy does. Arrow's default (mimalloc) keeps the memory
# each chunk of an upload frees, much of it on Arrow's worker threads where release_unused does not reach:
# 50 MB of bad rows peaked at about 495 MB with it and about 440 MB with malloc, in the same time
# (BENCHMARKS.md, issue 9 item 11). Set here, at run time, it holds however the process was started
# (`streamlit run app.py` imports Arrow before the page, too late for ARROW_DEFAULT_MEMORY_POOL).
pa.set_memory_pool(pa.system_memory_pool())
