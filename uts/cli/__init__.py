"""The ``uts`` command: a thin layer over the library; each command body is one library call and its printing.

Exit codes: 0 success, 1 the data breaks a rule or was not found, 2 the command was used wrongly.
"""

from __future__ import annotations

import typer
from rich.markup import escape

from uts.cli import mappings, ontology, resolve
from uts.cli.options import err
from uts.errors import ConflictError, UsageError, UTSError

app = typer.Typer(help="UTS: the Unified Tag System of audio tags as a curated ontology.", no_args_is_help=True)
ontology.register(app)
resolve.register(app)
app.add_typer(mappings.app, name="mappings")


def main() -> None:
    """Run the command; every error uts raises on purpose becomes one clear message, never a traceback."""
    try:
        app()
    except UsageError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(2) from None
    except ConflictError as exc:
        err.print(f"[bold red]conflict:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None
    except UTSError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
