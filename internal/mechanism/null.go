package mechanism

import "github.com/purezmq/zmq/zmtp"

// nullHandshake is RFC 37's NULL: each side sends READY with its metadata. With a ZAP domain
// set, a side first asks its ZAP handler about the peer's address, as libzmq does.
func nullHandshake(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	zap, err := authorize(cfg, t, Null)
	if err != nil {
		return Result{}, err
	}
	if !cfg.ReadyFirst {
		if err := t.WriteCommand(zmtp.AppendReady(nil, md)); err != nil {
			return Result{}, err
		}
	}
	cmd, err := expect(t, zmtp.CmdReady)
	if err != nil {
		return Result{}, err
	}
	if cfg.ReadyFirst {
		if err := t.WriteCommand(zmtp.AppendReady(nil, md)); err != nil {
			return Result{}, err
		}
	}
	meta, err := zmtp.ParseReady(cmd)
	if err != nil {
		return Result{}, malformed(ProtoInvalidMetadata, err)
	}
	return zapResult(Result{Meta: meta}, zap), nil
}
