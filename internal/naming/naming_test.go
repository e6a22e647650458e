package naming

import "testing"

func TestNameEndsWithEnvironmentSuffix(t *testing.T) {
	if got := Name("vpc", "prod"); got != "vpc-prod" {
		t.Fatalf("Name(vpc, prod) = %q, want vpc-prod", got)
	}
}
