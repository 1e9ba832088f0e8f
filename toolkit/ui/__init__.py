"""The dashboard: one module per tab, each exposing `build(blocks, context)`, plus shared helpers.

A tab module builds its components inside the `gr.Tab` that `toolkit.ui.app` opens for it, wires its
own events, and may register a `blocks.load` handler to read its state from URL query parameters.
Everything a tab computes comes from pure functions in the library (`toolkit.scores`,
`toolkit.agreement`, `toolkit.arena`, `toolkit.judge`), tested without a server.
"""
