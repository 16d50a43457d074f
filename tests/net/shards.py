#!/usr/bin/env python3
"""shards: helpers for the relay's Workers test (relay_miredo.sh workers).

  shards.py N FILE        read a `peers` reply (JSON) on stdin; every address of FILE must be
                          listed exactly once, and every listed peer on worker shard(addr, N)
  shards.py --addresses K print K Teredo addresses (server 198.51.100.1, mapped addresses in
                          203.0.113.0/24, fixed seed)
  shards.py --send FILE   send one UDP datagram over IPv6 to port 9 of each address of FILE

shard() is sys/steer's function, written again here from its definition so that the test
checks the kernel programs against an independent copy: w2, w3 = bytes 8..11 and 12..15
of the address, big-endian; ((w2 ^ w3) * 0x9E3779B1 mod 2^32) >> 16, modulo N.
"""
import ipaddress
import json
import random
import socket
import sys


def shard(addr, n):
    b = ipaddress.IPv6Address(addr).packed
    w2 = int.from_bytes(b[8:12], "big")
    w3 = int.from_bytes(b[12:16], "big")
    return ((((w2 ^ w3) * 0x9E3779B1) & 0xFFFFFFFF) >> 16) % n


def addresses(k):
    rnd = random.Random(4380)
    server = bytes([198, 51, 100, 1])
    out = []
    for _ in range(k):
        port = rnd.randrange(1024, 65536)
        ip = bytes([203, 0, 113, rnd.randrange(1, 255)])
        b = (bytes([0x20, 0x01, 0, 0]) + server + bytes([0, 0]) +
             (port ^ 0xFFFF).to_bytes(2, "big") + bytes(x ^ 0xFF for x in ip))
        out.append(str(ipaddress.IPv6Address(b)))
    return out


def check(n, path):
    want = [ipaddress.IPv6Address(a.strip()) for a in open(path) if a.strip()]
    reply = json.loads(sys.stdin.read().strip().splitlines()[-1])
    peers = reply.get("peers", [])
    seen = {}
    bad = 0
    for p in peers:
        a = ipaddress.IPv6Address(p["address"])
        seen[a] = seen.get(a, 0) + 1
        if p.get("worker") != shard(str(a), n):
            print(f"{a}: on worker {p.get('worker')}, steered to {shard(str(a), n)}")
            bad += 1
    for a in want:
        if seen.get(a, 0) != 1:
            print(f"{a}: listed {seen.get(a, 0)} times")
            bad += 1
    per = [0] * n
    for p in peers:
        per[p.get("worker", 0) % n] += 1
    print(f"{len(peers)} peers listed, per worker {per}, {bad} problems")
    if len(want) >= 30 and min(per) == 0:
        print("a worker has no peer at all")
        bad += 1
    return 1 if bad else 0


def send(path):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    for a in open(path):
        if a.strip():
            s.sendto(b"shipworm workers test", (a.strip(), 9))
    return 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--addresses":
        print("\n".join(addresses(int(sys.argv[2]))))
        return 0
    if len(sys.argv) == 3 and sys.argv[1] == "--send":
        return send(sys.argv[2])
    if len(sys.argv) == 3:
        return check(int(sys.argv[1]), sys.argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
