"""``nondiff strategies``: the registered strategies and the parameter types each handles.

Each strategy is loaded on its own, so a broken third-party entry point shows up as an error
row instead of ending the listing.
"""

from __future__ import annotations

import click

from cli._output import CONTEXT, emit_json, one_line


def describe(name: str) -> dict:
    """One row: name, supported types and summary, or the error that loading it raised."""
    from nondiff import registry

    try:
        factory = registry.get(name)
    except Exception as exc:  # any third-party import failure must stay one row
        return {"name": name, "supported_types": None, "summary": None,
                "error": f"{type(exc).__name__}: {one_line(exc)}"}
    types = getattr(factory, "supported_types", None)
    doc = (getattr(factory, "__doc__", None) or "").strip()
    return {"name": name, "supported_types": list(types) if types is not None else None,
            "summary": doc.splitlines()[0] if doc else "", "error": None}


def _types(row) -> str:
    return ", ".join(row["supported_types"]) if row["supported_types"] else "(vector only)"


def _print_table(rows) -> None:
    name_w = max((len(r["name"]) for r in rows), default=0)
    type_w = max((len(_types(r)) for r in rows if r["error"] is None), default=0)
    for r in rows:
        if r["error"] is not None:
            click.echo(f"{r['name']:<{name_w}}  ERROR {r['error']}")
        else:
            click.echo(f"{r['name']:<{name_w}}  {_types(r):<{type_w}}  {r['summary']}".rstrip())


@click.command("strategies", context_settings=CONTEXT,
               short_help="List strategies and the parameter types they handle.")
@click.option("--json", "json_mode", is_flag=True, help="Write one JSON document to stdout.")
def strategies(json_mode):
    """List strategy names, the parameter types each handles natively, and a summary.

    Types a strategy does not handle natively go through the space's vector encoding.
    """
    from nondiff import registry

    rows = [describe(name) for name in registry.names()]
    if json_mode:
        emit_json({"strategies": rows, "error": None, "exit_code": 0})
    else:
        _print_table(rows)
    return 0
