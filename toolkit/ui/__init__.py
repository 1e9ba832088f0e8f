"""The dashboard: one module per tab, each exposing `build(demo, context)`, plus shared helpers.

A tab module builds its components inside the `gr.Tab` that `toolkit.ui.app` opens for it, wires its
own events, and may register a `demo.load` handler to read its state from URL query parameters.
Everything a tab computes comes from pure functions in the library (`toolkit.scores`,
`toolkit.agreement`, `toolkit.arena`, `toolkit.judge`), tested without a server.
"""
