import sys

from .scans import main

sys.exit(main())
