"""``python -m volunteer_hub.cli``: the same as the ``volunteer-hub`` command."""

import sys

from volunteer_hub.cli.main import main

sys.exit(main())
