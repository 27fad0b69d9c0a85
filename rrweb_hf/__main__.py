"""``python -m rrweb_hf`` is the ``rrweb-hf`` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
