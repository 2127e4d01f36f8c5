#!/usr/bin/env bash
# Regenerates the initial migration from the models. Only while nothing is deployed:
# once a release exists, new changes get a new revision instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f storage/migrations/versions/0001_initial_schema.py
python -c "
from alembic import command
from storage.db import alembic_config
command.revision(alembic_config('sqlite+aiosqlite:///$tmp/x.db'), message='initial schema', autogenerate=True, rev_id='0001')
"
# Migrations are frozen history: they must not import the models.
sed -i 's/storage\.models\.UTCDateTime(timezone=True)/sa.DateTime(timezone=True)/g; /^Create Date:/d' \
  storage/migrations/versions/0001_initial_schema.py
rm -rf "$tmp"
