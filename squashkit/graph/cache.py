"""On-disk cache of parsed migration records, the same idea as Python's ``__pycache__``.

:func:`squashkit.graph.static.load_static` parses every migration file with :mod:`ast`; on a big project that
is most of its time.  The cache keeps, per file, what parsing produced (the :class:`MigrationInfo` and the
:class:`FileProblem` list, so broken files are still reported) and reuses it while the file's
``(path, mtime_ns, size)`` are unchanged (the inode change time and inode number are compared too: a
rewrite that restores the modification time is still noticed).

* One cache file per project root, named by a hash of the resolved root path, in ``$SQUASHKIT_CACHE_DIR``,
  else ``$XDG_CACHE_HOME/squashkit``, else ``~/.cache/squashkit``; never inside the analysed project (a cache
  directory under the project root disables the cache).
* The whole file is ignored when it was written by another squashkit version, another cache format, other
  parser sources (their size and modification time, so an edited checkout never reuses stale records) or
  with other swappable settings (``AUTH_USER_MODEL`` changes what ``swappable_dependency`` resolves to).
* Stored with :mod:`marshal` as plain tuples and strings (no code runs on load, unlike pickle), encoded by
  :mod:`squashkit.codec` (the same record encoding the Django runner's payloads use); records are rebuilt
  without going through the dataclass ``__init__``.
* Written atomically (temporary file in the cache directory, then :func:`os.replace`), only when something
  changed.  A cache that cannot be read, decoded or written is ignored: the load goes on by parsing.
* Pruned like a cache should be: a cache file that has been neither written nor used for
  :data:`PRUNE_AFTER_DAYS` days (a deleted checkout, a CI temporary directory) is removed when another cache
  file is written, as are temporary files left by an interrupted write.  Using a cache refreshes its
  modification time once a day.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import squashkit.codec as codec
from squashkit.graph.model import FileProblem, MigrationInfo, MigrationKey

__all__ = ["CACHE_FORMAT", "PRUNE_AFTER_DAYS", "FileStamp", "MigrationCache", "default_cache_dir"]

#: Bumped whenever the stored layout changes.
CACHE_FORMAT = 1
_MAGIC = "squashkit-migration-cache"
#: Cache files unused for this long are removed when another cache file is written.
PRUNE_AFTER_DAYS = 30
_DAY = 86400
#: The modules whose code decides what a parsed record holds (relative to the squashkit package).
_PARSER_MODULES = ("graph/static.py", "graph/operations.py", "graph/model.py", "graph/cache.py", "codec.py")

#: ``(mtime_ns, size, ctime_ns, inode)`` of a file.
FileStamp = tuple[int, int, int, int]
_Entry = tuple[Any, ...]


def default_cache_dir() -> Path:
    """``$SQUASHKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/squashkit``, else ``~/.cache/squashkit``."""
    explicit = os.environ.get("SQUASHKIT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "squashkit"
    return Path.home() / ".cache" / "squashkit"


def stamp(st: os.stat_result) -> FileStamp:
    return (st.st_mtime_ns, st.st_size, st.st_ctime_ns, st.st_ino)


_fingerprint: tuple[Any, ...] | None = None


def _parser_fingerprint() -> tuple[Any, ...]:
    """squashkit's version, the Python version (what :mod:`ast` accepts) and the size/mtime of the parser
    modules (an edited source tree invalidates)."""
    global _fingerprint
    if _fingerprint is None:
        from squashkit._version import get_version

        here = Path(__file__).parent.parent
        sources: list[tuple[str, int, int]] = []
        for name in _PARSER_MODULES:
            try:
                st = os.stat(here / name)
            except OSError:
                sources.append((name, -1, -1))
            else:
                sources.append((name, st.st_mtime_ns, st.st_size))
        _fingerprint = (get_version(), sys.version_info[:2], tuple(sources))
    return _fingerprint


class MigrationCache:
    """The cached records of one project root; see the module docstring.

    Usage by the loader: :meth:`load`, then per file :meth:`get` (None on a miss) or :meth:`put`, then
    :meth:`save`.  ``hits`` and ``misses`` count the lookups.
    """

    def __init__(self, root: Path, settings: Mapping[str, str], directory: Path | None = None) -> None:
        self.root = root
        self.directory = directory if directory is not None else default_cache_dir()
        name = hashlib.sha256(os.fsencode(str(root))).hexdigest()[:32]
        self.path = self.directory / f"{name}.marshal"
        self.header = (_MAGIC, CACHE_FORMAT, str(root), _parser_fingerprint(), tuple(sorted(settings.items())))
        self.entries: dict[str, _Entry] = {}
        self.written: dict[str, _Entry] = {}
        self.changed = False
        self.hits = 0
        self.misses = 0
        self.enabled = not _inside(self.directory, root)

    # -- reading --------------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the cache file; anything unexpected leaves the cache empty (and it is rewritten on save)."""
        if not self.enabled:
            return
        try:
            data = self.path.read_bytes()
        except OSError:
            return
        self._touch()
        try:
            header, entries = codec.loads_marshal(data)
            if header != self.header or not isinstance(entries, dict):
                self.changed = True
                return
        except Exception:
            self.changed = True
            return
        self.entries = entries

    def get(
        self, text: str, path: Path, key: MigrationKey, file_stamp: FileStamp
    ) -> tuple[MigrationInfo | None, list[FileProblem]] | None:
        """The cached parse of the file ``text`` (``path``) when its stamp matches, else None (a miss)."""
        entry = self.entries.get(text)
        if entry is not None and entry[0] == file_stamp:
            try:
                result = _decode(entry, path, key)
            except Exception:
                result = None
            if result is not None:
                self.hits += 1
                self.written[text] = entry
                return result
        self.misses += 1
        return None

    # -- writing --------------------------------------------------------------------------------------

    def put(self, text: str, file_stamp: FileStamp, info: MigrationInfo | None, problems: list[FileProblem]) -> None:
        """Record the parse of the file ``text``."""
        self.written[text] = (file_stamp, codec.encode_info(info), tuple(codec.encode_problem(p) for p in problems))
        self.changed = True

    def keep_unvisited(self, visited_dirs: set[str]) -> None:
        """Keep entries of apps that were not loaded this time (``load_static(apps=...)``)."""
        for text, entry in self.entries.items():
            if text not in self.written and os.path.dirname(text) not in visited_dirs:
                self.written[text] = entry

    def save(self) -> bool:
        """Write the cache when it changed; returns True when a file was written.  Errors are ignored."""
        if not self.enabled:
            return False
        if not self.changed and self.written.keys() == self.entries.keys():
            return False
        try:
            data = codec.dumps_marshal((self.header, self.written))
            self.directory.mkdir(parents=True, exist_ok=True)
            import tempfile  # only when the cache is written

            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.directory)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except (OSError, ValueError):
            return False
        self._prune()
        return True

    def _touch(self) -> None:
        """Mark the cache file as used (at most once a day: a stat per load, a write once a day)."""
        with contextlib.suppress(OSError):
            if time.time() - self.path.stat().st_mtime > _DAY:
                os.utime(self.path)

    def _prune(self) -> None:
        """Remove other cache files unused for :data:`PRUNE_AFTER_DAYS` days and day-old temporary files."""
        now = time.time()
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            if name.endswith(".marshal") and len(name) == len(self.path.name) and name != self.path.name:
                limit = PRUNE_AFTER_DAYS * _DAY
            elif name.startswith(".") and name.endswith(".tmp") and ".marshal." in name:
                limit = _DAY
            else:
                continue  # not ours
            path = os.path.join(self.directory, name)
            with contextlib.suppress(OSError):
                if now - os.stat(path).st_mtime > limit:
                    os.unlink(path)


def _inside(directory: Path, root: Path) -> bool:
    try:
        resolved = directory.resolve()
    except (OSError, RuntimeError):
        return True
    return resolved == root or root in resolved.parents


# -- cache entries <-> records (the encoding is squashkit.codec's) -----------------------------------------


def _decode(entry: _Entry, path: Path, key: MigrationKey) -> tuple[MigrationInfo | None, list[FileProblem]] | None:
    _stamp, encoded, problems = entry
    decoded_problems = [codec.decode_problem(p, path) for p in problems]
    if encoded is None:
        return None, decoded_problems
    return codec.decode_info(encoded, path, key), decoded_problems
