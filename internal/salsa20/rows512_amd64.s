//go:build amd64 && !purego && gc

// Up to eight Salsa20/20 blocks in row layout, for streams and tails of at most 512 bytes.
// Each 128-bit lane of a ZMM register holds one block's row, the words in diagonal order
// (as in pairs_amd64.s): A = x0 x5 x10 x15, B = x4 x9 x14 x3, C = x8 x13 x2 x7,
// D = x12 x1 x6 x11, so that the four quarter-rounds of a column round are one per 32-bit
// lane, and those of a row round are too once B, C and D turn by three, two and one words
// (VPSHUFD). One set of four registers makes four blocks; up to 256 bytes run one set, more
// two interleaved, eight blocks at about the latency of four.
//
// Registers: set 0 in Z0..Z3 (A B C D), set 1 in Z4..Z7, temporaries Z8, Z9; the input rows
// A and D (the same for every block) in Z16, Z17, B and C (whose lanes carry the block
// numbers) in Z18, Z19 for set 0 and Z20, Z21 for set 1. K1..K4 select 32-bit word 0..3 of
// every lane.

#include "textflag.h"
#include "blocks512_amd64.h"

// QROW: the quarter-round (a, b, c, d) in every lane.
#define QROW(a, b, c, d, t) \
	STEP512(b, a, d, 7, t); \
	STEP512(c, b, a, 9, t); \
	STEP512(d, c, b, 13, t); \
	STEP512(a, d, c, 18, t)

// QROW2: QROW on two sets, step by step, so that each waits less on the other's latency.
#define QROW2(a, b, c, d, e, f, g, h) \
	STEP512(b, a, d, 7, Z8); \
	STEP512(f, e, h, 7, Z9); \
	STEP512(c, b, a, 9, Z8); \
	STEP512(g, f, e, 9, Z9); \
	STEP512(d, c, b, 13, Z8); \
	STEP512(h, g, f, 13, Z9); \
	STEP512(a, d, c, 18, Z8); \
	STEP512(e, h, g, 18, Z9)

// TURN: the row round's order (lane word i of b, c, d takes word i+3, i+2, i+1) and back
// (UNTURN).
#define TURN(b, c, d) \
	VPSHUFD $0x93, b, b; \
	VPSHUFD $0x4e, c, c; \
	VPSHUFD $0x39, d, d

#define UNTURN(b, c, d) \
	VPSHUFD $0x39, b, b; \
	VPSHUFD $0x4e, c, c; \
	VPSHUFD $0x93, d, d

// PICK: dst takes word i of every lane from wi (the masks K2..K4 select words 1..3).
#define PICK(w0, w1, w2, w3, dst) \
	VPBLENDMD w1, w0, K2, dst; \
	VPBLENDMD w2, dst, K3, dst; \
	VPBLENDMD w3, dst, K4, dst

// FINISH: add the input rows and put each block's words back in order: the four blocks of
// a set, whole, in a b c d (block 0..3). Uses Z10..Z15.
#define FINISH(a, b, c, d, ia, ib, ic, id) \
	VPADDD    ia, a, a; \
	VPADDD    ib, b, b; \
	VPADDD    ic, c, c; \
	VPADDD    id, d, d; \
	PICK(a, d, c, b, Z10); \
	PICK(b, a, d, c, Z11); \
	PICK(c, b, a, d, Z12); \
	PICK(d, c, b, a, Z13); \
	LANES(Z10, Z11, Z12, Z13, Z14, Z15, Z10, Z11, a, b, c, d)

// func xorRows(out, in *byte, n int, key *[32]byte, counter *[16]byte)
TEXT ·xorRows(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ key+24(FP), BX
	MOVQ counter+32(FP), R9

	MOVL  $0x2222, AX
	KMOVW AX, K2
	MOVL  $0x4444, AX
	KMOVW AX, K3
	MOVL  $0x8888, AX
	KMOVW AX, K4
	MOVL  $0x1111, AX
	KMOVW AX, K1

	// The input words in diagonal order, then each row in every lane; the block numbers, as
	// 64-bit numbers in both halves of each lane, into word 0 of C and word 1 of B.
	VMOVDQU      (BX), Y8
	VINSERTI32X4 $2, (R9), Z8, Z8
	VMOVDQU32    ·diagonal512(SB), Z9
	VPERMT2D     ·sigmaWords(SB), Z9, Z8
	VSHUFI32X4   $0x00, Z8, Z8, Z16
	VSHUFI32X4   $0x55, Z8, Z8, Z9
	VSHUFI32X4   $0xaa, Z8, Z8, Z10
	VSHUFI32X4   $0xff, Z8, Z8, Z17
	VPBROADCASTQ 8(R9), Z11
	VPADDQ       ·laneBlocks(SB), Z11, Z11
	VPBLENDMD    Z11, Z9, K2, Z18
	VPBLENDMD    Z11, Z10, K1, Z19
	VMOVDQA64    Z16, Z0
	VMOVDQA64    Z18, Z1
	VMOVDQA64    Z19, Z2
	VMOVDQA64    Z17, Z3
	MOVQ         $10, DX
	CMPQ         CX, $256
	JA           two

one:
	QROW(Z0, Z1, Z2, Z3, Z8)
	TURN(Z1, Z2, Z3)
	QROW(Z0, Z3, Z2, Z1, Z8)
	UNTURN(Z1, Z2, Z3)
	DECQ DX
	JNZ  one
	FINISH(Z0, Z1, Z2, Z3, Z16, Z18, Z19, Z17)
	JMP  out

two:
	VPADDQ.BCST ·four(SB), Z11, Z11
	VPBLENDMD   Z11, Z9, K2, Z20
	VPBLENDMD   Z11, Z10, K1, Z21
	VMOVDQA64   Z16, Z4
	VMOVDQA64   Z20, Z5
	VMOVDQA64   Z21, Z6
	VMOVDQA64   Z17, Z7

tworounds:
	QROW2(Z0, Z1, Z2, Z3, Z4, Z5, Z6, Z7)
	TURN(Z1, Z2, Z3)
	TURN(Z5, Z6, Z7)
	QROW2(Z0, Z3, Z2, Z1, Z4, Z7, Z6, Z5)
	UNTURN(Z1, Z2, Z3)
	UNTURN(Z5, Z6, Z7)
	DECQ DX
	JNZ  tworounds
	FINISH(Z0, Z1, Z2, Z3, Z16, Z18, Z19, Z17)
	FINISH(Z4, Z5, Z6, Z7, Z16, Z20, Z21, Z17)

out:
	OUT(Z0)
	OUT(Z1)
	OUT(Z2)
	OUT(Z3)
	OUT(Z4)
	OUT(Z5)
	OUT(Z6)
	OUT(Z7)

last:
	LASTBLOCK

done:
	VZEROUPPER
	RET
