/* steer: the shard function and its two kernel programs (see steer.h). */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sys/steer.h"

#ifndef SO_ATTACH_REUSEPORT_CBPF
#define SO_ATTACH_REUSEPORT_CBPF 51
#endif

#define MULT 0x9E3779B1u
#define IP6_HLEN 40u
#define OI_LEN 8u  /* origin indication: 0x00 0x00, port, address */
#define SRC_W2 16u /* IPv6 header offsets of the source's bytes 8..11 and 12..15 */
#define DST_W2 32u /* and of the destination's */
#define LOG_SIZE 8192u

static _Thread_local char verifier_log[LOG_SIZE];

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

unsigned sw_steer_shard(const uint8_t addr[16], unsigned n)
{
	uint32_t h = (be32(addr + 8) ^ be32(addr + 12)) * MULT;

	return n ? (h >> 16) % n : 0;
}

const char *sw_steer_log(void)
{
	return verifier_log;
}

/* Classic BPF, run by the reuseport group on the UDP payload (the UDP header pulled). */
#define ST(code, k) ((struct sock_filter)BPF_STMT(code, k))
/* a conditional jump from instruction `at` to `yes` or `no` */
#define JIF(at, code, k, yes, no)                                                                  \
	((struct sock_filter)BPF_JUMP(code, k, (yes) - (at)-1, (no) - (at)-1))

enum { U_PLAIN = 10, U_HASH = 11, U_RET0 = 20, U_LEN = 21 };

int sw_steer_udp(int fd, unsigned n)
{
	/* clang-format off */
	struct sock_filter p[U_LEN] = {
		ST(BPF_LD | BPF_W | BPF_LEN, 0),
		JIF(1, BPF_JMP | BPF_JGE | BPF_K, IP6_HLEN, 2, U_RET0),
		ST(BPF_LD | BPF_B | BPF_ABS, 0),
		JIF(3, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, U_PLAIN),
		ST(BPF_LD | BPF_B | BPF_ABS, 1), /* 0x00 0x00: origin indication; else auth */
		JIF(5, BPF_JMP | BPF_JEQ | BPF_K, 0, 6, U_RET0),
		ST(BPF_LD | BPF_W | BPF_LEN, 0),
		JIF(7, BPF_JMP | BPF_JGE | BPF_K, OI_LEN + IP6_HLEN, 8, U_RET0),
		ST(BPF_LDX | BPF_W | BPF_IMM, OI_LEN),
		ST(BPF_JMP | BPF_JA, U_HASH - 9 - 1),
		[U_PLAIN] = ST(BPF_LDX | BPF_W | BPF_IMM, 0),
		[U_HASH] = ST(BPF_LD | BPF_W | BPF_IND, SRC_W2),
		ST(BPF_ST, 0),
		ST(BPF_LD | BPF_W | BPF_IND, SRC_W2 + 4),
		ST(BPF_LDX | BPF_W | BPF_MEM, 0),
		ST(BPF_ALU | BPF_XOR | BPF_X, 0),
		ST(BPF_ALU | BPF_MUL | BPF_K, MULT),
		ST(BPF_ALU | BPF_RSH | BPF_K, 16),
		ST(BPF_ALU | BPF_MOD | BPF_K, n),
		ST(BPF_RET | BPF_A, 0),
		[U_RET0] = ST(BPF_RET | BPF_K, 0),
	};
	/* clang-format on */
	struct sock_fprog prog = {.len = U_LEN, .filter = p};

	if (n == 0 || n > SW_STEER_MAX)
		return -EINVAL;
	if (n == 1)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

/* eBPF, run by the TUN device on the IPv6 packet (no link header). */
#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define ALU32_K(op, d, k) INSN(BPF_ALU | (op) | BPF_K, d, 0, 0, (int32_t)(k))
#define ALU32_X(op, d, s) INSN(BPF_ALU | (op) | BPF_X, d, s, 0, 0)
#define LD_ABS_W(off) INSN(BPF_LD | BPF_W | BPF_ABS, 0, 0, 0, off)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum { T_RET0 = 11, T_LEN = 13 };

static int load_tun_prog(const struct bpf_insn *insns, unsigned cnt)
{
	union bpf_attr a;
	int pfd, err;

	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	a.insn_cnt = cnt;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.license = (uint64_t)(uintptr_t) "ISC";
	memcpy(a.prog_name, "sw_steer_tun", sizeof("sw_steer_tun"));
	verifier_log[0] = '\0';
	pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (pfd >= 0)
		return pfd;
	err = -errno;
	/* again with the verifier's log (not the first time: a log too small fails a load) */
	a.log_level = 1;
	a.log_size = LOG_SIZE;
	a.log_buf = (uint64_t)(uintptr_t)verifier_log;
	pfd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof(a));
	if (pfd >= 0)
		return pfd;
	verifier_log[LOG_SIZE - 1] = '\0';
	return err;
}

int sw_steer_tun(int fd, unsigned n)
{
	/* clang-format off */
	const struct bpf_insn p[T_LEN] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_6, BPF_REG_1, 0, 0), /* LD_ABS: r6 = ctx */
		INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_0, BPF_REG_6,
		     offsetof(struct __sk_buff, len), 0),
		INSN(BPF_JMP | BPF_JLT | BPF_K, BPF_REG_0, 0, T_RET0 - 2 - 1, IP6_HLEN),
		LD_ABS_W(DST_W2),
		ALU32_X(BPF_MOV, BPF_REG_7, BPF_REG_0),
		LD_ABS_W(DST_W2 + 4),
		ALU32_X(BPF_XOR, BPF_REG_0, BPF_REG_7),
		ALU32_K(BPF_MUL, BPF_REG_0, MULT),
		ALU32_K(BPF_RSH, BPF_REG_0, 16),
		ALU32_K(BPF_MOD, BPF_REG_0, n),
		EXIT(),
		[T_RET0] = ALU32_K(BPF_MOV, BPF_REG_0, 0),
		EXIT(),
	};
	/* clang-format on */
	int pfd, err = 0;

	if (n == 0 || n > SW_STEER_MAX)
		return -EINVAL;
	if (n == 1)
		return 0;
	pfd = load_tun_prog(p, T_LEN);
	if (pfd < 0)
		return pfd;
	if (ioctl(fd, TUNSETSTEERINGEBPF, &pfd) < 0)
		err = -errno;
	close(pfd);
	return err;
}
