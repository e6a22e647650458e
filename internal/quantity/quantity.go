// Package quantity parses Kubernetes resource quantities ("500m", "2", "512Mi") into exact
// values, so configuration validation and the security component compare a request with a
// limit the way the API server does, without importing k8s.io/apimachinery into the program
// (its resource.Quantity is the reference for the grammar and the suffixes below).
package quantity

import (
	"fmt"
	"math/big"
	"regexp"
)

// pattern is the resource.Quantity grammar without a sign (a quota, request or limit here is
// never negative): a decimal number ("2", "1.", ".5", "1.5") followed by a binary-SI suffix
// (Ki..Ei), a decimal-SI suffix (n, u, m, "", k..E) or a decimal exponent of at most two digits
// (e3, E-2). "1E" is 10^18 and "1E3" is 1000: the exponent branch needs digits after the E.
var pattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$`)

// suffixes maps each unit suffix to its multiplier.
var suffixes = map[string]*big.Rat{
	"":   big.NewRat(1, 1),
	"n":  big.NewRat(1, 1_000_000_000),
	"u":  big.NewRat(1, 1_000_000),
	"m":  big.NewRat(1, 1_000),
	"k":  big.NewRat(1_000, 1),
	"M":  big.NewRat(1_000_000, 1),
	"G":  big.NewRat(1_000_000_000, 1),
	"T":  big.NewRat(1_000_000_000_000, 1),
	"P":  big.NewRat(1_000_000_000_000_000, 1),
	"E":  big.NewRat(1_000_000_000_000_000_000, 1),
	"Ki": big.NewRat(1<<10, 1),
	"Mi": big.NewRat(1<<20, 1),
	"Gi": big.NewRat(1<<30, 1),
	"Ti": big.NewRat(1<<40, 1),
	"Pi": big.NewRat(1<<50, 1),
	"Ei": big.NewRat(1<<60, 1),
}

// Parse returns the exact value of a positive Kubernetes quantity: "500m" is 1/2, "1Gi" is
// 1073741824. Zero, signs, spaces and unknown suffixes ("1GB") are errors.
func Parse(s string) (*big.Rat, error) {
	match := pattern.FindStringSubmatch(s)
	if match == nil {
		return nil, fmt.Errorf("%q is not a Kubernetes quantity (examples: 500m, 2, 512Mi, 4Gi)", s)
	}
	number, suffix := match[1], match[2]
	value, _ := new(big.Rat).SetString(number) // the pattern admits only plain decimals
	if multiplier, ok := suffixes[suffix]; ok {
		value.Mul(value, multiplier)
	} else {
		value, _ = new(big.Rat).SetString(number + suffix) // decimal exponent, e.g. "1e3"
	}
	if value.Sign() <= 0 {
		return nil, fmt.Errorf("%q must be greater than zero", s)
	}
	return value, nil
}
