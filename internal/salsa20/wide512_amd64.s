//go:build amd64 && !purego && gc

// Sixteen Salsa20/20 blocks at once, for streams longer than the rows routine's eight
// blocks: ZMM register Zi holds state word i of all sixteen (lane j is block j), so a
// quarter-round is four steps on whole registers and the sixteen words never leave them.
// Z16 and Z17 hold the lanes' input words 8 and 9 (their block numbers); the other input
// words are the same in every lane and are broadcast from the key, the nonce and sigmaWords. Z18..Z21 are the temporaries
// of the four quarter-rounds that run interleaved. At the end of a pass a 16×16 transpose
// (through Z16..Z31) leaves block j in Zj, and the blocks are XORed over in and stored, the
// last one of the stream under a byte mask if it is part-filled.

#include "textflag.h"
#include "blocks512_amd64.h"

// The input words other than 8 and 9, which differ from lane to lane.
#define IN0 ·sigmaWords+0(SB)
#define IN1 0(BX)
#define IN2 4(BX)
#define IN3 8(BX)
#define IN4 12(BX)
#define IN5 ·sigmaWords+20(SB)
#define IN6 0(R9)
#define IN7 4(R9)
#define IN10 ·sigmaWords+40(SB)
#define IN11 16(BX)
#define IN12 20(BX)
#define IN13 24(BX)
#define IN14 28(BX)
#define IN15 ·sigmaWords+60(SB)

// QR4: four independent quarter-rounds, (a0 b0 c0 d0) .. (a3 b3 c3 d3), step by step.
#define QR4(a0, b0, c0, d0, a1, b1, c1, d1, a2, b2, c2, d2, a3, b3, c3, d3) \
	STEP512(b0, a0, d0, 7, Z18); \
	STEP512(b1, a1, d1, 7, Z19); \
	STEP512(b2, a2, d2, 7, Z20); \
	STEP512(b3, a3, d3, 7, Z21); \
	STEP512(c0, b0, a0, 9, Z18); \
	STEP512(c1, b1, a1, 9, Z19); \
	STEP512(c2, b2, a2, 9, Z20); \
	STEP512(c3, b3, a3, 9, Z21); \
	STEP512(d0, c0, b0, 13, Z18); \
	STEP512(d1, c1, b1, 13, Z19); \
	STEP512(d2, c2, b2, 13, Z20); \
	STEP512(d3, c3, b3, 13, Z21); \
	STEP512(a0, d0, c0, 18, Z18); \
	STEP512(a1, d1, c1, 18, Z19); \
	STEP512(a2, d2, c2, 18, Z20); \
	STEP512(a3, d3, c3, 18, Z21)

// PAIRS: words 2p and 2p+1 interleaved, per 128-bit lane (first stage of the transpose).
#define PAIRS(a, b, lo, hi) \
	VPUNPCKLDQ a, b, lo; \
	VPUNPCKHDQ a, b, hi

// QUADS: the second stage; afterwards lane c of q0..q3 is words 4g..4g+3 of block 4c..4c+3.
#define QUADS(lo0, hi0, lo1, hi1, q0, q1, q2, q3) \
	VPUNPCKLQDQ lo1, lo0, q0; \
	VPUNPCKHQDQ lo1, lo0, q1; \
	VPUNPCKLQDQ hi1, hi0, q2; \
	VPUNPCKHQDQ hi1, hi0, q3

// func xorWide(out, in *byte, n int, key *[32]byte, counter *[16]byte)
TEXT ·xorWide(SB), NOSPLIT, $0-40
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ key+24(FP), BX
	MOVQ counter+32(FP), R9
	MOVQ 8(R9), R8

pass:
	// The lanes' block numbers R8+j as 64-bit numbers, split into word 8 (Z16) and 9 (Z17).
	VPBROADCASTQ R8, Z18
	VPADDQ       ·wideBlocks(SB), Z18, Z19
	VPADDQ.BCST  ·eight(SB), Z19, Z20
	VPMOVQD      Z19, Y21
	VPMOVQD      Z20, Y22
	VINSERTI64X4 $1, Y22, Z21, Z16
	VPSRLQ       $32, Z19, Z19
	VPSRLQ       $32, Z20, Z20
	VPMOVQD      Z19, Y21
	VPMOVQD      Z20, Y22
	VINSERTI64X4 $1, Y22, Z21, Z17

	VPBROADCASTD IN0, Z0
	VPBROADCASTD IN1, Z1
	VPBROADCASTD IN2, Z2
	VPBROADCASTD IN3, Z3
	VPBROADCASTD IN4, Z4
	VPBROADCASTD IN5, Z5
	VPBROADCASTD IN6, Z6
	VPBROADCASTD IN7, Z7
	VMOVDQA64    Z16, Z8
	VMOVDQA64    Z17, Z9
	VPBROADCASTD IN10, Z10
	VPBROADCASTD IN11, Z11
	VPBROADCASTD IN12, Z12
	VPBROADCASTD IN13, Z13
	VPBROADCASTD IN14, Z14
	VPBROADCASTD IN15, Z15
	MOVQ         $10, DX

doubleround:
	QR4(Z0, Z4, Z8, Z12, Z5, Z9, Z13, Z1, Z10, Z14, Z2, Z6, Z15, Z3, Z7, Z11)
	QR4(Z0, Z1, Z2, Z3, Z5, Z6, Z7, Z4, Z10, Z11, Z8, Z9, Z15, Z12, Z13, Z14)
	DECQ DX
	JNZ  doubleround

	VPADDD.BCST IN0, Z0, Z0
	VPADDD.BCST IN1, Z1, Z1
	VPADDD.BCST IN2, Z2, Z2
	VPADDD.BCST IN3, Z3, Z3
	VPADDD.BCST IN4, Z4, Z4
	VPADDD.BCST IN5, Z5, Z5
	VPADDD.BCST IN6, Z6, Z6
	VPADDD.BCST IN7, Z7, Z7
	VPADDD      Z16, Z8, Z8
	VPADDD      Z17, Z9, Z9
	VPADDD.BCST IN10, Z10, Z10
	VPADDD.BCST IN11, Z11, Z11
	VPADDD.BCST IN12, Z12, Z12
	VPADDD.BCST IN13, Z13, Z13
	VPADDD.BCST IN14, Z14, Z14
	VPADDD.BCST IN15, Z15, Z15

	PAIRS(Z1, Z0, Z16, Z17)
	PAIRS(Z3, Z2, Z18, Z19)
	PAIRS(Z5, Z4, Z20, Z21)
	PAIRS(Z7, Z6, Z22, Z23)
	PAIRS(Z9, Z8, Z24, Z25)
	PAIRS(Z11, Z10, Z26, Z27)
	PAIRS(Z13, Z12, Z28, Z29)
	PAIRS(Z15, Z14, Z30, Z31)
	QUADS(Z16, Z17, Z18, Z19, Z0, Z4, Z8, Z12)
	QUADS(Z20, Z21, Z22, Z23, Z1, Z5, Z9, Z13)
	QUADS(Z24, Z25, Z26, Z27, Z2, Z6, Z10, Z14)
	QUADS(Z28, Z29, Z30, Z31, Z3, Z7, Z11, Z15)
	// Lane c of Z(4k+g) holds words 4g..4g+3 of block 4c+k: LANES leaves blocks k, 4+k, 8+k
	// and 12+k whole in Z4k..Z4k+3.
	LANES(Z0, Z1, Z2, Z3, Z16, Z17, Z18, Z19, Z0, Z1, Z2, Z3)
	LANES(Z4, Z5, Z6, Z7, Z20, Z21, Z22, Z23, Z4, Z5, Z6, Z7)
	LANES(Z8, Z9, Z10, Z11, Z24, Z25, Z26, Z27, Z8, Z9, Z10, Z11)
	LANES(Z12, Z13, Z14, Z15, Z28, Z29, Z30, Z31, Z12, Z13, Z14, Z15)

	OUT(Z0)
	OUT(Z4)
	OUT(Z8)
	OUT(Z12)
	OUT(Z1)
	OUT(Z5)
	OUT(Z9)
	OUT(Z13)
	OUT(Z2)
	OUT(Z6)
	OUT(Z10)
	OUT(Z14)
	OUT(Z3)
	OUT(Z7)
	OUT(Z11)
	OUT(Z15)
	ADDQ $16, R8
	JMP  pass

last:
	LASTBLOCK

done:
	VZEROUPPER
	RET
