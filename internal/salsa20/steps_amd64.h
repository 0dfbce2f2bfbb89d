// Salsa20's quarter-round steps on vector registers, for wide_amd64.s, narrow_amd64.s and
// pairs_amd64.s. Each is dst ^= (a + b) <<< n, lane by lane, with T0 and T1 (which the file
// including this defines) as scratch.

// STEP: dst ^= (a + b) <<< l, with r = 32-l.
#define STEP(dst, a, b, l, r) \
	VPADDD a, b, T0; \
	VPSLLD $l, T0, T1; \
	VPSRLD $r, T0, T0; \
	VPXOR  T1, dst, dst; \
	VPXOR  T0, dst, dst

// STEP9 and STEP18 rotate by 8 or 16 with a byte shuffle and by the last 1 or 2 with adds:
// one shift instead of two, for a step one or two instructions longer. The wide routine,
// bound by throughput, gained ~2% on an AMD EPYC; the pairs routine, bound by latency,
// lost.
#define STEP9(dst, a, b) \
	VPADDD  a, b, T0; \
	VPSHUFB ·rot8(SB), T0, T0; \
	VPSRLD  $31, T0, T1; \
	VPADDD  T0, T0, T0; \
	VPXOR   T1, dst, dst; \
	VPXOR   T0, dst, dst

#define STEP18(dst, a, b) \
	VPADDD  a, b, T0; \
	VPSHUFB ·rot16(SB), T0, T0; \
	VPSRLD  $30, T0, T1; \
	VPADDD  T0, T0, T0; \
	VPADDD  T0, T0, T0; \
	VPXOR   T1, dst, dst; \
	VPXOR   T0, dst, dst

