// Package naming holds the one rule every resource name follows (STACK_SPEC: every resource name
// ends with the environment suffix).
package naming

// Name returns "<base>-<suffix>", the logical and, where AWS allows one, physical name of a resource.
func Name(base, suffix string) string {
	return base + "-" + suffix
}
