//go:build amd64 && !purego && gc

// Eight Salsa20/20 blocks at once: each YMM register holds one state word of all eight
// blocks (lane j is block j). Sixteen words and two temporaries need eighteen registers, so
// two words at a time wait on the stack: x3 and x7 while the first two quarter-rounds of the
// column round and the last two of the row round run, x8 and x12 while the others run. Y12
// and Y13 hold whichever pair is in.
//
// Frame, 32-byte aligned at R12: the input words broadcast to all lanes at 0..511 (word i at
// 32*i, the block numbers of the eight lanes in words 8 and 9), the working words at 512..1023.

#include "textflag.h"
#include "steps_amd64.h"

// QR2: two independent quarter-rounds (a, b, c, d) and (e, f, g, h), step by step.
#define QR2(a, b, c, d, e, f, g, h) \
	STEP(b, a, d, 7, 25); \
	STEP(f, e, h, 7, 25); \
	STEP9(c, b, a); \
	STEP9(g, f, e); \
	STEP(d, c, b, 13, 19); \
	STEP(h, g, f, 13, 19); \
	STEP18(a, d, c); \
	STEP18(e, h, g)

// LANE: block number R8+i into lane i of words 8 (low half) and 9 (high half).
#define LANE(i) \
	MOVQ R8, AX; \
	ADDQ $i, AX; \
	MOVL AX, (256+4*i)(R12); \
	SHRQ $32, AX; \
	MOVL AX, (288+4*i)(R12)

// HALF: words w..w+7 (working words at 512(base), input words at 0(base)) plus the input,
// transposed from word-per-register to block-per-register, XORed over the eight 32-byte
// pieces at 64*j(inp) into 64*j(outp).
#define HALF(base, inp, outp) \
	VMOVDQA 512(base), Y0; \
	VMOVDQA 544(base), Y1; \
	VMOVDQA 576(base), Y2; \
	VMOVDQA 608(base), Y3; \
	VMOVDQA 640(base), Y4; \
	VMOVDQA 672(base), Y5; \
	VMOVDQA 704(base), Y6; \
	VMOVDQA 736(base), Y7; \
	VPADDD  0(base), Y0, Y0; \
	VPADDD  32(base), Y1, Y1; \
	VPADDD  64(base), Y2, Y2; \
	VPADDD  96(base), Y3, Y3; \
	VPADDD  128(base), Y4, Y4; \
	VPADDD  160(base), Y5, Y5; \
	VPADDD  192(base), Y6, Y6; \
	VPADDD  224(base), Y7, Y7; \
	VPUNPCKLDQ  Y1, Y0, Y8; \
	VPUNPCKHDQ  Y1, Y0, Y9; \
	VPUNPCKLDQ  Y3, Y2, Y10; \
	VPUNPCKHDQ  Y3, Y2, Y11; \
	VPUNPCKLDQ  Y5, Y4, Y12; \
	VPUNPCKHDQ  Y5, Y4, Y13; \
	VPUNPCKLDQ  Y7, Y6, Y14; \
	VPUNPCKHDQ  Y7, Y6, Y15; \
	VPUNPCKLQDQ Y10, Y8, Y0; \
	VPUNPCKHQDQ Y10, Y8, Y1; \
	VPUNPCKLQDQ Y11, Y9, Y2; \
	VPUNPCKHQDQ Y11, Y9, Y3; \
	VPUNPCKLQDQ Y14, Y12, Y4; \
	VPUNPCKHQDQ Y14, Y12, Y5; \
	VPUNPCKLQDQ Y15, Y13, Y6; \
	VPUNPCKHQDQ Y15, Y13, Y7; \
	VPERM2I128  $0x20, Y4, Y0, Y8; \
	VPERM2I128  $0x31, Y4, Y0, Y9; \
	VPERM2I128  $0x20, Y5, Y1, Y10; \
	VPERM2I128  $0x31, Y5, Y1, Y11; \
	VPERM2I128  $0x20, Y6, Y2, Y12; \
	VPERM2I128  $0x31, Y6, Y2, Y13; \
	VPERM2I128  $0x20, Y7, Y3, Y14; \
	VPERM2I128  $0x31, Y7, Y3, Y15; \
	VPXOR   0(inp), Y8, Y8; \
	VPXOR   256(inp), Y9, Y9; \
	VPXOR   64(inp), Y10, Y10; \
	VPXOR   320(inp), Y11, Y11; \
	VPXOR   128(inp), Y12, Y12; \
	VPXOR   384(inp), Y13, Y13; \
	VPXOR   192(inp), Y14, Y14; \
	VPXOR   448(inp), Y15, Y15; \
	VMOVDQU Y8, 0(outp); \
	VMOVDQU Y9, 256(outp); \
	VMOVDQU Y10, 64(outp); \
	VMOVDQU Y11, 320(outp); \
	VMOVDQU Y12, 128(outp); \
	VMOVDQU Y13, 384(outp); \
	VMOVDQU Y14, 192(outp); \
	VMOVDQU Y15, 448(outp)

// func xorChunks(out, in *byte, n int, s *[16]uint32)
TEXT ·xorChunks(SB), 0, $1056-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), BX
	MOVQ SP, R12
	ADDQ $31, R12
	ANDQ $-32, R12

	VPBROADCASTD 0(BX), Y0
	VPBROADCASTD 4(BX), Y1
	VPBROADCASTD 8(BX), Y2
	VPBROADCASTD 12(BX), Y3
	VPBROADCASTD 16(BX), Y4
	VPBROADCASTD 20(BX), Y5
	VPBROADCASTD 24(BX), Y6
	VPBROADCASTD 28(BX), Y7
	VPBROADCASTD 40(BX), Y10
	VPBROADCASTD 44(BX), Y11
	VPBROADCASTD 48(BX), Y12
	VPBROADCASTD 52(BX), Y13
	VPBROADCASTD 56(BX), Y14
	VPBROADCASTD 60(BX), Y15
	VMOVDQA Y0, 0(R12)
	VMOVDQA Y1, 32(R12)
	VMOVDQA Y2, 64(R12)
	VMOVDQA Y3, 96(R12)
	VMOVDQA Y4, 128(R12)
	VMOVDQA Y5, 160(R12)
	VMOVDQA Y6, 192(R12)
	VMOVDQA Y7, 224(R12)
	VMOVDQA Y10, 320(R12)
	VMOVDQA Y11, 352(R12)
	VMOVDQA Y12, 384(R12)
	VMOVDQA Y13, 416(R12)
	VMOVDQA Y14, 448(R12)
	VMOVDQA Y15, 480(R12)
	MOVQ    32(BX), R8

chunk:
	LANE(0)
	LANE(1)
	LANE(2)
	LANE(3)
	LANE(4)
	LANE(5)
	LANE(6)
	LANE(7)

	// x0 x1 x2 x4 x5 x6 x9 x10 x11 x13 x14 x15 live in Y0..Y11, x8 and x12 in Y12, Y13.
	VMOVDQA 0(R12), Y0
	VMOVDQA 32(R12), Y1
	VMOVDQA 64(R12), Y2
	VMOVDQA 128(R12), Y3
	VMOVDQA 160(R12), Y4
	VMOVDQA 192(R12), Y5
	VMOVDQA 288(R12), Y6
	VMOVDQA 320(R12), Y7
	VMOVDQA 352(R12), Y8
	VMOVDQA 416(R12), Y9
	VMOVDQA 448(R12), Y10
	VMOVDQA 480(R12), Y11
	VMOVDQA 256(R12), Y12
	VMOVDQA 384(R12), Y13
	VMOVDQA 96(R12), T0
	VMOVDQA T0, 608(R12)
	VMOVDQA 224(R12), T0
	VMOVDQA T0, 736(R12)
	MOVQ    $10, DX

doubleround:
	// Columns (x0 x4 x8 x12), (x5 x9 x13 x1); then x3, x7 in for x8, x12.
	QR2(Y0, Y3, Y12, Y13, Y4, Y6, Y9, Y1)
	VMOVDQA Y12, 768(R12)
	VMOVDQA Y13, 896(R12)
	VMOVDQA 608(R12), Y12
	VMOVDQA 736(R12), Y13

	// Columns (x10 x14 x2 x6), (x15 x3 x7 x11); rows (x0 x1 x2 x3), (x5 x6 x7 x4).
	QR2(Y7, Y10, Y2, Y5, Y11, Y12, Y13, Y8)
	QR2(Y0, Y1, Y2, Y12, Y4, Y5, Y13, Y3)
	VMOVDQA Y12, 608(R12)
	VMOVDQA Y13, 736(R12)
	VMOVDQA 768(R12), Y12
	VMOVDQA 896(R12), Y13

	// Rows (x10 x11 x8 x9), (x15 x12 x13 x14).
	QR2(Y7, Y8, Y12, Y6, Y11, Y13, Y9, Y10)
	DECQ DX
	JNZ  doubleround

	VMOVDQA Y0, 512(R12)
	VMOVDQA Y1, 544(R12)
	VMOVDQA Y2, 576(R12)
	VMOVDQA Y3, 640(R12)
	VMOVDQA Y4, 672(R12)
	VMOVDQA Y5, 704(R12)
	VMOVDQA Y12, 768(R12)
	VMOVDQA Y6, 800(R12)
	VMOVDQA Y7, 832(R12)
	VMOVDQA Y8, 864(R12)
	VMOVDQA Y13, 896(R12)
	VMOVDQA Y9, 928(R12)
	VMOVDQA Y10, 960(R12)
	VMOVDQA Y11, 992(R12)

	HALF(R12, SI, DI)
	LEAQ 256(R12), R13
	LEAQ 32(SI), R9
	LEAQ 32(DI), R10
	HALF(R13, R9, R10)

	ADDQ $512, SI
	ADDQ $512, DI
	ADDQ $8, R8
	DECQ CX
	JNZ  chunk

	VZEROUPPER
	RET
