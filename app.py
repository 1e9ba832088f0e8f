"""SpeechMap dashboard: build the store, build the Blocks, launch.

    python app.py [--data DIR | --hub ORG/PREFIX] [--host 127.0.0.1] [--port 7860]

Without --data (or SPEECHMAP_DATA) it shows the published datasets when --hub/SPEECHMAP_HUB is set,
else the seeded demo data, generated and built into .cache/ on first run.
"""
from __future__ import annotations

import argparse
import os

from toolkit.storage import resolve
from toolkit.storage.store import Store
from toolkit.ui.about import header_line
from toolkit.ui.app import CSS, build_app
from toolkit.ui.context import AppContext


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="a built data folder (python -m toolkit build/demo)")
    parser.add_argument("--hub", help="published datasets, e.g. ORG/speechmap")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", 7860)))
    parser.add_argument("--judge-model", default=os.environ.get("JUDGE_MODEL"))
    parser.add_argument("--matches", default=os.environ.get("SPEECHMAP_MATCHES"),
                        help="a tournament matches.parquet for the Elo tab")
    args = parser.parse_args()

    found = resolve.resolve(args.data, args.hub)
    store = Store.open(found.folder)
    context = AppContext(
        store=store, source=found.source, data_dir=found.folder,
        description=header_line(store, found.source),
        settings={"notice": found.notice, "judge_model": args.judge_model, "matches_path": args.matches},
    )
    demo = build_app(context)
    print(f"Dashboard: http://{args.host}:{args.port}/", flush=True)
    demo.queue(default_concurrency_limit=8).launch(
        server_name=args.host, server_port=args.port, css=CSS, show_error=True)


if __name__ == "__main__":
    main()
