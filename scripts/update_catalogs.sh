#!/usr/bin/env bash
# Refresh the translation catalogs from the code in one command:
#  1. extract every marked string into locales/messages.pot (mappings, keywords and the
#     "TRANSLATORS:" comment tag are configured in pyproject.toml [tool.babel]);
#  2. merge it into locales/<lang>/LC_MESSAGES/messages.po for every language in
#     locales.LANGUAGES except "en" (creating missing catalogs).
# No compile step: locales/__init__.py reads the .po files directly at run time.
# Changed strings become untranslated (no fuzzy guesses; set FUZZY=1 to get them as hints),
# and tests/i18n fails until they are translated.
# Usage: scripts/update_catalogs.sh   (in the venv, or PYTHON=/path/to/venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-${VIRTUAL_ENV:+$VIRTUAL_ENV/bin/}python3}"
pybabel() { "$PYTHON" -m babel.messages.frontend "$@"; }

pybabel extract -F pyproject.toml --add-location=file --sort-by-file \
    --project=complaints-assistant --copyright-holder="complaints-assistant contributors" \
    -o locales/messages.pot conversations procedures services bot server.py

fuzzy=(--no-fuzzy-matching)
[ "${FUZZY:-0}" = 1 ] && fuzzy=()
for lang in $("$PYTHON" -c 'import locales; print(*(c for c in locales.LANGUAGES if c != "en"))'); do
    po="locales/$lang/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        pybabel update -i locales/messages.pot -d locales -l "$lang" "${fuzzy[@]}" \
            --ignore-obsolete --ignore-pot-creation-date
    else
        pybabel init -i locales/messages.pot -d locales -l "$lang"
        # Babel's table gives Welsh 5 forms; use the usual 6 (zero, one, two, few, many, other).
        if [ "$lang" = cy ]; then
            sed -i 's/^"Plural-Forms: .*"$/"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5);\\n"/' "$po"
        fi
    fi
done
