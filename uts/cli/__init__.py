"""The ``uts`` command: a thin layer over the library; each command body is one library call and its printing.

Exit codes: 0 success; 1 the input or data is wrong, missing or unreadable (the message names it and the fix);
2 the command was used wrongly (an option, a path that cannot be written); 130 interrupted (Ctrl-C or SIGTERM).
No input and no state of the file system makes a command print a Python traceback.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import typer
from pydantic import ValidationError
from rich.markup import escape

from uts.cli import convert, db, gaps, mappings, ontology, resolve, serve
from uts.cli.options import err
from uts.convert.dataset import InterruptedConversionError
from uts.errors import ConflictError, UsageError, UTSError
from uts.resolve.filestream import InterruptedRunError

app = typer.Typer(help="UTS: the Unified Tag System of audio tags as a curated ontology.", no_args_is_help=True)
ontology.register(app)
resolve.register(app)
db.register(app)
serve.register(app)
convert.register(app)
gaps.register(app)
app.add_typer(mappings.app, name="mappings")


def _say(kind: str, message: str, code: int) -> NoReturn:
    err.print(f"[bold red]{kind}:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise SystemExit(code)


def main() -> None:
    """Run the command; every error becomes one clear message and an exit code, never a traceback."""
    try:
        app()
    except UsageError as exc:
        _say("error", str(exc), 2)
    except ConflictError as exc:
        _say("conflict", str(exc), 1)
    except (InterruptedRunError, InterruptedConversionError) as exc:
        _say("interrupted", str(exc), 130)
    except UTSError as exc:
        _say("error", str(exc), 1)
    except ValidationError as exc:  # a value the library's models refuse, met before any check of ours
        lines = [f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()]
        _say("error", "; ".join(lines), 1)
    except KeyboardInterrupt:
        _say("interrupted", "stopped before the end; nothing was written by the command that was running", 130)
    except BrokenPipeError:
        # The reader went away (`uts ... | head`): stop quietly, and keep Python from complaining at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _say("error", f"{where}{exc.strerror or exc}; check that the path exists, is a file and can be written", 1)


if __name__ == "__main__":
    main()
