"""`streamlit run app.py` from a clone (and Streamlit Community Cloud): runs the page the package ships.

The page itself is ``src/sahelmap/app.py`` (installed as ``sahelmap/app.py``); `sahelmap app` runs the
same file from any installation.
"""

import runpy

from sahelmap import paths

runpy.run_path(str(paths.app_script()), run_name="__main__")
