package zmq_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	zmq "github.com/purezmq/zmq"
)

// TestMulticastOptions: libzmq 4.3's numbers, names, defaults and ranges for the multicast
// options (checked against pyzmq over libzmq 4.3.4).
func TestMulticastOptions(t *testing.T) {
	for _, tt := range []struct {
		id   zmq.OptionID
		num  int
		name string
		def  any
	}{
		{zmq.OptRate, 8, "RATE", 100},
		{zmq.OptRecoveryIvl, 9, "RECOVERY_IVL", 10 * time.Second},
		{zmq.OptMulticastHops, 25, "MULTICAST_HOPS", 1},
		{zmq.OptMulticastMaxTPDU, 84, "MULTICAST_MAXTPDU", 1500},
		{zmq.OptMulticastLoop, 96, "MULTICAST_LOOP", true},
	} {
		if int(tt.id) != tt.num || tt.id.String() != tt.name {
			t.Errorf("%v = %d, want %s = %d", tt.id, int(tt.id), tt.name, tt.num)
		}
		if id, ok := zmq.LookupOption("ZMQ_" + tt.name); !ok || id != tt.id {
			t.Errorf("LookupOption(ZMQ_%s) = %v, %v", tt.name, id, ok)
		}
		if got, err := newSocket(t, zmq.SUB).Option(tt.id); err != nil || !reflect.DeepEqual(got, tt.def) {
			t.Errorf("Option(%v) = %#v, %v; want the default %#v", tt.id, got, err, tt.def)
		}
	}
	for _, tt := range []struct {
		id          zmq.OptionID
		value, want any
	}{
		{zmq.OptRate, 1, 1},
		{zmq.OptRate, 1 << 30, 1 << 30},
		{zmq.OptRecoveryIvl, 0, time.Duration(0)},
		{zmq.OptRecoveryIvl, 2500, 2500 * time.Millisecond},
		{zmq.OptRecoveryIvl, 3 * time.Second, 3 * time.Second},
		{zmq.OptMulticastHops, 16, 16},
		{zmq.OptMulticastMaxTPDU, 9000, 9000},
		{zmq.OptMulticastLoop, 0, false},
		{zmq.OptMulticastLoop, 2, true}, // as libzmq: any non-zero integer is on
		{zmq.OptMulticastLoop, false, false},
	} {
		s := newSocket(t, zmq.PUB)
		if err := s.SetOption(tt.id, tt.value); err != nil {
			t.Errorf("SetOption(%v, %#v): %v", tt.id, tt.value, err)
			continue
		}
		if got, err := s.Option(tt.id); err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("after SetOption(%v, %#v): Option = %#v, %v; want %#v", tt.id, tt.value, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		id    zmq.OptionID
		value any
	}{
		{zmq.OptRate, 0}, {zmq.OptRate, -1}, {zmq.OptRate, "100"},
		{zmq.OptRecoveryIvl, -1}, {zmq.OptRecoveryIvl, 1.5},
		{zmq.OptMulticastHops, 0}, {zmq.OptMulticastHops, -1},
		{zmq.OptMulticastMaxTPDU, 0}, {zmq.OptMulticastMaxTPDU, -1},
		{zmq.OptMulticastLoop, "yes"},
	} {
		s := newSocket(t, zmq.PUB)
		before, _ := s.Option(tt.id)
		if err := s.SetOption(tt.id, tt.value); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("SetOption(%v, %#v) = %v, want ErrOption", tt.id, tt.value, err)
		}
		if _, err := zmq.NewSocket(zmq.PUB, zmq.WithOption(tt.id, tt.value)); !errors.Is(err, zmq.ErrOption) {
			t.Errorf("WithOption(%v, %#v) = %v, want ErrOption", tt.id, tt.value, err)
		}
		if after, _ := s.Option(tt.id); !reflect.DeepEqual(after, before) {
			t.Errorf("a refused SetOption(%v, %#v) changed it from %#v to %#v", tt.id, tt.value, before, after)
		}
	}
}
