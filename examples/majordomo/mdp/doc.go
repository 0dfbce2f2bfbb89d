// Package mdp is the Majordomo Protocol, MDP/0.2 (rfc.zeromq.org spec 18/MDP), with the
// Majordomo Management Interface (spec 8/MMI): the codec of its commands (codec.go), a broker,
// and the client and worker APIs that the majordomo and titanic examples are built on.
//
// MDP/0.2 is not MDP/0.1 (spec 7/MDP): commands have no leading empty frame, clients use a
// DEALER, and a worker's REPLY is replaced by zero or more PARTIALs and one FINAL.
package mdp
