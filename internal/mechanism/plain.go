package mechanism

import "github.com/purezmq/zmq/zmtp"

// plainClient is RFC 24's client: HELLO with credentials, WELCOME, INITIATE with metadata,
// READY with the server's.
func plainClient(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	if err := t.WriteCommand(zmtp.AppendPlainHello(nil, cfg.Username, cfg.Password)); err != nil {
		return Result{}, err
	}
	cmd, err := expect(t, zmtp.CmdWelcome)
	if err != nil {
		return Result{}, err
	}
	if err := zmtp.ParsePlainWelcome(cmd); err != nil {
		return Result{}, malformed(ProtoMalformedWelcome, err)
	}
	if err := t.WriteCommand(zmtp.AppendPlainInitiate(nil, md)); err != nil {
		return Result{}, err
	}
	if cmd, err = expect(t, zmtp.CmdReady); err != nil {
		return Result{}, err
	}
	meta, err := zmtp.ParseReady(cmd)
	if err != nil {
		return Result{}, malformed(ProtoInvalidMetadata, err)
	}
	return Result{Meta: meta}, nil
}

// plainServer is RFC 24's server. It asks the ZAP handler about the credentials; without one it
// refuses every client, as libzmq 4.3.4 does.
func plainServer(cfg Config, t Transport, md zmtp.Metadata) (Result, error) {
	cmd, err := expect(t, zmtp.CmdHello)
	if err != nil {
		return Result{}, err
	}
	user, pass, err := zmtp.ParsePlainHello(cmd)
	if err != nil {
		return Result{}, malformed(ProtoMalformedHello, err)
	}
	zap, err := authorize(cfg, t, Plain, user, pass)
	if err != nil {
		return Result{}, err
	}
	if err := t.WriteCommand(zmtp.AppendPlainWelcome(nil)); err != nil {
		return Result{}, err
	}
	if cmd, err = expect(t, zmtp.CmdInitiate); err != nil {
		return Result{}, err
	}
	meta, err := zmtp.ParsePlainInitiate(cmd)
	if err != nil {
		return Result{}, malformed(ProtoMalformedInitiate, err)
	}
	if err := t.WriteCommand(zmtp.AppendReady(nil, md)); err != nil {
		return Result{}, err
	}
	return zapResult(Result{Meta: meta}, zap), nil
}
