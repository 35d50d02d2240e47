"""The bridge's environment, the one table both clients build it from (tools/gen_clients.py
writes the Node client's copy from this file): the caller's variables every bridge inherits, and
the variable each client setting sets."""

from typing import Tuple

#: What any process needs to run, find its libraries, format text, reach a proxy and verify TLS
#: (and, on Windows, to start at all). Nothing else of the caller's environment is passed on.
BASIC_ENV_VARS: Tuple[str, ...] = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "LC_MESSAGES",
    "LC_NUMERIC",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LD_LIBRARY_PATH",
    "DYLD_LIBRARY_PATH",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
    "SystemRoot",
    "SYSTEMROOT",
    "windir",
    "WINDIR",
    "ComSpec",
    "COMSPEC",
    "PATHEXT",
    "USERPROFILE",
    "APPDATA",
    "LOCALAPPDATA",
)

#: Each client setting (snake_case; Node takes its camelCase) and the variable it sets, and
#: whether it names a server or an account: those a sandbox bridge never inherits from the caller.
SETTINGS: Tuple[Tuple[str, str, bool], ...] = (
    ("sandbox", "TILEDESK_SANDBOX", False),
    ("api_url", "TILEDESK_API_URL", True),
    ("token", "TILEDESK_TOKEN", True),
    ("email", "TILEDESK_EMAIL", True),
    ("password", "TILEDESK_PASSWORD", True),
    ("project_id", "TILEDESK_PROJECT_ID", True),
    ("log_level", "TILEDESK_LOG_LEVEL", False),
    ("upstream_timeout", "TILEDESK_TIMEOUT", False),
    ("retries", "TILEDESK_RETRIES", False),
    ("max_rate", "TILEDESK_MAX_RATE", False),
)
