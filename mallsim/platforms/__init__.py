"""One module per simulated platform (weishop, miniapp, vshop, moments, admin), each exposing
``async handle(state, request, path)``; shared state, helpers and HTML blocks live in ``state``,
``common``, ``html`` and ``pages``. ``mallsim.server`` dispatches to them by Host header."""
