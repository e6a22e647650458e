package offline

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

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

// MustRunComponent is RunComponent for tests: it stops the test when the body fails.
func MustRunComponent(t testing.TB, stack string, body func(ctx *pulumi.Context) error) *Plan {
	t.Helper()
	p, err := RunComponent(stack, nil, body)
	if err != nil {
		t.Fatalf("plan failed: %v", err)
	}
	return p
}
