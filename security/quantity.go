package security

import (
	"fmt"
	"math/big"
	"regexp"
)

// quantityPattern is the Kubernetes resource.Quantity grammar without a sign (a quota or limit is
// never negative): a decimal number followed by a binary-SI suffix (Ki..Ei), a decimal-SI suffix
// (n, u, m, "", k..E) or a decimal exponent of at most two digits (e3, E-2).
var quantityPattern = regexp.MustCompile(`^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]{1,2})?$`)

// quantitySuffixes maps each unit suffix to its multiplier as a numerator/denominator pair.
var quantitySuffixes = map[string]*big.Rat{
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

// parseQuantity returns the exact value of a positive Kubernetes quantity ("500m", "2", "1.5Gi"),
// so that limits can be compared before Kubernetes rejects them at apply time.
func parseQuantity(s string) (*big.Rat, error) {
	match := quantityPattern.FindStringSubmatch(s)
	if match == nil {
		return nil, fmt.Errorf("%q is not a Kubernetes quantity (examples: 500m, 2, 512Mi, 4Gi)", s)
	}
	number, suffix := match[1], match[2]
	value, _ := new(big.Rat).SetString(number) // the pattern admits only plain decimals
	if multiplier, ok := quantitySuffixes[suffix]; ok {
		value.Mul(value, multiplier)
	} else {
		value, _ = new(big.Rat).SetString(number + suffix) // decimal exponent, e.g. "1e3"
	}
	if value.Sign() <= 0 {
		return nil, fmt.Errorf("%q must be greater than zero", s)
	}
	return value, nil
}
