"""Serving the archive over HTTP with waitress, holding its ground against slow and idle clients.

waitress reads requests in one event loop and hands only complete ones to its worker threads
(`threads`), so a slow client costs a socket, not a thread. What it leaves open by default: when
`connection_limit` sockets are open it stops accepting, and everyone else waits in the kernel's
queue until one closes; an idle socket is closed only after `channel_timeout` (120 s), looked at
every `cleanup_interval` (30 s); and a client that sends its request a byte every few seconds counts
as active for ever. So 101 half-open connections kept everyone out for minutes (issue 12).

`make_server` therefore takes the limits from the settings (CONNECTION_LIMIT, CHANNEL_TIMEOUT,
THREADS; `archive serve --connection-limit/--channel-timeout/--threads`), looks for idle sockets
every few seconds, uses poll() rather than select() (which cannot watch more than 1,024 sockets),
and closes a connection whose request headers have not all arrived CHANNEL_TIMEOUT seconds after they
began, however slowly they trickle (what nginx calls `client_header_timeout`). A request's body may
take longer, as long as it keeps coming (an upload over a slow link). One address can still open
many connections: on a public address, put a proxy that limits connections per address in front
(SECURITY.md, "Deploying behind HTTPS").

Behind a reverse proxy, TRUSTED_PROXY names it: waitress then takes the client's address and scheme
from that proxy's `X-Forwarded-For` and `X-Forwarded-Proto`, and drops such headers from anyone else.
"""
from __future__ import annotations

import resource
from collections.abc import Mapping

from waitress.adjustments import Adjustments
from waitress.server import MultiSocketServer, TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher

# Files the archive keeps open besides its clients' sockets: the database, the index's segments, logs.
OWN_FILES = 128


class Server(TcpWSGIServer):
    """waitress's TCP server, which also closes connections that are slow to send their headers."""

    def maintenance(self, now: float) -> None:
        super().maintenance(now)  # idle connections
        cutoff = now - self.adj.channel_timeout
        for channel in list(self.active_channels.values()):
            partial = channel.request  # the request being received, if any
            if partial is None or channel.requests or partial.headers_finished:
                continue
            began = getattr(partial, "archive_began", None)
            if began is None:  # first seen now: the deadline runs from here (within cleanup_interval)
                partial.archive_began = now
            elif began < cutoff:
                channel.will_close = True


def adjustments(settings: Mapping, host: str, port: int, **given) -> dict:
    """waitress's adjustments from the settings, overridden by what the command line gives."""
    chosen = {name: settings[name.upper()] for name in ("threads", "connection_limit", "channel_timeout",
                                                       "trusted_proxy")}
    chosen.update({name: value for name, value in given.items() if value is not None})
    timeout = max(1, int(chosen["channel_timeout"]))
    found = {"host": host, "port": port, "threads": int(chosen["threads"]), "ident": "archive",
             "connection_limit": int(chosen["connection_limit"]), "channel_timeout": timeout,
             "cleanup_interval": max(1, min(30, timeout // 4)), "asyncore_use_poll": True}
    if chosen["trusted_proxy"]:
        found.update(trusted_proxy=chosen["trusted_proxy"], trusted_proxy_count=1,
                     trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"},
                     clear_untrusted_proxy_headers=True)
    return found


def enough_files(connection_limit: int) -> None:
    """Let the process open a file per connection and its own besides, within the system's limit.

    :raise ValueError: when the system allows fewer (raise `ulimit -n`, or lower the limit).
    """
    needed = connection_limit + OWN_FILES
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        if hard != resource.RLIM_INFINITY and hard < needed:
            raise ValueError(f"a connection limit of {connection_limit} needs {needed} open files, and "
                             f"this system allows {hard} (ulimit -n); lower CONNECTION_LIMIT")
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


def make_server(app, settings: Mapping, host: str, port: int, **given):
    """A waitress server for `app` on host:port (not yet running: call `.run()`), with its limits
    from the settings and `given` (threads, connection_limit, channel_timeout, trusted_proxy).
    Returns it and the addresses it listens on."""
    adj = Adjustments(**adjustments(settings, host, port, **given))
    enough_files(adj.connection_limit)
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockets: dict = {}
    servers = [Server(app, sockets, dispatcher=dispatcher, adj=adj, sockinfo=info) for info in adj.listen]
    listening = [(server.effective_host, server.effective_port) for server in servers]
    if len(servers) == 1:
        return servers[0], listening
    return MultiSocketServer(sockets, adj, listening, dispatcher, servers[-1].log_info), listening
