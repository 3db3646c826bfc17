"""The chat in the browser (Gradio Blocks). It talks only to Assistant: no retrieval logic here.

Answers stream; [n] markers are links that open the cited passage, highlighted in the full document.
"""

import html
import itertools
import logging
import re
import shutil
import threading
from collections.abc import Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import Any

from assistant.assistant import Assistant
from assistant.config import Settings
from assistant.documents import SUFFIXES
from assistant.errors import AssistantError
from assistant.progress import progress_bar
from assistant.types import Answer, Evidence

log = logging.getLogger(__name__)
EXAMPLES = ["What did Lavrov claim?", "Qui a confirmé le déploiement ?", "Is Kursk in Russia or in Ukraine?",
            "Que vont continuer à faire les Alliés ?"]
MARKER = re.compile(r"\[(\d+)\]")
SAFE_NAME = re.compile(r"[^\w.\- ]+", re.UNICODE)

# Clicks on a [n] link go to a hidden textbox and button, so Python renders the source viewer.
HEAD = """
<script>
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[href^="#cite-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector('#cite-request textarea, #cite-request input');
  box.value = link.getAttribute('href').slice('#cite-'.length);
  box.dispatchEvent(new Event('input', {bubbles: true}));
  setTimeout(() => document.querySelector('#cite-open').click(), 100);
}, true);
</script>
"""
CSS = """
.hidden-control {display: none !important;}
#source-viewer {max-height: 70vh !important; overflow-y: auto !important; white-space: pre-wrap; line-height: 1.5;}
#source-viewer mark {background: #ffe066; padding: 0 2px;}
"""
# Scroll the viewer (not the page) so the mark sits in its upper third.
SCROLL_TO_MARK = ("() => { const v = document.querySelector('#source-viewer'); const m = v && v.querySelector('mark'); "
                  "if (m) v.scrollTop += m.getBoundingClientRect().top - v.getBoundingClientRect().top "
                  "- v.clientHeight / 3; }")


def linkify(text: str, turn: int) -> str:
    """[n] -> a markdown link the page script turns into 'open source n of this answer'."""
    return MARKER.sub(lambda m: f"[[{m.group(1)}]](#cite-{turn}-{m.group(1)})", text)


def sources_markdown(answer: Answer, turn: int, bylines: Mapping[str, str] | None = None) -> str:
    """The sources under an answer: those its written answer cites, or every quoted one, each with its
    document's title and, for a saved web page, its site, date and author."""
    cited = {int(n) for n in MARKER.findall(answer.written)} if answer.written else None
    shown = [c for c in answer.citations if cited is None or c.n in cited]
    if not shown:
        return ""
    lines = ["", "", "**Sources**"]
    for c in shown:
        passage = " ".join(c.text.split())
        short = passage if len(passage) <= 220 else passage[:217] + "…"
        credit = (bylines or {}).get(c.doc_id, "")
        about = f"*{html.escape(c.title)}*" + (f" ({html.escape(credit)})" if credit else "")
        lines.append(f"- [[{c.n}]](#cite-{turn}-{c.n}) {about} — {html.escape(short)}")
    return "\n".join(lines)


def render(answer: Answer, turn: int, bylines: Mapping[str, str] | None = None) -> str:
    """The finished answer: any notice first, the text with links, its sources, and who wrote it."""
    notice = f"⚠️ *{html.escape(answer.notice)}*\n\n" if answer.notice else ""
    by = f"\n\n<sub>answered by: {html.escape(answer.answerer)}</sub>"
    return notice + linkify(answer.text, turn) + sources_markdown(answer, turn, bylines) + by


def highlight(text: str, start: int, end: int, title: str, credit: str = "") -> str:
    """The whole document, escaped, with exactly text[start:end] inside <mark>."""
    head = f"<h3>{html.escape(title)}</h3>" + (f"<p class='byline'>{html.escape(credit)}</p>" if credit else "")
    return (f"{head}<div class='doc'>{html.escape(text[:start])}"
            f"<mark id='cited'>{html.escape(text[start:end])}</mark>{html.escape(text[end:])}</div>")


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(b.get("text", "") for b in content if isinstance(b, dict))
    return ""


def safe_name(name: str) -> str:
    """A bare file name: no folders, no '..', only plain characters."""
    base = SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base or "upload.txt"


def accept_uploads(files: list[Any], uploads: Path,
                   max_file_mb: float) -> tuple[list[Path], dict[Path, str], list[str]]:
    """Server-side checks of uploaded files: type, size, and a bare name inside `uploads`.
    Returns the copied files, their display names, and one message per refusal."""
    uploads.mkdir(parents=True, exist_ok=True)
    accepted: list[Path] = []
    names: dict[Path, str] = {}
    messages: list[str] = []
    for f in files:
        source = Path(getattr(f, "name", f))
        name = safe_name(getattr(f, "orig_name", None) or source.name)
        if Path(name).suffix.lower() not in SUFFIXES:
            messages.append(f"⚠️ {name}: unsupported type; use {', '.join(sorted(SUFFIXES))}")
            continue
        if source.stat().st_size > max_file_mb * 1_000_000:
            messages.append(f"⚠️ {name}: larger than {max_file_mb:g} MB")
            continue
        target = (uploads / name).resolve()
        if uploads.resolve() not in target.parents:
            messages.append(f"⚠️ {name}: refused name")
            continue
        shutil.copyfile(source, target)
        accepted.append(target)
        names[target] = name
    return accepted, names, messages


def build(assistant: Assistant) -> Any:
    import gradio as gr

    settings = assistant.settings
    uploads = settings.data_dir / "uploads"

    latest: dict[str, int] = {}  # each reader's newest question: an older answer still being written stops
    numbers = itertools.count()

    def respond(message: str, history: list[dict[str, Any]], turns: list[list[dict[str, Any]]],
                request: gr.Request) -> Iterator[Any]:
        history = list(history or [])
        earlier = [message_text(m) for m in history if m.get("role") == "user"]
        turn = len(earlier)
        reader, mine = request.session_hash or "", next(numbers)
        latest[reader] = mine

        def cited(citations: list[Any]) -> list[list[dict[str, Any]]]:
            """The turns with this one's citations: its [n] links open them (also while the model writes)."""
            before = list(turns or [])[:turn]
            return [*before, *[[]] * (turn - len(before)), [c.as_dict() for c in citations]]

        history.append({"role": "user", "content": message})
        history.append({"role": "assistant", "content": ""})
        text = ""
        try:
            # closed explicitly when Gradio closes this generator (the reader left or stopped), or when the
            # reader asks again: the model stops
            with closing(assistant.stream(message, earlier)) as pieces:
                for piece in pieces:
                    if latest.get(reader) != mine:
                        return
                    if isinstance(piece, Evidence):
                        turns = cited(piece.citations)
                        yield gr.skip(), turns, gr.skip()
                    elif isinstance(piece, Answer):
                        history[-1]["content"] = render(piece, turn, bylines())
                        turns = cited(piece.citations)
                        yield history, turns, ""
                    elif not piece:  # the model is working: nothing to redraw
                        yield gr.skip(), gr.skip(), gr.skip()
                    else:
                        text += piece
                        history[-1]["content"] = linkify(text, turn)
                        yield history, turns, ""
        except AssistantError as exc:
            history[-1]["content"] = f"⚠️ {exc}"
            yield history, cited([]), ""
        except Exception as exc:  # the app keeps serving; the user sees what happened
            log.exception("answering failed")
            history[-1]["content"] = f"⚠️ Something went wrong while answering ({type(exc).__name__}: {exc})."
            yield history, cited([]), ""
        finally:
            if latest.get(reader) == mine:
                del latest[reader]

    def open_citation(request: str, turns: list[list[dict[str, Any]]]) -> str:
        try:
            turn, n = (int(x) for x in request.split("-"))
            c = next(c for c in turns[turn] if c["n"] == n)
        except (ValueError, IndexError, StopIteration):
            return "<p>That source is no longer available.</p>"
        return highlight(assistant.text(c["doc_id"]), c["start"], c["end"], c["title"], bylines().get(c["doc_id"], ""))

    def bylines() -> dict[str, str]:
        return {d.id: d.byline for d in assistant.documents() if d.byline}

    def doc_choices() -> list[tuple[str, str]]:
        return [(f"{d.name} — {d.title[:60]}", d.id) for d in assistant.documents()]

    def doc_table() -> str:
        docs = assistant.documents()
        if not docs:
            return "No documents indexed."
        return "\n".join(f"- **{html.escape(d.name)}** ({d.chunks} passages) — {html.escape(d.title[:80])}"
                         + (f" · {html.escape(d.byline)}" if d.byline else "") for d in docs)

    def upload(files: list[Any] | None, progress: Any = gr.Progress()) -> tuple[str, str, Any, Any]:  # noqa: B008
        """Index the chosen files; the upload box is emptied for the next ones (a second Add adds nothing twice)."""
        files = files or []
        if not files:
            return "Choose one or more files first.", doc_table(), gr.update(choices=doc_choices()), gr.update()
        if len(files) > settings.max_uploads:
            return (f"⚠️ {len(files)} files: at most {settings.max_uploads} per upload.", doc_table(),
                    gr.update(choices=doc_choices()), gr.update())
        accepted, names, messages = accept_uploads(files, uploads, settings.max_file_mb)

        def report_progress(done: int, total: int, what: str) -> None:
            progress((done, max(total, 1)), desc=f"indexing {what}")

        if accepted:
            report = assistant.ingest(accepted, report_progress, names=names)
            messages.insert(0, f"✅ {report.summary()}")
            messages += [f"⚠️ {reason}" for _, reason in report.failed]
            for path, _ in report.failed:
                Path(path).unlink(missing_ok=True)
        return "\n\n".join(messages), doc_table(), gr.update(choices=doc_choices(), value=None), None

    def remove(doc_id: str | None) -> tuple[str, str, Any]:
        if not doc_id:
            return "Choose a document to remove.", doc_table(), gr.update(choices=doc_choices())
        try:
            record = assistant.remove(doc_id)
            message = f"Removed {record.name}."
        except AssistantError as exc:
            message = f"⚠️ {exc}"
        return message, doc_table(), gr.update(choices=doc_choices(), value=None)

    def ask_api(question: str, history: list[str] | None = None) -> dict[str, Any]:
        """Answer with structured citations (document, offsets, exact text)."""
        try:
            return {"question": question, **assistant.ask(question, history or []).as_dict()}
        except AssistantError as exc:
            return {"question": question, "error": str(exc)}

    with gr.Blocks(title="News assistant", analytics_enabled=False) as demo:
        gr.Markdown("## News assistant\nAsk about the indexed articles, in any language. "
                    "Every answer cites its passages: click a **[n]** to read it in place.")
        turns = gr.State([])
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Chat", elem_id="chat", height=520, sanitize_html=True)
                with gr.Row():
                    question = gr.Textbox(placeholder="Ask a question…", show_label=False, scale=5,
                                          elem_id="question", max_length=settings.max_question_chars * 2)
                    send = gr.Button("Ask", variant="primary", scale=1, elem_id="send")
                    stop = gr.Button("Stop", scale=1, elem_id="stop")
                gr.Examples(EXAMPLES, inputs=question, label="Examples")
            with gr.Column(scale=2):
                viewer = gr.HTML("<p>Click a citation to see it highlighted in its document.</p>",
                                 elem_id="source-viewer", label="Source")
        with gr.Accordion("Documents", open=False):
            doc_list = gr.Markdown(doc_table(), elem_id="doc-list")
            files = gr.File(label="Add documents", file_count="multiple", elem_id="upload",
                            file_types=sorted(SUFFIXES))
            add = gr.Button("Add to index", elem_id="add-docs")
            status = gr.Markdown(elem_id="upload-status")
            with gr.Row():
                chosen = gr.Dropdown(choices=doc_choices(), label="Indexed documents", elem_id="doc-choice")
                drop = gr.Button("Remove", elem_id="remove-doc")
        cite_request = gr.Textbox(elem_id="cite-request", elem_classes="hidden-control", show_label=False)
        cite_open = gr.Button("open", elem_id="cite-open", elem_classes="hidden-control")

        io = ([question, chat, turns], [chat, turns, question])
        # a question asked while an answer is being written is taken at once, and that answer stops (respond)
        asked: list[dict[str, Any]] = [
            send.click(respond, *io, api_visibility="private", trigger_mode="multiple"),
            question.submit(respond, *io, api_visibility="private", trigger_mode="multiple"),
        ]
        # Stop: Gradio closes the answer's stream (the model stops); the evidence stays
        stop.click(None, None, None, cancels=asked, api_visibility="private")
        cite_open.click(open_citation, [cite_request, turns], viewer, api_visibility="private").then(
            None, None, None, js=SCROLL_TO_MARK)
        add.click(upload, files, [status, doc_list, chosen, files], api_visibility="private")
        drop.click(remove, chosen, [status, doc_list, chosen], api_visibility="private")
        gr.api(ask_api, api_name="ask")
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.concurrency)
    return demo


def launch(assistant: Assistant, prevent_thread_lock: bool = False) -> Any:
    settings = assistant.settings
    if settings.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: reachable from other machines; set ASSISTANT_AUTH=user:password", settings.host)
    auth = tuple(settings.auth.split(":", 1)) if settings.auth and ":" in settings.auth else None
    demo = build(assistant)
    threading.Thread(target=assistant.warm, name="warm", daemon=True).start()
    demo.launch(server_name=settings.host, server_port=settings.port, share=False, auth=auth,
                prevent_thread_lock=prevent_thread_lock, head=HEAD, css=CSS, footer_links=["api"],
                max_file_size=int(settings.max_file_mb * 1_000_000), show_error=True)
    return demo


def serve(settings: Settings) -> None:
    """Build (or open) the index with visible progress, then serve until interrupted."""
    print(f"opening the index in {settings.index_dir} …", flush=True)
    assistant = Assistant(settings, progress=progress_bar("indexing the default corpus"))
    print(f"serving on http://{settings.host}:{settings.port}", flush=True)
    launch(assistant)
