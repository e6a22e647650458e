package offline

import "testing"

// MustGet returns the resource of the given type and logical name, stopping the test with the
// names that do exist when it is missing. Every package's tests use it.
func MustGet(t testing.TB, p *Plan, typeToken, name string) Resource {
	t.Helper()
	r, err := p.Get(typeToken, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
