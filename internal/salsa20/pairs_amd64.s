//go:build amd64 && !purego && gc

// One, two or three pairs of Salsa20/20 blocks, for what is left after the wide passes
// (and for short streams). Each YMM register holds one row of a pair's two blocks (block 2p in
// the low lane, 2p+1 in the high one), the rows taken along the diagonals
//
//	A = x0 x5 x10 x15   B = x4 x9 x14 x3   C = x8 x13 x2 x7   D = x12 x1 x6 x11
//
// so that a column round is four lane-wise steps; rotating B, C and D by a lane lines the
// rows up for the row round. The pairs' steps interleave, as one pair's alone wait on each
// other; still one pair's steps wait on each other, so the rotations here are the plain two
// shifts, the shortest chain. Frame, 32-byte aligned at R12: the input rows of pair p at
// 128*p, row r at +32*r.

#include "textflag.h"

#define T0 Y14
#define T1 Y15
#include "steps_amd64.h"

// The column round's four steps, then the shuffles to rows; the row round's, then back.
#define C1(A, B, C, D) STEP(B, A, D, 7, 25)
#define C2(A, B, C, D) STEP(C, B, A, 9, 23)
#define C3(A, B, C, D) STEP(D, C, B, 13, 19)
#define C4(A, B, C, D) STEP(A, D, C, 18, 14)
#define TOROWS(A, B, C, D) \
	VPSHUFD $0x39, D, D; \
	VPSHUFD $0x4e, C, C; \
	VPSHUFD $0x93, B, B
#define R1(A, B, C, D) STEP(D, A, B, 7, 25)
#define R2(A, B, C, D) STEP(C, D, A, 9, 23)
#define R3(A, B, C, D) STEP(B, C, D, 13, 19)
#define R4(A, B, C, D) STEP(A, B, C, 18, 14)
#define TOCOLS(A, B, C, D) \
	VPSHUFD $0x93, D, D; \
	VPSHUFD $0x4e, C, C; \
	VPSHUFD $0x39, B, B

// INIT: the rows of pair p from d (diagonal order) into the frame, with block numbers
// R8+2p and R8+2p+1 in x8 (C's first word) and x9 (B's second), and into registers A..D.
#define INIT(p, A, B, C, D) \
	VBROADCASTI128 0(BX), A; \
	VBROADCASTI128 16(BX), B; \
	VBROADCASTI128 32(BX), C; \
	VBROADCASTI128 48(BX), D; \
	VMOVDQA A, (128*p)(R12); \
	VMOVDQA B, (128*p+32)(R12); \
	VMOVDQA C, (128*p+64)(R12); \
	VMOVDQA D, (128*p+96)(R12); \
	MOVQ    R8, AX; \
	ADDQ    $(2*p), AX; \
	MOVL    AX, (128*p+64)(R12); \
	SHRQ    $32, AX; \
	MOVL    AX, (128*p+36)(R12); \
	MOVQ    R8, AX; \
	ADDQ    $(2*p+1), AX; \
	MOVL    AX, (128*p+80)(R12); \
	SHRQ    $32, AX; \
	MOVL    AX, (128*p+52)(R12); \
	VMOVDQA (128*p)(R12), A; \
	VMOVDQA (128*p+32)(R12), B; \
	VMOVDQA (128*p+64)(R12), C; \
	VMOVDQA (128*p+96)(R12), D

// OUT: pair p's rows plus its input, back from diagonals to x0..x15 (each row of the output
// takes one word from each of A..D), XORed over in's 128*p..128*p+127 into out's.
#define OUT(p, A, B, C, D) \
	VPADDD   (128*p)(R12), A, A; \
	VPADDD   (128*p+32)(R12), B, B; \
	VPADDD   (128*p+64)(R12), C, C; \
	VPADDD   (128*p+96)(R12), D, D; \
	VPBLENDD $0x22, D, A, Y12; \
	VPBLENDD $0x44, C, Y12, Y12; \
	VPBLENDD $0x88, B, Y12, Y12; \
	VPBLENDD $0x22, A, B, Y13; \
	VPBLENDD $0x44, D, Y13, Y13; \
	VPBLENDD $0x88, C, Y13, Y13; \
	VPBLENDD $0x22, B, C, Y14; \
	VPBLENDD $0x44, A, Y14, Y14; \
	VPBLENDD $0x88, D, Y14, Y14; \
	VPBLENDD $0x22, C, D, Y15; \
	VPBLENDD $0x44, B, Y15, Y15; \
	VPBLENDD $0x88, A, Y15, Y15; \
	VPERM2I128 $0x20, Y13, Y12, A; \
	VPERM2I128 $0x31, Y13, Y12, B; \
	VPERM2I128 $0x20, Y15, Y14, C; \
	VPERM2I128 $0x31, Y15, Y14, D; \
	VPXOR    (128*p)(SI), A, A; \
	VPXOR    (128*p+64)(SI), B, B; \
	VPXOR    (128*p+32)(SI), C, C; \
	VPXOR    (128*p+96)(SI), D, D; \
	VMOVDQU  A, (128*p)(DI); \
	VMOVDQU  B, (128*p+64)(DI); \
	VMOVDQU  C, (128*p+32)(DI); \
	VMOVDQU  D, (128*p+96)(DI)

// func xorPairs(out, in *byte, pairs int, d *[16]uint32)
TEXT ·xorPairs(SB), 0, $416-32
	MOVQ out+0(FP), DI
	MOVQ in+8(FP), SI
	MOVQ pairs+16(FP), CX
	MOVQ d+24(FP), BX
	MOVQ SP, R12
	ADDQ $31, R12
	ANDQ $-32, R12
	MOVL 32(BX), R8
	MOVL 20(BX), AX
	SHLQ $32, AX
	ORQ  AX, R8
	MOVQ $10, DX
	CMPQ CX, $2
	JB   one
	JE   two

	INIT(0, Y0, Y1, Y2, Y3)
	INIT(1, Y4, Y5, Y6, Y7)
	INIT(2, Y8, Y9, Y10, Y11)

three:
	C1(Y0, Y1, Y2, Y3); C1(Y4, Y5, Y6, Y7); C1(Y8, Y9, Y10, Y11)
	C2(Y0, Y1, Y2, Y3); C2(Y4, Y5, Y6, Y7); C2(Y8, Y9, Y10, Y11)
	C3(Y0, Y1, Y2, Y3); C3(Y4, Y5, Y6, Y7); C3(Y8, Y9, Y10, Y11)
	C4(Y0, Y1, Y2, Y3); C4(Y4, Y5, Y6, Y7); C4(Y8, Y9, Y10, Y11)
	TOROWS(Y0, Y1, Y2, Y3); TOROWS(Y4, Y5, Y6, Y7); TOROWS(Y8, Y9, Y10, Y11)
	R1(Y0, Y1, Y2, Y3); R1(Y4, Y5, Y6, Y7); R1(Y8, Y9, Y10, Y11)
	R2(Y0, Y1, Y2, Y3); R2(Y4, Y5, Y6, Y7); R2(Y8, Y9, Y10, Y11)
	R3(Y0, Y1, Y2, Y3); R3(Y4, Y5, Y6, Y7); R3(Y8, Y9, Y10, Y11)
	R4(Y0, Y1, Y2, Y3); R4(Y4, Y5, Y6, Y7); R4(Y8, Y9, Y10, Y11)
	TOCOLS(Y0, Y1, Y2, Y3); TOCOLS(Y4, Y5, Y6, Y7); TOCOLS(Y8, Y9, Y10, Y11)
	DECQ DX
	JNZ  three
	OUT(0, Y0, Y1, Y2, Y3)
	OUT(1, Y4, Y5, Y6, Y7)
	OUT(2, Y8, Y9, Y10, Y11)
	JMP  done

two:
	INIT(0, Y0, Y1, Y2, Y3)
	INIT(1, Y4, Y5, Y6, Y7)

tworounds:
	C1(Y0, Y1, Y2, Y3); C1(Y4, Y5, Y6, Y7)
	C2(Y0, Y1, Y2, Y3); C2(Y4, Y5, Y6, Y7)
	C3(Y0, Y1, Y2, Y3); C3(Y4, Y5, Y6, Y7)
	C4(Y0, Y1, Y2, Y3); C4(Y4, Y5, Y6, Y7)
	TOROWS(Y0, Y1, Y2, Y3); TOROWS(Y4, Y5, Y6, Y7)
	R1(Y0, Y1, Y2, Y3); R1(Y4, Y5, Y6, Y7)
	R2(Y0, Y1, Y2, Y3); R2(Y4, Y5, Y6, Y7)
	R3(Y0, Y1, Y2, Y3); R3(Y4, Y5, Y6, Y7)
	R4(Y0, Y1, Y2, Y3); R4(Y4, Y5, Y6, Y7)
	TOCOLS(Y0, Y1, Y2, Y3); TOCOLS(Y4, Y5, Y6, Y7)
	DECQ DX
	JNZ  tworounds
	OUT(0, Y0, Y1, Y2, Y3)
	OUT(1, Y4, Y5, Y6, Y7)
	JMP  done

one:
	INIT(0, Y0, Y1, Y2, Y3)

onerounds:
	C1(Y0, Y1, Y2, Y3)
	C2(Y0, Y1, Y2, Y3)
	C3(Y0, Y1, Y2, Y3)
	C4(Y0, Y1, Y2, Y3)
	TOROWS(Y0, Y1, Y2, Y3)
	R1(Y0, Y1, Y2, Y3)
	R2(Y0, Y1, Y2, Y3)
	R3(Y0, Y1, Y2, Y3)
	R4(Y0, Y1, Y2, Y3)
	TOCOLS(Y0, Y1, Y2, Y3)
	DECQ DX
	JNZ  onerounds
	OUT(0, Y0, Y1, Y2, Y3)

done:
	VZEROUPPER
	RET
