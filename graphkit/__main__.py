import sys

from graphkit.cli.main import main

sys.exit(main())
