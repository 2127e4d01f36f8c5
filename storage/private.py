"""Folders and files that hold personal data: readable by the process's own user only.

A data folder the app creates is 700 and the database (with its WAL and shared-memory
files, which SQLite creates with the database file's permissions) is 600. Folders that
already exist are left as their owner set them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from storage.settings import Settings

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> None:
    """Create `path` (and missing parents) as 700; an existing folder is left alone."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is masked by the umask


def private_file(path: Path) -> None:
    """Create `path` empty as 600 if it does not exist (before SQLite opens it)."""
    if not path.exists():
        private_folder(path.parent)
        descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
        os.close(descriptor)


def data_folder(settings: Settings) -> None:
    from storage.settings import SettingsError  # settings imports this module

    """The data folder, created private; a path that cannot be one stops start-up with a
    line naming the setting."""
    try:
        private_folder(settings.data_dir)
        if not settings.data_dir.is_dir():
            raise NotADirectoryError(20, "it is a file, not a folder")
        probe = settings.data_dir / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise SettingsError(
            f"COMPLAINTS_DATA_DIR: cannot use {settings.data_dir} as the data folder: "
            f"{error.strerror or error}. Choose a folder this user can write to."
        ) from None
