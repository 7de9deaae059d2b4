"""The web chat, started from a checkout: `python app.py [--corpus DIR] [--index DIR] [--port N]`
(the same as `python -m qa_app` or, installed, `briefing-qa serve`; the app is qa_app.app)."""

import sys

from qa_app.app import main

if __name__ == "__main__":
    sys.exit(main())
