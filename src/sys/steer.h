/*
 * steer: kernel packet steering so that N relay workers each own a shard of the Teredo
 * peers: a classic BPF program picks the SO_REUSEPORT socket, an eBPF one the TUN queue.
 * Never logs, never keeps a program loaded itself, never touches a socket's own filter.
 */
#ifndef SW_SYS_STEER_H
#define SW_SYS_STEER_H

#include <stdint.h>

#define SW_STEER_MAX 64 /* workers; more is -EINVAL */

/* The worker (0..n-1) that owns Teredo peer addr (n >= 1; n == 0 gives 0). Pure:
 * w2, w3 = addr[8..11], addr[12..15] big-endian; ((w2 ^ w3) * 0x9E3779B1 >> 16) % n
 * in 32-bit unsigned arithmetic, exactly as the kernel programs compute it. */
unsigned sw_steer_shard(const uint8_t addr[16], unsigned n);

/* Attach to the SO_REUSEPORT group of UDP socket fd a classic BPF program
 * (SO_ATTACH_REUSEPORT_CBPF) returning sw_steer_shard() of the Teredo payload's IPv6 source
 * (after an origin indication); a payload starting with an authentication header, or too
 * short for its IPv6 header (40 bytes, 48 after an origin indication), goes to socket 0.
 * Socket i of the group is the i-th to join it (bind order). n == 1 attaches nothing.
 * 0, -EINVAL (n == 0 or n > SW_STEER_MAX) or -errno. */
int sw_steer_udp(int fd, unsigned n);

/* Load an eBPF socket-filter program returning sw_steer_shard() of the IPv6 destination
 * (packets shorter than 40 bytes: 0) and attach it to the multi-queue TUN device of fd
 * (TUNSETSTEERINGEBPF; the device takes the result modulo its queue count, queue i being
 * the i-th attached). The program fd is closed again: the device keeps its reference.
 * Needs CAP_BPF or CAP_SYS_ADMIN. n == 1 attaches nothing.
 * 0, -EINVAL (n == 0 or n > SW_STEER_MAX) or -errno (see sw_steer_log()). */
int sw_steer_tun(int fd, unsigned n);

/* The verifier's message for the last program load of this thread that failed ("" if
 * none); valid until the next sw_steer_tun() call in the same thread. */
const char *sw_steer_log(void);

#endif
