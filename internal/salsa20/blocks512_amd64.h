// Shared by rows512_amd64.s and wide512_amd64.s: the quarter-round step, the last step of
// putting blocks in order, and storing them. For storing, SI, DI and CX are in, out and the
// bytes left; the including routine has labels last (for a last block shorter than 64 bytes,
// in Z31) and done.

// STEP512: Salsa20's step dst ^= (a + b) <<< k on every 32-bit word, t a temporary.
#define STEP512(dst, a, b, k, t) \
	VPADDD a, b, t; \
	VPROLD $k, t, t; \
	VPXORD t, dst, dst

// LANES: the 4×4 transpose of 128-bit lanes: lane c of r0..r3 goes to lane 0..3 of o_c, through
// the temporaries t0..t3 (t2 and t3 may be r0 and r1, which are read first; o0..o3 may be
// r0..r3).
#define LANES(r0, r1, r2, r3, t0, t1, t2, t3, o0, o1, o2, o3) \
	VSHUFI32X4 $0x44, r1, r0, t0; \
	VSHUFI32X4 $0xee, r1, r0, t1; \
	VSHUFI32X4 $0x44, r3, r2, t2; \
	VSHUFI32X4 $0xee, r3, r2, t3; \
	VSHUFI32X4 $0x88, t2, t0, o0; \
	VSHUFI32X4 $0xdd, t2, t0, o1; \
	VSHUFI32X4 $0x88, t3, t1, o2; \
	VSHUFI32X4 $0xdd, t3, t1, o3

// OUT: the block in zb XORed over the next 64 bytes of in into out while CX bytes remain;
// fewer than 64 go to last, none to done.
#define OUT(zb) \
	VMOVDQA64 zb, Z31; \
	CMPQ      CX, $64; \
	JB        last; \
	VPXORD    (SI), Z31, Z31; \
	VMOVDQU64 Z31, (DI); \
	ADDQ      $64, SI; \
	ADDQ      $64, DI; \
	SUBQ      $64, CX; \
	JZ        done

// LASTBLOCK: the CX (1..63) bytes left, loaded (zero elsewhere) and stored under a byte mask
// in K5, which reads and writes nothing past them.
#define LASTBLOCK \
	MOVQ       $1, AX; \
	SHLQ       CX, AX; \
	DECQ       AX; \
	KMOVQ      AX, K5; \
	VMOVDQU8.Z (SI), K5, Z30; \
	VPXORD     Z30, Z31, Z31; \
	VMOVDQU8   Z31, K5, (DI)
