"""``apigwctl emulator serve``: the persisted emulator over HTTP through moto's server.

moto's ``ThreadedMotoServer`` serves the same in-process backends the :class:`Emulator`
restored, and every request goes through the same patched moto handlers (fidelity layer and
journal), so the HTTP path sees exactly the in-process emulator. The exclusive lock is held
while serving; the state is snapshotted every ``save_every`` seconds and on shutdown.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from moto.server import ThreadedMotoServer

from apigwctl.aws.emulator.core import Emulator


@contextmanager
def serving(state_dir: Path, *, host: str = "127.0.0.1", port: int = 0,
            save_every: float = 30.0, lock_timeout: float = 30.0) -> Iterator[str]:
    """Serve the emulator; yields its endpoint URL (``port=0`` picks a free port)."""
    with Emulator(state_dir, write=True, lock_timeout=lock_timeout) as em:
        server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        server.start()
        stop = threading.Event()
        saver = threading.Thread(target=_save_loop, args=(em.save, stop, save_every),
                                 daemon=True)
        saver.start()
        try:
            bound_host, bound_port = server.get_host_and_port()
            yield f"http://{bound_host}:{bound_port}"
        finally:
            stop.set()
            saver.join()
            server.stop()


def _save_loop(save: Callable[[], None], stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        save()
