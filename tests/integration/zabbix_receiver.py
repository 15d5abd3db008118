#!/usr/bin/env python3
"""A Zabbix server's trapper port, as far as the sender protocol goes, for the tests: accepts
sender requests on 127.0.0.1:PORT, checks the header (ZBXD, flags 0x01, little-endian length,
reserved 0) and that the payload is JSON, appends one line per request to LOG
("<header hex> <reserved hex> <json>"), and answers success (or failed, with --refuse).

usage: zabbix_receiver.py PORT LOG [--refuse]"""
import json
import socket
import struct
import sys


def main():
    port, log = int(sys.argv[1]), sys.argv[2]
    refuse = "--refuse" in sys.argv[3:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        conn.settimeout(5)
        try:
            head = b""
            while len(head) < 13:
                chunk = conn.recv(13 - len(head))
                if not chunk:
                    raise ValueError("short header")
                head += chunk
            if head[:4] != b"ZBXD" or head[4] != 0x01:
                raise ValueError("not a ZBXD\\x01 header: %r" % head[:5])
            (length,) = struct.unpack("<I", head[5:9])
            body = b""
            while len(body) < length:
                chunk = conn.recv(length - len(body))
                if not chunk:
                    raise ValueError("short body")
                body += chunk
            json.loads(body)
            with open(log, "ab") as f:
                f.write(head[:5].hex().encode() + b" " + head[9:13].hex().encode() + b" " + body + b"\n")
            answer = {"response": "failed" if refuse else "success",
                      "info": "processed: 1; failed: 0; total: 1; seconds spent: 0.000100"}
        except (ValueError, OSError) as e:
            with open(log, "ab") as f:
                f.write(b"BAD " + str(e).encode() + b"\n")
            conn.close()
            continue
        reply = json.dumps(answer).encode()
        conn.sendall(b"ZBXD\x01" + struct.pack("<II", len(reply), 0) + reply)
        conn.close()


if __name__ == "__main__":
    main()
