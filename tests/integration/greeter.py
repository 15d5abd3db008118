#!/usr/bin/env python3
"""An SMTP-like or FTP-like greeter on 127.0.0.1:PORT (or ADDRESS:PORT) for the probe tests and
bench/probe: greets with "220 <name> ready", answers QUIT with "221 bye" and closes; anything else
gets "502".

usage: greeter.py PORT NAME [ADDRESS]   (ADDRESS: 127.0.0.1 unless given; 0.0.0.0 or :: for all)"""
import socket
import sys
import threading


def serve(conn, name):
    with conn:
        conn.settimeout(10)
        conn.sendall(("220-%s\r\n220 %s ready\r\n" % (name, name)).encode())
        buf = b""
        while True:
            chunk = conn.recv(512)
            if not chunk:
                return
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                if line.strip().upper() == b"QUIT":
                    conn.sendall(b"221 bye\r\n")
                    return
                conn.sendall(b"502 not here\r\n")


def main():
    port, name = int(sys.argv[1]), sys.argv[2]
    address = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
    srv = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((address, port))
    srv.listen(16)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn, name), daemon=True).start()


if __name__ == "__main__":
    main()
