package quantity

import (
	"math/big"
	"testing"
)

func TestParseIsExact(t *testing.T) {
	for text, want := range map[string]*big.Rat{
		"500m":  big.NewRat(1, 2),
		"2":     big.NewRat(2, 1),
		".5":    big.NewRat(1, 2),
		"1.":    big.NewRat(1, 1),
		"1.5Gi": big.NewRat(3<<29, 1),
		"128Mi": big.NewRat(128<<20, 1),
		"1k":    big.NewRat(1000, 1),
		"1e3":   big.NewRat(1000, 1),
		"25E-2": big.NewRat(1, 4),
		"2E":    big.NewRat(2_000_000_000_000_000_000, 1),
		"1Ei":   new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 60)),
		"100u":  big.NewRat(1, 10_000),
		"3n":    big.NewRat(3, 1_000_000_000),
	} {
		got, err := Parse(text)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("Parse(%q) = %v, %v; want %v", text, got, err, want)
		}
	}
}

func TestParseRefusesWhatKubernetesRefusesAndNonPositive(t *testing.T) {
	for _, text := range []string{"", " 1", "1 ", "-1", "+1", "0", "0m", "0.0Gi", "1.5.2", "8 cores",
		"Gi", "0x10", "1e999", "1GB", "1gi", "1K", "1e", "1mi", "1.5 Gi"} {
		if got, err := Parse(text); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", text, got)
		}
	}
}

// The comparisons the configuration makes: a plain number against milli-units, binary against
// binary and decimal units (issue 15).
func TestParseOrdersMixedUnits(t *testing.T) {
	for _, pair := range [][2]string{
		{"500m", "2"}, {"512Mi", "1Gi"}, {"1G", "1Gi"}, {"999m", "1"}, {"1023Ki", "1Mi"},
		{"1Ti", "1.1T"}, {"100m", "0.2"}, {"1e3", "1.5k"},
	} {
		low, errLow := Parse(pair[0])
		high, errHigh := Parse(pair[1])
		if errLow != nil || errHigh != nil || low.Cmp(high) >= 0 {
			t.Errorf("%s < %s: got %v and %v (%v, %v)", pair[0], pair[1], low, high, errLow, errHigh)
		}
	}
	half, _ := Parse("0.5")
	if milli, _ := Parse("500m"); half.Cmp(milli) != 0 {
		t.Errorf("0.5 = %v, 500m = %v; want equal", half, milli)
	}
}
