"""The state folder's own folders, private: ``private_folder``.

The state folder (``bulk.claims.state_dir``) holds claims, their secret, the coordinator's
markers and the merges made: data of the user's accounts. Every writer makes its folder
here, so that the state folder and every folder in it are 0700 whatever the umask and
whichever writes first. It never writes a file.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from .claims import STATE_ENV, state_dir


def private_folder(path: Path) -> Path:
    """``path`` made (with its missing parents) for state that holds the user's data:
    every folder made here from the state folder down, and the state folder itself, is
    0700 whatever the umask (x23 4: ``mkdir(parents=True, mode=0o700)`` gave the leaf
    0700 but the state folder, made as a parent of ``coordinated/``, 0755). A state folder
    an older version left readable to others is made private too, when it is the default
    one (``$XDG_STATE_HOME/pdbulk``, ``~/.local/state/pdbulk``) and the user's own; a
    ``$PDBULK_STATE_DIR`` that exists is left as its owner made it. Returns ``path``."""
    top = state_dir()
    made = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in made:
        if folder in (path, top) or top in folder.parents:
            os.chmod(folder, 0o700)
    if top not in made and (top == path or top in path.parents) \
            and not os.environ.get(STATE_ENV):
        with contextlib.suppress(OSError):
            st = top.stat()
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                os.chmod(top, 0o700)
    return path


__all__ = ["private_folder"]
