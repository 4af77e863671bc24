"""Markdown generated from the code for the README (run `make docs`; a test runs `cog --check`).

The command table comes from the click commands, the site-key table from the registry's schema,
the column tables from the column dictionary: the README cannot drift from what the code does.
"""
from __future__ import annotations

import inspect

import click

from crawler.registry import SCHEMA
from pipelines import columns as coldict


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def column_table(table: str) -> str:
    """| column | type | meaning | rows for one table of the column dictionary."""
    rows = ["| column | type | meaning |", "|---|---|---|"]
    rows += [f"| `{c.name}` | {c.type.lower()} | {_escape(c.meaning)} |" for c in coldict.columns(table)]
    return "\n".join(rows) + "\n"


def _key_rows(schema: dict, prefix: str = "") -> list[str]:
    rows = []
    for key, spec in schema.items():
        if isinstance(spec, dict):
            rows += _key_rows(spec, f"[{key}] ")
            continue
        kind, required, meaning = spec
        kind = kind if isinstance(kind, str) else kind.__name__
        rows.append(f"| `{prefix}{key}` | {kind} | {'yes' if required else ''} | {_escape(meaning)} |")
    return rows


def site_keys_table() -> str:
    """Every key a site file may hold, from crawler/registry.py's SCHEMA."""
    return "\n".join(["| key | type | required | meaning |", "|---|---|---|---|", *_key_rows(SCHEMA)]) + "\n"


def _synopsis(cmd: click.Command, name: str) -> str:
    parts = [f"provnews {name}"]
    for p in cmd.params:
        if isinstance(p, click.Argument):
            metavar = p.name.upper()
            parts.append(f"[{metavar} ...]" if p.nargs == -1 else metavar)
        elif isinstance(p, click.Option) and not p.hidden and p.name != "help":
            flag = "/".join([max(p.opts, key=len), *p.secondary_opts])
            part = flag if p.is_flag else f"{flag} {_metavar(p)}"
            parts.append(part if p.required else f"[{part}]")
    return " ".join(parts)


def _metavar(p: click.Option) -> str:
    """What follows an option in a synopsis: its choices, N for numbers, else its name."""
    if p.metavar:
        return p.metavar
    if isinstance(p.type, click.Choice):
        return "|".join(p.type.choices)
    if isinstance(p.type, (click.types.IntParamType, click.types.FloatParamType)):
        return "N"
    if isinstance(p.type, click.Path):
        return "DIR" if not p.type.file_okay else "FILE"
    return (p.name or "value").upper()


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name in sorted(group.commands):
        cmd = group.commands[name]
        if cmd.hidden:
            continue
        full = f"{prefix}{name}"
        if isinstance(cmd, click.Group):
            if cmd.invoke_without_command:  # `provnews sites` runs too, not only its subcommands
                out.append((full, cmd))
            out += _commands(cmd, f"{full} ")
        else:
            out.append((full, cmd))
    return out


def command_table() -> str:
    """| command | what it does | for every provnews command, from its click definition."""
    from provnews.cli import cli

    rows = ["| command | what it does |", "|---|---|"]
    for name, cmd in _commands(cli):
        rows.append(f"| `{_escape(_synopsis(cmd, name))}` | {_escape(_first_paragraph(cmd))} |")
    return "\n".join(rows) + "\n"


def _first_paragraph(cmd: click.Command) -> str:
    """The opening paragraph of a command's help, on one line (what `--help` shows first)."""
    text = inspect.cleandoc(cmd.help or "").split("\n\n")[0]
    return " ".join(text.split())
