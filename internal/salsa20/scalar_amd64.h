// The block in general registers (the ninth of a wide pass, the fifth of a narrow one), with
// the steps of two vector quarter-rounds interleaved with its own. The file including this
// defines SCALAR, the frame offset of that block's sixteen words; x11..x15 live there during
// the rounds, the others in S0..S10.
#define S0 BX
#define S1 CX
#define S2 DX
#define S3 SI
#define S4 DI
#define S5 R8
#define S6 R9
#define S7 R10
#define S8 R11
#define S9 R13
#define S10 R14
#define S11 (SCALAR+44)(R12)
#define S12 (SCALAR+48)(R12)
#define S13 (SCALAR+52)(R12)
#define S14 (SCALAR+56)(R12)
#define S15 (SCALAR+60)(R12)

#define ROUNDS (SCALAR+64)(R12)
#define SAVEDN (SCALAR+72)(R12)
#define SAVEDOUT (SCALAR+80)(R12)
#define SAVEDIN (SCALAR+88)(R12)
#define SAVEDBLOCK (SCALAR+96)(R12)
#define SBLOCKLO (SCALAR+104)(R12)
#define SBLOCKHI (SCALAR+108)(R12)

// SST: b ^= (a + d) <<< k on the block in general registers, AX as scratch.
#define SST(b, a, d, k) \
	MOVL a, AX; \
	ADDL d, AX; \
	ROLL $k, AX; \
	XORL AX, b

// QR2: two independent quarter-rounds (a, b, c, d) and (e, f, g, h) of the vector blocks,
// step by step, and the same two (sa..sh) of the block in general registers between them.
#define QR2(a, b, c, d, e, f, g, h, sa, sb, sc, sd, se, sf, sg, sh) \
	STEP(b, a, d, 7, 25); \
	SST(sb, sa, sd, 7); \
	STEP(f, e, h, 7, 25); \
	SST(sf, se, sh, 7); \
	STEP9(c, b, a); \
	SST(sc, sb, sa, 9); \
	STEP9(g, f, e); \
	SST(sg, sf, se, 9); \
	STEP(d, c, b, 13, 19); \
	SST(sd, sc, sb, 13); \
	STEP(h, g, f, 13, 19); \
	SST(sh, sg, sf, 13); \
	STEP18(a, d, c); \
	SST(sa, sd, sc, 18); \
	STEP18(e, h, g); \
	SST(se, sh, sg, 18)

// SOUT: word i of the block plus its input word init, XORed over in+off into out+off.
#define SOUT(i, init, off) \
	MOVL (SCALAR+4*i)(R12), AX; \
	ADDL init, AX; \
	XORL (off+4*i)(SI), AX; \
	MOVL AX, (off+4*i)(DI)
