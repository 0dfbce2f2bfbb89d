// Package fixture holds known documented and undocumented names for TestDocCommentsRule.
package fixture

type Bare struct{}

func (Bare) Method() {}

// Doc is documented.
type Doc struct{}

// Method is documented.
func (*Doc) Method() {}

type hidden struct{}

func (hidden) Exported() {}

// T has one field without a comment.
type T struct {
	// Named is documented.
	Named    int
	Trailing int // Trailing is documented at the line's end.
	Field    int
	private  int
}

// I has one method without a comment.
type I interface {
	// Done is documented.
	Done()
	Do()
}

// Group shares a comment that does not cover its members.
const (
	// GroupA is documented.
	GroupA = iota
	GroupB
	GroupC // GroupC is documented at the line's end.
	groupD
)

var BareVar int

// DocVar is covered by its declaration's comment.
var DocVar int

const BareConst = 1

// Pair is one declaration of two names: the comment covers both.
var PairA, PairB = 1, 2

// Func is documented.
func Func() {}

func unexported() {}
