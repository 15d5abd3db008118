#!/usr/bin/env python3
"""Sends hand-built SNMPv2c INFORMs from one fixed source port, for the tests that need what
Net-SNMP's tools will not do: two different informs with the same request-id.

usage: inform.py DEST_PORT SOURCE_PORT COMMUNITY REQUEST_ID IFINDEX [IFINDEX...]
Sends one inform per IFINDEX (a linkDown of that ifIndex, named ge-0/0/IFINDEX), each with the
same REQUEST_ID, each after the answer to the one before; prints "answered IFINDEX" or
"no answer IFINDEX" for each (3 tries of 3 s).
"""
import socket
import sys


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def integer(v, tag=0x02):
    return tlv(tag, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big", signed=True))


def oid(text):
    parts = [int(p) for p in text.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def varbind(name, value):
    return tlv(0x30, oid(name) + value)


def inform(community, request_id, if_index):
    binds = (varbind("1.3.6.1.2.1.1.3.0", integer(4242, 0x43))
             + varbind("1.3.6.1.6.3.1.1.4.1.0", oid("1.3.6.1.6.3.1.1.5.3"))
             + varbind("1.3.6.1.2.1.2.2.1.1.%d" % if_index, integer(if_index))
             + varbind("1.3.6.1.2.1.31.1.1.1.1.%d" % if_index, tlv(0x04, b"ge-0/0/%d" % if_index)))
    pdu = tlv(0xA6, integer(request_id) + integer(0) + integer(0) + tlv(0x30, binds))
    return tlv(0x30, integer(1) + tlv(0x04, community.encode()) + pdu)


def main():
    dest, source, community, request_id = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", source))
    s.settimeout(3)
    for if_index in (int(a) for a in sys.argv[5:]):
        packet = inform(community, request_id, if_index)
        answered = False
        for _ in range(3):
            s.sendto(packet, ("127.0.0.1", dest))
            try:
                reply, _ = s.recvfrom(65535)
            except socket.timeout:
                continue
            # A Response PDU (0xa2) with our request-id.
            answered = b"\xa2" in reply and integer(request_id) in reply
            if answered:
                break
        print(("answered %d" if answered else "no answer %d") % if_index, flush=True)


if __name__ == "__main__":
    main()
