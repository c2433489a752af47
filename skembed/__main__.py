import sys

from skembed.cli import main

sys.exit(main())
