// Package naming holds the one rule every resource name follows (STACK_SPEC: every resource name
// ends with the environment suffix).
package naming

import "strings"

// Name returns "<base>-<suffix>", the logical and, where AWS allows one, physical name of a resource.
func Name(base, suffix string) string {
	return base + "-" + suffix
}

// CIDRPart turns a CIDR into a part of a resource name, 10.100.0.0/22 -> 10-100-0-0-22, for
// resources there is one of per network (security group rules, routes).
func CIDRPart(cidr string) string {
	return strings.NewReplacer(".", "-", "/", "-").Replace(cidr)
}
