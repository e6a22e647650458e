package naming

import "testing"

func TestNameEndsWithEnvironmentSuffix(t *testing.T) {
	if got := Name("vpc", "prod"); got != "vpc-prod" {
		t.Fatalf("Name(vpc, prod) = %q, want vpc-prod", got)
	}
}

func TestCIDRPartIsANamePart(t *testing.T) {
	if got := CIDRPart("10.100.0.0/22"); got != "10-100-0-0-22" {
		t.Fatalf("CIDRPart(10.100.0.0/22) = %q, want 10-100-0-0-22", got)
	}
}
