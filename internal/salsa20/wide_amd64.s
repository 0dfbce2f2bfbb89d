//go:build amd64 && !purego && gc

// Nine Salsa20/20 blocks at once: eight in YMM registers, each register one state word of
// all eight (lane j is block j), and a ninth in general registers, whose steps run between
// the vector ones on integer units the vector steps leave idle. Sixteen words and two
// temporaries need eighteen vector registers, so two words at a time wait on the stack: x3
// and x7 while the first two quarter-rounds of the column round and the last two of the row
// round run, x8 and x12 while the others run. Y12 and Y13 hold whichever pair is in.
//
// Frame, 32-byte aligned at R12: the input words broadcast to all lanes at 0..511 (word i at
// 32*i, the block numbers of the eight lanes in words 8 and 9), the working words at 512..1023,
// the ninth block's words at 1024..1087 (x11..x15 live there, the others in S0..S10 during
// the rounds), then the round count, the saved n, out, in and block number, and the ninth
// block's block number as two words.

#include "textflag.h"

#define T0 Y14
#define T1 Y15
#define SCALAR 1024
#include "steps_amd64.h"
#include "scalar_amd64.h"

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
TEXT ·xorChunks(SB), 0, $1168-32
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

	MOVQ CX, SAVEDN
	MOVQ DI, SAVEDOUT
	MOVQ SI, SAVEDIN
	MOVQ R8, SAVEDBLOCK
	LEAQ 8(R8), AX
	MOVL AX, SBLOCKLO
	SHRQ $32, AX
	MOVL AX, SBLOCKHI
	MOVL 0(R12), S0
	MOVL 32(R12), S1
	MOVL 64(R12), S2
	MOVL 96(R12), S3
	MOVL 128(R12), S4
	MOVL 160(R12), S5
	MOVL 192(R12), S6
	MOVL 224(R12), S7
	MOVL SBLOCKLO, S8
	MOVL SBLOCKHI, S9
	MOVL 320(R12), S10
	MOVL 352(R12), AX
	MOVL AX, S11
	MOVL 384(R12), AX
	MOVL AX, S12
	MOVL 416(R12), AX
	MOVL AX, S13
	MOVL 448(R12), AX
	MOVL AX, S14
	MOVL 480(R12), AX
	MOVL AX, S15
	MOVQ $10, ROUNDS

doubleround:
	// Columns (x0 x4 x8 x12), (x5 x9 x13 x1); then x3, x7 in for x8, x12.
	QR2(Y0, Y3, Y12, Y13, Y4, Y6, Y9, Y1, S0, S4, S8, S12, S5, S9, S13, S1)
	VMOVDQA Y12, 768(R12)
	VMOVDQA Y13, 896(R12)
	VMOVDQA 608(R12), Y12
	VMOVDQA 736(R12), Y13

	// Columns (x10 x14 x2 x6), (x15 x3 x7 x11); rows (x0 x1 x2 x3), (x5 x6 x7 x4).
	QR2(Y7, Y10, Y2, Y5, Y11, Y12, Y13, Y8, S10, S14, S2, S6, S15, S3, S7, S11)
	QR2(Y0, Y1, Y2, Y12, Y4, Y5, Y13, Y3, S0, S1, S2, S3, S5, S6, S7, S4)
	VMOVDQA Y12, 608(R12)
	VMOVDQA Y13, 736(R12)
	VMOVDQA 768(R12), Y12
	VMOVDQA 896(R12), Y13

	// Rows (x10 x11 x8 x9), (x15 x12 x13 x14).
	QR2(Y7, Y8, Y12, Y6, Y11, Y13, Y9, Y10, S10, S11, S8, S9, S15, S12, S13, S14)
	DECQ ROUNDS
	JNZ  doubleround

	MOVL S0, 1024(R12)
	MOVL S1, 1028(R12)
	MOVL S2, 1032(R12)
	MOVL S3, 1036(R12)
	MOVL S4, 1040(R12)
	MOVL S5, 1044(R12)
	MOVL S6, 1048(R12)
	MOVL S7, 1052(R12)
	MOVL S8, 1056(R12)
	MOVL S9, 1060(R12)
	MOVL S10, 1064(R12)
	MOVQ SAVEDN, CX
	MOVQ SAVEDOUT, DI
	MOVQ SAVEDIN, SI
	MOVQ SAVEDBLOCK, R8

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

	SOUT(0, 0(R12), 512)
	SOUT(1, 32(R12), 512)
	SOUT(2, 64(R12), 512)
	SOUT(3, 96(R12), 512)
	SOUT(4, 128(R12), 512)
	SOUT(5, 160(R12), 512)
	SOUT(6, 192(R12), 512)
	SOUT(7, 224(R12), 512)
	SOUT(8, SBLOCKLO, 512)
	SOUT(9, SBLOCKHI, 512)
	SOUT(10, 320(R12), 512)
	SOUT(11, 352(R12), 512)
	SOUT(12, 384(R12), 512)
	SOUT(13, 416(R12), 512)
	SOUT(14, 448(R12), 512)
	SOUT(15, 480(R12), 512)

	ADDQ $576, SI
	ADDQ $576, DI
	ADDQ $9, R8
	DECQ CX
	JNZ  chunk

	VZEROUPPER
	RET
