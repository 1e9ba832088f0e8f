"""The dashboard: one module per tab, each exposing `build(blocks, context)`, plus shared helpers.

A tab module builds its components inside the `gr.Tab` that `toolkit.ui.app` opens for it, wires its
own events, and may register a `blocks.load(fn, None, outputs)` handler that reads its state from the
URL query parameters (`fn(request)`); the app runs it only when the tab is visible on page load, else
on the tab's first click. User-facing text lives in `texts`; values from the URL or the data go into
markdown only through `common.plain`.
Everything a tab computes comes from pure functions in the library (`toolkit.scores`,
`toolkit.agreement`, `toolkit.arena`, `toolkit.judge`), tested without a server.
"""
