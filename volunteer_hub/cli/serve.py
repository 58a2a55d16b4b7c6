"""``volunteer-hub serve``, ``demo``, ``scheduler`` and ``operators``: the long-running processes."""

from __future__ import annotations

import argparse
import sys

from volunteer_hub.cli.common import EXIT_FAILED, EXIT_OK
from volunteer_hub.core.config import load_settings

# Threads per worker (gthread). A request mostly waits on the search engine; with fewer threads than
# clients, requests queue inside a worker while others idle, which stretches the slowest ones: at
# 1,000,000 listings, 32 clients, 5 workers, p95 1.72x straight-to-Elasticsearch with 4 threads, 1.14x
# with 8, same throughput (docs/benchmarks.md).
DEFAULT_THREADS = 8


# -- scheduler / operators (operations: see docs/operations.md) --------------------------------
def cmd_scheduler(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from schedules.scheduler import run_forever
    from volunteer_hub.core.ops_config import load_ops_config

    cfg = load_ops_config()
    if args.timeout:
        cfg = replace(cfg, crawl_timeout_seconds=args.timeout)
    if args.workers:
        cfg = replace(cfg, workers=args.workers)
    return run_forever(cfg)


def cmd_operators_add(args: argparse.Namespace) -> int:
    import getpass

    from volunteer_hub.store.auth import OperatorError, add_operator
    from volunteer_hub.store.db import Database

    # A terminal gets a prompt; otherwise (a script, a pipe, CI) the password is the first line of
    # standard input, so `echo "$PW" | volunteer-hub operators add EMAIL` works as documented.
    if args.password_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            print("error: no password on standard input (one line expected)", file=sys.stderr)
            return EXIT_FAILED
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("error: the passwords differ", file=sys.stderr)
            return EXIT_FAILED
    try:
        _op, created = add_operator(Database.from_settings(load_settings()), args.email, password)
    except OperatorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    email = args.email.strip().lower()
    print(f"added operator {email}" if created else f"updated operator {email}: its console sessions ended")
    return EXIT_OK


# -- serve / demo ----------------------------------------------------------------------------
def cmd_serve(args: argparse.Namespace) -> int:
    from search_app import create_app
    from search_app.app import prepare_server_process
    from search_app.sessions import secret_key
    from volunteer_hub.cli import server

    settings = load_settings()
    try:
        server.check_port_free(args.host, args.port, "--port")
    except server.PortInUse as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.dev:
        print(f"development server on http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
        create_app({"SETTINGS": settings}).run(
            host=args.host, port=args.port, threaded=True, use_reloader=False,
            request_handler=server.DevRequestHandler,
        )  # fmt: skip
        return EXIT_OK
    if args.threads < 1:
        print("error: --threads must be at least 1", file=sys.stderr)
        return EXIT_FAILED
    secret_key(settings)  # written once here, before the workers read it
    workers = args.workers or server.default_workers()
    print(
        f"serving on http://{args.host}:{args.port}/ with {workers} workers of {args.threads} threads"
        " (Ctrl-C to stop)",
        flush=True,
    )
    server.run(
        lambda: create_app({"SETTINGS": settings}), args.host, args.port,
        workers=workers, threads=args.threads, prepare=prepare_server_process,
    )  # fmt: skip
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from volunteer_hub.cli.demo import run_demo

    return run_demo(
        host=args.host,
        port=args.port,
        crawl_only=args.no_serve,
        feeds_port=args.feeds_port,
        scheduler=not args.no_scheduler,
        dev_server=args.dev,
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo", help="serve bundled demo partners locally, crawl and index them, serve the site"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-serve", action="store_true", help="crawl and index, then exit")
    p.add_argument("--feeds-port", type=int, default=8001, help="port of the demo partners' feed server")
    p.add_argument(
        "--no-scheduler",
        action="store_true",
        help="don't recrawl the demo partners on their schedule while serving",
    )
    p.add_argument("--dev", action="store_true", help="Flask's development server instead of gunicorn")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="serve the public site and JSON API (production server: gunicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, help="worker processes (default: 2 per core + 1, at most 8)")
    p.add_argument(
        "--threads", type=int, default=DEFAULT_THREADS, help="threads per worker (default %(default)s)"
    )
    p.add_argument("--dev", action="store_true", help="Flask's development server instead (one process)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("scheduler", help="crawl every approved partner at its interval (runs until stopped)")
    p.add_argument("--timeout", type=int, help="hard timeout of one crawl, seconds (default 1800)")
    p.add_argument("--workers", type=int, help="crawls at the same time (default 4)")
    p.set_defaults(func=cmd_scheduler)

    operators = sub.add_parser("operators", help="operator console accounts").add_subparsers(
        dest="operators_command", required=True, metavar="ACTION"
    )
    p = operators.add_parser("add", help="create an operator (or reset its password, ending its sessions)")
    p.add_argument("email")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input (the default when it is not a terminal)",
    )
    p.set_defaults(func=cmd_operators_add)
