"""``disclosure-bot web [--host H] [--port P]``: serve the coordinator's desk in a browser."""

from __future__ import annotations

from ._common import fail


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "web",
        help="运行网页工作台 / serve the coordinator's desk in a browser",
        description="运行网页工作台（协调人查看各机关填报进度、报告和汇总表）；Ctrl+C 停止。 / Serve the "
        "coordinator's desk (board, reports, roll-up) until Ctrl+C or SIGTERM.",
    )
    parser.add_argument("--host", metavar="H", help="监听地址，默认取配置 web.host / listen address (default: web.host)")
    parser.add_argument("--port", metavar="P", type=int, help="端口，默认取配置 web.port / port (default: web.port)")
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    from storage.db import SchemaTooNew

    from ..logging_setup import configure_logging

    secret = settings.web.secret_key.get_secret_value() if settings.web.secret_key else ""
    configure_logging(settings.log_level, secrets=[s for s in (secret,) if s])
    from web.serve import serve

    try:
        serve(settings, args.host, args.port)
    except SchemaTooNew as exc:
        return fail(exc)
    except ValueError as exc:  # a secret_key too short
        return fail(f"配置有误 / invalid configuration: {exc}")
    return 0
