import sys

from qa_app.app import main

sys.exit(main())
