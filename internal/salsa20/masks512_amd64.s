//go:build amd64 && !purego && gc

#include "textflag.h"

// VPERMT2D indices making the sixteen input words in diagonal order (rows512_amd64.s) out of
// the key (0..7), nonce and block number (8..11) and sigmaWords (16..31).
DATA ·diagonal512+0(SB)/4, $16
DATA ·diagonal512+4(SB)/4, $21
DATA ·diagonal512+8(SB)/4, $26
DATA ·diagonal512+12(SB)/4, $31
DATA ·diagonal512+16(SB)/4, $3
DATA ·diagonal512+20(SB)/4, $11
DATA ·diagonal512+24(SB)/4, $7
DATA ·diagonal512+28(SB)/4, $2
DATA ·diagonal512+32(SB)/4, $10
DATA ·diagonal512+36(SB)/4, $6
DATA ·diagonal512+40(SB)/4, $1
DATA ·diagonal512+44(SB)/4, $9
DATA ·diagonal512+48(SB)/4, $5
DATA ·diagonal512+52(SB)/4, $0
DATA ·diagonal512+56(SB)/4, $8
DATA ·diagonal512+60(SB)/4, $4
GLOBL ·diagonal512(SB), RODATA|NOPTR, $64

// The constant "expand 32-byte k" in words 0, 5, 10 and 15 of the input, zero elsewhere.
DATA ·sigmaWords+0(SB)/4, $0x61707865
DATA ·sigmaWords+4(SB)/4, $0
DATA ·sigmaWords+8(SB)/4, $0
DATA ·sigmaWords+12(SB)/4, $0
DATA ·sigmaWords+16(SB)/4, $0
DATA ·sigmaWords+20(SB)/4, $0x3320646e
DATA ·sigmaWords+24(SB)/4, $0
DATA ·sigmaWords+28(SB)/4, $0
DATA ·sigmaWords+32(SB)/4, $0
DATA ·sigmaWords+36(SB)/4, $0
DATA ·sigmaWords+40(SB)/4, $0x79622d32
DATA ·sigmaWords+44(SB)/4, $0
DATA ·sigmaWords+48(SB)/4, $0
DATA ·sigmaWords+52(SB)/4, $0
DATA ·sigmaWords+56(SB)/4, $0
DATA ·sigmaWords+60(SB)/4, $0x6b206574
GLOBL ·sigmaWords(SB), RODATA|NOPTR, $64

// The block offsets of a row set's four lanes, each as a 64-bit number twice.
DATA ·laneBlocks+0(SB)/8, $0
DATA ·laneBlocks+8(SB)/8, $0
DATA ·laneBlocks+16(SB)/8, $1
DATA ·laneBlocks+24(SB)/8, $1
DATA ·laneBlocks+32(SB)/8, $2
DATA ·laneBlocks+40(SB)/8, $2
DATA ·laneBlocks+48(SB)/8, $3
DATA ·laneBlocks+56(SB)/8, $3
GLOBL ·laneBlocks(SB), RODATA|NOPTR, $64

DATA ·four+0(SB)/8, $4
GLOBL ·four(SB), RODATA|NOPTR, $8

// The block offsets of a wide pass's sixteen lanes as 64-bit numbers, and a pass's step.
DATA ·wideBlocks+0(SB)/8, $0
DATA ·wideBlocks+8(SB)/8, $1
DATA ·wideBlocks+16(SB)/8, $2
DATA ·wideBlocks+24(SB)/8, $3
DATA ·wideBlocks+32(SB)/8, $4
DATA ·wideBlocks+40(SB)/8, $5
DATA ·wideBlocks+48(SB)/8, $6
DATA ·wideBlocks+56(SB)/8, $7
GLOBL ·wideBlocks(SB), RODATA|NOPTR, $64

DATA ·eight+0(SB)/8, $8
GLOBL ·eight(SB), RODATA|NOPTR, $8
