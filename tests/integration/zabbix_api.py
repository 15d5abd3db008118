#!/usr/bin/env python3
"""One call of the Zabbix frontend's JSON-RPC API (tests/integration/zabbix_frontend.sh).

usage: zabbix_api.py URL TOKEN_FILE METHOD < PARAMS_JSON
The parameters come on stdin and the session token from a file (the token, and the password of
user.login, are never on a command line). Prints the result as JSON; an API error is printed on
stderr and the exit code is 1. For user.login the token is written to TOKEN_FILE (mode 0600)
instead of printed.
"""
import json
import os
import sys
import urllib.request


def main():
    url, token_file, method = sys.argv[1:4]
    request = {"jsonrpc": "2.0", "method": method, "params": json.load(sys.stdin), "id": 1}
    headers = {"Content-Type": "application/json-rpc"}
    if method not in ("user.login", "apiinfo.version"):
        with open(token_file, encoding="ascii") as f:
            request["auth"] = f.read().strip()  # Zabbix 6.0's place for the session token
    body = json.dumps(request).encode()
    with urllib.request.urlopen(urllib.request.Request(url, body, headers), timeout=60) as r:
        answer = json.load(r)
    if "error" in answer:
        print(json.dumps(answer["error"]), file=sys.stderr)
        return 1
    if method == "user.login":
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(answer["result"])
        return 0
    print(json.dumps(answer["result"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
